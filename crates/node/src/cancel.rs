//! [`CancelToken`]: how the JS facade turns an `AbortSignal` into a Rust cancellation.

use napi_derive::napi;
use tokio_util::sync::CancellationToken;

/// A one-shot cancellation switch shared between JavaScript and a running native operation.
///
/// napi's own `AbortSignal` type overwrites the caller's `onabort` and misses a signal that is
/// already aborted, so the facade checks `signal.aborted` itself and calls [`CancelToken::cancel`]
/// from an `abort` listener instead.
#[napi]
#[derive(Default)]
pub struct CancelToken {
    token: CancellationToken,
}

#[napi]
impl CancelToken {
    /// A token that has not been cancelled.
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every operation started with this token; later calls do nothing.
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
    }
}

impl CancelToken {
    /// The Rust token the core operation watches.
    pub(crate) fn token(&self) -> CancellationToken {
        self.token.clone()
    }
}
