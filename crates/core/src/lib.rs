//! codex-core: the logic behind codex-native.
//!
//! - [`exec`](mod@exec): run a command with a timeout, process-group kill, bounded output and
//!   an optional sandbox, reporting exactly how it ended.
//! - [`sandbox`]: the sandbox policy, how a command is launched under it (Linux helper, macOS
//!   Seatbelt), and [`sandbox_support`] for what this machine enforces.
//! - [`client`]: stream an OpenAI Responses API response as events, with retries and typed failures.
//! - [`CodexErr`] / [`SandboxErr`]: the error taxonomy shared with JavaScript (DESIGN.md §2).

#![allow(
    clippy::result_large_err,
    reason = "CodexErr is the public taxonomy: its fields sit inline so the binding copies them \
              without unboxing, and errors are the cold path"
)]

pub mod client;
mod error;
mod error_code;
pub mod exec;
mod os_names;
pub mod sandbox;

pub use client::{ClientConfig, ResponseEvent, ResponseStream, ResponsesClient, RetryInfo};
pub use error::{
    ApiError, BoxError, CodexErr, EnvVarError, ErrorCode, HttpFailure, Result, SandboxErr,
};
pub use exec::{ExecEnv, ExecOutput, ExecParams, InheritEnv, OutputChunk, OutputStream, exec};
pub use os_names::{errno_name, signal_name};
pub use sandbox::{SandboxPolicy, SandboxSupport, sandbox_support};
