//! `exec` and `sandboxSupport`: convert, call codex-core, convert back.

use codex_core::CodexErr;
use codex_core::exec::{self as core, CommandScope, ExecParams, OutputChunk, OutputReceiver};
use codex_core::sandbox::{HelperSearch, SandboxSupport};
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder, Buffer};
use napi::threadsafe_function::{ThreadsafeFunction, UnknownReturnValue};
use napi::{Env, Status};
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::error::NativeError;
use crate::exec_result::ExecResult;
use crate::guard::catch_panic;
use crate::options::{ExecOptions, paths};
use crate::stdin::StdinWriter;

/// Which of the command's output streams a chunk came from.
#[napi(string_enum = "lowercase")]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One piece of a command's output, as `onOutput` receives it.
#[napi(object, object_from_js = false)]
pub struct OutputChunkJs {
    /// Which stream it came from.
    pub stream: OutputStream,
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

/// How an `exec` call ended: the command's answer, or the error with what the command had
/// produced when it ran at all.
#[napi(
    discriminant = "type",
    discriminant_case = "camelCase",
    object_from_js = false,
    use_nullable = true
)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per call, converted to JavaScript at once; napi converts no Box"
)]
pub enum ExecOutcome {
    /// The command ran to an answer (any exit code).
    Done {
        /// What it left behind.
        result: ExecResult,
    },
    /// It did not: a timeout, a signal, a denial, an abort, or nothing ran.
    Failed {
        /// Why.
        error: NativeError,
        /// What the command had produced, if it ran.
        result: Option<ExecResult>,
    },
    /// The command could not be started for a reason of its own (not found, not executable,
    /// an unusable cwd), or was aborted before it was.
    NotStarted {
        /// The result of a run that never began, its `startError` saying why: what a caller
        /// that takes every outcome as data resolves with.
        result: ExecResult,
    },
}

impl From<CodexErr> for ExecOutcome {
    /// The error's output moves into the result: nothing is copied.
    fn from(err: CodexErr) -> Self {
        let error = NativeError::from(&err);
        if err.is_command_not_started() {
            return ExecOutcome::NotStarted {
                result: ExecResult::not_started(error),
            };
        }
        ExecOutcome::Failed {
            error,
            result: err.into_exec_output().map(ExecResult::from),
        }
    }
}

/// Runs `argv` with `options`; resolves with an [`ExecOutcome`] and never rejects.
#[napi(ts_return_type = "Promise<ExecOutcome>")]
pub fn exec(
    env: Env,
    argv: Vec<String>,
    options: ExecOptions,
    cancel: &CancelToken,
    #[napi(ts_arg_type = "(chunk: OutputChunkJs | null) => void")] on_output: Option<OnOutput>,
    stdin: Option<&StdinWriter>,
) -> napi::Result<AsyncBlock<ExecOutcome>> {
    let mut params = ExecParams::from(options);
    params.argv = argv;
    if let Some(writer) = stdin {
        params.stdin = writer.take_stdin().ok_or_else(|| {
            napi::Error::new(Status::InvalidArg, "a StdinWriter serves one exec call")
        })?;
    }
    params.cancel = cancel.token();
    params.scope = Some(env_scope(&env)?);
    let run = async move {
        let forwarder = on_output.map(|callback| {
            let (sink, receiver) = core::output_channel(core::DEFAULT_OUTPUT_IN_FLIGHT);
            params.on_output = Some(sink);
            tokio::spawn(forward_output(receiver, callback))
        });
        let outcome = catch_panic(codex_core::exec::exec(params)).await;
        if let Some(forwarder) = forwarder {
            // Every chunk has reached JavaScript before the promise settles.
            let _ = forwarder.await;
        }
        Ok(match outcome {
            Ok(output) => ExecOutcome::Done {
                result: ExecResult::from(output),
            },
            Err(err) => ExecOutcome::from(err),
        })
    };
    AsyncBlockBuilder::new(run).build(&env)
}

/// The commands running for this JavaScript environment (the main thread or one Worker), killed
/// with their descendants when it is torn down — a terminated Worker runs no JavaScript that
/// could do it. Process exits are the reaper's (codex-core), however they happen.
fn env_scope(env: &Env) -> napi::Result<CommandScope> {
    if let Some(scope) = env.get_instance_data::<CommandScope>()? {
        return Ok(scope.clone());
    }
    let scope = CommandScope::new();
    env.set_instance_data(scope.clone(), (), |_| {})?;
    env.add_env_cleanup_hook(scope.clone(), |scope| scope.kill_all())?;
    Ok(scope)
}

/// Hands every chunk to `callback`, one call at a time, then a `null`: once the `null` has
/// reached JavaScript every chunk has, and the promise can settle after them.
///
/// A chunk is dropped only once the callback has returned from it, which gives its bytes back
/// to the sink's budget: a slow callback holds the reading back instead of letting chunks pile
/// up in napi's queue. One call at a time also keeps the event loop turning between calls:
/// napi runs every call already queued in one go, so a queue kept full would hold timers and
/// I/O (an `AbortSignal.timeout`, the caller's own) back for as long as it stays full.
async fn forward_output(mut receiver: OutputReceiver, callback: OnOutput) {
    while let Some(chunk) = receiver.recv().await {
        // The facade's wrapper never throws; an error means JavaScript is shutting down, and
        // the chunks left are dropped with the receiver.
        if callback
            .call_async_catch(Some(to_js(&chunk)))
            .await
            .is_err()
        {
            return;
        }
    }
    let _ = callback.call_async_catch(None).await;
}

fn to_js(chunk: &OutputChunk) -> OutputChunkJs {
    OutputChunkJs {
        stream: match chunk.stream {
            core::OutputStream::Stdout => OutputStream::Stdout,
            core::OutputStream::Stderr => OutputStream::Stderr,
        },
        data: Buffer::from(chunk.data.to_vec()),
    }
}

/// What this machine can enforce (DESIGN.md §3 `sandboxSupport()`).
#[napi(object, object_from_js = false, use_nullable = true)]
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
    /// Each layer: enforced here or not, and what that means.
    pub layers: Vec<SandboxLayerJs>,
}

/// One layer of the sandbox on this machine.
#[napi(object, object_from_js = false)]
pub struct SandboxLayerJs {
    /// `landlock`, `seccomp`, `namespaces` or `seatbelt`.
    pub name: String,
    /// Whether this machine enforces it.
    pub enforced: bool,
    /// What it holds here, or what is left open without it and how to get it.
    pub detail: String,
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
            layers: support
                .layers
                .into_iter()
                .map(|layer| SandboxLayerJs {
                    name: layer.name.to_owned(),
                    enforced: layer.enforced,
                    detail: layer.detail,
                })
                .collect(),
        }
    }
}

/// How a `sandboxSupport` probe ended.
#[napi(
    discriminant = "type",
    discriminant_case = "lowercase",
    object_from_js = false
)]
pub enum SupportOutcome {
    /// What the machine enforces.
    Done {
        /// The answer.
        support: SandboxSupportJs,
    },
    /// The probe itself broke (a bug).
    Failed {
        /// Why.
        error: NativeError,
    },
}

/// Probes the sandbox layers, searching the helper as `exec` does, with `helperDirs` where the
/// package installed it.
#[napi(ts_return_type = "Promise<SupportOutcome>")]
pub fn sandbox_support(
    env: Env,
    helper_dirs: Option<Vec<String>>,
) -> napi::Result<AsyncBlock<SupportOutcome>> {
    let dirs = paths(helper_dirs);
    let probe = async move {
        let search = HelperSearch {
            explicit: &[],
            dirs: &dirs,
        };
        let probed =
            catch_panic(async { Ok(codex_core::sandbox::sandbox_support_with(search).await) })
                .await;
        Ok(match probed {
            Ok(support) => SupportOutcome::Done {
                support: SandboxSupportJs::from(support),
            },
            Err(err) => SupportOutcome::Failed {
                error: NativeError::from(&err),
            },
        })
    };
    AsyncBlockBuilder::new(probe).build(&env)
}
