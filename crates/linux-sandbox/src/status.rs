//! [`Reporter`]: tells the caller what happened, on the status pipe or, by hand, on stderr.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{FromRawFd, RawFd};

use codex_sandbox_policy::{EXIT_SETUP_FAILED, EnforcedLayers, HelperStatus, STATUS_FD_ENV};

use crate::error::SetupError;

/// Exit code when the command was not found, as a shell reports it.
const EXIT_NOT_FOUND: i32 = 127;
/// Exit code when the command exists but could not be executed.
const EXIT_NOT_EXECUTABLE: i32 = 126;

/// Where status messages go.
pub(crate) enum Reporter {
    /// The caller passed a pipe in [`STATUS_FD_ENV`]: one JSON line per message.
    Pipe(File),
    /// Run by hand: failures become one line on stderr, success is silent.
    Stderr,
}

impl Reporter {
    /// Takes the status pipe named by [`STATUS_FD_ENV`], if any, and marks it close-on-exec so
    /// that the caller sees EOF exactly when the command is exec'd.
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
        // SAFETY: the fd is open (fcntl succeeded) and nothing else in this process uses it.
        Ok(Reporter::Pipe(unsafe { File::from_raw_fd(fd) }))
    }

    /// Reports that every layer is in place; the next step is exec.
    pub(crate) fn ready(&mut self, layers: EnforcedLayers) {
        if let Reporter::Pipe(pipe) = self {
            // A caller that closed its end no longer listens; the command still runs.
            let _ = write_without_sigpipe(pipe, &HelperStatus::Ready(layers).to_line());
        }
    }

    /// Reports a setup failure and exits with [`EXIT_SETUP_FAILED`]; nothing was run.
    pub(crate) fn setup_failed(self, error: &SetupError) -> ! {
        let line = HelperStatus::SetupFailed(error.to_failure()).to_line();
        self.send_or_print(&line, &error.chain());
        std::process::exit(EXIT_SETUP_FAILED)
    }

    /// Reports that `execvp` of `program` failed and exits 127 (not found) or 126.
    pub(crate) fn exec_failed(self, program: &OsStr, error: &io::Error) -> ! {
        let errno = error.raw_os_error().unwrap_or(libc::EIO);
        let line = HelperStatus::ExecFailed { errno }.to_line();
        let text = format!("cannot run {}: {error}", program.to_string_lossy());
        self.send_or_print(&line, &text);
        std::process::exit(if errno == libc::ENOENT {
            EXIT_NOT_FOUND
        } else {
            EXIT_NOT_EXECUTABLE
        })
    }

    /// Writes `line` to the pipe; falls back to the stderr line when there is no pipe or it broke.
    fn send_or_print(self, line: &str, text: &str) {
        if let Reporter::Pipe(mut pipe) = self
            && write_without_sigpipe(&mut pipe, line).is_ok()
        {
            return;
        }
        print_error(text);
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
