//! Tests that look at the whole test process (its environment, open fds, children, peak memory),
//! so they live in their own binary and run one at a time.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::time::{Duration, Instant};

use codex_core::exec::{ExecEnv, ExecParams, InheritEnv, ProcStat, exec};

use common::{alive, sh};

mod common;

/// Held by each test: they measure process-wide state that the others would disturb.
static SERIAL: Mutex<()> = Mutex::new(());

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Our children that have exited but were never reaped.
fn zombie_children() -> Vec<String> {
    let me = i32::try_from(std::process::id()).unwrap();
    let mut zombies = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stat) = name.parse().ok().and_then(ProcStat::read) else {
            continue;
        };
        if stat.state == 'Z' && stat.ppid == me {
            zombies.push(name);
        }
    }
    zombies
}

fn status_field_kib(name: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with(name)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn filtered_inheritance_hides_secrets_and_all_passes_them() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: no other thread of this process is running a test (SERIAL) or reading the
    // environment from C while the variables are set.
    unsafe {
        std::env::set_var("CODEX_TEST_API_KEY", "sk-secret");
        std::env::set_var("codex_test_token", "t0ken");
        std::env::set_var("CODEX_TEST_PLAIN", "visible");
    }
    let runtime = runtime();
    let env_of = |env: ExecEnv| {
        let params = ExecParams {
            argv: vec!["/usr/bin/env".into()],
            env,
            ..ExecParams::default()
        };
        runtime.block_on(exec(params)).unwrap().stdout.text
    };
    let filtered = env_of(ExecEnv::inherit(InheritEnv::Filtered));
    assert!(
        filtered.contains("CODEX_TEST_PLAIN=visible\n"),
        "{filtered}"
    );
    assert!(filtered.contains("PATH="), "{filtered}");
    for line in filtered.lines() {
        let name = line.split('=').next().unwrap().to_uppercase();
        assert!(
            !["KEY", "SECRET", "TOKEN"]
                .iter()
                .any(|word| name.contains(word)),
            "{line}"
        );
    }
    let all = env_of(ExecEnv::inherit(InheritEnv::All));
    assert!(all.contains("CODEX_TEST_API_KEY=sk-secret\n"), "{all}");
    assert!(all.contains("codex_test_token=t0ken\n"), "{all}");
    // Variables set over the filtered environment are kept whatever their name.
    let merged = env_of(ExecEnv::Inherit {
        mode: InheritEnv::Filtered,
        set: vec![
            ("GIT_PAGER".into(), "cat".into()),
            ("MY_TOKEN".into(), "mine".into()),
            ("CODEX_TEST_PLAIN".into(), "replaced".into()),
        ],
    });
    for line in [
        "GIT_PAGER=cat",
        "MY_TOKEN=mine",
        "CODEX_TEST_PLAIN=replaced",
    ] {
        assert!(merged.lines().any(|l| l == line), "{line} in {merged}");
    }
    assert!(!merged.contains("CODEX_TEST_API_KEY"), "{merged}");
    assert!(!merged.contains("codex_test_token"), "{merged}");
}

#[test]
fn memory_stays_bounded_while_64_mib_stream_through() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = runtime();
    // Warm up the runtime and allocator so the measurement sees only the run itself.
    runtime.block_on(exec(sh("true"))).unwrap();
    // Writing 5 resets the peak-RSS counter (VmHWM) to the current RSS.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_field_kib("VmRSS:");
    let output = runtime
        .block_on(exec(sh("head -c 67108864 /dev/zero")))
        .unwrap();
    let peak = status_field_kib("VmHWM:");
    assert_eq!(output.stdout.total_bytes, 64 << 20);
    assert!(output.stdout.truncated);
    assert!(output.stdout.text.len() < (1 << 20) + 100);
    // Three capped buffers of 1 MiB, two read buffers, and slack — far below 64 MiB.
    let grown = peak.saturating_sub(before);
    assert!(grown < 16 * 1024, "peak RSS grew by {grown} KiB");
}

#[test]
fn two_hundred_concurrent_runs_leave_no_fd_or_zombie_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = runtime();
    runtime.block_on(exec(sh("true"))).unwrap();
    let fds_before = open_fds();
    let results = runtime.block_on(async {
        let runs = (0..200).map(|i| {
            let mut params = match i % 4 {
                // Killed on timeout: exercises SIGTERM and the drain after a kill.
                0 => sh("sleep 5"),
                // Stdin written and echoed back.
                1 => sh("cat"),
                // Output on both streams.
                2 => sh("echo out; echo err >&2"),
                // A non-zero exit.
                _ => sh("exit 7"),
            };
            if i % 4 == 0 {
                params.timeout = Some(Duration::from_millis(200));
            }
            if i % 4 == 1 {
                params.stdin = format!("input {i}").into_bytes().into();
            }
            exec(params)
        });
        futures_util::future::join_all(runs).await
    });
    for (i, result) in results.iter().enumerate() {
        match i % 4 {
            0 => assert_eq!(result.as_ref().unwrap_err().code(), "EXEC_TIMEOUT"),
            1 => assert_eq!(result.as_ref().unwrap().stdout.text, format!("input {i}")),
            2 => assert_eq!(result.as_ref().unwrap().aggregated.total_bytes, 8),
            _ => assert_eq!(result.as_ref().unwrap().exit_code, Some(7)),
        }
    }
    drop(results);
    assert!(zombie_children().is_empty(), "{:?}", zombie_children());
    let fds_after = open_fds();
    assert!(
        fds_after <= fds_before,
        "fds before {fds_before}, after {fds_after}"
    );
}

/// The parent process of [`a_dying_parent_takes_its_child_and_all_its_descendants_along`]:
/// runs a long command with grandchildren and waits to be killed.
#[test]
#[ignore = "run as a separate process by a_dying_parent_takes_its_child_and_all_its_descendants_along"]
fn parent_death_role() {
    // Only meaningful as the parent process that the test below starts and kills.
    let Ok(pid_file) = std::env::var("CODEX_TEST_PID_FILE") else {
        return;
    };
    // The child, a grandchild in its group, and one that left the group and the session.
    let mut params = sh(&format!(
        "sleep 30 & echo $! >> {pid_file}; setsid sleep 30 & echo $! >> {pid_file}; echo $$ >> {pid_file}; wait"
    ));
    params.timeout = None;
    let _ = runtime().block_on(exec(params));
}

#[test]
fn a_dying_parent_takes_its_child_and_all_its_descendants_along() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let mut parent = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "parent_death_role",
            "--ignored",
            "--test-threads=1",
        ])
        .env("CODEX_TEST_PID_FILE", &pid_file)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let pids: Vec<i32> = loop {
        let pids: Vec<i32> = std::fs::read_to_string(&pid_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.trim().parse().ok())
            .collect();
        if pids.len() == 3 {
            break pids;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the parent never ran"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(pids.iter().all(|&pid| alive(pid)), "{pids:?}");
    // SIGKILL: nothing of the parent runs, the reaper alone is left to act.
    parent.kill().unwrap();
    parent.wait().unwrap();
    let start = Instant::now();
    for pid in pids {
        while alive(pid) {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{pid} outlived its parent"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
