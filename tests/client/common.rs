//! A stub Scalekit: every request is logged, answered by the test's handler or by default
//! (a fresh token from `/oauth/token`, `200 {}` anywhere else).

use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
pub use scalekit_core::accounts::{ACCOUNTS_PATH, ACCOUNT_AUTH_PATH, EXECUTE_TOOL_PATH};
use scalekit_core::client::ScalekitClient;
use scalekit_core::config::{ClientConfig, ClientOptions};
use scalekit_core::errors::{HttpFailure, ScalekitError};
use scalekit_core::proxy::ProxyParams;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const CLIENT_ID: &str = "skc_test_client";
pub const SECRET: &str = "sk_test_S3cretValue9876543210";
pub const TOKEN_PATH: &str = "/oauth/token";
pub const PROXY_PATH: &str = "/proxy/v1/messages";

/// One request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The raw query, when there is one.
    pub query: Option<String>,
    pub authorization: Option<String>,
    /// How many requests to the same path came before this one.
    pub n: usize,
    /// The request body, read whole before the answer is made.
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
    /// Sent in pieces of this many bytes without a `content-length` (chunked).
    chunked: Option<usize>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(body.to_string()),
            chunked: None,
        }
    }

    /// `body` as it is, with its `content-length`.
    pub fn bytes(status: u16, body: impl Into<Bytes>) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "application/octet-stream".into())],
            body: body.into(),
            chunked: None,
        }
    }

    /// Sent chunked, in pieces of at most `piece` bytes, without a `content-length`.
    pub fn chunked(mut self, piece: usize) -> Self {
        self.chunked = Some(piece.max(1));
        self
    }

    /// A transient failure that asks to be retried at once, so the tests do not wait for backoff.
    pub fn retry_now(status: u16) -> Self {
        Reply::json(status, json!({"code": 14, "message": "try again"})).header("retry-after", "0")
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    fn into_response(self) -> Response {
        let body = match self.chunked {
            None => Body::from(self.body),
            // A body of unknown length: hyper sends it chunked.
            Some(piece) => {
                let pieces: Vec<Result<Bytes, std::convert::Infallible>> = self
                    .body
                    .chunks(piece)
                    .map(|c| Ok(self.body.slice_ref(c)))
                    .collect();
                Body::from_stream(futures_util::stream::iter(pieces))
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() =
            http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::IM_A_TEAPOT);
        for (name, value) in self.headers {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// The stock answers: a new token per fetch, `200 {}` elsewhere.
pub fn default_reply(seen: &Seen) -> Reply {
    if seen.path == TOKEN_PATH {
        Reply::json(
            200,
            json!({"access_token": format!("tok{}", seen.n), "token_type": "Bearer", "expires_in": 3600}),
        )
    } else {
        Reply::json(200, json!({}))
    }
}

type Handler = dyn Fn(&Seen) -> Option<Reply> + Send + Sync;

pub struct Stub {
    pub url: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    /// Serves on a free port of 127.0.0.1 for the rest of the test's runtime. `handler` answers
    /// what it wants to; `None` falls back to [`default_reply`].
    pub async fn start(handler: impl Fn(&Seen) -> Option<Reply> + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let app = Router::new().fallback({
            let log = Arc::clone(&log);
            move |request: Request| {
                let log = Arc::clone(&log);
                let handler = Arc::clone(&handler);
                async move {
                    let (parts, body) = request.into_parts();
                    // Read whole first: a streamed upload arrives complete before the answer.
                    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
                    answer(&log, &*handler, &parts, body).into_response()
                }
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Stub { url, log }
    }

    /// Every request but the token fetches, in order.
    pub fn api_requests(&self) -> Vec<Seen> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|s| s.path != TOKEN_PATH)
            .cloned()
            .collect()
    }

    pub fn seen(&self, path: &str) -> Vec<Seen> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|s| s.path == path).cloned().collect()
    }

    pub fn count(&self, path: &str) -> usize {
        self.seen(path).len()
    }

    pub fn token_fetches(&self) -> usize {
        self.count(TOKEN_PATH)
    }

    /// The client for this stub: short timeouts, `max_retries` as given.
    pub fn client(&self, max_retries: u32) -> ScalekitClient {
        self.client_with(ClientOptions {
            max_retries: Some(f64::from(max_retries)),
            ..Default::default()
        })
    }

    /// The client for this stub with `options` (short timeouts unless they say otherwise).
    pub fn client_with(&self, options: ClientOptions) -> ScalekitClient {
        let options = ClientOptions {
            timeout_ms: options.timeout_ms.or(Some(10_000.0)),
            tool_timeout_ms: options.tool_timeout_ms.or(Some(10_000.0)),
            ..options
        };
        let config = ClientConfig::new(&self.url, CLIENT_ID, SECRET, options).unwrap();
        ScalekitClient::new(config).unwrap()
    }
}

fn answer(
    log: &Mutex<Vec<Seen>>,
    handler: &Handler,
    request: &http::request::Parts,
    body: Bytes,
) -> Reply {
    let seen = {
        let mut log = log.lock().unwrap();
        let path = request.uri.path().to_string();
        let n = log.iter().filter(|s| s.path == path).count();
        let seen = Seen {
            method: request.method.to_string(),
            path,
            query: request.uri.query().map(str::to_string),
            authorization: request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            n,
            body,
        };
        log.push(seen.clone());
        seen
    };
    handler(&seen).unwrap_or_else(|| default_reply(&seen))
}

/// A proxy call to [`PROXY_PATH`] with `method`.
pub fn proxy_call(method: &str) -> ProxyParams {
    ProxyParams {
        connection_name: Some("gmail".into()),
        identifier: Some("user@example.com".into()),
        path: Some("/v1/messages".into()),
        method: Some(method.into()),
        ..Default::default()
    }
}

/// The HTTP failure inside `result`, or a panic naming what came instead.
pub fn http_failure<T: std::fmt::Debug>(result: Result<T, ScalekitError>) -> Box<HttpFailure> {
    match result {
        Err(ScalekitError::Http(failure)) => failure,
        other => panic!("expected an HTTP failure, got {other:?}"),
    }
}
