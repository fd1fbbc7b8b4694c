//! Evasions through options of the storage tools (see `evasions.rs`): each
//! line writes, runs or changes something, so none may be safe; the
//! everyday forms beside them stay safe.

pub const EVASIONS: &[&str] = &[
    // Partition editors: sfdisk without a listing action writes the table
    // it reads; parted takes abbreviated and blank-separated commands;
    // sgdisk writes backups and replicas even with `-P`. btrfs reads each
    // command's options apart (`-c` is a flag to `device stats`); zpool runs
    // scripts for `-c`.
    "sfdisk -q /dev/sdb < layout", "sfdisk -r /dev/sdb", "sfdisk -l -r /dev/sdb",
    "sfdisk -l --delete /dev/sdb", "parted -s /dev/sdb p mkl gpt", "parted /dev/sdb 'p mkl gpt'",
    "parted -s /dev/sdb print 'rm 1'", "parted -s /dev/sdb pr mkp primary 0% 100%",
    "parted /dev/sdb unit xx print", "parted -f -s /dev/sdb print",
    "sgdisk -b /etc/passwd /dev/sda", "sgdisk -pb/etc/passwd /dev/sda",
    "sgdisk -P -b /etc/passwd /dev/sda", "sgdisk -P -R /dev/sdc /dev/sdb",
    "sgdisk -A 1:set:2 -p /dev/sdb", "btrfs device stats -cz /mnt", "btrfs dev stats --res /mnt",
    "btrfs send -f F snap", "btrfs send -f/etc/passwd snap",
    "btrfs check --clear-space-cache v1 /dev/sdb", "btrfs check --clear-ino-cache /dev/sdb",
    "btrfs check --repair /dev/sdb", "btrfs check --rep /dev/sdb",
    "btrfs filesystem label /dev/sdb newlabel", "zpool status -c SCRIPT", "zpool iostat -c SCRIPT",
    "zpool status -xc smart", "zpool iostat -vc smart tank 5",
    // Drives' settings and tests, multipath's wwids file, commands run
    // for each map, debugfs requests that write host files, swap turned on.
    "smartctl -l scterc,70,70 /dev/sda", "smartctl --log scterc,70,70 /dev/sda",
    "smartctl -l sasphy,reset /dev/sda", "smartctl -l scttempint,10 /dev/sda",
    "smartctl -s on /dev/sda", "smartctl --smart=off /dev/sda", "smartctl -o on /dev/sda",
    "smartctl -S on /dev/sda", "smartctl -t short /dev/sda", "smartctl -X /dev/sda",
    "smartctl --set=standby,now /dev/sda", "multipath -l -W", "multipath -ll -a /dev/sdb",
    "multipath -ll -w /dev/sdb", "multipath -l -r", "dmsetup ls --exec 'dmsetup remove'",
    "dmsetup --exec 'rm -rf /data' ls", "dmsetup --verbose ls remove",
    "debugfs -R 'dump /etc/shadow /etc/passwd' /dev/sdb1", "debugfs -R 'rdump / /tmp/x' /dev/sdb1",
    "debugfs -R '!id' /dev/sdb1", "debugfs -R stats -R 'dump a b' /dev/sdb1",
    "debugfs -f cmds /dev/sdb1", "debugfs /dev/sdb1", "debugfs -w -R stats /dev/sdb1",
    "swapon --raw /dev/sdb1", "swapon -a", "swapon --show /dev/sdb1",
];

pub const STILL_SAFE: &[&str] = &[
    // Partition editors, btrfs and zpool.
    "sfdisk -l /dev/sdb", "sfdisk -d /dev/sdb", "sfdisk --dump /dev/sdb", "sfdisk -J /dev/sdb",
    "sfdisk -s /dev/sdb", "sfdisk -V /dev/sdb", "sfdisk -F /dev/sdb", "sfdisk -g /dev/sdb",
    "sfdisk -q -l -o Device,Start,Size /dev/sdb", "parted -l", "parted /dev/sdb p",
    "parted /dev/sdb print free", "parted -s /dev/sdb unit s print free",
    "parted -sm /dev/sdb unit MiB print", "parted -j /dev/sdb print",
    "parted /dev/sdb 'unit GB print'", "sgdisk -p /dev/sdb", "sgdisk -i1 /dev/sdb",
    "sgdisk -v /dev/sdb", "sgdisk -O /dev/sdb", "sgdisk -L", "sgdisk -P -n 1:0:0 -p /dev/sdb",
    "btrfs device stats /mnt", "btrfs device stats -c /mnt", "btrfs dev stats --check /mnt",
    "btrfs send snap | wc -c", "btrfs send -p parent snap | wc -c",
    "btrfs check --readonly /dev/sdb", "btrfs check -p --check-data-csum /dev/sdb",
    "btrfs fi df -h /srv", "btrfs filesystem usage -T /srv", "btrfs fi show -d",
    "btrfs sub list -a -t --sort=-rootid /srv", "btrfs subvolume show /srv/snap",
    "btrfs scrub status -d /srv", "btrfs filesystem label /dev/sdb",
    "btrfs inspect-internal dump-super /dev/sdb", "btrfs qgroup show -pcre /srv",
    "btrfs property get /srv ro", "btrfs -q fi df /srv", "zpool status", "zpool status -v tank",
    "zpool status -P -L tank", "zpool iostat -v 5 3", "zpool iostat -l tank 1",
    // Drives, maps and filesystems.
    "smartctl -a /dev/sda", "smartctl -x /dev/sda", "smartctl -l scterc /dev/sda",
    "smartctl -l error /dev/sda", "smartctl -l xerror,50 /dev/sda",
    "smartctl -A -f brief /dev/sda", "smartctl --all --json /dev/nvme0",
    "smartctl -g all /dev/sda", "smartctl -n standby -A /dev/sda", "multipath -l", "multipath -ll",
    "multipath -ll -v2", "multipath -v3 -d", "multipath -t", "dmsetup ls", "dmsetup ls --tree",
    "dmsetup info -c", "dmsetup info -C -o name,open", "dmsetup status --target multipath",
    "dmsetup table --showkeys vg0-mail", "debugfs -R stats /dev/sdb1",
    "debugfs -R 'stat <2>' /dev/sdb1", "debugfs -R 'ls -l /' /dev/sdb1",
    "debugfs -c -R 'ncheck 12' /dev/sdb1", "swapon", "swapon --show", "swapon -s",
    "swapon --summary", "swapon --show --raw --bytes", "swapon --show=NAME,SIZE --noheadings",
];
