//! Helpers shared by the test binaries: parameters, and looking at processes from outside.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use codex_core::exec::{ExecParams, ProcStat};

/// `ExecParams` for `argv` with every other field at its default.
pub fn params(argv: &[&str]) -> ExecParams {
    ExecParams {
        argv: argv.iter().map(|arg| arg.to_string()).collect(),
        ..ExecParams::default()
    }
}

/// `ExecParams` running `script` with `sh -c`.
pub fn sh(script: &str) -> ExecParams {
    params(&["sh", "-c", script])
}

/// Whether `pid` is a live process (a zombie waiting to be reaped counts as dead).
pub fn alive(pid: i32) -> bool {
    ProcStat::read(pid).is_some_and(|stat| stat.is_live())
}

/// Waits up to `within` for `pid` to die; true if it did.
pub async fn gone_within(pid: i32, within: Duration) -> bool {
    let start = Instant::now();
    while alive(pid) {
        if start.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Reads the pids a script wrote to `file`, one per line, waiting for the file to appear.
pub async fn read_pids(file: &Path, count: usize) -> Vec<i32> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let pids: Vec<i32> = text
            .lines()
            .filter_map(|line| line.trim().parse().ok())
            .collect();
        if pids.len() >= count {
            return pids;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no pids in {}",
            file.display()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The live processes whose command line contains `token` — a way to find, from outside, a
/// process that runs in another PID namespace (its own idea of its pid means nothing here).
pub fn live_with_arg(token: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(token))
                && alive(pid)
        })
        .collect()
}

/// A `sleep` argument no other process has: seconds with a unique fraction.
pub fn unique_sleep_seconds() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    format!("30.{:09}{}", nanos, std::process::id())
}

/// Kills a process this test left running on purpose.
pub fn kill(pid: i32) {
    // SAFETY: sending a signal has no memory-safety preconditions.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}

/// The workspace's helper, built next to this test binary by `cargo build` on first use so it is
/// never stale or missing, whichever cargo command built the tests.
pub fn helper() -> PathBuf {
    static HELPER: OnceLock<PathBuf> = OnceLock::new();
    HELPER
        .get_or_init(|| {
            // target/<profile>/deps/all-<hash> → target/<profile>
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
            let target_dir = profile_dir.parent().unwrap();
            let mut build = Command::new(option_env!("CARGO").unwrap_or("cargo"));
            build
                .args([
                    "build",
                    "-p",
                    "codex-linux-sandbox",
                    "--bin",
                    "codex-linux-sandbox",
                ])
                .env("CARGO_TARGET_DIR", target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if profile_dir.ends_with("release") {
                build.arg("--release");
            }
            let status = build.status().unwrap();
            assert!(
                status.success(),
                "building codex-linux-sandbox failed: {status}"
            );
            let helper = profile_dir.join("codex-linux-sandbox");
            assert!(helper.is_file(), "{} was not built", helper.display());
            helper
        })
        .clone()
}
