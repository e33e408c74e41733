//! Connections, the tool catalog's list calls and execute_tool (the catalog's tools plus one
//! built-in tool), docs/wire-protocol.md §11.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use serde_json::{json, Map, Value};

use super::validate::{check_connector, max_len};
use crate::emulator::catalog;
use crate::emulator::gate::{Answer, Authorized, Reply};
use crate::emulator::shared::Shared;
use crate::emulator::stats::endpoint;
use crate::emulator::tool_call::{execute, Caller};
use crate::emulator::wire::{parse_body, random_token, ApiError, Input, Query};
use crate::sync::lock;

/// Name of the one built-in tool: returns its params (plus the addressed account) as `data`.
pub const ECHO_TOOL: &str = "emulator_echo";

pub async fn list_connections(
    _: Authorized<endpoint::ConnectionsList>,
    State(shared): State<Arc<Shared>>,
) -> Answer {
    let list = lock(&shared.store).connections_json();
    Ok(Reply::ok(list))
}

pub async fn list_tools(
    _: Authorized<endpoint::ToolsList>,
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
) -> Answer {
    Ok(Reply::ok(list_json(
        &shared,
        ListKind::All,
        &Query::parse(q.as_deref()),
    )?))
}

pub async fn list_scoped_tools(
    _: Authorized<endpoint::ToolsScoped>,
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
) -> Answer {
    Ok(Reply::ok(list_json(
        &shared,
        ListKind::Scoped,
        &Query::parse(q.as_deref()),
    )?))
}

pub async fn list_available_tools(
    _: Authorized<endpoint::ToolsAvailable>,
    State(shared): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
) -> Answer {
    Ok(Reply::ok(list_json(
        &shared,
        ListKind::Available,
        &Query::parse(q.as_deref()),
    )?))
}

/// Which of the three list calls.
#[derive(Debug, Clone, Copy)]
pub enum ListKind {
    All,
    Scoped,
    Available,
}

/// A list call on its query (the gRPC binding builds the same query from its message).
pub fn list_json(shared: &Shared, kind: ListKind, q: &Query) -> Result<Value, ApiError> {
    let store = lock(&shared.store);
    match kind {
        ListKind::All => catalog::list_tools(&shared.tools, &store, q),
        ListKind::Scoped => catalog::list_scoped(&shared.tools, &store, q),
        ListKind::Available => catalog::list_available(&shared.tools, &store, q),
    }
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
