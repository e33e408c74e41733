//! Fetching a client-credentials token: `POST {envUrl}/oauth/token` (docs/wire-protocol.md §3).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{BoxFuture, FutureExt};
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

use crate::auth::{AccessToken, TokenSource};
use crate::config::{ClientConfig, DEFAULT_MAX_RESPONSE_BYTES};
use crate::errors::{CallKind, ScalekitError};
use crate::exchange::Exchange;
use crate::redirects;
use crate::retry::RetryPolicy;
use crate::retry_budget::RetryBudget;
use crate::trace;
use crate::transport::{OutgoingRequest, ReadMode, Transport};

/// RFC 3986 unreserved characters stay; everything else is escaped (`qs.stringify`'s default).
pub(crate) const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Fetches tokens from `POST {envUrl}/oauth/token`.
pub struct TokenEndpoint {
    pub transport: Transport,
    pub config: Arc<ClientConfig>,
    /// The client's retry budget, shared with its other calls.
    pub budget: Arc<RetryBudget>,
}

impl TokenSource for TokenEndpoint {
    fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>> {
        let transport = self.transport.clone();
        let config = Arc::clone(&self.config);
        let budget = Arc::clone(&self.budget);
        // A fetch of its own for tracing: reported to the traced call that started it, if any.
        async move { trace::token_fetch(fetch_token(&transport, &config, &budget)).await }.boxed()
    }
}

/// The form body of the token request, fields in the official SDK's order.
pub fn token_request_body(client_id: &str, client_secret: &str) -> String {
    format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        utf8_percent_encode(client_id, RFC3986),
        utf8_percent_encode(client_secret, RFC3986)
    )
}

pub async fn fetch_token(
    transport: &Transport,
    config: &ClientConfig,
    budget: &RetryBudget,
) -> Result<AccessToken, ScalekitError> {
    let secret = config.client_secret.expose();
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let url = config.token_url()?;
    let request = OutgoingRequest {
        method: Method::POST,
        url: url.clone(),
        headers,
        body: Some(Bytes::from(token_request_body(&config.client_id, secret))),
        upload: None,
    };
    let exchange = Exchange {
        transport,
        tokens: None,
        kind: CallKind::Token,
        policy: RetryPolicy::token(config.max_retries),
        timeout: config.timeout,
        // `maxResponseBytes` is about provider answers; Scalekit's own stay at the default.
        read: ReadMode::Buffered {
            limit: DEFAULT_MAX_RESPONSE_BYTES,
        },
        budget,
        secret: Some(secret),
    };
    // A server may echo the form body back: no failure leaves here with the secret in it.
    let response = exchange
        .send(request)
        .await
        .map_err(|e| name_env_url(name_redirect(e, &url), &url).redact(secret))?;
    let parsed: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|_| ScalekitError::Protocol {
            message: "the token endpoint did not answer with JSON".into(),
        })?;
    let token = parsed
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ScalekitError::Protocol {
            message: "the token endpoint's answer has no access_token".into(),
        })?;
    let expires_in = parsed
        .get("expires_in")
        .and_then(serde_json::Value::as_f64)
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(10.0 * 365.0 * 86400.0)));
    AccessToken::new(token, expires_in)
}

/// A redirect is never followed from the token endpoint (`redirects::next_hop`): its failure says
/// so and where it pointed, rather than only its status.
fn name_redirect(mut error: ScalekitError, url: &Url) -> ScalekitError {
    if let ScalekitError::Http(failure) = &mut error {
        let redirect = StatusCode::from_u16(failure.status).is_ok_and(redirects::is_redirect);
        if redirect {
            failure.message =
                redirects::refused_token_redirect(url, failure.status, &failure.headers);
        }
    }
    error
}

/// A 404 or 405 from the token endpoint means envUrl is not an environment's URL (often one
/// with a path, such as `…/api/v1`; docs/wire-protocol.md §2, Base URL, and §14, No silent
/// misuse): the failure names the URL tried and says what an envUrl is.
fn name_env_url(mut error: ScalekitError, url: &Url) -> ScalekitError {
    if let ScalekitError::Http(failure) = &mut error {
        if matches!(failure.status, 404 | 405) {
            let mut shown = url.clone();
            shown.set_query(None);
            let path_note = match url.path().strip_suffix("/oauth/token") {
                Some(base) if !base.is_empty() && base != "/" => {
                    format!(" without a path (this envUrl holds {base:?})")
                }
                _ => String::new(),
            };
            failure.message = format!(
                "{}: {shown} is not a token endpoint. envUrl is the URL of your Scalekit environment, such as https://acme.scalekit.dev{path_note}, as shown in Developers → Settings",
                failure.message
            );
        }
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_body_is_rfc3986_encoded_in_sdk_order() {
        assert_eq!(
            token_request_body("skc_id", "sec/ret&x y*"),
            "grant_type=client_credentials&client_id=skc_id&client_secret=sec%2Fret%26x%20y%2A"
        );
    }
}
