//! The child's environment: exact, inherited, or inherited without secrets.

use std::ffi::OsStr;

use tokio::process::Command;

use super::params::{ExecEnv, InheritEnv};

/// Substrings that mark a variable as a secret the command must not see (any case).
const SECRET_MARKERS: [&str; 3] = ["KEY", "SECRET", "TOKEN"];

/// Sets `command`'s environment as `env` asks.
pub(crate) fn apply(env: &ExecEnv, command: &mut Command) {
    let set = match env {
        ExecEnv::Exact(vars) => {
            command.env_clear();
            vars
        }
        ExecEnv::Inherit { mode, set } => {
            if *mode == InheritEnv::Filtered {
                for (name, _) in std::env::vars_os() {
                    if is_secret_name(&name) {
                        command.env_remove(name);
                    }
                }
            }
            set
        }
    };
    command.envs(set.iter().map(|(name, value)| (name, value)));
}

/// The value `name` will have in the child's environment, if any.
pub(crate) fn child_var(env: &ExecEnv, name: &str) -> Option<std::ffi::OsString> {
    let (set, inherited) = match env {
        ExecEnv::Exact(vars) => (vars, false),
        ExecEnv::Inherit { mode, set } => (
            set,
            *mode == InheritEnv::All || !is_secret_name(OsStr::new(name)),
        ),
    };
    match set.iter().rev().find(|(key, _)| key == name) {
        Some((_, value)) => Some(value.into()),
        None if inherited => std::env::var_os(name),
        None => None,
    }
}

/// Whether a variable's name says it holds a secret (`OPENAI_API_KEY`, `gh_token`…).
pub(crate) fn is_secret_name(name: &OsStr) -> bool {
    let upper = name.to_string_lossy().to_uppercase();
    SECRET_MARKERS.iter().any(|marker| upper.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_match_in_any_case() {
        for name in [
            "OPENAI_API_KEY",
            "gh_token",
            "AWS_SECRET_ACCESS_KEY",
            "MonkeyBusiness",
        ] {
            assert!(is_secret_name(OsStr::new(name)), "{name}");
        }
        for name in ["PATH", "HOME", "TOKE", "LANG"] {
            assert!(!is_secret_name(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn the_child_sees_set_variables_over_what_it_inherits() {
        let path = std::env::var_os("PATH");
        let set = vec![("TMPDIR".to_owned(), "/mine".to_owned())];
        let exact = ExecEnv::Exact(set.clone());
        assert_eq!(child_var(&exact, "TMPDIR"), Some("/mine".into()));
        assert_eq!(child_var(&exact, "PATH"), None);
        let merged = ExecEnv::Inherit {
            mode: InheritEnv::Filtered,
            set,
        };
        assert_eq!(child_var(&merged, "TMPDIR"), Some("/mine".into()));
        assert_eq!(child_var(&merged, "PATH"), path);
    }
}
