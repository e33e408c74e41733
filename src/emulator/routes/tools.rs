//! Connections and execute_tool (one built-in tool).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use serde_json::{json, Map, Value};

use super::validate::{check_connector, max_len};
use crate::emulator::gate::{Answer, Authorized, Reply};
use crate::emulator::shared::Shared;
use crate::emulator::stats::endpoint;
use crate::emulator::wire::{parse_body, random_token, ApiError, Input};
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

pub async fn execute_tool(_: Authorized<endpoint::ExecuteTool>, body: Bytes) -> Answer {
    Ok(Reply::ok(execute_tool_json(&parse_body(&body)?)?))
}

/// ExecuteTool on a request body: `{data, execution_id}` (the gRPC binding shares it).
pub fn execute_tool_json(body: &Map<String, Value>) -> Result<Value, ApiError> {
    let input = Input(body);
    let tool = input.required("tool_name")?;
    let connector = input.opt("connector")?;
    check_connector("connector", connector)?;
    for f in ["connected_account_id", "organization_id", "user_id"] {
        max_len(f, input.opt(f)?, 100)?;
    }
    max_len("agent_run_id", input.opt("agent_run_id")?, 255)?;
    if tool != ECHO_TOOL {
        return Err(ApiError::not_found(format!("tool {tool:?} not found")));
    }
    let params = input.object("params")?.cloned().unwrap_or_default();
    Ok(json!({
        "data": {
            "params": params,
            "connector": connector.unwrap_or_default(),
            "identifier": input.opt("identifier")?.unwrap_or_default(),
        },
        "execution_id": format!("exec_{}", random_token()),
    }))
}
