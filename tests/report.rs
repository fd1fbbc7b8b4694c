//! `audit report` rendered in a real headless browser (Debian's
//! `chromium`, installed by scripts/test): one lane per host and one bar
//! per command in the DOM, a screenshot, nothing fetched from the network,
//! and what hosts print shown as text, never markup or terminal control.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Test, records};

const LOCAL: &str = "hosts:
  l1: {connection: local, workdir: w/l1, role: backup, groups: [pool]}
  l2: {connection: local, workdir: w/l2, role: backup, groups: [pool]}
  l3: {connection: local, workdir: w/l3, role: backup, groups: [pool]}
";

/// A rollout in two batches whose second step fails on one host, and
/// prints markup and terminal control.
const PLAYBOOK: &str = "name: roll
hosts: '@pool'
serial: [1, 2]
max_failures: 1
steps:
  - name: look
    run: printf '<script>alert(1)</script><img src=\"http://127.0.0.9:9/pixel.png\">\\033[31mred\\n'; cat name
  - name: check
    run: test ! -f broken
  - name: count
    run: echo 42
    budget: 100
";

/// Chromium, headless: every request, loopback included, goes to a proxy
/// on `proxy` (the test's own listener), and as little background
/// networking as it allows.
fn chromium(dir: &Path, proxy: u16, args: &[&str]) -> std::process::Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-pings",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
            "--window-size=1100,1000",
        ])
        .arg(format!("--proxy-server=http://127.0.0.1:{proxy}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .env("HOME", dir)
        .output()
        .expect("chromium (install it; scripts/test does)")
}

#[test]
fn the_html_report_renders_lanes_and_bars_and_fetches_nothing() {
    let run = Test::new()
        .file("inventory.yaml", LOCAL)
        .file("pb.yaml", PLAYBOOK)
        .file("w/l1/name", "one\n")
        .file("w/l2/name", "two\n")
        .file("w/l2/broken", "")
        .file("w/l3/name", "three\n")
        .env("OPSGUARD_INVENTORY", "inventory.yaml")
        .env("OPSGUARD_AUDIT_LOG", "audit.jsonl")
        .args(["run", "pb.yaml"])
        .status(1);
    let dir = run.path();
    let log = records(dir);
    let session = log[0]["session"].as_str().unwrap().to_string();
    let commands = log.iter().filter(|r| r["event"] == "command.start").count();
    assert_eq!(commands, 8, "three steps on l1 and l3, two on l2");

    let report = Test::new()
        .env(
            "OPSGUARD_INVENTORY",
            dir.join("inventory.yaml").to_str().unwrap(),
        )
        .env(
            "OPSGUARD_AUDIT_LOG",
            dir.join("audit.jsonl").to_str().unwrap(),
        )
        .args(["audit", "report", &session[..20], "-o"])
        .args([dir.join("report.html").to_str().unwrap()])
        .status(0);
    assert!(
        report.stderr.contains("wrote the report"),
        "{}",
        report.stderr
    );
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for tag in [
        "<script", "<img", "<link", "<iframe", "<object", " src=\"", " href=\"",
    ] {
        assert!(!page.contains(tag), "the page has {tag}");
    }
    assert!(page.contains("default-src 'none'"));

    // Any request the page made would reach this proxy, which keeps the
    // first line of each.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = proxy.local_addr().unwrap().port();
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in proxy.incoming().flatten() {
            let mut line = String::new();
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(&stream), &mut line);
            seen.lock().unwrap().push(line.trim().to_string());
        }
    });
    let url = format!("file://{}", dir.join("report.html").display());
    let out = chromium(dir, port, &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        dom.matches("class=\"lane\"").count(),
        3,
        "one lane per host"
    );
    assert_eq!(
        dom.matches("class=\"bar\"").count(),
        commands,
        "one bar per command"
    );
    assert_eq!(dom.matches("data-status=\"failed\"").count(), 1);
    assert!(dom.contains("batch 1/2") && dom.contains("batch 2/2"));
    assert_eq!(
        dom.matches("class=\"budget\"").count(),
        2,
        "the budget step on l1 and l3"
    );
    assert!(dom.contains("≤100: 42"));
    // What the host printed is text in the page.
    assert!(
        !dom.contains("<script>") && !dom.contains("<img"),
        "markup from a host became markup"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src="));
    assert!(dom.contains("\\x1b[31mred"));
    assert!(!dom.contains('\u{1b}'));

    let shot = dir.join("report.png");
    let out = chromium(
        dir,
        port,
        &[&format!("--screenshot={}", shot.display()), &url],
    );
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    // Nothing the page asked for: the browser's own update and time
    // services aside, no request at all, and none for what a host printed.
    let requests = requests.lock().unwrap().clone();
    let browser_own = |line: &str| {
        ["google.com", "googleapis.com", "gstatic.com", "gvt1.com"]
            .iter()
            .any(|d| {
                line.contains(&format!(".{d}"))
                    || line.contains(&format!("/{d}"))
                    || line.contains(&format!(" {d}"))
            })
    };
    let from_page: Vec<&String> = requests.iter().filter(|l| !browser_own(l)).collect();
    assert!(from_page.is_empty(), "the page fetched {from_page:?}");
    assert!(
        !requests
            .iter()
            .any(|l| l.contains("127.0.0.9") || l.contains("pixel"))
    );
    // The screenshot in docs/ is made by this test: set this to refresh it.
    if let Ok(to) = std::env::var("OPSGUARD_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, to).unwrap();
    }

    // Markdown: the same content for a CI summary.
    let md = Test::new()
        .env(
            "OPSGUARD_AUDIT_LOG",
            dir.join("audit.jsonl").to_str().unwrap(),
        )
        .args(["audit", "report", &session, "--format", "md"])
        .status(0);
    assert!(
        md.stdout
            .starts_with(&format!("# opsguard session `{session}`"))
    );
    assert_eq!(
        md.stdout.matches("| l2 | BACKUP |").count(),
        2,
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("failed (exit 1)"));
    assert!(md.stdout.contains("Chain: verified"));
    assert!(!md.stdout.contains('\u{1b}'));
}
