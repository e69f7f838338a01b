//! Linux: the reaper, one small process per process that runs commands, which kills what this
//! process leaves running however it ends — an exit, an uncaught exception, SIGINT or SIGTERM
//! (which end Node without running any of its code), even SIGKILL.
//!
//! A child's parent-death signal only reaches the direct child, and nothing in this process
//! runs when a signal ends it. So the reaper — `/bin/sh` running `reaper.sh`, started on the
//! first command and put in its own session so that a terminal's Ctrl-C or a signal to our
//! process group does not reach it — holds the read end of a pipe whose write end only this
//! process has. Each command registers itself from its child before it execs (so no window is
//! left in which it runs unregistered); when it is reaped we say whether its group is empty
//! or lives on. End of file on the pipe means this process is gone: the reaper then stops
//! each command still running, its group and every descendant (a process that `setsid`s is
//! still a descendant), and kills them; and it kills the groups that outlived their commands,
//! if a process it recorded still holds the group's number.
//!
//! A registered command gets no parent-death signal: that would kill it before the reaper could
//! find its descendants by their parent. When the reaper cannot be started (no `/bin/sh`) or
//! registration fails, the command gets the parent-death signal as before.
//!
//! # Caveats
//! - A descendant whose parent exited before the reaper stopped it was re-parented to init and
//!   is no longer found by its ancestry, unless it stayed in the group: a daemon that
//!   double-forks, or the child of a command that dies by itself as we end (SIGPIPE on its
//!   next write to our closed pipes).
//! - Commands that exited by themselves leave their background processes running while we
//!   live, as a shell does; those still in the command's group are killed when we end.
//! - Processes that became another user's (setuid) cannot be signalled.

use std::collections::BTreeSet;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::process::Command;

use super::Watch;

/// The reaper's program, for `/bin/sh`.
const SCRIPT: &str = include_str!("reaper.sh");

/// The reaper and what it has been told.
struct State {
    /// The running reaper, if one could be started.
    reaper: Option<Reaper>,
    /// Whether starting one failed: then it is not tried again on every spawn.
    unavailable: bool,
    /// The commands registered and not yet reaped, to tell a new reaper if this one died.
    running: BTreeSet<libc::pid_t>,
}

struct Reaper {
    /// The write end of its stdin: close-on-exec (no child keeps it past exec, so that EOF
    /// means we are gone) and non-blocking (a stuck reaper never stalls a spawn). Shared with
    /// the spawns in flight, so that its number is not reused while a child may write to it.
    pipe: Arc<OwnedFd>,
    process: Child,
}

static STATE: Mutex<State> = Mutex::new(State {
    reaper: None,
    unavailable: false,
    running: BTreeSet::new(),
});

fn state() -> MutexGuard<'static, State> {
    // Every change to the state is a single insert, remove or assignment: a panic elsewhere
    // cannot leave it torn.
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Arranges for the command `command` will spawn not to outlive this process, as `watch` says.
pub(crate) fn prepare(command: &mut Command, watch: Watch) {
    let pipe = match watch {
        Watch::Tree => state().reaper_pipe(),
        Watch::ParentDeath => None,
    };
    // Recorded before fork: if we died between fork and prctl, the child has already been
    // re-parented and the death signal would never come, so it must exit by itself.
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the closure only calls async-signal-safe functions (getpid, sigaction, write,
    // prctl, getppid, _exit) and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            if let Some(pipe) = &pipe
                && register(pipe.as_raw_fd())
            {
                return Ok(());
            }
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

/// In the child, before exec: tells the reaper our pid. False when it could not be told.
///
/// # Safety
/// Only async-signal-safe calls: this runs between fork and exec.
unsafe fn register(fd: RawFd) -> bool {
    let mut line = [0u8; 24];
    // SAFETY: getpid has no preconditions.
    let len = message(b'+', unsafe { libc::getpid() }, &mut line);
    // A reaper that died would raise SIGPIPE, which would kill the child before it execs.
    // Ignored, it is never raised (and a pending one is discarded); restored before exec.
    // SAFETY: both sigaction structs are fully initialised before use; zeroed is a valid
    // sigaction (no flags, empty mask).
    unsafe {
        let mut ignore: libc::sigaction = std::mem::zeroed();
        ignore.sa_sigaction = libc::SIG_IGN;
        let mut previous: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGPIPE, &ignore, &mut previous);
        let written = libc::write(fd, line.as_ptr().cast(), len);
        libc::sigaction(libc::SIGPIPE, &previous, std::ptr::null_mut());
        usize::try_from(written) == Ok(len)
    }
}

/// Writes "`op` `pid`\n" into `line` without allocating; returns its length.
fn message(op: u8, pid: libc::pid_t, line: &mut [u8; 24]) -> usize {
    let mut digits = [0u8; 12];
    let mut n = pid.unsigned_abs();
    let mut count = 0;
    loop {
        digits[count] = b'0' + (n % 10) as u8;
        count += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    line[0] = op;
    line[1] = b' ';
    for i in 0..count {
        line[2 + i] = digits[count - 1 - i];
    }
    line[2 + count] = b'\n';
    3 + count
}

/// `pid` was spawned (and, if the reaper was reachable, registered itself).
pub(crate) fn spawned(pid: libc::pid_t, watch: Watch) {
    if watch == Watch::Tree {
        state().running.insert(pid);
    }
}

/// `pid`, a group leader, was reaped: the reaper forgets it, or remembers its group by the
/// processes still in it.
pub(crate) fn reaped(pid: libc::pid_t, group_lives_on: bool) {
    let mut state = state();
    if state.running.remove(&pid) {
        state.tell(if group_lives_on { b'~' } else { b'-' }, pid);
    }
}

/// Has the reaper kill `pid`, its group and its descendants now, finding the descendants
/// before anything dies. False when there is no reaper to do it.
pub(crate) fn kill_tree(pid: libc::pid_t) -> bool {
    let mut state = state();
    state.running.remove(&pid);
    state.tell(b'k', pid)
}

impl State {
    /// Our end of the pipe to a live reaper, starting one (and telling it what is running)
    /// if there is none.
    fn reaper_pipe(&mut self) -> Option<Arc<OwnedFd>> {
        if let Some(reaper) = &mut self.reaper
            && matches!(reaper.process.try_wait(), Ok(None))
        {
            return Some(Arc::clone(&reaper.pipe));
        }
        self.reaper = None;
        if self.unavailable {
            return None;
        }
        match Reaper::start() {
            Ok(reaper) => {
                let pipe = Arc::clone(&reaper.pipe);
                self.reaper = Some(reaper);
                let running: Vec<_> = self.running.iter().copied().collect();
                for pid in running {
                    self.tell(b'+', pid);
                }
                Some(pipe)
            }
            Err(_) => {
                // Commands then get the parent-death signal, as without a reaper.
                self.unavailable = true;
                None
            }
        }
    }

    /// Sends one line to the reaper; false when there is none to hear it.
    fn tell(&mut self, op: u8, pid: libc::pid_t) -> bool {
        let Some(reaper) = &self.reaper else {
            return false;
        };
        let mut line = [0u8; 24];
        let len = message(op, pid, &mut line);
        // One write of less than PIPE_BUF bytes is never split or interleaved with the
        // children's. A full pipe (a reaper busy for a long while) drops the line: a lost `-`
        // only leaves a stale pid with it.
        write_without_sigpipe(reaper.pipe.as_raw_fd(), &line[..len])
    }
}

/// Writes `bytes` to `fd` in one call; a reader that is gone makes it fail with EPIPE instead
/// of raising SIGPIPE, which would end a host that does not ignore it.
fn write_without_sigpipe(fd: RawFd, bytes: &[u8]) -> bool {
    // SAFETY: the sigsets are initialised by sigemptyset before use; the signal mask is this
    // thread's own and is restored before returning.
    unsafe {
        let mut sigpipe: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut sigpipe);
        libc::sigaddset(&mut sigpipe, libc::SIGPIPE);
        let mut previous: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &sigpipe, &mut previous);
        let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        if written < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EPIPE) {
            // The SIGPIPE this write raised is pending on this thread: take it.
            let now = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            libc::sigtimedwait(&sigpipe, std::ptr::null_mut(), &now);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &previous, std::ptr::null_mut());
        usize::try_from(written) == Ok(bytes.len())
    }
}

impl Reaper {
    /// Starts `/bin/sh` on the script in a session of its own, reading from a fresh pipe.
    fn start() -> io::Result<Reaper> {
        let mut fds = [-1; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded, so both are fresh descriptors owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: fcntl on a descriptor we own.
        if unsafe { libc::fcntl(write.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut command = std::process::Command::new("/bin/sh");
        command
            // The script comes through the environment so that `ps` shows one short line.
            .args(["-c", "eval \"$CODEX_REAPER_SCRIPT\"", "codex-reaper"])
            .env_clear()
            .env("CODEX_REAPER_SCRIPT", SCRIPT)
            .stdin(Stdio::from(read))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Holds no directory busy; it needs no other variable, using builtins only.
            .current_dir("/");
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                if libc::setsid() == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let process = command.spawn()?;
        Ok(Reaper {
            pipe: Arc::new(write),
            process,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_each() {
        let mut line = [0u8; 24];
        let len = message(b'+', 4_194_304, &mut line);
        assert_eq!(&line[..len], b"+ 4194304\n");
        let len = message(b'k', 7, &mut line);
        assert_eq!(&line[..len], b"k 7\n");
    }
}
