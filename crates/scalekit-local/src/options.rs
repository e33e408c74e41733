//! LocalScalekit's options: what a test (or the Node glue) passes to `LocalScalekit::start`.

use std::path::Path;

use serde::Deserialize;

use crate::EmulatorError;

/// Options of a LocalScalekit instance. Every field is optional; JSON keys are lowerCamel.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmulatorOptions {
    /// Interface to listen on; default `127.0.0.1`.
    pub host: Option<String>,
    /// Port to listen on; 0 (the default) is an ephemeral port.
    #[serde(default, deserialize_with = "or_default")]
    pub port: u16,
    /// Client id accepted by `/oauth/token`; default a generated `skc_<digits>`.
    pub client_id: Option<String>,
    /// Client secret accepted by `/oauth/token`; default a generated random secret.
    pub client_secret: Option<String>,
    /// `expires_in` of issued access tokens, in seconds; default 3600.
    pub token_ttl_seconds: Option<u64>,
    /// Configured connections. None: any connection name is auto-provisioned on first use as an
    /// OAUTH connection whose upstream is the built-in echo.
    pub connections: Option<Vec<ConnectionConfig>>,
    /// Pre-seeded connected accounts.
    pub accounts: Option<Vec<SeedAccount>>,
    /// Answer Tool Proxy calls to the built-in echo upstream in-process, without the second HTTP
    /// hop: for load tests and benchmarks, where that hop would make the emulator the bottleneck.
    /// The answer has the same shape; its headers are those the proxy would forward (so without
    /// the `host` and `content-length` an HTTP client adds). Default false.
    #[serde(default, deserialize_with = "or_default")]
    pub inline_echo: bool,
    /// `true`: HTTPS on the API port with a certificate made at start (a fresh CA signing one
    /// for `localhost`, `127.0.0.1` and `::1`); `{ "cert", "key" }`: HTTPS with that PEM chain
    /// (leaf first) and key. Default: plain HTTP. Either way the port also serves HTTP/2.
    pub tls: Option<TlsOption>,
    /// The tool catalog (docs/wire-protocol.md §11): listed by ListTools and friends, executed by
    /// ExecuteTool as a Tool Proxy call through the tool's connection.
    pub tools: Option<Vec<ToolConfig>>,
    /// MCP configurations present from the start (docs/wire-protocol.md §13), checked as
    /// CreateMcpConfig checks them.
    pub mcp_configs: Option<Vec<McpConfigSeed>>,
}

/// An MCP configuration: `{ name, description, connectionToolMappings: [{ connectionName, tools }] }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct McpConfigSeed {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub connection_tool_mappings: Vec<McpMappingSeed>,
}

/// The tools of one connection an MCP configuration exposes; no tools = all of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct McpMappingSeed {
    pub connection_name: String,
    #[serde(default)]
    pub tools: Vec<String>,
}

/// One catalog tool: `{ name, connection, description, inputSchema, annotations, request: { method,
/// path } }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolConfig {
    pub name: String,
    /// Connection whose accounts run the tool (and whose upstream it calls).
    pub connection: String,
    #[serde(default)]
    pub description: String,
    /// JSON Schema of the input; default `{"type":"object"}`.
    pub input_schema: Option<serde_json::Value>,
    /// MCP behaviour hints, kept in the tool's `definition` as `annotations` (snake_case keys).
    pub annotations: Option<ToolAnnotations>,
    pub request: ToolRequest,
}

/// MCP tool annotations (docs/wire-protocol.md §13): hints, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolAnnotations {
    pub read_only_hint: Option<bool>,
    pub destructive_hint: Option<bool>,
    pub idempotent_hint: Option<bool>,
    pub open_world_hint: Option<bool>,
}

/// The upstream call a tool makes: `{param}` segments of `path` are filled from the input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToolRequest {
    /// Default GET.
    pub method: Option<String>,
    pub path: String,
}

/// An option whose default is its type's: absent or `null` (JS `undefined` / `null`) is that.
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl EmulatorOptions {
    /// Parses options from JSON (lowerCamel keys; unknown keys are rejected to catch typos).
    pub fn from_json(s: &str) -> Result<Self, EmulatorError> {
        serde_json::from_str(s).map_err(|e| EmulatorError::Options(e.to_string()))
    }

    /// Reads and parses a JSON options file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, EmulatorError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::ReadOptions {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }
}

/// An option `LocalScalekit.start` cannot take: its name (`port`, `connections`…) and what is
/// wrong, in a JavaScript caller's words (`must be a whole number from 0 to 65535, got "abc"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} {problem}")]
pub struct OptionError {
    pub name: String,
    pub problem: String,
}

/// What each option of a single value must be, in JavaScript's words.
pub fn expected(name: &str) -> Option<&'static str> {
    Some(match name {
        "host" => "a string",
        "port" => "a whole number from 0 to 65535",
        "clientId" | "clientSecret" => "a non-empty string",
        "tokenTtlSeconds" => "a whole number of seconds from 0",
        "inlineEcho" => "a boolean",
        "connections" | "accounts" | "tools" | "mcpConfigs" => "an array",
        _ => return None,
    })
}

/// A JSON value as a JavaScript caller wrote it, for messages.
fn shown(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        other => other.to_string(),
    }
}

impl EmulatorOptions {
    /// Options given as a JavaScript object (`LocalScalekit.start`, with its `configFile` merged
    /// in): each option read on its own, so that a failure names it and says what it must be,
    /// without a position in a JSON text the caller never wrote. An empty `clientId` or
    /// `clientSecret` is refused too: no client could use it.
    pub fn from_value(value: serde_json::Value) -> Result<Self, OptionError> {
        use serde_json::Value;
        let Value::Object(fields) = &value else {
            return Err(OptionError {
                name: "options".into(),
                problem: format!("must be an object, got {}", shown(&value)),
            });
        };
        for (name, field) in fields {
            if field.is_null() {
                continue;
            }
            let alone = Value::Object([(name.clone(), field.clone())].into_iter().collect());
            let wrong = match serde_json::from_value::<EmulatorOptions>(alone) {
                Err(e) => Some(e.to_string()),
                Ok(_) if field.as_str() == Some("") && name.starts_with("client") => {
                    Some(String::new())
                }
                Ok(_) => None,
            };
            let Some(reason) = wrong else { continue };
            // A value of the wrong type is described by what the option takes; a wrong item
            // of an array, or tls, by its own rule's words.
            let problem = match expected(name) {
                Some(what) if !(field.is_array() && what == "an array") => {
                    format!("must be {what}, got {}", shown(field))
                }
                None if name != "tls" => format!("is not an option: {reason}"),
                _ => reason
                    .strip_prefix(&format!("{name} "))
                    .unwrap_or(&reason)
                    .to_string(),
            };
            return Err(OptionError {
                name: name.clone(),
                problem,
            });
        }
        serde_json::from_value(value).map_err(|e| OptionError {
            name: "options".into(),
            problem: e.to_string(),
        })
    }
}

/// The `tls` option: on/off, or a given certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "serde_json::Value")]
pub enum TlsOption {
    Enabled(bool),
    Pem(TlsPem),
}

/// A certificate chain (leaf first) and its private key, both PEM text.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsPem {
    pub cert: String,
    pub key: String,
}

impl std::fmt::Debug for TlsPem {
    // Hand-written so the private key never lands in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsPem").finish_non_exhaustive()
    }
}

impl TryFrom<serde_json::Value> for TlsOption {
    type Error = String;

    /// One message for every wrong shape, instead of serde's "did not match any variant".
    fn try_from(value: serde_json::Value) -> Result<Self, String> {
        const EXPECTED: &str = "tls must be true, false or { cert, key } (PEM strings)";
        match value {
            serde_json::Value::Bool(on) => Ok(TlsOption::Enabled(on)),
            value @ serde_json::Value::Object(_) => serde_json::from_value(value)
                .map(TlsOption::Pem)
                .map_err(|e| format!("{EXPECTED}: {e}")),
            _ => Err(EXPECTED.to_owned()),
        }
    }
}

/// A connection (Scalekit "connector") the emulator knows.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionConfig {
    /// Connection name (`connector` / `connection_name` on the wire).
    pub name: String,
    /// Provider reported on accounts; default = `name`.
    pub provider: Option<String>,
    /// How credentials are injected upstream; default OAUTH.
    #[serde(default)]
    pub auth_type: AuthType,
    /// Base URL the Tool Proxy forwards to; None = the built-in echo upstream.
    pub upstream_url: Option<String>,
    /// API_KEY only: where the key goes; default the `Authorization` header (raw key).
    pub api_key: Option<ApiKeyPlacement>,
}

/// Credential type of a connection (docs/wire-protocol.md §6 injection table).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum AuthType {
    #[default]
    #[serde(rename = "OAUTH")]
    OAuth,
    #[serde(rename = "BASIC", alias = "BASIC_AUTH")]
    Basic,
    #[serde(rename = "BEARER", alias = "BEARER_TOKEN")]
    Bearer,
    #[serde(rename = "API_KEY")]
    ApiKey,
}

impl AuthType {
    /// The app connection's `ConnectionType` name (a name of
    /// `scalekit_wire::names::CONNECTION_TYPE_NAMES`, docs/wire-protocol.md §14).
    pub fn connection_type(self) -> &'static str {
        match self {
            AuthType::OAuth => "OAUTH",
            AuthType::Basic => "BASIC",
            AuthType::Bearer => "BEARER",
            AuthType::ApiKey => "API_KEY",
        }
    }

    /// The `authorization_type` enum name reported on the wire (ConnectorType,
    /// docs/wire-protocol.md §4.1).
    pub fn wire_name(self) -> &'static str {
        match self {
            AuthType::OAuth => "OAUTH",
            AuthType::Basic => "BASIC",
            AuthType::Bearer => "BEARER_TOKEN",
            AuthType::ApiKey => "API_KEY",
        }
    }
}

/// Where an API_KEY connection puts the key: `{"header": "X-API-Key"}` or `{"query": "api_key"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum ApiKeyPlacement {
    Header(String),
    Query(String),
}

impl Default for ApiKeyPlacement {
    /// docs/wire-protocol.md §6: with no `auth_header_key_override`, the key goes raw into
    /// `Authorization`.
    fn default() -> Self {
        ApiKeyPlacement::Header("Authorization".to_owned())
    }
}

/// A connected account present from the start.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedAccount {
    pub connection_name: String,
    pub identifier: String,
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    /// Default ACTIVE when usable credentials are given, else PENDING_AUTH.
    pub status: Option<String>,
    /// Wire shape (snake_case), e.g. `{"static_auth":{"details":{"api_key":"k"}}}`.
    pub authorization_details: Option<serde_json::Value>,
    pub api_config: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_javascript_are_refused_by_name_in_its_words() {
        let refused =
            |v: serde_json::Value| EmulatorOptions::from_value(v).unwrap_err().to_string();
        assert_eq!(
            refused(serde_json::json!({"port": "abc"})),
            "port must be a whole number from 0 to 65535, got \"abc\""
        );
        assert_eq!(
            refused(serde_json::json!({"tokenTtlSeconds": -1})),
            "tokenTtlSeconds must be a whole number of seconds from 0, got -1"
        );
        assert_eq!(
            refused(serde_json::json!({"clientSecret": ""})),
            "clientSecret must be a non-empty string, got an empty string"
        );
        assert_eq!(
            refused(serde_json::json!({"clientId": ""})),
            "clientId must be a non-empty string, got an empty string"
        );
        assert_eq!(
            refused(serde_json::json!({"connections": {}})),
            "connections must be an array, got an object"
        );
        let e = refused(serde_json::json!({"connections": [{"nme": "x"}]}));
        assert!(e.starts_with("connections unknown field `nme`"), "{e}");
        assert!(!e.contains("line 1"), "{e}");
        let e = refused(serde_json::json!({"prot": 1}));
        assert!(
            e.starts_with("prot is not an option: unknown field `prot`"),
            "{e}"
        );
        assert!(refused(serde_json::json!({"tls": 1})).starts_with("tls must be true, false"));
        let o = EmulatorOptions::from_value(
            serde_json::json!({"port": null, "clientId": "a", "tokenTtlSeconds": 5}),
        )
        .unwrap();
        assert_eq!(
            (o.port, o.client_id.as_deref(), o.token_ttl_seconds),
            (0, Some("a"), Some(5))
        );
    }

    #[test]
    fn port_and_inline_echo_default_when_absent_or_null() {
        let parse = |json: &str| {
            EmulatorOptions::from_json(json)
                .map(|o| (o.port, o.inline_echo))
                .map_err(|e| e.to_string())
        };
        assert_eq!(parse("{}"), Ok((0, false)));
        assert_eq!(
            parse(r#"{"port": null, "inlineEcho": null}"#),
            Ok((0, false))
        );
        assert_eq!(
            parse(r#"{"port": 8123, "inlineEcho": true}"#),
            Ok((8123, true))
        );
        assert!(parse(r#"{"port": "80"}"#).is_err());
    }
}
