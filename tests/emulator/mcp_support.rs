//! What the MCP tests share (docs/wire-protocol.md §13): an emulator with a catalog, MCP
//! configurations and an upstream that reports the credentials it got; minting session tokens
//! over REST; MCP JSON-RPC requests to the gateway, as a Streamable HTTP client sends them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{oauth_account, send, upstream, Api};

pub const CONFIGS: &str = "/api/v1/mcp/configs";
pub const INSTANCES: &str = "/api/v1/mcp/instances";

/// The MCP protocol version the requests below speak.
const PROTOCOL: &str = "2025-06-18";

/// An emulator with two MCP configurations over a small catalog, and its upstream's hit count.
pub struct Mcp {
    pub api: Api,
    pub hits: Arc<AtomicU64>,
}

/// The catalog: `crm` (read-only `crm_list` and `crm_get`, destructive `crm_delete`), `mail`
/// (`mail_send`, read-only `mail_search`), `broken` (an upstream that refuses connections).
pub fn catalog() -> Value {
    json!([
        {"name": "crm_list", "connection": "crm", "description": "List contacts",
         "annotations": {"readOnlyHint": true, "openWorldHint": false},
         "inputSchema": {"type": "object", "properties": {"limit": {"type": "integer"}}},
         "request": {"path": "/contacts"}},
        {"name": "crm_get", "connection": "crm", "description": "Get a contact",
         "annotations": {"readOnlyHint": true, "idempotentHint": true},
         "inputSchema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
         "request": {"path": "/contacts/{id}"}},
        {"name": "crm_delete", "connection": "crm", "description": "Delete a contact",
         "annotations": {"readOnlyHint": false, "destructiveHint": true},
         "request": {"method": "DELETE", "path": "/contacts/{id}"}},
        {"name": "mail_send", "connection": "mail", "description": "Send a mail",
         "request": {"method": "POST", "path": "/send"}},
        {"name": "mail_search", "connection": "mail", "description": "Search mails",
         "annotations": {"readOnlyHint": true}, "request": {"path": "/search"}},
        {"name": "broken_call", "connection": "broken", "request": {"path": "/x"}},
    ])
}

impl Mcp {
    /// `crm-all` maps every crm tool; `mixed` maps `crm_get` and two mail tools. `u1` has ACTIVE
    /// accounts on crm, mail and broken.
    pub async fn start() -> Mcp {
        let (up, hits) = upstream().await;
        let api = Api::with(json!({
            "connections": [
                {"name": "crm", "provider": "HUBSPOT", "upstreamUrl": up},
                {"name": "mail", "provider": "GMAIL", "upstreamUrl": up},
                {"name": "broken", "upstreamUrl": "http://127.0.0.1:9"},
            ],
            "accounts": [
                oauth_account("crm", "u1", "tok-crm"),
                oauth_account("mail", "u1", "tok-mail"),
                oauth_account("broken", "u1", "tok-broken"),
            ],
            "tools": catalog(),
            "mcpConfigs": [
                {"name": "crm-all", "description": "All of the CRM",
                 "connectionToolMappings": [{"connectionName": "crm"}]},
                {"name": "mixed", "connectionToolMappings": [
                    {"connectionName": "crm", "tools": ["crm_get"]},
                    {"connectionName": "mail", "tools": ["mail_send", "mail_search"]},
                ]},
            ],
        }))
        .await;
        Mcp { api, hits }
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    /// The configuration named `name`, as ListMcpConfigs answers it.
    pub async fn config(&self, name: &str) -> Value {
        let (status, body) = self.api.get(&format!("{CONFIGS}?filter.name={name}")).await;
        assert_eq!(status, 200, "{body}");
        body["configs"][0].clone()
    }

    /// The instance of configuration `config_name` for `user` (EnsureMcpInstance over REST).
    pub async fn instance(&self, config_name: &str, user: &str) -> Value {
        let body = json!({"config_name": config_name, "user_identifier": user});
        let (status, answer) = self.api.post(INSTANCES, body).await;
        assert_eq!(status, 200, "{answer}");
        answer["instance"].clone()
    }

    /// A session token of `name`'s configuration for `identifier`, with `extra` fields
    /// (`expiry`, `access_level`); returns the server URL and the token.
    pub async fn config_token(
        &self,
        name: &str,
        identifier: &str,
        extra: Value,
    ) -> (String, String) {
        let c = self.config(name).await;
        let path = format!("{CONFIGS}/{}/tokens", c["id"].as_str().unwrap());
        let token = mint(&self.api, &path, identifier, extra).await;
        (c["mcp_server_url"].as_str().unwrap().to_owned(), token)
    }

    /// A session token of connection `name`'s own server; returns its URL and the token.
    pub async fn connection_token(
        &self,
        name: &str,
        identifier: &str,
        extra: Value,
    ) -> (String, String) {
        let path = format!("/api/v1/mcp/connections/{name}/tokens");
        let token = mint(&self.api, &path, identifier, extra).await;
        (self.api.url(&format!("/mcp/v3/connections/{name}")), token)
    }
}

/// `POST path` (a token binding) with `{identifier, …extra}`: the token, checked to be minted.
pub async fn mint(api: &Api, path: &str, identifier: &str, extra: Value) -> String {
    let mut body = json!({ "identifier": identifier });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (status, answer) = api.post(path, body).await;
    assert_eq!(status, 200, "{answer}");
    answer["token"].as_str().unwrap().to_owned()
}

/// An MCP JSON-RPC request to `url` as a Streamable HTTP client sends it, without Authorization.
pub fn request(
    http: &reqwest::Client,
    url: &str,
    method: &str,
    params: Value,
) -> reqwest::RequestBuilder {
    http.post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", PROTOCOL)
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string())
}

/// One MCP JSON-RPC request to `url` with `token` as bearer (none: no Authorization).
pub async fn rpc(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    method: &str,
    params: Value,
) -> (StatusCode, Value) {
    let mut req = request(http, url, method, params);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    send(req).await
}

/// `initialize`, as every client starts; the server's answer.
pub async fn initialize(http: &reqwest::Client, url: &str, token: &str) -> Value {
    let params = json!({"protocolVersion": PROTOCOL, "capabilities": {},
                        "clientInfo": {"name": "scalekit-tests", "version": "1"}});
    let (status, body) = rpc(http, url, Some(token), "initialize", params).await;
    assert_eq!(status, 200, "{body}");
    body["result"].clone()
}

/// `tools/list`: the tools, as MCP describes them.
pub async fn list_tools(http: &reqwest::Client, url: &str, token: &str) -> Vec<Value> {
    let (status, body) = rpc(http, url, Some(token), "tools/list", json!({})).await;
    assert_eq!(status, 200, "{body}");
    body["result"]["tools"].as_array().unwrap().clone()
}

/// The names of [`list_tools`].
pub async fn tool_names(http: &reqwest::Client, url: &str, token: &str) -> Vec<String> {
    let tools = list_tools(http, url, token).await;
    tools
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

/// `tools/call`: the JSON-RPC answer (a `result`, or an `error`).
pub async fn call_tool(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    name: &str,
    args: Value,
) -> Value {
    let params = json!({"name": name, "arguments": args});
    let (status, body) = rpc(http, url, Some(token), "tools/call", params).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The text of a tool error result, checked to be one.
pub fn tool_error(answer: &Value) -> &str {
    assert_eq!(answer["result"]["isError"], json!(true), "{answer}");
    answer["result"]["content"][0]["text"].as_str().unwrap()
}
