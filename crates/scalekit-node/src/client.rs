//! `NativeClient`: the napi face of [`scalekit_core::client::ScalekitClient`].
//!
//! Every async call (`request`, the connected-account methods) starts at once and completes as
//! one outcome record through the client's completion queue (docs/architecture.md).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt;
use napi::bindgen_prelude::{Array, Buffer, Function, JsObjectValue, JsValue, Object, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::args::{field, given, string};
use crate::cancel::CallSignal;
use crate::completions::{Completions, WakeFunction};
use crate::failure::to_napi;
use crate::outcome::{self, Body};
use crate::streams::take_upload;
use scalekit_core::accounts::Params;
use scalekit_core::args::{
    self, BodyGiven, CaGiven, Given, Kind, PemGiven, BYTE_COUNT, RETRY_COUNT, TIMEOUT,
};
use scalekit_core::cancel::abortable;
use scalekit_core::client::{Operation, ScalekitClient};
use scalekit_core::config::{ClientConfig, ClientOptions};
use scalekit_core::errors::ScalekitError;
use scalekit_core::proxy::ProxyParams;
use scalekit_core::trace::{self, CallTrace};
use scalekit_wire::sync::write;

#[napi]
pub struct NativeClient {
    inner: ScalekitClient,
    completions: Arc<Completions>,
}

/// `options` of the constructor and `fromEnv`; `runtime` is `Node/<version> (<platform>; <arch>)`.
fn client_options(options: Option<Unknown<'_>>, runtime: String) -> napi::Result<ClientOptions> {
    let mut parsed = ClientOptions {
        runtime: Some(runtime),
        ..Default::default()
    };
    let Some(options) = options else {
        return Ok(parsed);
    };
    match given(Some(options))? {
        Given::Absent => return Ok(parsed),
        Given::Other {
            type_of: "object", ..
        } => {}
        _ => {
            return Err(to_napi(ScalekitError::validation(
                "options",
                "options must be an object",
            )))
        }
    }
    // SAFETY: napi reported an object.
    let object: Object = unsafe { options.cast() }?;
    let names = object.get_property_names()?;
    let mut keys = Vec::with_capacity(names.get_array_length()? as usize);
    for i in 0..names.get_array_length()? {
        if let Some(name) = names.get_element::<Option<String>>(i)? {
            keys.push(name);
        }
    }
    args::client_option_keys(&keys).map_err(to_napi)?;
    let number = |name, expected| -> napi::Result<Option<f64>> {
        args::optional_number(name, field(&object, name)?, expected).map_err(to_napi)
    };
    parsed.timeout_ms = number("timeoutMs", TIMEOUT)?;
    parsed.tool_timeout_ms = number("toolTimeoutMs", TIMEOUT)?;
    parsed.max_retries = number("maxRetries", RETRY_COUNT)?;
    parsed.max_response_bytes = number("maxResponseBytes", BYTE_COUNT)?;
    parsed.ca = args::ca(ca_given(object.get::<Unknown>("ca")?)?).map_err(to_napi)?;
    parsed.proxy = args::proxy(field(&object, "proxy")?).map_err(to_napi)?;
    parsed.retry_budget = args::retry_budget(field(&object, "retryBudget")?).map_err(to_napi)?;
    Ok(parsed)
}

/// `ca` as napi sees it: a string, a Buffer, anything else, or an array of those.
fn ca_given(value: Option<Unknown<'_>>) -> napi::Result<CaGiven> {
    let Some(value) = value else {
        return Ok(CaGiven::One(PemGiven::Other(Given::Absent)));
    };
    if !value.is_array()? {
        return pem_given(value).map(CaGiven::One);
    }
    // SAFETY: napi reported an array.
    let array: Array = unsafe { value.cast() }?;
    let mut items = Vec::with_capacity(array.len() as usize);
    for i in 0..array.len() {
        items.push(match array.get::<Unknown>(i)? {
            Some(item) => pem_given(item)?,
            None => PemGiven::Other(Given::Absent),
        });
    }
    Ok(CaGiven::Many(items))
}

fn pem_given(value: Unknown<'_>) -> napi::Result<PemGiven> {
    if value.is_buffer()? {
        // SAFETY: napi reported a Buffer. Copied: the certificates outlive this call.
        let buffer: Buffer = unsafe { value.cast() }?;
        return Ok(PemGiven::Bytes(Bytes::copy_from_slice(&buffer)));
    }
    Ok(match given(Some(value))? {
        Given::Text(text) => PemGiven::Text(text),
        other => PemGiven::Other(other),
    })
}

/// A required constructor string: absent becomes empty, which the config reports as required.
fn credential(name: &'static str, value: Option<Unknown<'_>>) -> napi::Result<String> {
    args::optional_string(name, given(value)?)
        .map(Option::unwrap_or_default)
        .map_err(to_napi)
}

/// What `lib/args.js` classified, read from its options object.
fn kind(options: &Object<'_>, name: &str) -> napi::Result<Option<Kind>> {
    let Some(kind) = options.get::<String>(&format!("{name}Kind"))? else {
        return Ok(None);
    };
    let error = options.get::<String>(&format!("{name}Error"))?;
    Ok(Some(Kind::parse(&kind, error)))
}

/// The less common `request` parameters (`lib/args.js` `proxyOptions`) → core params.
fn proxy_options(
    params: &mut ProxyParams,
    o: &Object<'_>,
) -> napi::Result<Result<(), ScalekitError>> {
    if let Some(kind) = kind(o, "params")? {
        return Ok(args::object("params", &kind));
    }
    if let Some(others) = o.get::<Vec<String>>("otherKeys")? {
        if let Err(e) = args::request_keys(&others) {
            return Ok(Err(e));
        }
    }
    if let Some(kind) = kind(o, "signal")? {
        if let Err(e) = args::abort_signal(&kind) {
            return Ok(Err(e));
        }
    }
    let timeout = field(o, "timeoutMs")?;
    let max_response_bytes = field(o, "maxResponseBytes")?;
    let retry = field(o, "retry")?;
    let headers_kind = kind(o, "headers")?.unwrap_or(Kind::Undefined);
    let headers = o.get::<Vec<String>>("headers")?;
    let query_kind = kind(o, "query")?.unwrap_or(Kind::Undefined);
    let query_text = o.get::<String>("queryText")?;
    let response_type = field(o, "responseType")?;
    let body = body_given(o, "body")?;
    let form = body_given(o, "form")?;
    Ok((|| {
        params.headers = args::headers(&headers_kind, headers)?;
        params.timeout_ms = args::optional_number("timeoutMs", timeout, TIMEOUT)?;
        params.retry = args::retry_setting(retry)?;
        params.max_response_bytes =
            args::optional_number("maxResponseBytes", max_response_bytes, BYTE_COUNT)?;
        params.query = args::query(&query_kind, query_text)?;
        params.response_type = args::response_type(response_type)?;
        params.body = match body {
            Some(body) => args::body(body, &mut params.headers)?,
            None => args::form(form)?,
        };
        Ok(())
    })())
}

/// A `body` or `formData` as `lib/args.js` handed it over (`{name}Kind`, `{name}Text`,
/// `{name}Bytes`, `{name}Upload`, `{name}ContentType`); `None` without a kind (absent).
fn body_given(o: &Object<'_>, name: &str) -> napi::Result<Option<BodyGiven>> {
    let Some(kind) = kind(o, name)? else {
        return Ok(None);
    };
    Ok(Some(BodyGiven {
        kind,
        text: o.get::<String>(&format!("{name}Text"))?,
        // No copy: the request holds the JS Buffer itself (README: do not change a Buffer body
        // before its call settles).
        bytes: o
            .get::<Buffer>(&format!("{name}Bytes"))?
            .map(Bytes::from_owner),
        upload: o
            .get::<u32>(&format!("{name}Upload"))?
            .and_then(take_upload),
        content_type: o.get::<String>(&format!("{name}ContentType"))?,
    }))
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(
        env_url: Option<Unknown>,
        client_id: Option<Unknown>,
        client_secret: Option<Unknown>,
        options: Option<Unknown>,
        runtime: String,
    ) -> napi::Result<Self> {
        let env_url = credential("envUrl", env_url)?;
        let client_id = credential("clientId", client_id)?;
        let client_secret = credential("clientSecret", client_secret)?;
        let options = client_options(options, runtime)?;
        let config =
            ClientConfig::new(&env_url, &client_id, &client_secret, options).map_err(to_napi)?;
        Self::with_config(config)
    }

    /// Reads `SCALEKIT_*` from the environment, each falling back to `<cwd>/.env`.
    #[napi(factory)]
    pub fn from_env(cwd: String, options: Option<Unknown>, runtime: String) -> napi::Result<Self> {
        let options = client_options(options, runtime)?;
        let config =
            ClientConfig::from_env(std::path::Path::new(&cwd), options).map_err(to_napi)?;
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

    /// Sets the function completions wake, called with `client_id` (it then calls
    /// `takeCompletions`); `lib/calls.js` passes one module-level function for every client.
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
        *write(&self.completions.wake) = Some(wake);
        Ok(())
    }

    /// Whether calls are in flight: while they are, the wake-up function keeps Node alive.
    #[napi]
    pub fn set_active(&self, env: Env, active: bool) -> napi::Result<()> {
        if let Some(wake) = write(&self.completions.wake).as_mut() {
            #[allow(deprecated)] // the replacement (clone/drop) cannot un-reference a weak function
            if active {
                wake.refer(&env)?;
            } else {
                wake.unref(&env)?;
            }
        }
        Ok(())
    }

    /// The records of the calls finished since the last wake-up: `id \n head` strings, each
    /// followed by `\0 body` or by its body as the next element (`completions.rs`).
    #[napi(ts_return_type = "Array<string | Buffer | NativeBodyStream>")]
    pub fn take_completions<'env>(&self, env: &'env Env) -> napi::Result<Array<'env>> {
        self.completions.take(env)
    }

    /// `actions.request`. A plain call crosses as four values; `options` (from `lib/args.js`)
    /// only when the call has more. Bad arguments complete the call with their failure, and
    /// nothing is sent.
    #[napi]
    pub fn request(
        &self,
        id: u32,
        connection_name: Option<Unknown>,
        identifier: Option<Unknown>,
        path: Option<Unknown>,
        method: Option<Unknown>,
        options: Option<Object>,
    ) -> napi::Result<()> {
        // Taken first, so that its registry entry is released even when the parameters are bad.
        let (cancel_id, trace) = match &options {
            Some(o) => (o.get::<u32>("cancelId")?, traced(o)?),
            None => (None, None),
        };
        let call = CallSignal::take(cancel_id);
        let mut params = ProxyParams::default();
        let checked = match &options {
            Some(o) => proxy_options(&mut params, o)?,
            None => Ok(()),
        };
        let strings = (
            string(connection_name)?,
            string(identifier)?,
            string(path)?,
            string(method)?,
        );
        let checked = checked.and_then(|()| {
            params.connection_name = args::optional_string("connectionName", strings.0)?;
            params.identifier = args::optional_string("identifier", strings.1)?;
            params.path = args::optional_string("path", strings.2)?;
            params.method = args::optional_string("method", strings.3)?;
            Ok(())
        });
        if let Err(e) = checked {
            self.complete(id, trace.as_deref(), outcome::of_failure(&e));
            return Ok(());
        }
        let client = self.inner.clone();
        let response_type = params.response_type;
        self.run(id, call, trace, async move {
            outcome::of_response(client.request(params).await, response_type)
        });
        Ok(())
    }

    /// A control-plane method by its JS name: a connected-account method of `actions` (or
    /// `executeTool`, `listConnections`, the `tools` listings), or `mcp.<name>` of `actions.mcp`.
    /// `call` holds `paramsJson`, or `paramsKind` when params is not an object, and
    /// `signalKind` / `cancelId`; `paramsNonFinite` names the params that were NaN or ±Infinity
    /// (sent as their text), `paramsUnsent` the first value JSON cannot carry, as `[path, kind]`.
    #[napi]
    pub fn accounts(&self, id: u32, method: String, call: Object) -> napi::Result<()> {
        let signal = CallSignal::take(call.get::<u32>("cancelId")?);
        let trace = traced(&call)?;
        let params_kind = kind(&call, "params")?;
        let signal_kind = kind(&call, "signal")?;
        let json = call.get::<String>("paramsJson")?;
        let non_finite = call.get::<Vec<String>>("paramsNonFinite")?;
        let unsent = call.get::<Vec<String>>("paramsUnsent")?;
        let prepared = (|| {
            let operation = Operation::from_method(&method).ok_or_else(|| {
                ScalekitError::validation("method", format!("unknown actions method {method:?}"))
            })?;
            if let Some(kind) = signal_kind {
                args::abort_signal(&kind)?;
            }
            let params = match (params_kind, json) {
                (Some(Kind::Undefined | Kind::Null), _) if operation.params_optional() => {
                    Params::from_json("{}")?
                }
                (Some(kind), _) => {
                    args::object("params", &kind)?;
                    return Err(ScalekitError::validation(
                        "params",
                        "params must be an object",
                    ));
                }
                (None, json) => {
                    if let Some([path, kind, ..]) = unsent.as_deref() {
                        return Err(args::unsendable(path.clone(), kind));
                    }
                    Params::from_json(json.as_deref().unwrap_or("{}"))?
                        .with_non_finite(non_finite.unwrap_or_default())
                }
            };
            Ok((operation, params))
        })();
        let (operation, params) = match prepared {
            Ok(prepared) => prepared,
            Err(e) => {
                self.complete(id, trace.as_deref(), outcome::of_failure(&e));
                return Ok(());
            }
        };
        let client = self.inner.clone();
        self.run(id, signal, trace, async move {
            outcome::of_value(client.call(operation, &params).await)
        });
        Ok(())
    }

    /// Queues the record of call `id`, with its trace line first when the call is traced.
    fn complete(&self, id: u32, trace: Option<&CallTrace>, record: (String, Body)) {
        self.completions
            .push(id, outcome::with_trace(trace, record));
    }

    /// Runs one call on the runtime; its record goes to the completion queue whatever happens.
    fn run(
        &self,
        id: u32,
        call: CallSignal,
        trace: Option<Arc<CallTrace>>,
        work: impl Future<Output = (String, Body)> + Send + 'static,
    ) {
        let completions = Arc::clone(&self.completions);
        // Boxed once here: the layers below and the task then move a pointer, not the call's
        // state (a KB and more, copied at each layer: a tenth of a call's copying).
        let work = work.boxed();
        napi::bindgen_prelude::spawn(async move {
            let work = work.map(Ok::<_, ScalekitError>);
            // Only a traced call runs in a trace scope: the others count nothing.
            let work = match &trace {
                Some(t) => trace::traced(Arc::clone(t), work).left_future(),
                None => work.right_future(),
            };
            let work = abortable(call.signal(), work);
            // A panic must still settle the call: its promise, and the process, would wait forever.
            let record = match AssertUnwindSafe(work).catch_unwind().await {
                Ok(Ok(record)) => record,
                Ok(Err(aborted)) => outcome::of_failure(&aborted),
                Err(_) => outcome::of_failure(&ScalekitError::Protocol {
                    message: "internal error: the call's task panicked".into(),
                }),
            };
            drop(call);
            completions.push(id, outcome::with_trace(trace.as_deref(), record));
        });
    }
}

/// A public method got more arguments than it takes: always fails, with the rule's message
/// (`scalekit_core::args::extra_argument`); `lib/args.js` turns it into the call's rejection.
// Only JS calls it, so test builds (where napi registers nothing) see it as unused.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn extra_argument(method: String, index: u32, kind: String) -> napi::Result<()> {
    Err(to_napi(args::extra_argument(
        &method,
        index,
        &Kind::parse(&kind, None),
    )))
}

/// Whether `for await` over `method`'s listing, its last `empty_in_a_row` pages without an item,
/// may fetch another (`scalekit_core::accounts::next_empty_page_allowed`): `lib/pages.js` turns
/// the failure into the loop's.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn next_empty_page_allowed(method: String, empty_in_a_row: u32) -> napi::Result<()> {
    scalekit_core::accounts::next_empty_page_allowed(&method, empty_in_a_row as usize)
        .map_err(to_napi)
}

/// `subscribeTracing(handlers)`'s argument rule (`scalekit_core::trace::check_handlers`): `kind` is the
/// argument's kind, `keys` its own keys and `kinds` their values' kinds.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn check_tracing_handlers(
    kind: String,
    keys: Vec<String>,
    kinds: Vec<String>,
) -> napi::Result<()> {
    let entries: Vec<(String, Kind)> = keys
        .into_iter()
        .zip(kinds.iter().map(|k| Kind::parse(k, None)))
        .collect();
    trace::check_handlers(&Kind::parse(&kind, None), &entries).map_err(to_napi)
}

/// A tool modifier's rule (`scalekit_core::args::modifier`), from the kinds `lib/modifiers.js`
/// reports: `toolNames`' kind (and its items' kinds when an array), `type` when a string, and the
/// function's kind.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn check_modifier(
    method: String,
    names_kind: String,
    name_kinds: Option<Vec<String>>,
    type_text: Option<String>,
    type_kind: String,
    fn_kind: String,
) -> napi::Result<()> {
    let names: Option<Vec<Kind>> =
        name_kinds.map(|kinds| kinds.iter().map(|k| Kind::parse(k, None)).collect());
    args::modifier(
        &method,
        &Kind::parse(&names_kind, None),
        names.as_deref(),
        type_text.as_deref(),
        &Kind::parse(&type_kind, None),
        &Kind::parse(&fn_kind, None),
    )
    .map_err(to_napi)
}

/// `getModifiers(toolName, type)`'s rule (`scalekit_core::args::modifier_filter`), from the
/// kinds `lib/modifiers.js` reports.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn check_modifier_filter(
    method: String,
    name_kind: String,
    type_text: Option<String>,
    type_kind: String,
) -> napi::Result<()> {
    args::modifier_filter(
        &method,
        &Kind::parse(&name_kind, None),
        type_text.as_deref(),
        &Kind::parse(&type_kind, None),
    )
    .map_err(to_napi)
}

/// The trace of a call JS traces (`traced: true` in its options), else `None`.
fn traced(options: &Object<'_>) -> napi::Result<Option<Arc<CallTrace>>> {
    Ok(options
        .get::<bool>("traced")?
        .filter(|t| *t)
        .map(|_| Arc::default()))
}

/// A call's HTTP method and REST path, for tracing (`lib/tracing.js`): the operation's route
/// (ids as `{placeholders}`), or `undefined` for an unknown method name. When `whenGiven` names a
/// param the call has, its path is `thenPath` instead (`actions.mcp.createSessionToken` by
/// `connectionName`).
#[napi(object)]
#[cfg_attr(test, allow(dead_code))] // reached from JS only
pub struct CallRoute {
    pub method: String,
    pub path: String,
    pub when_given: Option<String>,
    pub then_path: Option<String>,
}

#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn describe_call(method: String) -> Option<CallRoute> {
    Some(match Operation::from_method(&method)? {
        Operation::Accounts(op) => {
            let (method, path) = trace::route(op);
            CallRoute {
                method: method.into(),
                path: path.into(),
                when_given: None,
                then_path: None,
            }
        }
        Operation::Providers(op) => {
            let (method, path) = op.route();
            CallRoute {
                method: method.into(),
                path: path.into(),
                when_given: None,
                then_path: None,
            }
        }
        Operation::View(view) => {
            let (method, path) = trace::route(view.target());
            CallRoute {
                method: method.into(),
                path: path.into(),
                when_given: None,
                then_path: None,
            }
        }
        Operation::Mcp(op) => {
            let route = op.route();
            CallRoute {
                method: route.method.into(),
                path: route.path.into(),
                when_given: route.alternate.map(|(param, _)| param.into()),
                then_path: route.alternate.map(|(_, path)| path.into()),
            }
        }
    })
}
