//! The status pipe: Ready before exec (closed by the exec), SetupFailed, ExecFailed.

use std::time::Duration;

use codex_linux_sandbox::NO_MOUNT_NS_ENV;
use codex_sandbox_policy::{
    EnforcedLayers, HelperStatus, LandlockCoverage, STATUS_FD_ENV, SetupFailure,
};

use super::support::{
    HELPER, Scene, StatusPipe, USERS, User, WORKSPACE, kernel_landlock_abi, probe, run_with_status,
};

fn expected_layers(seccomp: bool, mount_namespace: bool) -> EnforcedLayers {
    let abi = kernel_landlock_abi();
    EnforcedLayers {
        landlock_abi: abi,
        landlock: if abi >= 9 {
            LandlockCoverage::Full
        } else {
            LandlockCoverage::Partial
        },
        seccomp,
        mount_namespace,
    }
}

#[test]
fn ready_names_the_layers_enforced() {
    for user in USERS {
        let scene = Scene::new(user);
        let (run, messages) = run_with_status(&mut scene.sandboxed(WORKSPACE, &["true"]));
        assert_eq!(run.code(), 0, "{user:?}: {run:?}");
        assert_eq!(
            messages,
            vec![HelperStatus::Ready(expected_layers(true, true))],
            "{user:?}"
        );
    }
    let scene = Scene::new(User::Root);
    let open = r#"{"mode":"read-only","networkAccess":true}"#;
    let (_, messages) = run_with_status(&mut scene.sandboxed(open, &["true"]));
    assert_eq!(
        messages,
        vec![HelperStatus::Ready(expected_layers(false, true))]
    );
    let mut no_mounts = scene.sandboxed(WORKSPACE, &["true"]);
    no_mounts.env(NO_MOUNT_NS_ENV, "1");
    let (_, messages) = run_with_status(&mut no_mounts);
    assert_eq!(
        messages,
        vec![HelperStatus::Ready(expected_layers(true, false))]
    );
}

#[test]
fn the_pipe_closes_at_exec_and_is_hidden_from_the_command() {
    let scene = Scene::new(User::Root);
    let script = format!(
        "echo ${{{STATUS_FD_ENV}-unset}}; test -e /proc/self/fd/5 && echo open || echo closed; sleep 2"
    );
    let mut command = scene.sandboxed(WORKSPACE, &["sh", "-c", &script]);
    let mut pipe = StatusPipe::attach(&mut command);
    let mut child = pipe.spawn(&mut command);
    let messages = pipe.read_all();
    // EOF came with the exec, while the command was still sleeping.
    assert!(child.try_wait().unwrap().is_none(), "EOF only came at exit");
    assert!(
        matches!(messages.as_slice(), [HelperStatus::Ready(_)]),
        "{messages:?}"
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "unset\nclosed\n");
}

#[test]
fn setup_failures_go_to_the_pipe_not_stderr() {
    let scene = Scene::new(User::Root);
    let mut command = scene.command(HELPER, &["--policy", "{", "--", "touch", "ran"]);
    let (run, messages) = run_with_status(&mut command);
    assert_eq!(run.code(), 125, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(
        matches!(messages.as_slice(), [HelperStatus::SetupFailed(SetupFailure::Usage { detail })] if detail.contains("--policy")),
        "{messages:?}"
    );
    assert!(!scene.ws.join("ran").exists());
}

#[test]
fn exec_failures_follow_ready() {
    let scene = Scene::new(User::Root);
    let (run, messages) =
        run_with_status(&mut scene.sandboxed(WORKSPACE, &["no-such-command-here"]));
    assert_eq!(run.code(), 127, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(
        matches!(messages.as_slice(), [HelperStatus::Ready(_), HelperStatus::ExecFailed { errno }] if *errno == libc::ENOENT),
        "{messages:?}"
    );
    scene.file(&scene.ws.join("script"), "#!/bin/sh\n");
    let (run, messages) = run_with_status(&mut scene.sandboxed(WORKSPACE, &["./script"]));
    assert_eq!(run.code(), 126, "{run:?}");
    assert!(
        matches!(messages.as_slice(), [HelperStatus::Ready(_), HelperStatus::ExecFailed { errno }] if *errno == libc::EACCES),
        "{messages:?}"
    );
}

/// The helper, started by the probe with one syscall failing with `errno`.
fn helper_without(scene: &Scene, syscall: libc::c_long, errno: i32) -> std::process::Command {
    let mut command = scene.command(
        probe(),
        &["deny", &syscall.to_string(), &errno.to_string(), HELPER],
    );
    command.args(["--policy", WORKSPACE, "--", "touch", "ran"]);
    command
}

#[test]
fn without_landlock_nothing_runs() {
    let scene = Scene::new(User::Root);
    let mut command = helper_without(&scene, libc::SYS_landlock_create_ruleset, libc::ENOSYS);
    let (run, messages) = run_with_status(&mut command);
    assert_eq!(run.code(), 125, "{run:?}");
    assert!(
        matches!(
            messages.as_slice(),
            [HelperStatus::SetupFailed(SetupFailure::Landlock {
                abi: None,
                needed: 1,
                ..
            })]
        ),
        "{messages:?}"
    );
    assert!(!scene.ws.join("ran").exists());
    // By hand: one line on stderr.
    let run = super::support::output(&mut helper_without(
        &scene,
        libc::SYS_landlock_create_ruleset,
        libc::ENOSYS,
    ));
    assert_eq!(run.code(), 125);
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.starts_with("codex-linux-sandbox: landlock: "),
        "{run:?}"
    );
}

#[test]
fn without_seccomp_nothing_runs() {
    let scene = Scene::new(User::Root);
    let mut command = helper_without(&scene, libc::SYS_seccomp, libc::EINVAL);
    let (run, messages) = run_with_status(&mut command);
    assert_eq!(run.code(), 125, "{run:?}");
    assert!(
        matches!(
            messages.as_slice(),
            [HelperStatus::SetupFailed(SetupFailure::Seccomp { .. })]
        ),
        "{messages:?}"
    );
    assert!(!scene.ws.join("ran").exists());
}

#[test]
fn the_reader_is_not_kept_waiting_by_a_slow_command() {
    // Guards the EOF contract from the caller's side with a bounded wait.
    let scene = Scene::new(User::Root);
    let mut command = scene.sandboxed(WORKSPACE, &["sleep", "5"]);
    let mut pipe = StatusPipe::attach(&mut command);
    let mut child = pipe.spawn(&mut command);
    let started = std::time::Instant::now();
    let messages = pipe.read_all();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(messages.len(), 1);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_caller_that_stopped_listening_does_not_stop_the_command() {
    let scene = Scene::new(User::Root);
    let mut command = scene.sandboxed(WORKSPACE, &["sh", "-c", "touch ran; exit 3"]);
    let mut pipe = StatusPipe::attach(&mut command);
    // Close the read end first: writing Ready then meets a broken pipe.
    pipe.close_reader();
    let child = pipe.spawn(&mut command);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(scene.ws.join("ran").exists());
}
