//! The MCP gateway (docs/wire-protocol.md §13): what `tools/list` shows for a configuration, a
//! connection and a READ_ONLY token; `tools/call` running a tool as ExecuteTool does, its tool
//! errors, the authorization link of a user who is not connected; HTTPS.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{browse, oauth_account, Api};
use crate::mcp_support::{
    call_tool, catalog, initialize, list_tools, request, tool_error, tool_names, Mcp, CONFIGS,
    INSTANCES,
};

#[tokio::test]
async fn tools_list_follows_the_mapping_and_the_access_level() {
    let m = Mcp::start().await;
    let http = &m.api.http;
    let (url, token) = m.config_token("crm-all", "u1", json!({})).await;
    let tools = list_tools(http, &url, &token).await;
    assert_eq!(
        tools[0],
        json!({"name": "crm_list", "description": "List contacts",
               "inputSchema": {"type": "object", "properties": {"limit": {"type": "integer"}}},
               "annotations": {"readOnlyHint": true, "openWorldHint": false}})
    );
    assert_eq!(
        tools[2]["annotations"],
        json!({"readOnlyHint": false, "destructiveHint": true})
    );
    assert_eq!(
        tools.len(),
        3,
        "an empty tools list maps every tool of the connection"
    );

    // What each server shows each token: the mapped tools, the read-only ones for READ_ONLY.
    let (mixed, token) = m.config_token("mixed", "u1", json!({})).await;
    let read_only = json!({"access_level": "READ_ONLY"});
    let (_, mixed_read_only) = m.config_token("mixed", "u1", read_only.clone()).await;
    let (mail, mail_token) = m.connection_token("mail", "u1", json!({})).await;
    let (crm, crm_read_only) = m.connection_token("crm", "u1", read_only).await;
    for (url, token, names) in [
        (&mixed, &token, &["crm_get", "mail_send", "mail_search"][..]),
        (&mixed, &mixed_read_only, &["crm_get", "mail_search"]),
        (&mail, &mail_token, &["mail_send", "mail_search"]),
        (&crm, &crm_read_only, &["crm_list", "crm_get"]),
    ] {
        assert_eq!(tool_names(http, url, token).await, names, "{url}");
    }
    let send = list_tools(http, &mixed, &token).await.remove(1);
    assert!(send.get("annotations").is_none(), "{send}");

    // The server lists the configuration as it is now.
    let id = m.config("mixed").await["id"].as_str().unwrap().to_owned();
    let (status, _) = m
        .api
        .put(
            &format!("{CONFIGS}/{id}"),
            json!({"connection_tool_mappings": [
                {"connection_name": "crm", "tools": ["crm_list"]}, {"connection_name": "mail"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        tool_names(http, &mixed, &mixed_read_only).await,
        ["crm_list", "mail_search"]
    );

    // The control plane's ListTools keeps Scalekit's snake_case in the definition.
    let (_, listed) = m.api.get("/api/v1/tools?filter.tool_name=crm_list").await;
    assert_eq!(
        listed["tools"][0]["definition"]["annotations"],
        json!({"read_only_hint": true, "open_world_hint": false})
    );
}

#[tokio::test]
async fn tools_call_runs_the_tool_as_execute_tool_does() {
    let m = Mcp::start().await;
    let http = &m.api.http;
    let instance = m.instance("mixed", "u1").await;
    let instance_path = format!("{INSTANCES}/{}", instance["id"].as_str().unwrap());
    let (url, token) = m.config_token("mixed", "u1", json!({})).await;
    initialize(http, &url, &token).await;

    let answer = call_tool(http, &url, &token, "mail_search", json!({"q": "hi"})).await;
    let result = &answer["result"];
    assert_eq!(result["isError"], json!(false), "{answer}");
    assert_eq!(
        result["structuredContent"]["authorization"],
        "Bearer tok-mail"
    );
    assert_eq!(result["structuredContent"]["query"], "q=hi");
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&text, &result["structuredContent"]);
    // Exactly what ExecuteTool answers for the same tool, identifier and input.
    let (_, executed) = m
        .api
        .post(
            "/api/v1/execute_tool",
            json!({"tool_name": "mail_search", "identifier": "u1", "params": {"q": "hi"}}),
        )
        .await;
    assert_eq!(executed["data"], result["structuredContent"]);
    assert_eq!(m.hits(), 2);
    let used = m.api.get(&instance_path).await.1;
    assert!(used["instance"]["last_used_at"].is_string(), "{used}");

    // Input the schema refuses is a tool error, and the provider is not called.
    let refused = call_tool(http, &url, &token, "crm_get", json!({})).await;
    assert_eq!(
        tool_error(&refused),
        "params.id: required by the tool's input_schema"
    );
    let wrong = call_tool(http, &url, &token, "crm_get", json!({"id": 7})).await;
    assert_eq!(tool_error(&wrong), "params.id: must be of type string");
    assert_eq!(m.hits(), 2);

    // A tool the server does not expose is a protocol error (invalid params).
    let unknown = call_tool(http, &url, &token, "crm_delete", json!({"id": "1"})).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");

    // READ_ONLY: a tool that is not read-only is refused before the provider.
    let (_, read_only) = m
        .config_token("mixed", "u1", json!({"access_level": "READ_ONLY"}))
        .await;
    let denied = call_tool(http, &url, &read_only, "mail_send", json!({"to": "x"})).await;
    assert!(tool_error(&denied).contains("not read-only"), "{denied}");
    assert_eq!(m.hits(), 2);
    let allowed = call_tool(http, &url, &read_only, "crm_get", json!({"id": "c1"})).await;
    assert_eq!(
        allowed["result"]["structuredContent"]["authorization"],
        "Bearer tok-crm"
    );
    assert_eq!(m.hits(), 3);

    // The provider failing is a tool error too.
    let (broken, token) = m.connection_token("broken", "u1", json!({})).await;
    let failed = call_tool(http, &broken, &token, "broken_call", json!({})).await;
    assert!(
        tool_error(&failed).contains("upstream unreachable"),
        "{failed}"
    );
}

/// The link in a "not connected" tool error, checked to say `status` and to be LocalScalekit's.
fn link_in<'a>(answer: &'a Value, api: &Api, status: &str) -> &'a str {
    let text = tool_error(answer);
    assert!(
        text.contains(&format!("is not connected ({status})")),
        "{text}"
    );
    let at = text
        .find(&api.url("/magic/"))
        .unwrap_or_else(|| panic!("{text}"));
    text[at..].split_whitespace().next().unwrap()
}

#[tokio::test]
async fn a_user_who_is_not_connected_gets_a_link_and_then_the_call_succeeds() {
    let m = Mcp::start().await;
    let http = &m.api.http;
    // A connection's server for a user with no account there yet.
    let (url, token) = m.connection_token("mail", "u7", json!({})).await;
    let first = call_tool(http, &url, &token, "mail_send", json!({"to": "a"})).await;
    let link = link_in(&first, &m.api, "PENDING_AUTH").to_owned();
    assert_eq!(m.hits(), 0);
    assert_eq!(browse(&link).await.status(), 200);
    let second = call_tool(http, &url, &token, "mail_send", json!({"to": "a"})).await;
    let auth = second["result"]["structuredContent"]["authorization"]
        .as_str()
        .unwrap();
    assert!(auth.starts_with("Bearer emu_at_"), "{second}");

    // A configuration's server, where the account expired after the token was made.
    let (url, token) = m.config_token("crm-all", "u1", json!({})).await;
    m.api.sk.set_account_status("crm", "u1", "EXPIRED").unwrap();
    let expired = call_tool(http, &url, &token, "crm_list", json!({})).await;
    let link = link_in(&expired, &m.api, "EXPIRED").to_owned();
    assert_eq!(m.hits(), 1);
    assert_eq!(browse(&link).await.status(), 200);
    let renewed = call_tool(http, &url, &token, "crm_list", json!({})).await;
    assert_eq!(renewed["result"]["isError"], json!(false), "{renewed}");

    // …or was deleted.
    let (status, _) = m
        .api
        .call(
            Method::POST,
            "/api/v1/connected_accounts:delete",
            Some(json!({"connector": "crm", "identifier": "u1"})),
        )
        .await;
    assert_eq!(status, 200);
    let missing = call_tool(http, &url, &token, "crm_list", json!({})).await;
    let link = link_in(&missing, &m.api, "missing").to_owned();
    assert_eq!(browse(&link).await.status(), 200);
    let back = call_tool(http, &url, &token, "crm_list", json!({})).await;
    assert_eq!(back["result"]["isError"], json!(false), "{back}");
    assert_eq!(m.hits(), 3);
}

#[tokio::test]
async fn the_gateway_serves_https_on_http2() {
    let api = Api::with_tls(json!({
        "tls": true,
        "accounts": [oauth_account("crm", "u1", "tok-tls")],
        "tools": catalog(),
        "mcpConfigs": [{"name": "crm-all", "connectionToolMappings": [{"connectionName": "crm"}]}],
    }))
    .await;
    let m = Mcp {
        api,
        hits: Default::default(),
    };
    let (url, token) = m.config_token("crm-all", "u1", json!({})).await;
    assert!(url.starts_with("https://"), "{url}");
    let http = &m.api.http;
    let listed = request(http, &url, "tools/list", json!({}));
    let resp = listed.bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    assert_eq!(resp.status(), 200);
    let answer = call_tool(http, &url, &token, "crm_list", json!({})).await;
    // The echo upstream (the connection has no upstreamUrl) saw the injected credential.
    let headers = &answer["result"]["structuredContent"]["headers"];
    assert_eq!(headers["authorization"], "Bearer tok-tls", "{answer}");
    // A connection's own server, over HTTPS too.
    let (crm, token) = m.connection_token("crm", "u1", json!({})).await;
    assert_eq!(
        tool_names(http, &crm, &token).await,
        ["crm_list", "crm_get", "crm_delete"]
    );
}
