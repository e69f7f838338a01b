//! The mount-namespace layer: a new user namespace with a private mount namespace in which every
//! mount is read-only except the writable roots. Landlock cannot stop chmod, chown, utime or
//! setxattr on outside files; a read-only mount can.
//!
//! The roots are cloned with `open_tree(OPEN_TREE_CLONE)` while still writable, then the whole
//! tree is switched read-only with one `mount_setattr(AT_RECURSIVE)` and the clones are moved
//! back over their roots. `mount_setattr` only adds `MOUNT_ATTR_RDONLY`, so flags the parent
//! namespace locked (nosuid, nodev, noexec, atime) stay exactly as they were.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::SetupError;

/// Whether outside files ended up on read-only mounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MountLayer {
    /// Everything outside the writable roots is on read-only mounts.
    Enforced,
    /// The kernel would not give us a user + mount namespace (or the mount API); nothing changed.
    Unavailable,
}

/// Builds the layer where the kernel allows it.
///
/// A failure before anything visible changed leaves the layer [`MountLayer::Unavailable`]; one
/// after the switch to read-only (which could leave a root unwritable) is an error.
///
/// # Errors
/// [`SetupError::Os`] when the namespace was half set up; the command must not run.
pub(crate) fn isolate(writable_roots: &[PathBuf]) -> Result<MountLayer, SetupError> {
    // SAFETY: plain id getters.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // SAFETY: unshare only changes this (single-threaded) process's namespaces.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) } != 0 {
        return Ok(MountLayer::Unavailable);
    }
    map_ids(uid, gid).map_err(|source| SetupError::Os {
        context: "user namespace id maps",
        source,
    })?;
    // Private: a mount made outside later must not propagate in (it would arrive writable).
    // SAFETY: null source/type/data are valid for a propagation change.
    let private = unsafe {
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )
    };
    if private != 0 {
        return Ok(MountLayer::Unavailable);
    }
    let roots = outermost(writable_roots);
    let mut clones = Vec::with_capacity(roots.len());
    for root in &roots {
        match clone_tree(root) {
            Ok(clone) => clones.push((root, clone)),
            Err(_) => return Ok(MountLayer::Unavailable),
        }
    }
    if make_all_read_only().is_err() {
        return Ok(MountLayer::Unavailable);
    }
    for (root, clone) in clones {
        move_onto(&clone, root).map_err(|source| SetupError::Os {
            context: "re-mounting a writable root",
            source,
        })?;
    }
    Ok(MountLayer::Enforced)
}

/// Maps the caller's uid and gid to themselves, so files keep their owners inside.
fn map_ids(uid: libc::uid_t, gid: libc::gid_t) -> io::Result<()> {
    // An unprivileged process may only write gid_map once setgroups is denied.
    fs::write("/proc/self/setgroups", "deny")?;
    fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))
}

/// The roots that are not beneath another root: a clone of the outer one already carries
/// the inner one, writable.
fn outermost(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut kept: Vec<PathBuf> = Vec::with_capacity(roots.len());
    for root in roots {
        let covered = roots
            .iter()
            .any(|other| other != root && root.starts_with(other));
        if !covered && !kept.contains(root) {
            kept.push(root.clone());
        }
    }
    kept
}

/// A detached, writable copy of the mount tree at `root`.
fn clone_tree(root: &Path) -> io::Result<OwnedFd> {
    let path = c_path(root)?;
    let flags = libc::OPEN_TREE_CLONE
        | libc::O_CLOEXEC as libc::c_uint
        | libc::AT_RECURSIVE as libc::c_uint;
    // SAFETY: `path` is a valid C string; the call returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, path.as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this fd and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// Adds `MOUNT_ATTR_RDONLY` to every mount of this namespace, atomically.
fn make_all_read_only() -> io::Result<()> {
    let attr = libc::mount_attr {
        attr_set: libc::MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: `attr` is a valid mount_attr of the size passed.
    let result = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c"/".as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &attr as *const libc::mount_attr,
            size_of::<libc::mount_attr>(),
        )
    };
    if result != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Attaches the detached tree `clone` at `target`.
fn move_onto(clone: &OwnedFd, target: &Path) -> io::Result<()> {
    let target = c_path(target)?;
    // SAFETY: both strings are valid C strings and the fd is open.
    let result = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            clone.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    if result != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `path` as a C string; a path with a NUL byte is an invalid argument.
fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_roots_are_carried_by_the_outer_clone() {
        let roots: Vec<PathBuf> = ["/ws", "/tmp", "/ws/sub", "/tmp", "/tmpx"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(
            outermost(&roots),
            vec![PathBuf::from("/ws"), "/tmp".into(), "/tmpx".into()]
        );
    }
}
