//! Connected-account operations: REST bodies and queries (spec §4) and their results.

use serde_json::{Map, Value};

use crate::errors::ScalekitError;

/// Which connected account a call is about: by id, or by connection name + identifier (+ scope).
#[derive(Debug, Clone, Default)]
pub struct AccountRef {
    pub connection_name: Option<String>,
    pub identifier: Option<String>,
    pub connected_account_id: Option<String>,
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MagicLinkParams {
    pub account: AccountRef,
    pub state: Option<String>,
    pub user_verify_url: Option<String>,
}

/// `POST /api/v1/connected_accounts/magic_link` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MagicLink {
    pub link: String,
    /// RFC 3339, as the server sent it.
    pub expiry: Option<String>,
}

pub const MAGIC_LINK_PATH: &str = "/api/v1/connected_accounts/magic_link";

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

fn trimmed(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl AccountRef {
    /// The official SDK's check: an id, or both connection name and identifier.
    pub fn check(&self) -> Result<(), ScalekitError> {
        if trimmed(&self.connected_account_id).is_some()
            || (trimmed(&self.connection_name).is_some() && trimmed(&self.identifier).is_some())
        {
            return Ok(());
        }
        Err(ScalekitError::validation(
            "connectedAccountId",
            "either connectedAccountId or connectionName + identifier is required",
        ))
    }

    /// The request fields in the official SDK's order; unset or empty ones are never sent.
    pub fn write_fields(&self, body: &mut Map<String, Value>) {
        let fields = [
            ("connector", trimmed(&self.connection_name)),
            ("identifier", trimmed(&self.identifier)),
            ("organization_id", non_empty(&self.organization_id)),
            ("user_id", non_empty(&self.user_id)),
            ("id", trimmed(&self.connected_account_id)),
        ];
        for (name, value) in fields {
            if let Some(v) = value {
                body.insert(name.to_string(), Value::String(v.to_string()));
            }
        }
    }
}

/// The JSON body of the magic-link request.
pub fn magic_link_body(params: &MagicLinkParams) -> Result<Value, ScalekitError> {
    params.account.check()?;
    let mut body = Map::new();
    params.account.write_fields(&mut body);
    if let Some(state) = non_empty(&params.state) {
        body.insert("state".into(), Value::String(state.to_string()));
    }
    if let Some(url) = non_empty(&params.user_verify_url) {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ScalekitError::validation(
                "userVerifyUrl",
                format!("userVerifyUrl must be an http(s) URL, got {url:?}"),
            ));
        }
        body.insert("user_verify_url".into(), Value::String(url.to_string()));
    }
    Ok(Value::Object(body))
}

pub fn read_magic_link(answer: &Value) -> Result<MagicLink, ScalekitError> {
    let link = answer
        .get("link")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ScalekitError::Protocol {
            message: "the magic-link answer has no link".into(),
        })?;
    let expiry = answer
        .get("expiry")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    Ok(MagicLink {
        link: link.to_string(),
        expiry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn magic_link_body_omits_empty_fields_in_sdk_order() {
        let body = magic_link_body(&MagicLinkParams {
            account: AccountRef {
                connection_name: Some("gmail".into()),
                identifier: Some("user@example.com".into()),
                organization_id: Some(String::new()),
                ..Default::default()
            },
            state: Some("csrf".into()),
            user_verify_url: Some("https://app.example.com/verify".into()),
        })
        .unwrap();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"connector":"gmail","identifier":"user@example.com","state":"csrf","user_verify_url":"https://app.example.com/verify"}"#
        );
    }

    #[test]
    fn magic_link_needs_an_account() {
        let err = magic_link_body(&MagicLinkParams {
            account: AccountRef {
                connection_name: Some("gmail".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "either connectedAccountId or connectionName + identifier is required"
        );
        let by_id = magic_link_body(&MagicLinkParams {
            account: AccountRef {
                connected_account_id: Some("ca_1".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        assert_eq!(by_id, json!({"id": "ca_1"}));
    }

    #[test]
    fn reads_the_answer() {
        let link =
            read_magic_link(&json!({"link": "https://x/l", "expiry": "2026-11-25T09:15:00Z"}))
                .unwrap();
        assert_eq!(link.expiry.as_deref(), Some("2026-11-25T09:15:00Z"));
        assert!(read_magic_link(&json!({})).is_err());
    }
}
