//! What one run could plant for the next: symlinks where a later run's roots are looked up, and
//! setuid/setgid files.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::support::{Scene, USERS, WORKSPACE, every_scene, probe};

fn s(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_tmpdir_replaced_by_a_symlink_is_refused_in_the_next_run() {
    for user in USERS {
        let scene = Scene::new(user);
        let tmpdir = format!("/tmp/codex-sandbox-planted-{}-{user:?}", std::process::id());
        let _ = fs::remove_dir_all(&tmpdir);
        scene.dir(std::path::Path::new(&tmpdir));
        // Run 1: /tmp is writable, so the run may swap its $TMPDIR for a link to outside.
        let plant = format!("rm -rf {tmpdir} && ln -s {} {tmpdir}", s(&scene.outside));
        let run = scene.run(WORKSPACE, &["sh", "-c", &plant]);
        assert_eq!(run.code(), 0, "{user:?}: {run:?}");
        // Run 2 with that TMPDIR: refused, nothing written outside.
        let write = "touch \"$TMPDIR/f\"";
        let run = super::support::output(
            scene
                .sandboxed(WORKSPACE, &["sh", "-c", write])
                .env("TMPDIR", &tmpdir),
        );
        assert_eq!(run.code(), 125, "{user:?}: {run:?}");
        assert!(
            run.stderr.contains("symlink inside the writable area /tmp"),
            "{run:?}"
        );
        assert!(!scene.outside.join("f").exists(), "{user:?}");
        // Following the link, as the helper once did, writes outside.
        let control = scene.direct(&["sh", "-c", &write.replace("$TMPDIR", &tmpdir)]);
        assert_eq!(control.code(), 0, "{user:?}: {control:?}");
        assert!(scene.outside.join("f").exists(), "{user:?}: control");
        fs::remove_file(&tmpdir).unwrap();
    }
}

#[test]
fn a_writable_root_replaced_by_a_symlink_in_the_workspace_is_refused() {
    for user in USERS {
        let scene = Scene::new(user);
        scene.dir(&scene.ws.join("cache"));
        let plant = format!("rm -rf cache && ln -s {} cache", s(&scene.outside));
        assert_eq!(scene.run(WORKSPACE, &["sh", "-c", &plant]).code(), 0);
        let policy = format!(
            r#"{{"mode":"workspace-write","writableRoots":["{}"]}}"#,
            s(&scene.ws.join("cache"))
        );
        let run = scene.run(&policy, &["touch", s(&scene.outside.join("f"))]);
        assert_eq!(run.code(), 125, "{user:?}: {run:?}");
        assert!(
            run.stderr.contains("symlink inside the writable area"),
            "{run:?}"
        );
        assert!(!scene.outside.join("f").exists(), "{user:?}");
    }
}

#[test]
fn a_cwd_replaced_by_a_symlink_widens_nothing() {
    for user in USERS {
        let scene = Scene::new(user);
        let plant = format!("ln -s {} sub", s(&scene.outside));
        assert_eq!(scene.run(WORKSPACE, &["sh", "-c", &plant]).code(), 0);
        // The agent keeps its workspace root and lets the model pick the cwd.
        let policy = format!(
            r#"{{"mode":"workspace-write","workspaceRoot":"{}"}}"#,
            s(&scene.ws)
        );
        let sub = scene.ws.join("sub");
        let args = [
            "--policy",
            policy.as_str(),
            "--cwd",
            s(&sub),
            "--",
            "touch",
            "here",
        ];
        let run = super::support::output(&mut scene.helper(&args));
        assert_eq!(run.code(), 1, "{user:?}: {run:?}");
        assert!(!scene.outside.join("here").exists(), "{user:?}");
        let control = scene.direct(&["touch", s(&sub.join("here"))]);
        assert_eq!(control.code(), 0, "{user:?}: {control:?}");
        assert!(scene.outside.join("here").exists(), "{user:?}: control");
    }
}

#[test]
fn no_setuid_or_setgid_file_can_be_made() {
    for scene in every_scene() {
        let who = scene.label();
        let copy = scene.file(&scene.ws.join("copy"), "#!/bin/sh\n");
        fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
        let created = scene.ws.join("created");
        let run = scene.run(WORKSPACE, &[probe(), "setid", "copy", "created"]);
        assert_eq!(
            run.stdout, "chmod:EPERM\nfchmodat:EPERM\nopen:EPERM\n",
            "{who}: {run:?}"
        );
        assert_eq!(
            fs::metadata(&copy).unwrap().permissions().mode() & 0o7777,
            0o755
        );
        assert!(!created.exists(), "{who}");

        let control = scene.direct(&[probe(), "setid", "copy", "created"]);
        assert_eq!(
            control.stdout, "chmod:ok\nfchmodat:ok\nopen:ok\n",
            "{who}: {control:?}"
        );
        assert_ne!(
            fs::metadata(&copy).unwrap().permissions().mode() & 0o6000,
            0
        );
        assert_ne!(
            fs::metadata(&created).unwrap().permissions().mode() & 0o4000,
            0
        );
    }
}
