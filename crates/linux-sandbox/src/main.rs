//! The helper's entry point.
//!
//! `no_main`: the C runtime calls this directly, skipping Rust's start-up work (its main-thread
//! stack guard probe alone reads /proc/self/maps), which is a measurable share of the time an
//! exec-and-confine helper may take. The arguments are read from `argv` here: a static musl
//! program gives std no other way to see them.
#![no_main]

use std::ffi::{CStr, OsString, c_char, c_int};
use std::os::unix::ffi::OsStrExt;

#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    let count = usize::try_from(argc).unwrap_or(0);
    let args = (1..count)
        .map(|index| {
            // SAFETY: the C runtime passes `argc` valid, NUL-terminated strings in `argv`.
            let arg = unsafe { CStr::from_ptr(*argv.add(index)) };
            std::ffi::OsStr::from_bytes(arg.to_bytes()).to_os_string()
        })
        .collect::<Vec<OsString>>();
    codex_linux_sandbox::run_main(args)
}
