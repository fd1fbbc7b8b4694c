//! Host key verdicts and refusals, line by line.

use super::*;

fn blob(kind: &str, seed: u8) -> Vec<u8> {
    let mut b = (kind.len() as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind.as_bytes());
    b.extend_from_slice(&[0, 0, 0, 32]);
    b.extend(std::iter::repeat_n(seed, 32));
    b
}

fn line(patterns: &str, b: &[u8]) -> String {
    format!(
        "{patterns} {} {}\n",
        key_type(b).unwrap(),
        STANDARD.encode(b)
    )
}

fn known(text: &str) -> KnownHosts {
    let mut k = KnownHosts::default();
    k.add(Path::new("kh"), text).unwrap();
    k
}

fn hashed(name: &str, salt: &[u8]) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(salt).unwrap();
    mac.update(name.as_bytes());
    format!(
        "|1|{}|{}",
        STANDARD.encode(salt),
        STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[test]
fn names_carry_the_port_unless_it_is_22() {
    assert_eq!(host_name("Store-A1", 22), "store-a1");
    assert_eq!(host_name("10.0.0.1", 2222), "[10.0.0.1]:2222");
}

#[test]
fn plain_patterns_negation_and_ports() {
    let a = blob("ssh-ed25519", 1);
    let k = known(&line("store-*,!store-x", &a));
    assert_eq!(k.check("store-a1", &a), Verdict::Known);
    assert_eq!(k.check("store-x", &a), Verdict::Unknown);
    assert_eq!(k.check("other", &a), Verdict::Unknown);
    // A port entry is not the host on port 22, nor the other way round.
    let k = known(&line("[10.0.0.1]:2222", &a));
    assert_eq!(k.check("[10.0.0.1]:2222", &a), Verdict::Known);
    assert_eq!(k.check("10.0.0.1", &a), Verdict::Unknown);
    assert_eq!(k.check("[10.0.0.1]:2223", &a), Verdict::Unknown);
    let k = known(&line("10.0.0.1", &a));
    assert_eq!(k.check("[10.0.0.1]:2222", &a), Verdict::Unknown);
}

#[test]
fn hashed_entries_match_their_name_only() {
    let a = blob("ssh-ed25519", 1);
    let k = known(&line(
        &hashed("[127.0.0.2]:2222", b"0123456789abcdefghij"),
        &a,
    ));
    assert_eq!(k.check("[127.0.0.2]:2222", &a), Verdict::Known);
    assert_eq!(k.check("[127.0.0.3]:2222", &a), Verdict::Unknown);
}

#[test]
fn another_key_for_a_known_host_is_a_change() {
    let (a, b) = (blob("ssh-ed25519", 1), blob("ssh-ed25519", 2));
    let k = known(&format!("# comment\n\n{}", line("h", &a)));
    assert_eq!(
        k.check("h", &b),
        Verdict::Changed(vec![Place {
            file: "kh".into(),
            line: 3,
            key_type: "ssh-ed25519".into()
        }])
    );
    assert_eq!(k.types_for("h"), ["ssh-ed25519"]);
}

#[test]
fn a_revoked_key_is_refused_for_every_host() {
    let a = blob("ssh-ed25519", 1);
    let k = known(&format!(
        "{}@revoked nothing-like-h {}",
        line("h", &a),
        line("", &a).trim_start()
    ));
    assert!(matches!(k.check("h", &a), Verdict::Revoked(p) if p.line == 2));
}

#[test]
fn unreadable_lines_are_skipped_but_not_revoked_ones() {
    let a = blob("ssh-ed25519", 1);
    let k = known(&format!(
        "garbage\nh ssh-ed25519 !!!notbase64\n{}",
        line("h", &a)
    ));
    assert_eq!(k.check("h", &a), Verdict::Known);
    let mut k = KnownHosts::default();
    let err = k
        .add(Path::new("kh"), "@revoked h ssh-ed25519\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("kh:1: this @revoked line cannot be read"),
        "{err}"
    );
}

#[test]
fn cert_authority_lines_do_not_make_a_host_known() {
    let a = blob("ssh-ed25519", 1);
    let k = known(&format!("@cert-authority {}", line("h", &a)));
    assert_eq!(k.check("h", &a), Verdict::Unknown);
}

#[test]
fn refusals_name_the_key_and_what_to_do() {
    let a = blob("ssh-ed25519", 1);
    let offered = || Offered(a.clone());
    let shown = format!("ssh-ed25519 {}", fingerprint(&a));
    let unknown = HostKeyError::Unknown {
        name: "[h]:2222".into(),
        offered: offered(),
        files: vec!["/etc/ssh/ssh_known_hosts".into(), "/home/o/kh".into()],
    };
    assert_eq!(
        unknown.to_string(),
        format!(
            "host key not known: `[h]:2222` is in none of /etc/ssh/ssh_known_hosts, /home/o/kh. \
             Refused; the server offered {shown}. If you have checked that fingerprint with \
             the host's owner, add this line to /home/o/kh:\n{}",
            line_for("[h]:2222", &a)
        )
    );
    let place = |line| Place {
        file: "kh".into(),
        line,
        key_type: "ssh-rsa".into(),
    };
    let changed = HostKeyError::Changed {
        name: "h".into(),
        offered: offered(),
        places: vec![place(3), place(7)],
    };
    assert_eq!(
        changed.to_string(),
        format!(
            "HOST KEY CHANGED for `h`: the server offered {shown}, which is not the key known \
             at kh:3 (ssh-rsa), kh:7 (ssh-rsa). Refused: someone may be intercepting the \
             connection, or the host was reinstalled. Find out which before you change known_hosts."
        )
    );
    let revoked = HostKeyError::Revoked {
        name: "h".into(),
        offered: offered(),
        place: place(2),
    };
    assert_eq!(
        revoked.to_string(),
        format!(
            "REVOKED host key: the server for `h` offered {shown}, which is marked @revoked \
             at kh:2 (ssh-rsa). Refused."
        )
    );
}

#[test]
fn fingerprints_and_lines_to_add() {
    let a = blob("ssh-ed25519", 1);
    assert!(fingerprint(&a).starts_with("SHA256:"));
    assert!(!fingerprint(&a).ends_with('='));
    assert_eq!(line_for("h", &a), line("h", &a).trim_end());
}
