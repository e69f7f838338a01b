//! Thin, checked wrappers over the system calls the helper makes, so that the modules above read
//! as policy rather than as `unsafe` plumbing.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use serde::{Deserialize, Serialize};

/// `SO_DOMAIN`: a socket's address family (the same number on every architecture shipped).
pub(crate) const SO_DOMAIN: libc::c_int = 39;
/// `SO_COOKIE`: a socket's 64-bit id, never reused.
pub(crate) const SO_COOKIE: libc::c_int = 57;

/// A file's identity: device and inode, as `stat` reports them. Two paths (or fds, in any mount
/// namespace) with the same identity are the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct FileId {
    pub(crate) dev: u64,
    pub(crate) ino: u64,
}

/// What `fstat` says about an open file, as far as the helper cares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileInfo {
    pub(crate) id: FileId,
    pub(crate) mode: u32,
    /// Whether it still has a name (a removed directory has none).
    pub(crate) linked: bool,
}

impl FileInfo {
    fn kind(&self) -> u32 {
        self.mode & libc::S_IFMT
    }

    pub(crate) fn is_dir(&self) -> bool {
        self.kind() == libc::S_IFDIR
    }

    pub(crate) fn is_symlink(&self) -> bool {
        self.kind() == libc::S_IFLNK
    }

    pub(crate) fn is_socket(&self) -> bool {
        self.kind() == libc::S_IFSOCK
    }

    pub(crate) fn is_file(&self) -> bool {
        self.kind() == libc::S_IFREG
    }
}

/// `-1` with errno → `Err`; anything else passes through.
pub(crate) fn check(result: libc::c_long) -> io::Result<libc::c_long> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// Wraps a fresh descriptor returned by the kernel.
fn owned(fd: libc::c_long) -> io::Result<OwnedFd> {
    let fd = RawFd::try_from(check(fd)?).map_err(io::Error::other)?;
    // SAFETY: the kernel just returned this descriptor and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `name` as a C string; a name with a NUL byte is an invalid argument.
pub(crate) fn c_string(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// `openat(dir, name, flags | O_CLOEXEC)`; `dir` `None` is the current directory.
pub(crate) fn openat(dir: Option<BorrowedFd<'_>>, name: &OsStr, flags: i32) -> io::Result<OwnedFd> {
    let name = c_string(name)?;
    let dir = dir.map_or(libc::AT_FDCWD, |fd| fd.as_raw_fd());
    // SAFETY: `name` is a valid C string; the call returns a new fd or -1.
    owned(unsafe { libc::openat(dir, name.as_ptr(), flags | libc::O_CLOEXEC) }.into())
}

/// An `O_PATH` handle on `name` in `dir`, not following a final symlink.
pub(crate) fn open_path_nofollow(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<OwnedFd> {
    openat(Some(dir), name, libc::O_PATH | libc::O_NOFOLLOW)
}

/// `fstat` of an open descriptor (an `O_PATH` one included).
pub(crate) fn fstat(fd: BorrowedFd<'_>) -> io::Result<FileInfo> {
    // SAFETY: a zeroed stat is a valid out-parameter.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: the empty path with AT_EMPTY_PATH names `fd` itself; `st` is writable.
    check(
        unsafe {
            libc::fstatat(
                fd.as_raw_fd(),
                c"".as_ptr(),
                &mut st,
                libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW,
            )
        }
        .into(),
    )?;
    Ok(FileInfo {
        id: FileId {
            dev: st.st_dev,
            ino: st.st_ino,
        },
        mode: st.st_mode,
        linked: st.st_nlink > 0,
    })
}

/// The target of the symlink that `fd` (opened `O_PATH | O_NOFOLLOW`) is.
pub(crate) fn readlink(fd: BorrowedFd<'_>) -> io::Result<OsString> {
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: the buffer is writable for its length; the empty path names `fd` itself.
    let len = check(unsafe {
        libc::readlinkat(
            fd.as_raw_fd(),
            c"".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    } as libc::c_long)?;
    buf.truncate(usize::try_from(len).map_err(io::Error::other)?);
    Ok(OsString::from_vec(buf))
}

/// `/proc/self/fd/N` for `fd`: a name through which a path-taking call reaches exactly that file.
pub(crate) fn fd_path(fd: BorrowedFd<'_>) -> CString {
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    // A decimal number holds no NUL byte.
    CString::new(path).unwrap_or_default()
}

/// `open_tree(fd, "", OPEN_TREE_CLONE | AT_RECURSIVE)`: a detached copy of the mount tree at
/// `fd`, which must lie in this process's mount namespace.
pub(crate) fn clone_tree(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let flags = libc::OPEN_TREE_CLONE
        | libc::O_CLOEXEC as libc::c_uint
        | libc::AT_RECURSIVE as libc::c_uint
        | libc::AT_EMPTY_PATH as libc::c_uint;
    // SAFETY: the empty path with AT_EMPTY_PATH names `fd`; returns a new fd or -1.
    owned(unsafe { libc::syscall(libc::SYS_open_tree, fd.as_raw_fd(), c"".as_ptr(), flags) })
}

/// Adds `MOUNT_ATTR_RDONLY` to the mount at `fd` (and, with `recursive`, every mount below).
pub(crate) fn set_read_only(fd: BorrowedFd<'_>, recursive: bool) -> io::Result<()> {
    let attr = libc::mount_attr {
        attr_set: libc::MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    let mut flags = libc::AT_EMPTY_PATH as libc::c_uint;
    if recursive {
        flags |= libc::AT_RECURSIVE as libc::c_uint;
    }
    // SAFETY: `attr` is a valid mount_attr of the size passed; the empty path names `fd`.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            fd.as_raw_fd(),
            c"".as_ptr(),
            flags,
            &attr as *const libc::mount_attr,
            size_of::<libc::mount_attr>(),
        )
    })
    .map(drop)
}

/// Attaches the detached tree `tree` on top of the file or directory `target` (both fds).
pub(crate) fn move_mount(tree: BorrowedFd<'_>, target: BorrowedFd<'_>) -> io::Result<()> {
    let flags = libc::MOVE_MOUNT_F_EMPTY_PATH | libc::MOVE_MOUNT_T_EMPTY_PATH;
    // SAFETY: both descriptors are open and both paths are empty C strings.
    check(unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            c"".as_ptr(),
            target.as_raw_fd(),
            c"".as_ptr(),
            flags,
        )
    })
    .map(drop)
}

/// A `SOCK_SEQPACKET` Unix socketpair, both ends close-on-exec.
pub(crate) fn seqpacket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two descriptors.
    check(
        unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
                0,
                fds.as_mut_ptr(),
            )
        }
        .into(),
    )?;
    // SAFETY: socketpair succeeded; both are fresh descriptors owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// `prctl` with integer arguments.
pub(crate) fn prctl(option: libc::c_int, arg: libc::c_ulong) -> io::Result<()> {
    // SAFETY: every option used here takes integers only.
    check(unsafe { libc::prctl(option, arg, 0, 0, 0) }.into()).map(drop)
}

/// A signal set holding `signals`.
pub(crate) fn sigset(signals: &[libc::c_int]) -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset only write into the set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &signal in signals {
            libc::sigaddset(&mut set, signal);
        }
        set
    }
}

/// Blocks `set`; returns the mask that was in force before.
pub(crate) fn block_signals(set: &libc::sigset_t) -> libc::sigset_t {
    // SAFETY: both pointers are valid signal sets.
    unsafe {
        let mut previous: libc::sigset_t = std::mem::zeroed();
        libc::sigprocmask(libc::SIG_BLOCK, set, &mut previous);
        previous
    }
}

/// Restores a signal mask taken with [`block_signals`].
pub(crate) fn set_signal_mask(mask: &libc::sigset_t) {
    // SAFETY: `mask` is a valid signal set.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, mask, std::ptr::null_mut()) };
}

/// A non-blocking signalfd for `set` (which must be blocked).
pub(crate) fn signalfd(set: &libc::sigset_t) -> io::Result<OwnedFd> {
    // SAFETY: `set` is a valid signal set; returns a new fd or -1.
    owned(unsafe { libc::signalfd(-1, set, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK) }.into())
}

/// The next pending signal from a signalfd, if any.
pub(crate) fn read_signal(fd: BorrowedFd<'_>) -> Option<libc::c_int> {
    // SAFETY: a zeroed siginfo is a valid buffer of the size passed.
    let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
    let size = size_of::<libc::signalfd_siginfo>();
    // SAFETY: the buffer is writable for `size` bytes.
    let read = unsafe { libc::read(fd.as_raw_fd(), (&raw mut info).cast(), size) };
    (usize::try_from(read).ok() == Some(size)).then_some(info.ssi_signo as libc::c_int)
}

/// Waits for any child without blocking: `Some((pid, status))` for one that changed state.
pub(crate) fn reap_any() -> Option<(libc::pid_t, libc::c_int)> {
    let mut status = 0;
    // SAFETY: `status` is a valid out-parameter.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    (pid > 0).then_some((pid, status))
}

/// Waits until one of `fds` is readable (or hung up); returns their `revents`.
pub(crate) fn poll(fds: &[BorrowedFd<'_>]) -> io::Result<Vec<libc::c_short>> {
    let mut entries: Vec<libc::pollfd> = fds
        .iter()
        .map(|fd| libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    loop {
        // SAFETY: `entries` is a valid array of its length.
        let ready = unsafe { libc::poll(entries.as_mut_ptr(), entries.len() as libc::nfds_t, -1) };
        if ready >= 0 {
            return Ok(entries.iter().map(|entry| entry.revents).collect());
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// The `revents` of `fd` right now, without waiting.
pub(crate) fn poll_now(fd: BorrowedFd<'_>) -> libc::c_short {
    let mut entry = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; a zero timeout never blocks.
    let ready = unsafe { libc::poll(&mut entry, 1, 0) };
    if ready < 0 {
        libc::POLLERR
    } else {
        entry.revents
    }
}

/// `getsockopt` of an integer-sized option.
pub(crate) fn socket_option<T: Copy + Default>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
) -> io::Result<T> {
    let mut value = T::default();
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: `value` is writable for `len` bytes.
    check(
        unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                level,
                name,
                (&raw mut value).cast(),
                &mut len,
            )
        }
        .into(),
    )?;
    Ok(value)
}

/// `setsockopt(fd, level, name, value)`.
pub(crate) fn set_socket_option<T: Copy>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: T,
) -> io::Result<()> {
    // SAFETY: `value` is readable for its size.
    check(
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                level,
                name,
                (&raw const value).cast(),
                size_of::<T>() as libc::socklen_t,
            )
        }
        .into(),
    )
    .map(drop)
}

/// `connect(fd, addr)` with raw sockaddr bytes; `Ok(())` or the errno.
pub(crate) fn connect_raw(fd: BorrowedFd<'_>, addr: &[u8]) -> Result<(), i32> {
    // SAFETY: `addr` is readable for its length; the kernel validates its contents.
    let result = unsafe {
        libc::connect(
            fd.as_raw_fd(),
            addr.as_ptr().cast(),
            addr.len() as libc::socklen_t,
        )
    };
    if result == 0 { Ok(()) } else { Err(errno()) }
}

/// The calling thread's errno.
pub(crate) fn errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// A `sockaddr_un` for `path` (a NUL-terminated C string up to 107 bytes).
pub(crate) fn unix_address(path: &CStr) -> Option<Vec<u8>> {
    let bytes = path.to_bytes_with_nul();
    let family = (libc::AF_UNIX as libc::sa_family_t).to_ne_bytes();
    (bytes.len() <= 108).then(|| [&family[..], bytes].concat())
}

/// The status flags of an open file (`F_GETFL`).
pub(crate) fn file_flags(fd: BorrowedFd<'_>) -> io::Result<libc::c_int> {
    // SAFETY: F_GETFL only reads the descriptor's flags.
    check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) }.into())
        .map(|flags| flags as libc::c_int)
}

/// Takes an exclusive `flock` without waiting (converting a shared one this description holds).
pub(crate) fn try_lock_exclusive(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: flock on an open descriptor.
    unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// Whether the directory open as `fd` holds no entries.
pub(crate) fn is_empty_dir(fd: BorrowedFd<'_>) -> bool {
    let path = OsString::from_vec(fd_path(fd).into_bytes());
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// `unlinkat(dir, name, AT_REMOVEDIR)`.
pub(crate) fn remove_dir_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<()> {
    let name = c_string(name)?;
    // SAFETY: `name` is a valid C string and `dir` an open directory.
    check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), libc::AT_REMOVEDIR) }.into())
        .map(drop)
}

/// The pids of this process's children, whichever of its threads they belong to.
pub(crate) fn children_of_self() -> Vec<libc::pid_t> {
    let Ok(threads) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    threads
        .flatten()
        .filter_map(|thread| std::fs::read_to_string(thread.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|pid| pid.parse().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}
