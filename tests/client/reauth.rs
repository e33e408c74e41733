//! A 401 from Scalekit itself means the token is bad: drop it, fetch a new one, try once more.
//! A 401 relayed from the provider, or a tool's own failure, says nothing about the token.

use scalekit_core::accounts::{AccountOperation, Params};
use serde_json::{json, Value};

use crate::common::{
    http_failure, proxy_call, Reply, Seen, Stub, ACCOUNT_AUTH_PATH, EXECUTE_TOOL_PATH, PROXY_PATH,
};

/// Scalekit's own 401 (`code: 16`, UNAUTHENTICATED).
fn scalekit_401() -> Reply {
    Reply::json(401, json!({"code": 16, "message": "token expired"}))
}

/// A provider failure Scalekit reports as TOOL_ERROR, with a 401 status and `code: 16`.
fn tool_error_401() -> Reply {
    Reply::json(
        401,
        json!({"code": 16, "message": "the provider rejected the call",
            "details": [{"@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
                "error_code": "TOOL_ERROR"}]}),
    )
}

fn bearers(seen: &[Seen]) -> Vec<Option<&str>> {
    seen.iter().map(|s| s.authorization.as_deref()).collect()
}

#[tokio::test]
async fn scalekit_401_on_a_proxy_call_renews_the_token_and_retries_once() {
    let stub =
        Stub::start(|seen| (seen.path == PROXY_PATH && seen.n == 0).then(scalekit_401)).await;
    let client = stub.client(2);
    let response = client.request(proxy_call("POST")).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(stub.token_fetches(), 2);
    let attempts = stub.seen(PROXY_PATH);
    assert_eq!(
        bearers(&attempts),
        [Some("Bearer tok0"), Some("Bearer tok1")],
        "the second attempt carries the new token"
    );
    // The new token is cached.
    client.request(proxy_call("GET")).await.unwrap();
    assert_eq!(stub.token_fetches(), 2);
    assert_eq!(stub.count(PROXY_PATH), 3);
}

#[tokio::test]
async fn a_second_scalekit_401_is_returned_not_retried_again() {
    let stub = Stub::start(|seen| (seen.path == PROXY_PATH).then(scalekit_401)).await;
    let failure = http_failure(stub.client(2).request(proxy_call("GET")).await);
    assert_eq!(failure.status, 401);
    assert_eq!(stub.token_fetches(), 2);
    assert_eq!(stub.count(PROXY_PATH), 2);
}

#[tokio::test]
async fn a_providers_401_does_not_touch_the_token() {
    for body in [
        json!({"error": "invalid_token", "error_description": "Gmail says no"}),
        Value::String("Unauthorized".into()),
        json!({"code": 7, "message": "not Scalekit's 401"}),
    ] {
        let reply = Reply::json(401, body.clone());
        let stub = Stub::start(move |seen| (seen.path == PROXY_PATH).then(|| reply.clone())).await;
        let client = stub.client(2);
        let failure = http_failure(client.request(proxy_call("GET")).await);
        assert_eq!(failure.status, 401, "{body}");
        assert_eq!(stub.token_fetches(), 1, "{body}");
        assert_eq!(stub.count(PROXY_PATH), 1, "{body}");
        // The token stays cached.
        http_failure(client.request(proxy_call("GET")).await);
        assert_eq!(stub.token_fetches(), 1, "{body}");
    }
}

#[tokio::test]
async fn a_tool_error_401_does_not_reauthenticate() {
    let stub = Stub::start(|seen| {
        (seen.path == PROXY_PATH || seen.path == EXECUTE_TOOL_PATH).then(tool_error_401)
    })
    .await;
    let client = stub.client(2);
    let failure = http_failure(client.request(proxy_call("GET")).await);
    assert_eq!(failure.status, 401);
    assert_eq!(stub.count(PROXY_PATH), 1);

    let params = Params::from_json(r#"{"toolName": "gmail_send", "identifier": "u"}"#).unwrap();
    let failure = http_failure(
        client
            .accounts_call(AccountOperation::ExecuteTool, &params)
            .await,
    );
    assert_eq!(failure.status, 401);
    assert_eq!(stub.count(EXECUTE_TOOL_PATH), 1);
    assert_eq!(stub.token_fetches(), 1);
}

#[tokio::test]
async fn a_control_plane_401_renews_the_token_and_retries_once() {
    let stub = Stub::start(|seen| {
        (seen.path == ACCOUNT_AUTH_PATH && seen.n == 0)
            .then(|| Reply::json(401, json!({"message": "Unauthorized"})))
    })
    .await;
    let params = Params::from_json(r#"{"connectedAccountId": "ca_1"}"#).unwrap();
    let answer = stub
        .client(2)
        .accounts_call(AccountOperation::Get, &params)
        .await
        .unwrap();
    assert_eq!(answer, json!({}));
    assert_eq!(stub.token_fetches(), 2);
    assert_eq!(
        bearers(&stub.seen(ACCOUNT_AUTH_PATH)),
        [Some("Bearer tok0"), Some("Bearer tok1")]
    );
}
