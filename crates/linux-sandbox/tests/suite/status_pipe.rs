//! The status pipe: Ready once the command starts, SetupFailed, ExecFailed, and the denials at
//! the end; EOF when the helper exits.

use std::path::PathBuf;
use std::time::Duration;

use codex_sandbox_policy::{
    EnforcedLayers, HelperStatus, LandlockCoverage, STATUS_FD_ENV, SetupFailure,
};

use super::support::{
    Layers, Scene, StatusPipe, USERS, User, WORKSPACE, helper, kernel_landlock_abi, probe,
    run_with_status,
};

fn expected_layers(namespaces: bool, protected_paths: Vec<PathBuf>) -> EnforcedLayers {
    let abi = kernel_landlock_abi();
    EnforcedLayers {
        landlock_abi: abi,
        landlock: if abi >= 9 {
            LandlockCoverage::Full
        } else {
            LandlockCoverage::Partial
        },
        seccomp: true,
        mount_namespace: namespaces,
        pid_namespace: namespaces,
        ipc_namespace: namespaces,
        protected_paths,
        unprotected_paths: Vec::new(),
    }
}

#[test]
fn ready_names_the_layers_enforced() {
    for user in USERS {
        let scene = Scene::new(user);
        let (run, messages) = run_with_status(&mut scene.sandboxed(WORKSPACE, &["true"]));
        assert_eq!(run.code(), 0, "{user:?}: {run:?}");
        // No .git anywhere: a placeholder keeps one from being made in the workspace and /tmp.
        let placeholders = vec![scene.ws.join(".git"), PathBuf::from("/tmp/.git")];
        assert_eq!(
            messages,
            vec![HelperStatus::Ready(expected_layers(true, placeholders))],
            "{user:?}"
        );
        assert!(
            !scene.ws.join(".git").exists(),
            "the placeholder is removed after the run"
        );
    }
    let scene = Scene::new(User::Root);
    let open = r#"{"mode":"read-only","networkAccess":true}"#;
    let (_, messages) = run_with_status(&mut scene.sandboxed(open, &["true"]));
    assert_eq!(
        messages,
        vec![HelperStatus::Ready(expected_layers(true, Vec::new()))]
    );
    let without = Scene::with(User::Root, Layers::WithoutNamespaces);
    let (_, messages) = run_with_status(&mut without.sandboxed(WORKSPACE, &["true"]));
    let mut layers = expected_layers(false, Vec::new());
    layers.unprotected_paths = vec![without.ws.join(".git"), PathBuf::from("/tmp/.git")];
    assert_eq!(messages, vec![HelperStatus::Ready(layers)]);
}

#[test]
fn ready_comes_while_the_command_runs_and_the_pipe_is_hidden_from_it() {
    let scene = Scene::new(User::Root);
    let script = format!(
        "echo ${{{STATUS_FD_ENV}-unset}}; test -e /proc/self/fd/5 && echo open || echo closed; sleep 1"
    );
    let mut command = scene.sandboxed(WORKSPACE, &["sh", "-c", &script]);
    let mut pipe = StatusPipe::attach(&mut command);
    let mut child = pipe.spawn(&mut command);
    let first = pipe.read_line();
    assert!(
        child.try_wait().unwrap().is_none(),
        "Ready only came at exit"
    );
    assert!(matches!(first, Some(HelperStatus::Ready(_))), "{first:?}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "unset\nclosed\n");
    assert!(pipe.read_all().is_empty(), "nothing was refused");
}

#[test]
fn setup_failures_go_to_the_pipe_not_stderr() {
    let scene = Scene::new(User::Root);
    let mut command = scene.command(helper(), &["--policy", "{", "--", "touch", "ran"]);
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
        &["deny", &syscall.to_string(), &errno.to_string(), helper()],
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
fn the_reader_is_not_kept_waiting_for_ready_by_a_slow_command() {
    let scene = Scene::new(User::Root);
    let mut command = scene.sandboxed(WORKSPACE, &["sleep", "5"]);
    let mut pipe = StatusPipe::attach(&mut command);
    let mut child = pipe.spawn(&mut command);
    let started = std::time::Instant::now();
    let first = pipe.read_line();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(first, Some(HelperStatus::Ready(_))), "{first:?}");
    // Killing the helper ends the sandbox: the pipe closes promptly.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(pipe.read_all().is_empty());
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
