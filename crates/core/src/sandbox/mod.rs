//! Sandboxed launch: turning a command and a [`SandboxPolicy`] into what is actually spawned.
//!
//! - Linux: `codex-linux-sandbox --policy … --cwd … -- argv`, with a status pipe on which the
//!   helper reports the layers it enforced or why it ran nothing.
//! - macOS: `/usr/bin/sandbox-exec -p PROFILE -D… -- argv` (see [`seatbelt`]).
//! - Elsewhere: a sandbox request is [`crate::SandboxErr::Unsupported`].
//!
//! Under any sandbox the command sees `CODEX_SANDBOX=linux` or `CODEX_SANDBOX=seatbelt`, and
//! `CODEX_SANDBOX_NETWORK_DISABLED=1` when the policy keeps the network off.

#[cfg(target_os = "linux")]
mod helper_path;
#[cfg(target_os = "linux")]
mod linux_probe;
pub mod seatbelt;
#[cfg(target_os = "linux")]
pub(crate) mod status_pipe;
mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use codex_sandbox_policy::{
    Denial, DenialReport, ReadOnlyPolicy, SandboxPolicy, WorkspaceWritePolicy,
};
#[cfg(target_os = "linux")]
pub use helper_path::{HELPER_NAME, HELPER_PATH_ENV};
pub use support::{SandboxSupport, sandbox_support};

use crate::error::Result;
use crate::exec::{SandboxKind, SandboxReport};

/// Set for every sandboxed command to the sandbox's kind (`linux` or `seatbelt`).
pub const CODEX_SANDBOX_ENV: &str = "CODEX_SANDBOX";
/// Set to `1` for a sandboxed command whose policy keeps the network off.
pub const CODEX_SANDBOX_NETWORK_DISABLED_ENV: &str = "CODEX_SANDBOX_NETWORK_DISABLED";

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
    /// The helper's status pipe (Linux sandbox only).
    #[cfg(target_os = "linux")]
    pub(crate) status: Option<status_pipe::StatusPipe>,
}

impl Launch {
    /// Lets the spawned helper inherit the write end of the status pipe, if there is one.
    pub(crate) fn hand_status_to(&self, command: &mut tokio::process::Command) {
        #[cfg(target_os = "linux")]
        if let Some(pipe) = &self.status {
            pipe.hand_to(command);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = command;
    }

    /// Starts listening to the helper after spawn: what it will report, or nothing to wait for.
    ///
    /// # Errors
    /// [`crate::CodexErr::Spawn`] when the pipe cannot be registered with the runtime.
    pub(crate) fn status_listener(&mut self) -> Result<StatusListener> {
        #[cfg(target_os = "linux")]
        if let Some(pipe) = self.status.take() {
            let reader = pipe
                .into_reader()
                .map_err(|source| crate::error::CodexErr::Spawn { source })?;
            return Ok(StatusListener(Some(reader)));
        }
        Ok(StatusListener(None))
    }
}

/// The read side of the helper's status pipe, if the launch has one.
#[derive(Debug)]
pub(crate) struct StatusListener(
    #[cfg(target_os = "linux")] Option<tokio::net::unix::pipe::Receiver>,
    #[cfg(not(target_os = "linux"))] Option<std::convert::Infallible>,
);

impl StatusListener {
    /// Every message until EOF or `stop`; none when there is no helper.
    pub(crate) async fn read(
        self,
        stop: &tokio_util::sync::CancellationToken,
    ) -> Vec<codex_sandbox_policy::HelperStatus> {
        match self.0 {
            #[cfg(target_os = "linux")]
            Some(reader) => status_pipe::read_status(reader, stop).await,
            #[cfg(not(target_os = "linux"))]
            Some(never) => match never {},
            None => {
                let _ = stop;
                Vec::new()
            }
        }
    }
}

/// Where `exec` should look for things, besides the command itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LaunchContext<'a> {
    /// The workspace root (the command's cwd).
    #[cfg_attr(not(any(target_os = "linux", target_os = "macos")), allow(dead_code))]
    pub(crate) cwd: &'a Path,
    /// The command's `$TMPDIR`, which workspace-write makes writable.
    #[cfg_attr(not(target_os = "macos"), allow(dead_code))]
    pub(crate) tmpdir: Option<&'a Path>,
    /// Where to look for the Linux helper.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) helper_candidates: &'a [PathBuf],
}

/// The sandbox report of a finished run from what the launcher said, or the error that replaces
/// the run's result (the helper ran nothing, or could not exec the command).
///
/// `killed` says whether we ended the run (timeout, cancellation): a helper killed before it
/// reported is not an error then.
pub(crate) fn sandbox_report(
    kind: SandboxKind,
    messages: Vec<codex_sandbox_policy::HelperStatus>,
    killed: bool,
    program: &str,
    cwd: &Path,
) -> Result<SandboxReport> {
    match kind {
        #[cfg(target_os = "linux")]
        SandboxKind::Linux => status_pipe::linux_report(messages, killed, program, cwd),
        _ => {
            let _ = (messages, killed, program, cwd);
            Ok(SandboxReport {
                kind,
                ..SandboxReport::default()
            })
        }
    }
}

/// Decides how `argv` is launched under `policy`.
///
/// # Errors
/// [`crate::CodexErr::LandlockSandboxExecutableNotProvided`] when the Linux helper is nowhere to
/// be found, [`crate::SandboxErr::Unsupported`] on a platform without a sandbox, and
/// [`crate::CodexErr::Spawn`]
/// when the status pipe cannot be created.
pub(crate) fn launch(
    argv: &[String],
    policy: Option<&SandboxPolicy>,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    let Some(policy) = policy.filter(|policy| !policy.is_full_access()) else {
        return Ok(direct(argv));
    };
    sandboxed(argv, policy, context)
}

fn direct(argv: &[String]) -> Launch {
    Launch {
        program: argv.first().map(OsString::from).unwrap_or_default(),
        args: argv.iter().skip(1).map(OsString::from).collect(),
        kind: SandboxKind::None,
        env: Vec::new(),
        #[cfg(target_os = "linux")]
        status: None,
    }
}

#[cfg_attr(not(any(target_os = "linux", target_os = "macos")), allow(dead_code))]
fn sandbox_env(kind: &'static str, policy: &SandboxPolicy) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![(CODEX_SANDBOX_ENV, kind)];
    if !policy.has_network_access() {
        env.push((CODEX_SANDBOX_NETWORK_DISABLED_ENV, "1"));
    }
    env
}

#[cfg(target_os = "linux")]
fn sandboxed(
    argv: &[String],
    policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    use codex_sandbox_policy::HelperInvocation;

    use crate::error::CodexErr;

    let helper = helper_path::find_helper(context.helper_candidates)
        .map_err(|searched| CodexErr::LandlockSandboxExecutableNotProvided { searched })?;
    let invocation = HelperInvocation {
        policy: policy.resolved_against(context.cwd),
        cwd: Some(context.cwd.to_path_buf()),
        command: argv.iter().map(OsString::from).collect(),
    };
    let status = status_pipe::StatusPipe::new().map_err(|source| CodexErr::Spawn { source })?;
    Ok(Launch {
        program: helper.into_os_string(),
        args: invocation.to_args(),
        kind: SandboxKind::Linux,
        env: sandbox_env("linux", policy),
        status: Some(status),
    })
}

#[cfg(target_os = "macos")]
fn sandboxed(
    argv: &[String],
    policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    Ok(Launch {
        program: OsString::from(seatbelt::SANDBOX_EXEC),
        args: seatbelt::seatbelt_args(policy, context.cwd, context.tmpdir, argv),
        kind: SandboxKind::Seatbelt,
        env: sandbox_env("seatbelt", policy),
    })
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn sandboxed(
    _argv: &[String],
    _policy: &SandboxPolicy,
    _context: LaunchContext<'_>,
) -> Result<Launch> {
    Err(crate::error::SandboxErr::Unsupported {
        platform: support::PLATFORM.into(),
    }
    .into())
}

#[cfg(test)]
mod tests {
    use codex_sandbox_policy::{ReadOnlyPolicy, WorkspaceWritePolicy};

    use super::*;

    #[test]
    fn full_access_and_no_policy_launch_the_command_itself() {
        let argv = vec!["echo".to_string(), "hi".to_string()];
        let context = LaunchContext {
            cwd: Path::new("/"),
            tmpdir: None,
            helper_candidates: &[],
        };
        for policy in [None, Some(&SandboxPolicy::DangerFullAccess)] {
            let launch = launch(&argv, policy, context).unwrap();
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
            sandbox_env("linux", &closed),
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
            sandbox_env("seatbelt", &open),
            vec![("CODEX_SANDBOX", "seatbelt")]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_launches_the_helper_with_the_encoded_invocation() {
        use std::os::unix::fs::PermissionsExt;

        use crate::error::CodexErr;

        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join(HELPER_NAME);
        std::fs::write(&helper, "").unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let candidates = [dir.path().join("missing"), helper.clone()];
        let policy = SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
            writable_roots: vec!["rel".into()],
            ..WorkspaceWritePolicy::default()
        });
        let context = LaunchContext {
            cwd: Path::new("/ws"),
            tmpdir: None,
            helper_candidates: &candidates,
        };
        let launch = launch(&["ls".to_string()], Some(&policy), context).unwrap();
        assert_eq!(launch.program, helper.into_os_string());
        let parsed = codex_sandbox_policy::HelperInvocation::parse(launch.args).unwrap();
        // Relative roots are the caller's to resolve: the helper only takes absolute ones.
        assert_eq!(parsed.policy, policy.resolved_against(Path::new("/ws")));
        assert_eq!(
            parsed.policy.writable_roots(Path::new("/ws"), None)[1].path,
            Path::new("/ws/rel")
        );
        assert_eq!(parsed.cwd.as_deref(), Some(Path::new("/ws")));
        assert_eq!(parsed.command, vec![OsString::from("ls")]);
        assert!(launch.status.is_some());

        let missing = [dir.path().join("missing")];
        let context = LaunchContext {
            helper_candidates: &missing,
            ..context
        };
        match super::launch(&["ls".to_string()], Some(&policy), context) {
            Err(CodexErr::LandlockSandboxExecutableNotProvided { searched }) => {
                assert_eq!(searched, missing);
            }
            other => panic!("expected a missing helper, got {other:?}"),
        }
    }
}
