//! What a [`ResponsesClient`](super::ResponsesClient) is configured with, and how the API key
//! and base URL fall back to the environment.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{CodexErr, EnvVarError, Result};

/// The API used when neither the config nor `OPENAI_BASE_URL` names one.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// The variable holding the API key when the config has none.
pub const API_KEY_VAR: &str = "OPENAI_API_KEY";

/// The variable holding the base URL when the config has none.
pub const BASE_URL_VAR: &str = "OPENAI_BASE_URL";

/// How long a request waits for its response headers unless configured otherwise: as long as
/// an open stream may stay silent ([`ClientConfig::stream_idle_timeout`]'s default), because
/// before its headers the server is just as silent. The Responses API sends them as soon as it
/// accepts the request, so only a stalled server or proxy, or a body too large for the uplink,
/// comes near it; the `openai` SDK allows 600 s for the same wait.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// Called before each retry, e.g. to log it.
pub type RetryHook = Arc<dyn Fn(&RetryInfo) + Send + Sync>;

/// Settings of a [`ResponsesClient`](super::ResponsesClient); `Default` gives DESIGN.md §5's.
#[derive(Clone)]
pub struct ClientConfig {
    /// The API key; `None` reads `OPENAI_API_KEY`.
    pub api_key: Option<String>,
    /// The API's base URL (the request goes to `{base}/responses`); `None` reads
    /// `OPENAI_BASE_URL`, then uses [`DEFAULT_BASE_URL`].
    pub base_url: Option<String>,
    /// Retries after the first request (default 4).
    pub max_retries: u32,
    /// Backoff before the first retry, doubled for each later one (default 200 ms).
    pub retry_base_delay: Duration,
    /// Upper bound of the computed backoff (default 8 s); `Retry-After` may ask for up to 60 s.
    pub retry_max_delay: Duration,
    /// Longest wait for the next byte of the stream, comments included (default 300 s).
    pub stream_idle_timeout: Duration,
    /// Longest wait for the response headers of one request, connecting and sending the body
    /// included (default [`DEFAULT_REQUEST_TIMEOUT`]), so that no request waits forever.
    pub request_timeout: Duration,
    /// Extra request headers; they replace the defaults of the same name (e.g. `Authorization`).
    pub headers: Vec<(String, String)>,
    /// Extra query parameters, e.g. Azure's `api-version`.
    pub query: Vec<(String, String)>,
    /// Called before each retry.
    pub on_retry: Option<RetryHook>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_key: None,
            base_url: None,
            max_retries: 4,
            retry_base_delay: Duration::from_millis(200),
            retry_max_delay: Duration::from_secs(8),
            stream_idle_timeout: Duration::from_secs(300),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            headers: Vec::new(),
            query: Vec::new(),
            on_retry: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key and header values may be secrets: only say whether they are there.
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ClientConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .field("retry_max_delay", &self.retry_max_delay)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("headers", &header_names)
            .field("query", &self.query)
            .field("on_retry", &self.on_retry.is_some())
            .finish()
    }
}

/// What the retry hook is told before a retry.
#[derive(Debug)]
pub struct RetryInfo {
    /// Which retry this is: 1 for the second request.
    pub attempt: u32,
    /// How long the client waits before sending it.
    pub delay: Duration,
    /// The status that caused the retry; `None` for a transport failure or a broken stream.
    pub status: Option<u16>,
    /// What went wrong with the previous request.
    pub error: CodexErr,
}

/// A setting and where it came from: the [`ClientConfig`] field or the environment variable an
/// error about it names.
#[derive(Debug)]
pub(crate) struct Setting {
    pub(crate) value: String,
    pub(crate) from: &'static str,
}

/// The key and base URL a client talks to, after the environment fallbacks.
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// `None` when the caller authenticates through its own `Authorization` or `api-key` header.
    pub(crate) api_key: Option<Setting>,
    /// The base URL, unparsed; requests go to `{base}/responses`.
    pub(crate) base_url: Setting,
}

impl Endpoint {
    /// Resolves the key and URL from `config`, then `env`.
    ///
    /// # Errors
    ///
    /// [`CodexErr::EnvVar`] when no API key is configured anywhere.
    pub(crate) fn resolve(
        config: &ClientConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Endpoint> {
        // A value given in the config wins even when empty (it then counts as none).
        let setting = |configured: &Option<String>, field, var| {
            let (value, from) = match configured {
                Some(value) => (Some(value.clone()), field),
                None => (env(var), var),
            };
            value
                .filter(|value| !value.is_empty())
                .map(|value| Setting { value, from })
        };
        // A caller that brings its own credential header (a proxy's `Authorization`, Azure's
        // `api-key`) needs no key, and the environment's OpenAI key must not travel to that
        // endpoint uninvited; a key passed in the config is still sent.
        let own_credential = config.headers.iter().any(|(name, _)| {
            name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("api-key")
        });
        let api_key = if config.api_key.is_none() && own_credential {
            None
        } else {
            setting(&config.api_key, "api_key", API_KEY_VAR)
        };
        if api_key.is_none() && !own_credential {
            return Err(CodexErr::EnvVar(EnvVarError {
                var: API_KEY_VAR.into(),
                instructions: Some(format!(
                    "set {API_KEY_VAR} to your OpenAI API key (https://platform.openai.com/api-keys), \
                     or pass apiKey to the client"
                )),
            }));
        }
        let base_url =
            setting(&config.base_url, "base_url", BASE_URL_VAR).unwrap_or_else(|| Setting {
                value: DEFAULT_BASE_URL.into(),
                from: "base_url",
            });
        Ok(Endpoint { api_key, base_url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn config_wins_over_environment_which_wins_over_defaults() {
        let config = ClientConfig {
            api_key: Some("sk-config".into()),
            base_url: Some("http://127.0.0.1:1/v1/".into()),
            ..ClientConfig::default()
        };
        let vars = env(&[(API_KEY_VAR, "sk-env"), (BASE_URL_VAR, "http://env/v1")]);
        let shown = |endpoint: &Endpoint| {
            let key = endpoint.api_key.as_ref().unwrap();
            let base = &endpoint.base_url;
            (key.value.clone(), key.from, base.value.clone(), base.from)
        };
        let endpoint = Endpoint::resolve(&config, &vars).unwrap();
        assert_eq!(
            shown(&endpoint),
            (
                "sk-config".into(),
                "api_key",
                "http://127.0.0.1:1/v1/".into(),
                "base_url"
            )
        );

        let endpoint = Endpoint::resolve(&ClientConfig::default(), &vars).unwrap();
        assert_eq!(
            shown(&endpoint),
            (
                "sk-env".into(),
                API_KEY_VAR,
                "http://env/v1".into(),
                BASE_URL_VAR
            )
        );

        let endpoint =
            Endpoint::resolve(&ClientConfig::default(), env(&[(API_KEY_VAR, "k")])).unwrap();
        assert_eq!(endpoint.base_url.value, DEFAULT_BASE_URL);
    }

    #[test]
    fn a_missing_or_empty_key_is_an_env_var_error_with_instructions() {
        for vars in [env(&[]), env(&[(API_KEY_VAR, "")])] {
            let Err(CodexErr::EnvVar(error)) = Endpoint::resolve(&ClientConfig::default(), vars)
            else {
                panic!("expected EnvVar");
            };
            assert_eq!(error.var, API_KEY_VAR);
            assert!(error.instructions.unwrap().contains(API_KEY_VAR));
        }
    }

    #[test]
    fn an_own_authorization_header_needs_no_key() {
        let config = ClientConfig {
            headers: vec![("authorization".into(), "Bearer x".into())],
            ..ClientConfig::default()
        };
        let endpoint = Endpoint::resolve(&config, env(&[])).unwrap();
        assert!(endpoint.api_key.is_none());
    }

    #[test]
    fn an_azure_api_key_header_needs_no_key_and_keeps_the_env_key_home() {
        let azure = ClientConfig {
            headers: vec![("Api-Key".into(), "azure-secret".into())],
            ..ClientConfig::default()
        };
        let endpoint = Endpoint::resolve(&azure, env(&[(API_KEY_VAR, "sk-env")])).unwrap();
        assert!(endpoint.api_key.is_none());
        let explicit = ClientConfig {
            api_key: Some("sk-config".into()),
            ..azure
        };
        let endpoint = Endpoint::resolve(&explicit, env(&[])).unwrap();
        assert_eq!(endpoint.api_key.unwrap().value, "sk-config");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let config = ClientConfig {
            api_key: Some("sk-secret".into()),
            headers: vec![("api-key".into(), "azure-secret".into())],
            ..ClientConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("api-key"), "{shown}");
    }
}
