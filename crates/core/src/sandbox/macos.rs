//! macOS: commands run under `/usr/bin/sandbox-exec` with a Seatbelt profile; nothing reports
//! back, so there is no status pipe.

use std::convert::Infallible;
use std::ffi::OsString;
use std::io;
use std::path::Path;

use codex_sandbox_policy::{HelperStatus, SandboxPolicy};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::seatbelt::{SANDBOX_EXEC, seatbelt_args};
use super::{HelperSearch, Launch, LaunchContext, SandboxKind, SandboxReport, SandboxSupport};
use crate::error::Result;

/// `process.platform`'s name for this platform.
pub(super) const PLATFORM: &str = "darwin";

/// `sandbox-exec` has no status pipe.
pub(super) type StatusPipe = Infallible;

/// `sandbox-exec` has no status pipe.
pub(super) type StatusReader = Infallible;

/// `sandbox-exec -p PROFILE -D… -- argv`.
pub(super) fn sandboxed(
    argv: &[String],
    policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    // Seatbelt needs no helper.
    let LaunchContext {
        cwd,
        tmpdir,
        helper: _no_helper,
    } = context;
    Ok(Launch {
        program: OsString::from(SANDBOX_EXEC),
        args: seatbelt_args(policy, cwd, tmpdir, argv),
        kind: SandboxKind::Seatbelt,
        env: super::sandbox_env(SandboxKind::Seatbelt, policy),
        status: None,
    })
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

/// Seatbelt reports nothing: the report is only the kind.
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

/// Whether `sandbox-exec` is there.
pub(super) async fn probe(support: &mut SandboxSupport, _search: HelperSearch<'_>) {
    support.seatbelt = Path::new(SANDBOX_EXEC).exists();
    if !support.seatbelt {
        support.problems.push(format!(
            "{SANDBOX_EXEC} is missing, so commands cannot be sandboxed"
        ));
    }
}
