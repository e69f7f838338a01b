//! macOS: the same [`SandboxPolicy`] as a Seatbelt profile for `/usr/bin/sandbox-exec`.
//!
//! Pure text building, compiled everywhere so it is tested on every platform; only macOS runs it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use codex_sandbox_policy::SandboxPolicy;

/// The system's Seatbelt launcher.
pub const SANDBOX_EXEC: &str = "/usr/bin/sandbox-exec";

/// What every sandboxed command may do: run and signal its own processes, read everything,
/// write `/dev/null`, and the few system services ordinary tools need.
const BASE_PROFILE: &str = r#"(version 1)
(deny default)
(allow process-exec)
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
(allow file-read*)
(allow file-write-data (require-all (path "/dev/null") (vnode-type CHARACTER-DEVICE)))
(allow file-ioctl (literal "/dev/null") (literal "/dev/tty"))
(allow sysctl-read)
(allow ipc-posix-sem)
(allow pseudo-tty)
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.system.logger")
  (global-name "com.apple.logd"))
"#;

/// Opens the network to a policy that allows it.
const NETWORK_PROFILE: &str = r#"(allow network-outbound)
(allow network-inbound)
(allow system-socket)
(allow mach-lookup (global-name "com.apple.SystemConfiguration.configd"))
"#;

/// The profile text for `policy` with `root_count` writable roots, which it names as the
/// parameters `WRITABLE_ROOT_0`… (passed with `-D`, so paths never need quoting in the text).
pub fn seatbelt_profile(policy: &SandboxPolicy, root_count: usize) -> String {
    let mut profile = String::from(BASE_PROFILE);
    if root_count > 0 {
        profile.push_str("(allow file-write*");
        for index in 0..root_count {
            profile.push_str(&format!("\n  (subpath (param \"{}\"))", root_param(index)));
        }
        profile.push_str(")\n");
    }
    if policy.has_network_access() {
        profile.push_str(NETWORK_PROFILE);
    }
    profile
}

/// The arguments after `sandbox-exec` that run `command` under `policy` with workspace `cwd` and
/// the command's `tmpdir`.
///
/// Roots are resolved to their real paths where they exist, because Seatbelt matches the
/// resolved path (`/tmp` is `/private/tmp` on macOS).
pub fn seatbelt_args(
    policy: &SandboxPolicy,
    cwd: &Path,
    tmpdir: Option<&Path>,
    command: &[String],
) -> Vec<OsString> {
    let roots: Vec<PathBuf> = policy
        .resolved_against(cwd)
        .writable_roots(cwd, tmpdir)
        .into_iter()
        .map(|root| root.path.canonicalize().unwrap_or(root.path))
        .collect();
    let mut args = vec![
        OsString::from("-p"),
        OsString::from(seatbelt_profile(policy, roots.len())),
    ];
    for (index, root) in roots.iter().enumerate() {
        let mut define = OsString::from(format!("-D{}=", root_param(index)));
        define.push(root.as_os_str());
        args.push(define);
    }
    args.push(OsString::from("--"));
    args.extend(command.iter().map(OsString::from));
    args
}

fn root_param(index: usize) -> String {
    format!("WRITABLE_ROOT_{index}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> SandboxPolicy {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn read_only_without_network_writes_nothing_and_has_no_sockets() {
        let profile = seatbelt_profile(&policy(r#"{"mode":"read-only"}"#), 0);
        assert!(
            profile.starts_with("(version 1)\n(deny default)\n"),
            "{profile}"
        );
        assert!(profile.contains("(allow file-read*)"), "{profile}");
        assert!(!profile.contains("(allow file-write*"), "{profile}");
        assert!(!profile.contains("network"), "{profile}");
        assert!(!profile.contains("system-socket"), "{profile}");
    }

    #[test]
    fn workspace_write_names_each_root_as_a_parameter() {
        let profile = seatbelt_profile(
            &policy(r#"{"mode":"workspace-write","networkAccess":true}"#),
            2,
        );
        assert!(
            profile.contains(
                "(allow file-write*\n  (subpath (param \"WRITABLE_ROOT_0\"))\n  (subpath (param \"WRITABLE_ROOT_1\")))\n"
            ),
            "{profile}"
        );
        assert!(profile.contains("(allow network-outbound)"), "{profile}");
    }

    #[test]
    fn parentheses_balance() {
        let profile = seatbelt_profile(&policy(r#"{"mode":"workspace-write"}"#), 3);
        let depth = profile.chars().try_fold(0i32, |depth, c| match c {
            '(' => Some(depth + 1),
            ')' => (depth > 0).then(|| depth - 1),
            _ => Some(depth),
        });
        assert_eq!(depth, Some(0), "{profile}");
    }

    #[test]
    fn arguments_pass_roots_as_definitions_then_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().canonicalize().unwrap();
        let args = seatbelt_args(
            &policy(r#"{"mode":"workspace-write","excludeTmp":true,"writableRoots":["out dir"]}"#),
            &cwd,
            None,
            &["touch".into(), "x y".into()],
        );
        let args: Vec<String> = args
            .into_iter()
            .map(|arg| arg.into_string().unwrap())
            .collect();
        assert_eq!(args[0], "-p");
        assert!(args[1].contains("WRITABLE_ROOT_1"), "{}", args[1]);
        assert!(!args[1].contains("WRITABLE_ROOT_2"), "{}", args[1]);
        assert_eq!(args[2], format!("-DWRITABLE_ROOT_0={}", cwd.display()));
        // A root that does not exist yet is passed as written.
        assert_eq!(
            args[3],
            format!("-DWRITABLE_ROOT_1={}", cwd.join("out dir").display())
        );
        assert_eq!(&args[4..], ["--", "touch", "x y"]);
    }
}
