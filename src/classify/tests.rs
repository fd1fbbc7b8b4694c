//! The classifier on real operators' commands, both sides.

use super::classify;

const DESTRUCTIVE: &[(&str, &str)] = &[
    ("mkfs.xfs /dev/sdb1", "disk.mkfs"),
    ("/sbin/mkfs.ext4 -F /dev/md0", "disk.mkfs"),
    ("mkfs -t ext4 /dev/sdc", "disk.mkfs"),
    ("mke2fs /dev/sdd", "disk.mkfs"),
    ("mkswap /dev/sde2", "disk.mkfs"),
    ("wipefs -a /dev/sdb", "disk.wipefs"),
    ("dd if=/dev/zero of=/dev/sdb bs=1M", "disk.dd"),
    (
        "dd if=/dev/zero of=/srv/mail/blob bs=1M count=10", "disk.dd",
    ),
    ("shred -n 3 /dev/sdb", "disk.shred"),
    ("blkdiscard /dev/nvme0n1", "disk.blkdiscard"),
    ("sgdisk --zap-all /dev/sdb", "disk.partition"),
    ("sgdisk -Z /dev/sdb", "disk.partition"),
    ("sgdisk -n 1:0:0 /dev/sdb", "disk.partition"),
    ("parted -s /dev/sdb mklabel gpt", "disk.partition"),
    ("parted /dev/sdb rm 1", "disk.partition"),
    ("parted /dev/sdb", "disk.partition"),
    ("fdisk /dev/sdb", "disk.partition"),
    ("sfdisk /dev/sdb < layout.txt", "disk.partition"),
    ("sfdisk --delete /dev/sdb 2", "disk.partition"),
    ("hdparm --security-erase NULL /dev/sdb", "disk.hdparm"),
    ("nvme format /dev/nvme0n1", "disk.nvme"),
    ("nvme sanitize -a 2 /dev/nvme0", "disk.nvme"),
    ("cryptsetup luksFormat /dev/sdb1", "disk.cryptsetup"),
    ("badblocks -wsv /dev/sdb", "disk.badblocks"),
    ("xfs_repair -L /dev/sdb1", "disk.repair"),
    (
        "mdadm --create /dev/md0 --level=1 --raid-devices=2 /dev/sda1 /dev/sdb1",
        "raid.mdadm",
    ),
    ("mdadm --zero-superblock /dev/sdb1", "raid.mdadm"),
    (
        "mdadm /dev/md0 --fail /dev/sdb1 --remove /dev/sdb1", "raid.mdadm",
    ),
    ("mdadm --stop /dev/md0", "raid.mdadm"),
    ("mdadm -S /dev/md0", "raid.mdadm"),
    ("lvremove -f vg0/mail", "volume.lvm"),
    ("vgremove vg0", "volume.lvm"),
    ("pvremove /dev/sdb1", "volume.lvm"),
    ("lvreduce -L 10G vg0/mail", "volume.lvm"),
    ("zpool destroy tank", "pool.zpool"),
    ("zpool create -f tank mirror sda sdb", "pool.zpool"),
    ("zpool labelclear -f /dev/sdb", "pool.zpool"),
    ("zfs destroy -r tank/mail", "pool.zfs"),
    ("zfs rollback tank/mail@yesterday", "pool.zfs"),
    ("zfs recv -F tank/mail", "pool.zfs"),
    (
        "ceph osd pool delete mail mail --yes-i-really-really-mean-it", "pool.ceph",
    ),
    ("ceph osd purge 7 --yes-i-really-mean-it", "pool.ceph"),
    ("ceph osd out 7", "pool.ceph"),
    ("ceph-volume lvm zap /dev/sdb --destroy", "pool.ceph"),
    ("rbd rm mail/img1", "pool.ceph"),
    ("btrfs subvolume delete /srv/snap", "volume.btrfs"),
    ("rm -rf /srv/mail/old", "files.rm"),
    ("rm -r /srv/mail/old", "files.rm"),
    ("rm -f /srv/mail/x.lock", "files.rm"),
    ("rm --recursive /srv/x", "files.rm"),
    ("rm -Rv /srv/x", "files.rm"),
    ("find /srv/mail -name '*.lock' -delete", "files.find-delete"),
    (
        "find /srv/mail -name '*.idx' -exec rm -f {} \\;", "files.rm",
    ),
    ("find /srv -type d -execdir rm -rf {} +", "files.rm"),
    (
        "rsync -a --delete /srv/mail/ backup:/srv/mail/", "files.rsync-delete",
    ),
    ("crontab -r", "files.crontab"),
    ("cat image.raw > /dev/sdb", "disk.redirect"),
    ("echo 1 > /dev/nvme0n1", "disk.redirect"),
    ("echo b > /dev/mapper/vg0-mail", "disk.redirect"),
    ("pv image | tee /dev/sdb > /dev/null", "disk.write"),
    ("reboot", "power.off"),
    ("shutdown -h now", "power.off"),
    ("/sbin/poweroff", "power.off"),
    ("halt -p", "power.off"),
    ("init 6", "power.off"),
    ("systemctl stop dovecot", "service.systemctl"),
    ("systemctl restart postfix", "service.systemctl"),
    ("systemctl --now disable dovecot", "service.systemctl"),
    ("systemctl kill -s KILL dovecot", "service.systemctl"),
    ("systemctl reboot", "service.systemctl"),
    ("service dovecot stop", "service.stop"),
    ("/etc/init.d/postfix restart", "service.stop"),
    ("kill -9 4411", "service.kill"),
    ("kill -KILL 4411", "service.kill"),
    ("kill -s KILL 4411", "service.kill"),
    ("pkill dovecot", "service.kill"),
    ("killall -9 imap", "service.kill"),
    ("mysql -e 'DROP DATABASE mail'", "db.drop"),
    ("psql -c 'drop table users' mail", "db.drop"),
    ("echo 'DROP TABLE users;' | mysql mail", "db.drop"),
    ("psql mail <<EOF\nTRUNCATE messages;\nEOF", "db.drop"),
    ("redis-cli FLUSHALL", "db.drop"),
    ("dropdb mail", "db.drop"),
    ("mongosh --eval 'db.dropDatabase()'", "db.drop"),
    // Behind wrappers and in every command position.
    ("sudo mkfs.xfs /dev/sdb", "disk.mkfs"),
    ("sudo -u root -H wipefs -a /dev/sdb", "disk.wipefs"),
    ("sudo -- rm -rf /srv/x", "files.rm"),
    ("env LANG=C mkfs.xfs /dev/sdb", "disk.mkfs"),
    ("env -i PATH=/sbin -u HOME reboot", "power.off"),
    ("nice -n 19 ionice -c3 shred /dev/sdb", "disk.shred"),
    ("timeout 10m wipefs -a /dev/sdb", "disk.wipefs"),
    ("timeout -s KILL 5 reboot", "power.off"),
    ("nohup dd if=/dev/zero of=/dev/sdb &", "disk.dd"),
    ("ls /dev/sd* | xargs -n1 wipefs -a", "disk.wipefs"),
    ("cat hosts | xargs -I{} -P4 rm -rf /srv/{}", "files.rm"),
    ("df -h; mkfs.xfs /dev/sdb", "disk.mkfs"),
    ("true && reboot", "power.off"),
    ("false || shutdown now", "power.off"),
    ("(cd /srv && rm -rf mail)", "files.rm"),
    ("{ echo start; reboot; }", "power.off"),
    ("if true; then reboot; fi", "power.off"),
    ("for d in a b; do wipefs -a /dev/$d; done", "disk.wipefs"),
    ("echo $(rm -rf /srv/x)", "files.rm"),
    ("echo \"$(reboot)\"", "power.off"),
    ("echo `mkfs.xfs /dev/sdb`", "disk.mkfs"),
    ("diff <(wipefs -a /dev/sdb) x", "disk.wipefs"),
    ("sh -c 'mkfs.xfs /dev/sdb'", "disk.mkfs"),
    ("bash -ec \"systemctl stop dovecot\"", "service.systemctl"),
    ("sudo sh -c 'cd /srv && rm -rf mail'", "files.rm"),
    ("su -c 'reboot' root", "power.off"),
    ("ssh store-a1 'wipefs -a /dev/sdb'", "disk.wipefs"),
    ("ssh -p 22 -i key store-a1 reboot", "power.off"),
    ("eval 'mkfs.xfs /dev/sdb'", "disk.mkfs"),
    ("bash <<EOF\nreboot\nEOF", "power.off"),
    ("watch -n 5 rm -rf /tmp/spool", "files.rm"),
    ("flock /run/x.lock -c 'wipefs -a /dev/sdb'", "disk.wipefs"),
    ("systemd-run --unit=wipe wipefs -a /dev/sdb", "disk.wipefs"),
    ("ip netns exec ns1 reboot", "power.off"),
    ("FOO=1 BAR=2 reboot", "power.off"),
    ("\"rm\" -rf /srv", "files.rm"),
    ("r\\m -rf /srv", "files.rm"),
    // When in doubt: destructive.
    ("$CMD /dev/sdb", "shell.dynamic"),
    ("$(which mkfs) /dev/sdb", "shell.dynamic"),
    ("echo 'unterminated", "shell.unreadable"),
    ("echo $(unclosed", "shell.unreadable"),
];

const SAFE: &[&str] = &[
    "df -h", "df -h | grep srv", "ls -la /srv/mail", "grep mkfs notes.txt",
    "grep -r 'rm -rf' /etc", "echo \"rm -rf /\"", "echo 'mkfs.xfs /dev/sdb'", "echo reboot",
    "printf '%s\\n' shutdown", "cat /proc/mdstat", "mdadm --detail /dev/md0",
    "mdadm --examine /dev/sdb1", "lvs", "vgs -o +vg_free", "zpool status tank", "zpool list",
    "zfs list -t snapshot", "zfs snapshot tank/mail@now", "ceph -s", "ceph osd tree",
    "ceph osd pool ls detail", "rbd ls mail", "parted -l", "parted /dev/sdb print",
    "fdisk -l /dev/sdb", "sfdisk -d /dev/sdb", "sgdisk -p /dev/sdb", "wipefs -n /dev/sdb",
    "wipefs /dev/sdb -n", "dd if=/dev/sdb bs=512 count=1", "blkid", "lsblk -f",
    "smartctl -a /dev/sda", "hdparm -I /dev/sda", "nvme list", "systemctl status dovecot",
    "systemctl is-active postfix", "systemctl list-units --failed", "systemctl reload postfix",
    "service dovecot status", "journalctl -u dovecot --since today", "kill -HUP 4411", "kill 4411",
    "rm /srv/mail/x.lock", "rmdir /srv/empty", "find /srv/mail -name '*.idx' | wc -l",
    "find /srv -mmin +30 -name '*.lock'", "find /srv -name '*.log' -exec gzip {} \\;",
    "test -z \"$(find /srv/mail -name '*.lock' -mmin +30)\"",
    "rsync -a /srv/mail/ backup:/srv/mail/", "cp config.yaml /etc/opsguard/",
    "tar czf /tmp/etc.tgz /etc", "du -sh /srv/mail", "uptime", "cat x > /dev/null 2>&1",
    "echo hello > /tmp/out.txt", "echo hi >&2", "storctl pack show",
    "storctl repl status | grep -q paused", "mysql -e 'SELECT count(*) FROM users' mail",
    "psql -c 'select 1'", "redis-cli INFO", "echo 'drop table x' > notes.sql", "sudo -l",
    "sudo systemctl status dovecot", "env | sort", "timeout 5 ping -c1 store-a1",
    "xargs echo < list", "sh -c 'df -h'", "bash deploy-check.sh", "ssh store-a1 uptime",
    "command -v mkfs.xfs", "which reboot", "man shutdown", "crontab -l",
    "for d in sda sdb; do smartctl -H /dev/$d; done", "echo $HOME", "ls $(dirname /srv/mail/x)",
    "# reboot later", "",
];

#[test]
fn destructive_commands_are_flagged_with_their_rule() {
    assert!(DESTRUCTIVE.len() >= 80);
    for (cmd, rule) in DESTRUCTIVE {
        let c = classify(cmd, &[]);
        assert!(c.destructive, "not flagged: {cmd}");
        assert!(
            c.rules.iter().any(|f| f.rule == *rule),
            "{cmd}: want {rule}, got {:#?}",
            c.rules
        );
    }
}

#[test]
fn safe_commands_pass() {
    assert!(SAFE.len() >= 80);
    for cmd in SAFE {
        let c = classify(cmd, &[]);
        assert!(!c.destructive, "flagged: {cmd}: {:#?}", c.rules);
    }
}

#[test]
fn site_patterns() {
    let patterns = vec![
        "storctl pool reinit*".to_string(),
        "mailctl purge *".to_string(),
    ];
    for cmd in [
        "storctl pool reinit --all", "sudo /usr/local/bin/storctl pool reinit",
        "df; mailctl purge old",
    ] {
        let c = classify(cmd, &patterns);
        assert!(
            c.rules.iter().any(|f| f.rule == "site.pattern"),
            "{cmd}: {:#?}",
            c.rules
        );
    }
    for cmd in [
        "storctl pool show", "echo storctl pool reinit", "mailctl purge",
    ] {
        assert!(!classify(cmd, &patterns).destructive, "{cmd}");
    }
}

#[test]
fn findings_name_the_command_and_reason() {
    let c = classify("df -h && sudo wipefs -a /dev/sdb", &[]);
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].rule, "disk.wipefs");
    assert_eq!(c.rules[0].command, "wipefs -a /dev/sdb");
    assert!(c.rules[0].reason.contains("wipefs"));
}

#[test]
fn deep_nesting_is_destructive_not_a_crash() {
    let mut cmd = "true".to_string();
    // `eval` nests without quoting, so the line grows only linearly.
    for _ in 0..40 {
        cmd = format!("eval {cmd}");
    }
    assert!(!classify("sh -c 'sh -c \"eval true\"'", &[]).destructive);
    assert!(
        classify(&cmd, &[])
            .rules
            .iter()
            .any(|f| f.rule == "shell.nesting")
    );
    let deep = "$(".repeat(5000);
    assert!(classify(&deep, &[]).destructive);
}
