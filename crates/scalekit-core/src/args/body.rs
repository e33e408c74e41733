//! The pieces of a proxied request a caller hands `actions.request`: `headers`, `queryParams`,
//! `body` and `formData`, in axios's rules (docs/architecture.md, "Argument rules").

use bytes::Bytes;
use serde_json::Value;

use super::{refused, unserialisable, Kind};
use crate::errors::ScalekitError;
use crate::proxy::{ProxyBody, QueryParams};
use crate::transport::Upload;

fn parse_json(name: &'static str, text: &str) -> Result<Value, ScalekitError> {
    serde_json::from_str(text).map_err(|e| unserialisable(name, &e.to_string()))
}

/// `headers` as `[name, value, …]` (JS joins array values with `, ` as Node does).
pub fn headers(
    kind: &Kind,
    flat: Option<Vec<String>>,
) -> Result<Vec<(String, String)>, ScalekitError> {
    match kind {
        Kind::Undefined | Kind::Null => Ok(Vec::new()),
        Kind::Array => Err(ScalekitError::validation(
            "headers",
            "headers must be an object",
        )),
        other if other.type_of() == "object" => {
            let mut pairs = Vec::new();
            let mut it = flat.unwrap_or_default().into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            Ok(pairs)
        }
        _ => Err(ScalekitError::validation(
            "headers",
            "headers must be an object",
        )),
    }
}

/// `queryParams`: an object (as JSON, numbers already in JS's own spelling) or a URLSearchParams.
pub fn query(kind: &Kind, text: Option<String>) -> Result<Option<QueryParams>, ScalekitError> {
    let text = text.unwrap_or_default();
    match kind {
        Kind::Undefined | Kind::Null => Ok(None),
        Kind::UrlSearchParams => Ok(Some(QueryParams::Encoded(text))),
        Kind::Unserialisable(message) => Err(unserialisable("queryParams", message)),
        other if other.type_of() == "object" => {
            Ok(Some(QueryParams::Object(parse_json("queryParams", &text)?)))
        }
        _ => Err(ScalekitError::validation(
            "queryParams",
            "queryParams must be an object or a URLSearchParams",
        )),
    }
}

/// A `body` (or `formData`) JS handed over: its kind, and its text (a string, JSON or an encoded
/// URLSearchParams) or its bytes. An absent one is no `BodyGiven` at all.
#[derive(Debug)]
pub struct BodyGiven {
    pub kind: Kind,
    pub text: Option<String>,
    pub bytes: Option<Bytes>,
    /// What JS writes a stream, an async iterable or a FormData into.
    pub upload: Option<Upload>,
    /// A Blob's `type`, or a FormData's multipart `content-type` with its boundary.
    pub content_type: Option<String>,
}

impl BodyGiven {
    /// A body of `kind` with no content yet.
    pub fn of(kind: Kind) -> Self {
        BodyGiven {
            kind,
            text: None,
            bytes: None,
            upload: None,
            content_type: None,
        }
    }

    /// A streamed body: a stream as it is, a FormData as multipart with its boundary.
    fn streamed(self, name: &'static str, kind: &Kind) -> Result<ProxyBody, ScalekitError> {
        let multipart = *kind == Kind::FormData;
        match self.upload {
            Some(upload) => Ok(ProxyBody::Stream {
                upload,
                content_type: if multipart { self.content_type } else { None },
            }),
            None => Err(ScalekitError::Protocol {
                message: format!("{name}: the streamed body has no upload sink"),
            }),
        }
    }
}

const FORM_URLENCODED_UTF8: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// `body`, encoded as axios encodes it (docs/wire-protocol.md §6); may add the content type
/// axios gives a URLSearchParams.
pub fn body(
    given: BodyGiven,
    headers: &mut Vec<(String, String)>,
) -> Result<Option<ProxyBody>, ScalekitError> {
    let kind = given.kind.clone();
    if matches!(kind, Kind::Stream | Kind::FormData) {
        return given.streamed("body", &kind).map(Some);
    }
    let has_content_type = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if kind == Kind::Blob {
        // A Blob (or File) goes as its bytes, typed by its `type` unless the caller typed it.
        if let Some(blob_type) = given
            .content_type
            .filter(|t| !t.is_empty() && !has_content_type)
        {
            headers.push(("content-type".into(), blob_type));
        }
        return Ok(Some(ProxyBody::Raw(given.bytes.unwrap_or_default())));
    }
    let text = given.text.unwrap_or_default();
    let content_type = || {
        headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
    };
    Ok(Some(match kind {
        Kind::Empty | Kind::Undefined | Kind::Null => return Ok(None),
        Kind::String => {
            let is_json_type =
                content_type().is_some_and(|t| t.to_ascii_lowercase().contains("application/json"));
            // axios: under a JSON content type, a JSON string goes trimmed and any other string
            // as a JSON string literal.
            let text = if !is_json_type {
                text
            } else if serde_json::from_str::<Value>(&text).is_ok() {
                text.trim().to_string()
            } else {
                Value::String(text).to_string()
            };
            ProxyBody::Raw(Bytes::from(text))
        }
        Kind::Bytes => ProxyBody::Raw(given.bytes.unwrap_or_default()),
        Kind::UrlSearchParams => {
            if content_type().is_none() {
                headers.push(("content-type".into(), FORM_URLENCODED_UTF8.into()));
            }
            ProxyBody::Raw(Bytes::from(text))
        }
        Kind::Object | Kind::Array | Kind::Date | Kind::AbortSignal => {
            ProxyBody::Json(Bytes::from(text))
        }
        other => {
            return Err(refused(
                "body",
                &other,
                "an object, an array, a string or a Buffer",
            ))
        }
    }))
}

/// `formData`: a web FormData as multipart, anything else urlencoded (docs/wire-protocol.md §10).
pub fn form(given: Option<BodyGiven>) -> Result<Option<ProxyBody>, ScalekitError> {
    let Some(given) = given else {
        return Ok(None);
    };
    let kind = given.kind.clone();
    if kind == Kind::FormData {
        return given.streamed("formData", &kind).map(Some);
    }
    let kind = &kind;
    let text = given.text.unwrap_or_default();
    Ok(Some(match kind {
        Kind::Empty | Kind::Undefined | Kind::Null => return Ok(None),
        Kind::String | Kind::UrlSearchParams => ProxyBody::Form(Value::String(text)),
        Kind::Object | Kind::Array | Kind::Date | Kind::AbortSignal | Kind::Bytes => {
            ProxyBody::Form(parse_json("formData", &text)?)
        }
        other => return Err(refused("formData", other, "an object or a string")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: ScalekitError) -> String {
        e.to_string()
    }

    #[test]
    fn bodies_follow_axios() {
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        let body_of = |kind, text: &str, headers: &mut Vec<(String, String)>| {
            body(
                BodyGiven {
                    text: Some(text.into()),
                    ..BodyGiven::of(kind)
                },
                headers,
            )
        };
        let Some(ProxyBody::Raw(b)) = body_of(Kind::String, " {\"a\":1} ", &mut headers).unwrap()
        else {
            panic!("raw body expected")
        };
        assert_eq!(&b[..], b"{\"a\":1}");
        let Some(ProxyBody::Raw(b)) = body_of(Kind::String, "hi", &mut headers).unwrap() else {
            panic!("raw body expected")
        };
        assert_eq!(&b[..], b"\"hi\"");
        let mut none = Vec::new();
        body_of(Kind::UrlSearchParams, "a=1", &mut none).unwrap();
        assert_eq!(
            none,
            vec![("content-type".to_string(), FORM_URLENCODED_UTF8.to_string())]
        );
        assert!(body_of(Kind::Empty, "", &mut none).unwrap().is_none());
        assert_eq!(
            message(body_of(Kind::Map, "", &mut none).unwrap_err()),
            "body cannot be a Map; pass a plain object, an array, a string or a Buffer"
        );
        assert_eq!(
            message(body_of(Kind::Number, "", &mut none).unwrap_err()),
            "body must be an object, an array, a string or a Buffer, got number"
        );
        assert_eq!(
            message(form(Some(BodyGiven::of(Kind::Boolean))).unwrap_err()),
            "formData must be an object or a string, got boolean"
        );
        assert_eq!(
            message(query(&Kind::String, None).unwrap_err()),
            "queryParams must be an object or a URLSearchParams"
        );
    }
}
