//! scalekit-native: the Rust core of a Node.js client for the Scalekit Agent Auth Tool Proxy,
//! and LocalScalekit, a local emulator of the same wire protocol.
//!
//! The core (everything but `node`) has no napi types, so `cargo test` exercises it without Node.
//! The napi glue lives in `node` behind the `node` feature, which `npm run build` turns on.

pub mod accounts;
pub mod args;
pub mod auth;
pub mod cancel;
pub mod client;
pub mod config;
pub mod emulator;
pub mod errors;
pub mod exchange;
pub mod names;
pub mod network;
pub mod proxy;
pub mod redirects;
pub mod retry;
pub mod retry_budget;
pub mod sync;
pub mod token_endpoint;
pub mod trace;
pub mod transport;

#[cfg(feature = "node")]
mod node;
