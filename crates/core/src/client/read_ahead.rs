//! [`ReadAhead`]: a stream's events read on a task of their own, a few batches ahead of their
//! consumer, so that reading and parsing overlap with whatever the consumer does with them.
//!
//! For the Node binding this is what lets the network, the SSE parser and JavaScript's
//! `JSON.parse` run at the same time on different threads, and lets JavaScript take a batch
//! that is already there without waiting for a thread to wake up.

use std::task::Poll;

use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::task::{JoinError, JoinHandle};
use tokio_util::sync::CancellationToken;

use super::event::ResponseEvent;
use super::stream::ResponseStream;
use crate::{CodexErr, Result};

/// How far ahead a [`ReadAhead`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAheadLimits {
    /// Batches read but not yet taken, at most.
    pub batches: usize,
    /// Events in one batch, at most.
    pub events_per_batch: usize,
}

/// The batches of a [`ResponseStream`], read by a task of their own at most
/// [`ReadAheadLimits::batches`] ahead of the consumer.
///
/// The task stops (and drops the connection) as soon as the stream is over, `cancel` fires, or
/// the `ReadAhead` is closed or dropped. Memory stays bounded: besides the stream's own buffer
/// (what one read took, see [`ResponseStream`]) there are at most `batches` batches of at most
/// `events_per_batch` events, and a full queue stops the reading (the server waits) until half
/// of it is free again; the idle timeout counts only while the task waits for the network,
/// never while the consumer is busy.
///
/// # Cancellation
///
/// Once `cancel` fires, the next call returns [`CodexErr::Interrupted`], even if read batches
/// are left: the consumer asked to stop, so nothing read after that is handed out.
#[derive(Debug)]
pub struct ReadAhead<T> {
    batches: mpsc::Receiver<Result<T>>,
    /// The reading task, asked how it ended once its batches are all taken: a panic there must
    /// not pass for the end of the stream.
    task: JoinHandle<()>,
    cancel: CancellationToken,
    /// The end or a failure was handed out: nothing follows.
    over: bool,
}

impl<T: Send + 'static> ReadAhead<T> {
    /// Starts reading `stream` on the current tokio runtime; `map` turns each batch into what
    /// the consumer takes (on the reading task, off the consumer's thread). `cancel` should be
    /// the token the stream was created with.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as [`tokio::spawn`].
    pub fn spawn<F>(
        stream: ResponseStream,
        cancel: CancellationToken,
        limits: ReadAheadLimits,
        map: F,
    ) -> Self
    where
        F: FnMut(Vec<ResponseEvent>) -> T + Send + 'static,
    {
        let (sender, batches) = mpsc::channel(limits.batches.max(1));
        let task = tokio::spawn(read(
            stream,
            sender,
            cancel.clone(),
            limits.events_per_batch.max(1),
            map,
        ));
        ReadAhead {
            batches,
            task,
            cancel,
            over: false,
        }
    }
}

impl<T> ReadAhead<T> {
    /// The next batch if one is ready: `Ready(Some(_))` a batch or the failure that ended the
    /// stream, `Ready(None)` the end, `Pending` when the reader has nothing yet.
    pub fn try_next(&mut self) -> Poll<Option<Result<T>>> {
        if self.over {
            return Poll::Ready(None);
        }
        if self.cancel.is_cancelled() {
            return Poll::Ready(Some(self.fail(CodexErr::Interrupted { output: None })));
        }
        match self.batches.try_recv() {
            Ok(batch) => Poll::Ready(Some(self.pass(batch))),
            Err(TryRecvError::Empty) => Poll::Pending,
            // The task may still be unwinding: then `next` waits for it.
            Err(TryRecvError::Disconnected) => match (&mut self.task).now_or_never() {
                Some(ended) => Poll::Ready(self.end(ended)),
                None => Poll::Pending,
            },
        }
    }

    /// The next batch, waiting for it; `None` after the end or a failure.
    ///
    /// # Errors
    ///
    /// As [`ResponseStream::next`].
    pub async fn next(&mut self) -> Option<Result<T>> {
        if self.over {
            return None;
        }
        let next = tokio::select! {
            biased;
            () = self.cancel.cancelled() => Some(Err(CodexErr::Interrupted { output: None })),
            next = self.batches.recv() => next,
        };
        match next {
            Some(batch) => Some(self.pass(batch)),
            None => {
                let ended = (&mut self.task).await;
                self.end(ended)
            }
        }
    }

    /// Stops reading and drops the connection; later calls return `None`.
    pub fn close(&mut self) {
        self.over = true;
        self.batches.close();
    }

    fn pass(&mut self, batch: Result<T>) -> Result<T> {
        match batch {
            Ok(batch) => Ok(batch),
            Err(error) => self.fail(error),
        }
    }

    fn fail(&mut self, error: CodexErr) -> Result<T> {
        self.close();
        Err(error)
    }

    /// After the last batch: `None`, unless the task ended in a panic.
    fn end(&mut self, ended: std::result::Result<(), JoinError>) -> Option<Result<T>> {
        match ended {
            Ok(()) => {
                self.close();
                None
            }
            Err(panicked) => Some(self.fail(CodexErr::TokioJoin(panicked))),
        }
    }
}

/// The reading task: batches into `sender` until the stream is over, the consumer is gone or
/// `cancel` fires.
async fn read<T, F>(
    mut stream: ResponseStream,
    sender: mpsc::Sender<Result<T>>,
    cancel: CancellationToken,
    events_per_batch: usize,
    mut map: F,
) where
    F: FnMut(Vec<ResponseEvent>) -> T,
{
    // Room is taken for half the queue at a time: a consumer that keeps the queue full then
    // wakes this task once per that many batches, not for each one it takes.
    let refill = sender.max_capacity().div_ceil(2);
    loop {
        let room = tokio::select! {
            biased;
            () = cancel.cancelled() => return,
            room = sender.reserve_many(refill) => room,
        };
        let Ok(room) = room else {
            return; // the consumer is gone
        };
        for slot in room {
            // The stream ends itself with `Interrupted` on cancellation; a consumer that went
            // away without cancelling must not keep the connection until the next byte or the
            // idle timeout.
            let batch = tokio::select! {
                biased;
                () = sender.closed() => return,
                batch = stream.next_batch(events_per_batch) => batch,
            };
            let Some(batch) = batch else {
                return;
            };
            slot.send(batch.map(&mut map));
        }
    }
}
