//! codex-linux-sandbox (skeleton; filled in by the helper work).
