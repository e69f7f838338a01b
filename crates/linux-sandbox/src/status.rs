//! [`Reporter`]: tells the caller what happened, on the status pipe or, by hand, on stderr.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{FromRawFd, RawFd};

use codex_sandbox_policy::{
    EXIT_SETUP_FAILED, EnforcedLayers, HelperStatus, STATUS_FD_ENV, SetupFailure,
};

use crate::denials::Denials;
use crate::error::SetupError;

/// Where status messages go.
pub(crate) enum Reporter {
    /// The caller passed a pipe in [`STATUS_FD_ENV`]: one JSON line per message.
    Pipe(File),
    /// Run by hand: failures become one line on stderr, success is silent.
    Stderr,
}

impl Reporter {
    /// Takes the status pipe named by [`STATUS_FD_ENV`], if any, marks it close-on-exec and
    /// removes the variable, so that the command inherits neither.
    ///
    /// # Errors
    /// [`SetupError::StatusFd`] when the variable is set but names no open fd.
    pub(crate) fn from_env() -> Result<Self, SetupError> {
        let Some(value) = std::env::var_os(STATUS_FD_ENV) else {
            return Ok(Reporter::Stderr);
        };
        let bad = || SetupError::StatusFd {
            var: STATUS_FD_ENV,
            value: value.to_string_lossy().into_owned(),
        };
        let fd: RawFd = value
            .to_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        // Only a fd above stderr can be ours to own: 0-2 belong to the command.
        if fd <= 2 {
            return Err(bad());
        }
        // SAFETY: fcntl on an arbitrary number only inspects the descriptor table.
        if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } == -1 {
            return Err(bad());
        }
        // SAFETY: the helper is still single-threaded; nothing reads the environment meanwhile.
        unsafe { std::env::remove_var(STATUS_FD_ENV) };
        // SAFETY: the fd is open (fcntl succeeded) and nothing else in this process uses it.
        Ok(Reporter::Pipe(unsafe { File::from_raw_fd(fd) }))
    }

    /// Whether a person runs the helper (no status pipe): then stderr carries what it says.
    pub(crate) fn by_hand(&self) -> bool {
        matches!(self, Reporter::Stderr)
    }

    /// Reports that every layer is in place and the command is about to be exec'd.
    pub(crate) fn ready(&mut self, layers: EnforcedLayers) {
        self.send(&HelperStatus::Ready(layers));
    }

    /// Reports that `execvp` of `program` failed with `errno`.
    pub(crate) fn exec_failed(&mut self, program: &OsStr, errno: i32) {
        match self {
            Reporter::Pipe(_) => self.send(&HelperStatus::ExecFailed { errno }),
            Reporter::Stderr => print_error(&format!(
                "cannot run {}: {}",
                program.to_string_lossy(),
                io::Error::from_raw_os_error(errno)
            )),
        }
    }

    /// Reports what the sandbox refused: a `denials` message, or one line per kind by hand.
    pub(crate) fn denials(&mut self, denials: &Denials) {
        match self {
            Reporter::Pipe(_) => {
                if let Some(report) = denials.report() {
                    self.send(&HelperStatus::Denials(report));
                }
            }
            Reporter::Stderr => denials.summary().iter().for_each(|line| print_error(line)),
        }
    }

    /// A warning for a person running the helper by hand (the status pipe carries the same
    /// facts in `ready`).
    pub(crate) fn warn(&self, text: &str) {
        if self.by_hand() {
            print_error(&format!("warning: {text}"));
        }
    }

    /// Reports a setup failure and exits with [`EXIT_SETUP_FAILED`]; nothing was run.
    pub(crate) fn setup_failed(self, error: &SetupError) -> ! {
        self.setup_failure(error.to_failure())
    }

    /// Reports a setup failure the confined side described and exits with
    /// [`EXIT_SETUP_FAILED`].
    pub(crate) fn setup_failure(self, failure: SetupFailure) -> ! {
        let text = failure.detail().to_string();
        let line = HelperStatus::SetupFailed(failure).to_line();
        if let Reporter::Pipe(mut pipe) = self
            && write_without_sigpipe(&mut pipe, &line).is_ok()
        {
            std::process::exit(EXIT_SETUP_FAILED)
        }
        print_error(&text);
        std::process::exit(EXIT_SETUP_FAILED)
    }

    fn send(&mut self, status: &HelperStatus) {
        if let Reporter::Pipe(pipe) = self {
            // A caller that closed its end no longer listens; the command still runs.
            let _ = write_without_sigpipe(pipe, &status.to_line());
        }
    }
}

/// Writes `line` with SIGPIPE ignored for the moment, so that a reader that went away is an
/// error here rather than the helper's death; the caller's disposition is restored after, as
/// the command inherits it.
fn write_without_sigpipe(pipe: &mut File, line: &str) -> io::Result<()> {
    // SAFETY: a zeroed sigaction with SIG_IGN is valid; `previous` is filled by the kernel.
    let (ignore, mut previous) = unsafe {
        let mut ignore: libc::sigaction = std::mem::zeroed();
        ignore.sa_sigaction = libc::SIG_IGN;
        (ignore, std::mem::zeroed::<libc::sigaction>())
    };
    // SAFETY: both pointers are valid sigaction structs.
    unsafe { libc::sigaction(libc::SIGPIPE, &ignore, &mut previous) };
    let result = pipe.write_all(line.as_bytes());
    // SAFETY: restores exactly what was there before.
    unsafe { libc::sigaction(libc::SIGPIPE, &previous, std::ptr::null_mut()) };
    result
}

/// The one line a person running the helper by hand sees.
pub(crate) fn print_error(text: &str) {
    let _ = writeln!(io::stderr().lock(), "codex-linux-sandbox: {text}");
}
