//! Magic links, the browser following them, and user verification.

use reqwest::Method;
use scalekit_local::EmulatorOptions;
use serde_json::{json, Value};

use crate::common::{
    assert_error, assert_fails, assert_fails_saying, browse, client, json_of, message, send, Api,
    MAGIC_LINK, VERIFY,
};

/// Asks for a magic link; the answer must be a 200.
async fn magic_link(api: &Api, request: Value) -> Value {
    let (status, body) = api.post(MAGIC_LINK, request).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn magic_link_authorize_then_proxy_to_echo() {
    let api = Api::start(EmulatorOptions::default()).await;
    let body = magic_link(
        &api,
        json!({"connector": "gmail", "identifier": "u+1@x.com"}),
    )
    .await;
    let link = body["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/magic/", api.sk.url())));
    let expiry = time::OffsetDateTime::parse(
        body["expiry"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let left = expiry - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::minutes(14) && left <= time::Duration::minutes(15));

    let get_path = "/api/v1/connected_accounts/auth?connector=gmail&identifier=u%2B1%40x.com";
    let (status, body) = api.get(get_path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["connected_account"]["status"], "PENDING_AUTH");

    // Not yet authorized: refused without touching the upstream.
    let resp = api
        .send_proxy(Method::GET, "/x", "gmail", "u+1@x.com")
        .await;
    assert_eq!(resp.status(), 400);
    let body: Value = json_of(resp).await;
    assert_error(&body, 9, "FAILED_PRECONDITION");
    assert!(message(&body).contains("PENDING_AUTH"));
    assert_eq!(api.stat("echo"), 0);

    // The user's browser: no bearer.
    let resp = browse(&link).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("Authorized"));
    assert_eq!(browse(&link).await.status(), 404, "a link works once");
    assert_eq!(api.stat("authorize"), 2);

    let (_, body) = api.get(get_path).await;
    let account = &body["connected_account"];
    assert_eq!(account["status"], "ACTIVE");
    assert_eq!(account["authorization_type"], "OAUTH");
    assert!(account["id"].as_str().unwrap().starts_with("ca_"));
    assert!(account["connection_id"]
        .as_str()
        .unwrap()
        .starts_with("conn_"));
    let access = account["authorization_details"]["oauth_token"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!access.is_empty());
    assert!(account["token_expires_at"].is_string());

    let payload = b"{\"hello\": \"w\xc3\xb6rld\"}".to_vec();
    let patch = api.proxy(
        Method::PATCH,
        "/v1/a%2Fb/c%20d?x=1&y=a+b&x=%2B",
        "gmail",
        "u+1@x.com",
    );
    let (status, echo) = send(
        patch
            .header("x-custom", "one")
            .header("x-custom", "two")
            .header("content-type", "application/json")
            .body(payload.clone()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(echo["method"], "PATCH");
    assert_eq!(echo["path"], "/v1/a%2Fb/c%20d");
    assert_eq!(echo["query"], "x=1&y=a+b&x=%2B");
    assert_eq!(echo["body"], "{\"hello\": \"wörld\"}");
    let headers = echo["headers"].as_object().unwrap();
    assert_eq!(headers["x-custom"], "one, two");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["content-length"], payload.len().to_string());
    assert_eq!(headers["authorization"], format!("Bearer {access}"));
    assert!(!headers.contains_key("connection_name"));
    assert!(!headers.contains_key("identifier"));
    assert!(!headers
        .values()
        .any(|v| v.as_str().unwrap().contains(&api.token)));
    api.assert_stats(&[("proxy", 2), ("echo", 1), ("magic_link", 1)]);

    // A bare /proxy and a GET without a body.
    let echo = json_of(api.send_proxy(Method::GET, "", "gmail", "u+1@x.com").await).await;
    assert_eq!(
        (
            echo["path"].as_str(),
            echo["query"].as_str(),
            echo["body"].as_str()
        ),
        (Some("/"), Some(""), Some(""))
    );

    let (_, body) = api.get(get_path).await;
    assert!(body["connected_account"]["last_used_at"].is_string());

    // Direct echo use.
    let resp = client()
        .delete(format!("{}/p//q?z", api.sk.echo_url()))
        .send()
        .await
        .unwrap();
    let echo: Value = json_of(resp).await;
    assert_eq!(
        (
            echo["method"].as_str(),
            echo["path"].as_str(),
            echo["query"].as_str()
        ),
        (Some("DELETE"), Some("/p//q"), Some("z"))
    );
}

#[tokio::test]
async fn user_verification_flow() {
    let api = Api::start(EmulatorOptions::default()).await;
    let body = magic_link(
        &api,
        json!({"connector": "slack", "identifier": "bob", "state": "csrf &1", "userVerifyUrl": "https://app.example/verify?x=1"}),
    )
    .await;
    let resp = browse(body["link"].as_str().unwrap()).await;
    assert_eq!(resp.status(), 302);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/verify");
    let pairs: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(pairs["x"], "1");
    assert_eq!(pairs["state"], "csrf &1");
    let request_id = pairs["auth_request_id"].clone();

    let get_path = "/api/v1/connected_accounts/auth?connector=slack&identifier=bob";
    assert_eq!(api.status_at(get_path).await, "PENDING_VERIFICATION");
    let proxied = || async {
        api.send_proxy(Method::GET, "/", "slack", "bob")
            .await
            .status()
    };
    assert_eq!(proxied().await, 400);

    let api_ref = &api;
    let verify = move |body: Value| api_ref.post(VERIFY, body);
    let answer = verify(json!({"auth_request_id": request_id, "identifier": "mallory"})).await;
    assert_fails(&answer, 403, 7, "PERMISSION_DENIED");
    let (s, b) = verify(json!({"identifier": "bob"})).await;
    assert_eq!(s, 400);
    assert!(message(&b).contains("auth_request_id"));
    let (s, b) = verify(json!({"authRequestId": request_id, "identifier": "bob"})).await;
    assert_eq!(s, 200, "{b}");
    let redirect = b["post_user_verify_redirect_url"].as_str().unwrap();
    assert!(redirect.starts_with(&api.sk.url()));
    assert_eq!(browse(redirect).await.status(), 200);
    assert_eq!(api.status_at(get_path).await, "ACTIVE");
    let answer = verify(json!({"auth_request_id": request_id, "identifier": "bob"})).await;
    assert_fails(&answer, 404, 5, "NOT_FOUND");
    assert_eq!(api.stat("verify"), 4);
    assert_eq!(proxied().await, 200);
}

#[tokio::test]
async fn static_connection_magic_link() {
    let api = Api::with(
        json!({"connections": [{"name": "k", "authType": "API_KEY", "apiKey": {"header": "x-key"}}]}),
    )
    .await;
    let answer = api
        .post(MAGIC_LINK, json!({"connector": "nope", "identifier": "u"}))
        .await;
    assert_fails_saying(&answer, 400, 3, "INVALID_ARGUMENT", "nope");
    let b = magic_link(&api, json!({"connector": "k", "identifier": "u"})).await;
    let link = b["link"].as_str().unwrap().to_owned();
    let resp = browse(&link).await;
    assert_eq!(resp.status(), 400, "no credentials stored or given");
    assert_eq!(
        browse(&format!("{link}?api_key=secret-k")).await.status(),
        200
    );
    let echo = json_of(api.send_proxy(Method::GET, "/z", "k", "u").await).await;
    assert_eq!(echo["headers"]["x-key"], "secret-k");
}
