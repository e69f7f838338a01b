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
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct RetryInfoJs {
    /// Which retry this is: 1 for the second request.
    pub attempt: u32,
    /// How long the client waits first.
    pub delay_ms: f64,
    /// The status that caused the retry, `null` after a transport failure.
    pub status: Option<u16>,
    /// The failure that caused the retry.
    pub error: NativeError,
}

/// The `onRetry` hook. Weak, so a client that is kept around does not keep Node alive.
pub type OnRetry =
    ThreadsafeFunction<RetryInfoJs, UnknownReturnValue, RetryInfoJs, Status, false, true>;

/// A configured client, or why none could be made (no API key, a bad option).
#[napi(
    discriminant = "type",
    discriminant_case = "lowercase",
    object_from_js = false
)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per call, converted to JavaScript at once; napi converts no Box"
)]
pub enum ClientOutcome {
    /// The client.
    Created {
        /// The client.
        client: ResponsesClientJs,
    },
    /// Why there is none.
    Failed {
        /// Why.
        error: NativeError,
    },
}

/// How `create` ended: the open stream, or the HTTP or transport failure.
#[napi(
    discriminant = "type",
    discriminant_case = "lowercase",
    object_from_js = false
)]
pub enum CreateOutcome {
    /// 2xx headers arrived; events follow.
    Opened {
        /// The stream.
        stream: ResponseStreamJs,
    },
    /// Why there is no stream.
    Failed {
        /// Why.
        error: NativeError,
    },
}

/// A Responses API client shared by every request made through it.
#[napi]
pub struct ResponsesClientJs {
    inner: Arc<ResponsesClient>,
}

/// Builds a client; resolves the key and base URL and checks the options now, before any I/O.
#[napi]
pub fn create_client(
    options: ClientOptions,
    #[napi(ts_arg_type = "(info: RetryInfoJs) => void")] on_retry: Option<OnRetry>,
) -> ClientOutcome {
    let built = catch_panic_sync(|| ResponsesClient::new(client_config(options, on_retry)));
    match built {
        Ok(client) => ClientOutcome::Created {
            client: ResponsesClientJs {
                inner: Arc::new(client),
            },
        },
        Err(err) => ClientOutcome::Failed {
            error: NativeError::from(&err),
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
                    error: NativeError::from(&info.error),
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
                Ok(stream) => CreateOutcome::Opened {
                    stream: ResponseStreamJs::new(stream, token),
                },
                Err(err) => CreateOutcome::Failed {
                    error: NativeError::from(&err),
                },
            })
        };
        AsyncBlockBuilder::new(request).build(&env)
    }
}
