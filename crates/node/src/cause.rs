//! [`Cause`]: what an error's `cause` becomes in JavaScript — a whole [`NativeError`] when the
//! cause is one of ours, a [`ForeignCause`] (message and errno name) otherwise.

use std::error::Error as StdError;

use codex_core::{CodexErr, errno_name};
use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{ValueType, sys};
use napi_derive::napi;

use crate::error::NativeError;

/// An error that is not a [`CodexErr`] (an OS or HTTP error), as a cause.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignCause {
    /// The message, with the whole source chain.
    pub message: String,
    /// Node's name of the OS error behind it (`ECONNRESET`), if there is one.
    pub errno_name: Option<String>,
}

/// The cause of an error: a core error keeps its code and fields (a whole [`NativeError`]),
/// anything else becomes a [`ForeignCause`].
#[derive(Debug)]
pub enum Cause {
    /// A core error.
    Codex(Box<NativeError>),
    /// Anything else.
    Foreign(ForeignCause),
}

impl Cause {
    /// The cause for `source`.
    pub(crate) fn of(source: &(dyn StdError + 'static)) -> Cause {
        if let Some(inner) = source.downcast_ref::<CodexErr>() {
            return Cause::Codex(Box::new(NativeError::from(inner)));
        }
        Cause::Foreign(ForeignCause {
            message: chain(source),
            errno_name: find_io_error(source).map(|io| errno_name(io).to_owned()),
        })
    }
}

impl TypeName for Cause {
    fn type_name() -> &'static str {
        "NativeError | ForeignCause"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

/// By hand because napi converts no `Box`: a cause is as its inner value converts.
impl ToNapiValue for Cause {
    /// # Safety
    /// As [`ToNapiValue::to_napi_value`]: `env` is the live environment of the current call.
    unsafe fn to_napi_value(env: sys::napi_env, cause: Self) -> napi::Result<sys::napi_value> {
        match cause {
            // SAFETY: `env` is passed through unchanged from our caller, which guarantees it.
            Cause::Codex(error) => unsafe { NativeError::to_napi_value(env, *error) },
            // SAFETY: as above.
            Cause::Foreign(foreign) => unsafe { ForeignCause::to_napi_value(env, foreign) },
        }
    }
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

/// The message of `source` and of every error behind it that says something new.
pub(crate) fn chain(source: &(dyn StdError + 'static)) -> String {
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
