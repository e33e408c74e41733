//! MCP in LocalScalekit (docs/wire-protocol.md §13): the control plane of
//! `scalekit.v1.mcp.McpService` (configurations, instances, auth state, session tokens) and the
//! gateway that serves the MCP servers those tokens open.
//!
//! Layout: `model` (records and validated shapes), `validate` (input rules), `store` (the
//! operations on the store), `api` (each operation on the REST binding's JSON, shared with the
//! gRPC binding), `session` (the JWTs), `gateway` (Streamable HTTP, on rmcp).

pub mod api;
pub mod gateway;
pub mod model;
pub mod session;
pub mod store;
pub mod validate;

use serde_json::{json, Map, Value};

use crate::catalog::CatalogTool;
use crate::options::McpConfigSeed;
use crate::store::Store;
use crate::EmulatorError;

/// Loads the `mcpConfigs` option, each checked as CreateMcpConfig checks a request.
pub fn seed(
    store: &mut Store,
    seeds: Option<Vec<McpConfigSeed>>,
    tools: &[CatalogTool],
) -> Result<(), EmulatorError> {
    for (i, s) in seeds.unwrap_or_default().into_iter().enumerate() {
        let mappings: Vec<Value> = s
            .connection_tool_mappings
            .iter()
            .map(|m| json!({ "connection_name": m.connection_name, "tools": m.tools }))
            .collect();
        let body: Map<String, Value> = Map::from_iter([
            ("name".to_owned(), json!(s.name)),
            ("description".to_owned(), json!(s.description)),
            (
                "connection_tool_mappings".to_owned(),
                Value::Array(mappings),
            ),
        ]);
        validate::create_config(&body)
            .and_then(|w| store.create_mcp_config(w, tools))
            .map_err(|e| {
                EmulatorError::Options(format!("mcpConfigs[{i}] ({}): {}", s.name, e.message))
            })?;
    }
    Ok(())
}
