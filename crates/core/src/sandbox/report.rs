//! [`SandboxReport`]: which sandbox a command ran under, and which layers it had.

use std::path::PathBuf;

use codex_sandbox_policy::{DenialReport, LandlockCoverage};

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

impl SandboxKind {
    /// The name a sandboxed command sees in `CODEX_SANDBOX` (and JavaScript in `result.sandbox`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SandboxKind::None => "none",
            SandboxKind::Linux => "linux",
            SandboxKind::Seatbelt => "seatbelt",
        }
    }
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
    /// Whether the seccomp filter was installed (Linux only).
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
    /// `ExecOutput::sandbox_denied`.
    pub denials: DenialReport,
}
