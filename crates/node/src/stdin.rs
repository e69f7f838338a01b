//! `exec`'s streamed stdin: the facade writes an async iterable's chunks into a
//! [`StdinWriter`], and codex-core reads them as an [`ExecStdin::Stream`].
//!
//! Pushed by JavaScript, not pulled by Rust: a pull per chunk (a call into JavaScript and a
//! wait for its promise) cost some 60 µs of thread hand-overs per chunk, which held a stream
//! of 64 KiB chunks to a third of what `spawn` piping it reaches. Here the facade queues
//! chunks synchronously while a byte budget has room, and waits (one hand-over) only when the
//! command is that far behind.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use codex_core::exec::ExecStdin;
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder, Buffer};
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use napi::{Env, Status};
use napi_derive::napi;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::buffer_pool::BufferPool;

/// How many bytes may wait in the queue for the command: enough that the facade rarely waits,
/// little enough that a slow reader keeps memory flat.
const BUDGET: usize = 1024 * 1024;

/// How many idle chunk buffers are kept: a budget's worth of 64 KiB chunks (a `Readable`'s
/// usual size), and the ones being written.
const POOLED: usize = BUDGET / (64 * 1024) + 2;

/// The facade's callback: `true` once the command has started and wants its input (so an
/// iterable the command never started for is left untouched); `false` once no more will be
/// read (the command closed its stdin or exited, or the run is over), so that the facade ends
/// the iterator. Its return value is ignored.
///
/// Weak: the pending `exec` keeps the event loop alive while the callback is wanted, and a
/// writer no `exec` took must not keep it alive until it is collected.
pub type StdinSignal = ThreadsafeFunction<bool, UnknownReturnValue, bool, Status, false, true>;

/// What became of a chunk given to [`StdinWriter::write`].
#[napi(string_enum = "lowercase")]
pub enum StdinWrite {
    /// It is on its way to the command.
    Queued,
    /// The budget has no room for it: wait for [`StdinWriter::ready`], then write it again.
    Full,
    /// Nobody reads any more, or the input was ended: stop.
    Closed,
}

/// One item of the queue.
enum Queued {
    /// A chunk, holding its share of the budget until the core takes it.
    Chunk(Bytes, OwnedSemaphorePermit),
    /// The iterable failed: the command must be killed before it sees an end of file.
    Failed,
}

/// The writing side of one `exec` call's streamed stdin.
#[napi]
pub struct StdinWriter {
    /// Where chunks go; `None` once the input was ended or failed.
    queue: Mutex<Option<mpsc::UnboundedSender<Queued>>>,
    /// Bytes that may still be queued.
    budget: Arc<Semaphore>,
    /// The buffers chunks are copied into.
    buffers: Arc<BufferPool>,
    /// Cancelled when the reading side is dropped.
    reader_gone: CancellationToken,
    /// The reading side, until `exec` takes it.
    reader: Mutex<Option<StdinReader>>,
}

#[napi]
impl StdinWriter {
    /// A writer whose reading side calls `signal` when the command starts and when it stops
    /// reading.
    #[napi(constructor)]
    pub fn new(#[napi(ts_arg_type = "(reading: boolean) => void")] signal: StdinSignal) -> Self {
        let (sender, chunks) = mpsc::unbounded_channel();
        let reader_gone = CancellationToken::new();
        Self {
            queue: Mutex::new(Some(sender)),
            budget: Arc::new(Semaphore::new(BUDGET)),
            buffers: BufferPool::new(POOLED),
            reader: Mutex::new(Some(StdinReader {
                chunks,
                signal,
                started: false,
                gone: reader_gone.clone(),
            })),
            reader_gone,
        }
    }

    /// Queues a copy of `chunk` if the budget has room for it.
    #[napi]
    pub fn write(&self, chunk: Buffer) -> StdinWrite {
        let queue = locked(&self.queue);
        let Some(sender) = queue.as_ref() else {
            return StdinWrite::Closed;
        };
        if self.reader_gone.is_cancelled() {
            return StdinWrite::Closed;
        }
        let Ok(permit) = Arc::clone(&self.budget).try_acquire_many_owned(share_of(chunk.len()))
        else {
            return StdinWrite::Full;
        };
        // Copied at once: the caller's memory is not ours to keep.
        let mut bytes = self.buffers.take();
        bytes.extend_from_slice(&chunk);
        let copy = PooledChunk {
            bytes,
            pool: Arc::clone(&self.buffers),
        };
        match sender.send(Queued::Chunk(Bytes::from_owner(copy), permit)) {
            Ok(()) => StdinWrite::Queued,
            Err(_) => StdinWrite::Closed,
        }
    }

    /// Resolves once a chunk of `bytes` fits (with room to spare: half the budget, so that a
    /// writer ahead of a steady reader waits once per half budget, not once per chunk), or
    /// once nobody reads any more.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn ready(&self, env: Env, bytes: u32) -> napi::Result<AsyncBlock<()>> {
        let budget = Arc::clone(&self.budget);
        let gone = self.reader_gone.clone();
        let wanted = share_of(bytes as usize).max(share_of(BUDGET / 2));
        let room = async move {
            tokio::select! {
                // Given back at once: `write` takes what it needs.
                _room = budget.acquire_many_owned(wanted) => {}
                () = gone.cancelled() => {}
            }
            Ok(())
        };
        AsyncBlockBuilder::new(room).build(&env)
    }

    /// The iterable is done: the command's stdin is closed once what is queued is written.
    #[napi]
    pub fn end(&self) {
        locked(&self.queue).take();
    }

    /// The iterable failed: the command is killed before it sees an end of file.
    #[napi]
    pub fn fail(&self) {
        if let Some(sender) = locked(&self.queue).take() {
            let _ = sender.send(Queued::Failed);
        }
    }
}

impl StdinWriter {
    /// The reading side as codex-core's stdin; `None` if an `exec` call already took it.
    pub(crate) fn take_stdin(&self) -> Option<ExecStdin> {
        locked(&self.reader).take().map(StdinReader::into_stdin)
    }
}

/// The reading side of a [`StdinWriter`].
struct StdinReader {
    /// The queued chunks.
    chunks: mpsc::UnboundedReceiver<Queued>,
    /// The facade's callback.
    signal: StdinSignal,
    /// Whether the facade was told to start.
    started: bool,
    /// The writer's `reader_gone`.
    gone: CancellationToken,
}

impl StdinReader {
    /// A stream for codex-core, which polls it first once the command has started.
    fn into_stdin(self) -> ExecStdin {
        ExecStdin::stream(futures_util::stream::unfold(
            self,
            |mut reader| async move {
                if !reader.started {
                    reader.started = true;
                    reader.tell(true);
                }
                let item = match reader.chunks.recv().await? {
                    Queued::Chunk(bytes, _share) => Ok(bytes),
                    Queued::Failed => Err(io::Error::other("options.stdin failed")),
                };
                Some((item, reader))
            },
        ))
    }

    /// Calls the facade's callback without waiting, from whichever thread this runs on.
    fn tell(&self, reading: bool) {
        // A JavaScript environment that is shutting down has no iterator left to end.
        let _ = self
            .signal
            .call(reading, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

impl Drop for StdinReader {
    fn drop(&mut self) {
        self.gone.cancel();
        if self.started {
            self.tell(false);
        }
    }
}

/// A chunk's copy, its buffer going back to the pool once the core has written it.
struct PooledChunk {
    bytes: Vec<u8>,
    pool: Arc<BufferPool>,
}

impl AsRef<[u8]> for PooledChunk {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for PooledChunk {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.bytes));
    }
}

/// The budget's permits a chunk of `len` bytes takes: all of it at most, so that a chunk
/// larger than the budget is queued alone rather than never.
fn share_of(len: usize) -> u32 {
    u32::try_from(len.min(BUDGET)).unwrap_or(u32::MAX)
}

/// The mutex's value, even if a panic poisoned it (each value here is valid at every step).
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
