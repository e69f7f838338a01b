//! The child's environment: exact, inherited, or inherited without secrets.

use std::ffi::OsStr;

use tokio::process::Command;

use super::params::{ExecEnv, InheritEnv};

/// Substrings that mark a variable as a secret the command must not see (any case).
const SECRET_MARKERS: [&str; 3] = ["KEY", "SECRET", "TOKEN"];

/// Sets `command`'s environment as `env` asks.
pub(crate) fn apply(env: &ExecEnv, command: &mut Command) {
    match env {
        ExecEnv::Exact(vars) => {
            command.env_clear();
            command.envs(vars.iter().map(|(name, value)| (name, value)));
        }
        ExecEnv::Inherit(InheritEnv::All) => {}
        ExecEnv::Inherit(InheritEnv::Filtered) => {
            for (name, _) in std::env::vars_os() {
                if is_secret_name(&name) {
                    command.env_remove(name);
                }
            }
        }
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
}
