//! `NativeClient`: the napi face of [`crate::client::ScalekitClient`].

use bytes::Bytes;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, RwLock};

use futures_util::FutureExt;

use http::header::{HeaderMap, CONTENT_TYPE};
use napi::bindgen_prelude::{Buffer, Either, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;

use super::cancel::CallSignal;
use super::{error_json, http_failure_json, to_napi};
use crate::accounts::{AccountOperation, Params};
use crate::cancel::abortable;
use crate::client::ScalekitClient;
use crate::config::{ClientConfig, ClientOptions};
use crate::errors::ScalekitError;
use crate::proxy::{ProxyBody, ProxyParams, QueryParams, RetrySetting};

#[napi(object)]
pub struct NativeClientOptions {
    pub timeout_ms: Option<f64>,
    pub tool_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    /// `Node/<version> (<platform>; <arch>)` for the user-agent.
    pub runtime: Option<String>,
}

impl From<Option<NativeClientOptions>> for ClientOptions {
    fn from(options: Option<NativeClientOptions>) -> Self {
        match options {
            None => ClientOptions::default(),
            Some(o) => ClientOptions {
                timeout_ms: o.timeout_ms,
                tool_timeout_ms: o.tool_timeout_ms,
                max_retries: o.max_retries,
                runtime: o.runtime,
            },
        }
    }
}

/// The less common `actions.request` parameters, pre-classified by `index.js`; absent for a
/// plain call, so that the common case crosses the boundary as four strings.
#[napi(object)]
pub struct NativeProxyOptions {
    /// `queryParams` as JSON (numbers already formatted by JS, Dates as ISO strings).
    pub query_json: Option<String>,
    /// `queryParams` given as a URLSearchParams, already encoded.
    pub query_string: Option<String>,
    /// An object or array body, already `JSON.stringify`-ed.
    pub body_json: Option<String>,
    /// A string or binary body, sent as is.
    pub body_raw: Option<Buffer>,
    /// `formData` as JSON, sent urlencoded.
    pub form_json: Option<String>,
    /// Caller headers as `[name, value, name, value, ...]`.
    pub headers: Option<Vec<String>>,
    pub timeout_ms: Option<f64>,
    /// `undefined`: the client's policy; `0`: off; `n`: up to n retries for any method.
    pub retries: Option<u32>,
    /// From `newCancelId()`, when the caller passed an AbortSignal.
    pub cancel_id: Option<u32>,
}

#[napi]
pub struct NativeClient {
    inner: ScalekitClient,
    completions: Arc<Completions>,
}

/// The one wake-up function of a client's `request` calls, created unreferenced (weak): an idle
/// client never keeps Node alive; JS references it while calls are in flight.
type WakeFunction = ThreadsafeFunction<(), (), u32, Status, false, true>;

/// Finished `request` calls waiting for JS, and how to wake it. One shared thread-safe function
/// for every completion (instead of napi's per-call one) saves a handle per call and lets one
/// wake-up deliver a whole batch.
#[derive(Default)]
struct Completions {
    queue: Mutex<CompletionBatch>,
    wake: RwLock<Option<WakeFunction>>,
}

#[derive(Default)]
struct CompletionBatch {
    ids: Vec<u32>,
    heads: Vec<String>,
    bodies: Vec<Either<String, Buffer>>,
}

/// A batch of finished calls: for each `ids[i]`, `heads[i]`/`bodies[i]` as in [`NativeResponse`],
/// or, for a call that got no answer, `heads[i]` = `!` + the error's JSON description.
#[napi(object)]
pub struct NativeCompletions {
    pub ids: Vec<u32>,
    pub heads: Vec<String>,
    pub bodies: Vec<Either<String, Buffer>>,
}

impl Completions {
    fn push(&self, id: u32, head: String, body: Either<String, Buffer>) {
        let first = {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.ids.push(id);
            queue.heads.push(head);
            queue.bodies.push(body);
            queue.ids.len() == 1
        };
        // Only the first completion of a batch wakes JS; the wake-up drains everything queued.
        if first {
            if let Some(wake) = self.wake.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
                wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    }

    fn take(&self) -> NativeCompletions {
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        NativeCompletions {
            ids: batch.ids,
            heads: batch.heads,
            bodies: batch.bodies,
        }
    }
}

fn parse_json(name: &'static str, text: &str) -> napi::Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        to_napi(ScalekitError::validation(
            name,
            format!("{name} is not serialisable: {e}"),
        ))
    })
}

fn flat_pairs(list: Vec<String>) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(list.len() / 2);
    let mut it = list.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        pairs.push((k, v));
    }
    pairs
}

fn proxy_params(
    connection_name: Option<String>,
    identifier: Option<String>,
    path: Option<String>,
    method: Option<String>,
    options: Option<NativeProxyOptions>,
) -> napi::Result<ProxyParams> {
    let mut params = ProxyParams {
        connection_name,
        identifier,
        path,
        method,
        ..Default::default()
    };
    let Some(o) = options else {
        return Ok(params);
    };
    params.query = match (o.query_json, o.query_string) {
        (Some(json), _) => Some(QueryParams::Object(parse_json("queryParams", &json)?)),
        (None, Some(s)) => Some(QueryParams::Encoded(s)),
        (None, None) => None,
    };
    params.body = match (o.body_json, o.body_raw, o.form_json) {
        (Some(json), _, _) => Some(ProxyBody::Json(Bytes::from(json))),
        (None, Some(raw), _) => Some(ProxyBody::Raw(Bytes::from(raw.to_vec()))),
        (None, None, Some(form)) => Some(ProxyBody::Form(parse_json("formData", &form)?)),
        (None, None, None) => None,
    };
    params.headers = o.headers.map(flat_pairs).unwrap_or_default();
    params.timeout_ms = o.timeout_ms;
    params.retry = match o.retries {
        None => RetrySetting::Default,
        Some(0) => RetrySetting::Off,
        Some(n) => RetrySetting::Count(n),
    };
    Ok(params)
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

/// An HTTP answer as two values (each napi value costs): `head` is
/// `status \n failure \n name \n value \n ...` (lowercase names; `failure` is the error's JSON
/// description for a non-2xx answer, else empty; neither can hold a newline), and the body is the
/// bytes for a binary content type, else the text.
fn native_response(
    status: u16,
    failure: Option<String>,
    headers: &HeaderMap,
    body: Bytes,
) -> (String, Either<String, Buffer>) {
    let mut head = String::with_capacity(64 + headers.len() * 32);
    head.push_str(&status.to_string());
    head.push('\n');
    if let Some(f) = &failure {
        head.push_str(f);
    }
    for (name, value) in headers {
        head.push('\n');
        head.push_str(name.as_str());
        head.push('\n');
        head.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    // The one place that decides: bytes for binary types, text (as UTF-8, lossy) otherwise.
    let body = if is_binary_type(content_type) {
        Either::B(Buffer::from(Vec::from(body)))
    } else {
        match String::from_utf8(Vec::from(body)) {
            Ok(text) => Either::A(text),
            Err(e) => Either::A(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }
    };
    (head, body)
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(
        env_url: String,
        client_id: String,
        client_secret: String,
        options: Option<NativeClientOptions>,
    ) -> napi::Result<Self> {
        let config = ClientConfig::new(&env_url, &client_id, &client_secret, options.into())
            .map_err(to_napi)?;
        Self::with_config(config)
    }

    /// Reads `SCALEKIT_*` from the environment, each falling back to `<cwd>/.env`.
    #[napi(factory)]
    pub fn from_env(cwd: String, options: Option<NativeClientOptions>) -> napi::Result<Self> {
        let config =
            ClientConfig::from_env(std::path::Path::new(&cwd), options.into()).map_err(to_napi)?;
        Self::with_config(config)
    }

    fn with_config(config: ClientConfig) -> napi::Result<Self> {
        let inner = ScalekitClient::new(config).map_err(to_napi)?;
        Ok(NativeClient {
            inner,
            completions: Arc::default(),
        })
    }

    #[napi(getter)]
    pub fn env_url(&self) -> String {
        self.inner.config().env_url().to_string()
    }

    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.config().client_id.clone()
    }

    /// Sets the function `request` completions wake, called with `client_id` (it then calls
    /// `takeCompletions`); `index.js` passes one module-level function for every client.
    #[napi]
    pub fn set_completion_handler(
        &self,
        handler: Function<u32, ()>,
        client_id: u32,
    ) -> napi::Result<()> {
        let wake: WakeFunction = handler
            .build_threadsafe_function()
            .weak::<true>()
            .callee_handled::<false>()
            .build_callback(move |_| Ok(client_id))?;
        *self
            .completions
            .wake
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(wake);
        Ok(())
    }

    /// Whether calls are in flight: while they are, the wake-up function keeps Node alive.
    #[napi]
    pub fn set_active(&self, env: Env, active: bool) -> napi::Result<()> {
        let mut wake = self
            .completions
            .wake
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(wake) = wake.as_mut() {
            #[allow(deprecated)] // the replacement (clone/drop) cannot un-reference a weak function
            if active {
                wake.refer(&env)?;
            } else {
                wake.unref(&env)?;
            }
        }
        Ok(())
    }

    /// The calls finished since the last wake-up.
    #[napi]
    pub fn take_completions(&self) -> NativeCompletions {
        self.completions.take()
    }

    /// `actions.request`: starts the call and returns at once; its completion (any HTTP answer,
    /// a non-2xx one with its `failure`, or an error) arrives through the completion handler.
    #[napi]
    pub fn request(
        &self,
        id: u32,
        connection_name: Option<String>,
        identifier: Option<String>,
        path: Option<String>,
        method: Option<String>,
        options: Option<NativeProxyOptions>,
    ) -> napi::Result<()> {
        // Taken first, so that its registry entry is released even when the parameters are bad.
        let call = CallSignal::take(options.as_ref().and_then(|o| o.cancel_id));
        let params = proxy_params(connection_name, identifier, path, method, options)?;
        let client = self.inner.clone();
        let completions = Arc::clone(&self.completions);
        napi::bindgen_prelude::spawn(async move {
            // Boxed here, inside the task: the request future is several KB, and spawning moves
            // the task's future by value.
            let work = abortable(call.signal(), Box::pin(client.request(params)));
            // A panic must still settle the call: its promise, and the process, would wait forever.
            let outcome = match AssertUnwindSafe(work).catch_unwind().await {
                Ok(outcome) => outcome,
                Err(_) => Err(ScalekitError::Protocol {
                    message: "internal error: the request task panicked".into(),
                }),
            };
            drop(call);
            let (head, body) = match outcome {
                Ok(r) => native_response(r.status, None, &r.headers, r.body),
                Err(ScalekitError::Http(f)) => native_response(
                    f.status,
                    Some(http_failure_json(&f, false).to_string()),
                    &f.headers,
                    f.body.clone(),
                ),
                Err(e) => (format!("!{}", error_json(&e)), Either::A(String::new())),
            };
            completions.push(id, head, body);
        });
        Ok(())
    }

    /// A connected-account method of `actions` by its JS name; params and result as JSON.
    #[napi]
    pub async fn accounts(
        &self,
        method: String,
        params_json: String,
        cancel_id: Option<u32>,
    ) -> napi::Result<String> {
        let call = CallSignal::take(cancel_id);
        let operation = AccountOperation::from_method(&method).ok_or_else(|| {
            to_napi(ScalekitError::validation(
                "method",
                format!("unknown actions method {method:?}"),
            ))
        })?;
        let params = Params::from_json(&params_json).map_err(to_napi)?;
        let result = abortable(call.signal(), self.inner.accounts_call(operation, &params))
            .await
            .map_err(to_napi)?;
        Ok(result.to_string())
    }
}
