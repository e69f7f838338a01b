//! The options objects of `exec` and `ResponsesClient`, converted into codex-core's parameters.
//!
//! The facade has checked every value's type and range and rejected unknown keys; what is
//! left here is the one place the defaults are filled in (codex-core's), milliseconds become
//! durations, and the typed policy becomes a [`SandboxPolicy`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use codex_core::SandboxPolicy;
use codex_core::client::ClientConfig;
use codex_core::exec::{ExecEnv, ExecParams, ExecStdin, InheritEnv};
use codex_core::sandbox::{ReadOnlyPolicy, WorkspaceWritePolicy};
use napi::bindgen_prelude::{Buffer, Either, Null};
use napi_derive::napi;

/// Which of the caller's environment variables a command inherits.
#[napi(string_enum = "lowercase")]
pub enum InheritEnvMode {
    /// All but names containing KEY, SECRET or TOKEN.
    Filtered,
    /// Everything.
    All,
}

/// What a sandboxed command may do (DESIGN.md §3).
#[napi(string_enum = "kebab-case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxMode {
    /// No sandbox.
    DangerFullAccess,
    /// Read and execute everywhere, write nowhere but `/dev/null`.
    ReadOnly,
    /// Also write in the workspace, the writable roots and the temporary directories.
    WorkspaceWrite,
}

/// A `SandboxPolicy` as the facade passes it: the fields a `mode` does not have are absent.
#[napi(object)]
pub struct SandboxPolicyOptions {
    /// The policy's shape.
    pub mode: SandboxMode,
    /// Whether the command may open network sockets (default false).
    pub network_access: Option<bool>,
    /// The directory that becomes writable (workspace-write; default: the cwd).
    pub workspace_root: Option<String>,
    /// Extra directories the command may write in (workspace-write).
    pub writable_roots: Option<Vec<String>>,
    /// Leave `/tmp` and `$TMPDIR` read-only (workspace-write).
    pub exclude_tmp: Option<bool>,
    /// Paths kept read-only inside the writable roots (workspace-write; default `[".git"]`).
    pub protected_paths: Option<Vec<String>>,
    /// Unix sockets outside the writable roots the command may connect to.
    pub allow_unix_sockets: Option<Vec<String>>,
}

impl From<SandboxPolicyOptions> for SandboxPolicy {
    fn from(policy: SandboxPolicyOptions) -> Self {
        let paths = |list: Option<Vec<String>>| -> Vec<PathBuf> {
            list.unwrap_or_default()
                .into_iter()
                .map(PathBuf::from)
                .collect()
        };
        let network_access = policy.network_access.unwrap_or(false);
        let allow_unix_sockets = paths(policy.allow_unix_sockets);
        match policy.mode {
            SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
            SandboxMode::ReadOnly => SandboxPolicy::ReadOnly(ReadOnlyPolicy {
                network_access,
                allow_unix_sockets,
            }),
            SandboxMode::WorkspaceWrite => SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
                workspace_root: policy.workspace_root.map(PathBuf::from),
                writable_roots: paths(policy.writable_roots),
                network_access,
                exclude_tmp: policy.exclude_tmp.unwrap_or(false),
                protected_paths: policy.protected_paths.map(|list| paths(Some(list))),
                allow_unix_sockets,
            }),
        }
    }
}

/// `exec` options after the facade's checks (see `ExecOptions` in `index.d.ts`); an absent
/// value takes codex-core's default.
#[napi(object)]
pub struct ExecOptions {
    /// Working directory; the current one when absent.
    pub cwd: Option<String>,
    /// Alone: the exact environment. With `inheritEnv`: set over the inherited one.
    pub env: Option<HashMap<String, String>>,
    /// How much of the caller's environment is inherited (default filtered; nothing when `env`
    /// comes alone).
    pub inherit_env: Option<InheritEnvMode>,
    /// Timeout in ms: absent for the default (10 s), `null` or 0 for none.
    #[napi(ts_type = "number | null")]
    pub timeout_ms: Option<Either<f64, Null>>,
    /// SIGTERM to SIGKILL delay in ms (default 2000).
    pub kill_grace_ms: Option<f64>,
    /// Kept bytes per stream (default 1 MiB).
    pub max_output_bytes: Option<f64>,
    /// The sandbox; none when absent.
    pub sandbox: Option<SandboxPolicyOptions>,
    /// The helper's path, tried alone.
    pub sandbox_executable: Option<String>,
    /// Where the package installed the helper, for the search of DESIGN.md §4.
    pub helper_dirs: Option<Vec<String>>,
    /// Bytes for the child's stdin; `/dev/null` when absent (a stream of chunks comes as
    /// `exec`'s `StdinWriter` instead).
    pub stdin: Option<Buffer>,
}

impl From<ExecOptions> for ExecParams {
    fn from(options: ExecOptions) -> Self {
        let defaults = ExecParams::default();
        ExecParams {
            cwd: options.cwd.map(PathBuf::from),
            env: exec_env(options.env, options.inherit_env),
            stdin: options
                .stdin
                .map_or(ExecStdin::Null, |bytes| ExecStdin::Bytes(bytes.to_vec())),
            timeout: timeout(options.timeout_ms, defaults.timeout),
            kill_grace: options.kill_grace_ms.map_or(defaults.kill_grace, millis),
            max_output_bytes: options
                .max_output_bytes
                .map_or(defaults.max_output_bytes, |bytes| bytes as usize),
            sandbox: options.sandbox.map(SandboxPolicy::from),
            sandbox_executable: options
                .sandbox_executable
                .map(PathBuf::from)
                .into_iter()
                .collect(),
            helper_dirs: paths(options.helper_dirs),
            ..defaults
        }
    }
}

/// `timeoutMs` as a timeout: absent takes `default`; `null` and, as in Node, 0 mean none.
fn timeout(timeout_ms: Option<Either<f64, Null>>, default: Option<Duration>) -> Option<Duration> {
    match timeout_ms {
        None => default,
        Some(Either::B(Null)) => None,
        Some(Either::A(ms)) => (ms > 0.0).then(|| millis(ms)),
    }
}

/// `env` alone is the exact environment; otherwise the caller's is inherited (filtered unless
/// `inheritEnv: 'all'`) with `env`, if given, set over it (DESIGN.md §3).
fn exec_env(env: Option<HashMap<String, String>>, inherit: Option<InheritEnvMode>) -> ExecEnv {
    match (env, inherit) {
        (Some(vars), None) => ExecEnv::Exact(vars.into_iter().collect()),
        (vars, mode) => ExecEnv::Inherit {
            mode: match mode {
                Some(InheritEnvMode::All) => InheritEnv::All,
                Some(InheritEnvMode::Filtered) | None => InheritEnv::Filtered,
            },
            set: vars.unwrap_or_default().into_iter().collect(),
        },
    }
}

/// Paths from JavaScript strings.
pub(crate) fn paths(paths: Option<Vec<String>>) -> Vec<PathBuf> {
    paths
        .unwrap_or_default()
        .into_iter()
        .map(PathBuf::from)
        .collect()
}

/// `ResponsesClient` options after the facade's checks (see `ClientOptions` in `index.d.ts`).
#[napi(object)]
pub struct ClientOptions {
    /// The API key; `OPENAI_API_KEY` when absent.
    pub api_key: Option<String>,
    /// The base URL; `OPENAI_BASE_URL` or the public API when absent.
    pub base_url: Option<String>,
    /// Retries after the first attempt (default 4).
    pub max_retries: Option<u32>,
    /// First backoff delay in ms (default 200).
    pub retry_base_delay_ms: Option<f64>,
    /// Backoff ceiling in ms (default 8000).
    pub retry_max_delay_ms: Option<f64>,
    /// Longest silence on an open stream, in ms (default 300 000).
    pub stream_idle_timeout_ms: Option<f64>,
    /// Longest wait for the response headers of each request, connecting and sending the body
    /// included, in ms (default 300 000, as `streamIdleTimeoutMs`: before its headers the server
    /// is just as silent). Past it the request fails with `StreamTimeoutError` (`phase:
    /// 'headers'`), without a retry.
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
                .map_or(defaults.request_timeout, millis),
            headers: options.headers.unwrap_or_default().into_iter().collect(),
            query: options.query.unwrap_or_default().into_iter().collect(),
            on_retry: defaults.on_retry,
        }
    }
}

/// The JavaScript name of what a [`codex_core::CodexErr::InvalidArgument`] names: a
/// [`ClientConfig`] field as the `ClientOptions` key it came from; anything else (`body`, the
/// environment variable a setting came from) as it is.
pub(crate) fn js_option_name(argument: &str) -> &str {
    match argument {
        "api_key" => "options.apiKey",
        "base_url" => "options.baseUrl",
        "headers" => "options.headers",
        other => other,
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
    fn env_alone_is_exact_and_with_inherit_env_is_set_over_the_inherited_one() {
        let vars = || Some(HashMap::from([("A".to_owned(), "1".to_owned())]));
        let a = vec![("A".to_owned(), "1".to_owned())];
        assert_eq!(exec_env(vars(), None), ExecEnv::Exact(a.clone()));
        assert_eq!(
            exec_env(vars(), Some(InheritEnvMode::Filtered)),
            ExecEnv::Inherit {
                mode: InheritEnv::Filtered,
                set: a.clone()
            }
        );
        assert_eq!(
            exec_env(vars(), Some(InheritEnvMode::All)),
            ExecEnv::Inherit {
                mode: InheritEnv::All,
                set: a
            }
        );
        assert_eq!(
            exec_env(None, Some(InheritEnvMode::All)),
            ExecEnv::inherit(InheritEnv::All)
        );
        assert_eq!(exec_env(None, None), ExecEnv::inherit(InheritEnv::Filtered));
    }

    #[test]
    fn an_absent_timeout_takes_the_default_and_null_or_zero_means_none() {
        let default = ExecParams::default().timeout;
        assert_eq!(timeout(None, default), default);
        assert_eq!(timeout(Some(Either::B(Null)), default), None);
        assert_eq!(timeout(Some(Either::A(0.0)), default), None);
        assert_eq!(
            timeout(Some(Either::A(300.0)), default),
            Some(Duration::from_millis(300))
        );
    }

    #[test]
    fn a_policy_takes_only_the_fields_of_its_mode() {
        let policy = |mode| SandboxPolicyOptions {
            mode,
            network_access: Some(true),
            workspace_root: Some("/ws".into()),
            writable_roots: Some(vec!["/data".into()]),
            exclude_tmp: None,
            protected_paths: Some(Vec::new()),
            allow_unix_sockets: Some(vec!["/run/x.sock".into()]),
        };
        assert_eq!(
            SandboxPolicy::from(policy(SandboxMode::ReadOnly)),
            SandboxPolicy::ReadOnly(ReadOnlyPolicy {
                network_access: true,
                allow_unix_sockets: vec!["/run/x.sock".into()],
            })
        );
        assert_eq!(
            SandboxPolicy::from(policy(SandboxMode::WorkspaceWrite)),
            SandboxPolicy::WorkspaceWrite(WorkspaceWritePolicy {
                workspace_root: Some("/ws".into()),
                writable_roots: vec!["/data".into()],
                network_access: true,
                exclude_tmp: false,
                protected_paths: Some(Vec::new()),
                allow_unix_sockets: vec!["/run/x.sock".into()],
            })
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
        assert_eq!(config.request_timeout, Duration::from_millis(250));
        assert_eq!(config.headers, vec![("api-key".into(), "x".into())]);
        assert!(config.on_retry.is_none());
    }
}
