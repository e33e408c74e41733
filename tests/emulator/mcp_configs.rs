//! The MCP control plane over REST (docs/wire-protocol.md §13): configurations, their validation,
//! instances, auth state and connected accounts.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{assert_refused, browse, Api, ALREADY_EXISTS, INVALID, NOT_FOUND};
use crate::mcp_support::{Mcp, CONFIGS, INSTANCES};

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn configs_are_created_read_listed_updated_and_deleted() {
    let m = Mcp::start().await;
    let api = &m.api;
    let (status, created) = api
        .post(
            CONFIGS,
            json!({"name": "mail-reader", "description": "Reads mail",
                   "connectionToolMappings": [{"connectionName": "mail", "tools": ["mail_search"]}],
                   "id": "cfg_ignored", "mcp_server_url": "http://ignored"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let c = &created["config"];
    assert!(id(c).starts_with("cfg_") && id(c) != "cfg_ignored", "{c}");
    let url = c["mcp_server_url"].as_str().unwrap();
    let server_id = url
        .strip_prefix(&api.url("/mcp/v3/servers/"))
        .unwrap_or_else(|| panic!("{url}"));
    assert_eq!(server_id.len(), 36, "a UUID: {server_id}");
    let mail_id = api.get("/api/v1/connections").await.1["connections"][1]["id"].clone();
    assert_eq!(
        c["connection_tool_mappings"],
        json!([{"connection_id": mail_id, "connection_name": "mail", "provider": "GMAIL",
                "tools": ["mail_search"]}])
    );
    assert_eq!(c["description"], "Reads mail");

    let path = format!("{CONFIGS}/{}", id(c));
    let (status, got) = api.get(&path).await;
    assert_eq!((status.as_u16(), &got["config"]), (200, c));

    // Filters: name (any case), look-ahead search on the name, provider, id, server URL.
    let names = |q: &'static str| async move {
        let (status, body) = api.get(&format!("{CONFIGS}?{q}")).await;
        assert_eq!(status, 200, "{q}: {body}");
        let list: Vec<Value> = body["configs"].as_array().unwrap().clone();
        (
            body["total_size"].clone(),
            list.iter().map(|c| c["name"].clone()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        names("").await,
        (
            json!(3),
            vec![json!("crm-all"), json!("mixed"), json!("mail-reader")]
        )
    );
    assert_eq!(
        names("filter.name=MAIL-Reader").await.1,
        vec![json!("mail-reader")]
    );
    assert_eq!(
        names("search=m").await.1,
        vec![json!("mixed"), json!("mail-reader")]
    );
    assert_eq!(
        names("filter.provider=hubspot").await.1,
        vec![json!("crm-all"), json!("mixed")]
    );
    let (_, by_id) = api.get(&format!("{CONFIGS}?filter.id={}", id(c))).await;
    assert_eq!(by_id["configs"][0]["name"], "mail-reader");
    let q = format!("{CONFIGS}?filter.mcp_server_url={url}/");
    assert_eq!(api.get(&q).await.1["configs"][0]["name"], "mail-reader");
    let (_, page) = api.get(&format!("{CONFIGS}?page_size=2")).await;
    assert_eq!(page["configs"].as_array().map(Vec::len), Some(2));
    let next = page["next_page_token"].as_str().unwrap();
    let (_, rest) = api
        .get(&format!("{CONFIGS}?page_size=2&page_token={next}"))
        .await;
    assert_eq!(rest["configs"][0]["name"], "mail-reader");

    // Update replaces what it is given; the name is fixed.
    let (status, updated) = api
        .put(
            &path,
            json!({"description": "Reads and sends",
                   "connection_tool_mappings": [{"connection_name": "mail"}]}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["config"]["description"], "Reads and sends");
    assert_eq!(
        updated["config"]["connection_tool_mappings"][0]["tools"],
        json!([])
    );
    assert_eq!(updated["config"]["mcp_server_url"], url);
    let (status, kept) = api.put(&path, json!({"description": "Only this"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        kept["config"]["connection_tool_mappings"][0]["connection_name"],
        "mail"
    );
    assert_refused(
        &api.put(&path, json!({"name": "renamed"})).await,
        INVALID,
        "name: cannot be changed",
    );

    let (status, deleted) = api.call(Method::DELETE, &path, None).await;
    assert_eq!((status.as_u16(), deleted), (200, json!({})));
    assert_refused(&api.get(&path).await, NOT_FOUND, id(c));
    assert_refused(&api.call(Method::DELETE, &path, None).await, NOT_FOUND, "");
    // Its MCP server is gone too.
    let gone = api.http.post(url).body("{}").send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(api.stat("mcp.configs.create"), 1);
}

#[tokio::test]
async fn config_rules_name_the_field() {
    let m = Mcp::start().await;
    let api = &m.api;
    let refused = |body: Value, part: &'static str| async move {
        assert_refused(&api.post(CONFIGS, body).await, INVALID, part);
    };
    refused(json!({}), "name is required").await;
    refused(json!({"name": "Upper"}), "name: must match ^[a-z0-9_-]+$").await;
    refused(json!({"name": "a b"}), "name: must match").await;
    refused(
        json!({"name": "x".repeat(101)}),
        "name: must be at most 100 characters",
    )
    .await;
    let many: Vec<Value> = (0..26).map(|_| json!({"connection_name": "crm"})).collect();
    refused(
        json!({"name": "many", "connection_tool_mappings": many}),
        "connection_tool_mappings: at most 25 items",
    )
    .await;
    refused(
        json!({"name": "n", "connection_tool_mappings": [{"tools": []}]}),
        "connection_tool_mappings[0].connection_name is required",
    )
    .await;
    refused(
        json!({"name": "n", "connection_tool_mappings": [{"connection_name": "nope"}]}),
        "connection_tool_mappings[0].connection_name: no connection named \"nope\" is configured",
    )
    .await;
    refused(
        json!({"name": "n", "connection_tool_mappings": [
            {"connection_name": "crm"}, {"connection_name": "crm"}]}),
        "connection_tool_mappings[1].connection_name: connection \"crm\" is mapped twice",
    )
    .await;
    refused(
        json!({"name": "n", "connection_tool_mappings": [
            {"connection_name": "crm", "tools": ["mail_send"]}]}),
        "connection_tool_mappings[0].tools: \"mail_send\" is not a tool of connection \"crm\"",
    )
    .await;
    refused(
        json!({"name": "n", "connection_tool_mappings": [{"connection_name": "crm", "tools": "crm_get"}]}),
        "connection_tool_mappings[0].tools: must be an array of strings",
    )
    .await;
    // Unique names: 409 ALREADY_EXISTS.
    assert_refused(
        &api.post(CONFIGS, json!({"name": "mixed"})).await,
        ALREADY_EXISTS,
        "\"mixed\" already exists",
    );
    let list = |q: &'static str| async move { api.get(&format!("{CONFIGS}?{q}")).await };
    assert_refused(
        &list("page_size=31").await,
        INVALID,
        "page_size: must be at most 30",
    );
    assert_refused(
        &list("filter.name=a.b").await,
        INVALID,
        "filter.name: must match",
    );
    assert_refused(
        &api.put(&format!("{CONFIGS}/cfg_404"), json!({})).await,
        NOT_FOUND,
        "MCP configuration cfg_404 not found",
    );
    // Nothing was created by the refused requests.
    assert_eq!(api.get(CONFIGS).await.1["total_size"], 2);
}

#[tokio::test]
async fn instances_are_ensured_listed_updated_and_deleted() {
    let m = Mcp::start().await;
    let api = &m.api;
    let ensure = |body: Value| async move { api.post(INSTANCES, body).await };
    let (status, first) = ensure(json!({"config_name": "mixed", "user_identifier": "u1"})).await;
    assert_eq!(status, 200, "{first}");
    let x = &first["instance"];
    assert!(id(x).starts_with("inst_"), "{x}");
    assert_eq!(
        x["name"], "mixed",
        "the name defaults to the configuration's"
    );
    assert_eq!(x["user_identifier"], "u1");
    assert_eq!(x["url"], x["config"]["mcp_server_url"]);
    // The configuration in the user's context: each mapping with the user's account.
    let crm = &x["config"]["connection_tool_mappings"][0];
    assert_eq!(crm["connected_account_status"], "ACTIVE");
    assert!(crm["connected_account_id"]
        .as_str()
        .unwrap()
        .starts_with("ca_"));
    assert!(x.get("last_used_at").is_none());
    let (_, again) = ensure(json!({"configName": "mixed", "userIdentifier": "u1"})).await;
    assert_eq!(again["instance"]["id"], x["id"], "get, not create");
    let (_, named) =
        ensure(json!({"config_name": "mixed", "user_identifier": "u1", "name": "digest"})).await;
    assert_ne!(named["instance"]["id"], x["id"]);
    let (_, other) = ensure(json!({"config_name": "crm-all", "user_identifier": "u2"})).await;
    assert!(other["instance"]["config"]["connection_tool_mappings"][0]
        .get("connected_account_id")
        .is_none());
    assert_refused(
        &ensure(json!({"config_name": "nope", "user_identifier": "u1"})).await,
        NOT_FOUND,
        "\"nope\"",
    );
    assert_refused(
        &ensure(json!({"config_name": "mixed"})).await,
        INVALID,
        "user_identifier is required",
    );

    let names = |q: &'static str| async move {
        let (status, body) = api.get(&format!("{INSTANCES}?{q}")).await;
        assert_eq!(status, 200, "{body}");
        body["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names("").await,
        vec![json!("mixed"), json!("digest"), json!("crm-all")]
    );
    assert_eq!(
        names("filter.user_identifier=u2").await,
        vec![json!("crm-all")]
    );
    assert_eq!(
        names("filter.config_name=mixed").await,
        vec![json!("mixed"), json!("digest")]
    );
    assert_eq!(names("filter.name=digest").await, vec![json!("digest")]);
    assert_eq!(names("search=DIG").await, vec![json!("digest")]);
    assert_eq!(names("search=u2").await, vec![json!("crm-all")]);

    let path = format!("{INSTANCES}/{}", id(x));
    assert_eq!(api.get(&path).await.1["instance"]["id"], x["id"]);
    let (status, moved) = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"name": "renamed", "config_name": "crm-all"})),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["instance"]["name"], "renamed");
    assert_eq!(moved["instance"]["config"]["name"], "crm-all");
    assert_refused(
        &api.call(Method::PATCH, &path, Some(json!({"config_name": "nope"})))
            .await,
        NOT_FOUND,
        "",
    );
    let (status, _) = api.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
    assert_refused(&api.get(&path).await, NOT_FOUND, "");

    // Deleting a configuration deletes its instances.
    let mixed = m.config("mixed").await;
    api.call(Method::DELETE, &format!("{CONFIGS}/{}", id(&mixed)), None)
        .await;
    assert_eq!(names("").await, vec![json!("crm-all")]);
}

#[tokio::test]
async fn auth_state_creates_pending_accounts_with_links_that_authorize_them() {
    let m = Mcp::start().await;
    let api = &m.api;
    let ensured = m.instance("mixed", "u9").await;
    let state = format!("{INSTANCES}/{}:get_auth_state", id(&ensured));
    let (status, plain) = api.call(Method::POST, &state, None).await;
    assert_eq!(status, 200, "{plain}");
    assert_eq!(
        plain["connections"][0],
        json!({"connection_id": m.config("mixed").await["connection_tool_mappings"][0]["connection_id"],
               "connection_name": "crm", "provider": "HUBSPOT"}),
        "no account, no link, nothing created"
    );
    assert_eq!(
        api.get("/api/v1/connected_accounts?identifier=u9").await.1["total_size"],
        0
    );

    let (status, linked) = api
        .call(
            Method::POST,
            &format!("{state}?include_auth_links=true"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{linked}");
    let rows = linked["connections"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["connected_account_status"], "PENDING_AUTH", "{row}");
        assert!(row["authentication_link"]
            .as_str()
            .unwrap()
            .starts_with(&api.url("/magic/")));
    }
    assert_eq!(
        browse(rows[0]["authentication_link"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // The same rows per configuration and identifier; links are fresh each time.
    let mixed = m.config("mixed").await;
    let accounts = format!("{CONFIGS}/{}/connected_accounts", id(&mixed));
    let (status, listed) = api.post(&accounts, json!({"identifier": "u9"})).await;
    assert_eq!(status, 200, "{listed}");
    let listed = listed["connected_accounts"].as_array().unwrap().clone();
    assert_eq!(listed[0]["connected_account_status"], "ACTIVE");
    assert_eq!(
        listed[0]["connected_account_id"],
        rows[0]["connected_account_id"]
    );
    assert_eq!(listed[1]["connected_account_status"], "PENDING_AUTH");
    assert!(listed[1].get("authentication_link").is_none());
    let (_, fresh) = api
        .post(
            &accounts,
            json!({"identifier": "u9", "include_auth_link": true}),
        )
        .await;
    let link = fresh["connected_accounts"][1]["authentication_link"]
        .as_str()
        .unwrap();
    assert_ne!(link, rows[1]["authentication_link"].as_str().unwrap());
    assert_refused(
        &api.post(&accounts, json!({})).await,
        INVALID,
        "identifier is required",
    );
    assert_refused(
        &api.post(
            &format!("{CONFIGS}/cfg_1/connected_accounts"),
            json!({"identifier": "u9"}),
        )
        .await,
        NOT_FOUND,
        "",
    );
    assert_refused(
        &api.call(
            Method::POST,
            &format!("{INSTANCES}/inst_1:get_auth_state"),
            None,
        )
        .await,
        NOT_FOUND,
        "",
    );
    assert_eq!(api.stat("mcp.instances.auth_state"), 3);
}

#[tokio::test]
async fn control_plane_calls_need_a_bearer() {
    let api = Api::with(json!({})).await;
    let resp = api.http.get(api.url(CONFIGS)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn a_broken_mcp_configs_option_fails_the_start_naming_it() {
    let start = |json: Value| async move {
        scalekit_local::LocalScalekit::start(crate::common::options(json))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let e = start(json!({"mcpConfigs": [{"name": "ok"}, {"name": "Not-OK"}]})).await;
    assert_eq!(
        e,
        Err(
            "invalid emulator options: mcpConfigs[1] (Not-OK): name: must match ^[a-z0-9_-]+$"
                .into()
        )
    );
    let e = start(json!({
        "connections": [{"name": "crm"}],
        "mcpConfigs": [{"name": "x", "connectionToolMappings": [{"connectionName": "crm", "tools": ["nope"]}]}],
    }))
    .await;
    assert!(
        e.as_ref()
            .is_err_and(|m| m.contains("\"nope\" is not a tool of connection \"crm\"")),
        "{e:?}"
    );
    let bad_hint = scalekit_local::EmulatorOptions::from_json(
        r#"{"tools": [{"name": "t", "connection": "c", "annotations": {"readonly": true}, "request": {"path": "/"}}]}"#,
    );
    assert!(bad_hint.is_err_and(|e| e.to_string().contains("unknown field `readonly`")));
}
