fn main() {
    codex_linux_sandbox::run_main()
}
