//! [`SandboxPolicy`]: what a sandboxed command may touch.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a sandboxed command may do; `mode` selects the shape, as in DESIGN.md §3.
///
/// Unknown fields are rejected so that a misspelt option (`writeableRoots`) is an error rather than
/// a silently narrower or wider sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "mode",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum SandboxPolicy {
    /// No sandbox at all: the command runs as the caller would run it.
    DangerFullAccess,
    /// Read and execute everywhere, write nowhere but `/dev/null`.
    ReadOnly {
        /// Whether the command may open network sockets (default false).
        #[serde(default)]
        network_access: bool,
    },
    /// Read and execute everywhere; write in cwd, `writable_roots`, `/tmp` and `$TMPDIR`.
    WorkspaceWrite {
        /// Extra directories the command may write in, besides cwd.
        #[serde(default)]
        writable_roots: Vec<PathBuf>,
        /// Whether the command may open network sockets (default false).
        #[serde(default)]
        network_access: bool,
        /// Leave `/tmp` and `$TMPDIR` read-only (default false).
        #[serde(default)]
        exclude_tmp: bool,
    },
}

impl SandboxPolicy {
    /// Whether this policy leaves the network open.
    pub fn has_network_access(&self) -> bool {
        match self {
            SandboxPolicy::DangerFullAccess => true,
            SandboxPolicy::ReadOnly { network_access } => *network_access,
            SandboxPolicy::WorkspaceWrite { network_access, .. } => *network_access,
        }
    }

    /// Whether this policy asks for no sandbox at all.
    pub fn is_full_access(&self) -> bool {
        matches!(self, SandboxPolicy::DangerFullAccess)
    }

    /// The directories a command may write in under this policy, given the workspace `cwd` and the
    /// command's `$TMPDIR`.
    ///
    /// `/dev/null` is not listed: it is a file, and every sandbox makes it writable. The list for
    /// [`SandboxPolicy::DangerFullAccess`] is empty because nothing is restricted at all.
    pub fn writable_roots(&self, cwd: &Path, tmpdir: Option<&Path>) -> Vec<PathBuf> {
        let SandboxPolicy::WorkspaceWrite {
            writable_roots,
            exclude_tmp,
            ..
        } = self
        else {
            return Vec::new();
        };
        let mut roots = vec![cwd.to_path_buf()];
        roots.extend(writable_roots.iter().map(|root| cwd.join(root)));
        if !exclude_tmp {
            roots.push(PathBuf::from("/tmp"));
            roots.extend(
                tmpdir
                    .filter(|dir| dir.is_absolute())
                    .map(Path::to_path_buf),
            );
        }
        roots.dedup();
        roots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<SandboxPolicy, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn parses_each_mode_with_defaults() {
        assert_eq!(
            parse(r#"{"mode":"danger-full-access"}"#).unwrap(),
            SandboxPolicy::DangerFullAccess
        );
        assert_eq!(
            parse(r#"{"mode":"read-only"}"#).unwrap(),
            SandboxPolicy::ReadOnly {
                network_access: false
            }
        );
        assert_eq!(
            parse(r#"{"mode":"workspace-write","writableRoots":["/a"],"networkAccess":true,"excludeTmp":true}"#)
                .unwrap(),
            SandboxPolicy::WorkspaceWrite {
                writable_roots: vec!["/a".into()],
                network_access: true,
                exclude_tmp: true
            }
        );
    }

    #[test]
    fn rejects_unknown_modes_and_fields() {
        assert!(parse(r#"{"mode":"yolo"}"#).is_err());
        assert!(parse(r#"{"mode":"workspace-write","writeableRoots":[]}"#).is_err());
        assert!(parse(r#"{"networkAccess":true}"#).is_err());
    }

    #[test]
    fn writable_roots_follow_the_policy() {
        let cwd = Path::new("/ws");
        let policy = parse(r#"{"mode":"workspace-write","writableRoots":["/a","rel"]}"#).unwrap();
        assert_eq!(
            policy.writable_roots(cwd, Some(Path::new("/var/tmp/me"))),
            vec![
                PathBuf::from("/ws"),
                "/a".into(),
                "/ws/rel".into(),
                "/tmp".into(),
                "/var/tmp/me".into()
            ]
        );
        let no_tmp = parse(r#"{"mode":"workspace-write","excludeTmp":true}"#).unwrap();
        assert_eq!(
            no_tmp.writable_roots(cwd, Some(Path::new("/x"))),
            vec![PathBuf::from("/ws")]
        );
        let read_only = parse(r#"{"mode":"read-only"}"#).unwrap();
        assert!(read_only.writable_roots(cwd, None).is_empty());
    }

    #[test]
    fn serializes_back_to_the_same_json_shape() {
        let policy = SandboxPolicy::ReadOnly {
            network_access: true,
        };
        assert_eq!(
            serde_json::to_string(&policy).unwrap(),
            r#"{"mode":"read-only","networkAccess":true}"#
        );
    }
}
