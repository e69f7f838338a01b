//! Output capture: caps, totals, UTF-8, interleaving and the live chunk feed.

use std::time::Duration;

use codex_core::exec::{DEFAULT_OUTPUT_IN_FLIGHT, OutputStream, exec, output_channel};

use crate::common::sh;

#[tokio::test]
async fn output_past_the_cap_is_counted_but_only_head_and_tail_are_kept() {
    let mut params = sh("head -c 5000000 /dev/zero | tr '\\0' a; printf END; printf oops >&2");
    params.max_output_bytes = 1000;
    let output = exec(params).await.unwrap();
    assert_eq!(output.stdout.total_bytes, 5_000_003);
    assert!(output.stdout.truncated);
    let text = &output.stdout.text;
    assert!(text.starts_with(&"a".repeat(500)), "{}", &text[..600]);
    assert!(
        text.ends_with(&format!("{}END", "a".repeat(497))),
        "{}",
        &text[text.len() - 600..]
    );
    assert!(text.contains("\n[... 4999003 bytes truncated ...]\n"));
    assert!(text.len() < 1100, "{}", text.len());
    assert_eq!(output.stderr.text, "oops");
    assert!(!output.stderr.truncated);
    assert_eq!(output.aggregated.total_bytes, 5_000_007);
    assert!(output.aggregated.truncated);
    assert!(output.aggregated.text.ends_with("ENDoops"));
}

#[tokio::test]
async fn invalid_utf8_becomes_replacement_characters_and_split_characters_survive() {
    // The euro sign is written in two parts with a pause, so it arrives in two reads.
    let output = exec(sh(
        "printf 'bad \\377 '; printf '\\342'; sleep 0.2; printf '\\202\\254'",
    ))
    .await
    .unwrap();
    assert_eq!(output.stdout.text, "bad \u{FFFD} €");
    assert_eq!(output.stdout.total_bytes, 9);
}

#[tokio::test]
async fn aggregated_output_keeps_arrival_order() {
    let output = exec(sh(
        // Pauses long enough that each line is read before the next is written, even on a busy
        // machine.
        "echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo out2; sleep 0.2; echo err2 >&2",
    ))
    .await
    .unwrap();
    assert_eq!(output.stdout.text, "out1\nout2\n");
    assert_eq!(output.stderr.text, "err1\nerr2\n");
    assert_eq!(output.aggregated.text, "out1\nerr1\nout2\nerr2\n");
    assert_eq!(
        (output.stdout.total_bytes, output.stderr.total_bytes),
        (10, 10)
    );
}

#[tokio::test]
async fn chunks_are_forwarded_as_they_are_read_even_past_the_cap() {
    let (sink, mut chunks) = output_channel(DEFAULT_OUTPUT_IN_FLIGHT);
    let mut params = sh("printf abcdef; sleep 0.1; printf ghij >&2");
    params.max_output_bytes = 4;
    params.on_output = Some(sink);
    let output = exec(params).await.unwrap();
    let mut seen = Vec::new();
    while let Ok(chunk) = chunks.try_recv() {
        seen.push((chunk.stream, chunk.data.to_vec()));
    }
    assert_eq!(
        seen,
        vec![
            (OutputStream::Stdout, b"abcdef".to_vec()),
            (OutputStream::Stderr, b"ghij".to_vec())
        ]
    );
    assert!(output.stdout.truncated);
    assert_eq!(output.stdout.text, "ab\n[... 2 bytes truncated ...]\nef");
}

#[tokio::test]
async fn a_receiver_that_holds_its_chunks_stops_the_reading_until_it_lets_go() {
    let budget = 256 * 1024;
    let (sink, mut chunks) = output_channel(budget);
    let mut params = sh("head -c 8388608 /dev/zero");
    params.timeout = None;
    params.on_output = Some(sink);
    let run = tokio::spawn(exec(params));
    // Hold every chunk for a while: the reader may run ahead by the budget, no further.
    let mut held = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    while let Ok(Some(chunk)) = tokio::time::timeout_at(deadline, chunks.recv()).await {
        held.push(chunk);
    }
    let read: usize = held.iter().map(|chunk| chunk.data.len()).sum();
    assert!(
        read > 0 && read <= budget,
        "read {read} bytes ahead with a budget of {budget}"
    );
    assert!(
        !run.is_finished(),
        "the command finished although nobody took its output"
    );
    // Letting go (and taking the rest as it comes) lets the command finish.
    drop(held);
    let mut total = read;
    while let Some(chunk) = chunks.recv().await {
        total += chunk.data.len();
    }
    let output = run.await.unwrap().unwrap();
    assert_eq!(output.stdout.total_bytes, 8 << 20);
    assert_eq!(total, 8 << 20);
}
