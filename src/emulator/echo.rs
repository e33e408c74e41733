//! The built-in echo upstream: answers any method and path with a JSON description of exactly
//! what arrived, so tests can see what the Tool Proxy forwarded.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

use super::shared::Shared;
use super::stats::{endpoint, Endpoint as _};
use super::wire::{json_response, ApiError};

/// Bodies larger than this are refused; the echo is a test upstream, not a sink.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(echo).with_state(shared)
}

async fn echo(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    shared.stats.count(endpoint::Echo::NAME);
    let (parts, body) = req.into_parts();
    let body = match to_bytes(Body::new(body), MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::invalid(format!("cannot read request body: {e}")).into_response()
        }
    };
    describe(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query().unwrap_or(""),
        &parts.headers,
        &body,
    )
}

/// The echo's answer: JSON describing the request exactly as it arrived.
pub fn describe(
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let mut described = Map::new();
    for (name, value) in headers.iter() {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        // Duplicates are joined like HTTP list headers, in arrival order.
        match described.get_mut(name.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&text);
            }
            _ => {
                described.insert(name.as_str().to_owned(), Value::String(text));
            }
        }
    }
    let body = json!({
        "method": method,
        "path": path,
        "query": query,
        "headers": described,
        "body": String::from_utf8_lossy(body),
    });
    json_response(StatusCode::OK, &body)
}
