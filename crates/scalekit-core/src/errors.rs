//! Everything the core can fail with, as one enum.
//!
//! No variant ever holds the client secret or an access token: messages are built from
//! argument names, status lines and Scalekit's own error text only.

use std::borrow::Cow;

use bytes::Bytes;
use http::HeaderMap;
use scalekit_wire::names::snake_to_camel;
use serde_json::Value;

use crate::error_text::{bounded, bounded_details};

/// Which kind of call failed; decides how an error body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// `POST /oauth/token`.
    Token,
    /// `/api/v1/*` (connected accounts, magic link, tools).
    ControlPlane,
    /// `/proxy/*` (the Tool Proxy).
    Proxy,
}

/// A non-2xx answer, with everything a caller may want to inspect.
#[derive(Debug, Clone)]
pub struct HttpFailure {
    pub kind: CallKind,
    pub status: u16,
    pub status_text: String,
    /// Response headers (lowercase names, in arrival order).
    pub headers: HeaderMap,
    pub body: Bytes,
    /// gRPC code: the body's `code` for Scalekit's own errors, else derived from the status.
    pub grpc_status: i32,
    /// First `ErrorInfo.error_code` (control plane), the OAuth `error` (token), or the
    /// status text (proxy, as the official SDK does).
    pub error_code: Option<String>,
    /// The `details` array of a Scalekit error body.
    pub details: Option<Value>,
    /// Readable summary, e.g. `[not_found] connected account not found`.
    pub message: String,
    /// The `code` of a Scalekit error body, when the body is one (`16`: our token is bad).
    pub scalekit_code: Option<i32>,
    /// Set when Scalekit reports a provider failure (docs/wire-protocol.md §2, [`tool_error`]).
    pub tool_error: Option<ToolError>,
}

impl HttpFailure {
    /// The `ErrorInfo` entries of `details` as the official SDK unpacks them (its
    /// `findDetails(ErrorInfoSchema)`, docs/wire-protocol.md §2): other detail types left out,
    /// `@type` dropped, every field under its JSON name (`errorCode`,
    /// `toolErrorInfo.executionId`).
    pub fn unpacked_details(&self) -> Value {
        let entries = self.details.as_ref().and_then(Value::as_array);
        Value::Array(
            entries
                .into_iter()
                .flatten()
                .filter(|d| match d.get("@type").and_then(Value::as_str) {
                    None => d.is_object(),
                    Some(t) => t.ends_with("scalekit.v1.errdetails.ErrorInfo"),
                })
                .map(json_names)
                .collect(),
        )
    }

    /// Scalekit itself refused our token (as opposed to a provider's 401 relayed by the proxy,
    /// or a tool's own 401 reported as TOOL_ERROR): drop the token and fetch a new one.
    pub fn is_scalekit_unauthenticated(&self) -> bool {
        self.status == 401
            && self.tool_error.is_none()
            && match self.kind {
                CallKind::ControlPlane => true,
                CallKind::Proxy => self.scalekit_code == Some(16),
                CallKind::Token => false,
            }
    }
}

/// A detail's fields under their proto JSON names, nested messages too; `@type` dropped.
fn json_names(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "@type")
                .map(|(k, v)| (snake_to_camel(k), json_names(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json_names).collect()),
        other => other.clone(),
    }
}

/// A provider failure that Scalekit reports with `error_code: TOOL_ERROR`, and what its
/// `ToolErrorInfo` detail says (empty strings when there is none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolError {
    pub code: String,
    pub message: String,
    pub execution_id: String,
}

/// The one TOOL_ERROR rule (docs/wire-protocol.md §2), as the official SDK applies it: any
/// `ErrorInfo` in `details` whose `error_code` is `TOOL_ERROR`; the first `tool_error_info`
/// detail, if any, says which tool failed and how (each text [`bounded`]).
pub fn tool_error(details: Option<&Value>) -> Option<ToolError> {
    let list = details?.as_array()?;
    let flagged = list
        .iter()
        .any(|d| d.get("error_code").and_then(Value::as_str) == Some("TOOL_ERROR"));
    if !flagged {
        return None;
    }
    let info = list.iter().find_map(|d| d.get("tool_error_info"));
    let text = |name: &str| {
        info.and_then(|i| i.get(name))
            .and_then(Value::as_str)
            .map(bounded)
            .unwrap_or_default()
    };
    Some(ToolError {
        code: text("tool_error_code"),
        message: text("tool_error_message"),
        execution_id: text("execution_id"),
    })
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ScalekitError {
    /// Bad input, detected before anything is sent.
    #[error("{message}")]
    Validation {
        /// The argument's name, or its path inside one (`filter.userIdentifier`, `options.port`).
        argument: Cow<'static, str>,
        message: String,
    },
    /// The server answered with a non-2xx status.
    #[error("{}", .0.message)]
    Http(Box<HttpFailure>),
    /// The call's deadline passed.
    #[error("[deadline_exceeded] timeout of {timeout_ms}ms exceeded")]
    Timeout { timeout_ms: u64 },
    /// `waitForConnectedAccount`: the account was not ACTIVE within its `timeoutMs`; `status`
    /// is the last one seen (`NOT_FOUND` while no account exists).
    #[error("[deadline_exceeded] the connected account was not ACTIVE within {timeout_ms}ms: its status is still {status}")]
    NotActive { timeout_ms: u64, status: String },
    /// No response: connection refused, reset, DNS, TLS. `connect` is true when the request
    /// never reached the server (safe to retry).
    #[error("{message}")]
    Network { message: String, connect: bool },
    /// A buffered answer would decode to more than its limit; the connection is dropped.
    /// `adjustable`: the limit is the caller's `maxResponseBytes` (Tool Proxy calls), which the
    /// message then tells how to raise; Scalekit's own answers have a fixed one.
    #[error("{}", too_large_message(*limit, *adjustable))]
    TooLarge { limit: u64, adjustable: bool },
    /// The caller aborted the call.
    #[error("This operation was aborted")]
    Aborted,
    /// LocalScalekit could not do what it was asked (bad options, unknown account, port in use).
    #[error("{message}")]
    Local { message: String },
    /// A 2xx answer that is not what the protocol says (e.g. a token response without `access_token`).
    #[error("{message}")]
    Protocol { message: String },
}

impl ScalekitError {
    pub fn validation(argument: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        ScalekitError::Validation {
            argument: argument.into(),
            message: message.into(),
        }
    }

    /// Builds the failure for a non-2xx answer, reading the body as the call kind's protocol says.
    /// What it copies out of the body is bounded (`error_text`); the body is kept as it came.
    /// (`from_answer`, in redact.rs, with no credential to scrub.)
    pub fn from_response(kind: CallKind, status: u16, headers: HeaderMap, body: Bytes) -> Self {
        Self::from_answer(kind, status, headers, body, &[])
    }

    /// [`Self::from_response`] with the body already parsed (`parsed`, when it is JSON).
    pub(crate) fn from_parsed(
        kind: CallKind,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        parsed: Option<Value>,
    ) -> Self {
        let status_text = status_text(status).to_string();
        // A status with no reason phrase (600, say) is shown alone.
        let shown_status = match status_text.as_str() {
            "" => status.to_string(),
            text => format!("{status} {text}"),
        };
        let mut grpc_status = grpc_from_http(status);
        let mut error_code = None;
        let mut details = None;
        let mut scalekit_code = None;
        let message;
        match kind {
            CallKind::Token => {
                let error = parsed
                    .as_ref()
                    .and_then(|v| v.get("error"))
                    .and_then(Value::as_str)
                    .map(bounded);
                let description = parsed
                    .as_ref()
                    .and_then(|v| v.get("error_description"))
                    .and_then(Value::as_str)
                    .map(bounded);
                message = match (&error, description) {
                    (Some(e), Some(d)) => {
                        format!("token request failed with status {shown_status}: {e}: {d}")
                    }
                    (Some(e), None) => {
                        format!("token request failed with status {shown_status}: {e}")
                    }
                    _ => format!("token request failed with status {shown_status}"),
                };
                error_code = error;
            }
            CallKind::ControlPlane | CallKind::Proxy => {
                let scalekit = parsed.and_then(ScalekitErrorBody::read);
                scalekit_code = scalekit.as_ref().map(|b| b.code);
                match (kind, scalekit) {
                    (CallKind::ControlPlane, Some(b)) => {
                        grpc_status = b.code;
                        error_code = b.error_code;
                        details = b.details;
                        message = format!("[{}] {}", grpc_code_name(b.code), b.message);
                    }
                    (CallKind::Proxy, Some(b)) => {
                        // The official SDK reports the status text as errorCode for proxy answers;
                        // the readable message still carries Scalekit's own text when there is one.
                        // grpcStatus is the body's code, so both say the same (a 400 with code 9 is
                        // FAILED_PRECONDITION, not the 400's INVALID_ARGUMENT).
                        grpc_status = b.code;
                        error_code = Some(status_text.clone());
                        details = b.details;
                        message = format!(
                            "request failed with status {shown_status}: [{}] {}",
                            grpc_code_name(b.code),
                            b.message
                        );
                    }
                    _ => {
                        if kind == CallKind::Proxy {
                            error_code = Some(status_text.clone());
                        }
                        message = format!("request failed with status {shown_status}");
                    }
                }
            }
        }
        // Decided on every detail, then only a bounded part of them is kept.
        let tool_error = tool_error(details.as_ref());
        let details = details.map(bounded_details);
        ScalekitError::Http(Box::new(HttpFailure {
            kind,
            status,
            status_text,
            headers,
            body,
            grpc_status,
            error_code,
            details,
            message,
            scalekit_code,
            tool_error,
        }))
    }
}

fn too_large_message(limit: u64, adjustable: bool) -> String {
    if adjustable {
        format!(
            "the response body is larger than maxResponseBytes ({limit} bytes): raise \
             maxResponseBytes, or use responseType: 'stream' for large bodies"
        )
    } else {
        format!("Scalekit's answer is larger than the {limit} bytes its answers may take")
    }
}

/// The parts of a grpc-gateway `google.rpc.Status` body (docs/wire-protocol.md §2) that the client uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalekitErrorBody {
    pub code: i32,
    /// [`bounded`], as `error_code`.
    pub message: String,
    pub error_code: Option<String>,
    /// Whole, taken out of the body (not copied).
    pub details: Option<Value>,
}

impl ScalekitErrorBody {
    /// Reads a Scalekit error body; `None` when the JSON is not of that shape.
    pub fn read(mut body: Value) -> Option<Self> {
        let code = body.get("code")?.as_i64()?;
        if !(0..=16).contains(&code) {
            return None;
        }
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .map(bounded)
            .unwrap_or_default();
        let details = body
            .get_mut("details")
            .map(Value::take)
            .filter(Value::is_array);
        let error_code = details
            .as_ref()
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .find_map(|d| d.get("error_code").and_then(Value::as_str))
            })
            .map(bounded);
        Some(ScalekitErrorBody {
            code: code as i32,
            message,
            error_code,
            details,
        })
    }
}

/// The official SDK's `HTTP_TO_GRPC` table.
pub fn grpc_from_http(status: u16) -> i32 {
    match status {
        400 => 3,
        401 => 16,
        403 => 7,
        404 => 5,
        409 => 6,
        429 => 8,
        500 => 13,
        501 => 12,
        503 => 14,
        504 => 4,
        _ => 2,
    }
}

/// connect-es's lowercase code names, as the official SDK prints them in messages.
pub fn grpc_code_name(code: i32) -> &'static str {
    match code {
        0 => "ok",
        1 => "canceled",
        2 => "unknown",
        3 => "invalid_argument",
        4 => "deadline_exceeded",
        5 => "not_found",
        6 => "already_exists",
        7 => "permission_denied",
        8 => "resource_exhausted",
        9 => "failed_precondition",
        10 => "aborted",
        11 => "out_of_range",
        12 => "unimplemented",
        13 => "internal",
        14 => "unavailable",
        15 => "data_loss",
        16 => "unauthenticated",
        _ => "unknown",
    }
}

/// The reason phrase for a status (servers' own phrases are not available over HTTP/2).
pub fn status_text(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_plane_error_reads_scalekit_body() {
        let body = br#"{"code":5,"message":"connected account not found","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"NOT_FOUND"}]}"#;
        let err = ScalekitError::from_response(
            CallKind::ControlPlane,
            404,
            HeaderMap::new(),
            Bytes::from_static(body),
        );
        let ScalekitError::Http(f) = err else {
            panic!("expected Http")
        };
        assert_eq!(f.grpc_status, 5);
        assert_eq!(f.error_code.as_deref(), Some("NOT_FOUND"));
        assert_eq!(f.message, "[not_found] connected account not found");
        assert_eq!(f.status_text, "Not Found");
    }

    #[test]
    fn proxy_error_without_body_uses_status_table() {
        for (status, grpc) in [(404, 5), (422, 2), (502, 2), (429, 8), (504, 4), (401, 16)] {
            let err = ScalekitError::from_response(
                CallKind::Proxy,
                status,
                HeaderMap::new(),
                Bytes::new(),
            );
            let ScalekitError::Http(f) = err else {
                panic!("expected Http")
            };
            assert_eq!(f.grpc_status, grpc, "status {status}");
            assert_eq!(f.error_code.as_deref(), Some(status_text(status)));
        }
        // No reason phrase: the status alone, no trailing space.
        let ScalekitError::Http(f) =
            ScalekitError::from_response(CallKind::Proxy, 600, HeaderMap::new(), Bytes::new())
        else {
            panic!("expected Http")
        };
        assert_eq!(f.message, "request failed with status 600");
    }

    #[test]
    fn token_error_reads_oauth_body_and_redacts() {
        let err = ScalekitError::from_response(
            CallKind::Token,
            401,
            HeaderMap::new(),
            Bytes::from_static(
                br#"{"error":"invalid_client","error_description":"bad s3cr3t-value"}"#,
            ),
        )
        .redact("s3cr3t-value");
        assert_eq!(
            err.to_string(),
            "token request failed with status 401 Unauthorized: invalid_client: bad [REDACTED]"
        );
        let ScalekitError::Http(f) = err else {
            panic!("expected Http")
        };
        assert!(!String::from_utf8_lossy(&f.body).contains("s3cr3t-value"));
    }

    fn failure(kind: CallKind, status: u16, body: &'static str) -> HttpFailure {
        match ScalekitError::from_response(
            kind,
            status,
            HeaderMap::new(),
            Bytes::from_static(body.as_bytes()),
        ) {
            ScalekitError::Http(f) => *f,
            other => panic!("expected Http, got {other:?}"),
        }
    }

    #[test]
    fn unpacked_details_are_error_infos_under_json_names() {
        let body = r#"{"code":13,"message":"tool failed","details":[
            {"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"TOOL_ERROR",
             "tool_error_info":{"execution_id":"ex_1","tool_error_code":"429"}},
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retry_delay":"1s"}]}"#;
        let f = failure(CallKind::ControlPlane, 500, body);
        assert_eq!(
            f.unpacked_details(),
            serde_json::json!([{"errorCode": "TOOL_ERROR",
                "toolErrorInfo": {"executionId": "ex_1", "toolErrorCode": "429"}}])
        );
    }

    #[test]
    fn a_proxied_scalekit_error_takes_the_bodys_code() {
        let f = failure(CallKind::Proxy, 400, r#"{"code":9,"message":"not active"}"#);
        assert_eq!(f.grpc_status, 9);
        assert_eq!(
            failure(CallKind::Proxy, 400, r#"{"error":"x"}"#).grpc_status,
            3
        );
    }

    #[test]
    fn only_scalekits_own_401_means_our_token_is_bad() {
        let proxy = |body| failure(CallKind::Proxy, 401, body).is_scalekit_unauthenticated();
        assert!(proxy(r#"{"code":16,"message":"Token empty"}"#));
        assert!(!proxy(r#"{"error":"invalid_token"}"#));
        assert!(!proxy("Unauthorized"));
        assert!(!proxy(r#"{"code":5,"message":"x"}"#));
        assert!(failure(CallKind::ControlPlane, 401, "").is_scalekit_unauthenticated());
        assert!(!failure(CallKind::Token, 401, "").is_scalekit_unauthenticated());
        let tool =
            r#"{"code":16,"message":"provider said no","details":[{"error_code":"TOOL_ERROR"}]}"#;
        assert!(!failure(CallKind::ControlPlane, 401, tool).is_scalekit_unauthenticated());
        assert!(!failure(CallKind::Proxy, 401, tool).is_scalekit_unauthenticated());
    }

    #[test]
    fn tool_error_is_any_detail_flagged_and_reads_tool_error_info() {
        let body = r#"{"code":13,"message":"tool failed","details":[
            {"error_code":"SOMETHING"},
            {"@type":"x.ToolErrorInfo","tool_error_info":{"execution_id":"ex_1","tool_error_message":"rate","tool_error_code":"429"}},
            {"error_code":"TOOL_ERROR"}]}"#;
        let f = failure(CallKind::ControlPlane, 500, body);
        assert_eq!(
            f.tool_error,
            Some(ToolError {
                code: "429".into(),
                message: "rate".into(),
                execution_id: "ex_1".into()
            })
        );
        assert_eq!(
            failure(
                CallKind::ControlPlane,
                500,
                r#"{"code":13,"message":"x","details":[{"error_code":"OTHER"}]}"#
            )
            .tool_error,
            None
        );
        let bare = failure(
            CallKind::ControlPlane,
            500,
            r#"{"code":13,"message":"x","details":[{"error_code":"TOOL_ERROR"}]}"#,
        );
        assert_eq!(bare.tool_error, Some(ToolError::default()));
    }
}
