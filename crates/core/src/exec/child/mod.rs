//! [`GroupChild`]: a spawned command and everything it starts, killed together.
//!
//! Unix: the child leads a new process group that is signalled as a whole, and on Linux it dies
//! with the thread that spawned it. Windows: only the direct child is terminated (see
//! `windows.rs`).

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
pub(crate) use unix::{GroupChild, exit_signal};
#[cfg(windows)]
pub(crate) use windows::{GroupChild, exit_signal};
