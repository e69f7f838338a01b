//! Properties of the SSE parser beyond the corpus: independence from chunking (mid-line and
//! mid-UTF-8 splits), and the fuzzing oracle run on stable over generated inputs.

use codex_core::client::fuzzing::check_sse;
use codex_core::client::sse::{SseEvent, SseParser};

fn parse(chunks: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut events).unwrap();
    }
    events
}

#[test]
fn splitting_mid_line_and_mid_utf8_changes_nothing() {
    let stream = "\u{FEFF}event: response.output_text.delta\r\n\
                  data: {\"delta\":\"na\u{ef}ve \u{1F680} \u{4E2D}\u{6587}\"}\r\n\r\n\
                  : keep-alive\r\
                  id: 42\n\
                  data: second\u{e9}\n\
                  data: line\r\r";
    let bytes = stream.as_bytes();
    let whole = parse(&[bytes]);
    assert_eq!(whole.len(), 2);
    assert_eq!(
        whole[0].data,
        "{\"delta\":\"na\u{ef}ve \u{1F680} \u{4E2D}\u{6587}\"}"
    );
    assert_eq!(whole[1].data, "second\u{e9}\nline");
    assert_eq!(whole[1].id, "42");
    for at in 0..=bytes.len() {
        assert_eq!(parse(&[&bytes[..at], &bytes[at..]]), whole, "split at {at}");
    }
    let single_bytes: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(parse(&single_bytes), whole);
}

#[test]
fn an_invalid_byte_does_not_hold_back_later_events() {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    parser.feed(b"data: a\xFFb\n\n", &mut events).unwrap();
    assert_eq!(events.len(), 1, "the event is out before the stream ends");
    assert_eq!(events[0].data, "a\u{FFFD}b");
    parser
        .feed(b"data: \xE2\x82\n\ndata: ok\n\n", &mut events)
        .unwrap();
    assert_eq!(events[1].data, "\u{FFFD}", "a truncated sequence before LF");
    assert_eq!(events[2].data, "ok");
}

/// The cargo-fuzz target's oracle over a few thousand generated inputs drawn from the bytes
/// that matter to the grammar (terminators, colon, space, BOM and UTF-8 pieces, NUL, digits).
#[test]
fn the_fuzz_oracle_holds_on_generated_inputs() {
    const ALPHABET: &[&[u8]] = &[
        b"\n",
        b"\r",
        b"\r\n",
        b":",
        b" ",
        b"data",
        b"event",
        b"id",
        b"retry",
        b"x",
        b"7",
        b"\xEF\xBB\xBF",
        b"\xEF",
        b"\xC3",
        b"\xA9",
        b"\xF0\x9F\x98",
        b"\x80",
        b"\xFF",
        b"\0",
        b"\t",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut input = vec![(next() & 0xFF) as u8];
        for _ in 0..next() % 40 {
            input.extend_from_slice(ALPHABET[(next() % ALPHABET.len() as u64) as usize]);
        }
        if let Err(message) = check_sse(&input) {
            panic!("input {input:?}: {message}");
        }
    }
}
