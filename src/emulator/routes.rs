//! LocalScalekit's HTTP routes: token (§3), connected accounts (§4, validated per §5), magic link
//! and user verification (§8), connections, execute_tool, and dispatch of `/proxy` (§6).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::forward;
use super::state::{
    connector_char, lock, parse_page_token, Authorized, ListQuery, Selector, Shared,
};
use super::wire::{
    html_page, json_response, parse_body, random_token, rfc3339, ApiError, Input, Query,
};

/// Page size of a list call that sends none (or 0).
const DEFAULT_PAGE_SIZE: usize = 20;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v1/connected_accounts/auth", get(get_account))
        .route(
            "/api/v1/connected_accounts",
            post(create_account).put(update_account).get(list_accounts),
        )
        // grpc-gateway custom verb: the colon is part of one literal path segment.
        .route("/api/v1/connected_accounts:delete", post(delete_account))
        .route("/api/v1/connected_accounts/magic_link", post(magic_link))
        .route("/api/v1/connected_accounts/user/verify", post(verify))
        .route("/api/v1/connections", get(list_connections))
        // ConnectionService.ListAppConnections, what the SDK's `actions.listConnections` calls.
        .route("/api/v1/connections/app", get(list_connections))
        .route("/api/v1/execute_tool", post(execute_tool))
        .route("/magic/{token}", get(authorize))
        .route("/verified", get(verified))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(fallback)
        .with_state(shared)
}

type Shr = State<Arc<Shared>>;

/// `/proxy` and everything under it go to the Tool Proxy, whatever the method and raw path
/// (matched here rather than by the router so percent-encoding and `//` reach upstream untouched).
async fn fallback(State(shared): Shr, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/proxy" || path.starts_with("/proxy/") {
        return forward::proxy(shared, req).await;
    }
    ApiError::not_found(format!("no route for {} {path}", req.method())).into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    ApiError::unimplemented(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} not allowed"),
    )
    .into_response()
}

/// Spec §2: every `/api/v1/*` and `/proxy/*` call needs an issued, unexpired, unrevoked bearer.
pub fn check_bearer(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
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

fn respond(status: StatusCode, r: Result<Value, ApiError>) -> Response {
    match r {
        Ok(v) => json_response(status, &v),
        Err(e) => e.into_response(),
    }
}

// ---- token (§3) ----

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// Equal-time comparison, so response timing does not reveal how much of a secret matched.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn token(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("token");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            )
        }
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only grant_type=client_credentials is supported",
            )
        }
    }
    // client_secret_post, or client_secret_basic as a fallback.
    let (id, secret) = match (field("client_id"), field("client_secret")) {
        (Some(id), Some(secret)) => (id, secret),
        _ => basic_credentials(&headers).unwrap_or_default(),
    };
    let s = &shared.settings;
    if !(same_secret(&id, &s.client_id) && same_secret(&secret, &s.client_secret)) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client credentials",
        );
    }
    let ttl = s.token_ttl;
    let access_token = lock(&shared.store).issue_token(ttl);
    let mut resp = json_response(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ttl.as_secs(),
            "scope": "openid",
        }),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

// ---- validation (§5) ----

fn max_len(field: &str, v: Option<&str>, max: usize) -> Result<(), ApiError> {
    match v {
        Some(s) if s.chars().count() > max => Err(ApiError::invalid(format!(
            "{field}: must be at most {max} characters"
        ))),
        _ => Ok(()),
    }
}

fn check_connector(field: &str, v: Option<&str>) -> Result<(), ApiError> {
    max_len(field, v, 400)?;
    match v {
        Some(s) if !s.chars().all(connector_char) => Err(ApiError::invalid(format!(
            "{field}: must match ^[a-zA-Z0-9_: -]*$"
        ))),
        _ => Ok(()),
    }
}

/// The rules shared by get, create, update, delete, magic link and list.
fn check_common(
    id: Option<&str>,
    connector: Option<&str>,
    identifier: Option<&str>,
    organization_id: Option<&str>,
    user_id: Option<&str>,
) -> Result<(), ApiError> {
    max_len("organization_id", organization_id, 32)?;
    max_len("user_id", user_id, 32)?;
    check_connector("connector", connector)?;
    max_len("identifier", identifier, 100)?;
    max_len("id", id, 32)?;
    if id.is_some_and(|i| !i.starts_with("ca_")) {
        return Err(ApiError::invalid("id: must start with \"ca_\""));
    }
    Ok(())
}

fn selector(
    id: Option<&str>,
    connector: Option<&str>,
    identifier: Option<&str>,
    organization_id: Option<&str>,
    user_id: Option<&str>,
) -> Result<Selector, ApiError> {
    check_common(id, connector, identifier, organization_id, user_id)?;
    Ok(Selector {
        id: id.map(str::to_owned),
        connector: connector.map(str::to_owned),
        identifier: identifier.map(str::to_owned),
        organization_id: organization_id.unwrap_or_default().to_owned(),
        user_id: user_id.unwrap_or_default().to_owned(),
    })
}

fn body_selector(input: &Input<'_>) -> Result<Selector, ApiError> {
    selector(
        input.opt("id")?,
        input.opt("connector")?,
        input.opt("identifier")?,
        input.opt("organization_id")?,
        input.opt("user_id")?,
    )
}

// ---- connected accounts (§4) ----

async fn get_account(State(shared): Shr, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    shared.count("connected_accounts.get");
    let r = (|| {
        check_bearer(&shared, &headers)?;
        let q = Query::parse(q.as_deref());
        let sel = selector(
            q.opt("id"),
            q.opt("connector"),
            q.opt("identifier"),
            q.opt("organization_id"),
            q.opt("user_id"),
        )?;
        lock(&shared.store).get(&sel)
    })();
    respond(StatusCode::OK, r)
}

/// Create and update share their body: selector + the required `connected_account` payload.
fn write_request(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
    apply: impl FnOnce(&Selector, &serde_json::Map<String, Value>) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    check_bearer(shared, headers)?;
    let body = parse_body(body)?;
    let input = Input(&body);
    let sel = body_selector(&input)?;
    let write = input
        .object("connected_account")?
        .ok_or_else(|| ApiError::invalid("connected_account is required"))?;
    apply(&sel, write)
}

async fn create_account(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("connected_accounts.create");
    let r = write_request(&shared, &headers, &body, |sel, write| {
        lock(&shared.store).create(sel, write)
    });
    respond(StatusCode::CREATED, r)
}

async fn update_account(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("connected_accounts.update");
    let r = write_request(&shared, &headers, &body, |sel, write| {
        lock(&shared.store).update(sel, write)
    });
    respond(StatusCode::OK, r)
}

async fn delete_account(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("connected_accounts.delete");
    let r = (|| {
        check_bearer(&shared, &headers)?;
        let body = parse_body(&body)?;
        let sel = body_selector(&Input(&body))?;
        lock(&shared.store).delete(&sel)
    })();
    respond(StatusCode::OK, r)
}

fn list_query(raw: Option<&str>) -> Result<ListQuery, ApiError> {
    let q = Query::parse(raw);
    check_common(
        None,
        q.opt("connector"),
        q.opt("identifier"),
        q.opt("organization_id"),
        q.opt("user_id"),
    )?;
    max_len("provider", q.opt("provider"), 50)?;
    max_len("page_token", q.opt("page_token"), 100)?;
    max_len("query", q.opt("query"), 100)?;
    let names: Vec<String> = q
        .all("connection_names")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if names.len() > 20 {
        return Err(ApiError::invalid(
            "connection_names: at most 20 items are allowed",
        ));
    }
    for n in &names {
        if n.is_empty() {
            return Err(ApiError::invalid(
                "connection_names: items must not be empty",
            ));
        }
        check_connector("connection_names", Some(n))?;
    }
    if q.opt("connector").is_some() && !names.is_empty() {
        return Err(ApiError::invalid(
            "connector and connection_names are mutually exclusive",
        ));
    }
    let page_size = match q.opt("page_size") {
        None => 0,
        Some(s) => s
            .parse::<u32>()
            .map_err(|_| ApiError::invalid("page_size: must be an unsigned integer"))?,
    };
    if page_size >= 100 {
        return Err(ApiError::invalid("page_size: must be less than 100"));
    }
    let offset = match q.opt("page_token") {
        None => 0,
        Some(t) => parse_page_token(t)
            .ok_or_else(|| ApiError::invalid("page_token: not a token this server issued"))?,
    };
    let owned = |k: &str| q.opt(k).map(str::to_owned);
    Ok(ListQuery {
        connector: owned("connector"),
        identifier: owned("identifier"),
        provider: owned("provider"),
        organization_id: owned("organization_id"),
        user_id: owned("user_id"),
        query: owned("query"),
        connection_names: names,
        page_size: if page_size == 0 {
            DEFAULT_PAGE_SIZE
        } else {
            page_size as usize
        },
        offset,
    })
}

async fn list_accounts(State(shared): Shr, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    shared.count("connected_accounts.list");
    let r = (|| {
        check_bearer(&shared, &headers)?;
        let lq = list_query(q.as_deref())?;
        Ok(lock(&shared.store).list(&lq))
    })();
    respond(StatusCode::OK, r)
}

// ---- magic link, authorization, verification (§4.3, §8) ----

async fn magic_link(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("magic_link");
    let r = (|| {
        check_bearer(&shared, &headers)?;
        let body = parse_body(&body)?;
        let input = Input(&body);
        let sel = body_selector(&input)?;
        let state = input.opt("state")?;
        max_len("state", state, 512)?;
        let verify_url = input.opt("user_verify_url")?;
        max_len("user_verify_url", verify_url, 2048)?;
        if let Some(u) = verify_url {
            let ok = (u.starts_with("http://") || u.starts_with("https://"))
                && url::Url::parse(u).is_ok();
            if !ok {
                return Err(ApiError::invalid("user_verify_url: must be an http(s) URL"));
            }
        }
        let (token, expiry) = lock(&shared.store).magic_link(
            &sel,
            state.map(str::to_owned),
            verify_url.map(str::to_owned),
        )?;
        Ok(json!({
            "link": format!("{}/magic/{token}", shared.settings.base_url),
            "expiry": rfc3339(expiry),
        }))
    })();
    respond(StatusCode::OK, r)
}

/// The user's browser following a magic link: no bearer (see `Store::authorize`).
async fn authorize(
    State(shared): Shr,
    Path(token): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    shared.count("authorize");
    let query = Query::parse(q.as_deref()).0;
    let outcome = lock(&shared.store).authorize(&token, &query, shared.settings.token_ttl);
    match outcome {
        Ok(Authorized::Active) => html_page(
            StatusCode::OK,
            "Authorized",
            "The connected account is authorized. You can close this window.",
        ),
        Ok(Authorized::Redirect(url)) => match HeaderValue::from_str(&url) {
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

async fn verify(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("verify");
    let r = (|| {
        check_bearer(&shared, &headers)?;
        let body = parse_body(&body)?;
        let input = Input(&body);
        let request_id = input.required("auth_request_id")?;
        max_len("auth_request_id", Some(request_id), 1000)?;
        let identifier = input.required("identifier")?;
        max_len("identifier", Some(identifier), 200)?;
        let account_id = lock(&shared.store).verify(request_id, identifier)?;
        Ok(json!({
            "post_user_verify_redirect_url":
                format!("{}/verified?connected_account_id={account_id}", shared.settings.base_url),
        }))
    })();
    respond(StatusCode::OK, r)
}

async fn verified() -> Response {
    html_page(
        StatusCode::OK,
        "Verified",
        "The connected account is verified. You can close this window.",
    )
}

// ---- connections, tools ----

async fn list_connections(State(shared): Shr, headers: HeaderMap) -> Response {
    shared.count("connections.list");
    let r = check_bearer(&shared, &headers).map(|()| lock(&shared.store).connections_json());
    respond(StatusCode::OK, r)
}

/// Name of the one built-in tool: returns its params (plus the addressed account) as `data`.
pub const ECHO_TOOL: &str = "emulator_echo";

async fn execute_tool(State(shared): Shr, headers: HeaderMap, body: Bytes) -> Response {
    shared.count("execute_tool");
    let r = (|| {
        check_bearer(&shared, &headers)?;
        let body = parse_body(&body)?;
        let input = Input(&body);
        let tool = input.required("tool_name")?;
        let connector = input.opt("connector")?;
        check_connector("connector", connector)?;
        for f in ["connected_account_id", "organization_id", "user_id"] {
            max_len(f, input.opt(f)?, 100)?;
        }
        max_len("agent_run_id", input.opt("agent_run_id")?, 255)?;
        if tool != ECHO_TOOL {
            return Err(ApiError::not_found(format!("tool {tool:?} not found")));
        }
        let params = input.object("params")?.cloned().unwrap_or_default();
        Ok(json!({
            "data": {
                "params": params,
                "connector": connector.unwrap_or_default(),
                "identifier": input.opt("identifier")?.unwrap_or_default(),
            },
            "execution_id": format!("exec_{}", random_token()),
        }))
    })();
    respond(StatusCode::OK, r)
}
