//! Shared fixtures: a workspace and an outside directory owned by the user under test, the
//! helper command (as root or, through setpriv, as uid 65534) and the compiled probe.

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;

use codex_sandbox_policy::{HelperStatus, STATUS_FD_ENV};
use tempfile::TempDir;

/// The helper cargo built for these tests (glibc, dynamic).
pub const CARGO_HELPER: &str = env!("CARGO_BIN_EXE_codex-linux-sandbox");
/// Names another build of the helper to test instead: `npm test` sets it to the static musl
/// build that ships in the platform package, so that every case below holds for that binary.
const HELPER_UNDER_TEST_ENV: &str = "CODEX_SANDBOX_HELPER_UNDER_TEST";

/// The helper under test: the one `CODEX_SANDBOX_HELPER_UNDER_TEST` names, else cargo's.
pub fn helper() -> &'static str {
    static HELPER: OnceLock<String> = OnceLock::new();
    HELPER.get_or_init(|| match std::env::var(HELPER_UNDER_TEST_ENV) {
        Ok(path) if !path.is_empty() => {
            assert!(
                Path::new(&path).is_file(),
                "{HELPER_UNDER_TEST_ENV}={path} is no file"
            );
            path
        }
        _ => CARGO_HELPER.to_string(),
    })
}
/// Workspace-write with the network off: the default policy.
pub const WORKSPACE: &str = r#"{"mode":"workspace-write"}"#;
/// Read-only with the network off.
pub const READ_ONLY: &str = r#"{"mode":"read-only"}"#;
/// The unprivileged user the key cases also run as.
const NOBODY: u32 = 65534;
/// The fd number the status pipe gets in the helper.
const STATUS_FD: i32 = 5;

/// Who runs the helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum User {
    /// The test's own user (root here).
    Root,
    /// uid/gid 65534 with no supplementary groups, through `setpriv`.
    Nobody,
}

/// Both users, for the cases that must hold for each.
pub const USERS: [User; 2] = [User::Root, User::Nobody];

/// What a finished process left behind.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, panicking with the output when the process was killed by a signal.
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("no exit code: {self:?}"))
    }
}

/// Which of the helper's layers a scene runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layers {
    /// Everything the kernel allows (here: the namespaces too).
    All,
    /// As on a kernel that allows no user namespace (the helper is started with
    /// `clone(CLONE_NEWUSER)` failing): Landlock, seccomp and its fallbacks, no namespaces.
    /// Proves Landlock and the filter hold by themselves.
    WithoutNamespaces,
}

/// A workspace (`ws`) and an outside directory, both owned by `user`, outside `/tmp` so that
/// the default policy's `/tmp` root does not cover them.
pub struct Scene {
    root: TempDir,
    pub ws: PathBuf,
    pub outside: PathBuf,
    pub user: User,
    layers: Layers,
}

/// One scene per user and per set of layers, for the write cases each layer must hold alone.
pub fn every_scene() -> Vec<Scene> {
    USERS
        .into_iter()
        .flat_map(|user| {
            [Layers::All, Layers::WithoutNamespaces].map(|layers| Scene::with(user, layers))
        })
        .collect()
}

impl Scene {
    /// A scene with every layer.
    pub fn new(user: User) -> Scene {
        Scene::with(user, Layers::All)
    }

    /// A scene for `user` with `layers`.
    pub fn with(user: User, layers: Layers) -> Scene {
        let root = tempfile::Builder::new()
            .prefix("sandbox-")
            .tempdir_in(scratch_dir())
            .unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let scene = Scene {
            ws: root.path().join("ws"),
            outside: root.path().join("outside"),
            root,
            user,
            layers,
        };
        scene.dir(&scene.ws);
        scene.dir(&scene.outside);
        scene
    }

    /// The layers it runs with.
    pub fn layers(&self) -> Layers {
        self.layers
    }

    /// Who runs it and with which layers, for assertion messages.
    pub fn label(&self) -> String {
        format!("{:?} with {:?}", self.user, self.layers)
    }

    /// How a denied write outside reads on stderr: the read-only mount answers first when it
    /// is there, Landlock otherwise.
    pub fn denied_write(&self) -> &'static str {
        match self.layers {
            Layers::All => "Read-only file system",
            Layers::WithoutNamespaces => "Permission denied",
        }
    }

    /// A directory owned by the scene's user.
    pub fn dir(&self, path: &Path) -> PathBuf {
        fs::create_dir_all(path).unwrap();
        self.own(path);
        path.to_path_buf()
    }

    /// A file with `contents`, owned by the scene's user.
    pub fn file(&self, path: &Path, contents: &str) -> PathBuf {
        fs::write(path, contents).unwrap();
        self.own(path);
        path.to_path_buf()
    }

    /// A path in the scene's private area (neither workspace nor outside).
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn own(&self, path: &Path) {
        if self.user == User::Nobody {
            chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }

    /// `program args…` as the scene's user, in the workspace, with no `TMPDIR`.
    pub fn command(&self, program: impl AsRef<OsStr>, args: &[&str]) -> Command {
        let mut command = match self.user {
            User::Root => Command::new(program),
            User::Nobody => {
                let mut setpriv = Command::new("setpriv");
                setpriv
                    .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(program);
                setpriv
            }
        };
        command
            .args(args)
            .current_dir(&self.ws)
            .env_remove("TMPDIR");
        // SAFETY: setrlimit is async-signal-safe. No core files from crash tests.
        unsafe {
            command.pre_exec(|| {
                let none = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                libc::setrlimit(libc::RLIMIT_CORE, &none);
                Ok(())
            });
        }
        command
    }

    /// The helper with `policy`, `--cwd` the workspace, running `argv`.
    pub fn sandboxed(&self, policy: &str, argv: &[&str]) -> Command {
        let mut args = vec!["--policy", policy, "--cwd", self.ws.to_str().unwrap(), "--"];
        args.extend_from_slice(argv);
        self.helper(&args)
    }

    /// The helper with `args`, started with the scene's layers.
    pub fn helper(&self, args: &[&str]) -> Command {
        match self.layers {
            Layers::All => self.command(helper(), args),
            Layers::WithoutNamespaces => {
                let mut wrapped = without_user_namespaces();
                wrapped.push(helper().to_string());
                wrapped.extend(args.iter().map(|arg| arg.to_string()));
                let wrapped: Vec<&str> = wrapped.iter().map(String::as_str).collect();
                self.command(probe(), &wrapped)
            }
        }
    }

    /// Runs `argv` in the sandbox and collects its output.
    pub fn run(&self, policy: &str, argv: &[&str]) -> Run {
        output(&mut self.sandboxed(policy, argv))
    }

    /// Runs `argv` directly as the scene's user: the control that shows an action does work
    /// without the sandbox.
    pub fn direct(&self, argv: &[&str]) -> Run {
        output(&mut self.command(argv[0], &argv[1..]))
    }
}

/// The probe arguments that start a program with `clone(CLONE_NEWUSER)` failing (EPERM), as on a
/// kernel that allows no user namespace.
pub fn without_user_namespaces() -> Vec<String> {
    [
        "deny-flag".to_string(),
        libc::SYS_clone.to_string(),
        format!("{:#x}", libc::CLONE_NEWUSER),
        libc::EPERM.to_string(),
    ]
    .to_vec()
}

/// Runs `command` to completion, stdin from /dev/null.
pub fn output(command: &mut Command) -> Run {
    let out = command.stdin(Stdio::null()).output().unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A status pipe handed to the helper as fd 5 (named in the env).
pub struct StatusPipe {
    read: Option<fs::File>,
    write: Option<OwnedFd>,
}

impl StatusPipe {
    /// Arranges for `command` to get the write end.
    pub fn attach(command: &mut Command) -> StatusPipe {
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two fds; both close-on-exec, so no other test's child gets them.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: both fds were just created and are owned here.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let write_fd = write.as_raw_fd();
        command.env(STATUS_FD_ENV, STATUS_FD.to_string());
        // SAFETY: dup2 and fcntl are async-signal-safe.
        unsafe { command.pre_exec(move || inherit_as(write_fd, STATUS_FD)) };
        StatusPipe {
            read: Some(fs::File::from(read)),
            write: Some(write),
        }
    }

    /// Spawns `command` and closes this process's write end, so EOF means the helper is done.
    pub fn spawn(&mut self, command: &mut Command) -> std::process::Child {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        self.write = None;
        child
    }

    /// Closes the read end, as a caller that stopped listening would.
    pub fn close_reader(&mut self) {
        self.read = None;
    }

    /// The next message, reading one line (without waiting for EOF).
    pub fn read_line(&mut self) -> Option<HelperStatus> {
        let read = self.read.as_mut().expect("the read end is open");
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while read.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        HelperStatus::parse_all(&line).pop()
    }

    /// Every message until EOF.
    pub fn read_all(&mut self) -> Vec<HelperStatus> {
        let mut bytes = Vec::new();
        let read = self.read.as_mut().expect("the read end is open");
        read.read_to_end(&mut bytes).unwrap();
        HelperStatus::parse_all(&bytes)
    }
}

/// Makes `fd` available as `target` in the exec'd program (call between fork and exec).
pub fn inherit_as(fd: i32, target: i32) -> std::io::Result<()> {
    // SAFETY: both calls only touch the descriptor table of the forked child.
    let result = unsafe {
        if fd == target {
            // dup2 onto itself would keep close-on-exec.
            libc::fcntl(fd, libc::F_SETFD, 0)
        } else {
            libc::dup2(fd, target)
        }
    };
    if result < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Runs `command` with a status pipe; returns the output and every status message.
pub fn run_with_status(command: &mut Command) -> (Run, Vec<HelperStatus>) {
    let mut pipe = StatusPipe::attach(command);
    let child = pipe.spawn(command);
    let messages = pipe.read_all();
    let out = child.wait_with_output().unwrap();
    let run = Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (run, messages)
}

/// Where scenes and the probe live: cargo's scratch directory when it suits, else
/// `/var/tmp/codex-linux-sandbox-tests`.
///
/// It must lie outside `/tmp` and `$TMPDIR`, which the default policy makes writable, and every
/// ancestor must be searchable by uid 65534. A checkout under `/tmp` or under a private home
/// directory breaks one or the other for `CARGO_TARGET_TMPDIR`.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        fs::create_dir_all(&target).unwrap();
        let target = target.canonicalize().unwrap();
        let dir = if suits_every_user_outside_tmp(&target) {
            target
        } else {
            let shared = PathBuf::from("/var/tmp/codex-linux-sandbox-tests");
            fs::create_dir_all(&shared).unwrap();
            fs::set_permissions(&shared, fs::Permissions::from_mode(0o755)).unwrap();
            shared
        };
        assert!(suits_every_user_outside_tmp(&dir), "{}", dir.display());
        dir
    })
}

/// Whether `dir` is outside the default writable temp roots and reachable by any user.
fn suits_every_user_outside_tmp(dir: &Path) -> bool {
    let temp_roots = [
        Some(PathBuf::from("/tmp")),
        std::env::var_os("TMPDIR").map(PathBuf::from),
    ];
    let under_temp = temp_roots
        .iter()
        .flatten()
        .filter_map(|root| root.canonicalize().ok())
        .any(|root| dir.starts_with(root));
    let searchable = dir.ancestors().all(|ancestor| {
        fs::metadata(ancestor).is_ok_and(|meta| meta.permissions().mode() & 0o001 != 0)
    });
    !under_temp && searchable
}

/// The probe program (tests/suite/probe.c), compiled once per test run.
pub fn probe() -> &'static str {
    static PROBE: OnceLock<String> = OnceLock::new();
    PROBE.get_or_init(|| {
        let dir = scratch_dir();
        let target = dir.join("probe");
        let partial = dir.join(format!("probe.{}", std::process::id()));
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/probe.c");
        let status = Command::new("gcc")
            .args(["-O1", "-Wall", "-o"])
            .arg(&partial)
            .arg(&source)
            .status()
            .expect("gcc is needed to build the test probe");
        assert!(status.success(), "compiling {}", source.display());
        fs::rename(&partial, &target).unwrap();
        target.to_str().unwrap().to_owned()
    })
}

/// The kernel's Landlock ABI, asked the same way the helper asks.
pub fn kernel_landlock_abi() -> u32 {
    // SAFETY: the VERSION query takes no attribute.
    let abi = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            1u32,
        )
    };
    u32::try_from(abi).expect("this machine has Landlock")
}

/// A process (sleep) running outside any sandbox as `user`; killed on drop.
pub struct Victim(std::process::Child);

impl Victim {
    pub fn start(scene: &Scene) -> Victim {
        let child = scene
            .command("sleep", &["30"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        // Under setpriv the pid is still setpriv (and root) until it execs sleep: wait for that,
        // or a denial could come from the uid rather than the sandbox.
        let comm = format!("/proc/{}/comm", child.id());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while fs::read_to_string(&comm).unwrap_or_default() != "sleep\n" {
            assert!(
                std::time::Instant::now() < deadline,
                "the victim never became sleep"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        Victim(child)
    }

    /// The pid of the sleep itself (setpriv execs it, so the pid is the same).
    pub fn pid(&self) -> String {
        self.0.id().to_string()
    }

    /// Whether it is still running (not killed by a signal from the sandbox).
    pub fn alive(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }

    /// The pid of whoever traces it (0: nobody).
    pub fn tracer(&self) -> String {
        let status = fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("TracerPid:"))
            .unwrap()
            .trim()
            .to_owned()
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The live processes whose command line contains `token`: the way to find, from outside, a
/// process in the sandbox's PID namespace (its own pid means nothing here).
pub fn live_with_arg(token: &str) -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(token))
                && fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                    // A zombie waiting for its reaper counts as gone.
                    stat.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().next())
                        .is_some_and(|state| state != "Z" && state != "X")
                })
        })
        .collect()
}

/// A `sleep` argument no other process has: seconds with a unique fraction.
pub fn unique_sleep_seconds() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let next = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("30.{}{next:04}", std::process::id())
}

/// Kills processes a control left running on purpose.
pub fn kill_all(pids: &[i32]) {
    for &pid in pids {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}
