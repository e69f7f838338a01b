//! What a launcher without a status pipe (Seatbelt, or none at all) has in place of one: types
//! that cannot be built and functions that are never called, so that `mod.rs` reads the same on
//! every platform.

use std::convert::Infallible;
use std::io;

use codex_sandbox_policy::HelperStatus;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::SandboxReport;
use crate::error::{CodexErr, Result};

/// There is no status pipe.
pub(crate) type StatusPipe = Infallible;

/// There is no status pipe.
pub(crate) type StatusReader = Infallible;

/// Never called: there is no status pipe.
pub(crate) fn hand_status_to(pipe: &StatusPipe, _command: &mut Command) {
    match *pipe {}
}

/// Never called: there is no status pipe.
pub(crate) fn listen(pipe: StatusPipe) -> io::Result<StatusReader> {
    match pipe {}
}

/// Never called: there is no status pipe.
pub(crate) async fn read_status(
    reader: StatusReader,
    _stop: &CancellationToken,
) -> Vec<HelperStatus> {
    match reader {}
}

/// Never called: no helper runs here, so a helper's report would be a bug.
pub(crate) fn helper_report(
    _messages: Vec<HelperStatus>,
    _killed: bool,
    _program: &str,
    _cwd: &std::path::Path,
) -> Result<SandboxReport> {
    Err(CodexErr::Internal(
        "a sandbox helper report on a platform without the helper".into(),
    ))
}
