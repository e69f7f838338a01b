//! The helper on systems without Landlock: it always refuses.

/// Prints why the helper cannot work here and exits 125; never runs the command.
pub fn run_main(_args: Vec<std::ffi::OsString>) -> ! {
    eprintln!(
        "codex-linux-sandbox: unsupported platform: the helper needs Linux (Landlock and seccomp)"
    );
    std::process::exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
}
