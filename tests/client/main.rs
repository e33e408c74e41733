//! `ScalekitClient` through its public API against a stub Scalekit on 127.0.0.1 (or
//! LocalScalekit): exact attempt and token-fetch counts for retries and re-authentication, the
//! token endpoint's failures, response limits, streamed uploads and waiting for an account.

mod budget;
mod common;
mod limits;
mod mcp;
mod reauth;
mod retry;
mod routes;
mod token_errors;
mod uploads;
mod wait;
