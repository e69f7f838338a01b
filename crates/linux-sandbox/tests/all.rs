//! The helper's integration tests: each drives the built binary and checks the effect from
//! outside the sandbox (the file really unchanged, the listener really silent).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
