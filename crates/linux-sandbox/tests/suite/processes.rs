//! Processes: signals and ptrace stay inside the sandbox; exit codes and signals pass through.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;

use super::support::{
    Layers, READ_ONLY, Scene, USERS, User, Victim, WORKSPACE, every_scene, helper, output, probe,
    without_user_namespaces,
};

/// How a call aimed at an outside pid fails: in a PID namespace the pid does not exist there;
/// without one, Landlock's scoping refuses it.
fn outside_pid_error(scene: &Scene) -> &'static str {
    match scene.layers() {
        Layers::All => "ESRCH",
        Layers::WithoutNamespaces => "EPERM",
    }
}

#[test]
fn signals_to_outside_processes_are_denied() {
    for scene in every_scene() {
        let mut victim = Victim::start(&scene);
        let run = scene.run(WORKSPACE, &[probe(), "kill", &victim.pid()]);
        let errno = outside_pid_error(&scene);
        assert_eq!(
            run.stdout,
            format!("kill:{errno}\n"),
            "{}: {run:?}",
            scene.label()
        );
        assert!(victim.alive(), "{}", scene.label());
    }
}

#[test]
fn signals_inside_the_sandbox_work() {
    let scene = Scene::new(User::Nobody);
    let run = scene.run(
        WORKSPACE,
        &["sh", "-c", "sleep 10 & kill -TERM $!; wait $!; echo $?"],
    );
    assert_eq!(run.stdout, "143\n", "{run:?}");
}

#[test]
fn ptrace_and_process_vm_readv_of_outside_processes_are_denied() {
    for scene in every_scene() {
        let who = scene.label();
        let victim = Victim::start(&scene);
        let run = scene.run(WORKSPACE, &[probe(), "ptrace", &victim.pid()]);
        let errno = outside_pid_error(&scene);
        assert_eq!(
            run.stdout,
            format!("attach:{errno}\nvm_readv:{errno}\n"),
            "{who}: {run:?}"
        );
        assert_eq!(victim.tracer(), "0", "{who}");
        // The same user may trace it from outside: the denial is the sandbox's.
        let control = scene.direct(&[probe(), "ptrace", &victim.pid()]);
        assert_eq!(
            control.stdout, "attach:ok\nvm_readv:ok\n",
            "{who}: {control:?}"
        );
    }
}

#[test]
fn strace_of_the_sandboxs_own_children_works() {
    for user in USERS {
        let scene = Scene::new(user);
        let run = scene.run(
            WORKSPACE,
            &["strace", "-f", "-o", "/dev/null", "sh", "-c", "exit 3"],
        );
        assert_eq!(run.code(), 3, "{user:?}: {run:?}");
    }
}

#[test]
fn exit_codes_and_signals_pass_through() {
    let scene = Scene::new(User::Root);
    assert_eq!(scene.run(WORKSPACE, &["sh", "-c", "exit 7"]).code(), 7);
    assert_eq!(scene.run(WORKSPACE, &["true"]).code(), 0);
    let crashed = scene.run(WORKSPACE, &["sh", "-c", "kill -SEGV $$"]);
    assert_eq!(crashed.status.signal(), Some(libc::SIGSEGV), "{crashed:?}");
    // Signal dispositions pass through as the caller left them, SIGPIPE included (the helper
    // is Rust; it must not leave its own runtime's choice behind).
    let ignored = ["grep", "SigIgn", "/proc/self/status"];
    for caller_ignores_sigpipe in [false, true] {
        let with_caller = |command: &mut std::process::Command| {
            if caller_ignores_sigpipe {
                // SAFETY: signal() is async-signal-safe.
                unsafe {
                    command.pre_exec(|| {
                        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
                        Ok(())
                    });
                }
            }
            output(command)
        };
        let inside = with_caller(&mut scene.sandboxed(WORKSPACE, &ignored));
        let outside = with_caller(&mut scene.command(ignored[0], &ignored[1..]));
        assert_eq!(inside.stdout, outside.stdout, "{inside:?}");
        let mask =
            u64::from_str_radix(inside.stdout.split_whitespace().nth(1).unwrap(), 16).unwrap();
        let sigpipe = 1 << (libc::SIGPIPE - 1);
        assert_eq!(mask & sigpipe != 0, caller_ignores_sigpipe, "{inside:?}");
    }
}

#[test]
fn the_command_holds_no_capabilities_and_no_new_privs() {
    // As root, in the sandbox's user namespace and (without it) in the initial one.
    for layers in [Layers::All, Layers::WithoutNamespaces] {
        let scene = Scene::with(User::Root, layers);
        let run = scene.run(
            WORKSPACE,
            &["grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status"],
        );
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 6, "{layers:?}: {run:?}");
        for line in lines {
            let value = line.split_whitespace().nth(1).unwrap();
            if line.starts_with("NoNewPrivs") {
                assert_eq!(value, "1", "{layers:?}");
            } else {
                assert_eq!(value, "0000000000000000", "{layers:?}: {line}");
            }
        }
    }
}

#[test]
fn an_unprivileged_callers_ambient_capabilities_are_cleared() {
    // uid 65534 holding one ambient capability, without the user namespace: the helper cannot
    // touch the bounding set then, but the command must still start with nothing.
    let as_nobody_with_a_capability = || {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .args([
                "--inh-caps=+net_bind_service",
                "--ambient-caps=+net_bind_service",
            ])
            .current_dir("/");
        command
    };
    let grep = ["grep", "^Cap[IPEA]", "/proc/self/status"];
    let control = output(as_nobody_with_a_capability().args(grep));
    assert!(
        control.stdout.contains("CapAmb:\t0000000000000400"),
        "{control:?}"
    );

    let mut sandboxed = as_nobody_with_a_capability();
    sandboxed
        .arg(probe())
        .args(without_user_namespaces())
        .args([helper(), "--policy", READ_ONLY, "--"])
        .args(grep);
    let run = output(&mut sandboxed);
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 4, "{run:?}");
    for line in run.stdout.lines() {
        assert!(line.ends_with("\t0000000000000000"), "{line}");
    }
}
