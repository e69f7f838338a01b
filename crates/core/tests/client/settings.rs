//! Settings: a configuration that cannot work fails at construction and sends nothing; with
//! the default settings no request waits for its headers forever.

use std::time::Duration;

use codex_core::CodexErr;
use codex_core::client::{
    CancellationToken, ClientConfig, DEFAULT_REQUEST_TIMEOUT, ResponsesClient,
};

use super::server::Server;
use super::support::{BODY, config};

#[tokio::test]
async fn a_configuration_error_fails_at_construction_and_sends_nothing() {
    let server = Server::start(|_, mut conn| async move {
        conn.sse_head("req_1").await;
    })
    .await;
    let header = |name: &str, value: &str| ClientConfig {
        headers: vec![(name.into(), value.into())],
        ..config(&server)
    };
    let cases = [
        (
            ClientConfig {
                base_url: Some(server.base_url().replace("http:", "ftp:")),
                ..config(&server)
            },
            "base_url",
        ),
        (
            ClientConfig {
                base_url: Some(server.base_url().replace("127.0.0.1:", "127.0.0.1:99999")),
                ..config(&server)
            },
            "base_url",
        ),
        (header("x-trace", "a\r\nInjected: yes"), "headers"),
        (header("bad header", "x"), "headers"),
        (
            ClientConfig {
                api_key: Some("sk-test\n".into()),
                ..config(&server)
            },
            "api_key",
        ),
    ];
    for (config, option) in cases {
        let shown = format!("{config:?}");
        match ResponsesClient::new(config) {
            Err(CodexErr::InvalidArgument { argument, .. }) => {
                assert_eq!(argument, option, "{shown}");
            }
            other => panic!("{shown}: expected InvalidArgument({option}), got {other:?}"),
        }
    }
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn the_default_settings_bound_the_wait_for_headers() {
    assert_eq!(
        ClientConfig::default().request_timeout,
        DEFAULT_REQUEST_TIMEOUT
    );
    // The server takes the request and never answers. Paused time lets the default limit
    // pass without waiting for it: tokio moves the clock on whenever nothing is runnable.
    let server = Server::start(|_, conn| async move {
        let _open = conn;
        std::future::pending::<()>().await;
    })
    .await;
    let client = ResponsesClient::new(ClientConfig {
        api_key: Some("sk-test".into()),
        base_url: Some(server.base_url()),
        ..ClientConfig::default()
    })
    .unwrap();
    tokio::time::pause();
    let started = tokio::time::Instant::now();
    let real = std::time::Instant::now();
    let error = client
        .create(BODY.into(), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(error, CodexErr::HeadersTimeout { timeout } if timeout == DEFAULT_REQUEST_TIMEOUT),
        "{error:?}"
    );
    assert!(started.elapsed() >= DEFAULT_REQUEST_TIMEOUT);
    assert!(
        real.elapsed() < Duration::from_secs(10),
        "{:?}",
        real.elapsed()
    );
    assert_eq!(server.requests(), 1, "a headers timeout is not retried");
}
