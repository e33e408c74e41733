//! LocalScalekit's API routes (docs/wire-protocol.md): token (§3), connected accounts (§4,
//! validated per §5), magic link and user verification (§4.3, §8), connections and
//! execute_tool, the MCP control plane (§13). `/proxy` (§6) is the router's fallback, added by the caller (see `forward`).

mod accounts;
pub(super) mod links;
mod mcp;
mod providers;
mod token;
pub(super) mod tools;
pub(super) mod validate;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;

use crate::shared::Shared;
use crate::stats::endpoint;
use crate::wire::ApiError;

pub use tools::ECHO_TOOL;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth/token", post(token::token))
        .route("/api/v1/connected_accounts/auth", get(accounts::get))
        .route("/api/v1/connected_accounts/details", get(accounts::details))
        .route(
            "/api/v1/connected_accounts",
            post(accounts::create)
                .put(accounts::update)
                .get(accounts::list),
        )
        // grpc-gateway custom verb: the colon is part of one literal path segment.
        .route("/api/v1/connected_accounts:delete", post(accounts::delete))
        .route(
            "/api/v1/connected_accounts/magic_link",
            post(links::magic_link),
        )
        .route(
            "/api/v1/connected_accounts/user/verify",
            post(links::verify),
        )
        .route("/api/v1/connections", get(tools::list_connections))
        // ConnectionService.ListAppConnections, what the SDK's `actions.listConnections` calls.
        .route("/api/v1/connections/app", get(tools::list_connections))
        .route("/api/v1/execute_tool", post(tools::execute_tool))
        .route("/api/v1/tools:search", post(tools::search))
        .route("/api/v1/custom-providers", post(providers::create))
        .route(
            "/api/v1/custom-providers/{identifier}",
            put(providers::update).delete(providers::delete),
        )
        .route("/api/v1/providers", get(providers::list))
        // ToolService's list calls (docs/wire-protocol.md §11), over the `tools` option.
        .route("/api/v1/tools", get(tools::list::<endpoint::ToolsList>))
        .route(
            "/api/v1/tools/scoped",
            get(tools::list::<endpoint::ToolsScoped>),
        )
        .route(
            "/api/v1/tools/available",
            get(tools::list::<endpoint::ToolsAvailable>),
        )
        // McpService (docs/wire-protocol.md §13) and its tokens' JWK Set.
        .merge(mcp::router())
        .route("/magic/{token}", get(links::authorize))
        .route("/verified", get(links::verified))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed(method: Method) -> Response {
    ApiError::unimplemented(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} not allowed"),
    )
    .into_response()
}
