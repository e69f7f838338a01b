//! Integration tests of `exec` against real processes (Linux).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod suite;
