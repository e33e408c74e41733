//! Keeps a credential out of a failure (docs/wire-protocol.md §3, "Secrets in failures"): a
//! server may echo back the token request's form body, or the bearer token it was sent, in its
//! message, its body or a header. A non-2xx answer is scrubbed before anything is read out of it
//! ([`Forms::answer`]), and every failure once more before it leaves the client
//! ([`ScalekitError::redact`]).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use percent_encoding::utf8_percent_encode;
use serde_json::Value;

use crate::errors::{CallKind, ScalekitError};
use crate::token_endpoint::RFC3986;

const MARK: &str = "[REDACTED]";
/// Too short a "secret" would match ordinary words of a message; real ones are long.
const MIN_SECRET_LEN: usize = 8;

/// The forms of one credential a server may send back.
struct Forms(Vec<String>);

impl Forms {
    /// As written; percent-encoded as the token request's form body sends it, and form-encoded
    /// (`+` for a space, as a server re-encoding the form would), each with upper- or lower-case
    /// hex digits; escaped inside a JSON string (a JSON body is also scrubbed decoded, whatever
    /// escapes it used: [`Forms::answer`]). `None` for a value too short to tell from words.
    fn of(secret: &str) -> Option<Self> {
        if secret.len() < MIN_SECRET_LEN {
            return None;
        }
        let quoted = serde_json::to_string(secret).unwrap_or_default();
        let percent = utf8_percent_encode(secret, RFC3986).to_string();
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let candidates = [
            secret.to_string(),
            lower_hex(&percent),
            lower_hex(&form),
            percent,
            form,
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
        Some(Forms(forms))
    }

    fn found_in(&self, text: &str) -> bool {
        self.0.iter().any(|form| text.contains(form.as_str()))
    }

    /// Whether anything was replaced.
    fn text(&self, text: &mut String) -> bool {
        let mut replaced = false;
        for form in &self.0 {
            if text.contains(form.as_str()) {
                *text = text.replace(form.as_str(), MARK);
                replaced = true;
            }
        }
        replaced
    }

    /// Every string of a JSON value, keys included; whether anything was replaced.
    fn value(&self, value: &mut Value) -> bool {
        match value {
            Value::String(text) => self.text(text),
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |replaced, item| self.value(item) | replaced),
            Value::Object(members) => {
                let mut replaced = false;
                if members.keys().any(|key| self.found_in(key)) {
                    let scrubbed = std::mem::take(members).into_iter().map(|(mut key, v)| {
                        self.text(&mut key);
                        (key, v)
                    });
                    *members = scrubbed.collect();
                    replaced = true;
                }
                members
                    .values_mut()
                    .fold(replaced, |replaced, item| self.value(item) | replaced)
            }
            _ => false,
        }
    }

    /// A body that is not JSON, as its (lossy) text.
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

    /// A non-2xx answer, before anything is read out of it (a text cut short could keep part of
    /// a credential): its headers, and its body as users read it (`err.data`): a JSON body
    /// decoded (`parsed`, encoded again into `body` when scrubbed), any other as its text.
    fn answer(&self, headers: &mut HeaderMap, body: &mut Bytes, parsed: Option<&mut Value>) {
        headers.iter_mut().for_each(|(_, v)| self.header(v));
        match parsed {
            Some(value) => {
                if self.value(value) {
                    *body = serde_json::to_vec(value)
                        .map(Bytes::from)
                        .unwrap_or_default();
                }
            }
            None => self.bytes(body),
        }
    }
}

/// `%2F` → `%2f`: a server re-encoding what it got may use either case.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            hex_left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    out
}

impl ScalekitError {
    /// [`ScalekitError::from_response`] for an answer to a request that carried `credentials`
    /// (the client secret, the bearer token): each is scrubbed from the answer before anything is
    /// read out of it.
    pub fn from_answer(
        kind: CallKind,
        status: u16,
        mut headers: HeaderMap,
        mut body: Bytes,
        credentials: &[&str],
    ) -> Self {
        let mut parsed: Option<Value> = serde_json::from_slice(&body).ok();
        for forms in credentials.iter().filter_map(|c| Forms::of(c)) {
            forms.answer(&mut headers, &mut body, parsed.as_mut());
        }
        Self::from_parsed(kind, status, headers, body, parsed)
    }

    /// Replaces every form of `secret` (the client secret, an access token) in the failure's
    /// message, error code, details, body and headers: the last guard, for failures built from
    /// other text too (a network error's URL, say).
    pub fn redact(mut self, secret: &str) -> Self {
        let Some(forms) = Forms::of(secret) else {
            return self;
        };
        match &mut self {
            ScalekitError::Validation { message, .. }
            | ScalekitError::Network { message, .. }
            | ScalekitError::Protocol { message }
            | ScalekitError::Local { message } => {
                forms.text(message);
            }
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

    const SECRET: &str = "skc/with+base64=\"chars\" and space";

    fn failure(body: String, headers: HeaderMap) -> crate::errors::HttpFailure {
        let answer = ScalekitError::from_answer(
            CallKind::ControlPlane,
            400,
            headers,
            Bytes::from(body),
            &[SECRET],
        );
        match answer.redact(SECRET) {
            ScalekitError::Http(failure) => *failure,
            other => panic!("expected an HTTP failure, got {other:?}"),
        }
    }

    fn shown(failure: &crate::errors::HttpFailure) -> String {
        format!(
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
        )
    }

    #[test]
    fn every_form_of_the_secret_is_replaced_everywhere() {
        let forms = Forms::of(SECRET).unwrap();
        assert_eq!(
            forms.0.len(),
            6,
            "raw, percent- and form-encoded in both hex cases, JSON-escaped"
        );
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
            let failure = failure(body, headers);
            let shown = shown(&failure);
            for form in &forms.0 {
                assert!(!shown.contains(form.as_str()), "{form:?} left in {shown}");
            }
            assert!(failure.message.contains(MARK), "{}", failure.message);
            assert_eq!(failure.headers["x-echo"], "client_secret=[REDACTED]");
        }
    }

    /// `\/` (PHP's json_encode) or `\u` escapes: the decoded body, what users read, is scrubbed,
    /// and the body is encoded again from it.
    #[test]
    fn a_json_body_is_scrubbed_as_decoded_whatever_its_escapes() {
        let escaped = SECRET
            .replace('/', "\\/")
            .replace('"', "\\u0022")
            .replace(' ', "\\u0020");
        let failure = failure(
            format!(r#"{{"code":3,"message":"bad {escaped}"}}"#),
            HeaderMap::new(),
        );
        let data: Value = serde_json::from_slice(&failure.body).unwrap();
        assert_eq!(data["message"], "bad [REDACTED]");
        assert_eq!(failure.message, "[invalid_argument] bad [REDACTED]");
    }

    /// A credential past the point where a long text is cut is gone before the cut: no part of it
    /// is left either side of the marker.
    #[test]
    fn a_credential_is_scrubbed_before_a_long_text_is_cut() {
        let secret = "Abcd1234!Efgh5678Ijkl:mnop qrst";
        for offset in 4080..4100 {
            let text = format!("{}{secret} and more", "x".repeat(offset));
            let body = serde_json::json!({ "code": 3, "message": text }).to_string();
            let answer = ScalekitError::from_answer(
                CallKind::ControlPlane,
                400,
                HeaderMap::new(),
                Bytes::from(body),
                &[secret],
            );
            let ScalekitError::Http(failure) = answer else {
                panic!("expected an HTTP failure");
            };
            for part in ["Abcd1234", "Efgh5678", "Ijkl:mnop", "qrst"] {
                assert!(!failure.message.contains(part), "{part} at {offset}");
            }
        }
    }

    #[test]
    fn hex_digits_of_either_case_are_found() {
        assert_eq!(lower_hex("a%2Fb%3D%2B"), "a%2fb%3d%2b");
        let mut text = format!("secret={}", lower_hex("skc%2Fwith%2Bbase64"));
        assert!(Forms::of("skc/with+base64").unwrap().text(&mut text));
        assert_eq!(text, "secret=[REDACTED]");
    }

    #[test]
    fn a_short_value_is_not_taken_for_a_secret() {
        let err = ScalekitError::Protocol {
            message: "the token".into(),
        };
        assert_eq!(err.redact("token").to_string(), "the token");
    }
}
