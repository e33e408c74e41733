//! What the API handlers have in common: the per-endpoint request count, the bearer check of
//! docs/wire-protocol.md §2, and the JSON answer. Handlers take `Authorized<E>` (or `Counted<E>`
//! for the endpoints without a bearer) and return an [`Answer`].

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::shared::Shared;
use crate::stats::Endpoint;
use crate::wire::{json_response, ApiError};
use scalekit_wire::sync::lock;

/// Counts the request under `name`, then requires an issued, unexpired, unrevoked bearer
/// (docs/wire-protocol.md §2): every `/api/v1/*` and `/proxy/*` call does this first.
pub fn admit(shared: &Shared, name: &'static str, headers: &HeaderMap) -> Result<(), ApiError> {
    shared.stats.count(name);
    let bearer = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let Ok(v) = v.to_str() else {
                return Err(ApiError::unauthenticated("token is invalid or expired"));
            };
            let v = v.trim();
            match v.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    Some(token.trim())
                }
                _ if v.is_empty() || v.eq_ignore_ascii_case("bearer") => None,
                // Another scheme: a credential, but not a token this server issued.
                _ => return Err(ApiError::unauthenticated("token is invalid or expired")),
            }
        }
    };
    lock(&shared.store).check_token(bearer)
}

/// Extractor: the request was counted under `E::NAME` and carries a valid bearer; otherwise the
/// handler does not run and the caller gets the error body of docs/wire-protocol.md §2.
pub struct Authorized<E>(PhantomData<E>);

impl<E: Endpoint> FromRequestParts<Arc<Shared>> for Authorized<E> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        admit(shared, E::NAME, &parts.headers)?;
        Ok(Authorized(PhantomData))
    }
}

/// Extractor: the request was counted under `E::NAME` (endpoints without a bearer: the token
/// endpoint and the browser's magic link).
pub struct Counted<E>(PhantomData<E>);

impl<E: Endpoint> FromRequestParts<Arc<Shared>> for Counted<E> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        _parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        shared.stats.count(E::NAME);
        Ok(Counted(PhantomData))
    }
}

/// A JSON success with its status.
pub struct Reply(pub StatusCode, pub Value);

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply(StatusCode::OK, body)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        json_response(self.0, &self.1)
    }
}

/// What an API handler returns: a JSON success, or the docs/wire-protocol.md §2 error body.
pub type Answer = Result<Reply, ApiError>;
