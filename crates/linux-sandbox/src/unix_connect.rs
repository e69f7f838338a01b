//! Which Unix socket files a sandboxed command may connect to, decided on a pinned file.
//!
//! The path the command gave is resolved once, in its root and cwd, to an `O_PATH` descriptor of
//! the socket file; the decision is about that file and the connect is performed through it, so
//! what was checked is what is used. A socket file is connectable when it lies inside the
//! workspace, an extra writable root or an allow-listed directory (or is an allow-listed file),
//! or when the socket bound to it is one the command itself bound — wherever that lives, `/tmp`
//! included. Everything else (docker.sock, ssh-agent and X11 sockets under `/tmp`, D-Bus) is not.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::notify::Target;
use crate::sock_diag::{self, Binding};
use crate::sys::{self, FileId};

/// Symlinks followed before giving up, as the kernel does.
const MAX_SYMLINKS: usize = 40;
/// Directory levels walked up before giving up (a loop of bind mounts cannot trap us).
const MAX_DEPTH: usize = 4096;

/// What the supervisor knows about the sandbox's sockets.
#[derive(Debug, Default)]
pub(crate) struct SocketPolicy {
    /// Directories (or socket files) beneath which connects are allowed.
    pub(crate) roots: HashSet<FileId>,
    /// Cookies of the Unix sockets the command bound.
    pub(crate) bound: HashSet<u64>,
}

/// The decision on one connect.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Connect, through this pinned socket file.
    Allow(OwnedFd),
    /// Refuse (EACCES) and record it.
    Deny,
    /// The connect fails by itself with this errno (no such file, not a socket…).
    Fail(i32),
}

impl SocketPolicy {
    /// Decides on a connect by `target` to the pathname `path` (without its terminating NUL).
    pub(crate) fn decide(&self, target: &Target, path: &[u8]) -> Verdict {
        match self.try_decide(target, path) {
            Ok(verdict) => verdict,
            Err(error) => Verdict::Fail(error.raw_os_error().unwrap_or(libc::EACCES)),
        }
    }

    fn try_decide(&self, target: &Target, path: &[u8]) -> io::Result<Verdict> {
        if path.is_empty() {
            return Err(io::Error::from_raw_os_error(libc::ENOENT));
        }
        let root = target.root()?;
        let base = if path.first() == Some(&b'/') {
            root.try_clone()?
        } else {
            target.cwd()?
        };
        let (parent, file) = resolve(&root, base, Path::new(OsStr::from_bytes(path)))?;
        let info = sys::fstat(file.as_fd())?;
        if !info.is_socket() {
            // What the kernel answers for a connect to anything but a socket.
            return Err(io::Error::from_raw_os_error(libc::ECONNREFUSED));
        }
        let allowed = self.roots.contains(&info.id)
            || self.is_beneath_a_root(parent, sys::fstat(root.as_fd())?.id)?
            || self.bound_by_the_command(Binding::File(info.id));
        Ok(if allowed {
            Verdict::Allow(file)
        } else {
            Verdict::Deny
        })
    }

    /// Whether `dir` or a directory above it (up to `top`) is one of the roots.
    fn is_beneath_a_root(&self, mut dir: OwnedFd, top: FileId) -> io::Result<bool> {
        for _ in 0..MAX_DEPTH {
            let id = sys::fstat(dir.as_fd())?.id;
            if self.roots.contains(&id) {
                return Ok(true);
            }
            if id == top {
                return Ok(false);
            }
            let parent = sys::openat(
                Some(dir.as_fd()),
                OsStr::new(".."),
                libc::O_PATH | libc::O_DIRECTORY,
            )?;
            if sys::fstat(parent.as_fd())?.id == id {
                return Ok(false);
            }
            dir = parent;
        }
        Ok(false)
    }

    /// Whether a socket the command bound is bound as `binding` says.
    pub(crate) fn bound_by_the_command(&self, binding: Binding<'_>) -> bool {
        !self.bound.is_empty()
            && sock_diag::cookies_bound_to(binding)
                .is_ok_and(|cookies| cookies.iter().any(|cookie| self.bound.contains(cookie)))
    }
}

/// Resolves `path` from `base` (a directory), `/` meaning `root`, following symlinks as
/// `connect` does; returns the directory the socket file lies in and the file itself.
fn resolve(root: &OwnedFd, mut base: OwnedFd, path: &Path) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut path: PathBuf = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        let (dir_part, name) = split(&path)?;
        let parent = open_dir(root.as_fd(), base.as_fd(), &dir_part)?;
        let file = sys::open_path_nofollow(parent.as_fd(), &name)?;
        if !sys::fstat(file.as_fd())?.is_symlink() {
            return Ok((parent, file));
        }
        let target = PathBuf::from(sys::readlink(file.as_fd())?);
        base = if target.is_absolute() {
            root.try_clone()?
        } else {
            parent
        };
        path = target;
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

/// The directory part and the last name of `path`.
fn split(path: &Path) -> io::Result<(PathBuf, OsString)> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.ends_with(b"/") {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }
    let name = path
        .file_name()
        .filter(|name| *name != "..")
        .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((dir, name.to_os_string()))
}

/// Opens the directory `dir` relative to `base`, absolute paths and absolute symlinks staying
/// inside `root` (`RESOLVE_IN_ROOT` from `root` for an absolute `dir`). Magic links
/// (`/proc/PID/fd/N`) are refused: they would jump past any walk.
fn open_dir(root: BorrowedFd<'_>, base: BorrowedFd<'_>, dir: &Path) -> io::Result<OwnedFd> {
    let (start, resolve) = if dir.is_absolute() {
        (root, libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS)
    } else {
        (base, libc::RESOLVE_NO_MAGICLINKS)
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let name = sys::c_string(dir.as_os_str())?;
    // SAFETY: open_how is plain data; zero is "no mode" and fills the reserved tail.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) as u64;
    how.resolve = resolve;
    // SAFETY: `name` and `how` are valid for the call; it returns a new fd or -1.
    let fd = sys::check(unsafe {
        libc::syscall(
            libc::SYS_openat2,
            std::os::fd::AsRawFd::as_raw_fd(&start),
            name.as_ptr(),
            &how as *const libc::open_how,
            size_of::<libc::open_how>(),
        )
    })?;
    // SAFETY: the kernel just returned this descriptor.
    Ok(unsafe { std::os::fd::FromRawFd::from_raw_fd(fd as libc::c_int) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_name() {
        let (dir, name) = split(Path::new("/run/user/sock")).unwrap();
        assert_eq!(
            (dir.as_path(), name.as_os_str()),
            (Path::new("/run/user"), OsStr::new("sock"))
        );
        let (dir, name) = split(Path::new("sock")).unwrap();
        assert_eq!(
            (dir.as_path(), name.as_os_str()),
            (Path::new(""), OsStr::new("sock"))
        );
        assert!(split(Path::new("dir/")).is_err());
        assert!(split(Path::new("..")).is_err());
    }
}
