//! [`ResponsesClient`]: `POST {base}/responses` with streaming, in two phases like the `openai`
//! SDK — `create` resolves once 2xx headers arrived, then the [`ResponseStream`] yields events.

use std::sync::Arc;

use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use super::config::{ClientConfig, Endpoint};
use super::request::{Request, Transport, with_stream_flag};
use super::stream::ResponseStream;
use crate::Result;

/// A client for the OpenAI Responses API; cheap to clone, share it between requests.
#[derive(Debug, Clone)]
pub struct ResponsesClient {
    transport: Arc<Transport>,
}

impl ResponsesClient {
    /// A client for `config`, with the key and base URL falling back to `OPENAI_API_KEY` and
    /// `OPENAI_BASE_URL`. Does no I/O.
    ///
    /// # Errors
    ///
    /// [`CodexErr::EnvVar`](crate::CodexErr::EnvVar) when there is no API key (and no own
    /// `Authorization` header); [`CodexErr::InvalidArgument`](crate::CodexErr::InvalidArgument)
    /// naming a bad base URL or header.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let endpoint = Endpoint::resolve(&config, |name| std::env::var(name).ok())?;
        let transport = Transport::new(config, endpoint)?;
        Ok(ResponsesClient {
            transport: Arc::new(transport),
        })
    }

    /// Sends `body` (a JSON object; `"stream": true` is set for the caller) and resolves once a
    /// 2xx event stream's headers arrived, retrying failures as configured.
    ///
    /// `cancel` also governs the returned stream.
    ///
    /// # Errors
    ///
    /// `UnexpectedStatus`, `RetryLimit`, `HeadersTimeout` (no headers within `request_timeout`),
    /// `Interrupted`, and `InvalidArgument` when `body` is not a JSON object.
    pub async fn create(&self, body: String, cancel: CancellationToken) -> Result<ResponseStream> {
        let body = Bytes::from(with_stream_flag(body)?);
        let mut request = Request::new(Arc::clone(&self.transport), body, cancel);
        let (response, head) = request.send().await?;
        Ok(ResponseStream::new(request, response, head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_and_streams_can_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<ResponsesClient>();
        send::<ResponseStream>();
    }

    #[test]
    fn debug_output_shows_no_secret_header() {
        let client = ResponsesClient::new(ClientConfig {
            base_url: Some("http://127.0.0.1:9/v1".into()),
            headers: vec![
                ("authorization".into(), "Bearer sk-secret".into()),
                ("api-key".into(), "azure-secret".into()),
            ],
            ..ClientConfig::default()
        })
        .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("http://127.0.0.1:9/v1/responses"), "{shown}");
    }

    #[test]
    fn bad_options_fail_at_construction_naming_the_option() {
        let header = ClientConfig {
            api_key: Some("sk".into()),
            headers: vec![("bad header".into(), "x".into())],
            ..ClientConfig::default()
        };
        let url = ClientConfig {
            api_key: Some("sk".into()),
            base_url: Some("not a url".into()),
            ..ClientConfig::default()
        };
        for (config, option) in [(header, "headers"), (url, "base_url")] {
            match ResponsesClient::new(config) {
                Err(crate::CodexErr::InvalidArgument { argument, .. }) => {
                    assert_eq!(argument, option);
                }
                other => panic!("expected InvalidArgument({option}), got {other:?}"),
            }
        }
    }
}
