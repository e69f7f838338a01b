//! The seccomp network filter: no sockets but AF_UNIX stream/seqpacket, no io_uring.
//!
//! Denied calls fail with `EPERM` instead of killing the process, so a program sees an
//! ordinary error it can report. `send*`, `recv*` and `connect` stay open: what matters is which
//! sockets can exist at all, and an AF_UNIX stream socket reaches only local peers (Landlock
//! scopes abstract ones and, at ABI 9, pathname ones).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch, sock_filter,
};

use crate::error::SetupError;

/// `SOCK_TYPE_MASK`: the bits of socket()'s type argument that hold the type, not its flags.
const SOCK_TYPE_MASK: u64 = 0xf;

#[cfg(target_arch = "x86_64")]
const ARCH: TargetArch = TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: TargetArch = TargetArch::aarch64;

/// Compiles the filter and installs it on this thread; needs no_new_privs first.
///
/// # Errors
/// [`SetupError::SeccompBuild`] or [`SetupError::SeccompInstall`]; the command must not run.
pub(crate) fn install_network_filter() -> Result<(), SetupError> {
    let program = network_filter()?;
    seccompiler::apply_filter(&program).map_err(SetupError::SeccompInstall)
}

/// The BPF program of the network filter.
fn network_filter() -> Result<BpfProgram, SetupError> {
    let build = |rules| {
        SeccompFilter::new(
            rules,
            SeccompAction::Allow,
            SeccompAction::Errno(libc::EPERM as u32),
            ARCH,
        )
        .and_then(BpfProgram::try_from)
        .map_err(SetupError::SeccompBuild)
    };
    let socket_rules = unix_stream_only().map_err(SetupError::SeccompBuild)?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    rules.insert(libc::SYS_socket, socket_rules.clone());
    rules.insert(libc::SYS_socketpair, socket_rules);
    // io_uring performs socket operations in the kernel, out of this filter's sight.
    for call in [
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
    ] {
        rules.insert(call, Vec::new());
    }
    let mut program = build(rules)?;
    deny_x32_syscalls(&mut program);
    Ok(program)
}

/// Rules that match (and so deny) every socket()/socketpair() call except AF_UNIX stream or
/// seqpacket: a datagram end could `sendmsg` to any socket path outside the sandbox.
///
/// seccomp cannot compare "masked bits differ", so each other type value is listed: the kernel
/// turns AF_UNIX `SOCK_RAW` into a datagram socket, and a type added later is denied too.
fn unix_stream_only() -> Result<Vec<SeccompRule>, seccompiler::BackendError> {
    let family = |op, value: libc::c_int| {
        SeccompCondition::new(0, SeccompCmpArgLen::Dword, op, value as u64)
    };
    let mut rules = vec![SeccompRule::new(vec![family(
        SeccompCmpOp::Ne,
        libc::AF_UNIX,
    )?])?];
    for kind in 0..=SOCK_TYPE_MASK {
        if kind == libc::SOCK_STREAM as u64 || kind == libc::SOCK_SEQPACKET as u64 {
            continue;
        }
        rules.push(SeccompRule::new(vec![
            family(SeccompCmpOp::Eq, libc::AF_UNIX)?,
            SeccompCondition::new(
                1,
                SeccompCmpArgLen::Dword,
                SeccompCmpOp::MaskedEq(SOCK_TYPE_MASK),
                kind,
            )?,
        ])?);
    }
    Ok(rules)
}

/// On x86_64 the x32 ABI reaches the same calls under numbers with bit 30 set, which the
/// rules above do not list; deny every x32 call (nothing sandboxed here is an x32 program).
#[cfg(target_arch = "x86_64")]
fn deny_x32_syscalls(program: &mut BpfProgram) {
    // Classic BPF opcodes (linux/bpf_common.h) and the syscall number's offset in seccomp_data.
    const LD_W_ABS: u16 = 0x20;
    const JMP_JGE_K: u16 = 0x35;
    const RET_K: u16 = 0x06;
    const NR_OFFSET: u32 = 0;
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    // seccompiler's program opens with three instructions checking the architecture; the
    // guard goes right after them, before the syscall number is dispatched. Its jumps are
    // relative and none crosses this point, so inserting here keeps them valid.
    const ARCH_CHECK_LEN: usize = 3;
    let instruction = |code, jt, jf, k| sock_filter { code, jt, jf, k };
    let guard = [
        instruction(LD_W_ABS, 0, 0, NR_OFFSET),
        instruction(JMP_JGE_K, 0, 1, X32_SYSCALL_BIT),
        instruction(RET_K, 0, 0, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32),
    ];
    program.splice(ARCH_CHECK_LEN..ARCH_CHECK_LEN, guard);
}

#[cfg(not(target_arch = "x86_64"))]
fn deny_x32_syscalls(_program: &mut BpfProgram) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_compiles_for_this_architecture() {
        let program = network_filter().unwrap();
        assert!(program.len() > 20, "{} instructions", program.len());
    }
}
