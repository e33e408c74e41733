//! LocalScalekit: an in-process emulator of the Scalekit wire protocol (docs/wire-protocol.md
//! §2–§6, §8) for tests and local development: token endpoint, connected accounts REST, magic
//! links with user verification, and the Tool Proxy with credential injection, plus a built-in
//! echo upstream. Pure Rust; the Node glue wraps it.
//!
//! Layout: `routes` (API handlers, their input rules in `routes::validate`) and `forward` (the
//! Tool Proxy, the router's fallback) both go through `gate` (stats count, bearer check, JSON
//! answer) to `store` (data in `model`, credentials in `details`, magic links in `links`).

mod catalog;
pub mod cli;
mod connections;
mod details;
mod echo;
mod forward;
mod gate;
mod grpc;
mod inject;
mod links;
mod listener;
mod mcp;
mod model;
mod options;
mod providers;
mod routes;
mod search;
mod seed;
mod shared;
mod stats;
mod store;
mod tls;
mod tool_call;
mod wire;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use grpc::proto;
pub use options::{
    expected as option_expected, ApiKeyPlacement, AuthType, ConnectionConfig, EmulatorOptions,
    McpConfigSeed, McpMappingSeed, OptionError, SeedAccount, TlsOption, TlsPem, ToolAnnotations,
    ToolConfig, ToolRequest,
};
pub use routes::ECHO_TOOL;
pub use stats::ENDPOINTS;

use listener::{base_url, listen, serve};
use mcp::session::Signer;
use model::Status;
use scalekit_wire::sync::lock;
use shared::{Settings, Shared};
use stats::Stats;
use store::Store;
use wire::{random_digits, random_token};

/// How long `close()` lets in-flight requests finish before cutting connections.
const GRACE: Duration = Duration::from_secs(1);

/// Everything that can go wrong starting or driving the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("invalid emulator options: {0}")]
    Options(String),
    #[error("cannot read emulator options file {path}: {source}")]
    ReadOptions {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot set up HTTPS: {0}")]
    Tls(String),
    #[error("cannot start the emulator: {0}")]
    Start(String),
    #[error("cannot sign the session token: {0}")]
    Sign(String),
    #[error("no connected account {identifier:?} on connection {connection_name:?}")]
    AccountNotFound {
        connection_name: String,
        identifier: String,
    },
    #[error(
        "unknown connected account status {0:?} (expected {expected})",
        expected = Status::expected()
    )]
    InvalidStatus(String),
}

struct Servers {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// A running emulator. Dropping it aborts both servers and their connections.
pub struct LocalScalekit {
    shared: Arc<Shared>,
    servers: Mutex<Option<Servers>>,
}

impl LocalScalekit {
    /// Binds the API and echo listeners, spawns both servers on the current tokio runtime and
    /// returns once they are accepting connections.
    pub async fn start(options: EmulatorOptions) -> Result<LocalScalekit, EmulatorError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| EmulatorError::Start(format!("no tokio runtime: {e}")))?;
        let host = options.host.as_deref().unwrap_or("127.0.0.1");
        let (api, api_addr) = listen(host, options.port).await?;
        // The echo upstream is loopback-only, in the API listener's address family.
        let echo_ip = match api_addr.ip() {
            ip if ip.is_loopback() => ip,
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        };
        let (echo, echo_addr) = listen(&echo_ip.to_string(), 0).await?;
        // The echo stays plain HTTP: it stands for an upstream, not for Scalekit.
        let echo_url = base_url("http", echo_addr);
        let tls = tls::setup(options.tls.as_ref(), &[host.to_owned()])?;
        let base_url = base_url(if tls.is_some() { "https" } else { "http" }, api_addr);

        let mut store = Store::new(options.connections, options.accounts, &echo_url)?;
        let tools = catalog::build(options.tools)?;
        mcp::seed(&mut store, options.mcp_configs, &tools)?;
        mcp::session::warm_up(&runtime);
        let http = reqwest::Client::builder()
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| EmulatorError::Start(format!("upstream HTTP client: {e}")))?;
        let settings = Settings {
            client_id: options
                .client_id
                .unwrap_or_else(|| format!("skc_{}", random_digits())),
            client_secret: options
                .client_secret
                .unwrap_or_else(|| format!("test_{}", random_token())),
            token_ttl: Duration::from_secs(options.token_ttl_seconds.unwrap_or(3600)),
            base_url,
            echo_url,
            ca_certificate: tls.as_ref().map(|t| t.ca_pem.clone()),
            inline_echo: options.inline_echo,
        };
        let shared = Arc::new(Shared {
            mcp_signer: Signer::new(&settings.base_url),
            settings,
            store: Mutex::new(store),
            stats: Stats::default(),
            http,
            tools,
            providers: Mutex::default(),
        });

        // The JSON API routes keep axum's default body limit; the Tool Proxy streams bodies of
        // any size, so it has none (it reads the raw body, which the limit does not cover, and
        // the layer keeps it so should that change).
        let api_app = routes::router()
            // The gRPC binding (docs/wire-protocol.md §12), over the same state.
            .merge(grpc::router(shared.clone()))
            // The MCP gateway (docs/wire-protocol.md §13).
            .merge(mcp::gateway::router(shared.clone()))
            .fallback(forward::fallback.layer(DefaultBodyLimit::disable()))
            .with_state(shared.clone());
        let (shutdown, stop) = watch::channel(false);
        let tasks = vec![
            runtime.spawn(serve(api, api_app, tls.map(|t| t.acceptor), stop.clone())),
            runtime.spawn(serve(echo, echo::router(shared.clone()), None, stop)),
        ];
        Ok(LocalScalekit {
            shared,
            servers: Mutex::new(Some(Servers { shutdown, tasks })),
        })
    }

    /// Base URL of the emulator (the client's envUrl), without a trailing slash: `https://` with
    /// the `tls` option.
    pub fn url(&self) -> String {
        self.shared.settings.base_url.clone()
    }

    pub fn client_id(&self) -> &str {
        &self.shared.settings.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.shared.settings.client_secret
    }

    /// With the `tls` option: the PEM certificate clients must trust (the made CA, or the last
    /// certificate of the given chain).
    pub fn ca_certificate(&self) -> Option<&str> {
        self.shared.settings.ca_certificate.as_deref()
    }

    /// Base URL of the built-in echo upstream, without a trailing slash.
    pub fn echo_url(&self) -> String {
        self.shared.settings.echo_url.clone()
    }

    /// Requests served per endpoint (every name of [`ENDPOINTS`], zero included).
    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.shared.stats.snapshot()
    }

    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    /// Invalidates every issued access token: their next use answers 401 code 16.
    pub fn revoke_tokens(&self) {
        lock(&self.shared.store).revoke_tokens();
    }

    /// Sets the status of every account with this (connection, identifier), whatever its
    /// organization/user scope.
    pub fn set_account_status(
        &self,
        connection_name: &str,
        identifier: &str,
        status: &str,
    ) -> Result<(), EmulatorError> {
        let status =
            Status::parse(status).ok_or_else(|| EmulatorError::InvalidStatus(status.to_owned()))?;
        lock(&self.shared.store).set_status(connection_name, identifier, status)
    }

    /// Every account in creation order, in the wire shape with credentials, plus
    /// `organization_id` and `user_id`.
    pub fn accounts_json(&self) -> serde_json::Value {
        lock(&self.shared.store).accounts_json()
    }

    /// Signs any JWT claims with this instance's MCP session-token key (the `kid` its gateway
    /// accepts): for tests of what the gateway refuses, such as an expired token or one for
    /// another server (docs/wire-protocol.md §13).
    pub fn sign_session_token(&self, claims: &serde_json::Value) -> Result<String, EmulatorError> {
        self.shared
            .mcp_signer
            .sign(claims)
            .map_err(|e| EmulatorError::Sign(e.message))
    }

    /// Stops both servers: no new connections, in-flight requests get [`GRACE`], then the rest
    /// is aborted. Idempotent.
    pub async fn close(&self) {
        let Some(servers) = lock(&self.servers).take() else {
            return;
        };
        let _ = servers.shutdown.send(true);
        for mut task in servers.tasks {
            // The serve loop bounds itself by GRACE; this outer bound is a backstop.
            if tokio::time::timeout(GRACE * 2, &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for LocalScalekit {
    fn drop(&mut self) {
        // Aborting a serve loop drops its JoinSet, which aborts every connection task.
        if let Some(servers) = lock(&self.servers).take() {
            for task in servers.tasks {
                task.abort();
            }
        }
    }
}

impl std::fmt::Debug for LocalScalekit {
    // Hand-written so the client secret never lands in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalScalekit")
            .field("url", &self.shared.settings.base_url)
            .field("echo_url", &self.shared.settings.echo_url)
            .field("client_id", &self.shared.settings.client_id)
            .finish_non_exhaustive()
    }
}
