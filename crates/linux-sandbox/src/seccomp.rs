//! The seccomp network filter: no sockets but AF_UNIX stream/seqpacket, no io_uring.
//!
//! Denied calls fail with `EPERM` instead of killing the process, so a program sees an
//! ordinary error it can report. `send*`, `recv*` and `connect` stay open: what matters is which
//! sockets can exist at all, and an AF_UNIX stream socket reaches only local peers (Landlock
//! scopes abstract ones and, at ABI 9, pathname ones).
//!
//! The program is assembled here (19 instructions on x86_64) and installed with
//! `seccompiler::apply_filter`. seccompiler's rule compiler emits 73 instructions for the same
//! rules, and the kernel's cost of installing a filter (JIT, action cache) grows with its
//! length: measured here, +0.1 ms of wall time per exec, a tenth of the whole helper budget.

use seccompiler::{BpfProgram, sock_filter};

use crate::error::SetupError;

/// Installs the filter on this thread; needs no_new_privs first.
///
/// # Errors
/// [`SetupError::SeccompInstall`] when the kernel refuses it; the command must not run.
pub(crate) fn install_network_filter() -> Result<(), SetupError> {
    seccompiler::apply_filter(&network_filter()).map_err(SetupError::SeccompInstall)
}

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// Classic BPF opcodes (linux/bpf_common.h).
const LD_W_ABS: u16 = 0x20;
const ALU_AND_K: u16 = 0x54;
const JMP_JEQ_K: u16 = 0x15;
#[cfg(target_arch = "x86_64")]
const JMP_JGE_K: u16 = 0x35;

/// x32 system calls are the x86_64 numbers with this bit set.
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
const RET_K: u16 = 0x06;

/// Offsets in `struct seccomp_data`; the low halves of the (little-endian) arguments.
const NR_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;
const ARG0_LOW: u32 = 16;
const ARG1_LOW: u32 = 24;

/// The bits of socket()'s type argument that hold the type (the rest are flags).
const SOCK_TYPE_MASK: u32 = 0xf;

const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
const DENY: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;

/// Where a jump goes, resolved once every instruction is in place.
#[derive(Clone, Copy)]
enum To {
    Next,
    /// Over the next instruction.
    Skip,
    Socket,
    Deny,
    Allow,
}

/// An instruction whose jump targets are still labels.
struct Op {
    code: u16,
    k: u32,
    yes: To,
    no: To,
}

fn op(code: u16, k: u32) -> Op {
    Op {
        code,
        k,
        yes: To::Next,
        no: To::Next,
    }
}

fn jump(code: u16, k: u32, yes: To, no: To) -> Op {
    Op { code, k, yes, no }
}

/// The filter program:
///
/// - another architecture (e.g. i386 calls through `int 0x80`) kills the process, as a
///   socketcall(2) there would get past the checks below;
/// - on x86_64, x32 calls (bit 30 set) fail: they reach the same calls under other numbers;
/// - `socket` and `socketpair` fail unless the family is AF_UNIX and the type stream or
///   seqpacket — a datagram end could `sendmsg` to any socket path, and AF_UNIX `SOCK_RAW`
///   is a datagram socket;
/// - `io_uring_setup`, `io_uring_enter` and `io_uring_register` fail: io_uring performs
///   socket operations in the kernel, out of this filter's sight;
/// - everything else is allowed.
fn network_filter() -> BpfProgram {
    let mut ops = vec![
        op(LD_W_ABS, ARCH_OFFSET),
        jump(JMP_JEQ_K, AUDIT_ARCH, To::Skip, To::Next),
        op(RET_K, libc::SECCOMP_RET_KILL_PROCESS),
        op(LD_W_ABS, NR_OFFSET),
    ];
    #[cfg(target_arch = "x86_64")]
    ops.push(jump(JMP_JGE_K, X32_SYSCALL_BIT, To::Deny, To::Next));
    // The syscall number is in the accumulator: go to `to` when it is `nr`. (Numbers are small
    // and positive; u32::MAX, which matches nothing, cannot occur.)
    let on = |nr: libc::c_long, to| {
        jump(
            JMP_JEQ_K,
            u32::try_from(nr).unwrap_or(u32::MAX),
            to,
            To::Next,
        )
    };
    ops.extend([
        on(libc::SYS_socket, To::Socket),
        on(libc::SYS_socketpair, To::Socket),
        on(libc::SYS_io_uring_setup, To::Deny),
        on(libc::SYS_io_uring_enter, To::Deny),
        on(libc::SYS_io_uring_register, To::Deny),
        op(RET_K, ALLOW),
    ]);
    let socket = ops.len();
    ops.extend([
        op(LD_W_ABS, ARG0_LOW),
        jump(JMP_JEQ_K, libc::AF_UNIX as u32, To::Next, To::Deny),
        op(LD_W_ABS, ARG1_LOW),
        op(ALU_AND_K, SOCK_TYPE_MASK),
        jump(JMP_JEQ_K, libc::SOCK_STREAM as u32, To::Allow, To::Next),
        jump(JMP_JEQ_K, libc::SOCK_SEQPACKET as u32, To::Allow, To::Next),
    ]);
    let deny = ops.len();
    ops.push(op(RET_K, DENY));
    let allow = ops.len();
    ops.push(op(RET_K, ALLOW));
    resolve(&ops, socket, deny, allow)
}

/// Turns labels into the relative offsets classic BPF jumps use.
fn resolve(ops: &[Op], socket: usize, deny: usize, allow: usize) -> BpfProgram {
    let offset = |from: usize, to: To| -> u8 {
        let target = match to {
            To::Next => from + 1,
            To::Skip => from + 2,
            To::Socket => socket,
            To::Deny => deny,
            To::Allow => allow,
        };
        // Every label lies ahead and within a few instructions: the program is 19 long.
        u8::try_from(target - from - 1).unwrap_or(0)
    };
    ops.iter()
        .enumerate()
        .map(|(at, op)| sock_filter {
            code: op.code,
            jt: offset(at, op.yes),
            jf: offset(at, op.no),
            k: op.k,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the program on one call, as the kernel would: a tiny classic-BPF interpreter
    /// for the instructions the filter uses.
    fn verdict(arch: u32, nr: libc::c_long, args: [u64; 2]) -> u32 {
        let program = network_filter();
        let data = |offset: u32| -> u32 {
            match offset {
                NR_OFFSET => nr as u32,
                ARCH_OFFSET => arch,
                ARG0_LOW => args[0] as u32,
                ARG1_LOW => args[1] as u32,
                other => panic!("unexpected load at {other}"),
            }
        };
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let insn = &program[pc];
            pc += 1;
            match insn.code {
                LD_W_ABS => acc = data(insn.k),
                ALU_AND_K => acc &= insn.k,
                RET_K => return insn.k,
                code => {
                    let taken = match code {
                        JMP_JEQ_K => acc == insn.k,
                        // JMP_JGE_K, which only the x86_64 program uses.
                        0x35 => acc >= insn.k,
                        other => panic!("unexpected opcode {other:#x}"),
                    };
                    pc += usize::from(if taken { insn.jt } else { insn.jf });
                }
            }
        }
    }

    fn call(nr: libc::c_long, args: [u64; 2]) -> u32 {
        verdict(AUDIT_ARCH, nr, args)
    }

    #[test]
    fn only_unix_stream_and_seqpacket_sockets_are_allowed() {
        let flags = (libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC) as u64;
        for nr in [libc::SYS_socket, libc::SYS_socketpair] {
            for kind in 0..16u64 {
                let expected =
                    if kind == libc::SOCK_STREAM as u64 || kind == libc::SOCK_SEQPACKET as u64 {
                        ALLOW
                    } else {
                        DENY
                    };
                assert_eq!(
                    call(nr, [libc::AF_UNIX as u64, kind | flags]),
                    expected,
                    "type {kind}"
                );
            }
            for family in [
                libc::AF_INET,
                libc::AF_INET6,
                libc::AF_NETLINK,
                libc::AF_PACKET,
            ] {
                assert_eq!(call(nr, [family as u64, libc::SOCK_STREAM as u64]), DENY);
            }
        }
    }

    #[test]
    fn io_uring_is_denied_and_the_rest_allowed() {
        for nr in [
            libc::SYS_io_uring_setup,
            libc::SYS_io_uring_enter,
            libc::SYS_io_uring_register,
        ] {
            assert_eq!(call(nr, [0, 0]), DENY);
        }
        for nr in [
            libc::SYS_read,
            libc::SYS_connect,
            libc::SYS_sendmsg,
            libc::SYS_recvfrom,
        ] {
            assert_eq!(call(nr, [libc::AF_INET as u64, 0]), ALLOW);
        }
    }

    #[test]
    fn another_architecture_is_killed() {
        assert_eq!(
            // AUDIT_ARCH_I386.
            verdict(0x4000_0003, libc::SYS_read, [0, 0]),
            libc::SECCOMP_RET_KILL_PROCESS
        );
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn x32_calls_are_denied() {
        let x32 = libc::c_long::from(X32_SYSCALL_BIT);
        assert_eq!(
            call(x32 | libc::SYS_socket, [libc::AF_INET as u64, 1]),
            DENY
        );
        assert_eq!(call(x32 | libc::SYS_read, [0, 0]), DENY);
    }
}
