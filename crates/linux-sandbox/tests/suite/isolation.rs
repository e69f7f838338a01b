//! Everything outside the command's own process tree: other processes, terminals, kernel
//! keyrings, SysV IPC — and no process of the sandbox outlives it.
//!
//! Each case runs with every layer and again as on a kernel without user namespaces (where the
//! filter stands in for the PID and IPC namespaces), as root and as uid 65534, and each has a
//! control that shows the effect does happen unsandboxed.

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::support::{
    Layers, Scene, User, Victim, WORKSPACE, every_scene, helper, live_with_arg, output, probe,
    unique_sleep_seconds,
};

/// The probe's output for one attempt per line.
fn lines(attempts: &[(&str, &str)]) -> String {
    attempts
        .iter()
        .map(|(what, result)| format!("{what}:{result}\n"))
        .collect()
}

/// How a call aimed at an outside pid fails: in a PID namespace the pid does not exist there;
/// without one, the filter refuses it.
fn outside_pid_error(scene: &Scene) -> &'static str {
    match scene.layers() {
        Layers::All => "ESRCH",
        Layers::WithoutNamespaces => "EPERM",
    }
}

#[test]
fn limits_and_scheduling_of_outside_processes_cannot_change() {
    for scene in every_scene() {
        let who = scene.label();
        let victim = Victim::start(&scene);
        let before = scheduling(&victim.pid());
        let run = scene.run(WORKSPACE, &[probe(), "other-process", &victim.pid()]);
        let errno = outside_pid_error(&scene);
        let calls = ["prlimit", "setpriority", "ioprio_set", "sched_setaffinity"];
        let expected: Vec<(&str, &str)> = calls.iter().map(|call| (*call, errno)).collect();
        assert_eq!(run.stdout, lines(&expected), "{who}: {run:?}");
        assert_eq!(scheduling(&victim.pid()), before, "{who}");

        // The same user does all of it unsandboxed.
        let control = scene.direct(&[probe(), "other-process", &victim.pid()]);
        let ok: Vec<(&str, &str)> = calls.iter().map(|call| (*call, "ok")).collect();
        assert_eq!(control.stdout, lines(&ok), "{who}: {control:?}");
        assert_ne!(scheduling(&victim.pid()), before, "{who}: control");
    }
}

/// What the probe's `other-process` would change: the CPU limit, the nice value, the I/O
/// priority and the CPU affinity of `pid`.
fn scheduling(pid: &str) -> (String, String, i64, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let cpu = limits
        .lines()
        .find(|line| line.starts_with("Max cpu time"))
        .unwrap()
        .to_string();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let nice = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(16)
        .unwrap()
        .to_string();
    let pid: i32 = pid.parse().unwrap();
    // SAFETY: ioprio_get(IOPRIO_WHO_PROCESS, pid) takes integers.
    let ioprio = unsafe { libc::syscall(libc::SYS_ioprio_get, 1, pid) };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let cpus = status
        .lines()
        .find(|line| line.starts_with("Cpus_allowed_list"))
        .unwrap()
        .to_string();
    (cpu, nice, ioprio, cpus)
}

#[test]
fn the_callers_keyrings_stay_out_of_reach() {
    for scene in every_scene() {
        let who = scene.label();
        // A session keyring of its own for this test, holding a secret, shared by the shell, the
        // sandboxed probe and the check after it.
        let script = format!(
            "{helper} --policy '{WORKSPACE}' -- {probe} keys; {probe} key-check",
            helper = helper(),
            probe = probe()
        );
        let run = in_keyring(&scene, &script);
        let calls = ["read", "update", "add", "unlink", "to_parent"];
        let denied: Vec<(&str, &str)> = calls.iter().map(|call| (*call, "EPERM")).collect();
        let unchanged = "session:codex-test\nsecret:s3cret\nplanted:no\n";
        assert_eq!(run.stdout, lines(&denied) + unchanged, "{who}: {run:?}");

        let control_script = format!("{probe} keys; {probe} key-check", probe = probe());
        let control = in_keyring(&scene, &control_script);
        let ok: Vec<(&str, &str)> = calls.iter().map(|call| (*call, "ok")).collect();
        assert_eq!(
            control.stdout,
            lines(&ok) + "session:codex-evil\nsecret:gone\nplanted:no\n",
            "{who}: {control:?}"
        );
    }
}

/// Runs `probe with-keyring sh -c script` as the scene's user (through the no-user-namespace
/// launcher when the scene needs it, which `sh` passes on to the helper).
fn in_keyring(scene: &Scene, script: &str) -> super::support::Run {
    let mut args = vec!["with-keyring".to_string()];
    if scene.layers() == Layers::WithoutNamespaces {
        args.push(probe().to_string());
        args.extend(super::support::without_user_namespaces());
    }
    args.extend(["/bin/sh".into(), "-c".into(), script.to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    output(&mut scene.command(probe(), &args))
}

/// A SysV object of each kind, made here, writable by anyone.
struct SysvObjects {
    shm: i32,
    msg: i32,
    sem: i32,
}

impl SysvObjects {
    fn new() -> SysvObjects {
        // SAFETY: plain IPC_PRIVATE creations.
        let objects = unsafe {
            SysvObjects {
                shm: libc::shmget(libc::IPC_PRIVATE, 4096, libc::IPC_CREAT | 0o666),
                msg: libc::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o666),
                sem: libc::semget(libc::IPC_PRIVATE, 1, libc::IPC_CREAT | 0o666),
            }
        };
        assert!(objects.shm >= 0 && objects.msg >= 0 && objects.sem >= 0);
        objects
    }

    /// What the probe's `sysv` would change: the memory's first bytes, queued messages and the
    /// semaphore's value.
    fn state(&self) -> (Vec<u8>, u64, i32) {
        // SAFETY: attach, copy five bytes, detach; msgctl and semctl fill plain structs.
        unsafe {
            let memory = libc::shmat(self.shm, std::ptr::null(), libc::SHM_RDONLY);
            assert_ne!(memory as isize, -1);
            let head = std::slice::from_raw_parts(memory.cast::<u8>(), 5).to_vec();
            libc::shmdt(memory);
            let mut queue: libc::msqid_ds = std::mem::zeroed();
            libc::msgctl(self.msg, libc::IPC_STAT, &mut queue);
            let value = libc::semctl(self.sem, 0, libc::GETVAL);
            (head, queue.msg_qnum as u64, value)
        }
    }

    fn args(&self) -> [String; 3] {
        [self.shm, self.msg, self.sem].map(|id| id.to_string())
    }
}

impl Drop for SysvObjects {
    fn drop(&mut self) {
        // SAFETY: removing the objects this test made.
        unsafe {
            libc::shmctl(self.shm, libc::IPC_RMID, std::ptr::null_mut());
            libc::msgctl(self.msg, libc::IPC_RMID, std::ptr::null_mut());
            libc::semctl(self.sem, 0, libc::IPC_RMID);
        }
    }
}

/// How many shared memory segments exist (in this, the caller's, IPC namespace).
fn segment_count() -> usize {
    std::fs::read_to_string("/proc/sysvipc/shm")
        .unwrap()
        .lines()
        .count()
}

#[test]
fn sysv_ipc_objects_outside_are_out_of_reach_and_none_is_left_behind() {
    for scene in every_scene() {
        let who = scene.label();
        let objects = SysvObjects::new();
        let before = objects.state();
        let segments = segment_count();
        let [shm, msg, sem] = objects.args();
        let run = scene.run(WORKSPACE, &[probe(), "sysv", &shm, &msg, &sem]);
        let expected = match scene.layers() {
            // Its own IPC namespace: the ids name nothing, and what it makes dies with it.
            Layers::All => lines(&[
                ("shm", "EINVAL"),
                ("msg", "EINVAL"),
                ("sem", "EINVAL"),
                ("create", "ok"),
            ]),
            Layers::WithoutNamespaces => lines(&[
                ("shm", "EPERM"),
                ("msg", "EPERM"),
                ("sem", "EPERM"),
                ("create", "EPERM"),
            ]),
        };
        assert_eq!(run.stdout, expected, "{who}: {run:?}");
        assert_eq!(objects.state(), before, "{who}");
        assert_eq!(
            segment_count(),
            segments,
            "{who}: a segment was left behind"
        );

        let control = scene.direct(&[probe(), "sysv", &shm, &msg, &sem]);
        let ok = lines(&[
            ("shm", "ok"),
            ("msg", "ok"),
            ("sem", "ok"),
            ("create", "ok"),
        ]);
        assert_eq!(control.stdout, ok, "{who}: {control:?}");
        assert_eq!(objects.state(), (b"pwned".to_vec(), 1, 1), "{who}: control");
        // The control's segment is the test's to clean up.
        remove_newest_segment();
    }
}

/// Removes the segment the control made (the one with the highest id).
fn remove_newest_segment() {
    let table = std::fs::read_to_string("/proc/sysvipc/shm").unwrap();
    let newest = table
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<i32>().ok())
        .max();
    if let Some(id) = newest {
        // SAFETY: IPC_RMID on a segment id.
        unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
    }
}

/// A pseudo-terminal: (master, slave), the slave made the controlling terminal of the process
/// that [`controlling`] prepares.
fn pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty fills the two fds; the other arguments may be null.
    let result = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(result, 0);
    // SAFETY: both fds are fresh and owned here.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Runs `command` with the pty's slave on stdin as its controlling terminal, as a shell's child
/// would; returns the probe's output and what arrived as input on the terminal meanwhile.
fn on_terminal(command: &mut std::process::Command) -> (String, String) {
    let (master, slave) = pty();
    let stdin = slave.try_clone().unwrap();
    // SAFETY: setsid and ioctl are async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            if libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    // Whatever was injected waits in the terminal's input queue: read it as the shell would.
    // SAFETY: fcntl on our own fd.
    unsafe {
        let flags = libc::fcntl(slave.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(slave.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let mut injected = Vec::new();
    let _ = std::fs::File::from(slave).read_to_end(&mut injected);
    drop(master);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&injected).into_owned(),
    )
}

#[test]
fn nothing_can_be_typed_into_the_callers_terminal() {
    for scene in every_scene() {
        let who = scene.label();
        let (stdout, injected) =
            on_terminal(&mut scene.sandboxed(WORKSPACE, &[probe(), "tiocsti", "id\n"]));
        // No controlling terminal any more (ENXIO), or Landlock refuses the device (EACCES).
        assert!(
            stdout.starts_with("tiocsti:EPERM\ndev_tty:E"),
            "{who}: {stdout}"
        );
        assert_eq!(injected, "", "{who}");

        let (stdout, injected) = on_terminal(&mut scene.command(probe(), &["tiocsti", "id\n"]));
        assert_eq!(stdout, "tiocsti:ok\ndev_tty:ok\n", "{who}: control");
        assert_eq!(injected, "id\n", "{who}: control");
    }
}

/// Waits up to `within` until no live process has `token` in its command line.
fn gone_within(token: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while !live_with_arg(token).is_empty() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

#[test]
fn no_process_outlives_the_command() {
    for scene in every_scene() {
        let who = scene.label();
        let (detached, double_forked) = (unique_sleep_seconds(), unique_sleep_seconds());
        let script = format!("setsid sleep {detached} & (sleep {double_forked} &); echo started");
        let run = scene.run(WORKSPACE, &["sh", "-c", &script]);
        assert_eq!(run.stdout, "started\n", "{who}: {run:?}");
        // Right after the helper returned, with at most the kernel's own reaping in between.
        assert!(gone_within(&detached, Duration::from_millis(500)), "{who}");
        assert!(
            gone_within(&double_forked, Duration::from_millis(500)),
            "{who}"
        );
    }
    // Control: unsandboxed, both outlive the shell.
    let scene = Scene::new(User::Root);
    let token = unique_sleep_seconds();
    let control = scene.direct(&[
        "sh",
        "-c",
        &format!("setsid sleep {token} >/dev/null 2>&1 & echo started"),
    ]);
    assert_eq!(control.stdout, "started\n");
    let deadline = Instant::now() + Duration::from_secs(5);
    let survivors = loop {
        let found = live_with_arg(&token);
        if !found.is_empty() || Instant::now() > deadline {
            break found;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(survivors.len(), 1, "control");
    super::support::kill_all(&survivors);
}

#[test]
fn killing_the_helper_kills_everything_it_started() {
    for user in [User::Root, User::Nobody] {
        let scene = Scene::new(user);
        let (detached, command) = (unique_sleep_seconds(), unique_sleep_seconds());
        let script = format!("setsid sleep {detached} & exec sleep {command}");
        let mut helper = scene
            .sandboxed(WORKSPACE, &["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while live_with_arg(&detached).is_empty() || live_with_arg(&command).is_empty() {
            assert!(
                Instant::now() < deadline,
                "{user:?}: the sleeps never started"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        helper.kill().unwrap();
        helper.wait().unwrap();
        assert!(gone_within(&detached, Duration::from_secs(2)), "{user:?}");
        assert!(gone_within(&command, Duration::from_secs(2)), "{user:?}");
    }
}

#[test]
fn proc_shows_only_the_sandboxs_processes() {
    let scene = Scene::new(User::Nobody);
    let run = scene.run(WORKSPACE, &["sh", "-c", "ls /proc | grep -c '^[0-9]'"]);
    let inside: usize = run.stdout.trim().parse().unwrap();
    // The init, sh, ls and grep at most.
    assert!(inside <= 4, "{run:?}");
    let control = scene.direct(&["sh", "-c", "ls /proc | grep -c '^[0-9]'"]);
    let outside: usize = control.stdout.trim().parse().unwrap();
    assert!(outside > inside, "{control:?}");
}
