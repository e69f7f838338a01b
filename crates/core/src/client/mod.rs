//! Streaming client for the OpenAI Responses API (DESIGN.md §5).
//!
//! Layers, bottom up: [`sse`] turns bytes into Server-Sent Events (WHATWG rules, any chunking,
//! linear time); `event` validates each event's JSON and finds its `type`; `retry` and
//! `request` send a request until a 2xx event stream arrives; [`ResponseStream`] reads it with
//! an idle timeout and ends it at the terminal event; [`ReadAhead`] reads it in batches on a
//! task of its own, ahead of a consumer on another thread.
//!
//! ```no_run
//! # async fn demo() -> codex_core::Result<()> {
//! use codex_core::client::{CancellationToken, ClientConfig, ResponsesClient};
//!
//! let client = ResponsesClient::new(ClientConfig::default())?;
//! let body = r#"{"model":"gpt-5","input":"hi"}"#.to_string();
//! let mut stream = client.create(body, CancellationToken::new()).await?;
//! while let Some(event) = stream.next().await {
//!     let event = event?;
//!     println!("{}: {}", event.kind, event.data);
//! }
//! # Ok(())
//! # }
//! ```

mod config;
mod event;
pub mod fuzzing;
mod read_ahead;
mod request;
mod responses;
mod retry;
pub mod sse;
mod stream;

pub use config::{
    API_KEY_VAR, BASE_URL_VAR, ClientConfig, DEFAULT_BASE_URL, DEFAULT_REQUEST_TIMEOUT, RetryHook,
    RetryInfo,
};
pub use event::ResponseEvent;
pub use read_ahead::{ReadAhead, ReadAheadLimits};
pub use responses::ResponsesClient;
pub use stream::ResponseStream;
pub use tokio_util::sync::CancellationToken;
