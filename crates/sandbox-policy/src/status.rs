//! [`HelperStatus`]: what the helper tells its caller through the status pipe.
//!
//! The caller creates a pipe, passes the write end's number in [`STATUS_FD_ENV`] and reads until
//! EOF, which comes when the helper exits. Each message is one line of JSON: `ready` once the
//! command is about to run (or `setupFailed` when nothing will), `execFailed` if the command could
//! not be exec'd, and `denials` at the end when the sandbox refused anything.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Environment variable holding the status pipe's fd number; the helper removes it before exec.
pub const STATUS_FD_ENV: &str = "CODEX_SANDBOX_STATUS_FD";

/// The helper's exit code when it ran nothing because the sandbox could not be set up or its
/// command line was wrong.
pub const EXIT_SETUP_FAILED: i32 = 125;

/// How many refusals a [`DenialReport`] lists in full; the rest are only counted.
pub const MAX_DENIAL_RECORDS: usize = 32;

/// One message on the status pipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "status",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum HelperStatus {
    /// Every required layer is in place; the helper is about to exec the command.
    Ready(EnforcedLayers),
    /// Nothing was run: the sandbox could not be enforced or the command line was wrong.
    SetupFailed(SetupFailure),
    /// The sandbox was in place but `execvp` failed (e.g. ENOENT); the helper exits 127 or 126.
    ExecFailed {
        /// The `errno` of `execvp`.
        errno: i32,
    },
    /// What the sandbox refused while the command ran; sent once, when the command has ended.
    Denials(DenialReport),
}

/// How much of the kernel's Landlock the sandbox could use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LandlockCoverage {
    /// The kernel's ABI covers everything the helper knows how to restrict.
    Full,
    /// Filesystem rules are enforced, but the kernel's ABI lacks some later protection (truncate,
    /// TCP rules, scoping); [`EnforcedLayers`] says which.
    Partial,
}

/// The layers the helper put in place before exec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnforcedLayers {
    /// The kernel's Landlock ABI version that was used.
    pub landlock_abi: u32,
    /// Whether that ABI covers everything.
    pub landlock: LandlockCoverage,
    /// Whether the seccomp filter is installed (terminal injection, keyrings, setuid bits,
    /// io_uring; sockets with the network off; Unix-socket connects go to the supervisor).
    pub seccomp: bool,
    /// Whether outside files sit on read-only mounts in a private mount namespace.
    pub mount_namespace: bool,
    /// Whether the command runs in its own PID namespace, all of which dies with it.
    pub pid_namespace: bool,
    /// Whether the command has its own SysV IPC objects.
    pub ipc_namespace: bool,
    /// The paths kept read-only inside the writable roots, including placeholders bound where a
    /// protected path was missing (so that none can be created).
    #[serde(default)]
    pub protected_paths: Vec<PathBuf>,
    /// Protected paths that are missing and could not be kept from being created (no mount
    /// namespace).
    #[serde(default)]
    pub unprotected_paths: Vec<PathBuf>,
}

/// Everything the sandbox refused during one run: the first [`MAX_DENIAL_RECORDS`] in full.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DenialReport {
    /// The first refusals, in the order they happened.
    pub records: Vec<Denial>,
    /// How many refusals there were in all, listed or not.
    pub total: u64,
}

/// One thing the sandbox refused, as evidence that it, and not the command, caused a failure.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Denial {
    /// A socket the network policy does not allow (e.g. `AF_INET`/`SOCK_STREAM`), or a connect on
    /// such a socket passed in from outside.
    Network {
        /// The address family, e.g. `AF_INET`.
        family: String,
        /// The socket type, e.g. `SOCK_STREAM`.
        socket_type: String,
    },
    /// A connect to a Unix socket file outside what the policy allows.
    UnixSocket {
        /// The path the command asked for, as it gave it.
        path: String,
    },
}

/// Why the helper ran nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SetupFailure {
    /// Landlock is missing or could not be fully enforced.
    Landlock {
        /// The kernel's ABI, if Landlock is there at all.
        abi: Option<u32>,
        /// The ABI the policy needs.
        needed: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// The kernel refused the seccomp filter.
    Seccomp {
        /// What went wrong, for people.
        detail: String,
    },
    /// The policy asks for a protection this machine cannot give (e.g. a protected path exists
    /// but there is no mount namespace to keep it read-only).
    Unenforceable {
        /// What cannot be enforced and how to opt out, for people.
        detail: String,
    },
    /// The policy cannot be applied as given: a writable root that is `/` or lies in `/proc`,
    /// `/sys` or `/dev`, one reached through a symlink a sandboxed run could have planted, a
    /// missing workspace root.
    Policy {
        /// What is wrong, for people.
        detail: String,
    },
    /// The working directory does not exist or cannot be entered.
    Cwd {
        /// The `errno` of the failed `chdir`.
        errno: i32,
        /// What went wrong, for people.
        detail: String,
    },
    /// The command line or policy was wrong.
    Usage {
        /// What went wrong, for people.
        detail: String,
    },
    /// Another step failed (chdir, no_new_privs, closing fds…).
    Other {
        /// What went wrong, for people.
        detail: String,
    },
}

impl SetupFailure {
    /// The text for people.
    pub fn detail(&self) -> &str {
        match self {
            SetupFailure::Landlock { detail, .. }
            | SetupFailure::Seccomp { detail, .. }
            | SetupFailure::Unenforceable { detail }
            | SetupFailure::Policy { detail }
            | SetupFailure::Cwd { detail, .. }
            | SetupFailure::Usage { detail }
            | SetupFailure::Other { detail } => detail,
        }
    }
}

impl HelperStatus {
    /// The message as one line of JSON, newline included.
    pub fn to_line(&self) -> String {
        // Serializing these plain enums cannot fail.
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }

    /// Every message in what the helper wrote, in order; lines that are not messages are skipped.
    pub fn parse_all(bytes: &[u8]) -> Vec<HelperStatus> {
        bytes
            .split(|&b| b == b'\n')
            .filter_map(|line| serde_json::from_slice(line).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_lines() {
        let ready = HelperStatus::Ready(EnforcedLayers {
            landlock_abi: 7,
            landlock: LandlockCoverage::Full,
            seccomp: true,
            mount_namespace: false,
            pid_namespace: false,
            ipc_namespace: false,
            protected_paths: vec!["/ws/.git".into()],
            unprotected_paths: Vec::new(),
        });
        let failed = HelperStatus::SetupFailed(SetupFailure::Landlock {
            abi: None,
            needed: 1,
            detail: "landlock is not enabled".into(),
        });
        let exec = HelperStatus::ExecFailed { errno: 2 };
        let denials = HelperStatus::Denials(DenialReport {
            records: vec![
                Denial::Network {
                    family: "AF_INET".into(),
                    socket_type: "SOCK_STREAM".into(),
                },
                Denial::UnixSocket {
                    path: "/var/run/docker.sock".into(),
                },
            ],
            total: 3,
        });
        let wire = [
            ready.to_line(),
            failed.to_line(),
            exec.to_line(),
            denials.to_line(),
        ]
        .concat();
        assert!(
            wire.contains(r#"{"kind":"unixSocket","path":"/var/run/docker.sock"}"#),
            "{wire}"
        );
        assert!(wire.contains(r#""status":"ready""#), "{wire}");
        assert!(wire.contains(r#""landlockAbi":7"#), "{wire}");
        assert_eq!(
            HelperStatus::parse_all(wire.as_bytes()),
            vec![ready, failed, exec, denials]
        );
    }

    #[test]
    fn a_truncated_line_is_ignored() {
        assert!(HelperStatus::parse_all(br#"{"status":"rea"#).is_empty());
    }
}
