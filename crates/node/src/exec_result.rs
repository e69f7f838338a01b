//! [`ExecResult`]: an [`ExecOutput`] in the shape `exec` resolves with (DESIGN.md §3), built here
//! once; the facade passes it through.

use codex_core::exec::{self as core, ExecOutput, ExitOutcome, SandboxReport};
use codex_core::sandbox::Denial;
use codex_core::signal_name;
use napi_derive::napi;

use crate::error::NativeError;

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
    /// Why the command never started (not found, not executable, an unusable cwd, aborted
    /// first); null when it started.
    pub start_error: Option<NativeError>,
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

/// Which sandbox a command ran under, which layers it had and what it refused; a layer the
/// platform does not have is absent rather than null.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct SandboxInfo {
    /// The kind of sandbox.
    pub kind: SandboxKind,
    /// Landlock coverage (Linux): `full` only at ABI 9, which confines Unix socket paths too.
    pub landlock: Option<LandlockCoverage>,
    /// The kernel's Landlock ABI that was used (Linux).
    pub landlock_abi: Option<u32>,
    /// Whether the seccomp filter was installed (Linux): terminal injection, keyrings, setuid
    /// bits, io_uring; sockets with the network off; Unix-socket connects supervised.
    pub seccomp: Option<bool>,
    /// Whether outside files were on read-only mounts (Linux).
    pub mount_namespace: Option<bool>,
    /// Whether the command ran in its own PID namespace, all of which died with it (Linux).
    pub pid_namespace: Option<bool>,
    /// Whether the command had its own SysV IPC namespace (Linux).
    pub ipc_namespace: Option<bool>,
    /// Paths kept read-only inside the writable roots, a placeholder bound where one was
    /// missing (Linux).
    pub protected_paths: Option<Vec<String>>,
    /// Protected paths that were missing and could not be kept from being created (Linux,
    /// without user namespaces).
    pub unprotected_paths: Option<Vec<String>>,
    /// What the sandbox refused while the command ran, the first 32 in full (Linux): the
    /// evidence behind `sandboxDenied`.
    pub denials: Option<Vec<SandboxDenial>>,
    /// How many refusals there were in all, listed or not (Linux).
    pub denial_count: Option<f64>,
}

/// What a refusal was about.
#[napi(string_enum = "camelCase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialKind {
    /// A socket the network policy does not allow.
    Network,
    /// A connect to a Unix socket outside what the policy allows.
    UnixSocket,
}

/// One thing the sandbox refused.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct SandboxDenial {
    /// What it was about.
    pub kind: DenialKind,
    /// The address family, e.g. `AF_INET` (network).
    pub family: Option<String>,
    /// The socket type, e.g. `SOCK_STREAM` (network).
    pub socket_type: Option<String>,
    /// The socket path the command asked for (unixSocket).
    pub path: Option<String>,
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
            start_error: None,
        }
    }
}

impl ExecResult {
    /// The result of a command that never started, for `error`: no exit, no output, no
    /// sandbox; `aborted` when the caller's abort came first.
    pub(crate) fn not_started(error: NativeError) -> Self {
        let aborted = matches!(error, NativeError::AbortErr { .. });
        ExecResult {
            exit_code: None,
            signal: None,
            timed_out: false,
            aborted,
            sandbox_denied: false,
            stdout: String::new(),
            stderr: String::new(),
            aggregated_output: String::new(),
            stdout_bytes: 0.0,
            stderr_bytes: 0.0,
            truncated: false,
            duration_ms: 0.0,
            sandbox: SandboxInfo::from(SandboxReport::default()),
            start_error: Some(error),
        }
    }
}

impl From<SandboxReport> for SandboxInfo {
    fn from(report: SandboxReport) -> Self {
        let linux = report.kind == core::SandboxKind::Linux;
        let paths = |paths: Vec<std::path::PathBuf>| {
            linux.then(|| {
                paths
                    .iter()
                    .map(|path| path.display().to_string())
                    .collect()
            })
        };
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
            landlock_abi: report.landlock_abi,
            seccomp: report.seccomp,
            mount_namespace: report.mount_namespace,
            pid_namespace: report.pid_namespace,
            ipc_namespace: report.ipc_namespace,
            protected_paths: paths(report.protected_paths),
            unprotected_paths: paths(report.unprotected_paths),
            denial_count: linux.then_some(report.denials.total as f64),
            denials: linux.then(|| {
                report
                    .denials
                    .records
                    .into_iter()
                    .map(SandboxDenial::from)
                    .collect()
            }),
        }
    }
}

impl From<Denial> for SandboxDenial {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::Network {
                family,
                socket_type,
            } => SandboxDenial {
                kind: DenialKind::Network,
                family: Some(family),
                socket_type: Some(socket_type),
                path: None,
            },
            Denial::UnixSocket { path } => SandboxDenial {
                kind: DenialKind::UnixSocket,
                family: None,
                socket_type: None,
                path: Some(path),
            },
        }
    }
}
