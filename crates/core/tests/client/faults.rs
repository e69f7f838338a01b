//! One test per fault case at the end of DESIGN.md §5, against the misbehaving server.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codex_core::client::{CancellationToken, ClientConfig, ResponseStream, ResponsesClient};
use codex_core::{CodexErr, RetryInfo};
use tokio::sync::mpsc;

use super::server::{Conn, LAST_CHUNK, Server, chunked_sse, completed, delta, event};
use super::support::{
    BODY, assert_closed_soon, config, create, drain, drain_delta_then_completed, kinds,
};

/// What the retry hook was told: (attempt, delay, status) per retry.
type RetryLog = Arc<Mutex<Vec<(u32, Duration, Option<u16>)>>>;

/// `create` with a retry hook that records every retry it is told about.
async fn create_logging_retries(server: &Server) -> (Result<ResponseStream, CodexErr>, RetryLog) {
    let log = RetryLog::default();
    let sink = Arc::clone(&log);
    let hook = move |info: &RetryInfo| {
        sink.lock()
            .unwrap()
            .push((info.attempt, info.delay, info.status));
    };
    let config = ClientConfig {
        on_retry: Some(Arc::new(hook)),
        ..config(server)
    };
    (create(config).await, log)
}

/// Serves one delta and `completed` (the happy path a retry should reach).
async fn happy(mut conn: Conn) {
    conn.sse_head("req_ok").await;
    conn.write(delta("hi") + &completed()).await;
}

#[tokio::test]
async fn connection_closed_mid_event() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("one")).await;
        conn.write("event: response.output_text.delta\ndata: {\"type\":\"resp")
            .await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert_eq!(kinds(&events), ["response.output_text.delta"]);
    let Some(CodexErr::Stream {
        message,
        events_received,
        ..
    }) = error
    else {
        panic!("expected Stream, got {error:?}");
    };
    assert_eq!(events_received, 1);
    assert!(
        message.contains("closed before response.completed"),
        "{message}"
    );
    assert_eq!(
        server.requests(),
        1,
        "a stream that handed out an event is not retried"
    );
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_break_before_the_first_event_is_retried() {
    let server = Server::start(|n, mut conn| async move {
        if n == 0 {
            conn.sse_head("req_broken").await;
            conn.write(": hello\n\ndata: {\"type\":\"response.created\"")
                .await;
        } else {
            happy(conn).await;
        }
    })
    .await;
    let (stream, retries) = create_logging_retries(&server).await;
    let mut stream = stream.unwrap();
    assert_eq!(stream.request_id(), Some("req_broken"));
    drain_delta_then_completed(&mut stream).await;
    assert_eq!(
        stream.request_id(),
        Some("req_ok"),
        "the head follows the retried response"
    );
    assert_eq!(server.requests(), 2);
    let retries = retries.lock().unwrap();
    assert_eq!(retries.len(), 1);
    assert_eq!((retries[0].0, retries[0].2), (1, None));
}

#[tokio::test]
async fn clean_eof_without_a_terminal_event() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("a") + &delta("b")).await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert_eq!(events.len(), 2);
    assert!(
        matches!(&error, Some(CodexErr::Stream { message, events_received: 2, source: None })
            if message == "stream closed before response.completed"),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);

    // With no event at all, every attempt is a broken stream: retried, then RetryLimit.
    let empty = Server::start(|_, mut conn| async move { conn.sse_head("req_empty").await }).await;
    let mut stream = create(config(&empty)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert!(events.is_empty());
    let Some(CodexErr::RetryLimit {
        attempts: 3,
        last: None,
        source: Some(source),
    }) = error
    else {
        panic!("expected RetryLimit, got {error:?}");
    };
    assert!(matches!(
        source.downcast_ref::<CodexErr>(),
        Some(CodexErr::Stream {
            events_received: 0,
            ..
        })
    ));
    assert_eq!(empty.requests(), 3);
}

#[tokio::test]
async fn too_many_requests_with_retry_after() {
    let server = Server::start(|n, mut conn| async move {
        if n == 0 {
            let body = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
            conn.respond("429 Too Many Requests", &[("Retry-After", "1")], body).await;
        } else {
            happy(conn).await;
        }
    })
    .await;
    let (stream, retries) = create_logging_retries(&server).await;
    let mut stream = stream.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events.len(), 2);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
    assert!(waited < Duration::from_secs(5), "retried after {waited:?}");
    assert_eq!(
        *retries.lock().unwrap(),
        [(1, Duration::from_secs(1), Some(429))]
    );
}

#[tokio::test]
async fn server_error_then_success() {
    let server = Server::start(|n, mut conn| async move {
        if n == 0 {
            conn.respond("500 Internal Server Error", &[], "oops").await;
        } else {
            happy(conn).await;
        }
    })
    .await;
    let (stream, retries) = create_logging_retries(&server).await;
    let mut stream = stream.unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream
            .headers()
            .iter()
            .any(|(k, v)| k == "x-request-id" && v == "req_ok")
    );
    drain_delta_then_completed(&mut stream).await;
    assert_eq!(server.requests(), 2);
    let retries = retries.lock().unwrap();
    assert_eq!(retries.len(), 1);
    let (attempt, delay, status) = retries[0];
    assert_eq!((attempt, status), (1, Some(500)));
    assert!(
        delay >= Duration::from_micros(7500) && delay <= Duration::from_millis(10),
        "{delay:?}"
    );
}

#[tokio::test]
async fn service_unavailable_forever() {
    let server = Server::start(|_, mut conn| async move {
        let body = r#"{"error":{"message":"overloaded","type":"server_error","code":null}}"#;
        conn.respond(
            "503 Service Unavailable",
            &[("x-request-id", "req_503")],
            body,
        )
        .await;
    })
    .await;
    let error = create(config(&server)).await.unwrap_err();
    let CodexErr::RetryLimit {
        attempts,
        last: Some(last),
        source: None,
    } = &error
    else {
        panic!("expected RetryLimit, got {error:?}");
    };
    assert_eq!(*attempts, 3);
    assert_eq!(last.status, 503);
    assert!(last.body.contains("overloaded"));
    assert_eq!(last.request_id.as_deref(), Some("req_503"));
    assert_eq!(
        last.api_error.as_ref().unwrap().message.as_deref(),
        Some("overloaded")
    );
    assert_eq!(error.code(), "RETRY_LIMIT");
    assert_eq!(server.requests(), 3);

    // `x-should-retry: false` overrides the status rule.
    let refused = Server::start(|_, mut conn| async move {
        conn.respond(
            "503 Service Unavailable",
            &[("x-should-retry", "false")],
            "",
        )
        .await;
    })
    .await;
    let error = create(config(&refused)).await.unwrap_err();
    assert!(
        matches!(&error, CodexErr::UnexpectedStatus(f) if f.status == 503),
        "{error:?}"
    );
    assert_eq!(refused.requests(), 1);
}

#[tokio::test]
async fn unauthorized_with_a_json_body() {
    let server = Server::start(|_, mut conn| async move {
        let body = r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        let headers = [("Content-Type", "application/json"), ("x-request-id", "req_401")];
        conn.respond("401 Unauthorized", &headers, body).await;
    })
    .await;
    let error = create(config(&server)).await.unwrap_err();
    let CodexErr::UnexpectedStatus(failure) = &error else {
        panic!("expected UnexpectedStatus, got {error:?}");
    };
    assert_eq!(failure.status, 401);
    assert_eq!(failure.request_id.as_deref(), Some("req_401"));
    let api_error = failure.api_error.as_ref().unwrap();
    assert_eq!(api_error.code.as_deref(), Some("invalid_api_key"));
    assert_eq!(api_error.kind.as_deref(), Some("invalid_request_error"));
    assert_eq!(
        api_error.message.as_deref(),
        Some("Incorrect API key provided")
    );
    assert!(failure.body.contains("invalid_api_key"));
    assert_eq!(server.requests(), 1, "401 is not retried");

    // The request itself was what DESIGN.md §5 says.
    let seen = &server.seen()[0];
    assert!(
        seen.head.starts_with("POST /v1/responses HTTP/1.1"),
        "{}",
        seen.head
    );
    assert_eq!(seen.header("authorization"), Some("Bearer sk-test"));
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(body["stream"], true);
    assert_eq!(body["model"], "test-model");
}

#[tokio::test]
async fn error_bodies_are_cut_to_64_kib() {
    let server = Server::start(|_, mut conn| async move {
        conn.respond("400 Bad Request", &[], &"e".repeat(200 * 1024))
            .await;
    })
    .await;
    let error = create(config(&server)).await.unwrap_err();
    let CodexErr::UnexpectedStatus(failure) = &error else {
        panic!("expected UnexpectedStatus, got {error:?}");
    };
    assert_eq!(failure.body.len(), 64 * 1024);
}

#[tokio::test]
async fn query_parameters_and_replaced_headers_reach_the_server() {
    let server = Server::start(|_, conn| happy(conn)).await;
    let mut stream = create(ClientConfig {
        query: vec![("api-version".into(), "2025-04-01-preview".into())],
        headers: vec![
            ("Authorization".into(), "Bearer from-headers".into()),
            ("api-key".into(), "azure-key".into()),
        ],
        ..config(&server)
    })
    .await
    .unwrap();
    drain_delta_then_completed(&mut stream).await;
    let seen = &server.seen()[0];
    assert!(
        seen.head
            .starts_with("POST /v1/responses?api-version=2025-04-01-preview HTTP/1.1"),
        "{}",
        seen.head
    );
    assert_eq!(seen.header("authorization"), Some("Bearer from-headers"));
    assert_eq!(
        seen.head.matches("uthorization").count(),
        1,
        "replaced, not added"
    );
    assert_eq!(seen.header("api-key"), Some("azure-key"));
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    let agent = seen.header("user-agent").unwrap();
    assert!(agent.starts_with("codex-native/"), "{agent}");
}

#[tokio::test]
async fn reset_before_headers() {
    let server = Server::start(|_, conn| async move { conn.reset() }).await;
    let (stream, retries) = create_logging_retries(&server).await;
    let error = stream.unwrap_err();
    assert!(
        matches!(error, CodexErr::RetryLimit { attempts: 3, .. }),
        "{error:?}"
    );
    transport_cause(&error);
    let message = error.to_string();
    assert!(
        message.starts_with("retry limit reached after 3 attempts: "),
        "{message}"
    );
    assert_eq!(server.requests(), 3);
    let statuses: Vec<_> = retries.lock().unwrap().iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(statuses, [(1, None), (2, None)]);

    // One reset, then a healthy answer: the retry hides the reset.
    let flaky = Server::start(|n, conn| async move {
        if n == 0 {
            conn.reset()
        } else {
            happy(conn).await
        }
    })
    .await;
    let mut stream = create(config(&flaky)).await.unwrap();
    assert!(drain(&mut stream).await.1.is_none());
    assert_eq!(flaky.requests(), 2);
}

#[tokio::test]
async fn malformed_json() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(
            delta("ok")
                + "data: {\"type\":\"response.output_text.delta\",\"delta\":\n\n"
                + &completed(),
        )
        .await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert_eq!(events.len(), 1);
    let Some(CodexErr::Json { raw, source, .. }) = &error else {
        panic!("expected Json, got {error:?}");
    };
    assert_eq!(raw, "{\"type\":\"response.output_text.delta\",\"delta\":");
    assert!(source.is_some());
    assert_eq!(error.as_ref().unwrap().code(), "INVALID_EVENT");
    assert!(
        stream.next().await.is_none(),
        "the stream ends at the bad event"
    );
}

#[tokio::test]
async fn response_failed() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        let failed = r#"{"type":"response.failed","sequence_number":2,"response":{"id":"resp_9","status":"failed","error":{"code":"server_error","message":"The model crashed"}}}"#;
        conn.write(delta("partial") + &event(failed)).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert_eq!(events.len(), 1);
    let Some(CodexErr::ResponseFailed {
        message,
        error_code,
        response_id,
        api_error,
    }) = error
    else {
        panic!("expected ResponseFailed, got {error:?}");
    };
    assert_eq!(message, "The model crashed");
    assert_eq!(error_code.as_deref(), Some("server_error"));
    assert_eq!(response_id.as_deref(), Some("resp_9"));
    assert_eq!(api_error.unwrap().code.as_deref(), Some("server_error"));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn error_event() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        let error = r#"{"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null,"sequence_number":1}"#;
        conn.write(event(error)).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let started = Instant::now();
    let (events, error) = drain(&mut stream).await;
    assert!(events.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "ended without waiting for EOF"
    );
    let Some(CodexErr::ResponseFailed {
        message,
        error_code,
        response_id: None,
        api_error: Some(api_error),
    }) = error
    else {
        panic!("expected ResponseFailed, got {error:?}");
    };
    assert_eq!(message, "Slow down");
    assert_eq!(error_code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(api_error.param, None);
    assert_eq!(server.requests(), 1, "a failure event is not retried");
}

#[tokio::test]
async fn response_incomplete() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        let incomplete = r#"{"type":"response.incomplete","response":{"id":"resp_2","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}}"#;
        conn.write(delta("cut") + &event(incomplete) + &delta("never seen")).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        kinds(&events),
        ["response.output_text.delta", "response.incomplete"]
    );
    assert!(events[1].data.contains("max_output_tokens"));
}

#[tokio::test]
async fn batches_take_what_is_buffered_and_hold_back_a_failure() {
    let server = Server::start(|n, mut conn| async move {
        conn.sse_head("req_1").await;
        let events: String = (0..5).map(|i| delta(&i.to_string())).collect();
        if n == 0 {
            let failure = r#"{"type":"error","code":"server_error","message":"gone"}"#;
            conn.write(events + &event(failure)).await;
        } else {
            conn.write(events + &completed()).await;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let client = ResponsesClient::new(config(&server)).unwrap();

    // Events come in batches of at most `max`; the failure after them comes on its own.
    let mut stream = client
        .create(BODY.into(), CancellationToken::new())
        .await
        .unwrap();
    let mut received = 0;
    let error = loop {
        match stream.next_batch(3).await.unwrap() {
            Ok(batch) => {
                assert!((1..=3).contains(&batch.len()), "{}", batch.len());
                received += batch.len();
            }
            Err(error) => break error,
        }
    };
    assert_eq!(received, 5, "every event before the failure");
    assert!(
        matches!(error, CodexErr::ResponseFailed { .. }),
        "{error:?}"
    );
    assert!(stream.is_done());
    assert!(stream.next_batch(3).await.is_none());

    // The batch that carries `completed` leaves the stream known to be over.
    let mut stream = client
        .create(BODY.into(), CancellationToken::new())
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while !stream.is_done() {
        let batch = stream.next_batch(100).await.unwrap().unwrap();
        kinds.extend(batch.into_iter().map(|event| event.kind));
    }
    assert_eq!(kinds.len(), 6);
    assert_eq!(kinds[5], "response.completed");
    assert!(stream.next_batch(100).await.is_none());
}

#[tokio::test]
async fn a_batch_takes_every_chunk_already_received_and_holds_back_the_break() {
    let server = Server::start(|_, mut conn| async move {
        conn.write(chunked_sse(&delta("0"))).await;
        for i in 1..5 {
            let body = delta(&i.to_string());
            conn.write(format!("{:x}\r\n{body}\r\n", body.len())).await;
        }
        // Dropped without the last chunk: a broken body.
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Five HTTP chunks reach the client as five body chunks; all are in by now, so one call
    // carries them all, and the break behind them waits for the next call.
    let batch = stream.next_batch(100).await.unwrap().unwrap();
    let deltas: Vec<serde_json::Value> = batch
        .iter()
        .map(|event| {
            serde_json::from_str::<serde_json::Value>(&event.data).unwrap()["delta"].clone()
        })
        .collect();
    assert_eq!(deltas, ["0", "1", "2", "3", "4"], "{batch:?}");
    let error = stream.next_batch(100).await.unwrap().unwrap_err();
    assert!(
        matches!(
            error,
            CodexErr::Stream {
                events_received: 5,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(stream.next_batch(100).await.is_none());
}

#[tokio::test]
async fn one_mebibyte_event_in_small_writes() {
    let text = "x".repeat(1 << 20);
    let payload = delta(&text);
    let server = Server::start(move |_, mut conn| {
        let payload = payload.clone();
        async move {
            conn.sse_head("req_1").await;
            for piece in payload.as_bytes().chunks(1000) {
                conn.write(piece).await;
            }
            conn.write(completed()).await;
        }
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events.len(), 2);
    let value: serde_json::Value = serde_json::from_str(&events[0].data).unwrap();
    assert_eq!(value["delta"].as_str().unwrap().len(), 1 << 20);
}

#[tokio::test]
async fn an_event_over_16_mib_is_invalid() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("fine")).await;
        conn.write("data: {\"type\":\"response.output_text.delta\",\"delta\":\"")
            .await;
        let block = vec![b'x'; 64 * 1024];
        for _ in 0..=256 {
            conn.write(&block).await;
        }
        conn.write("\"}\n\n").await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert_eq!(events.len(), 1);
    let Some(CodexErr::Json {
        message,
        raw,
        source: None,
    }) = &error
    else {
        panic!("expected Json, got {error:?}");
    };
    assert_eq!(message, "event exceeds 16777216 bytes");
    assert_eq!(raw.len(), 1024);
    // The line never ended, so what is kept is the raw line as received.
    assert!(raw.starts_with("data: {\"type\":\"response.output_text.delta\",\"delta\":\"xxx"));
}

#[tokio::test]
async fn one_byte_every_ten_milliseconds() {
    let payload = delta("slow") + &completed();
    let length = payload.len();
    let server = Server::start(move |_, mut conn| {
        let payload = payload.clone();
        async move {
            conn.sse_head("req_1").await;
            for byte in payload.as_bytes() {
                conn.write([*byte]).await;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    })
    .await;
    // Each byte resets the idle timer, so a 300 ms timeout never fires on a seconds-long stream.
    let started = Instant::now();
    let mut stream = create(ClientConfig {
        stream_idle_timeout: Duration::from_millis(300),
        ..config(&server)
    })
    .await
    .unwrap();
    let events = drain_delta_then_completed(&mut stream).await;
    assert!(events[0].data.contains("\"delta\":\"slow\""));
    assert!(started.elapsed() >= Duration::from_millis(10 * length as u64 - 50));
}

#[tokio::test]
async fn idle_stall_past_the_idle_timeout() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("then nothing")).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let mut stream = create(ClientConfig {
        stream_idle_timeout: Duration::from_millis(250),
        ..config(&server)
    })
    .await
    .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let started = Instant::now();
    let error = stream.next().await.unwrap().unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(error, CodexErr::Timeout { idle } if idle == Duration::from_millis(250)),
        "{error:?}"
    );
    assert_eq!(error.code(), "STREAM_TIMEOUT");
    assert!(
        waited >= Duration::from_millis(240) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(stream.next().await.is_none());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn completed_then_a_held_open_connection() {
    let (written, mut written_rx) = mpsc::unbounded_channel();
    let server = Server::start(move |_, mut conn| {
        let written = written.clone();
        async move {
            conn.sse_head("req_1").await;
            conn.write(delta("a") + &completed()).await;
            written.send(Instant::now()).unwrap();
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    let done = Instant::now();
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events.last().unwrap().kind, "response.completed");
    let written = written_rx.recv().await.unwrap();
    assert!(
        done - written < Duration::from_millis(100),
        "done {:?} after completed",
        done - written
    );
    assert!(
        events.last().unwrap().data.contains("\"output\":[]"),
        "the event is verbatim"
    );
}

#[tokio::test]
async fn a_completed_stream_leaves_its_connection_reusable() {
    // The body's end comes a little after `completed`, as from a real server: the client must
    // not wait for it, yet reading it is what makes the connection reusable.
    let server = Server::start(|_, mut conn| async move {
        let answer = chunked_sse(&(delta("a") + &completed()));
        loop {
            conn.write(&answer).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            conn.write(LAST_CHUNK).await;
            if conn.next_request(Duration::from_secs(5)).await.is_none() {
                break;
            }
        }
    })
    .await;
    let client = ResponsesClient::new(config(&server)).unwrap();
    for _ in 0..3 {
        let mut stream = client
            .create(BODY.into(), CancellationToken::new())
            .await
            .unwrap();
        drain_delta_then_completed(&mut stream).await;
        // Time for the background drain to read the body's end (sent 20 ms after `completed`).
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 1, "the warm connection was reused");
}

#[tokio::test]
async fn stall_before_headers() {
    let server = Server::start(|_, conn| async move {
        let _open = conn;
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let started = Instant::now();
    let error = create(ClientConfig {
        request_timeout: Duration::from_millis(200),
        ..config(&server)
    })
    .await
    .unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(error, CodexErr::HeadersTimeout { timeout } if timeout == Duration::from_millis(200)),
        "{error:?}"
    );
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(server.requests(), 1);

    // Cancelling while waiting for headers ends the call at once.
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        trigger.cancel();
    });
    let client = ResponsesClient::new(config(&server)).unwrap();
    let started = Instant::now();
    let error = client.create(BODY.into(), cancel).await.unwrap_err();
    assert!(
        matches!(error, CodexErr::Interrupted { output: None }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn utf8_split_across_writes_and_an_invalid_byte() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        let event = "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"caf\u{e9} \u{1F600} ";
        let bytes = event.as_bytes();
        let smiley = bytes.len() - 3; // inside the 4-byte emoji
        let accent = event.find('\u{e9}').unwrap() + 1; // between the two bytes of é
        conn.write(&bytes[..accent]).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        conn.write(&bytes[accent..smiley]).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        conn.write(&bytes[smiley..]).await;
        conn.write(b"bad \xFF byte\"}\n\n").await;
        conn.write(completed()).await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert!(error.is_none(), "{error:?}");
    let value: serde_json::Value = serde_json::from_str(&events[0].data).unwrap();
    assert_eq!(value["delta"], "caf\u{e9} \u{1F600} bad \u{FFFD} byte");
}

#[tokio::test]
async fn keep_alive_comments() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
        for _ in 0..8 {
            conn.write(": keep-alive\n\n").await;
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
        conn.write(delta("late") + &completed()).await;
    })
    .await;
    // 8 × 60 ms of nothing but comments: longer than the idle timeout, which they keep resetting.
    let mut stream = create(ClientConfig {
        stream_idle_timeout: Duration::from_millis(250),
        ..config(&server)
    })
    .await
    .unwrap();
    drain_delta_then_completed(&mut stream).await;
}

#[tokio::test]
async fn html_page_with_status_200() {
    let server = Server::start(|_, mut conn| async move {
        let headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("x-request-id", "req_html"),
        ];
        conn.respond(
            "200 OK",
            &headers,
            "<html><body>Captive portal</body></html>",
        )
        .await;
    })
    .await;
    let error = create(config(&server)).await.unwrap_err();
    let CodexErr::UnexpectedStatus(failure) = &error else {
        panic!("expected UnexpectedStatus, got {error:?}");
    };
    assert_eq!(failure.status, 200);
    assert!(failure.body.contains("Captive portal"));
    assert_eq!(failure.request_id.as_deref(), Some("req_html"));
    assert_eq!(failure.api_error, None);
    assert_eq!(
        failure.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        error.to_string(),
        "unexpected status 200: expected content type text/event-stream, got text/html; \
         charset=utf-8 (request id req_html)"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_named_in_the_retry_limit() {
    // A port that was just bound and released: nothing listens there.
    let base_url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", listener.local_addr().unwrap())
    };
    let client = ResponsesClient::new(ClientConfig {
        api_key: Some("sk-test".into()),
        base_url: Some(base_url),
        max_retries: 1,
        retry_base_delay: Duration::from_millis(1),
        ..ClientConfig::default()
    })
    .unwrap();
    let error = client
        .create(BODY.into(), CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "retry limit reached after 2 attempts: connection refused (ECONNREFUSED)"
    );
    transport_cause(&error);
}

/// The cause of a `RetryLimit` no response came for: the HTTP client's error itself, with no
/// `CodexErr::Transport` level in between.
fn transport_cause(error: &CodexErr) -> &reqwest::Error {
    let CodexErr::RetryLimit {
        last: None,
        source: Some(source),
        ..
    } = error
    else {
        panic!("expected RetryLimit without a status, got {error:?}");
    };
    source
        .downcast_ref::<reqwest::Error>()
        .unwrap_or_else(|| panic!("not the HTTP client's error: {source:?}"))
}

#[tokio::test]
async fn an_event_with_two_type_keys() {
    // Classified by its first `type` it would end the stream; `JSON.parse` keeps the last.
    let twice = r#"{"type":"response.completed","type":"response.output_text.delta","delta":"x"}"#;
    let server = Server::start(move |_, mut conn| async move {
        conn.sse_head("req_1").await;
        conn.write(delta("a") + &format!("data: {twice}\n\n") + &completed())
            .await;
    })
    .await;
    let mut stream = create(config(&server)).await.unwrap();
    let (events, error) = drain(&mut stream).await;
    assert_eq!(kinds(&events), ["response.output_text.delta"]);
    let Some(CodexErr::Json { message, raw, .. }) = &error else {
        panic!("expected Json, got {error:?}");
    };
    assert_eq!(message, "event data has more than one \"type\" key");
    assert_eq!(raw, twice);
    assert_eq!(error.unwrap().code(), "INVALID_EVENT");
    assert!(stream.next().await.is_none());
}

/// Runs in a child process whose environment has no `OPENAI_API_KEY`: the test process's own
/// environment cannot be changed safely while other tests run.
#[test]
fn missing_api_key() {
    const CHILD: &str = "CODEX_CLIENT_TEST_WITHOUT_KEY";
    if std::env::var_os(CHILD).is_some() {
        let error = ResponsesClient::new(ClientConfig {
            base_url: Some("http://127.0.0.1:9/v1".into()),
            ..ClientConfig::default()
        })
        .unwrap_err();
        let CodexErr::EnvVar(env) = &error else {
            panic!("expected EnvVar, got {error:?}");
        };
        assert_eq!(env.var, "OPENAI_API_KEY");
        assert!(
            env.instructions
                .as_deref()
                .unwrap()
                .contains("OPENAI_API_KEY")
        );
        assert_eq!(error.code(), "MISSING_ENV_VAR");
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "client::faults::missing_api_key",
            "--exact",
            "--test-threads=1",
        ])
        .env_remove("OPENAI_API_KEY")
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[tokio::test]
async fn abort_and_break_mid_stream() {
    let (closed, mut closed_rx) = mpsc::unbounded_channel();
    let server = Server::start(move |_, mut conn| {
        let closed = closed.clone();
        async move {
            conn.sse_head("req_1").await;
            conn.write(delta("a") + &delta("b")).await;
            closed
                .send(conn.client_closed(Duration::from_secs(10)).await)
                .unwrap();
        }
    })
    .await;
    let client = ResponsesClient::new(config(&server)).unwrap();

    // Abort: the token fires mid-stream.
    let cancel = CancellationToken::new();
    let mut stream = client.create(BODY.into(), cancel.clone()).await.unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let pending = tokio::spawn(async move {
        let _ = stream.next().await; // the buffered "b"
        let outcome = stream.next().await; // waits for data that never comes
        let interrupted = matches!(outcome, Some(Err(CodexErr::Interrupted { output: None })));
        (
            interrupted,
            format!("{outcome:?}"),
            stream.next().await.is_none(),
        )
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let aborted = Instant::now();
    cancel.cancel();
    let (interrupted, outcome, then_none) = pending.await.unwrap();
    assert!(interrupted, "{outcome}");
    assert!(then_none);
    assert_closed_soon(&mut closed_rx, aborted, "abort").await;

    // Break: the caller stops reading and closes.
    let mut stream = client
        .create(BODY.into(), CancellationToken::new())
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let broke = Instant::now();
    stream.close();
    assert!(stream.next().await.is_none());
    assert_closed_soon(&mut closed_rx, broke, "close").await;
    assert_eq!(server.requests(), 2);
}
