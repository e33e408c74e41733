//! Connections, the tool catalog's list calls and execute_tool (the catalog's tools plus one
//! built-in tool), docs/wire-protocol.md §11.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use serde_json::{json, Map, Value};

use super::validate::{check_connector, max_len};
use crate::catalog;
use crate::gate::{Answer, Authorized, Reply};
use crate::shared::Shared;
use crate::stats::{endpoint, Endpoint};
use crate::store::Store;
use crate::tool_call::{execute, Caller};
use crate::wire::{parse_body, random_token, ApiError, Input, Query};
use scalekit_wire::sync::lock;

/// Name of the one built-in tool: returns its params (plus the addressed account) as `data`.
pub const ECHO_TOOL: &str = "emulator_echo";

pub async fn list_connections(
    _: Authorized<endpoint::ConnectionsList>,
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
) -> Answer {
    let q = Query::parse(q.as_deref());
    let list = lock(&shared.store).connections_json(q.opt("provider"), q.opt("query"));
    Ok(Reply::ok(list))
}

/// A catalog listing: the tools, the store (for accounts) and the call's query.
pub type Listing = fn(&[catalog::CatalogTool], &Store, &Query) -> Result<Value, ApiError>;

/// A tool listing's REST endpoint, with the catalog function that answers it.
pub trait ToolListing: Endpoint {
    const LIST: Listing;
}

impl ToolListing for endpoint::ToolsList {
    const LIST: Listing = catalog::list_tools;
}

impl ToolListing for endpoint::ToolsScoped {
    const LIST: Listing = catalog::list_scoped;
}

impl ToolListing for endpoint::ToolsAvailable {
    const LIST: Listing = catalog::list_available;
}

/// `GET /api/v1/tools`, `/tools/scoped` and `/tools/available`, by their endpoint.
pub async fn list<E: ToolListing>(
    _: Authorized<E>,
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
) -> Answer {
    Ok(Reply::ok(list_json(
        &shared,
        E::LIST,
        &Query::parse(q.as_deref()),
    )?))
}

/// A list call on its query (the gRPC binding builds the same query from its message).
pub fn list_json(shared: &Shared, list: Listing, q: &Query) -> Result<Value, ApiError> {
    list(&shared.tools, &lock(&shared.store), q)
}

/// `POST /api/v1/tools:search` (docs/wire-protocol.md §15, `crate::search`).
pub async fn search(
    _: Authorized<endpoint::ToolsSearch>,
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Answer {
    let body = parse_body(&body)?;
    let found = crate::search::search_json(&shared.tools, &lock(&shared.store), &body)?;
    Ok(Reply::ok(found))
}

pub async fn execute_tool(
    _: Authorized<endpoint::ExecuteTool>,
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Answer {
    Ok(Reply::ok(
        execute_tool_json(&shared, &parse_body(&body)?).await?,
    ))
}

/// ExecuteTool on a request body: `{data, execution_id}` (the gRPC binding shares it).
pub async fn execute_tool_json(
    shared: &Shared,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let input = Input(body);
    let tool = input.required("tool_name")?;
    let connector = input.opt("connector")?;
    check_connector("connector", connector)?;
    for f in ["connected_account_id", "organization_id", "user_id"] {
        max_len(f, input.opt(f)?, 100)?;
    }
    max_len("agent_run_id", input.opt("agent_run_id")?, 255)?;
    let params = input.object("params")?.cloned().unwrap_or_default();
    if tool != ECHO_TOOL {
        let Some(found) = shared.tools.iter().find(|t| t.name == tool) else {
            return Err(ApiError::not_found(format!("tool {tool:?} not found")));
        };
        let caller = Caller {
            connected_account_id: input.opt("connected_account_id")?,
            connector,
            identifier: input.opt("identifier")?,
        };
        return execute(shared, found, caller, params).await;
    }
    Ok(json!({
        "data": {
            "params": params,
            "connector": connector.unwrap_or_default(),
            "identifier": input.opt("identifier")?.unwrap_or_default(),
        },
        "execution_id": format!("exec_{}", random_token()),
    }))
}
