//! Keeps a credential out of a failure (docs/wire-protocol.md §3, "Secrets in failures"): a server may echo
//! back the token request's form body, or the bearer token it was sent, in its message, its body
//! or a header. Every form the credential may come back in is replaced before the failure leaves
//! the client.

use bytes::Bytes;
use http::HeaderValue;
use percent_encoding::utf8_percent_encode;
use serde_json::Value;

use crate::errors::ScalekitError;
use crate::token_endpoint::RFC3986;

const MARK: &str = "[REDACTED]";
/// Too short a "secret" would match ordinary words of a message; real ones are long.
const MIN_SECRET_LEN: usize = 8;

/// The forms of one credential a server may send back.
struct Forms(Vec<String>);

impl Forms {
    /// As written; percent-encoded as the token request's form body sends it; form-encoded (`+`
    /// for a space, as a server re-encoding the form would); escaped inside a JSON string.
    fn of(secret: &str) -> Self {
        let quoted = serde_json::to_string(secret).unwrap_or_default();
        let candidates = [
            secret.to_string(),
            utf8_percent_encode(secret, RFC3986).to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
            quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or_default()
                .to_string(),
        ];
        let mut forms: Vec<String> = Vec::with_capacity(candidates.len());
        for form in candidates {
            if form.len() >= MIN_SECRET_LEN && !forms.contains(&form) {
                forms.push(form);
            }
        }
        Forms(forms)
    }

    fn found_in(&self, text: &str) -> bool {
        self.0.iter().any(|form| text.contains(form.as_str()))
    }

    fn text(&self, text: &mut String) {
        for form in &self.0 {
            if text.contains(form.as_str()) {
                *text = text.replace(form.as_str(), MARK);
            }
        }
    }

    /// Every string of a JSON value (its details), keys included.
    fn value(&self, value: &mut Value) {
        match value {
            Value::String(text) => self.text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item)),
            Value::Object(members) => {
                if members.keys().any(|key| self.found_in(key)) {
                    let scrubbed = std::mem::take(members).into_iter().map(|(mut key, v)| {
                        self.text(&mut key);
                        (key, v)
                    });
                    *members = scrubbed.collect();
                }
                members.values_mut().for_each(|item| self.value(item));
            }
            _ => {}
        }
    }

    /// A body reaches users as `err.data`; one that is not UTF-8 is scrubbed as its lossy text.
    fn bytes(&self, bytes: &mut Bytes) {
        let text = String::from_utf8_lossy(bytes);
        if self.found_in(&text) {
            let mut text = text.into_owned();
            self.text(&mut text);
            *bytes = Bytes::from(text);
        }
    }

    fn header(&self, value: &mut HeaderValue) {
        let text = String::from_utf8_lossy(value.as_bytes());
        if self.found_in(&text) {
            let mut text = text.into_owned();
            self.text(&mut text);
            *value = HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(MARK));
        }
    }
}

impl ScalekitError {
    /// Replaces every form of `secret` (the client secret, an access token) in the failure's
    /// message, error code, details, body and headers.
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.len() < MIN_SECRET_LEN {
            return self;
        }
        let forms = Forms::of(secret);
        match &mut self {
            ScalekitError::Validation { message, .. }
            | ScalekitError::Network { message, .. }
            | ScalekitError::Protocol { message }
            | ScalekitError::Local { message } => forms.text(message),
            ScalekitError::Http(failure) => {
                forms.text(&mut failure.message);
                if let Some(code) = failure.error_code.as_mut() {
                    forms.text(code);
                }
                if let Some(details) = failure.details.as_mut() {
                    forms.value(details);
                }
                if let Some(tool) = failure.tool_error.as_mut() {
                    forms.text(&mut tool.code);
                    forms.text(&mut tool.message);
                    forms.text(&mut tool.execution_id);
                }
                forms.bytes(&mut failure.body);
                failure
                    .headers
                    .iter_mut()
                    .for_each(|(_, v)| forms.header(v));
            }
            ScalekitError::Timeout { .. }
            | ScalekitError::NotActive { .. }
            | ScalekitError::TooLarge { .. }
            | ScalekitError::Aborted => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::CallKind;
    use http::HeaderMap;

    const SECRET: &str = "skc/with+base64=\"chars\" and space";

    fn echoed(body: String, headers: HeaderMap) -> ScalekitError {
        ScalekitError::from_response(CallKind::ControlPlane, 400, headers, Bytes::from(body))
    }

    #[test]
    fn every_form_of_the_secret_is_replaced_everywhere() {
        let forms = Forms::of(SECRET);
        assert_eq!(forms.0.len(), 4, "raw, percent-, form- and JSON-encoded");
        for form in &forms.0 {
            let message = serde_json::to_string(&format!("bad request: {form}")).unwrap();
            let body = format!(
                r#"{{"code":3,"message":{message},"details":[{{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":{message}}}]}}"#
            );
            let mut headers = HeaderMap::new();
            headers.insert(
                "x-echo",
                HeaderValue::from_str(&format!("client_secret={}", forms.0[1])).unwrap(),
            );
            let ScalekitError::Http(failure) = echoed(body, headers).redact(SECRET) else {
                panic!("expected an HTTP failure");
            };
            let shown = format!(
                "{} {:?} {} {:?} {:?}",
                failure.message,
                failure.error_code,
                failure
                    .details
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_default(),
                String::from_utf8_lossy(&failure.body),
                failure.headers,
            );
            for form in &forms.0 {
                assert!(!shown.contains(form.as_str()), "{form:?} left in {shown}");
            }
            assert!(failure.message.contains(MARK), "{}", failure.message);
            assert_eq!(failure.headers["x-echo"], "client_secret=[REDACTED]");
        }
    }

    #[test]
    fn a_short_value_is_not_taken_for_a_secret() {
        let err = ScalekitError::Protocol {
            message: "the token".into(),
        };
        assert_eq!(err.redact("token").to_string(), "the token");
    }
}
