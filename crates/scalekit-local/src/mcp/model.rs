//! The MCP records the store keeps (docs/wire-protocol.md §13): configurations, instances, and the
//! already validated shapes that requests create, change and list them with.

use std::time::Duration;

use rand::RngCore as _;
use time::OffsetDateTime;

/// Where the configurations' MCP servers live, below the base URL: `…/servers/<server id>`.
pub const SERVERS_PATH: &str = "/mcp/v3/servers";
/// Where each connection's own MCP server lives: `…/connections/<connection name>`.
pub const CONNECTIONS_PATH: &str = "/mcp/v3/connections";

/// The URL of a configuration's MCP server (its `mcp_server_url`, a session token's `aud`).
pub fn server_url(base_url: &str, server_id: &str) -> String {
    format!("{base_url}{SERVERS_PATH}/{server_id}")
}

/// The URL of a connection's own MCP server (a connection token's `aud`).
pub fn connection_url(base_url: &str, connection_name: &str) -> String {
    format!("{base_url}{CONNECTIONS_PATH}/{connection_name}")
}

/// A random UUID (version 4), the last segment of a configuration's server URL.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The tools of one connection that a configuration exposes: none listed = all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub connection: String,
    pub tools: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct McpConfig {
    pub id: String,
    /// The last path segment of the configuration's MCP server URL.
    pub server_id: String,
    /// Unique, fixed after creation.
    pub name: String,
    pub description: String,
    pub mappings: Vec<Mapping>,
}

#[derive(Debug, Clone)]
pub struct McpInstance {
    pub id: String,
    pub name: String,
    pub user_identifier: String,
    pub config_id: String,
    pub updated_at: OffsetDateTime,
    /// Set by the gateway's tool calls for this configuration and user.
    pub last_used_at: Option<OffsetDateTime>,
}

/// The MCP records of the store.
#[derive(Debug, Default)]
pub struct McpState {
    pub configs: Vec<McpConfig>,
    pub instances: Vec<McpInstance>,
}

/// A create (`name` given) or update request for a configuration, checked for shape.
#[derive(Debug, Clone, Default)]
pub struct ConfigWrite {
    pub name: Option<String>,
    /// `None` (or `""` over the wire) leaves it unchanged on update.
    pub description: Option<String>,
    /// `None` (or an empty list over the wire) leaves them unchanged on update.
    pub mappings: Option<Vec<Mapping>>,
}

/// A list call's filters and page, checked: ListMcpConfigs and ListMcpInstances share
/// `filter.id`, `filter.name` and `search`; `filter` holds the call's own filters.
#[derive(Debug)]
pub struct McpQuery<F> {
    pub id: Option<String>,
    pub name: Option<String>,
    pub search: Option<String>,
    pub page: (usize, usize),
    pub filter: F,
}

/// ListMcpConfigs' own filters: a mapped connection's provider, the server URL's last segment.
#[derive(Debug)]
pub struct ConfigFilter {
    pub provider: Option<String>,
    pub server_id: Option<String>,
}

/// ListMcpInstances' own filters.
#[derive(Debug)]
pub struct InstanceFilter {
    pub config_name: Option<String>,
    pub user_identifier: Option<String>,
}

/// Which MCP server a session token opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A configuration's server, by configuration id.
    Config(String),
    /// A connection's own server, by connection name (matched without regard to case).
    Connection(String),
}

/// The tools a session token may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    Full,
    /// Only tools annotated `read_only_hint: true`.
    ReadOnly,
}

impl AccessLevel {
    pub fn name(self) -> &'static str {
        match self {
            AccessLevel::Full => "FULL",
            AccessLevel::ReadOnly => "READ_ONLY",
        }
    }
}

/// A CreateMcpSessionToken request, checked.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub target: Target,
    pub identifier: String,
    pub ttl: Duration,
    pub access: AccessLevel,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let u = random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert!(matches!(u.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(u, random_uuid());
    }
}
