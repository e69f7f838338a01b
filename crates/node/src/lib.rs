//! codex-node: the napi-rs binding of codex-native.
//!
//! Type conversion only; the logic lives in `codex-core`. Nothing here throws into JavaScript:
//! every fallible call resolves with `{ result | stream | client, error }`, where `error` is a
//! [`NativeError`] (code + message + the class's fields) that the hand-written facade (`index.js`)
//! turns into the right `CodexError` subclass, so that `instanceof` holds under Jest too.
//!
//! - `exec` / `sandboxSupport`: [`exec`] (options in [`options`], results in [`exec_result`]).
//! - `createClient` → `ResponsesClientJs.create` → [`ResponseStreamJs`] batches of raw JSON events.
//! - [`CancelToken`]: cancellation driven by the facade's `AbortSignal` listener.

#![allow(
    clippy::result_large_err,
    reason = "results carry codex-core's CodexErr (or its data) by value on the cold error path, \
              as codex-core itself does"
)]

mod cancel;
mod client;
mod error;
mod exec;
mod exec_result;
mod guard;
mod options;
mod stream;

pub use cancel::CancelToken;
pub use client::{
    ClientOutcome, CreateOutcome, OnRetry, ResponsesClientJs, RetryInfoJs, create_client,
};
pub use error::NativeError;
pub use exec::{ExecOutcome, OnOutput, OutputChunkJs, SandboxSupportJs, exec, sandbox_support};
pub use exec_result::{ExecResult, SandboxInfo};
pub use options::{ClientOptions, ExecOptions, InheritEnvMode};
pub use stream::{EventBatch, ResponseStreamJs};
