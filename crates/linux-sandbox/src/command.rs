//! The command's last steps, in the child the init forks: its own process group, the caller's
//! signal mask and SIGCHLD disposition back, the seccomp filter whose listener the init passes
//! to the supervisor, then the program, found as `execvp` finds it.

use std::ffi::{CStr, CString, OsStr};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;

use codex_sandbox_policy::SetupFailure;

use crate::namespaces::{self, Isolation};
use crate::seccomp::{self, FilterOptions};
use crate::sys;

/// What the command starts with, prepared before any fork.
pub(crate) struct CommandPlan {
    /// The program and its arguments.
    pub(crate) argv: Vec<CString>,
    /// Where to look for the program, in order ([`search_paths`]).
    pub(crate) candidates: Vec<CString>,
    /// The caller's signal mask.
    pub(crate) signal_mask: libc::sigset_t,
    /// Whether the caller ignored SIGCHLD (the helper needs the default to wait for children).
    pub(crate) sigchld_ignored: bool,
}

/// The stack the command's child runs on until it execs.
const CHILD_STACK: usize = 256 * 1024;

/// How the command's start went, as the init finds it once the child has exec'd or exited.
#[derive(Default)]
pub(crate) struct Launch {
    /// The child's pid.
    pub(crate) pid: libc::pid_t,
    /// The listener of the command's seccomp filter, once installed.
    pub(crate) listener: Option<OwnedFd>,
    /// Why the filter could not be installed (the child exited 125 instead).
    pub(crate) failure: Option<SetupFailure>,
    /// The errno of the exec that failed (the child exited 126 or 127).
    pub(crate) exec_errno: Option<i32>,
}

/// Starts the command in a child that shares the init's memory and file table until it execs,
/// as `posix_spawn` does: copying the init's address space for a process that execs at once was
/// a measurable share of the helper's whole cost on a virtual machine. The init waits until the
/// child has exec'd (or exited); what the child left in the returned [`Launch`] is then the
/// init's, the listener included (exec unshares the file table, and closes the listener only in
/// the command's copy).
///
/// # Errors
/// The OS error of `clone`.
pub(crate) fn spawn(
    plan: &CommandPlan,
    options: FilterOptions,
    isolation: Isolation,
) -> std::io::Result<Launch> {
    struct Args<'a> {
        plan: &'a CommandPlan,
        options: FilterOptions,
        isolation: Isolation,
        launch: *mut Launch,
    }
    extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` points at the `Args` below, alive while the parent waits for the exec;
        // the parent does not touch `launch` until then.
        let args = unsafe { &*arg.cast::<Args<'_>>() };
        start(args.plan, args.options, args.isolation, unsafe {
            &mut *args.launch
        })
    }
    let mut launch = Launch::default();
    let args = Args {
        plan,
        options,
        isolation,
        launch: &raw mut launch,
    };
    let mut stack: Vec<std::mem::MaybeUninit<u8>> = Vec::with_capacity(CHILD_STACK);
    // The stack grows down from its (16-byte aligned) end.
    let top = (stack.spare_capacity_mut().as_mut_ptr() as usize + CHILD_STACK) & !15;
    // SAFETY: the child runs on its own stack and only until it execs or exits, while this
    // (single-threaded) process waits (CLONE_VFORK); what it allocates it frees before.
    let pid = unsafe {
        libc::clone(
            child,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::CLONE_FILES | libc::SIGCHLD,
            (&raw const args).cast_mut().cast(),
        )
    };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    launch.pid = pid;
    Ok(launch)
}

/// The shell that runs a file the kernel cannot execute, as glibc's `execvp` does.
const SHELL: &CStr = c"/bin/sh";
/// The default `$PATH` when the environment has none (glibc's `_CS_PATH`).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// Where `execvp` would look for `program` under `path` (the environment's `$PATH`): the name
/// itself when it holds a slash, otherwise each directory of `path` in turn (an empty entry is
/// the working directory).
///
/// Computed before the fork, so that the child that execs allocates nothing for it.
pub(crate) fn search_paths(program: &CStr, path: Option<&OsStr>) -> Vec<CString> {
    let name = program.to_bytes();
    if name.is_empty() {
        return Vec::new();
    }
    if name.contains(&b'/') {
        return vec![program.to_owned()];
    }
    let path = path.map_or(DEFAULT_PATH, OsStr::as_bytes);
    path.split(|&byte| byte == b':')
        .filter_map(|dir| {
            let mut candidate = dir.to_vec();
            if !candidate.is_empty() && !candidate.ends_with(b"/") {
                candidate.push(b'/');
            }
            candidate.extend_from_slice(name);
            CString::new(candidate).ok()
        })
        .collect()
}

/// Replaces this process with the plan's program, tried at each candidate as glibc's `execvp`
/// tries them: on past what does not exist or may not be searched, and a file the kernel
/// cannot execute (a script without `#!`) run by `/bin/sh`. The helper is linked against musl,
/// whose `execvp` has no such fallback; the command must start exactly as it would outside.
///
/// Returns the errno that ends the search.
fn exec_program(plan: &CommandPlan) -> libc::c_int {
    let mut argv: Vec<*const libc::c_char> = plan.argv.iter().map(|arg| arg.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut denied = false;
    let mut errno = libc::ENOENT;
    for candidate in &plan.candidates {
        // execv itself rather than std's Command: std would reset the signal mask and SIGPIPE,
        // and the command must start with exactly what the caller gave the helper.
        // SAFETY: `argv` is a null-terminated array of C strings that outlive the call.
        unsafe { libc::execv(candidate.as_ptr(), argv.as_ptr()) };
        errno = sys::errno();
        match errno {
            libc::ENOEXEC => {
                let mut script = vec![SHELL.as_ptr(), candidate.as_ptr()];
                script.extend_from_slice(&argv[1..]);
                // SAFETY: as above; `script` ends with `argv`'s null.
                unsafe { libc::execv(SHELL.as_ptr(), script.as_ptr()) };
                return libc::ENOEXEC;
            }
            libc::EACCES => denied = true,
            libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
            _ => return errno,
        }
    }
    if denied { libc::EACCES } else { errno }
}

/// Exit code when the command was not found, as a shell reports it.
const EXIT_NOT_FOUND: i32 = 127;
/// Exit code when the command exists but could not be executed.
const EXIT_NOT_EXECUTABLE: i32 = 126;

/// Becomes the command, leaving what the init must know in `launch`; never returns.
fn start(
    plan: &CommandPlan,
    options: FilterOptions,
    isolation: Isolation,
    launch: &mut Launch,
) -> ! {
    // SAFETY: getppid has no preconditions; the init is our parent now.
    let init = unsafe { libc::getppid() };
    // Its own group, so that the init can pass the caller's signals to all of it.
    // SAFETY: setpgid on ourselves.
    unsafe { libc::setpgid(0, 0) };
    if isolation == Isolation::None {
        // Without a PID namespace nothing else kills the command when the init dies.
        // SAFETY: getppid has no preconditions.
        namespaces::die_with_parent(|| unsafe { libc::getppid() } == init);
    }
    if plan.sigchld_ignored {
        // SAFETY: restoring the caller's disposition.
        unsafe { libc::signal(libc::SIGCHLD, libc::SIG_IGN) };
    }
    sys::set_signal_mask(&plan.signal_mask);
    match seccomp::install(options) {
        Ok(listener) => launch.listener = Some(listener),
        Err(error) => {
            launch.failure = Some(error.to_failure());
            exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
        }
    }
    let errno = exec_program(plan);
    launch.exec_errno = Some(errno);
    exit(if errno == libc::ENOENT {
        EXIT_NOT_FOUND
    } else {
        EXIT_NOT_EXECUTABLE
    })
}

fn exit(code: i32) -> ! {
    // SAFETY: _exit ends the process without running anything else.
    unsafe { libc::_exit(code) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(program: &CStr, path: Option<&str>) -> Vec<String> {
        search_paths(program, path.map(OsStr::new))
            .into_iter()
            .map(|candidate| candidate.into_string().unwrap())
            .collect()
    }

    #[test]
    fn a_name_is_looked_for_in_each_directory_of_path() {
        assert_eq!(
            paths(c"ls", Some("/usr/local/bin:/bin/::rel")),
            ["/usr/local/bin/ls", "/bin/ls", "ls", "rel/ls"]
        );
        assert_eq!(paths(c"ls", None), ["/bin/ls", "/usr/bin/ls"]);
    }

    #[test]
    fn a_path_is_taken_as_it_is_and_an_empty_name_nowhere() {
        assert_eq!(paths(c"./run.sh", Some("/bin")), ["./run.sh"]);
        assert_eq!(paths(c"/bin/ls", Some("/usr/bin")), ["/bin/ls"]);
        assert!(paths(c"", Some("/bin")).is_empty());
    }
}
