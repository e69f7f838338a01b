//! [`NativeError`]: a core error as plain data, for the facade to turn into its JS class.
//!
//! Errors created by native code fail `instanceof Error` under Jest (another realm), so nothing
//! here throws: every fallible call resolves with a [`NativeError`] and `index.js` builds the class
//! named by its `code`.

use std::error::Error as StdError;

use codex_core::{CodexErr, HttpFailure, SandboxErr, errno_name};
use napi_derive::napi;
use serde_json::{Map, Value, json};

use crate::exec_result::ExecResult;

/// The code the facade turns into a `TypeError` naming the bad option.
pub(crate) const INVALID_ARGUMENT: &str = "ERR_INVALID_ARG_VALUE";

/// A core error as data: the taxonomy's `code`, the message, and the class's fields.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct NativeError {
    /// The stable code of DESIGN.md §2 (or an errno name such as `ENOENT`).
    pub code: String,
    /// The error's message.
    pub message: String,
    /// What the command had produced, for exec errors that carry it.
    pub result: Option<ExecResult>,
    /// The class's own fields (`timeoutMs`, `status`, `apiError`…), camelCase, and `cause`.
    #[napi(ts_type = "Record<string, unknown>")]
    pub fields: Value,
}

impl NativeError {
    /// A bad argument that validation in the facade let through; becomes a `TypeError`.
    pub(crate) fn invalid_argument(message: String) -> Self {
        NativeError {
            code: INVALID_ARGUMENT.to_owned(),
            message,
            result: None,
            fields: Value::Object(Map::new()),
        }
    }
}

impl From<&CodexErr> for NativeError {
    fn from(err: &CodexErr) -> Self {
        NativeError {
            code: err.code().to_owned(),
            message: err.to_string(),
            result: err.exec_output().cloned().map(ExecResult::from),
            fields: fields(err),
        }
    }
}

fn fields(err: &CodexErr) -> Value {
    match err {
        CodexErr::Sandbox(sandbox) => sandbox_fields(sandbox),
        CodexErr::LandlockSandboxExecutableNotProvided { searched } => {
            let searched: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
            json!({ "searched": searched })
        }
        CodexErr::Stream {
            events_received,
            source,
            ..
        } => json!({
            "eventsReceived": events_received,
            "cause": source.as_deref().map(|s| cause(s)),
        }),
        CodexErr::Reqwest(source) => json!({ "eventsReceived": 0, "cause": cause(source) }),
        CodexErr::Timeout { idle } => json!({ "idleMs": millis(*idle) }),
        CodexErr::UnexpectedStatus(failure) => http_fields(Some(failure)),
        CodexErr::RetryLimit {
            attempts,
            last,
            source,
        } => {
            let mut value = http_fields(last.as_deref());
            if let Value::Object(map) = &mut value {
                map.insert("attempts".into(), json!(attempts));
                map.insert("cause".into(), json!(source.as_deref().map(|s| cause(s))));
            }
            value
        }
        CodexErr::ResponseFailed {
            error_code,
            response_id,
            api_error,
            ..
        } => json!({
            "errorCode": error_code,
            "responseId": response_id,
            "apiError": api_error,
        }),
        CodexErr::Spawn { source } => json!({ "cause": cause(source) }),
        CodexErr::Io {
            source,
            syscall,
            path,
        } => json!({
            "errno": source.raw_os_error().map(|errno| -errno),
            "syscall": syscall,
            "path": path.as_ref().map(|p| p.display().to_string()),
        }),
        CodexErr::Json { raw, .. } => json!({ "raw": raw }),
        CodexErr::EnvVar(env) => json!({ "var": env.var, "instructions": env.instructions }),
        CodexErr::Interrupted { .. }
        | CodexErr::InternalAgentDied
        | CodexErr::TokioJoin(_)
        | CodexErr::Internal(_) => json!({}),
    }
}

fn sandbox_fields(err: &SandboxErr) -> Value {
    match err {
        SandboxErr::Timeout { timeout, .. } => json!({ "timeoutMs": millis(*timeout) }),
        SandboxErr::Signal { signal, .. } => json!({ "signalNumber": signal }),
        SandboxErr::LandlockRestrict {
            abi,
            needed,
            detail,
        } => {
            json!({ "abi": abi, "needed": needed, "detail": detail })
        }
        SandboxErr::SeccompInstall { detail }
        | SandboxErr::SeccompBackend { detail }
        | SandboxErr::Policy { detail } => json!({ "detail": detail }),
        SandboxErr::Unsupported { platform } => json!({ "platform": platform }),
        SandboxErr::Denied { .. } => json!({}),
    }
}

fn http_fields(failure: Option<&HttpFailure>) -> Value {
    json!({
        "status": failure.map(|f| f.status),
        "body": failure.map(|f| f.body.as_str()),
        "requestId": failure.and_then(|f| f.request_id.as_deref()),
        "apiError": failure.and_then(|f| f.api_error.as_ref()),
    })
}

/// The cause of an error as `{ code, message, … }`: a core error keeps its code and fields, an OS
/// error gets its errno name, anything else its message with the whole source chain.
fn cause(source: &(dyn StdError + 'static)) -> Value {
    if let Some(inner) = source.downcast_ref::<CodexErr>() {
        let native = NativeError::from(inner);
        let mut value = native.fields;
        if let Value::Object(map) = &mut value {
            map.insert("code".into(), json!(native.code));
            map.insert("message".into(), json!(native.message));
        }
        return value;
    }
    let io = find_io_error(source);
    json!({
        "code": io.map(errno_name),
        "message": chain_message(source),
    })
}

fn find_io_error<'a>(source: &'a (dyn StdError + 'static)) -> Option<&'a std::io::Error> {
    let mut current = Some(source);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        current = err.source();
    }
    None
}

fn chain_message(source: &(dyn StdError + 'static)) -> String {
    let mut message = source.to_string();
    let mut current = source.source();
    while let Some(err) = current {
        let text = err.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        current = err.source();
    }
    message
}

fn millis(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::time::Duration;

    use codex_core::{ApiError, EnvVarError};

    use super::*;

    /// ENOENT on Linux and macOS.
    const ENOENT: i32 = 2;

    #[test]
    fn io_errors_carry_node_style_errno_fields() {
        let err = CodexErr::io(
            io::Error::from_raw_os_error(ENOENT),
            "spawn",
            Some("nope".into()),
        );
        let native = NativeError::from(&err);
        assert_eq!(native.code, "ENOENT");
        assert_eq!(
            native.fields,
            json!({ "errno": -ENOENT, "syscall": "spawn", "path": "nope" })
        );
        assert!(native.result.is_none());
    }

    #[test]
    fn retry_limit_without_a_response_has_a_null_status_and_a_cause() {
        let err = CodexErr::RetryLimit {
            attempts: 5,
            last: None,
            source: Some(Box::new(io::Error::from(io::ErrorKind::ConnectionRefused))),
        };
        let native = NativeError::from(&err);
        assert_eq!(native.code, "RETRY_LIMIT");
        assert_eq!(native.fields["status"], Value::Null);
        assert_eq!(native.fields["attempts"], json!(5));
        assert_eq!(native.fields["cause"]["code"], json!("EIO"));
        assert!(native.fields["cause"]["message"].is_string());
    }

    #[test]
    fn http_failures_keep_status_body_request_id_and_api_error() {
        let err = CodexErr::UnexpectedStatus(Box::new(HttpFailure {
            status: 401,
            body: "{}".into(),
            request_id: Some("req_9".into()),
            api_error: Some(ApiError {
                kind: Some("invalid_request_error".into()),
                code: Some("invalid_api_key".into()),
                param: None,
                message: Some("bad key".into()),
            }),
        }));
        let native = NativeError::from(&err);
        assert_eq!(native.fields["status"], json!(401));
        assert_eq!(native.fields["requestId"], json!("req_9"));
        assert_eq!(
            native.fields["apiError"],
            json!({ "type": "invalid_request_error", "code": "invalid_api_key", "param": null, "message": "bad key" })
        );
    }

    #[test]
    fn a_core_error_as_cause_keeps_its_code() {
        let err = CodexErr::RetryLimit {
            attempts: 2,
            last: None,
            source: Some(Box::new(CodexErr::Timeout {
                idle: Duration::from_millis(1500),
            })),
        };
        let cause = &NativeError::from(&err).fields["cause"];
        assert_eq!(cause["code"], json!("STREAM_TIMEOUT"));
        assert_eq!(cause["idleMs"], json!(1500.0));
    }

    #[test]
    fn env_var_and_sandbox_fields_are_copied() {
        let env = CodexErr::EnvVar(EnvVarError {
            var: "OPENAI_API_KEY".into(),
            instructions: Some("set it".into()),
        });
        assert_eq!(
            NativeError::from(&env).fields,
            json!({ "var": "OPENAI_API_KEY", "instructions": "set it" })
        );
        let landlock = CodexErr::Sandbox(SandboxErr::LandlockRestrict {
            abi: None,
            needed: 1,
            detail: "landlock is not enabled".into(),
        });
        let native = NativeError::from(&landlock);
        assert_eq!(native.code, "LANDLOCK_RESTRICT");
        assert_eq!(native.fields["abi"], Value::Null);
        assert_eq!(native.fields["needed"], json!(1));
    }
}
