//! [`ExecResult`]: an [`ExecOutput`] as the object JavaScript receives.

use codex_core::exec::{ExecOutput, ExitOutcome, SandboxKind};
use codex_sandbox_policy::LandlockCoverage;
use napi_derive::napi;

/// What a command left behind (DESIGN.md §3); the facade adds the signal's name.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct ExecResult {
    /// The exit code, when the process exited by itself.
    pub exit_code: Option<i32>,
    /// The number of the signal that ended the process.
    pub signal_number: Option<i32>,
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
    /// Whether any stream went over the cap.
    pub truncated: bool,
    /// Wall time from spawn to the end of draining.
    pub duration_ms: f64,
    /// The sandbox the command ran under.
    pub sandbox: SandboxInfo,
}

/// Which sandbox a command ran under and which layers it had.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct SandboxInfo {
    /// `none`, `linux` or `seatbelt`.
    pub kind: String,
    /// `full` or `partial` Landlock coverage (Linux).
    pub landlock: Option<String>,
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
            signal_number: output.signal,
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
            sandbox: SandboxInfo {
                kind: match output.sandbox.kind {
                    SandboxKind::None => "none",
                    SandboxKind::Linux => "linux",
                    SandboxKind::Seatbelt => "seatbelt",
                }
                .to_owned(),
                landlock: output.sandbox.landlock.map(|coverage| {
                    match coverage {
                        LandlockCoverage::Full => "full",
                        LandlockCoverage::Partial => "partial",
                    }
                    .to_owned()
                }),
                seccomp: output.sandbox.seccomp,
                mount_namespace: output.sandbox.mount_namespace,
            },
        }
    }
}
