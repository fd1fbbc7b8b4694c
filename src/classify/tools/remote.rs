//! Talking to other machines: the management controller (`ipmitool power
//! off` pulls the plug; `ipmitool sdr` only reads) and the HTTP clients,
//! which only read when they print to stdout and send nothing.

use super::{Judgement, destroys, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "ipmitool" => ipmitool(args),
        "curl" => curl(args),
        "wget" => {
            let p = parse(
                args,
                &Spec::new(
                    "OoaiBtTwQPUelARDIX",
                    &[
                        "output-document=", "spider", "quiet", "output-file=", "append-output=",
                    ],
                ),
            );
            let to_stdout = p
                .value(&["-O", "--output-document"])
                .is_some_and(|o| o == "-" || o == "/dev/null");
            if (to_stdout || p.has(&["--spider"]))
                && !p.dynamic
                && !p.has(&["-o", "--output-file", "-a", "--append-output"])
            {
                Judgement::Safe
            } else {
                unknown("`wget` saves what it downloads to a file")
            }
        }
        _ => return None,
    })
}

fn ipmitool(args: &[Word]) -> Judgement {
    let p = parse(args, &Spec::new("IHUPfpLAykKeoORNCtbTBlmdzS", &[]));
    if p.dynamic {
        return unknown("`ipmitool` has words only known when the shell runs");
    }
    let ops: Vec<&str> = p.operands.iter().map(String::as_str).collect();
    let power_verb = match ops[..] {
        ["power", verb, ..] | ["chassis", "power", verb, ..] => Some(verb),
        _ => None,
    };
    if let Some(verb @ ("off" | "cycle" | "reset" | "soft" | "diag")) = power_verb {
        return destroys(
            "power.ipmi",
            format!("`ipmitool power {verb}` powers the machine off or restarts it"),
        );
    }
    let reads = match ops[..] {
        ["power" | "chassis", "status", ..] | ["chassis", "power", "status", ..] => true,
        [
            "sensor" | "sdr" | "sel" | "fru" | "lan" | "mc" | "user" | "channel" | "chassis"
            | "dcmi" | "session" | "sol",
            verb,
            ..,
        ] => {
            matches!(
                verb,
                "list"
                    | "elist"
                    | "get"
                    | "info"
                    | "print"
                    | "type"
                    | "status"
                    | "guid"
                    | "selftest"
                    | "summary"
                    | "getaccess"
                    | "bootparam"
                    | "restart_cause"
                    | "policy"
                    | "discover"
                    | "power"
                    | "getenables"
                    | "time"
                    | "reading"
            ) && !ops.contains(&"set")
        }
        ["sensor" | "sdr" | "sel" | "fru" | "version" | "help"] => true,
        _ => false,
    };
    if reads {
        Judgement::Safe
    } else {
        unknown(format!(
            "`ipmitool {}` changes the management controller or the machine",
            ops.join(" ")
        ))
    }
}

fn curl(args: &[Word]) -> Judgement {
    let p = parse(
        args,
        &Spec::new(
            "AbcCdDeEFHKmoQrTuUwxXyYz",
            &[
                "output=", "remote-name", "remote-name-all", "dump-header=", "cookie-jar=",
                "trace=", "trace-ascii=", "libcurl=", "create-dirs", "upload-file=", "data=",
                "data-raw=", "data-binary=", "data-urlencode=", "data-ascii=", "form=",
                "form-string=", "json=", "request=", "config=", "output-dir=", "user-agent=",
                "cookie=", "continue-at=", "cert=", "header=", "max-time=", "quote=", "range=",
                "user=", "proxy-user=", "write-out=", "proxy=", "speed-limit=", "speed-time=",
                "time-cond=", "referer=", "cacert=", "capath=", "key=", "resolve=", "connect-to=",
                "retry=", "retry-delay=", "retry-max-time=", "connect-timeout=", "interface=",
                "limit-rate=", "noproxy=", "unix-socket=", "oauth2-bearer=", "url=", "max-redirs=",
                "url-query=", "silent", "show-error", "fail", "fail-with-body", "location",
                "insecure", "head", "get", "verbose", "include", "no-progress-meter", "compressed",
                "http1.1", "http2", "ipv4", "ipv6", "digest", "basic", "negotiate", "ntlm",
                "anyauth", "netrc", "globoff", "no-buffer", "no-keepalive", "path-as-is", "raw",
                "tcp-nodelay", "version", "help",
            ],
        ),
    );
    // To stdout or /dev/null is no file.
    for o in [
        "-o", "--output", "-D", "--dump-header", "-c", "--cookie-jar", "--trace", "--trace-ascii",
    ] {
        if p.has(&[o]) && !matches!(p.value(&[o]), Some("-" | "/dev/null")) {
            return unknown(format!("`curl {o}` saves to a file"));
        }
    }
    if let Some(o) = p.get(&[
        "-O", "--remote-name", "--remote-name-all", "--create-dirs", "--output-dir", "--libcurl",
    ]) {
        return unknown(format!("`curl {}` saves to a file", o.name));
    }
    let sending = [
        "-T", "--upload-file", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode",
        "--data-ascii", "-F", "--form", "--form-string", "--json",
    ];
    if let Some(o) = sending.iter().find(|o| p.has(&[o])) {
        return unknown(format!("`curl {o}` sends data that can change the server"));
    }
    if let Some(method) = p.value(&["-X", "--request"])
        && !matches!(
            method.to_ascii_uppercase().as_str(),
            "GET" | "HEAD" | "OPTIONS"
        )
    {
        return unknown(format!("`curl -X {method}` can change the server"));
    }
    if p.has(&["-K", "--config"]) || !p.strange.is_empty() || p.dynamic {
        return unknown("`curl` has options opsguard does not know to be read-only");
    }
    Judgement::Safe
}
