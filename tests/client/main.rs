//! `ScalekitClient` through its public API against a stub Scalekit on 127.0.0.1: exact attempt
//! and token-fetch counts for retries and re-authentication, and the token endpoint's failures.

mod budget;
mod common;
mod mcp;
mod reauth;
mod retry;
mod routes;
mod token_errors;
