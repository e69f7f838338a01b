//! The command's seccomp filter: one short classic-BPF program, assembled here for each
//! architecture the helper ships on, and installed with a user-notification listener that the
//! supervisor answers.
//!
//! Always (network on or off):
//! - another architecture (i386 through `int 0x80`) kills the process — its numbers would get
//!   past every check below — and on x86_64 x32 calls fail;
//! - `ioctl` TIOCSTI and TIOCLINUX fail: they push input into a terminal the caller reads;
//! - `add_key`, `keyctl`, `request_key` fail: the session keyring is the caller's;
//! - `chmod`-family calls with S_ISUID/S_ISGID in the mode fail, and so do the file-creating calls
//!   (`open`, `openat`, `creat`, `mknod*`) with those bits: no setuid file can be made;
//! - `openat2` fails with ENOSYS, so that libc and runtimes fall back to `openat`, whose mode the
//!   filter can see (openat2 hides it behind a pointer);
//! - `io_uring_*` fail: io_uring performs opens and connects in the kernel, out of this filter's
//!   sight;
//! - `connect` and `bind` go to the supervisor (the address is behind a pointer, which only the
//!   supervisor can read without a race; it then performs the connect itself).
//!
//! With the network off, creating any socket but AF_UNIX stream/seqpacket goes to the supervisor,
//! which records it and answers EPERM (a datagram end could `sendmsg` to any socket path).
//!
//! Without user namespaces (no PID or IPC namespace), SysV IPC calls fail, and `prlimit64`,
//! `setpriority`, `ioprio_set` and `sched_set*` fail unless aimed at the caller itself.
//!
//! The program stays short on purpose: installing a filter costs start-up time in proportion to
//! its length (the kernel verifies it and precomputes which calls it always allows).

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

use crate::error::SetupError;

/// A classic BPF instruction (`struct sock_filter`).
pub(crate) type Instruction = libc::sock_filter;

/// What the filter must enforce beyond what it always does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FilterOptions {
    /// The policy keeps the network off.
    pub(crate) network_off: bool,
    /// There are no PID and IPC namespaces: guard other processes and SysV IPC by filter.
    pub(crate) no_namespaces: bool,
}

/// `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` (Linux 5.19): once the supervisor has a notification,
/// only a fatal signal interrupts the waiting call, so a connect the supervisor performed is
/// never restarted by the program.
const FLAG_WAIT_KILLABLE_RECV: libc::c_ulong = 1 << 5;

/// Installs the filter for `options` on this (single-threaded) process and returns the
/// notification listener; needs no_new_privs first.
///
/// # Errors
/// [`SetupError::SeccompInstall`] when the kernel refuses it; the command must not run.
pub(crate) fn install(options: FilterOptions) -> Result<OwnedFd, SetupError> {
    let program = filter(NATIVE, options);
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr().cast_mut(),
    };
    let mut flags = libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | FLAG_WAIT_KILLABLE_RECV;
    loop {
        // SAFETY: `prog` points at `program`, which outlives the call.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                flags,
                &prog as *const libc::sock_fprog,
            )
        };
        if fd >= 0 {
            // SAFETY: the kernel returned a new listener fd that nothing else owns.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) });
        }
        let error = io::Error::last_os_error();
        if error.raw_os_error() == Some(libc::EINVAL) && flags & FLAG_WAIT_KILLABLE_RECV != 0 {
            // A kernel before 5.19: the notification is still answered, only interruptibly.
            flags &= !FLAG_WAIT_KILLABLE_RECV;
            continue;
        }
        return Err(SetupError::SeccompInstall(error));
    }
}

/// Checks, before anything is started, that this kernel can both filter and notify.
///
/// A process that cannot install the filter would find out only inside the sandbox, after the
/// namespaces and the init exist; asking first refuses the run at once and names seccomp, which is
/// also what an emulator such as qemu-user (which implements no seccomp) needs.
///
/// # Errors
/// [`SetupError::SeccompUnavailable`] when the kernel has no seccomp or no user notification.
pub(crate) fn probe() -> Result<(), SetupError> {
    let action: u32 = libc::SECCOMP_RET_USER_NOTIF;
    // SAFETY: the kernel reads one u32 from `action`, which lives across the call.
    let result = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_ACTION_AVAIL,
            0,
            &action as *const u32,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(SetupError::SeccompUnavailable(io::Error::last_os_error()))
    }
}

/// One architecture's audit value and system-call numbers.
#[derive(Debug)]
pub(crate) struct Arch {
    /// `AUDIT_ARCH_*`.
    audit: u32,
    /// x86_64's x32 bit: calls with it set reach the same handlers under other numbers.
    x32_bit: Option<u32>,
    socket: u32,
    socketpair: u32,
    connect: u32,
    bind: u32,
    ioctl: u32,
    /// `add_key`, `keyctl`, `request_key`.
    keyrings: [u32; 3],
    /// `io_uring_setup`, `io_uring_enter`, `io_uring_register`.
    io_uring: [u32; 3],
    openat2: u32,
    /// Calls whose mode is their second argument: `chmod`, `fchmod`, `creat`, `mknod`.
    mode_in_arg1: &'static [u32],
    /// Third argument: `fchmodat`, `fchmodat2`, `mknodat`, `open`.
    mode_in_arg2: &'static [u32],
    /// Fourth argument: `openat`.
    mode_in_arg3: &'static [u32],
    /// SysV IPC: shm*, msg*, sem*.
    sysv_ipc: &'static [u32],
    /// Calls aimed at the pid in their first argument: `prlimit64`, `sched_setaffinity`,
    /// `sched_setscheduler`, `sched_setparam`, `sched_setattr`.
    pid_in_arg0: &'static [u32],
    setpriority: u32,
    ioprio_set: u32,
}

#[cfg(any(target_arch = "x86_64", test))]
/// x86_64 (numbers from arch/x86/entry/syscalls/syscall_64.tbl).
pub(crate) const X86_64: Arch = Arch {
    audit: 0xC000_003E,
    x32_bit: Some(0x4000_0000),
    socket: 41,
    socketpair: 53,
    connect: 42,
    bind: 49,
    ioctl: 16,
    keyrings: [248, 250, 249],
    io_uring: [425, 426, 427],
    openat2: 437,
    mode_in_arg1: &[90, 91, 85, 133],
    mode_in_arg2: &[268, 452, 259, 2],
    mode_in_arg3: &[257],
    sysv_ipc: &[29, 30, 31, 67, 68, 69, 70, 71, 64, 65, 66, 220],
    pid_in_arg0: &[302, 203, 144, 142, 314],
    setpriority: 141,
    ioprio_set: 251,
};

#[cfg(any(target_arch = "aarch64", test))]
/// aarch64 (numbers from include/uapi/asm-generic/unistd.h; no `chmod`, `open`, `creat`, `mknod`).
pub(crate) const AARCH64: Arch = Arch {
    audit: 0xC000_00B7,
    x32_bit: None,
    socket: 198,
    socketpair: 199,
    connect: 203,
    bind: 200,
    ioctl: 29,
    keyrings: [217, 219, 218],
    io_uring: [425, 426, 427],
    openat2: 437,
    mode_in_arg1: &[52],
    mode_in_arg2: &[53, 452, 33],
    mode_in_arg3: &[56],
    sysv_ipc: &[194, 196, 195, 197, 186, 189, 188, 187, 190, 193, 191, 192],
    pid_in_arg0: &[261, 122, 119, 118, 274],
    setpriority: 140,
    ioprio_set: 30,
};

/// The architecture this helper was built for.
#[cfg(target_arch = "x86_64")]
pub(crate) const NATIVE: &Arch = &X86_64;
/// The architecture this helper was built for.
#[cfg(target_arch = "aarch64")]
pub(crate) const NATIVE: &Arch = &AARCH64;

/// Classic BPF opcodes (linux/bpf_common.h).
const LD_W_ABS: u16 = 0x20;
const ALU_AND_K: u16 = 0x54;
const JMP_JA: u16 = 0x05;
const JMP_JEQ_K: u16 = 0x15;
const JMP_JGE_K: u16 = 0x35;
const JMP_JSET_K: u16 = 0x45;
const RET_K: u16 = 0x06;

/// Offsets in `struct seccomp_data`; the low halves of the (little-endian) arguments.
const NR_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;
const fn arg_low(index: u32) -> u32 {
    16 + 8 * index
}

/// The bits of socket()'s type argument that hold the type (the rest are flags).
const SOCK_TYPE_MASK: u32 = 0xf;
/// S_ISUID | S_ISGID.
const SETID_BITS: u32 = 0o6000;
/// `TIOCSTI` and `TIOCLINUX` (the same on every architecture the helper ships on).
const TIOCSTI: u32 = 0x5412;
const TIOCLINUX: u32 = 0x541C;
/// `PRIO_PROCESS` (setpriority) and `IOPRIO_WHO_PROCESS` (ioprio_set).
const PRIO_PROCESS: u32 = 0;
const IOPRIO_WHO_PROCESS: u32 = 1;

/// The filter's verdicts.
pub(crate) const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
pub(crate) const NOTIFY: u32 = libc::SECCOMP_RET_USER_NOTIF;
pub(crate) const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
pub(crate) const ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
pub(crate) const KILL: u32 = libc::SECCOMP_RET_KILL_PROCESS;

/// Where a jump goes, resolved once every instruction is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum To {
    Next,
    Block(Block),
}

/// The shared tails of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Socket,
    Ioctl,
    Mode1,
    Mode2,
    Mode3,
    PidZero,
    SetPriority,
    IoprioSet,
    Notify,
    Eperm,
    Enosys,
    Allow,
    Kill,
}

/// An instruction whose jump targets are still labels.
#[derive(Debug, Clone, Copy)]
struct Op {
    code: u16,
    k: u32,
    yes: To,
    no: To,
}

/// A program under construction: instructions plus where each block starts.
#[derive(Default)]
struct Assembler {
    ops: Vec<Op>,
    starts: Vec<(Block, usize)>,
}

impl Assembler {
    fn op(&mut self, code: u16, k: u32) {
        self.jump(code, k, To::Next, To::Next);
    }

    fn jump(&mut self, code: u16, k: u32, yes: To, no: To) {
        self.ops.push(Op { code, k, yes, no });
    }

    /// Jump to `block` when the accumulator equals `k`.
    fn on(&mut self, k: u32, block: Block) {
        self.jump(JMP_JEQ_K, k, To::Block(block), To::Next);
    }

    fn ret(&mut self, verdict: u32) {
        self.op(RET_K, verdict);
    }

    fn block(&mut self, block: Block) {
        self.starts.push((block, self.ops.len()));
    }

    /// Loads argument `index`'s low half and goes to Eperm if any of `bits` is set, else Allow.
    fn deny_bits(&mut self, index: u32, bits: u32) {
        self.op(LD_W_ABS, arg_low(index));
        self.jump(
            JMP_JSET_K,
            bits,
            To::Block(Block::Eperm),
            To::Block(Block::Allow),
        );
    }

    /// Resolves labels into the relative offsets classic BPF jumps use.
    fn finish(self) -> Vec<Instruction> {
        let start = |block: Block| {
            self.starts
                .iter()
                .find(|(b, _)| *b == block)
                .map_or(0, |(_, at)| *at)
        };
        let offset = |from: usize, to: To| -> usize {
            match to {
                To::Next => 0,
                To::Block(block) => start(block) - from - 1,
            }
        };
        self.ops
            .iter()
            .enumerate()
            .map(|(at, op)| {
                if op.code == JMP_JA {
                    // An unconditional jump keeps its offset in `k`.
                    return Instruction {
                        code: op.code,
                        jt: 0,
                        jf: 0,
                        k: offset(at, op.yes) as u32,
                    };
                }
                // Every target lies ahead within 255 instructions: the program is under 100 long.
                Instruction {
                    code: op.code,
                    jt: u8::try_from(offset(at, op.yes)).unwrap_or(0),
                    jf: u8::try_from(offset(at, op.no)).unwrap_or(0),
                    k: op.k,
                }
            })
            .collect()
    }
}

/// The program for `arch` under `options` (see the module documentation).
pub(crate) fn filter(arch: &Arch, options: FilterOptions) -> Vec<Instruction> {
    let mut asm = Assembler::default();
    asm.op(LD_W_ABS, ARCH_OFFSET);
    asm.jump(JMP_JEQ_K, arch.audit, To::Next, To::Block(Block::Kill));
    asm.op(LD_W_ABS, NR_OFFSET);
    if let Some(x32) = arch.x32_bit {
        asm.jump(JMP_JGE_K, x32, To::Block(Block::Eperm), To::Next);
    }
    if options.network_off {
        asm.on(arch.socket, Block::Socket);
        asm.on(arch.socketpair, Block::Socket);
    }
    asm.on(arch.connect, Block::Notify);
    asm.on(arch.bind, Block::Notify);
    asm.on(arch.ioctl, Block::Ioctl);
    for nr in arch.keyrings.into_iter().chain(arch.io_uring) {
        asm.on(nr, Block::Eperm);
    }
    asm.on(arch.openat2, Block::Enosys);
    for (calls, block) in [
        (arch.mode_in_arg1, Block::Mode1),
        (arch.mode_in_arg2, Block::Mode2),
        (arch.mode_in_arg3, Block::Mode3),
    ] {
        for &nr in calls {
            asm.on(nr, block);
        }
    }
    if options.no_namespaces {
        for &nr in arch.sysv_ipc {
            asm.on(nr, Block::Eperm);
        }
        for &nr in arch.pid_in_arg0 {
            asm.on(nr, Block::PidZero);
        }
        asm.on(arch.setpriority, Block::SetPriority);
        asm.on(arch.ioprio_set, Block::IoprioSet);
    }
    asm.ret(ALLOW);

    if options.network_off {
        asm.block(Block::Socket);
        asm.op(LD_W_ABS, arg_low(0));
        asm.jump(
            JMP_JEQ_K,
            libc::AF_UNIX as u32,
            To::Next,
            To::Block(Block::Notify),
        );
        asm.op(LD_W_ABS, arg_low(1));
        asm.op(ALU_AND_K, SOCK_TYPE_MASK);
        asm.on(libc::SOCK_STREAM as u32, Block::Allow);
        asm.on(libc::SOCK_SEQPACKET as u32, Block::Allow);
        asm.jump(JMP_JA, 0, To::Block(Block::Notify), To::Next);
    }
    asm.block(Block::Ioctl);
    asm.op(LD_W_ABS, arg_low(1));
    asm.on(TIOCSTI, Block::Eperm);
    asm.on(TIOCLINUX, Block::Eperm);
    asm.ret(ALLOW);
    for (block, index) in [(Block::Mode1, 1), (Block::Mode2, 2), (Block::Mode3, 3)] {
        asm.block(block);
        asm.deny_bits(index, SETID_BITS);
    }
    if options.no_namespaces {
        asm.block(Block::PidZero);
        asm.op(LD_W_ABS, arg_low(0));
        asm.jump(
            JMP_JEQ_K,
            0,
            To::Block(Block::Allow),
            To::Block(Block::Eperm),
        );
        for (block, process) in [
            (Block::SetPriority, PRIO_PROCESS),
            (Block::IoprioSet, IOPRIO_WHO_PROCESS),
        ] {
            asm.block(block);
            asm.op(LD_W_ABS, arg_low(0));
            asm.jump(JMP_JEQ_K, process, To::Next, To::Block(Block::Eperm));
            asm.op(LD_W_ABS, arg_low(1));
            asm.jump(
                JMP_JEQ_K,
                0,
                To::Block(Block::Allow),
                To::Block(Block::Eperm),
            );
        }
    }
    for (block, verdict) in [
        (Block::Notify, NOTIFY),
        (Block::Eperm, EPERM),
        (Block::Enosys, ENOSYS),
        (Block::Allow, ALLOW),
        (Block::Kill, KILL),
    ] {
        asm.block(block);
        asm.ret(verdict);
    }
    asm.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `program` on one call, as the kernel would: a small classic-BPF interpreter for the
    /// instructions the filter uses.
    fn run(program: &[Instruction], arch: u32, nr: u32, args: [u64; 4]) -> u32 {
        let load = |offset: u32| -> u32 {
            match offset {
                NR_OFFSET => nr,
                ARCH_OFFSET => arch,
                offset if (16..48).contains(&offset) && offset % 8 == 0 => {
                    args[((offset - 16) / 8) as usize] as u32
                }
                other => panic!("unexpected load at {other}"),
            }
        };
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let insn = &program[pc];
            pc += 1;
            match insn.code {
                LD_W_ABS => acc = load(insn.k),
                ALU_AND_K => acc &= insn.k,
                RET_K => return insn.k,
                JMP_JA => pc += insn.k as usize,
                code => {
                    let taken = match code {
                        JMP_JEQ_K => acc == insn.k,
                        JMP_JGE_K => acc >= insn.k,
                        JMP_JSET_K => acc & insn.k != 0,
                        other => panic!("unexpected opcode {other:#x}"),
                    };
                    pc += usize::from(if taken { insn.jt } else { insn.jf });
                }
            }
        }
    }

    const ALL_OPTIONS: [FilterOptions; 4] = [
        FilterOptions {
            network_off: true,
            no_namespaces: false,
        },
        FilterOptions {
            network_off: false,
            no_namespaces: false,
        },
        FilterOptions {
            network_off: true,
            no_namespaces: true,
        },
        FilterOptions {
            network_off: false,
            no_namespaces: true,
        },
    ];

    /// Checks every rule of the module documentation against `arch`'s program.
    fn check_arch(arch: &Arch) {
        for options in ALL_OPTIONS {
            let program = filter(arch, options);
            assert!(program.len() < 100, "{} instructions", program.len());
            let call = |nr: u32, args: [u64; 4]| run(&program, arch.audit, nr, args);
            let unix = libc::AF_UNIX as u64;

            // Sockets: Unix stream/seqpacket always; the rest only with the network on.
            let flags = (libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC) as u64;
            for nr in [arch.socket, arch.socketpair] {
                for kind in 0..16u64 {
                    let stream_like =
                        kind == libc::SOCK_STREAM as u64 || kind == libc::SOCK_SEQPACKET as u64;
                    let expected = if stream_like || !options.network_off {
                        ALLOW
                    } else {
                        NOTIFY
                    };
                    assert_eq!(
                        call(nr, [unix, kind | flags, 0, 0]),
                        expected,
                        "type {kind}"
                    );
                }
                for family in [libc::AF_INET, libc::AF_INET6, libc::AF_NETLINK] {
                    let expected = if options.network_off { NOTIFY } else { ALLOW };
                    assert_eq!(call(nr, [family as u64, 1, 0, 0]), expected);
                }
            }
            assert_eq!(call(arch.connect, [3, 0, 0, 0]), NOTIFY);
            assert_eq!(call(arch.bind, [3, 0, 0, 0]), NOTIFY);

            // Terminals, keyrings, io_uring, openat2.
            assert_eq!(call(arch.ioctl, [0, TIOCSTI.into(), 0, 0]), EPERM);
            assert_eq!(
                call(
                    arch.ioctl,
                    [0, 0xffff_ffff_0000_0000 | u64::from(TIOCLINUX), 0, 0]
                ),
                EPERM
            );
            assert_eq!(call(arch.ioctl, [0, 0x5401, 0, 0]), ALLOW, "TCGETS");
            for nr in arch.keyrings.into_iter().chain(arch.io_uring) {
                assert_eq!(call(nr, [0; 4]), EPERM, "{nr}");
            }
            assert_eq!(call(arch.openat2, [0; 4]), ENOSYS);

            // setuid/setgid bits, wherever the mode is.
            for (calls, index) in [
                (arch.mode_in_arg1, 1),
                (arch.mode_in_arg2, 2),
                (arch.mode_in_arg3, 3),
            ] {
                for &nr in calls {
                    for (mode, expected) in [
                        (0o755, ALLOW),
                        (0o4755, EPERM),
                        (0o2755, EPERM),
                        (0o6644, EPERM),
                    ] {
                        let mut args = [0u64; 4];
                        args[index] = mode;
                        assert_eq!(call(nr, args), expected, "{nr} {mode:o}");
                    }
                }
            }

            // The fallbacks for missing namespaces.
            let guarded = |verdict| {
                if options.no_namespaces {
                    verdict
                } else {
                    ALLOW
                }
            };
            for &nr in arch.sysv_ipc {
                assert_eq!(call(nr, [0; 4]), guarded(EPERM), "{nr}");
            }
            for &nr in arch.pid_in_arg0 {
                assert_eq!(call(nr, [0, 1, 0, 0]), ALLOW, "{nr} on itself");
                assert_eq!(call(nr, [4242, 1, 0, 0]), guarded(EPERM), "{nr}");
            }
            for (nr, process) in [
                (arch.setpriority, PRIO_PROCESS),
                (arch.ioprio_set, IOPRIO_WHO_PROCESS),
            ] {
                assert_eq!(call(nr, [process.into(), 0, 5, 0]), ALLOW);
                assert_eq!(call(nr, [process.into(), 4242, 5, 0]), guarded(EPERM));
                assert_eq!(call(nr, [2, 0, 5, 0]), guarded(EPERM), "a group or user");
            }

            // Everything else passes; another architecture is killed.
            for nr in [0, 1, 3, 59, 60, 231] {
                if ![
                    arch.connect,
                    arch.bind,
                    arch.socket,
                    arch.socketpair,
                    arch.ioctl,
                ]
                .contains(&nr)
                    && !arch.sysv_ipc.contains(&nr)
                    && !arch.mode_in_arg1.contains(&nr)
                    && !arch.mode_in_arg2.contains(&nr)
                {
                    assert_eq!(call(nr, [0; 4]), ALLOW, "{nr}");
                }
            }
            assert_eq!(run(&program, 0x4000_0003, 3, [0; 4]), KILL, "i386");
            if let Some(x32) = arch.x32_bit {
                assert_eq!(
                    call(x32 | arch.socket, [libc::AF_INET as u64, 1, 0, 0]),
                    EPERM
                );
                assert_eq!(call(x32, [0; 4]), EPERM);
            }
        }
    }

    #[test]
    fn the_x86_64_program_holds_every_rule() {
        check_arch(&X86_64);
    }

    #[test]
    fn the_aarch64_program_holds_every_rule() {
        check_arch(&AARCH64);
    }

    #[test]
    fn the_native_table_matches_libc() {
        let n = |nr: libc::c_long| nr as u32;
        assert_eq!(NATIVE.socket, n(libc::SYS_socket));
        assert_eq!(NATIVE.socketpair, n(libc::SYS_socketpair));
        assert_eq!(NATIVE.connect, n(libc::SYS_connect));
        assert_eq!(NATIVE.bind, n(libc::SYS_bind));
        assert_eq!(NATIVE.ioctl, n(libc::SYS_ioctl));
        assert_eq!(
            NATIVE.keyrings,
            [libc::SYS_add_key, libc::SYS_keyctl, libc::SYS_request_key].map(n)
        );
        assert_eq!(
            NATIVE.io_uring,
            [
                libc::SYS_io_uring_setup,
                libc::SYS_io_uring_enter,
                libc::SYS_io_uring_register
            ]
            .map(n)
        );
        assert_eq!(NATIVE.openat2, n(libc::SYS_openat2));
        assert!(NATIVE.mode_in_arg2.contains(&n(libc::SYS_fchmodat)));
        assert!(NATIVE.mode_in_arg2.contains(&n(libc::SYS_mknodat)));
        assert!(NATIVE.mode_in_arg1.contains(&n(libc::SYS_fchmod)));
        assert_eq!(NATIVE.mode_in_arg3, &[n(libc::SYS_openat)]);
        for nr in [
            libc::SYS_shmget,
            libc::SYS_shmat,
            libc::SYS_shmctl,
            libc::SYS_shmdt,
            libc::SYS_msgget,
            libc::SYS_msgsnd,
            libc::SYS_msgrcv,
            libc::SYS_msgctl,
            libc::SYS_semget,
            libc::SYS_semop,
            libc::SYS_semctl,
            libc::SYS_semtimedop,
        ] {
            assert!(NATIVE.sysv_ipc.contains(&n(nr)), "{nr}");
        }
        assert_eq!(
            NATIVE.pid_in_arg0,
            &[
                libc::SYS_prlimit64,
                libc::SYS_sched_setaffinity,
                libc::SYS_sched_setscheduler,
                libc::SYS_sched_setparam,
                libc::SYS_sched_setattr
            ]
            .map(n)
        );
        assert_eq!(NATIVE.setpriority, n(libc::SYS_setpriority));
        assert_eq!(NATIVE.ioprio_set, n(libc::SYS_ioprio_set));
    }
}
