//! [`BatchText`]: the events of one batch as one JSON array text, in a buffer that returns to
//! its stream's [`BufferPool`] once V8 has copied it.
//!
//! Batches are joined on a runtime worker and copied into V8 on the JavaScript thread, so
//! their buffers go round a pool.

use std::ptr;
use std::sync::Arc;

use codex_core::client::ResponseEvent;
use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{ValueType, check_status, sys};

use crate::buffer_pool::BufferPool;

impl BufferPool {
    /// `events` as one JSON array text (`[e1,e2,…]`, for a single `JSON.parse`), in a buffer
    /// from the pool.
    pub(crate) fn join(self: &Arc<Self>, events: &[ResponseEvent]) -> BatchText {
        let mut bytes = self.take();
        join_as_array(&mut bytes, events.iter().map(|event| event.data.as_str()));
        BatchText {
            ascii: bytes.is_ascii(),
            bytes,
            pool: Arc::clone(self),
        }
    }
}

/// One batch's events as one JSON array text; UTF-8, crossing as Latin-1 when it is ASCII
/// (nearly always), which V8 copies without decoding.
#[derive(Debug)]
pub struct BatchText {
    bytes: Vec<u8>,
    ascii: bool,
    pool: Arc<BufferPool>,
}

impl TypeName for BatchText {
    fn type_name() -> &'static str {
        "string"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for BatchText {
    /// # Safety
    /// As [`ToNapiValue::to_napi_value`]: `env` is the live environment of the current call.
    unsafe fn to_napi_value(env: sys::napi_env, text: Self) -> napi::Result<sys::napi_value> {
        let BatchText { bytes, ascii, pool } = text;
        // A `Vec` is never longer than `isize::MAX` bytes.
        let length = bytes.len() as isize;
        let mut value = ptr::null_mut();
        // SAFETY: `env` is live (our caller's guarantee); `bytes` is valid for `length` bytes
        // and V8 copies them before returning; `value` is a valid place for the result.
        let status = unsafe {
            if ascii {
                sys::napi_create_string_latin1(env, bytes.as_ptr().cast(), length, &mut value)
            } else {
                sys::napi_create_string_utf8(env, bytes.as_ptr().cast(), length, &mut value)
            }
        };
        pool.give_back(bytes);
        check_status!(status, "the events of a batch could not become a string")?;
        Ok(value)
    }
}

/// Appends `events` to `out` as one JSON array text.
fn join_as_array<'a>(out: &mut Vec<u8>, events: impl Iterator<Item = &'a str> + Clone) {
    let length = events.clone().map(|event| event.len() + 1).sum::<usize>() + 1;
    out.reserve(length);
    out.push(b'[');
    for (index, event) in events.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(event.as_bytes());
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> ResponseEvent {
        ResponseEvent {
            kind: "message".into(),
            data: data.into(),
        }
    }

    #[test]
    fn joined_events_parse_as_an_array_in_order() {
        let pool = BufferPool::new(2);
        let batch = pool.join(&[event("{\"a\":1}"), event("{\n\"b\": [2]\n}")]);
        let parsed: serde_json::Value = serde_json::from_slice(&batch.bytes).unwrap();
        assert_eq!(parsed, serde_json::json!([{ "a": 1 }, { "b": [2] }]));
        assert!(batch.ascii);
        assert_eq!(pool.join(&[]).bytes, b"[]");
        assert!(!pool.join(&[event("{\"t\":\"caf\u{e9}\"}")]).ascii);
    }
}
