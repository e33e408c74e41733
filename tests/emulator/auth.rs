//! The bearer check of every API and proxy call: missing, forged, revoked and expired tokens.

use std::time::{Duration, Instant};

use reqwest::Method;
use scalekit_local::EmulatorOptions;
use serde_json::{json, Value};

use crate::common::{assert_fails, client, json_of, send, Api, ACCOUNTS, CONNECTIONS};

#[tokio::test]
async fn unauthenticated_shapes() {
    let api = Api::start(EmulatorOptions::default()).await;
    let http = client();
    let resp = http.get(api.url(ACCOUNTS)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = json_of(resp).await;
    assert_eq!(
        body,
        json!({"code":16,"message":"Token empty","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"UNAUTHENTICATED"}]})
    );
    let forged = http
        .get(api.url("/api/v1/connected_accounts/auth?connector=a&identifier=b"))
        .bearer_auth("forged");
    let answer = send(forged).await;
    assert_fails(&answer, 401, 16, "UNAUTHENTICATED");
    assert_eq!(answer.1["message"], "token is invalid or expired");

    let no_bearer = http
        .post(api.url("/proxy/x"))
        .header("connection_name", "gmail");
    let answer = send(no_bearer.header("identifier", "u")).await;
    assert_fails(&answer, 401, 16, "UNAUTHENTICATED");
    api.assert_stats(&[
        ("connected_accounts.list", 1),
        ("connected_accounts.get", 1),
        ("proxy", 1),
        ("echo", 0),
    ]);
}

#[tokio::test]
async fn revoke_and_expiry() {
    let api = Api::with(json!({"tokenTtlSeconds": 1})).await;
    assert_eq!(api.get(CONNECTIONS).await.0, 200);
    api.sk.revoke_tokens();
    let (s, b) = api.get(CONNECTIONS).await;
    assert_eq!(s, 401);
    assert_eq!(b["message"], "token is invalid or expired");
    let resp = api.send_proxy(Method::GET, "/", "gmail", "u").await;
    assert_eq!(resp.status(), 401);

    // Expiry: call until the token is refused (bounded), rather than sleeping past the TTL and
    // hoping; the refusal cannot come before the TTL has run from the token's issue.
    let issued_after = Instant::now();
    let fresh = Api::with(json!({"tokenTtlSeconds": 1})).await;
    assert_eq!(fresh.get(CONNECTIONS).await.0, 200);
    let mut calls = 1;
    let refused = loop {
        calls += 1;
        let status = fresh.get(CONNECTIONS).await.0;
        if status != 200 || calls > 500 {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(refused, 401);
    assert!(issued_after.elapsed() >= Duration::from_secs(1));
    assert_eq!(fresh.stat("connections.list"), calls);
    fresh.sk.reset_stats();
    assert_eq!(fresh.stat("connections.list"), 0);
}
