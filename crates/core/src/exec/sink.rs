//! [`OutputSink`]: a command's output handed to the caller as it is read, with a bound on how
//! much may be read ahead of the caller (backpressure, as a paused Node stream gives).

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::collect::READ_SIZE;

/// How many bytes of output may be read ahead of the caller by default: past this, the child's
/// pipes are not read until the caller has handled (dropped) earlier chunks.
pub const DEFAULT_OUTPUT_IN_FLIGHT: usize = 1024 * 1024;

/// A piece of output, as read from the child.
///
/// Until it is dropped its bytes count against the in-flight budget of the sink it came from:
/// a caller that holds chunks, or has not yet handled them, keeps `exec` from reading more.
#[derive(Debug)]
pub struct OutputChunk {
    /// Which stream it came from.
    pub stream: OutputStream,
    /// The bytes, exactly as read.
    pub data: Bytes,
    /// This chunk's share of the budget, given back when the chunk is dropped. `None` for the
    /// one chunk that may be sent over budget once the run is ending.
    _in_flight: Option<OwnedSemaphorePermit>,
}

/// One of the child's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Where `exec` sends each chunk of output as it is read
/// ([`ExecParams::on_output`](super::ExecParams::on_output)); made by [`output_channel`].
#[derive(Debug, Clone)]
pub struct OutputSink {
    sender: mpsc::UnboundedSender<OutputChunk>,
    budget: Arc<Semaphore>,
}

/// The receiving end of an [`OutputSink`]: chunks in the order they were read.
pub type OutputReceiver = mpsc::UnboundedReceiver<OutputChunk>;

/// A sink that lets at most `max_in_flight` bytes of output (at least one read's worth, 64 KiB)
/// be read before the receiver has dropped them, and its receiver.
///
/// When the budget is used up, `exec` stops reading the child's pipes; a child that keeps
/// writing blocks once the pipe is full, until chunks are dropped. Timeouts and cancellation
/// are not held up: they kill the process group as usual.
pub fn output_channel(max_in_flight: usize) -> (OutputSink, OutputReceiver) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let permits = max_in_flight.clamp(READ_SIZE, Semaphore::MAX_PERMITS);
    let sink = OutputSink {
        sender,
        budget: Arc::new(Semaphore::new(permits)),
    };
    (sink, receiver)
}

impl OutputSink {
    /// Sends a copy of `bytes` once the budget has room for them. If `stop` fires first (the
    /// run is ending), sends them anyway: one chunk over budget, so that nothing that was read
    /// is withheld from the caller.
    ///
    /// Returns false when the receiver has gone away.
    pub(crate) async fn send(
        &self,
        stream: OutputStream,
        bytes: &[u8],
        stop: &CancellationToken,
    ) -> bool {
        // A read is at most READ_SIZE bytes, which the budget always holds.
        let wanted = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let in_flight = tokio::select! {
            biased;
            permit = Arc::clone(&self.budget).acquire_many_owned(wanted) => permit.ok(),
            () = stop.cancelled() => None,
        };
        let chunk = OutputChunk {
            stream,
            data: Bytes::copy_from_slice(bytes),
            _in_flight: in_flight,
        };
        self.sender.send(chunk).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn sending_waits_while_the_budget_is_held_and_resumes_when_chunks_are_dropped() {
        let (sink, mut receiver) = output_channel(0);
        let stop = CancellationToken::new();
        let full = vec![b'x'; READ_SIZE];
        assert!(sink.send(OutputStream::Stdout, &full, &stop).await);
        let held = receiver.recv().await.unwrap();
        let blocked = sink.send(OutputStream::Stderr, b"more", &stop);
        tokio::pin!(blocked);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut blocked)
                .await
                .is_err(),
            "sent while the budget was held"
        );
        drop(held);
        assert!(blocked.await);
        let next = receiver.recv().await.unwrap();
        assert_eq!(
            (next.stream, &next.data[..]),
            (OutputStream::Stderr, &b"more"[..])
        );
    }

    #[tokio::test]
    async fn a_stopping_run_sends_its_last_chunk_over_budget() {
        let (sink, mut receiver) = output_channel(0);
        let stop = CancellationToken::new();
        assert!(
            sink.send(OutputStream::Stdout, &vec![0; READ_SIZE], &stop)
                .await
        );
        let _held = receiver.recv().await.unwrap();
        stop.cancel();
        assert!(sink.send(OutputStream::Stdout, b"last", &stop).await);
        assert_eq!(&receiver.recv().await.unwrap().data[..], b"last");
        drop(receiver);
        assert!(!sink.send(OutputStream::Stdout, b"gone", &stop).await);
    }
}
