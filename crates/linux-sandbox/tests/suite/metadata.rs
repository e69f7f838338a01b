//! chmod, chown, utime and xattrs of outside files: Landlock cannot stop them, the read-only
//! mount namespace does.

use std::ffi::CString;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::support::{Scene, USERS, WORKSPACE, probe};

/// What the probe's `meta` action would change.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    mode: u32,
    uid: u32,
    mtime: i64,
    ctime: (i64, i64),
    xattr: bool,
}

fn snapshot(path: &Path) -> Snapshot {
    let meta = fs::metadata(path).unwrap();
    let path_c = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a size query (null buffer) on a valid C string.
    let xattr = unsafe {
        libc::getxattr(
            path_c.as_ptr(),
            c"user.codex".as_ptr(),
            std::ptr::null_mut(),
            0,
        )
    } >= 0;
    Snapshot {
        mode: meta.mode(),
        uid: meta.uid(),
        mtime: meta.mtime(),
        ctime: (meta.ctime(), meta.ctime_nsec()),
        xattr,
    }
}

#[test]
fn outside_metadata_does_not_change() {
    for user in USERS {
        let scene = Scene::new(user);
        let target = scene.file(&scene.outside.join("f"), "x");
        let before = snapshot(&target);

        let run = scene.run(WORKSPACE, &[probe(), "meta", target.to_str().unwrap()]);
        assert_eq!(run.code(), 1, "{user:?}: {run:?}");
        for call in ["chmod", "chown", "utimes", "setxattr"] {
            assert!(
                run.stdout.contains(&format!("{call}:EROFS")),
                "{user:?}: {}",
                run.stdout
            );
        }
        assert_eq!(snapshot(&target), before, "{user:?}");

        // Unsandboxed, the same user changes all of it.
        let control = scene.file(&scene.outside.join("g"), "x");
        let direct = scene.direct(&[probe(), "meta", control.to_str().unwrap()]);
        assert_eq!(direct.code(), 0, "{user:?}: {direct:?}");
        let after = snapshot(&control);
        assert_eq!(after.mode & 0o777, 0o777, "{user:?}");
        assert!(after.xattr, "{user:?}");
    }
}

#[test]
fn workspace_metadata_stays_changeable() {
    for user in USERS {
        let scene = Scene::new(user);
        let file = scene.file(&scene.ws.join("f"), "x");
        let run = scene.run(WORKSPACE, &[probe(), "meta", "f"]);
        assert_eq!(run.code(), 0, "{user:?}: {run:?}");
        assert_eq!(snapshot(&file).mode & 0o777, 0o777, "{user:?}");
    }
}
