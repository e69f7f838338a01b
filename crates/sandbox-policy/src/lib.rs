//! The contract between `codex-core` and the `codex-linux-sandbox` helper.
//!
//! Both sides need the same few things, and nothing else from each other:
//!
//! - [`SandboxPolicy`]: what a sandboxed command may do. Its JSON form (camelCase, tagged by `mode`) is
//!   what JavaScript passes to `exec` and what the helper takes after `--policy`.
//! - [`HelperInvocation`]: the helper's command line, `--policy JSON [--cwd DIR] -- COMMAND ARGS…`,
//!   encoded by [`HelperInvocation::to_args`] and decoded by [`HelperInvocation::parse`].
//! - [`HelperStatus`]: the one-line JSON messages the helper writes on its status pipe (the fd named
//!   by [`STATUS_FD_ENV`]) so that its caller learns which layers were enforced, why nothing ran,
//!   and what the sandbox refused.
//! - [`HELPER_NAME`] and, on Linux, `landlock_abi()`: the helper's file name, and the kernel's
//!   Landlock ABI, asked the same way by the helper (to restrict at it) and by its caller (to
//!   report it).
//!
//! ```
//! use codex_sandbox_policy::{HelperInvocation, SandboxPolicy};
//!
//! let policy: SandboxPolicy = serde_json::from_str(r#"{"mode":"workspace-write"}"#).unwrap();
//! let invocation = HelperInvocation {
//!     policy,
//!     cwd: Some("/work".into()),
//!     command: vec!["touch".into(), "x".into()],
//! };
//! let args = invocation.to_args();
//! assert_eq!(HelperInvocation::parse(args).unwrap(), invocation);
//! ```

mod helper;
mod invocation;
mod policy;
mod status;

pub use helper::HELPER_NAME;
#[cfg(target_os = "linux")]
pub use helper::landlock_abi;
pub use invocation::{HelperInvocation, UsageError};
pub use policy::{
    DEFAULT_PROTECTED_PATHS, ReadOnlyPolicy, RootKind, SandboxPolicy, WorkspaceWritePolicy,
    WritableRoot,
};
pub use status::{
    Denial, DenialReport, EXIT_SETUP_FAILED, EnforcedLayers, HelperStatus, LandlockCoverage,
    MAX_DENIAL_RECORDS, STATUS_FD_ENV, SetupFailure,
};
