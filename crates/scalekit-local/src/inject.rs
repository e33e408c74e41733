//! Credential injection of the Tool Proxy (docs/wire-protocol.md §6, injection table): what the
//! upstream receives in place of the caller's Scalekit bearer.

use axum::http::{HeaderName, HeaderValue};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use crate::model::ProxyTarget;
use crate::options::{ApiKeyPlacement, AuthType};
use crate::wire::ApiError;

/// Where the credential goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Injection {
    /// Set (replacing any caller value) this header.
    Header(HeaderName, HeaderValue),
    /// Append this `name=value` pair (already percent-encoded) to the query string.
    Query(String),
}

// RFC 3986 unreserved characters stay as they are; everything else is encoded.
pub(super) const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The injection for an ACTIVE account; missing credentials are a 400 FAILED_PRECONDITION
/// (the account is not usable), never a call without credentials.
pub fn credentials(target: &ProxyTarget) -> Result<Injection, ApiError> {
    let details = target.authorization_details.as_ref();
    let field = |path: &str| -> Option<String> {
        match details.and_then(|d| d.pointer(path)) {
            Some(Value::String(s)) => Some(s.clone()),
            // Struct values may be numbers or booleans; a key is still its text form.
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            _ => None,
        }
    };
    let missing = |what: &str| {
        ApiError::failed_precondition(format!("connected account {} has no {what}", target.label))
    };
    let header = |name: HeaderName, value: String| -> Result<Injection, ApiError> {
        HeaderValue::from_str(&value)
            .map(|v| Injection::Header(name, v))
            .map_err(|_| {
                ApiError::failed_precondition(format!(
                    "connected account {}: stored credential is not a valid header value",
                    target.label
                ))
            })
    };
    match target.auth_type {
        AuthType::OAuth => {
            let token = field("/oauth_token/access_token")
                .filter(|t| !t.is_empty())
                .ok_or_else(|| missing("oauth_token.access_token"))?;
            header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        }
        AuthType::Bearer => {
            let token = field("/static_auth/details/token")
                .filter(|t| !t.is_empty())
                .ok_or_else(|| missing("static_auth.details.token"))?;
            header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        }
        AuthType::Basic => {
            let username = field("/static_auth/details/username");
            let password = field("/static_auth/details/password");
            if username.is_none() && password.is_none() {
                return Err(missing("static_auth.details.username"));
            }
            let pair = format!(
                "{}:{}",
                username.unwrap_or_default(),
                password.unwrap_or_default()
            );
            header(
                axum::http::header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(pair)),
            )
        }
        AuthType::ApiKey => {
            let key = field("/static_auth/details/api_key")
                .filter(|k| !k.is_empty())
                .ok_or_else(|| missing("static_auth.details.api_key"))?;
            match &target.api_key {
                ApiKeyPlacement::Header(name) => {
                    let name = HeaderName::try_from(name.as_str()).map_err(|_| {
                        ApiError::failed_precondition(format!(
                            "api key header {name:?} is not a valid header name"
                        ))
                    })?;
                    header(name, key)
                }
                ApiKeyPlacement::Query(name) => Ok(Injection::Query(format!(
                    "{}={}",
                    utf8_percent_encode(name, QUERY_COMPONENT),
                    utf8_percent_encode(&key, QUERY_COMPONENT)
                ))),
            }
        }
    }
}

/// The caller's raw query with an injected pair appended (`?` or `&` as needed).
pub fn append_query(raw: Option<&str>, pair: &str) -> String {
    match raw {
        None | Some("") => pair.to_owned(),
        Some(q) => format!("{q}&{pair}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(auth_type: AuthType, api_key: ApiKeyPlacement, details: Value) -> ProxyTarget {
        ProxyTarget {
            label: "c/i".into(),
            auth_type,
            upstream_url: "http://x".into(),
            api_key,
            authorization_details: Some(details),
        }
    }

    fn header_of(i: Result<Injection, ApiError>) -> (String, String) {
        match i {
            Ok(Injection::Header(n, v)) => (
                n.to_string(),
                v.to_str().map(str::to_owned).unwrap_or_default(),
            ),
            other => panic!("expected a header, got {other:?}"),
        }
    }

    #[test]
    fn each_type() {
        let h = header_of(credentials(&target(
            AuthType::OAuth,
            ApiKeyPlacement::default(),
            json!({"oauth_token":{"access_token":"at"}}),
        )));
        assert_eq!(h, ("authorization".into(), "Bearer at".into()));
        let h = header_of(credentials(&target(
            AuthType::Basic,
            ApiKeyPlacement::default(),
            json!({"static_auth":{"details":{"username":"u","password":""}}}),
        )));
        assert_eq!(h, ("authorization".into(), "Basic dTo=".into()));
        let h = header_of(credentials(&target(
            AuthType::ApiKey,
            ApiKeyPlacement::default(),
            json!({"static_auth":{"details":{"api_key":"k"}}}),
        )));
        assert_eq!(h, ("authorization".into(), "k".into()));
        let q = credentials(&target(
            AuthType::ApiKey,
            ApiKeyPlacement::Query("api key".into()),
            json!({"static_auth":{"details":{"api_key":"a&b=c d"}}}),
        ));
        assert_eq!(q, Ok(Injection::Query("api%20key=a%26b%3Dc%20d".into())));
        let e = credentials(&target(
            AuthType::Bearer,
            ApiKeyPlacement::default(),
            json!({"oauth_token":{"access_token":"x"}}),
        ));
        assert!(matches!(e, Err(ref err) if err.code == 9));
        assert_eq!(append_query(None, "a=1"), "a=1");
        assert_eq!(append_query(Some("x=%2B"), "a=1"), "x=%2B&a=1");
    }
}
