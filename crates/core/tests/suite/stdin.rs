//! A streamed stdin: chunks pulled as the command reads them, dropped when it stops reading,
//! and a failing source kills the command before it sees an end of file.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use codex_core::CodexErr;
use codex_core::exec::{ExecStdin, exec};
use futures_util::stream::{self, StreamExt};
use tokio::sync::mpsc;

use crate::common::{params, sh};

const CHUNK: usize = 64 * 1024;

/// Sets its flag when dropped: the stream it rides along with was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// An endless stream of 64 KiB chunks, counting the bytes pulled, flagging its drop.
fn endless(pulled: Arc<AtomicUsize>, dropped: Arc<AtomicBool>) -> ExecStdin {
    let guard = DropFlag(dropped);
    ExecStdin::stream(stream::repeat_with(move || {
        let _alive = &guard;
        pulled.fetch_add(CHUNK, Ordering::SeqCst);
        Ok(Bytes::from(vec![b'x'; CHUNK]))
    }))
}

#[tokio::test]
async fn chunks_from_a_channel_reach_the_command_in_order_then_eof() {
    let (sender, receiver) = mpsc::channel::<Bytes>(1);
    let producer = tokio::spawn(async move {
        for i in 0..64 {
            let chunk = Bytes::from(format!("{i:04}").repeat(CHUNK / 4));
            if sender.send(chunk).await.is_err() {
                return;
            }
        }
    });
    let mut run = params(&["wc", "-c"]);
    run.stdin = ExecStdin::stream(
        stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|chunk| (chunk, receiver))
        })
        .map(Ok),
    );
    let output = exec(run).await.unwrap();
    assert_eq!(output.stdout.text, format!("{}\n", 64 * CHUNK));
    producer.await.unwrap();

    let mut cat = params(&["cat"]);
    cat.stdin = ExecStdin::stream(stream::iter(
        ["one ", "two ", "three"].map(|s| Ok(Bytes::from(s))),
    ));
    assert_eq!(exec(cat).await.unwrap().stdout.text, "one two three");
}

#[tokio::test]
async fn a_slow_reader_is_pulled_for_no_more_than_its_pipe_holds_and_an_early_exit_drops_the_stream()
 {
    let (pulled, dropped) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    // Reads 256 KiB, then leaves a full pipe alone until it exits (EPIPE for the writer).
    let mut run = sh("dd bs=65536 count=4 iflag=fullblock of=/dev/null status=none; sleep 0.3");
    run.stdin = endless(Arc::clone(&pulled), Arc::clone(&dropped));
    let output = exec(run).await.unwrap();
    assert_eq!(output.exit_code, Some(0));
    let ahead = pulled.load(Ordering::SeqCst) - 4 * CHUNK;
    // The pipe's buffer (1 MiB) and the chunk being written.
    assert!(
        ahead <= 1024 * 1024 + CHUNK,
        "pulled {ahead} bytes ahead of the reader"
    );
    assert!(
        dropped.load(Ordering::SeqCst),
        "the stream outlived the run"
    );

    let (pulled, dropped) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let mut ignoring = params(&["true"]);
    ignoring.stdin = endless(pulled, Arc::clone(&dropped));
    assert_eq!(exec(ignoring).await.unwrap().exit_code, Some(0));
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_failing_source_kills_the_command_before_it_sees_an_end_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("after-eof");
    let mut run = sh(&format!("cat >/dev/null; touch {}", marker.display()));
    run.stdin = ExecStdin::stream(stream::iter([
        Ok(Bytes::from_static(b"partial input\n")),
        Err(io::Error::other("the source broke")),
    ]));
    let started = Instant::now();
    let error = exec(run).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not killed at once"
    );
    match &error {
        CodexErr::Io {
            source, syscall, ..
        } => {
            assert_eq!(*syscall, "read");
            assert_eq!(source.to_string(), "the source broke");
        }
        other => panic!("expected the source's error, got {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !marker.exists(),
        "the command took a cut-short input for the whole"
    );
}

#[tokio::test]
async fn a_stalled_source_holds_up_neither_the_timeout_nor_the_end_of_the_run() {
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(Arc::clone(&dropped));
    let mut run = params(&["cat"]);
    run.timeout = Some(Duration::from_millis(300));
    run.stdin = ExecStdin::stream(stream::pending::<io::Result<Bytes>>().map(move |item| {
        let _alive = &guard;
        item
    }));
    let started = Instant::now();
    let error = exec(run).await.unwrap_err();
    assert_eq!(error.code(), "EXEC_TIMEOUT");
    // Not the 2 s drain on top of the timeout: nothing is left to read once cat is dead.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );
    assert!(dropped.load(Ordering::SeqCst));
}
