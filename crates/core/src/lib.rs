//! codex-core: the logic behind codex-native.
//!
//! - [`exec`]: run a command with a timeout, process-group kill, bounded output and an optional
//!   sandbox, reporting exactly how it ended.
//! - [`client`]: stream an OpenAI Responses API response as events, with retries and typed failures.
//! - [`CodexErr`] / [`SandboxErr`]: the error taxonomy shared with JavaScript (DESIGN.md §2).

mod error;
pub mod exec;

pub use codex_sandbox_policy::SandboxPolicy;
pub use error::{
    ApiError, BoxError, CodexErr, EnvVarError, HttpFailure, Result, SandboxErr, errno_name,
};
