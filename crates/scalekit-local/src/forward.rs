//! The Tool Proxy (docs/wire-protocol.md §6, server side): `ANY /proxy{path}` → the account's
//! upstream, with the caller's Scalekit headers removed and the account's credentials injected.
//! Request and response bodies stream through with backpressure both ways and are never held
//! whole, so a proxied body of any size costs bounded memory (no size limit applies: the handler
//! reads the raw body, which axum's default body limit does not cover).

use std::error::Error as _;
use std::sync::Arc;

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt as _;

use crate::echo;
use crate::gate::admit;
use crate::inject::{append_query, credentials, Injection};
use crate::shared::Shared;
use crate::stats::{endpoint, Endpoint as _};
use crate::wire::ApiError;
use scalekit_wire::sync::lock;

/// The API router's fallback: `/proxy` and everything under it go to the Tool Proxy, whatever
/// the method and raw path (matched here rather than by the router so percent-encoding and `//`
/// reach upstream untouched); anything else is a 404.
pub async fn fallback(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/proxy" || path.starts_with("/proxy/") {
        return proxy(&shared, req).await;
    }
    ApiError::not_found(format!("no route for {} {path}", req.method())).into_response()
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) never cross the proxy, in either direction.
fn hop_by_hop(name: &HeaderName, listed_in_connection: &[String]) -> bool {
    let n = name.as_str();
    matches!(
        n,
        "connection" | "keep-alive" | "transfer-encoding" | "te" | "trailer" | "upgrade"
    ) || n.starts_with("proxy-")
        || listed_in_connection.iter().any(|l| l == n)
}

/// Header names the `Connection` header declares hop-by-hop.
fn connection_listed(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A required routing header, as text.
fn routing_header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    match headers.get(name).map(|v| v.to_str()) {
        None => Err(ApiError::invalid(format!("{name} header is required"))),
        Some(Err(_)) => Err(ApiError::invalid(format!(
            "{name} header must be visible ASCII"
        ))),
        Some(Ok(v)) if v.trim().is_empty() => {
            Err(ApiError::invalid(format!("{name} header is required")))
        }
        Some(Ok(v)) => Ok(v),
    }
}

async fn proxy(shared: &Shared, req: Request) -> Response {
    match forward(shared, req).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn forward(shared: &Shared, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    admit(shared, endpoint::Proxy::NAME, &parts.headers)?;
    let connection_name = routing_header(&parts.headers, "connection_name")?;
    let identifier = routing_header(&parts.headers, "identifier")?;
    // Refusals (unknown account, not ACTIVE, no credentials) happen here, before any upstream I/O
    // and before any of the body is read.
    let target = lock(&shared.store).proxy_target(connection_name, identifier)?;
    let injection = credentials(&target)?;

    // The raw path after `/proxy` and the raw query go upstream byte for byte.
    let rest = parts.uri.path().strip_prefix("/proxy").unwrap_or("");
    let mut query = parts.uri.query().map(str::to_owned);
    if let Injection::Query(pair) = &injection {
        query = Some(append_query(query.as_deref(), pair));
    }
    let inline = shared.settings.inline_echo && target.upstream_url == shared.settings.echo_url;

    let listed = connection_listed(&parts.headers);
    let mut headers = HeaderMap::new();
    for (name, value) in parts.headers.iter() {
        // The caller's content-length goes along with its streamed body, so an upload with a
        // length is not turned into a chunked one; the inline echo sees no HTTP framing.
        let scalekit_own = matches!(
            name.as_str(),
            "authorization" | "connection_name" | "identifier" | "host"
        ) || (inline && name == header::CONTENT_LENGTH);
        if !scalekit_own && !hop_by_hop(name, &listed) {
            headers.append(name.clone(), value.clone());
        }
    }
    if let Injection::Header(name, value) = injection {
        headers.insert(name, value);
    }
    if inline {
        shared.stats.count(endpoint::Echo::NAME);
        let path = if rest.is_empty() { "/" } else { rest };
        let query = query.as_deref().unwrap_or("");
        return Ok(echo::answer(&parts.method, path, query, &headers, body).await);
    }
    let url = match &query {
        Some(q) => format!("{}{rest}?{q}", target.upstream_url),
        None => format!("{}{rest}", target.upstream_url),
    };

    let unreachable = |e: reqwest::Error| {
        // Without the URL: an API_KEY placed in the query must not reach the caller.
        let mut msg = format!("upstream unreachable: {}", target.upstream_url);
        let e = e.without_url();
        msg.push_str(&format!(": {e}"));
        let mut src = e.source();
        while let Some(s) = src {
            msg.push_str(&format!(": {s}"));
            src = s.source();
        }
        ApiError::bad_gateway(msg)
    };
    let mut request = shared.http.request(parts.method, url).headers(headers);
    // Streamed as it arrives, never buffered: hyper reads the caller's socket only as fast as
    // the upstream takes the bytes. No body at all stays no body (not an empty chunked one).
    if !body.is_end_stream() {
        request = request.body(reqwest::Body::wrap_stream(body.into_data_stream()));
    }
    let upstream = request.send().await.map_err(unreachable)?;

    // Status and headers go back as soon as they arrive; the body follows as the upstream sends
    // it, with its own content-length and content-encoding untouched (the client does not
    // decompress). A failure mid-body cannot become a 502 once the status is out: the caller's
    // connection is cut instead, so a truncated body is never mistaken for a whole one.
    let status = upstream.status();
    let listed = connection_listed(upstream.headers());
    let mut relayed = HeaderMap::new();
    for (name, value) in upstream.headers().iter() {
        if !hop_by_hop(name, &listed) {
            relayed.append(name.clone(), value.clone());
        }
    }
    let stream = upstream.bytes_stream().map_err(reqwest::Error::without_url);
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status;
    *resp.headers_mut() = relayed;
    Ok(resp)
}
