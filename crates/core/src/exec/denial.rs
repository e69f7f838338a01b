//! The evidence rule: did the sandbox cause a sandboxed command's failure?
//!
//! Evidence comes first from the helper itself: every socket it refused and every Unix-socket
//! connect it turned down is recorded (`result.sandbox.denials`). The filesystem gives no such
//! record, so there the command's own error text is read, under a narrow rule: a line carrying
//! an errno text (EROFS, EACCES, EPERM) that names a path the sandbox stands in front of — one
//! inside a protected path, or one outside every writable root that this user could write to
//! without the sandbox. A keyword alone ("sandbox", "permission denied") is never evidence.

use std::path::{Component, Path, PathBuf};

use super::output::{ExecOutput, ExitOutcome};

/// The errno texts of a refused write (compared in lowercase): EROFS, EACCES, EPERM.
const REFUSAL_TEXTS: [&str; 3] = [
    "read-only file system",
    "permission denied",
    "operation not permitted",
];

/// Quote pairs that programs put around a path (coreutils uses both styles).
const QUOTES: [(char, char); 5] = [
    ('\'', '\''),
    ('"', '"'),
    ('‘', '’'),
    ('“', '”'),
    ('`', '\''),
];

/// What the sandbox allowed, to tell its refusals from the command's own failures.
#[derive(Debug, Clone, Default)]
pub(crate) struct Allowed {
    /// Where the command started (relative paths in messages are relative to it).
    pub(crate) cwd: PathBuf,
    /// The writable roots, as given and as resolved.
    pub(crate) writable_roots: Vec<PathBuf>,
}

impl Allowed {
    /// The roots and cwd of a run, with each root also in its resolved form.
    pub(crate) fn new(cwd: &Path, roots: impl IntoIterator<Item = PathBuf>) -> Allowed {
        let mut writable_roots = Vec::new();
        for root in roots {
            if let Ok(resolved) = root.canonicalize() {
                writable_roots.push(resolved);
            }
            writable_roots.push(root);
        }
        Allowed {
            cwd: cwd.to_path_buf(),
            writable_roots,
        }
    }
}

/// Whether a command that ran under a sandbox failed because of it, as DESIGN.md §3 defines.
///
/// # Caveats
/// For the filesystem this is a reading of the command's output: a command that fails silently
/// on a refused write is not called denied.
pub(crate) fn sandbox_denied(output: &ExecOutput, allowed: &Allowed) -> bool {
    match output.outcome {
        // The one thing the filter kills for: a call of another architecture.
        ExitOutcome::Signaled(signal) => signal == libc::SIGSYS,
        ExitOutcome::Exited(0) | ExitOutcome::TimedOut | ExitOutcome::Cancelled => false,
        ExitOutcome::Exited(_) => {
            output.sandbox.denials.total > 0
                || [&output.stderr.text, &output.stdout.text]
                    .iter()
                    .any(|text| {
                        names_a_refused_path(text, allowed, &output.sandbox.protected_paths)
                    })
        }
    }
}

/// Whether a line of `text` reports a refused write of a path the sandbox stands in front of.
fn names_a_refused_path(text: &str, allowed: &Allowed, protected: &[PathBuf]) -> bool {
    text.lines().any(|line| {
        let lower = line.to_lowercase();
        REFUSAL_TEXTS.iter().any(|refusal| lower.contains(refusal))
            && paths_in(line).into_iter().any(|path| {
                let path = absolute(&allowed.cwd, Path::new(&path));
                inside_any(&path, protected)
                    || (!inside_any(&path, &allowed.writable_roots)
                        && writable_without_sandbox(&path))
            })
    })
}

/// The paths a line of error text names: quoted ones, and unquoted words that contain a `/`.
fn paths_in(line: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut unquoted = String::new();
    let mut rest = line;
    while let Some((start, open, close)) = QUOTES
        .iter()
        .filter_map(|&(open, close)| rest.find(open).map(|at| (at, open, close)))
        .min_by_key(|(at, _, _)| *at)
    {
        let after = &rest[start + open.len_utf8()..];
        let Some(end) = after.find(close) else {
            break;
        };
        unquoted.push_str(&rest[..start]);
        unquoted.push(' ');
        if end > 0 {
            paths.push(after[..end].to_string());
        }
        rest = &after[end + close.len_utf8()..];
    }
    unquoted.push_str(rest);
    paths.extend(
        unquoted
            .split_whitespace()
            .map(|word| word.trim_end_matches([':', ',', ';', '.', ')']))
            .filter(|word| word.contains('/') && !word.contains("://"))
            .map(str::to_string),
    );
    paths
}

/// `path` made absolute against `cwd` and cleaned of `.` and `..`, without touching the disk.
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// Whether `path` is one of `dirs` or lies beneath one.
fn inside_any(path: &Path, dirs: &[PathBuf]) -> bool {
    dirs.iter().any(|dir| path.starts_with(dir))
}

/// Whether this user could write `path` (or create it) outside the sandbox: the control that
/// tells the sandbox's refusal from the file's own permissions or a read-only filesystem.
fn writable_without_sandbox(path: &Path) -> bool {
    let existing = path
        .ancestors()
        .find(|candidate| candidate.symlink_metadata().is_ok());
    let Some(existing) = existing else {
        return false;
    };
    let Ok(c_path) = std::ffi::CString::new(existing.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: a valid C string; access only reads.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::time::Duration;

    use codex_sandbox_policy::{Denial, DenialReport};

    use super::*;
    use crate::exec::output::CapturedText;
    use crate::sandbox::{SandboxKind, SandboxReport};

    fn output(outcome: ExitOutcome, stderr: &str) -> ExecOutput {
        ExecOutput {
            outcome,
            exit_code: None,
            signal: None,
            sandbox_denied: false,
            stdout: CapturedText::default(),
            stderr: CapturedText {
                text: stderr.into(),
                total_bytes: stderr.len() as u64,
                truncated: false,
            },
            aggregated: CapturedText::default(),
            duration: Duration::ZERO,
            timeout: None,
            sandbox: SandboxReport {
                kind: SandboxKind::Linux,
                protected_paths: vec!["/ws/.git".into()],
                ..SandboxReport::default()
            },
        }
    }

    fn allowed() -> Allowed {
        Allowed::new(Path::new("/ws/sub"), [PathBuf::from("/ws"), "/tmp".into()])
    }

    #[test]
    fn paths_are_found_quoted_or_not() {
        assert_eq!(
            paths_in("touch: cannot touch '/usr/x': Permission denied"),
            ["/usr/x"]
        );
        assert_eq!(
            paths_in("mkdir: cannot create directory ‘a b/c’: Read-only file system"),
            ["a b/c"]
        );
        assert_eq!(
            paths_in("sh: 1: cannot create /etc/x: Read-only file system"),
            ["/etc/x"]
        );
        assert_eq!(
            paths_in("error: could not lock config file .git/config: Read-only file system"),
            [".git/config"]
        );
        assert!(paths_in("ssh: Permission denied (publickey).").is_empty());
        assert!(paths_in("curl: (7) https://example.com: Operation not permitted").is_empty());
    }

    #[test]
    fn a_refused_write_outside_the_roots_is_a_denial() {
        // A directory this user may write in: outside the roots, only the sandbox refuses it.
        let outside = tempfile::tempdir_in("/var/tmp").unwrap();
        let stderr = format!(
            "touch: cannot touch '{}/f': Read-only file system",
            outside.path().display()
        );
        assert!(sandbox_denied(
            &output(ExitOutcome::Exited(1), &stderr),
            &allowed()
        ));
        // Exit 2 (dash's failed redirect) counts too when the evidence is there.
        let dash = "sh: 1: cannot create /etc/x: Read-only file system";
        assert!(sandbox_denied(
            &output(ExitOutcome::Exited(2), dash),
            &allowed()
        ));
        // Relative paths are read against the cwd: ../.git/config is the protected /ws/.git.
        let git = "error: could not lock config file ../.git/config: Read-only file system";
        assert!(sandbox_denied(
            &output(ExitOutcome::Exited(255), git),
            &allowed()
        ));
    }

    #[test]
    fn the_helpers_records_are_evidence_of_a_failure_only() {
        let mut refused = output(ExitOutcome::Exited(7), "curl: (7) Couldn't connect");
        refused.sandbox.denials = DenialReport {
            records: vec![Denial::Network {
                family: "AF_INET".into(),
                socket_type: "SOCK_STREAM".into(),
            }],
            total: 1,
        };
        assert!(sandbox_denied(&refused, &allowed()));
        refused.outcome = ExitOutcome::Exited(0);
        assert!(!sandbox_denied(&refused, &allowed()));
    }

    #[test]
    fn keywords_without_a_refused_path_are_not_evidence() {
        for stderr in [
            "test failed: sandbox landlock seccomp permission denied",
            "git@github.com: Permission denied (publickey).",
            "touch: cannot touch '/ws/x': No such file or directory",
            // Inside a writable root: whatever refused it, it was not the sandbox.
            "touch: cannot touch 'made': Permission denied",
            "cp: cannot create regular file '/tmp/x': Permission denied",
        ] {
            assert!(
                !sandbox_denied(&output(ExitOutcome::Exited(1), stderr), &allowed()),
                "{stderr}"
            );
        }
        let denied = "touch: cannot touch '/etc/x': Read-only file system";
        assert!(!sandbox_denied(
            &output(ExitOutcome::Exited(0), denied),
            &allowed()
        ));
        assert!(!sandbox_denied(
            &output(ExitOutcome::TimedOut, denied),
            &allowed()
        ));
        assert!(!sandbox_denied(
            &output(ExitOutcome::Signaled(libc::SIGSEGV), denied),
            &allowed()
        ));
        assert!(sandbox_denied(
            &output(ExitOutcome::Signaled(libc::SIGSYS), ""),
            &allowed()
        ));
    }

    #[test]
    fn a_path_this_user_cannot_write_anyway_is_not_the_sandboxs_doing() {
        let dir = tempfile::tempdir_in("/var/tmp").unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        let file = locked.join("f");
        // Root writes anywhere, so only an unprivileged caller can see the difference.
        let root = unsafe { libc::geteuid() } == 0;
        assert_eq!(writable_without_sandbox(&file), root);
        assert!(writable_without_sandbox(&dir.path().join("new")));
    }
}
