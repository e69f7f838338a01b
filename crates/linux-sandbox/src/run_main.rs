//! The helper's entry: read the status pipe and the command line, then hand over to the
//! supervisor, which starts the confined init and outlives it.

use std::ffi::OsString;

use codex_sandbox_policy::HelperInvocation;

use crate::error::SetupError;
use crate::status::{Reporter, print_error};
use crate::supervisor;

/// Runs the helper on `args` (the command line after the program's name); never returns.
///
/// Confines the command as the policy says and ends as it ended (its exit code or its death
/// signal). When the sandbox cannot be set up, nothing runs: the failure goes to the status pipe
/// (or one line on stderr) and the exit code is 125.
pub fn run_main(args: Vec<OsString>) -> ! {
    let reporter = match Reporter::from_env() {
        Ok(reporter) => reporter,
        Err(error) => {
            print_error(&error.chain());
            std::process::exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
        }
    };
    let invocation = match HelperInvocation::parse(args) {
        Ok(invocation) => invocation,
        Err(error) => reporter.setup_failed(&SetupError::Usage(error)),
    };
    if invocation.policy.is_full_access() {
        reporter.setup_failed(&SetupError::FullAccess);
    }
    if let Err(error) = crate::fds::close_inherited_on_exec() {
        reporter.setup_failed(&error);
    }
    supervisor::run(reporter, invocation)
}
