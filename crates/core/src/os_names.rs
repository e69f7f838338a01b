//! Node's names for OS numbers: errnos (`ENOENT`) and signals (`SIGSEGV`).
//!
//! A JavaScript caller compares `error.code` and `result.signal` with Node's own names, so the
//! numbers are named here, once, the way `os.constants` names them.

use std::borrow::Cow;
use std::io;

/// Node's name for the errno behind `error` (`ENOENT`…), or `EIO` when it has none we know.
pub fn errno_name(error: &io::Error) -> &'static str {
    let Some(errno) = error.raw_os_error() else {
        return "EIO";
    };
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::ENOEXEC => "ENOEXEC",
        libc::EBADF => "EBADF",
        libc::ECHILD => "ECHILD",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::ETXTBSY => "ETXTBSY",
        libc::ENOSPC => "ENOSPC",
        libc::EROFS => "EROFS",
        libc::EPIPE => "EPIPE",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ELOOP => "ELOOP",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ETIMEDOUT => "ETIMEDOUT",
        _ => "EIO",
    }
}

/// Signals and their names, in the order of Node's `os.constants.signals`; where two names
/// share a number the first wins, as in Node (6 is `SIGABRT`, not `SIGIOT`).
#[cfg(unix)]
const SIGNALS: &[(i32, &str)] = &[
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGINT, "SIGINT"),
    (libc::SIGQUIT, "SIGQUIT"),
    (libc::SIGILL, "SIGILL"),
    (libc::SIGTRAP, "SIGTRAP"),
    (libc::SIGABRT, "SIGABRT"),
    (libc::SIGBUS, "SIGBUS"),
    (libc::SIGFPE, "SIGFPE"),
    (libc::SIGKILL, "SIGKILL"),
    (libc::SIGUSR1, "SIGUSR1"),
    (libc::SIGSEGV, "SIGSEGV"),
    (libc::SIGUSR2, "SIGUSR2"),
    (libc::SIGPIPE, "SIGPIPE"),
    (libc::SIGALRM, "SIGALRM"),
    (libc::SIGTERM, "SIGTERM"),
    #[cfg(any(target_os = "linux", target_os = "android"))]
    (libc::SIGSTKFLT, "SIGSTKFLT"),
    (libc::SIGCHLD, "SIGCHLD"),
    (libc::SIGCONT, "SIGCONT"),
    (libc::SIGSTOP, "SIGSTOP"),
    (libc::SIGTSTP, "SIGTSTP"),
    (libc::SIGTTIN, "SIGTTIN"),
    (libc::SIGTTOU, "SIGTTOU"),
    (libc::SIGURG, "SIGURG"),
    (libc::SIGXCPU, "SIGXCPU"),
    (libc::SIGXFSZ, "SIGXFSZ"),
    (libc::SIGVTALRM, "SIGVTALRM"),
    (libc::SIGPROF, "SIGPROF"),
    (libc::SIGWINCH, "SIGWINCH"),
    (libc::SIGIO, "SIGIO"),
    #[cfg(any(target_os = "linux", target_os = "android"))]
    (libc::SIGPWR, "SIGPWR"),
    (libc::SIGSYS, "SIGSYS"),
    #[cfg(target_os = "macos")]
    (libc::SIGEMT, "SIGEMT"),
    #[cfg(target_os = "macos")]
    (libc::SIGINFO, "SIGINFO"),
];

/// Node's name for a signal number (`11` → `SIGSEGV`); `SIG<n>` for one Node has no name for
/// (real-time signals).
pub fn signal_name(signal: i32) -> Cow<'static, str> {
    #[cfg(unix)]
    if let Some((_, name)) = SIGNALS.iter().find(|(number, _)| *number == signal) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(format!("SIG{signal}"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn signals_have_node_names() {
        assert_eq!(signal_name(libc::SIGSEGV), "SIGSEGV");
        assert_eq!(signal_name(libc::SIGKILL), "SIGKILL");
        // Two names, one number: Node says SIGABRT.
        assert_eq!(signal_name(6), "SIGABRT");
        assert_eq!(signal_name(64), "SIG64");
    }

    #[test]
    fn errnos_have_node_names() {
        assert_eq!(
            errno_name(&io::Error::from_raw_os_error(libc::ENOENT)),
            "ENOENT"
        );
        assert_eq!(errno_name(&io::Error::other("no errno")), "EIO");
    }
}
