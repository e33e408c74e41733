//! The MCP control plane's operations (docs/wire-protocol.md §13), each on the REST binding's
//! JSON body (path parameters merged in) or query string, answering the REST binding's JSON. The
//! REST handlers (`routes::mcp`) and the gRPC methods (`grpc::mcp`) both call these: one set of
//! rules, one state.

use serde_json::{json, Map, Value};

use super::model::{McpConfig, McpInstance};
use super::validate;
use crate::shared::Shared;
use crate::store::Store;
use crate::wire::{rfc3339, ApiError, Input, Query};
use scalekit_wire::sync::lock;

/// What every operation answers.
type Answer = Result<Value, ApiError>;

/// A boolean field: absent is false.
fn flag(input: &Input<'_>, field: &str) -> Result<bool, ApiError> {
    match input.get(field) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::invalid(format!("{field}: must be a boolean"))),
    }
}

fn base(shared: &Shared) -> &str {
    &shared.settings.base_url
}

/// The required id under `field`.
fn id(body: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    validate::required(&Input(body), field)
}

/// `{config}`, as create, get and update answer.
fn config_answer(shared: &Shared, store: &Store, c: &McpConfig) -> Answer {
    Ok(json!({ "config": store.config_json(c, base(shared), None) }))
}

/// `{instance}`, as ensure, get and update answer.
fn instance_answer(shared: &Shared, store: &Store, x: &McpInstance) -> Answer {
    Ok(json!({ "instance": store.instance_json(x, base(shared)) }))
}

/// A delete: `{}` once `delete` removed the record `id`.
fn delete(
    shared: &Shared,
    id: String,
    delete: fn(&mut Store, &str) -> Result<(), ApiError>,
) -> Answer {
    delete(&mut lock(&shared.store), &id)?;
    Ok(json!({}))
}

/// A list: `list` through the checked query `q`, a page of wire-shape records.
fn list<Q>(shared: &Shared, q: Q, list: fn(&Store, &Q, &str) -> Value) -> Answer {
    Ok(list(&lock(&shared.store), &q, base(shared)))
}

pub fn create_config(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let write = validate::create_config(body)?;
    let mut store = lock(&shared.store);
    let c = store.create_mcp_config(write, &shared.tools)?;
    config_answer(shared, &store, &c)
}

pub fn update_config(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let id = id(body, "config_id")?;
    let write = validate::update_config(body)?;
    let mut store = lock(&shared.store);
    let c = store.update_mcp_config(&id, write, &shared.tools)?;
    config_answer(shared, &store, &c)
}

pub fn get_config(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let store = lock(&shared.store);
    config_answer(shared, &store, store.mcp_config(&id(body, "config_id")?)?)
}

pub fn delete_config(shared: &Shared, body: &Map<String, Value>) -> Answer {
    delete(shared, id(body, "config_id")?, Store::delete_mcp_config)
}

pub fn list_configs(shared: &Shared, q: &Query) -> Answer {
    list(shared, validate::config_query(q)?, Store::list_mcp_configs)
}

pub fn ensure_instance(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let input = Input(body);
    let config_name = validate::required(&input, "config_name")?;
    let user = validate::required(&input, "user_identifier")?;
    let name = input.opt("name")?;
    let mut store = lock(&shared.store);
    let x = store.ensure_mcp_instance(name, &config_name, &user)?;
    instance_answer(shared, &store, &x)
}

pub fn get_instance(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let store = lock(&shared.store);
    instance_answer(
        shared,
        &store,
        store.mcp_instance(&id(body, "instance_id")?)?,
    )
}

pub fn update_instance(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let input = Input(body);
    let id = id(body, "instance_id")?;
    let mut store = lock(&shared.store);
    let x = store.update_mcp_instance(&id, input.opt("name")?, input.opt("config_name")?)?;
    instance_answer(shared, &store, &x)
}

pub fn delete_instance(shared: &Shared, body: &Map<String, Value>) -> Answer {
    delete(shared, id(body, "instance_id")?, Store::delete_mcp_instance)
}

pub fn list_instances(shared: &Shared, q: &Query) -> Answer {
    list(
        shared,
        validate::instance_query(q)?,
        Store::list_mcp_instances,
    )
}

/// GetMcpInstanceAuthState: the rows of the instance's configuration for its user.
pub fn instance_auth_state(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let id = id(body, "instance_id")?;
    let links = flag(&Input(body), "include_auth_links")?;
    let mut store = lock(&shared.store);
    let x = store.mcp_instance(&id)?.clone();
    let rows = store.mcp_auth_rows(&x.config_id, &x.user_identifier, links, base(shared))?;
    Ok(json!({ "connections": rows }))
}

/// ListMcpConnectedAccounts: the rows of a configuration for an identifier.
pub fn connected_accounts(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let input = Input(body);
    let id = id(body, "config_id")?;
    let user = validate::required(&input, "identifier")?;
    let links = flag(&input, "include_auth_link")?;
    let rows = lock(&shared.store).mcp_auth_rows(&id, &user, links, base(shared))?;
    Ok(json!({ "connected_accounts": rows }))
}

/// CreateMcpSessionToken: `{token, expires_at}`; the store resolves what the token grants, the
/// signing happens outside its lock.
pub fn session_token(shared: &Shared, body: &Map<String, Value>) -> Answer {
    let req = validate::token_request(body)?;
    let grant = lock(&shared.store).grant(&req, base(shared))?;
    let (token, expires_at) =
        shared
            .mcp_signer
            .mint(grant, &req.identifier, req.ttl, req.access)?;
    Ok(json!({ "token": token, "expires_at": rfc3339(expires_at) }))
}
