//! Once a layer has started, any failure runs nothing: no silent downgrade to a weaker sandbox.

use std::fs;

use super::support::{Scene, User, WORKSPACE, helper, output, probe};

#[test]
fn the_mount_layer_failing_at_any_step_runs_nothing() {
    let scene = Scene::new(User::Nobody);
    for syscall in [
        libc::SYS_mount,
        libc::SYS_open_tree,
        libc::SYS_mount_setattr,
        libc::SYS_move_mount,
    ] {
        let args = [
            "deny",
            &syscall.to_string(),
            &libc::EPERM.to_string(),
            helper(),
            "--policy",
            WORKSPACE,
            "--",
            "touch",
            "ran",
        ];
        let run = output(&mut scene.command(probe(), &args));
        assert_eq!(run.code(), 125, "syscall {syscall}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(!scene.ws.join("ran").exists(), "syscall {syscall}");
    }
}

#[test]
fn running_out_of_descriptors_never_runs_a_weaker_sandbox() {
    let scene = Scene::new(User::Root);
    let outside = scene.outside.join("f");
    let script = format!("touch ran; touch {} 2>/dev/null; exit 0", outside.display());
    let mut ran = 0;
    for limit in 4..40 {
        let nofile = format!("--nofile={limit}:{limit}");
        let args = [
            nofile.as_str(),
            helper(),
            "--policy",
            WORKSPACE,
            "--",
            "sh",
            "-c",
            &script,
        ];
        let run = output(&mut scene.command("prlimit", &args));
        // Either nothing ran, or the command ran fully confined.
        assert!(
            run.code() == 125 || run.code() == 0,
            "limit {limit}: {run:?}"
        );
        if run.code() == 0 {
            ran += 1;
            assert!(scene.ws.join("ran").exists(), "limit {limit}");
            let _ = fs::remove_file(scene.ws.join("ran"));
        }
        assert!(!outside.exists(), "limit {limit}: wrote outside: {run:?}");
    }
    assert!(ran > 0, "some limit is enough to run");
}

#[test]
fn dangerous_roots_are_refused() {
    let scene = Scene::new(User::Root);
    for root in [
        "/",
        "/proc",
        "/sys/kernel",
        "/dev/shm",
        "/proc/self/root/etc",
    ] {
        let policy = format!(r#"{{"mode":"workspace-write","writableRoots":["{root}"]}}"#);
        let run = scene.run(&policy, &["touch", "ran"]);
        assert_eq!(run.code(), 125, "{root}: {run:?}");
        assert!(run.stderr.contains("cannot be writable"), "{root}: {run:?}");
        assert!(!scene.ws.join("ran").exists(), "{root}");
    }
    // The same through $TMPDIR and through the workspace itself.
    let run = output(
        scene
            .sandboxed(WORKSPACE, &["touch", "ran"])
            .env("TMPDIR", "/"),
    );
    assert_eq!(run.code(), 125, "{run:?}");
    let args = ["--policy", WORKSPACE, "--cwd", "/", "--", "touch", "/ran"];
    let run = output(&mut scene.command(helper(), &args));
    assert_eq!(run.code(), 125, "{run:?}");
    assert!(!std::path::Path::new("/ran").exists());
}
