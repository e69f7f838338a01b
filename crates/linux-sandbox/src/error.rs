//! [`SetupError`]: why the helper ran nothing, and how that is reported.

use std::error::Error as _;
use std::io;
use std::path::PathBuf;

use codex_sandbox_policy::{SetupFailure, UsageError};

use crate::landlock::LandlockError;
use crate::paths::PathError;

/// Everything that can stop the helper before it execs the command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    /// The command line or the policy was wrong.
    #[error("usage")]
    Usage(#[from] UsageError),
    /// The status-pipe variable does not name an open file descriptor.
    #[error("{var}={value:?} is not an open file descriptor")]
    StatusFd {
        /// The variable's name.
        var: &'static str,
        /// What it held.
        value: String,
    },
    /// `danger-full-access` means no sandbox, so there is nothing for the helper to do.
    #[error(
        "danger-full-access asks for no sandbox: run the command directly, not through the helper"
    )]
    FullAccess,
    /// A root the policy names cannot be used.
    #[error("writable root")]
    Root(#[from] PathError),
    /// The workspace root does not exist.
    #[error("the workspace root {} does not exist", path.display())]
    MissingWorkspace {
        /// The path.
        path: PathBuf,
    },
    /// The working directory does not exist or cannot be entered.
    #[error("cwd {} cannot be entered", path.display())]
    Cwd {
        /// The path.
        path: PathBuf,
        /// The error of `chdir`.
        #[source]
        source: io::Error,
    },
    /// Protected paths exist that this machine cannot keep read-only.
    #[error(
        "{} cannot be kept read-only without a mount namespace (user namespaces are not allowed here); allow user namespaces, or set protectedPaths to [] to run without protecting them",
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    Unprotectable {
        /// The protected paths that exist.
        paths: Vec<PathBuf>,
    },
    /// Landlock is missing or could not be enforced in full.
    #[error("landlock")]
    Landlock(#[from] LandlockError),
    /// The kernel refused the seccomp filter.
    #[error("seccomp: the filter could not be installed")]
    SeccompInstall(#[source] io::Error),
    /// The kernel (or an emulator) offers no seccomp filter with user notification at all.
    #[error("seccomp: this kernel offers no filters with user notification")]
    SeccompUnavailable(#[source] io::Error),
    /// Another system call failed; `context` says which step.
    #[error("{context}")]
    Os {
        /// The step that failed, e.g. "no_new_privs".
        context: &'static str,
        /// The error of the system call.
        #[source]
        source: io::Error,
    },
}

impl SetupError {
    /// Wraps the current `errno` with the step that failed.
    pub(crate) fn last_os(context: &'static str) -> Self {
        SetupError::Os {
            context,
            source: io::Error::last_os_error(),
        }
    }

    /// Wraps `source` with the step that failed.
    pub(crate) fn os(context: &'static str) -> impl FnOnce(io::Error) -> SetupError {
        move |source| SetupError::Os { context, source }
    }

    /// The message and every cause after it, joined by `: ` — the text of the one stderr line.
    pub(crate) fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = self.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }

    /// The machine-readable form sent on the status pipe.
    pub(crate) fn to_failure(&self) -> SetupFailure {
        let detail = self.chain();
        match self {
            SetupError::Usage(_) | SetupError::StatusFd { .. } | SetupError::FullAccess => {
                SetupFailure::Usage { detail }
            }
            SetupError::Root(_) | SetupError::MissingWorkspace { .. } => {
                SetupFailure::Policy { detail }
            }
            SetupError::Cwd { source, .. } => SetupFailure::Cwd {
                errno: source.raw_os_error().unwrap_or(libc::ENOENT),
                detail,
            },
            SetupError::Unprotectable { .. } => SetupFailure::Unenforceable { detail },
            SetupError::Landlock(error) => SetupFailure::Landlock {
                abi: error.kernel_abi(),
                needed: error.needed_abi(),
                detail,
            },
            SetupError::SeccompInstall(_) | SetupError::SeccompUnavailable(_) => {
                SetupFailure::Seccomp { detail }
            }
            SetupError::Os { .. } => SetupFailure::Other { detail },
        }
    }
}
