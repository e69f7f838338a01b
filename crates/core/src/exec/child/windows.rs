//! Windows: the direct child only, terminated on timeout, cancellation or drop.
//!
//! # Caveats
//! Windows has no process groups to signal and no SIGTERM: both escalation steps terminate the
//! child at once, and processes it started keep running (a Job Object would be needed to reach
//! them).

use std::io;
use std::process::ExitStatus;

use tokio::process::{Child, Command};

use super::Watch;
use crate::exec::reap::{GroupSignal, ProcessGroup};

/// A spawned child, terminated when dropped before it was waited for.
#[derive(Debug)]
pub(crate) struct GroupChild {
    child: Child,
}

impl GroupChild {
    /// Spawns `command`; `watch` has nothing to act on here (no groups, no parent-death
    /// signal).
    ///
    /// # Errors
    /// The OS error from spawning.
    pub(crate) fn spawn(command: &mut Command, _watch: Watch) -> io::Result<GroupChild> {
        let child = command.kill_on_drop(true).spawn()?;
        Ok(GroupChild { child })
    }

    /// The child's pid (0 once it has been waited for).
    pub(crate) fn id(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }

    /// The child's standard streams, taken once.
    pub(crate) fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

/// Nothing: there is no group to kill by pid here, and the run's own drop terminates the
/// direct child.
pub(crate) fn kill_tree(_pid: u32) {}

/// Windows processes are not ended by signals.
pub(crate) fn exit_signal(_status: &ExitStatus) -> Option<i32> {
    None
}

impl ProcessGroup for GroupChild {
    fn signal_group(&mut self, _signal: GroupSignal) -> io::Result<()> {
        match self.child.start_kill() {
            // Already exited: there is nothing left to end.
            Err(error) if error.kind() == io::ErrorKind::InvalidInput => Ok(()),
            other => other,
        }
    }

    fn group_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.child.wait().await
    }
}
