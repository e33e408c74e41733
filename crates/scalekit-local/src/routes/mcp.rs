//! The MCP control plane over REST (docs/wire-protocol.md §13): the bindings of
//! `scalekit.v1.mcp.McpService`, each merging its path parameters into the body (grpc-gateway's
//! `body: "*"`) and calling `mcp::api`, which the gRPC binding calls too. Also the JWK Set of the
//! session tokens' key.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, on, post, MethodFilter, MethodRouter};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::catalog::parse_bool;
use crate::gate::{Answer, Authorized, Counted, Reply};
use crate::mcp::api;
use crate::shared::Shared;
use crate::stats::endpoint::{
    Keys, McpConnectedAccounts, McpCreateConfig, McpDeleteConfig, McpDeleteInstance,
    McpEnsureInstance, McpGetConfig, McpGetInstance, McpInstanceAuthState, McpListConfigs,
    McpListInstances, McpSessionToken, McpUpdateConfig, McpUpdateInstance,
};
use crate::stats::Endpoint;
use crate::wire::{parse_body, ApiError, Query};

type Shr = State<Arc<Shared>>;
type Route = MethodRouter<Arc<Shared>>;
/// An `mcp::api` operation on the REST body.
type Op = fn(&Shared, &Map<String, Value>) -> Result<Value, ApiError>;

const CONFIGS: &str = "/api/v1/mcp/configs";
const CONFIG: &str = "/api/v1/mcp/configs/{config_id}";
const INSTANCES: &str = "/api/v1/mcp/instances";
const INSTANCE: &str = "/api/v1/mcp/instances/{instance_id}";

/// The bindings of McpService (docs/wire-protocol.md §13.4) and the JWK Set, as (path, route)
/// rows; the routes of one path merge into one. A path's parameters are named as the fields they
/// fill.
pub fn router() -> Router<Arc<Shared>> {
    use MethodFilter as M;
    let routes: [(&str, Route); 15] = [
        (
            CONFIGS,
            body::<McpCreateConfig>(StatusCode::CREATED, api::create_config),
        ),
        (CONFIGS, list::<McpListConfigs>(api::list_configs)),
        (CONFIG, at::<McpGetConfig>(M::GET, api::get_config)),
        (
            CONFIG,
            with_body_at::<McpUpdateConfig>(M::PUT, api::update_config),
        ),
        (CONFIG, at::<McpDeleteConfig>(M::DELETE, api::delete_config)),
        (
            "/api/v1/mcp/configs/{config_id}/connected_accounts",
            with_body_at::<McpConnectedAccounts>(M::POST, api::connected_accounts),
        ),
        (
            "/api/v1/mcp/configs/{mcp_config_id}/tokens",
            with_body_at::<McpSessionToken>(M::POST, api::session_token),
        ),
        (
            "/api/v1/mcp/connections/{key_id}/tokens",
            with_body_at::<McpSessionToken>(M::POST, api::session_token),
        ),
        (
            INSTANCES,
            body::<McpEnsureInstance>(StatusCode::OK, api::ensure_instance),
        ),
        (INSTANCES, list::<McpListInstances>(api::list_instances)),
        (INSTANCE, at::<McpGetInstance>(M::GET, api::get_instance)),
        (
            INSTANCE,
            with_body_at::<McpUpdateInstance>(M::PATCH, api::update_instance),
        ),
        (
            INSTANCE,
            at::<McpDeleteInstance>(M::DELETE, api::delete_instance),
        ),
        (INSTANCE, post(instance_auth_state)),
        ("/keys", get(keys)),
    ];
    routes
        .into_iter()
        .fold(Router::new(), |router, (path, route)| {
            router.route(path, route)
        })
}

/// The path's parameters as JSON fields.
fn fields(path: Vec<(String, String)>) -> Map<String, Value> {
    path.into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// A `POST` binding whose input is the JSON body; it answers `status`.
fn body<E: Endpoint>(status: StatusCode, op: Op) -> Route {
    post(
        move |_: Authorized<E>, State(s): Shr, body: Bytes| async move {
            Ok::<_, ApiError>(Reply(status, op(&s, &parse_body(&body)?)?))
        },
    )
}

/// A binding without a body: its input is the path's parameters alone.
fn at<E: Endpoint>(method: MethodFilter, op: Op) -> Route {
    on(
        method,
        move |_: Authorized<E>, State(s): Shr, Path(path): Path<_>| async move {
            Ok::<_, ApiError>(Reply::ok(op(&s, &fields(path))?))
        },
    )
}

/// A binding whose input is the JSON body with the path's parameters set (grpc-gateway's
/// `body: "*"`: the path wins).
fn with_body_at<E: Endpoint>(method: MethodFilter, op: Op) -> Route {
    on(
        method,
        move |_: Authorized<E>, State(s): Shr, Path(path): Path<_>, body: Bytes| async move {
            let mut input = parse_body(&body)?;
            input.extend(fields(path));
            Ok::<_, ApiError>(Reply::ok(op(&s, &input)?))
        },
    )
}

/// A list binding (`GET`): its input is the query string.
fn list<E: Endpoint>(op: fn(&Shared, &Query) -> Result<Value, ApiError>) -> Route {
    get(
        move |_: Authorized<E>, State(s): Shr, RawQuery(q): RawQuery| async move {
            Ok::<_, ApiError>(Reply::ok(op(&s, &Query::parse(q.as_deref()))?))
        },
    )
}

/// `POST /api/v1/mcp/instances/{instance_id}:get_auth_state`: a custom verb, so the colon and
/// the verb are part of the one path segment; `include_auth_links` comes in the query (the
/// binding has no body).
async fn instance_auth_state(
    _: Authorized<McpInstanceAuthState>,
    State(s): Shr,
    Path(segment): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer {
    let Some(id) = segment.strip_suffix(":get_auth_state") else {
        return Err(ApiError::unimplemented(
            StatusCode::METHOD_NOT_ALLOWED,
            "method POST not allowed",
        ));
    };
    let q = Query::parse(q.as_deref());
    let links = parse_bool("include_auth_links", q.opt("include_auth_links"))?;
    let body = Map::from_iter([
        ("instance_id".to_owned(), json!(id)),
        ("include_auth_links".to_owned(), json!(links)),
    ]);
    Ok(Reply::ok(api::instance_auth_state(&s, &body)?))
}

/// `GET /keys`: the public key of the session tokens as a JWK Set (no bearer, as any JWKS).
async fn keys(_: Counted<Keys>, State(s): Shr) -> Answer {
    Ok(Reply::ok(s.mcp_signer.jwks()?))
}
