//! Talking to other machines: the management controller (`ipmitool power
//! off` pulls the plug; `ipmitool sdr` only reads) and the HTTP clients,
//! which only read when they print to stdout and send nothing.

use super::readonly::harmless_sink;
use super::{Commands, Judgement, only_options, unknown};
use crate::classify::args::{Spec, parse};
use crate::classify::lexer::Word;

pub fn judge(name: &str, args: &[Word]) -> Option<Judgement> {
    Some(match name {
        "ipmitool" => IPMITOOL.judge(args),
        "curl" => curl(args),
        "wget" => wget(args),
        _ => return None,
    })
}

/// Only the commands that read; `chassis policy always-off`, `chassis
/// power on`, `dcmi power set_limit` and the like change the machine.
const IPMITOOL: Commands = Commands {
    tool: "ipmitool",
    spec: Spec::new("IHUPfpLAykeoORNCtbTBlmdzS", &[]),
    safe: &[
        "", "help", "version", "sdr$", "sdr list", "sdr elist", "sdr type", "sdr info", "sdr get",
        "sdr entity", "sensor$", "sensor list", "sensor get", "sensor reading", "sel$", "sel info",
        "sel list", "sel elist", "sel get", "sel time get", "fru$", "fru print", "lan print",
        "lan stats get", "mc info", "mc guid", "mc selftest", "mc getenables", "mc watchdog get",
        "mc getsysinfo", "bmc info", "bmc guid", "bmc selftest", "bmc getenables",
        "chassis status", "chassis power status", "chassis policy list", "chassis restart_cause",
        "chassis poh", "chassis bootparam get", "chassis selftest", "power status", "user list",
        "user summary", "channel info", "channel getaccess", "channel getciphers",
        "channel authcap", "dcmi power reading", "dcmi power get_limit", "dcmi discover",
        "dcmi sensors", "dcmi asset_tag", "dcmi get_mc_id_string", "dcmi get_temp_reading",
        "dcmi get_conf_param", "session info", "sol info",
    ],
    destructive: &[
        ("power off", "power.ipmi", "powers the machine off"),
        ("power cycle", "power.ipmi", "restarts the machine"),
        ("power reset", "power.ipmi", "restarts the machine"),
        ("power soft", "power.ipmi", "powers the machine off"),
        ("power diag", "power.ipmi", "interrupts the machine (NMI)"),
        ("chassis power off", "power.ipmi", "powers the machine off"),
        ("chassis power cycle", "power.ipmi", "restarts the machine"),
        ("chassis power reset", "power.ipmi", "restarts the machine"),
        ("chassis power soft", "power.ipmi", "powers the machine off"),
        (
            "chassis power diag", "power.ipmi", "interrupts the machine (NMI)",
        ),
    ],
    writes: &[],
};

const CURL: Spec = Spec::new(
    "AbcCdDeEFHKmoPQrtTuUwxXyYz",
    &[
        "output=", "remote-name", "remote-name-all", "remote-header-name", "dump-header=",
        "cookie-jar=", "trace=", "trace-ascii=", "trace-time", "stderr=", "libcurl=",
        "create-dirs", "upload-file=", "data=", "data-raw=", "data-binary=", "data-urlencode=",
        "data-ascii=", "form=", "form-string=", "json=", "request=", "config=", "output-dir=",
        "quote=", "etag-save=", "etag-compare=", "hsts=", "alt-svc=", "mail-from=", "mail-rcpt=",
        "telnet-option=", "ftp-port=", "proto=", "proto-redir=", "proto-default=", "next",
        "user-agent=", "cookie=", "continue-at=", "cert=", "cert-type=", "key=", "key-type=",
        "header=", "max-time=", "range=", "user=", "proxy-user=", "write-out=", "proxy=",
        "noproxy=", "speed-limit=", "speed-time=", "time-cond=", "referer=", "cacert=", "capath=",
        "resolve=", "connect-to=", "retry=", "retry-delay=", "retry-max-time=", "retry-all-errors",
        "retry-connrefused", "connect-timeout=", "interface=", "limit-rate=", "unix-socket=",
        "abstract-unix-socket=", "oauth2-bearer=", "url=", "url-query=", "max-redirs=",
        "max-filesize=", "netrc-file=", "silent", "show-error", "fail", "fail-early",
        "fail-with-body", "location", "location-trusted", "insecure", "head", "get", "verbose",
        "include", "no-progress-meter", "progress-bar", "compressed", "http1.0", "http1.1",
        "http2", "http2-prior-knowledge", "ipv4", "ipv6", "digest", "basic", "negotiate", "ntlm",
        "anyauth", "netrc", "netrc-optional", "globoff", "no-buffer", "no-keepalive", "path-as-is",
        "raw", "tcp-nodelay", "tlsv1.2", "tlsv1.3", "disable", "version", "help",
    ],
);

/// Options with which curl only fetches: how to connect, authenticate and
/// show. Where `-o`, `-D`, `-c`, `--trace` and `--stderr` write, `-X`'s
/// method and `-w`'s format are checked by [`curl`]; anything else (`-Q`
/// sends FTP commands, `-K` reads options from a file, `-T` and `-d`
/// send, `--etag-save`, `--hsts` and `--alt-svc` write files) is unknown.
const CURL_READS: &[&str] = &[
    "-o", "--output", "-D", "--dump-header", "-c", "--cookie-jar", "--trace", "--trace-ascii",
    "--trace-time", "--stderr", "-X", "--request", "-w", "--write-out", "-s", "--silent", "-S",
    "--show-error", "-f", "--fail", "--fail-early", "--fail-with-body", "-L", "--location",
    "--location-trusted", "-k", "--insecure", "-I", "--head", "-G", "--get", "-v", "--verbose",
    "-i", "--include", "--no-progress-meter", "-#", "--progress-bar", "--compressed", "-0",
    "--http1.0", "--http1.1", "--http2", "--http2-prior-knowledge", "-4", "--ipv4", "-6", "--ipv6",
    "--digest", "--basic", "--negotiate", "--ntlm", "--anyauth", "-n", "--netrc",
    "--netrc-optional", "--netrc-file", "-g", "--globoff", "-N", "--no-buffer", "--no-keepalive",
    "--path-as-is", "--raw", "--tcp-nodelay", "--tlsv1.2", "--tlsv1.3", "-q", "--disable", "-A",
    "--user-agent", "-b", "--cookie", "-C", "--continue-at", "-E", "--cert", "--cert-type",
    "--key", "--key-type", "-H", "--header", "-m", "--max-time", "-r", "--range", "-u", "--user",
    "-U", "--proxy-user", "-x", "--proxy", "--noproxy", "-Y", "--speed-limit", "-y",
    "--speed-time", "-z", "--time-cond", "-e", "--referer", "--cacert", "--capath", "--resolve",
    "--connect-to", "--retry", "--retry-delay", "--retry-max-time", "--retry-all-errors",
    "--retry-connrefused", "--connect-timeout", "--interface", "--limit-rate", "--unix-socket",
    "--abstract-unix-socket", "--oauth2-bearer", "--url", "--url-query", "--max-redirs",
    "--max-filesize", "-V", "--version", "-h", "--help",
];

fn curl(args: &[Word]) -> Judgement {
    let p = parse(args, &CURL);
    if !p.only(CURL_READS) {
        return only_options("curl", &p, CURL_READS);
    }
    // Each one counts: `-o /dev/null -o FILE` writes FILE for the second URL.
    for o in &p.opts {
        let value = o.value.as_deref().unwrap_or_default();
        match o.name.as_str() {
            "-o" | "--output" | "-D" | "--dump-header" | "-c" | "--cookie-jar" | "--trace"
            | "--trace-ascii" | "--stderr"
                if value != "-" && !harmless_sink(value) =>
            {
                return unknown(format!("`curl {} {value}` saves to a file", o.name));
            }
            "-X" | "--request"
                if !matches!(
                    value.to_ascii_uppercase().as_str(),
                    "GET" | "HEAD" | "OPTIONS"
                ) =>
            {
                return unknown(format!("`curl -X {value}` can change the server"));
            }
            // `%output{FILE}` writes FILE; `@FILE` reads the format, which
            // may hold one.
            "-w" | "--write-out"
                if value.starts_with('@') || value.to_ascii_lowercase().contains("%output{") =>
            {
                return unknown(format!("`curl -w {value}` writes or reads a file"));
            }
            _ => {}
        }
    }
    let urls = p.operands.iter().map(String::as_str).chain(
        p.opts
            .iter()
            .filter(|o| o.name == "--url")
            .filter_map(|o| o.value.as_deref()),
    );
    let globoff = p.has(&["-g", "--globoff"]);
    for url in urls {
        if !fetches(url, globoff) {
            return unknown(format!(
                "`curl {url}`: a protocol opsguard does not know to only read"
            ));
        }
    }
    Judgement::Safe
}

/// The URL is fetched over HTTP(S) or FTP(S). curl also speaks protocols
/// that send what the URL holds (`gopher://`, `dict://`) or mail
/// (`smtp://`); without a scheme it guesses one from the host (`dict.x`,
/// `smtp.x`), and without `-g` it expands `{a,b}` and `[1-3]` itself.
fn fetches(url: &str, globoff: bool) -> bool {
    let url = url.to_ascii_lowercase();
    if let Some((scheme, _)) = url.split_once("://") {
        return matches!(scheme, "http" | "https" | "ftp" | "ftps");
    }
    let authority = url.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    (globoff || !authority.contains(['{', '[']))
        && !["dict.", "smtp.", "imap.", "pop3.", "ldap."]
            .iter()
            .any(|p| host.starts_with(p))
}

const WGET: Spec = Spec::new(
    "OoaiBtTwQPUelARDIXn",
    &[
        "output-document=", "output-file=", "append-output=", "execute=", "config=", "no-config",
        "input-file=", "base=", "quiet", "verbose", "no-verbose", "debug", "server-response",
        "spider", "timeout=", "dns-timeout=", "connect-timeout=", "read-timeout=", "tries=",
        "wait=", "waitretry=", "random-wait", "retry-connrefused", "retry-on-http-error=",
        "inet4-only", "inet6-only", "prefer-family=", "user=", "password=", "http-user=",
        "http-password=", "ask-password", "use-askpass=", "no-proxy", "proxy-user=",
        "proxy-password=", "referer=", "user-agent=", "header=", "no-check-certificate",
        "ca-certificate=", "ca-directory=", "certificate=", "certificate-type=", "private-key=",
        "private-key-type=", "secure-protocol=", "https-only", "compression=", "no-cache",
        "no-cookies", "load-cookies=", "save-cookies=", "keep-session-cookies",
        "auth-no-challenge", "progress=", "show-progress", "no-dns-cache", "max-redirect=",
        "content-on-error", "bind-address=", "limit-rate=", "no-hsts", "hsts-file=",
        "no-http-keep-alive", "ignore-length", "save-headers", "method=", "post-data=",
        "post-file=", "body-data=", "body-file=", "directory-prefix=", "force-directories",
        "no-directories", "timestamping", "recursive", "level=", "mirror", "page-requisites",
        "delete-after", "convert-links", "warc-file=", "rejected-log=", "continue", "background",
        "no-clobber", "xattr", "help", "version",
    ],
);

/// Options with which wget only fetches to stdout (`-O -`) or checks
/// (`--spider`). Anything else may write (`-o` and `-a` logs,
/// `--save-cookies`, `-P`, `-x`, `--warc-file`), send (`--method`,
/// `--post-data`), run a wgetrc command (`-e`, `--config`) or a program
/// (`--use-askpass`), or fetch a tree (`-r`).
const WGET_READS: &[&str] = &[
    "-O", "--output-document", "--spider", "-q", "--quiet", "-v", "--verbose", "-n",
    "--no-verbose", "-d", "--debug", "-S", "--server-response", "-T", "--timeout", "--dns-timeout",
    "--connect-timeout", "--read-timeout", "-t", "--tries", "-w", "--wait", "--waitretry",
    "--random-wait", "--retry-connrefused", "--retry-on-http-error", "-4", "--inet4-only", "-6",
    "--inet6-only", "--prefer-family", "--user", "--password", "--http-user", "--http-password",
    "--ask-password", "--no-proxy", "--proxy-user", "--proxy-password", "--referer", "-U",
    "--user-agent", "--header", "--no-check-certificate", "--ca-certificate", "--ca-directory",
    "--certificate", "--certificate-type", "--private-key", "--private-key-type",
    "--secure-protocol", "--https-only", "--compression", "--no-cache", "--no-cookies",
    "--load-cookies", "--keep-session-cookies", "--auth-no-challenge", "--progress",
    "--show-progress", "--no-dns-cache", "--max-redirect", "--content-on-error", "--bind-address",
    "--limit-rate", "--no-config", "--no-hsts", "--no-http-keep-alive", "--ignore-length",
    "--save-headers", "-h", "--help", "-V", "--version",
];

fn wget(args: &[Word]) -> Judgement {
    let p = parse(args, &WGET);
    if !p.only(WGET_READS) {
        return only_options("wget", &p, WGET_READS);
    }
    let mut outputs = p
        .opts
        .iter()
        .filter(|o| o.name == "-O" || o.name == "--output-document")
        .map(|o| o.value.as_deref().unwrap_or_default())
        .peekable();
    if outputs.peek().is_none() && !p.has(&["--spider"]) {
        return unknown("`wget` saves what it downloads to a file");
    }
    match outputs.find(|f| *f != "-" && !harmless_sink(f)) {
        Some(f) => unknown(format!("`wget -O {f}` saves what it downloads to a file")),
        None => Judgement::Safe,
    }
}
