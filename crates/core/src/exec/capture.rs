//! [`CappedBuffer`]: keeps the head and tail of a byte stream under a fixed budget.

use std::collections::VecDeque;

use super::output::CapturedText;

/// Keeps at most `cap` bytes of a stream: the first half and the latest half once the stream
/// outgrows the cap. Everything is counted, so memory stays bounded however much the child writes.
#[derive(Debug)]
pub(crate) struct CappedBuffer {
    head: Vec<u8>,
    head_cap: usize,
    tail: VecDeque<u8>,
    tail_cap: usize,
    total: u64,
}

impl CappedBuffer {
    /// A buffer that keeps at most `cap` bytes.
    pub(crate) fn new(cap: usize) -> Self {
        let tail_cap = cap / 2;
        CappedBuffer {
            head: Vec::new(),
            head_cap: cap - tail_cap,
            tail: VecDeque::new(),
            tail_cap,
            total: 0,
        }
    }

    /// Records `bytes`, keeping what fits in the head and rolling the rest through the tail.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.total = self.total.saturating_add(bytes.len() as u64);
        let into_head = bytes.len().min(self.head_cap - self.head.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        let rest = &bytes[into_head..];
        if rest.len() >= self.tail_cap {
            self.tail.clear();
            self.tail.extend(&rest[rest.len() - self.tail_cap..]);
            return;
        }
        let overflow = (self.tail.len() + rest.len()).saturating_sub(self.tail_cap);
        self.tail.drain(..overflow);
        self.tail.extend(rest);
    }

    /// How many bytes were dropped between head and tail.
    fn dropped(&self) -> u64 {
        self.total - (self.head.len() + self.tail.len()) as u64
    }

    /// The kept text, decoded lossily once at the end so that multibyte characters split across
    /// reads survive; when bytes were dropped, head and tail are joined by a marker saying how many.
    pub(crate) fn finish(self) -> CapturedText {
        let dropped = self.dropped();
        let tail: Vec<u8> = self.tail.into();
        if dropped == 0 {
            let mut all = self.head;
            all.extend_from_slice(&tail);
            return CapturedText {
                text: String::from_utf8_lossy(&all).into_owned(),
                total_bytes: self.total,
                truncated: false,
            };
        }
        let head = without_incomplete_end(&self.head);
        let tail = without_orphan_start(&tail);
        let omitted = self.total - (head.len() + tail.len()) as u64;
        let text = format!(
            "{}\n[... {omitted} bytes truncated ...]\n{}",
            String::from_utf8_lossy(head),
            String::from_utf8_lossy(tail),
        );
        CapturedText {
            text,
            total_bytes: self.total,
            truncated: true,
        }
    }
}

/// The head cut where a character was split by the cap, so the cut does not show as U+FFFD.
fn without_incomplete_end(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes) {
        Err(error) if error.error_len().is_none() => &bytes[..error.valid_up_to()],
        _ => bytes,
    }
}

/// The tail without the continuation bytes (at most three) of a character whose start was
/// dropped.
fn without_orphan_start(bytes: &[u8]) -> &[u8] {
    let orphans = bytes
        .iter()
        .take(3)
        .take_while(|&&b| b & 0xC0 == 0x80)
        .count();
    &bytes[orphans..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(cap: usize, chunks: &[&[u8]]) -> CapturedText {
        let mut buffer = CappedBuffer::new(cap);
        for chunk in chunks {
            buffer.push(chunk);
        }
        buffer.finish()
    }

    #[test]
    fn keeps_everything_under_the_cap() {
        let text = captured(10, &[b"hello", b" you"]);
        assert_eq!(text.text, "hello you");
        assert_eq!(text.total_bytes, 9);
        assert!(!text.truncated);
    }

    #[test]
    fn exactly_the_cap_is_not_truncated() {
        let text = captured(4, &[b"ab", b"cd"]);
        assert_eq!(text.text, "abcd");
        assert!(!text.truncated);
    }

    #[test]
    fn over_the_cap_keeps_head_and_tail_with_a_marker() {
        let text = captured(6, &[b"abcdef", b"ghij", b"klm"]);
        assert_eq!(text.text, "abc\n[... 7 bytes truncated ...]\nklm");
        assert_eq!(text.total_bytes, 13);
        assert!(text.truncated);
    }

    #[test]
    fn one_huge_chunk_rolls_through_the_tail() {
        let big: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let text = captured(8, &[&big]);
        assert!(text.text.starts_with("abcd\n"), "{}", text.text);
        assert!(text.text.ends_with("\nijkl"), "{}", text.text);
        assert!(text.text.contains("992 bytes truncated"), "{}", text.text);
    }

    #[test]
    fn multibyte_characters_split_across_pushes_survive() {
        let euro = "€".as_bytes();
        let text = captured(100, &[b"a", &euro[..1], &euro[1..2], &euro[2..], b"b"]);
        assert_eq!(text.text, "a€b");
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let text = captured(100, &[b"ok \xff\xfe end"]);
        assert_eq!(text.text, "ok \u{FFFD}\u{FFFD} end");
    }

    #[test]
    fn characters_cut_by_the_cap_do_not_show_as_replacement() {
        // "é" is two bytes; the head ends in its middle and the tail begins in another's.
        let text = captured(6, &["aaé".as_bytes(), "xxé".as_bytes(), b"bc"]);
        assert_eq!(text.text, "aa\n[... 6 bytes truncated ...]\nbc");
    }

    #[test]
    fn zero_cap_keeps_nothing_but_counts() {
        let text = captured(0, &[b"abc"]);
        assert_eq!(text.total_bytes, 3);
        assert!(text.truncated);
        assert!(text.text.contains("3 bytes truncated"), "{}", text.text);
    }
}
