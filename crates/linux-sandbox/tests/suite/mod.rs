mod arg0;
mod cli;
mod filesystem;
mod metadata;
mod network;
mod processes;
mod status_pipe;
mod support;
