//! [`Roots`]: the writable roots and the Unix-socket allow-list of one run, each opened once.

use std::path::{Path, PathBuf};

use codex_sandbox_policy::{RootKind, SandboxPolicy};

use crate::error::SetupError;
use crate::paths::{self, FinalSymlink, ForbiddenDirs, PathError, Walked};
use crate::sys::FileId;

/// A writable root, opened.
#[derive(Debug)]
pub(crate) struct Root {
    /// Where it is and how it was reached.
    pub(crate) walked: Walked,
    /// Why it is writable.
    pub(crate) kind: RootKind,
}

/// Everything a run may write in or connect to, opened once.
#[derive(Debug)]
pub(crate) struct Roots {
    /// The writable roots that exist, each once (the first name wins).
    pub(crate) writable: Vec<Root>,
    /// The allow-listed Unix sockets (or directories) that exist.
    pub(crate) allowed_sockets: Vec<Walked>,
}

impl Roots {
    /// Opens the roots `policy` makes writable for a command started in `cwd` with `tmpdir`,
    /// and its socket allow-list.
    ///
    /// # Errors
    /// [`SetupError::Root`] for a relative or forbidden root, or one reached through a symlink
    /// inside another writable area; [`SetupError::MissingWorkspace`] when the workspace root
    /// does not exist.
    pub(crate) fn open(
        policy: &SandboxPolicy,
        cwd: &Path,
        tmpdir: Option<&Path>,
    ) -> Result<Roots, SetupError> {
        let forbidden = ForbiddenDirs::read().map_err(SetupError::os("reading /"))?;
        // A relative $TMPDIR names nothing a command could rely on; it is not a root.
        let tmpdir = tmpdir.filter(|dir| dir.is_absolute());
        let mut writable: Vec<Root> = Vec::new();
        for spec in policy.writable_roots(cwd, tmpdir) {
            let Some(walked) = paths::walk(&spec.path, FinalSymlink::Follow, Some(&forbidden))?
            else {
                if spec.kind == RootKind::Workspace {
                    return Err(SetupError::MissingWorkspace { path: spec.path });
                }
                // Nothing to write in; its parent decides whether it may be created.
                continue;
            };
            if !writable
                .iter()
                .any(|root| root.walked.info.id == walked.info.id)
            {
                writable.push(Root {
                    walked,
                    kind: spec.kind,
                });
            }
        }
        check_plantable_symlinks(&writable, tmpdir)?;
        let mut allowed_sockets = Vec::new();
        for path in policy.allowed_unix_sockets() {
            if let Some(walked) = paths::walk(path, FinalSymlink::Follow, None)? {
                allowed_sockets.push(walked);
            }
        }
        Ok(Roots {
            writable,
            allowed_sockets,
        })
    }

    /// The identities beneath which a Unix socket may be connected to: the workspace, the extra
    /// roots, the allow-list (never `/tmp` or `$TMPDIR`, where other programs keep theirs).
    pub(crate) fn socket_roots(&self) -> Vec<FileId> {
        self.writable
            .iter()
            .filter(|root| root.kind != RootKind::Temp)
            .map(|root| root.walked.info.id)
            .chain(self.allowed_sockets.iter().map(|walked| walked.info.id))
            .collect()
    }

    /// The identities of every writable root.
    pub(crate) fn writable_ids(&self) -> Vec<FileId> {
        self.writable
            .iter()
            .map(|root| root.walked.info.id)
            .collect()
    }
}

/// Refuses any root reached through a symlink that lies inside another root, `/tmp` or
/// `$TMPDIR` (writable now, or in an earlier run).
fn check_plantable_symlinks(writable: &[Root], tmpdir: Option<&Path>) -> Result<(), PathError> {
    let mut areas: Vec<(FileId, PathBuf)> = writable
        .iter()
        .map(|root| (root.walked.info.id, root.walked.path.clone()))
        .collect();
    for shared in [Some(Path::new("/tmp")), tmpdir].into_iter().flatten() {
        if let Ok(Some(walked)) = paths::walk(shared, FinalSymlink::Follow, None) {
            areas.push((walked.info.id, shared.to_path_buf()));
        }
    }
    let areas: Vec<(FileId, &Path)> = areas
        .iter()
        .map(|(id, path)| (*id, path.as_path()))
        .collect();
    writable
        .iter()
        .try_for_each(|root| paths::check_symlinks(&root.walked, &areas))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use codex_sandbox_policy::WorkspaceWritePolicy;

    use std::ffi::OsStr;
    use std::os::fd::AsFd;

    use super::*;
    use crate::sys;

    fn id_of(path: &str) -> FileId {
        let fd = sys::openat(None, OsStr::new(path), libc::O_PATH).unwrap();
        sys::fstat(fd.as_fd()).unwrap().id
    }

    /// A scratch directory outside /tmp, which is always a writable area.
    fn scratch() -> tempfile::TempDir {
        tempfile::tempdir_in("/var/tmp").unwrap()
    }

    fn policy(roots: &[&Path]) -> SandboxPolicy {
        SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
            writable_roots: roots.iter().map(|root| root.to_path_buf()).collect(),
            exclude_tmp: true,
            ..WorkspaceWritePolicy::default()
        })
    }

    #[test]
    fn roots_are_opened_once_each_with_their_kind() {
        let dir = scratch();
        let ws = dir.path().join("ws");
        let extra = dir.path().join("extra");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&extra).unwrap();
        let missing = dir.path().join("missing");
        let roots = Roots::open(&policy(&[&extra, &missing, &ws]), &ws, None).unwrap();
        let kinds: Vec<(FileId, RootKind)> = roots
            .writable
            .iter()
            .map(|root| (root.walked.info.id, root.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (id_of(ws.to_str().unwrap()), RootKind::Workspace),
                (id_of(extra.to_str().unwrap()), RootKind::Extra)
            ]
        );
        assert_eq!(roots.socket_roots().len(), 2);
    }

    #[test]
    fn dangerous_and_relative_roots_are_refused() {
        let dir = scratch();
        for bad in [
            "/",
            "/proc",
            "/proc/self/root/etc",
            "/sys/kernel",
            "/dev/shm",
            "/dev/../etc",
        ] {
            let error = Roots::open(&policy(&[Path::new(bad)]), dir.path(), None).unwrap_err();
            assert!(
                matches!(error, SetupError::Root(PathError::Forbidden { .. })),
                "{bad}: {error:?}"
            );
        }
        let error = Roots::open(&policy(&[Path::new("rel")]), dir.path(), None).unwrap_err();
        assert!(
            matches!(error, SetupError::Root(PathError::Relative { .. })),
            "{error:?}"
        );
        // The workspace itself, and $TMPDIR, follow the same rules.
        let error = Roots::open(&policy(&[]), Path::new("/"), None).unwrap_err();
        assert!(
            matches!(error, SetupError::Root(PathError::Forbidden { .. })),
            "{error:?}"
        );
        let tmp = SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy::default());
        let error = Roots::open(&tmp, dir.path(), Some(Path::new("/dev/shm"))).unwrap_err();
        assert!(
            matches!(error, SetupError::Root(PathError::Forbidden { .. })),
            "{error:?}"
        );
        let error = Roots::open(&policy(&[]), &dir.path().join("gone"), None).unwrap_err();
        assert!(
            matches!(error, SetupError::MissingWorkspace { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_symlink_inside_another_root_is_refused_and_one_elsewhere_followed() {
        let dir = scratch();
        let ws = dir.path().join("ws");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        symlink(&outside, ws.join("planted")).unwrap();
        let error = Roots::open(&policy(&[&ws.join("planted")]), &ws, None).unwrap_err();
        assert!(
            matches!(&error, SetupError::Root(PathError::PlantableSymlink { area, .. }) if *area == ws),
            "{error:?}"
        );
        // The same symlink outside every writable area is an ordinary path.
        let elsewhere = dir.path().join("home-link");
        symlink(&outside, &elsewhere).unwrap();
        let roots = Roots::open(&policy(&[&elsewhere]), &ws, None).unwrap();
        assert_eq!(
            roots.writable[1].walked.info.id,
            id_of(outside.to_str().unwrap())
        );
    }
}
