//! Run a command: timeouts, process groups, bounded output, sandboxed launch (DESIGN.md §3).

mod output;

pub use output::{CapturedText, ExecOutput, ExitOutcome, SandboxKind, SandboxReport};
