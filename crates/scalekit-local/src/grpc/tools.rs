//! `scalekit.v1.tools.ToolService` (ListTools, ListScopedTools, ListAvailableTools, ExecuteTool;
//! docs/wire-protocol.md §11) and
//! `scalekit.v1.connections.ConnectionService.ListAppConnections` (docs/wire-protocol.md §12),
//! over the REST side's handlers (see the module doc of `grpc`).

use std::sync::Arc;

use serde_json::Value;
use tonic::Request;

use super::convert::{self, fields};
use super::proto::scalekit::v1::connections as conn_pb;
use super::proto::scalekit::v1::tools as pb;
use super::{serve, serve_async, Reply};
use crate::catalog;
use crate::routes::tools::{execute_tool_json, list_json};
use crate::shared::Shared;
use crate::stats::endpoint;
use crate::wire::Query;
use scalekit_wire::sync::lock;

pub struct Tools(pub Arc<Shared>);

#[tonic::async_trait]
impl pb::tool_service_server::ToolService for Tools {
    async fn execute_tool(
        &self,
        request: Request<pb::ExecuteToolRequest>,
    ) -> Reply<pb::ExecuteToolResponse> {
        serve_async::<endpoint::GrpcExecuteTool, _, _, _>(&self.0, request, |r| async move {
            let mut body = fields([
                ("tool_name", Some(r.tool_name.as_str())),
                ("identifier", r.identifier.as_deref()),
                ("connected_account_id", r.connected_account_id.as_deref()),
                ("connector", r.connector.as_deref()),
                ("organization_id", r.organization_id.as_deref()),
                ("user_id", r.user_id.as_deref()),
                ("agent_run_id", r.agent_run_id.as_deref()),
            ]);
            if let Some(p) = &r.params {
                body.insert("params".into(), Value::Object(convert::json_of_struct(p)));
            }
            let answer = execute_tool_json(&self.0, &body).await?;
            Ok(pb::ExecuteToolResponse {
                data: answer
                    .get("data")
                    .and_then(Value::as_object)
                    .map(convert::struct_of),
                execution_id: convert::string(&answer, "execution_id"),
            })
        })
        .await
    }

    /// As the REST binding (`crate::search`), its answer read back into the message.
    async fn search_tools(
        &self,
        request: Request<pb::SearchToolsRequest>,
    ) -> Reply<pb::SearchToolsResponse> {
        serve::<endpoint::GrpcSearchTools, _, _>(&self.0, request, |r| {
            let mut body = fields([
                ("query", Some(r.query.as_str())),
                ("identifier", r.identifier.as_deref()),
            ]);
            body.insert("top_k".into(), r.top_k.into());
            let found = crate::search::search_json(&self.0.tools, &lock(&self.0.store), &body)?;
            Ok(pb::SearchToolsResponse {
                tools: items(&found).map(searched).collect(),
            })
        })
    }

    async fn list_tools(
        &self,
        request: Request<pb::ListToolsRequest>,
    ) -> Reply<pb::ListToolsResponse> {
        serve::<endpoint::GrpcListTools, _, _>(&self.0, request, |r| {
            let mut q = page_query(r.page_size, &r.page_token);
            if let Some(f) = &r.filter {
                q.extend(pairs("filter.provider", [&f.provider]));
                q.extend(pairs("filter.identifier", [&f.identifier]));
                q.extend(pairs("filter.tool_name", &f.tool_name));
                q.extend(pairs("filter.query", &f.query));
                q.extend(pairs("filter.connector", &f.connector));
                q.extend(pairs("filter.organization_id", &f.organization_id));
                q.extend(pairs("filter.user_id", &f.user_id));
                q.extend(pairs(
                    "filter.connected_account_id",
                    &f.connected_account_id,
                ));
                if let Some(summary) = f.summary {
                    q.push(("filter.summary".into(), summary.to_string()));
                }
            }
            let list = list_json(&self.0, catalog::list_tools, &Query(q))?;
            Ok(pb::ListToolsResponse {
                next_page_token: convert::string(&list, "next_page_token"),
                total_size: convert::count(&list, "total_size"),
                prev_page_token: convert::string(&list, "prev_page_token"),
                tool_names: convert::texts(&list, "tool_names"),
                tools: items(&list).map(tool).collect(),
            })
        })
    }

    async fn list_scoped_tools(
        &self,
        request: Request<pb::ListScopedToolsRequest>,
    ) -> Reply<pb::ListScopedToolsResponse> {
        serve::<endpoint::GrpcListScopedTools, _, _>(&self.0, request, |r| {
            let mut q = page_query(r.page_size, &r.page_token);
            q.extend(pairs("identifier", [&r.identifier]));
            if let Some(f) = &r.filter {
                q.extend(pairs("filter.providers", &f.providers));
                q.extend(pairs("filter.tool_names", &f.tool_names));
                q.extend(pairs("filter.connection_names", &f.connection_names));
            }
            let list = list_json(&self.0, catalog::list_scoped, &Query(q))?;
            Ok(pb::ListScopedToolsResponse {
                next_page_token: convert::string(&list, "next_page_token"),
                total_size: convert::count(&list, "total_size"),
                prev_page_token: convert::string(&list, "prev_page_token"),
                tools: items(&list)
                    .map(|v| pb::ScopedTool {
                        tool: v.get("tool").map(tool),
                        identifier: convert::string(v, "identifier"),
                        connected_account_id: convert::string(v, "connected_account_id"),
                    })
                    .collect(),
            })
        })
    }

    async fn list_available_tools(
        &self,
        request: Request<pb::ListAvailableToolsRequest>,
    ) -> Reply<pb::ListAvailableToolsResponse> {
        serve::<endpoint::GrpcListAvailableTools, _, _>(&self.0, request, |r| {
            let mut q = page_query(r.page_size, &r.page_token);
            q.extend(pairs("identifier", [&r.identifier]));
            let list = list_json(&self.0, catalog::list_available, &Query(q))?;
            Ok(pb::ListAvailableToolsResponse {
                next_page_token: convert::string(&list, "next_page_token"),
                total_size: convert::count(&list, "total_size"),
                prev_page_token: convert::string(&list, "prev_page_token"),
                tools: items(&list).map(tool).collect(),
            })
        })
    }
}

/// The REST query of a list call's page fields (0 and "" mean unset, as on the REST side).
fn page_query(size: u32, token: &str) -> Vec<(String, String)> {
    let mut q = vec![("page_size".to_owned(), size.to_string())];
    q.extend(pairs("page_token", [token]));
    q
}

/// `key=value` for each non-empty value.
fn pairs<'a, S: AsRef<str> + 'a>(
    key: &'a str,
    values: impl IntoIterator<Item = S> + 'a,
) -> impl Iterator<Item = (String, String)> + 'a {
    values
        .into_iter()
        .filter(|v| !v.as_ref().is_empty())
        .map(move |v| (key.to_owned(), v.as_ref().to_owned()))
}

fn items(list: &Value) -> impl Iterator<Item = &Value> {
    list.get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A `SearchedTool` from its REST shape; readiness names back to their numbers.
fn searched(v: &Value) -> pb::SearchedTool {
    pb::SearchedTool {
        name: convert::string(v, "name"),
        provider: convert::string(v, "provider"),
        description: convert::string(v, "description"),
        score: v.get("score").and_then(Value::as_f64).unwrap_or_default(),
        connections: v
            .get("connections")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| pb::ConnectionReadiness {
                connection_name: convert::string(c, "connection_name"),
                connected_account_id: convert::string(c, "connected_account_id"),
                readiness_state: pb::ToolReadinessState::from_str_name(&convert::string(
                    c,
                    "readiness_state",
                ))
                .unwrap_or_default()
                .into(),
            })
            .collect(),
    }
}

/// A catalog `Tool` from its REST shape.
fn tool(v: &Value) -> pb::Tool {
    let object = |k: &str| v.get(k).and_then(Value::as_object).map(convert::struct_of);
    pb::Tool {
        id: convert::string(v, "id"),
        provider: convert::string(v, "provider"),
        definition: object("definition"),
        metadata: object("metadata"),
        tags: convert::texts(v, "tags"),
        is_default: v.get("is_default").and_then(Value::as_bool),
        updated_at: convert::timestamp(v.get("updated_at")),
    }
}

pub struct Connections(pub Arc<Shared>);

#[tonic::async_trait]
impl conn_pb::connection_service_server::ConnectionService for Connections {
    /// As the REST binding: the connections `provider` and `query` select, on one page.
    async fn list_app_connections(
        &self,
        request: Request<conn_pb::ListAppConnectionsRequest>,
    ) -> Reply<conn_pb::ListAppConnectionsResponse> {
        serve::<endpoint::GrpcListAppConnections, _, _>(&self.0, request, |m| {
            let list =
                lock(&self.0.store).connections_json(m.provider.as_deref(), m.query.as_deref());
            Ok(conn_pb::ListAppConnectionsResponse {
                connections: list
                    .get("connections")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(convert::connection).collect())
                    .unwrap_or_default(),
                next_page_token: convert::string(&list, "next_page_token"),
                prev_page_token: convert::string(&list, "prev_page_token"),
                total_size: convert::count(&list, "total_size"),
            })
        })
    }
}
