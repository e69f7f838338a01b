//! Exit codes, spawn failures, stdin, environment and cwd.

use std::time::Duration;

use codex_core::exec::{ExecEnv, ExitOutcome, exec};
use codex_core::{CodexErr, SandboxErr};

use crate::common::{params, sh};

#[tokio::test]
async fn exit_codes_resolve_as_the_commands_answer() {
    let output = exec(params(&["true"])).await.unwrap();
    assert_eq!(
        (output.outcome, output.exit_code),
        (ExitOutcome::Exited(0), Some(0))
    );
    let output = exec(sh("echo partial; exit 3")).await.unwrap();
    assert_eq!(
        (output.outcome, output.exit_code),
        (ExitOutcome::Exited(3), Some(3))
    );
    assert_eq!(output.signal, None);
    assert_eq!(output.stdout.text, "partial\n");
    assert!(!output.sandbox_denied);
}

#[tokio::test]
async fn a_missing_command_is_enoent_naming_it() {
    let error = exec(params(&["codex-no-such-command-4711"]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "ENOENT");
    match error {
        CodexErr::Io { syscall, path, .. } => {
            assert_eq!(syscall, "spawn");
            assert_eq!(path.unwrap().to_str(), Some("codex-no-such-command-4711"));
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[tokio::test]
async fn an_empty_argv_is_einval() {
    let error = exec(params(&[])).await.unwrap_err();
    assert_eq!(error.code(), "EINVAL");
}

#[tokio::test]
async fn a_missing_cwd_is_a_spawn_error() {
    let mut params = params(&["true"]);
    params.cwd = Some("/codex/no/such/dir".into());
    let error = exec(params).await.unwrap_err();
    assert_eq!(error.code(), "ENOENT");
}

#[tokio::test]
async fn crashes_are_reported_as_signals() {
    // ulimit -c 0: this machine's core_pattern would leave a core file in the cwd.
    match exec(sh("ulimit -c 0; echo before; kill -SEGV $$"))
        .await
        .unwrap_err()
    {
        CodexErr::Sandbox(SandboxErr::Signal { signal, output }) => {
            assert_eq!(signal, libc::SIGSEGV);
            assert_eq!(output.outcome, ExitOutcome::Signaled(libc::SIGSEGV));
            assert_eq!(
                (output.exit_code, output.signal),
                (None, Some(libc::SIGSEGV))
            );
            assert_eq!(output.stdout.text, "before\n");
        }
        other => panic!("expected a signal, got {other:?}"),
    }
    let error = exec(sh("kill -KILL $$")).await.unwrap_err();
    assert_eq!(error.code(), "EXEC_SIGNAL");
    assert_eq!(error.exec_output().unwrap().signal, Some(libc::SIGKILL));
}

#[tokio::test]
async fn stdin_bytes_reach_the_child_and_default_to_dev_null() {
    let mut with_input = params(&["cat"]);
    with_input.stdin = b"hello\nworld".to_vec().into();
    assert_eq!(exec(with_input).await.unwrap().stdout.text, "hello\nworld");

    // Larger than a pipe buffer, so writing must overlap with reading the output.
    let mut big = params(&["cat"]);
    big.stdin = vec![b'x'; 1 << 20].into();
    assert_eq!(exec(big).await.unwrap().stdout.total_bytes, 1 << 20);

    let mut no_input = params(&["sh", "-c", "readlink /proc/self/fd/0; cat"]);
    no_input.timeout = Some(Duration::from_secs(5));
    assert_eq!(exec(no_input).await.unwrap().stdout.text, "/dev/null\n");
}

#[tokio::test]
async fn a_child_that_ignores_stdin_does_not_break_the_run() {
    let mut ignoring = params(&["true"]);
    ignoring.stdin = vec![b'x'; 4 << 20].into();
    assert_eq!(exec(ignoring).await.unwrap().exit_code, Some(0));
}

#[tokio::test]
async fn an_exact_environment_is_all_the_child_sees() {
    let mut exact = params(&["/usr/bin/env"]);
    exact.env = ExecEnv::Exact(vec![("ONLY".into(), "this".into())]);
    assert_eq!(exec(exact).await.unwrap().stdout.text, "ONLY=this\n");
}

#[tokio::test]
async fn unsandboxed_commands_do_not_see_sandbox_variables() {
    let output = exec(sh(
        "echo \"[$CODEX_SANDBOX][$CODEX_SANDBOX_NETWORK_DISABLED]\"",
    ))
    .await
    .unwrap();
    assert_eq!(output.stdout.text, "[][]\n");
}

#[tokio::test]
async fn the_command_runs_in_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let mut in_dir = params(&["pwd"]);
    in_dir.cwd = Some(dir.path().to_path_buf());
    let expected = format!("{}\n", dir.path().canonicalize().unwrap().display());
    assert_eq!(exec(in_dir).await.unwrap().stdout.text, expected);
}
