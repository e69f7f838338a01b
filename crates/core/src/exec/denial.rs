//! The evidence rule: did the sandbox cause a sandboxed command's failure?

use super::output::{ExecOutput, ExitOutcome};

/// Words in a failing command's output that point at the sandbox (compared in lowercase).
const DENIAL_EVIDENCE: [&str; 6] = [
    "operation not permitted",
    "permission denied",
    "read-only file system",
    "seccomp",
    "sandbox",
    "landlock",
];

/// The signal of a seccomp kill; Windows has no signals.
#[cfg(unix)]
const SIGSYS: Option<i32> = Some(libc::SIGSYS);
#[cfg(not(unix))]
const SIGSYS: Option<i32> = None;

/// Exit codes that are never called a denial: usage errors (2, also dash's failed redirect),
/// "cannot execute" (126) and "not found" (127) say something else went wrong.
const NEVER_DENIAL: [i32; 3] = [2, 126, 127];

/// Whether a command that ran under a sandbox failed because of it, as DESIGN.md §3 defines.
///
/// # Caveats
/// This is a heuristic, not proof: the sandbox does not tell us which syscall it refused, so we
/// read the evidence the command left behind. A command that prints "permission denied" for
/// reasons of its own is called denied, and one that fails silently on a refused write is not.
/// A SIGSYS death is strong evidence (seccomp's kill action); the words are weaker.
pub(crate) fn sandbox_denied(output: &ExecOutput) -> bool {
    match output.outcome {
        ExitOutcome::Signaled(signal) => Some(signal) == SIGSYS,
        ExitOutcome::Exited(0) => false,
        ExitOutcome::Exited(code) if NEVER_DENIAL.contains(&code) => false,
        ExitOutcome::Exited(_) => {
            mentions_sandbox(&output.stderr.text) || mentions_sandbox(&output.stdout.text)
        }
        ExitOutcome::TimedOut | ExitOutcome::Cancelled => false,
    }
}

fn mentions_sandbox(text: &str) -> bool {
    let lower = text.to_lowercase();
    DENIAL_EVIDENCE
        .iter()
        .any(|evidence| lower.contains(evidence))
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::exec::output::CapturedText;
    use crate::sandbox::SandboxReport;

    fn output(outcome: ExitOutcome, stderr: &str) -> ExecOutput {
        ExecOutput {
            outcome,
            exit_code: None,
            signal: None,
            sandbox_denied: false,
            stdout: CapturedText::default(),
            stderr: CapturedText {
                text: stderr.into(),
                total_bytes: stderr.len() as u64,
                truncated: false,
            },
            aggregated: CapturedText::default(),
            duration: Duration::ZERO,
            timeout: None,
            sandbox: SandboxReport::default(),
        }
    }

    #[test]
    fn evidence_in_the_output_of_a_failure_is_a_denial() {
        let touch = "touch: cannot touch '/usr/x': Permission denied";
        assert!(sandbox_denied(&output(ExitOutcome::Exited(1), touch)));
        assert!(sandbox_denied(&output(
            ExitOutcome::Exited(1),
            "Read-only file system"
        )));
        assert!(sandbox_denied(&output(
            ExitOutcome::Signaled(libc::SIGSYS),
            ""
        )));
    }

    #[test]
    fn no_evidence_or_a_reserved_code_is_not_a_denial() {
        let denied = "Operation not permitted";
        assert!(!sandbox_denied(&output(
            ExitOutcome::Exited(1),
            "no such file"
        )));
        assert!(!sandbox_denied(&output(ExitOutcome::Exited(0), denied)));
        for code in [2, 126, 127] {
            assert!(
                !sandbox_denied(&output(ExitOutcome::Exited(code), denied)),
                "{code}"
            );
        }
        assert!(!sandbox_denied(&output(
            ExitOutcome::Signaled(libc::SIGSEGV),
            denied
        )));
        assert!(!sandbox_denied(&output(ExitOutcome::TimedOut, denied)));
    }
}
