//! Tests of the streaming Responses client (`codex_core::client`): the SSE parser against the
//! conformance vectors and its own properties, and one test per fault case of DESIGN.md §5
//! against a misbehaving HTTP server on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// An inline module, so the files live in `tests/client/` beside other suites' folders.
mod client {
    mod faults;
    mod read_ahead;
    mod redirects;
    mod server;
    mod settings;
    mod sse_conformance;
    mod sse_properties;
    mod support;
}
