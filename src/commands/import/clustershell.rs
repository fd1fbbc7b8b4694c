//! `opsguard import clustershell`: one source of a ClusterShell group file
//! as an opsguard inventory. The file is read and its node sets expanded
//! by [`crate::clustershell`]; here, each host gets its role from the one
//! role group it is in.

use std::collections::{BTreeMap, BTreeSet};

use super::{Imported, count, quoted, role_of, roles};
use crate::clustershell::Groups;
use crate::inventory::schema::valid_host_name;

/// The opsguard inventory for a ClusterShell source: every host of its
/// groups, its role the one role group it is in, its other groups (but
/// `all`, which every host is in) as `groups`; or every problem. The
/// file's other sources are reported as left out.
pub fn clustershell(g: &Groups, role_groups: &[String]) -> Result<Imported, Vec<String>> {
    let mut problems = Vec::new();
    for role in role_groups {
        if !g.groups.contains_key(role) {
            problems.push(format!(
                "--role-groups names `{role}`, which is not a group of source `{}`",
                g.source
            ));
        }
    }
    let mut host_groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (group, hosts) in &g.groups {
        for host in hosts {
            host_groups.entry(host).or_default().insert(group);
        }
    }
    let (mut yaml, mut used) = (String::from("hosts:\n"), BTreeSet::new());
    for (host, in_groups) in &host_groups {
        let role = match role_of(host, in_groups, role_groups) {
            Ok(role) if valid_host_name(&role) => role,
            Ok(role) => {
                problems.push(format!("`{host}`: `{role}` is not a role name"));
                continue;
            }
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let groups: Vec<&str> = in_groups
            .iter()
            .copied()
            .filter(|g| *g != "all" && !role_groups.iter().any(|r| r == g))
            .collect();
        for group in groups.iter().filter(|g| !valid_host_name(g)) {
            problems.push(format!(
                "`{host}`: group `{group}` is not a name opsguard takes"
            ));
        }
        let mut line = format!("  {}: {{role: {}", quoted(host), quoted(&role));
        if !groups.is_empty() {
            let list: Vec<String> = groups.iter().map(|g| quoted(g)).collect();
            line.push_str(&format!(", groups: [{}]", list.join(", ")));
        }
        yaml.push_str(&line);
        yaml.push_str("}\n");
        used.insert(role);
    }
    if host_groups.is_empty() {
        problems.push(format!("source `{}` has no hosts", g.source));
    }
    problems.dedup();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Imported {
        yaml: roles(&used) + &yaml,
        unmapped: g
            .others
            .iter()
            .map(|(s, n)| format!("source `{s}` ({})", count(*n, "group")))
            .collect(),
    })
}
