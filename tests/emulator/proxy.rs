//! The Tool Proxy: credential injection, refusals, relaying upstream answers, the inline echo.

use std::sync::atomic::Ordering;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{
    assert_error, assert_fails, assert_fails_saying, json_of, message, oauth_account, send, serve,
    upstream, Api, CONNECTIONS,
};

#[tokio::test]
async fn injection_per_auth_type() {
    let (up, hits) = upstream().await;
    let api = Api::with(json!({
        "connections": [
            {"name": "oauth", "authType": "OAUTH", "upstreamUrl": format!("{up}/")},
            {"name": "basic", "authType": "BASIC", "upstreamUrl": up},
            {"name": "bearer", "authType": "BEARER", "upstreamUrl": up},
            {"name": "keyh", "authType": "API_KEY", "upstreamUrl": up, "apiKey": {"header": "X-API-Key"}},
            {"name": "keyq", "authType": "API_KEY", "upstreamUrl": up, "apiKey": {"query": "api_key"}},
            {"name": "keyd", "authType": "API_KEY", "upstreamUrl": up}
        ],
        "accounts": [
            oauth_account("oauth", "u", "at-1"),
            {"connectionName": "basic", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"username": "alice", "password": "p:w"}}}},
            {"connectionName": "bearer", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"token": "tok-1"}}}},
            {"connectionName": "keyh", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"api_key": "kh"}}}},
            {"connectionName": "keyq", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"api_key": "k q&=/"}}}},
            {"connectionName": "keyd", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"api_key": "kd"}}}}
        ]
    }))
    .await;
    let seen = |conn: &'static str, query: &'static str| {
        let req = api
            .proxy(Method::GET, &format!("/r{query}"), conn, "u")
            .header("authorization-extra", "kept");
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 200, "{conn}");
            json_of(resp).await
        }
    };
    assert_eq!(seen("oauth", "").await["authorization"], "Bearer at-1");
    // base64("alice:p:w")
    assert_eq!(
        seen("basic", "").await["authorization"],
        "Basic YWxpY2U6cDp3"
    );
    assert_eq!(seen("bearer", "").await["authorization"], "Bearer tok-1");
    let h = seen("keyh", "").await;
    assert_eq!(
        (h["x_api_key"].as_str(), h["authorization"].as_str()),
        (Some("kh"), None)
    );
    let q = seen("keyq", "?a=1").await;
    assert_eq!(q["query"], "a=1&api_key=k%20q%26%3D%2F");
    assert_eq!(q["authorization"], Value::Null);
    assert_eq!(seen("keyq", "").await["query"], "api_key=k%20q%26%3D%2F");
    assert_eq!(seen("keyd", "").await["authorization"], "kd");
    assert_eq!(hits.load(Ordering::SeqCst), 7);

    let (_, list) = api.get(CONNECTIONS).await;
    let types: Vec<&str> = list["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["OAUTH", "BASIC", "BEARER", "API_KEY", "API_KEY", "API_KEY"]
    );
    assert_eq!(list["total_size"], 6);
    assert!(list["connections"][0]["id"]
        .as_str()
        .unwrap()
        .starts_with("conn_"));
    assert_eq!(list["connections"][0]["key_id"], "oauth");
}

#[tokio::test]
async fn refusals_never_reach_upstream() {
    let (up, hits) = upstream().await;
    let api = Api::with(json!({
        "connections": [{"name": "svc", "authType": "BEARER", "upstreamUrl": up}],
        "accounts": [
            {"connectionName": "svc", "identifier": "exp", "status": "EXPIRED", "authorizationDetails": {"static_auth": {"details": {"token": "t"}}}},
            {"connectionName": "svc", "identifier": "nocreds", "status": "ACTIVE"},
            {"connectionName": "svc", "identifier": "pending"}
        ]
    }))
    .await;
    let refused = |conn: &'static str, ident: &'static str| {
        send(api.proxy(Method::POST, "/x", conn, ident).body("b"))
    };
    assert_fails_saying(
        &refused("svc", "exp").await,
        400,
        9,
        "FAILED_PRECONDITION",
        "EXPIRED",
    );
    let (s, b) = refused("svc", "pending").await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("PENDING_AUTH"));
    assert_fails(
        &refused("svc", "nocreds").await,
        400,
        9,
        "FAILED_PRECONDITION",
    );
    assert_fails(&refused("svc", "nobody").await, 404, 5, "NOT_FOUND");
    assert_fails(&refused("other", "exp").await, 404, 5, "NOT_FOUND");

    let unrouted = api.http.get(api.url("/proxy/x")).bearer_auth(&api.token);
    assert_fails_saying(
        &send(unrouted.header("identifier", "exp")).await,
        400,
        3,
        "INVALID_ARGUMENT",
        "connection_name",
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(api.stat("proxy"), 6);

    api.sk.set_account_status("svc", "exp", "ACTIVE").unwrap();
    let resp = api.send_proxy(Method::GET, "/x", "svc", "exp").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(api
        .sk
        .set_account_status("svc", "nobody", "ACTIVE")
        .is_err());
    assert!(api.sk.set_account_status("svc", "exp", "BOGUS").is_err());

    api.sk
        .set_account_status("svc", "exp", "DISCONNECTED")
        .unwrap();
    let (s, b) = refused("svc", "exp").await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("DISCONNECTED"));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn upstream_status_headers_and_unreachable() {
    // An upstream answering a redirect with a compressed-looking body: relayed untouched.
    let up = serve(axum::Router::new().fallback(|| async {
        (
            StatusCode::FOUND,
            [
                ("location", "/elsewhere"),
                ("content-encoding", "gzip"),
                ("x-up", "1"),
            ],
            vec![0x1f_u8, 0x8b, 0, 1, 2],
        )
    }))
    .await;
    let api = Api::with(json!({
        "connections": [
            {"name": "up", "upstreamUrl": up},
            {"name": "down", "upstreamUrl": "http://127.0.0.1:1"}
        ],
        "accounts": [oauth_account("up", "u", "a"), oauth_account("down", "u", "a")]
    }))
    .await;
    let resp = api.send_proxy(Method::GET, "/x", "up", "u").await;
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], "/elsewhere");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert_eq!(resp.headers()["x-up"], "1");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &[0x1f, 0x8b, 0, 1, 2]);
    // HEAD keeps the announced length although no body is relayed.
    let resp = api.send_proxy(Method::HEAD, "/x", "up", "u").await;
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["content-length"], "5");

    let resp = api.send_proxy(Method::GET, "/x", "down", "u").await;
    assert_eq!(resp.status(), 502);
    let b: Value = json_of(resp).await;
    assert_error(&b, 14, "UNAVAILABLE");
    assert!(message(&b).starts_with("upstream unreachable: "));
}

#[tokio::test]
async fn inline_echo_answers_without_the_second_hop() {
    let api = Api::inline_echo(oauth_account("bench", "u", "acc-tok")).await;
    let post = api.proxy(Method::POST, "/v1/items?a=1", "bench", "u");
    let (status, echoed) = send(post.header("x-caller", "yes").body("payload")).await;
    assert_eq!(status, 200);
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["path"], "/v1/items");
    assert_eq!(echoed["query"], "a=1");
    assert_eq!(echoed["body"], "payload");
    assert_eq!(echoed["headers"]["authorization"], "Bearer acc-tok");
    assert_eq!(echoed["headers"]["x-caller"], "yes");
    for scalekit_own in ["connection_name", "identifier"] {
        assert!(echoed["headers"].get(scalekit_own).is_none(), "{echoed}");
    }
    // No HTTP hop: the echo server's own client would have added `host`.
    assert!(echoed["headers"].get("host").is_none(), "{echoed}");
    assert_eq!(api.stat("echo"), 1);

    // Without the option the same call crosses a real HTTP hop.
    let api = Api::with(json!({"accounts": [oauth_account("bench", "u", "acc-tok")]})).await;
    let echoed = json_of(api.send_proxy(Method::GET, "/v1/items", "bench", "u").await).await;
    assert!(echoed["headers"].get("host").is_some(), "{echoed}");
}
