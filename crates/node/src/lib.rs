//! codex-node: the napi-rs binding of codex-native.
//!
//! Type conversion only; the logic lives in `codex-core`. Nothing here throws into JavaScript:
//! every fallible call resolves with an outcome (`{ type: 'done' | 'opened' | …, … }` or
//! `{ type: 'failed', error }`), where `error` is a [`NativeError`] — typed per class, its `code`
//! one of [`ErrorCode`] — that the hand-written facade (`lib/errors.js`) turns into the right
//! `CodexError` subclass, so that `instanceof` holds under Jest too. The generated
//! `binding.d.ts` is therefore the native contract, and `index.d.ts` refines it.
//!
//! - `exec` / `sandboxSupport`: [`exec`] (options in [`options`], results in [`exec_result`]).
//! - `createClient` → `ResponsesClientJs.create` → [`ResponseStreamJs`] batches of raw JSON events.
//! - `exec`'s streamed stdin: the facade writes an async iterable's chunks into a [`StdinWriter`].
//! - [`CancelToken`]: cancellation driven by the facade's `AbortSignal` listener.

#![allow(
    clippy::result_large_err,
    reason = "results carry codex-core's CodexErr (or its data) by value on the cold error path, \
              as codex-core itself does"
)]

mod batch_text;
mod buffer_pool;
mod cancel;
mod cause;
mod client;
mod error;
mod exec;
mod exec_result;
mod guard;
mod options;
mod stdin;
mod stream;

pub use batch_text::BatchText;
pub use cancel::CancelToken;
pub use cause::{Cause, ForeignCause};
pub use client::{
    ClientOutcome, CreateOutcome, OnRetry, ResponsesClientJs, RetryInfoJs, create_client,
};
pub use error::{ApiErrorJs, ErrorCode, NativeError, TimeoutPhase};
pub use exec::{
    ExecOutcome, OnOutput, OutputChunkJs, OutputStream, SandboxSupportJs, SupportOutcome, exec,
    sandbox_support,
};
pub use exec_result::{ExecResult, LandlockCoverage, SandboxInfo, SandboxKind};
pub use options::{ClientOptions, ExecOptions, InheritEnvMode, SandboxMode, SandboxPolicyOptions};
pub use stdin::{StdinWrite, StdinWriter};
pub use stream::{EventBatch, ResponseStreamJs};
