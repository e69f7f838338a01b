//! `exec` and `sandboxSupport`: convert, call codex-core, convert back.

use std::path::PathBuf;

use codex_core::SandboxSupport;
use codex_core::exec::{ExecParams, OutputChunk, OutputStream};
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder, Buffer};
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use napi::{Env, Status};
use napi_derive::napi;
use tokio::sync::mpsc;

use crate::cancel::CancelToken;
use crate::error::NativeError;
use crate::exec_result::ExecResult;
use crate::guard::{catch_panic, catch_panic_sync};
use crate::options::ExecOptions;

/// One piece of a command's output, as `onOutput` receives it.
#[napi(object, object_from_js = false)]
pub struct OutputChunkJs {
    /// `stdout` or `stderr`.
    pub stream: &'static str,
    /// The bytes as read.
    pub data: Buffer,
}

/// The `onOutput` callback: called on the JS thread with each chunk, then with `null` once the
/// output has ended; its return value is ignored.
pub type OnOutput = ThreadsafeFunction<
    Option<OutputChunkJs>,
    UnknownReturnValue,
    Option<OutputChunkJs>,
    Status,
    false,
>;

/// How an `exec` call ended: `result` on success, `error` otherwise.
#[napi(object, object_from_js = false)]
pub struct ExecOutcome {
    /// The result when the command ran to an answer.
    pub result: Option<ExecResult>,
    /// The error, with the partial result where there is one.
    pub error: Option<NativeError>,
}

/// Runs `argv` with `options`; resolves with an [`ExecOutcome`] and never rejects.
#[napi(ts_return_type = "Promise<ExecOutcome>")]
pub fn exec(
    env: Env,
    argv: Vec<String>,
    options: ExecOptions,
    cancel: &CancelToken,
    on_output: Option<OnOutput>,
) -> napi::Result<AsyncBlock<ExecOutcome>> {
    let prepared = catch_panic_sync(|| Ok(ExecParams::try_from(options)));
    let token = cancel.token();
    let run = async move {
        let mut params = match prepared {
            Ok(Ok(params)) => params,
            Ok(Err(invalid)) => return Ok(failed(invalid)),
            Err(err) => return Ok(failed(NativeError::from(&err))),
        };
        params.argv = argv;
        params.cancel = token;
        let forwarder = on_output.map(|callback| {
            let (sender, receiver) = mpsc::unbounded_channel();
            params.on_output = Some(sender);
            tokio::spawn(forward_output(receiver, callback))
        });
        let outcome = catch_panic(codex_core::exec::exec(params)).await;
        if let Some(forwarder) = forwarder {
            // Every chunk has reached JavaScript before the promise settles.
            let _ = forwarder.await;
        }
        Ok(match outcome {
            Ok(output) => ExecOutcome {
                result: Some(ExecResult::from(output)),
                error: None,
            },
            Err(err) => failed(NativeError::from(&err)),
        })
    };
    AsyncBlockBuilder::new(run).build(&env)
}

fn failed(error: NativeError) -> ExecOutcome {
    ExecOutcome {
        result: None,
        error: Some(error),
    }
}

/// Hands every chunk to `callback` as it arrives, then a `null` that is awaited: the queue is
/// FIFO, so once the `null` has reached JavaScript every chunk has, and the promise can settle
/// after them.
async fn forward_output(mut receiver: mpsc::UnboundedReceiver<OutputChunk>, callback: OnOutput) {
    while let Some(chunk) = receiver.recv().await {
        callback.call(Some(to_js(chunk)), ThreadsafeFunctionCallMode::NonBlocking);
    }
    // The facade's wrapper never throws; an error here means JavaScript is shutting down.
    let _ = callback.call_async_catch(None).await;
}

fn to_js(chunk: OutputChunk) -> OutputChunkJs {
    OutputChunkJs {
        stream: match chunk.stream {
            OutputStream::Stdout => "stdout",
            OutputStream::Stderr => "stderr",
        },
        data: Buffer::from(chunk.data.to_vec()),
    }
}

/// What this machine can enforce (DESIGN.md §3 `sandboxSupport()`).
#[napi(object, object_from_js = false)]
pub struct SandboxSupportJs {
    /// `linux`, `darwin` or `win32`.
    pub platform: String,
    /// The helper that was found, if any.
    pub helper_path: Option<String>,
    /// The kernel's Landlock ABI, if Landlock is available.
    pub landlock_abi: Option<u32>,
    /// Whether seccomp filters can be installed.
    pub seccomp: bool,
    /// Whether unprivileged user namespaces are allowed.
    pub user_namespaces: bool,
    /// Whether macOS `sandbox-exec` is available.
    pub seatbelt: bool,
    /// One actionable sentence per missing piece.
    pub problems: Vec<String>,
}

impl From<SandboxSupport> for SandboxSupportJs {
    fn from(support: SandboxSupport) -> Self {
        SandboxSupportJs {
            platform: support.platform.to_owned(),
            helper_path: support.helper_path.map(|p| p.display().to_string()),
            landlock_abi: support.landlock_abi,
            seccomp: support.seccomp,
            user_namespaces: support.user_namespaces,
            seatbelt: support.seatbelt,
            problems: support.problems,
        }
    }
}

/// Probes the sandbox layers, trying the helper candidates in order.
#[napi(ts_return_type = "Promise<SandboxSupportJs>")]
pub fn sandbox_support(
    env: Env,
    candidates: Vec<String>,
) -> napi::Result<AsyncBlock<SandboxSupportJs>> {
    let candidates: Vec<PathBuf> = candidates.into_iter().map(PathBuf::from).collect();
    let probe = async move {
        let support = catch_panic(async { Ok(codex_core::sandbox_support(&candidates).await) })
            .await
            .map_err(|err| napi::Error::from_reason(err.to_string()))?;
        Ok(SandboxSupportJs::from(support))
    };
    AsyncBlockBuilder::new(probe).build(&env)
}
