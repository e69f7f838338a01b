//! Making sure an executable is `codex-linux-sandbox` before a command runs under it.
//!
//! The helper is found by path (`sandboxExecutable`, `CODEX_LINUX_SANDBOX_EXE`, the package's
//! directories), so a wrong path could name anything — a wrapper script that simply runs its
//! arguments would run the command with no sandbox at all, and only afterwards would its
//! silence on the status pipe give it away. So before the first command runs under a given
//! executable, it is asked to run `true` read-only, and it must answer on the status pipe as
//! only the helper does (`ready`, or `setupFailed` when this machine cannot sandbox: it is the
//! helper then, and the real run reports why). The answer is remembered for that path as long
//! as the file stays the same file (device, inode, size, change and modification times), so a
//! replaced helper is asked again.
//!
//! # Caveats
//! This tells a wrong path from the helper; it is no defence against someone who can replace
//! the helper between the question and the run, nor against a program written to fake the
//! answer: whoever can write the helper's path already decides what runs.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use codex_sandbox_policy::{HelperInvocation, HelperStatus, ReadOnlyPolicy, SandboxPolicy};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::status_pipe::{self, HelperReport, StatusPipe};
use crate::error::{CodexErr, Result};

/// Longest wait for a helper to run `true` when asked.
pub(super) const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The helpers that answered, each with the identity its file had then.
static CONFIRMED: Mutex<Vec<(PathBuf, FileIdentity)>> = Mutex::new(Vec::new());

/// What changes when a file is replaced or rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileIdentity {
    fn of(path: &Path) -> std::io::Result<FileIdentity> {
        let meta = std::fs::metadata(path)?;
        Ok(FileIdentity {
            device: meta.dev(),
            inode: meta.ino(),
            size: meta.size(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        })
    }
}

/// Succeeds once `helper` has answered the status protocol (now, or earlier as the same file).
///
/// # Errors
/// [`CodexErr::SandboxExecutableRejected`] when it does not answer (a stand-in, a script, a
/// program that cannot be run); [`CodexErr::Interrupted`] when `cancel` fires while asking.
pub(super) async fn confirm(helper: &Path, cancel: &CancellationToken) -> Result<()> {
    let rejected = |detail: String| CodexErr::SandboxExecutableRejected {
        path: helper.to_path_buf(),
        detail,
    };
    let identity = FileIdentity::of(helper).map_err(|e| rejected(e.to_string()))?;
    if confirmed()
        .iter()
        .any(|(path, id)| path == helper && *id == identity)
    {
        return Ok(());
    }
    let asked = tokio::select! {
        asked = ask(helper) => asked,
        () = cancel.cancelled() => return Err(CodexErr::Interrupted { output: None }),
    };
    let messages = asked.map_err(rejected)?;
    if HelperReport::from_messages(&messages) == HelperReport::Silent {
        return Err(rejected(
            "it ran without answering on the status pipe, so it is not codex-linux-sandbox".into(),
        ));
    }
    let mut confirmed = confirmed();
    confirmed.retain(|(path, _)| path != helper);
    confirmed.push((helper.to_path_buf(), identity));
    Ok(())
}

fn confirmed() -> std::sync::MutexGuard<'static, Vec<(PathBuf, FileIdentity)>> {
    // The list is only ever pushed to or filtered: a panic elsewhere cannot leave it torn.
    CONFIRMED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `helper` on `true`, read-only, in `/`, and returns what it said.
async fn ask(helper: &Path) -> std::result::Result<Vec<HelperStatus>, String> {
    let invocation = HelperInvocation {
        policy: SandboxPolicy::ReadOnly(ReadOnlyPolicy::default()),
        cwd: Some(PathBuf::from("/")),
        command: vec![OsString::from("true")],
    };
    run_helper(helper, &invocation)
        .await
        .map_err(|error| error.to_string())
}

/// Runs `helper` as `invocation` says, output discarded, and returns every status message it
/// wrote; gives up after [`PROBE_TIMEOUT`].
///
/// Spawned directly rather than through `exec`: the sandbox module sits below `exec`, and all
/// this needs is the helper's status pipe.
///
/// # Errors
/// [`CodexErr::Io`] when it cannot be spawned, [`CodexErr::Spawn`] when the pipe cannot be set
/// up, [`CodexErr::Internal`] when it runs past the timeout.
pub(super) async fn run_helper(
    helper: &Path,
    invocation: &HelperInvocation,
) -> Result<Vec<HelperStatus>> {
    let pipe = StatusPipe::new().map_err(|source| CodexErr::Spawn { source })?;
    let mut command = Command::new(helper);
    command
        .args(invocation.to_args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    pipe.hand_to(&mut command);
    let mut child = command
        .spawn()
        .map_err(|e| CodexErr::io(e, "spawn", Some(PathBuf::from(helper))))?;
    let reader = pipe
        .into_reader()
        .map_err(|source| CodexErr::Spawn { source })?;
    let run = async {
        // EOF comes when the helper exec'd the command or gave up.
        let messages = status_pipe::read_status(reader, &CancellationToken::new()).await;
        child
            .wait()
            .await
            .map_err(|e| CodexErr::io(e, "waitpid", None))?;
        Ok(messages)
    };
    tokio::time::timeout(PROBE_TIMEOUT, run)
        .await
        .unwrap_or_else(|_elapsed| {
            Err(CodexErr::Internal(format!(
                "{} did not finish running `true` within {} s",
                helper.display(),
                PROBE_TIMEOUT.as_secs()
            )))
        })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use codex_sandbox_policy::SetupFailure;

    use super::*;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[tokio::test]
    async fn a_stand_in_that_runs_its_arguments_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        // Runs what follows `--`, as a careless wrapper would, and leaves a trace when it does.
        let stand_in = script(
            dir.path(),
            "stand-in",
            &format!(
                "touch {}; while [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"",
                marker.display()
            ),
        );
        let error = confirm(&stand_in, &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, CodexErr::SandboxExecutableRejected { path, .. } if *path == stand_in),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("not codex-linux-sandbox"),
            "{error}"
        );
        // The probe itself did run the stand-in (with `true`): that is how it was found out.
        assert!(marker.exists());
    }

    #[tokio::test]
    async fn an_answer_is_remembered_for_the_same_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("count");
        // Answers as the helper does on a machine that cannot sandbox, and counts the questions.
        let answer = HelperStatus::SetupFailed(SetupFailure::Other {
            detail: "test".into(),
        })
        .to_line();
        let body = format!(
            "echo x >> {}; printf '%s' '{}' > /proc/self/fd/$CODEX_SANDBOX_STATUS_FD",
            count.display(),
            answer.trim_end()
        );
        let helper = script(dir.path(), "helper", &body);
        let cancel = CancellationToken::new();
        confirm(&helper, &cancel).await.unwrap();
        confirm(&helper, &cancel).await.unwrap();
        let asked = || std::fs::read_to_string(&count).unwrap().lines().count();
        assert_eq!(asked(), 1);
        // Rewritten in place (another size): asked again.
        script(dir.path(), "helper", &format!("{body}  # changed"));
        confirm(&helper, &cancel).await.unwrap();
        assert_eq!(asked(), 2);
    }

    #[tokio::test]
    async fn what_cannot_be_run_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage");
        std::fs::write(&garbage, [0x7f, b'E', b'L', b'F', 0, 0]).unwrap();
        std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o755)).unwrap();
        let error = confirm(&garbage, &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(error, CodexErr::SandboxExecutableRejected { .. }),
            "{error:?}"
        );
    }
}
