//! The helper's main sequence: parse, build every layer in the one order that works, report,
//! exec.

use std::ffi::{CString, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use codex_sandbox_policy::{EnforcedLayers, HelperInvocation, STATUS_FD_ENV, UsageError};

use crate::error::SetupError;
use crate::fds::close_inherited_on_exec;
use crate::landlock::{self, LandlockRules};
use crate::mounts::{self, MountLayer};
use crate::privileges::{drop_capabilities, set_no_new_privs};
use crate::seccomp::install_network_filter;
use crate::status::{Reporter, print_error};

/// Benchmark and debugging knob: when set to `1`, the helper skips the mount-namespace layer
/// (and reports `mountNamespace: false`). Landlock and seccomp are never skipped.
pub const NO_MOUNT_NS_ENV: &str = "CODEX_SANDBOX_NO_MOUNT_NS";

/// Runs the helper on this process's arguments; never returns.
///
/// Confines the process as the policy says, then execs the command so that its exit code and
/// signal are the helper's. When the sandbox cannot be set up, nothing runs: the failure goes to
/// the status pipe (or one line on stderr) and the exit code is 125.
pub fn run_main() -> ! {
    let reporter = match Reporter::from_env() {
        Ok(reporter) => reporter,
        Err(error) => {
            print_error(&error.chain());
            std::process::exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
        }
    };
    match prepare() {
        Ok((invocation, layers)) => exec(reporter, &invocation.command, layers),
        Err(error) => reporter.setup_failed(&error),
    }
}

/// Reads the command line and confines this process as it asks.
fn prepare() -> Result<(HelperInvocation, EnforcedLayers), SetupError> {
    let invocation = HelperInvocation::parse(std::env::args_os().skip(1))?;
    let layers = confine(&invocation)?;
    Ok((invocation, layers))
}

/// Puts every layer in place for `invocation` and changes into its cwd.
fn confine(invocation: &HelperInvocation) -> Result<EnforcedLayers, SetupError> {
    if invocation.policy.is_full_access() {
        return Err(SetupError::FullAccess);
    }
    close_inherited_on_exec()?;
    let cwd = resolve(invocation.cwd.as_deref())?;
    let tmpdir = std::env::var_os("TMPDIR").map(PathBuf::from);
    let writable_roots = existing(
        &cwd,
        invocation.policy.writable_roots(&cwd, tmpdir.as_deref()),
    )?;

    // Namespaces first: creating them needs the capabilities dropped right after.
    let mount_layer = if std::env::var_os(NO_MOUNT_NS_ENV).is_some_and(|v| v == "1") {
        MountLayer::Unavailable
    } else {
        mounts::isolate(&writable_roots)?
    };
    drop_capabilities()?;
    // seccomp without CAP_SYS_ADMIN and landlock_restrict_self both need no_new_privs.
    set_no_new_privs()?;
    let network_off = !invocation.policy.has_network_access();
    if network_off {
        install_network_filter()?;
    }
    let landlock = landlock::restrict(&LandlockRules {
        writable_roots: &writable_roots,
        deny_tcp: network_off,
    })?;
    // Only now: the mounts above replaced what a cwd taken earlier would point into.
    std::env::set_current_dir(&cwd).map_err(|source| SetupError::Path {
        path: cwd.clone(),
        source,
    })?;
    Ok(EnforcedLayers {
        landlock_abi: landlock.abi,
        landlock: landlock.coverage,
        seccomp: network_off,
        mount_namespace: mount_layer == MountLayer::Enforced,
    })
}

/// The policy's cwd as an absolute path without symlinks (default: the current directory).
fn resolve(cwd: Option<&Path>) -> Result<PathBuf, SetupError> {
    let cwd = match cwd {
        Some(cwd) => cwd.to_path_buf(),
        None => std::env::current_dir().map_err(|source| SetupError::Os {
            context: "reading the current directory",
            source,
        })?,
    };
    cwd.canonicalize()
        .map_err(|source| SetupError::Path { path: cwd, source })
}

/// The roots that exist, canonicalized (`cwd` already is); a root that does not exist holds
/// nothing to write to, and its parent decides whether it may be created.
fn existing(cwd: &Path, roots: Vec<PathBuf>) -> Result<Vec<PathBuf>, SetupError> {
    let mut resolved = Vec::with_capacity(roots.len());
    for root in roots {
        if root == cwd {
            resolved.push(root);
            continue;
        }
        match root.canonicalize() {
            Ok(path) => resolved.push(path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(SetupError::Path { path: root, source }),
        }
    }
    Ok(resolved)
}

/// Reports Ready and execs the command; on failure reports ExecFailed and exits 126/127.
fn exec(mut reporter: Reporter, command: &[OsString], layers: EnforcedLayers) -> ! {
    let argv: Result<Vec<CString>, _> = command
        .iter()
        .map(|arg| CString::new(arg.as_bytes()))
        .collect();
    let Some(program) = command.first() else {
        // HelperInvocation::parse never yields an empty command.
        reporter.setup_failed(&SetupError::Usage(UsageError::MissingCommand))
    };
    let Ok(argv) = argv else {
        reporter.exec_failed(program, &io::Error::from_raw_os_error(libc::EINVAL))
    };
    let mut pointers: Vec<*const libc::c_char> = argv.iter().map(|arg| arg.as_ptr()).collect();
    pointers.push(std::ptr::null());
    reporter.ready(layers);
    // SAFETY: the helper is single-threaded, so nothing reads the environment concurrently.
    unsafe { std::env::remove_var(STATUS_FD_ENV) };
    // execvp itself rather than std's Command: std would reset the signal mask and SIGPIPE,
    // and the command must start with exactly what the caller gave the helper.
    // SAFETY: `pointers` is a null-terminated array of valid C strings that outlive the call.
    unsafe { libc::execvp(pointers[0], pointers.as_ptr()) };
    reporter.exec_failed(program, &io::Error::last_os_error())
}
