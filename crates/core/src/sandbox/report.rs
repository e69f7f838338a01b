//! [`SandboxReport`]: which sandbox a command ran under, and which layers it had.

use codex_sandbox_policy::LandlockCoverage;

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

/// Which sandbox a command ran under, and which layers were enforced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
}
