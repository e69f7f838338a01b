//! Sandboxed launch: turning a command and a [`SandboxPolicy`] into what is actually spawned.
//!
//! - Linux: `codex-linux-sandbox --policy … --cwd … -- argv`, with a status pipe on which the
//!   helper reports the layers it enforced or why it ran nothing.
//! - macOS: `/usr/bin/sandbox-exec -p PROFILE -D… -- argv` (see [`seatbelt`]).
//! - Elsewhere: a sandbox request is [`crate::SandboxErr::Unsupported`].
//!
//! The platform's half lives in one module, `imp`, chosen once below (as tokio's `process`
//! does): `linux.rs`, `macos.rs` or `unsupported.rs`, each with the same items (the last two
//! take the status-pipe items, which they have no use for, from `silent.rs`).
//!
//! Under any sandbox the command sees `CODEX_SANDBOX=linux` or `CODEX_SANDBOX=seatbelt`, and
//! `CODEX_SANDBOX_NETWORK_DISABLED=1` when the policy keeps the network off.

#[cfg(target_os = "linux")]
mod handshake;
#[cfg(target_os = "linux")]
mod helper_path;
#[cfg(target_os = "linux")]
mod linux_probe;
mod report;
pub mod seatbelt;
#[cfg(not(target_os = "linux"))]
mod silent;
#[cfg(target_os = "linux")]
pub(crate) mod status_pipe;
mod support;

#[cfg(target_os = "linux")]
#[path = "linux.rs"]
mod imp;
#[cfg(target_os = "macos")]
#[path = "macos.rs"]
mod imp;
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
#[path = "unsupported.rs"]
mod imp;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use codex_sandbox_policy::HelperStatus;
pub use codex_sandbox_policy::{
    Denial, DenialReport, HELPER_NAME, ReadOnlyPolicy, SandboxPolicy, WorkspaceWritePolicy,
};
#[cfg(target_os = "linux")]
pub use helper_path::HELPER_PATH_ENV;
pub use report::{SandboxKind, SandboxReport};
pub use support::{SandboxLayer, SandboxSupport, sandbox_support, sandbox_support_with};

use crate::error::{CodexErr, Result};

/// Set for every sandboxed command to the sandbox's kind (`linux` or `seatbelt`).
pub const CODEX_SANDBOX_ENV: &str = "CODEX_SANDBOX";
/// Set to `1` for a sandboxed command whose policy keeps the network off.
pub const CODEX_SANDBOX_NETWORK_DISABLED_ENV: &str = "CODEX_SANDBOX_NETWORK_DISABLED";

/// Where to look for `codex-linux-sandbox` (DESIGN.md §4); only Linux looks.
///
/// The first rule that names a place wins: the `explicit` paths alone; else the path in
/// `CODEX_LINUX_SANDBOX_EXE` alone (an explicit choice is never second-guessed); else the
/// helper in each of `dirs`, where the embedding program installed it (the npm package's
/// platform directory…); else next to the current executable, then in each `PATH` entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelperSearch<'a> {
    /// Paths the caller chose, tried in order.
    pub explicit: &'a [PathBuf],
    /// Directories where the embedding program installed the helper, tried in order.
    pub dirs: &'a [PathBuf],
}

/// What to spawn for one command, and what the spawned process will tell us.
#[derive(Debug)]
pub(crate) struct Launch {
    /// The program to spawn: the command itself or the sandbox's launcher.
    pub(crate) program: OsString,
    /// Its arguments.
    pub(crate) args: Vec<OsString>,
    /// The sandbox it runs under.
    pub(crate) kind: SandboxKind,
    /// Variables added to the command's environment.
    pub(crate) env: Vec<(&'static str, &'static str)>,
    /// The launcher's status pipe, if it reports on one (the Linux helper does).
    pub(crate) status: Option<imp::StatusPipe>,
}

impl Launch {
    /// Lets the spawned launcher inherit the write end of the status pipe, if there is one.
    pub(crate) fn hand_status_to(&self, command: &mut tokio::process::Command) {
        if let Some(pipe) = &self.status {
            imp::hand_status_to(pipe, command);
        }
    }

    /// Starts listening to the launcher after spawn: what it will report, or nothing to wait
    /// for.
    ///
    /// # Errors
    /// [`CodexErr::Spawn`] when the pipe cannot be registered with the runtime.
    pub(crate) fn status_listener(&mut self) -> Result<StatusListener> {
        let reader = self
            .status
            .take()
            .map(imp::listen)
            .transpose()
            .map_err(|source| CodexErr::Spawn { source })?;
        Ok(StatusListener(reader))
    }
}

/// The read side of the launcher's status pipe, if the launch has one.
#[derive(Debug)]
pub(crate) struct StatusListener(Option<imp::StatusReader>);

impl StatusListener {
    /// Every message until EOF or `stop`; none when there is no status pipe.
    pub(crate) async fn read(
        self,
        stop: &tokio_util::sync::CancellationToken,
    ) -> Vec<HelperStatus> {
        match self.0 {
            Some(reader) => imp::read_status(reader, stop).await,
            None => Vec::new(),
        }
    }
}

/// Where `exec` should look for things, besides the command itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LaunchContext<'a> {
    /// The workspace root (the command's cwd).
    pub(crate) cwd: &'a Path,
    /// The command's `$TMPDIR`, which workspace-write makes writable.
    pub(crate) tmpdir: Option<&'a Path>,
    /// Where to look for the Linux helper.
    pub(crate) helper: HelperSearch<'a>,
    /// The caller's cancellation, which also ends the wait for a helper's first answer.
    pub(crate) cancel: &'a tokio_util::sync::CancellationToken,
}

/// The sandbox report of a finished run from what the launcher said, or the error that replaces
/// the run's result (the helper ran nothing, or could not exec the command).
///
/// `killed` says whether we ended the run (timeout, cancellation): a helper killed before it
/// reported is not an error then.
pub(crate) fn sandbox_report(
    kind: SandboxKind,
    messages: Vec<HelperStatus>,
    killed: bool,
    program: &str,
    cwd: &Path,
) -> Result<SandboxReport> {
    match kind {
        // Only the Linux helper reports; the others are what they were asked to be.
        SandboxKind::Linux => imp::helper_report(messages, killed, program, cwd),
        kind => Ok(SandboxReport {
            kind,
            ..SandboxReport::default()
        }),
    }
}

/// Decides how `argv` is launched under `policy`.
///
/// # Errors
/// [`CodexErr::SandboxExecutableNotFound`] when the Linux helper is nowhere to be found,
/// [`CodexErr::SandboxExecutableRejected`] when what was found is not the helper,
/// [`crate::SandboxErr::Unsupported`] on a platform without a sandbox, [`CodexErr::Spawn`]
/// when the status pipe cannot be created, and [`CodexErr::Interrupted`] when the caller
/// cancels meanwhile.
pub(crate) async fn launch(
    argv: &[String],
    policy: Option<&SandboxPolicy>,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    match policy.filter(|policy| !policy.is_full_access()) {
        Some(policy) => imp::sandboxed(argv, policy, context).await,
        None => Ok(direct(argv)),
    }
}

fn direct(argv: &[String]) -> Launch {
    Launch {
        program: argv.first().map(OsString::from).unwrap_or_default(),
        args: argv.iter().skip(1).map(OsString::from).collect(),
        kind: SandboxKind::None,
        env: Vec::new(),
        status: None,
    }
}

/// The variables a command sandboxed as `kind` under `policy` gets: `CODEX_SANDBOX`, and
/// `CODEX_SANDBOX_NETWORK_DISABLED=1` when the network is off.
pub fn sandbox_env(kind: SandboxKind, policy: &SandboxPolicy) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![(CODEX_SANDBOX_ENV, kind.as_str())];
    if !policy.has_network_access() {
        env.push((CODEX_SANDBOX_NETWORK_DISABLED_ENV, "1"));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_access_and_no_policy_launch_the_command_itself() {
        let argv = vec!["echo".to_string(), "hi".to_string()];
        let cancel = tokio_util::sync::CancellationToken::new();
        let context = LaunchContext {
            cwd: Path::new("/"),
            tmpdir: None,
            helper: HelperSearch::default(),
            cancel: &cancel,
        };
        for policy in [None, Some(&SandboxPolicy::DangerFullAccess)] {
            let launch = launch(&argv, policy, context).await.unwrap();
            assert_eq!(launch.program, "echo");
            assert_eq!(launch.args, vec![OsString::from("hi")]);
            assert_eq!(launch.kind, SandboxKind::None);
            assert!(launch.env.is_empty());
        }
    }

    #[test]
    fn sandboxed_commands_learn_the_kind_and_the_network_state() {
        let closed = SandboxPolicy::ReadOnly(ReadOnlyPolicy::default());
        assert_eq!(
            sandbox_env(SandboxKind::Linux, &closed),
            vec![
                ("CODEX_SANDBOX", "linux"),
                ("CODEX_SANDBOX_NETWORK_DISABLED", "1")
            ]
        );
        let open = SandboxPolicy::ReadOnly(ReadOnlyPolicy {
            network_access: true,
            ..ReadOnlyPolicy::default()
        });
        assert_eq!(
            sandbox_env(SandboxKind::Seatbelt, &open),
            vec![("CODEX_SANDBOX", "seatbelt")]
        );
    }
}
