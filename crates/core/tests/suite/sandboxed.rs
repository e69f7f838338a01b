//! Sandboxed runs against the workspace's real `codex-linux-sandbox`.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use codex_core::exec::{ExecParams, ExitOutcome, SandboxKind, exec};
use codex_core::sandbox::{ReadOnlyPolicy, SandboxPolicy, WorkspaceWritePolicy, sandbox_support};
use codex_core::{CodexErr, SandboxErr};

use crate::common::{helper, live_with_arg, unique_sleep_seconds};

/// `sh -c script` under workspace-write rooted at `cwd`, `/tmp` excluded so that only `cwd` is
/// writable.
fn in_workspace(cwd: &Path, script: &str, network_access: bool) -> ExecParams {
    ExecParams {
        argv: vec!["sh".into(), "-c".into(), script.into()],
        cwd: Some(cwd.to_path_buf()),
        sandbox: Some(SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
            network_access,
            exclude_tmp: true,
            ..WorkspaceWritePolicy::default()
        })),
        sandbox_executable: vec![helper()],
        ..ExecParams::default()
    }
}

#[tokio::test]
async fn a_write_inside_the_workspace_is_allowed_and_the_layers_are_reported() {
    let workspace = tempfile::tempdir().unwrap();
    let script =
        "echo written > allowed.txt && echo \"$CODEX_SANDBOX:$CODEX_SANDBOX_NETWORK_DISABLED\"";
    let output = exec(in_workspace(workspace.path(), script, false))
        .await
        .unwrap();
    assert_eq!(output.exit_code, Some(0), "{output:?}");
    assert_eq!(output.stdout.text, "linux:1\n");
    let written = std::fs::read_to_string(workspace.path().join("allowed.txt")).unwrap();
    assert_eq!(written, "written\n");
    assert_eq!(output.sandbox.kind, SandboxKind::Linux);
    // Full or partial depends on how far the kernel's ABI reaches; either way it is enforced.
    assert!(output.sandbox.landlock.is_some(), "{:?}", output.sandbox);
    assert!(output.sandbox.landlock_abi.is_some_and(|abi| abi >= 1));
    assert_eq!(output.sandbox.seccomp, Some(true));
    assert!(output.sandbox.mount_namespace.is_some());
}

#[tokio::test]
async fn a_write_outside_the_workspace_is_denied() {
    let workspace = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("escaped.txt");
    // touch exits 1 on failure; dash's failed redirect would exit 2, which is never a denial.
    let script = format!("touch {}", target.display());
    match exec(in_workspace(workspace.path(), &script, false))
        .await
        .unwrap_err()
    {
        CodexErr::Sandbox(SandboxErr::Denied { output }) => {
            assert_eq!(output.exit_code, Some(1));
            assert!(output.sandbox_denied);
            assert_eq!(output.sandbox.kind, SandboxKind::Linux);
            assert!(
                output.stderr.text.contains("escaped.txt"),
                "{}",
                output.stderr.text
            );
        }
        other => panic!("expected Denied, got {other:?}"),
    }
    assert!(!target.exists());
    // The same write without a sandbox succeeds: the denial came from the sandbox.
    let mut unsandboxed = in_workspace(workspace.path(), &script, false);
    unsandboxed.sandbox = None;
    assert_eq!(exec(unsandboxed).await.unwrap().exit_code, Some(0));
    assert!(target.exists());
}

/// A script that opens a TCP connection to `port` with bash's /dev/tcp.
fn connect_script(port: u16) -> String {
    format!("exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected'")
}

fn connections(listener: &TcpListener) -> usize {
    listener.set_nonblocking(true).unwrap();
    let mut count = 0;
    loop {
        match listener.accept() {
            Ok(_) => count += 1,
            Err(error) if error.kind() == ErrorKind::WouldBlock => return count,
            Err(error) => panic!("accept failed: {error}"),
        }
    }
}

#[tokio::test]
async fn the_network_is_refused_unless_the_policy_allows_it() {
    let workspace = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();

    let refused = exec(in_workspace(workspace.path(), &connect_script(port), false)).await;
    let output = match refused {
        Err(CodexErr::Sandbox(SandboxErr::Denied { output })) => output,
        other => panic!("expected Denied, got {other:?}"),
    };
    assert!(!output.stdout.text.contains("connected"), "{output:?}");
    assert_eq!(connections(&listener), 0);

    let allowed = exec(in_workspace(workspace.path(), &connect_script(port), true)).await;
    assert_eq!(allowed.unwrap().stdout.text, "connected\n");
    assert_eq!(connections(&listener), 1);
}

#[tokio::test]
async fn a_relative_cwd_is_the_same_directory_inside_the_sandbox() {
    // Tests run in the package's directory, which has a `tests` directory.
    let mut params = in_workspace(Path::new("tests"), "pwd", false);
    params.sandbox = Some(SandboxPolicy::ReadOnly(ReadOnlyPolicy::default()));
    let output = exec(params).await.unwrap();
    let expected = std::env::current_dir().unwrap().join("tests");
    assert_eq!(output.stdout.text.trim_end(), expected.to_str().unwrap());
}

#[tokio::test]
async fn a_missing_command_inside_the_sandbox_is_enoent() {
    let workspace = tempfile::tempdir().unwrap();
    let mut params = in_workspace(workspace.path(), "", false);
    params.argv = vec!["codex-no-such-command-4711".into()];
    let error = exec(params).await.unwrap_err();
    assert_eq!(error.code(), "ENOENT");
    assert!(
        matches!(
            error,
            CodexErr::Io {
                syscall: "spawn",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_bogus_helper_path_is_reported_as_not_found() {
    let workspace = tempfile::tempdir().unwrap();
    let mut params = in_workspace(workspace.path(), "true", false);
    params.sandbox_executable = vec![workspace.path().join("codex-linux-sandbox")];
    let error = exec(params).await.unwrap_err();
    assert_eq!(error.code(), "SANDBOX_EXE_NOT_FOUND");
}

#[tokio::test]
async fn a_timeout_under_the_sandbox_kills_the_whole_group() {
    let workspace = tempfile::tempdir().unwrap();
    // The grandchild's own pid is one of the sandbox's PID namespace: find it by its argument.
    let token = unique_sleep_seconds();
    let script = format!("setsid sleep {token} & echo started; wait");
    let script = script.as_str();
    let mut params = in_workspace(workspace.path(), script, false);
    params.timeout = Some(Duration::from_millis(500));
    let start = Instant::now();
    match exec(params).await.unwrap_err() {
        CodexErr::Sandbox(SandboxErr::Timeout { output, .. }) => {
            assert_eq!(output.outcome, ExitOutcome::TimedOut);
            assert_eq!(output.stdout.text, "started\n");
            assert_eq!(output.sandbox.seccomp, Some(true));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(5));
    let deadline = Instant::now() + Duration::from_secs(2);
    while !live_with_arg(&token).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the grandchild survived the timeout"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn sandbox_support_reports_what_this_machine_enforces() {
    let support = sandbox_support(&[helper()]).await;
    assert_eq!(support.platform, "linux");
    assert_eq!(support.helper_path, Some(helper()));
    // The development and CI machines: Landlock ABI 7, seccomp, user namespaces allowed.
    assert!(
        support.landlock_abi.is_some_and(|abi| abi >= 1),
        "{support:?}"
    );
    assert!(support.seccomp, "{support:?}");
    assert!(support.user_namespaces, "{support:?}");
    assert!(!support.seatbelt);
    assert!(support.problems.is_empty(), "{:?}", support.problems);

    let missing = sandbox_support(&[PathBuf::from("/codex/none/codex-linux-sandbox")]).await;
    assert_eq!(missing.helper_path, None);
    assert_eq!(missing.problems.len(), 1, "{:?}", missing.problems);
    assert!(missing.problems[0].contains("/codex/none/codex-linux-sandbox"));
}
