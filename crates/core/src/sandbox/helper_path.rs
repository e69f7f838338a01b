//! Finding the `codex-linux-sandbox` executable.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The helper's file name.
pub const HELPER_NAME: &str = "codex-linux-sandbox";
/// The environment variable that names the helper's path.
pub const HELPER_PATH_ENV: &str = "CODEX_LINUX_SANDBOX_EXE";

/// The first executable file among the places to look, or every path that was tried.
///
/// With `candidates`, only those are tried; without, `CODEX_LINUX_SANDBOX_EXE`, the directory
/// of the current executable, then each `PATH` entry.
pub(crate) fn find_helper(candidates: &[PathBuf]) -> Result<PathBuf, Vec<PathBuf>> {
    let searched = if candidates.is_empty() {
        default_candidates(
            std::env::var_os(HELPER_PATH_ENV).as_deref(),
            std::env::current_exe().ok().as_deref(),
            std::env::var_os("PATH").as_deref(),
        )
    } else {
        candidates.to_vec()
    };
    match searched.iter().find(|path| is_executable_file(path)) {
        Some(found) => Ok(found.clone()),
        None => Err(searched),
    }
}

/// The default search order, given the environment variable, the current executable and `PATH`.
fn default_candidates(
    env_path: Option<&OsStr>,
    current_exe: Option<&Path>,
    path_var: Option<&OsStr>,
) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = env_path
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.extend(
        current_exe
            .and_then(Path::parent)
            .map(|dir| dir.join(HELPER_NAME)),
    );
    if let Some(path_var) = path_var {
        candidates.extend(std::env::split_paths(path_var).map(|dir| dir.join(HELPER_NAME)));
    }
    candidates
}

#[cfg(unix)]
fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn default_order_is_env_then_next_to_exe_then_path() {
        let candidates = default_candidates(
            Some(OsStr::new("/opt/helper")),
            Some(Path::new("/app/bin/node")),
            Some(OsStr::new("/usr/bin:/bin")),
        );
        assert_eq!(
            candidates,
            vec![
                PathBuf::from("/opt/helper"),
                "/app/bin/codex-linux-sandbox".into(),
                "/usr/bin/codex-linux-sandbox".into(),
                "/bin/codex-linux-sandbox".into(),
            ]
        );
        assert!(default_candidates(Some(OsStr::new("")), None, None).is_empty());
    }

    #[test]
    fn only_executable_files_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        let runnable = dir.path().join("runnable");
        std::fs::write(&plain, "").unwrap();
        std::fs::write(&runnable, "").unwrap();
        std::fs::set_permissions(&runnable, std::fs::Permissions::from_mode(0o755)).unwrap();
        let candidates = vec![dir.path().to_path_buf(), plain.clone(), runnable.clone()];
        assert_eq!(find_helper(&candidates), Ok(runnable));
        assert_eq!(find_helper(std::slice::from_ref(&plain)), Err(vec![plain]));
    }
}
