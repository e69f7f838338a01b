//! Sending one logical request, as many times as the retry rules allow, until a response with
//! 2xx headers and an event stream arrives.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION,
};
use tokio_util::sync::CancellationToken;

use super::config::{ClientConfig, Endpoint, RetryInfo, Setting};
use super::retry::{backoff, retry_after, should_retry};
use crate::{ApiError, BoxError, CodexErr, HttpFailure, Result};

/// Sent unless the caller's `headers` name another.
const USER_AGENT: &str = concat!("codex-native/", env!("CARGO_PKG_VERSION"));

/// How much of an error body is kept.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How many redirects one request follows (reqwest's own default).
const MAX_REDIRECTS: usize = 10;

/// The HTTP client and everything every request of one [`ResponsesClient`](super::ResponsesClient)
/// shares.
pub(crate) struct Transport {
    http: reqwest::Client,
    /// URL, query and headers of every request; only the body differs.
    template: reqwest::Request,
    pub(crate) config: ClientConfig,
}

impl Transport {
    /// Builds the HTTP client and the request template.
    ///
    /// # Errors
    ///
    /// [`CodexErr::InvalidArgument`] naming `base_url`, `headers` or `query` when one cannot be
    /// used; [`CodexErr::Internal`] when the HTTP client itself cannot be set up.
    pub(crate) fn new(config: ClientConfig, endpoint: Endpoint) -> Result<Transport> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .tcp_nodelay(true)
            .redirect(redirect_policy())
            .build()
            .map_err(|e| CodexErr::Internal(format!("the HTTP client could not be set up: {e}")))?;
        let template = request_template(&config, &endpoint)?;
        Ok(Transport {
            http,
            template,
            config,
        })
    }

    fn request(&self, body: Bytes) -> Result<reqwest::Request> {
        let mut request = self.template.try_clone().ok_or_else(|| {
            CodexErr::Internal("the request template has a streaming body".into())
        })?;
        *request.body_mut() = Some(body.into());
        Ok(request)
    }
}

/// The redirects a request follows: a 307 or 308 (which keep the method and the body) to the
/// origin it was sent to, at most [`MAX_REDIRECTS`] of them. Any other redirect is the answer,
/// and reaches the caller as `UnexpectedStatus` with its `Location`: following one to another
/// origin would hand the credential headers (`Authorization`, `api-key`, any the caller set)
/// and the body to a server the caller never named — reqwest strips only `Authorization` and
/// cookies — and a request that arrived there without them could not succeed; a 301, 302 or
/// 303 would turn the POST into a GET without its body.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let keeps_request = matches!(attempt.status().as_u16(), 307 | 308);
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if keeps_request && same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Why a header cannot be sent. The `http` crate's own errors say only "failed to parse", and
/// the value itself may be a secret, so the message names the header and the rule instead.
#[derive(Debug, thiserror::Error)]
enum HeaderError {
    #[error("{0:?} is not a valid header name")]
    Name(String),
    #[error("the value of {0:?} contains a control character (such as CR or LF)")]
    Value(String),
    #[error("it contains a control character (such as CR or LF)")]
    Key,
}

/// The URL, query and headers every request of a client shares; each part is checked on its
/// own so that a bad one is named (the config field, or the environment variable it came from).
fn request_template(config: &ClientConfig, endpoint: &Endpoint) -> Result<reqwest::Request> {
    let invalid =
        |argument: &'static str, source: BoxError| CodexErr::InvalidArgument { argument, source };
    let url = responses_url(&endpoint.base_url, &config.query)?;
    let mut headers = HeaderMap::new();
    let own = |header: &str| {
        config
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(header))
    };
    if let Some(key) = &endpoint.api_key
        && !own("authorization")
    {
        let mut bearer = HeaderValue::try_from(format!("Bearer {}", key.value))
            .map_err(|_| invalid(key.from, HeaderError::Key.into()))?;
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
    }
    if !own(CONTENT_TYPE.as_str()) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if !own(ACCEPT.as_str()) {
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
    }
    for (name, value) in &config.headers {
        let header_name = HeaderName::try_from(name.as_str())
            .map_err(|_| invalid("headers", HeaderError::Name(name.clone()).into()))?;
        let mut value = HeaderValue::try_from(value.as_str())
            .map_err(|_| invalid("headers", HeaderError::Value(name.clone()).into()))?;
        // Any of them may be a credential: kept out of debug output and HTTP/2 header tables.
        value.set_sensitive(true);
        headers.append(header_name, value);
    }
    let mut request = reqwest::Request::new(reqwest::Method::POST, url);
    *request.headers_mut() = headers;
    Ok(request)
}

/// `{base}/responses` with the base URL's own query (if any) and then `query`.
///
/// # Errors
///
/// [`CodexErr::InvalidArgument`] naming where the base URL came from, when it does not parse
/// or its scheme is not http or https (nothing else could be sent, so nothing is retried).
fn responses_url(base: &Setting, query: &[(String, String)]) -> Result<reqwest::Url> {
    let invalid = |source: BoxError| CodexErr::InvalidArgument {
        argument: base.from,
        source,
    };
    let mut url = reqwest::Url::parse(&base.value).map_err(|e| invalid(e.into()))?;
    if !matches!(url.scheme(), "http" | "https") {
        let scheme = format!(
            "unsupported URL scheme {:?} (use http or https)",
            url.scheme()
        );
        return Err(invalid(scheme.into()));
    }
    let path = format!("{}/responses", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_fragment(None);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the template: its header values may hold keys the caller passed in `headers`.
        f.debug_struct("Transport")
            .field("url", &self.template.url().as_str())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The head of the response a stream is reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResponseHead {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
}

impl ResponseHead {
    fn of(response: &reqwest::Response) -> ResponseHead {
        ResponseHead {
            status: response.status().as_u16(),
            request_id: request_id(response.headers()),
            headers: response
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
        }
    }
}

/// A retryable failure of one attempt.
struct Retry {
    status: Option<u16>,
    /// The wait the server asked for.
    after: Option<Duration>,
    cause: Cause,
}

enum Cause {
    /// An HTTP answer with a retryable status.
    Status(HttpFailure),
    /// No usable answer: a transport error, or a stream that broke before its first event.
    Transport(CodexErr),
}

/// One logical request: the body, its cancellation token and the attempts made so far.
#[derive(Debug)]
pub(crate) struct Request {
    transport: Arc<Transport>,
    body: Bytes,
    pub(crate) cancel: CancellationToken,
    attempts: u32,
}

impl Request {
    pub(crate) fn new(transport: Arc<Transport>, body: Bytes, cancel: CancellationToken) -> Self {
        Request {
            transport,
            body,
            cancel,
            attempts: 0,
        }
    }

    /// The configured idle timeout of the stream.
    pub(crate) fn idle_timeout(&self) -> Duration {
        self.transport.config.stream_idle_timeout
    }

    /// Sends until a 2xx event stream arrives, retrying as configured.
    ///
    /// # Errors
    ///
    /// `UnexpectedStatus` (not retryable, or a 2xx that is not an event stream), `RetryLimit`,
    /// `HeadersTimeout` or `Interrupted`.
    pub(crate) async fn send(&mut self) -> Result<(reqwest::Response, ResponseHead)> {
        loop {
            self.attempts = self.attempts.saturating_add(1);
            match self.attempt().await? {
                Ok(response) => {
                    let head = ResponseHead::of(&response);
                    return Ok((response, head));
                }
                Err(retry) => self.wait_or_give_up(retry).await?,
            }
        }
    }

    /// Sends again after the stream broke before handing out any event.
    ///
    /// # Errors
    ///
    /// As [`Request::send`]; out of retries, `RetryLimit` with `broken` as its source.
    pub(crate) async fn resend_after_break(
        &mut self,
        broken: CodexErr,
    ) -> Result<(reqwest::Response, ResponseHead)> {
        self.wait_or_give_up(Retry {
            status: None,
            after: None,
            cause: Cause::Transport(broken),
        })
        .await?;
        self.send().await
    }

    /// Waits as long as `retry` asks, or gives up when the retries are used up.
    async fn wait_or_give_up(&mut self, retry: Retry) -> Result<()> {
        let config = &self.transport.config;
        if self.attempts > config.max_retries {
            let (last, source): (_, Option<BoxError>) = match retry.cause {
                Cause::Status(failure) => (Some(Box::new(failure)), None),
                // The HTTP error itself: "the request failed" would only say it twice.
                Cause::Transport(CodexErr::Transport(error)) => (None, Some(error.into())),
                Cause::Transport(error) => (None, Some(error.into())),
            };
            return Err(CodexErr::RetryLimit {
                attempts: self.attempts,
                last,
                source,
            });
        }
        let delay = retry.after.unwrap_or_else(|| {
            backoff(
                self.attempts,
                config.retry_base_delay,
                config.retry_max_delay,
            )
        });
        if let Some(hook) = &config.on_retry {
            hook(&RetryInfo {
                attempt: self.attempts,
                delay,
                status: retry.status,
                error: match retry.cause {
                    Cause::Status(failure) => CodexErr::UnexpectedStatus(Box::new(failure)),
                    Cause::Transport(error) => error,
                },
            });
        }
        cancellable(&self.cancel, tokio::time::sleep(delay)).await
    }

    /// Sends once: `Ok(Ok(_))` is a stream, `Ok(Err(_))` a failure worth retrying.
    async fn attempt(&self) -> Result<Result<reqwest::Response, Retry>> {
        let request = self.transport.request(self.body.clone())?;
        let sent = self.transport.http.execute(request);
        let limit = self.transport.config.request_timeout;
        let response = cancellable(&self.cancel, tokio::time::timeout(limit, sent))
            .await?
            .map_err(|_elapsed| CodexErr::HeadersTimeout { timeout: limit })?;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                return Ok(Err(Retry {
                    status: None,
                    after: None,
                    cause: Cause::Transport(CodexErr::Transport(error)),
                }));
            }
        };
        let status = response.status();
        if status.is_success() {
            if is_event_stream(response.headers()) {
                return Ok(Ok(response));
            }
            let failure = self.read_failure(response).await?;
            return Err(CodexErr::UnexpectedStatus(Box::new(failure)));
        }
        let retryable = should_retry(status, response.headers());
        let after = retry_after(response.headers(), SystemTime::now());
        let failure = self.read_failure(response).await?;
        if !retryable {
            return Err(CodexErr::UnexpectedStatus(Box::new(failure)));
        }
        Ok(Err(Retry {
            status: Some(status.as_u16()),
            after,
            cause: Cause::Status(failure),
        }))
    }

    /// Reads at most [`ERROR_BODY_LIMIT`] of an unusable answer's body, for at most the idle
    /// timeout in all.
    ///
    /// A body that stalls, trickles or breaks is kept as far as it came: the status is the
    /// news, the body only detail.
    async fn read_failure(&self, mut response: reqwest::Response) -> Result<HttpFailure> {
        let status = response.status().as_u16();
        let headers = response.headers();
        let request_id = request_id(headers);
        let content_type = text(headers, &CONTENT_TYPE);
        let location = response
            .status()
            .is_redirection()
            .then(|| text(headers, &LOCATION))
            .flatten();
        let deadline = deadline_after(self.idle_timeout());
        let mut body = Vec::new();
        while body.len() < ERROR_BODY_LIMIT {
            let chunk = cancellable(
                &self.cancel,
                tokio::time::timeout_at(deadline, response.chunk()),
            );
            match chunk.await? {
                Ok(Ok(Some(chunk))) => {
                    let room = ERROR_BODY_LIMIT - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                _ => break,
            }
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        Ok(HttpFailure {
            status,
            api_error: ApiError::from_body(&body),
            body,
            request_id,
            content_type,
            location,
        })
    }
}

/// The instant `wait` from now; a wait too long to represent ends in about 30 years.
pub(crate) fn deadline_after(wait: Duration) -> tokio::time::Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);
    let now = tokio::time::Instant::now();
    now.checked_add(wait).unwrap_or_else(|| now + FAR_FUTURE)
}

/// Runs `future` unless `cancel` fires first.
///
/// # Errors
///
/// [`CodexErr::Interrupted`] when cancelled.
pub(crate) async fn cancellable<F: Future>(
    cancel: &CancellationToken,
    future: F,
) -> Result<F::Output> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(CodexErr::Interrupted { output: None }),
        output = future => Ok(output),
    }
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/event-stream"))
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    text(headers, "x-request-id")
}

/// A header's value, if it is there and is text.
fn text(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// `body` with `"stream": true` set, touching the caller's text only where needed.
///
/// # Errors
///
/// [`CodexErr::InvalidArgument`] (`body`) when `body` is not one JSON object.
pub(crate) fn with_stream_flag(body: String) -> Result<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        stream: Present,
    }
    /// A field's value, `null` included (plain `Option` would read `null` as absent).
    #[derive(Default)]
    struct Present(Option<serde_json::Value>);
    impl<'de> serde::Deserialize<'de> for Present {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            <serde_json::Value as serde::Deserialize>::deserialize(deserializer)
                .map(|value| Present(Some(value)))
        }
    }
    let not_an_object = |source: Option<serde_json::Error>| CodexErr::InvalidArgument {
        argument: "body",
        source: match source {
            Some(source) => Box::new(source),
            None => "not a JSON object".into(),
        },
    };
    let Some(rest) = body.trim_start().strip_prefix('{') else {
        return Err(not_an_object(None));
    };
    let probe = match serde_json::from_str::<Probe>(&body) {
        Ok(probe) => probe,
        Err(source) => return Err(not_an_object(Some(source))),
    };
    match probe.stream.0 {
        Some(serde_json::Value::Bool(true)) => Ok(body),
        None => {
            let open = body.len() - rest.len();
            let separator = if rest.trim_start().starts_with('}') {
                ""
            } else {
                ","
            };
            Ok(format!("{}\"stream\":true{separator}{rest}", &body[..open]))
        }
        Some(_) => {
            let mut object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&body).map_err(|source| not_an_object(Some(source)))?;
            object.insert("stream".into(), serde_json::Value::Bool(true));
            serde_json::to_string(&object).map_err(|source| not_an_object(Some(source)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_flag(body: &str) -> serde_json::Value {
        let out = with_stream_flag(body.into()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        value["stream"].clone()
    }

    #[test]
    fn stream_true_is_set_for_the_caller() {
        let body = r#"{"model":"m","stream":true}"#;
        assert_eq!(with_stream_flag(body.into()).unwrap(), body);
        assert_eq!(
            with_stream_flag(r#" {"model":"m"}"#.into()).unwrap(),
            r#" {"stream":true,"model":"m"}"#
        );
        assert_eq!(
            with_stream_flag("{ }".into()).unwrap(),
            r#"{"stream":true }"#
        );
        assert_eq!(stream_flag(r#"{"stream":false,"b":1}"#), true);
        assert_eq!(stream_flag(r#"{"stream":null}"#), true);
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        for body in ["[]", "{", "{\"a\":1} x", "\"text\"", ""] {
            let err = with_stream_flag(body.into()).unwrap_err();
            assert!(
                matches!(
                    err,
                    CodexErr::InvalidArgument {
                        argument: "body",
                        ..
                    }
                ),
                "{body}: {err:?}"
            );
        }
    }

    /// The template `config` gives with `vars` as the environment, or the option it names.
    fn template(
        config: ClientConfig,
        vars: &[(&str, &str)],
    ) -> std::result::Result<reqwest::Request, (&'static str, String)> {
        let env = |name: &str| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| value.to_string())
        };
        let endpoint = Endpoint::resolve(&config, env).unwrap();
        request_template(&config, &endpoint).map_err(|err| match err {
            CodexErr::InvalidArgument { argument, source } => (argument, source.to_string()),
            other => panic!("expected InvalidArgument, got {other:?}"),
        })
    }

    fn keyed(base_url: &str) -> ClientConfig {
        ClientConfig {
            api_key: Some("sk".into()),
            base_url: Some(base_url.into()),
            ..ClientConfig::default()
        }
    }

    #[test]
    fn the_url_is_the_base_and_responses_with_both_queries() {
        for (base, url) in [
            ("http://h:1/v1", "http://h:1/v1/responses"),
            ("http://h:1/v1//", "http://h:1/v1/responses"),
            ("https://h", "https://h/responses"),
            (
                "https://h/openai?api-version=1#x",
                "https://h/openai/responses?api-version=1",
            ),
        ] {
            assert_eq!(template(keyed(base), &[]).unwrap().url().as_str(), url);
        }
        let config = ClientConfig {
            query: vec![("b".into(), "2".into())],
            ..keyed("http://h/v1?a=1")
        };
        assert_eq!(
            template(config, &[]).unwrap().url().as_str(),
            "http://h/v1/responses?a=1&b=2"
        );
    }

    #[test]
    fn a_bad_setting_is_named_where_it_came_from() {
        let (argument, why) = template(keyed("ftp://h/v1"), &[]).unwrap_err();
        assert_eq!(argument, "base_url");
        assert!(why.contains("unsupported URL scheme \"ftp\""), "{why}");
        let (argument, _) = template(keyed("not a url"), &[]).unwrap_err();
        assert_eq!(argument, "base_url");

        let from_env = ClientConfig::default();
        let vars = [
            ("OPENAI_API_KEY", "sk"),
            ("OPENAI_BASE_URL", "localhost:8080"),
        ];
        let (argument, _) = template(from_env.clone(), &vars).unwrap_err();
        assert_eq!(argument, "OPENAI_BASE_URL");
        let vars = [("OPENAI_API_KEY", "sk-pasted\r\n")];
        let (argument, why) = template(from_env, &vars).unwrap_err();
        assert_eq!(argument, "OPENAI_API_KEY");
        assert!(!why.contains("sk-pasted"), "{why}");

        let key = ClientConfig {
            api_key: Some("sk\nsecret".into()),
            ..ClientConfig::default()
        };
        let (argument, why) = template(key, &[]).unwrap_err();
        assert_eq!(argument, "api_key");
        assert_eq!(why, "it contains a control character (such as CR or LF)");
    }

    #[test]
    fn a_bad_header_is_named_and_its_value_kept_secret() {
        let header = |name: &str, value: &str| ClientConfig {
            headers: vec![(name.into(), value.into())],
            ..keyed("http://h/v1")
        };
        let (argument, why) =
            template(header("x-token", "secret\r\nInjected: 1"), &[]).unwrap_err();
        assert_eq!(argument, "headers");
        assert_eq!(
            why,
            "the value of \"x-token\" contains a control character (such as CR or LF)"
        );
        let (_, why) = template(header("bad header", "x"), &[]).unwrap_err();
        assert_eq!(why, "\"bad header\" is not a valid header name");
        // A tab and text beyond ASCII are fine in a value.
        assert!(template(header("x-note", "a\tb \u{e9}"), &[]).is_ok());
    }

    #[test]
    fn only_event_streams_are_streams() {
        let mut headers = HeaderMap::new();
        assert!(!is_event_stream(&headers));
        for (value, expected) in [
            ("text/event-stream", true),
            ("Text/Event-Stream; charset=utf-8", true),
            ("text/html", false),
            ("application/json", false),
        ] {
            headers.insert(CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_event_stream(&headers), expected, "{value}");
        }
    }
}
