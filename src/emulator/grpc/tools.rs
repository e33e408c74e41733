//! `scalekit.v1.tools.ToolService.ExecuteTool` and
//! `scalekit.v1.connections.ConnectionService.ListAppConnections` (docs/wire-protocol.md §12),
//! over the REST side's handlers (see the module doc of `grpc`).

use std::sync::Arc;

use serde_json::Value;
use tonic::Request;

use super::convert::{self, fields};
use super::proto::scalekit::v1::connections as conn_pb;
use super::proto::scalekit::v1::tools as pb;
use super::{serve, Reply};
use crate::emulator::routes::tools::execute_tool_json;
use crate::emulator::shared::Shared;
use crate::emulator::stats::endpoint;
use crate::sync::lock;

pub struct Tools(pub Arc<Shared>);

#[tonic::async_trait]
impl pb::tool_service_server::ToolService for Tools {
    async fn execute_tool(
        &self,
        request: Request<pb::ExecuteToolRequest>,
    ) -> Reply<pb::ExecuteToolResponse> {
        serve::<endpoint::GrpcExecuteTool, _, _>(&self.0, request, |r| {
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
            let answer = execute_tool_json(&body)?;
            Ok(pb::ExecuteToolResponse {
                data: answer
                    .get("data")
                    .and_then(Value::as_object)
                    .map(convert::struct_of),
                execution_id: convert::string(&answer, "execution_id"),
            })
        })
    }
}

pub struct Connections(pub Arc<Shared>);

#[tonic::async_trait]
impl conn_pb::connection_service_server::ConnectionService for Connections {
    /// As the REST binding: every connection on one page; the request's filters are ignored.
    async fn list_app_connections(
        &self,
        request: Request<conn_pb::ListAppConnectionsRequest>,
    ) -> Reply<conn_pb::ListAppConnectionsResponse> {
        serve::<endpoint::GrpcListAppConnections, _, _>(&self.0, request, |_| {
            let list = lock(&self.0.store).connections_json();
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
