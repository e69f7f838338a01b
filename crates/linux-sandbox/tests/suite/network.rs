//! Network off: no TCP or UDP over IPv4 or IPv6, no io_uring, no Unix datagrams, no abstract
//! sockets outside — while AF_UNIX stream socketpairs keep working.

use std::io::ErrorKind;
use std::net::{TcpListener, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::path::Path;

use super::support::{Run, Scene, USERS, User, WORKSPACE, probe};

/// A loopback TCP listener that reports whether anyone connected.
struct Tcp(TcpListener);

impl Tcp {
    fn bind(addr: &str) -> Tcp {
        let listener = TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        Tcp(listener)
    }

    fn port(&self) -> String {
        self.0.local_addr().unwrap().port().to_string()
    }

    fn connected(&self) -> bool {
        match self.0.accept() {
            Ok(_) => true,
            Err(error) if error.kind() == ErrorKind::WouldBlock => false,
            Err(error) => panic!("accept: {error}"),
        }
    }
}

/// A loopback UDP socket that reports whether a datagram arrived.
struct Udp(UdpSocket);

impl Udp {
    fn bind(addr: &str) -> Udp {
        let socket = UdpSocket::bind(addr).unwrap();
        socket.set_nonblocking(true).unwrap();
        Udp(socket)
    }

    fn port(&self) -> String {
        self.0.local_addr().unwrap().port().to_string()
    }

    fn received(&self) -> bool {
        let mut buf = [0; 16];
        match self.0.recv(&mut buf) {
            Ok(_) => true,
            Err(error) if error.kind() == ErrorKind::WouldBlock => false,
            Err(error) => panic!("recv: {error}"),
        }
    }
}

#[test]
fn tcp_and_udp_over_ipv4_and_ipv6_reach_nothing() {
    for user in USERS {
        let scene = Scene::new(user);
        for (action, addr) in [("tcp4", "127.0.0.1:0"), ("tcp6", "[::1]:0")] {
            let listener = Tcp::bind(addr);
            let run = scene.run(WORKSPACE, &[probe(), action, &listener.port()]);
            assert_eq!(run.stdout, "socket:EPERM\n", "{user:?} {action}: {run:?}");
            assert!(!listener.connected(), "{user:?} {action}");
            let control = scene.direct(&[probe(), action, &listener.port()]);
            assert_eq!(control.code(), 0, "{user:?} {action}: {control:?}");
            assert!(listener.connected(), "{user:?} {action}: control");
        }
        for (action, addr) in [("udp4", "127.0.0.1:0"), ("udp6", "[::1]:0")] {
            let socket = Udp::bind(addr);
            let run = scene.run(WORKSPACE, &[probe(), action, &socket.port()]);
            assert_eq!(run.stdout, "socket:EPERM\n", "{user:?} {action}: {run:?}");
            assert!(!socket.received(), "{user:?} {action}");
            let control = scene.direct(&[probe(), action, &socket.port()]);
            assert_eq!(control.code(), 0, "{user:?} {action}: {control:?}");
            assert!(socket.received(), "{user:?} {action}: control");
        }
    }
}

#[test]
fn io_uring_cannot_open_a_connection() {
    for user in USERS {
        let scene = Scene::new(user);
        let listener = Tcp::bind("127.0.0.1:0");
        let run = scene.run(WORKSPACE, &[probe(), "uring-tcp4", &listener.port()]);
        assert_eq!(run.stdout, "io_uring_setup:EPERM\n", "{user:?}: {run:?}");
        assert!(!listener.connected(), "{user:?}");
        // The probe's io_uring connect does work outside: it is the sandbox that stops it.
        let control = scene.direct(&[probe(), "uring-tcp4", &listener.port()]);
        assert_eq!(
            control.stdout, "uring_connect:ok\n",
            "{user:?}: {control:?}"
        );
        assert!(listener.connected(), "{user:?}: control");
    }
}

#[test]
fn network_access_true_leaves_the_network_open() {
    let scene = Scene::new(User::Nobody);
    let listener = Tcp::bind("127.0.0.1:0");
    let policy = r#"{"mode":"workspace-write","networkAccess":true}"#;
    let run = scene.run(policy, &[probe(), "tcp4", &listener.port()]);
    assert_eq!(run.stdout, "connect:ok\n", "{run:?}");
    assert!(listener.connected());
}

#[test]
fn unix_stream_socketpairs_work() {
    for user in USERS {
        let scene = Scene::new(user);
        let run = scene.run(WORKSPACE, &[probe(), "unix-pair"]);
        assert_eq!(
            run.stdout, "send:ok\nsendto:ok\nsendmsg:ok\nseqpacket:ok\n",
            "{user:?}: {run:?}"
        );
        assert_eq!(run.code(), 0);
    }
}

#[test]
fn unix_datagram_sockets_are_denied() {
    let scene = Scene::new(User::Root);
    let run = scene.run(WORKSPACE, &[probe(), "unix-dgram"]);
    assert_eq!(
        run.stdout, "dgram_socket:EPERM\ndgram_socketpair:EPERM\nraw_socket:EPERM\n",
        "{run:?}"
    );
    let control = scene.direct(&[probe(), "unix-dgram"]);
    assert_eq!(control.code(), 0, "{control:?}");
}

#[test]
fn abstract_unix_sockets_outside_are_scoped_off() {
    for user in USERS {
        let scene = Scene::new(user);
        let name = format!("codex-sandbox-test-{}-{user:?}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let run = scene.run(WORKSPACE, &[probe(), "abstract-connect", &name]);
        assert_eq!(run.stdout, "connect:EPERM\n", "{user:?}: {run:?}");
        assert!(listener.accept().is_err(), "{user:?}");
        let control = scene.direct(&[probe(), "abstract-connect", &name]);
        assert_eq!(control.stdout, "connect:ok\n", "{user:?}: {control:?}");
        assert!(listener.accept().is_ok(), "{user:?}: control");
    }
}

#[test]
fn unix_socket_files_outside_are_refused_on_every_kernel() {
    let scene = Scene::new(User::Root);
    let path = scene.outside.join("sock");
    let listener = UnixListener::bind(&path).unwrap();
    listener.set_nonblocking(true).unwrap();
    let run = scene.run(
        WORKSPACE,
        &[probe(), "unix-connect", path.to_str().unwrap()],
    );
    // Whatever the Landlock ABI: the supervisor refuses it.
    assert_eq!(run.stdout, "connect:EACCES\n", "{run:?}");
    assert!(listener.accept().is_err());
    let inside = scene.ws.join("sock");
    let own = UnixListener::bind(&inside).unwrap();
    let run = scene.run(
        WORKSPACE,
        &[probe(), "unix-connect", inside.to_str().unwrap()],
    );
    assert_eq!(
        run.stdout, "connect:ok\n",
        "sockets in the workspace stay reachable: {run:?}"
    );
    drop(own);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn other_syscall_abis_do_not_get_past_the_filter() {
    use std::os::unix::process::ExitStatusExt;

    let scene = Scene::new(User::Root);
    let run = scene.run(WORKSPACE, &[probe(), "foreign-abis"]);
    // The x32 socket() is denied; the i386 call kills the process (SIGSYS) before it returns.
    assert_eq!(run.stdout, "x32_socket:EPERM\n", "{run:?}");
    assert_eq!(run.status.signal(), Some(libc::SIGSYS), "{run:?}");
    // Outside the sandbox both calls reach the kernel (x32 may be compiled out: ENOSYS).
    let control = scene.direct(&[probe(), "foreign-abis"]);
    assert!(
        control.stdout == "x32_socket:ok\ni386_getpid:ok\n"
            || control.stdout == "x32_socket:ENOSYS\ni386_getpid:ok\n",
        "{control:?}"
    );
}

/// Serves one connection on a Unix socket at `path`: hands the client a fresh, unconnected
/// TCP socket (SCM_RIGHTS), made here, outside the sandbox's seccomp filter.
fn hand_over_a_tcp_socket(path: &std::path::Path) -> std::thread::JoinHandle<()> {
    use std::os::fd::AsRawFd;

    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        // SAFETY: a plain socket() call.
        let fresh =
            unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        assert!(fresh >= 0);
        let mut byte = [b'x'];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        // SAFETY: CMSG_SPACE only computes a size.
        let space = unsafe { libc::CMSG_SPACE(size_of::<libc::c_int>() as u32) } as usize;
        let mut control = vec![0u8; space];
        // SAFETY: a zeroed msghdr is valid; the pointers set below outlive the sendmsg call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space;
        // SAFETY: the control buffer has room for one header carrying one fd.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<libc::c_int>() as u32) as usize;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>(), fresh);
            assert_eq!(libc::sendmsg(stream.as_raw_fd(), &msg, 0), 1);
            libc::close(fresh);
        }
    })
}

/// Runs the probe that receives a socket at `path` and connects it to `listener`, sandboxed or
/// (the control) not.
fn connect_received(scene: &Scene, path: &Path, listener: &Tcp, sandboxed: bool) -> Run {
    let port = listener.port();
    let argv = [probe(), "connect-received", path.to_str().unwrap(), &port];
    if sandboxed {
        scene.run(WORKSPACE, &argv)
    } else {
        scene.direct(&argv)
    }
}

#[test]
fn a_tcp_socket_passed_in_cannot_connect() {
    // seccomp stops socket(); a TCP socket made outside and passed in over a Unix socket in the
    // workspace reaches connect, which the supervisor refuses (and, at ABI >= 4, Landlock's TCP
    // rules would too).
    let scene = Scene::new(User::Root);
    let listener = Tcp::bind("127.0.0.1:0");
    let path = scene.ws.join("handover");
    let server = hand_over_a_tcp_socket(&path);
    let run = connect_received(&scene, &path, &listener, true);
    server.join().unwrap();
    assert_eq!(run.stdout, "connect:EPERM\n", "{run:?}");
    assert!(!listener.connected());

    std::fs::remove_file(&path).unwrap();
    let server = hand_over_a_tcp_socket(&path);
    let control = connect_received(&scene, &path, &listener, false);
    server.join().unwrap();
    assert_eq!(control.stdout, "connect:ok\n", "{control:?}");
    assert!(listener.connected(), "control");
}

#[test]
fn a_socket_from_an_outside_service_cannot_be_obtained() {
    // The same hand-over, served from outside the workspace: the connect that would receive
    // the socket is refused in the first place.
    let scene = Scene::new(User::Root);
    let listener = Tcp::bind("127.0.0.1:0");
    let path = scene.outside.join("handover");
    let _server = hand_over_a_tcp_socket(&path);
    let run = connect_received(&scene, &path, &listener, true);
    assert_eq!(run.stdout, "unix_connect:EACCES\n", "{run:?}");
    assert!(!listener.connected());
    // Unblock the server thread, which waits for a connection: the control takes it.
    let control = connect_received(&scene, &path, &listener, false);
    assert_eq!(control.stdout, "connect:ok\n", "{control:?}");
}
