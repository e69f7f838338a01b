//! Opening the roots a policy names exactly once, without trusting symlinks the sandbox could
//! have planted.
//!
//! A path is walked one component at a time with `O_PATH | O_NOFOLLOW`. The walk records, for
//! every symlink it follows, which directories it was found in, so that a symlink lying inside
//! another writable root or in `/tmp`/`$TMPDIR` (where an earlier run could have put it) is
//! refused rather than followed. The fd the walk ends on is what the mount clone, the Landlock
//! rule and the supervisor use: nothing is looked up by path a second time.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::sys::{self, FileId, FileInfo};

/// Symlinks followed in one walk before giving up, as the kernel's own limit.
const MAX_SYMLINKS: usize = 40;

/// Directories that are never writable roots, nor reached through: the kernel's interfaces.
const FORBIDDEN_BENEATH: [&str; 3] = ["/proc", "/sys", "/dev"];

/// Why a path could not be used as a root.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PathError {
    /// The path is relative; the caller must resolve it first.
    #[error("{} is not absolute", path.display())]
    Relative {
        /// The path.
        path: PathBuf,
    },
    /// The path is `/`, or lies in (or passes through) `/proc`, `/sys` or `/dev`.
    #[error("{} cannot be writable: it is / or lies in /proc, /sys or /dev", path.display())]
    Forbidden {
        /// The path.
        path: PathBuf,
    },
    /// A symlink on the way lies where a sandboxed command could have written it.
    #[error(
        "{} passes through a symlink inside the writable area {}, which an earlier sandboxed run could have planted; name the real directory instead",
        path.display(),
        area.display()
    )]
    PlantableSymlink {
        /// The path.
        path: PathBuf,
        /// The writable area the symlink lies in.
        area: PathBuf,
    },
    /// A component could not be opened (other than not existing).
    #[error("cannot open {}", path.display())]
    Open {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

/// A path opened by [`walk`], with where it was found.
#[derive(Debug)]
pub(crate) struct Walked {
    /// The path as the caller gave it.
    pub(crate) path: PathBuf,
    /// The file it names, opened `O_PATH` (a symlink itself when the walk stopped on one).
    pub(crate) fd: OwnedFd,
    /// What it is.
    pub(crate) info: FileInfo,
    /// The directories above it, outermost (`/`) first.
    pub(crate) ancestors: Vec<FileId>,
    /// For each symlink followed on the way: the directories it lay in, outermost first.
    pub(crate) symlink_sites: Vec<Vec<FileId>>,
}

impl Walked {
    /// Whether it lies beneath (or is) one of `roots`.
    pub(crate) fn is_within(&self, roots: &[FileId]) -> bool {
        roots.contains(&self.info.id) || self.ancestors.iter().any(|id| roots.contains(id))
    }
}

/// Identities of the system directories a root may not be or lie in.
#[derive(Debug, Clone)]
pub(crate) struct ForbiddenDirs {
    root: FileId,
    beneath: Vec<FileId>,
}

impl ForbiddenDirs {
    /// Reads them in this process's mount namespace.
    ///
    /// # Errors
    /// The OS error when `/` cannot be opened.
    pub(crate) fn read() -> io::Result<ForbiddenDirs> {
        let root = sys::openat(None, OsStr::new("/"), libc::O_PATH | libc::O_DIRECTORY)?;
        let root = sys::fstat(root.as_fd())?.id;
        let beneath = FORBIDDEN_BENEATH
            .iter()
            .filter_map(|dir| {
                let fd = sys::openat(None, OsStr::new(dir), libc::O_PATH).ok()?;
                sys::fstat(fd.as_fd()).ok().map(|info| info.id)
            })
            .collect();
        Ok(ForbiddenDirs { root, beneath })
    }

    fn forbids(&self, dir: FileId) -> bool {
        self.beneath.contains(&dir)
    }
}

/// Where a walk starts and what it does with the last component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FinalSymlink {
    /// Follow it, like `open` does.
    Follow,
    /// Stop on it: the result is the symlink itself.
    Keep,
}

/// Walks the absolute `path` from `/`, following symlinks (a final one as `last` says).
///
/// `Ok(None)` when some component does not exist.
///
/// # Errors
/// [`PathError::Relative`] for a relative path; [`PathError::Forbidden`] when the path is `/` or
/// the walk passes through `/proc`, `/sys` or `/dev` (with `forbidden`); [`PathError::Open`] for
/// other failures.
pub(crate) fn walk(
    path: &Path,
    last: FinalSymlink,
    forbidden: Option<&ForbiddenDirs>,
) -> Result<Option<Walked>, PathError> {
    if !path.is_absolute() {
        return Err(PathError::Relative {
            path: path.to_path_buf(),
        });
    }
    let open_error = |source| PathError::Open {
        path: path.to_path_buf(),
        source,
    };
    let root =
        sys::openat(None, OsStr::new("/"), libc::O_PATH | libc::O_DIRECTORY).map_err(open_error)?;
    let root_info = sys::fstat(root.as_fd()).map_err(open_error)?;
    // The open directories from `/` down to the current one.
    let mut chain: Vec<(OwnedFd, FileInfo)> = vec![(root, root_info)];
    let mut pending = components(path);
    let mut symlink_sites = Vec::new();
    let mut followed = 0;
    while let Some(name) = pending.pop_front() {
        if name == ".." {
            if chain.len() > 1 {
                chain.pop();
            }
            continue;
        }
        let Some((dir, dir_info)) = chain.last() else {
            break;
        };
        if !dir_info.is_dir() {
            return Err(open_error(io::Error::from_raw_os_error(libc::ENOTDIR)));
        }
        let fd = match sys::open_path_nofollow(dir.as_fd(), &name) {
            Ok(fd) => fd,
            Err(error) if error.raw_os_error() == Some(libc::ENOENT) => return Ok(None),
            Err(error) => return Err(open_error(error)),
        };
        let info = sys::fstat(fd.as_fd()).map_err(open_error)?;
        if info.is_symlink() && !(pending.is_empty() && last == FinalSymlink::Keep) {
            followed += 1;
            if followed > MAX_SYMLINKS {
                return Err(open_error(io::Error::from_raw_os_error(libc::ELOOP)));
            }
            symlink_sites.push(chain.iter().map(|(_, info)| info.id).collect());
            let target = sys::readlink(fd.as_fd()).map_err(open_error)?;
            let target = Path::new(&target);
            if target.is_absolute() {
                chain.truncate(1);
            }
            for component in components(target).into_iter().rev() {
                pending.push_front(component);
            }
            continue;
        }
        if forbidden.is_some_and(|forbidden| forbidden.forbids(info.id)) {
            return Err(PathError::Forbidden {
                path: path.to_path_buf(),
            });
        }
        chain.push((fd, info));
    }
    let Some((fd, info)) = chain.pop() else {
        return Err(open_error(io::Error::from_raw_os_error(libc::ENOENT)));
    };
    if forbidden.is_some_and(|forbidden| forbidden.root == info.id) {
        return Err(PathError::Forbidden {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(Walked {
        path: path.to_path_buf(),
        fd,
        info,
        ancestors: chain.iter().map(|(_, info)| info.id).collect(),
        symlink_sites,
    }))
}

/// The names to walk in `path`: no `/`, no `.`; `..` kept, for the walk to apply.
fn components(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// Refuses a walk that followed a symlink lying inside one of `areas` (writable roots other than
/// its own, `/tmp`, `$TMPDIR`): `areas` pairs each area's identity with its path for the message.
///
/// # Errors
/// [`PathError::PlantableSymlink`] naming the area.
pub(crate) fn check_symlinks(walked: &Walked, areas: &[(FileId, &Path)]) -> Result<(), PathError> {
    for site in &walked.symlink_sites {
        if let Some((_, area)) = areas
            .iter()
            .find(|(id, _)| *id != walked.info.id && site.contains(id))
        {
            return Err(PathError::PlantableSymlink {
                path: walked.path.clone(),
                area: area.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Whether `name` is a single plain file name (no `/`, not `.` or `..`).
pub(crate) fn is_plain_name(name: &OsStr) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.as_bytes().contains(&b'/')
}
