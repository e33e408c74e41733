//! The gRPC binding's ToolService.ExecuteTool and ConnectionService.ListAppConnections
//! (docs/wire-protocol.md §12), next to their REST equivalents.

use prost_types::value::Kind;
use prost_types::Struct;
use scalekit_local::proto::scalekit::v1::connections as conn_pb;
use scalekit_local::proto::scalekit::v1::tools as tools_pb;
use serde_json::json;

use crate::common::Api;
use crate::common::NOT_FOUND;
use crate::grpc::{assert_as_rest, channel, string_value};

#[tokio::test]
async fn execute_tool_and_list_app_connections() {
    let api = Api::with(json!({"connections": [
        {"name": "notion", "authType": "API_KEY"},
        {"name": "gmail", "provider": "google"},
    ]}))
    .await;
    let mut tools = tools_pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let params = Struct {
        fields: [("q".to_owned(), string_value("hi"))].into(),
    };
    let run = tools
        .execute_tool(api.authed(tools_pb::ExecuteToolRequest {
            tool_name: scalekit_local::ECHO_TOOL.into(),
            connector: Some("gmail".into()),
            identifier: Some("u@x.com".into()),
            params: Some(params.clone()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(run.execution_id.starts_with("exec_"));
    let data = run.data.unwrap();
    let field = |k: &str| data.fields.get(k).and_then(|v| v.kind.clone());
    assert_eq!(field("params"), Some(Kind::StructValue(params)));
    assert_eq!(
        field("identifier"),
        Some(Kind::StringValue("u@x.com".into()))
    );
    assert_as_rest(
        tools.execute_tool(api.authed(tools_pb::ExecuteToolRequest {
            tool_name: "no_such_tool".into(),
            ..Default::default()
        })),
        api.post("/api/v1/execute_tool", json!({"tool_name": "no_such_tool"})),
        NOT_FOUND,
    )
    .await;

    let mut conns =
        conn_pb::connection_service_client::ConnectionServiceClient::new(channel(&api).await);
    let list = conns
        .list_app_connections(api.authed(conn_pb::ListAppConnectionsRequest::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.total_size, 2);
    let seen: Vec<(&str, &str, i32, bool)> = list
        .connections
        .iter()
        .map(|c| {
            (
                c.key_id.as_str(),
                c.provider_key.as_str(),
                c.r#type,
                c.enabled,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "notion",
                "notion",
                conn_pb::ConnectionType::ApiKey as i32,
                true
            ),
            (
                "gmail",
                "google",
                conn_pb::ConnectionType::Oauth as i32,
                true
            ),
        ]
    );
    assert!(list.connections.iter().all(|c| c.id.starts_with("conn_")));
    api.assert_stats(&[
        ("grpc.ExecuteTool", 2),
        ("grpc.ListAppConnections", 1),
        ("execute_tool", 1),
    ]);
}
