//! The Linux launcher against scripted stand-ins for `codex-linux-sandbox` that speak its
//! status-pipe protocol, so each answer the helper can give is exercised.

use std::path::{Path, PathBuf};

use codex_core::exec::{ExecParams, SandboxKind, exec};
use codex_core::sandbox::{SandboxPolicy, WorkspaceWritePolicy};
use codex_core::{CodexErr, SandboxErr};

/// Writes a stand-in helper: it records its arguments, writes `status` (one JSON line per
/// entry) to the status fd, closes it, then execs the command after `--` unless `run` is false.
fn fake_helper(dir: &Path, status: &[&str], run: bool) -> PathBuf {
    let lines: String = status.iter().map(|line| format!("{line}\n")).collect();
    let script = format!(
        r#"#!/bin/bash
printf '%s\0' "$@" > "{args}"
printf '%s' '{lines}' >&"$CODEX_SANDBOX_STATUS_FD"
eval "exec $CODEX_SANDBOX_STATUS_FD>&-"
unset CODEX_SANDBOX_STATUS_FD
while [ "$1" != "--" ]; do shift; done
shift
{tail}
"#,
        args = dir.join("args").display(),
        tail = if run { "exec \"$@\"" } else { "exit 125" },
    );
    install_helper(dir, &script)
}

/// Installs `script` as `dir/codex-linux-sandbox`, by another process: a write fd held here
/// could leak into a child forked by a concurrent test, and exec'ing a file open for writing
/// fails with ETXTBSY.
fn install_helper(dir: &Path, script: &str) -> PathBuf {
    let path = dir.join("codex-linux-sandbox");
    let source = dir.join("helper.sh");
    std::fs::write(&source, script).unwrap();
    let installed = std::process::Command::new("install")
        .args(["-m", "755"])
        .arg(&source)
        .arg(&path)
        .status()
        .unwrap();
    assert!(installed.success());
    path
}

fn sandboxed(dir: &Path, helper: PathBuf, script: &str) -> ExecParams {
    ExecParams {
        argv: vec!["sh".into(), "-c".into(), script.into()],
        cwd: Some(dir.to_path_buf()),
        sandbox: Some(SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
            writable_roots: vec!["out".into()],
            ..WorkspaceWritePolicy::default()
        })),
        sandbox_executable: vec![helper],
        ..ExecParams::default()
    }
}

const READY: &str = r#"{"status":"ready","landlockAbi":7,"landlock":"full","seccomp":true,"mountNamespace":false,"pidNamespace":false,"ipcNamespace":false}"#;

#[tokio::test]
async fn a_ready_helper_runs_the_command_and_reports_its_layers() {
    let dir = tempfile::tempdir().unwrap();
    let helper = fake_helper(dir.path(), &[READY], true);
    let script =
        "echo \"$CODEX_SANDBOX/$CODEX_SANDBOX_NETWORK_DISABLED/${CODEX_SANDBOX_STATUS_FD:-unset}\"";
    let output = exec(sandboxed(dir.path(), helper, script)).await.unwrap();
    assert_eq!(output.stdout.text, "linux/1/unset\n");
    assert_eq!(output.sandbox.kind, SandboxKind::Linux);
    assert_eq!(output.sandbox.landlock_abi, Some(7));
    assert_eq!(output.sandbox.seccomp, Some(true));
    assert_eq!(output.sandbox.mount_namespace, Some(false));

    let args = std::fs::read(dir.path().join("args")).unwrap();
    let args: Vec<&str> = args
        .split(|&b| b == 0)
        .filter(|arg| !arg.is_empty())
        .map(|arg| std::str::from_utf8(arg).unwrap())
        .collect();
    assert_eq!(args[0], "--policy");
    let policy: serde_json::Value = serde_json::from_str(args[1]).unwrap();
    assert_eq!(policy["mode"], "workspace-write");
    // Relative roots reach the helper resolved against the cwd.
    assert_eq!(
        policy["writableRoots"][0],
        dir.path().join("out").to_str().unwrap()
    );
    assert_eq!(&args[2..4], ["--cwd", dir.path().to_str().unwrap()]);
    assert_eq!(&args[4..], ["--", "sh", "-c", script]);
}

#[tokio::test]
async fn a_denial_under_the_sandbox_is_reported_as_denied() {
    let dir = tempfile::tempdir().unwrap();
    let helper = fake_helper(dir.path(), &[READY], true);
    let script = "echo 'touch: cannot touch /usr/x: Permission denied' >&2; exit 1";
    match exec(sandboxed(dir.path(), helper, script))
        .await
        .unwrap_err()
    {
        CodexErr::Sandbox(SandboxErr::Denied { output }) => {
            assert_eq!(output.exit_code, Some(1));
            assert!(output.sandbox_denied);
        }
        other => panic!("expected Denied, got {other:?}"),
    }
    // Exit 2 with the same words is the command's own failure, and resolves.
    let helper = fake_helper(dir.path(), &[READY], true);
    let script = "echo 'Permission denied' >&2; exit 2";
    let output = exec(sandboxed(dir.path(), helper, script)).await.unwrap();
    assert_eq!(output.exit_code, Some(2));
    assert!(!output.sandbox_denied);
}

#[tokio::test]
async fn a_setup_failure_runs_nothing_and_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let failed = r#"{"status":"setupFailed","kind":"landlock","abi":null,"needed":1,"detail":"landlock is not enabled"}"#;
    let helper = fake_helper(dir.path(), &[failed], false);
    let marker = dir.path().join("ran");
    let script = format!("touch {}", marker.display());
    match exec(sandboxed(dir.path(), helper, &script))
        .await
        .unwrap_err()
    {
        CodexErr::Sandbox(SandboxErr::LandlockRestrict {
            abi,
            needed,
            detail,
        }) => {
            assert_eq!((abi, needed), (None, 1));
            assert_eq!(detail, "landlock is not enabled");
        }
        other => panic!("expected LandlockRestrict, got {other:?}"),
    }
    assert!(!marker.exists());

    let seccomp = r#"{"status":"setupFailed","kind":"seccomp","backend":false,"detail":"EINVAL"}"#;
    let helper = fake_helper(dir.path(), &[seccomp], false);
    let error = exec(sandboxed(dir.path(), helper, "true"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CodexErr::Sandbox(SandboxErr::SeccompInstall { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_exec_failure_inside_the_sandbox_is_enoent_like_outside() {
    let dir = tempfile::tempdir().unwrap();
    let helper = fake_helper(
        dir.path(),
        &[READY, r#"{"status":"execFailed","errno":2}"#],
        false,
    );
    let mut params = sandboxed(dir.path(), helper, "");
    params.argv = vec!["codex-no-such-command".into()];
    match exec(params).await.unwrap_err() {
        error @ CodexErr::Io { .. } => {
            assert_eq!(error.code(), "ENOENT");
            assert!(
                error.to_string().starts_with("spawn codex-no-such-command"),
                "{error}"
            );
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stand_in_that_never_reports_is_refused_before_the_command_runs() {
    let dir = tempfile::tempdir().unwrap();
    let helper = fake_helper(dir.path(), &[], true);
    let error = exec(sandboxed(dir.path(), helper.clone(), "touch ran"))
        .await
        .unwrap_err();
    match &error {
        CodexErr::SandboxExecutableRejected { path, .. } => assert_eq!(*path, helper),
        other => panic!("expected a rejected helper, got {other:?}"),
    }
    assert_eq!(error.code(), "SANDBOX_EXE_NOT_FOUND");
    assert!(
        !dir.path().join("ran").exists(),
        "the command ran unsandboxed"
    );
}

#[tokio::test]
async fn a_helper_that_falls_silent_after_answering_once_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    // Answers the first question only (the handshake), then runs commands without a word.
    let asked = dir.path().join("asked");
    let script = format!(
        r#"#!/bin/bash
if [ ! -e "{asked}" ]; then
  touch "{asked}"
  printf '%s\n' '{READY}' >&"$CODEX_SANDBOX_STATUS_FD"
fi
while [ "$1" != "--" ]; do shift; done
shift
exec "$@"
"#,
        asked = asked.display(),
    );
    let helper = install_helper(dir.path(), &script);
    let error = exec(sandboxed(dir.path(), helper, "echo unconfirmed"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "INTERNAL");
}

#[tokio::test]
async fn a_missing_helper_is_reported_with_the_paths_searched() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("no-such-helper");
    match exec(sandboxed(dir.path(), bogus.clone(), "true"))
        .await
        .unwrap_err()
    {
        error @ CodexErr::SandboxExecutableNotFound { .. } => {
            assert_eq!(error.code(), "SANDBOX_EXE_NOT_FOUND");
            let CodexErr::SandboxExecutableNotFound { searched } = error else {
                unreachable!()
            };
            assert_eq!(searched, vec![bogus]);
        }
        other => panic!("expected a missing helper, got {other:?}"),
    }
}
