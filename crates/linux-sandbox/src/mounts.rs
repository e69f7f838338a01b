//! The mount layer, built by the namespace's init in its own mount namespace: everything is
//! read-only except the writable roots, protected paths inside those stay read-only, and `/proc`
//! is a fresh instance that shows only the sandbox's own processes. Landlock cannot stop chmod,
//! chown, utime or setxattr on outside files; a read-only mount can.
//!
//! The order is what makes it work with descriptors only:
//!
//! 1. the whole tree becomes private, so no mount made outside later propagates in writable;
//! 2. each protected path gets a read-only clone of itself mounted on top of it;
//! 3. each outermost writable root is cloned, recursively, while still writable — the clone
//!    carries the read-only protected mounts inside it;
//! 4. a fresh procfs is mounted on `/proc`;
//! 5. one `mount_setattr(AT_RECURSIVE)` makes every mount read-only (flags the parent namespace
//!    locked, such as nosuid or nodev, are only added to, never cleared);
//! 6. the root clones are moved back over their roots.
//!
//! Every step works on the descriptors [`crate::roots`] and [`crate::protected`] opened, never on
//! a path looked up again. Any failure here is fatal: the namespace exists, so a half-built layer
//! must not run a command.

use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};

use crate::error::SetupError;
use crate::protected::Protected;
use crate::roots::Root;
use crate::sys;

/// Builds the layer over `roots`, keeping `protected` read-only.
///
/// # Errors
/// [`SetupError::Os`] naming the step that failed.
pub(crate) fn isolate(roots: &[Root], protected: &[Protected]) -> Result<(), SetupError> {
    make_private()?;
    for item in protected {
        let clone =
            sys::clone_tree(item.fd.as_fd()).map_err(SetupError::os("cloning a protected path"))?;
        sys::set_read_only(clone.as_fd(), true)
            .map_err(SetupError::os("making a protected path read-only"))?;
        sys::move_mount(clone.as_fd(), item.fd.as_fd())
            .map_err(SetupError::os("mounting a protected path read-only"))?;
    }
    let mut clones: Vec<(OwnedFd, &Root)> = Vec::new();
    for root in outermost(roots) {
        let clone = sys::clone_tree(root.walked.fd.as_fd())
            .map_err(SetupError::os("cloning a writable root"))?;
        clones.push((clone, root));
    }
    mount_fresh_proc()?;
    let top = sys::openat(None, OsStr::new("/"), libc::O_PATH | libc::O_DIRECTORY)
        .map_err(SetupError::os("opening /"))?;
    sys::set_read_only(top.as_fd(), true)
        .map_err(SetupError::os("making the mount tree read-only"))?;
    for (clone, root) in clones {
        sys::move_mount(clone.as_fd(), root.walked.fd.as_fd())
            .map_err(SetupError::os("re-mounting a writable root"))?;
    }
    Ok(())
}

/// Makes every mount private, so that mounts made outside later do not propagate in.
fn make_private() -> Result<(), SetupError> {
    // SAFETY: null source/type/data are valid for a propagation change.
    let result = unsafe {
        libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )
    };
    sys::check(result.into())
        .map(drop)
        .map_err(SetupError::os("making the mount tree private"))
}

/// Mounts a procfs of this PID namespace on `/proc`, if there is a `/proc`.
///
/// The kernel refuses when the caller's `/proc` has parts hidden under other mounts (as in some
/// containers): then the command would see the outside processes, so that is a failure too.
fn mount_fresh_proc() -> Result<(), SetupError> {
    if !std::path::Path::new("/proc").is_dir() {
        return Ok(());
    }
    // SAFETY: valid C strings; no data.
    let result = unsafe {
        libc::mount(
            c"proc".as_ptr(),
            c"/proc".as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        )
    };
    sys::check(result.into())
        .map(drop)
        .map_err(SetupError::os("mounting /proc for the PID namespace"))
}

/// The roots that do not lie beneath another root: a recursive clone of the outer one already
/// carries the inner one, writable.
fn outermost(roots: &[Root]) -> Vec<&Root> {
    roots
        .iter()
        .filter(|root| {
            !roots.iter().any(|other| {
                other.walked.info.id != root.walked.info.id
                    && root.walked.ancestors.contains(&other.walked.info.id)
            })
        })
        .collect()
}
