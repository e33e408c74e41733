//! What every handler of the emulator shares: fixed settings, the store, the counters and the
//! upstream client.

use std::sync::Mutex;
use std::time::Duration;

use super::stats::Stats;
use super::store::Store;

/// Fixed at start: credentials, token lifetime and the two base URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl: Duration,
    pub base_url: String,
    pub echo_url: String,
    /// See `EmulatorOptions::inline_echo`.
    pub inline_echo: bool,
}

pub struct Shared {
    pub settings: Settings,
    /// A std lock, never held across an `.await`.
    pub store: Mutex<Store>,
    pub stats: Stats,
    /// Upstream client of the Tool Proxy: no decompression and no redirects, so bytes and
    /// redirects reach the caller untouched; no system proxy, since upstreams are local.
    pub http: reqwest::Client,
}
