//! Argument rules and their messages, for every value a caller hands the JS API.
//!
//! The JS layer checks nothing itself: it passes strings and numbers through and, for values
//! only JavaScript can classify (a URLSearchParams, a Blob, a stream…), reports their [`Kind`].
//! Every rule and every message lives here, in the official SDK's wording where it has one
//! (docs/architecture.md, "Argument rules").

use bytes::Bytes;

use crate::config::js_number;
use crate::config::{bad_retry_budget, RetryBudgetOption, Secret};
use crate::errors::ScalekitError;
use crate::network::{CaOption, ProxyOption};
use crate::proxy::{ResponseType, RetrySetting};

mod body;
pub use body::{body, form, headers, query, BodyGiven};

/// A JS value as an argument rule sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// `undefined` or `null`.
    Absent,
    Text(String),
    Number(f64),
    Bool(bool),
    /// Anything else: its `typeof` and its `String(value)`.
    Other {
        type_of: &'static str,
        text: String,
    },
}

impl Given {
    /// What `typeof value` says (`null` is absent, so never `"object"` for it here).
    pub fn type_of(&self) -> &'static str {
        match self {
            Given::Absent => "undefined",
            Given::Text(_) => "string",
            Given::Number(_) => "number",
            Given::Bool(_) => "boolean",
            Given::Other { type_of, .. } => type_of,
        }
    }

    /// What `String(value)` says.
    pub fn text(&self) -> String {
        match self {
            Given::Absent => "undefined".into(),
            Given::Text(s) => s.clone(),
            Given::Number(n) => js_number(*n),
            Given::Bool(b) => b.to_string(),
            Given::Other { text, .. } => text.clone(),
        }
    }
}

/// Phrases of the number rules.
pub const TIMEOUT: &str = "a positive finite number of milliseconds";
pub const RETRY_COUNT: &str = "a whole number from 0 to 10";
pub const BYTE_COUNT: &str = "a whole number of bytes from 1";

/// An optional argument: `None` when absent, the value `take` accepts, or else
/// `{name} must be {what}` where `what(refused)` says what it must be and what it got.
fn optional<T>(
    name: &'static str,
    given: Given,
    take: impl FnOnce(Given) -> Result<T, Given>,
    what: impl FnOnce(Given) -> String,
) -> Result<Option<T>, ScalekitError> {
    if given == Given::Absent {
        return Ok(None);
    }
    take(given)
        .map(Some)
        .map_err(|other| ScalekitError::validation(name, format!("{name} must be {}", what(other))))
}

/// An optional string argument: `{name} must be a string, got {typeof}`.
pub fn optional_string(name: &'static str, given: Given) -> Result<Option<String>, ScalekitError> {
    let take = |g| match g {
        Given::Text(s) => Ok(s),
        other => Err(other),
    };
    optional(name, given, take, |other| {
        format!("a string, got {}", other.type_of())
    })
}

/// An optional number argument; its range is checked where it is used, in the same words.
pub fn optional_number(
    name: &'static str,
    given: Given,
    expected: &str,
) -> Result<Option<f64>, ScalekitError> {
    let take = |g| match g {
        Given::Number(n) => Ok(n),
        other => Err(other),
    };
    optional(name, given, take, |other| {
        format!("{expected}, got {}", other.text())
    })
}

/// `retry`: `true` or absent is the client's policy, `false` none, `n` up to n retries.
pub fn retry_setting(given: Given) -> Result<RetrySetting, ScalekitError> {
    match given {
        Given::Absent | Given::Bool(true) => Ok(RetrySetting::Default),
        Given::Bool(false) => Ok(RetrySetting::Off),
        Given::Number(n) if n.fract() == 0.0 && (0.0..=10.0).contains(&n) => Ok(match n as u32 {
            0 => RetrySetting::Off,
            n => RetrySetting::Count(n),
        }),
        other => Err(ScalekitError::validation(
            "retry",
            format!(
                "retry must be a boolean or {RETRY_COUNT}, got {}",
                other.text()
            ),
        )),
    }
}

/// `retryBudget`: absent or `true` for the default budget, `false` for none, or a number of
/// tokens (its range is checked with the other client options).
pub fn retry_budget(given: Given) -> Result<RetryBudgetOption, ScalekitError> {
    match given {
        Given::Absent | Given::Bool(true) => Ok(RetryBudgetOption::Default),
        Given::Bool(false) => Ok(RetryBudgetOption::Unlimited),
        Given::Number(n) => Ok(RetryBudgetOption::Tokens(n)),
        other => Err(bad_retry_budget(&other.text())),
    }
}

/// One value of the `ca` option as napi sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum PemGiven {
    Text(String),
    /// A Buffer.
    Bytes(Bytes),
    Other(Given),
}

/// The `ca` option: one value, or an array of them.
#[derive(Debug, Clone, PartialEq)]
pub enum CaGiven {
    One(PemGiven),
    Many(Vec<PemGiven>),
}

/// `ca`: a PEM string or Buffer, or an array of them, as `https.Agent` takes it. The PEM itself is
/// checked by the configuration.
pub fn ca(given: CaGiven) -> Result<Option<CaOption>, ScalekitError> {
    let pem = |item: PemGiven, name: &dyn Fn() -> String, expected: &str| match item {
        PemGiven::Text(text) => Ok(Bytes::from(text)),
        PemGiven::Bytes(bytes) => Ok(bytes),
        PemGiven::Other(other) => Err(ScalekitError::validation(
            "ca",
            format!("{} must be {expected}, got {}", name(), other.type_of()),
        )),
    };
    match given {
        CaGiven::One(PemGiven::Other(Given::Absent)) => Ok(None),
        CaGiven::One(item) => Ok(Some(CaOption {
            items: vec![pem(
                item,
                &|| "ca".to_string(),
                "a PEM string, a Buffer or an array of them",
            )?],
            array: false,
        })),
        CaGiven::Many(items) => Ok(Some(CaOption {
            items: items
                .into_iter()
                .enumerate()
                .map(|(i, item)| pem(item, &|| format!("ca[{i}]"), "a PEM string or a Buffer"))
                .collect::<Result<_, _>>()?,
            array: true,
        })),
    }
}

/// `proxy`: a URL string, `false` for none, or absent for the environment's. The URL itself is
/// checked by the configuration.
pub fn proxy(given: Given) -> Result<ProxyOption, ScalekitError> {
    match given {
        Given::Absent => Ok(ProxyOption::Environment),
        Given::Bool(false) => Ok(ProxyOption::Off),
        Given::Text(url) => Ok(ProxyOption::Url(Secret::new(url))),
        // Its text is not shown: a URL-like object may hold credentials.
        other => Err(ScalekitError::validation(
            "proxy",
            format!(
                "proxy must be a URL string or false, got {}",
                match other {
                    Given::Bool(true) => "true",
                    ref o => o.type_of(),
                }
            ),
        )),
    }
}

/// What JavaScript says an object-like argument is (`lib/args.js` `kindOf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A falsy value where axios sends nothing (`body`, `formData`).
    Empty,
    Undefined,
    Null,
    String,
    Number,
    Boolean,
    BigInt,
    Symbol,
    Function,
    Object,
    Array,
    /// A Buffer, a typed array, a DataView or an ArrayBuffer.
    Bytes,
    UrlSearchParams,
    FormData,
    Blob,
    Map,
    Set,
    /// A Node Readable or a WHATWG ReadableStream.
    Stream,
    AbortSignal,
    Date,
    /// `JSON.stringify` threw (a BigInt, a cycle…): its message.
    Unserialisable(String),
}

impl Kind {
    /// Reads the name `lib/args.js` sends; `error` is the JSON.stringify message, if any.
    pub fn parse(name: &str, error: Option<String>) -> Kind {
        if let Some(message) = error {
            return Kind::Unserialisable(message);
        }
        match name {
            "empty" => Kind::Empty,
            "undefined" => Kind::Undefined,
            "null" => Kind::Null,
            "string" => Kind::String,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "bigint" => Kind::BigInt,
            "symbol" => Kind::Symbol,
            "function" => Kind::Function,
            "array" => Kind::Array,
            "bytes" => Kind::Bytes,
            "urlsearchparams" => Kind::UrlSearchParams,
            "formdata" => Kind::FormData,
            "blob" => Kind::Blob,
            "map" => Kind::Map,
            "set" => Kind::Set,
            "stream" => Kind::Stream,
            "abortsignal" => Kind::AbortSignal,
            "date" => Kind::Date,
            _ => Kind::Object,
        }
    }

    pub(crate) fn type_of(&self) -> &'static str {
        match self {
            Kind::Undefined => "undefined",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::BigInt => "bigint",
            Kind::Symbol => "symbol",
            Kind::Function => "function",
            _ => "object",
        }
    }

    /// Objects JSON would silently turn into `{}`, or that need multipart or streaming.
    fn unsupported(&self) -> Option<&'static str> {
        Some(match self {
            Kind::FormData => "multipart FormData",
            Kind::Blob => "a Blob",
            Kind::Map => "a Map",
            Kind::Set => "a Set",
            Kind::Stream => "a stream",
            _ => return None,
        })
    }
}

/// `responseType`, axios's names.
pub fn response_type(given: Given) -> Result<ResponseType, ScalekitError> {
    match &given {
        Given::Absent => Ok(ResponseType::Auto),
        Given::Text(name) => match name.as_str() {
            "stream" => Ok(ResponseType::Stream),
            "arraybuffer" => Ok(ResponseType::Bytes),
            "text" => Ok(ResponseType::Text),
            "json" => Ok(ResponseType::Json),
            _ => Err(bad_response_type(&given)),
        },
        _ => Err(bad_response_type(&given)),
    }
}

fn bad_response_type(given: &Given) -> ScalekitError {
    ScalekitError::validation(
        "responseType",
        format!(
            "responseType must be 'stream', 'arraybuffer', 'text' or 'json', got {}",
            given.text()
        ),
    )
}

/// The params `actions.request` takes (README, "client.actions.request"); `lib/args.js` hands
/// over the other names given, and the call is refused by the first (nothing is sent): a
/// misspelt or misplaced option would otherwise be dropped without a word.
pub const REQUEST_PARAMS: [&str; 13] = [
    "connectionName",
    "identifier",
    "path",
    "method",
    "queryParams",
    "body",
    "formData",
    "headers",
    "timeoutMs",
    "retry",
    "maxResponseBytes",
    "responseType",
    "signal",
];

pub fn request_keys(others: &[String]) -> Result<(), ScalekitError> {
    let Some(key) = others
        .iter()
        .find(|k| !REQUEST_PARAMS.contains(&k.as_str()))
    else {
        return Ok(());
    };
    let hint = match key.as_str() {
        "data" => " (axios's `data` is `body` here)".to_string(),
        "params" | "query" => format!(" (axios's `{key}` is `queryParams` here)"),
        "url" => " (the URL is `path`, relative to the connection)".to_string(),
        _ => String::new(),
    };
    Err(ScalekitError::validation(
        "params",
        format!(
            "actions.request does not take {key:?}{hint}: it takes {}",
            REQUEST_PARAMS.join(", ")
        ),
    ))
}

/// The options of the client constructor and `fromEnv` (README, "new ScalekitClient").
pub const CLIENT_OPTIONS: [&str; 7] = [
    "timeoutMs",
    "toolTimeoutMs",
    "maxRetries",
    "maxResponseBytes",
    "ca",
    "proxy",
    "retryBudget",
];

/// A name the client options do not hold is refused, as the request params are.
pub fn client_option_keys(keys: &[String]) -> Result<(), ScalekitError> {
    let Some(key) = keys.iter().find(|k| !CLIENT_OPTIONS.contains(&k.as_str())) else {
        return Ok(());
    };
    let hint = match key.as_str() {
        "timeout" => " (it is `timeoutMs`, in milliseconds)",
        "retries" | "maxRetry" => " (it is `maxRetries`)",
        "httpsAgent" | "agent" | "httpAgent" => " (use `ca` and `proxy`)",
        _ => "",
    };
    Err(ScalekitError::validation(
        "options",
        format!(
            "{key:?} is not a client option{hint}: the options are {}",
            CLIENT_OPTIONS.join(", ")
        ),
    ))
}

/// A tool modifier (`actions.preModifier(toolNames, fn)`, `postModifier`, `addModifier`,
/// docs/wire-protocol.md §15): `toolNames` a tool name or a non-empty array of them, `type`
/// `'pre'` or `'post'`, `fn` a function. `type_text` is `type` when it is a string.
pub fn modifier(
    method: &str,
    tool_names: &Kind,
    name_kinds: Option<&[Kind]>,
    type_text: Option<&str>,
    type_kind: &Kind,
    func: &Kind,
) -> Result<(), ScalekitError> {
    let names_ok = match (tool_names, name_kinds) {
        (Kind::String, _) => true,
        (Kind::Array, Some(kinds)) => !kinds.is_empty() && kinds.iter().all(|k| *k == Kind::String),
        _ => false,
    };
    if !names_ok {
        return Err(ScalekitError::validation(
            "toolNames",
            format!(
                "{method}: toolNames must be a tool name or a non-empty array of tool names, got {}",
                describe(tool_names)
            ),
        ));
    }
    if !matches!(type_text, Some("pre" | "post")) {
        let got = type_text.map_or_else(|| describe(type_kind), |t| format!("{t:?}"));
        return Err(ScalekitError::validation(
            "type",
            format!("{method}: type must be 'pre' or 'post', got {got}"),
        ));
    }
    if *func != Kind::Function {
        return Err(ScalekitError::validation(
            "fn",
            format!(
                "{method}: the modifier must be a function, got {}",
                describe(func)
            ),
        ));
    }
    Ok(())
}

/// A kind in words, for messages: `a string`, `an array`, `undefined`.
fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Undefined | Kind::Empty => "undefined".into(),
        Kind::Null => "null".into(),
        Kind::Array => "an array".into(),
        Kind::AbortSignal => "an AbortSignal".into(),
        other => match other.type_of() {
            t @ ("object" | "undefined") => format!("an {t}"),
            t => format!("a {t}"),
        },
    }
}

/// The items `getModifiers(toolName, type)` filters by: `toolName` a tool name and `type` `'pre'`
/// or `'post'`, each optional. `type_text` is `type` when it is a string.
pub fn modifier_filter(
    method: &str,
    tool_name: &Kind,
    type_text: Option<&str>,
    type_kind: &Kind,
) -> Result<(), ScalekitError> {
    if !matches!(tool_name, Kind::String | Kind::Undefined | Kind::Null) {
        return Err(ScalekitError::validation(
            "toolName",
            format!(
                "{method}: toolName must be a tool name, got {}",
                describe(tool_name)
            ),
        ));
    }
    let absent = matches!(type_kind, Kind::Undefined | Kind::Null);
    if !absent && !matches!(type_text, Some("pre" | "post")) {
        let got = type_text.map_or_else(|| describe(type_kind), |t| format!("{t:?}"));
        return Err(ScalekitError::validation(
            "type",
            format!("{method}: type must be 'pre' or 'post', got {got}"),
        ));
    }
    Ok(())
}

/// A string argument that must be given: `{name} must be a string, got {typeof}`.
pub fn required_string(name: &'static str, given: Given) -> Result<String, ScalekitError> {
    match given {
        Given::Text(s) => Ok(s),
        other => Err(ScalekitError::validation(
            name,
            format!("{name} must be a string, got {}", other.type_of()),
        )),
    }
}

/// A value JSON cannot carry, at `path` in an argument (`lib/args.js` reports the first, with
/// its kind): a symbol or a function, which JSON would leave out, or NaN / ±Infinity (`kind` is
/// its text), which JSON would send as null. Refused rather than sent as something else.
pub fn unsendable(path: String, kind: &str) -> ScalekitError {
    let (what, instead) = match kind {
        "symbol" => ("a symbol", "left out"),
        "function" => ("a function", "left out"),
        number => (number, "sent as null"),
    };
    let message = format!("{path} cannot be {what}: JSON cannot carry it (it would be {instead})");
    ScalekitError::validation(path, message)
}

/// An options object that must be a plain object: an array is refused too.
pub fn plain_object(name: &'static str, kind: &Kind) -> Result<(), ScalekitError> {
    if *kind == Kind::Array {
        return Err(ScalekitError::validation(
            name,
            format!("{name} must be an object, got an array"),
        ));
    }
    object(name, kind)
}

/// `params`, `options` and the like: `{name} must be an object`.
pub fn object(name: &'static str, kind: &Kind) -> Result<(), ScalekitError> {
    match kind {
        Kind::Unserialisable(message) => Err(unserialisable(name, message)),
        other if other.type_of() == "object" && *other != Kind::Null && *other != Kind::Empty => {
            Ok(())
        }
        _ => Err(ScalekitError::validation(
            name,
            format!("{name} must be an object"),
        )),
    }
}

/// `signal`, reported only when it is not an AbortSignal.
pub fn abort_signal(kind: &Kind) -> Result<(), ScalekitError> {
    match kind {
        Kind::AbortSignal | Kind::Undefined | Kind::Null => Ok(()),
        _ => Err(ScalekitError::validation(
            "signal",
            "signal must be an AbortSignal",
        )),
    }
}

/// A method got an argument after the ones it takes (`index` counts from 0): refused rather than
/// ignored, since every option, `signal` included, goes in the params object each method takes
/// (docs/architecture.md, "Argument rules").
pub fn extra_argument(method: &str, index: u32, kind: &Kind) -> ScalekitError {
    let (argument, ordinal) = match index {
        0 => ("arguments[0]", "first"),
        1 => ("arguments[1]", "second"),
        2 => ("arguments[2]", "third"),
        3 => ("arguments[3]", "fourth"),
        4 => ("arguments[4]", "fifth"),
        _ => ("arguments", "further"),
    };
    let given = match kind {
        Kind::AbortSignal => "an AbortSignal",
        other => other.type_of(),
    };
    // The tool-modifier methods take no params object, and no options.
    let synchronous = ["Modifier", "Modifiers", "new ToolModifier"];
    if synchronous.iter().any(|name| method.ends_with(name)) {
        return ScalekitError::validation(
            argument,
            format!("{method} takes no {ordinal} argument, got {given}"),
        );
    }
    ScalekitError::validation(
        argument,
        format!(
            "{method} takes no {ordinal} argument, got {given}: options such as signal go in \
             the params object it takes, e.g. {{ ...params, signal }}"
        ),
    )
}

fn unserialisable(name: &'static str, message: &str) -> ScalekitError {
    ScalekitError::validation(name, format!("{name} cannot be serialised: {message}"))
}

fn unsupported(name: &'static str, what: &str) -> ScalekitError {
    ScalekitError::validation(
        name,
        format!("{name} cannot be {what}; pass a plain object, an array, a string or a Buffer"),
    )
}

/// Why a body of this kind cannot be sent: not serialisable, a kind that needs another encoding,
/// or not a body at all.
fn refused(name: &'static str, kind: &Kind, expected: &str) -> ScalekitError {
    if let Kind::Unserialisable(message) = kind {
        return unserialisable(name, message);
    }
    match kind.unsupported() {
        Some(what) => unsupported(name, what),
        None => ScalekitError::validation(
            name,
            format!("{name} must be {expected}, got {}", kind.type_of()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: ScalekitError) -> String {
        e.to_string()
    }

    #[test]
    fn ca_and_proxy_options() {
        let text = |s: &str| PemGiven::Text(s.to_string());
        assert_eq!(
            ca(CaGiven::One(PemGiven::Other(Given::Absent))).unwrap(),
            None
        );
        let one = ca(CaGiven::One(text("pem"))).unwrap().unwrap();
        assert_eq!((one.items.len(), one.array), (1, false));
        let many = ca(CaGiven::Many(vec![
            text("a"),
            PemGiven::Bytes(Bytes::from_static(b"b")),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((many.items.len(), many.array), (2, true));
        assert_eq!(
            message(ca(CaGiven::One(PemGiven::Other(Given::Number(1.0)))).unwrap_err()),
            "ca must be a PEM string, a Buffer or an array of them, got number"
        );
        assert_eq!(
            message(
                ca(CaGiven::Many(vec![
                    text("a"),
                    PemGiven::Other(Given::Absent)
                ]))
                .unwrap_err()
            ),
            "ca[1] must be a PEM string or a Buffer, got undefined"
        );
        assert_eq!(proxy(Given::Absent).unwrap(), ProxyOption::Environment);
        assert_eq!(proxy(Given::Bool(false)).unwrap(), ProxyOption::Off);
        assert_eq!(
            message(proxy(Given::Bool(true)).unwrap_err()),
            "proxy must be a URL string or false, got true"
        );
        let url_object = Given::Other {
            type_of: "object",
            text: "http://u:hunter2@h/".into(),
        };
        assert_eq!(
            message(proxy(url_object).unwrap_err()),
            "proxy must be a URL string or false, got object"
        );
    }

    #[test]
    fn strings_numbers_and_retry_in_the_sdk_wording() {
        assert_eq!(
            message(optional_string("path", Given::Number(1.0)).unwrap_err()),
            "path must be a string, got number"
        );
        assert_eq!(optional_string("path", Given::Absent).unwrap(), None);
        assert_eq!(
            message(optional_number("timeoutMs", Given::Text("5".into()), TIMEOUT).unwrap_err()),
            "timeoutMs must be a positive finite number of milliseconds, got 5"
        );
        assert_eq!(
            retry_setting(Given::Bool(false)).unwrap(),
            RetrySetting::Off
        );
        assert_eq!(
            retry_setting(Given::Number(3.0)).unwrap(),
            RetrySetting::Count(3)
        );
        assert_eq!(
            retry_setting(Given::Number(0.0)).unwrap(),
            RetrySetting::Off
        );
        assert_eq!(
            message(retry_setting(Given::Number(11.0)).unwrap_err()),
            "retry must be a boolean or a whole number from 0 to 10, got 11"
        );
    }

    #[test]
    fn unknown_request_params_and_client_options_are_refused_by_name() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(request_keys(&keys(&["path", "signal"])).is_ok());
        let e = message(request_keys(&keys(&["data"])).unwrap_err());
        assert!(e.contains("\"data\"") && e.contains("`body` here"), "{e}");
        let e = message(request_keys(&keys(&["params"])).unwrap_err());
        assert!(e.contains("`queryParams` here"), "{e}");
        assert!(client_option_keys(&keys(&["timeoutMs", "ca"])).is_ok());
        let e = message(client_option_keys(&keys(&["timeout"])).unwrap_err());
        assert!(
            e.contains("\"timeout\" is not a client option (it is `timeoutMs`"),
            "{e}"
        );
    }

    #[test]
    fn a_modifier_needs_tool_names_a_type_and_a_function() {
        let m = |names: Kind, kinds: Option<Vec<Kind>>, t: Option<&str>, f: Kind| {
            modifier(
                "actions.preModifier",
                &names,
                kinds.as_deref(),
                t,
                &Kind::String,
                &f,
            )
        };
        assert!(m(Kind::String, None, Some("pre"), Kind::Function).is_ok());
        assert!(m(
            Kind::Array,
            Some(vec![Kind::String]),
            Some("post"),
            Kind::Function
        )
        .is_ok());
        let e = message(m(Kind::Array, Some(vec![]), Some("pre"), Kind::Function).unwrap_err());
        assert!(e.contains("non-empty array of tool names"), "{e}");
        let e = message(m(Kind::String, None, Some("around"), Kind::Function).unwrap_err());
        assert!(
            e.contains("type must be 'pre' or 'post', got \"around\""),
            "{e}"
        );
        let e = message(m(Kind::String, None, Some("pre"), Kind::Object).unwrap_err());
        assert!(e.contains("must be a function, got an object"), "{e}");
    }

    #[test]
    fn values_json_cannot_carry_are_refused_by_their_path() {
        let e = unsendable("filter.userIdentifier".into(), "symbol");
        assert!(
            matches!(e, ScalekitError::Validation { ref argument, .. } if argument == "filter.userIdentifier")
        );
        assert_eq!(
            message(e),
            "filter.userIdentifier cannot be a symbol: JSON cannot carry it (it would be left out)"
        );
        assert_eq!(
            message(unsendable("toolInput.n".into(), "NaN")),
            "toolInput.n cannot be NaN: JSON cannot carry it (it would be sent as null)"
        );
        assert!(message(unsendable("identifier".into(), "function")).contains("a function"));
    }

    #[test]
    fn modifier_filters_status_strings_and_plain_objects() {
        let f = |name: Kind, t: Option<&str>, kind: Kind| {
            modifier_filter("actions.getModifiers", &name, t, &kind).map_err(message)
        };
        assert!(f(Kind::Undefined, None, Kind::Undefined).is_ok());
        assert!(f(Kind::String, Some("post"), Kind::String).is_ok());
        assert_eq!(
            f(Kind::Number, None, Kind::Undefined).unwrap_err(),
            "actions.getModifiers: toolName must be a tool name, got a number"
        );
        assert_eq!(
            f(Kind::String, None, Kind::Number).unwrap_err(),
            "actions.getModifiers: type must be 'pre' or 'post', got a number"
        );
        assert_eq!(
            message(required_string("status", Given::Absent).unwrap_err()),
            "status must be a string, got undefined"
        );
        assert_eq!(
            required_string("status", Given::Text("ACTIVE".into())).unwrap(),
            "ACTIVE"
        );
        assert_eq!(
            message(plain_object("options", &Kind::Array).unwrap_err()),
            "options must be an object, got an array"
        );
        assert!(plain_object("options", &Kind::Object).is_ok());
    }

    #[test]
    fn an_extra_argument_is_named_and_refused() {
        let e = extra_argument("actions.listConnections", 1, &Kind::AbortSignal);
        assert!(matches!(
            e,
            ScalekitError::Validation { ref argument, .. } if argument == "arguments[1]"
        ));
        assert_eq!(
            message(e),
            "actions.listConnections takes no second argument, got an AbortSignal: options such \
             as signal go in the params object it takes, e.g. { ...params, signal }"
        );
        assert!(
            message(extra_argument("tools.listScopedTools", 2, &Kind::Number))
                .starts_with("tools.listScopedTools takes no third argument, got number:")
        );
        assert_eq!(
            message(extra_argument("actions.preModifier", 2, &Kind::Object)),
            "actions.preModifier takes no third argument, got object"
        );
    }
}
