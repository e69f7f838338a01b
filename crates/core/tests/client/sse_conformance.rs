//! Replays every vector of the SSE conformance corpus (a copy of
//! `shared/conformance/sse/vectors.json`, MIT, LICENSE beside it) with its declared chunking.

use std::time::{Duration, Instant};

use codex_core::client::sse::{SseEvent, SseParser, SseSink};
use serde_json::Value;

const VECTORS: &str = include_str!("conformance/vectors.json");

/// Collects what the parser produces, retry updates included.
#[derive(Default)]
struct Recorder {
    events: Vec<SseEvent>,
    retry_updates: Vec<u64>,
}

impl SseSink for Recorder {
    fn event(&mut self, event: SseEvent) {
        self.events.push(event);
    }

    fn reconnection_time(&mut self, millis: u64) {
        self.retry_updates.push(millis);
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The vector's input, cut into its declared chunks.
fn chunks(vector: &Value) -> Vec<Vec<u8>> {
    if let Some(chunks) = vector["chunks"].as_array() {
        return chunks
            .iter()
            .map(
                |chunk| match (chunk["text"].as_str(), chunk["hex"].as_str()) {
                    (Some(text), _) => text.as_bytes().to_vec(),
                    (None, Some(digits)) => hex(digits),
                    _ => panic!("bad chunk {chunk}"),
                },
            )
            .collect();
    }
    let generator = &vector["generator"];
    let stream = match generator["kind"].as_str().unwrap() {
        "repeat_stream" => generator["unit_text"]
            .as_str()
            .unwrap()
            .repeat(generator["count"].as_u64().unwrap() as usize),
        "long_line" => format!(
            "{}{}{}",
            generator["prefix"].as_str().unwrap(),
            generator["fill_char"]
                .as_str()
                .unwrap()
                .repeat(generator["fill_count"].as_u64().unwrap() as usize),
            generator["suffix"].as_str().unwrap()
        ),
        other => panic!("unknown generator {other}"),
    };
    let size = generator["chunk_bytes"].as_u64().unwrap() as usize;
    stream.as_bytes().chunks(size).map(<[u8]>::to_vec).collect()
}

fn one_event(value: &Value) -> SseEvent {
    SseEvent {
        event: value["event"].as_str().unwrap().to_owned(),
        data: value["data"].as_str().unwrap().to_owned(),
        id: value["id"].as_str().unwrap().to_owned(),
        retry: value["retry"].as_u64(),
    }
}

fn expected_events(expected: &Value) -> Vec<SseEvent> {
    let events = &expected["events"];
    if let Some(list) = events.as_array() {
        return list.iter().map(one_event).collect();
    }
    match events["kind"].as_str().unwrap() {
        "repeat" => {
            vec![one_event(&events["event"]); events["count"].as_u64().unwrap() as usize]
        }
        "single_fill_event" => vec![SseEvent {
            event: events["event"].as_str().unwrap().to_owned(),
            data: events["fill_char"]
                .as_str()
                .unwrap()
                .repeat(events["fill_count"].as_u64().unwrap() as usize),
            id: events["id"].as_str().unwrap().to_owned(),
            retry: events["retry"].as_u64(),
        }],
        other => panic!("unknown expectation {other}"),
    }
}

#[test]
fn every_vector_passes_with_its_declared_chunking() {
    let corpus: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = corpus["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 36, "the whole corpus is replayed");
    for vector in vectors {
        let id = vector["id"].as_str().unwrap();
        let mut parser = SseParser::new();
        let mut recorder = Recorder::default();
        for chunk in chunks(vector) {
            parser.feed(&chunk, &mut recorder).unwrap();
        }
        let expected = &vector["expected"];
        assert_eq!(recorder.events, expected_events(expected), "{id}: events");
        let updates: Vec<u64> = expected["retry_updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(recorder.retry_updates, updates, "{id}: retry updates");
        assert_eq!(
            parser.last_event_id(),
            expected["final_last_event_id"].as_str().unwrap(),
            "{id}: last event id"
        );
    }
}

/// `g02`: one 64 KiB line fed a byte at a time, then the same at 1 MiB. Linear work is
/// milliseconds in a debug build; a parser that rescans its buffer per byte does 2^31 byte
/// visits on the first (slow unless the scan is SIMD) and 2^39 on the second (too slow either
/// way).
#[test]
fn a_long_line_fed_byte_by_byte_is_linear() {
    let corpus: Value = serde_json::from_str(VECTORS).unwrap();
    let vector = corpus["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "g02-single-huge-line-one-byte-chunks")
        .unwrap();
    let input = chunks(vector).concat();
    let time = |input: &[u8]| {
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        let started = Instant::now();
        for byte in input.chunks(1) {
            parser.feed(byte, &mut events).unwrap();
        }
        assert_eq!(events.len(), 1);
        started.elapsed()
    };
    let small = time(&input);
    assert!(
        small < Duration::from_secs(1),
        "64 KiB byte by byte took {small:?}"
    );

    // Sixteen times the input: linear work stays well under a second even in a debug build,
    // while rescanning the line per byte would visit 2^39 bytes, tens of seconds even at SIMD speed.
    let mut large = b"data: ".to_vec();
    large.extend(std::iter::repeat_n(b'a', 16 * 65536));
    large.extend_from_slice(b"\n\n");
    let large = time(&large);
    assert!(
        large < Duration::from_secs(8),
        "1 MiB byte by byte took {large:?}"
    );
}
