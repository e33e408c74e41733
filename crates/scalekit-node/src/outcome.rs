//! The outcome record: how every async native call completes (docs/architecture.md, "The
//! boundary contract"). Built here and nowhere else; `lib/outcome.js` is its only reader.
//!
//! A record is two values, because each napi value costs:
//! - `head`: `status \n failure \n name \n value \n …`. `status` is 0 when no answer arrived;
//!   `failure` is empty on success, else the failure description as JSON; then the answer's
//!   headers (lowercase names). None of these can hold a newline.
//! - `body`: the answer's body as text, or as bytes for a binary content type, or, for
//!   `responseType: 'stream'`, a stream handle ([`Body::Stream`]).
//!
//! A traced call's `head` starts with one more line, its trace as JSON ([`with_trace`]).

use bytes::Bytes;
use http::header::{HeaderMap, CONTENT_TYPE};
use napi::bindgen_prelude::{Buffer, Either};
use serde_json::{json, Map, Value};

use crate::failure::{failure_json, failure_value, http_failure_json};
use scalekit_core::errors::ScalekitError;
use scalekit_core::proxy::ResponseType;
use scalekit_core::trace::{CallTrace, TokenFetch, TOKEN_ROUTE};
use scalekit_core::transport::{BodyStream, RawResponse};

/// A record's body, still in Rust: turned into a JS value only when JS takes the record, where
/// a failure (a string too long for V8, an allocation) fails that one call, not the process.
pub(crate) enum Body {
    Text(String),
    /// An answer's text, still in the answer's buffer: it becomes a JS string with one copy.
    Utf8(Utf8Bytes),
    Bytes(Bytes),
    /// A 2xx answer of `responseType: 'stream'`, still on the wire.
    Stream(BodyStream),
}

impl Body {
    pub(crate) fn len(&self) -> usize {
        match self {
            Body::Text(text) => text.len(),
            Body::Utf8(text) => text.as_str().len(),
            Body::Bytes(bytes) => bytes.len(),
            Body::Stream(_) => 0,
        }
    }
}

/// A record as one JS object, for the calls that resolve on their own promise (LocalScalekit's).
#[napi_derive::napi(object)]
pub struct NativeOutcome {
    pub head: String,
    pub body: Either<String, Buffer>,
}

impl From<(String, Body)> for NativeOutcome {
    fn from((head, body): (String, Body)) -> Self {
        let body = match body {
            Body::Text(text) => Either::A(text),
            Body::Utf8(text) => Either::A(text.as_str().to_owned()),
            Body::Bytes(bytes) => Either::B(Buffer::from(Vec::from(bytes))),
            // LocalScalekit's records never stream.
            Body::Stream(_) => Either::A(String::new()),
        };
        NativeOutcome { head, body }
    }
}

/// The record of an HTTP answer: a 2xx response, or a non-2xx one carrying its failure.
pub(crate) fn of_response(
    result: Result<RawResponse, ScalekitError>,
    response_type: ResponseType,
) -> (String, Body) {
    match result {
        Ok(r) => {
            let head = head(r.status, None, &r.headers);
            match r.stream {
                Some(stream) => (head, Body::Stream(stream)),
                None => (head, body(&r.headers, r.body, response_type)),
            }
        }
        Err(ScalekitError::Http(f)) => {
            let failure = http_failure_json(&f);
            let body = body(&f.headers, f.body, response_type);
            (head(f.status, Some(&failure), &f.headers), body)
        }
        Err(e) => of_failure(&e),
    }
}

/// The record of a call whose result is a JSON value (the connected-account methods,
/// LocalScalekit's), resolved as status 200 with the value as its body.
pub(crate) fn of_value(result: Result<Value, ScalekitError>) -> (String, Body) {
    match result {
        Ok(value) => (
            head(200, None, &HeaderMap::new()),
            Body::Text(value.to_string()),
        ),
        Err(ScalekitError::Http(f)) => of_response(Err(ScalekitError::Http(f)), ResponseType::Auto),
        Err(e) => of_failure(&e),
    }
}

/// The record of a call that got no answer (or was refused before anything was sent).
pub(crate) fn of_failure(error: &ScalekitError) -> (String, Body) {
    let failure = failure_json(error);
    (
        head(0, Some(&failure), &HeaderMap::new()),
        Body::Text(String::new()),
    )
}

/// The record of a traced call: a first line of JSON before the head, `{"attempts": n}` and, when
/// the call started token fetches that have ended, `"tokens": [{method, path, attempts,
/// durationMs, status, failure?}]` (`lib/tracing.js` reads and strips it; docs/architecture.md,
/// "Tracing").
pub(crate) fn with_trace(
    trace: Option<&CallTrace>,
    (head, body): (String, Body),
) -> (String, Body) {
    let Some(trace) = trace else {
        return (head, body);
    };
    let mut line = Map::new();
    line.insert("attempts".into(), json!(trace.attempts()));
    let tokens: Vec<Value> = trace.token_fetches().iter().map(token_value).collect();
    if !tokens.is_empty() {
        line.insert("tokens".into(), Value::Array(tokens));
    }
    (format!("{}\n{head}", Value::Object(line)), body)
}

/// One token fetch of a traced call, for its trace line.
fn token_value(fetch: &TokenFetch) -> Value {
    let (method, path) = TOKEN_ROUTE;
    let mut token = Map::new();
    token.insert("method".into(), json!(method));
    token.insert("path".into(), json!(path));
    token.insert("attempts".into(), json!(fetch.attempts));
    token.insert(
        "durationMs".into(),
        json!(fetch.duration.as_secs_f64() * 1000.0),
    );
    let status = match &fetch.result {
        Ok(()) => 200,
        Err(ScalekitError::Http(f)) => f.status,
        Err(_) => 0,
    };
    token.insert("status".into(), json!(status));
    if let Err(e) = &fetch.result {
        // Already without the client secret: the token endpoint redacts its failures.
        token.insert("failure".into(), failure_value(e));
    }
    Value::Object(token)
}

fn head(status: u16, failure: Option<&str>, headers: &HeaderMap) -> String {
    let mut head = String::with_capacity(64 + headers.len() * 32);
    head.push_str(&status.to_string());
    head.push('\n');
    if let Some(f) = failure {
        head.push_str(f);
    }
    for (name, value) in headers {
        head.push('\n');
        head.push_str(name.as_str());
        head.push('\n');
        head.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    head
}

/// Content types whose bodies go to JS as bytes: decoding them as text would corrupt them.
fn is_binary_type(content_type: Option<&str>) -> bool {
    let Some(t) = content_type else {
        return false;
    };
    let t = t.trim_start().to_ascii_lowercase();
    [
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "image/",
        "audio/",
        "video/",
    ]
    .iter()
    .any(|prefix| t.starts_with(prefix))
}

/// The one place that decides: bytes for binary types (or `arraybuffer`), text (UTF-8, lossy)
/// otherwise.
fn body(headers: &HeaderMap, body: Bytes, response_type: ResponseType) -> Body {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let bytes = match response_type {
        ResponseType::Bytes => true,
        ResponseType::Text | ResponseType::Json => false,
        ResponseType::Auto | ResponseType::Stream => is_binary_type(content_type),
    };
    if bytes {
        return Body::Bytes(body);
    }
    match Utf8Bytes::new(body) {
        Ok(text) => Body::Utf8(text),
        Err(body) => Body::Text(String::from_utf8_lossy(&body).into_owned()),
    }
}

/// Bytes checked once to be UTF-8.
pub(crate) struct Utf8Bytes(Bytes);

impl Utf8Bytes {
    /// `Err` gives the bytes back when they are not UTF-8.
    fn new(bytes: Bytes) -> Result<Self, Bytes> {
        match std::str::from_utf8(&bytes) {
            Ok(_) => Ok(Utf8Bytes(bytes)),
            Err(_) => Err(bytes),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: checked in `new`, and `Bytes` never changes.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}
