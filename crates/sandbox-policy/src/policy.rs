//! [`SandboxPolicy`]: what a sandboxed command may touch.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The protected subpath of every writable root when the policy names none: code in `.git`
/// (hooks, `core.fsmonitor`, `core.pager`) runs later outside the sandbox.
pub const DEFAULT_PROTECTED_PATHS: [&str; 1] = [".git"];

/// What a sandboxed command may do; `mode` selects the shape, as in DESIGN.md §3.
///
/// Unknown fields are rejected so that a misspelt option (`writeableRoots`) is an error rather than
/// a silently narrower or wider sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum SandboxPolicy {
    /// No sandbox at all: the command runs as the caller would run it.
    DangerFullAccess,
    /// Read and execute everywhere, write nowhere but `/dev/null`.
    ReadOnly(ReadOnlyPolicy),
    /// Read and execute everywhere; write in the workspace root, `writable_roots`, `/tmp` and
    /// `$TMPDIR`, except in protected paths.
    WorkspaceWrite(WorkspaceWritePolicy),
}

/// The options of [`SandboxPolicy::ReadOnly`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadOnlyPolicy {
    /// Whether the command may open network sockets (default false).
    #[serde(default)]
    pub network_access: bool,
    /// Unix socket files (or directories holding them) the command may connect to although they
    /// lie outside every writable root, e.g. `/run/user/1000/bus`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_unix_sockets: Vec<PathBuf>,
}

/// The options of [`SandboxPolicy::WorkspaceWrite`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkspaceWritePolicy {
    /// The directory that becomes writable (absolute); `None`: the command's cwd. An agent sets it
    /// so that a model-chosen working directory never widens what is writable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_root: Option<PathBuf>,
    /// Extra directories (or files) the command may write in, absolute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writable_roots: Vec<PathBuf>,
    /// Whether the command may open network sockets (default false).
    #[serde(default)]
    pub network_access: bool,
    /// Leave `/tmp` and `$TMPDIR` read-only (default false).
    #[serde(default)]
    pub exclude_tmp: bool,
    /// Paths that stay read-only inside every writable root: relative ones are looked up in each
    /// root, absolute ones taken as they are. `None`: [`DEFAULT_PROTECTED_PATHS`]; an empty list
    /// protects nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_paths: Option<Vec<PathBuf>>,
    /// Unix socket files (or directories holding them) outside the writable roots that the
    /// command may connect to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_unix_sockets: Vec<PathBuf>,
}

/// Why a directory is writable: it decides what else the sandbox does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// The workspace root.
    Workspace,
    /// One of the policy's `writableRoots`.
    Extra,
    /// `/tmp` or `$TMPDIR`: shared with every other program, so a Unix socket found there is not
    /// the command's to connect to unless the command bound it.
    Temp,
}

/// A directory (or file) a command may write in, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritableRoot {
    /// The path as the policy (or the environment) gives it.
    pub path: PathBuf,
    /// Why it is writable.
    pub kind: RootKind,
}

impl SandboxPolicy {
    /// Whether this policy leaves the network open.
    pub fn has_network_access(&self) -> bool {
        match self {
            SandboxPolicy::DangerFullAccess => true,
            SandboxPolicy::ReadOnly(policy) => policy.network_access,
            SandboxPolicy::WorkspaceWrite(policy) => policy.network_access,
        }
    }

    /// Whether this policy asks for no sandbox at all.
    pub fn is_full_access(&self) -> bool {
        matches!(self, SandboxPolicy::DangerFullAccess)
    }

    /// The workspace root for a command started in `cwd`: the policy's own, else `cwd`; `None`
    /// when nothing is writable.
    pub fn workspace_root<'a>(&'a self, cwd: &'a Path) -> Option<&'a Path> {
        match self {
            SandboxPolicy::WorkspaceWrite(policy) => {
                Some(policy.workspace_root.as_deref().unwrap_or(cwd))
            }
            _ => None,
        }
    }

    /// The directories a command started in `cwd` may write in, given its `$TMPDIR`.
    ///
    /// `/dev/null` is not listed: it is a file, and every sandbox makes it writable. The list for
    /// [`SandboxPolicy::DangerFullAccess`] is empty because nothing is restricted at all.
    pub fn writable_roots(&self, cwd: &Path, tmpdir: Option<&Path>) -> Vec<WritableRoot> {
        let SandboxPolicy::WorkspaceWrite(policy) = self else {
            return Vec::new();
        };
        let root = |path: &Path, kind| WritableRoot {
            path: path.to_path_buf(),
            kind,
        };
        let mut roots = vec![root(
            policy.workspace_root.as_deref().unwrap_or(cwd),
            RootKind::Workspace,
        )];
        roots.extend(
            policy
                .writable_roots
                .iter()
                .map(|p| root(p, RootKind::Extra)),
        );
        if !policy.exclude_tmp {
            roots.push(root(Path::new("/tmp"), RootKind::Temp));
            roots.extend(tmpdir.map(|dir| root(dir, RootKind::Temp)));
        }
        roots
    }

    /// The paths kept read-only inside the writable roots (see
    /// [`WorkspaceWritePolicy::protected_paths`]).
    pub fn protected_paths(&self) -> Vec<PathBuf> {
        match self {
            SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
                protected_paths: Some(paths),
                ..
            }) => paths.clone(),
            SandboxPolicy::WorkspaceWrite(_) => {
                DEFAULT_PROTECTED_PATHS.iter().map(PathBuf::from).collect()
            }
            _ => Vec::new(),
        }
    }

    /// This policy with every relative path in it (workspace root, writable roots, socket
    /// allow-list) made absolute against `cwd`; protected paths stay as they are (relative ones
    /// name paths inside each root).
    #[must_use]
    pub fn resolved_against(&self, cwd: &Path) -> SandboxPolicy {
        let absolute = |path: &PathBuf| cwd.join(path);
        match self {
            SandboxPolicy::DangerFullAccess => SandboxPolicy::DangerFullAccess,
            SandboxPolicy::ReadOnly(policy) => SandboxPolicy::ReadOnly(ReadOnlyPolicy {
                allow_unix_sockets: policy.allow_unix_sockets.iter().map(absolute).collect(),
                ..policy.clone()
            }),
            SandboxPolicy::WorkspaceWrite(policy) => {
                SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
                    workspace_root: policy.workspace_root.as_ref().map(absolute),
                    writable_roots: policy.writable_roots.iter().map(absolute).collect(),
                    allow_unix_sockets: policy.allow_unix_sockets.iter().map(absolute).collect(),
                    ..policy.clone()
                })
            }
        }
    }

    /// The Unix sockets outside the writable roots that the command may connect to.
    pub fn allowed_unix_sockets(&self) -> &[PathBuf] {
        match self {
            SandboxPolicy::DangerFullAccess => &[],
            SandboxPolicy::ReadOnly(policy) => &policy.allow_unix_sockets,
            SandboxPolicy::WorkspaceWrite(policy) => &policy.allow_unix_sockets,
        }
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
            SandboxPolicy::ReadOnly(ReadOnlyPolicy::default())
        );
        assert_eq!(
            parse(
                r#"{"mode":"workspace-write","workspaceRoot":"/ws","writableRoots":["/a"],
                "networkAccess":true,"excludeTmp":true,"protectedPaths":[".git",".env"],
                "allowUnixSockets":["/run/x.sock"]}"#
            )
            .unwrap(),
            SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
                workspace_root: Some("/ws".into()),
                writable_roots: vec!["/a".into()],
                network_access: true,
                exclude_tmp: true,
                protected_paths: Some(vec![".git".into(), ".env".into()]),
                allow_unix_sockets: vec!["/run/x.sock".into()],
            })
        );
    }

    #[test]
    fn rejects_unknown_modes_and_fields() {
        assert!(parse(r#"{"mode":"yolo"}"#).is_err());
        assert!(parse(r#"{"mode":"workspace-write","writeableRoots":[]}"#).is_err());
        assert!(parse(r#"{"mode":"read-only","workspaceRoot":"/ws"}"#).is_err());
        assert!(parse(r#"{"networkAccess":true}"#).is_err());
    }

    #[test]
    fn writable_roots_follow_the_policy() {
        let cwd = Path::new("/ws");
        let policy = parse(r#"{"mode":"workspace-write","writableRoots":["/a"]}"#).unwrap();
        let roots = policy.writable_roots(cwd, Some(Path::new("/var/tmp/me")));
        let listed: Vec<(&Path, RootKind)> =
            roots.iter().map(|r| (r.path.as_path(), r.kind)).collect();
        assert_eq!(
            listed,
            vec![
                (Path::new("/ws"), RootKind::Workspace),
                (Path::new("/a"), RootKind::Extra),
                (Path::new("/tmp"), RootKind::Temp),
                (Path::new("/var/tmp/me"), RootKind::Temp),
            ]
        );
        let elsewhere =
            parse(r#"{"mode":"workspace-write","workspaceRoot":"/repo","excludeTmp":true}"#)
                .unwrap();
        assert_eq!(
            elsewhere.writable_roots(cwd, Some(Path::new("/x"))),
            vec![WritableRoot {
                path: "/repo".into(),
                kind: RootKind::Workspace
            }]
        );
        assert_eq!(elsewhere.workspace_root(cwd), Some(Path::new("/repo")));
        let read_only = parse(r#"{"mode":"read-only"}"#).unwrap();
        assert!(read_only.writable_roots(cwd, None).is_empty());
        assert_eq!(read_only.workspace_root(cwd), None);
    }

    #[test]
    fn git_is_protected_unless_the_policy_says_otherwise() {
        let default = parse(r#"{"mode":"workspace-write"}"#).unwrap();
        assert_eq!(default.protected_paths(), vec![PathBuf::from(".git")]);
        let none = parse(r#"{"mode":"workspace-write","protectedPaths":[]}"#).unwrap();
        assert!(none.protected_paths().is_empty());
        assert!(
            parse(r#"{"mode":"read-only"}"#)
                .unwrap()
                .protected_paths()
                .is_empty()
        );
    }

    #[test]
    fn serializes_back_to_the_same_json_shape() {
        let policy = SandboxPolicy::ReadOnly(ReadOnlyPolicy {
            network_access: true,
            allow_unix_sockets: Vec::new(),
        });
        assert_eq!(
            serde_json::to_string(&policy).unwrap(),
            r#"{"mode":"read-only","networkAccess":true}"#
        );
    }
}
