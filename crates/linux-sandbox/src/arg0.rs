//! The arg0 trick: a program started under the helper's name acts as the helper.

use std::path::Path;

pub use codex_sandbox_policy::HELPER_NAME;

/// Runs the helper if this process was started as `codex-linux-sandbox` (by file name of
/// arg0, e.g. through a symlink), otherwise returns `main()`'s result.
///
/// Call it first in `main`, before any thread or async runtime starts: the helper needs a
/// single-threaded process to unshare namespaces and restrict itself.
pub fn run_with_sandbox<T>(main: impl FnOnce() -> T) -> T {
    let started_as_helper = std::env::args_os().next().is_some_and(|arg0| {
        Path::new(&arg0)
            .file_name()
            .is_some_and(|name| name == HELPER_NAME)
    });
    if started_as_helper {
        // The Rust runtime ignored SIGPIPE before main; the command must start as it would
        // from the program's own spawn (std resets it to the default there too).
        #[cfg(target_os = "linux")]
        // SAFETY: setting a signal to its default disposition has no preconditions.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
        crate::run_main(std::env::args_os().skip(1).collect())
    }
    main()
}
