//! Platforms without a sandbox (Windows…): a sandboxed command is refused, nothing runs.

use std::convert::Infallible;
use std::io;

use codex_sandbox_policy::{HelperStatus, SandboxPolicy};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::{HelperSearch, Launch, LaunchContext, SandboxKind, SandboxReport, SandboxSupport};
use crate::error::{Result, SandboxErr};

/// `process.platform`'s name for this platform.
#[cfg(windows)]
pub(super) const PLATFORM: &str = "win32";
/// `process.platform`'s name for this platform.
#[cfg(not(windows))]
pub(super) const PLATFORM: &str = std::env::consts::OS;

/// Nothing is ever launched under a sandbox here.
pub(super) type StatusPipe = Infallible;

/// Nothing is ever launched under a sandbox here.
pub(super) type StatusReader = Infallible;

/// Refuses: this platform has no sandbox.
pub(super) fn sandboxed(
    _argv: &[String],
    _policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    // Nothing here uses where the command would have run.
    let LaunchContext {
        cwd: _cwd,
        tmpdir: _tmpdir,
        helper: _helper,
    } = context;
    Err(SandboxErr::Unsupported {
        platform: PLATFORM.into(),
    }
    .into())
}

/// Never called: there is no status pipe.
pub(super) fn hand_status_to(pipe: &StatusPipe, _command: &mut Command) {
    match *pipe {}
}

/// Never called: there is no status pipe.
pub(super) fn listen(pipe: StatusPipe) -> io::Result<StatusReader> {
    match pipe {}
}

/// Never called: there is no status pipe.
pub(super) async fn read_status(
    reader: StatusReader,
    _stop: &CancellationToken,
) -> Vec<HelperStatus> {
    match reader {}
}

/// Never called with a sandbox kind: nothing is sandboxed here.
pub(super) fn report(
    kind: SandboxKind,
    _messages: Vec<HelperStatus>,
    _killed: bool,
    _program: &str,
) -> Result<SandboxReport> {
    Ok(SandboxReport {
        kind,
        ..SandboxReport::default()
    })
}

/// There is nothing to probe; the one problem is the platform.
pub(super) async fn probe(support: &mut SandboxSupport, _search: HelperSearch<'_>) {
    support
        .problems
        .push(format!("sandboxing is not supported on {PLATFORM}"));
}
