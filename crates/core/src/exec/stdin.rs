//! [`ExecStdin`]: what a command reads on its stdin, and feeding it with backpressure.

use std::fmt;
use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;

/// A stream of chunks for a command's stdin (see [`ExecStdin::Stream`]).
pub type StdinStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// What the command reads on its stdin.
#[derive(Default)]
pub enum ExecStdin {
    /// `/dev/null`.
    #[default]
    Null,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
    /// Chunks written as the command reads them, then end of file.
    ///
    /// The next chunk is asked for only once the previous one is wholly in the pipe (of
    /// 1 MiB where the kernel allows), so at most one chunk and the pipe's buffer are ahead of
    /// the command: a slow reader keeps memory flat. When the command closes its stdin or exits (and its output has ended),
    /// or the run ends otherwise, the stream is dropped without being asked for more.
    ///
    /// An `Err` item kills the command as a cancellation does, leaving its stdin open until
    /// it is dead (it never takes a cut-short input for the whole), and `exec` fails with
    /// [`CodexErr::Io`](crate::CodexErr::Io) (`syscall: "read"`) carrying that error.
    Stream(StdinStream),
}

impl ExecStdin {
    /// A [`Stream`](ExecStdin::Stream) from any stream of chunks.
    pub fn stream(chunks: impl Stream<Item = io::Result<Bytes>> + Send + 'static) -> Self {
        ExecStdin::Stream(Box::pin(chunks))
    }

    /// Whether the command gets a pipe (anything but `/dev/null`).
    pub(crate) fn is_piped(&self) -> bool {
        !matches!(self, ExecStdin::Null)
    }
}

impl From<Vec<u8>> for ExecStdin {
    fn from(bytes: Vec<u8>) -> Self {
        ExecStdin::Bytes(bytes)
    }
}

impl fmt::Debug for ExecStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecStdin::Null => f.write_str("Null"),
            ExecStdin::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            ExecStdin::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// How feeding stdin ended.
#[derive(Debug)]
pub(crate) enum Fed {
    /// All was written, or the command stopped reading, or the run ended first; stdin is closed.
    Closed,
    /// The stream failed: the run must be killed. The pipe is held here, open, until then.
    Failed {
        /// The stream's error.
        error: io::Error,
        /// The command's stdin, closed only when this is dropped.
        _pipe: ChildStdin,
    },
}

/// Writes `stdin` to the command's `pipe` and closes it; a command that stops reading (EPIPE)
/// ends the feeding without an error: what it did read is its business.
pub(crate) async fn feed(pipe: Option<ChildStdin>, stdin: ExecStdin) -> Fed {
    let Some(mut pipe) = pipe else {
        return Fed::Closed;
    };
    enlarge(&pipe);
    match stdin {
        ExecStdin::Null => {}
        ExecStdin::Bytes(bytes) => {
            let _ = pipe.write_all(&bytes).await;
        }
        ExecStdin::Stream(mut chunks) => {
            // One chunk at a time: awaiting the write is the backpressure.
            while let Some(chunk) = chunks.next().await {
                match chunk {
                    Ok(bytes) => {
                        if pipe.write_all(&bytes).await.is_err() {
                            break;
                        }
                    }
                    Err(error) => return Fed::Failed { error, _pipe: pipe },
                }
            }
        }
    }
    Fed::Closed
}

/// Asks for a 1 MiB pipe (the most an unprivileged process may ask for by default): with the
/// default 64 KiB, each 64 KiB chunk of a `Readable` filled the pipe, so feeder and command
/// took turns, and streamed stdin ran at half the speed. Best effort: a smaller pipe is only
/// slower.
fn enlarge(pipe: &ChildStdin) {
    use std::os::fd::AsRawFd;
    // SAFETY: fcntl on a descriptor the pipe owns for the whole call.
    unsafe { libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, 1024 * 1024) };
}
