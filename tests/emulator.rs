//! LocalScalekit over real loopback HTTP.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use scalekit_native::emulator::{EmulatorOptions, LocalScalekit};
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    // No decompression: relayed bytes and content-encoding must be observable as sent.
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Api {
    sk: LocalScalekit,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn start(options: EmulatorOptions) -> Api {
        let sk = LocalScalekit::start(options).await.unwrap();
        let http = client();
        let resp = http
            .post(format!("{}/oauth/token", sk.url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sk.client_id()),
                ("client_secret", sk.client_secret()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = json_of(resp).await;
        let token = body["access_token"].as_str().unwrap().to_owned();
        Api { sk, http, token }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sk.url())
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    fn proxy(
        &self,
        method: Method,
        path: &str,
        connection: &str,
        identifier: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(&format!("/proxy{path}")))
            .bearer_auth(&self.token)
            .header("connection_name", connection)
            .header("identifier", identifier)
    }

    fn stat(&self, name: &str) -> u64 {
        self.sk.stats().get(name).copied().unwrap_or(u64::MAX)
    }
}

async fn json_of(resp: reqwest::Response) -> Value {
    let bytes = resp.bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn options(json: Value) -> EmulatorOptions {
    EmulatorOptions::from_json(&json.to_string()).unwrap()
}

fn assert_error(body: &Value, code: u64, error_code: &str) {
    assert_eq!(body["code"], json!(code), "body: {body}");
    assert_eq!(
        body["details"][0]["@type"],
        json!("type.googleapis.com/scalekit.v1.errdetails.ErrorInfo"),
        "body: {body}"
    );
    assert_eq!(
        body["details"][0]["error_code"],
        json!(error_code),
        "body: {body}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
}

/// A tiny upstream that reports the credentials it received and counts its calls.
async fn upstream() -> (String, Arc<AtomicU64>) {
    use axum::extract::RawQuery;
    use axum::http::HeaderMap;
    let hits = Arc::new(AtomicU64::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, RawQuery(q): RawQuery| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let h = |n: &str| {
                headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            axum::Json(json!({
                "authorization": h("authorization"),
                "x_api_key": h("x-api-key"),
                "query": q,
            }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, hits)
}

#[tokio::test]
async fn token_endpoint() {
    let sk = LocalScalekit::start(options(
        json!({"clientId": "skc_1", "clientSecret": "s3cret/&", "tokenTtlSeconds": 120}),
    ))
    .await
    .unwrap();
    assert_eq!(sk.client_id(), "skc_1");
    let http = client();
    let url = format!("{}/oauth/token", sk.url());
    assert!(!sk.url().ends_with('/'));

    let ok = http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "skc_1"),
            ("client_secret", "s3cret/&"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let body: Value = json_of(ok).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 120);
    assert_eq!(body["scope"], "openid");
    assert!(body["access_token"].as_str().unwrap().len() >= 32);

    let bad = http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "skc_1"),
            ("client_secret", "wrong-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let text = bad.text().await.unwrap();
    assert!(!text.contains("wrong-secret") && !text.contains("s3cret"));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"], "invalid_client");

    let missing = http
        .post(&url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);

    let grant = http
        .post(&url)
        .form(&[
            ("grant_type", "password"),
            ("client_id", "skc_1"),
            ("client_secret", "s3cret/&"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), 400);
    let body: Value = json_of(grant).await;
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(sk.stats()["token"], 4);

    // Generated credentials when none are configured.
    let sk2 = LocalScalekit::start(EmulatorOptions::default())
        .await
        .unwrap();
    assert!(
        sk2.client_id().starts_with("skc_")
            && sk2.client_id()[4..].chars().all(|c| c.is_ascii_digit())
    );
    assert!(sk2.client_secret().len() >= 20);
}

#[tokio::test]
async fn unauthenticated_shapes() {
    let api = Api::start(EmulatorOptions::default()).await;
    let http = client();
    let resp = http
        .get(api.url("/api/v1/connected_accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = json_of(resp).await;
    assert_eq!(
        body,
        json!({"code":16,"message":"Token empty","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"UNAUTHENTICATED"}]})
    );
    let resp = http
        .get(api.url("/api/v1/connected_accounts/auth?connector=a&identifier=b"))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = json_of(resp).await;
    assert_eq!(body["message"], "token is invalid or expired");
    assert_error(&body, 16, "UNAUTHENTICATED");

    let resp = http
        .post(api.url("/proxy/x"))
        .header("connection_name", "gmail")
        .header("identifier", "u")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_error(&json_of(resp).await, 16, "UNAUTHENTICATED");
    assert_eq!(api.stat("connected_accounts.list"), 1);
    assert_eq!(api.stat("connected_accounts.get"), 1);
    assert_eq!(api.stat("proxy"), 1);
    assert_eq!(api.stat("echo"), 0);
}

#[tokio::test]
async fn magic_link_authorize_then_proxy_to_echo() {
    let api = Api::start(EmulatorOptions::default()).await;
    let (status, body) = api
        .post(
            "/api/v1/connected_accounts/magic_link",
            json!({"connector": "gmail", "identifier": "u+1@x.com"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
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
        .proxy(Method::GET, "/x", "gmail", "u+1@x.com")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = json_of(resp).await;
    assert_error(&body, 9, "FAILED_PRECONDITION");
    assert!(body["message"].as_str().unwrap().contains("PENDING_AUTH"));
    assert_eq!(api.stat("echo"), 0);

    // The user's browser: no bearer.
    let resp = client().get(&link).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("Authorized"));
    assert_eq!(
        client().get(&link).send().await.unwrap().status(),
        404,
        "a link works once"
    );
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
    let resp = api
        .proxy(
            Method::PATCH,
            "/v1/a%2Fb/c%20d?x=1&y=a+b&x=%2B",
            "gmail",
            "u+1@x.com",
        )
        .header("x-custom", "one")
        .header("x-custom", "two")
        .header("content-type", "application/json")
        .body(payload.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let echo: Value = json_of(resp).await;
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
    assert_eq!(api.stat("proxy"), 2);
    assert_eq!(api.stat("echo"), 1);
    assert_eq!(api.stat("magic_link"), 1);

    // A bare /proxy and a GET without a body.
    let resp = api
        .proxy(Method::GET, "", "gmail", "u+1@x.com")
        .send()
        .await
        .unwrap();
    let echo: Value = json_of(resp).await;
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
async fn injection_per_auth_type() {
    let (up, hits) = upstream().await;
    let api = Api::start(options(json!({
        "connections": [
            {"name": "oauth", "authType": "OAUTH", "upstreamUrl": format!("{up}/")},
            {"name": "basic", "authType": "BASIC", "upstreamUrl": up},
            {"name": "bearer", "authType": "BEARER", "upstreamUrl": up},
            {"name": "keyh", "authType": "API_KEY", "upstreamUrl": up, "apiKey": {"header": "X-API-Key"}},
            {"name": "keyq", "authType": "API_KEY", "upstreamUrl": up, "apiKey": {"query": "api_key"}},
            {"name": "keyd", "authType": "API_KEY", "upstreamUrl": up}
        ],
        "accounts": [
            {"connectionName": "oauth", "identifier": "u", "authorizationDetails": {"oauth_token": {"access_token": "at-1"}}},
            {"connectionName": "basic", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"username": "alice", "password": "p:w"}}}},
            {"connectionName": "bearer", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"token": "tok-1"}}}},
            {"connectionName": "keyh", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"api_key": "kh"}}}},
            {"connectionName": "keyq", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"api_key": "k q&=/"}}}},
            {"connectionName": "keyd", "identifier": "u", "authorizationDetails": {"static_auth": {"details": {"api_key": "kd"}}}}
        ]
    })))
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

    let (_, list) = api.get("/api/v1/connections").await;
    let types: Vec<&str> = list["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "OAUTH",
            "BASIC",
            "BEARER_TOKEN",
            "API_KEY",
            "API_KEY",
            "API_KEY"
        ]
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
    let api = Api::start(options(json!({
        "connections": [{"name": "svc", "authType": "BEARER", "upstreamUrl": up}],
        "accounts": [
            {"connectionName": "svc", "identifier": "exp", "status": "EXPIRED", "authorizationDetails": {"static_auth": {"details": {"token": "t"}}}},
            {"connectionName": "svc", "identifier": "nocreds", "status": "ACTIVE"},
            {"connectionName": "svc", "identifier": "pending"}
        ]
    })))
    .await;
    let refused = |conn: &'static str, ident: &'static str| {
        let req = api.proxy(Method::POST, "/x", conn, ident).body("b");
        async move {
            let resp = req.send().await.unwrap();
            (resp.status(), json_of(resp).await)
        }
    };
    let (s, b) = refused("svc", "exp").await;
    assert_eq!(s, 400);
    assert_error(&b, 9, "FAILED_PRECONDITION");
    assert!(b["message"].as_str().unwrap().contains("EXPIRED"));
    let (s, b) = refused("svc", "pending").await;
    assert_eq!(s, 400);
    assert!(b["message"].as_str().unwrap().contains("PENDING_AUTH"));
    let (s, b) = refused("svc", "nocreds").await;
    assert_eq!(s, 400);
    assert_error(&b, 9, "FAILED_PRECONDITION");
    let (s, b) = refused("svc", "nobody").await;
    assert_eq!(s, 404);
    assert_error(&b, 5, "NOT_FOUND");
    let (s, b) = refused("other", "exp").await;
    assert_eq!(s, 404);
    assert_error(&b, 5, "NOT_FOUND");

    let resp = api
        .http
        .get(api.url("/proxy/x"))
        .bearer_auth(&api.token)
        .header("identifier", "exp")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let b: Value = json_of(resp).await;
    assert_error(&b, 3, "INVALID_ARGUMENT");
    assert!(b["message"].as_str().unwrap().contains("connection_name"));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(api.stat("proxy"), 6);

    api.sk.set_account_status("svc", "exp", "ACTIVE").unwrap();
    let resp = api
        .proxy(Method::GET, "/x", "svc", "exp")
        .send()
        .await
        .unwrap();
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
    assert!(b["message"].as_str().unwrap().contains("DISCONNECTED"));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn upstream_status_headers_and_unreachable() {
    // An upstream answering a redirect with a compressed-looking body: relayed untouched.
    let app = axum::Router::new().fallback(|| async {
        (
            StatusCode::FOUND,
            [
                ("location", "/elsewhere"),
                ("content-encoding", "gzip"),
                ("x-up", "1"),
            ],
            vec![0x1f_u8, 0x8b, 0, 1, 2],
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let up = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let api = Api::start(options(json!({
        "connections": [
            {"name": "up", "upstreamUrl": up},
            {"name": "down", "upstreamUrl": "http://127.0.0.1:1"}
        ],
        "accounts": [
            {"connectionName": "up", "identifier": "u", "authorizationDetails": {"oauth_token": {"access_token": "a"}}},
            {"connectionName": "down", "identifier": "u", "authorizationDetails": {"oauth_token": {"access_token": "a"}}}
        ]
    })))
    .await;
    let resp = api
        .proxy(Method::GET, "/x", "up", "u")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], "/elsewhere");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    assert_eq!(resp.headers()["x-up"], "1");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), &[0x1f, 0x8b, 0, 1, 2]);
    // HEAD keeps the announced length although no body is relayed.
    let resp = api
        .proxy(Method::HEAD, "/x", "up", "u")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["content-length"], "5");

    let resp = api
        .proxy(Method::GET, "/x", "down", "u")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    let b: Value = json_of(resp).await;
    assert_error(&b, 14, "UNAVAILABLE");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .starts_with("upstream unreachable: "));
}

#[tokio::test]
async fn user_verification_flow() {
    let api = Api::start(EmulatorOptions::default()).await;
    let (status, body) = api
        .post(
            "/api/v1/connected_accounts/magic_link",
            json!({"connector": "slack", "identifier": "bob", "state": "csrf &1", "userVerifyUrl": "https://app.example/verify?x=1"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let resp = client()
        .get(body["link"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/verify");
    let pairs: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(pairs["x"], "1");
    assert_eq!(pairs["state"], "csrf &1");
    let request_id = pairs["auth_request_id"].clone();

    let get_path = "/api/v1/connected_accounts/auth?connector=slack&identifier=bob";
    assert_eq!(
        api.get(get_path).await.1["connected_account"]["status"],
        "PENDING_VERIFICATION"
    );
    assert_eq!(
        api.proxy(Method::GET, "/", "slack", "bob")
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    let (s, b) = api
        .post(
            "/api/v1/connected_accounts/user/verify",
            json!({"auth_request_id": request_id, "identifier": "mallory"}),
        )
        .await;
    assert_eq!(s, 403);
    assert_error(&b, 7, "PERMISSION_DENIED");
    let (s, b) = api
        .post(
            "/api/v1/connected_accounts/user/verify",
            json!({"identifier": "bob"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(b["message"].as_str().unwrap().contains("auth_request_id"));
    let (s, b) = api
        .post(
            "/api/v1/connected_accounts/user/verify",
            json!({"authRequestId": request_id, "identifier": "bob"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let redirect = b["post_user_verify_redirect_url"].as_str().unwrap();
    assert!(redirect.starts_with(&api.sk.url()));
    assert_eq!(client().get(redirect).send().await.unwrap().status(), 200);
    assert_eq!(
        api.get(get_path).await.1["connected_account"]["status"],
        "ACTIVE"
    );
    let (s, b) = api
        .post(
            "/api/v1/connected_accounts/user/verify",
            json!({"auth_request_id": request_id, "identifier": "bob"}),
        )
        .await;
    assert_eq!(s, 404);
    assert_error(&b, 5, "NOT_FOUND");
    assert_eq!(api.stat("verify"), 4);
    assert_eq!(
        api.proxy(Method::GET, "/", "slack", "bob")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn static_connection_magic_link() {
    let api = Api::start(options(json!({"connections": [{"name": "k", "authType": "API_KEY", "apiKey": {"header": "x-key"}}]}))).await;
    let (s, b) = api
        .post(
            "/api/v1/connected_accounts/magic_link",
            json!({"connector": "nope", "identifier": "u"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_error(&b, 3, "INVALID_ARGUMENT");
    assert!(b["message"].as_str().unwrap().contains("nope"));
    let (_, b) = api
        .post(
            "/api/v1/connected_accounts/magic_link",
            json!({"connector": "k", "identifier": "u"}),
        )
        .await;
    let link = b["link"].as_str().unwrap().to_owned();
    let resp = client().get(&link).send().await.unwrap();
    assert_eq!(resp.status(), 400, "no credentials stored or given");
    assert_eq!(
        client()
            .get(format!("{link}?api_key=secret-k"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let resp = api.proxy(Method::GET, "/z", "k", "u").send().await.unwrap();
    let echo: Value = json_of(resp).await;
    assert_eq!(echo["headers"]["x-key"], "secret-k");
}

#[tokio::test]
async fn accounts_crud_list_and_validation() {
    let api = Api::start(EmulatorOptions::default()).await;
    let ca = "/api/v1/connected_accounts";
    let (s, b) = api
        .post(ca, json!({"connector": "gmail", "identifier": "a@x", "connected_account": {"authorization_details": {"oauth_token": {"access_token": "t"}}, "api_config": {"v": 1}}}))
        .await;
    assert_eq!(s, 201, "{b}");
    let a = &b["connected_account"];
    assert_eq!(
        (
            a["status"].as_str(),
            a["connector"].as_str(),
            a["provider"].as_str()
        ),
        (Some("ACTIVE"), Some("gmail"), Some("gmail"))
    );
    assert_eq!(a["api_config"], json!({"v": 1}));
    let id = a["id"].as_str().unwrap().to_owned();
    let updated_at = a["updated_at"].as_str().unwrap().to_owned();
    assert!(updated_at.ends_with('Z'));

    let (s, b) = api
        .post(
            ca,
            json!({"connector": "gmail", "identifier": "a@x", "connected_account": {}}),
        )
        .await;
    assert_eq!(s, 409);
    assert_error(&b, 6, "ALREADY_EXISTS");
    // lowerCamel input; no credentials → PENDING_AUTH.
    let (s, b) = api.post(ca, json!({"connector": "gmail", "identifier": "a@x", "organizationId": "org_1", "connectedAccount": {"authorizationDetails": {"oauthToken": {}}}})).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["connected_account"]["status"], "PENDING_AUTH");
    let (s, b) = api
        .post(ca, json!({"connector": "gmail", "identifier": "b@x"}))
        .await;
    assert_eq!(s, 400);
    assert_error(&b, 3, "INVALID_ARGUMENT");
    assert!(b["message"].as_str().unwrap().contains("connected_account"));
    let (s, _) = api
        .post(ca, json!({"connector": "gmail", "connected_account": {}}))
        .await;
    assert_eq!(s, 400);

    // Get by id wins over a non-matching key.
    let (s, b) = api
        .get(&format!("{ca}/auth?id={id}&connector=other&identifier=zzz"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["connected_account"]["identifier"], "a@x");
    let (s, b) = api
        .get(&format!(
            "{ca}/auth?connector=gmail&identifier=a%40x&organization_id=org_1"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["connected_account"]["status"], "PENDING_AUTH");
    let (s, b) = api.get(&format!("{ca}/auth?connector=gmail")).await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = api.get(&format!("{ca}/auth?id=ca_999")).await;
    assert_eq!(s, 404);
    assert_error(&b, 5, "NOT_FOUND");

    // Validation (§5).
    for (path, field) in [
        (format!("{ca}/auth?id=xx_1"), "id"),
        (
            format!("{ca}/auth?connector=bad/name&identifier=a"),
            "connector",
        ),
        (
            format!("{ca}/auth?connector=g&identifier={}", "i".repeat(101)),
            "identifier",
        ),
        (
            format!(
                "{ca}/auth?connector=g&identifier=i&organization_id={}",
                "o".repeat(33)
            ),
            "organization_id",
        ),
        (format!("{ca}?page_size=100"), "page_size"),
        (format!("{ca}?page_token=garbage"), "page_token"),
        (
            format!("{ca}?connector=gmail&connection_names=gmail"),
            "connection_names",
        ),
    ] {
        let (s, b) = api.get(&path).await;
        assert_eq!(s, 400, "{path}");
        assert_error(&b, 3, "INVALID_ARGUMENT");
        assert!(
            b["message"].as_str().unwrap().contains(field),
            "{path}: {b}"
        );
    }
    let (s, b) = api
        .post(
            "/api/v1/connected_accounts/magic_link",
            json!({"connector": "g", "identifier": "i", "user_verify_url": "ftp://x"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(b["message"].as_str().unwrap().contains("user_verify_url"));
    let resp = api
        .http
        .post(api.url(ca))
        .bearer_auth(&api.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_error(&json_of(resp).await, 3, "INVALID_ARGUMENT");

    // Update: credentials replaced, api_config merged, updated_at moves.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (s, b) = api
        .put(ca, json!({"id": id, "connected_account": {"authorization_details": {"oauth_token": {"access_token": "t2"}}, "api_config": {"w": 2}}}))
        .await;
    assert_eq!(s, 200, "{b}");
    let a = &b["connected_account"];
    assert_eq!(a["api_config"], json!({"v": 1, "w": 2}));
    assert_eq!(
        a["authorization_details"]["oauth_token"]["access_token"],
        "t2"
    );
    assert_ne!(a["updated_at"].as_str().unwrap(), updated_at);
    let (s, _) = api
        .put(
            ca,
            json!({"connector": "gmail", "identifier": "nobody", "connected_account": {}}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api.put(ca, json!({"id": id})).await;
    assert_eq!(s, 400);

    // List + pagination over 5 gmail accounts and 1 slack account.
    for i in 0..3 {
        let (s, _) = api.post(ca, json!({"connector": "gmail", "identifier": format!("p{i}@x"), "connected_account": {}})).await;
        assert_eq!(s, 201);
    }
    api.post(
        ca,
        json!({"connector": "slack", "identifier": "s@x", "connected_account": {}}),
    )
    .await;
    let (s, page1) = api.get(&format!("{ca}?connector=gmail&page_size=2")).await;
    assert_eq!(s, 200);
    assert_eq!(page1["total_size"], 5);
    assert_eq!(page1["connected_accounts"].as_array().unwrap().len(), 2);
    assert!(page1["connected_accounts"][0]
        .get("authorization_details")
        .is_none());
    assert_eq!(page1["prev_page_token"], "");
    let mut seen: Vec<String> = Vec::new();
    let mut token = String::new();
    loop {
        let (_, page) = api
            .get(&format!(
                "{ca}?connector=gmail&page_size=2&page_token={token}"
            ))
            .await;
        for a in page["connected_accounts"].as_array().unwrap() {
            seen.push(a["id"].as_str().unwrap().to_owned());
        }
        token = page["next_page_token"].as_str().unwrap().to_owned();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    seen.dedup();
    assert_eq!(seen.len(), 5);
    let (_, all) = api
        .get(&format!(
            "{ca}?connection_names=gmail&connection_names=slack"
        ))
        .await;
    assert_eq!(all["total_size"], 6);
    let (_, q) = api.get(&format!("{ca}?query=P1%40")).await;
    assert_eq!(q["total_size"], 1);
    let (_, q) = api.get(&format!("{ca}?organization_id=org_1")).await;
    assert_eq!(q["total_size"], 1);

    // Delete (literal colon route), then gone.
    let (s, b) = api
        .post("/api/v1/connected_accounts:delete", json!({"id": id}))
        .await;
    assert_eq!((s, b), (StatusCode::OK, json!({})));
    let (s, _) = api
        .post("/api/v1/connected_accounts:delete", json!({"id": id}))
        .await;
    assert_eq!(s, 404);
    let (s, _) = api.get(&format!("{ca}/auth?id={id}")).await;
    assert_eq!(s, 404);
    assert_eq!(api.sk.accounts_json().as_array().unwrap().len(), 5);
    assert_eq!(api.stat("connected_accounts.delete"), 2);
    assert_eq!(api.stat("connected_accounts.create"), 10);

    let (s, b) = api
        .post("/api/v1/execute_tool", json!({"tool_name": "nope"}))
        .await;
    assert_eq!(s, 404);
    assert_error(&b, 5, "NOT_FOUND");
    let (s, b) = api
        .post(
            "/api/v1/execute_tool",
            json!({"tool_name": "emulator_echo", "params": {"a": 1}}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["data"]["params"], json!({"a": 1}));
    assert_eq!(api.stat("execute_tool"), 2);
}

#[tokio::test]
async fn revoke_and_expiry() {
    let api = Api::start(options(json!({"tokenTtlSeconds": 1}))).await;
    assert_eq!(api.get("/api/v1/connections").await.0, 200);
    api.sk.revoke_tokens();
    let (s, b) = api.get("/api/v1/connections").await;
    assert_eq!(s, 401);
    assert_eq!(b["message"], "token is invalid or expired");
    let resp = api
        .proxy(Method::GET, "/", "gmail", "u")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let fresh = Api::start(options(json!({"tokenTtlSeconds": 1}))).await;
    assert_eq!(fresh.get("/api/v1/connections").await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(fresh.get("/api/v1/connections").await.0, 401);
    assert_eq!(fresh.stat("connections.list"), 2);
    fresh.sk.reset_stats();
    assert_eq!(fresh.stat("connections.list"), 0);
}

#[tokio::test]
async fn close_stops_listening() {
    let api = Api::start(EmulatorOptions::default()).await;
    let url = api.sk.url();
    let echo = api.sk.echo_url();
    // Keep a connection alive so graceful shutdown has something to close.
    assert_eq!(api.get("/api/v1/connections").await.0, 200);
    api.sk.close().await;
    api.sk.close().await;
    for u in [url, echo] {
        let fresh = client();
        assert!(
            fresh
                .get(format!("{u}/api/v1/connections"))
                .send()
                .await
                .is_err(),
            "{u} still answers"
        );
    }

    // Drop also stops the servers.
    let sk = LocalScalekit::start(EmulatorOptions::default())
        .await
        .unwrap();
    let url = sk.url();
    drop(sk);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(client().get(&url).send().await.is_err());
}

#[tokio::test]
async fn options_parsing() {
    assert!(EmulatorOptions::from_json(r#"{"hots": "x"}"#).is_err());
    let o = EmulatorOptions::from_json(
        r#"{"connections":[{"name":"n","authType":"BASIC_AUTH"}],"port":0}"#,
    )
    .unwrap();
    assert_eq!(o.connections.unwrap()[0].provider, None);
    assert!(EmulatorOptions::from_file("/nonexistent/options.json").is_err());
    let bad = options(
        json!({"connections": [{"name": "n"}], "accounts": [{"connectionName": "m", "identifier": "i"}]}),
    );
    assert!(LocalScalekit::start(bad).await.is_err());
}

#[tokio::test]
async fn inline_echo_answers_without_the_second_hop() {
    let api = Api::start(options(json!({
        "inlineEcho": true,
        "accounts": [{"connectionName": "bench", "identifier": "u",
                      "authorizationDetails": {"oauth_token": {"access_token": "acc-tok"}}}]
    })))
    .await;
    let resp = api
        .proxy(Method::POST, "/v1/items?a=1", "bench", "u")
        .header("x-caller", "yes")
        .body("payload")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let echoed: Value = json_of(resp).await;
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
    let api = Api::start(options(json!({
        "accounts": [{"connectionName": "bench", "identifier": "u",
                      "authorizationDetails": {"oauth_token": {"access_token": "acc-tok"}}}]
    })))
    .await;
    let resp = api
        .proxy(Method::GET, "/v1/items", "bench", "u")
        .send()
        .await
        .unwrap();
    let echoed: Value = json_of(resp).await;
    assert!(echoed["headers"].get("host").is_some(), "{echoed}");
}
