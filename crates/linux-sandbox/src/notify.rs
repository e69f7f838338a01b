//! The supervisor's side of seccomp user notifications: receiving them, reaching into the
//! calling thread (its memory, its descriptors, its root and cwd), and answering.
//!
//! Target memory is read once into our own buffer, and the notification id is checked after
//! every read: a thread that died and whose pid was reused must not be answered with another
//! process's data.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use crate::sys;

/// `PIDFD_THREAD` (Linux 6.9): a pidfd for a thread rather than a process.
const PIDFD_THREAD: libc::c_uint = libc::O_EXCL as libc::c_uint;

/// One notification: a thread waiting in a system call for our answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Notification {
    /// Its id, for the answer.
    pub(crate) id: u64,
    /// The thread's id in our PID namespace.
    pub(crate) tid: libc::pid_t,
    /// The system call number.
    pub(crate) nr: i32,
    /// Its arguments.
    pub(crate) args: [u64; 6],
}

/// The listener the command's filter notifies.
#[derive(Debug)]
pub(crate) struct Listener(OwnedFd);

impl Listener {
    /// Takes ownership of a listener fd.
    pub(crate) fn new(fd: OwnedFd) -> Listener {
        Listener(fd)
    }

    /// The next notification (call when the fd polls readable).
    ///
    /// # Errors
    /// ENOENT when the thread went away before we read it; other OS errors.
    pub(crate) fn receive(&self) -> io::Result<Notification> {
        // SAFETY: the kernel requires a zeroed struct; it fills it in.
        let mut raw: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: `raw` has the size the ioctl expects.
        sys::check(
            unsafe { libc::ioctl(self.0.as_raw_fd(), libc::SECCOMP_IOCTL_NOTIF_RECV, &mut raw) }
                .into(),
        )?;
        Ok(Notification {
            id: raw.id,
            tid: raw.pid as libc::pid_t,
            nr: raw.data.nr,
            args: raw.data.args,
        })
    }

    /// Whether the notification is still pending (the thread has not gone away).
    pub(crate) fn is_valid(&self, id: u64) -> bool {
        // SAFETY: the ioctl reads the u64 id.
        unsafe { libc::ioctl(self.0.as_raw_fd(), libc::SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 }
    }

    /// Answers: the call returns `Ok(value)` or fails with `Err(errno)`.
    pub(crate) fn answer(&self, id: u64, result: Result<i64, i32>) {
        let (val, error) = match result {
            Ok(value) => (value, 0),
            Err(errno) => (0, -errno),
        };
        self.send(libc::seccomp_notif_resp {
            id,
            val,
            error,
            flags: 0,
        });
    }

    /// Lets the call run as the thread asked. Only for calls whose effect the kernel's own checks
    /// (Landlock, the read-only mounts) already bound, whatever the thread changes meanwhile.
    pub(crate) fn let_run(&self, id: u64) {
        self.send(libc::seccomp_notif_resp {
            id,
            val: 0,
            error: 0,
            flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32,
        });
    }

    fn send(&self, mut response: libc::seccomp_notif_resp) {
        // An ENOENT answer means the thread went away meanwhile: nothing is waiting any more.
        // SAFETY: `response` has the size the ioctl expects.
        unsafe {
            libc::ioctl(
                self.0.as_raw_fd(),
                libc::SECCOMP_IOCTL_NOTIF_SEND,
                &mut response,
            )
        };
    }
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// The thread behind a notification, pinned by a pidfd.
#[derive(Debug)]
pub(crate) struct Target {
    tid: libc::pid_t,
    pidfd: OwnedFd,
}

impl Target {
    /// Pins the thread of `notification`.
    ///
    /// # Errors
    /// ESRCH when the notification is no longer valid (the tid may have been reused); EPERM
    /// when we may not reach into the thread.
    pub(crate) fn open(listener: &Listener, notification: &Notification) -> io::Result<Target> {
        let tid = notification.tid;
        let pidfd = pidfd_open(tid, PIDFD_THREAD).or_else(|error| {
            // Before Linux 6.9 only a thread-group leader has a pidfd: pin the process instead.
            if error.raw_os_error() != Some(libc::EINVAL) {
                return Err(error);
            }
            pidfd_open(thread_group(tid)?, 0)
        })?;
        if !listener.is_valid(notification.id) {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        Ok(Target { tid, pidfd })
    }

    /// A duplicate of the thread's descriptor `fd`.
    ///
    /// # Errors
    /// EBADF when it has no such descriptor; EPERM when we may not take it.
    pub(crate) fn take_fd(&self, fd: u64) -> io::Result<OwnedFd> {
        let fd =
            libc::c_int::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        // SAFETY: pidfd_getfd returns a new fd or -1.
        let dup = sys::check(unsafe {
            libc::syscall(libc::SYS_pidfd_getfd, self.pidfd.as_raw_fd(), fd, 0)
        })?;
        // SAFETY: the kernel just installed this descriptor for us.
        Ok(unsafe { OwnedFd::from_raw_fd(dup as libc::c_int) })
    }

    /// Copies `len` bytes at `addr` out of the thread's memory.
    ///
    /// # Errors
    /// EFAULT for an unmapped address; EPERM when we may not read it.
    pub(crate) fn read(&self, addr: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let local = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: len,
        };
        let remote = libc::iovec {
            iov_base: addr as *mut libc::c_void,
            iov_len: len,
        };
        // SAFETY: `local` points at our own buffer of `len` bytes; the kernel checks `remote`.
        let read = sys::check(
            unsafe { libc::process_vm_readv(self.tid, &local, 1, &remote, 1, 0) } as libc::c_long,
        )?;
        if read as usize != len {
            return Err(io::Error::from_raw_os_error(libc::EFAULT));
        }
        Ok(buf)
    }

    /// The thread's root directory (`/proc/TID/root`), as the kernel resolves its paths.
    pub(crate) fn root(&self) -> io::Result<OwnedFd> {
        self.proc_dir("root")
    }

    /// The thread's working directory.
    pub(crate) fn cwd(&self) -> io::Result<OwnedFd> {
        self.proc_dir("cwd")
    }

    fn proc_dir(&self, which: &str) -> io::Result<OwnedFd> {
        let path = format!("/proc/{}/{which}", self.tid);
        sys::openat(None, OsStr::new(&path), libc::O_PATH | libc::O_DIRECTORY)
    }
}

fn pidfd_open(pid: libc::pid_t, flags: libc::c_uint) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open returns a new fd or -1.
    let fd = sys::check(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, flags) })?;
    // SAFETY: the kernel just returned this descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// The thread-group id of `tid`, from `/proc/TID/status`.
fn thread_group(tid: libc::pid_t) -> io::Result<libc::pid_t> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Tgid:"))
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))
}
