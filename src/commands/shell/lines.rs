//! What a console line is, before it runs: a full-screen program that a
//! line console cannot give a terminal to, a `cd` that is the whole line,
//! or a line that may move the working folder; and how the folder is shown
//! in the prompt. Pure: no host is asked.

/// Programs that need a terminal of their own.
const FULL_SCREEN: &[&str] = &[
    "vi", "vim", "nvim", "view", "nano", "pico", "emacs", "joe", "mcedit", "less", "more", "most",
    "man", "top", "htop", "atop", "iotop", "iftop", "nmon", "glances", "mc", "tmux", "screen",
    "watch", "ncdu", "tig", "alsamixer", "visudo", "vipw", "crontab -e",
];

/// The program a line starts with, when it is one of [`FULL_SCREEN`].
pub(super) fn full_screen(line: &str) -> Option<&'static str> {
    let mut words = line.split_whitespace();
    let mut first = words.next()?;
    // Look through the wrappers people put in front, and their options.
    while let Some(with_argument) = match first {
        "sudo" => Some(&["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"][..]),
        "env" => Some(&["-u", "-C", "-S"][..]),
        "nice" => Some(&["-n"][..]),
        "ionice" => Some(&["-c", "-n", "-p"][..]),
        _ => None,
    } {
        first = loop {
            let w = words.next()?;
            if with_argument.contains(&w) {
                words.next()?;
            } else if !w.starts_with('-') && !w.contains('=') {
                break w;
            }
        };
    }
    let name = first.rsplit('/').next()?;
    if name == "crontab" && line.split_whitespace().any(|w| w == "-e") {
        return Some("crontab -e");
    }
    FULL_SCREEN.iter().copied().find(|p| *p == name)
}

/// `cd` alone, or `cd X` with one plain word: the target (None: home).
/// A word with anything the shell would read as more than a folder name
/// (`;`, `$`, quotes, ...) is no plain `cd`: that line runs like any
/// other, recorded as a command.
pub(super) fn cd_target(line: &str) -> Option<Option<&str>> {
    let mut words = line.split_whitespace();
    if words.next()? != "cd" {
        return None;
    }
    let target = words.next();
    let plain = target.is_none_or(|t| {
        t.chars()
            .enumerate()
            .all(|(i, c)| c.is_alphanumeric() || "/._-+,:@%=".contains(c) || (c == '~' && i == 0))
    });
    (plain && words.next().is_none()).then_some(target)
}

/// Whether `line` may move the working folder: a `cd`, `pushd` or `popd`
/// word anywhere in it. Quoted or as an argument counts too: asking the
/// host afterwards is cheap and never wrong.
pub(super) fn may_move(line: &str) -> bool {
    line.split(|c: char| c.is_whitespace() || ";&|(){}`".contains(c))
        .any(|w| matches!(w, "cd" | "pushd" | "popd"))
}

/// The working folder as the prompt shows it. A folder's name comes from
/// the host, so it must not forge the prompt: every control character
/// (newlines and tabs too) is shown as text, and a name with blanks,
/// brackets, quotes or `$` is quoted, so `host [ROLE]` appears once, where
/// opsguard put it.
pub(super) fn shown_folder(cwd: &str) -> String {
    let escaped: String = cwd
        .chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            c => crate::ui::escape::visible(&c.to_string()).into_owned(),
        })
        .collect();
    let plain = escaped
        .chars()
        .all(|c| c.is_alphanumeric() || "/._-+,:@%=~".contains(c));
    if plain && !escaped.is_empty() {
        escaped
    } else {
        format!("'{}'", escaped.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_screen_programs_are_recognised() {
        assert_eq!(full_screen("vim /etc/fstab"), Some("vim"));
        assert_eq!(full_screen("/usr/bin/less log"), Some("less"));
        assert_eq!(full_screen("sudo -u mail top"), Some("top"));
        assert_eq!(
            full_screen("sudo env TERM=x nice -n 5 less f"),
            Some("less")
        );
        assert_eq!(full_screen("crontab -e"), Some("crontab -e"));
        assert_eq!(full_screen("crontab -l"), None);
        assert_eq!(full_screen("grep vim notes"), None);
        assert_eq!(full_screen("df -h"), None);
    }

    #[test]
    fn a_whole_line_cd_is_told_apart_from_lines_that_may_move() {
        assert_eq!(cd_target("cd /srv"), Some(Some("/srv")));
        assert_eq!(cd_target("cd"), Some(None));
        assert_eq!(cd_target("cd /srv && ls"), None);
        assert_eq!(cd_target("cdrecord x"), None);
        assert_eq!(cd_target("cd ~/mail"), Some(Some("~/mail")));
        // More than a folder name: runs as a recorded command instead.
        for line in [
            "cd x;touch y", "cd $(touch y)", "cd 'a b'", "cd x&&y", "cd a`b`",
        ] {
            assert_eq!(cd_target(line), None, "{line}");
        }
        assert!(may_move("cd /srv && ls"));
        assert!(may_move("ls;cd /srv"));
        assert!(may_move("(cd /srv) && pwd"));
        assert!(may_move("pushd /srv"));
        assert!(!may_move("cdrecord x; ls -cd"));
        assert!(!may_move("df -h"));
    }

    #[test]
    fn folders_cannot_forge_the_prompt() {
        assert_eq!(shown_folder("/srv/mail"), "/srv/mail");
        assert_eq!(shown_folder("/srv/mail-2026.1"), "/srv/mail-2026.1");
        assert_eq!(
            shown_folder("/tmp/x backup-a1 [BACKUP] /srv"),
            "'/tmp/x backup-a1 [BACKUP] /srv'"
        );
        assert_eq!(
            shown_folder("/tmp/\r\x1b[2Kbackup-a1 [BACKUP]\n/srv"),
            "'/tmp/\\r\\x1b[2Kbackup-a1 [BACKUP]\\n/srv'"
        );
        assert_eq!(shown_folder("/tmp/it's"), "'/tmp/it'\\''s'");
    }
}
