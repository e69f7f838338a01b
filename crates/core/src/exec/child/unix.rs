//! Unix: the child leads its own process group, signalled as a whole and killed when dropped.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use tokio::process::{Child, Command};

use crate::exec::reap::{GroupSignal, ProcessGroup};

/// A child that leads a new process group, with the group's pid kept for signalling.
///
/// Dropping it before the child was reaped (the exec future was dropped mid-run) sends SIGKILL
/// to the whole group, so nothing outlives an abandoned call; tokio reaps the child afterwards.
#[derive(Debug)]
pub(crate) struct GroupChild {
    child: Child,
    pgid: libc::pid_t,
    reaped: bool,
}

impl GroupChild {
    /// Spawns `command` as the leader of a new process group that dies with us.
    ///
    /// On Linux the child gets `PR_SET_PDEATHSIG(SIGKILL)`: if the thread that spawned it dies,
    /// the kernel kills it.
    ///
    /// # Caveats
    /// The parent-death signal follows the spawning *thread*; call this from a thread that lives
    /// as long as the command (tokio's worker threads do, a short-lived blocking thread does not).
    ///
    /// # Errors
    /// The OS error from spawning.
    pub(crate) fn spawn(command: &mut Command) -> io::Result<GroupChild> {
        command.process_group(0).kill_on_drop(true);
        set_parent_death_signal(command);
        let child = command.spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| io::Error::other("spawned child has no pid"))?;
        let pgid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
        Ok(GroupChild {
            child,
            pgid,
            reaped: false,
        })
    }

    /// The child's standard streams, taken once.
    pub(crate) fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

#[cfg(target_os = "linux")]
fn set_parent_death_signal(command: &mut Command) {
    // Recorded before fork: if the parent died between fork and prctl, the child has already
    // been re-parented and the death signal would never come, so it must exit by itself.
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the closure only calls async-signal-safe functions (prctl, getppid, _exit) and
    // allocates nothing.
    unsafe {
        command.pre_exec(move || {
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

#[cfg(not(target_os = "linux"))]
fn set_parent_death_signal(_command: &mut Command) {}

/// The signal that ended the process, if one did.
pub(crate) fn exit_signal(status: &ExitStatus) -> Option<i32> {
    status.signal()
}

impl ProcessGroup for GroupChild {
    fn signal_group(&mut self, signal: GroupSignal) -> io::Result<()> {
        let signal = match signal {
            GroupSignal::Terminate => libc::SIGTERM,
            GroupSignal::Kill => libc::SIGKILL,
        };
        signal_group(self.pgid, signal)
    }

    fn group_alive(&mut self) -> bool {
        // Signal 0 checks existence only. Zombies still count: the child until it is reaped, and
        // a re-parented grandchild until init reaps it, which it does at once.
        group_exists(self.pgid)
    }

    async fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        self.reaped = true;
        Ok(status)
    }
}

/// Whether `kill(-pgid, 0)` still finds a process; ESRCH means the group is empty.
fn group_exists(pgid: libc::pid_t) -> bool {
    // SAFETY: kill with signal 0 sends nothing.
    let result = unsafe { libc::kill(-pgid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// `killpg(pgid, signal)`, where a group that no longer exists counts as success.
fn signal_group(pgid: libc::pid_t, signal: i32) -> io::Result<()> {
    // SAFETY: killpg has no memory-safety preconditions; pgid is a group we created.
    if unsafe { libc::killpg(pgid, signal) } == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    // ESRCH surfaces as ErrorKind::Uncategorized, so the raw errno is compared.
    if error.raw_os_error() == Some(libc::ESRCH) {
        Ok(())
    } else {
        Err(error)
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        if !self.reaped {
            // Best effort: Drop cannot report a failure, and ESRCH is already success.
            let _ = signal_group(self.pgid, libc::SIGKILL);
        }
    }
}
