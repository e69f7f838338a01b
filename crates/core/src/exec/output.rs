//! [`ExecOutput`]: everything a finished (or killed) command left behind.

use std::path::PathBuf;
use std::time::Duration;

use codex_sandbox_policy::{DenialReport, LandlockCoverage};

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

/// Which sandbox a command ran under, which layers were enforced, and what it refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxReport {
    /// The kind of sandbox.
    pub kind: SandboxKind,
    /// Landlock coverage (Linux only).
    pub landlock: Option<LandlockCoverage>,
    /// The Landlock ABI version the helper used (Linux only).
    pub landlock_abi: Option<u32>,
    /// Whether the seccomp network filter was installed (Linux only).
    pub seccomp: Option<bool>,
    /// Whether outside files sat on read-only mounts (Linux only).
    pub mount_namespace: Option<bool>,
    /// Whether the command ran in its own PID namespace, all of which died with it (Linux only).
    pub pid_namespace: Option<bool>,
    /// Whether the command had its own SysV IPC namespace (Linux only).
    pub ipc_namespace: Option<bool>,
    /// Paths kept read-only inside the writable roots (`.git`, or a placeholder where it was
    /// missing).
    pub protected_paths: Vec<PathBuf>,
    /// Protected paths that were missing and could not be kept from being created.
    pub unprotected_paths: Vec<PathBuf>,
    /// What the sandbox refused while the command ran (Linux only): the evidence for
    /// [`ExecOutput::sandbox_denied`].
    pub denials: DenialReport,
}

/// The kind of sandbox a command ran under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SandboxKind {
    /// No sandbox.
    #[default]
    None,
    /// `codex-linux-sandbox` (Landlock + seccomp).
    Linux,
    /// macOS `sandbox-exec`.
    Seatbelt,
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
