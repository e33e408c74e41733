//! ListTools' `Filter` (docs/wire-protocol.md §11.1): every field honoured or checked, alike over
//! REST (`filter.*` query) and gRPC (`Filter` message).

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use prost_types::value::Kind;
use scalekit_local::proto::scalekit::v1::tools as pb;
use serde_json::{json, Value};
use tonic::Code;

use crate::common::{message, Api};
use crate::grpc::{assert_status, channel};
use crate::tools::catalog;

type Grpc = pb::tool_service_client::ToolServiceClient<tonic::transport::Channel>;
/// A filter as `(field, value)` pairs.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// The catalog of `tools.rs` (u@x.com: gmail ACTIVE, notion EXPIRED) plus v@x.com on notion.
async fn api() -> (Api, Grpc) {
    let mut options = catalog(json!([]));
    if let Some(accounts) = options["accounts"].as_array_mut() {
        accounts.push(json!({"connectionName": "notion", "identifier": "v@x.com",
            "authorizationDetails": {"static_auth": {"details": {"api_key": "k2"}}}}));
    }
    let api = Api::with(options).await;
    let grpc = pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    (api, grpc)
}

/// A filter given as `(field, value)` pairs: its REST query and its gRPC message.
fn filter(fields: Fields<'_>) -> (String, pb::Filter) {
    let mut f = pb::Filter::default();
    let mut query = Vec::new();
    for &(key, value) in fields {
        let v = value.to_owned();
        match key {
            "provider" => f.provider = v,
            "identifier" => f.identifier = v,
            "tool_name" => f.tool_name.push(v),
            "query" => f.query = Some(v),
            "connector" => f.connector = Some(v),
            "organization_id" => f.organization_id = Some(v),
            "user_id" => f.user_id = Some(v),
            "connected_account_id" => f.connected_account_id = Some(v),
            "summary" => f.summary = Some(value == "true"),
            other => panic!("no Filter field {other}"),
        }
        let encoded = utf8_percent_encode(value, NON_ALPHANUMERIC);
        query.push(format!("filter.{key}={encoded}"));
    }
    (query.join("&"), f)
}

fn list_request(f: pb::Filter, page_size: u32) -> pb::ListToolsRequest {
    pb::ListToolsRequest {
        filter: Some(f),
        page_size,
        page_token: String::new(),
    }
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
async fn both(api: &Api, grpc: &mut Grpc, fields: Fields<'_>) -> Vec<String> {
    let (query, f) = filter(fields);
    let (status, rest) = api.get(&format!("/api/v1/tools?{query}")).await;
    assert_eq!(status, 200, "{query}: {rest}");
    let g = grpc
        .list_tools(api.authed(list_request(f, 0)))
        .await
        .unwrap_or_else(|e| panic!("{query}: {e:?}"))
        .into_inner();
    let g_names: Vec<String> = g
        .tools
        .iter()
        .filter_map(|t| t.definition.as_ref()?.fields.get("name")?.kind.clone())
        .filter_map(|k| match k {
            Kind::StringValue(s) => Some(s),
            _ => None,
        })
        .chain(g.tool_names.iter().cloned())
        .collect();
    assert_eq!(names(&rest), g_names, "{query}");
    assert_eq!(rest["total_size"], g.total_size, "{query}");
    g_names
}

#[tokio::test]
async fn every_filter_field_is_honoured_over_rest_and_grpc() {
    let (api, mut grpc) = api().await;
    let all = [
        "gmail_get_message",
        "gmail_send",
        "gmail_list",
        "notion_search",
    ];
    let cases: &[(Fields, &[&str])] = &[
        (&[], &all),
        (&[("provider", "google")], &all[..3]),
        (&[("connector", "notion")], &["notion_search"]),
        (
            &[("tool_name", "gmail_list"), ("tool_name", "notion_search")],
            &["gmail_list", "notion_search"],
        ),
        // Any account of the identifier counts (u@x.com's notion account is EXPIRED).
        (&[("identifier", "u@x.com")], &all),
        (&[("identifier", "v@x.com")], &["notion_search"]),
        (&[("identifier", "nobody")], &[]),
        // Case-insensitive; every word in the name or the description.
        (&[("query", "MESSAGE")], &["gmail_get_message"]),
        (&[("query", "gmail get")], &["gmail_get_message"]),
        (&[("query", "gmail")], &all[..3]),
        (&[("query", "gmail"), ("identifier", "v@x.com")], &[]),
        // Checked, otherwise without effect (they scope custom MCP tools, which there are none of).
        (
            &[
                ("organization_id", "org_1"),
                ("user_id", "usr_1"),
                ("connected_account_id", "ca_1"),
            ],
            &all,
        ),
        (&[("summary", "false"), ("connector", "gmail")], &all[..3]),
    ];
    for (fields, expected) in cases {
        assert_eq!(both(&api, &mut grpc, fields).await, *expected, "{fields:?}");
    }
}

#[tokio::test]
async fn summary_pages_the_names() {
    let (api, mut grpc) = api().await;
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

    let (_, f) = filter(&[("summary", "true"), ("provider", "GOOGLE")]);
    let g = grpc
        .list_tools(api.authed(list_request(f, 2)))
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
    let (api, mut grpc) = api().await;
    let long = |n: usize| "a".repeat(n);
    let cases = [
        ("provider", long(51), "must be at most 50 characters"),
        ("identifier", long(101), "must be at most 100 characters"),
        ("query", "ab".into(), "must be at least 3 characters"),
        ("query", long(101), "must be at most 100 characters"),
        ("connector", "a/b".into(), "must match ^[a-zA-Z0-9_: -]*$"),
        ("connector", long(401), "must be at most 400 characters"),
        ("organization_id", long(33), "must be at most 32 characters"),
        ("user_id", long(33), "must be at most 32 characters"),
        (
            "connected_account_id",
            "acc_1".into(),
            "must start with \"ca_\"",
        ),
    ];
    for (key, value, rule) in cases {
        let text = format!("filter.{key}: {rule}");
        let (query, f) = filter(&[(key, &value)]);
        let (status, body) = api.get(&format!("/api/v1/tools?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(message(&body), text, "{query}");
        let refused = grpc
            .list_tools(api.authed(list_request(f, 0)))
            .await
            .unwrap_err();
        assert_status(&refused, Code::InvalidArgument, "INVALID_ARGUMENT", &text);
    }
    let (status, body) = api.get("/api/v1/tools?filter.summary=maybe").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(message(&body), "filter.summary: must be true or false");
    // The limits themselves are allowed (query of 3, provider of 50).
    let (query, _) = filter(&[("query", "abc"), ("provider", &long(50))]);
    let (status, _) = api.get(&format!("/api/v1/tools?{query}")).await;
    assert_eq!(status, 200);
}
