//! `actions.request` parameters → a checked Tool Proxy request (docs/wire-protocol.md §6, §10):
//! path confinement under `{envUrl}/proxy/`, axios-style query string, body encoding, header
//! checks.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::Method;
use serde_json::Value;
use url::Url;

use crate::config::{checked_byte_limit, checked_timeout, ClientConfig};
use crate::errors::ScalekitError;
use crate::redirects::is_under_prefix;
use crate::transport::{check_url_length, OutgoingRequest, ReadMode, Upload};

static CONNECTION_NAME: HeaderName = HeaderName::from_static("connection_name");
static IDENTIFIER: HeaderName = HeaderName::from_static("identifier");
const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const OCTET_STREAM: &str = "application/octet-stream";

/// The query string: an object serialised the way axios does, or a ready string
/// (what `URLSearchParams.toString()` gave).
#[derive(Debug, Clone)]
pub enum QueryParams {
    Object(Value),
    Encoded(String),
}

/// The body as the JS layer classified it.
#[derive(Debug, Clone)]
pub enum ProxyBody {
    /// An object or array, already `JSON.stringify`-ed (byte-identical to axios).
    Json(Bytes),
    /// A string or bytes, sent as they are.
    Raw(Bytes),
    /// `formData` as an object: sent `application/x-www-form-urlencoded`
    /// (docs/wire-protocol.md §10).
    Form(Value),
    /// A stream, an async iterable or a multipart FormData, written by JS as it is read; sent
    /// once, chunked unless the caller gave a `content-length`.
    Stream {
        upload: Upload,
        /// The multipart `content-type` (with its boundary) of a FormData.
        content_type: Option<String>,
    },
}

/// How the answer's body reaches the caller (axios's `responseType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseType {
    /// Bytes for binary content types, else text (JSON-decoded in JS when it parses).
    #[default]
    Auto,
    /// Always bytes.
    Bytes,
    /// Always text, never JSON-decoded.
    Text,
    /// Text, JSON-decoded when it parses.
    Json,
    /// A stream, handed over as soon as the head arrives.
    Stream,
}

/// Whether failed attempts may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetrySetting {
    /// The client's `maxRetries`, for idempotent methods only.
    #[default]
    Default,
    /// No retry.
    Off,
    /// Up to this many retries, whatever the method (the caller opted in).
    Count(u32),
}

#[derive(Debug, Clone, Default)]
pub struct ProxyParams {
    pub connection_name: Option<String>,
    pub identifier: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    pub query: Option<QueryParams>,
    pub body: Option<ProxyBody>,
    /// Caller headers, in order; later entries win over earlier ones with the same name.
    pub headers: Vec<(String, String)>,
    pub timeout_ms: Option<f64>,
    pub retry: RetrySetting,
    /// `maxResponseBytes` of this call; the client's when absent.
    pub max_response_bytes: Option<f64>,
    pub response_type: ResponseType,
}

/// A checked proxy call.
#[derive(Debug, Clone)]
pub struct ProxyCall {
    pub request: OutgoingRequest,
    pub timeout: Duration,
    pub retry: RetrySetting,
    pub read: ReadMode,
    pub response_type: ResponseType,
}

impl ProxyCall {
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self.request.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        )
    }
}

/// Checks every parameter and builds the request; nothing is sent on error.
pub fn prepare(config: &ClientConfig, params: &ProxyParams) -> Result<ProxyCall, ScalekitError> {
    let connection_name = required("connectionName", params.connection_name.as_deref())?;
    let identifier = required("identifier", params.identifier.as_deref())?;
    let path = required("path", params.path.as_deref())?;
    let timeout = match params.timeout_ms {
        None => config.tool_timeout,
        Some(ms) => checked_timeout("timeoutMs", ms)?,
    };
    let method = parse_method(params.method.as_deref())?;
    let mut url = proxy_url(config, path)?;
    check_url_length(&url, "path")?;
    if let Some(query) = &params.query {
        let encoded = match query {
            QueryParams::Object(value) => axios_query(value)?,
            QueryParams::Encoded(s) => s.clone(),
        };
        append_query(&mut url, &encoded);
        check_url_length(&url, "queryParams")?;
    }

    let mut headers = HeaderMap::new();
    for (name, value) in &params.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ScalekitError::validation(
                "headers",
                format!("headers: {name:?} is not a valid header name"),
            )
        })?;
        // A streamed body has no length of its own: the caller's `content-length`, if any, is
        // what makes it go out with a length instead of chunked.
        let streamed = matches!(params.body, Some(ProxyBody::Stream { .. }));
        if is_connection_managed(&name) && !(streamed && name == CONTENT_LENGTH) {
            continue;
        }
        let value = header_value("headers", value).map_err(|_| {
            ScalekitError::validation(
                "headers",
                format!("headers: the value of {name:?} contains CR, LF or another character not allowed in a header"),
            )
        })?;
        headers.insert(name, value);
    }
    headers.insert(
        CONNECTION_NAME.clone(),
        header_value("connectionName", connection_name)?,
    );
    headers.insert(IDENTIFIER.clone(), header_value("identifier", identifier)?);

    let limit = match params.max_response_bytes {
        None => config.max_response_bytes,
        Some(n) => checked_byte_limit("maxResponseBytes", n)?,
    };
    let read = match params.response_type {
        ResponseType::Stream => ReadMode::Stream { limit },
        _ => ReadMode::Buffered { limit },
    };
    let has_payload_method = matches!(method, Method::POST | Method::PUT | Method::PATCH);
    let mut upload = None;
    let body = match &params.body {
        None if has_payload_method => {
            // axios sends an empty body with `Content-Length: 0` on POST/PUT/PATCH; hyper would
            // send no length at all for an empty body.
            headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            Some(Bytes::new())
        }
        None => None,
        Some(ProxyBody::Json(json)) => {
            default_content_type(&mut headers, JSON);
            Some(json.clone())
        }
        Some(ProxyBody::Raw(bytes)) => Some(bytes.clone()),
        Some(ProxyBody::Form(value)) => {
            default_content_type(&mut headers, FORM_URLENCODED);
            Some(Bytes::from(form_urlencoded(value)?))
        }
        Some(ProxyBody::Stream {
            upload: chunks,
            content_type,
        }) => {
            match content_type {
                // The boundary in it must be the one the body was written with.
                Some(multipart) => {
                    headers.insert(CONTENT_TYPE, header_value("formData", multipart)?);
                }
                None => default_content_type(&mut headers, OCTET_STREAM),
            }
            upload = Some(chunks.clone());
            None
        }
    };
    if has_payload_method {
        default_content_type(&mut headers, FORM_URLENCODED);
    }
    Ok(ProxyCall {
        request: OutgoingRequest {
            method,
            url,
            headers,
            body,
            upload,
        },
        timeout,
        retry: params.retry,
        read,
        response_type: params.response_type,
    })
}

fn required<'a>(name: &'static str, value: Option<&'a str>) -> Result<&'a str, ScalekitError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ScalekitError::validation(
            name,
            format!("{name} is required"),
        )),
    }
}

fn header_value(name: &'static str, value: &str) -> Result<HeaderValue, ScalekitError> {
    // Bytes above 0x7f (UTF-8) pass as opaque header bytes; control characters never do.
    let has_control = value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f);
    let invalid = || {
        ScalekitError::validation(
            name,
            format!("{name} contains CR, LF or another character not allowed in an HTTP header"),
        )
    };
    if has_control {
        return Err(invalid());
    }
    HeaderValue::from_bytes(value.as_bytes()).map_err(|_| invalid())
}

/// Headers that describe the connection or the framing: the HTTP client sets them itself.
fn is_connection_managed(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "host"
            | "content-length"
            | "transfer-encoding"
            | "connection"
            | "keep-alive"
            | "upgrade"
            | "te"
            | "trailer"
    )
}

fn default_content_type(headers: &mut HeaderMap, value: &'static str) {
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
    }
}

fn parse_method(method: Option<&str>) -> Result<Method, ScalekitError> {
    let Some(m) = method else {
        return Ok(Method::GET);
    };
    let upper = m.to_ascii_uppercase();
    if upper.is_empty() {
        return Ok(Method::GET);
    }
    // The methods of HTTP (RFC 9110, and PATCH), in any case, as axios takes them. A misspelt one
    // ("PSOT") would otherwise go out as an extension method; CONNECT asks for a tunnel, not a
    // request: no provider API is called either way.
    const METHODS: [&str; 8] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
    ];
    if !METHODS.contains(&upper.as_str()) {
        return Err(ScalekitError::validation(
            "method",
            format!(
                "method {m:?} is not an HTTP method: use one of {}",
                METHODS.join(", ")
            ),
        ));
    }
    Method::from_bytes(upper.as_bytes()).map_err(|_| {
        ScalekitError::validation("method", format!("method {m:?} is not an HTTP method"))
    })
}

/// `{envUrl}/proxy{path}` with a leading slash added, parsed as WHATWG URL parsing (the official
/// client's) does, and refused when it leads out of `{envUrl}/proxy/` (docs/wire-protocol.md §6).
/// WHATWG parsing drops tab, CR and LF anywhere and resolves dot segments (`%2e` included) and
/// backslashes; a server may further decode `%2F`/`%5C` and collapse `//` before routing, and
/// [`is_under_prefix`] accounts for both. Anything that stays inside is sent as parsed.
pub fn proxy_url(config: &ClientConfig, path: &str) -> Result<Url, ScalekitError> {
    let root = config.proxy_root();
    let rest = path.strip_prefix('/').unwrap_or(path);
    // The common path (plain segments, nothing WHATWG parsing would change) is the root's path
    // with `rest` appended, under the prefix by construction: set as the path of a copy of the
    // parsed root, it skips resolving and the containment check, a third of what preparing a
    // call cost (docs/architecture.md, "One call, end to end", step 3).
    if is_plain_path(rest) && root.query().is_none() && root.fragment().is_none() {
        let mut url = root.clone();
        url.set_path(&[root.path(), rest].concat());
        return Ok(url);
    }
    parsed_proxy_url(root, rest)
}

/// Whether `rest` (a path without its leading slash) is only segments of unreserved and
/// sub-delimiter characters, none empty, `.` or `..`: WHATWG parsing leaves such a path as it is.
fn is_plain_path(rest: &str) -> bool {
    const ALLOWED: &[u8] = b"-._~!$&'()*+,;=:@/";
    rest.bytes()
        .all(|b| b.is_ascii_alphanumeric() || ALLOWED.contains(&b))
        && !rest.starts_with('/')
        && !rest.contains("//")
        && rest
            .split('/')
            .all(|segment| segment != "." && segment != "..")
}

/// [`proxy_url`] for any path: `{envUrl}/proxy` + path, resolved and checked.
fn parsed_proxy_url(root: &Url, rest: &str) -> Result<Url, ScalekitError> {
    // `{envUrl}/proxy` + path (with its leading slash made relative to the root): resolving
    // `./<rest>` against the parsed root gives the same URL as parsing the joined string,
    // without parsing the host again on every call.
    match root.join(&format!("./{rest}")) {
        Ok(mut url) if is_under_prefix(root, &url) => {
            url.set_fragment(None);
            Ok(url)
        }
        // The path is not repeated: it may carry user data (an e-mail, a document name) that
        // would then reach logs and error trackers.
        _ => Err(ScalekitError::validation(
            "path",
            "path must resolve under the proxy prefix: its dot segments, or separators encoded as \
             %2F or %5C, lead out of {envUrl}/proxy/",
        )),
    }
}

/// Appends an encoded query as axios does (`?` or `&`), without re-encoding what is there.
fn append_query(url: &mut Url, encoded: &str) {
    if encoded.is_empty() {
        return;
    }
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{encoded}"),
        _ => encoded.to_string(),
    };
    url.set_query(Some(&query));
}

/// `encodeURIComponent`, then axios's `%3A→: %24→$ %2C→, %20→+`.
fn axios_encode(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')'
            | b':'
            | b'$'
            | b',' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

/// A leaf value as axios's `convertValue` + `String()` give it. The JS layer hands numbers over
/// as strings already formatted by JavaScript, and Dates as ISO strings.
fn leaf_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn remove_brackets(key: &str) -> &str {
    key.strip_suffix("[]").unwrap_or(key)
}

fn render_key(path: &[String], key: &str) -> String {
    let mut out = String::new();
    for (i, token) in path.iter().map(String::as_str).chain([key]).enumerate() {
        let token = remove_brackets(token);
        if i == 0 {
            out.push_str(token);
        } else {
            out.push('[');
            out.push_str(token);
            out.push(']');
        }
    }
    out
}

fn entries(value: &Value) -> Vec<(String, &Value)> {
    match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_visitable(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_))
}

/// axios's `toFormData` visitor over a params object, as (key, value) pairs.
fn axios_pairs(root: &Value) -> Result<Vec<(String, String)>, ScalekitError> {
    if !matches!(root, Value::Object(_)) {
        return Err(ScalekitError::validation(
            "queryParams",
            "queryParams must be an object or a URLSearchParams",
        ));
    }
    let mut pairs = Vec::new();
    fn build(value: &Value, path: Option<&[String]>, pairs: &mut Vec<(String, String)>) {
        for (raw_key, el) in entries(value) {
            if el.is_null() {
                continue;
            }
            let key = raw_key.trim();
            if visit(el, key, path, pairs) {
                let mut next: Vec<String> = path.map(<[String]>::to_vec).unwrap_or_default();
                next.push(raw_key.clone());
                build(el, Some(&next), pairs);
            }
        }
    }
    /// Returns true when `value` is to be walked into.
    fn visit(
        value: &Value,
        key: &str,
        path: Option<&[String]>,
        pairs: &mut Vec<(String, String)>,
    ) -> bool {
        if path.is_none() {
            if let Value::Array(items) = value {
                if !items.iter().any(is_visitable) {
                    let key = format!("{}[]", remove_brackets(key));
                    for el in items {
                        if let Some(text) = leaf_text(el) {
                            pairs.push((key.clone(), text));
                        }
                    }
                    return false;
                }
            }
        }
        if is_visitable(value) {
            return true;
        }
        if let Some(text) = leaf_text(value) {
            pairs.push((render_key(path.unwrap_or(&[]), key), text));
        }
        false
    }
    build(root, None, &mut pairs);
    Ok(pairs)
}

/// Serialises `queryParams` byte-for-byte as axios 1.x (the official SDK) does.
pub fn axios_query(value: &Value) -> Result<String, ScalekitError> {
    let mut out = String::new();
    for (i, (key, value)) in axios_pairs(value)?.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        axios_encode(key, &mut out);
        out.push('=');
        axios_encode(value, &mut out);
    }
    Ok(out)
}

/// `formData` as `application/x-www-form-urlencoded` (the WHATWG serialiser): nested keys in
/// brackets like the query string, arrays as repeated keys, a string sent as it is.
pub fn form_urlencoded(value: &Value) -> Result<String, ScalekitError> {
    if let Value::String(s) = value {
        return Ok(s.clone());
    }
    if !matches!(value, Value::Object(_)) {
        return Err(ScalekitError::validation(
            "formData",
            "formData must be an object or a string",
        ));
    }
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    fn walk(prefix: &str, value: &Value, ser: &mut url::form_urlencoded::Serializer<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}[{k}]")
                    };
                    walk(&key, v, ser);
                }
            }
            Value::Array(items) => {
                for v in items {
                    if is_visitable(v) {
                        walk(&format!("{prefix}[]"), v, ser);
                    } else if let Some(text) = leaf_text(v) {
                        ser.append_pair(prefix, &text);
                    }
                }
            }
            other => {
                if let Some(text) = leaf_text(other) {
                    ser.append_pair(prefix, &text);
                }
            }
        }
    }
    walk("", value, &mut serializer);
    Ok(serializer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientOptions;
    use serde_json::json;

    fn config(url: &str) -> ClientConfig {
        ClientConfig::new(url, "id", "secret", ClientOptions::default()).unwrap()
    }

    fn target(env: &str, path: &str) -> String {
        let url = proxy_url(&config(env), path).unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    #[test]
    fn urls_match_the_spec_table() {
        assert_eq!(
            target("https://h", "gmail/v1/users/me/profile"),
            "/proxy/gmail/v1/users/me/profile"
        );
        assert_eq!(
            target("https://h/", "gmail/v1/users/me/profile"),
            "/proxy/gmail/v1/users/me/profile"
        );
        assert_eq!(target("https://h/base", "/x"), "/base/proxy/x");
        assert_eq!(target("https://h//", "/x"), "//proxy/x");
        assert_eq!(target("https://h", "/a/../b/./c"), "/proxy/b/c");
        assert_eq!(target("https://h", "/a b/ü/%2F"), "/proxy/a%20b/%C3%BC/%2F");
        assert_eq!(target("https://h", "a/b?x=1#frag"), "/proxy/a/b?x=1");
        assert_eq!(target("https://h", " /lead"), "/proxy/%20/lead");
        assert_eq!(target("https://h", "v1:search"), "/proxy/v1:search");
    }

    /// Targets as Node's `new URL('{envUrl}/proxy' + path)` gives them (the official client's
    /// parser), checked against Node for each row.
    #[test]
    fn in_prefix_paths_are_sent_as_whatwg_parses_them() {
        for (path, sent) in [
            ("/v1/x?y=1", "/proxy/v1/x?y=1"),
            ("v1/x", "/proxy/v1/x"),
            ("/a/./b", "/proxy/a/b"),
            ("/a/../b", "/proxy/b"),
            ("/a%2Fb", "/proxy/a%2Fb"),
            ("/x/%2e%2e/y", "/proxy/y"),
            ("/%2e/x", "/proxy/x"),
            ("/a/.%2E", "/proxy/"),
            ("/", "/proxy/"),
            ("/proxy/../x", "/proxy/x"),
            // Tab, CR and LF are dropped anywhere, other controls and spaces trimmed at the end.
            ("\t/../x", "/proxy/x"),
            (
                "/gmail/v1/users/me/profile\n",
                "/proxy/gmail/v1/users/me/profile",
            ),
            ("/x/.\n./y", "/proxy/y"),
            ("/x\t/y", "/proxy/x/y"),
            ("/a\r\nX-Injected: 1", "/proxy/aX-Injected:%201"),
            ("\n/x", "/proxy//x"),
            ("/x \u{1}", "/proxy/x"),
            ("/a\u{1}b\u{7f}", "/proxy/a%01b%7F"),
            // A leading `//` is an empty segment, a backslash a `/`, a scheme a segment.
            ("//drive/v3/files", "/proxy//drive/v3/files"),
            ("//a/..%2fb", "/proxy//a/..%2fb"),
            ("\\evil", "/proxy//evil"),
            ("/\\evil/x", "/proxy//evil/x"),
            ("https://evil.example/x", "/proxy/https://evil.example/x"),
            // Out and back in to exactly the bare prefix.
            ("/..%2fproxy", "/proxy/..%2fproxy"),
            // Decoded once only.
            ("/%252e%252e/x", "/proxy/%252e%252e/x"),
            ("/a%zz/b", "/proxy/a%zz/b"),
            (
                "/a|b^c[d]{e}`f\"g<h>",
                "/proxy/a|b^c[d]%7Be%7D%60f%22g%3Ch%3E",
            ),
            ("/a?x=../../y", "/proxy/a?x=../../y"),
            ("/a#frag?x", "/proxy/a"),
        ] {
            assert_eq!(target("https://h", path), sent, "{path:?}");
        }
        assert_eq!(target("https://h/base/", "/a/../x"), "/base/proxy/x");
    }

    #[test]
    fn plain_paths_take_the_short_way_to_the_same_url() {
        for env in [
            "https://h",
            "https://h/base/",
            "https://h//",
            "http://127.0.0.1:9/a",
        ] {
            let config = config(env);
            let root = config.proxy_root();
            for path in [
                "/v1/customers",
                "gmail/v1/users/me/profile",
                "/",
                "",
                "/v1:search",
                "/a.b/c..d/.e/f./-_~!$&'()*+,;=:@",
                "/https:x/y",
            ] {
                let rest = path.strip_prefix('/').unwrap_or(path);
                assert!(is_plain_path(rest), "{path:?}");
                let short = proxy_url(&config, path).unwrap();
                let long = parsed_proxy_url(root, rest).unwrap();
                assert_eq!(short.as_str(), long.as_str(), "{env} {path:?}");
            }
        }
        for not_plain in [
            "/a/./b", "/a/../b", "/..", "//x", "/a//b", "/a%2Fb", "/a b", "/a?x", "/a#f", "/a\\b",
            "/ü", "/x\n",
        ] {
            let rest = not_plain.strip_prefix('/').unwrap_or(not_plain);
            assert!(!is_plain_path(rest), "{not_plain:?}");
        }
    }

    #[test]
    fn paths_leading_out_of_the_prefix_are_refused_without_echo() {
        let escapes = [
            "/../x",
            "..",
            "../x",
            "/..",
            "/a/../../x",
            "/%2e%2e/api/v1/connected_accounts",
            "/.%2e/x",
            "/x/%2E%2e/.%2E/outside",
            "/drive/\n../../api",
            "/x/.\t./.\t./outside",
            "/x/.\r./.\r./outside",
            "/..%2F..%2Fapi/v1/x",
            "/x%2f..%2f..%2foutside",
            "/%5C..%5Capi",
            "/x%5c..%5c..%5coutside",
            "/a\\..\\..\\x",
            "//..%2foutside",
            "/%2f..%2foutside",
            "///..%2f..%2foutside",
            "/..%2fproxyx",
            "/..%2fproxy-admin",
            "/x/../../secret-looking-segment",
        ];
        for env in ["https://h", "https://h/base", "https://h/base/"] {
            for bad in escapes {
                match proxy_url(&config(env), bad) {
                    Err(ScalekitError::Validation { argument, message }) if argument == "path" => {
                        assert!(message.starts_with("path must resolve under the proxy prefix"));
                        assert!(!message.contains("secret-looking"), "{message}");
                    }
                    other => panic!("{env} {bad:?} gave {other:?}"),
                }
            }
        }
        // Out of a base path, to another `/proxy`.
        assert!(proxy_url(&config("https://h/base"), "/../../proxy/x").is_err());
    }

    #[test]
    fn query_matches_axios() {
        let q = json!({"a": "x y", "s": "a/b:c,d$e", "z": "a b+c&d=e"});
        assert_eq!(
            axios_query(&q).unwrap(),
            "a=x+y&s=a%2Fb:c,d$e&z=a+b%2Bc%26d%3De"
        );
        // Observed from @scalekit-sdk/node 2.11.0 (axios 1.x) for the same object.
        let q = json!({
            "arr": ["1", "2"], "o": {"k": "v", "n": {"m": "1"}}, "nl": null, "e": "", "ea": [],
            "b": true, "d": "1970-01-01T00:00:00.000Z", "st": "!'()*~", "aa": [["1", "2"]], "ao": [{"p": "1"}],
            " k ": "1", "a[]": ["1", "2"], "u8": "ü€😀"
        });
        assert_eq!(
            axios_query(&q).unwrap(),
            "arr%5B%5D=1&arr%5B%5D=2&o%5Bk%5D=v&o%5Bn%5D%5Bm%5D=1&e=&b=true&d=1970-01-01T00:00:00.000Z&st=!'()*~&aa%5B0%5D%5B0%5D=1&aa%5B0%5D%5B1%5D=2&ao%5B0%5D%5Bp%5D=1&k=1&a%5B%5D=1&a%5B%5D=2&u8=%C3%BC%E2%82%AC%F0%9F%98%80"
        );
    }

    #[test]
    fn form_data_is_urlencoded() {
        let f = json!({"a": "b c", "n": "1", "list": ["x", "y"], "o": {"k": "v&w"}, "skip": null});
        assert_eq!(
            form_urlencoded(&f).unwrap(),
            "a=b+c&n=1&list=x&list=y&o%5Bk%5D=v%26w"
        );
    }

    fn params() -> ProxyParams {
        ProxyParams {
            connection_name: Some("gmail".into()),
            identifier: Some("user@example.com".into()),
            path: Some("/v1/x".into()),
            ..Default::default()
        }
    }

    /// `params()` with one change: the table rows below each break one field.
    fn with(change: impl FnOnce(&mut ProxyParams)) -> ProxyParams {
        let mut p = params();
        change(&mut p);
        p
    }

    #[test]
    fn required_fields_and_header_checks() {
        let c = config("https://h");
        for (field, mut p) in [
            (
                "connectionName",
                with(|p| p.connection_name = Some("  ".into())),
            ),
            ("identifier", with(|p| p.identifier = None)),
            ("path", with(|p| p.path = Some("".into()))),
        ] {
            p.method = Some("get".into());
            let err = prepare(&c, &p).unwrap_err();
            assert_eq!(err.to_string(), format!("{field} is required"));
        }
        for (argument, bad) in [
            ("identifier", with(|p| p.identifier = Some("a\r\nb".into()))),
            (
                "connectionName",
                with(|p| p.connection_name = Some("a\0".into())),
            ),
            (
                "headers",
                with(|p| p.headers = vec![("X-A".into(), "1\n2".into())]),
            ),
            (
                "headers",
                with(|p| p.headers = vec![("Bad Name".into(), "1".into())]),
            ),
            ("method", with(|p| p.method = Some("GE T".into()))),
            ("method", with(|p| p.method = Some("PSOT".into()))),
            ("method", with(|p| p.method = Some("connect".into()))),
        ] {
            match prepare(&c, &bad) {
                Err(ScalekitError::Validation { argument: a, .. }) => assert_eq!(a, argument),
                other => panic!("{argument}: {other:?}"),
            }
        }
        let err = prepare(
            &c,
            &ProxyParams {
                timeout_ms: Some(0.0),
                ..params()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "timeoutMs must be a positive finite number of milliseconds, got 0"
        );
    }

    /// A call that passes the checks, against `https://h`.
    fn prepared(p: ProxyParams) -> ProxyCall {
        prepare(&config("https://h"), &p).unwrap()
    }

    #[test]
    fn routing_headers_win_over_caller_headers_and_bodies_get_axios_content_types() {
        let call = prepared(ProxyParams {
            method: Some("post".into()),
            headers: vec![
                ("identifier".into(), "spoof".into()),
                ("X-Custom".into(), "v".into()),
            ],
            body: Some(ProxyBody::Json(Bytes::from_static(b"{\"a\":1}"))),
            ..params()
        });
        let h = &call.request.headers;
        assert_eq!(h["identifier"], "user@example.com");
        assert_eq!(h["connection_name"], "gmail");
        assert_eq!(h["x-custom"], "v");
        assert_eq!(h["content-type"], "application/json");
        assert_eq!(call.request.method, Method::POST);
        assert!(!call.is_idempotent());

        let empty_post = prepared(ProxyParams {
            method: Some("PATCH".into()),
            ..params()
        });
        assert_eq!(empty_post.request.body.as_deref(), Some(&b""[..]));
        assert_eq!(empty_post.request.headers["content-length"], "0");
        assert_eq!(empty_post.request.headers["content-type"], FORM_URLENCODED);

        let get = prepared(params());
        assert!(get.request.body.is_none());
        assert!(get.request.headers.get("content-type").is_none());

        let raw_delete = prepared(ProxyParams {
            method: Some("delete".into()),
            body: Some(ProxyBody::Raw(Bytes::from_static(b"str"))),
            ..params()
        });
        assert!(raw_delete.request.headers.get("content-type").is_none());
        assert!(raw_delete.is_idempotent());

        let caller_type = prepared(ProxyParams {
            method: Some("post".into()),
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: Some(ProxyBody::Json(Bytes::from_static(b"[1]"))),
            ..params()
        });
        assert_eq!(caller_type.request.headers["content-type"], "text/xml");
    }

    #[test]
    fn a_url_no_request_can_carry_is_refused_by_what_made_it_long() {
        let refused = |p: ProxyParams| match prepare(&config("https://h"), &p) {
            Err(ScalekitError::Validation { argument, message }) => (argument, message),
            other => panic!("expected a validation error, got {other:?}"),
        };
        // `https://h/proxy/` is 16 bytes: a path of the rest of the limit fits exactly.
        let fits = "a".repeat(crate::transport::MAX_URL_BYTES - 16);
        assert!(prepare(
            &config("https://h"),
            &ProxyParams {
                path: Some(fits.clone()),
                ..params()
            }
        )
        .is_ok());
        let (argument, message) = refused(ProxyParams {
            path: Some(format!("{fits}a")),
            ..params()
        });
        assert_eq!(argument, "path");
        assert!(!message.contains("aaaa"), "the path is not repeated");
        let (argument, _) = refused(ProxyParams {
            query: Some(QueryParams::Encoded(format!("q={fits}"))),
            ..params()
        });
        assert_eq!(argument, "queryParams");
    }

    #[test]
    fn query_is_appended_after_the_paths_own_query() {
        let call = prepared(ProxyParams {
            path: Some("a/b?x=1#frag".into()),
            query: Some(QueryParams::Object(json!({"y": "2"}))),
            ..params()
        });
        assert_eq!(call.request.url.as_str(), "https://h/proxy/a/b?x=1&y=2");
    }
}
