use super::*;

fn words(src: &str) -> Vec<String> {
    lex(src)
        .unwrap()
        .toks
        .into_iter()
        .map(|t| match t {
            Tok::Word(w) => w.text,
            Tok::Op(op) => format!("<{op:?}>"),
            Tok::Redirect { kind, target } => {
                let op = match kind {
                    Redir::Read => "<",
                    Redir::Truncate => ">",
                    Redir::Append => ">>",
                    Redir::ReadOnOutput => "1<",
                };
                format!("{op}{}", target.text)
            }
            Tok::Input { text, .. } => format!("<<{text}"),
        })
        .collect()
}

#[test]
fn words_and_operators() {
    assert_eq!(words("a 'b c' \"d e\" f\\ g"), ["a", "b c", "d e", "f g"]);
    assert_eq!(
        words("a;b&&c||d|e|&f&g"),
        [
            "a", "<End>", "b", "<And>", "c", "<Or>", "d", "<Pipe>", "e", "<Pipe>", "f", "<End>",
            "g"
        ]
    );
    assert_eq!(words("(a) # comment ; rm"), ["<Open>", "a", "<Close>"]);
    assert_eq!(words("a\\\nb"), ["ab"]);
    assert_eq!(words("echo $'a\\'b'"), ["echo", "a'b"]);
}

#[test]
fn redirections() {
    assert_eq!(
        words("cat x >/dev/sdb 2>&1 <in"),
        ["cat", "x", ">/dev/sdb", "<in"]
    );
    assert_eq!(
        words("a 2> err >> log &> all"),
        ["a", ">err", ">>log", ">all"]
    );
    assert_eq!(words("a >&2"), ["a"]);
    assert_eq!(words("psql <<< 'drop table x'"), ["psql", "<<drop table x"]);
}

#[test]
fn substitutions_are_scripts() {
    let l =
        lex("echo \"$(rm -rf /x)\" `mkfs /dev/sdb` $((1+2)) ${X:-y} <(wipefs /dev/sdc)").unwrap();
    assert_eq!(l.subs, ["rm -rf /x", "mkfs /dev/sdb", "wipefs /dev/sdc"]);
    let l = lex("echo $(echo $(reboot))").unwrap();
    assert_eq!(l.subs, ["echo $(reboot)"]);
    let l = lex("echo '$(reboot)'").unwrap();
    assert!(l.subs.is_empty());
}

#[test]
fn heredocs() {
    let l = lex("psql <<EOF\ndrop table x;\n$(reboot)\nEOF\necho done").unwrap();
    assert_eq!(
        l.toks[1],
        Tok::Input {
            text: "drop table x;\n$(reboot)\n".into(),
            dynamic: true
        }
    );
    assert_eq!(l.toks[2], Tok::Op(Op::End));
    assert_eq!(l.subs, ["reboot"]);
    let l = lex("cat <<'EOF'\n$(reboot)\nEOF\n").unwrap();
    assert!(l.subs.is_empty());
    assert!(lex("cat <<EOF\nno end").is_err());
}

#[test]
fn unreadable_input_is_an_error() {
    for src in [
        "echo 'x", "echo \"x", "echo $(x", "echo `x", "echo ${x", "x \\",
    ] {
        assert!(lex(src).is_err(), "{src}");
    }
}
