//! The classifier on operators' commands, all three verdicts, grouped by
//! family; the shell read as bash reads it (checked against bash itself);
//! and arbitrary input, which never panics and whose answer stays
//! proportional to it.

mod bash;
mod destructive;
mod evasions;
mod evasions_files;
mod evasions_network;
mod evasions_storage;
mod positions;
mod props;
mod safe;
mod storage;
mod unknown;

use super::{Classification, Patterns, Verdict, classify};

fn judge(cmd: &str) -> Classification {
    classify(cmd, &Patterns::default())
}

#[track_caller]
fn assert_destructive(table: &[(&str, &str)]) {
    for (cmd, rule) in table {
        let c = judge(cmd);
        assert_eq!(
            c.verdict,
            Verdict::Destructive,
            "not destructive: {cmd}\n{c:#?}"
        );
        assert!(c.destructive);
        assert!(
            c.rules.iter().any(|f| f.rule == *rule),
            "{cmd}: want {rule}, got {:#?}",
            c.rules
        );
    }
}

/// Every line of `table` gets `want`; all that do not are listed at once.
#[track_caller]
fn assert_verdict(table: &[&str], want: Verdict) {
    let wrong: Vec<String> = table
        .iter()
        .map(|cmd| (cmd, judge(cmd)))
        .filter(|(_, c)| c.verdict != want)
        .map(|(cmd, c)| format!("{cmd:?}: {} ({})", c.verdict.as_str(), c.why(2)))
        .collect();
    assert!(
        wrong.is_empty(),
        "not {}:\n{}",
        want.as_str(),
        wrong.join("\n")
    );
    if want == Verdict::Unknown {
        for cmd in table {
            let c = judge(cmd);
            assert!(!c.unknown.is_empty() && c.rules.is_empty() && !c.destructive);
        }
    }
}

fn count() -> usize {
    let d = [
        storage::DISK,
        storage::VOLUMES,
        storage::CEPH,
        storage::FILES,
        destructive::SERVICES,
        destructive::MAIL,
        destructive::CLUSTER,
        destructive::CONTAINERS,
        destructive::NETWORK,
        storage::DATABASES,
        positions::POSITIONS,
    ];
    let s = [
        safe::CORE,
        safe::STORAGE,
        safe::CLUSTERS,
        safe::SERVICES,
        safe::MAIL,
        safe::NETWORK,
    ];
    d.iter().map(|t| t.len()).sum::<usize>()
        + s.iter().map(|t| t.len()).sum::<usize>()
        + unknown::UNKNOWN.len()
}

#[test]
fn the_tables_are_large() {
    assert!(count() >= 400, "{} cases", count());
}

#[test]
fn disks_and_devices() {
    assert_destructive(storage::DISK);
}

#[test]
fn raid_volumes_and_pools() {
    assert_destructive(storage::VOLUMES);
}

#[test]
fn ceph_and_gluster() {
    assert_destructive(storage::CEPH);
}

#[test]
fn files() {
    assert_destructive(storage::FILES);
}

#[test]
fn power_services_processes() {
    assert_destructive(destructive::SERVICES);
}

#[test]
fn mail() {
    assert_destructive(destructive::MAIL);
}

#[test]
fn cluster_managers_and_exports() {
    assert_destructive(destructive::CLUSTER);
}

#[test]
fn containers_and_machines() {
    assert_destructive(destructive::CONTAINERS);
}

#[test]
fn network_firewall_ipmi() {
    assert_destructive(destructive::NETWORK);
}

#[test]
fn databases() {
    assert_destructive(storage::DATABASES);
}

#[test]
fn every_command_position_and_shell_spelling() {
    assert_destructive(positions::POSITIONS);
}

#[test]
fn read_only_everyday_commands_are_safe() {
    assert_verdict(safe::CORE, Verdict::Safe);
}

#[test]
fn read_only_storage_forms_are_safe() {
    assert_verdict(safe::STORAGE, Verdict::Safe);
}

#[test]
fn read_only_cluster_forms_are_safe() {
    assert_verdict(safe::CLUSTERS, Verdict::Safe);
}

#[test]
fn read_only_service_forms_are_safe() {
    assert_verdict(safe::SERVICES, Verdict::Safe);
}

#[test]
fn read_only_mail_forms_are_safe() {
    assert_verdict(safe::MAIL, Verdict::Safe);
}

#[test]
fn read_only_network_database_container_forms_are_safe() {
    assert_verdict(safe::NETWORK, Verdict::Safe);
}

#[test]
fn evasions_are_never_safe() {
    let tables = [
        evasions::SHELL,
        evasions::TOOLS,
        evasions_files::EVASIONS,
        evasions_storage::EVASIONS,
        evasions_network::EVASIONS,
    ];
    let safe: Vec<String> = tables
        .iter()
        .flat_map(|t| t.iter())
        .filter(|cmd| judge(cmd).verdict == Verdict::Safe)
        .map(|cmd| format!("{cmd:?}"))
        .collect();
    assert!(safe.is_empty(), "safe:\n{}", safe.join("\n"));
    for table in [
        evasions::STILL_SAFE,
        evasions_files::STILL_SAFE,
        evasions_storage::STILL_SAFE,
        evasions_network::STILL_SAFE,
    ] {
        assert_verdict(table, Verdict::Safe);
    }
}

#[test]
fn what_is_not_known_is_unknown() {
    assert_verdict(unknown::UNKNOWN, Verdict::Unknown);
}

#[test]
fn site_patterns() {
    let destructive = vec![
        "storctl pool reinit*".to_string(),
        "mailctl purge *".to_string(),
    ];
    let safe = vec![
        "storctl * show*".to_string(),
        "storctl repl status".to_string(),
    ];
    let p = Patterns {
        destructive: &destructive,
        safe: &safe,
    };
    for cmd in [
        "storctl pool reinit --all", "sudo /usr/local/bin/storctl pool reinit",
        "df; mailctl purge old",
    ] {
        let c = classify(cmd, &p);
        assert!(
            c.rules.iter().any(|f| f.rule == "site.pattern"),
            "{cmd}: {c:#?}"
        );
    }
    for cmd in [
        "storctl pool show", "storctl repl status | grep -q paused", "sudo storctl pack show -v",
    ] {
        assert_eq!(classify(cmd, &p).verdict, Verdict::Safe, "{cmd}");
    }
    for cmd in [
        "storctl pool grow", "mailctl purge", "echo storctl pool reinit | storctl",
    ] {
        assert_eq!(classify(cmd, &p).verdict, Verdict::Unknown, "{cmd}");
    }
    // A destructive pattern wins over a safe one, and a built-in rule
    // cannot be declared safe.
    let both = vec!["storctl pool reinit*".to_string(), "rm *".to_string()];
    let p = Patterns {
        destructive: &destructive,
        safe: &both,
    };
    assert!(classify("storctl pool reinit now", &p).destructive);
    assert!(classify("rm -rf /srv", &p).destructive);
    // Safe patterns do not reach into what a safe command runs.
    let p = Patterns {
        destructive: &[],
        safe: &safe,
    };
    assert_eq!(
        classify("storctl pool show $(storctl pool grow)", &p).verdict,
        Verdict::Unknown
    );
}

#[test]
fn findings_and_doubts_name_the_command_and_reason() {
    let c = judge("df -h && sudo wipefs -a /dev/sdb");
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].rule, "disk.wipefs");
    assert_eq!(c.rules[0].command, "wipefs -a /dev/sdb");
    assert!(c.rules[0].reason.contains("wipefs"));
    let c = judge("df -h; storctl pool show");
    assert_eq!(c.unknown.len(), 1);
    assert_eq!(c.unknown[0].command, "storctl pool show");
    assert!(
        c.unknown[0].reason.contains("`storctl` is not a command"),
        "{c:#?}"
    );
    assert!(
        c.why(5)
            .starts_with("not known to be safe: `storctl pool show`")
    );
    // Each finding once, however often it is met.
    assert_eq!(judge("reboot; reboot; sudo reboot").rules.len(), 1);
    assert_eq!(judge("reboot; shutdown now").rules.len(), 2);
}

#[test]
fn json_has_the_three_verdicts() {
    for (cmd, verdict, destructive) in [
        ("ls", "safe", false),
        ("reboot", "destructive", true),
        ("storctl x", "unknown", false),
    ] {
        let v = serde_json::to_value(judge(cmd)).unwrap();
        assert_eq!(v["verdict"], verdict, "{cmd}");
        assert_eq!(v["destructive"], destructive, "{cmd}");
        assert!(v["rules"].is_array() && v["unknown"].is_array());
        assert_eq!(v["command"], cmd);
    }
}

#[test]
fn deep_nesting_is_destructive_not_a_crash() {
    let mut cmd = "true".to_string();
    // `eval` nests without quoting, so the line grows only linearly.
    for _ in 0..40 {
        cmd = format!("eval {cmd}");
    }
    assert_eq!(judge("sh -c 'sh -c \"eval true\"'").verdict, Verdict::Safe);
    assert!(judge(&cmd).rules.iter().any(|f| f.rule == "shell.nesting"));
    let deep = "$(".repeat(5000);
    assert!(judge(&deep).destructive);
}
