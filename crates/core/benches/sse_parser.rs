//! Throughput of the SSE parser on a realistic Responses stream: 200k
//! `response.output_text.delta` events (~87 MB; each a 1–3 token delta plus a 120–240 character
//! `obfuscation` pad), generated deterministically.
//!
//! Three measurements: parsing alone; parsing plus the JSON validation and `type` extraction
//! the client does per event; and the whole client (`ResponseStream::next`) reading the stream
//! from a server on 127.0.0.1, once driven from outside the runtime (`block_on`) and once from a
//! task on a runtime worker, as the Node addon drives it. The HTTP connection runs as its own
//! task on the workers and hands the body over one slice at a time, so from `block_on` every
//! slice costs a thread wake-up each way; from a worker the two tasks mostly share a thread.
//!
//! `cargo bench -p codex-core --bench sse_parser` runs the full size; without `--bench` (as
//! under `cargo test --benches`) it runs a small smoke size.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use codex_core::ResponseEvent;
use codex_core::client::sse::{SseEvent, SseParser, SseSink};
use codex_core::client::{CancellationToken, ClientConfig, ResponsesClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Socket-sized reads, as the parser sees them behind the HTTP client.
const CHUNK: usize = 16 * 1024;

const TOKENS: &[&str] = &[
    " the",
    " model",
    " streams",
    " text",
    ",",
    " one",
    " token",
    " at",
    " a",
    " time",
    ".",
    " Rust",
    " parses",
    " it",
    " quickly",
    " and",
    " hands",
    " events",
    " to",
    " JavaScript",
    "\\n",
    " caf\u{e9}",
    " \u{1F680}",
    " \\\"quoted\\\"",
    " 42",
];

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn stream(events: usize) -> Vec<u8> {
    const PAD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::with_capacity(events * 440);
    for sequence in 0..events {
        let delta: String = (0..1 + rng.below(3))
            .map(|_| TOKENS[rng.below(TOKENS.len())])
            .collect();
        let pad: String = (0..120 + rng.below(121))
            .map(|_| PAD[rng.below(PAD.len())] as char)
            .collect();
        let kind = if sequence + 1 == events {
            "response.completed"
        } else {
            "response.output_text.delta"
        };
        out.extend_from_slice(format!(
            "event: {kind}\ndata: {{\"type\":\"{kind}\",\"sequence_number\":{sequence},\
             \"item_id\":\"msg_68c9a1f0e2b48190a3c5d7e9f1b2c4d60a1b2c3d4e5f6a7b\",\"output_index\":0,\
             \"content_index\":0,\"delta\":\"{delta}\",\"logprobs\":[],\"obfuscation\":\"{pad}\"}}\n\n"
        ).as_bytes());
    }
    out
}

/// Counts events without keeping them.
#[derive(Default)]
struct Count {
    events: usize,
}

impl SseSink for Count {
    fn event(&mut self, event: SseEvent) {
        std::hint::black_box(&event);
        self.events += 1;
    }
}

/// Validates each event the way the client does, then drops it.
#[derive(Default)]
struct Validate {
    events: usize,
}

impl SseSink for Validate {
    fn event(&mut self, event: SseEvent) {
        std::hint::black_box(ResponseEvent::try_from(event).unwrap());
        self.events += 1;
    }
}

/// The baseline: a full `serde_json::Value` tree per event, as a straightforward client
/// (and the reference figure) does.
#[derive(Default)]
struct ValueTree {
    events: usize,
}

impl SseSink for ValueTree {
    fn event(&mut self, event: SseEvent) {
        let value: serde_json::Value = serde_json::from_str(&event.data).unwrap();
        assert!(std::hint::black_box(value)["type"].is_string());
        self.events += 1;
    }
}

fn report(what: &str, events: usize, bytes: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{what:<38} {events:>7} events {:>7.1} MB in {:>7.1} ms: {:>9.0} events/s {:>7.1} MB/s",
        bytes as f64 / 1e6,
        secs * 1e3,
        events as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

/// Best of `rounds` runs, to keep a shared machine's noise out of the figure.
fn best(rounds: usize, mut run: impl FnMut() -> usize, expected: usize) -> Duration {
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(run(), expected);
            started.elapsed()
        })
        .min()
        .unwrap()
}

/// Best of `rounds` loopback reads, each timed by [`over_loopback`] itself (client set-up and
/// server start excluded).
fn best_read(
    rounds: usize,
    expected: usize,
    mut read: impl FnMut() -> (usize, Duration),
) -> Duration {
    (0..rounds)
        .map(|_| {
            let (received, elapsed) = read();
            assert_eq!(received, expected);
            elapsed
        })
        .min()
        .unwrap()
}

/// Parses `input` in [`CHUNK`]-sized pieces into `sink`.
fn parse<S: SseSink>(input: &[u8], mut sink: S) -> S {
    let mut parser = SseParser::new();
    for chunk in input.chunks(CHUNK) {
        parser.feed(chunk, &mut sink).unwrap();
    }
    sink
}

/// The whole client reading `input` from a raw HTTP/1.1 server on 127.0.0.1.
async fn over_loopback(input: &'static [u8]) -> (usize, Duration) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut request).await.unwrap();
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        for chunk in input.chunks(64 * 1024) {
            socket.write_all(chunk).await.unwrap();
        }
    });
    let client = ResponsesClient::new(ClientConfig {
        api_key: Some("sk-bench".into()),
        base_url: Some(base_url),
        ..ClientConfig::default()
    })
    .unwrap();
    let started = Instant::now();
    let mut stream = client
        .create("{}".into(), CancellationToken::new())
        .await
        .unwrap();
    let mut events = 0;
    while let Some(event) = stream.next().await {
        event.unwrap();
        events += 1;
    }
    (events, started.elapsed())
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (events, rounds) = if full { (200_000, 5) } else { (2_000, 1) };
    let input: &'static [u8] = stream(events).leak();
    println!(
        "stream: {events} events, {:.1} MB, {:.0} bytes/event, read in {CHUNK}-byte chunks",
        input.len() as f64 / 1e6,
        input.len() as f64 / events as f64
    );
    let parsed = best(rounds, || parse(input, Count::default()).events, events);
    report("parse only", events, input.len(), parsed);
    let validated = best(rounds, || parse(input, Validate::default()).events, events);
    report(
        "parse + JSON validation + type",
        events,
        input.len(),
        validated,
    );
    let tree = best(rounds, || parse(input, ValueTree::default()).events, events);
    report(
        "parse + serde_json::Value (baseline)",
        events,
        input.len(),
        tree,
    );
    println!(
        "validation + type extraction: {:.2}x the throughput of the Value-tree baseline",
        tree.as_secs_f64() / validated.as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let outside = best_read(rounds, events, || runtime.block_on(over_loopback(input)));
    report(
        "client over loopback, block_on",
        events,
        input.len(),
        outside,
    );
    let on_worker = best_read(rounds, events, || {
        runtime
            .block_on(runtime.spawn(over_loopback(input)))
            .unwrap()
    });
    report(
        "client over loopback, on a worker",
        events,
        input.len(),
        on_worker,
    );
}
