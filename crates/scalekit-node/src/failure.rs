//! A failure as JS sees it: the description `lib/errors.js` turns into an exception class, for
//! an outcome record's failure line (`outcome`) and for a synchronous throw (`to_napi`, also
//! used by `streams`).

use napi::{Error, Status};
use serde_json::{json, Map, Value};

use scalekit_core::errors::{CallKind, HttpFailure, ScalekitError};

/// A synchronous throw (constructors, option parsing) carries the same failure description.
pub(crate) fn to_napi(error: ScalekitError) -> Error {
    Error::new(Status::GenericFailure, failure_json(&error))
}

/// The failure description `lib/errors.js` turns into an exception class.
pub(crate) fn failure_json(error: &ScalekitError) -> String {
    failure_value(error).to_string()
}

/// The description of a non-2xx answer, from the failure itself: no copy of it is made first
/// (what it holds of the server's text is bounded: docs/wire-protocol.md §2, "Error body").
pub(crate) fn http_failure_json(f: &HttpFailure) -> String {
    http_value(f).to_string()
}

fn http_value(f: &HttpFailure) -> Value {
    let mut d = Map::new();
    http_fields(&mut d, f);
    d.insert("kind".into(), json!("server"));
    d.insert("message".into(), json!(f.message));
    Value::Object(d)
}

pub(crate) fn failure_value(error: &ScalekitError) -> Value {
    let mut d = Map::new();
    let kind = match error {
        ScalekitError::Validation { argument, .. } => {
            d.insert("argument".into(), json!(argument));
            "validation"
        }
        ScalekitError::Http(f) => return http_value(f),
        ScalekitError::Timeout { timeout_ms } | ScalekitError::NotActive { timeout_ms, .. } => {
            d.insert("timeoutMs".into(), json!(timeout_ms));
            // As the official SDK reports a deadline: DEADLINE_EXCEEDED, shown as a 504.
            d.insert("status".into(), json!(504));
            d.insert("statusText".into(), json!("Gateway Timeout"));
            d.insert("grpcCode".into(), json!(4));
            "timeout"
        }
        ScalekitError::Network { .. } => "network",
        ScalekitError::TooLarge { limit, .. } => {
            d.insert("limit".into(), json!(limit));
            "too_large"
        }
        ScalekitError::Aborted => "aborted",
        ScalekitError::Protocol { .. } => "protocol",
        ScalekitError::Local { .. } => "local",
    };
    d.insert("kind".into(), json!(kind));
    d.insert("message".into(), json!(error.to_string()));
    Value::Object(d)
}

fn http_fields(d: &mut Map<String, Value>, f: &HttpFailure) {
    let source = match f.kind {
        CallKind::Token => "token",
        CallKind::ControlPlane => "control_plane",
        CallKind::Proxy => "proxy",
    };
    d.insert("source".into(), json!(source));
    d.insert("status".into(), json!(f.status));
    d.insert("statusText".into(), json!(f.status_text));
    d.insert("grpcCode".into(), json!(f.grpc_status));
    d.insert("errorCode".into(), json!(f.error_code));
    d.insert("details".into(), f.details.clone().unwrap_or(json!([])));
    d.insert("unpackedDetails".into(), f.unpacked_details());
    // The proxy relays the provider's answer as data, as the official SDK does: its tool-error
    // classes are for control-plane calls only (docs/wire-protocol.md §2).
    if let (Some(t), false) = (&f.tool_error, f.kind == CallKind::Proxy) {
        d.insert(
            "toolError".into(),
            json!({"code": t.code, "message": t.message, "executionId": t.execution_id}),
        );
    }
}
