//! `ReadAhead`: batches read on a task of their own — the same events in the same order,
//! bounded buffering, no idle timeout while only the consumer is slow, prompt cancellation, and
//! a reader that panics never passes for the end of the stream.

use std::task::Poll;
use std::time::{Duration, Instant};

use codex_core::CodexErr;
use codex_core::client::{
    CancellationToken, ClientConfig, ReadAhead, ReadAheadLimits, ResponseEvent, ResponsesClient,
};
use tokio::sync::mpsc;

use super::server::{Server, completed, delta};
use super::support::{BODY, assert_closed_soon, config};

const LIMITS: ReadAheadLimits = ReadAheadLimits {
    batches: 2,
    events_per_batch: 16,
};

/// The kinds of a batch, as the consumer receives it.
fn kinds(events: Vec<ResponseEvent>) -> Vec<String> {
    events.into_iter().map(|event| event.kind).collect()
}

/// Starts reading `config`'s server ahead with `LIMITS`.
async fn read_ahead(config: ClientConfig, cancel: &CancellationToken) -> ReadAhead<Vec<String>> {
    let client = ResponsesClient::new(config).unwrap();
    let stream = client.create(BODY.into(), cancel.clone()).await.unwrap();
    ReadAhead::spawn(stream, cancel.clone(), LIMITS, kinds)
}

/// Takes batches (ready ones first, as the Node facade does) until the end or a failure.
async fn drain(batches: &mut ReadAhead<Vec<String>>) -> (Vec<String>, Option<CodexErr>) {
    let mut events = Vec::new();
    loop {
        let batch = match batches.try_next() {
            Poll::Ready(batch) => batch,
            Poll::Pending => batches.next().await,
        };
        match batch {
            None => return (events, None),
            Some(Ok(batch)) => {
                assert!(batch.len() <= LIMITS.events_per_batch);
                events.extend(batch);
            }
            Some(Err(error)) => return (events, Some(error)),
        }
    }
}

/// A server that sends `body` after the head, then holds the connection and reports when the
/// client closed it (`None`: not within 10 s).
async fn server_reporting_close(
    body: String,
) -> (Server, mpsc::UnboundedReceiver<Option<Instant>>) {
    let (closed, closed_rx) = mpsc::unbounded_channel();
    let server = Server::start(move |_, mut conn| {
        let (body, closed) = (body.clone(), closed.clone());
        async move {
            conn.sse_head("req_1").await;
            conn.write(body).await;
            closed
                .send(conn.client_closed(Duration::from_secs(10)).await)
                .unwrap();
        }
    })
    .await;
    (server, closed_rx)
}

/// The body of `count` deltas of about 1 KiB each, then `completed`.
fn big_body(count: usize) -> String {
    let mut body = String::new();
    for _ in 0..count {
        body.push_str(&delta(&"x".repeat(1000)));
    }
    body + &completed()
}

#[tokio::test]
async fn batches_carry_every_event_in_order_then_the_end() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        for _ in 0..5 {
            conn.write(delta("a").repeat(20)).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        conn.write(completed()).await;
    })
    .await;
    let cancel = CancellationToken::new();
    let mut batches = read_ahead(config(&server), &cancel).await;
    let (events, error) = drain(&mut batches).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events.len(), 101);
    assert_eq!(events[100], "response.completed");
    assert!(
        events[..100]
            .iter()
            .all(|kind| kind == "response.output_text.delta")
    );
    assert!(matches!(batches.try_next(), Poll::Ready(None)));
    assert!(batches.next().await.is_none());
}

#[tokio::test]
async fn a_failure_arrives_after_the_events_before_it() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("a") + &delta("b")).await;
    })
    .await;
    let cancel = CancellationToken::new();
    let mut batches = read_ahead(config(&server), &cancel).await;
    let (events, error) = drain(&mut batches).await;
    assert_eq!(events.len(), 2);
    assert!(
        matches!(
            error,
            Some(CodexErr::Stream {
                events_received: 2,
                ..
            })
        ),
        "{error:?}"
    );
    assert!(batches.next().await.is_none());
}

#[tokio::test]
async fn a_slow_consumer_holds_the_server_back_and_meets_no_idle_timeout() {
    // 16 MiB: more than the loopback socket buffers and the read-ahead together.
    let body = big_body(16 * 1024);
    let (written, mut written_rx) = mpsc::unbounded_channel();
    let server = Server::start(move |_, mut conn| {
        let (body, written) = (body.clone(), written.clone());
        async move {
            conn.sse_head("req_1").await;
            conn.write(body).await;
            written.send(Instant::now()).unwrap();
        }
    })
    .await;
    let cancel = CancellationToken::new();
    let mut batches = read_ahead(
        ClientConfig {
            stream_idle_timeout: Duration::from_millis(200),
            ..config(&server)
        },
        &cancel,
    )
    .await;
    let first = batches.next().await.unwrap().unwrap();
    assert!(!first.is_empty());
    // The consumer pauses for three idle timeouts: the reader fills its batches and stops, and
    // the server cannot finish writing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        written_rx.try_recv().is_err(),
        "the whole body was taken while nobody read it"
    );
    let resumed = Instant::now();
    let (events, error) = drain(&mut batches).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(first.len() + events.len(), 16 * 1024 + 1);
    assert!(written_rx.recv().await.unwrap() > resumed);
}

#[tokio::test]
async fn cancelling_ends_with_interrupted_and_closes_the_connection_at_once() {
    for consumer_gone in [false, true] {
        let (server, mut closed_rx) = server_reporting_close(big_body(16 * 1024)).await;
        let cancel = CancellationToken::new();
        let mut batches = read_ahead(config(&server), &cancel).await;
        assert!(batches.next().await.unwrap().is_ok());
        // Let the reader fill its batches and block on them.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stopped = Instant::now();
        if consumer_gone {
            drop(batches);
        } else {
            cancel.cancel();
            let next = batches.try_next();
            assert!(
                matches!(
                    next,
                    Poll::Ready(Some(Err(CodexErr::Interrupted { output: None })))
                ),
                "read batches must not be handed out after a cancel: {next:?}"
            );
            assert!(matches!(batches.try_next(), Poll::Ready(None)));
        }
        let what = if consumer_gone { "a drop" } else { "a cancel" };
        assert_closed_soon(&mut closed_rx, stopped, what).await;
    }
}

#[tokio::test]
async fn a_reader_that_panics_is_an_internal_error_not_the_end() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("a") + &completed()).await;
    })
    .await;
    let client = ResponsesClient::new(config(&server)).unwrap();
    let cancel = CancellationToken::new();
    let stream = client.create(BODY.into(), cancel.clone()).await.unwrap();
    let mut batches: ReadAhead<()> = ReadAhead::spawn(stream, cancel, LIMITS, |_| {
        panic!("a bug while converting a batch")
    });
    let next = batches.next().await;
    assert!(
        matches!(&next, Some(Err(error)) if error.code() == "INTERNAL"),
        "{next:?}"
    );
    assert!(batches.next().await.is_none());
}

#[tokio::test]
async fn a_consumer_gone_while_the_reader_waits_for_the_network_closes_the_connection() {
    let (server, mut closed_rx) = server_reporting_close(delta("a")).await;
    let cancel = CancellationToken::new();
    let mut batches = read_ahead(config(&server), &cancel).await;
    assert!(batches.next().await.unwrap().is_ok());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let dropped = Instant::now();
    drop(batches);
    assert_closed_soon(&mut closed_rx, dropped, "a drop").await;
}
