//! The one error taxonomy of codex-core (DESIGN.md §2).
//!
//! Every variant maps to one [`ErrorCode`] through [`CodexErr::error_code`], and the code names
//! the JavaScript class; the fields each class exposes live on the variant, so the binding only
//! converts them.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::error_code::ErrorCode;
use crate::exec::ExecOutput;
use crate::os_names::errno_name;

/// Result alias used throughout codex-core.
pub type Result<T, E = CodexErr> = std::result::Result<T, E>;

/// A boxed error kept as a `source`, for causes of more than one concrete type.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every way a codex-core operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum CodexErr {
    /// The sandbox or the command's run ended the command, or the sandbox could not be set up.
    #[error(transparent)]
    Sandbox(#[from] SandboxErr),

    /// A sandbox was asked for on Linux but no `codex-linux-sandbox` executable was found.
    #[error("codex-linux-sandbox executable not found (searched: {})", display_paths(.searched))]
    SandboxExecutableNotFound {
        /// Every path that was tried, in order.
        searched: Vec<PathBuf>,
    },

    /// The executable taken for `codex-linux-sandbox` is not the helper: asked to run `true`, it
    /// did not answer on the status pipe (or could not be run at all). Nothing was run under it.
    #[error(
        "{} is not a working codex-linux-sandbox executable: {detail}",
        .path.display()
    )]
    SandboxExecutableRejected {
        /// The executable that was asked.
        path: PathBuf,
        /// What it did instead of answering.
        detail: String,
    },

    /// The response stream broke after events had been handed out, or ended without a terminal
    /// event.
    #[error("stream disconnected: {message}")]
    Stream {
        /// What happened, e.g. "stream closed before response.completed".
        message: String,
        /// How many events the caller had received before the break.
        events_received: u64,
        /// The transport error, if there was one.
        #[source]
        source: Option<BoxError>,
    },

    /// No byte arrived on an open stream for the idle timeout.
    #[error("no data received for {} ms", .idle.as_millis())]
    Timeout {
        /// The idle timeout that expired.
        idle: Duration,
    },

    /// No response headers arrived within the request timeout.
    #[error("no response headers received within {} ms", .timeout.as_millis())]
    HeadersTimeout {
        /// The request timeout that expired.
        timeout: Duration,
    },

    /// The server answered with a status that is not retried.
    #[error("unexpected status {}{}", .0.status, .0.describe())]
    UnexpectedStatus(Box<HttpFailure>),

    /// Every retry was used up. The message ends with what the last attempt met (its status, or
    /// a short account of its failure such as `connection refused (ECONNREFUSED)`), so that it
    /// says why on its own.
    #[error("retry limit reached after {attempts} attempt{}{}", if *.attempts == 1 { "" } else { "s" }, describe_last(.last.as_deref(), .source.as_deref()))]
    RetryLimit {
        /// Requests made in all.
        attempts: u32,
        /// The last HTTP answer, or `None` when no response ever came.
        last: Option<Box<HttpFailure>>,
        /// When no response came: the HTTP client's error, or the stream's break (a
        /// [`CodexErr::Stream`]) when the response broke before its first event.
        #[source]
        source: Option<BoxError>,
    },

    /// The server ended the response with `response.failed` or an `error` event.
    #[error("response failed: {message}")]
    ResponseFailed {
        /// The message of the failure.
        message: String,
        /// The API's error code (`rate_limit_exceeded`…), if given.
        error_code: Option<String>,
        /// The response's id, if the event carried one.
        response_id: Option<String>,
        /// The structured error, if the event carried one.
        api_error: Option<ApiError>,
    },

    /// The caller cancelled the operation.
    #[error("the operation was aborted")]
    Interrupted {
        /// What the command had produced when it was killed (exec only).
        output: Option<Box<ExecOutput>>,
    },

    /// The child's pipes or process could not be set up.
    #[error("failed to spawn process: {source}")]
    Spawn {
        /// The OS error.
        #[source]
        source: io::Error,
    },

    /// An OS-level failure with a path, e.g. the command was not found.
    #[error("{}{}: {source}", .syscall, display_path(.path.as_deref()))]
    Io {
        /// The OS error.
        #[source]
        source: io::Error,
        /// The failing operation, Node-style (`spawn`, `open`, `chdir`).
        syscall: &'static str,
        /// The path involved, if any.
        path: Option<PathBuf>,
    },

    /// The working directory does not exist, is not a directory, or cannot be entered; nothing
    /// ran. JavaScript sees a `CodexIoError` (syscall `chdir`, `path` the cwd), as for `Io`.
    #[error("cwd {} {}", .path.display(), cwd_problem(.source))]
    Cwd {
        /// The OS error.
        #[source]
        source: io::Error,
        /// The working directory, as the command would have started in it.
        path: PathBuf,
    },

    /// A request could not be sent, or its response not read: a refused connection, a reset
    /// before the headers, a broken body.
    #[error("request failed: {0}")]
    Transport(#[source] reqwest::Error),

    /// An argument cannot be used: a client setting (a base URL that does not parse or is not
    /// http or https, a header name, a header value or API key with a control character) or a
    /// request body that is not a JSON object. Nothing was sent.
    #[error("invalid {argument}: {source}")]
    InvalidArgument {
        /// What was wrong: a [`ClientConfig`](crate::ClientConfig) field name (`api_key`,
        /// `base_url`, `headers`), the environment variable the setting came from
        /// (`OPENAI_API_KEY`, `OPENAI_BASE_URL`), or `body`.
        argument: &'static str,
        /// Why it cannot be used.
        #[source]
        source: BoxError,
    },

    /// An event of the response stream was not valid JSON, or was larger than the limit.
    #[error("invalid event: {message}")]
    Json {
        /// Why the event was rejected.
        message: String,
        /// The start of the event's data (≤ 1 KiB).
        raw: String,
        /// The parse error, when there was one.
        #[source]
        source: Option<serde_json::Error>,
    },

    /// A required environment variable is missing.
    #[error(transparent)]
    EnvVar(#[from] EnvVarError),

    /// An internal task panicked or was cancelled.
    #[error("internal task failed: {0}")]
    TokioJoin(#[from] tokio::task::JoinError),

    /// A bug: a caught panic or a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Failures that belong to running a command, with or without a sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxErr {
    /// A sandboxed command failed, and the evidence says the sandbox caused it.
    #[error("sandbox denied the command (exit code {})", display_code(.output.exit_code))]
    Denied {
        /// The command's output.
        output: Box<ExecOutput>,
    },

    /// The command ran past its timeout and was killed.
    #[error("command timed out after {} ms", .timeout.as_millis())]
    Timeout {
        /// The timeout that expired.
        timeout: Duration,
        /// What the command had produced.
        output: Box<ExecOutput>,
    },

    /// The command was killed by a signal.
    #[error("command was killed by signal {signal}")]
    Signal {
        /// The signal number.
        signal: i32,
        /// What the command had produced.
        output: Box<ExecOutput>,
    },

    /// Landlock is missing or could not be fully enforced; nothing was run.
    #[error("landlock could not be enforced: {detail}")]
    LandlockRestrict {
        /// The kernel's Landlock ABI, `None` when Landlock is unavailable.
        abi: Option<u32>,
        /// The ABI the policy needs.
        needed: u32,
        /// What went wrong.
        detail: String,
    },

    /// The kernel refused the seccomp filter; nothing was run.
    #[error("seccomp filter could not be installed: {detail}")]
    SeccompInstall {
        /// What went wrong.
        detail: String,
    },

    /// The policy cannot be applied as given (a writable root that is `/` or lies in `/proc`,
    /// `/sys` or `/dev`, one reached through a symlink a sandboxed run could have planted, a
    /// protected path this machine cannot keep read-only); nothing was run.
    #[error("the sandbox policy cannot be applied: {detail}")]
    Policy {
        /// What is wrong and how to fix it.
        detail: String,
    },

    /// This platform has no sandbox; nothing was run.
    #[error("sandboxing is not supported on {platform}")]
    Unsupported {
        /// `process.platform`-style name of the platform.
        platform: String,
    },
}

/// A required environment variable is missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing environment variable {var}{}", .instructions.as_deref().map(|i| format!(": {i}")).unwrap_or_default())]
pub struct EnvVarError {
    /// The variable's name, e.g. `OPENAI_API_KEY`.
    pub var: String,
    /// What the user should do about it.
    pub instructions: Option<String>,
}

/// One HTTP answer that was not a usable stream: its status, body and ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpFailure {
    /// The HTTP status code.
    pub status: u16,
    /// The response body (possibly cut to a bounded size).
    pub body: String,
    /// The `x-request-id` header, if any.
    pub request_id: Option<String>,
    /// The body parsed in the API's `{"error": {...}}` shape, if it was.
    pub api_error: Option<ApiError>,
    /// The `Content-Type` header, if any: what a 2xx that is not an event stream sent instead.
    pub content_type: Option<String>,
    /// The `Location` of a redirect that was not followed.
    pub location: Option<String>,
}

impl HttpFailure {
    fn describe(&self) -> String {
        let mut text = String::new();
        if (200..300).contains(&self.status) {
            text.push_str(": expected content type text/event-stream, got ");
            text.push_str(self.content_type.as_deref().unwrap_or("none"));
        }
        if let Some(location) = &self.location {
            text.push_str(": redirect to ");
            text.push_str(location);
            text.push_str(" not followed (only a 307 or 308 to the same origin is)");
        }
        if let Some(message) = self.api_error.as_ref().and_then(|e| e.message.as_deref()) {
            text.push_str(": ");
            text.push_str(message);
        }
        if let Some(id) = &self.request_id {
            text.push_str(" (request id ");
            text.push_str(id);
            text.push(')');
        }
        text
    }
}

/// The API's structured error object (`{"error": {"type", "code", "param", "message"}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// e.g. `invalid_request_error`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// e.g. `invalid_api_key`; a number in some APIs is kept as its text.
    #[serde(default, deserialize_with = "string_or_number")]
    pub code: Option<String>,
    /// The request parameter at fault.
    #[serde(default)]
    pub param: Option<String>,
    /// The human-readable message.
    #[serde(default)]
    pub message: Option<String>,
}

impl ApiError {
    /// Parses a body in the API's error shape (`{"error": {...}}`, or the bare object).
    pub fn from_body(body: &str) -> Option<ApiError> {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let object = value.get("error").unwrap_or(&value);
        if !object.is_object() {
            return None;
        }
        let error: ApiError = serde_json::from_value(object.clone()).ok()?;
        (error != ApiError::default()).then_some(error)
    }
}

fn string_or_number<'de, D>(deserializer: D) -> std::result::Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            Some(serde_json::Value::String(text)) => Some(text),
            Some(serde_json::Value::Number(number)) => Some(number.to_string()),
            _ => None,
        },
    )
}

impl CodexErr {
    /// The code of this error's JavaScript class (DESIGN.md §2).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            CodexErr::Sandbox(err) => err.error_code(),
            // A helper that is not one is, for the caller, no helper found: the fix is the same.
            CodexErr::SandboxExecutableNotFound { .. }
            | CodexErr::SandboxExecutableRejected { .. } => ErrorCode::SandboxExecutableNotFound,
            // A failed request is a stream that broke before its first event.
            CodexErr::Stream { .. } | CodexErr::Transport(_) => ErrorCode::StreamDisconnected,
            CodexErr::Timeout { .. } | CodexErr::HeadersTimeout { .. } => ErrorCode::StreamTimeout,
            CodexErr::UnexpectedStatus(_) => ErrorCode::UnexpectedStatus,
            CodexErr::RetryLimit { .. } => ErrorCode::RetryLimit,
            CodexErr::ResponseFailed { .. } => ErrorCode::ResponseFailed,
            CodexErr::Interrupted { .. } => ErrorCode::Aborted,
            CodexErr::Spawn { .. } => ErrorCode::SpawnFailed,
            CodexErr::Io { .. } | CodexErr::Cwd { .. } => ErrorCode::Io,
            CodexErr::InvalidArgument { .. } => ErrorCode::InvalidArgument,
            CodexErr::Json { .. } => ErrorCode::InvalidEvent,
            CodexErr::EnvVar(_) => ErrorCode::MissingEnvVar,
            CodexErr::TokioJoin(_) | CodexErr::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The stable code the JavaScript error carries: [`CodexErr::error_code`], except that an
    /// [`CodexErr::Io`] (and [`CodexErr::Cwd`]) carries the errno's name as Node spells it
    /// (`ENOENT`).
    pub fn code(&self) -> &'static str {
        match self {
            CodexErr::Io { source, .. } | CodexErr::Cwd { source, .. } => errno_name(source),
            other => other.error_code().as_str(),
        }
    }

    /// An [`CodexErr::Io`] for a failed `syscall` on `path`.
    pub fn io(source: io::Error, syscall: &'static str, path: Option<PathBuf>) -> CodexErr {
        CodexErr::Io {
            source,
            syscall,
            path,
        }
    }

    /// Whether `exec` failed because the command itself could not be started — not found, not
    /// executable, an unusable cwd — or because the caller cancelled before it was: nothing ran,
    /// and the reason lies with the command or the caller rather than with this machine (a
    /// missing sandbox layer or helper, exhausted resources). A caller that takes every outcome
    /// of a command as data (JavaScript's `reject: false`) takes these too.
    pub fn is_command_not_started(&self) -> bool {
        matches!(
            self,
            CodexErr::Cwd { .. }
                | CodexErr::Io {
                    syscall: "spawn",
                    ..
                }
                | CodexErr::Interrupted { output: None }
        )
    }

    /// The command output this error carries (timeout, signal, denial, abort), if any.
    pub fn exec_output(&self) -> Option<&ExecOutput> {
        match self {
            CodexErr::Sandbox(
                SandboxErr::Denied { output }
                | SandboxErr::Timeout { output, .. }
                | SandboxErr::Signal { output, .. },
            ) => Some(output),
            CodexErr::Interrupted { output } => output.as_deref(),
            _ => None,
        }
    }

    /// Takes the command output out of this error (timeout, signal, denial, abort), without
    /// copying it; render the message first if it is wanted too.
    pub fn into_exec_output(self) -> Option<ExecOutput> {
        match self {
            CodexErr::Sandbox(
                SandboxErr::Denied { output }
                | SandboxErr::Timeout { output, .. }
                | SandboxErr::Signal { output, .. },
            ) => Some(*output),
            CodexErr::Interrupted { output } => output.map(|output| *output),
            _ => None,
        }
    }
}

impl SandboxErr {
    /// The code of this error's JavaScript class (DESIGN.md §2).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            SandboxErr::Denied { .. } => ErrorCode::SandboxDenied,
            SandboxErr::Timeout { .. } => ErrorCode::ExecTimeout,
            SandboxErr::Signal { .. } => ErrorCode::ExecSignal,
            SandboxErr::LandlockRestrict { .. } => ErrorCode::LandlockRestrict,
            SandboxErr::SeccompInstall { .. } => ErrorCode::SeccompSetup,
            SandboxErr::Policy { .. } => ErrorCode::SandboxPolicy,
            SandboxErr::Unsupported { .. } => ErrorCode::SandboxUnsupported,
        }
    }

    /// The stable code the JavaScript error carries (DESIGN.md §2).
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

fn display_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}

fn display_path(path: Option<&std::path::Path>) -> String {
    path.map(|p| format!(" {}", p.display()))
        .unwrap_or_default()
}

/// What is wrong with a cwd, in words: "does not exist" rather than the OS's "No such file".
fn cwd_problem(error: &io::Error) -> String {
    match error.raw_os_error() {
        Some(libc::ENOENT) => "does not exist".into(),
        Some(libc::ENOTDIR) => "is not a directory".into(),
        _ => format!("cannot be entered: {error}"),
    }
}

fn display_code(code: Option<i32>) -> String {
    code.map(|c| c.to_string()).unwrap_or_else(|| "none".into())
}

fn describe_last(
    last: Option<&HttpFailure>,
    source: Option<&(dyn std::error::Error + Send + Sync + 'static)>,
) -> String {
    match (last, source) {
        (Some(failure), _) => format!("; last status {}{}", failure.status, failure.describe()),
        (None, Some(source)) => format!(": {}", brief(source)),
        (None, None) => String::new(),
    }
}

/// A short account of a failure: the OS error as `connection refused (ECONNREFUSED)` when there
/// is one in its chain, else the innermost message (the most specific one).
fn brief(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    let mut current = Some(error);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<io::Error>()
            && io.raw_os_error().is_some()
        {
            return format!("{} ({})", io.kind(), errno_name(io));
        }
        innermost = err;
        current = err.source();
    }
    innermost.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_design_table() {
        let not_found = CodexErr::io(io::Error::from_raw_os_error(libc::ENOENT), "spawn", None);
        assert_eq!(not_found.code(), "ENOENT");
        assert_eq!(
            CodexErr::Sandbox(SandboxErr::Unsupported {
                platform: "win32".into()
            })
            .code(),
            "SANDBOX_UNSUPPORTED"
        );
        assert_eq!(CodexErr::Interrupted { output: None }.code(), "ABORT_ERR");
        assert_eq!(
            CodexErr::EnvVar(EnvVarError {
                var: "OPENAI_API_KEY".into(),
                instructions: None
            })
            .code(),
            "MISSING_ENV_VAR"
        );
    }

    #[test]
    fn retry_limit_counts_attempts_in_english() {
        let after = |attempts| {
            CodexErr::RetryLimit {
                attempts,
                last: None,
                source: None,
            }
            .to_string()
        };
        assert_eq!(after(1), "retry limit reached after 1 attempt");
        assert_eq!(after(5), "retry limit reached after 5 attempts");
    }

    #[test]
    fn retry_limit_says_what_the_last_attempt_met() {
        let after = |source: BoxError| {
            CodexErr::RetryLimit {
                attempts: 5,
                last: None,
                source: Some(source),
            }
            .to_string()
        };
        /// An error that wraps another, as an HTTP client's errors do.
        #[derive(Debug, thiserror::Error)]
        #[error("error sending request")]
        struct Wrapper(#[source] BoxError);
        let refused = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(
            after(Box::new(Wrapper(Box::new(refused)))),
            "retry limit reached after 5 attempts: connection refused (ECONNREFUSED)"
        );
        assert_eq!(
            after(Box::new(Wrapper(
                "connection closed before message completed".into()
            ))),
            "retry limit reached after 5 attempts: connection closed before message completed"
        );
        let broken = CodexErr::Stream {
            message: "stream closed before response.completed".into(),
            events_received: 0,
            source: None,
        };
        assert_eq!(
            after(Box::new(broken)),
            "retry limit reached after 5 attempts: stream disconnected: stream closed before \
             response.completed"
        );
    }

    #[test]
    fn api_errors_parse_from_the_api_shape() {
        let body = r#"{"error":{"message":"Incorrect API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        let error = ApiError::from_body(body).unwrap();
        assert_eq!(error.code.as_deref(), Some("invalid_api_key"));
        assert_eq!(error.kind.as_deref(), Some("invalid_request_error"));
        assert_eq!(error.param, None);
        assert_eq!(
            ApiError::from_body(r#"{"error":{"code":429}}"#)
                .unwrap()
                .code
                .as_deref(),
            Some("429")
        );
        assert_eq!(ApiError::from_body("<html>"), None);
        assert_eq!(ApiError::from_body("{}"), None);
    }

    #[test]
    fn messages_name_what_failed() {
        let failure = HttpFailure {
            status: 401,
            body: String::new(),
            request_id: Some("req_1".into()),
            api_error: ApiError::from_body(r#"{"error":{"message":"bad key"}}"#),
            content_type: Some("application/json".into()),
            location: None,
        };
        assert_eq!(
            CodexErr::UnexpectedStatus(Box::new(failure.clone())).to_string(),
            "unexpected status 401: bad key (request id req_1)"
        );
        let html = HttpFailure {
            status: 200,
            content_type: Some("text/html; charset=utf-8".into()),
            api_error: None,
            ..failure.clone()
        };
        assert_eq!(
            CodexErr::UnexpectedStatus(Box::new(html)).to_string(),
            "unexpected status 200: expected content type text/event-stream, got \
             text/html; charset=utf-8 (request id req_1)"
        );
        let redirect = HttpFailure {
            status: 307,
            location: Some("http://elsewhere/v1/responses".into()),
            api_error: None,
            request_id: None,
            ..failure
        };
        assert_eq!(
            CodexErr::UnexpectedStatus(Box::new(redirect)).to_string(),
            "unexpected status 307: redirect to http://elsewhere/v1/responses not followed \
             (only a 307 or 308 to the same origin is)"
        );
        let io = CodexErr::io(
            io::Error::from_raw_os_error(libc::ENOENT),
            "spawn",
            Some("nope".into()),
        );
        assert!(io.to_string().starts_with("spawn nope: "), "{io}");
        let cwd = |errno| CodexErr::Cwd {
            source: io::Error::from_raw_os_error(errno),
            path: "/ws/gone".into(),
        };
        assert_eq!(cwd(libc::ENOENT).to_string(), "cwd /ws/gone does not exist");
        assert_eq!(
            cwd(libc::ENOTDIR).to_string(),
            "cwd /ws/gone is not a directory"
        );
        assert!(
            cwd(libc::EACCES)
                .to_string()
                .starts_with("cwd /ws/gone cannot be entered: "),
        );
        assert_eq!(cwd(libc::ENOENT).code(), "ENOENT");
    }

    #[test]
    fn only_the_commands_own_failures_to_start_are_not_started() {
        let errno = io::Error::from_raw_os_error;
        for started_nothing in [
            CodexErr::io(errno(libc::ENOENT), "spawn", Some("nope".into())),
            CodexErr::Cwd {
                source: errno(libc::ENOTDIR),
                path: "/etc/passwd".into(),
            },
            CodexErr::Interrupted { output: None },
        ] {
            assert!(
                started_nothing.is_command_not_started(),
                "{started_nothing:?}"
            );
        }
        for other in [
            CodexErr::io(errno(libc::EIO), "waitpid", None),
            CodexErr::Spawn {
                source: errno(libc::EMFILE),
            },
            CodexErr::SandboxExecutableNotFound { searched: vec![] },
            SandboxErr::SeccompInstall {
                detail: "EINVAL".into(),
            }
            .into(),
        ] {
            assert!(!other.is_command_not_started(), "{other:?}");
        }
    }
}
