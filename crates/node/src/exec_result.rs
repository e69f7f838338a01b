//! [`ExecResult`]: an [`ExecOutput`] in the shape `exec` resolves with (DESIGN.md §3), built here
//! once; the facade passes it through.

use codex_core::exec::{self as core, ExecOutput, ExitOutcome, SandboxReport};
use codex_core::signal_name;
use napi_derive::napi;

/// What a command left behind (DESIGN.md §3).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug)]
pub struct ExecResult {
    /// The exit code, when the process exited by itself.
    pub exit_code: Option<i32>,
    /// Node's name of the signal that ended the process, e.g. `SIGSEGV`.
    pub signal: Option<String>,
    /// Whether the timeout killed the command.
    pub timed_out: bool,
    /// Whether an abort killed the command.
    pub aborted: bool,
    /// Whether the sandbox caused the non-zero exit, by the evidence rule.
    pub sandbox_denied: bool,
    /// Kept standard output.
    pub stdout: String,
    /// Kept standard error.
    pub stderr: String,
    /// Both streams interleaved in arrival order.
    pub aggregated_output: String,
    /// Bytes seen on stdout, kept or not.
    pub stdout_bytes: f64,
    /// Bytes seen on stderr, kept or not.
    pub stderr_bytes: f64,
    /// Whether any stream went over the cap (head and tail kept, with a marker between).
    pub truncated: bool,
    /// Wall time from spawn to the end of draining.
    pub duration_ms: f64,
    /// The sandbox the command ran under.
    pub sandbox: SandboxInfo,
}

/// The kind of sandbox a command ran under.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxKind {
    /// No sandbox.
    None,
    /// `codex-linux-sandbox`.
    Linux,
    /// macOS `sandbox-exec`.
    Seatbelt,
}

/// How much of the kernel's Landlock the Linux sandbox could use.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LandlockCoverage {
    /// Everything the helper knows how to restrict.
    Full,
    /// Filesystem rules, without some later protection.
    Partial,
}

/// Which sandbox a command ran under and which layers it had; a layer the platform does not
/// have is absent rather than null.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct SandboxInfo {
    /// The kind of sandbox.
    pub kind: SandboxKind,
    /// Landlock coverage (Linux).
    pub landlock: Option<LandlockCoverage>,
    /// Whether the seccomp network filter was installed (Linux).
    pub seccomp: Option<bool>,
    /// Whether outside files were on read-only mounts (Linux).
    pub mount_namespace: Option<bool>,
}

impl From<ExecOutput> for ExecResult {
    fn from(output: ExecOutput) -> Self {
        let truncated =
            output.stdout.truncated || output.stderr.truncated || output.aggregated.truncated;
        ExecResult {
            exit_code: output.exit_code,
            signal: output.signal.map(|signal| signal_name(signal).into_owned()),
            timed_out: output.outcome == ExitOutcome::TimedOut,
            aborted: output.outcome == ExitOutcome::Cancelled,
            sandbox_denied: output.sandbox_denied,
            stdout: output.stdout.text,
            stderr: output.stderr.text,
            aggregated_output: output.aggregated.text,
            // Exact up to 2^53 bytes, which no command produces.
            stdout_bytes: output.stdout.total_bytes as f64,
            stderr_bytes: output.stderr.total_bytes as f64,
            truncated,
            duration_ms: output.duration.as_secs_f64() * 1000.0,
            sandbox: SandboxInfo::from(output.sandbox),
        }
    }
}

impl From<SandboxReport> for SandboxInfo {
    fn from(report: SandboxReport) -> Self {
        SandboxInfo {
            kind: match report.kind {
                core::SandboxKind::None => SandboxKind::None,
                core::SandboxKind::Linux => SandboxKind::Linux,
                core::SandboxKind::Seatbelt => SandboxKind::Seatbelt,
            },
            landlock: report.landlock.map(|coverage| match coverage {
                core::LandlockCoverage::Full => LandlockCoverage::Full,
                core::LandlockCoverage::Partial => LandlockCoverage::Partial,
            }),
            seccomp: report.seccomp,
            mount_namespace: report.mount_namespace,
        }
    }
}
