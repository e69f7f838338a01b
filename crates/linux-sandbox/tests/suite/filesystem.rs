//! Writes: allowed in the roots, denied everywhere else, whatever the route.

use std::fs;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;

use super::support::{READ_ONLY, Scene, User, WORKSPACE, every_scene, inherit_as, output};

fn s(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn writes_inside_the_workspace_succeed_and_outside_fail() {
    for scene in every_scene() {
        let who = scene.label();
        let target = scene.file(&scene.outside.join("f"), "original");
        let created = scene.outside.join("new");

        let inside = scene.run(WORKSPACE, &["sh", "-c", "touch made && echo data > made"]);
        assert_eq!(inside.code(), 0, "{who}: {inside:?}");
        assert_eq!(fs::read_to_string(scene.ws.join("made")).unwrap(), "data\n");

        let touch = scene.run(WORKSPACE, &["touch", s(&created)]);
        assert_eq!(touch.code(), 1, "{who}: {touch:?}");
        assert!(
            touch.stderr.contains(scene.denied_write()),
            "{who}: {touch:?}"
        );
        assert!(!created.exists(), "{who}");
        let overwrite = scene.run(
            WORKSPACE,
            &["sh", "-c", &format!("echo pwned > {}", s(&target))],
        );
        assert_ne!(overwrite.code(), 0, "{who}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "original", "{who}");

        // The same commands unsandboxed do write: the denial is the sandbox's.
        assert_eq!(scene.direct(&["touch", s(&created)]).code(), 0, "{who}");
    }
}

#[test]
fn a_symlink_in_the_workspace_does_not_reach_outside() {
    for scene in every_scene() {
        let who = scene.label();
        let target = scene.file(&scene.outside.join("f"), "original");
        std::os::unix::fs::symlink(&target, scene.ws.join("planted")).unwrap();
        let script = format!("echo a > planted; ln -s {} made; echo b > made", s(&target));
        let run = scene.run(WORKSPACE, &["sh", "-c", &script]);
        assert_ne!(run.code(), 0, "{who}: {run:?}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "original", "{who}");
    }
}

#[test]
fn a_hardlink_to_an_outside_file_cannot_be_made() {
    for scene in every_scene() {
        let who = scene.label();
        let target = scene.file(&scene.outside.join("f"), "original");
        let link = scene.ws.join("hard");
        let run = scene.run(WORKSPACE, &["ln", s(&target), "hard"]);
        assert_ne!(run.code(), 0, "{who}: {run:?}");
        assert!(!link.exists(), "{who}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "original", "{who}");
    }
}

#[test]
fn renames_out_of_and_into_the_workspace_are_denied() {
    for scene in every_scene() {
        let who = scene.label();
        let leaving = scene.file(&scene.ws.join("leaving"), "in");
        let arriving = scene.file(&scene.outside.join("arriving"), "out");
        let moved_out = scene.outside.join("leaving");

        let out = scene.run(WORKSPACE, &["mv", "leaving", s(&moved_out)]);
        assert_ne!(out.code(), 0, "{who}: {out:?}");
        assert!(leaving.exists() && !moved_out.exists(), "{who}");

        // mv falls back to copy + unlink; the copy may land, but the outside file stays.
        let into = scene.run(WORKSPACE, &["mv", s(&arriving), "arriving"]);
        assert_ne!(into.code(), 0, "{who}: {into:?}");
        assert_eq!(fs::read_to_string(&arriving).unwrap(), "out", "{who}");
    }
}

#[test]
fn truncating_an_outside_file_is_denied() {
    for scene in every_scene() {
        let who = scene.label();
        let target = scene.file(&scene.outside.join("f"), "original");
        let run = scene.run(WORKSPACE, &["truncate", "-s", "0", s(&target)]);
        assert_ne!(run.code(), 0, "{who}: {run:?}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "original", "{who}");
    }
}

#[test]
fn proc_pid_root_does_not_reach_outside() {
    for scene in every_scene() {
        let who = scene.label();
        let target = scene.file(&scene.outside.join("f"), "original");
        let created = scene.outside.join("new");
        let script = format!(
            "touch /proc/$$/root{new}; echo pwned > /proc/self/root{f}",
            new = s(&created),
            f = s(&target)
        );
        let run = scene.run(WORKSPACE, &["sh", "-c", &script]);
        assert_ne!(run.code(), 0, "{who}: {run:?}");
        assert!(!created.exists(), "{who}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "original", "{who}");
    }
}

#[test]
fn an_inherited_fd_to_an_outside_file_is_closed() {
    for scene in every_scene() {
        let who = scene.label();
        let target = scene.file(&scene.outside.join("f"), "original");
        let file = fs::OpenOptions::new().append(true).open(&target).unwrap();
        let fd = file.as_raw_fd();
        let mut command = scene.sandboxed(WORKSPACE, &["sh", "-c", "echo pwned >&7"]);
        // SAFETY: inherit_as only calls async-signal-safe functions.
        unsafe { command.pre_exec(move || inherit_as(fd, 7)) };
        let run = output(&mut command);
        assert_ne!(run.code(), 0, "{who}: {run:?}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "original", "{who}");
    }
}

#[test]
fn read_only_writes_nowhere_but_dev_null() {
    for scene in every_scene() {
        let who = scene.label();
        let run = scene.run(READ_ONLY, &["touch", "made"]);
        assert_eq!(run.code(), 1, "{who}: {run:?}");
        assert!(!scene.ws.join("made").exists(), "{who}");
        let null = scene.run(
            READ_ONLY,
            &["sh", "-c", "echo x > /dev/null && cat /dev/null"],
        );
        assert_eq!(null.code(), 0, "{who}: {null:?}");
        let listed = scene.run(READ_ONLY, &["ls", s(&scene.outside)]);
        assert_eq!(listed.code(), 0, "{who}: reading stays allowed: {listed:?}");
    }
}

#[test]
fn tmpdir_and_writable_roots_follow_the_policy() {
    let scene = Scene::new(User::Nobody);
    let tmpdir = scene.dir(&scene.scratch("tmpdir"));
    let extra = scene.dir(&scene.scratch("extra"));
    let sub = scene.dir(&scene.ws.join("sub"));
    let policy = format!(
        r#"{{"mode":"workspace-write","writableRoots":["{}","{}"]}}"#,
        s(&extra),
        s(&sub)
    );
    let touch_all = [
        "sh",
        "-c",
        "touch \"$TMPDIR/t\" && touch \"$1/e\" sub/r",
        "sh",
        s(&extra),
    ];

    let run = scene
        .sandboxed(&policy, &touch_all)
        .env("TMPDIR", &tmpdir)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert!(tmpdir.join("t").exists() && extra.join("e").exists() && sub.join("r").exists());

    let excluded = r#"{"mode":"workspace-write","excludeTmp":true}"#;
    let run = scene
        .sandboxed(excluded, &["touch", s(&tmpdir.join("u"))])
        .env("TMPDIR", &tmpdir)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert!(!tmpdir.join("u").exists());
    let no_extra = scene.run(WORKSPACE, &["touch", s(&extra.join("x"))]);
    assert_eq!(no_extra.code(), 1, "{no_extra:?}");

    // A relative root is the caller's to resolve: the helper refuses it rather than guess.
    let relative = r#"{"mode":"workspace-write","writableRoots":["sub"]}"#;
    let run = scene.run(relative, &["touch", "sub/q"]);
    assert_eq!(run.code(), 125, "{run:?}");
    assert!(run.stderr.contains("sub is not absolute"), "{run:?}");
    assert!(!sub.join("q").exists());
}

#[test]
fn the_real_tmp_is_writable_unless_excluded() {
    let scene = Scene::new(User::Root);
    let name = format!("/tmp/codex-sandbox-test-{}", std::process::id());
    let run = scene.run(WORKSPACE, &["sh", "-c", &format!("echo hi > {name}")]);
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(fs::read_to_string(&name).unwrap(), "hi\n");
    fs::remove_file(&name).unwrap();
    let excluded = scene.run(
        r#"{"mode":"workspace-write","excludeTmp":true}"#,
        &["touch", &name],
    );
    assert_eq!(excluded.code(), 1, "{excluded:?}");
    assert!(!std::path::Path::new(&name).exists());
}
