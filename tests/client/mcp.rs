//! `actions.mcp` through the client against the stub (docs/wire-protocol.md §13): the request
//! each method sends, the route tracing reports for it, its result, and the exchange it shares
//! with the account calls (retries, failures, nothing sent for a bad argument).

use scalekit_core::accounts::Params;
use scalekit_core::client::{Operation, ScalekitClient};
use scalekit_core::errors::ScalekitError;
use scalekit_core::mcp::{McpOperation, OPERATIONS};
use serde_json::{json, Value};

use crate::common::{http_failure, Reply, Seen, Stub, TOKEN_PATH};

fn params(value: Value) -> Params {
    Params::from_json(&value.to_string()).unwrap()
}

/// `operation` through `client`, with `given` as its params.
async fn call(
    client: &ScalekitClient,
    operation: McpOperation,
    given: Value,
) -> Result<Value, ScalekitError> {
    client.mcp_call(operation, &params(given)).await
}

/// A session token of configuration `cfg_1` for `u`.
async fn config_token(client: &ScalekitClient) -> Result<Value, ScalekitError> {
    let given = json!({"mcpConfigId": "cfg_1", "identifier": "u"});
    call(client, McpOperation::CreateSessionToken, given).await
}

/// Each method with params that name `id_1` wherever an id goes, and what the stub must see:
/// `"<method> <path>[?<query>]"`, and the body (`null`: none).
fn cases() -> Vec<(String, Value, String, Option<Value>)> {
    let table = json!([
        ["mcp.listConfigs", {"filter": {"name": "daily"}, "search": "da", "pageSize": 10, "pageToken": "t"},
            "GET /api/v1/mcp/configs?filter.name=daily&search=da&page_size=10&page_token=t", null],
        ["mcp.createConfig", {"name": "daily", "connectionToolMappings": [{"connectionName": "gmail", "tools": ["gmail_send"]}]},
            "POST /api/v1/mcp/configs",
            {"name": "daily", "connection_tool_mappings": [{"connection_name": "gmail", "tools": ["gmail_send"]}]}],
        ["mcp.getConfig", {"configId": "id_1"}, "GET /api/v1/mcp/configs/id_1", null],
        ["mcp.updateConfig", {"configId": "id_1", "description": "new"}, "PUT /api/v1/mcp/configs/id_1", {"description": "new"}],
        ["mcp.deleteConfig", {"configId": "id_1"}, "DELETE /api/v1/mcp/configs/id_1", null],
        ["mcp.ensureInstance", {"configName": "daily", "userIdentifier": "u@x.com"}, "POST /api/v1/mcp/instances",
            {"config_name": "daily", "user_identifier": "u@x.com"}],
        ["mcp.getInstance", {"instanceId": "id_1"}, "GET /api/v1/mcp/instances/id_1", null],
        ["mcp.updateInstance", {"instanceId": "id_1", "name": "mine"}, "PATCH /api/v1/mcp/instances/id_1", {"name": "mine"}],
        ["mcp.listInstances", {"filter": {"userIdentifier": "u"}}, "GET /api/v1/mcp/instances?filter.user_identifier=u", null],
        ["mcp.deleteInstance", {"instanceId": "id_1"}, "DELETE /api/v1/mcp/instances/id_1", null],
        ["mcp.getInstanceAuthState", {"instanceId": "id_1", "includeAuthLinks": true},
            "POST /api/v1/mcp/instances/id_1:get_auth_state?include_auth_links=true", null],
        ["mcp.listMcpConnectedAccounts", {"configId": "id_1", "identifier": "u", "includeAuthLink": true},
            "POST /api/v1/mcp/configs/id_1/connected_accounts", {"identifier": "u", "include_auth_link": true}],
        ["mcp.createSessionToken", {"mcpConfigId": "id_1", "identifier": "u", "expiresInSeconds": 600, "accessLevel": "FULL"},
            "POST /api/v1/mcp/configs/id_1/tokens", {"identifier": "u", "expiry": "600s", "access_level": "FULL"}],
        ["mcp.createSessionToken", {"connectionName": "id_1", "identifier": "u"},
            "POST /api/v1/mcp/connections/id_1/tokens", {"identifier": "u"}],
    ]);
    let rows = table.as_array().unwrap();
    rows.iter()
        .map(|row| {
            let text = |i: usize| row[i].as_str().unwrap().to_owned();
            (
                text(0),
                row[1].clone(),
                text(2),
                Some(row[3].clone()).filter(|b| !b.is_null()),
            )
        })
        .collect()
}

/// A route template with every `{placeholder}` replaced by `id`.
fn filled(template: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(id);
        rest = &rest[close..];
    }
    out + rest
}

/// One answer every method accepts: each takes what it is about from it.
fn answering(seen: &Seen) -> Option<Reply> {
    (seen.path != TOKEN_PATH).then(|| {
        Reply::json(
            200,
            json!({"config": {"id": "cfg_1"}, "instance": {"id": "inst_1"}, "token": "eyJ.h.s"}),
        )
    })
}

#[tokio::test]
async fn each_method_sends_its_binding_on_the_route_tracing_reports() {
    let stub = Stub::start(answering).await;
    let client = stub.client(0);
    let mut covered = Vec::new();
    for (method, given, expected, body) in cases() {
        let method = method.as_str();
        let (verb, target) = expected.split_once(' ').unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let operation = McpOperation::from_method(method).unwrap();
        assert_eq!(
            Operation::from_method(method),
            Some(Operation::Mcp(operation))
        );
        let before = stub.api_requests().len();
        client
            .mcp_call(operation, &params(given.clone()))
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let sent = stub.api_requests();
        assert_eq!(sent.len(), before + 1, "{method} sends one request");
        let seen = &sent[before];
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            (verb, path),
            "{method}"
        );
        assert_eq!(seen.query.as_deref().unwrap_or(""), query, "{method}");
        let sent_body =
            (!seen.body.is_empty()).then(|| serde_json::from_slice::<Value>(&seen.body).unwrap());
        assert_eq!(sent_body, body, "{method}");
        let route = operation.route();
        let template = match route.alternate {
            Some((param, alternate)) if given.get(param).is_some() => alternate,
            _ => route.path,
        };
        assert_eq!(
            (route.method, filled(template, "id_1").as_str()),
            (verb, path),
            "{method}'s route"
        );
        covered.push(operation);
    }
    for (name, operation, ..) in OPERATIONS {
        assert!(covered.contains(&operation), "{name} has no case");
    }
}

#[tokio::test]
async fn answers_resolve_in_camel_case() {
    let stub = Stub::start(|seen| {
        let answer = match seen.path.as_str() {
            "/api/v1/mcp/instances" => json!({"instances": [{"id": "inst_1", "user_identifier": "u",
                "config": {"id": "cfg_1", "name": "daily", "connection_tool_mappings": [{"connection_name": "gmail"}]},
                "updated_at": "2026-02-03T04:05:06Z"}], "next_page_token": "n2", "total_size": 2}),
            "/api/v1/mcp/configs/cfg_1/tokens" => {
                json!({"token": "eyJ.h.s", "expires_at": {"seconds": 1_800_000_000, "nanos": 0}})
            }
            _ => return None,
        };
        Some(Reply::json(200, answer))
    })
    .await;
    let client = stub.client(0);
    let page = call(&client, McpOperation::ListInstances, json!({}))
        .await
        .unwrap();
    assert_eq!(
        page,
        json!({"instances": [{"id": "inst_1", "name": "", "userIdentifier": "u",
            "config": {"id": "cfg_1", "name": "daily", "description": "", "mcpServerUrl": "",
                "connectionToolMappings": [{"connectionId": "", "connectionName": "gmail", "provider": "", "tools": []}]},
            "updatedAt": "2026-02-03T04:05:06Z", "url": ""}],
            "nextPageToken": "n2", "prevPageToken": "", "totalSize": 2})
    );
    let token = config_token(&client).await.unwrap();
    assert_eq!(
        token,
        json!({"token": "eyJ.h.s", "expiresAt": "2027-01-15T08:00:00Z"})
    );
}

#[tokio::test]
async fn a_bad_argument_sends_nothing() {
    let stub = Stub::start(|_| None).await;
    let client = stub.client(2);
    for (operation, given, argument) in [
        (
            McpOperation::CreateSessionToken,
            json!({"mcpConfigId": "c", "connectionName": "g", "identifier": "u"}),
            "connectionName",
        ),
        (
            McpOperation::CreateSessionToken,
            json!({"mcpConfigId": "c", "identifier": "u", "expiresInSeconds": 30}),
            "expiresInSeconds",
        ),
        (McpOperation::CreateConfig, json!({"name": "Daily"}), "name"),
        (
            McpOperation::ListConfigs,
            json!({"pageSize": 50}),
            "pageSize",
        ),
        (McpOperation::GetConfig, json!({"configID": "c"}), "params"),
    ] {
        match call(&client, operation, given.clone()).await {
            Err(ScalekitError::Validation {
                argument: named, ..
            }) => assert_eq!(named, argument, "{given}"),
            other => panic!("{given}: {other:?}"),
        }
    }
    assert_eq!(stub.api_requests().len(), 0);
    assert_eq!(stub.token_fetches(), 0, "not even a token is fetched");
}

#[tokio::test]
async fn the_control_plane_exchange_retries_and_fails_as_for_accounts() {
    // 503 then 200: retried (any method, as every control-plane call); 404: Scalekit's NOT_FOUND.
    let stub = Stub::start(|seen| match (seen.path.as_str(), seen.n) {
        ("/api/v1/mcp/configs/cfg_1/tokens", 0) => Some(Reply::retry_now(503)),
        ("/api/v1/mcp/configs/cfg_1/tokens", _) => {
            Some(Reply::json(200, json!({"token": "eyJ.h.s"})))
        }
        ("/api/v1/mcp/configs/gone", _) => Some(Reply::json(
            404,
            json!({"code": 5, "message": "config gone not found"}),
        )),
        _ => None,
    })
    .await;
    let client = stub.client(2);
    let token = config_token(&client).await.unwrap();
    assert_eq!(token, json!({"token": "eyJ.h.s"}));
    assert_eq!(stub.count("/api/v1/mcp/configs/cfg_1/tokens"), 2);
    let failure = http_failure(
        call(
            &client,
            McpOperation::GetConfig,
            json!({"configId": "gone"}),
        )
        .await,
    );
    assert_eq!((failure.status, failure.grpc_status), (404, 5));
    assert_eq!(
        stub.count("/api/v1/mcp/configs/gone"),
        1,
        "a 404 is not retried"
    );
    // A 2xx session-token answer without a token is a protocol failure, not an empty token.
    let stub = Stub::start(|_| None).await;
    let given = json!({"connectionName": "gmail", "identifier": "u"});
    let empty = call(&stub.client(0), McpOperation::CreateSessionToken, given).await;
    assert!(
        matches!(empty, Err(ScalekitError::Protocol { .. })),
        "{empty:?}"
    );
}
