//! Cancellation: before spawn, while running, and racing the spawn.

use std::time::{Duration, Instant};

use codex_core::CodexErr;
use codex_core::exec::{ExitOutcome, exec};
use tokio_util::sync::CancellationToken;

use crate::common::{gone_within, params, read_pids, sh};

#[tokio::test]
async fn cancelling_a_running_command_kills_it_and_keeps_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let params = sh(&format!(
        "echo before; sleep 30 & echo $! > {}; wait",
        pids.display()
    ));
    let cancel = params.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let start = Instant::now();
    match exec(params).await.unwrap_err() {
        CodexErr::Interrupted {
            output: Some(output),
        } => {
            assert_eq!(output.outcome, ExitOutcome::Cancelled);
            assert_eq!(output.stdout.text, "before\n");
        }
        other => panic!("expected Interrupted with output, got {other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(5));
    let grandchild = read_pids(&pids, 1).await[0];
    assert!(gone_within(grandchild, Duration::from_secs(2)).await);
}

#[tokio::test]
async fn an_already_cancelled_token_spawns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let params = params(&["touch", marker.to_str().unwrap()]);
    params.cancel.cancel();
    let error = exec(params).await.unwrap_err();
    assert!(
        matches!(error, CodexErr::Interrupted { output: None }),
        "{error:?}"
    );
    assert_eq!(error.code(), "ABORT_ERR");
    assert!(!marker.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_racing_the_spawn_still_kills_the_command() {
    // Cancel from another thread at staggered moments, so some land while fork/exec is running.
    for attempt in 0..30u64 {
        let mut params = params(&["sleep", "30"]);
        params.timeout = None;
        let cancel: CancellationToken = params.cancel.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_micros(attempt * 50));
            cancel.cancel();
        });
        let start = Instant::now();
        let error = exec(params).await.unwrap_err();
        canceller.join().unwrap();
        assert!(matches!(error, CodexErr::Interrupted { .. }), "{error:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "attempt {attempt}"
        );
        if let Some(output) = error.exec_output() {
            assert_eq!(output.outcome, ExitOutcome::Cancelled);
            assert_eq!(output.signal, Some(libc::SIGTERM));
        }
    }
}

#[tokio::test]
async fn cancelling_during_the_drain_stops_waiting_for_the_pipes() {
    let mut params = sh("sleep 30 & echo $!");
    params.drain_timeout = Duration::from_secs(30);
    let cancel = params.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let start = Instant::now();
    // The command itself had already finished: its answer stands.
    let output = exec(params).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(output.exit_code, Some(0));
    let grandchild: i32 = output.stdout.text.trim().parse().unwrap();
    crate::common::kill(grandchild);
}
