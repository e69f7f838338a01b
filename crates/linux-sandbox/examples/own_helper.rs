//! A program that is its own sandbox helper: started as `codex-linux-sandbox` (e.g. through a
//! symlink) it confines itself and execs the command; under any other name it prints a line.

fn main() {
    codex_linux_sandbox::run_with_sandbox(|| println!("own_helper: running as itself"))
}
