//! The command's last steps, in the child the init forks: its own process group, the caller's
//! signal mask and SIGCHLD disposition back, the seccomp filter whose listener goes to the
//! supervisor, then `execvp`.

use std::ffi::CString;
use std::os::fd::AsFd;

use crate::channel::{Channel, Report};
use crate::namespaces::{self, Isolation};
use crate::seccomp::{self, FilterOptions};
use crate::sys;

/// What the command starts with, prepared before any fork.
pub(crate) struct CommandPlan {
    /// The program and its arguments.
    pub(crate) argv: Vec<CString>,
    /// The caller's signal mask.
    pub(crate) signal_mask: libc::sigset_t,
    /// Whether the caller ignored SIGCHLD (the helper needs the default to wait for children).
    pub(crate) sigchld_ignored: bool,
}

/// The stack the command's child runs on until it execs.
const CHILD_STACK: usize = 256 * 1024;

/// Starts the command in a child that shares the init's memory until it execs, as
/// `posix_spawn` does: copying the init's address space for a process that execs at once was a
/// measurable share of the helper's whole cost on a virtual machine. The init waits until the
/// child has exec'd (or exited).
///
/// # Errors
/// The OS error of `clone`.
pub(crate) fn spawn(
    plan: &CommandPlan,
    options: FilterOptions,
    isolation: Isolation,
    channel: &Channel,
) -> std::io::Result<libc::pid_t> {
    struct Args<'a> {
        plan: &'a CommandPlan,
        options: FilterOptions,
        isolation: Isolation,
        channel: &'a Channel,
    }
    extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` points at the `Args` below, alive while the parent waits for the exec.
        let args = unsafe { &*arg.cast::<Args<'_>>() };
        start(args.plan, args.options, args.isolation, args.channel)
    }
    let args = Args {
        plan,
        options,
        isolation,
        channel,
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
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&raw const args).cast_mut().cast(),
        )
    };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(pid)
}

/// Exit code when the command was not found, as a shell reports it.
const EXIT_NOT_FOUND: i32 = 127;
/// Exit code when the command exists but could not be executed.
const EXIT_NOT_EXECUTABLE: i32 = 126;

/// Becomes the command; never returns.
fn start(plan: &CommandPlan, options: FilterOptions, isolation: Isolation, channel: &Channel) -> ! {
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
    let listener = match seccomp::install(options) {
        Ok(listener) => listener,
        Err(error) => {
            let _ = channel.send(&Report::SetupFailed(error.to_failure()), &[]);
            exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
        }
    };
    if channel.send(&Report::Started, &[listener.as_fd()]).is_err() {
        // Without the supervisor, connects would fail anyway; nothing should run.
        exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
    }
    drop(listener);
    let mut pointers: Vec<*const libc::c_char> = plan.argv.iter().map(|arg| arg.as_ptr()).collect();
    pointers.push(std::ptr::null());
    // execvp itself rather than std's Command: std would reset the signal mask and SIGPIPE,
    // and the command must start with exactly what the caller gave the helper.
    // SAFETY: `pointers` is a null-terminated array of valid C strings that outlive the call.
    unsafe { libc::execvp(pointers[0], pointers.as_ptr()) };
    let errno = sys::errno();
    let _ = channel.send(&Report::ExecFailed(errno), &[]);
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
