//! Wire helpers shared by the emulator's routes: the error body of docs/wire-protocol.md §2,
//! timestamps, random tokens, and lenient reading of snake_case / lowerCamel JSON and query input.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::{Rng as _, RngCore as _};
use serde_json::{json, Map, Value};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// A Scalekit-side failure, rendered as the grpc-gateway `google.rpc.Status` body of
/// docs/wire-protocol.md §2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u16,
    pub error_code: &'static str,
    pub message: String,
    /// Set on a TOOL_ERROR: the `tool_error_info` of the ErrorInfo detail.
    pub tool_error: Option<ToolError>,
}

/// `ToolErrorInfo` (docs/wire-protocol.md §11): a tool's provider failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    pub execution_id: String,
    pub message: String,
    pub code: String,
}

impl ApiError {
    fn new(status: StatusCode, code: u16, error_code: &'static str, message: String) -> Self {
        ApiError {
            status,
            code,
            error_code,
            message,
            tool_error: None,
        }
    }
    /// HTTP 500, code 13, `error_code: TOOL_ERROR` with `tool_error_info`: the upstream of a
    /// catalog tool failed (docs/wire-protocol.md §11).
    pub fn tool_error(message: impl Into<String>, info: ToolError) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            13,
            "TOOL_ERROR",
            message.into(),
        );
        e.tool_error = Some(info);
        e
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            3,
            "INVALID_ARGUMENT",
            message.into(),
        )
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 5, "NOT_FOUND", message.into())
    }
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, 6, "ALREADY_EXISTS", message.into())
    }
    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            7,
            "PERMISSION_DENIED",
            message.into(),
        )
    }
    pub fn failed_precondition(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            9,
            "FAILED_PRECONDITION",
            message.into(),
        )
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            16,
            "UNAUTHENTICATED",
            message.into(),
        )
    }
    pub fn unimplemented(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, 12, "UNIMPLEMENTED", message.into())
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            13,
            "INTERNAL",
            message.into(),
        )
    }
    /// Code 14 UNAVAILABLE, but with HTTP 502: the upstream (not Scalekit) is what failed.
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, 14, "UNAVAILABLE", message.into())
    }

    pub fn body(&self) -> Value {
        let mut info = json!({
            "@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo",
            "error_code": self.error_code,
        });
        if let (Some(t), Value::Object(m)) = (&self.tool_error, &mut info) {
            m.insert(
                "tool_error_info".into(),
                json!({
                    "execution_id": t.execution_id,
                    "tool_error_message": t.message,
                    "tool_error_code": t.code,
                }),
            );
        }
        json!({
            "code": self.code,
            "message": self.message,
            "details": [info],
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A JSON response with an explicit status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A small HTML page for the browser-facing routes (magic link, post-verify redirect target).
pub fn html_page(status: StatusCode, title: &str, text: &str) -> Response {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><h1>{t}</h1><p>{x}</p></body></html>",
        t = html_escape(title),
        x = html_escape(text)
    );
    let mut resp = (status, page).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// Millisecond precision: RFC 3339 UTC as docs/wire-protocol.md §2 allows, and fine enough that
// successive writes get distinct `updated_at` values.
const RFC3339_MILLIS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

pub fn rfc3339(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    // Formatting a UTC date with this fixed description cannot fail for years 0..=9999.
    utc.format(RFC3339_MILLIS)
        .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

/// An unguessable token: 32 random bytes (CSPRNG), base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random number with 17 digits, for `ca_` / `conn_` / `skc_` ids shaped like the documented ones.
pub fn random_digits() -> u64 {
    rand::rng().random_range(10_000_000_000_000_000..100_000_000_000_000_000)
}

/// `organization_id` → `organizationId` (protojson accepts the lowerCamel json_name on input).
pub use scalekit_wire::names::snake_to_camel as camel;

/// A JSON object read with either spelling of each field name.
pub struct Input<'a>(pub &'a Map<String, Value>);

impl<'a> Input<'a> {
    pub fn get(&self, snake: &str) -> Option<&'a Value> {
        self.0
            .get(snake)
            .or_else(|| self.0.get(&camel(snake)))
            .filter(|v| !v.is_null())
    }

    /// A string field; absent/null = None; any other JSON type is a 400 naming the field.
    pub fn str(&self, snake: &str) -> Result<Option<&'a str>, ApiError> {
        match self.get(snake) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ApiError::invalid(format!("{snake}: must be a string"))),
        }
    }

    /// A string field where `""` means unset (proto3 scalar default).
    pub fn opt(&self, snake: &str) -> Result<Option<&'a str>, ApiError> {
        Ok(self.str(snake)?.filter(|s| !s.is_empty()))
    }

    /// A non-empty string field, or a 400 saying it is required.
    pub fn required(&self, snake: &str) -> Result<&'a str, ApiError> {
        self.opt(snake)?
            .ok_or_else(|| ApiError::invalid(format!("{snake} is required")))
    }

    pub fn object(&self, snake: &str) -> Result<Option<&'a Map<String, Value>>, ApiError> {
        match self.get(snake) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(ApiError::invalid(format!("{snake}: must be an object"))),
        }
    }
}

/// Parses a request body as a JSON object; an empty body is `{}`.
pub fn parse_body(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid("request body must be a JSON object")),
        Err(e) => Err(ApiError::invalid(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

/// Decoded query pairs, read with either spelling of each key.
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn matches(key: &str, snake: &str) -> bool {
        key == snake || key == camel(snake)
    }

    /// First non-empty value of a singular field.
    pub fn opt(&self, snake: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| Self::matches(k, snake) && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated field, in order.
    pub fn all(&self, snake: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| Self::matches(k, snake))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
