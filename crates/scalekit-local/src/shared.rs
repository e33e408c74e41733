//! What every handler of the emulator shares: fixed settings, the store, the counters and the
//! upstream client.

use std::sync::Mutex;
use std::time::Duration;

use crate::catalog::CatalogTool;
use crate::mcp::session::Signer;
use crate::stats::Stats;
use crate::store::Store;

/// Fixed at start: credentials, token lifetime, the two base URLs and the certificate to trust.
#[derive(Debug, Clone)]
pub struct Settings {
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl: Duration,
    pub base_url: String,
    pub echo_url: String,
    /// PEM to trust when the API port serves HTTPS (see `LocalScalekit::ca_certificate`).
    pub ca_certificate: Option<String>,
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
    /// The tool catalog (the `tools` option), fixed at start.
    pub tools: Vec<CatalogTool>,
    /// Signs and checks the MCP session tokens of this instance.
    pub mcp_signer: Signer,
    /// Custom providers (ProviderService, docs/wire-protocol.md §15); locked after `store` when both are.
    pub providers: Mutex<crate::providers::Providers>,
}
