//! [`GroupChild`]: a spawned command and everything it starts, killed together.
//!
//! Unix: the child leads a new process group that is signalled as a whole; on Linux, the reaper
//! (`reaper.rs`) kills the group and its descendants when this process ends, however it ends.
//! Windows: only the direct child is terminated (see `windows.rs`).

#[cfg(target_os = "linux")]
mod reaper;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
pub(crate) use unix::{GroupChild, exit_signal, kill_tree};
#[cfg(windows)]
pub(crate) use windows::{GroupChild, exit_signal, kill_tree};

/// How a spawned command is kept from outliving this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watch {
    /// Its group and descendants die when this process ends, however it ends (Linux: the
    /// reaper; the parent-death signal when there is none).
    Tree,
    /// The parent-death signal alone (Linux): for the sandbox helper, whose PID namespace takes
    /// every process of the command along when it dies.
    ParentDeath,
}
