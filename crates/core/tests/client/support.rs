//! What the client's tests share: a fast-retrying config for a test server, and reading a
//! stream to its end.

use std::time::{Duration, Instant};

use codex_core::client::{CancellationToken, ClientConfig, ResponseStream, ResponsesClient};
use codex_core::{CodexErr, ResponseEvent};

use tokio::sync::mpsc;

use super::server::Server;

/// The request body the tests send.
pub const BODY: &str = r#"{"model":"test-model","input":"hi"}"#;

/// A config for `server` with fast retries.
pub fn config(server: &Server) -> ClientConfig {
    ClientConfig {
        api_key: Some("sk-test".into()),
        base_url: Some(server.base_url()),
        max_retries: 2,
        retry_base_delay: Duration::from_millis(10),
        retry_max_delay: Duration::from_millis(50),
        ..ClientConfig::default()
    }
}

/// Creates a client for `config` and sends [`BODY`].
pub async fn create(config: ClientConfig) -> Result<ResponseStream, CodexErr> {
    let client = ResponsesClient::new(config).unwrap();
    client.create(BODY.into(), CancellationToken::new()).await
}

/// Reads until the end or the first error.
pub async fn drain(stream: &mut ResponseStream) -> (Vec<ResponseEvent>, Option<CodexErr>) {
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(error) => return (events, Some(error)),
        }
    }
    (events, None)
}

/// Reads a stream that must carry one delta and `completed`, and nothing else.
pub async fn drain_delta_then_completed(stream: &mut ResponseStream) -> Vec<ResponseEvent> {
    let (events, error) = drain(stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        kinds(&events),
        ["response.output_text.delta", "response.completed"]
    );
    events
}

/// The `type` of each event.
pub fn kinds(events: &[ResponseEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

/// Asserts the server saw the client close its connection within 500 ms of `since`.
pub async fn assert_closed_soon(
    closed: &mut mpsc::UnboundedReceiver<Option<Instant>>,
    since: Instant,
    what: &str,
) {
    let at = closed.recv().await.unwrap();
    let at = at.unwrap_or_else(|| panic!("connection left open after {what}"));
    let after = at - since;
    assert!(
        after < Duration::from_millis(500),
        "closed {after:?} after {what}"
    );
}
