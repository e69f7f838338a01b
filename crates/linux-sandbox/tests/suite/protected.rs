//! `.git` and other protected paths stay read-only inside writable roots, and cannot be created
//! where they are missing: code there runs later, outside the sandbox.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::support::{Layers, Scene, USERS, User, WORKSPACE};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs git as the scene's user (outside the sandbox) in `dir`.
fn git(scene: &Scene, dir: &Path, args: &[&str]) {
    let mut full = vec![
        "-C",
        s(dir),
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "-c",
        "init.defaultBranch=main",
    ];
    full.extend_from_slice(args);
    let run = scene.direct(&[&["git"], full.as_slice()].concat());
    assert_eq!(run.code(), 0, "git {args:?}: {run:?}");
}

/// Everything under `dir`, with contents, to compare before and after.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut entries = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                pending.push(path.clone());
                entries.push((path, Vec::new()));
            } else {
                entries.push((path.clone(), fs::read(&path).unwrap_or_default()));
            }
        }
    }
    entries.sort();
    entries
}

/// What a command would do to a repository: config, hooks, the index lock, refs, a pager.
const TAMPER: &str = "echo '[core] fsmonitor = evil' >> .git/config; \
     echo evil > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit; \
     touch .git/index.lock; mkdir .git/refs/heads/evil; \
     git config core.pager evil; echo ok > other";

#[test]
fn a_git_directory_stays_read_only_while_the_rest_is_writable() {
    for user in USERS {
        let scene = Scene::new(user);
        git(&scene, &scene.ws, &["init", "-q"]);
        let before = snapshot(&scene.ws.join(".git"));
        let run = scene.run(WORKSPACE, &["sh", "-c", TAMPER]);
        assert!(
            snapshot(&scene.ws.join(".git")) == before,
            "{user:?}: {run:?}"
        );
        assert_eq!(fs::read_to_string(scene.ws.join("other")).unwrap(), "ok\n");
        assert!(run.stderr.contains("Read-only file system"), "{run:?}");

        // Unsandboxed, the same script plants a hook and a pager.
        let control = scene.direct(&["sh", "-c", TAMPER]);
        assert_eq!(control.code(), 0, "{user:?}: {control:?}");
        assert!(scene.ws.join(".git/hooks/pre-commit").exists());
    }
}

#[test]
fn a_worktree_pointer_its_gitdir_and_the_common_dir_stay_read_only() {
    let scene = Scene::new(User::Nobody);
    // A writable directory holding a repository and a worktree of it: the repository's .git is
    // not at the top of any root, so only the pointer leads to it.
    let parent = scene.dir(&scene.scratch("parent"));
    let main = scene.dir(&parent.join("main"));
    git(&scene, &main, &["init", "-q"]);
    git(&scene, &main, &["commit", "-q", "--allow-empty", "-m", "x"]);
    let worktree = scene.dir(&parent.join("wt"));
    git(&scene, &main, &["worktree", "add", "-q", s(&worktree)]);
    let policy = format!(
        r#"{{"mode":"workspace-write","workspaceRoot":"{}","writableRoots":["{}"]}}"#,
        s(&worktree),
        s(&parent)
    );
    let pointer = fs::read(worktree.join(".git")).unwrap();
    let common = snapshot(&main.join(".git"));
    let args = [
        "--policy",
        policy.as_str(),
        "--cwd",
        s(&worktree),
        "--",
        "sh",
        "-c",
        "echo 'gitdir: /tmp/evil' > .git; git config core.pager evil; \
         echo x > \"$(git rev-parse --git-dir)/HEAD\"; touch ok ../main/ok",
    ];
    let run = super::support::output(&mut scene.helper(&args));
    assert_eq!(fs::read(worktree.join(".git")).unwrap(), pointer, "{run:?}");
    assert!(snapshot(&main.join(".git")) == common, "{run:?}");
    assert!(
        worktree.join("ok").exists() && main.join("ok").exists(),
        "{run:?}"
    );

    // Control: the same run without protected paths rewrites the repository.
    let unprotected = policy.replace('}', r#","protectedPaths":[]}"#);
    let mut control_args = args;
    control_args[1] = unprotected.as_str();
    let control = super::support::output(&mut scene.helper(&control_args));
    assert_ne!(
        fs::read(worktree.join(".git")).unwrap(),
        pointer,
        "control: {control:?}"
    );
}

#[test]
fn a_symlinked_git_can_be_neither_retargeted_nor_written_through() {
    let scene = Scene::new(User::Root);
    let real = scene.dir(&scene.ws.join("real-git-dir"));
    git(&scene, &real, &["init", "-q", "--bare"]);
    std::os::unix::fs::symlink("real-git-dir", scene.ws.join(".git")).unwrap();
    let before = snapshot(&real);
    let run = scene.run(
        WORKSPACE,
        &[
            "sh",
            "-c",
            "echo evil >> .git/config; ln -sfn /tmp .git; rm -f .git; echo evil >> real-git-dir/config; touch ok",
        ],
    );
    assert_eq!(
        fs::read_link(scene.ws.join(".git")).unwrap(),
        Path::new("real-git-dir"),
        "{run:?}"
    );
    assert!(snapshot(&real) == before, "{run:?}");
    assert!(scene.ws.join("ok").exists());

    // Control: without protected paths the link is retargeted.
    let off = r#"{"mode":"workspace-write","protectedPaths":[]}"#;
    let control = scene.run(off, &["sh", "-c", "ln -sfn /tmp .git"]);
    assert_eq!(
        fs::read_link(scene.ws.join(".git")).unwrap(),
        Path::new("/tmp"),
        "{control:?}"
    );
}

#[test]
fn no_git_can_be_created_where_none_was() {
    for user in USERS {
        let scene = Scene::new(user);
        let run = scene.run(
            WORKSPACE,
            &[
                "sh",
                "-c",
                "git init -q; mkdir -p .git/hooks; echo evil > .git/config; touch ok",
            ],
        );
        assert!(scene.ws.join("ok").exists(), "{user:?}: {run:?}");
        // The placeholder that kept it from being made is gone too.
        assert!(!scene.ws.join(".git").exists(), "{user:?}: {run:?}");
        let control = scene.direct(&["sh", "-c", "git init -q"]);
        assert_eq!(control.code(), 0);
        assert!(scene.ws.join(".git/config").exists(), "control");
    }
}

#[test]
fn concurrent_runs_share_a_placeholder_and_the_last_one_removes_it() {
    let scene = Scene::new(User::Root);
    let mut first = scene
        .sandboxed(WORKSPACE, &["sh", "-c", "sleep 1; mkdir .git/x"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let second = scene.run(WORKSPACE, &["sh", "-c", "mkdir .git/y; test -d .git"]);
    // The second run ended first: the first still holds the placeholder.
    assert_eq!(second.code(), 0, "{second:?}");
    assert!(scene.ws.join(".git").is_dir());
    first.wait().unwrap();
    assert!(!scene.ws.join(".git").exists());
}

#[test]
fn protected_paths_can_be_listed_or_turned_off() {
    let scene = Scene::new(User::Root);
    scene.file(&scene.ws.join(".env"), "SECRET=1\n");
    let listed = r#"{"mode":"workspace-write","protectedPaths":[".env"]}"#;
    let run = scene.run(
        listed,
        &["sh", "-c", "echo x >> .env; git init -q && echo init"],
    );
    assert_eq!(
        fs::read_to_string(scene.ws.join(".env")).unwrap(),
        "SECRET=1\n"
    );
    // Listing replaces the default: .git is no longer protected.
    assert_eq!(run.stdout, "init\n", "{run:?}");
    fs::remove_dir_all(scene.ws.join(".git")).unwrap();

    let off = r#"{"mode":"workspace-write","protectedPaths":[]}"#;
    let run = scene.run(off, &["sh", "-c", "git init -q && echo init"]);
    assert_eq!(run.stdout, "init\n", "{run:?}");
}

#[test]
fn without_a_mount_namespace_an_existing_git_refuses_to_run() {
    let scene = Scene::with(User::Root, Layers::WithoutNamespaces);
    git(&scene, &scene.ws, &["init", "-q"]);
    let run = scene.run(WORKSPACE, &["touch", "ran"]);
    assert_eq!(run.code(), 125, "{run:?}");
    assert!(
        run.stderr.contains(".git cannot be kept read-only"),
        "{run:?}"
    );
    assert!(run.stderr.contains("protectedPaths"), "{run:?}");
    assert!(!scene.ws.join("ran").exists());
    let off = r#"{"mode":"workspace-write","protectedPaths":[]}"#;
    let run = scene.run(off, &["touch", "ran"]);
    assert_eq!(run.code(), 0, "{run:?}");
}
