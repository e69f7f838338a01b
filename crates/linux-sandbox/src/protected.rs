//! Protected paths: what stays read-only inside the writable roots (`.git` by default), found
//! before the mounts are built.
//!
//! For `.git` that is: the directory; or the worktree/submodule pointer file, the gitdir it names
//! and that gitdir's `commondir`; or a symlink, which is kept from being retargeted and whose
//! target is protected too when it lies in a writable area. Git runs code from there (hooks,
//! `core.fsmonitor`, `core.pager`) when the agent later calls it *outside* the sandbox.
//!
//! A protected path that is missing must not be created either — a planted `.git/config` is as
//! good as a modified one. The kernel can only mount on something that exists, so an empty
//! placeholder directory is made and bound read-only for the run. A placeholder appears already
//! marked (an xattr) and locked: it is made under a temporary name and renamed into place. Every
//! protected directory is held with a shared `flock` for the run; the supervisor removes a
//! placeholder after the run unless another run still holds it.

use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::SetupError;
use crate::paths::{self, FinalSymlink, Walked};
use crate::roots::Roots;
use crate::sys::{self, FileId, FileInfo};

/// The xattr that marks a placeholder directory as ours.
pub(crate) const PLACEHOLDER_XATTR: &std::ffi::CStr = c"user.codex-sandbox";
/// Its value.
const PLACEHOLDER_VALUE: &[u8] = b"placeholder";
/// Pointer files and `commondir` are a line; anything longer is not one.
const MAX_POINTER_BYTES: u64 = 4096;
/// Attempts at making a placeholder while other runs create and remove it concurrently.
const PLACEHOLDER_ATTEMPTS: usize = 5;

/// One path to bind read-only over.
#[derive(Debug)]
pub(crate) struct Protected {
    /// The path, for the report.
    pub(crate) path: PathBuf,
    /// The file, directory or symlink itself (`O_PATH`), in this mount namespace.
    pub(crate) fd: OwnedFd,
    /// For a directory: the lock that keeps it in place for the run, and what the supervisor
    /// needs to remove it after the run if it is a placeholder.
    pub(crate) placeholder: Option<PlaceholderDir>,
}

/// A protected directory held for the run (a placeholder, or a real `.git`).
#[derive(Debug)]
pub(crate) struct PlaceholderDir {
    /// The directory it is in.
    pub(crate) parent: PathBuf,
    /// Its name there.
    pub(crate) name: OsString,
    /// The directory opened for reading, holding a shared `flock` for as long as it is open.
    pub(crate) dir: OwnedFd,
    /// Whether this run created it (as a placeholder).
    pub(crate) created: bool,
}

/// What [`find`] found.
#[derive(Debug, Default)]
pub(crate) struct ProtectedSet {
    /// Paths to bind read-only, each once.
    pub(crate) items: Vec<Protected>,
    /// Protected paths that are missing and could not be kept from being created.
    pub(crate) unprotected: Vec<PathBuf>,
}

impl ProtectedSet {
    /// The protected paths, for the report.
    pub(crate) fn paths(&self) -> Vec<PathBuf> {
        self.items.iter().map(|item| item.path.clone()).collect()
    }
}

/// Finds the protected paths `entries` names in `roots`; with `can_mount` false (no mount
/// namespace) an existing one is an error and a missing one is reported unprotected.
///
/// # Errors
/// [`SetupError::Unprotectable`] when protected paths exist but cannot be bound read-only;
/// [`SetupError::Os`] when a placeholder cannot be made.
pub(crate) fn find(
    roots: &Roots,
    entries: &[PathBuf],
    can_mount: bool,
) -> Result<ProtectedSet, SetupError> {
    let mut finder = Finder {
        writable: roots.writable_ids(),
        can_mount,
        set: ProtectedSet::default(),
        seen: Vec::new(),
        existing: Vec::new(),
    };
    for entry in entries {
        if entry.is_absolute() {
            finder.absolute(entry)?;
            continue;
        }
        for root in roots
            .writable
            .iter()
            .filter(|root| root.walked.info.is_dir())
        {
            finder.in_root(&root.walked, entry)?;
        }
    }
    if !finder.existing.is_empty() {
        return Err(SetupError::Unprotectable {
            paths: finder.existing,
        });
    }
    Ok(finder.set)
}

/// The search's state.
struct Finder {
    writable: Vec<FileId>,
    can_mount: bool,
    set: ProtectedSet,
    seen: Vec<FileId>,
    /// Without a mount namespace: protected paths that exist.
    existing: Vec<PathBuf>,
}

impl Finder {
    /// `entry` relative to `root`.
    fn in_root(&mut self, root: &Walked, entry: &Path) -> Result<(), SetupError> {
        let path = root.path.join(entry);
        for _ in 0..PLACEHOLDER_ATTEMPTS {
            match sys::open_path_nofollow(root.fd.as_fd(), entry.as_os_str()) {
                Ok(fd) => {
                    if self.found(root.fd.as_fd(), entry.as_os_str(), fd, path.clone())? {
                        return Ok(());
                    }
                    // Another run removed its placeholder meanwhile: look again.
                    continue;
                }
                Err(error) if error.raw_os_error() == Some(libc::ENOENT) => {}
                // ENOTDIR and the like: nothing can be there.
                Err(_) => return Ok(()),
            }
            let name = entry.as_os_str();
            if !self.can_mount || !paths::is_plain_name(name) {
                self.set.unprotected.push(path);
                return Ok(());
            }
            if let Some(placeholder) = make_placeholder(root.fd.as_fd(), &root.path, name)
                .map_err(SetupError::os("making a placeholder for a protected path"))?
            {
                let fd = sys::open_path_nofollow(root.fd.as_fd(), name)
                    .map_err(SetupError::os("opening a placeholder"))?;
                if same_file(&fd, &placeholder.dir) {
                    self.keep(fd, path, Some(placeholder))?;
                    return Ok(());
                }
            }
            // Something else took the name meanwhile: look again.
        }
        Err(SetupError::Os {
            context: "making a placeholder for a protected path",
            source: io::Error::from_raw_os_error(libc::EAGAIN),
        })
    }

    /// An absolute `entry`: protected when it lies in a writable root.
    fn absolute(&mut self, entry: &Path) -> Result<(), SetupError> {
        match paths::walk(entry, FinalSymlink::Keep, None)? {
            Some(walked) if walked.is_within(&self.writable) => {
                let (Some(parent), Some(name)) = (entry.parent(), entry.file_name()) else {
                    return Ok(());
                };
                let parent = paths::walk(parent, FinalSymlink::Follow, None)?;
                if let Some(parent) = parent {
                    self.found(parent.fd.as_fd(), name, walked.fd, entry.into())?;
                }
                Ok(())
            }
            Some(_) => Ok(()),
            None => {
                self.set.unprotected.push(entry.to_path_buf());
                Ok(())
            }
        }
    }

    /// `fd` is `name` in `parent`, at `path`: protect it, and what a `.git` there points at.
    /// `false` when it was another run's placeholder, removed before we could hold it.
    fn found(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &OsStr,
        fd: OwnedFd,
        path: PathBuf,
    ) -> Result<bool, SetupError> {
        let info = sys::fstat(fd.as_fd()).map_err(SetupError::os("reading a protected path"))?;
        let marked = info.is_dir() && is_marked(parent, name);
        if marked && !self.can_mount {
            // Another run's placeholder holds nothing: here the path is as good as missing.
            self.set.unprotected.push(path);
            return Ok(true);
        }
        let held = if info.is_dir() {
            // Held for the run: another run's placeholder (or one a killed run left behind) is
            // shared, and no directory we mount on is removed under us.
            let parent_path = path.parent().map(Path::to_path_buf).unwrap_or_default();
            match hold_dir(parent, &parent_path, name)
                .map_err(SetupError::os("locking a protected directory"))?
            {
                Some(held) if same_file(&fd, &held.dir) => Some(held),
                _ => return Ok(false),
            }
        } else {
            None
        };
        let is_git = Path::new(name).file_name() == Some(OsStr::new(".git"));
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if is_git && info.is_symlink() {
            let target = sys::readlink(fd.as_fd()).map_err(SetupError::os("reading .git"))?;
            self.pointed_at(&base.join(target))?;
        } else if is_git
            && info.is_file()
            && let Some(gitdir) = read_pointer(&fd, "gitdir:")
        {
            let gitdir = base.join(gitdir);
            if self.pointed_at(&gitdir)?
                && let Some(common) = read_file_at(&gitdir.join("commondir"))
            {
                self.pointed_at(&gitdir.join(common.trim()))?;
            }
        }
        self.keep(fd, path, held)?;
        Ok(true)
    }

    /// Protects what a `.git` symlink or pointer leads to, if it lies in a writable root;
    /// returns whether it exists.
    fn pointed_at(&mut self, target: &Path) -> Result<bool, SetupError> {
        let Ok(Some(walked)) = paths::walk(target, FinalSymlink::Follow, None) else {
            return Ok(false);
        };
        if walked.is_within(&self.writable) {
            self.keep(walked.fd, target.to_path_buf(), None)?;
        }
        Ok(true)
    }

    /// Records `fd` once per identity.
    fn keep(
        &mut self,
        fd: OwnedFd,
        path: PathBuf,
        placeholder: Option<PlaceholderDir>,
    ) -> Result<(), SetupError> {
        let info: FileInfo =
            sys::fstat(fd.as_fd()).map_err(SetupError::os("reading a protected path"))?;
        if self.seen.contains(&info.id) {
            return Ok(());
        }
        self.seen.push(info.id);
        if !self.can_mount {
            self.existing.push(path);
            return Ok(());
        }
        self.set.items.push(Protected {
            path,
            fd,
            placeholder,
        });
        Ok(())
    }
}

/// Makes the placeholder `name` in `parent` so that it appears at once with its marker and our
/// shared lock: it is made under a temporary name and renamed into place without replacing
/// anything. `None` when the name was taken meanwhile.
fn make_placeholder(
    parent: BorrowedFd<'_>,
    parent_path: &Path,
    name: &OsStr,
) -> io::Result<Option<PlaceholderDir>> {
    let temporary = OsString::from(format!(".codex-sandbox-placeholder-{:016x}", random()));
    let c_temporary = sys::c_string(&temporary)?;
    // SAFETY: a valid C string and an open directory.
    sys::check(unsafe { libc::mkdirat(parent.as_raw_fd(), c_temporary.as_ptr(), 0o755) }.into())?;
    let made = (|| -> io::Result<OwnedFd> {
        let dir = sys::openat(
            Some(parent),
            &temporary,
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?;
        // SAFETY: flock on an open descriptor.
        sys::check(unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_SH) }.into())?;
        // Best effort: without xattrs only the creator removes it.
        // SAFETY: valid C strings and buffer.
        unsafe {
            libc::fsetxattr(
                dir.as_raw_fd(),
                PLACEHOLDER_XATTR.as_ptr(),
                PLACEHOLDER_VALUE.as_ptr().cast(),
                PLACEHOLDER_VALUE.len(),
                0,
            )
        };
        let c_name = sys::c_string(name)?;
        // The system call, not libc's wrapper, which musl lacks.
        // SAFETY: valid C strings and an open directory.
        let renamed = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                parent.as_raw_fd(),
                c_temporary.as_ptr(),
                parent.as_raw_fd(),
                c_name.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        sys::check(renamed)?;
        Ok(dir)
    })();
    match made {
        Ok(dir) => Ok(Some(PlaceholderDir {
            parent: parent_path.to_path_buf(),
            name: name.to_os_string(),
            dir,
            created: true,
        })),
        Err(error) => {
            let _ = sys::remove_dir_at(parent, &temporary);
            if error.raw_os_error() == Some(libc::EEXIST) {
                Ok(None)
            } else {
                Err(error)
            }
        }
    }
}

/// Holds the directory `name` in `parent` for the run with a shared `flock`, so that no finishing
/// run removes it while this one has it mounted; `None` when it is gone or not a directory.
fn hold_dir(
    parent: BorrowedFd<'_>,
    parent_path: &Path,
    name: &OsStr,
) -> io::Result<Option<PlaceholderDir>> {
    let dir = match sys::openat(
        Some(parent),
        name,
        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
    ) {
        Ok(dir) => dir,
        Err(error)
            if matches!(
                error.raw_os_error(),
                Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)
            ) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    // Blocks while a finishing run holds it exclusively to remove it; then it is gone.
    // SAFETY: flock on an open descriptor.
    sys::check(unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_SH) }.into())?;
    if !sys::fstat(dir.as_fd())?.linked {
        return Ok(None);
    }
    Ok(Some(PlaceholderDir {
        parent: parent_path.to_path_buf(),
        name: name.to_os_string(),
        dir,
        created: false,
    }))
}

/// A random number for a temporary name.
fn random() -> u64 {
    let mut bytes = [0u8; 8];
    // SAFETY: the buffer is writable for its length.
    unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    u64::from_ne_bytes(bytes)
}

/// Whether two descriptors name the same file.
fn same_file(a: &OwnedFd, b: &OwnedFd) -> bool {
    matches!((sys::fstat(a.as_fd()), sys::fstat(b.as_fd())), (Ok(a), Ok(b)) if a.id == b.id)
}

/// Whether `name` in `parent` carries the placeholder marker.
pub(crate) fn is_marked(parent: BorrowedFd<'_>, name: &OsStr) -> bool {
    let Ok(dir) = sys::openat(
        Some(parent),
        name,
        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
    ) else {
        return false;
    };
    has_marker(dir.as_fd())
}

/// Whether the open directory `dir` carries the placeholder marker.
pub(crate) fn has_marker(dir: BorrowedFd<'_>) -> bool {
    let mut value = [0u8; 16];
    // SAFETY: the buffer is writable for its length.
    let len = unsafe {
        libc::fgetxattr(
            dir.as_raw_fd(),
            PLACEHOLDER_XATTR.as_ptr(),
            value.as_mut_ptr().cast(),
            value.len(),
        )
    };
    usize::try_from(len).is_ok_and(|len| &value[..len] == PLACEHOLDER_VALUE)
}

/// The value after `key` in a one-line pointer file (`gitdir: ../x`).
fn read_pointer(fd: &OwnedFd, key: &str) -> Option<String> {
    let text = read_limited(sys::openat(None, fd_os_path(fd).as_os_str(), libc::O_RDONLY).ok()?)?;
    text.trim()
        .strip_prefix(key)
        .map(|rest| rest.trim().to_string())
}

/// The first few KiB of the file at `path`, as text.
fn read_file_at(path: &Path) -> Option<String> {
    read_limited(sys::openat(None, path.as_os_str(), libc::O_RDONLY).ok()?)
}

fn read_limited(fd: OwnedFd) -> Option<String> {
    let mut text = String::new();
    std::fs::File::from(fd)
        .take(MAX_POINTER_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// `/proc/self/fd/N` for `fd`, as a path.
fn fd_os_path(fd: &OwnedFd) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(sys::fd_path(fd.as_fd()).as_bytes()))
}
