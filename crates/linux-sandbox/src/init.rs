//! The sandbox's init: it confines itself (mounts, capabilities, Landlock), forks the command,
//! and then stays as pid 1 of the PID namespace — reaping, forwarding the caller's signals to the
//! command's process group, performing the connects the supervisor allowed (inside the sandbox's
//! Landlock domain, so Landlock's own checks apply to them too), and reporting how the command
//! ended. When it exits, the kernel kills every other process in the namespace.

use std::ffi::OsStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;

use codex_sandbox_policy::{EnforcedLayers, HelperInvocation, RootKind};

use crate::channel::{Channel, Confinement, Placeholder, Report, Request};
use crate::command::{self, CommandPlan};
use crate::error::SetupError;
use crate::landlock::{self, LandlockRules, RuleTarget};
use crate::mounts;
use crate::namespaces::{self, Isolation};
use crate::paths::Walked;
use crate::privileges::{drop_capabilities, set_no_new_privs, set_not_dumpable};
use crate::protected::{self, ProtectedSet};
use crate::roots::Roots;
use crate::seccomp::FilterOptions;
use crate::sys;

/// Everything the init needs, prepared by the supervisor before the fork.
pub(crate) struct InitPlan<'a> {
    /// The helper's command line.
    pub(crate) invocation: &'a HelperInvocation,
    /// Where the command starts, absolute.
    pub(crate) cwd: PathBuf,
    /// The command's `$TMPDIR`.
    pub(crate) tmpdir: Option<PathBuf>,
    /// The supervisor's ids, mapped to themselves in the user namespace.
    pub(crate) uid: libc::uid_t,
    /// See `uid`.
    pub(crate) gid: libc::gid_t,
    /// The supervisor's pid (to notice its death without namespaces).
    pub(crate) supervisor: libc::pid_t,
    /// The signals the supervisor blocked (the init reads them from a signalfd).
    pub(crate) blocked: libc::sigset_t,
    /// What the command must start with.
    pub(crate) command: CommandPlan,
}

/// Runs the init; never returns.
pub(crate) fn run(plan: InitPlan<'_>, isolation: Isolation, channel: Channel) -> ! {
    match confine(&plan, isolation, &channel) {
        Ok(confined) => serve(plan, isolation, channel, confined),
        Err(error) => {
            // If the supervisor is gone there is no one to tell; nothing runs either way.
            let _ = channel.send(&Report::SetupFailed(error.to_failure()), &[]);
            exit(codex_sandbox_policy::EXIT_SETUP_FAILED)
        }
    }
}

/// The confinement, for the supervisor once the command has started, and the placeholder
/// directories it names, whose shared locks then live on in the supervisor's copies.
struct Confined {
    confinement: Confinement,
    placeholders: Vec<OwnedFd>,
}

/// Puts every layer but the command's own filter in place.
fn confine(
    plan: &InitPlan<'_>,
    isolation: Isolation,
    channel: &Channel,
) -> Result<Confined, SetupError> {
    let namespaced = isolation == Isolation::Namespaces;
    namespaces::die_with_parent(|| {
        if namespaced {
            // The parent is outside our PID namespace (getppid says 0): its end of the channel
            // tells whether it lives.
            sys::poll_now(channel.as_fd()) & libc::POLLHUP == 0
        } else {
            // SAFETY: getppid has no preconditions.
            let parent = unsafe { libc::getppid() };
            parent == plan.supervisor
        }
    });
    if namespaced {
        namespaces::map_ids(plan.uid, plan.gid)?;
    }
    // A new session: no controlling terminal to inject input into or open as /dev/tty.
    // SAFETY: setsid has no preconditions.
    if unsafe { libc::setsid() } < 0 {
        return Err(SetupError::last_os("starting a new session"));
    }
    let policy = &plan.invocation.policy;
    let roots = Roots::open(policy, &plan.cwd, plan.tmpdir.as_deref())?;
    let protected = protected::find(&roots, &policy.protected_paths(), namespaced)?;
    if namespaced {
        mounts::isolate(&roots.writable, &protected.items)?;
    }
    // Only now: the mounts above replaced what a cwd taken earlier would point into.
    std::env::set_current_dir(&plan.cwd).map_err(|source| SetupError::Cwd {
        path: plan.cwd.clone(),
        source,
    })?;
    drop_capabilities()?;
    // seccomp without CAP_SYS_ADMIN and landlock_restrict_self both need no_new_privs.
    set_no_new_privs()?;
    set_not_dumpable()?;
    let landlock = landlock::restrict(&landlock_rules(&roots, !policy.has_network_access()))?;
    let layers = EnforcedLayers {
        landlock_abi: landlock.abi,
        landlock: landlock.coverage,
        seccomp: true,
        mount_namespace: namespaced,
        pid_namespace: namespaced,
        ipc_namespace: namespaced,
        protected_paths: protected.paths(),
        unprotected_paths: protected.unprotected.clone(),
    };
    Ok(confined(layers, &roots, protected))
}

/// The Landlock rules for `roots`.
fn landlock_rules(roots: &Roots, deny_tcp: bool) -> LandlockRules<'_> {
    fn target(walked: &Walked) -> RuleTarget<'_> {
        RuleTarget {
            fd: walked.fd.as_fd(),
            is_dir: walked.info.is_dir(),
        }
    }
    let (shared, writable): (Vec<_>, Vec<_>) = roots
        .writable
        .iter()
        .partition(|root| root.kind == RootKind::Temp);
    LandlockRules {
        writable_roots: writable.iter().map(|root| target(&root.walked)).collect(),
        shared_roots: shared.iter().map(|root| target(&root.walked)).collect(),
        allowed_sockets: roots.allowed_sockets.iter().map(target).collect(),
        deny_tcp,
    }
}

/// The confinement as the supervisor needs it.
fn confined(layers: EnforcedLayers, roots: &Roots, protected: ProtectedSet) -> Confined {
    let mut placeholders = Vec::new();
    let mut fds: Vec<OwnedFd> = Vec::new();
    for item in protected.items {
        if let Some(placeholder) = item.placeholder {
            placeholders.push(Placeholder {
                parent: placeholder.parent,
                name: placeholder.name.to_string_lossy().into_owned(),
                created: placeholder.created,
            });
            fds.push(placeholder.dir);
        }
    }
    Confined {
        confinement: Confinement {
            layers,
            socket_roots: roots.socket_roots(),
            placeholders,
        },
        placeholders: fds,
    }
}

/// Tells the supervisor, in one message, the confinement and how the command's start went; the
/// listener then is the supervisor's alone. An error here means the supervisor is gone, and the
/// parent-death signal is on its way.
fn report_start(channel: &Channel, confined: Confined, launch: Option<command::Launch>) {
    let listener = launch.as_ref().and_then(|launch| launch.listener.as_ref());
    let mut fds: Vec<BorrowedFd<'_>> = confined.placeholders.iter().map(AsFd::as_fd).collect();
    fds.extend(listener.map(AsFd::as_fd));
    let confined_report = Report::Confined {
        confinement: confined.confinement,
        started: listener.is_some(),
    };
    let _ = channel.send(&confined_report, &fds);
    let Some(launch) = launch else {
        return;
    };
    if let Some(failure) = launch.failure {
        let _ = channel.send(&Report::SetupFailed(failure), &[]);
    }
    if let Some(errno) = launch.exec_errno {
        let _ = channel.send(&Report::ExecFailed(errno), &[]);
    }
}

/// Forks the command, then reaps, forwards and connects until it has ended.
fn serve(plan: InitPlan<'_>, isolation: Isolation, channel: Channel, confined: Confined) -> ! {
    let signals = match sys::signalfd(&plan.blocked) {
        Ok(fd) => fd,
        Err(_) => exit(codex_sandbox_policy::EXIT_SETUP_FAILED),
    };
    let options = FilterOptions {
        network_off: !plan.invocation.policy.has_network_access(),
        no_namespaces: isolation == Isolation::None,
    };
    let command = match command::spawn(&plan.command, options, isolation) {
        Ok(launch) => {
            let pid = launch.pid;
            report_start(&channel, confined, Some(launch));
            pid
        }
        Err(error) => {
            report_start(&channel, confined, None);
            let errno = error.raw_os_error().unwrap_or(libc::EAGAIN);
            let _ = channel.send(&Report::ExecFailed(errno), &[]);
            exit(126)
        }
    };
    release_stdio();
    loop {
        let Ok(ready) = sys::poll(&[signals.as_fd(), channel.as_fd()]) else {
            continue;
        };
        if ready[0] != 0 {
            while let Some(signal) = sys::read_signal(signals.as_fd()) {
                if signal == libc::SIGCHLD {
                    reap(command, &channel);
                } else {
                    // SAFETY: kill with a valid signal; the group may already be gone.
                    unsafe { libc::kill(-command, signal) };
                }
            }
        }
        if ready[1] != 0 {
            match channel.recv::<Request>() {
                Ok(Some((request, fds))) => connect(&channel, request, fds),
                // The supervisor is gone: the parent-death signal is on its way.
                Ok(None) | Err(_) => exit(1),
            }
        }
    }
}

/// Reaps every child that ended; when the command did, exits with its code, or reports the
/// signal that killed it and exits with 128 + that signal.
fn reap(command: libc::pid_t, channel: &Channel) {
    while let Some((pid, status)) = sys::reap_any() {
        if pid != command {
            continue;
        }
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            let _ = channel.send(&Report::Killed(signal), &[]);
            exit(128 + signal);
        }
        exit(libc::WEXITSTATUS(status));
    }
}

/// Performs one connect the supervisor allowed, here inside the Landlock domain.
fn connect(channel: &Channel, request: Request, fds: Vec<OwnedFd>) {
    let Request::Connect { id, abstract_name } = request;
    let errno = match (fds.first(), abstract_name) {
        (Some(socket), Some(name)) => {
            let mut address = (libc::AF_UNIX as libc::sa_family_t).to_ne_bytes().to_vec();
            address.push(0);
            address.extend_from_slice(&name);
            sys::connect_raw(socket.as_fd(), &address)
                .err()
                .unwrap_or(0)
        }
        (Some(socket), None) => match fds.get(1) {
            Some(file) => match sys::unix_address(&sys::fd_path(file.as_fd())) {
                Some(address) => sys::connect_raw(socket.as_fd(), &address)
                    .err()
                    .unwrap_or(0),
                None => libc::ENAMETOOLONG,
            },
            None => libc::EINVAL,
        },
        (None, _) => libc::EBADF,
    };
    let _ = channel.send(&Report::Connected { id, errno }, &[]);
}

/// Points stdin, stdout and stderr at /dev/null, so that the init does not hold the caller's
/// pipes open (the command has its own copies).
fn release_stdio() {
    if let Ok(null) = sys::openat(None, OsStr::new("/dev/null"), libc::O_RDWR) {
        for fd in 0..3 {
            // SAFETY: dup2 onto the standard descriptors this process owns.
            unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&null), fd) };
        }
    }
}

/// Ends the init at once (no destructors: the supervisor owns the shared state).
fn exit(code: i32) -> ! {
    // SAFETY: _exit ends the process without running anything else.
    unsafe { libc::_exit(code) }
}
