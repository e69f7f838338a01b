//! Redirects: only a 307 or 308 within the origin is followed; nothing — no credential, no
//! body — ever reaches another origin.

use codex_core::CodexErr;
use codex_core::client::ClientConfig;

use super::server::{Seen, Server, completed, delta};
use super::support::{BODY, config, create, drain_delta_then_completed};

/// The caller's config with every kind of credential: the bearer key, Azure's `api-key` and a
/// header of its own.
fn with_credentials(server: &Server) -> ClientConfig {
    ClientConfig {
        headers: vec![
            ("api-key".into(), "azure-secret".into()),
            ("x-tenant-token".into(), "tenant-secret".into()),
        ],
        ..config(server)
    }
}

/// Asserts `seen` carried every credential and the body.
fn assert_carries_everything(seen: &Seen) {
    assert_eq!(seen.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(seen.header("api-key"), Some("azure-secret"));
    assert_eq!(seen.header("x-tenant-token"), Some("tenant-secret"));
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(body["input"], "hi", "{}", seen.body);
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    for status in ["307 Temporary Redirect", "308 Permanent Redirect"] {
        // The other origin would answer happily: it must never be asked.
        let elsewhere = Server::start(|_, mut conn| async move {
            conn.sse_head("req_elsewhere").await;
        })
        .await;
        let location = format!("{}/responses", elsewhere.base_url());
        let target = location.clone();
        let server = Server::start(move |_, mut conn| {
            let location = target.clone();
            async move {
                conn.respond(status, &[("Location", &location)], "").await;
            }
        })
        .await;
        let error = create(with_credentials(&server)).await.unwrap_err();
        let CodexErr::UnexpectedStatus(failure) = &error else {
            panic!("{status}: expected UnexpectedStatus, got {error:?}");
        };
        assert_eq!(failure.status.to_string(), status[..3]);
        assert_eq!(failure.location.as_deref(), Some(location.as_str()));
        assert!(
            error
                .to_string()
                .contains(&format!("redirect to {location} not followed")),
            "{error}"
        );
        assert_eq!(
            elsewhere.connections(),
            0,
            "{status}: the other origin was contacted"
        );
        assert_eq!(server.requests(), 1, "{status}: a redirect is not retried");
        assert_carries_everything(&server.seen()[0]);
    }
}

#[tokio::test]
async fn another_host_name_for_the_same_server_is_another_origin() {
    let server = Server::start(|n, mut conn| async move {
        let port = conn.local_port();
        if n == 0 {
            let location = format!("http://localhost:{port}/v1/responses");
            conn.respond("307 Temporary Redirect", &[("Location", &location)], "")
                .await;
        } else {
            conn.sse_head("req_followed").await;
        }
    })
    .await;
    let error = create(with_credentials(&server)).await.unwrap_err();
    assert!(
        matches!(&error, CodexErr::UnexpectedStatus(failure) if failure.status == 307),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1, "followed to localhost");
}

#[tokio::test]
async fn a_307_within_the_origin_keeps_the_credentials_and_the_body() {
    let server = Server::start(|n, mut conn| async move {
        if n == 0 {
            conn.respond("307 Temporary Redirect", &[("Location", "/v1/moved")], "")
                .await;
        } else {
            conn.sse_head("req_moved").await;
            conn.write(delta("hi") + &completed()).await;
        }
    })
    .await;
    let mut stream = create(with_credentials(&server)).await.unwrap();
    drain_delta_then_completed(&mut stream).await;
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[1].head.starts_with("POST /v1/moved HTTP/1.1"),
        "{}",
        seen[1].head
    );
    assert_carries_everything(&seen[1]);
    assert_eq!(seen[1].body, seen[0].body);
    assert_ne!(seen[0].body, BODY, "stream: true was added");
}

#[tokio::test]
async fn a_redirect_that_would_drop_the_body_is_not_followed() {
    let server = Server::start(|_, mut conn| async move {
        conn.respond("302 Found", &[("Location", "/v1/moved")], "")
            .await;
    })
    .await;
    let error = create(with_credentials(&server)).await.unwrap_err();
    assert!(
        matches!(&error, CodexErr::UnexpectedStatus(failure)
            if failure.status == 302 && failure.location.as_deref() == Some("/v1/moved")),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
}
