//! The arg0 trick: a program that calls `run_with_sandbox` acts as the helper when started
//! under the helper's name.

use std::path::PathBuf;

use codex_linux_sandbox::HELPER_NAME;

use super::support::{CARGO_HELPER, Scene, User, WORKSPACE, output};

/// The `own_helper` example, which `cargo test` builds next to the helper.
fn own_helper() -> PathBuf {
    let path = PathBuf::from(CARGO_HELPER)
        .parent()
        .unwrap()
        .join("examples/own_helper");
    assert!(
        path.exists(),
        "{} is built by `cargo test` (examples)",
        path.display()
    );
    path
}

#[test]
fn a_program_started_as_the_helper_sandboxes_its_command() {
    let scene = Scene::new(User::Root);
    let link = scene.scratch(HELPER_NAME);
    std::os::unix::fs::symlink(own_helper(), &link).unwrap();
    let outside = scene.outside.join("new");
    // Also shows the command's SIGPIPE back at its default, though the program's Rust runtime
    // had ignored it.
    let script = format!(
        "grep SigIgn /proc/self/status; touch made; touch {}",
        outside.display()
    );
    let args = ["--policy", WORKSPACE, "--", "sh", "-c", script.as_str()];
    let run = output(&mut scene.command(&link, &args));
    assert_eq!(run.code(), 1, "{run:?}");
    let ignored = run.stdout.split_whitespace().nth(1).unwrap();
    let mask = u64::from_str_radix(ignored, 16).unwrap();
    assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{run:?}");
    assert!(scene.ws.join("made").exists());
    assert!(!outside.exists());
}

#[test]
fn under_its_own_name_it_runs_its_own_main() {
    let scene = Scene::new(User::Root);
    let run = output(&mut scene.command(own_helper(), &["--policy", WORKSPACE, "--", "true"]));
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(run.stdout, "own_helper: running as itself\n");
}
