//! The tool catalog (docs/wire-protocol.md §11): ListTools, ListScopedTools, ListAvailableTools
//! over REST and gRPC, and ExecuteTool of a catalog tool through the Tool Proxy.

use prost::Message as _;
use prost_types::value::Kind;
use prost_types::Struct;
use scalekit_local::proto::google::rpc::Status as RpcStatus;
use scalekit_local::proto::scalekit::v1::errdetails::ErrorInfo;
use scalekit_local::proto::scalekit::v1::tools as pb;
use serde_json::{json, Value};
use tonic::Code;

use crate::common::{answer, Api};
use crate::grpc::{channel, string_value};

/// Three tools on `gmail` (the echo upstream, OAUTH) and one on `notion` (API_KEY).
pub fn catalog(extra_connections: Value) -> Value {
    let mut connections = vec![
        json!({"name": "gmail", "provider": "GOOGLE"}),
        json!({"name": "notion", "authType": "API_KEY", "apiKey": {"header": "X-Key"}}),
    ];
    connections.extend(extra_connections.as_array().cloned().unwrap_or_default());
    json!({
        "connections": connections,
        "accounts": [
            {"connectionName": "gmail", "identifier": "u@x.com",
             "authorizationDetails": {"oauth_token": {"access_token": "tok-gmail"}}},
            {"connectionName": "notion", "identifier": "u@x.com", "status": "EXPIRED",
             "authorizationDetails": {"static_auth": {"details": {"api_key": "k1"}}}},
        ],
        "tools": [
            {"name": "gmail_get_message", "connection": "gmail", "description": "Get a message",
             "inputSchema": {"type": "object", "required": ["id"],
                             "properties": {"id": {"type": "string"}, "full": {"type": "boolean"}}},
             "request": {"method": "GET", "path": "/messages/{id}"}},
            {"name": "gmail_send", "connection": "gmail",
             "inputSchema": {"type": "object", "required": ["to"],
                             "properties": {"to": {"type": "string"}, "n": {"type": "integer"}}},
             "request": {"method": "POST", "path": "/send"}},
            {"name": "gmail_list", "connection": "gmail", "request": {"path": "/messages"}},
            {"name": "notion_search", "connection": "notion", "request": {"path": "/search"}},
        ],
    })
}

#[tokio::test]
async fn list_tools_pages_and_filters_over_rest_and_grpc() {
    let api = Api::with(catalog(json!([]))).await;
    let (status, page1) = api.get("/api/v1/tools?page_size=3").await;
    assert_eq!(status, 200, "{page1}");
    assert_eq!(page1["total_size"], 4);
    assert_eq!(page1["tools"].as_array().map(Vec::len), Some(3));
    assert_eq!(page1["prev_page_token"], "");
    let first = &page1["tools"][0];
    assert!(first["id"].as_str().unwrap().starts_with("tol_"));
    assert_eq!(first["provider"], "GOOGLE");
    assert_eq!(first["definition"]["name"], "gmail_get_message");
    assert_eq!(first["definition"]["description"], "Get a message");
    assert_eq!(
        first["definition"]["input_schema"]["required"],
        json!(["id"])
    );
    assert_eq!(first["is_default"], true);
    assert!(first["updated_at"].is_string());
    let next = page1["next_page_token"].as_str().unwrap();
    assert!(!next.is_empty());
    let (_, page2) = api
        .get(&format!("/api/v1/tools?page_size=3&page_token={next}"))
        .await;
    assert_eq!(page2["tools"].as_array().map(Vec::len), Some(1));
    assert_eq!(page2["tools"][0]["definition"]["name"], "notion_search");
    assert_eq!(page2["next_page_token"], "");
    assert_eq!(page2["total_size"], 4);

    let (_, named) = api
        .get("/api/v1/tools?filter.tool_name=gmail_send&filter.tool_name=notion_search")
        .await;
    assert_eq!(named["total_size"], 2);
    let (_, by_provider) = api.get("/api/v1/tools?filter.provider=google").await;
    assert_eq!(by_provider["total_size"], 3);

    let mut grpc = pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let g1 = answer(
        grpc.list_tools(api.authed(pb::ListToolsRequest {
            page_size: 3,
            ..Default::default()
        }))
        .await,
    );
    assert_eq!((g1.total_size, g1.tools.len()), (4, 3));
    assert_eq!(g1.next_page_token, next);
    let def = g1.tools[0].definition.clone().unwrap();
    assert_eq!(
        def.fields.get("name").and_then(|v| v.kind.clone()),
        Some(Kind::StringValue("gmail_get_message".into()))
    );
    assert!(def.fields.contains_key("input_schema"));
    assert_eq!(g1.tools[0].is_default, Some(true));
    let g2 = answer(
        grpc.list_tools(api.authed(pb::ListToolsRequest {
            page_size: 3,
            page_token: g1.next_page_token.clone(),
            filter: None,
        }))
        .await,
    );
    assert_eq!(g2.tools.len(), 1);
    let filtered = answer(
        grpc.list_tools(api.authed(pb::ListToolsRequest {
            filter: Some(pb::Filter {
                tool_name: vec!["gmail_list".into()],
                ..Default::default()
            }),
            ..Default::default()
        }))
        .await,
    );
    assert_eq!(filtered.total_size, 1);
    assert_eq!(
        filtered.tools[0].id,
        page1["tools"][2]["id"].as_str().unwrap()
    );
}

#[tokio::test]
async fn scoped_tools_follow_active_accounts() {
    let api = Api::with(catalog(json!([]))).await;
    let path = "/api/v1/tools/scoped?identifier=u%40x.com";
    let (status, scoped) = api.get(path).await;
    assert_eq!(status, 200, "{scoped}");
    // notion's account is EXPIRED: only gmail's three tools.
    assert_eq!(scoped["total_size"], 3);
    let gmail_id = api.sk.accounts_json()[0]["id"].as_str().unwrap().to_owned();
    let item = &scoped["tools"][0];
    assert_eq!(item["identifier"], "u@x.com");
    assert_eq!(item["connected_account_id"], gmail_id.as_str());
    assert_eq!(item["tool"]["definition"]["name"], "gmail_get_message");

    let (_, available) = api
        .get("/api/v1/tools/available?identifier=u%40x.com")
        .await;
    assert_eq!(available["total_size"], 3);
    assert_eq!(
        available["tools"][0]["definition"]["name"],
        "gmail_get_message"
    );

    api.sk
        .set_account_status("notion", "u@x.com", "ACTIVE")
        .unwrap();
    let (_, scoped) = api.get(path).await;
    assert_eq!(scoped["total_size"], 4);
    let (_, only_notion) = api
        .get(&format!("{path}&filter.connection_names=notion"))
        .await;
    assert_eq!(only_notion["total_size"], 1);
    let (_, none) = api.get("/api/v1/tools/scoped?identifier=other").await;
    assert_eq!(none["total_size"], 0);
    let (status, _) = api.get("/api/v1/tools/scoped").await;
    assert_eq!(status, 400);

    let mut grpc = pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let g = answer(
        grpc.list_scoped_tools(api.authed(pb::ListScopedToolsRequest {
            identifier: "u@x.com".into(),
            filter: Some(pb::ScopedToolFilter {
                tool_names: vec!["gmail_send".into()],
                ..Default::default()
            }),
            page_size: 0,
            page_token: String::new(),
        }))
        .await,
    );
    assert_eq!(g.total_size, 1);
    assert_eq!(g.tools[0].connected_account_id, gmail_id);
    let a = answer(
        grpc.list_available_tools(api.authed(pb::ListAvailableToolsRequest {
            identifier: "u@x.com".into(),
            page_size: 2,
            page_token: String::new(),
        }))
        .await,
    );
    assert_eq!((a.total_size, a.tools.len()), (4, 2));
    let missing = grpc
        .list_available_tools(api.authed(pb::ListAvailableToolsRequest::default()))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::InvalidArgument);
}

fn run(tool: &str, params: Value) -> Value {
    json!({"tool_name": tool, "identifier": "u@x.com", "params": params})
}

/// `run` over gRPC: ExecuteTool for `u@x.com`, on a new channel.
async fn run_over_grpc(
    api: &Api,
    tool: &str,
    params: Option<Struct>,
) -> Result<pb::ExecuteToolResponse, tonic::Status> {
    let mut grpc = pb::tool_service_client::ToolServiceClient::new(channel(api).await);
    let request = pb::ExecuteToolRequest {
        tool_name: tool.into(),
        identifier: Some("u@x.com".into()),
        params,
        ..Default::default()
    };
    grpc.execute_tool(api.authed(request))
        .await
        .map(tonic::Response::into_inner)
}

#[tokio::test]
async fn execute_fills_the_path_and_injects_credentials() {
    let api = Api::with(catalog(json!([]))).await;
    let (status, got) = api
        .post(
            "/api/v1/execute_tool",
            run("gmail_get_message", json!({"id": "a/b c", "full": true})),
        )
        .await;
    assert_eq!(status, 200, "{got}");
    assert!(got["execution_id"].as_str().unwrap().starts_with("exec_"));
    let seen = &got["data"];
    assert_eq!(seen["method"], "GET");
    assert_eq!(seen["path"], "/messages/a%2Fb%20c");
    assert_eq!(seen["query"], "full=true");
    assert_eq!(seen["headers"]["authorization"], "Bearer tok-gmail");

    let (status, got) = api
        .post(
            "/api/v1/execute_tool",
            run("gmail_send", json!({"to": "v@y", "n": 2})),
        )
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["data"]["method"], "POST");
    assert_eq!(got["data"]["path"], "/send");
    let body: Value = serde_json::from_str(got["data"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"to": "v@y", "n": 2}));

    // API_KEY injection, through gRPC, once the account is ACTIVE.
    api.sk
        .set_account_status("notion", "u@x.com", "ACTIVE")
        .unwrap();
    let params = Struct {
        fields: [("q".to_owned(), string_value("x y"))].into(),
    };
    let out = run_over_grpc(&api, "notion_search", Some(params))
        .await
        .unwrap();
    let data = out.data.unwrap();
    let headers = match data.fields.get("headers").and_then(|v| v.kind.clone()) {
        Some(Kind::StructValue(s)) => s,
        other => panic!("headers: {other:?}"),
    };
    assert_eq!(
        headers.fields.get("x-key").and_then(|v| v.kind.clone()),
        Some(Kind::StringValue("k1".into()))
    );
    assert_eq!(
        data.fields.get("query").and_then(|v| v.kind.clone()),
        Some(Kind::StringValue("q=x+y".into()))
    );

    // The built-in echo tool still answers as before.
    let (status, echo) = api
        .post(
            "/api/v1/execute_tool",
            json!({"tool_name": "emulator_echo", "identifier": "u@x.com", "params": {"a": 1}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(echo["data"]["params"], json!({"a": 1}));
}

#[tokio::test]
async fn input_off_schema_is_refused_before_the_upstream() {
    let api = Api::with(catalog(json!([]))).await;
    let before = api.stat("echo");
    for params in [
        json!({}),
        json!({"id": 5}),
        json!({"id": "x", "full": "yes"}),
    ] {
        let (status, body) = api
            .post("/api/v1/execute_tool", run("gmail_get_message", params))
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["details"][0]["error_code"], "INVALID_ARGUMENT");
    }
    let (status, _) = api
        .post(
            "/api/v1/execute_tool",
            run("gmail_send", json!({"to": "a", "n": 1.5})),
        )
        .await;
    assert_eq!(status, 400);
    let refused = run_over_grpc(&api, "gmail_send", None).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(api.stat("echo"), before);
    // The same tool with a valid input does reach the upstream (so the count above means it).
    let (status, _) = api
        .post(
            "/api/v1/execute_tool",
            run("gmail_send", json!({"to": "a"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(api.stat("echo"), before + 1);
}

/// The ErrorInfo carried by a gRPC status.
fn error_info(s: &tonic::Status) -> ErrorInfo {
    let rpc = RpcStatus::decode(s.details()).unwrap();
    ErrorInfo::decode(rpc.details[0].value.as_slice()).unwrap()
}

#[tokio::test]
async fn upstream_failures_are_tool_errors() {
    // An upstream that always answers 503, and one that is not there.
    let failing = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let failing_url = format!("http://{}", failing.local_addr().unwrap());
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "down for maintenance",
        )
    });
    tokio::spawn(async move { axum::serve(failing, app).await });
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);

    let mut options = catalog(json!([
        {"name": "flaky", "upstreamUrl": failing_url},
        {"name": "gone", "upstreamUrl": closed_url},
    ]));
    for c in ["flaky", "gone"] {
        options["accounts"].as_array_mut().unwrap().push(json!({
            "connectionName": c, "identifier": "u@x.com",
            "authorizationDetails": {"oauth_token": {"access_token": "t"}}}));
        options["tools"].as_array_mut().unwrap().push(json!({
            "name": format!("{c}_call"), "connection": c,
            "request": {"method": "POST", "path": "/x"}}));
    }
    let api = Api::with(options).await;

    let (status, body) = api
        .post("/api/v1/execute_tool", run("flaky_call", json!({})))
        .await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["code"], 13);
    let detail = &body["details"][0];
    assert_eq!(detail["error_code"], "TOOL_ERROR");
    let info = &detail["tool_error_info"];
    assert!(info["execution_id"].as_str().unwrap().starts_with("exec_"));
    assert_eq!(info["tool_error_code"], "503");
    assert!(info["tool_error_message"]
        .as_str()
        .unwrap()
        .contains("down for maintenance"));

    let (status, body) = api
        .post("/api/v1/execute_tool", run("gone_call", json!({})))
        .await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["details"][0]["error_code"], "TOOL_ERROR");
    assert_eq!(
        body["details"][0]["tool_error_info"]["tool_error_code"],
        "UNREACHABLE"
    );

    let err = run_over_grpc(&api, "flaky_call", None).await.unwrap_err();
    assert_eq!(err.code(), Code::Internal);
    let info = error_info(&err);
    assert_eq!(info.error_code, "TOOL_ERROR");
    let tool = info.tool_error_info.unwrap();
    assert_eq!(tool.tool_error_code, "503");
    assert!(tool.execution_id.starts_with("exec_"));
}

#[tokio::test]
async fn catalog_options_are_checked_at_start() {
    use scalekit_local::{EmulatorOptions, LocalScalekit};
    let tool = json!({"name": "t", "connection": "c", "request": {"path": "/x"}});
    let parsed = EmulatorOptions::from_json(&json!({"tools": [tool.clone()]}).to_string()).unwrap();
    assert_eq!(parsed.tools.map(|t| t.len()), Some(1));
    let typo = json!({"tools": [{"name": "t", "connection": "c", "request": {"path": "/x"}, "schema": {}}]});
    assert!(EmulatorOptions::from_json(&typo.to_string()).is_err());
    for bad in [
        json!({"tools": [tool.clone(), tool.clone()]}),
        json!({"tools": [{"name": "t", "connection": "c", "request": {"path": "x"}}]}),
        json!({"tools": [{"name": "t", "connection": "c", "inputSchema": [], "request": {"path": "/x"}}]}),
    ] {
        let options = EmulatorOptions::from_json(&bad.to_string()).unwrap();
        assert!(LocalScalekit::start(options).await.is_err(), "{bad}");
    }
}
