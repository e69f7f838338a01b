//! Fuzzes the SSE parser with the differential oracle `codex_core::client::fuzzing::check_sse`:
//! whole-input and chunked parsing must both match a naive reference, and never panic. Run with
//! libFuzzer's `-timeout` so that super-linear time shows up as a crash too.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(disagreement) = codex_core::client::fuzzing::check_sse(data) {
        panic!("{disagreement}");
    }
});
