//! [`sandbox_support`]: what this machine can enforce, for a CLI's start-up check.

use std::path::PathBuf;

use super::{HelperSearch, imp};

/// What the machine enforces, and one actionable sentence for each missing piece.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxSupport {
    /// `process.platform`-style name: `linux`, `darwin`, `win32`.
    pub platform: &'static str,
    /// The `codex-linux-sandbox` that would be used (Linux).
    pub helper_path: Option<PathBuf>,
    /// The kernel's Landlock ABI, `None` without Landlock (Linux).
    pub landlock_abi: Option<u32>,
    /// Whether seccomp filters are available (Linux).
    pub seccomp: bool,
    /// Whether user namespaces (for the read-only mount layer) are allowed (Linux).
    pub user_namespaces: bool,
    /// Whether `/usr/bin/sandbox-exec` exists (macOS).
    pub seatbelt: bool,
    /// What is missing and what to do about it, one sentence each; empty when all is well.
    pub problems: Vec<String>,
    /// Each layer of the sandbox: enforced here or not, and what that means.
    pub layers: Vec<SandboxLayer>,
}

/// One layer of the sandbox on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxLayer {
    /// Its name: `landlock`, `seccomp`, `namespaces`, `seatbelt`.
    pub name: &'static str,
    /// Whether this machine enforces it.
    pub enforced: bool,
    /// What it holds here, or what is left open without it and how to get it — in words a user
    /// can act on.
    pub detail: String,
}

/// Probes the sandbox support of this machine, trying the helper at `candidates` alone (empty:
/// the search of [`HelperSearch`] without installed directories).
///
/// On Linux the kernel is asked directly (Landlock ABI, seccomp, user-namespace switches), and
/// when the helper is found it is run on `true` under workspace-write: what it reports enforcing
/// is the truthful answer and overrides the direct probes.
pub async fn sandbox_support(candidates: &[PathBuf]) -> SandboxSupport {
    sandbox_support_with(HelperSearch {
        explicit: candidates,
        dirs: &[],
    })
    .await
}

/// [`sandbox_support`] with the helper searched as `exec` searches it (see [`HelperSearch`]).
pub async fn sandbox_support_with(search: HelperSearch<'_>) -> SandboxSupport {
    let mut support = SandboxSupport {
        platform: imp::PLATFORM,
        ..SandboxSupport::default()
    };
    imp::probe(&mut support, search).await;
    support
}
