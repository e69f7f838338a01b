//! [`exec`]: spawn, supervise, drain, and report how the run ended.

use std::io;
use std::path::PathBuf;
use std::pin::pin;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use codex_sandbox_policy::HelperStatus;
use tokio::process::Command;
use tokio::task::JoinError;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use super::child::{GroupChild, Watch, exit_signal};
use super::collect::{Collected, Collector};
use super::denial::{Allowed, sandbox_denied};
use super::env;
use super::output::{ExecOutput, ExitOutcome};
use super::params::{ExecEnv, ExecParams};
use super::reap::{Ending, wait_or_kill};
use super::sink::OutputSink;
use super::stdin::{ExecStdin, Fed, feed};
use crate::error::{CodexErr, Result, SandboxErr};
use crate::sandbox::{self, HelperSearch, Launch, LaunchContext, SandboxKind, StatusListener};

/// Runs a command as `params` says and reports how it ended.
///
/// A non-zero exit is `Ok` (it is the command's answer) unless the sandbox caused it.
///
/// # Errors
/// - [`SandboxErr::Timeout`], [`SandboxErr::Signal`], [`SandboxErr::Denied`] and
///   [`CodexErr::Interrupted`] carry the partial output ([`CodexErr::into_exec_output`]);
///   `Interrupted` carries none when the token was cancelled before anything was spawned.
/// - [`CodexErr::Io`] (`syscall: "spawn"`) when the command cannot be started (e.g. `ENOENT`),
///   with or without a sandbox; `EINVAL` for an empty `argv`.
/// - Sandbox setup failures ([`SandboxErr::LandlockRestrict`], `SeccompInstall`, `Unsupported`,
///   [`CodexErr::SandboxExecutableNotFound`]): the command did not run.
///
/// # Panics
/// Outside a tokio runtime with the I/O and time drivers enabled, as tokio's own process and
/// timer types do.
pub async fn exec(params: ExecParams) -> Result<ExecOutput> {
    let ExecParams {
        argv,
        cwd,
        env,
        stdin,
        timeout,
        kill_grace,
        drain_timeout,
        max_output_bytes,
        sandbox: policy,
        sandbox_executable,
        helper_dirs,
        cancel,
        on_output,
        scope,
    } = params;
    if argv.is_empty() {
        let empty = io::Error::from_raw_os_error(libc::EINVAL);
        return Err(CodexErr::io(empty, "spawn", None));
    }
    if cancel.is_cancelled() {
        return Err(CodexErr::Interrupted { output: None });
    }
    // Absolute, because a sandbox helper is started in cwd and then told to enter it again.
    let cwd = match cwd {
        Some(cwd) => std::path::absolute(cwd),
        None => std::env::current_dir(),
    }
    .map_err(|e| CodexErr::io(e, "uv_cwd", None))?;
    // Checked here so that an unusable cwd names the cwd, not the helper or the program.
    check_cwd(&cwd).map_err(|source| CodexErr::Cwd {
        source,
        path: cwd.clone(),
    })?;
    let tmpdir = child_tmpdir(&env);
    let mut launch = sandbox::launch(
        &argv,
        policy.as_ref(),
        LaunchContext {
            cwd: &cwd,
            tmpdir: tmpdir.as_deref(),
            helper: HelperSearch {
                explicit: &sandbox_executable,
                dirs: &helper_dirs,
            },
            cancel: &cancel,
        },
    )
    .await?;
    let mut command = command_for(&launch, &cwd, &env, stdin.is_piped());
    // The helper's PID namespace takes every process of a sandboxed command along when it dies.
    let watch = match launch.kind {
        SandboxKind::None => Watch::Tree,
        SandboxKind::Linux | SandboxKind::Seatbelt => Watch::ParentDeath,
    };
    let started = Instant::now();
    let mut child = GroupChild::spawn(&mut command, watch)
        .map_err(|e| spawn_error(e, launch.program.clone()))?;
    let _in_scope = scope.as_ref().map(|scope| scope.enter(child.id()));
    let status = launch.status_listener()?;

    let ended = run_to_end(
        &mut child,
        RunIo {
            status,
            stdin,
            on_output,
        },
        &cancel,
        RunLimits {
            timeout,
            kill_grace,
            drain_timeout,
            max_output_bytes,
        },
    )
    .await?;
    let Ended {
        status,
        ending,
        collected,
        messages,
        fed,
    } = ended;
    if let Fed::Failed { error, .. } = fed {
        return Err(CodexErr::io(error, "read", None));
    }

    let killed = ending != Ending::Natural;
    let sandbox = sandbox::sandbox_report(launch.kind, messages, killed, &argv[0], &cwd)?;
    let mut output = ExecOutput {
        outcome: outcome(status, ending)?,
        exit_code: status.code(),
        signal: exit_signal(&status),
        sandbox_denied: false,
        stdout: collected.stdout,
        stderr: collected.stderr,
        aggregated: collected.aggregated,
        duration: started.elapsed(),
        timeout,
        sandbox,
    };
    if output.sandbox.kind != SandboxKind::None {
        let roots = policy.as_ref().map_or_else(Vec::new, |policy| {
            policy
                .resolved_against(&cwd)
                .writable_roots(&cwd, tmpdir.as_deref())
                .into_iter()
                .map(|root| root.path)
                .collect()
        });
        output.sandbox_denied = sandbox_denied(&output, &Allowed::new(&cwd, roots));
    }
    into_result(output)
}

/// The time limits and output cap of one run.
#[derive(Debug, Clone, Copy)]
struct RunLimits {
    timeout: Option<Duration>,
    kill_grace: Duration,
    drain_timeout: Duration,
    max_output_bytes: usize,
}

/// What flows between us and the child besides its exit status.
struct RunIo {
    /// The helper's status pipe, if any.
    status: StatusListener,
    /// What the child reads on its stdin.
    stdin: ExecStdin,
    /// Where each chunk of output goes as it is read.
    on_output: Option<OutputSink>,
}

/// Everything a run left once the child was reaped and the pipes drained.
struct Ended {
    status: ExitStatus,
    ending: Ending,
    collected: Collected,
    messages: Vec<HelperStatus>,
    /// How feeding stdin ended; a failed stream holds the pipe open until here.
    fed: Fed,
}

/// Feeds stdin, reads the output and the helper's status, and waits for the child (killing its
/// group on timeout, cancellation or a failed stdin stream), then drains the pipes for a
/// bounded time.
async fn run_to_end(
    child: &mut GroupChild,
    io: RunIo,
    cancel: &CancellationToken,
    limits: RunLimits,
) -> Result<Ended> {
    let RunIo {
        status,
        stdin,
        on_output,
    } = io;
    let handles = child.child_mut();
    let (stdin_pipe, stdout, stderr) = (
        handles.stdin.take(),
        handles.stdout.take(),
        handles.stderr.take(),
    );
    let stop = CancellationToken::new();
    let io_stop = stop.clone();
    // A failed stdin stream kills the run as the caller's cancellation would, without
    // cancelling the caller's token (which may be shared with other runs).
    let kill = cancel.child_token();
    let stdin_failed = kill.clone();
    let exited = CancellationToken::new();
    let child_exited = exited.clone();
    let max_output_bytes = limits.max_output_bytes;
    // Its own task, so that a chunk of output wakes only the reader: polling the child's wait
    // (a waitpid each time) on every chunk would halve the throughput. Aborted if we are dropped.
    let mut io = AbortOnDropHandle::new(tokio::spawn(async move {
        let stop = &io_stop;
        let readers_done = CancellationToken::new();
        let readers = async {
            let read = tokio::join!(
                Collector::new(max_output_bytes, on_output).read_to_end(stdout, stderr, stop),
                status.read(stop),
            );
            readers_done.cancel();
            read
        };
        let feeding = async {
            let fed = tokio::select! {
                fed = feed(stdin_pipe, stdin) => fed,
                () = stop.cancelled() => Fed::Closed,
                // Once the child has exited and its output ended, nobody is left to read:
                // a stream that stalls (or a pipe a grandchild holds but does not read) must
                // not hold the run up for the whole drain.
                () = async {
                    child_exited.cancelled().await;
                    readers_done.cancelled().await;
                } => Fed::Closed,
            };
            if matches!(fed, Fed::Failed { .. }) {
                stdin_failed.cancel();
            }
            fed
        };
        let ((collected, messages), fed) = tokio::join!(readers, feeding);
        (collected, messages, fed)
    }));
    let mut finished_io = None;
    let waited = {
        let mut supervise = pin!(wait_or_kill(
            child,
            limits.timeout,
            &kill,
            limits.kill_grace
        ));
        loop {
            tokio::select! {
                done = &mut io, if finished_io.is_none() => finished_io = Some(done),
                waited = &mut supervise => break waited,
            }
        }
    };
    exited.cancel();
    let (status, ending) = waited.map_err(|e| CodexErr::io(e, "waitpid", None))?;
    let done = match finished_io {
        Some(done) => done,
        None => drain(&mut io, &stop, &kill, limits.drain_timeout).await,
    };
    let (collected, messages, fed) = done?;
    Ok(Ended {
        status,
        ending,
        collected,
        messages,
        fed,
    })
}

/// How the run ended, from why we stopped waiting and the child's status.
fn outcome(status: ExitStatus, ending: Ending) -> Result<ExitOutcome> {
    Ok(match ending {
        Ending::TimedOut => ExitOutcome::TimedOut,
        Ending::Cancelled => ExitOutcome::Cancelled,
        Ending::Natural => match (status.code(), exit_signal(&status)) {
            (Some(code), _) => ExitOutcome::Exited(code),
            (None, Some(signal)) => ExitOutcome::Signaled(signal),
            (None, None) => {
                return Err(CodexErr::Internal(format!(
                    "child ended with status {status} that is neither an exit nor a signal"
                )));
            }
        },
    })
}

/// The public result: a clean or failing exit resolves; everything else is the typed error
/// carrying the output.
fn into_result(output: ExecOutput) -> Result<ExecOutput> {
    let error: CodexErr = match output.outcome {
        ExitOutcome::TimedOut => SandboxErr::Timeout {
            timeout: output.timeout.unwrap_or_default(),
            output: Box::new(output),
        }
        .into(),
        ExitOutcome::Cancelled => CodexErr::Interrupted {
            output: Some(Box::new(output)),
        },
        _ if output.sandbox_denied => SandboxErr::Denied {
            output: Box::new(output),
        }
        .into(),
        ExitOutcome::Signaled(signal) => SandboxErr::Signal {
            signal,
            output: Box::new(output),
        }
        .into(),
        ExitOutcome::Exited(_) => return Ok(output),
    };
    Err(error)
}

/// The command to spawn for `launch`, with stdio, cwd and environment set.
fn command_for(launch: &Launch, cwd: &std::path::Path, env: &ExecEnv, has_stdin: bool) -> Command {
    let mut command = Command::new(&launch.program);
    command
        .args(&launch.args)
        .current_dir(cwd)
        .stdin(if has_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env::apply(env, &mut command);
    command.envs(launch.env.iter().copied());
    launch.hand_status_to(&mut command);
    command
}

/// The `$TMPDIR` the command will see, which workspace-write makes writable.
fn child_tmpdir(env: &ExecEnv) -> Option<PathBuf> {
    env::child_var(env, "TMPDIR").map(PathBuf::from)
}

/// Whether the command could start in `cwd`: it exists, is a directory, and may be entered.
fn check_cwd(cwd: &std::path::Path) -> io::Result<()> {
    if !std::fs::metadata(cwd)?.is_dir() {
        return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
    }
    may_enter(cwd)
}

/// Whether this process may enter `dir` (search permission), as `chdir` would decide.
#[cfg(unix)]
fn may_enter(dir: &std::path::Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())?;
    // SAFETY: `path` is a NUL-terminated string that outlives the call.
    let result =
        unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::X_OK, libc::AT_EACCESS) };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Windows has no search permission to check; spawn reports what it finds.
#[cfg(not(unix))]
fn may_enter(_dir: &std::path::Path) -> io::Result<()> {
    Ok(())
}

/// A failed spawn, Node-style: resource exhaustion is `Spawn`, anything about the program
/// (not found, not executable, bad cwd) is `Io` naming it.
fn spawn_error(error: io::Error, program: std::ffi::OsString) -> CodexErr {
    match error.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::EAGAIN | libc::ENOMEM) => {
            CodexErr::Spawn { source: error }
        }
        _ => CodexErr::io(error, "spawn", Some(PathBuf::from(program))),
    }
}

/// Waits at most `drain_timeout` for the pipes to reach EOF (less if the caller cancels), then
/// stops reading.
async fn drain<T>(
    io: &mut AbortOnDropHandle<T>,
    stop: &CancellationToken,
    cancel: &CancellationToken,
    drain_timeout: Duration,
) -> std::result::Result<T, JoinError> {
    tokio::select! {
        done = &mut *io => return done,
        () = tokio::time::sleep(drain_timeout) => {}
        () = cancel.cancelled() => {}
    }
    stop.cancel();
    io.await
}
