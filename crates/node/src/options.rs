//! The options objects of `exec` and `ResponsesClient`, converted into codex-core's parameters.
//!
//! The facade has already checked types and ranges and resolved `timeoutMs`' default (`null`
//! means no timeout, which an `Option` here cannot tell from "not given"); what is left is filling
//! in codex-core's defaults, turning milliseconds into durations and the policy's JSON into a
//! [`SandboxPolicy`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use codex_core::SandboxPolicy;
use codex_core::client::ClientConfig;
use codex_core::exec::{ExecEnv, ExecParams, InheritEnv};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::error::NativeError;

/// Which of the caller's environment variables a command inherits.
#[napi(string_enum = "lowercase")]
pub enum InheritEnvMode {
    /// All but names containing KEY, SECRET or TOKEN.
    Filtered,
    /// Everything.
    All,
}

/// `exec` options after the facade's validation (see `ExecOptions` in `index.d.ts`).
#[napi(object)]
pub struct ExecOptions {
    /// Working directory; the current one when absent.
    pub cwd: Option<String>,
    /// The exact environment; bypasses inheritance.
    pub env: Option<HashMap<String, String>>,
    /// Inheritance when `env` is absent.
    pub inherit_env: Option<InheritEnvMode>,
    /// Timeout in ms; absent means none (the facade fills in the default).
    pub timeout_ms: Option<f64>,
    /// SIGTERM to SIGKILL delay in ms.
    pub kill_grace_ms: Option<f64>,
    /// Kept bytes per stream.
    pub max_output_bytes: Option<f64>,
    /// The `SandboxPolicy` as JSON.
    pub sandbox: Option<String>,
    /// Helper candidates in search order.
    pub sandbox_executable: Option<Vec<String>>,
    /// Bytes for the child's stdin; `/dev/null` when absent.
    pub stdin: Option<Buffer>,
}

impl TryFrom<ExecOptions> for ExecParams {
    type Error = NativeError;

    fn try_from(options: ExecOptions) -> Result<Self, Self::Error> {
        let defaults = ExecParams::default();
        let sandbox = options.sandbox.as_deref().map(sandbox_policy).transpose()?;
        let env = exec_env(options.env, options.inherit_env);
        Ok(ExecParams {
            cwd: options.cwd.map(PathBuf::from),
            env,
            stdin: options.stdin.map(|bytes| bytes.to_vec()),
            timeout: options.timeout_ms.map(millis),
            kill_grace: options.kill_grace_ms.map_or(defaults.kill_grace, millis),
            max_output_bytes: options
                .max_output_bytes
                .map_or(defaults.max_output_bytes, |bytes| bytes as usize),
            sandbox,
            sandbox_executable: options
                .sandbox_executable
                .unwrap_or_default()
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            ..defaults
        })
    }
}

/// The policy's JSON; a refusal (e.g. a misspelt field) is a bad argument naming the option.
fn sandbox_policy(json: &str) -> Result<SandboxPolicy, NativeError> {
    serde_json::from_str(json).map_err(|err| {
        NativeError::invalid_argument(format!("options.sandbox is not a valid policy: {err}"))
    })
}

/// `env` exactly when given, else the caller's environment, filtered unless `inheritEnv: 'all'`.
fn exec_env(env: Option<HashMap<String, String>>, inherit: Option<InheritEnvMode>) -> ExecEnv {
    match (env, inherit) {
        (Some(vars), _) => ExecEnv::Exact(vars.into_iter().collect()),
        (None, Some(InheritEnvMode::All)) => ExecEnv::Inherit(InheritEnv::All),
        (None, _) => ExecEnv::Inherit(InheritEnv::Filtered),
    }
}

/// `ResponsesClient` options after the facade's validation (see `ClientOptions` in `index.d.ts`).
#[napi(object)]
pub struct ClientOptions {
    /// The API key; `OPENAI_API_KEY` when absent.
    pub api_key: Option<String>,
    /// The base URL; `OPENAI_BASE_URL` or the public API when absent.
    pub base_url: Option<String>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// First backoff delay in ms.
    pub retry_base_delay_ms: Option<f64>,
    /// Backoff ceiling in ms.
    pub retry_max_delay_ms: Option<f64>,
    /// Longest silence on an open stream, in ms.
    pub stream_idle_timeout_ms: Option<f64>,
    /// Longest wait for response headers, in ms.
    pub request_timeout_ms: Option<f64>,
    /// Extra request headers; they replace ours of the same name.
    pub headers: Option<HashMap<String, String>>,
    /// Query parameters added to every request.
    pub query: Option<HashMap<String, String>>,
}

/// Everything but the retry hook, which the binding wraps separately.
impl From<ClientOptions> for ClientConfig {
    fn from(options: ClientOptions) -> Self {
        let defaults = ClientConfig::default();
        ClientConfig {
            api_key: options.api_key,
            base_url: options.base_url,
            max_retries: options.max_retries.unwrap_or(defaults.max_retries),
            retry_base_delay: options
                .retry_base_delay_ms
                .map_or(defaults.retry_base_delay, millis),
            retry_max_delay: options
                .retry_max_delay_ms
                .map_or(defaults.retry_max_delay, millis),
            stream_idle_timeout: options
                .stream_idle_timeout_ms
                .map_or(defaults.stream_idle_timeout, millis),
            request_timeout: options
                .request_timeout_ms
                .map(millis)
                .or(defaults.request_timeout),
            headers: options.headers.unwrap_or_default().into_iter().collect(),
            query: options.query.unwrap_or_default().into_iter().collect(),
            on_retry: defaults.on_retry,
        }
    }
}

/// Milliseconds from JavaScript as a [`Duration`]; the facade rejects negative and non-finite
/// values, and anything too large for a `Duration` saturates instead of panicking.
pub(crate) fn millis(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms.max(0.0) / 1000.0).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_is_exact_when_given_else_inherited_and_filtered_by_default() {
        let vars = HashMap::from([("A".to_owned(), "1".to_owned())]);
        assert_eq!(
            exec_env(Some(vars), Some(InheritEnvMode::All)),
            ExecEnv::Exact(vec![("A".into(), "1".into())])
        );
        assert_eq!(
            exec_env(None, Some(InheritEnvMode::All)),
            ExecEnv::Inherit(InheritEnv::All)
        );
        assert_eq!(exec_env(None, None), ExecEnv::Inherit(InheritEnv::Filtered));
    }

    #[test]
    fn a_bad_policy_is_an_invalid_argument_naming_the_option() {
        assert_eq!(
            sandbox_policy(r#"{"mode":"read-only"}"#).unwrap(),
            SandboxPolicy::ReadOnly(codex_sandbox_policy::ReadOnlyPolicy::default())
        );
        let err = sandbox_policy(r#"{"mode":"workspace-write","writeableRoots":[]}"#).unwrap_err();
        assert_eq!(err.code, crate::error::INVALID_ARGUMENT);
        assert!(
            err.message.starts_with("options.sandbox"),
            "{}",
            err.message
        );
    }

    #[test]
    fn milliseconds_become_durations_and_saturate_instead_of_panicking() {
        assert_eq!(millis(1500.0), Duration::from_millis(1500));
        assert_eq!(millis(f64::MAX), Duration::MAX);
        assert_eq!(millis(-5.0), Duration::ZERO);
    }

    #[test]
    fn client_options_fill_in_the_core_defaults() {
        let config = ClientConfig::from(ClientOptions {
            api_key: Some("k".into()),
            base_url: None,
            max_retries: None,
            retry_base_delay_ms: Some(10.0),
            retry_max_delay_ms: None,
            stream_idle_timeout_ms: None,
            request_timeout_ms: Some(250.0),
            headers: Some(HashMap::from([("api-key".to_owned(), "x".to_owned())])),
            query: None,
        });
        let defaults = ClientConfig::default();
        assert_eq!(config.max_retries, defaults.max_retries);
        assert_eq!(config.retry_base_delay, Duration::from_millis(10));
        assert_eq!(config.stream_idle_timeout, defaults.stream_idle_timeout);
        assert_eq!(config.request_timeout, Some(Duration::from_millis(250)));
        assert_eq!(config.headers, vec![("api-key".into(), "x".into())]);
        assert!(config.on_retry.is_none());
    }
}
