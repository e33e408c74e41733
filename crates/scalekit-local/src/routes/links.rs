//! Magic link, the user's browser following it, and user verification (docs/wire-protocol.md
//! §4.3, §8).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::validate::{body_selector, max_len, user_verify_url};
use crate::gate::{Answer, Authorized, Counted, Reply};
use crate::links::{magic_link_url, LinkOutcome};
use crate::shared::Shared;
use crate::stats::endpoint;
use crate::wire::{html_page, parse_body, rfc3339, ApiError, Input, Query};
use scalekit_wire::sync::lock;

type Shr = State<Arc<Shared>>;

pub async fn magic_link(
    _: Authorized<endpoint::MagicLink>,
    State(shared): Shr,
    body: Bytes,
) -> Answer {
    Ok(Reply::ok(magic_link_json(&shared, &parse_body(&body)?)?))
}

/// The magic link of a request body: `{link, expiry}` (the gRPC binding shares it).
pub fn magic_link_json(shared: &Shared, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let input = Input(body);
    let sel = body_selector(&input)?;
    let state = input.opt("state")?;
    max_len("state", state, 512)?;
    let verify_url = input.opt("user_verify_url")?;
    user_verify_url(verify_url)?;
    let (token, expiry) = lock(&shared.store).magic_link(
        &sel,
        state.map(str::to_owned),
        verify_url.map(str::to_owned),
    )?;
    Ok(json!({
        "link": magic_link_url(&shared.settings.base_url, &token),
        "expiry": rfc3339(expiry),
    }))
}

/// The user's browser following a magic link: no bearer (see `Store::authorize`).
pub async fn authorize(
    _: Counted<endpoint::Authorize>,
    State(shared): Shr,
    Path(token): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let query = Query::parse(q.as_deref()).0;
    let outcome = lock(&shared.store).authorize(&token, &query, shared.settings.token_ttl);
    match outcome {
        Ok(LinkOutcome::Active) => html_page(
            StatusCode::OK,
            "Authorized",
            "The connected account is authorized. You can close this window.",
        ),
        Ok(LinkOutcome::Redirect(url)) => match HeaderValue::from_str(&url) {
            Ok(loc) => {
                let mut resp = StatusCode::FOUND.into_response();
                resp.headers_mut().insert(header::LOCATION, loc);
                resp
            }
            Err(_) => html_page(
                StatusCode::BAD_REQUEST,
                "Error",
                "user_verify_url cannot be used as a redirect",
            ),
        },
        Err(e) => html_page(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            "Authorization failed",
            &e.message,
        ),
    }
}

pub async fn verify(_: Authorized<endpoint::Verify>, State(shared): Shr, body: Bytes) -> Answer {
    Ok(Reply::ok(verify_json(&shared, &parse_body(&body)?)?))
}

/// User verification of a request body: `{post_user_verify_redirect_url}` (the gRPC binding
/// shares it).
pub fn verify_json(shared: &Shared, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let input = Input(body);
    let request_id = input.required("auth_request_id")?;
    max_len("auth_request_id", Some(request_id), 1000)?;
    let identifier = input.required("identifier")?;
    max_len("identifier", Some(identifier), 200)?;
    let account_id = lock(&shared.store).verify(request_id, identifier)?;
    Ok(json!({
        "post_user_verify_redirect_url":
            format!("{}/verified?connected_account_id={account_id}", shared.settings.base_url),
    }))
}

/// Where verification sends the browser last.
pub async fn verified() -> Response {
    html_page(
        StatusCode::OK,
        "Verified",
        "The connected account is verified. You can close this window.",
    )
}
