//! The supervisor: the helper's own process, which stays outside every restriction as the parent
//! of the sandbox's init.
//!
//! It forwards the caller's SIGTERM/SIGINT/SIGHUP/SIGQUIT to the init, answers the command's
//! seccomp notifications (which sockets it may create, which Unix sockets it may connect to), and
//! when the init has gone — and with it, in a PID namespace, every process of the sandbox — it
//! removes the placeholders, reports what was refused and ends exactly as the command did: the
//! same exit code, or death by the same signal.

use std::collections::HashMap;
use std::ffi::{CString, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::sync::Arc;

use codex_sandbox_policy::{EnforcedLayers, HelperInvocation, SetupFailure};

use crate::channel::{Channel, Report, Request};
use crate::command::{CommandPlan, search_paths};
use crate::denials::Denials;
use crate::error::SetupError;
use crate::init::{self, InitPlan};
use crate::namespaces::{self, Forked, Isolation};
use crate::notify::{Listener, Notification, Target};
use crate::protected;
use crate::sock_diag::Binding;
use crate::status::Reporter;
use crate::sys;
use crate::unix_connect::{SocketPolicy, Verdict};

/// The signals passed on to the command.
const FORWARDED: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT];
/// A `sockaddr_un`'s size: longer Unix addresses are invalid.
const SOCKADDR_UN_LEN: u64 = 110;
/// Larger than any socket address (`sockaddr_storage`).
const SOCKADDR_MAX_LEN: u64 = 128;
/// The Landlock ABI that scopes abstract Unix sockets to the sandbox's own domain.
const LANDLOCK_SCOPE_ABI: u32 = 6;
/// Rounds of killing what a run without a PID namespace left behind.
const KILL_ROUNDS: usize = 1000;

/// Runs `invocation` under the sandbox; never returns.
pub(crate) fn run(reporter: Reporter, invocation: HelperInvocation) -> ! {
    if let Err(error) = kernel_support() {
        reporter.setup_failed(&error);
    }
    let (cwd, argv) = match prepare(&invocation) {
        Ok(prepared) => prepared,
        Err(error) => reporter.setup_failed(&error),
    };
    let (outer, inner) = match Channel::pair() {
        Ok(pair) => pair,
        Err(source) => reporter.setup_failed(&SetupError::Os {
            context: "creating the supervisor's channel",
            source,
        }),
    };
    let mut blocked_signals = FORWARDED.to_vec();
    blocked_signals.push(libc::SIGCHLD);
    let blocked = sys::sigset(&blocked_signals);
    let signal_mask = sys::block_signals(&blocked);
    // The helper must see its children end; the command gets the caller's choice back.
    // SAFETY: plain disposition changes in a single-threaded process.
    let sigchld_ignored = unsafe { libc::signal(libc::SIGCHLD, libc::SIG_DFL) } == libc::SIG_IGN;
    if let Err(source) = sys::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) {
        reporter.setup_failed(&SetupError::Os {
            context: "becoming a subreaper",
            source,
        });
    }
    let signals = match sys::signalfd(&blocked) {
        Ok(fd) => fd,
        Err(source) => reporter.setup_failed(&SetupError::Os {
            context: "creating a signalfd",
            source,
        }),
    };
    let plan = InitPlan {
        invocation: &invocation,
        cwd,
        tmpdir: std::env::var_os("TMPDIR").map(PathBuf::from),
        // SAFETY: plain id getters.
        uid: unsafe { libc::getuid() },
        // SAFETY: as above.
        gid: unsafe { libc::getgid() },
        // SAFETY: as above.
        supervisor: unsafe { libc::getpid() },
        blocked,
        command: CommandPlan {
            candidates: argv.first().map_or_else(Vec::new, |program| {
                search_paths(program, std::env::var_os("PATH").as_deref())
            }),
            argv,
            signal_mask,
            sigchld_ignored,
        },
    };
    match namespaces::fork_init() {
        Ok(Forked::Child(isolation)) => {
            drop((outer, reporter, signals));
            init::run(plan, isolation, inner)
        }
        Ok(Forked::Parent(pid, isolation)) => {
            drop(inner);
            Supervisor {
                reporter,
                channel: outer,
                signals,
                init: pid,
                isolation,
                program: invocation.command[0].clone(),
                network_off: !invocation.policy.has_network_access(),
                listener: None,
                layers: None,
                sockets: SocketPolicy::default(),
                placeholders: Vec::new(),
                pending: HashMap::new(),
                next_request: 0,
                denials: Denials::default(),
                failure: None,
                exec_errno: None,
                killed_by: None,
                init_status: None,
                channel_open: true,
            }
            .supervise()
        }
        Err(source) => reporter.setup_failed(&SetupError::Os {
            context: "starting the sandbox's init",
            source,
        }),
    }
}

/// The command's absolute cwd and its argv as C strings.
/// Refuses a kernel (or an emulator) without the two layers every policy needs, before anything
/// is started.
fn kernel_support() -> Result<(), SetupError> {
    crate::seccomp::probe()?;
    crate::landlock::kernel_abi().ok_or(crate::landlock::LandlockError::Unavailable)?;
    Ok(())
}

fn prepare(invocation: &HelperInvocation) -> Result<(PathBuf, Vec<CString>), SetupError> {
    let cwd = match &invocation.cwd {
        Some(cwd) => std::path::absolute(cwd),
        None => std::env::current_dir(),
    }
    .map_err(SetupError::os("reading the current directory"))?;
    let argv = invocation
        .command
        .iter()
        .map(|arg| sys::c_string(arg))
        .collect::<Result<_, _>>()
        .map_err(SetupError::os("an argument holds a NUL byte"))?;
    Ok((cwd, argv))
}

/// A placeholder directory the supervisor removes after the run, if no other run holds it.
struct HeldPlaceholder {
    parent: PathBuf,
    name: OsString,
    dir: OwnedFd,
    created: bool,
}

/// The supervisor's state for one run.
struct Supervisor {
    reporter: Reporter,
    channel: Channel,
    signals: OwnedFd,
    init: libc::pid_t,
    isolation: Isolation,
    program: OsString,
    network_off: bool,
    listener: Option<Arc<Listener>>,
    layers: Option<EnforcedLayers>,
    sockets: SocketPolicy,
    placeholders: Vec<HeldPlaceholder>,
    /// Connects the init is performing: request id → notification id.
    pending: HashMap<u64, u64>,
    next_request: u64,
    denials: Denials,
    failure: Option<SetupFailure>,
    exec_errno: Option<i32>,
    /// The signal that killed the command, as the init reported it.
    killed_by: Option<i32>,
    init_status: Option<libc::c_int>,
    /// Whether the init still holds its end of the channel.
    channel_open: bool,
}

impl Supervisor {
    fn supervise(mut self) -> ! {
        while self.init_status.is_none() {
            let listener = self.listener.clone();
            // Once the init has closed its end, the channel would poll readable (at EOF) until
            // its SIGCHLD arrives: a busy loop, so it is left out from then on.
            let channel_open = self.channel_open;
            let mut fds: Vec<BorrowedFd<'_>> = vec![self.signals.as_fd()];
            fds.extend(channel_open.then(|| self.channel.as_fd()));
            fds.extend(listener.as_deref().map(AsFd::as_fd));
            let Ok(ready) = sys::poll(&fds) else {
                continue;
            };
            if ready[0] != 0 {
                self.on_signals();
            }
            if channel_open && ready[1] != 0 {
                self.on_report();
            }
            let listener_revents = ready.get(1 + usize::from(channel_open));
            if let (Some(listener), Some(&revents)) = (listener, listener_revents) {
                if revents & libc::POLLIN != 0 {
                    self.on_notification(&listener);
                } else if revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                    // No process uses the filter any more: nothing will ever notify again.
                    self.listener = None;
                }
            }
        }
        // Whatever the init said last is still in the channel.
        while let Ok(Some((report, fds))) = self.channel.recv::<Report>() {
            self.handle(report, fds);
        }
        self.finish()
    }

    fn on_signals(&mut self) {
        while let Some(signal) = sys::read_signal(self.signals.as_fd()) {
            if signal != libc::SIGCHLD {
                // SAFETY: kill with a valid signal; the init may already be gone.
                unsafe { libc::kill(self.init, signal) };
                continue;
            }
            // Without a PID namespace, orphans of the sandbox come here too: reap them.
            while let Some((pid, status)) = sys::reap_any() {
                if pid == self.init {
                    self.init_status = Some(status);
                }
            }
        }
    }

    fn on_report(&mut self) {
        match self.channel.recv::<Report>() {
            Ok(Some((report, fds))) => self.handle(report, fds),
            // The init only sends well-formed messages: an error means the channel is unusable,
            // and polling it again would spin.
            Ok(None) | Err(_) => self.channel_open = false,
        }
    }

    fn handle(&mut self, report: Report, fds: Vec<OwnedFd>) {
        match report {
            Report::Confined {
                confinement,
                started,
            } => {
                self.sockets.roots = confinement.socket_roots.into_iter().collect();
                let mut fds = fds.into_iter();
                for placeholder in confinement.placeholders {
                    let Some(dir) = fds.next() else {
                        break;
                    };
                    self.placeholders.push(HeldPlaceholder {
                        parent: placeholder.parent,
                        name: placeholder.name.into(),
                        dir,
                        created: placeholder.created,
                    });
                }
                let layers = confinement.layers;
                self.layers = Some(layers.clone());
                let Some(listener) = fds.next().filter(|_| started) else {
                    return;
                };
                self.listener = Some(Arc::new(Listener::new(listener)));
                if self.isolation == Isolation::None {
                    self.reporter.warn(
                        "user namespaces are not allowed here: the command runs without PID, IPC and mount namespaces (processes it leaves behind are killed when it ends; metadata of outside files is not protected)",
                    );
                }
                self.reporter.ready(layers);
            }
            Report::SetupFailed(failure) => self.failure = Some(failure),
            Report::ExecFailed(errno) => self.exec_errno = Some(errno),
            Report::Killed(signal) => self.killed_by = Some(signal),
            Report::Connected { id, errno } => {
                if let (Some(notification), Some(listener)) =
                    (self.pending.remove(&id), &self.listener)
                {
                    listener.answer(notification, if errno == 0 { Ok(0) } else { Err(errno) });
                }
            }
        }
    }

    fn on_notification(&mut self, listener: &Arc<Listener>) {
        let Ok(notification) = listener.receive() else {
            return;
        };
        let nr = libc::c_long::from(notification.nr);
        if nr == libc::SYS_socket || nr == libc::SYS_socketpair {
            // Only the sockets the filter refuses come here.
            self.denials
                .network(notification.args[0] as i32, notification.args[1] as i32);
            listener.answer(notification.id, Err(libc::EPERM));
        } else if nr == libc::SYS_bind {
            self.on_bind(listener, &notification);
        } else if nr == libc::SYS_connect {
            self.on_connect(listener, &notification);
        } else {
            listener.answer(notification.id, Err(libc::ENOSYS));
        }
    }

    /// Records the cookie of a Unix socket being bound, then lets the bind run: where it may
    /// create a socket file is Landlock's and the mounts' business.
    fn on_bind(&mut self, listener: &Listener, notification: &Notification) {
        if let Ok(target) = Target::open(listener, notification)
            && let Ok(socket) = target.take_fd(notification.args[0])
            && sys::socket_option::<libc::c_int>(socket.as_fd(), libc::SOL_SOCKET, sys::SO_DOMAIN)
                .is_ok_and(|domain| domain == libc::AF_UNIX)
            && let Ok(cookie) =
                sys::socket_option::<u64>(socket.as_fd(), libc::SOL_SOCKET, sys::SO_COOKIE)
        {
            self.sockets.bound.insert(cookie);
        }
        listener.let_run(notification.id);
    }

    /// Decides on a connect and has it performed on the command's own socket, never letting
    /// the call run with an address the command could still change.
    fn on_connect(&mut self, listener: &Arc<Listener>, notification: &Notification) {
        let id = notification.id;
        let result = (|| {
            let target = Target::open(listener, notification).map_err(|_| libc::EACCES)?;
            let socket = target
                .take_fd(notification.args[0])
                .map_err(|error| error.raw_os_error().unwrap_or(libc::EBADF))?;
            let domain: libc::c_int =
                sys::socket_option(socket.as_fd(), libc::SOL_SOCKET, sys::SO_DOMAIN)
                    .map_err(|_| libc::ENOTSOCK)?;
            let len = notification.args[2];
            if len > SOCKADDR_MAX_LEN {
                return Err(libc::EINVAL);
            }
            let address = target
                .read(notification.args[1], len as usize)
                .map_err(|_| libc::EFAULT)?;
            if !listener.is_valid(id) {
                return Err(libc::ESRCH);
            }
            Ok((target, socket, domain, address))
        })();
        let (target, socket, domain, address) = match result {
            Ok(parts) => parts,
            Err(errno) => return listener.answer(id, Err(errno)),
        };
        if domain == libc::AF_UNIX {
            return self.connect_unix(listener, id, &target, socket, &address);
        }
        if self.network_off {
            let socket_type =
                sys::socket_option(socket.as_fd(), libc::SOL_SOCKET, libc::SO_TYPE).unwrap_or(0);
            self.denials.network(domain, socket_type);
            return listener.answer(id, Err(libc::EPERM));
        }
        connect_outside(listener, id, socket, address, None);
    }

    fn connect_unix(
        &mut self,
        listener: &Arc<Listener>,
        id: u64,
        target: &Target,
        socket: OwnedFd,
        address: &[u8],
    ) {
        if address.len() < 2 || address.len() as u64 > SOCKADDR_UN_LEN {
            return listener.answer(id, Err(libc::EINVAL));
        }
        let family = libc::sa_family_t::from_ne_bytes([address[0], address[1]]);
        if i32::from(family) == libc::AF_UNSPEC {
            // A datagram socket dissolving its association: no address to check.
            let result = sys::connect_raw(socket.as_fd(), address).map(|()| 0);
            return listener.answer(id, result);
        }
        let path = &address[2..];
        if i32::from(family) != libc::AF_UNIX || path.is_empty() {
            return listener.answer(id, Err(libc::EINVAL));
        }
        if path[0] == 0 {
            let name = &path[1..];
            // Abstract: from ABI 6 Landlock's scoping decides, in the init's (the sandbox's)
            // domain. Before, nothing would: only the command's own abstract sockets are allowed.
            if !self.landlock_scopes_abstract_sockets()
                && !self.sockets.bound_by_the_command(Binding::Abstract(name))
            {
                self.denials
                    .unix_socket(format!("@{}", String::from_utf8_lossy(name)));
                return listener.answer(id, Err(libc::EPERM));
            }
            return self.connect_in_sandbox(listener, id, Some(name.to_vec()), &[socket.as_fd()]);
        }
        let path = path.split(|&b| b == 0).next().unwrap_or_default();
        match self.sockets.decide(target, path) {
            Verdict::Allow(file) if self.landlock_confines_unix_paths() => {
                self.connect_in_sandbox(listener, id, None, &[socket.as_fd(), file.as_fd()])
            }
            // Without Landlock's Unix-socket right there is no second check for the init to add:
            // connecting here saves a round trip through it (two wake-ups per connect).
            Verdict::Allow(file) => match sys::unix_address(&sys::fd_path(file.as_fd())) {
                Some(address) => connect_unix_here(listener, id, socket, address, file),
                None => listener.answer(id, Err(libc::ENAMETOOLONG)),
            },
            Verdict::Deny => {
                self.denials
                    .unix_socket(String::from_utf8_lossy(path).into_owned());
                listener.answer(id, Err(libc::EACCES));
            }
            Verdict::Fail(errno) => listener.answer(id, Err(errno)),
        }
    }

    /// Whether the sandbox's Landlock domain confines connects to Unix socket files (ABI 9 and
    /// later): then a connect is made in the init, inside that domain, as a second check.
    fn landlock_confines_unix_paths(&self) -> bool {
        self.layers
            .as_ref()
            .is_some_and(|layers| layers.landlock_abi >= crate::landlock::UNIX_SOCKET_ABI)
    }

    /// Whether the sandbox's Landlock domain scopes abstract Unix sockets (ABI 6 and later).
    fn landlock_scopes_abstract_sockets(&self) -> bool {
        self.layers
            .as_ref()
            .is_some_and(|layers| layers.landlock_abi >= LANDLOCK_SCOPE_ABI)
    }

    /// Asks the init to connect `fds` (the socket, and a pinned file) as decided.
    fn connect_in_sandbox(
        &mut self,
        listener: &Listener,
        id: u64,
        abstract_name: Option<Vec<u8>>,
        fds: &[BorrowedFd<'_>],
    ) {
        let request = self.next_request;
        self.next_request += 1;
        let sent = self.channel.send(
            &Request::Connect {
                id: request,
                abstract_name,
            },
            fds,
        );
        match sent {
            Ok(()) => {
                self.pending.insert(request, id);
            }
            Err(_) => listener.answer(id, Err(libc::ECONNREFUSED)),
        }
    }

    /// After the init has gone: no survivors, no placeholders left, denials reported, and the
    /// command's own ending mirrored.
    fn finish(mut self) -> ! {
        if self.isolation == Isolation::None {
            kill_descendants();
        }
        self.listener = None;
        for placeholder in std::mem::take(&mut self.placeholders) {
            remove_placeholder(placeholder);
        }
        self.reporter.denials(&self.denials);
        if let Some(failure) = self.failure.take() {
            self.reporter.setup_failure(failure);
        }
        if let Some(errno) = self.exec_errno {
            self.reporter.exec_failed(&self.program, errno);
        }
        match (self.killed_by, self.init_status) {
            (Some(signal), _) => die_by(signal),
            (None, _) if self.layers.is_none() => {
                self.reporter.setup_failure(SetupFailure::Other {
                    detail: "the sandbox's init ended before the command started".into(),
                })
            }
            (None, Some(status)) if libc::WIFSIGNALED(status) => die_by(libc::WTERMSIG(status)),
            (None, Some(status)) => std::process::exit(libc::WEXITSTATUS(status)),
            (None, None) => std::process::exit(1),
        }
    }
}

/// Connects a Unix socket here, outside the sandbox, to the socket file `pinned` (`address`
/// names it), answering on this thread: a thread per connect would cost as much as the rest of
/// the connect. A connect only waits when its listener's backlog is full, and then for no longer
/// than the socket's send timeout, which is set to the shortest for this one try (a jiffy) and
/// restored after; a blocking connect that found the backlog full goes on waiting on a thread
/// of its own ([`connect_outside`]).
fn connect_unix_here(
    listener: &Arc<Listener>,
    id: u64,
    socket: OwnedFd,
    address: Vec<u8>,
    pinned: OwnedFd,
) {
    /// A `struct timeval` (two longs on every Linux ABI the helper supports).
    type Timeval = [libc::c_long; 2];
    let fd = socket.as_fd();
    let blocking = sys::file_flags(fd).is_ok_and(|flags| flags & libc::O_NONBLOCK == 0);
    let saved = sys::socket_option::<Timeval>(fd, libc::SOL_SOCKET, libc::SO_SNDTIMEO);
    let bounded = match saved {
        Ok(_) if blocking => {
            sys::set_socket_option::<Timeval>(fd, libc::SOL_SOCKET, libc::SO_SNDTIMEO, [0, 1])
                .is_ok()
        }
        _ => !blocking,
    };
    if !bounded {
        return connect_outside(listener, id, socket, address, Some(pinned));
    }
    let result = sys::connect_raw(fd, &address);
    if let (true, Ok(saved)) = (blocking, saved) {
        let _ = sys::set_socket_option(fd, libc::SOL_SOCKET, libc::SO_SNDTIMEO, saved);
    }
    match result {
        Err(libc::EAGAIN) if blocking => {
            connect_outside(listener, id, socket, address, Some(pinned))
        }
        result => listener.answer(id, result.map(|()| 0)),
    }
}

/// Performs a connect here, outside the sandbox, with the address copied once (or naming
/// `pinned`, the socket file the decision was about, which stays open until it is done). A
/// blocking connect on a connection-oriented socket can wait long (a Unix listener whose backlog
/// is full waits for an accept), so it runs on a thread of its own: the supervisor must go on
/// answering, the sandbox's other processes and that listener's owner among them.
fn connect_outside(
    listener: &Arc<Listener>,
    id: u64,
    socket: OwnedFd,
    address: Vec<u8>,
    pinned: Option<OwnedFd>,
) {
    let blocking = sys::file_flags(socket.as_fd()).is_ok_and(|flags| flags & libc::O_NONBLOCK == 0);
    let connection =
        sys::socket_option::<libc::c_int>(socket.as_fd(), libc::SOL_SOCKET, libc::SO_TYPE)
            .is_ok_and(|kind| kind == libc::SOCK_STREAM || kind == libc::SOCK_SEQPACKET);
    let connect = move |listener: &Listener| {
        listener.answer(id, sys::connect_raw(socket.as_fd(), &address).map(|()| 0));
        drop(pinned);
    };
    if blocking && connection {
        let worker = Arc::clone(listener);
        let spawned = std::thread::Builder::new()
            .name("connect".into())
            .spawn(move || connect(&worker));
        if spawned.is_err() {
            listener.answer(id, Err(libc::EAGAIN));
        }
    } else {
        connect(listener);
    }
}

/// Kills every process left under the supervisor (a subreaper): without a PID namespace, that is
/// what the command leaves behind, `setsid` or not.
fn kill_descendants() {
    for _ in 0..KILL_ROUNDS {
        let children = sys::children_of_self();
        if children.is_empty() {
            return;
        }
        for pid in children {
            // SAFETY: kill on our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            // SAFETY: waiting for our own child.
            unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        }
    }
}

/// Removes a placeholder unless another run still holds it, it was not ours, or it is no
/// longer the empty directory that was made.
fn remove_placeholder(placeholder: HeldPlaceholder) {
    let HeldPlaceholder {
        parent,
        name,
        dir,
        created,
    } = placeholder;
    if !sys::try_lock_exclusive(dir.as_fd())
        || !(created || protected::has_marker(dir.as_fd()))
        || !sys::is_empty_dir(dir.as_fd())
    {
        return;
    }
    let Ok(parent) = sys::openat(None, parent.as_os_str(), libc::O_PATH | libc::O_DIRECTORY) else {
        return;
    };
    let same = sys::open_path_nofollow(parent.as_fd(), &name)
        .and_then(|current| sys::fstat(current.as_fd()))
        .ok()
        .zip(sys::fstat(dir.as_fd()).ok())
        .is_some_and(|(current, ours)| current.id == ours.id);
    if same {
        let _ = sys::remove_dir_at(parent.as_fd(), &name);
    }
}

/// Ends this process by `signal`, as the command ended, without a core dump of our own.
fn die_by(signal: libc::c_int) -> ! {
    let _ = sys::prctl(libc::PR_SET_DUMPABLE, 0);
    // SAFETY: default disposition, unblocked, then the signal to ourselves.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let set = sys::sigset(&[signal]);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), signal);
    }
    // A signal whose default is to be ignored cannot end us: exit as a shell would report it.
    std::process::exit(128 + signal)
}
