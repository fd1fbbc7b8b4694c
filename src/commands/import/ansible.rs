//! `opsguard import ansible`: the JSON of `ansible-inventory --list` as an
//! opsguard inventory. Ansible resolves its own formats, group_vars and
//! plugins; this only maps what has an opsguard equivalent and counts the
//! rest as UNMAPPED.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Imported, count, quoted, role_of, roles};
use crate::inventory::schema::valid_host_name;
use crate::inventory::valid_user_name;

/// Ansible's own groups, which say nothing about a host.
const IMPLICIT: &[&str] = &["all", "ungrouped"];

/// Host variables that map onto opsguard's fields.
const MAPPED: &[&str] = &[
    "ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file",
    "ansible_become", "ansible_become_user", "opsguard_role",
];

/// The opsguard inventory for `ansible-inventory --list` output, or every
/// problem.
pub fn ansible(json: &Value, role_groups: &[String]) -> Result<Imported, Vec<String>> {
    let mut problems = Vec::new();
    let groups = json
        .as_object()
        .ok_or_else(|| vec!["the JSON is not an object".to_string()])?;
    let hostvars = json["_meta"]["hostvars"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // Each group's own hosts and child groups.
    let mut members: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut hosts: BTreeSet<&str> = hostvars.keys().map(String::as_str).collect();
    for (group, body) in groups {
        if group == "_meta" {
            continue;
        }
        let own: BTreeSet<&str> = body["hosts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        hosts.extend(&own);
        members.insert(group, own);
    }
    // Every group a host is in, through children too.
    let mut host_groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for group in members.keys() {
        for host in all_hosts(groups, &members, group, &mut BTreeSet::new()) {
            host_groups.entry(host).or_default().insert(group);
        }
    }
    for role in role_groups {
        if !members.contains_key(role.as_str()) {
            problems.push(format!(
                "--role-groups names `{role}`, which is not a group"
            ));
        }
    }
    let mut roles_used = BTreeSet::new();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let mut yaml = String::from("hosts:\n");
    for host in &hosts {
        if !valid_host_name(host) {
            problems.push(format!(
                "`{host}` is not a host name opsguard takes (letters, digits, `.`, `_`, `-`)"
            ));
            continue;
        }
        let vars = hostvars
            .get(*host)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let in_groups = host_groups.get(host).cloned().unwrap_or_default();
        let role = if role_groups.is_empty() {
            match vars.get("opsguard_role").and_then(Value::as_str) {
                Some(r) => Some(r.to_string()),
                None => {
                    problems.push(format!(
                        "`{host}` has no role: set its `opsguard_role` variable, or give --role-groups"
                    ));
                    None
                }
            }
        } else {
            match role_of(host, &in_groups, role_groups) {
                Ok(role) => Some(role),
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            }
        };
        let Some(role) = role else {
            continue;
        };
        if !valid_host_name(&role) {
            problems.push(format!("`{host}`: `{role}` is not a role name"));
            continue;
        }
        roles_used.insert(role.clone());
        let mut fields = vec![("role".to_string(), quoted(&role))];
        if let Some(a) = vars.get("ansible_host").and_then(Value::as_str) {
            fields.push(("address".into(), quoted(a)));
        }
        let groups: Vec<&str> = in_groups
            .iter()
            .copied()
            .filter(|g| !IMPLICIT.contains(g) && !role_groups.iter().any(|r| r == g))
            .collect();
        for g in &groups {
            if !valid_host_name(g) {
                problems.push(format!(
                    "`{host}`: group `{g}` is not a name opsguard takes"
                ));
            }
        }
        if !groups.is_empty() {
            let list: Vec<String> = groups.iter().map(|g| quoted(g)).collect();
            fields.push(("groups".into(), format!("[{}]", list.join(", "))));
        }
        if let Some(u) = vars.get("ansible_user").and_then(Value::as_str) {
            fields.push(("user".into(), quoted(u)));
        }
        if let Some(p) = vars.get("ansible_port") {
            match p
                .as_u64()
                .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            {
                Some(port) if (1..=65535).contains(&port) => {
                    fields.push(("port".into(), port.to_string()))
                }
                _ => problems.push(format!("`{host}`: ansible_port {p} is not a port")),
            }
        }
        if let Some(k) = vars
            .get("ansible_ssh_private_key_file")
            .and_then(Value::as_str)
        {
            fields.push(("identity_files".into(), format!("[{}]", quoted(k))));
        }
        let become_on = match vars.get("ansible_become") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => {
                matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1")
            }
            _ => false,
        };
        if become_on {
            let user = vars
                .get("ansible_become_user")
                .and_then(Value::as_str)
                .unwrap_or("root");
            if valid_user_name(user) {
                fields.push(("become".into(), quoted(user)));
            } else {
                problems.push(format!("`{host}`: become user `{user}` is not a user name"));
            }
        }
        for var in vars.keys().filter(|v| !MAPPED.contains(&v.as_str())) {
            *unmapped.entry(var.clone()).or_default() += 1;
        }
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        yaml.push_str(&format!("  {}: {{{}}}\n", quoted(host), body.join(", ")));
    }
    if hosts.is_empty() {
        problems.push("no hosts in the JSON".into());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Imported {
        yaml: roles(&roles_used) + &yaml,
        unmapped: unmapped
            .iter()
            .map(|(var, n)| format!("{var} ({})", count(*n, "host")))
            .collect(),
    })
}

/// The hosts of `group` and of its children, cycles cut.
fn all_hosts<'a>(
    groups: &'a serde_json::Map<String, Value>,
    members: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    group: &'a str,
    seen: &mut BTreeSet<&'a str>,
) -> BTreeSet<&'a str> {
    if !seen.insert(group) {
        return BTreeSet::new();
    }
    let mut out = members.get(group).cloned().unwrap_or_default();
    for child in groups
        .get(group)
        .and_then(|g| g["children"].as_array())
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if let Some((name, _)) = groups.get_key_value(child) {
            out.extend(all_hosts(groups, members, name, seen));
        }
    }
    out
}
