//! Closing inherited file descriptors: a command must not write through an fd its caller
//! opened outside the sandbox.

use crate::error::SetupError;

/// Marks every fd above stderr close-on-exec, so that the command starts with only 0–2.
///
/// Close-on-exec rather than closing now: the status pipe must stay open until the exec.
///
/// # Errors
/// [`SetupError::Os`] when the kernel lacks `close_range` and `/proc/self/fd` cannot be read.
pub(crate) fn close_inherited_on_exec() -> Result<(), SetupError> {
    // SAFETY: close_range only changes flags in this process's descriptor table.
    let marked = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3 as libc::c_uint,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if marked == 0 {
        return Ok(());
    }
    // Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: walk the open fds instead.
    let entries = std::fs::read_dir("/proc/self/fd").map_err(|source| SetupError::Os {
        context: "listing inherited file descriptors",
        source,
    })?;
    let fds: Vec<libc::c_int> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    for fd in fds {
        // SAFETY: fcntl on a number only changes that descriptor's flags (or fails with EBADF
        // for the directory's own fd, which is closed by now).
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    Ok(())
}
