//! `opsguard schema inventory|playbook`: the JSON Schema of a file format,
//! as this binary reads it, for editors (yaml-language-server) and CI.

use clap::{Args, ValueEnum};

use crate::error::{AppError, Exit};
use crate::ui::Ui;

/// The inventory's schema (draft-07), as `schemas/inventory.schema.json`.
pub const INVENTORY: &str = include_str!("../../schemas/inventory.schema.json");
/// The playbook's schema (draft-07), as `schemas/playbook.schema.json`.
pub const PLAYBOOK: &str = include_str!("../../schemas/playbook.schema.json");

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which format
    #[arg(value_enum)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Inventory,
    Playbook,
}

pub fn run(args: &SchemaArgs, ui: &Ui) -> Result<Exit, AppError> {
    ui.out(match args.format {
        Format::Inventory => INVENTORY,
        Format::Playbook => PLAYBOOK,
    });
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    /// The property names at `path` (object keys, `*` for "every entry").
    fn keys(schema: &str, path: &[&str]) -> BTreeSet<String> {
        let mut node: Value = serde_json::from_str(schema).unwrap();
        for step in path {
            node = match *step {
                "*" => node["additionalProperties"].clone(),
                "[]" => node["items"].clone(),
                key => node["properties"][key].clone(),
            };
        }
        node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no properties at {path:?}"))
            .keys()
            .cloned()
            .collect()
    }

    fn set(fields: &[&str]) -> BTreeSet<String> {
        fields.iter().map(|f| f.to_string()).collect()
    }

    /// Every field the readers accept is in the schemas, and nothing else
    /// is: a field added to one and not the other fails here.
    #[test]
    fn the_schemas_name_exactly_the_fields_the_readers_accept() {
        use crate::inventory::schema::fields as inv;
        use crate::playbook::schema::fields as pb;
        for (schema, path, fields) in [
            (INVENTORY, &[][..], inv::TOP),
            (INVENTORY, &["settings"][..], inv::SETTINGS),
            (INVENTORY, &["roles", "*"][..], inv::ROLE),
            (INVENTORY, &["hosts", "*"][..], inv::HOST),
            (INVENTORY, &["policy"][..], inv::POLICY),
            (INVENTORY, &["policy", "freeze", "[]"][..], inv::FREEZE),
            (PLAYBOOK, &[][..], pb::TOP),
            (PLAYBOOK, &["steps", "[]"][..], pb::STEP),
        ] {
            assert_eq!(keys(schema, path), set(fields), "{path:?}");
        }
    }
}
