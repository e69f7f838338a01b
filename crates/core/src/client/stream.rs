//! [`ResponseStream`]: the events of one response, read with an idle timeout, ended by the
//! terminal event, and retried while no event has been handed out yet.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{FutureExt, Stream};
use tokio::time::Sleep;
use tokio_util::sync::WaitForCancellationFutureOwned;

use super::event::{Ending, ResponseEvent, classify};
use super::request::{Request, ResponseHead, deadline_after};
use super::sse::{SseError, SseEvent, SseParser};
use crate::{CodexErr, Result};

/// How long a completed stream's connection may take to finish its body, so it can be reused.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// How much of a completed stream's trailing body is read for reuse before giving up on it.
const DRAIN_LIMIT: usize = 64 * 1024;

/// How many bytes of chunks that already arrived one read takes after the chunk it waited for.
/// The HTTP client hands the body over in slices of a few KiB, one task wake-up each; taking
/// the ready ones together lets a batch fill without waiting, and the cap bounds the buffering.
const READY_LIMIT: usize = 256 * 1024;

/// What reading one chunk of the body gave.
type Chunk = reqwest::Result<Option<Bytes>>;

/// The events of one response, in arrival order.
///
/// Only the events of what the connection had received when last read are buffered (at most
/// [`READY_LIMIT`] bytes beyond one chunk): the network is read again when the caller asks for
/// an event and none is left.
///
/// # Retries
///
/// If the stream breaks (a transport error or EOF) before any event was handed out, the request
/// is sent again under the client's retry rules, and the new response replaces this one
/// (its status, request id and headers included). Once an event was handed out, a break ends
/// the stream with [`CodexErr::Stream`]. A stall past the idle timeout is never retried: it
/// ends the stream with [`CodexErr::Timeout`].
#[derive(Debug)]
pub struct ResponseStream {
    request: Request,
    /// `None` once the stream is over (terminal event, failure, cancellation or `close`).
    response: Option<reqwest::Response>,
    head: ResponseHead,
    parser: SseParser,
    queue: VecDeque<SseEvent>,
    /// A failure met while filling a batch, reported by the next call.
    deferred: Option<CodexErr>,
    /// The end or error of the body met while taking ready chunks, handled once the events
    /// parsed before it are handed out.
    held_break: Option<Chunk>,
    /// Fires no later than the current idle deadline. Reading a chunk only moves the deadline;
    /// the timer is re-armed when it fires early, so a busy stream touches no timer per chunk.
    idle_timer: Option<Pin<Box<Sleep>>>,
    /// Resolves on cancellation: one registration for the stream's life, not one per chunk.
    cancelled: Pin<Box<WaitForCancellationFutureOwned>>,
    events_received: u64,
}

impl ResponseStream {
    pub(crate) fn new(request: Request, response: reqwest::Response, head: ResponseHead) -> Self {
        let cancelled = Box::pin(request.cancel.clone().cancelled_owned());
        ResponseStream {
            request,
            response: Some(response),
            head,
            parser: SseParser::new(),
            queue: VecDeque::new(),
            deferred: None,
            held_break: None,
            idle_timer: None,
            cancelled,
            events_received: 0,
        }
    }

    /// The HTTP status of the response being read.
    pub fn status(&self) -> u16 {
        self.head.status
    }

    /// The response's `x-request-id`, if it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.head.request_id.as_deref()
    }

    /// The response headers (names lowercase, values decoded lossily).
    pub fn headers(&self) -> &[(String, String)] {
        &self.head.headers
    }

    /// Whether the stream is over: the next call to `next` returns `None`.
    pub fn is_done(&self) -> bool {
        self.response.is_none() && self.queue.is_empty() && self.deferred.is_none()
    }

    /// How many events have been handed out so far.
    pub fn events_received(&self) -> u64 {
        self.events_received
    }

    /// The next event; `None` after the terminal event, a failure, cancellation or
    /// [`ResponseStream::close`].
    ///
    /// # Errors
    ///
    /// `Stream` (broken or ended without a terminal event), `Timeout` (idle), `ResponseFailed`,
    /// `Json` (bad JSON or an event over 16 MiB), `Interrupted` (cancelled), and, when a break
    /// before the first event led to a retry, whatever that retry met.
    pub async fn next(&mut self) -> Option<Result<ResponseEvent>> {
        loop {
            if let Some(error) = self.deferred.take() {
                return Some(Err(error));
            }
            if self.response.is_none() && self.queue.is_empty() {
                return None;
            }
            if self.request.cancel.is_cancelled() {
                return Some(Err(self.fail(CodexErr::Interrupted { output: None })));
            }
            if let Some(event) = self.queue.pop_front() {
                return Some(self.hand_out(event));
            }
            if let Err(error) = self.read().await {
                return Some(Err(self.fail(error)));
            }
        }
    }

    /// Up to `max` events: waits for the first, then takes what is already buffered, so one
    /// call can carry everything already received across an FFI boundary.
    ///
    /// # Errors
    ///
    /// As [`ResponseStream::next`]; an error met after the first event of a batch is held back
    /// and returned by the next call.
    pub async fn next_batch(&mut self, max: usize) -> Option<Result<Vec<ResponseEvent>>> {
        let first = match self.next().await? {
            Ok(event) => event,
            Err(error) => return Some(Err(error)),
        };
        let mut batch = Vec::with_capacity(max.min(self.queue.len() + 1));
        batch.push(first);
        while batch.len() < max && !self.request.cancel.is_cancelled() {
            let Some(event) = self.queue.pop_front() else {
                break;
            };
            match self.hand_out(event) {
                Ok(event) => batch.push(event),
                Err(error) => {
                    self.deferred = Some(error);
                    break;
                }
            }
        }
        Some(Ok(batch))
    }

    /// Ends the stream now and drops the connection; later calls to `next` return `None`.
    pub fn close(&mut self) {
        self.response = None;
        self.held_break = None;
        self.queue.clear();
    }

    /// This stream as a [`futures_util::Stream`].
    pub fn into_stream(self) -> impl Stream<Item = Result<ResponseEvent>> + Send + 'static {
        futures_util::stream::unfold(self, |mut stream| async move {
            let item = stream.next().await?;
            Some((item, stream))
        })
    }

    /// Validates a parsed event and counts it as handed out.
    fn hand_out(&mut self, event: SseEvent) -> Result<ResponseEvent> {
        match classify(event) {
            Ok((event, Ending::Continues)) => {
                self.events_received += 1;
                Ok(event)
            }
            Ok((event, Ending::Ends)) => {
                self.events_received += 1;
                self.complete();
                Ok(event)
            }
            Err(error) => Err(self.fail(error)),
        }
    }

    /// Reads and parses the next chunk and those already behind it, retrying a break before
    /// the first event.
    async fn read(&mut self) -> Result<()> {
        if self.response.is_none() {
            return Ok(());
        }
        let chunk = match self.held_break.take() {
            Some(chunk) => chunk,
            None => self.wait_for_chunk().await?,
        };
        match chunk {
            Ok(Some(bytes)) => {
                feed(&mut self.parser, &mut self.queue, &bytes)?;
                self.take_ready().await
            }
            Ok(None) => {
                self.broken("stream closed before response.completed", None)
                    .await
            }
            Err(error) => {
                self.broken("error reading the response stream", Some(error))
                    .await
            }
        }
    }

    /// Waits for the next chunk, at most the idle timeout from now.
    ///
    /// # Errors
    ///
    /// `Timeout` when no byte arrives in time, `Interrupted` when cancelled.
    async fn wait_for_chunk(&mut self) -> Result<Chunk> {
        let Some(response) = self.response.as_mut() else {
            return Ok(Ok(None));
        };
        let idle = self.request.idle_timeout();
        let deadline = deadline_after(idle);
        let timer = self
            .idle_timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        let cancelled = &mut self.cancelled;
        let mut chunk = pin!(response.chunk());
        poll_fn(|cx| {
            if cancelled.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(CodexErr::Interrupted { output: None }));
            }
            if let Poll::Ready(chunk) = chunk.as_mut().poll(cx) {
                return Poll::Ready(Ok(chunk));
            }
            while timer.as_mut().poll(cx).is_ready() {
                if timer.deadline() >= deadline {
                    return Poll::Ready(Err(CodexErr::Timeout { idle }));
                }
                timer.as_mut().reset(deadline);
            }
            Poll::Pending
        })
        .await
    }

    /// Parses the chunks that already arrived, up to [`READY_LIMIT`] bytes, without waiting
    /// for the network; a break among them is held until the events before it are handed out.
    ///
    /// The HTTP connection task decodes the next chunk only after this one was taken, so when
    /// none is ready this yields once to let it run before concluding nothing more arrived.
    async fn take_ready(&mut self) -> Result<()> {
        let Some(response) = self.response.as_mut() else {
            return Ok(());
        };
        let mut taken = 0;
        let mut yielded = false;
        while taken < READY_LIMIT && !self.request.cancel.is_cancelled() {
            match response.chunk().now_or_never() {
                None if yielded => break,
                None => {
                    tokio::task::yield_now().await;
                    yielded = true;
                }
                Some(Ok(Some(bytes))) => {
                    taken += bytes.len();
                    yielded = false;
                    feed(&mut self.parser, &mut self.queue, &bytes)?;
                }
                Some(end) => {
                    self.held_break = Some(end);
                    break;
                }
            }
        }
        Ok(())
    }

    async fn broken(&mut self, message: &str, source: Option<reqwest::Error>) -> Result<()> {
        let error = CodexErr::Stream {
            message: message.into(),
            events_received: self.events_received,
            source: source.map(Into::into),
        };
        if self.events_received > 0 {
            return Err(error);
        }
        self.response = None;
        self.parser = SseParser::new();
        let (response, head) = self.request.resend_after_break(error).await?;
        self.response = Some(response);
        self.head = head;
        Ok(())
    }

    /// Ends the stream on `error`, dropping the connection.
    fn fail(&mut self, error: CodexErr) -> CodexErr {
        self.close();
        error
    }

    /// Ends the stream after its terminal event. The rest of the body (normally just the end of
    /// the chunked encoding) is drained in the background so the connection can be reused; a
    /// server that holds it open only costs that task's [`DRAIN_TIMEOUT`].
    fn complete(&mut self) {
        self.queue.clear();
        self.held_break = None;
        let Some(mut response) = self.response.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let drain = async {
                    let mut drained = 0;
                    while let Ok(Some(chunk)) = response.chunk().await {
                        drained += chunk.len();
                        if drained > DRAIN_LIMIT {
                            break;
                        }
                    }
                };
                let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
            });
        }
    }
}

/// Parses `bytes` into `queue`.
///
/// # Errors
///
/// `Json` when an event outgrows the parser's limit.
fn feed(parser: &mut SseParser, queue: &mut VecDeque<SseEvent>, bytes: &[u8]) -> Result<()> {
    parser
        .feed(bytes, queue)
        .map_err(|SseError::EventTooLarge { limit, head }| CodexErr::Json {
            message: format!("event exceeds {limit} bytes"),
            raw: head,
            source: None,
        })
}
