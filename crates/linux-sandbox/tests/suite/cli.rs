//! Bad input: exit 125, one line on stderr, nothing run.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use codex_sandbox_policy::STATUS_FD_ENV;

use super::support::{Run, Scene, User, helper, output};

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
        let run = output(&mut scene.command(helper(), args));
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
    let run = output(&mut scene.command(helper(), &args));
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

#[test]
fn programs_are_found_and_started_as_execvp_does_outside() {
    let scene = Scene::new(User::Root);
    let read_only = r#"{"mode":"read-only"}"#;
    let executable = |name: &str, contents: &str| {
        let file = scene.file(&scene.ws.join(name), contents);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).unwrap();
        file
    };
    // A script without `#!` runs under /bin/sh (glibc's execvp does so; the helper's C library,
    // musl, would not), found by path and through $PATH alike.
    let script = executable("no-shebang", "echo ran as $0 with $1\n");
    let by_path = scene.run(read_only, &["./no-shebang", "one"]);
    assert_eq!(
        by_path.stdout, "ran as ./no-shebang with one\n",
        "{by_path:?}"
    );
    let path = format!("/nonexistent:{}:/usr/bin", scene.ws.display());
    let by_name = output(
        scene
            .sandboxed(read_only, &["no-shebang", "two"])
            .env("PATH", &path),
    );
    let expected = format!("ran as {} with two\n", script.display());
    assert_eq!(by_name.stdout, expected, "{by_name:?}");
    // A directory on $PATH that may not be searched is passed over.
    let closed = scene.dir(&scene.ws.join("closed"));
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o000)).unwrap();
    executable("tool", "#!/bin/sh\necho tool\n");
    let path = format!("{}:{}", closed.display(), scene.ws.display());
    let run = output(scene.sandboxed(read_only, &["tool"]).env("PATH", &path));
    assert_eq!(run.stdout, "tool\n", "{run:?}");
    // A file found but not executable is 126, as a shell reports it.
    scene.file(&scene.ws.join("plain"), "echo no\n");
    let path = scene.ws.display().to_string();
    let run = output(scene.sandboxed(read_only, &["plain"]).env("PATH", &path));
    assert_eq!(run.code(), 126, "{run:?}");
}
