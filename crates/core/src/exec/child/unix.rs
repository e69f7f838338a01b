//! Unix: the child leads its own process group, signalled as a whole and killed when dropped;
//! on Linux the reaper (`reaper.rs`) kills what is left of it when this process ends.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use tokio::process::{Child, Command};

use super::Watch;
#[cfg(target_os = "linux")]
use super::reaper;
#[cfg(target_os = "linux")]
use crate::exec::ProcStat;
use crate::exec::reap::{GroupSignal, ProcessGroup};

/// A child that leads a new process group, with the group's pid kept for signalling.
///
/// Dropping it before the child was reaped (the exec future was dropped mid-run) kills the
/// whole group and, on Linux, its descendants too, so nothing outlives an abandoned call;
/// tokio reaps the child afterwards.
#[derive(Debug)]
pub(crate) struct GroupChild {
    child: Child,
    pgid: libc::pid_t,
    reaped: bool,
}

impl GroupChild {
    /// Spawns `command` as the leader of a new process group that does not outlive us.
    ///
    /// On Linux, `watch` says how: registered with the reaper (see `reaper.rs`), which kills
    /// the group and its descendants when we end however we end, or (`ParentDeath`, or when
    /// there is no reaper) `PR_SET_PDEATHSIG(SIGKILL)`, which kills the child when the thread
    /// that spawned it dies. Elsewhere neither exists, and the group is only killed when a run
    /// is timed out, cancelled or dropped.
    ///
    /// # Caveats
    /// The parent-death signal follows the spawning *thread*; call this from a thread that lives
    /// as long as the command (tokio's worker threads do, a short-lived blocking thread does not).
    ///
    /// # Errors
    /// The OS error from spawning.
    pub(crate) fn spawn(command: &mut Command, watch: Watch) -> io::Result<GroupChild> {
        // Not tokio's kill_on_drop: dropping kills the whole tree, in order (see Drop).
        command.process_group(0);
        #[cfg(target_os = "linux")]
        reaper::prepare(command, watch);
        let child = command.spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| io::Error::other("spawned child has no pid"))?;
        let pgid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
        #[cfg(target_os = "linux")]
        reaper::spawned(pgid, watch);
        #[cfg(not(target_os = "linux"))]
        let _ = watch;
        Ok(GroupChild {
            child,
            pgid,
            reaped: false,
        })
    }

    /// The child's pid, which is also its group's.
    pub(crate) fn id(&self) -> u32 {
        self.pgid.unsigned_abs()
    }

    /// The child's standard streams, taken once.
    pub(crate) fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

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
        // kill(-pgid, 0) also finds zombies: re-parented grandchildren wait for init to reap
        // them, which a container's init may do late or never. They hold nothing, so only a
        // live member makes the group alive.
        group_exists(self.pgid) && has_live_member(self.pgid)
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

/// Whether a process of group `pgid` is still running (not a zombie), by reading `/proc`.
///
/// When `/proc` cannot be read, the group is assumed alive: the caller then waits out the grace
/// and sends SIGKILL, which is merely slower.
#[cfg(target_os = "linux")]
fn has_live_member(pgid: libc::pid_t) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
    entries.flatten().any(|entry| {
        // Entries that are not pids (`self`, `sys`…) do not parse.
        let pid = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse().ok());
        pid.and_then(ProcStat::read)
            .is_some_and(|stat| stat.pgrp == pgid && stat.is_live())
    })
}

/// Elsewhere there is no cheap way to tell zombies apart: every member counts.
#[cfg(not(target_os = "linux"))]
fn has_live_member(_pgid: libc::pid_t) -> bool {
    true
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

/// Kills the command `pid` (a group leader), its group and (on Linux) every descendant, at once.
pub(crate) fn kill_tree(pid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // The reaper stops the group and the descendants before it kills any of them: killing the
    // child here first would hand its descendants to init before they could be found.
    #[cfg(target_os = "linux")]
    if reaper::kill_tree(pgid) {
        return;
    }
    // Best effort: the caller cannot act on a failure, and ESRCH is already success.
    let _ = signal_group(pgid, libc::SIGKILL);
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        if !self.reaped {
            kill_tree(self.id());
            return;
        }
        // The run is over: what is left of the group is the command's background processes,
        // which the reaper kills when we end (by the ones in it now, should the number of the
        // group be another's by then).
        #[cfg(target_os = "linux")]
        reaper::reaped(self.pgid, self.group_alive());
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::os::unix::process::CommandExt;

    use super::*;

    #[test]
    fn a_group_of_zombies_is_not_alive() {
        let mut child = std::process::Command::new("true")
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = libc::pid_t::try_from(child.id()).unwrap();
        // Until reaped, the exited child is a zombie: kill(-pgid, 0) still finds it.
        let start = std::time::Instant::now();
        while has_live_member(pgid) {
            assert!(start.elapsed() < std::time::Duration::from_secs(5));
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(group_exists(pgid));
        child.wait().unwrap();
        assert!(!group_exists(pgid));
    }

    #[test]
    fn a_running_group_is_alive() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = libc::pid_t::try_from(child.id()).unwrap();
        assert!(group_exists(pgid) && has_live_member(pgid));
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
