//! Run a command: timeouts, process groups, bounded output, sandboxed launch (DESIGN.md §3).
//!
//! [`exec`] takes [`ExecParams`] and returns an [`ExecOutput`] saying how the run ended. The
//! child leads its own process group, so a timeout or a cancellation kills grandchildren too
//! (SIGTERM, then SIGKILL after [`ExecParams::kill_grace`]); on Linux it also dies with the
//! thread that spawned it. Output is read to the end but only head and tail are kept.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> codex_core::Result<()> {
//! use codex_core::exec::{ExecParams, exec};
//!
//! let output = exec(ExecParams {
//!     argv: vec!["echo".into(), "hello".into()],
//!     ..ExecParams::default()
//! })
//! .await?;
//! assert_eq!(output.exit_code, Some(0));
//! assert_eq!(output.stdout.text, "hello\n");
//! # Ok(())
//! # }
//! ```

mod capture;
mod child;
mod collect;
mod denial;
mod env;
mod output;
mod params;
#[cfg(target_os = "linux")]
mod proc_stat;
mod reap;
mod run;
mod scope;
mod sink;
mod stdin;

/// Re-exported because an [`ExecOutput`] carries a [`SandboxReport`].
pub use crate::sandbox::{SandboxKind, SandboxReport};
pub use codex_sandbox_policy::LandlockCoverage;
pub use output::{CapturedText, ExecOutput, ExitOutcome};
pub use params::{
    DEFAULT_DRAIN_TIMEOUT, DEFAULT_KILL_GRACE, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT, ExecEnv,
    ExecParams, InheritEnv,
};
#[cfg(target_os = "linux")]
pub use proc_stat::ProcStat;
pub use run::exec;
pub use scope::CommandScope;
pub use sink::{
    DEFAULT_OUTPUT_IN_FLIGHT, OutputChunk, OutputReceiver, OutputSink, OutputStream, output_channel,
};
pub use stdin::{ExecStdin, StdinStream};
