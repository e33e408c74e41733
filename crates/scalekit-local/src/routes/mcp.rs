//! The MCP control plane over REST (docs/wire-protocol.md §13): the bindings of
//! `scalekit.v1.mcp.McpService`, each merging its path parameters into the body (grpc-gateway's
//! `body: "*"`) and calling `mcp::api`, which the gRPC binding calls too. Also the JWK Set of the
//! session tokens' key.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
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
use crate::wire::{parse_body, ApiError, Query};

type Shr = State<Arc<Shared>>;

/// The JSON body with `field` set from the path (the path wins, as in grpc-gateway).
fn with_path(body: &[u8], field: &str, value: String) -> Result<Map<String, Value>, ApiError> {
    let mut m = parse_body(body)?;
    m.insert(field.to_owned(), Value::String(value));
    Ok(m)
}

/// Just the path parameter, for the bindings without a body.
fn path_only(field: &str, value: String) -> Map<String, Value> {
    Map::from_iter([(field.to_owned(), Value::String(value))])
}

pub async fn create_config(_: Authorized<McpCreateConfig>, State(s): Shr, body: Bytes) -> Answer {
    let created = api::create_config(&s, &parse_body(&body)?)?;
    Ok(Reply(StatusCode::CREATED, created))
}

pub async fn list_configs(
    _: Authorized<McpListConfigs>,
    State(s): Shr,
    RawQuery(q): RawQuery,
) -> Answer {
    Ok(Reply::ok(api::list_configs(
        &s,
        &Query::parse(q.as_deref()),
    )?))
}

pub async fn get_config(
    _: Authorized<McpGetConfig>,
    State(s): Shr,
    Path(id): Path<String>,
) -> Answer {
    Ok(Reply::ok(api::get_config(&s, &path_only("config_id", id))?))
}

pub async fn update_config(
    _: Authorized<McpUpdateConfig>,
    State(s): Shr,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    Ok(Reply::ok(api::update_config(
        &s,
        &with_path(&body, "config_id", id)?,
    )?))
}

pub async fn delete_config(
    _: Authorized<McpDeleteConfig>,
    State(s): Shr,
    Path(id): Path<String>,
) -> Answer {
    Ok(Reply::ok(api::delete_config(
        &s,
        &path_only("config_id", id),
    )?))
}

pub async fn connected_accounts(
    _: Authorized<McpConnectedAccounts>,
    State(s): Shr,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = with_path(&body, "config_id", id)?;
    Ok(Reply::ok(api::connected_accounts(&s, &body)?))
}

pub async fn config_token(
    _: Authorized<McpSessionToken>,
    State(s): Shr,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = with_path(&body, "mcp_config_id", id)?;
    Ok(Reply::ok(api::session_token(&s, &body)?))
}

pub async fn connection_token(
    _: Authorized<McpSessionToken>,
    State(s): Shr,
    Path(key_id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = with_path(&body, "key_id", key_id)?;
    Ok(Reply::ok(api::session_token(&s, &body)?))
}

pub async fn ensure_instance(
    _: Authorized<McpEnsureInstance>,
    State(s): Shr,
    body: Bytes,
) -> Answer {
    Ok(Reply::ok(api::ensure_instance(&s, &parse_body(&body)?)?))
}

pub async fn list_instances(
    _: Authorized<McpListInstances>,
    State(s): Shr,
    RawQuery(q): RawQuery,
) -> Answer {
    Ok(Reply::ok(api::list_instances(
        &s,
        &Query::parse(q.as_deref()),
    )?))
}

pub async fn get_instance(
    _: Authorized<McpGetInstance>,
    State(s): Shr,
    Path(id): Path<String>,
) -> Answer {
    Ok(Reply::ok(api::get_instance(
        &s,
        &path_only("instance_id", id),
    )?))
}

pub async fn update_instance(
    _: Authorized<McpUpdateInstance>,
    State(s): Shr,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    Ok(Reply::ok(api::update_instance(
        &s,
        &with_path(&body, "instance_id", id)?,
    )?))
}

pub async fn delete_instance(
    _: Authorized<McpDeleteInstance>,
    State(s): Shr,
    Path(id): Path<String>,
) -> Answer {
    Ok(Reply::ok(api::delete_instance(
        &s,
        &path_only("instance_id", id),
    )?))
}

/// `POST /api/v1/mcp/instances/{instance_id}:get_auth_state`: a custom verb, so the colon and
/// the verb are part of the one path segment; `include_auth_links` comes in the query (the
/// binding has no body).
pub async fn instance_auth_state(
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
pub async fn keys(_: Counted<Keys>, State(s): Shr) -> Answer {
    Ok(Reply::ok(s.mcp_signer.jwks()?))
}
