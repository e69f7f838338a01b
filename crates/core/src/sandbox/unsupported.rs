//! Platforms without a sandbox (Windows…): a sandboxed command is refused, nothing runs.

use codex_sandbox_policy::SandboxPolicy;

pub(super) use super::silent::{
    StatusPipe, StatusReader, hand_status_to, helper_report, listen, read_status,
};
use super::{HelperSearch, Launch, LaunchContext, SandboxSupport};
use crate::error::{Result, SandboxErr};

/// `process.platform`'s name for this platform.
#[cfg(windows)]
pub(super) const PLATFORM: &str = "win32";
/// `process.platform`'s name for this platform.
#[cfg(not(windows))]
pub(super) const PLATFORM: &str = std::env::consts::OS;

/// Refuses: this platform has no sandbox.
pub(super) async fn sandboxed(
    _argv: &[String],
    _policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    // Nothing here uses where the command would have run.
    let LaunchContext {
        cwd: _cwd,
        tmpdir: _tmpdir,
        helper: _helper,
        cancel: _cancel,
    } = context;
    Err(SandboxErr::Unsupported {
        platform: PLATFORM.into(),
    }
    .into())
}

/// There is nothing to probe; the one problem is the platform.
pub(super) async fn probe(support: &mut SandboxSupport, _search: HelperSearch<'_>) {
    support
        .problems
        .push(format!("sandboxing is not supported on {PLATFORM}"));
}
