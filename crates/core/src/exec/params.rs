//! [`ExecParams`]: everything `exec` needs to know about one run.

use std::path::PathBuf;
use std::time::Duration;

use codex_sandbox_policy::SandboxPolicy;
use tokio_util::sync::CancellationToken;

use super::scope::CommandScope;
use super::sink::OutputSink;
use super::stdin::ExecStdin;

/// The timeout `ExecParams::default()` uses, as DESIGN.md §3 says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a group gets between SIGTERM and SIGKILL by default.
pub const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(2);
/// How long the pipes are drained after the direct child exited, by default.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
/// How many bytes of each stream are kept by default.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// One command to run and how.
#[derive(Debug)]
pub struct ExecParams {
    /// The program and its arguments; must not be empty.
    pub argv: Vec<String>,
    /// The working directory (and the sandbox's workspace root); `None`: the current directory.
    pub cwd: Option<PathBuf>,
    /// Where the child's environment comes from.
    pub env: ExecEnv,
    /// What the child reads on its stdin: `/dev/null` by default, bytes, or a stream of chunks
    /// fed as it reads them.
    pub stdin: ExecStdin,
    /// How long the command may run; `None`: no limit.
    pub timeout: Option<Duration>,
    /// How long the group gets between SIGTERM and SIGKILL on timeout or cancellation.
    pub kill_grace: Duration,
    /// How long the pipes are read after the direct child exited (a background grandchild may
    /// hold them open forever).
    pub drain_timeout: Duration,
    /// How many bytes of each stream (and of the interleaved output) are kept.
    pub max_output_bytes: usize,
    /// The sandbox to run under; `None` or danger-full-access: none.
    pub sandbox: Option<SandboxPolicy>,
    /// Paths of `codex-linux-sandbox` the caller chose, tried alone and in order; empty: the rest
    /// of the search (see [`HelperSearch`](crate::sandbox::HelperSearch)).
    pub sandbox_executable: Vec<PathBuf>,
    /// Directories where the embedding program installed `codex-linux-sandbox`, tried unless
    /// `sandbox_executable` or `CODEX_LINUX_SANDBOX_EXE` names it; empty: next to the current
    /// executable, then `PATH`.
    pub helper_dirs: Vec<PathBuf>,
    /// Cancels the run: the group is killed and the call fails with `Interrupted`.
    pub cancel: CancellationToken,
    /// Receives each chunk of output as it is read, uncapped; reading pauses while the chunks
    /// the receiver has not dropped fill the sink's budget (see [`output_channel`](super::output_channel)).
    pub on_output: Option<OutputSink>,
    /// The scope the command belongs to while it runs, which can kill it (and the rest of the
    /// scope) at once.
    pub scope: Option<CommandScope>,
}

impl Default for ExecParams {
    fn default() -> Self {
        ExecParams {
            argv: Vec::new(),
            cwd: None,
            env: ExecEnv::default(),
            stdin: ExecStdin::Null,
            timeout: Some(DEFAULT_TIMEOUT),
            kill_grace: DEFAULT_KILL_GRACE,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            sandbox: None,
            sandbox_executable: Vec::new(),
            helper_dirs: Vec::new(),
            cancel: CancellationToken::new(),
            on_output: None,
            scope: None,
        }
    }
}

/// Where the child's environment comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecEnv {
    /// Exactly these variables, nothing inherited.
    Exact(Vec<(String, String)>),
    /// The caller's environment, as `mode` passes it on, with `set` added over it.
    Inherit {
        /// How much of the caller's environment is passed on.
        mode: InheritEnv,
        /// Variables set over the inherited ones, in order (a later one wins). Each is kept
        /// whatever its name: the filter is for what the caller did not choose to pass.
        set: Vec<(String, String)>,
    },
}

impl ExecEnv {
    /// The caller's environment as `mode` passes it on, nothing added.
    pub fn inherit(mode: InheritEnv) -> Self {
        ExecEnv::Inherit {
            mode,
            set: Vec::new(),
        }
    }
}

impl Default for ExecEnv {
    fn default() -> Self {
        ExecEnv::inherit(InheritEnv::Filtered)
    }
}

/// How much of the caller's environment a child inherits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InheritEnv {
    /// Everything but variables whose name contains `KEY`, `SECRET` or `TOKEN` (any case).
    #[default]
    Filtered,
    /// Everything.
    All,
}
