//! [`ResponseStreamJs`]: an open Responses stream, read by the facade's async iterator.

use std::collections::HashMap;
use std::sync::Arc;
use std::task::Poll;

use codex_core::Result;
use codex_core::client::{ReadAhead, ReadAheadLimits, ResponseStream};
use napi::Env;
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder};
use napi_derive::napi;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::batch_text::BatchText;
use crate::buffer_pool::BufferPool;
use crate::error::NativeError;
use crate::guard::catch_panic;

/// How far the native side reads ahead of JavaScript: batches of up to 256 events (one
/// `JSON.parse` each; the facade's measurement is in bench/stream.mjs), four of them, so that
/// JavaScript usually finds the next batch ready and takes it without waiting (`tryNext`).
const READ_AHEAD: ReadAheadLimits = ReadAheadLimits {
    batches: 4,
    events_per_batch: 256,
};

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
        events: BatchText,
    },
    /// The stream ended cleanly.
    End,
    /// The stream failed.
    Failed {
        /// Why.
        error: NativeError,
    },
}

impl From<Option<Result<BatchText>>> for EventBatch {
    fn from(batch: Option<Result<BatchText>>) -> Self {
        match batch {
            None => EventBatch::End,
            Some(Ok(events)) => EventBatch::Events { events },
            Some(Err(err)) => EventBatch::Failed {
                error: NativeError::from(&err),
            },
        }
    }
}

/// An open response stream, read ahead in batches: `tryNext()` takes one that is ready, `next()`
/// waits for one; both yield batches until the end or a failure.
#[napi]
pub struct ResponseStreamJs {
    batches: Arc<Mutex<ReadAhead<BatchText>>>,
    /// Cancelled by `close()`: stops the reading and drops the connection.
    closer: CancellationToken,
    request_id: Option<String>,
    status: u16,
    headers: HashMap<String, String>,
}

impl ResponseStreamJs {
    /// Starts reading `stream`, opened with `token`, which `close()` cancels. Runs on the
    /// runtime: the reading task starts at once.
    pub(crate) fn new(stream: ResponseStream, token: CancellationToken) -> Self {
        let request_id = stream.request_id().map(str::to_owned);
        let status = stream.status();
        let headers = stream
            .headers()
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        // One buffer per batch that can wait, and the one being copied into JavaScript.
        let pool = BufferPool::new(READ_AHEAD.batches + 1);
        let batches = ReadAhead::spawn(stream, token.clone(), READ_AHEAD, move |events| {
            pool.join(&events)
        });
        ResponseStreamJs {
            batches: Arc::new(Mutex::new(batches)),
            closer: token,
            request_id,
            status,
            headers,
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

    /// The next batch if one was already read, without waiting: `null` when there is none yet
    /// (or a `next()` is pending), and the caller should `await next()`.
    #[napi]
    pub fn try_next(&self) -> Option<EventBatch> {
        let mut batches = self.batches.try_lock().ok()?;
        match batches.try_next() {
            Poll::Ready(batch) => Some(EventBatch::from(batch)),
            Poll::Pending => None,
        }
    }

    /// Waits for the next batch (or the end).
    #[napi(ts_return_type = "Promise<EventBatch>")]
    pub fn next(&self, env: Env) -> napi::Result<AsyncBlock<EventBatch>> {
        let batches = Arc::clone(&self.batches);
        let read = async move {
            let mut batches = batches.lock().await;
            let batch = catch_panic(async { Ok(batches.next().await) }).await;
            Ok(match batch {
                Ok(batch) => EventBatch::from(batch),
                Err(err) => EventBatch::Failed {
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
        if let Ok(mut batches) = self.batches.try_lock() {
            batches.close();
        }
    }
}
