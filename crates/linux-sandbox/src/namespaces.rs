//! Starting the sandbox's init: in new user, mount, PID and IPC namespaces where the kernel allows
//! them, else as a plain child (the filter then guards what the namespaces would have isolated).

use std::io;

use crate::error::SetupError;
use crate::sys;

/// How the init was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    /// New user, mount, PID and IPC namespaces: the init is pid 1, and every process of the
    /// sandbox dies with it.
    Namespaces,
    /// The kernel allows no user namespace: a plain child.
    None,
}

/// Which side of the fork this process is on.
pub(crate) enum Forked {
    /// The supervisor, with the init's pid.
    Parent(libc::pid_t, Isolation),
    /// The init.
    Child(Isolation),
}

/// Forks the init, in new namespaces if the kernel allows a user namespace.
///
/// Call only while single-threaded: the child continues this program's code.
///
/// # Errors
/// The OS error when even a plain fork fails.
pub(crate) fn fork_init() -> io::Result<Forked> {
    let flags = libc::CLONE_NEWUSER
        | libc::CLONE_NEWNS
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWIPC
        | libc::SIGCHLD;
    // A null stack makes clone behave as fork (copy-on-write of the caller's stack).
    // SAFETY: the process is single-threaded, so the child owns a consistent copy of it.
    let pid = unsafe {
        libc::syscall(
            libc::SYS_clone,
            flags as libc::c_ulong,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    };
    match pid {
        0 => return Ok(Forked::Child(Isolation::Namespaces)),
        pid if pid > 0 => return Ok(Forked::Parent(pid as libc::pid_t, Isolation::Namespaces)),
        _ => {}
    }
    let error = io::Error::last_os_error();
    // EPERM (sysctl, AppArmor, seccomp), ENOSPC (max_user_namespaces = 0), EUSERS (nesting),
    // EINVAL (not compiled in): no namespaces here. Anything else is a real failure.
    if !matches!(
        error.raw_os_error(),
        Some(libc::EPERM | libc::ENOSPC | libc::EUSERS | libc::EINVAL | libc::ENOSYS)
    ) {
        return Err(error);
    }
    // SAFETY: as above, single-threaded.
    match unsafe { libc::fork() } {
        0 => Ok(Forked::Child(Isolation::None)),
        pid if pid > 0 => Ok(Forked::Parent(pid, Isolation::None)),
        _ => Err(io::Error::last_os_error()),
    }
}

/// In the new user namespace: maps the supervisor's uid and gid to themselves, so that files keep
/// their owners inside.
///
/// # Errors
/// [`SetupError::Os`] when a map cannot be written.
pub(crate) fn map_ids(uid: libc::uid_t, gid: libc::gid_t) -> Result<(), SetupError> {
    let write = |path: &str, text: String| {
        std::fs::write(path, text).map_err(SetupError::os("writing the user namespace's id maps"))
    };
    // An unprivileged process may only write gid_map once setgroups is denied.
    write("/proc/self/setgroups", "deny".into())?;
    write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    write("/proc/self/gid_map", format!("{gid} {gid} 1"))
}

/// Makes this process die with its parent (SIGKILL), and exits now if the parent is already gone.
///
/// `parent_alive` says whether the parent still exists, checked after the death signal is armed
/// so that no death is missed in between.
pub(crate) fn die_with_parent(parent_alive: impl FnOnce() -> bool) {
    if sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong).is_err()
        || !parent_alive()
    {
        // SAFETY: _exit ends the process without running anything else.
        unsafe { libc::_exit(1) };
    }
}
