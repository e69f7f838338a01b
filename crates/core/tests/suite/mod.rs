//! One module per behaviour family of `exec`.

mod cancel;
mod denials;
mod exits;
mod helper_protocol;
mod output;
mod sandboxed;
mod stdin;
mod timeout;
