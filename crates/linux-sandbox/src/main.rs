//! The helper's entry point.
//!
//! `no_main`: the C runtime calls this directly, skipping Rust's start-up work (its main-thread
//! stack guard probe alone reads /proc/self/maps), which is a measurable share of the time an
//! exec-and-confine helper may take. Arguments still come from `std::env::args_os`.
#![no_main]

#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    codex_linux_sandbox::run_main()
}
