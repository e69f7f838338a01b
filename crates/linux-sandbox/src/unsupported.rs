//! The helper on systems without Landlock: it always refuses.

/// Benchmark and debugging knob of the Linux helper; meaningless here.
pub const NO_MOUNT_NS_ENV: &str = "CODEX_SANDBOX_NO_MOUNT_NS";

/// Prints why the helper cannot work here and exits 125; never runs the command.
pub fn run_main() -> ! {
    eprintln!(
        "codex-linux-sandbox: unsupported platform: the helper needs Linux (Landlock and seccomp)"
    );
    std::process::exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
}
