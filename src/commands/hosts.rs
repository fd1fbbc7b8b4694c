//! `opsguard hosts [SELECTOR]`: the inventory as a table or JSON. No network.

use clap::Args;
use serde_json::json;

use super::{Format, GlobalArgs};
use crate::error::{AppError, Exit};
use crate::ui::{Cell, Stream, Ui, table};

#[derive(Debug, Args)]
pub struct HostsArgs {
    /// Which hosts to list (all when omitted): `store-a1`, `store-*`, `@group`, `role:backup`, `!term`, comma-separated
    #[arg(add = super::complete::selector())]
    pub selector: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(g: &GlobalArgs, args: &HostsArgs, ui: &Ui) -> Result<Exit, AppError> {
    let inv = super::load_inventory(g, ui)?;
    let selected: Vec<usize> = match &args.selector {
        None => (0..inv.hosts.len()).collect(),
        Some(text) => super::select(&inv, text, "selector")?,
    };
    match args.format {
        Format::Json => {
            let items: Vec<_> = selected
                .iter()
                .map(|&i| {
                    let h = &inv.hosts[i];
                    json!({
                        "name": h.name,
                        "role": h.role,
                        "address": h.address,
                        "connection": h.connection.name(),
                        "groups": h.groups,
                        "mirror": h.mirror,
                    })
                })
                .collect();
            ui.out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&items).expect("plain JSON")
            ));
        }
        Format::Text => {
            let mut rows = vec![
                ["NAME", "ROLE", "ADDRESS", "GROUPS", "MIRROR"]
                    .map(|h| Cell {
                        plain: h.into(),
                        shown: ui.bold(Stream::Out, h),
                    })
                    .into(),
            ];
            for &i in &selected {
                let h = &inv.hosts[i];
                let role = h.role.to_uppercase();
                rows.push(vec![
                    Cell::plain(&h.name),
                    Cell {
                        shown: ui.paint_role(Stream::Out, &inv, &h.role, &role),
                        plain: role,
                    },
                    Cell::plain(&h.address),
                    Cell::plain(if h.groups.is_empty() {
                        "-".into()
                    } else {
                        h.groups.join(",")
                    }),
                    Cell::plain(h.mirror.clone().unwrap_or_else(|| "-".into())),
                ]);
            }
            ui.out(&table(&rows));
        }
    }
    Ok(Exit::Ok)
}
