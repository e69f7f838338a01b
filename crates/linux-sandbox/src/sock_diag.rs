//! Asking the kernel (`NETLINK_SOCK_DIAG`) which Unix sockets are bound to a given socket file or
//! abstract name, so that the supervisor can tell a socket the sandboxed command bound from
//! anyone else's.
//!
//! Each socket is named by its cookie, a 64-bit id the kernel never reuses; the supervisor
//! records the cookie of every socket the command binds.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::sys::{self, FileId};

const NETLINK_SOCK_DIAG: libc::c_int = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// `UDIAG_SHOW_NAME` and `UDIAG_SHOW_VFS`: include the bound address and the socket file.
const UDIAG_SHOW_NAME: u32 = 0x0000_0001;
const UDIAG_SHOW_VFS: u32 = 0x0000_0002;
/// The `UNIX_DIAG_NAME` and `UNIX_DIAG_VFS` attributes.
const UNIX_DIAG_NAME: u16 = 0;
const UNIX_DIAG_VFS: u16 = 1;
/// A message header (`nlmsghdr`) and a netlink attribute header (`rtattr`).
const NLMSG_HEADER: usize = 16;
const RTA_HEADER: usize = 4;
/// `struct unix_diag_msg`: family, type, state, pad, inode (u32), cookie (2 × u32).
const UNIX_DIAG_MSG: usize = 16;

/// Where a Unix socket is bound.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Binding<'a> {
    /// To a socket file.
    File(FileId),
    /// To an abstract name (without its leading NUL).
    Abstract(&'a [u8]),
}

/// The cookies of every Unix socket bound as `binding` says.
///
/// # Errors
/// The OS error of the netlink socket.
pub(crate) fn cookies_bound_to(binding: Binding<'_>) -> io::Result<Vec<u64>> {
    // SAFETY: socket returns a new fd or -1.
    let fd = sys::check(
        unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                NETLINK_SOCK_DIAG,
            )
        }
        .into(),
    )?;
    // SAFETY: the kernel just returned this descriptor.
    let socket = unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) };
    send_dump_request(&socket)?;
    let mut cookies = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        // SAFETY: the buffer is writable for its length.
        let len = sys::check(unsafe {
            libc::recv(socket.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0)
        } as libc::c_long)? as usize;
        let mut at = 0;
        while at + NLMSG_HEADER <= len {
            let msg_len = u32_at(&buf, at) as usize;
            let kind = u16_at(&buf, at + 4);
            if msg_len < NLMSG_HEADER || at + msg_len > len {
                return Err(io::Error::from_raw_os_error(libc::EPROTO));
            }
            match kind {
                NLMSG_DONE => return Ok(cookies),
                NLMSG_ERROR => return Err(io::Error::from_raw_os_error(libc::EPROTO)),
                _ => {
                    let body = &buf[at + NLMSG_HEADER..at + msg_len];
                    if let Some(cookie) = cookie_if_bound(body, binding) {
                        cookies.push(cookie);
                    }
                }
            }
            at += align4(msg_len);
        }
    }
}

/// Sends a dump request for every Unix socket, with the VFS attribute.
fn send_dump_request(socket: &OwnedFd) -> io::Result<()> {
    let total = NLMSG_HEADER + 24;
    let mut request = Vec::with_capacity(total);
    request.extend_from_slice(&(total as u32).to_ne_bytes());
    request.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    let flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.extend_from_slice(&flags.to_ne_bytes());
    request.extend_from_slice(&1u32.to_ne_bytes()); // sequence
    request.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel
    // struct unix_diag_req: family, protocol, pad, states, ino, show, cookie[2].
    request.push(libc::AF_UNIX as u8);
    request.push(0);
    request.extend_from_slice(&0u16.to_ne_bytes());
    request.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
    request.extend_from_slice(&0u32.to_ne_bytes());
    request.extend_from_slice(&(UDIAG_SHOW_NAME | UDIAG_SHOW_VFS).to_ne_bytes());
    request.extend_from_slice(&[0u8; 8]);
    // SAFETY: the buffer is readable for its length.
    let sent = unsafe {
        libc::send(
            socket.as_raw_fd(),
            request.as_ptr().cast(),
            request.len(),
            0,
        )
    };
    sys::check(sent as libc::c_long).map(drop)
}

/// The cookie of the socket in one `unix_diag_msg` if it is bound as `binding` says.
fn cookie_if_bound(body: &[u8], binding: Binding<'_>) -> Option<u64> {
    if body.len() < UNIX_DIAG_MSG {
        return None;
    }
    let cookie = u64::from(u32_at(body, 8)) | (u64::from(u32_at(body, 12)) << 32);
    let mut at = UNIX_DIAG_MSG;
    while at + RTA_HEADER <= body.len() {
        let attr_len = usize::from(u16_at(body, at));
        let kind = u16_at(body, at + 2);
        if attr_len < RTA_HEADER || at + attr_len > body.len() {
            return None;
        }
        let payload = &body[at + RTA_HEADER..at + attr_len];
        let matches = match (binding, kind) {
            (Binding::File(file), UNIX_DIAG_VFS) if payload.len() >= 8 => {
                u32_at(payload, 0) == file.ino as u32 && u32_at(payload, 4) == kernel_dev(file.dev)
            }
            (Binding::Abstract(name), UNIX_DIAG_NAME) => payload.strip_prefix(&[0]) == Some(name),
            _ => false,
        };
        if matches {
            return Some(cookie);
        }
        at += align4(attr_len);
    }
    None
}

/// A `stat` device number as the kernel encodes it inside (major << 20 | minor), which is what
/// `unix_diag_vfs` carries.
fn kernel_dev(dev: u64) -> u32 {
    let major = libc::major(dev);
    let minor = libc::minor(dev);
    (major << 20) | (minor & 0xf_ffff)
}

fn align4(len: usize) -> usize {
    (len + 3) & !3
}

fn u32_at(buf: &[u8], at: usize) -> u32 {
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&buf[at..at + 4]);
    u32::from_ne_bytes(bytes)
}

fn u16_at(buf: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([buf[at], buf[at + 1]])
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixListener;

    use super::*;

    #[test]
    fn a_bound_socket_is_found_by_its_file_and_named_by_its_cookie() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let listener = UnixListener::bind(&path).unwrap();
        let file = sys::openat(None, path.as_os_str(), libc::O_PATH).unwrap();
        let id = sys::fstat(file.as_fd()).unwrap().id;
        let cookie: u64 =
            sys::socket_option(listener.as_fd(), libc::SOL_SOCKET, sys::SO_COOKIE).unwrap();
        assert_eq!(cookies_bound_to(Binding::File(id)).unwrap(), vec![cookie]);
        let elsewhere = sys::fstat(
            sys::openat(None, dir.path().as_os_str(), libc::O_PATH)
                .unwrap()
                .as_fd(),
        )
        .unwrap()
        .id;
        assert!(
            cookies_bound_to(Binding::File(elsewhere))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_abstract_socket_is_found_by_its_name() {
        use std::os::linux::net::SocketAddrExt;
        use std::os::unix::net::SocketAddr;

        let name = format!("codex-sock-diag-{}", std::process::id());
        let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&address).unwrap();
        let cookie: u64 =
            sys::socket_option(listener.as_fd(), libc::SOL_SOCKET, sys::SO_COOKIE).unwrap();
        assert_eq!(
            cookies_bound_to(Binding::Abstract(name.as_bytes())).unwrap(),
            vec![cookie]
        );
        assert!(
            cookies_bound_to(Binding::Abstract(b"codex-no-such-name"))
                .unwrap()
                .is_empty()
        );
    }
}
