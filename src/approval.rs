//! Signed plans: four eyes before live.
//!
//! `opsguard plan --out FILE` writes a plan file: the resolved plan (steps,
//! hosts with roles, batches, the guards that apply, the change ticket),
//! the paths and SHA-256 of the playbook and inventory files, when it was
//! made and until when it may run, and `plan_id`, the SHA-256 of the
//! canonical JSON of all that ([`crate::audit::record::canonical`]).
//! `opsguard approve FILE` signs the plan id with the reviewer's SSH key, as
//! an SSH signature (SSHSIG, namespace `opsguard-plan`) that `ssh-keygen -Y
//! verify` accepts, and adds it to the file's `approvals`. `opsguard run
//! --plan FILE` runs exactly that plan after [`check`] has found it current,
//! in date, and approved by enough people other than the operator, each
//! known by `settings.allowed_signers`. An approval never replaces the
//! typed-back role.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ssh_key::{HashAlg, PublicKey, SshSig};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::audit::record::{canonical, sha256_hex, timestamp};
use crate::guard::{Reason, Refusal};

/// The SSHSIG namespace of plan approvals.
pub const NAMESPACE: &str = "opsguard-plan";

/// The plan file format this opsguard writes and reads.
pub const FORMAT: u64 = 1;

/// A plan file as it is on disk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanFile {
    pub opsguard_plan: u64,
    /// SHA-256 of the canonical JSON of `content`.
    pub plan_id: String,
    pub content: Value,
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

/// One reviewer's signature on the plan id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The reviewer's user name, as `allowed_signers` must name their key.
    pub principal: String,
    /// The key's `SHA256:` fingerprint.
    pub key: String,
    /// When it was signed (the approver's clock).
    pub signed: String,
    /// The SSH signature, armored (`-----BEGIN SSH SIGNATURE-----`).
    pub signature: String,
}

/// An approver whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approver {
    pub principal: String,
    pub key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read the plan {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not an opsguard plan file: {why}", path.display())]
    Invalid { path: PathBuf, why: String },
    #[error("the plan {} was changed after it was made: its content does not hash to its plan id", path.display())]
    Tampered { path: PathBuf },
    #[error("cannot write the plan {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A file's path and SHA-256, as a plan pins it.
pub fn file_facts(path: &Path) -> Value {
    let sha = std::fs::read(path)
        .map(|b| sha256_hex(&b))
        .unwrap_or_default();
    json!({"path": path.display().to_string(), "sha256": sha})
}

impl PlanFile {
    /// A new plan file for `plan` (the plan's JSON), made `now` and valid
    /// for `valid_for`.
    pub fn new(
        plan: Value,
        playbook: &Path,
        inventory: &[PathBuf],
        limit: Option<&str>,
        now: OffsetDateTime,
        valid_for: std::time::Duration,
    ) -> PlanFile {
        let expires = now + valid_for;
        let content = json!({
            "created": timestamp(now),
            "expires": timestamp(expires),
            "playbook": file_facts(playbook),
            "inventory": inventory.iter().map(|f| file_facts(f)).collect::<Vec<_>>(),
            "limit": limit,
            "plan": plan,
        });
        PlanFile {
            opsguard_plan: FORMAT,
            plan_id: sha256_hex(canonical(&content).as_bytes()),
            content,
            approvals: Vec::new(),
        }
    }

    /// Read a plan file, and check that its content still hashes to its
    /// plan id.
    pub fn load(path: &Path) -> Result<PlanFile, PlanFileError> {
        let (file, intact) = PlanFile::read(path)?;
        match intact {
            true => Ok(file),
            false => Err(PlanFileError::Tampered {
                path: path.to_path_buf(),
            }),
        }
    }

    /// Read a plan file; and whether its content still hashes to its plan
    /// id (a run records the refusal of one that does not).
    pub fn read(path: &Path) -> Result<(PlanFile, bool), PlanFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: PlanFile = serde_json::from_str(&text).map_err(|e| PlanFileError::Invalid {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        if file.opsguard_plan != FORMAT {
            return Err(PlanFileError::Invalid {
                path: path.to_path_buf(),
                why: format!(
                    "format {} (this opsguard reads {FORMAT})",
                    file.opsguard_plan
                ),
            });
        }
        let intact = sha256_hex(canonical(&file.content).as_bytes()) == file.plan_id;
        Ok((file, intact))
    }

    /// Write the file: a new one (`new_only`), or in place of the old one
    /// by a new file and a rename, so it is never half written.
    pub fn save(&self, path: &Path, new_only: bool) -> Result<(), PlanFileError> {
        let err = |source| PlanFileError::Write {
            path: path.to_path_buf(),
            source,
        };
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(self).expect("plain JSON")
        );
        let temp = path.with_extension("json.new");
        let target = if new_only { path } else { &temp };
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
            .map_err(err)?;
        f.write_all(text.as_bytes()).map_err(err)?;
        f.sync_all().map_err(err)?;
        if !new_only {
            std::fs::rename(&temp, path).map_err(err)?;
        }
        Ok(())
    }

    /// A text field of the content.
    pub fn text(&self, key: &str) -> &str {
        self.content[key].as_str().unwrap_or("")
    }

    /// The playbook the plan was made from.
    pub fn playbook(&self) -> PathBuf {
        PathBuf::from(self.content["playbook"]["path"].as_str().unwrap_or(""))
    }
}

/// Who may approve: OpenSSH's `allowed_signers` (principals, options, a
/// public key), as `ssh-keygen -Y verify` reads it.
#[derive(Debug, Default)]
pub struct Signers {
    entries: Vec<(Vec<String>, PublicKey)>,
    file: PathBuf,
    sha256: String,
}

/// Whether the operator could have written `path` (or swapped a folder
/// above it): then it vouches for nobody. Root runs as it likes anyway.
fn writable_by_operator(path: &Path) -> Option<String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let uid = nix::unistd::getuid().as_raw();
    for p in path.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        let Ok(m) = std::fs::metadata(p) else {
            continue;
        };
        let mode = m.permissions().mode();
        let sticky_dir = m.is_dir() && mode & 0o1000 != 0;
        if uid != 0 && m.uid() == uid {
            return Some(format!("{} is yours", p.display()));
        }
        if mode & 0o022 != 0 && !sticky_dir {
            return Some(format!("others may write {}", p.display()));
        }
    }
    None
}

impl Signers {
    /// Read `path` (`~/` is the home folder), which must be out of the
    /// operator's reach: a file they could edit would let them approve
    /// their own plan under any name.
    pub fn load(path: &Path) -> Result<Signers, String> {
        let path =
            &crate::account::expand_home(&path.display().to_string()).map_err(|e| e.to_string())?;
        if let Some(why) = writable_by_operator(path) {
            return Err(format!(
                "{}: {why}, so it could vouch for anyone; keep it where only its maintainers (or root) may write",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| format!("{}:{}: {why}", path.display(), n + 1);
            let (principals, rest) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad("no key"))?;
            // Options (namespaces=..., valid-after=...) come before the key.
            let words: Vec<&str> = rest.split_whitespace().collect();
            let at = words
                .iter()
                .position(|w| {
                    w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-")
                })
                .ok_or_else(|| bad("no key type"))?;
            let options = words[..at].join(" ");
            if let Some(spaces) = options
                .split(',')
                .find_map(|o| o.strip_prefix("namespaces="))
                && !spaces.trim_matches('"').split(',').any(|s| s == NAMESPACE)
            {
                continue;
            }
            let key = PublicKey::from_openssh(&words[at..].join(" "))
                .map_err(|e| bad(&format!("not a public key: {e}")))?;
            let principals = principals
                .trim_matches('"')
                .split(',')
                .map(String::from)
                .collect();
            entries.push((principals, key));
        }
        Ok(Signers {
            entries,
            file: path.to_path_buf(),
            sha256: sha256_hex(text.as_bytes()),
        })
    }

    /// The file's SHA-256, for the record.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Whether the file gives `key` to a principal `name` matches: the
    /// operator's own key, whatever name an approval claims.
    fn names(&self, name: &str, key: &ssh_key::public::KeyData) -> bool {
        self.entries.iter().any(|(principals, k)| {
            k.key_data() == key && principals.iter().any(|p| crate::glob::matches(p, name))
        })
    }

    /// `ssh-keygen -Y verify`: OpenSSH's own reading of the file (options
    /// such as valid-before, namespaces, cert-authority, negations) for
    /// `principal` signing `message`.
    fn ssh_keygen_agrees(
        &self,
        principal: &str,
        message: &str,
        signature: &str,
    ) -> Result<(), String> {
        let dir = std::env::temp_dir().join(format!(
            "opsguard-verify-{}-{}",
            std::process::id(),
            &sha256_hex(signature.as_bytes())[..12]
        ));
        std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let sig = dir.join("sig");
        let result = std::fs::write(&sig, signature)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                let mut verify = Command::new("ssh-keygen");
                verify
                    .args(["-Y", "verify", "-n", NAMESPACE, "-f"])
                    .arg(&self.file)
                    .args(["-I", principal, "-s"])
                    .arg(&sig);
                let out = ssh_keygen(verify, message)?;
                match out.status.success() {
                    true => Ok(()),
                    false => Err(format!(
                        "ssh-keygen -Y verify refuses it: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    )),
                }
            });
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    /// Whether `principal` may sign with `key`.
    fn allows(&self, principal: &str, key: &ssh_key::public::KeyData) -> bool {
        self.entries.iter().any(|(principals, k)| {
            k.key_data() == key
                && principals
                    .iter()
                    .any(|p| crate::glob::matches(p, principal))
        })
    }
}

/// What `run --plan` found the plan to be now.
pub struct Now<'a> {
    /// The plan's JSON, rebuilt from today's files as at the plan's
    /// creation.
    pub plan: &'a Value,
    pub inventory: &'a [PathBuf],
    pub at: OffsetDateTime,
    pub signers: Option<&'a Signers>,
    /// Where `settings.allowed_signers` points, for messages.
    pub signers_file: Option<&'a str>,
    /// Who is running it.
    pub operator: &'a str,
}

fn refusal(reason: Reason, message: String) -> Refusal {
    Refusal {
        reason,
        message,
        typed: None,
    }
}

/// Whether `file` may run now: current (`plan-stale`), in date
/// (`plan-expired`), every approval a valid signature by a key
/// allowed_signers gives its principal (`approval-invalid`), none by the
/// operator (`self-approval`). The approvers, once each.
pub fn check(file: &PlanFile, now: &Now) -> Result<Vec<Approver>, Refusal> {
    let playbook = file.playbook();
    let pinned = &file.content["playbook"];
    if file_facts(&playbook) != *pinned {
        return Err(refusal(
            Reason::PlanStale,
            format!(
                "the playbook {} changed since the plan was made; make and approve a new plan",
                playbook.display()
            ),
        ));
    }
    let inventory: Vec<Value> = now.inventory.iter().map(|f| file_facts(f)).collect();
    if Value::Array(inventory) != file.content["inventory"] {
        return Err(refusal(
            Reason::PlanStale,
            "the inventory changed since the plan was made (or another inventory is in use); make and approve a new plan".into(),
        ));
    }
    if *now.plan != file.content["plan"] {
        return Err(refusal(
            Reason::PlanStale,
            "the plan resolves differently today; make and approve a new plan".into(),
        ));
    }
    let expires = OffsetDateTime::parse(file.text("expires"), &Rfc3339).map_err(|_| {
        refusal(
            Reason::PlanStale,
            "the plan has no valid expiry time".into(),
        )
    })?;
    if now.at > expires {
        return Err(refusal(
            Reason::PlanExpired,
            format!(
                "the plan expired at {}; make and approve a new plan",
                file.text("expires")
            ),
        ));
    }
    let mut approvers: Vec<Approver> = Vec::new();
    for a in &file.approvals {
        let invalid = |why: String| {
            refusal(
                Reason::ApprovalInvalid,
                format!("the approval by {} does not hold: {why}", a.principal),
            )
        };
        let signers = now.signers.ok_or_else(|| {
            invalid("settings.allowed_signers names no file, so no approval can be checked".into())
        })?;
        let sig = SshSig::from_pem(&a.signature)
            .map_err(|e| invalid(format!("not an SSH signature ({e})")))?;
        if sig.namespace() != NAMESPACE {
            return Err(invalid(format!(
                "signed for `{}`, not `{NAMESPACE}`",
                sig.namespace()
            )));
        }
        let key = PublicKey::from(sig.public_key().clone());
        let print = key.fingerprint(HashAlg::Sha256).to_string();
        if !signers.allows(&a.principal, sig.public_key()) {
            return Err(invalid(format!(
                "the key {print} is not {}'s in {}",
                a.principal,
                now.signers_file.unwrap_or("allowed_signers")
            )));
        }
        key.verify(NAMESPACE, file.plan_id.as_bytes(), &sig)
            .map_err(|_| invalid("the signature is not over this plan".into()))?;
        signers
            .ssh_keygen_agrees(&a.principal, &file.plan_id, &a.signature)
            .map_err(invalid)?;
        // By name or by key: a key the file gives the operator is theirs,
        // whatever name the approval claims.
        if a.principal == now.operator || signers.names(now.operator, sig.public_key()) {
            return Err(refusal(
                Reason::SelfApproval,
                format!(
                    "the approval by {} is the operator's own ({}'s key {print}); an approval must come from someone else",
                    a.principal, now.operator
                ),
            ));
        }
        // One approver per person and per key: two names on one key are
        // one approval.
        if !approvers
            .iter()
            .any(|x| x.principal == a.principal || x.key == print)
        {
            approvers.push(Approver {
                principal: a.principal.clone(),
                key: print,
            });
        }
    }
    Ok(approvers)
}

/// Sign `plan_id` with `ssh-keygen -Y sign` (namespace `opsguard-plan`):
/// with `key` (a private key, or a public one whose private half the
/// agent holds), else with the agent's first key. The armored signature
/// and the key's fingerprint.
pub fn sign(plan_id: &str, key: Option<&Path>) -> Result<(String, String), String> {
    let temp = tempfile_for_agent_key(key)?;
    let key_path: &Path = match (&temp, key) {
        (Some(t), _) => t.path(),
        (None, Some(k)) => k,
        (None, None) => unreachable!("an agent key is written when no key is named"),
    };
    let mut sign = Command::new("ssh-keygen");
    sign.args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key_path);
    let out = ssh_keygen(sign, plan_id)?;
    if !out.status.success() {
        return Err(format!(
            "ssh-keygen could not sign: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let signature = String::from_utf8_lossy(&out.stdout).into_owned();
    let sig = SshSig::from_pem(&signature).map_err(|e| format!("ssh-keygen's signature: {e}"))?;
    let print = PublicKey::from(sig.public_key().clone())
        .fingerprint(HashAlg::Sha256)
        .to_string();
    Ok((signature, print))
}

/// Run `ssh-keygen` as `command` says, `input` on its stdin; its output.
fn ssh_keygen(mut command: Command, input: &str) -> Result<std::process::Output, String> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run ssh-keygen (install openssh-client): {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.as_bytes())
        .map_err(|e| format!("ssh-keygen: {e}"))?;
    child
        .wait_with_output()
        .map_err(|e| format!("ssh-keygen: {e}"))
}

/// With no key named, the agent's first public key in a temporary file
/// (ssh-keygen then signs through the agent).
fn tempfile_for_agent_key(key: Option<&Path>) -> Result<Option<AgentKey>, String> {
    if key.is_some() {
        return Ok(None);
    }
    let out = Command::new("ssh-add")
        .arg("-L")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("cannot ask ssh-agent for a key (ssh-add: {e}); name one with --key")
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .filter(|_| out.status.success())
        .ok_or("ssh-agent holds no key (or is not running); add one with ssh-add, or name one with --key")?;
    let dir = std::env::temp_dir().join(format!("opsguard-approve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("agent.pub");
    std::fs::write(&path, format!("{first}\n")).map_err(|e| e.to_string())?;
    Ok(Some(AgentKey { dir, path }))
}

/// A public key written for ssh-keygen, removed when dropped.
struct AgentKey {
    dir: PathBuf,
    path: PathBuf,
}

impl AgentKey {
    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AgentKey {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
