//! `exec`'s `stdinPull`: a JavaScript async iterable, pulled chunk by chunk, as codex-core's
//! [`ExecStdin::Stream`].

use std::io;

use bytes::Bytes;
use codex_core::exec::ExecStdin;
use napi::Status;
use napi::bindgen_prelude::{Buffer, Either, Promise};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// How the facade answers a pull that brings no chunk.
#[napi(string_enum = "lowercase")]
pub enum StdinEnd {
    /// The iterable is done: close the command's stdin.
    End,
    /// The iterable threw or yielded something that is not a chunk (the facade keeps the
    /// error): kill the command.
    Failed,
}

/// The facade's pull callback: `true` asks for the next chunk, answered with a promise of a
/// chunk or a [`StdinEnd`], and never rejects; `false` (the stream was dropped: the command
/// stopped reading, or the run is over) lets the facade end the iterator, its return ignored.
pub type StdinPull =
    ThreadsafeFunction<bool, Promise<Either<Buffer, StdinEnd>>, bool, Status, false>;

/// Calls the pull callback with `false` once the stream is dropped, whatever the reason.
struct Release(StdinPull);

impl Drop for Release {
    fn drop(&mut self) {
        // Non-blocking, from whichever thread drops the stream; a JS environment that is
        // shutting down has no iterator left to end.
        let _ = self.0.call(false, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// The iterable behind `pull` as a stream for codex-core: one pull per chunk it asks for.
pub fn stdin_stream(pull: StdinPull) -> ExecStdin {
    ExecStdin::stream(futures_util::stream::unfold(
        Release(pull),
        |release| async move {
            match next_chunk(&release.0).await {
                Ok(Some(chunk)) => Some((Ok(chunk), release)),
                Ok(None) => None,
                Err(error) => Some((Err(error), release)),
            }
        },
    ))
}

/// The next chunk; `None` at the end of the iterable.
///
/// # Errors
/// When the iterable failed, or JavaScript could not be called (its environment is going
/// away): either way the command must not take what it got so far for the whole input.
async fn next_chunk(pull: &StdinPull) -> io::Result<Option<Bytes>> {
    let answer = async { pull.call_async_catch(true).await?.await }
        .await
        .map_err(|error| io::Error::other(format!("options.stdin could not be read: {error}")))?;
    match answer {
        // Copied at once: the caller's memory is not ours to keep.
        Either::A(chunk) => Ok(Some(Bytes::from(chunk.to_vec()))),
        Either::B(StdinEnd::End) => Ok(None),
        Either::B(StdinEnd::Failed) => Err(io::Error::other("options.stdin failed")),
    }
}
