//! The token endpoint's failures: never an echo of the client secret, retries per policy.

use scalekit_core::accounts::{AccountOperation, Params};
use serde_json::json;

use crate::common::{http_failure, proxy_call, Reply, Stub, PROXY_PATH, SECRET, TOKEN_PATH};

#[tokio::test]
async fn a_rejected_secret_is_not_echoed_in_the_error() {
    // An endpoint that repeats the secret it was sent, in every field it has.
    for body in [
        json!({"error": "invalid_client",
            "error_description": format!("client secret {SECRET} is not valid for this client")}),
        json!({"error": format!("invalid_client:{SECRET}"), "error_description": SECRET}),
    ] {
        let reply = Reply::json(401, body.clone());
        let stub = Stub::start(move |seen| (seen.path == TOKEN_PATH).then(|| reply.clone())).await;
        let result = stub.client(2).request(proxy_call("GET")).await;
        let shown = format!("{result:?}");
        let failure = http_failure(result);
        assert_eq!(failure.status, 401);
        assert!(!failure.message.contains(SECRET), "{}", failure.message);
        assert!(
            !failure.error_code.as_deref().unwrap_or("").contains(SECRET),
            "{:?}",
            failure.error_code
        );
        assert!(!String::from_utf8_lossy(&failure.body).contains(SECRET));
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(
            failure.message.contains("invalid_client"),
            "{}",
            failure.message
        );
        assert_eq!(stub.token_fetches(), 1, "a 401 is final");
        assert_eq!(stub.count(PROXY_PATH), 0, "nothing sent without a token");
    }
}

#[tokio::test]
async fn token_server_failures_are_retried_max_retries_times() {
    for status in [500, 503] {
        let stub =
            Stub::start(move |seen| (seen.path == TOKEN_PATH).then(|| Reply::retry_now(status)))
                .await;
        let failure = http_failure(stub.client(2).request(proxy_call("GET")).await);
        assert_eq!(failure.status, status);
        assert_eq!(stub.token_fetches(), 3, "{status}: 1 + maxRetries");
        assert_eq!(stub.count(PROXY_PATH), 0);

        let stub =
            Stub::start(move |seen| (seen.path == TOKEN_PATH).then(|| Reply::retry_now(status)))
                .await;
        http_failure(stub.client(0).request(proxy_call("GET")).await);
        assert_eq!(stub.token_fetches(), 1, "{status}: maxRetries 0");
    }
}

#[tokio::test]
async fn a_token_endpoint_that_recovers_serves_the_call() {
    let stub =
        Stub::start(|seen| (seen.path == TOKEN_PATH && seen.n < 2).then(|| Reply::retry_now(503)))
            .await;
    let params = Params::from_json(r#"{"connectedAccountId": "ca_1"}"#).unwrap();
    stub.client(2)
        .accounts_call(AccountOperation::Get, &params)
        .await
        .unwrap();
    assert_eq!(stub.token_fetches(), 3);
}

#[tokio::test]
async fn a_client_error_from_the_token_endpoint_is_not_retried() {
    let stub = Stub::start(|seen| {
        (seen.path == TOKEN_PATH).then(|| {
            Reply::json(400, json!({"error": "invalid_request"})).header("retry-after", "0")
        })
    })
    .await;
    let failure = http_failure(stub.client(2).request(proxy_call("GET")).await);
    assert_eq!(failure.status, 400);
    assert_eq!(failure.error_code.as_deref(), Some("invalid_request"));
    assert_eq!(stub.token_fetches(), 1);
}

/// A Scalekit (or a gateway before it) that echoes the bearer it got, in its message, details,
/// body and a header: the access token is scrubbed from every part of the failure, on the control
/// plane as on the Tool Proxy (docs/wire-protocol.md §3, "Secrets in failures").
#[tokio::test]
async fn a_server_echoing_the_bearer_does_not_put_the_token_in_the_failure() {
    const TOKEN: &str = "at_9f8e7d6c5b4a";
    let stub = Stub::start(|seen| {
        if seen.path == TOKEN_PATH {
            return Some(Reply::json(
                200,
                json!({"access_token": TOKEN, "expires_in": 3600}),
            ));
        }
        let auth = seen.authorization.clone().unwrap_or_default();
        Some({
            Reply::json(
                400,
                json!({"code": 3, "message": format!("authorization was {auth}"),
                    "details": [{"@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
                        "error_code": format!("BAD {auth}")}]}),
            )
            .header("x-echo", &auth)
        })
    })
    .await;
    let client = stub.client(0);
    let params = Params::from_json(&json!({"connectionName": "c", "identifier": "u"}).to_string())
        .expect("params");
    for result in [
        client.request(proxy_call("GET")).await.map(|_| ()),
        client
            .accounts_call(AccountOperation::Get, &params)
            .await
            .map(|_| ()),
    ] {
        let shown = format!("{result:?}");
        let failure = http_failure(result);
        assert!(
            failure.message.contains("Bearer [REDACTED]"),
            "{}",
            failure.message
        );
        assert_eq!(failure.headers["x-echo"], "Bearer [REDACTED]");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!String::from_utf8_lossy(&failure.body).contains(TOKEN));
    }
}
