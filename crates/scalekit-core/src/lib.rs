//! scalekit-core: the Rust client of the Scalekit Agent Auth Tool Proxy, connected accounts and
//! tools, under scalekit-native's Node addon.
//!
//! No napi types and no server crate: the napi glue (`scalekit-node`) converts at the edge, and
//! LocalScalekit (`scalekit-local`) is a separate crate this one never depends on
//! (docs/architecture.md "Crates").

pub mod accounts;
pub mod answer;
pub mod args;
pub mod auth;
pub mod body_buffer;
pub mod cancel;
pub mod client;
pub mod config;
pub mod direct;
pub mod error_text;
pub mod errors;
pub mod exchange;
pub mod mcp;
pub mod network;
pub mod providers;
pub mod proxy;
pub mod redact;
pub mod redirects;
pub mod retry;
pub mod retry_budget;
pub mod secret;
pub mod token_endpoint;
pub mod trace;
pub mod transport;
