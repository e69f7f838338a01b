//! macOS: commands run under `/usr/bin/sandbox-exec` with a Seatbelt profile; nothing reports
//! back, so there is no status pipe.

use std::ffi::OsString;
use std::path::Path;

use codex_sandbox_policy::SandboxPolicy;

use super::seatbelt::{SANDBOX_EXEC, seatbelt_args};
pub(super) use super::silent::{
    StatusPipe, StatusReader, hand_status_to, helper_report, listen, read_status,
};
use super::{HelperSearch, Launch, LaunchContext, SandboxKind, SandboxLayer, SandboxSupport};
use crate::error::Result;

/// `process.platform`'s name for this platform.
pub(super) const PLATFORM: &str = "darwin";

/// `sandbox-exec -p PROFILE -D… -- argv`.
pub(super) async fn sandboxed(
    argv: &[String],
    policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    // Seatbelt needs no helper.
    let LaunchContext {
        cwd,
        tmpdir,
        helper: _no_helper,
        cancel: _nothing_to_wait_for,
    } = context;
    Ok(Launch {
        program: OsString::from(SANDBOX_EXEC),
        args: seatbelt_args(policy, cwd, tmpdir, argv),
        kind: SandboxKind::Seatbelt,
        env: super::sandbox_env(SandboxKind::Seatbelt, policy),
        status: None,
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
    support.layers = vec![SandboxLayer {
        name: "seatbelt",
        enforced: support.seatbelt,
        detail: "a Seatbelt profile: writes only in the writable roots, the network as the policy says; .git protection, Unix-socket supervision and namespaces are Linux-only".into(),
    }];
}
