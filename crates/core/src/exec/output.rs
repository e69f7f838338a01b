//! [`ExecOutput`]: everything a finished (or killed) command left behind.

use std::time::Duration;

use crate::sandbox::SandboxReport;

/// How a command's run ended. Internal truth; the public error is derived from it at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitOutcome {
    /// The command exited by itself with this code.
    Exited(i32),
    /// The command was killed by this signal, not by us.
    Signaled(i32),
    /// The timeout expired and we killed the process group.
    TimedOut,
    /// The caller cancelled and we killed the process group.
    Cancelled,
}

/// The text kept from one stream, and how much was really seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapturedText {
    /// The kept text: all of it, or head + marker + tail when over the cap. Invalid UTF-8 is U+FFFD.
    pub text: String,
    /// Every byte the stream produced, kept or not.
    pub total_bytes: u64,
    /// Whether bytes were dropped because of the cap.
    pub truncated: bool,
}

/// Everything a finished, killed or denied command left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    /// How the run ended.
    pub outcome: ExitOutcome,
    /// The exit code, when the process exited by itself.
    pub exit_code: Option<i32>,
    /// The signal that ended the process (ours on timeout/cancel, or its own).
    pub signal: Option<i32>,
    /// Whether the sandbox, by the evidence rule of DESIGN.md §3, caused a non-zero exit.
    pub sandbox_denied: bool,
    /// Captured standard output.
    pub stdout: CapturedText,
    /// Captured standard error.
    pub stderr: CapturedText,
    /// Both streams interleaved in arrival order, under the same cap.
    pub aggregated: CapturedText,
    /// Wall time from spawn to the end of draining.
    pub duration: Duration,
    /// The timeout that was in force, if any.
    pub timeout: Option<Duration>,
    /// The sandbox the command ran under.
    pub sandbox: SandboxReport,
}
