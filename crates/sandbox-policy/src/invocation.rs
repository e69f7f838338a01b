//! [`HelperInvocation`]: the helper's command line, encoded and decoded in one place.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::SandboxPolicy;

/// One run of `codex-linux-sandbox --policy JSON [--cwd DIR] -- COMMAND ARGS…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperInvocation {
    /// The policy to enforce before the command runs.
    pub policy: SandboxPolicy,
    /// Where the command starts (and the default workspace root). `None`: the current directory.
    pub cwd: Option<PathBuf>,
    /// The command and its arguments; never empty once parsed.
    pub command: Vec<OsString>,
}

/// Why a helper command line could not be understood.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// `--policy` was not given.
    #[error("missing --policy")]
    MissingPolicy,
    /// A flag that takes a value came last.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    /// The policy is not valid JSON for a [`SandboxPolicy`].
    #[error("invalid --policy JSON")]
    InvalidPolicy(#[source] serde_json::Error),
    /// The policy is JSON but not an object (serde would read an array as one).
    #[error("--policy must be a JSON object")]
    PolicyNotObject,
    /// A flag was given twice; the second must not silently replace the first.
    #[error("{0} given more than once")]
    Repeated(&'static str),
    /// The policy is not UTF-8.
    #[error("--policy is not valid UTF-8")]
    PolicyNotUtf8,
    /// A flag the helper does not know, or an argument before `--`.
    #[error("unexpected argument {0:?} (usage: --policy JSON [--cwd DIR] -- COMMAND [ARGS...])")]
    Unexpected(OsString),
    /// Nothing after `--`.
    #[error("missing command after --")]
    MissingCommand,
}

impl HelperInvocation {
    /// The arguments that follow the helper's own path, ready for `Command::args`.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut args = Vec::with_capacity(self.command.len() + 5);
        args.push(OsString::from("--policy"));
        // Serializing a plain enum of strings, bools and paths cannot fail.
        args.push(OsString::from(
            serde_json::to_string(&self.policy).unwrap_or_default(),
        ));
        if let Some(cwd) = &self.cwd {
            args.push(OsString::from("--cwd"));
            args.push(cwd.clone().into_os_string());
        }
        args.push(OsString::from("--"));
        args.extend(self.command.iter().cloned());
        args
    }

    /// Decodes the arguments that follow the helper's own path (argv[1..]).
    ///
    /// # Errors
    /// A [`UsageError`] naming what is missing or wrong; the caller runs nothing then.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Self, UsageError> {
        let mut args = args.into_iter();
        let mut policy = None;
        let mut cwd = None;
        loop {
            let Some(arg) = args.next() else {
                return Err(UsageError::MissingCommand);
            };
            match arg.to_str() {
                Some("--policy") => {
                    if policy.is_some() {
                        return Err(UsageError::Repeated("--policy"));
                    }
                    let json = args.next().ok_or(UsageError::MissingValue("--policy"))?;
                    let json = json.into_string().map_err(|_| UsageError::PolicyNotUtf8)?;
                    policy = Some(parse_policy(&json)?);
                }
                Some("--cwd") => {
                    if cwd.is_some() {
                        return Err(UsageError::Repeated("--cwd"));
                    }
                    cwd = Some(PathBuf::from(
                        args.next().ok_or(UsageError::MissingValue("--cwd"))?,
                    ));
                }
                Some("--") => break,
                _ => return Err(UsageError::Unexpected(arg)),
            }
        }
        let policy = policy.ok_or(UsageError::MissingPolicy)?;
        let command: Vec<OsString> = args.collect();
        if command.is_empty() {
            return Err(UsageError::MissingCommand);
        }
        Ok(HelperInvocation {
            policy,
            cwd,
            command,
        })
    }
}

/// The policy from its JSON text, which must be an object.
fn parse_policy(json: &str) -> Result<SandboxPolicy, UsageError> {
    if !json.trim_start().starts_with('{') {
        return Err(UsageError::PolicyNotObject);
    }
    serde_json::from_str(json).map_err(UsageError::InvalidPolicy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WorkspaceWritePolicy;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn round_trips_through_the_command_line() {
        let invocation = HelperInvocation {
            policy: SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
                writable_roots: vec!["/data".into()],
                exclude_tmp: true,
                ..WorkspaceWritePolicy::default()
            }),
            cwd: Some("/ws".into()),
            command: args(&["sh", "-c", "echo -- --policy"]),
        };
        let encoded = invocation.to_args();
        assert_eq!(encoded[0], "--policy");
        assert_eq!(HelperInvocation::parse(encoded).unwrap(), invocation);
    }

    #[test]
    fn cwd_is_optional() {
        let parsed =
            HelperInvocation::parse(args(&["--policy", r#"{"mode":"read-only"}"#, "--", "ls"]))
                .unwrap();
        assert_eq!(parsed.cwd, None);
        assert_eq!(parsed.command, args(&["ls"]));
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        let policy = r#"{"mode":"read-only"}"#;
        assert!(matches!(
            HelperInvocation::parse(args(&["--", "ls"])),
            Err(UsageError::MissingPolicy)
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&["--policy", policy, "--"])),
            Err(UsageError::MissingCommand)
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&["--policy", policy, "ls"])),
            Err(UsageError::Unexpected(_))
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&["--policy", "{", "--", "ls"])),
            Err(UsageError::InvalidPolicy(_))
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&["--policy"])),
            Err(UsageError::MissingValue("--policy"))
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&["--policy", r#"[{"mode":"read-only"}]"#, "--", "ls"])),
            Err(UsageError::PolicyNotObject)
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&["--policy", policy, "--policy", policy, "--", "ls"])),
            Err(UsageError::Repeated("--policy"))
        ));
        assert!(matches!(
            HelperInvocation::parse(args(&[
                "--policy", policy, "--cwd", "/a", "--cwd", "/b", "--", "ls"
            ])),
            Err(UsageError::Repeated("--cwd"))
        ));
    }
}
