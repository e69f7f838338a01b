//! The SSE parser's fuzzing oracle, shared by the `cargo fuzz` target in `crates/core/fuzz`
//! and a smoke test that runs on stable.
//!
//! The oracle is differential: the incremental parser, fed whole and fed in pieces, must agree
//! with a deliberately naive reference that decodes the whole input first and then splits it
//! into lines, exactly in the order the WHATWG text describes.

use super::sse::{SseEvent, SseParser};

/// Checks the parser on `input`; its first byte picks the chunk sizes, the rest is the stream.
///
/// # Errors
///
/// A description of the first disagreement found.
pub fn check_sse(input: &[u8]) -> Result<(), String> {
    let Some((&seed, stream)) = input.split_first() else {
        return Ok(());
    };
    let expected = reference(stream);
    let whole = incremental(&[stream])?;
    if whole != expected {
        return Err(format!("whole input: got {whole:?}, want {expected:?}"));
    }
    let pieces = split(stream, seed);
    let split = incremental(&pieces)?;
    if split != expected {
        return Err(format!(
            "chunks {pieces:?}: got {split:?}, want {expected:?}"
        ));
    }
    Ok(())
}

/// Events and the final last event ID string.
type Outcome = (Vec<SseEvent>, String);

fn incremental(chunks: &[&[u8]]) -> Result<Outcome, String> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut events).map_err(|e| e.to_string())?;
    }
    Ok((events, parser.last_event_id().to_owned()))
}

/// Cuts `stream` into chunks of 1 to 8 bytes, sizes cycling through a pattern set by `seed`.
fn split(stream: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = stream;
    let mut state = u32::from(seed) | 1;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = (1 + (state >> 16) % 8) as usize;
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// The standard's algorithm, literally: decode everything, split into lines, interpret.
fn reference(stream: &[u8]) -> Outcome {
    let stream = stream.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(stream);
    let text = String::from_utf8_lossy(stream);
    let mut lines = Vec::new();
    let mut rest: &str = &text;
    while let Some(end) = rest.find(['\r', '\n']) {
        lines.push(&rest[..end]);
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }

    let mut events = Vec::new();
    let (mut data, mut event_type, mut id_buffer) = (String::new(), String::new(), String::new());
    let mut last_event_id = String::new();
    let mut retry = None;
    for line in lines {
        if line.is_empty() {
            last_event_id = id_buffer.clone();
            if data.is_empty() {
                event_type.clear();
                continue;
            }
            data.pop(); // the standard appends LF after every data line
            let event = if event_type.is_empty() {
                "message".to_owned()
            } else {
                event_type.clone()
            };
            events.push(SseEvent {
                event,
                data: data.clone(),
                id: last_event_id.clone(),
                retry: retry.take(),
            });
            data.clear();
            event_type.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "event" => event_type = value.to_owned(),
            "id" if !value.contains('\0') => id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                retry = Some(value.parse().unwrap_or(u64::MAX));
            }
            _ => {}
        }
    }
    (events, last_event_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_and_reference_agree_on_a_mixed_stream() {
        assert!(check_sse(b"\x03data: a\r\n\r\nid: 1\rdata: \xFF\n\n").is_ok());
        let (events, _) = reference(b"data: a\n\n");
        assert_eq!(events[0].data, "a");
        assert_eq!(split(b"abcdefghij", 7).concat(), b"abcdefghij");
        assert!(
            split(b"abcdefghij", 7)
                .iter()
                .all(|p| (1..=8).contains(&p.len()))
        );
    }
}
