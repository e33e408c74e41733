//! napi glue: converts JS values to core types and back, nothing else.
//!
//! Errors cross as a JSON reason (`{"kind": ..., ...}`) that `index.js` turns into the matching
//! exception class; a non-2xx proxy answer resolves with a `failure` so its body stays bytes.

mod cancel;
mod client;
mod local;

// glibc malloc showed up as ~15% of a proxied call's CPU; mimalloc is markedly cheaper for the
// many small, short-lived allocations of a request.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One tokio worker thread: every call's work is I/O-bound and short, and a single worker avoids
/// the cross-thread wake-ups and work stealing that cost more CPU per call than they save.
#[napi_derive::module_init]
fn init_runtime() {
    let workers = std::env::var("SCALEKIT_NATIVE_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(1);
    if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("scalekit-native")
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

use napi::{Error, Status};
use serde_json::json;

use crate::errors::{CallKind, HttpFailure, ScalekitError};

/// The JSON description of a core error, read by `index.js`.
pub(crate) fn error_json(error: &ScalekitError) -> serde_json::Value {
    match error {
        ScalekitError::Validation { argument, message } => {
            json!({"kind": "validation", "argument": argument, "message": message})
        }
        ScalekitError::Http(f) => http_failure_json(f, true),
        ScalekitError::Timeout { timeout_ms } => {
            json!({"kind": "timeout", "message": error.to_string(), "timeoutMs": timeout_ms})
        }
        ScalekitError::Network { message, .. } => json!({"kind": "network", "message": message}),
        ScalekitError::Aborted => json!({"kind": "aborted", "message": error.to_string()}),
        ScalekitError::Protocol { message } => json!({"kind": "protocol", "message": message}),
    }
}

/// A non-2xx answer's description; `with_payload` adds its headers and body (as text), which a
/// proxy answer carries separately, as bytes.
pub(crate) fn http_failure_json(f: &HttpFailure, with_payload: bool) -> serde_json::Value {
    let mut description = json!({
        "kind": "server",
        "source": match f.kind {
            CallKind::Token => "token",
            CallKind::ControlPlane => "control_plane",
            CallKind::Proxy => "proxy",
        },
        "message": f.message,
        "status": f.status,
        "statusText": f.status_text,
        "grpcStatus": f.grpc_status,
        "errorCode": f.error_code,
        "details": f.details,
    });
    if with_payload {
        description["headers"] = f
            .headers
            .iter()
            .flat_map(|(k, v)| {
                [
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                ]
            })
            .collect::<Vec<_>>()
            .into();
        description["body"] = String::from_utf8_lossy(&f.body).into_owned().into();
    }
    description
}

pub(crate) fn to_napi(error: ScalekitError) -> Error {
    Error::new(Status::GenericFailure, error_json(&error).to_string())
}
