//! What the emulator tests share: an authorized caller, the error-body check, upstreams.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use scalekit_local::{EmulatorOptions, LocalScalekit};
use serde_json::{json, Value};

pub const ACCOUNTS: &str = "/api/v1/connected_accounts";
pub const MAGIC_LINK: &str = "/api/v1/connected_accounts/magic_link";
pub const VERIFY: &str = "/api/v1/connected_accounts/user/verify";
pub const CONNECTIONS: &str = "/api/v1/connections";

pub fn client() -> reqwest::Client {
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

/// A started emulator and a caller holding one of its access tokens.
pub struct Api {
    pub sk: LocalScalekit,
    pub http: reqwest::Client,
    pub token: String,
}

impl Api {
    pub async fn start(options: EmulatorOptions) -> Api {
        let sk = LocalScalekit::start(options).await.unwrap();
        let http = client();
        let (token, _) = token(&http, &sk).await;
        Api { sk, http, token }
    }

    /// [`Api::start`] with options given as JSON.
    pub async fn with(json: Value) -> Api {
        Api::start(options(json)).await
    }

    /// An emulator over HTTPS (`json` sets `tls`), and a caller trusting its CA.
    pub async fn with_tls(json: Value) -> Api {
        let sk = LocalScalekit::start(options(json)).await.unwrap();
        let http = trusting(sk.ca_certificate().unwrap(), false);
        let (token, _) = token(&http, &sk).await;
        Api { sk, http, token }
    }

    /// An emulator answering proxied calls itself (`inlineEcho`), holding `account` only.
    pub async fn inline_echo(account: Value) -> Api {
        Api::with(json!({"inlineEcho": true, "accounts": [account]})).await
    }

    /// A gRPC request carrying this caller's bearer.
    pub fn authed<T>(&self, message: T) -> tonic::Request<T> {
        authed(&self.token, message)
    }

    /// Creates (over REST) a PENDING_AUTH account of `connector` for `identifier`.
    pub async fn create_pending(&self, connector: &str, identifier: &str) -> Value {
        let body =
            json!({"connector": connector, "identifier": identifier, "connected_account": {}});
        let (status, body) = self.post(ACCOUNTS, body).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sk.url())
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        send(req).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// A Tool Proxy request routed to (connection, identifier), ready to send.
    pub fn proxy(
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

    /// [`Api::proxy`] sent with no body.
    pub async fn send_proxy(
        &self,
        method: Method,
        path: &str,
        connection: &str,
        identifier: &str,
    ) -> reqwest::Response {
        self.proxy(method, path, connection, identifier)
            .send()
            .await
            .unwrap()
    }

    /// The `connected_account.status` that a get at `path` reads.
    pub async fn status_at(&self, path: &str) -> Value {
        self.get(path).await.1["connected_account"]["status"].clone()
    }

    pub fn stat(&self, name: &str) -> u64 {
        self.sk.stats().get(name).copied().unwrap_or(u64::MAX)
    }

    /// Each (endpoint, count) of `expected` is what the stats say.
    pub fn assert_stats(&self, expected: &[(&str, u64)]) {
        for &(name, count) in expected {
            assert_eq!(self.stat(name), count, "stat {name}");
        }
    }
}

/// A gRPC request carrying `authorization: Bearer <token>`.
pub fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(message);
    req.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

/// A gRPC call's answer message; the call must have succeeded.
#[track_caller]
pub fn answer<T>(reply: Result<tonic::Response<T>, tonic::Status>) -> T {
    reply.unwrap().into_inner()
}

/// `POST {base}/oauth/token` with this form.
pub async fn token_request(
    http: &reqwest::Client,
    base: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(format!("{base}/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// `sk`'s own client credentials through `http`: the token answer, checked to be 200.
pub async fn client_credentials(http: &reqwest::Client, sk: &LocalScalekit) -> reqwest::Response {
    let resp = token_request(
        http,
        &sk.url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sk.client_id()),
            ("client_secret", sk.client_secret()),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp
}

/// A client trusting only `ca_pem` (besides the bundled roots); `http1` forbids HTTP/2.
pub fn trusting(ca_pem: &str, http1: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap();
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .add_root_certificate(ca)
        .redirect(reqwest::redirect::Policy::none());
    if http1 {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

/// Gets an access token from `sk` through `http`; returns it with the HTTP version used.
pub async fn token(http: &reqwest::Client, sk: &LocalScalekit) -> (String, reqwest::Version) {
    let resp = client_credentials(http, sk).await;
    let version = resp.version();
    let body = json_of(resp).await;
    (body["access_token"].as_str().unwrap().to_owned(), version)
}

/// A browser (no bearer) opening `url`.
pub async fn browse(url: &str) -> reqwest::Response {
    client().get(url).send().await.unwrap()
}

pub async fn json_of(resp: reqwest::Response) -> Value {
    let bytes = resp.bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Sends `req`; the answer's status and body.
pub async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    status_and_body(req.send().await.unwrap()).await
}

/// The status and the body as JSON (or as a string when it is not JSON).
pub async fn status_and_body(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn options(json: Value) -> EmulatorOptions {
    EmulatorOptions::from_json(&json.to_string()).unwrap()
}

/// The `message` of an error body.
pub fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap()
}

/// A seeded account of `connection` with an OAuth access token.
pub fn oauth_account(connection: &str, identifier: &str, access_token: &str) -> Value {
    json!({"connectionName": connection, "identifier": identifier,
           "authorizationDetails": {"oauth_token": {"access_token": access_token}}})
}

/// The google.rpc.Status body of docs/wire-protocol.md §2.
pub fn assert_error(body: &Value, code: u64, error_code: &str) {
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

/// The answer has this HTTP status and a docs/wire-protocol.md §2 error body with this code.
pub fn assert_fails(answer: &(StatusCode, Value), status: u16, code: u64, error_code: &str) {
    assert_eq!(answer.0, status, "body: {}", answer.1);
    assert_error(&answer.1, code, error_code);
}

/// [`assert_fails`], and the message mentions `part`.
pub fn assert_fails_saying(
    answer: &(StatusCode, Value),
    status: u16,
    code: u64,
    error_code: &str,
    part: &str,
) {
    assert_fails(answer, status, code, error_code);
    assert!(message(&answer.1).contains(part), "body: {}", answer.1);
}

/// A refusal as both bindings answer it: the REST binding's HTTP status, the google.rpc code (the
/// gRPC status) and the ErrorInfo error code (docs/wire-protocol.md §2).
#[derive(Debug, Clone, Copy)]
pub struct Refusal(pub u16, pub u64, pub &'static str);
pub const INVALID: Refusal = Refusal(400, 3, "INVALID_ARGUMENT");
pub const NOT_FOUND: Refusal = Refusal(404, 5, "NOT_FOUND");
pub const ALREADY_EXISTS: Refusal = Refusal(409, 6, "ALREADY_EXISTS");
pub const FAILED_PRECONDITION: Refusal = Refusal(400, 9, "FAILED_PRECONDITION");

/// The REST answer is `expected`, its message mentioning `part`.
pub fn assert_refused(answer: &(StatusCode, Value), expected: Refusal, part: &str) {
    let Refusal(status, code, error_code) = expected;
    assert_fails_saying(answer, status, code, error_code, part);
}

/// Serves `app` on an ephemeral loopback port; returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A tiny upstream that reports the credentials it received and counts its calls.
pub async fn upstream() -> (String, Arc<AtomicU64>) {
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
    (serve(app).await, hits)
}

/// Polls `check` until it holds, for at most about ten seconds (then fails naming `what`): for
/// conditions that become true on their own, like a listener going away.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what}: still not the case after about ten seconds");
}
