//! [`Channel`]: the supervisor's line to the confined side (the namespace's init), and the
//! messages that travel on it.
//!
//! A `SOCK_SEQPACKET` socketpair keeps message boundaries; each message is one JSON datagram with
//! file descriptors attached as `SCM_RIGHTS`. Both ends are close-on-exec, so the command never
//! holds one.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;

use codex_sandbox_policy::{EnforcedLayers, SetupFailure};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::sys::{self, FileId};

/// Larger than any message: a confinement report with every root and placeholder.
const MAX_MESSAGE: usize = 64 * 1024;
/// More descriptors than one message ever carries.
const MAX_FDS: usize = 64;

/// From the confined side to the supervisor.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Report {
    /// Every layer is in place; fds: each placeholder directory, in order, then (`started`) the
    /// command's seccomp listener. Sent once the command has exec'd, or failed to: one message
    /// per run where there were two, as each wakes the supervisor.
    Confined {
        /// The confinement.
        confinement: Confinement,
        /// The command's filter is installed (the listener is the last fd).
        started: bool,
    },
    /// Nothing will run.
    SetupFailed(SetupFailure),
    /// The exec of the command failed with this errno.
    ExecFailed(i32),
    /// This signal killed the command. (An exit needs no message: the init exits with the
    /// command's code, and each message wakes the supervisor.)
    Killed(i32),
    /// A connect the supervisor asked for finished: 0 or the errno.
    Connected {
        /// The request's id.
        id: u64,
        /// 0 on success, else the errno.
        errno: i32,
    },
}

/// What the supervisor needs to know about the confinement.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Confinement {
    /// The layers, for the `ready` status.
    pub(crate) layers: EnforcedLayers,
    /// Directories (or socket files) beneath which a Unix socket may be connected to: the
    /// workspace and extra writable roots, and the policy's allow-list.
    pub(crate) socket_roots: Vec<FileId>,
    /// The placeholders bound where a protected path was missing (their fds follow).
    pub(crate) placeholders: Vec<Placeholder>,
}

/// A directory created so that a missing protected path could be kept from being created.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Placeholder {
    /// The directory it is in. The supervisor looks it up again in its own mount namespace (the
    /// init's view of it is read-only); the placeholder's identity guards the removal.
    pub(crate) parent: PathBuf,
    /// Its name in its parent directory.
    pub(crate) name: String,
    /// Whether this run created it (rather than finding another run's).
    pub(crate) created: bool,
}

/// From the supervisor to the namespace's init.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    /// Connect the attached socket, inside the sandbox's Landlock domain, to the attached pinned
    /// socket file (`abstract_name: None`) or to this abstract address.
    Connect {
        /// Echoed in [`Report::Connected`].
        id: u64,
        /// The abstract name (without the leading NUL), when the address is abstract.
        abstract_name: Option<Vec<u8>>,
    },
}

/// One end of the socketpair.
#[derive(Debug)]
pub(crate) struct Channel(OwnedFd);

impl Channel {
    /// Both ends of a new channel.
    pub(crate) fn pair() -> io::Result<(Channel, Channel)> {
        let (a, b) = sys::seqpacket_pair()?;
        Ok((Channel(a), Channel(b)))
    }

    /// Sends `message` with `fds` attached.
    pub(crate) fn send<T: Serialize>(&self, message: &T, fds: &[BorrowedFd<'_>]) -> io::Result<()> {
        let bytes = serde_json::to_vec(message).map_err(io::Error::other)?;
        let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
        let mut iov = libc::iovec {
            iov_base: bytes.as_ptr().cast_mut().cast(),
            iov_len: bytes.len(),
        };
        let mut control = vec![0u8; control_space(raw.len())];
        // SAFETY: a zeroed msghdr is valid; every pointer set below outlives the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        if !raw.is_empty() {
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = control.len() as _;
            // SAFETY: the control buffer has room for one header carrying `raw`.
            unsafe {
                let header = libc::CMSG_FIRSTHDR(&msg);
                (*header).cmsg_level = libc::SOL_SOCKET;
                (*header).cmsg_type = libc::SCM_RIGHTS;
                (*header).cmsg_len = libc::CMSG_LEN(size_of_val(raw.as_slice()) as u32) as _;
                std::ptr::copy_nonoverlapping(
                    raw.as_ptr(),
                    libc::CMSG_DATA(header).cast::<RawFd>(),
                    raw.len(),
                );
            }
        }
        // MSG_NOSIGNAL: a peer that died must be an error here, not this process's death.
        // SAFETY: `msg` describes valid buffers.
        sys::check(unsafe { libc::sendmsg(self.0.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) } as _)
            .map(drop)
    }

    /// The next message and its fds; `None` once the other side has closed.
    pub(crate) fn recv<T: DeserializeOwned>(&self) -> io::Result<Option<(T, Vec<OwnedFd>)>> {
        // Uninitialised: the kernel writes what it received, and zeroing 64 KiB per message
        // was a measurable share of the helper's own time.
        let mut bytes: Vec<u8> = Vec::with_capacity(MAX_MESSAGE);
        let mut control: Vec<u8> = Vec::with_capacity(control_space(MAX_FDS));
        let mut iov = libc::iovec {
            iov_base: bytes.spare_capacity_mut().as_mut_ptr().cast(),
            iov_len: bytes.capacity(),
        };
        // SAFETY: a zeroed msghdr is valid; every pointer set below outlives the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.spare_capacity_mut().as_mut_ptr().cast();
        msg.msg_controllen = control.capacity() as _;
        let received = loop {
            // SAFETY: `msg` describes valid, writable buffers.
            let n = unsafe { libc::recvmsg(self.0.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
            match sys::check(n as _) {
                Ok(n) => break n as usize,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        };
        // SAFETY: the kernel wrote `received` bytes (and the control headers within
        // msg_controllen, which is all `received_fds` reads).
        unsafe { bytes.set_len(received) };
        let fds = received_fds(&msg);
        if received == 0 {
            return Ok(None);
        }
        let message = serde_json::from_slice(&bytes).map_err(io::Error::other)?;
        Ok(Some((message, fds)))
    }
}

impl AsFd for Channel {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Room for one control header carrying `count` descriptors.
fn control_space(count: usize) -> usize {
    // SAFETY: CMSG_SPACE is a pure size computation.
    unsafe { libc::CMSG_SPACE((count * size_of::<RawFd>()) as u32) as usize }
}

/// Takes ownership of every descriptor a received message carried.
fn received_fds(msg: &libc::msghdr) -> Vec<OwnedFd> {
    let mut fds = Vec::new();
    // SAFETY: the headers were filled by the kernel within the control buffer.
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(msg);
        while !header.is_null() {
            if (*header).cmsg_level == libc::SOL_SOCKET && (*header).cmsg_type == libc::SCM_RIGHTS {
                let data_len = (*header).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                let data = libc::CMSG_DATA(header).cast::<RawFd>();
                for index in 0..data_len / size_of::<RawFd>() {
                    fds.push(OwnedFd::from_raw_fd(data.add(index).read_unaligned()));
                }
            }
            header = libc::CMSG_NXTHDR(msg, header);
        }
    }
    fds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_descriptors_cross() {
        let (a, b) = Channel::pair().unwrap();
        let file = std::fs::File::open("/dev/null").unwrap();
        a.send(&Report::ExecFailed(2), &[file.as_fd()]).unwrap();
        let (message, fds) = b.recv::<Report>().unwrap().unwrap();
        assert!(matches!(message, Report::ExecFailed(2)));
        assert_eq!(fds.len(), 1);
        let original = sys::fstat(file.as_fd()).unwrap().id;
        assert_eq!(sys::fstat(fds[0].as_fd()).unwrap().id, original);
        drop(a);
        assert!(b.recv::<Report>().unwrap().is_none());
    }
}
