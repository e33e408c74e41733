//! ListTools' `Filter` (docs/wire-protocol.md §11.1): every field honoured or checked, alike over
//! REST (`filter.*` query) and gRPC (`Filter` message).

use scalekit_native::emulator::proto::scalekit::v1::tools as pb;
use serde_json::{json, Value};
use tonic::Code;

use crate::common::{message, Api};
use crate::grpc::{assert_status, channel};
use crate::tools::catalog;

type Grpc = pb::tool_service_client::ToolServiceClient<tonic::transport::Channel>;

/// The catalog of `tools.rs` (u@x.com: gmail ACTIVE, notion EXPIRED) plus v@x.com on notion.
async fn api() -> Api {
    let mut options = catalog(json!([]));
    if let Some(accounts) = options["accounts"].as_array_mut() {
        accounts.push(json!({"connectionName": "notion", "identifier": "v@x.com",
            "authorizationDetails": {"static_auth": {"details": {"api_key": "k2"}}}}));
    }
    Api::with(options).await
}

/// The names a REST ListTools answer lists (`tools`, or `tool_names` in summary mode).
fn names(list: &Value) -> Vec<String> {
    let tools = list["tools"].as_array().cloned().unwrap_or_default();
    let from_tools = tools.iter().map(|t| t["definition"]["name"].clone());
    let from_summary = list["tool_names"].as_array().cloned().unwrap_or_default();
    from_tools
        .chain(from_summary)
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Runs one filter over both bindings; both must answer the same names and `total_size`.
async fn both(api: &Api, grpc: &mut Grpc, query: &str, filter: pb::Filter) -> Vec<String> {
    let (status, rest) = api.get(&format!("/api/v1/tools?{query}")).await;
    assert_eq!(status, 200, "{query}: {rest}");
    let g = grpc
        .list_tools(api.authed(pb::ListToolsRequest {
            filter: Some(filter),
            ..Default::default()
        }))
        .await
        .unwrap_or_else(|e| panic!("{query}: {e:?}"))
        .into_inner();
    let g_names: Vec<String> = g
        .tools
        .iter()
        .filter_map(|t| t.definition.as_ref()?.fields.get("name")?.kind.clone())
        .filter_map(|k| match k {
            prost_types::value::Kind::StringValue(s) => Some(s),
            _ => None,
        })
        .chain(g.tool_names.iter().cloned())
        .collect();
    assert_eq!(names(&rest), g_names, "{query}");
    assert_eq!(rest["total_size"], g.total_size, "{query}");
    g_names
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[tokio::test]
async fn every_filter_field_is_honoured_over_rest_and_grpc() {
    let api = api().await;
    let mut grpc = pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let all = [
        "gmail_get_message",
        "gmail_send",
        "gmail_list",
        "notion_search",
    ];
    let cases: Vec<(&str, pb::Filter, Vec<&str>)> = vec![
        ("", pb::Filter::default(), all.to_vec()),
        (
            "filter.provider=google",
            pb::Filter {
                provider: "google".into(),
                ..Default::default()
            },
            all[..3].to_vec(),
        ),
        (
            "filter.connector=notion",
            pb::Filter {
                connector: text("notion"),
                ..Default::default()
            },
            vec!["notion_search"],
        ),
        (
            "filter.tool_name=gmail_list&filter.tool_name=notion_search",
            pb::Filter {
                tool_name: vec!["gmail_list".into(), "notion_search".into()],
                ..Default::default()
            },
            vec!["gmail_list", "notion_search"],
        ),
        // Any account of the identifier counts (u@x.com's notion account is EXPIRED).
        (
            "filter.identifier=u%40x.com",
            pb::Filter {
                identifier: "u@x.com".into(),
                ..Default::default()
            },
            all.to_vec(),
        ),
        (
            "filter.identifier=v%40x.com",
            pb::Filter {
                identifier: "v@x.com".into(),
                ..Default::default()
            },
            vec!["notion_search"],
        ),
        (
            "filter.identifier=nobody",
            pb::Filter {
                identifier: "nobody".into(),
                ..Default::default()
            },
            vec![],
        ),
        // Case-insensitive; every word in the name or the description.
        (
            "filter.query=MESSAGE",
            pb::Filter {
                query: text("MESSAGE"),
                ..Default::default()
            },
            vec!["gmail_get_message"],
        ),
        (
            "filter.query=gmail+get",
            pb::Filter {
                query: text("gmail get"),
                ..Default::default()
            },
            vec!["gmail_get_message"],
        ),
        (
            "filter.query=gmail",
            pb::Filter {
                query: text("gmail"),
                ..Default::default()
            },
            all[..3].to_vec(),
        ),
        (
            "filter.query=gmail&filter.identifier=v%40x.com",
            pb::Filter {
                query: text("gmail"),
                identifier: "v@x.com".into(),
                ..Default::default()
            },
            vec![],
        ),
        // Checked, otherwise without effect (they scope custom MCP tools, which there are none of).
        (
            "filter.organization_id=org_1&filter.user_id=usr_1&filter.connected_account_id=ca_1",
            pb::Filter {
                organization_id: text("org_1"),
                user_id: text("usr_1"),
                connected_account_id: text("ca_1"),
                ..Default::default()
            },
            all.to_vec(),
        ),
        (
            "filter.summary=false&filter.connector=gmail",
            pb::Filter {
                summary: Some(false),
                connector: text("gmail"),
                ..Default::default()
            },
            all[..3].to_vec(),
        ),
    ];
    for (query, filter, expected) in cases {
        assert_eq!(
            both(&api, &mut grpc, query, filter).await,
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn summary_pages_the_names() {
    let api = api().await;
    let (_, page1) = api
        .get("/api/v1/tools?filter.summary=true&page_size=3")
        .await;
    assert_eq!(
        page1["tool_names"],
        json!(["gmail_get_message", "gmail_send", "gmail_list"])
    );
    assert_eq!(page1["tools"], json!([]));
    assert_eq!(page1["total_size"], 4);
    let next = page1["next_page_token"].as_str().unwrap_or_default();
    assert!(!next.is_empty());
    let (_, page2) = api
        .get(&format!(
            "/api/v1/tools?filter.summary=1&page_size=3&page_token={next}"
        ))
        .await;
    assert_eq!(page2["tool_names"], json!(["notion_search"]));
    assert_eq!(page2["next_page_token"], "");

    let mut grpc = pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let g = grpc
        .list_tools(api.authed(pb::ListToolsRequest {
            filter: Some(pb::Filter {
                summary: Some(true),
                provider: "GOOGLE".into(),
                ..Default::default()
            }),
            page_size: 2,
            page_token: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(g.tool_names, ["gmail_get_message", "gmail_send"]);
    assert!(g.tools.is_empty());
    assert_eq!(g.total_size, 3);
    assert!(!g.next_page_token.is_empty());
    // Without summary the names list stays empty.
    let (_, full) = api.get("/api/v1/tools?page_size=1").await;
    assert_eq!(full["tool_names"], json!([]));
}

#[tokio::test]
async fn filter_fields_are_validated_as_the_descriptor_says() {
    let api = api().await;
    let mut grpc = pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let long = |n: usize| "a".repeat(n);
    let cases: Vec<(String, pb::Filter, &str)> = vec![
        (
            format!("filter.provider={}", long(51)),
            pb::Filter {
                provider: long(51),
                ..Default::default()
            },
            "filter.provider: must be at most 50 characters",
        ),
        (
            format!("filter.identifier={}", long(101)),
            pb::Filter {
                identifier: long(101),
                ..Default::default()
            },
            "filter.identifier: must be at most 100 characters",
        ),
        (
            "filter.query=ab".into(),
            pb::Filter {
                query: text("ab"),
                ..Default::default()
            },
            "filter.query: must be at least 3 characters",
        ),
        (
            format!("filter.query={}", long(101)),
            pb::Filter {
                query: Some(long(101)),
                ..Default::default()
            },
            "filter.query: must be at most 100 characters",
        ),
        (
            "filter.connector=a%2Fb".into(),
            pb::Filter {
                connector: text("a/b"),
                ..Default::default()
            },
            "filter.connector: must match ^[a-zA-Z0-9_: -]*$",
        ),
        (
            format!("filter.connector={}", long(401)),
            pb::Filter {
                connector: Some(long(401)),
                ..Default::default()
            },
            "filter.connector: must be at most 400 characters",
        ),
        (
            format!("filter.organization_id={}", long(33)),
            pb::Filter {
                organization_id: Some(long(33)),
                ..Default::default()
            },
            "filter.organization_id: must be at most 32 characters",
        ),
        (
            format!("filter.user_id={}", long(33)),
            pb::Filter {
                user_id: Some(long(33)),
                ..Default::default()
            },
            "filter.user_id: must be at most 32 characters",
        ),
        (
            "filter.connected_account_id=acc_1".into(),
            pb::Filter {
                connected_account_id: text("acc_1"),
                ..Default::default()
            },
            "filter.connected_account_id: must start with \"ca_\"",
        ),
    ];
    for (query, filter, text) in cases {
        let (status, body) = api.get(&format!("/api/v1/tools?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(message(&body), text, "{query}");
        let refused = grpc
            .list_tools(api.authed(pb::ListToolsRequest {
                filter: Some(filter),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_status(&refused, Code::InvalidArgument, "INVALID_ARGUMENT", text);
    }
    let (status, body) = api.get("/api/v1/tools?filter.summary=maybe").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(message(&body), "filter.summary: must be true or false");
    // The limits themselves are allowed (query of 3, provider of 50).
    let (status, _) = api
        .get(&format!(
            "/api/v1/tools?filter.query=abc&filter.provider={}",
            long(50)
        ))
        .await;
    assert_eq!(status, 200);
}
