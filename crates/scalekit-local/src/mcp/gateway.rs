//! The MCP gateway (docs/wire-protocol.md §13): every configuration's MCP server
//! (`/mcp/v3/servers/<server id>`) and every connection's own (`/mcp/v3/connections/<name>`),
//! over Streamable HTTP with the official Rust MCP SDK (rmcp), stateless, JSON answers.
//!
//! The bearer is checked here, before rmcp sees the request: a missing, expired, forged or
//! other-server session token is a 401 with `WWW-Authenticate: Bearer`. The verified session
//! rides in the request's extensions, which rmcp hands to the handler. `tools/call` runs a tool
//! through `tool_call::execute`, exactly as ExecuteTool does; whatever goes wrong there is a tool
//! error result (`isError: true`), never a protocol error.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Map, Value};
use tower::ServiceExt as _;

use super::model::{connection_url, server_url, CONNECTIONS_PATH, SERVERS_PATH};
use super::session::Refusal;
use crate::catalog::CatalogTool;
use crate::links::magic_link_url;
use crate::model::{Selector, Status};
use crate::shared::Shared;
use crate::stats::{endpoint, Endpoint};
use crate::tool_call::{execute, Caller};
use crate::wire::{camel, ApiError};
use scalekit_wire::sync::lock;

/// The MCP server a request addresses, as its path names it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Server {
    /// A configuration's, by its id (resolved from the server id of the path).
    Config(String),
    /// A connection's own, by its exact name.
    Connection(String),
}

/// A verified session token, for the handler.
#[derive(Debug, Clone)]
struct Session {
    server: Server,
    identifier: String,
    read_only: bool,
}

type Mcp = StreamableHttpService<Gateway, NeverSessionManager>;

/// The gateway's routes, on the API listener.
pub fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        // Every request needs a session token this instance signed, which a rebinding page
        // cannot have; and LocalScalekit may listen on any `host`.
        .disable_allowed_hosts();
    let service: Mcp = StreamableHttpService::new(
        move || Ok(Gateway(shared.clone())),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let servers = service.clone();
    Router::new()
        .route(
            &format!("{SERVERS_PATH}/{{server_id}}"),
            any(
                move |State(s): State<Arc<Shared>>, Path(id): Path<String>, req: Request| {
                    serve(s, servers.clone(), Target::Server(id), req)
                },
            ),
        )
        .route(
            &format!("{CONNECTIONS_PATH}/{{name}}"),
            any(
                move |State(s): State<Arc<Shared>>, Path(name): Path<String>, req: Request| {
                    serve(s, service.clone(), Target::Connection(name), req)
                },
            ),
        )
}

/// The path's last segment, by route.
enum Target {
    Server(String),
    Connection(String),
}

async fn serve(shared: Arc<Shared>, service: Mcp, target: Target, mut req: Request) -> Response {
    shared.stats.count(endpoint::McpGateway::NAME);
    let session = match admit(&shared, target, req.headers()) {
        Ok(s) => s,
        Err(None) => return ApiError::not_found("no MCP server at this URL").into_response(),
        Err(Some(why)) => return unauthorized(&why),
    };
    req.extensions_mut().insert(session);
    match service.oneshot(req).await {
        Ok(resp) => resp.map(Body::new),
        Err(never) => match never {},
    }
}

/// The addressed server (`Err(None)`: there is none), then the bearer (`Err(Some(why))` unless
/// it is a session token of this instance for exactly this server).
fn admit(shared: &Shared, target: Target, headers: &HeaderMap) -> Result<Session, Option<Refusal>> {
    let base = &shared.settings.base_url;
    let (server, audience, expected) = {
        let store = lock(&shared.store);
        let found = match &target {
            Target::Server(id) => store.mcp_config_by_server(id).map(|c| {
                let url = server_url(base, &c.server_id);
                (Server::Config(c.id.clone()), url, c.id.clone())
            }),
            Target::Connection(name) => store.connection(name).map(|c| {
                let url = connection_url(base, &c.name);
                (Server::Connection(c.name.clone()), url, c.id.clone())
            }),
        };
        found.ok_or(None)?
    };
    let token = bearer(headers).ok_or(Some(Refusal::Missing))?;
    let claims = shared.mcp_signer.verify(token, &audience).map_err(Some)?;
    let named = match &server {
        Server::Config(_) => claims.mcp_cfg.as_deref(),
        Server::Connection(_) => claims.conn_id.as_deref(),
    };
    if named != Some(expected.as_str()) {
        return Err(Some(Refusal::Audience));
    }
    Ok(Session {
        read_only: claims.read_only(),
        identifier: claims.sub,
        server,
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// 401 with the RFC 6750 challenge: no error code when no token came, `invalid_token` else.
fn unauthorized(why: &Refusal) -> Response {
    let challenge = match why {
        Refusal::Missing => r#"Bearer realm="LocalScalekit MCP""#.to_owned(),
        other => format!(
            r#"Bearer realm="LocalScalekit MCP", error="invalid_token", error_description="{other}""#
        ),
    };
    let body = json!({ "error": "invalid_token", "error_description": why.to_string() });
    let mut resp = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// The rmcp handler: one per request (stateless), over the shared state.
#[derive(Clone)]
pub struct Gateway(Arc<Shared>);

fn session(ctx: &RequestContext<RoleServer>) -> Result<Session, ErrorData> {
    ctx.extensions
        .get::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<Session>())
        .cloned()
        .ok_or_else(|| ErrorData::internal_error("no verified session on the request", None))
}

/// An MCP `Tool` from a catalog tool: `annotations` in MCP's camelCase.
fn mcp_tool(t: &CatalogTool) -> Result<Tool, ErrorData> {
    let mut v = json!({
        "name": t.name,
        "description": t.description,
        "inputSchema": t.input_schema,
    });
    if let (Some(a), Value::Object(m)) = (&t.annotations, &mut v) {
        let hints: Map<String, Value> = a.iter().map(|(k, v)| (camel(k), v.clone())).collect();
        m.insert("annotations".into(), Value::Object(hints));
    }
    serde_json::from_value(v)
        .map_err(|e| ErrorData::internal_error(format!("tool {}: {e}", t.name), None))
}

fn tool_error(text: String) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(text)]).into()
}

impl Gateway {
    /// The tools the session's server exposes (before the READ_ONLY filter).
    fn tools(&self, s: &Session) -> Vec<&CatalogTool> {
        let all = &self.0.tools;
        match &s.server {
            Server::Config(id) => {
                let store = lock(&self.0.store);
                let tools = store
                    .mcp_config(id)
                    .map(|c| store.config_tools(c, all))
                    .unwrap_or_default();
                tools
            }
            Server::Connection(name) => all.iter().filter(|t| &t.connection == name).collect(),
        }
    }

    /// The message of a failed call. When the user's account on the tool's connection is
    /// missing or not ACTIVE, it says so with a magic link that authorizes it (the account is
    /// created PENDING_AUTH when missing, as GetMagicLink does).
    fn failure(&self, tool: &CatalogTool, s: &Session, e: ApiError) -> String {
        // Not found (5) and not ACTIVE (9) are the account's; the rest are the input's or the
        // provider's.
        if !matches!(e.code, 5 | 9) {
            return e.message;
        }
        let conn = &tool.connection;
        let mut store = lock(&self.0.store);
        let account = store
            .routed_account(conn, &s.identifier)
            .map(|i| (store.accounts[i].id.clone(), store.accounts[i].status));
        let status = match &account {
            Some((_, st)) if *st == Status::Active => return e.message,
            Some((_, st)) => st.name(),
            None => "missing",
        };
        let sel = Selector {
            id: account.map(|(id, _)| id),
            connector: Some(conn.clone()),
            identifier: Some(s.identifier.clone()),
            ..Selector::default()
        };
        let link = match store.magic_link(&sel, None, None) {
            Ok((token, _)) => magic_link_url(&self.0.settings.base_url, &token),
            Err(_) => return e.message,
        };
        format!(
            "The connected account of {:?} on connection {conn:?} is not connected ({status}). \
             Authorize it at {link} and call the tool again.",
            s.identifier
        )
    }
}

impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build()).with_server_info(
            Implementation::new("LocalScalekit", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let s = session(&ctx)?;
        let tools = self
            .tools(&s)
            .into_iter()
            .filter(|t| !s.read_only || t.read_only())
            .map(mcp_tool)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let s = session(&ctx)?;
        let tools = self.tools(&s);
        let Some(tool) = tools.into_iter().find(|t| t.name == request.name) else {
            return Err(ErrorData::invalid_params(
                format!("unknown tool: {}", request.name),
                None,
            ));
        };
        if s.read_only && !tool.read_only() {
            return Ok(tool_error(format!(
                "tool {} is not read-only, and this session token is READ_ONLY",
                tool.name
            )));
        }
        let caller = Caller {
            connected_account_id: None,
            connector: None,
            identifier: Some(&s.identifier),
        };
        let params = request.arguments.unwrap_or_default();
        let result = execute(&self.0, tool, caller, params).await;
        if let Server::Config(id) = &s.server {
            lock(&self.0.store).touch_mcp_instances(id, &s.identifier);
        }
        Ok(match result {
            Ok(answer) => CallToolResult::structured(answer["data"].clone()).into(),
            Err(e) => tool_error(self.failure(tool, &s, e)),
        })
    }
}
