//! codex-node (skeleton).
