//! [`NativeError`]: a core error as typed data, for the facade to turn into its JS class.
//!
//! Errors created by native code fail `instanceof Error` under Jest (another realm), so nothing
//! here throws: every fallible call resolves with an outcome holding a [`NativeError`], and the
//! facade (`lib/errors.js`) builds the class its `code` names.

use std::time::Duration;

use codex_core::{ApiError, CodexErr, HttpFailure, SandboxErr, errno_name, signal_name};
use napi_derive::napi;

use crate::cause::{Cause, chain};
use crate::options::js_option_name;

/// Defines the binding's [`ErrorCode`] from codex-core's list, so both carry the same variants
/// and strings (JavaScript only reads it; Rust code uses `codex_core::ErrorCode`).
macro_rules! define_js_error_code {
    ($($(#[doc = $doc:tt])* $variant:ident = $code:tt,)*) => {
        /// The stable code of each error class (DESIGN.md §2), exported at run time so that the
        /// facade's class table can be checked against it.
        #[napi(string_enum)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* #[napi(value = $code)] $variant,)*
        }
    };
}

codex_core::with_error_codes!(define_js_error_code);

/// Which wait a `StreamTimeoutError` gave up on.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// No response headers within `requestTimeoutMs`.
    Headers,
    /// No byte of an open stream within `streamIdleTimeoutMs`.
    Idle,
}

/// The API's structured error (`{ "error": { type, code, param, message } }`).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiErrorJs {
    /// e.g. `invalid_request_error`.
    #[napi(js_name = "type")]
    pub kind: Option<String>,
    /// e.g. `invalid_api_key`.
    pub code: Option<String>,
    /// The request parameter at fault.
    pub param: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
}

impl From<&ApiError> for ApiErrorJs {
    fn from(error: &ApiError) -> Self {
        ApiErrorJs {
            kind: error.kind.clone(),
            code: error.code.clone(),
            param: error.param.clone(),
            message: error.message.clone(),
        }
    }
}

/// A core error as JavaScript receives it: `code` names the class (DESIGN.md §2) and the other
/// fields are the class's own.
///
/// napi derives `code` from the variant's name, so each variant is named after its code (in
/// PascalCase); a test checks that each error gets the code codex-core assigns it, and
/// `index.d.ts` that these codes are [`ErrorCode`]'s. The partial result of an exec error
/// travels on its outcome, not here.
#[napi(
    discriminant = "code",
    discriminant_case = "UPPER_SNAKE",
    object_from_js = false,
    use_nullable = true
)]
#[derive(Debug)]
pub enum NativeError {
    /// `SandboxDeniedError`; its exit code and output are its result's.
    SandboxDenied {
        /// The error's message.
        message: String,
    },
    /// `TimeoutError`.
    ExecTimeout {
        /// The error's message.
        message: String,
        /// The timeout that expired.
        timeout_ms: f64,
    },
    /// `SignalError`.
    ExecSignal {
        /// The error's message.
        message: String,
        /// Node's name of the signal, e.g. `SIGSEGV`.
        signal: String,
        /// The signal's number.
        signal_number: i32,
    },
    /// `LandlockRestrictError`.
    LandlockRestrict {
        /// The error's message.
        message: String,
        /// The kernel's Landlock ABI, null without Landlock.
        abi: Option<u32>,
        /// The ABI the policy needs.
        needed: u32,
        /// What went wrong.
        detail: String,
    },
    /// `SeccompError`.
    SeccompSetup {
        /// The error's message.
        message: String,
        /// What went wrong.
        detail: String,
    },
    /// `SandboxPolicyError`.
    SandboxPolicy {
        /// The error's message.
        message: String,
        /// What cannot be applied and how to fix it.
        detail: String,
    },
    /// `SandboxUnsupportedError`.
    SandboxUnsupported {
        /// The error's message.
        message: String,
        /// `process.platform`'s name of this platform.
        platform: String,
    },
    /// `SandboxExecutableNotFoundError`.
    SandboxExeNotFound {
        /// The error's message.
        message: String,
        /// Every path that was tried, in order.
        searched: Vec<String>,
    },
    /// `StreamDisconnectedError`.
    StreamDisconnected {
        /// The error's message.
        message: String,
        /// Events handed out before the break.
        events_received: f64,
        /// The transport error, if there was one.
        #[napi(ts_type = "NativeError | ForeignCause")]
        cause: Option<Cause>,
    },
    /// `StreamTimeoutError`.
    StreamTimeout {
        /// The error's message.
        message: String,
        /// Which wait gave up.
        phase: TimeoutPhase,
        /// The idle timeout that expired (phase `idle`).
        idle_ms: Option<f64>,
        /// The request timeout that expired (phase `headers`).
        headers_ms: Option<f64>,
    },
    /// `UnexpectedStatusError`.
    UnexpectedStatus {
        /// The error's message.
        message: String,
        /// The HTTP status.
        status: u16,
        /// The response body (at most 64 KiB).
        body: String,
        /// The `x-request-id` header.
        request_id: Option<String>,
        /// The body in the API's error shape.
        api_error: Option<ApiErrorJs>,
    },
    /// `RetryLimitError`.
    RetryLimit {
        /// The error's message.
        message: String,
        /// The last status, null when no response ever came.
        status: Option<u16>,
        /// The last body.
        body: Option<String>,
        /// Requests made in all.
        attempts: u32,
        /// The last `x-request-id` header.
        request_id: Option<String>,
        /// The last body in the API's error shape.
        api_error: Option<ApiErrorJs>,
        /// The transport error when no response came.
        #[napi(ts_type = "NativeError | ForeignCause")]
        cause: Option<Cause>,
    },
    /// `ResponseFailedError`.
    ResponseFailed {
        /// The error's message.
        message: String,
        /// The API's error code, e.g. `rate_limit_exceeded`.
        error_code: Option<String>,
        /// The response's id.
        response_id: Option<String>,
        /// The structured error.
        api_error: Option<ApiErrorJs>,
    },
    /// `InterruptedError`.
    AbortErr {
        /// The error's message.
        message: String,
    },
    /// `SpawnError`.
    SpawnFailed {
        /// The error's message.
        message: String,
        /// The OS error.
        #[napi(ts_type = "NativeError | ForeignCause")]
        cause: Option<Cause>,
    },
    /// `CodexIoError`; its `code` becomes `errnoName`, as Node's system errors.
    Eio {
        /// The error's message.
        message: String,
        /// Node's name of the errno, e.g. `ENOENT`.
        errno_name: String,
        /// The errno, negative as Node's.
        errno: Option<i32>,
        /// The failing operation, e.g. `spawn`.
        syscall: String,
        /// The path involved.
        path: Option<String>,
    },
    /// `InvalidEventError`.
    InvalidEvent {
        /// The error's message.
        message: String,
        /// The start of the event's data (≤ 1 KiB).
        raw: String,
    },
    /// `EnvVarError`.
    MissingEnvVar {
        /// The error's message.
        message: String,
        /// The variable, e.g. `OPENAI_API_KEY`.
        var: String,
        /// What to do about it.
        instructions: Option<String>,
    },
    /// `InternalError`.
    Internal {
        /// The error's message.
        message: String,
    },
    /// A `TypeError` naming the argument.
    ErrInvalidArgValue {
        /// The message, naming the option.
        message: String,
    },
}

impl From<&CodexErr> for NativeError {
    fn from(err: &CodexErr) -> Self {
        let message = err.to_string();
        match err {
            CodexErr::Sandbox(sandbox) => from_sandbox(sandbox, message),
            CodexErr::SandboxExecutableNotFound { searched } => NativeError::SandboxExeNotFound {
                message,
                searched: searched.iter().map(|p| p.display().to_string()).collect(),
            },
            CodexErr::SandboxExecutableRejected { path, .. } => NativeError::SandboxExeNotFound {
                message,
                searched: vec![path.display().to_string()],
            },
            CodexErr::Stream {
                events_received,
                source,
                ..
            } => NativeError::StreamDisconnected {
                message,
                // Exact up to 2^53 events.
                events_received: *events_received as f64,
                cause: source.as_deref().map(|source| Cause::of(source)),
            },
            // A request that failed is a stream that broke before its first event.
            CodexErr::Transport(source) => NativeError::StreamDisconnected {
                message,
                events_received: 0.0,
                cause: Some(Cause::of(source)),
            },
            CodexErr::Timeout { idle } => NativeError::StreamTimeout {
                message,
                phase: TimeoutPhase::Idle,
                idle_ms: Some(millis(*idle)),
                headers_ms: None,
            },
            CodexErr::HeadersTimeout { timeout } => NativeError::StreamTimeout {
                message,
                phase: TimeoutPhase::Headers,
                idle_ms: None,
                headers_ms: Some(millis(*timeout)),
            },
            CodexErr::UnexpectedStatus(failure) => NativeError::UnexpectedStatus {
                message,
                status: failure.status,
                body: failure.body.clone(),
                request_id: failure.request_id.clone(),
                api_error: failure.api_error.as_ref().map(ApiErrorJs::from),
            },
            CodexErr::RetryLimit {
                attempts,
                last,
                source,
            } => {
                let last: Option<&HttpFailure> = last.as_deref();
                NativeError::RetryLimit {
                    message,
                    status: last.map(|f| f.status),
                    body: last.map(|f| f.body.clone()),
                    attempts: *attempts,
                    request_id: last.and_then(|f| f.request_id.clone()),
                    api_error: last.and_then(|f| f.api_error.as_ref().map(ApiErrorJs::from)),
                    cause: source.as_deref().map(|source| Cause::of(source)),
                }
            }
            CodexErr::ResponseFailed {
                error_code,
                response_id,
                api_error,
                ..
            } => NativeError::ResponseFailed {
                message,
                error_code: error_code.clone(),
                response_id: response_id.clone(),
                api_error: api_error.as_ref().map(ApiErrorJs::from),
            },
            CodexErr::Interrupted { .. } => NativeError::AbortErr { message },
            CodexErr::Spawn { source } => NativeError::SpawnFailed {
                message,
                cause: Some(Cause::of(source)),
            },
            CodexErr::Io {
                source,
                syscall,
                path,
            } => system_error(message, source, syscall, path.as_deref()),
            CodexErr::Cwd { source, path } => system_error(message, source, "chdir", Some(path)),
            CodexErr::InvalidArgument { argument, source } => NativeError::ErrInvalidArgValue {
                message: format!(
                    "{} is not valid: {}",
                    js_option_name(argument),
                    chain(source.as_ref())
                ),
            },
            CodexErr::Json { raw, .. } => NativeError::InvalidEvent {
                message,
                raw: raw.clone(),
            },
            CodexErr::EnvVar(env) => NativeError::MissingEnvVar {
                message,
                var: env.var.clone(),
                instructions: env.instructions.clone(),
            },
            CodexErr::TokioJoin(_) | CodexErr::Internal(_) => NativeError::Internal { message },
        }
    }
}

/// A `CodexIoError`: Node's system-error fields for `source`, raised by `syscall` on `path`.
fn system_error(
    message: String,
    source: &std::io::Error,
    syscall: &str,
    path: Option<&std::path::Path>,
) -> NativeError {
    NativeError::Eio {
        message,
        errno_name: errno_name(source).to_owned(),
        errno: source.raw_os_error().map(|errno| -errno),
        syscall: syscall.to_owned(),
        path: path.map(|p| p.display().to_string()),
    }
}

fn from_sandbox(err: &SandboxErr, message: String) -> NativeError {
    match err {
        SandboxErr::Denied { .. } => NativeError::SandboxDenied { message },
        SandboxErr::Timeout { timeout, .. } => NativeError::ExecTimeout {
            message,
            timeout_ms: millis(*timeout),
        },
        SandboxErr::Signal { signal, .. } => NativeError::ExecSignal {
            message,
            signal: signal_name(*signal).into_owned(),
            signal_number: *signal,
        },
        SandboxErr::LandlockRestrict {
            abi,
            needed,
            detail,
        } => NativeError::LandlockRestrict {
            message,
            abi: *abi,
            needed: *needed,
            detail: detail.clone(),
        },
        SandboxErr::SeccompInstall { detail } => NativeError::SeccompSetup {
            message,
            detail: detail.clone(),
        },
        SandboxErr::Policy { detail } => NativeError::SandboxPolicy {
            message,
            detail: detail.clone(),
        },
        SandboxErr::Unsupported { platform } => NativeError::SandboxUnsupported {
            message,
            platform: platform.clone(),
        },
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use std::io;

    use codex_core::exec::{ExecOutput, ExitOutcome};
    use codex_core::{EnvVarError, HttpFailure};

    use super::*;
    use crate::cause::Cause;

    /// ENOENT on Linux and macOS.
    const ENOENT: i32 = 2;

    /// EMFILE on Linux and macOS.
    const EMFILE: i32 = 24;

    fn failure() -> Box<HttpFailure> {
        Box::new(HttpFailure {
            status: 401,
            body: "{}".into(),
            request_id: Some("req_9".into()),
            api_error: Some(ApiError {
                kind: Some("invalid_request_error".into()),
                code: Some("invalid_api_key".into()),
                param: None,
                message: Some("bad key".into()),
            }),
            content_type: Some("application/json".into()),
            location: None,
        })
    }

    fn output() -> Box<ExecOutput> {
        Box::new(ExecOutput {
            outcome: ExitOutcome::Signaled(11),
            exit_code: None,
            signal: Some(11),
            sandbox_denied: false,
            stdout: Default::default(),
            stderr: Default::default(),
            aggregated: Default::default(),
            duration: Duration::ZERO,
            timeout: None,
            sandbox: Default::default(),
        })
    }

    /// One error of every code.
    fn one_of_each() -> Vec<CodexErr> {
        vec![
            SandboxErr::Denied { output: output() }.into(),
            SandboxErr::Timeout {
                timeout: Duration::from_millis(300),
                output: output(),
            }
            .into(),
            SandboxErr::Signal {
                signal: 11,
                output: output(),
            }
            .into(),
            SandboxErr::LandlockRestrict {
                abi: None,
                needed: 1,
                detail: "landlock is not enabled".into(),
            }
            .into(),
            SandboxErr::SeccompInstall {
                detail: "EINVAL".into(),
            }
            .into(),
            SandboxErr::Policy {
                detail: "/proc cannot be writable".into(),
            }
            .into(),
            SandboxErr::Unsupported {
                platform: "win32".into(),
            }
            .into(),
            CodexErr::SandboxExecutableNotFound {
                searched: vec!["/x".into()],
            },
            CodexErr::Stream {
                message: "closed".into(),
                events_received: 2,
                source: None,
            },
            CodexErr::Timeout {
                idle: Duration::from_millis(1500),
            },
            CodexErr::HeadersTimeout {
                timeout: Duration::from_millis(200),
            },
            CodexErr::UnexpectedStatus(failure()),
            CodexErr::RetryLimit {
                attempts: 3,
                last: Some(failure()),
                source: None,
            },
            CodexErr::ResponseFailed {
                message: "it broke".into(),
                error_code: None,
                response_id: None,
                api_error: None,
            },
            CodexErr::Interrupted { output: None },
            CodexErr::Spawn {
                source: io::Error::from_raw_os_error(EMFILE),
            },
            CodexErr::io(io::Error::from_raw_os_error(ENOENT), "spawn", None),
            CodexErr::Cwd {
                source: io::Error::from_raw_os_error(ENOENT),
                path: "/gone".into(),
            },
            CodexErr::InvalidArgument {
                argument: "headers",
                source: "invalid HTTP header name".into(),
            },
            CodexErr::Json {
                message: "bad".into(),
                raw: "{".into(),
                source: None,
            },
            CodexErr::EnvVar(EnvVarError {
                var: "OPENAI_API_KEY".into(),
                instructions: None,
            }),
            CodexErr::Internal("bug".into()),
        ]
    }

    /// The `code` napi derives from a variant's name (`ExecTimeout` → `EXEC_TIMEOUT`).
    fn discriminant(native: &NativeError) -> String {
        let debug = format!("{native:?}");
        let name = debug.split([' ', '{']).next().unwrap_or_default();
        let mut code = String::new();
        for (index, c) in name.chars().enumerate() {
            if index > 0 && c.is_ascii_uppercase() {
                code.push('_');
            }
            code.push(c.to_ascii_uppercase());
        }
        code
    }

    #[test]
    fn every_error_crosses_with_the_code_the_core_gives_it() {
        let mut covered = std::collections::HashSet::new();
        for err in one_of_each() {
            let native = NativeError::from(&err);
            assert_eq!(discriminant(&native), err.error_code().as_str(), "{err:?}");
            covered.insert(err.error_code());
        }
        assert_eq!(
            covered.len(),
            codex_core::ErrorCode::ALL.len(),
            "every code is tried"
        );
    }

    /// The message and the fields of the `CodexIoError` that `err` becomes.
    fn system_error_of(err: &CodexErr) -> (String, String, Option<i32>, String, Option<String>) {
        match NativeError::from(err) {
            NativeError::Eio {
                message,
                errno_name,
                errno,
                syscall,
                path,
            } => (message, errno_name, errno, syscall, path),
            other => panic!("expected Eio, got {other:?}"),
        }
    }

    #[test]
    fn io_errors_carry_node_style_errno_fields() {
        let err = CodexErr::io(
            io::Error::from_raw_os_error(ENOENT),
            "spawn",
            Some("nope".into()),
        );
        let (_, errno_name, errno, syscall, path) = system_error_of(&err);
        assert_eq!(errno_name, "ENOENT");
        assert_eq!(errno, Some(-ENOENT));
        assert_eq!(syscall, "spawn");
        assert_eq!(path.as_deref(), Some("nope"));
        let cwd = CodexErr::Cwd {
            source: io::Error::from_raw_os_error(ENOENT),
            path: "/gone".into(),
        };
        let (message, errno_name, _, syscall, path) = system_error_of(&cwd);
        assert_eq!(message, "cwd /gone does not exist");
        assert_eq!(
            (errno_name.as_str(), syscall.as_str(), path.as_deref()),
            ("ENOENT", "chdir", Some("/gone"))
        );
    }

    #[test]
    fn retry_limit_without_a_response_has_a_null_status_and_a_cause() {
        let err = CodexErr::RetryLimit {
            attempts: 5,
            last: None,
            source: Some(Box::new(io::Error::from(io::ErrorKind::ConnectionRefused))),
        };
        let NativeError::RetryLimit {
            status,
            attempts,
            cause: Some(Cause::Foreign(cause)),
            ..
        } = NativeError::from(&err)
        else {
            panic!("expected RetryLimit with a foreign cause");
        };
        assert_eq!(status, None);
        assert_eq!(attempts, 5);
        assert_eq!(cause.errno_name.as_deref(), Some("EIO"));
        assert!(!cause.message.is_empty());
    }

    #[test]
    fn http_failures_keep_status_body_request_id_and_api_error() {
        let err = CodexErr::UnexpectedStatus(failure());
        let NativeError::UnexpectedStatus {
            status,
            request_id,
            api_error,
            ..
        } = NativeError::from(&err)
        else {
            panic!("expected UnexpectedStatus");
        };
        assert_eq!(status, 401);
        assert_eq!(request_id.as_deref(), Some("req_9"));
        assert_eq!(
            api_error,
            Some(ApiErrorJs {
                kind: Some("invalid_request_error".into()),
                code: Some("invalid_api_key".into()),
                param: None,
                message: Some("bad key".into()),
            })
        );
    }

    #[test]
    fn a_core_error_as_cause_keeps_its_code_and_fields() {
        let err = CodexErr::RetryLimit {
            attempts: 2,
            last: None,
            source: Some(Box::new(CodexErr::Timeout {
                idle: Duration::from_millis(1500),
            })),
        };
        let NativeError::RetryLimit {
            cause: Some(Cause::Codex(cause)),
            ..
        } = NativeError::from(&err)
        else {
            panic!("expected RetryLimit with a core cause");
        };
        assert!(matches!(
            *cause,
            NativeError::StreamTimeout {
                phase: TimeoutPhase::Idle,
                idle_ms: Some(1500.0),
                headers_ms: None,
                ..
            }
        ));
    }

    #[test]
    fn a_header_timeout_is_not_an_idle_timeout() {
        let err = CodexErr::HeadersTimeout {
            timeout: Duration::from_millis(200),
        };
        assert!(matches!(
            NativeError::from(&err),
            NativeError::StreamTimeout {
                phase: TimeoutPhase::Headers,
                idle_ms: None,
                headers_ms: Some(200.0),
                ..
            }
        ));
    }

    #[test]
    fn a_bad_client_option_is_a_type_error_naming_it() {
        let err = CodexErr::InvalidArgument {
            argument: "base_url",
            source: "relative URL without a base".into(),
        };
        let NativeError::ErrInvalidArgValue { message } = NativeError::from(&err) else {
            panic!("expected ErrInvalidArgValue");
        };
        assert_eq!(
            message,
            "options.baseUrl is not valid: relative URL without a base"
        );
    }

    #[test]
    fn signals_carry_their_node_name() {
        let err: CodexErr = SandboxErr::Signal {
            signal: 11,
            output: output(),
        }
        .into();
        assert!(matches!(
            NativeError::from(&err),
            NativeError::ExecSignal { ref signal, signal_number: 11, .. } if signal == "SIGSEGV"
        ));
    }
}
