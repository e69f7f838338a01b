//! The pipe on which `codex-linux-sandbox` reports what it enforced, and what its reports mean.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use codex_sandbox_policy::{
    DenialReport, EnforcedLayers, HelperStatus, STATUS_FD_ENV, SetupFailure,
};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe::Receiver;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::{SandboxKind, SandboxReport};
use crate::error::{CodexErr, SandboxErr};

/// More than any honest helper writes; the rest is not read.
const MAX_STATUS_BYTES: u64 = 64 * 1024;

/// Both ends of a fresh status pipe, close-on-exec until the child's side is handed over.
#[derive(Debug)]
pub(crate) struct StatusPipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl StatusPipe {
    /// A new pipe, both ends close-on-exec so no other child inherits them.
    ///
    /// # Errors
    /// The OS error from `pipe2`.
    pub(crate) fn new() -> io::Result<StatusPipe> {
        let mut fds: [RawFd; 2] = [-1; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded, so both are fresh descriptors owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        Ok(StatusPipe { read, write })
    }

    /// Lets `command` inherit the write end under its own number, named in `STATUS_FD_ENV`.
    pub(crate) fn hand_to(&self, command: &mut Command) {
        let fd = self.write.as_raw_fd();
        command.env(STATUS_FD_ENV, fd.to_string());
        // SAFETY: fcntl is async-signal-safe; the closure allocates nothing.
        unsafe {
            command.pre_exec(move || {
                if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    /// Closes our copy of the write end (so EOF comes when the helper's copy goes) and returns
    /// the read end.
    ///
    /// # Errors
    /// The OS error when the read end cannot be registered with tokio.
    pub(crate) fn into_reader(self) -> io::Result<Receiver> {
        drop(self.write);
        Receiver::from_owned_fd(self.read)
    }
}

/// Reads the helper's messages until EOF, or until `stop` is cancelled.
pub(crate) async fn read_status(reader: Receiver, stop: &CancellationToken) -> Vec<HelperStatus> {
    let mut bytes = Vec::new();
    let mut limited = reader.take(MAX_STATUS_BYTES);
    tokio::select! {
        biased;
        // Whatever arrived before a read error is still worth parsing.
        _ = limited.read_to_end(&mut bytes) => {}
        () = stop.cancelled() => {}
    }
    HelperStatus::parse_all(&bytes)
}

/// What the helper said, reduced to the one thing that decides the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HelperReport {
    /// The sandbox was in place and the command was exec'd.
    Ready(EnforcedLayers),
    /// Nothing ran.
    SetupFailed(SetupFailure),
    /// The sandbox was in place but the command could not be exec'd.
    ExecFailed(i32),
    /// No message at all: not our helper, or it died before reporting.
    Silent,
}

impl HelperReport {
    /// Reduces the messages: an exec failure outranks the `Ready` before it, and a setup failure
    /// outranks everything. Denials are not part of the outcome; see [`denials`].
    pub(crate) fn from_messages(messages: &[HelperStatus]) -> HelperReport {
        let mut report = HelperReport::Silent;
        for message in messages {
            report = match (report, message) {
                (failed @ HelperReport::SetupFailed(_), _) => failed,
                (_, HelperStatus::SetupFailed(failure)) => {
                    HelperReport::SetupFailed(failure.clone())
                }
                (_, HelperStatus::ExecFailed { errno }) => HelperReport::ExecFailed(*errno),
                (exec @ HelperReport::ExecFailed(_), HelperStatus::Ready(_)) => exec,
                (_, HelperStatus::Ready(layers)) => HelperReport::Ready(layers.clone()),
                (report, HelperStatus::Denials(_)) => report,
            };
        }
        report
    }
}

/// What the helper refused during the run (empty when it refused nothing).
fn denials(messages: &[HelperStatus]) -> DenialReport {
    messages
        .iter()
        .find_map(|message| match message {
            HelperStatus::Denials(report) => Some(report.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The Linux sandbox report of a finished run, or the error that replaces its result.
///
/// A helper that said nothing is not trusted to have sandboxed anything (it may not be our
/// helper at all), so that fails closed unless we killed it before it could speak.
pub(crate) fn linux_report(
    messages: Vec<HelperStatus>,
    killed: bool,
    program: &str,
    cwd: &Path,
) -> Result<SandboxReport, CodexErr> {
    let unconfirmed = SandboxReport {
        kind: SandboxKind::Linux,
        ..SandboxReport::default()
    };
    match HelperReport::from_messages(&messages) {
        HelperReport::Ready(layers) => Ok(SandboxReport {
            kind: SandboxKind::Linux,
            landlock: Some(layers.landlock),
            landlock_abi: Some(layers.landlock_abi),
            seccomp: Some(layers.seccomp),
            mount_namespace: Some(layers.mount_namespace),
            pid_namespace: Some(layers.pid_namespace),
            ipc_namespace: Some(layers.ipc_namespace),
            protected_paths: layers.protected_paths,
            unprotected_paths: layers.unprotected_paths,
            denials: denials(&messages),
        }),
        HelperReport::SetupFailed(failure) => Err(setup_error(failure, cwd)),
        HelperReport::ExecFailed(errno) => Err(exec_error(errno, program)),
        HelperReport::Silent if killed => Ok(unconfirmed),
        HelperReport::Silent => Err(CodexErr::Internal(
            "the sandbox helper exited without reporting whether the sandbox was in place".into(),
        )),
    }
}

/// The error for a helper that ran nothing, as the caller should see it.
pub(crate) fn setup_error(failure: SetupFailure, cwd: &Path) -> CodexErr {
    match failure {
        SetupFailure::Landlock {
            abi,
            needed,
            detail,
        } => SandboxErr::LandlockRestrict {
            abi,
            needed,
            detail,
        }
        .into(),
        SetupFailure::Seccomp { detail } => SandboxErr::SeccompInstall { detail }.into(),
        SetupFailure::Policy { detail } | SetupFailure::Unenforceable { detail } => {
            SandboxErr::Policy { detail }.into()
        }
        SetupFailure::Cwd { errno, .. } => CodexErr::Cwd {
            source: io::Error::from_raw_os_error(errno),
            path: cwd.into(),
        },
        // We wrote the command line, so the helper rejecting it is our bug.
        SetupFailure::Usage { detail } => CodexErr::Internal(format!(
            "sandbox helper rejected its command line: {detail}"
        )),
        SetupFailure::Other { detail } => CodexErr::Spawn {
            source: io::Error::other(format!("sandbox setup failed: {detail}")),
        },
    }
}

/// The error for a command the helper could not exec: the same as an unsandboxed spawn failure.
pub(crate) fn exec_error(errno: i32, program: &str) -> CodexErr {
    CodexErr::io(
        io::Error::from_raw_os_error(errno),
        "spawn",
        Some(PathBuf::from(program)),
    )
}

#[cfg(test)]
mod tests {
    use codex_sandbox_policy::LandlockCoverage;

    use super::*;

    fn layers() -> EnforcedLayers {
        EnforcedLayers {
            landlock_abi: 7,
            landlock: LandlockCoverage::Full,
            seccomp: true,
            mount_namespace: true,
            pid_namespace: true,
            ipc_namespace: true,
            protected_paths: Vec::new(),
            unprotected_paths: Vec::new(),
        }
    }

    #[test]
    fn reports_reduce_to_what_decides_the_result() {
        let ready = HelperStatus::Ready(layers());
        let exec = HelperStatus::ExecFailed { errno: 2 };
        let setup = HelperStatus::SetupFailed(SetupFailure::Other {
            detail: "chdir".into(),
        });
        assert_eq!(HelperReport::from_messages(&[]), HelperReport::Silent);
        assert_eq!(
            HelperReport::from_messages(std::slice::from_ref(&ready)),
            HelperReport::Ready(layers())
        );
        assert_eq!(
            HelperReport::from_messages(&[ready.clone(), exec]),
            HelperReport::ExecFailed(2)
        );
        assert!(matches!(
            HelperReport::from_messages(&[setup, ready]),
            HelperReport::SetupFailed(SetupFailure::Other { .. })
        ));
    }

    #[test]
    fn setup_failures_map_to_the_taxonomy() {
        let cwd = Path::new("/ws");
        let landlock = setup_error(
            SetupFailure::Landlock {
                abi: None,
                needed: 1,
                detail: "landlock is not enabled".into(),
            },
            cwd,
        );
        assert!(matches!(
            landlock,
            CodexErr::Sandbox(SandboxErr::LandlockRestrict {
                abi: None,
                needed: 1,
                ..
            })
        ));
        let install = setup_error(
            SetupFailure::Seccomp {
                detail: "EINVAL".into(),
            },
            cwd,
        );
        assert_eq!(install.code(), "SECCOMP_SETUP");
        assert!(matches!(
            install,
            CodexErr::Sandbox(SandboxErr::SeccompInstall { .. })
        ));
        let usage = setup_error(
            SetupFailure::Usage {
                detail: "missing --policy".into(),
            },
            cwd,
        );
        assert_eq!(usage.code(), "INTERNAL");
        for failure in [
            SetupFailure::Policy {
                detail: "/proc cannot be writable".into(),
            },
            SetupFailure::Unenforceable {
                detail: ".git cannot be kept read-only".into(),
            },
        ] {
            assert_eq!(setup_error(failure, cwd).code(), "SANDBOX_POLICY");
        }
        let chdir = setup_error(
            SetupFailure::Cwd {
                errno: libc::ENOENT,
                detail: "gone".into(),
            },
            cwd,
        );
        assert!(
            matches!(&chdir, CodexErr::Cwd { path, .. } if path == cwd),
            "{chdir:?}"
        );
        let exec = exec_error(libc::ENOENT, "nope");
        assert_eq!(exec.code(), "ENOENT");
        assert!(matches!(
            exec,
            CodexErr::Io {
                syscall: "spawn",
                ..
            }
        ));
    }
}
