//! [`ResponseStreamJs`]: an open Responses stream, read by the facade's async iterator.

use std::collections::HashMap;
use std::sync::Arc;

use codex_core::client::ResponseStream;
use napi::Env;
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder, Either, Latin1String};
use napi_derive::napi;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::error::NativeError;
use crate::guard::catch_panic;

/// One crossing into JavaScript: some events, the clean end, or the failure that ended the
/// stream (after the events before it were delivered).
#[napi(
    discriminant = "type",
    discriminant_case = "lowercase",
    object_from_js = false
)]
pub enum EventBatch {
    /// Events, in arrival order.
    Events {
        /// The events' JSON texts as one JSON array (`[e1,e2,…]`), for a single `JSON.parse`.
        #[napi(ts_type = "string")]
        events: Either<Latin1String, String>,
    },
    /// The stream ended cleanly.
    End,
    /// The stream failed.
    Failed {
        /// Why.
        error: NativeError,
    },
}

/// An open response stream; `next()` yields batches until the end or a failure.
#[napi]
pub struct ResponseStreamJs {
    inner: Arc<Mutex<ResponseStream>>,
    /// Cancelled by `close()`: stops a pending read and drops the connection.
    closer: CancellationToken,
    request_id: Option<String>,
    status: u16,
    headers: HashMap<String, String>,
}

impl ResponseStreamJs {
    /// Wraps a stream opened with `token`, which `close()` cancels.
    pub(crate) fn new(stream: ResponseStream, token: CancellationToken) -> Self {
        ResponseStreamJs {
            request_id: stream.request_id().map(str::to_owned),
            status: stream.status(),
            headers: stream
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            inner: Arc::new(Mutex::new(stream)),
            closer: token,
        }
    }
}

#[napi]
impl ResponseStreamJs {
    /// The `x-request-id` header, if any.
    #[napi(getter)]
    pub fn request_id(&self) -> Option<String> {
        self.request_id.clone()
    }

    /// The HTTP status (2xx).
    #[napi(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers, names lowercased.
    #[napi(getter)]
    pub fn headers(&self) -> HashMap<String, String> {
        self.headers.clone()
    }

    /// Waits for at least one event (or the end) and takes up to `max_events` already parsed.
    #[napi(ts_return_type = "Promise<EventBatch>")]
    pub fn next(&self, env: Env, max_events: u32) -> napi::Result<AsyncBlock<EventBatch>> {
        let inner = Arc::clone(&self.inner);
        let max = usize::try_from(max_events).unwrap_or(usize::MAX).max(1);
        let read = async move {
            let mut stream = inner.lock().await;
            let batch = catch_panic(async { Ok(stream.next_batch(max).await) }).await;
            Ok(match batch {
                Ok(None) => EventBatch::End,
                Ok(Some(Ok(events))) => EventBatch::Events {
                    events: js_text(join_as_array(events.iter().map(|e| e.data.as_str()))),
                },
                Ok(Some(Err(err))) | Err(err) => EventBatch::Failed {
                    error: NativeError::from(&err),
                },
            })
        };
        AsyncBlockBuilder::new(read).build(&env)
    }

    /// Stops reading and drops the connection; a pending `next()` ends with an abort.
    #[napi]
    pub fn close(&self) {
        self.closer.cancel();
        if let Ok(mut stream) = self.inner.try_lock() {
            stream.close();
        }
    }
}

/// Text for JavaScript: ASCII (nearly every event) crosses as Latin-1, which V8 copies without
/// decoding UTF-8.
fn js_text(text: String) -> Either<Latin1String, String> {
    if text.is_ascii() {
        Either::A(Latin1String::from(text))
    } else {
        Either::B(text)
    }
}

/// Joins JSON texts into one JSON array text, allocating once.
fn join_as_array<'a>(events: impl Iterator<Item = &'a str> + Clone) -> String {
    let length = events.clone().map(|event| event.len() + 1).sum::<usize>() + 1;
    let mut text = String::with_capacity(length);
    text.push('[');
    for (index, event) in events.enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(event);
    }
    text.push(']');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_events_parse_as_an_array_in_order() {
        let joined = join_as_array(["{\"a\":1}", "{\n\"b\": [2]\n}"].into_iter());
        let parsed: serde_json::Value = serde_json::from_str(&joined).unwrap();
        assert_eq!(parsed, serde_json::json!([{ "a": 1 }, { "b": [2] }]));
        assert_eq!(join_as_array(std::iter::empty()), "[]");
    }
}
