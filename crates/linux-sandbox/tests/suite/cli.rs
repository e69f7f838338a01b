//! Bad input: exit 125, one line on stderr, nothing run.

use codex_sandbox_policy::STATUS_FD_ENV;

use super::support::{HELPER, Run, Scene, User, output};

fn assert_refused(scene: &Scene, run: &Run) {
    assert_eq!(run.code(), 125, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.starts_with("codex-linux-sandbox: "), "{run:?}");
    assert!(!scene.ws.join("ran").exists(), "the command ran: {run:?}");
}

#[test]
fn bad_command_lines_run_nothing() {
    let scene = Scene::new(User::Root);
    let policy = r#"{"mode":"read-only"}"#;
    let cases: [&[&str]; 10] = [
        &["--policy", "{", "--", "touch", "ran"],
        &["--policy", r#"{"mode":"yolo"}"#, "--", "touch", "ran"],
        &[
            "--policy",
            r#"{"mode":"workspace-write","writeableRoots":[]}"#,
            "--",
            "touch",
            "ran",
        ],
        &["--", "touch", "ran"],
        &["--policy", r#"{"mode":"read-only"}"#, "touch", "ran"],
        &["--policy", r#"{"mode":"read-only"}"#, "--"],
        &[
            "--policy",
            r#"{"mode":"danger-full-access"}"#,
            "--",
            "touch",
            "ran",
        ],
        // A second --policy or --cwd must not silently replace the first.
        &["--policy", policy, "--policy", policy, "--", "touch", "ran"],
        &[
            "--policy", policy, "--cwd", "/", "--cwd", "/tmp", "--", "touch", "ran",
        ],
        // serde would read an array as the policy's fields in order.
        &["--policy", r#"["read-only"]"#, "--", "touch", "ran"],
    ];
    for args in cases {
        let run = output(&mut scene.command(HELPER, args));
        assert_refused(&scene, &run);
    }
}

#[test]
fn a_missing_cwd_runs_nothing() {
    let scene = Scene::new(User::Root);
    let missing = scene.scratch("missing");
    let args = [
        "--policy",
        r#"{"mode":"workspace-write"}"#,
        "--cwd",
        missing.to_str().unwrap(),
        "--",
        "touch",
        "ran",
    ];
    let run = output(&mut scene.command(HELPER, &args));
    assert_refused(&scene, &run);
    assert!(run.stderr.contains("missing"), "{run:?}");
}

#[test]
fn a_bad_status_fd_runs_nothing() {
    let scene = Scene::new(User::Root);
    for value in ["99", "x", "1"] {
        let mut command = scene.sandboxed(r#"{"mode":"workspace-write"}"#, &["touch", "ran"]);
        let run = output(command.env(STATUS_FD_ENV, value));
        assert_refused(&scene, &run);
        assert!(run.stderr.contains(STATUS_FD_ENV), "{run:?}");
    }
}

#[test]
fn a_missing_command_exits_127_after_the_sandbox_is_up() {
    let scene = Scene::new(User::Root);
    let run = scene.run(r#"{"mode":"read-only"}"#, &["/nonexistent/command"]);
    assert_eq!(run.code(), 127, "{run:?}");
    assert!(
        run.stderr
            .starts_with("codex-linux-sandbox: cannot run /nonexistent/command"),
        "{run:?}"
    );
}
