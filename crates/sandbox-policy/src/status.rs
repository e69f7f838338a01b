//! [`HelperStatus`]: what the helper tells its caller through the status pipe.
//!
//! The caller creates a pipe, passes the write end's number in [`STATUS_FD_ENV`] and reads until
//! EOF. The helper marks the fd close-on-exec, so EOF arrives exactly when the command was exec'd
//! or the helper exited. Each message is one line of JSON.

use serde::{Deserialize, Serialize};

/// Environment variable holding the status pipe's fd number; the helper removes it before exec.
pub const STATUS_FD_ENV: &str = "CODEX_SANDBOX_STATUS_FD";

/// The helper's exit code when it ran nothing because the sandbox could not be set up or its
/// command line was wrong.
pub const EXIT_SETUP_FAILED: i32 = 125;

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
    /// Whether a seccomp network filter was installed (false when the policy allows the network).
    pub seccomp: bool,
    /// Whether outside files sit on read-only mounts in a private mount namespace.
    pub mount_namespace: bool,
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
        });
        let failed = HelperStatus::SetupFailed(SetupFailure::Landlock {
            abi: None,
            needed: 1,
            detail: "landlock is not enabled".into(),
        });
        let exec = HelperStatus::ExecFailed { errno: 2 };
        let wire = [ready.to_line(), failed.to_line(), exec.to_line()].concat();
        assert!(wire.contains(r#""status":"ready""#), "{wire}");
        assert!(wire.contains(r#""landlockAbi":7"#), "{wire}");
        assert_eq!(
            HelperStatus::parse_all(wire.as_bytes()),
            vec![ready, failed, exec]
        );
    }

    #[test]
    fn a_truncated_line_is_ignored() {
        assert!(HelperStatus::parse_all(br#"{"status":"rea"#).is_empty());
    }
}
