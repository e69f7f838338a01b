//! Linux: commands run under `codex-linux-sandbox`, which reports on a status pipe.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use codex_sandbox_policy::{HelperInvocation, HelperStatus, SandboxPolicy, WorkspaceWritePolicy};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::handshake;
use super::helper_path::{HELPER_PATH_ENV, find_helper};
/// The report of a helper run, from its messages.
pub(super) use super::status_pipe::linux_report as helper_report;
use super::status_pipe::{self, linux_report};
use super::{
    HelperSearch, Launch, LaunchContext, SandboxKind, SandboxLayer, SandboxReport, SandboxSupport,
};
use crate::error::{CodexErr, Result};

/// `process.platform`'s name for this platform.
pub(super) const PLATFORM: &str = "linux";

/// Both ends of the helper's status pipe, before spawn.
pub(super) use super::status_pipe::StatusPipe;

/// The read end of the helper's status pipe, after spawn.
pub(super) type StatusReader = tokio::net::unix::pipe::Receiver;

/// `codex-linux-sandbox --policy … --cwd … -- argv`, with a fresh status pipe, once the helper
/// has been found and has shown that it is one (see `handshake.rs`).
pub(super) async fn sandboxed(
    argv: &[String],
    policy: &SandboxPolicy,
    context: LaunchContext<'_>,
) -> Result<Launch> {
    // The helper makes `/tmp`'s companion of its own `$TMPDIR`, which is the command's.
    let LaunchContext {
        cwd,
        tmpdir: _read_by_the_helper,
        helper,
        cancel,
    } = context;
    let helper =
        find_helper(helper).map_err(|searched| CodexErr::SandboxExecutableNotFound { searched })?;
    handshake::confirm(&helper, cancel).await?;
    helper_launch(helper, argv, policy, cwd)
}

/// The launch of `argv` under `helper`, whatever `helper` is.
fn helper_launch(
    helper: PathBuf,
    argv: &[String],
    policy: &SandboxPolicy,
    cwd: &Path,
) -> Result<Launch> {
    let invocation = HelperInvocation {
        // The helper takes absolute roots only.
        policy: policy.resolved_against(cwd),
        cwd: Some(cwd.to_path_buf()),
        command: argv.iter().map(OsString::from).collect(),
    };
    let status = StatusPipe::new().map_err(|source| CodexErr::Spawn { source })?;
    Ok(Launch {
        program: helper.into_os_string(),
        args: invocation.to_args(),
        kind: SandboxKind::Linux,
        env: super::sandbox_env(SandboxKind::Linux, policy),
        status: Some(status),
    })
}

/// Lets `command` inherit the pipe's write end.
pub(super) fn hand_status_to(pipe: &StatusPipe, command: &mut Command) {
    pipe.hand_to(command);
}

/// Closes our write end and registers the read end with the runtime.
pub(super) fn listen(pipe: StatusPipe) -> io::Result<StatusReader> {
    pipe.into_reader()
}

/// Every message the helper wrote, until EOF or `stop`.
pub(super) async fn read_status(
    reader: StatusReader,
    stop: &CancellationToken,
) -> Vec<HelperStatus> {
    status_pipe::read_status(reader, stop).await
}

/// Asks the kernel which layers it has, then runs the helper (if found) on `true` under
/// workspace-write: what it reports enforcing is the truthful answer and overrides the kernel's.
pub(super) async fn probe(support: &mut SandboxSupport, search: HelperSearch<'_>) {
    support.landlock_abi = codex_sandbox_policy::landlock_abi();
    support.seccomp = super::linux_probe::seccomp_available();
    support.user_namespaces = super::linux_probe::user_namespaces_allowed();
    match find_helper(search) {
        Ok(helper) => {
            match probe_helper(&helper).await {
                Ok(report) => {
                    support.landlock_abi = report.landlock_abi.or(support.landlock_abi);
                    support.seccomp = report.seccomp.unwrap_or(support.seccomp);
                    support.user_namespaces =
                        report.pid_namespace.unwrap_or(support.user_namespaces);
                }
                Err(error) => support.problems.push(format!(
                    "the sandbox helper {} could not run a command: {error}",
                    helper.display()
                )),
            }
            support.helper_path = Some(helper);
        }
        Err(searched) => {
            let searched: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
            support.problems.push(format!(
                "codex-linux-sandbox was not found (searched: {}); reinstall the platform package that ships it, or set {HELPER_PATH_ENV} to its path",
                searched.join(", ")
            ));
        }
    }
    if support.landlock_abi.is_none() {
        support.problems.push(
            "Landlock is not available in this kernel; use Linux 5.13 or newer with landlock in the lsm= boot parameter"
                .into(),
        );
    }
    if !support.seccomp {
        support.problems.push(
            "seccomp filters are not available; use a kernel built with CONFIG_SECCOMP_FILTER"
                .into(),
        );
    }
    if !support.user_namespaces {
        support.problems.push(
            "user namespaces are not allowed, so commands run without PID, IPC and mount namespaces; allow them (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0)"
                .into(),
        );
    }
    support.layers = layers(
        support.landlock_abi,
        support.seccomp,
        support.user_namespaces,
    );
}

/// What each layer holds on a machine with this Landlock ABI, seccomp and user namespaces.
fn layers(landlock_abi: Option<u32>, seccomp: bool, namespaces: bool) -> Vec<SandboxLayer> {
    let landlock = match landlock_abi {
        None => "missing: nothing runs sandboxed; use Linux 5.13 or newer with landlock in the lsm= boot parameter".to_string(),
        Some(abi) => {
            let mut open = Vec::new();
            if abi < 3 {
                open.push("truncating outside files is not covered (the read-only mounts still stop it)");
            }
            if abi < 4 {
                open.push("no TCP rules (the seccomp filter still refuses sockets with the network off)");
            }
            if abi < 6 {
                open.push("signals and abstract Unix sockets to outside processes are not scoped (the PID namespace still hides outside processes)");
            }
            if abi < 9 {
                open.push("Unix socket paths are not confined by Landlock itself (needs ABI 9); the supervisor confines them");
            }
            if open.is_empty() {
                format!("ABI {abi}: writes only in the writable roots; TCP, signals and Unix sockets confined")
            } else {
                format!("ABI {abi}: writes only in the writable roots; {}", open.join("; "))
            }
        }
    };
    let seccomp_detail = if seccomp {
        "terminal input injection, kernel keyrings, setuid/setgid bits and io_uring refused; sockets refused with the network off; every Unix-socket connect decided by the supervisor"
    } else {
        "missing: nothing runs sandboxed; use a kernel built with CONFIG_SECCOMP_FILTER"
    };
    let namespaces_detail = if namespaces {
        "user, mount, PID and IPC namespaces: outside files are read-only (chmod and chown too), .git stays read-only, every process of the command dies with it, SysV IPC is private"
    } else {
        "no user namespaces: metadata of outside files (chmod, chown, utime) is not protected; .git cannot be kept read-only, so commands refuse to run where one exists unless protectedPaths is []; SysV IPC and other processes are guarded by seccomp only; processes the command leaves behind survive if the caller is killed with SIGKILL. Allow user namespaces (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0)"
    };
    vec![
        SandboxLayer {
            name: "landlock",
            enforced: landlock_abi.is_some(),
            detail: landlock,
        },
        SandboxLayer {
            name: "seccomp",
            enforced: seccomp,
            detail: seccomp_detail.into(),
        },
        SandboxLayer {
            name: "namespaces",
            enforced: namespaces,
            detail: namespaces_detail.into(),
        },
    ]
}

/// Runs `helper` on `true` under workspace-write in the temporary directory and returns what it
/// reported enforcing.
async fn probe_helper(helper: &Path) -> Result<SandboxReport> {
    let invocation = HelperInvocation {
        policy: SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy::default()),
        cwd: Some(std::env::temp_dir()),
        command: vec![OsString::from("true")],
    };
    let messages = handshake::run_helper(helper, &invocation).await?;
    linux_report(messages, false, "true", &std::env::temp_dir())
}

#[cfg(test)]
mod tests {
    use codex_sandbox_policy::ReadOnlyPolicy;

    use super::*;
    use crate::sandbox::{HELPER_NAME, launch};

    #[test]
    fn each_layer_says_what_it_leaves_open() {
        let all = layers(Some(9), true, true);
        assert!(all.iter().all(|layer| layer.enforced), "{all:?}");
        assert!(all[0].detail.contains("Unix sockets confined"), "{all:?}");
        let old = layers(Some(3), true, false);
        assert!(old[0].detail.contains("no TCP rules"), "{old:?}");
        assert!(old[0].detail.contains("needs ABI 9"), "{old:?}");
        assert!(!old[2].enforced);
        assert!(old[2].detail.contains("protectedPaths"), "{old:?}");
        let none = layers(None, false, false);
        assert!(none[0].detail.starts_with("missing"), "{none:?}");
        assert!(none[1].detail.starts_with("missing"), "{none:?}");
    }

    #[test]
    fn the_helper_is_launched_with_the_encoded_invocation() {
        let helper = PathBuf::from("/opt/codex-linux-sandbox");
        let policy = SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
            writable_roots: vec!["rel".into()],
            ..WorkspaceWritePolicy::default()
        });
        let launch = helper_launch(
            helper.clone(),
            &["ls".to_string()],
            &policy,
            Path::new("/ws"),
        )
        .unwrap();
        assert_eq!(launch.program, helper.into_os_string());
        let parsed = HelperInvocation::parse(launch.args).unwrap();
        // Relative roots are the caller's to resolve: the helper only takes absolute ones.
        assert_eq!(parsed.policy, policy.resolved_against(Path::new("/ws")));
        assert_eq!(
            parsed.policy.writable_roots(Path::new("/ws"), None)[1].path,
            Path::new("/ws/rel")
        );
        assert_eq!(parsed.cwd.as_deref(), Some(Path::new("/ws")));
        assert_eq!(parsed.command, vec![OsString::from("ls")]);
        assert!(launch.status.is_some());
    }

    #[tokio::test]
    async fn a_helper_found_nowhere_is_reported_with_every_path_tried() {
        let dir = tempfile::tempdir().unwrap();
        let missing = [dir.path().join("missing"), dir.path().join(HELPER_NAME)];
        let context = LaunchContext {
            cwd: Path::new("/ws"),
            tmpdir: None,
            helper: HelperSearch {
                explicit: &missing,
                dirs: &[],
            },
            cancel: &CancellationToken::new(),
        };
        let policy = SandboxPolicy::ReadOnly(ReadOnlyPolicy::default());
        match launch(&["ls".to_string()], Some(&policy), context).await {
            Err(CodexErr::SandboxExecutableNotFound { searched }) => {
                assert_eq!(searched, missing);
            }
            other => panic!("expected a missing helper, got {other:?}"),
        }
    }
}
