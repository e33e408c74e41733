//! `scalekit.v1.tools.ToolService` (ListTools, ListScopedTools, ListAvailableTools, ExecuteTool;
//! docs/wire-protocol.md §11) and
//! `scalekit.v1.connections.ConnectionService.ListAppConnections` (docs/wire-protocol.md §12),
//! over the REST side's handlers (see the module doc of `grpc`).

use std::sync::Arc;

use serde_json::Value;

use super::convert::{self, fields, items, page};
use super::proto::scalekit::v1::connections as conn_pb;
use super::proto::scalekit::v1::tools as pb;
use super::{served, Answer};
use crate::catalog;
use crate::routes::tools::{execute_tool_json, list_json, Listing};
use crate::shared::Shared;
use crate::wire::Query;
use scalekit_wire::sync::lock;

pub struct Tools(pub Arc<Shared>);

impl Tools {
    async fn execute(&self, r: pb::ExecuteToolRequest) -> Answer<pb::ExecuteToolResponse> {
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
    }

    /// As the REST binding (`crate::search`), its answer read back into the message.
    fn search(&self, r: pb::SearchToolsRequest) -> Answer<pb::SearchToolsResponse> {
        let mut body = fields([
            ("query", Some(r.query.as_str())),
            ("identifier", r.identifier.as_deref()),
        ]);
        body.insert("top_k".into(), r.top_k.into());
        let found = crate::search::search_json(&self.0.tools, &lock(&self.0.store), &body)?;
        Ok(pb::SearchToolsResponse {
            tools: items(&found, "tools").map(searched).collect(),
        })
    }

    /// The REST side's `listing` over the page fields (0 and "" mean unset, as on the REST side)
    /// and the request's other fields, `more`, as the REST query.
    fn listed(
        &self,
        listing: Listing,
        (size, token): (u32, &str),
        more: impl IntoIterator<Item = (String, String)>,
    ) -> Answer<Value> {
        let mut q = vec![("page_size".to_owned(), size.to_string())];
        q.extend(pairs("page_token", [token]));
        q.extend(more);
        list_json(&self.0, listing, &Query(q))
    }

    fn list(&self, r: pb::ListToolsRequest) -> Answer<pb::ListToolsResponse> {
        let mut q = Vec::new();
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
        let list = self.listed(catalog::list_tools, (r.page_size, &r.page_token), q)?;
        Ok(page!(
            &list,
            pb::ListToolsResponse {
                tool_names: convert::texts(&list, "tool_names"),
                tools: items(&list, "tools").map(tool).collect(),
            }
        ))
    }

    fn list_scoped(&self, r: pb::ListScopedToolsRequest) -> Answer<pb::ListScopedToolsResponse> {
        let mut q: Vec<_> = pairs("identifier", [&r.identifier]).collect();
        if let Some(f) = &r.filter {
            q.extend(pairs("filter.providers", &f.providers));
            q.extend(pairs("filter.tool_names", &f.tool_names));
            q.extend(pairs("filter.connection_names", &f.connection_names));
        }
        let list = self.listed(catalog::list_scoped, (r.page_size, &r.page_token), q)?;
        let scoped = |v: &Value| pb::ScopedTool {
            tool: v.get("tool").map(tool),
            identifier: convert::string(v, "identifier"),
            connected_account_id: convert::string(v, "connected_account_id"),
        };
        Ok(page!(
            &list,
            pb::ListScopedToolsResponse {
                tools: items(&list, "tools").map(scoped).collect(),
            }
        ))
    }

    fn list_available(
        &self,
        r: pb::ListAvailableToolsRequest,
    ) -> Answer<pb::ListAvailableToolsResponse> {
        let identifier = pairs("identifier", [&r.identifier]);
        let list = self.listed(
            catalog::list_available,
            (r.page_size, &r.page_token),
            identifier,
        )?;
        Ok(page!(
            &list,
            pb::ListAvailableToolsResponse {
                tools: items(&list, "tools").map(tool).collect(),
            }
        ))
    }
}

served! {
    Tools: pb::tool_service_server::ToolService {
        list_tools(pb::ListToolsRequest) -> pb::ListToolsResponse = GrpcListTools, Tools::list;
        list_scoped_tools(pb::ListScopedToolsRequest) -> pb::ListScopedToolsResponse
            = GrpcListScopedTools, Tools::list_scoped;
        list_available_tools(pb::ListAvailableToolsRequest) -> pb::ListAvailableToolsResponse
            = GrpcListAvailableTools, Tools::list_available;
        search_tools(pb::SearchToolsRequest) -> pb::SearchToolsResponse
            = GrpcSearchTools, Tools::search;
    } async {
        execute_tool(pb::ExecuteToolRequest) -> pb::ExecuteToolResponse
            = GrpcExecuteTool, Tools::execute;
    }
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

impl Connections {
    /// As the REST binding: the connections `provider` and `query` select, on one page.
    fn list(
        &self,
        m: conn_pb::ListAppConnectionsRequest,
    ) -> Answer<conn_pb::ListAppConnectionsResponse> {
        let list = lock(&self.0.store).connections_json(m.provider.as_deref(), m.query.as_deref());
        Ok(page!(
            &list,
            conn_pb::ListAppConnectionsResponse {
                connections: items(&list, "connections")
                    .map(convert::connection)
                    .collect(),
            }
        ))
    }
}

served! {
    Connections: conn_pb::connection_service_server::ConnectionService {
        list_app_connections(conn_pb::ListAppConnectionsRequest) -> conn_pb::ListAppConnectionsResponse
            = GrpcListAppConnections, Connections::list;
    }
}
