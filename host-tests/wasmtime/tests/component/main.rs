#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
//! The edgebreaker component in wasmtime. One test binary, so the component
//! is compiled once (see `support::runtime`) and shared by every test.

mod config_json;
mod example_host;
mod hostile;
mod imports;
mod scale;
mod support;
mod vectors;
