//! Which answers are tried again, and exactly how often (the client's `maxRetries` is 2 here).

use scalekit_core::accounts::{AccountOperation, Params};
use scalekit_core::proxy::{ProxyParams, RetrySetting};
use serde_json::json;

use crate::common::{
    http_failure, proxy_call, Reply, Stub, ACCOUNTS_PATH, ACCOUNT_AUTH_PATH, PROXY_PATH, TOKEN_PATH,
};

const MAX_RETRIES: u32 = 2;

/// A stub whose proxy and control-plane routes always answer `status`.
async fn always(status: u16) -> Stub {
    Stub::start(move |seen| (seen.path != TOKEN_PATH).then(|| Reply::retry_now(status))).await
}

/// Sends `call` to a stub that always answers `status`, checks the call failed with it, and
/// hands back the stub to count what it saw.
async fn failed_call(status: u16, max_retries: u32, call: ProxyParams) -> Stub {
    let stub = always(status).await;
    let failure = http_failure(stub.client(max_retries).request(call).await);
    assert_eq!(failure.status, status);
    stub
}

#[tokio::test]
async fn a_get_answered_503_is_tried_max_retries_more_times() {
    let stub = failed_call(503, MAX_RETRIES, proxy_call("GET")).await;
    assert_eq!(stub.count(PROXY_PATH), 1 + MAX_RETRIES as usize);
    assert_eq!(stub.token_fetches(), 1, "one token serves every attempt");
}

#[tokio::test]
async fn a_get_that_recovers_resolves_with_the_later_answer() {
    let stub =
        Stub::start(|seen| (seen.path == PROXY_PATH && seen.n == 0).then(|| Reply::retry_now(503)))
            .await;
    let response = stub
        .client(MAX_RETRIES)
        .request(proxy_call("GET"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(stub.count(PROXY_PATH), 2);
}

#[tokio::test]
async fn these_calls_are_sent_exactly_once() {
    let get_with = |retry| ProxyParams {
        retry,
        ..proxy_call("GET")
    };
    for (case, status, max_retries, call) in [
        (
            "a POST answered 503, by default",
            503,
            MAX_RETRIES,
            proxy_call("POST"),
        ),
        (
            "a GET with retry off",
            503,
            MAX_RETRIES,
            get_with(RetrySetting::Off),
        ),
        ("a GET with maxRetries 0", 503, 0, proxy_call("GET")),
        (
            "a GET answered 500 (not transient)",
            500,
            MAX_RETRIES,
            proxy_call("GET"),
        ),
    ] {
        let stub = failed_call(status, max_retries, call).await;
        assert_eq!(stub.count(PROXY_PATH), 1, "{case}");
    }
}

#[tokio::test]
async fn a_post_is_retried_when_the_caller_opts_in() {
    let call = ProxyParams {
        retry: RetrySetting::Count(3),
        ..proxy_call("POST")
    };
    let attempts = failed_call(503, MAX_RETRIES, call).await.seen(PROXY_PATH);
    assert_eq!(attempts.len(), 4, "the caller's count, not maxRetries");
    assert!(attempts.iter().all(|s| s.method == "POST"));
}

#[tokio::test]
async fn a_tool_error_503_is_not_retried() {
    let stub = Stub::start(|seen| {
        (seen.path == PROXY_PATH).then(|| {
            Reply::json(
                503,
                json!({"code": 14, "message": "provider down",
                    "details": [{"error_code": "TOOL_ERROR"}]}),
            )
            .header("retry-after", "0")
        })
    })
    .await;
    http_failure(stub.client(MAX_RETRIES).request(proxy_call("GET")).await);
    assert_eq!(stub.count(PROXY_PATH), 1);
}

#[tokio::test]
async fn control_plane_503_is_retried_max_retries_times_for_reads_and_writes() {
    let stub = always(503).await;
    let client = stub.client(MAX_RETRIES);
    let get = Params::from_json(r#"{"connectedAccountId": "ca_1"}"#).unwrap();
    let failure = http_failure(client.accounts_call(AccountOperation::Get, &get).await);
    assert_eq!(failure.status, 503);
    assert_eq!(stub.count(ACCOUNT_AUTH_PATH), 1 + MAX_RETRIES as usize);

    let create = Params::from_json(r#"{"connectionName": "gmail", "identifier": "u"}"#).unwrap();
    http_failure(
        client
            .accounts_call(AccountOperation::Create, &create)
            .await,
    );
    assert_eq!(stub.count(ACCOUNTS_PATH), 1 + MAX_RETRIES as usize);
    assert_eq!(stub.token_fetches(), 1);
}

#[tokio::test]
async fn control_plane_429_is_not_retried() {
    let stub = always(429).await;
    let get = Params::from_json(r#"{"connectedAccountId": "ca_1"}"#).unwrap();
    let failure = http_failure(
        stub.client(MAX_RETRIES)
            .accounts_call(AccountOperation::Get, &get)
            .await,
    );
    assert_eq!(failure.status, 429);
    assert_eq!(stub.count(ACCOUNT_AUTH_PATH), 1);
}
