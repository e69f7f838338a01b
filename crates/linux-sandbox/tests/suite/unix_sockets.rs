//! Unix sockets, network on or off: only those in the workspace and extra writable roots, those
//! the command bound itself, and an allow-list are connectable — decided by the supervisor on a
//! pinned file, so a racing thread cannot swap the address after the check.

use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use codex_sandbox_policy::{Denial, DenialReport, HelperStatus};

use super::support::{READ_ONLY, Scene, USERS, User, WORKSPACE, probe, run_with_status};

/// An outside service that runs something for whoever connects (the shape of docker.sock):
/// here it counts connections, as the file it would create.
struct Service {
    path: PathBuf,
    accepted: Arc<AtomicUsize>,
}

impl Service {
    fn start(path: PathBuf) -> Service {
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stream.is_ok() {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Service { path, accepted }
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }

    /// Connections accepted so far (after a short settle for the accept thread).
    fn accepted(&self) -> usize {
        std::thread::sleep(std::time::Duration::from_millis(50));
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Outside sockets where real ones live: a system-like directory and /tmp (ssh-agent, X11).
fn outside_services(scene: &Scene, tag: &str) -> Vec<Service> {
    let in_tmp = PathBuf::from(format!(
        "/tmp/codex-sandbox-sock-{}-{tag}",
        std::process::id()
    ));
    vec![
        Service::start(scene.outside.join("service.sock")),
        Service::start(in_tmp),
    ]
}

const POLICIES: [&str; 3] = [
    READ_ONLY,
    WORKSPACE,
    r#"{"mode":"workspace-write","networkAccess":true}"#,
];

#[test]
fn outside_sockets_are_refused_in_every_mode() {
    for user in USERS {
        let scene = Scene::new(user);
        for (index, policy) in POLICIES.iter().enumerate() {
            for service in outside_services(&scene, &format!("{user:?}{index}")) {
                let run = scene.run(policy, &[probe(), "unix-connect", service.path()]);
                assert_eq!(run.stdout, "connect:EACCES\n", "{user:?} {policy}: {run:?}");
                assert_eq!(service.accepted(), 0, "{user:?} {policy}");
                let control = scene.direct(&[probe(), "unix-connect", service.path()]);
                assert_eq!(control.stdout, "connect:ok\n", "{user:?}: {control:?}");
                assert_eq!(service.accepted(), 1, "{user:?}: control");
            }
        }
    }
}

#[test]
fn sockets_in_the_workspace_and_the_commands_own_are_connectable() {
    for user in USERS {
        let scene = Scene::new(user);
        let inside = Service::start(scene.ws.join("inside.sock"));
        let run = scene.run(WORKSPACE, &[probe(), "unix-connect", inside.path()]);
        assert_eq!(run.stdout, "connect:ok\n", "{user:?}: {run:?}");
        assert_eq!(inside.accepted(), 1, "{user:?}");
        // A socket the command binds itself, in /tmp among everyone else's.
        let own = format!("/tmp/codex-sandbox-own-{}-{user:?}", std::process::id());
        let run = scene.run(WORKSPACE, &[probe(), "self-connect", &own]);
        assert_eq!(run.stdout, "connect:ok\n", "{user:?}: {run:?}");
        let relative = scene.run(WORKSPACE, &[probe(), "self-connect", "rel.sock"]);
        assert_eq!(relative.stdout, "connect:ok\n", "{user:?}: {relative:?}");
    }
}

#[test]
fn a_connect_that_waits_for_a_full_backlog_holds_up_no_other() {
    // The control: the same program unsandboxed.
    let scene = Scene::new(User::Root);
    let ws = scene.ws.to_str().unwrap();
    let expected = "free:ok\nstill-waiting:ok\nwaiting:ok\n";
    let direct = scene.direct(&["timeout", "10", probe(), "full-backlog", ws]);
    assert_eq!(direct.stdout, expected, "{direct:?}");
    // Sandboxed, each connect goes through the supervisor, which must not sit in the waiting
    // one (a blocking connect to a listener whose backlog is full) while the other is asked.
    let run = scene.run(WORKSPACE, &["timeout", "10", probe(), "full-backlog", ws]);
    assert_eq!(run.stdout, expected, "{run:?}");
}

#[test]
fn an_allow_listed_socket_is_connectable() {
    let scene = Scene::new(User::Nobody);
    let service = Service::start(scene.outside.join("allowed.sock"));
    let policy = format!(
        r#"{{"mode":"read-only","allowUnixSockets":["{}"]}}"#,
        service.path()
    );
    let run = scene.run(&policy, &[probe(), "unix-connect", service.path()]);
    assert_eq!(run.stdout, "connect:ok\n", "{run:?}");
    assert_eq!(service.accepted(), 1);
    // The allow-list names that socket, not its neighbours.
    let neighbour = Service::start(scene.outside.join("other.sock"));
    let run = scene.run(&policy, &[probe(), "unix-connect", neighbour.path()]);
    assert_eq!(run.stdout, "connect:EACCES\n", "{run:?}");
    assert_eq!(neighbour.accepted(), 0);
}

#[test]
fn a_thread_rewriting_the_address_never_reaches_the_outside() {
    const ROUNDS: &str = "3000";
    for user in USERS {
        let scene = Scene::new(user);
        let inside = Service::start(scene.ws.join("in.sock"));
        let outside = Service::start(scene.outside.join("out.sock"));
        let run = scene.run(
            WORKSPACE,
            &[probe(), "race", inside.path(), outside.path(), ROUNDS],
        );
        assert_eq!(outside.accepted(), 0, "{user:?}: {run:?}");
        assert!(inside.accepted() > 0, "{user:?}: {run:?}");
        // Unsandboxed, the same race reaches both.
        let control = scene.direct(&[probe(), "race", inside.path(), outside.path(), ROUNDS]);
        assert!(outside.accepted() > 0, "{user:?}: {control:?}");
    }
}

#[test]
fn each_refusal_is_reported_on_the_status_pipe_and_by_hand() {
    let scene = Scene::new(User::Root);
    let service = Service::start(scene.outside.join("svc.sock"));
    let script = format!(
        "{p} tcp4 1; {p} udp6 1; {p} unix-connect {s}; {p} unix-connect {s}",
        p = probe(),
        s = service.path()
    );
    let (run, messages) = run_with_status(&mut scene.sandboxed(WORKSPACE, &["sh", "-c", &script]));
    assert_eq!(run.code(), 1, "{run:?}");
    let network = |family: &str, socket_type: &str| Denial::Network {
        family: family.into(),
        socket_type: socket_type.into(),
    };
    let unix = Denial::UnixSocket {
        path: service.path().into(),
    };
    assert!(
        matches!(messages.as_slice(), [HelperStatus::Ready(_), HelperStatus::Denials(report)]
        if *report == DenialReport {
            records: vec![
                network("AF_INET", "SOCK_STREAM"),
                network("AF_INET6", "SOCK_DGRAM"),
                unix.clone(),
                unix.clone(),
            ],
            total: 4,
        }),
        "{messages:?}"
    );
    let by_hand = scene.run(WORKSPACE, &["sh", "-c", &script]);
    let lines: Vec<&str> = by_hand
        .stderr
        .lines()
        .filter(|line| line.starts_with("codex-linux-sandbox: "))
        .collect();
    assert_eq!(
        lines,
        [
            "codex-linux-sandbox: denied 2 network sockets (AF_INET, AF_INET6); the policy keeps the network off",
            &format!(
                "codex-linux-sandbox: denied 2 connects to Unix sockets outside the sandbox ({}); allow one with allowUnixSockets",
                service.path()
            ),
        ],
        "{by_hand:?}"
    );
}
