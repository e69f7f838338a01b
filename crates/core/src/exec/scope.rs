//! [`CommandScope`]: running commands that end together, e.g. every command a JavaScript
//! worker started, when the worker is terminated.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::child;

/// A set of running commands that can be killed together: give it to each run
/// ([`ExecParams::scope`](super::ExecParams::scope)), then [`kill_all`](CommandScope::kill_all)
/// when their owner goes away.
#[derive(Debug, Clone, Default)]
pub struct CommandScope {
    running: Arc<Mutex<HashSet<u32>>>,
}

impl CommandScope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Kills every command of this scope still running, at once (SIGKILL): its process group
    /// and, on Linux, every descendant, wherever it moved. Their runs then end as if the
    /// command had been killed by someone else.
    ///
    /// # Caveats
    /// Windows: nothing is killed (there is no group to reach by pid).
    pub fn kill_all(&self) {
        let running: Vec<u32> = self.lock().drain().collect();
        for pid in running {
            child::kill_tree(pid);
        }
    }

    /// Counts `pid` in until the returned guard is dropped (when its run is over).
    pub(crate) fn enter(&self, pid: u32) -> ScopeEntry {
        self.lock().insert(pid);
        ScopeEntry {
            scope: self.clone(),
            pid,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashSet<u32>> {
        // Only inserts and removes happen under the lock: a panic cannot leave the set torn.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A command's membership of a [`CommandScope`], for as long as its run lasts.
#[derive(Debug)]
pub(crate) struct ScopeEntry {
    scope: CommandScope,
    pid: u32,
}

impl Drop for ScopeEntry {
    fn drop(&mut self) {
        self.scope.lock().remove(&self.pid);
    }
}
