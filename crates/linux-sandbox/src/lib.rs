//! `codex-linux-sandbox`: confines itself, then execs a command.
//!
//! ```text
//! codex-linux-sandbox --policy '<SandboxPolicy JSON>' [--cwd DIR] -- COMMAND [ARGS...]
//! ```
//!
//! The layers, in the order they are built (each needs the previous one):
//!
//! 1. every inherited fd above stderr is marked close-on-exec;
//! 2. where the kernel allows user namespaces, a private mount namespace in which everything
//!    outside the writable roots is read-only (so chmod, chown, utime and xattrs of outside
//!    files fail too) — used and reported, not required;
//! 3. every capability is dropped, bounding and ambient sets included, then no_new_privs;
//! 4. with the network off, a seccomp filter: no socket but AF_UNIX stream/seqpacket, no io_uring;
//! 5. Landlock at the kernel's newest ABI: read and execute everywhere, write only in the roots,
//!    no TCP (ABI ≥ 4), no signals or abstract sockets outside (ABI ≥ 6), no connecting to Unix
//!    socket files outside the roots (ABI ≥ 9). It must be fully enforced or nothing runs.
//!
//! Then the helper changes into the policy's cwd, reports `Ready` on the status pipe and execs
//! with `execvp`, so the command keeps the caller's signal mask and dispositions (SIGPIPE too).
//! `ptrace` and `process_vm_*` of processes outside the sandbox fail through Landlock, which
//! limits them to the sandbox's own descendants — so strace and gdb inside still work.
//!
//! Exit codes: the command's own once it runs; 125 when nothing ran (bad command line or policy,
//! a layer that could not be enforced); 127 / 126 when the command could not be exec'd (not found
//! / not executable). The status pipe ([`codex_sandbox_policy::HelperStatus`]) says which:
//! `ready` with the layers enforced, `setupFailed`, or `execFailed`. `danger-full-access` is
//! refused (exit 125): it asks for no sandbox, so the caller should not use the helper at all.
//!
//! With the network off, only native-architecture system calls are allowed: an i386 program
//! (calls through `int 0x80`) is killed, since `socketcall(2)` would get past the socket filter.
//!
//! [`NO_MOUNT_NS_ENV`]`=1` skips the mount-namespace layer (reported as not enforced); it exists
//! for benchmarks and debugging.
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
mod error;
#[cfg(target_os = "linux")]
mod fds;
#[cfg(target_os = "linux")]
mod landlock;
#[cfg(target_os = "linux")]
mod mounts;
#[cfg(target_os = "linux")]
mod privileges;
#[cfg(target_os = "linux")]
mod run_main;
#[cfg(not(target_os = "linux"))]
#[path = "unsupported.rs"]
mod run_main;
#[cfg(target_os = "linux")]
mod seccomp;
#[cfg(target_os = "linux")]
mod status;

pub use arg0::{HELPER_NAME, run_with_sandbox};
pub use run_main::{NO_MOUNT_NS_ENV, run_main};
