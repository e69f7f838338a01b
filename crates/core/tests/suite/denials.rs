//! The denial rule on real commands under the real helper: every refusal in the corpus is
//! called a denial, and nothing else is — not a failing test that talks about sandboxes, not an
//! ssh publickey refusal, not a missing file.

use std::net::TcpListener;
use std::path::Path;

use codex_core::exec::{ExecOutput, ExecParams, exec};
use codex_core::sandbox::{Denial, SandboxPolicy, WorkspaceWritePolicy};
use codex_core::{CodexErr, SandboxErr};

use crate::common::helper;

/// One command of the corpus and whether the sandbox caused its failure.
struct Case {
    name: &'static str,
    script: String,
    denied: bool,
}

/// Runs `script` with `sh -c` in `workspace` under workspace-write (network off) and returns its
/// output, whether it resolved or was rejected as a denial.
async fn run(workspace: &Path, script: &str) -> ExecOutput {
    let params = ExecParams {
        argv: vec!["sh".into(), "-c".into(), script.into()],
        cwd: Some(workspace.to_path_buf()),
        sandbox: Some(SandboxPolicy::WorkspaceWrite(
            WorkspaceWritePolicy::default(),
        )),
        sandbox_executable: vec![helper()],
        ..ExecParams::default()
    };
    match exec(params).await {
        Ok(output) => output,
        Err(CodexErr::Sandbox(SandboxErr::Denied { output })) => *output,
        Err(other) => panic!("{script}: {other:?}"),
    }
}

#[tokio::test]
async fn the_corpus_is_classified_without_a_miss_or_a_false_alarm() {
    let workspace = tempfile::tempdir_in("/var/tmp").unwrap();
    let outside = tempfile::tempdir_in("/var/tmp").unwrap();
    let ws = workspace.path();
    let out = outside.path().display().to_string();
    std::fs::write(outside.path().join("existing"), "x").unwrap();
    std::fs::write(ws.join("file"), "x").unwrap();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(ws)
        .status()
        .unwrap();
    assert!(git.success());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let _service = std::os::unix::net::UnixListener::bind(outside.path().join("svc.sock")).unwrap();
    let url = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    let case = |name, script: String, denied| Case {
        name,
        script,
        denied,
    };
    let cases = [
        // The network, refused by the helper and recorded.
        case("curl", format!("curl -sS --max-time 5 {url}"), true),
        case("wget", format!("wget -q -t 1 -T 5 -O- {url}"), true),
        case(
            "node fetch",
            format!("node -e \"fetch('{url}').catch(e => {{ console.error(e.cause ?? e); process.exit(1) }})\""),
            true,
        ),
        case(
            "node net",
            format!(
                "node -e \"require('net').connect({}, '127.0.0.1').on('error', e => {{ console.error(e.message); process.exit(1) }})\"",
                listener.local_addr().unwrap().port()
            ),
            true,
        ),
        case(
            "python socket",
            format!(
                "python3 -c \"import socket; socket.create_connection(('127.0.0.1', {}))\"",
                listener.local_addr().unwrap().port()
            ),
            true,
        ),
        case(
            "python urllib",
            format!("python3 -c \"import urllib.request; urllib.request.urlopen('{url}')\""),
            true,
        ),
        case("git over http", format!("git ls-remote {url}repo.git"), true),
        case(
            "a Unix socket outside",
            format!(
                "python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.connect('{out}/svc.sock')\""
            ),
            true,
        ),
        // The filesystem, read from the command's own error text.
        case("dash redirect", format!("echo x > {out}/f"), true),
        case("bash redirect", format!("bash -c 'echo x > {out}/f'"), true),
        case("touch", format!("touch {out}/f"), true),
        case("mkdir", format!("mkdir {out}/d"), true),
        case("cp", format!("cp file {out}/"), true),
        case("rm", format!("rm {out}/existing"), true),
        case("chmod", format!("chmod 777 {out}/existing"), true),
        case("ln", format!("ln -s file {out}/link"), true),
        case("mv", format!("mv file {out}/"), true),
        case(
            "python open",
            format!("python3 -c \"open('{out}/f', 'w')\""),
            true,
        ),
        case(
            "node writeFile",
            format!("node -e \"require('fs').writeFileSync('{out}/f', 'x')\""),
            true,
        ),
        case("a write into .git", "echo evil >> .git/config".into(), true),
        case("git config", "git config core.pager evil".into(), true),
        case("a new hook", "echo evil > .git/hooks/pre-commit".into(), true),
        // Failures that are the command's own.
        case(
            "a test run that talks about sandboxes",
            "echo 'FAIL sandbox_test: landlock seccomp: permission denied'; exit 1".into(),
            false,
        ),
        case(
            "ssh publickey",
            "echo 'git@github.com: Permission denied (publickey).' >&2; exit 255".into(),
            false,
        ),
        case("a missing file", "cat missing".into(), false),
        case("a plain failure", "exit 3".into(), false),
        case("a write inside", "touch inside && false".into(), false),
        case("a missing socket", "python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.connect('missing.sock')\"".into(), false),
        case("success", "touch made".into(), false),
    ];
    assert!(cases.len() >= 25);
    let (mut detected, mut false_alarms, mut missed) = (0, Vec::new(), Vec::new());
    for case in &cases {
        let output = run(ws, &case.script).await;
        match (case.denied, output.sandbox_denied) {
            (true, true) => detected += 1,
            (true, false) => missed.push((case.name, output)),
            (false, true) => false_alarms.push((case.name, output)),
            (false, false) => {}
        }
    }
    let denials = cases.iter().filter(|case| case.denied).count();
    println!(
        "corpus: {} commands, {detected}/{denials} denials detected, {} false positives",
        cases.len(),
        false_alarms.len()
    );
    assert!(missed.is_empty(), "missed: {missed:#?}");
    assert!(false_alarms.is_empty(), "false alarms: {false_alarms:#?}");
}

#[tokio::test]
async fn a_command_that_succeeds_despite_a_refusal_resolves_with_it_listed() {
    let workspace = tempfile::tempdir_in("/var/tmp").unwrap();
    let output = run(
        workspace.path(),
        "python3 -c \"import socket\ntry: socket.create_connection(('127.0.0.1', 9))\nexcept OSError: pass\"",
    )
    .await;
    assert_eq!(output.exit_code, Some(0));
    assert!(!output.sandbox_denied);
    assert_eq!(output.sandbox.denials.total, 1);
    assert_eq!(
        output.sandbox.denials.records,
        [Denial::Network {
            family: "AF_INET".into(),
            socket_type: "SOCK_STREAM".into()
        }]
    );
}
