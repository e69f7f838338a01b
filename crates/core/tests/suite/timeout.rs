//! Timeouts, kill escalation, grandchildren, draining, and dropping the future.

use std::time::{Duration, Instant};

use codex_core::exec::{ExitOutcome, exec};
use codex_core::{CodexErr, SandboxErr};

use crate::common::{alive, gone_within, kill, read_pids, sh};

#[tokio::test]
async fn a_timeout_kills_the_group_and_keeps_the_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let mut params = sh(&format!(
        "echo started; sleep 30 & echo $! > {}; sleep 30",
        pids.display()
    ));
    params.timeout = Some(Duration::from_millis(500));
    params.kill_grace = Duration::from_secs(3);
    let start = Instant::now();
    let error = exec(params).await.unwrap_err();
    // Everything died of SIGTERM: the call returns without waiting out the grace, even though
    // the dead grandchild may linger as a zombie until init reaps it.
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(error.code(), "EXEC_TIMEOUT");
    match error {
        CodexErr::Sandbox(SandboxErr::Timeout { timeout, output }) => {
            assert_eq!(timeout, Duration::from_millis(500));
            assert_eq!(output.outcome, ExitOutcome::TimedOut);
            assert_eq!(output.signal, Some(libc::SIGTERM));
            assert_eq!(output.stdout.text, "started\n");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    let grandchild = read_pids(&pids, 1).await[0];
    assert!(
        gone_within(grandchild, Duration::from_secs(2)).await,
        "grandchild {grandchild} survived"
    );
}

#[tokio::test]
async fn a_group_that_ignores_sigterm_gets_sigkill_after_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    // The trap is inherited: neither the shell nor its background sleep dies of SIGTERM.
    let mut params = sh(&format!(
        "trap '' TERM; sleep 30 & echo $! > {}; echo ready; wait",
        pids.display()
    ));
    params.timeout = Some(Duration::from_millis(300));
    params.kill_grace = Duration::from_millis(300);
    let start = Instant::now();
    let error = exec(params).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let output = error.exec_output().unwrap();
    assert_eq!(output.outcome, ExitOutcome::TimedOut);
    assert_eq!(output.signal, Some(libc::SIGKILL));
    let grandchild = read_pids(&pids, 1).await[0];
    assert!(
        gone_within(grandchild, Duration::from_secs(2)).await,
        "grandchild {grandchild} survived"
    );
}

#[tokio::test]
async fn no_timeout_lets_the_command_finish() {
    let mut params = sh("sleep 0.3; echo finished");
    params.timeout = None;
    let output = exec(params).await.unwrap();
    assert_eq!(output.stdout.text, "finished\n");
    assert_eq!(output.timeout, None);
}

#[tokio::test]
async fn a_background_grandchild_holding_stdout_does_not_hang_the_call() {
    let mut params = sh("sleep 30 & echo $!; echo done");
    params.drain_timeout = Duration::from_millis(300);
    let start = Instant::now();
    let output = exec(params).await.unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(output.exit_code, Some(0));
    let mut lines = output.stdout.text.lines();
    let grandchild: i32 = lines.next().unwrap().parse().unwrap();
    assert_eq!(lines.next(), Some("done"));
    // A command's own background process is its business: exec does not kill it on a clean exit.
    assert!(alive(grandchild));
    kill(grandchild);
}

#[tokio::test]
async fn dropping_the_call_kills_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let mut params = sh(&format!(
        "echo $$ > {0}; sleep 30 & echo $! >> {0}; wait",
        pids.display()
    ));
    params.timeout = None;
    let dropped = tokio::time::timeout(Duration::from_millis(500), exec(params)).await;
    assert!(
        dropped.is_err(),
        "the command should still have been running"
    );
    for pid in read_pids(&pids, 2).await {
        assert!(
            gone_within(pid, Duration::from_secs(2)).await,
            "{pid} survived the drop"
        );
    }
}
