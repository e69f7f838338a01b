//! Reading the child's stdout and stderr together, bounded in memory, until EOF or told to stop.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::sync::CancellationToken;

use super::capture::CappedBuffer;
use super::output::CapturedText;
use super::sink::{OutputSink, OutputStream};

/// How much is read from a pipe at once.
pub(crate) const READ_SIZE: usize = 64 * 1024;

/// What was kept of the child's output.
#[derive(Debug)]
pub(crate) struct Collected {
    /// Standard output.
    pub(crate) stdout: CapturedText,
    /// Standard error.
    pub(crate) stderr: CapturedText,
    /// Both, in arrival order.
    pub(crate) aggregated: CapturedText,
}

/// The output seen so far, capped per stream and interleaved.
pub(crate) struct Collector {
    stdout: CappedBuffer,
    stderr: CappedBuffer,
    aggregated: CappedBuffer,
    sink: Option<OutputSink>,
}

impl Collector {
    /// A collector keeping at most `cap` bytes of each stream and forwarding every chunk to
    /// `sink`, reading no further while the sink's budget is used up.
    pub(crate) fn new(cap: usize, sink: Option<OutputSink>) -> Self {
        Collector {
            stdout: CappedBuffer::new(cap),
            stderr: CappedBuffer::new(cap),
            aggregated: CappedBuffer::new(cap),
            sink,
        }
    }

    /// Keeps what the caps allow of `bytes`, then hands them to the sink, waiting for room in
    /// its budget: meanwhile nothing is read, so a child that keeps writing blocks on the pipe.
    async fn record(&mut self, stream: OutputStream, bytes: &[u8], stop: &CancellationToken) {
        match stream {
            OutputStream::Stdout => self.stdout.push(bytes),
            OutputStream::Stderr => self.stderr.push(bytes),
        }
        self.aggregated.push(bytes);
        if let Some(sink) = &self.sink {
            // A receiver that went away only stops the live feed, not the capture.
            if !sink.send(stream, bytes, stop).await {
                self.sink = None;
            }
        }
    }

    /// Reads both streams until each reaches EOF (or fails), or until `stop` is cancelled.
    pub(crate) async fn read_to_end<O, E>(
        mut self,
        mut stdout: Option<O>,
        mut stderr: Option<E>,
        stop: &CancellationToken,
    ) -> Collected
    where
        O: AsyncRead + Unpin,
        E: AsyncRead + Unpin,
    {
        let mut out_buf = vec![0u8; READ_SIZE];
        let mut err_buf = vec![0u8; READ_SIZE];
        while stdout.is_some() || stderr.is_some() {
            let (stream, read) = tokio::select! {
                // Stop first; stdout before stderr when both are ready, so the interleaving is
                // deterministic. Stderr is not starved: a child blocked on a full stderr pipe
                // stops writing stdout.
                biased;
                () = stop.cancelled() => break,
                read = read_some(&mut stdout, &mut out_buf) => (OutputStream::Stdout, read),
                read = read_some(&mut stderr, &mut err_buf) => (OutputStream::Stderr, read),
            };
            match (stream, read) {
                (OutputStream::Stdout, Some(n)) => {
                    self.record(stream, &out_buf[..n], stop).await;
                }
                (OutputStream::Stderr, Some(n)) => {
                    self.record(stream, &err_buf[..n], stop).await;
                }
                (OutputStream::Stdout, None) => stdout = None,
                (OutputStream::Stderr, None) => stderr = None,
            }
        }
        Collected {
            stdout: self.stdout.finish(),
            stderr: self.stderr.finish(),
            aggregated: self.aggregated.finish(),
        }
    }
}

/// One read from `reader`; `None` at EOF or on a read error (either way the stream is over).
/// Never completes when there is no reader, so a closed stream drops out of the `select!`.
async fn read_some<R: AsyncRead + Unpin>(reader: &mut Option<R>, buf: &mut [u8]) -> Option<usize> {
    match reader {
        Some(reader) => match reader.read(buf).await {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(n),
        },
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;
    use crate::exec::sink::output_channel;

    #[tokio::test]
    async fn interleaves_streams_in_arrival_order_and_forwards_chunks() {
        let (mut out_tx, out_rx) = tokio::io::duplex(64);
        let (mut err_tx, err_rx) = tokio::io::duplex(64);
        let (sink, mut chunks) = output_channel(1024);
        let stop = CancellationToken::new();
        let reader = tokio::spawn(async move {
            Collector::new(100, Some(sink))
                .read_to_end(Some(out_rx), Some(err_rx), &stop)
                .await
        });
        for (stream, text) in [(0, "one "), (1, "two "), (0, "three")] {
            let tx = if stream == 0 {
                &mut out_tx
            } else {
                &mut err_tx
            };
            tx.write_all(text.as_bytes()).await.unwrap();
            // Wait for the chunk to be read so the arrival order is the write order.
            let chunk = chunks.recv().await.unwrap();
            assert_eq!(chunk.data, text.as_bytes());
        }
        drop((out_tx, err_tx));
        let collected = reader.await.unwrap();
        assert_eq!(collected.stdout.text, "one three");
        assert_eq!(collected.stderr.text, "two ");
        assert_eq!(collected.aggregated.text, "one two three");
    }

    #[tokio::test]
    async fn stop_ends_collection_while_a_writer_holds_the_pipe() {
        let (mut out_tx, out_rx) = tokio::io::duplex(64);
        out_tx.write_all(b"partial").await.unwrap();
        let stop = CancellationToken::new();
        let stopper = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            stopper.cancel();
        });
        let collected = Collector::new(100, None)
            .read_to_end(Some(out_rx), None::<tokio::io::DuplexStream>, &stop)
            .await;
        assert_eq!(collected.stdout.text, "partial");
        drop(out_tx);
    }
}
