//! [`sandbox_support`]: what this machine can enforce, for a CLI's start-up check.

use std::path::PathBuf;

/// `process.platform`'s name for this platform.
#[cfg(target_os = "linux")]
pub(crate) const PLATFORM: &str = "linux";
/// `process.platform`'s name for this platform.
#[cfg(target_os = "macos")]
pub(crate) const PLATFORM: &str = "darwin";
/// `process.platform`'s name for this platform.
#[cfg(windows)]
pub(crate) const PLATFORM: &str = "win32";
/// `process.platform`'s name for this platform.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub(crate) const PLATFORM: &str = std::env::consts::OS;

/// What the machine enforces, and one actionable sentence for each missing piece.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxSupport {
    /// `process.platform`-style name: `linux`, `darwin`, `win32`.
    pub platform: &'static str,
    /// The `codex-linux-sandbox` that would be used (Linux).
    pub helper_path: Option<PathBuf>,
    /// The kernel's Landlock ABI, `None` without Landlock (Linux).
    pub landlock_abi: Option<u32>,
    /// Whether seccomp filters are available (Linux).
    pub seccomp: bool,
    /// Whether user namespaces (for the read-only mount layer) are allowed (Linux).
    pub user_namespaces: bool,
    /// Whether `/usr/bin/sandbox-exec` exists (macOS).
    pub seatbelt: bool,
    /// What is missing and what to do about it, one sentence each; empty when all is well.
    pub problems: Vec<String>,
}

/// Probes the sandbox support of this machine, looking for the helper among `candidates`
/// (empty: the default search of `exec`).
///
/// On Linux the kernel is asked directly (Landlock ABI, seccomp, user-namespace switches), and
/// when the helper is found it is run on `true` under workspace-write: what it reports enforcing
/// is the truthful answer and overrides the direct probes.
pub async fn sandbox_support(candidates: &[PathBuf]) -> SandboxSupport {
    let mut support = SandboxSupport {
        platform: PLATFORM,
        ..SandboxSupport::default()
    };
    probe(&mut support, candidates).await;
    support
}

#[cfg(target_os = "linux")]
async fn probe(support: &mut SandboxSupport, candidates: &[PathBuf]) {
    use super::helper_path::{HELPER_PATH_ENV, find_helper};
    use super::linux_probe;

    support.landlock_abi = linux_probe::landlock_abi();
    support.seccomp = linux_probe::seccomp_available();
    support.user_namespaces = linux_probe::user_namespaces_allowed();
    match find_helper(candidates) {
        Ok(helper) => {
            support.helper_path = Some(helper.clone());
            run_helper(support, helper).await;
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
            "user namespaces are not allowed, so files outside the writable roots can still be chmod/chown'ed; allow them (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)"
                .into(),
        );
    }
}

/// Runs the helper on `true` and takes what it enforced as the answer.
#[cfg(target_os = "linux")]
async fn run_helper(support: &mut SandboxSupport, helper: PathBuf) {
    use crate::exec::{ExecParams, exec};
    use codex_sandbox_policy::SandboxPolicy;

    let params = ExecParams {
        argv: vec!["true".into()],
        cwd: Some(std::env::temp_dir()),
        sandbox: Some(SandboxPolicy::WorkspaceWrite {
            writable_roots: Vec::new(),
            network_access: false,
            exclude_tmp: false,
        }),
        sandbox_executable: vec![helper.clone()],
        ..ExecParams::default()
    };
    match exec(params).await {
        Ok(output) => {
            let report = output.sandbox;
            support.landlock_abi = report.landlock_abi.or(support.landlock_abi);
            support.seccomp = report.seccomp.unwrap_or(support.seccomp);
            support.user_namespaces = report.mount_namespace.unwrap_or(support.user_namespaces);
        }
        Err(error) => support.problems.push(format!(
            "the sandbox helper {} could not run a command: {error}",
            helper.display()
        )),
    }
}

#[cfg(target_os = "macos")]
async fn probe(support: &mut SandboxSupport, _candidates: &[PathBuf]) {
    support.seatbelt = std::path::Path::new(super::seatbelt::SANDBOX_EXEC).exists();
    if !support.seatbelt {
        support.problems.push(format!(
            "{} is missing, so commands cannot be sandboxed",
            super::seatbelt::SANDBOX_EXEC
        ));
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
async fn probe(support: &mut SandboxSupport, _candidates: &[PathBuf]) {
    support
        .problems
        .push(format!("sandboxing is not supported on {PLATFORM}"));
}
