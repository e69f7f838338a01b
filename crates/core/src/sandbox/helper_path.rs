//! Finding the `codex-linux-sandbox` executable: the one place that knows where to look, and in
//! which order (DESIGN.md §4, [`HelperSearch`]).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use codex_sandbox_policy::HELPER_NAME;

use super::HelperSearch;

/// The environment variable that names the helper's path.
pub const HELPER_PATH_ENV: &str = "CODEX_LINUX_SANDBOX_EXE";

/// The first executable file among the places `search` names, or every path that was tried.
pub(crate) fn find_helper(search: HelperSearch<'_>) -> Result<PathBuf, Vec<PathBuf>> {
    let searched = candidates(
        search,
        std::env::var_os(HELPER_PATH_ENV).as_deref(),
        std::env::current_exe().ok().as_deref(),
        std::env::var_os("PATH").as_deref(),
    );
    match searched.iter().find(|path| is_executable_file(path)) {
        Some(found) => Ok(found.clone()),
        None => Err(searched),
    }
}

/// The paths to try, given the environment variable, the current executable and `PATH`.
fn candidates(
    search: HelperSearch<'_>,
    env_path: Option<&OsStr>,
    current_exe: Option<&Path>,
    path_var: Option<&OsStr>,
) -> Vec<PathBuf> {
    if !search.explicit.is_empty() {
        return search.explicit.to_vec();
    }
    if let Some(path) = env_path.filter(|path| !path.is_empty()) {
        return vec![PathBuf::from(path)];
    }
    let dirs: Vec<PathBuf> = if search.dirs.is_empty() {
        let next_to_exe = current_exe.and_then(Path::parent).map(Path::to_path_buf);
        let on_path = path_var.into_iter().flat_map(std::env::split_paths);
        next_to_exe.into_iter().chain(on_path).collect()
    } else {
        search.dirs.to_vec()
    };
    dirs.into_iter().map(|dir| dir.join(HELPER_NAME)).collect()
}

fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn exe() -> Option<&'static Path> {
        Some(Path::new("/app/bin/node"))
    }

    fn path_var() -> Option<&'static OsStr> {
        Some(OsStr::new("/usr/bin:/bin"))
    }

    #[test]
    fn an_explicit_choice_is_tried_alone_then_the_env_then_the_installed_dirs() {
        let explicit = [PathBuf::from("/mine/helper")];
        let dirs = [PathBuf::from("/pkg")];
        let env = Some(OsStr::new("/opt/helper"));
        let both = HelperSearch {
            explicit: &explicit,
            dirs: &dirs,
        };
        assert_eq!(candidates(both, env, exe(), path_var()), explicit);
        let installed = HelperSearch {
            explicit: &[],
            dirs: &dirs,
        };
        assert_eq!(
            candidates(installed, env, exe(), path_var()),
            vec![PathBuf::from("/opt/helper")]
        );
        assert_eq!(
            candidates(installed, None, exe(), path_var()),
            vec![PathBuf::from("/pkg/codex-linux-sandbox")]
        );
    }

    #[test]
    fn by_default_next_to_the_exe_then_on_path() {
        let default = HelperSearch::default();
        assert_eq!(
            candidates(default, Some(OsStr::new("")), exe(), path_var()),
            vec![
                PathBuf::from("/app/bin/codex-linux-sandbox"),
                "/usr/bin/codex-linux-sandbox".into(),
                "/bin/codex-linux-sandbox".into(),
            ]
        );
        assert!(candidates(default, None, None, None).is_empty());
    }

    #[test]
    fn only_executable_files_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        let runnable = dir.path().join("runnable");
        std::fs::write(&plain, "").unwrap();
        std::fs::write(&runnable, "").unwrap();
        std::fs::set_permissions(&runnable, std::fs::Permissions::from_mode(0o755)).unwrap();
        let explicit = vec![dir.path().to_path_buf(), plain.clone(), runnable.clone()];
        let search = |explicit| HelperSearch {
            explicit,
            dirs: &[],
        };
        assert_eq!(find_helper(search(&explicit)), Ok(runnable));
        assert_eq!(
            find_helper(search(std::slice::from_ref(&plain))),
            Err(vec![plain])
        );
    }
}
