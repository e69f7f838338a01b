//! Keeps Rust panics on the Rust side of the boundary.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use codex_core::CodexErr;
use futures_util::FutureExt;

/// Runs `future`, turning a panic inside it into [`CodexErr::Internal`] so that it reaches
/// JavaScript as an `InternalError` instead of aborting the process.
pub(crate) async fn catch_panic<T>(
    future: impl Future<Output = Result<T, CodexErr>>,
) -> Result<T, CodexErr> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(CodexErr::Internal(panic_message(payload.as_ref()))),
    }
}

/// Runs `convert`, turning a panic into [`CodexErr::Internal`].
pub(crate) fn catch_panic_sync<T>(
    convert: impl FnOnce() -> Result<T, CodexErr>,
) -> Result<T, CodexErr> {
    std::panic::catch_unwind(AssertUnwindSafe(convert))
        .unwrap_or_else(|payload| Err(CodexErr::Internal(panic_message(payload.as_ref()))))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    format!("panic in native code: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result: Result<(), CodexErr> = catch_panic_sync(|| panic!("boom"));
        let err = result.unwrap_err();
        assert_eq!(err.code(), "INTERNAL");
        assert!(err.to_string().contains("boom"), "{err}");
    }

    #[tokio::test]
    async fn a_panicking_future_becomes_an_internal_error() {
        let result: Result<(), CodexErr> = catch_panic(async { panic!("{}", "late") }).await;
        assert!(result.unwrap_err().to_string().contains("late"));
    }
}
