//! `codex-linux-sandbox`: runs a command confined, and supervises it from outside.
//!
//! ```text
//! codex-linux-sandbox --policy '<SandboxPolicy JSON>' [--cwd DIR] -- COMMAND [ARGS...]
//! ```
//!
//! Three processes take part:
//!
//! - the **supervisor** (the helper itself) stays outside every restriction. It forwards the
//!   caller's SIGTERM/SIGINT/SIGHUP/SIGQUIT, answers the command's seccomp notifications
//!   (refused sockets, Unix-socket connects), and at the end ends exactly as the command did;
//! - the **init**, started in new user, mount, PID and IPC namespaces and a new session, confines
//!   itself — protected paths bound read-only, a read-only mount tree with the writable roots
//!   cloned back, a fresh `/proc`, every capability dropped, no_new_privs, Landlock — forks the
//!   command and stays as pid 1: it reaps, forwards signals, performs the connects the
//!   supervisor allowed that Landlock should check too (abstract sockets from ABI 6, socket
//!   files from ABI 9; below that the supervisor connects socket files itself), and when the
//!   command ends, exits, which kills every process left;
//! - the **command** installs the seccomp filter (terminal injection, keyrings, setuid bits,
//!   io_uring and, with the network off, sockets; `connect`/`bind` go to the supervisor) and
//!   execs (found as `execvp` finds it), with the caller's signal mask and dispositions.
//!
//! Writable roots, `$TMPDIR` and the socket allow-list are opened once, without following
//! symlinks a sandboxed run could have planted (`paths.rs`); `/`, `/proc`, `/sys` and `/dev` are
//! never writable. Where the kernel allows no user namespace, the init is a plain child and the
//! filter guards other processes and SysV IPC instead; protected paths that exist then make the
//! helper refuse. Any failure once a layer has started is fatal: nothing runs half-confined.
//!
//! Exit codes: the command's own (or its death signal); 125 when nothing ran (bad command line
//! or policy, a layer that could not be enforced); 127 / 126 when the command could not be
//! exec'd (not found / not executable). The status pipe ([`codex_sandbox_policy::HelperStatus`])
//! says `ready` with the layers enforced, or `setupFailed`, `execFailed`, and at the end
//! `denials` with what was refused. By hand, failures and refusals are lines on stderr.
//! `danger-full-access` is refused (exit 125): it asks for no sandbox, so the caller should not
//! use the helper at all.
//!
//! Programs that are their own helper call [`run_with_sandbox`] first thing in `main`:
//!
//! ```no_run
//! // First thing in `main`: started as `codex-linux-sandbox`, this never returns.
//! let answer = codex_linux_sandbox::run_with_sandbox(|| 42);
//! assert_eq!(answer, 42);
//! ```

mod arg0;
#[cfg(target_os = "linux")]
mod channel;
#[cfg(target_os = "linux")]
mod command;
#[cfg(target_os = "linux")]
mod denials;
#[cfg(target_os = "linux")]
mod error;
#[cfg(target_os = "linux")]
mod fds;
#[cfg(target_os = "linux")]
mod init;
#[cfg(target_os = "linux")]
mod landlock;
#[cfg(target_os = "linux")]
mod mounts;
#[cfg(target_os = "linux")]
mod namespaces;
#[cfg(target_os = "linux")]
mod notify;
#[cfg(target_os = "linux")]
mod paths;
#[cfg(target_os = "linux")]
mod privileges;
#[cfg(target_os = "linux")]
mod protected;
#[cfg(target_os = "linux")]
mod roots;
#[cfg(target_os = "linux")]
mod run_main;
#[cfg(not(target_os = "linux"))]
#[path = "unsupported.rs"]
mod run_main;
#[cfg(target_os = "linux")]
mod seccomp;
#[cfg(target_os = "linux")]
mod sock_diag;
#[cfg(target_os = "linux")]
mod status;
#[cfg(target_os = "linux")]
mod supervisor;
#[cfg(target_os = "linux")]
mod sys;
#[cfg(target_os = "linux")]
mod unix_connect;

pub use arg0::{HELPER_NAME, run_with_sandbox};
pub use run_main::run_main;
