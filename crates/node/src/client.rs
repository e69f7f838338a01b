//! `ResponsesClient`: a configured client in, a [`ResponseStreamJs`] out.

use std::sync::Arc;

use codex_core::client::{ClientConfig, ResponsesClient, RetryHook, RetryInfo};
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder};
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use napi::{Env, Status};
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::error::NativeError;
use crate::guard::{catch_panic, catch_panic_sync};
use crate::options::ClientOptions;
use crate::stream::ResponseStreamJs;

/// One retry about to happen, as the `onRetry` hook receives it.
#[napi(object, object_from_js = false)]
pub struct RetryInfoJs {
    /// Which retry this is: 1 for the second request.
    pub attempt: u32,
    /// How long the client waits first.
    pub delay_ms: f64,
    /// The status that caused the retry, `null` after a transport failure.
    pub status: Option<u16>,
    /// The failure that caused the retry.
    pub error: Option<NativeError>,
}

/// The `onRetry` hook. Weak, so a client that is kept around does not keep Node alive.
pub type OnRetry =
    ThreadsafeFunction<RetryInfoJs, UnknownReturnValue, RetryInfoJs, Status, false, true>;

/// A configured client, or why none could be made (e.g. no API key).
#[napi(object, object_from_js = false)]
pub struct ClientOutcome {
    /// The client.
    pub client: Option<ResponsesClientJs>,
    /// Why there is none.
    pub error: Option<NativeError>,
}

/// The result of `create`: the open stream, or the HTTP or transport failure.
#[napi(object, object_from_js = false)]
pub struct CreateOutcome {
    /// The stream, once 2xx headers arrived.
    pub stream: Option<ResponseStreamJs>,
    /// Why there is none.
    pub error: Option<NativeError>,
}

/// A Responses API client shared by every request made through it.
#[napi]
pub struct ResponsesClientJs {
    inner: Arc<ResponsesClient>,
}

/// Builds a client; resolves the key and base URL now, before any I/O.
#[napi]
pub fn create_client(options: ClientOptions, on_retry: Option<OnRetry>) -> ClientOutcome {
    let built = catch_panic_sync(|| ResponsesClient::new(client_config(options, on_retry)));
    match built {
        Ok(client) => ClientOutcome {
            client: Some(ResponsesClientJs {
                inner: Arc::new(client),
            }),
            error: None,
        },
        Err(err) => ClientOutcome {
            client: None,
            error: Some(NativeError::from(&err)),
        },
    }
}

fn client_config(options: ClientOptions, on_retry: Option<OnRetry>) -> ClientConfig {
    let on_retry = on_retry.map(|hook| {
        let hook: RetryHook = Arc::new(move |info: &RetryInfo| {
            hook.call(
                RetryInfoJs {
                    attempt: info.attempt,
                    delay_ms: info.delay.as_secs_f64() * 1000.0,
                    status: info.status,
                    error: info.error.as_ref().map(NativeError::from),
                },
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        });
        hook
    });
    ClientConfig {
        on_retry,
        ..ClientConfig::from(options)
    }
}

#[napi]
impl ResponsesClientJs {
    /// POSTs `body` (JSON text) to `/responses`; resolves once 2xx headers arrived, never rejects.
    #[napi(ts_return_type = "Promise<CreateOutcome>")]
    pub fn create(
        &self,
        env: Env,
        body: String,
        cancel: &CancelToken,
    ) -> napi::Result<AsyncBlock<CreateOutcome>> {
        let client = Arc::clone(&self.inner);
        let token = cancel.token();
        let request = async move {
            let opened = catch_panic(client.create(body, token.clone())).await;
            Ok(match opened {
                Ok(stream) => CreateOutcome {
                    stream: Some(ResponseStreamJs::new(stream, token)),
                    error: None,
                },
                Err(err) => CreateOutcome {
                    stream: None,
                    error: Some(NativeError::from(&err)),
                },
            })
        };
        AsyncBlockBuilder::new(request).build(&env)
    }
}
