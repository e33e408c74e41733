//! Authorization details (a connected account's credentials): their wire shape and when they are
//! usable. Requests and seeded accounts both go through here.

use serde_json::{json, Map, Value};

use crate::model::WritePayload;
use crate::wire::{ApiError, Input};
use scalekit_wire::names::camel_to_snake as snake;

/// Usable credentials make a new account ACTIVE (docs/wire-protocol.md §8).
pub fn usable(details: &Value) -> bool {
    let non_empty = |v: Option<&Value>| match v {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        _ => false,
    };
    non_empty(details.pointer("/oauth_token/access_token"))
        || non_empty(details.pointer("/static_auth/details"))
        || non_empty(details.pointer("/google_dwd/subject"))
        || non_empty(details.pointer("/trusted_idp/db_user"))
}

/// Authorization details in wire shape (snake_case message fields; Struct contents untouched).
/// `{}` means "not set" (an empty oneof).
pub fn normalize_details(m: &Map<String, Value>) -> Result<Option<Value>, ApiError> {
    const FIELD: &str = "connected_account.authorization_details";
    const KINDS: [&str; 4] = ["oauth_token", "static_auth", "google_dwd", "trusted_idp"];
    let input = Input(m);
    let set: Vec<(&str, &Value)> = KINDS
        .iter()
        .filter_map(|k| input.get(k).map(|v| (*k, v)))
        .collect();
    let (kind, value) = match set.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        _ => {
            return Err(ApiError::invalid(format!(
                "{FIELD}: only one of oauth_token, static_auth, google_dwd, trusted_idp may be set"
            )))
        }
    };
    let Value::Object(inner) = value else {
        return Err(ApiError::invalid(format!(
            "{FIELD}.{kind}: must be an object"
        )));
    };
    let mut out = Map::new();
    if kind == "static_auth" {
        match Input(inner).get("details") {
            None => {}
            Some(Value::Object(d)) => {
                out.insert("details".into(), Value::Object(d.clone()));
            }
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "{FIELD}.static_auth.details: must be an object"
                )))
            }
        }
    } else {
        for (k, v) in inner {
            if v.is_null() {
                continue;
            }
            let key = snake(k);
            let ok = match key.as_str() {
                "scopes" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
                _ => v.is_string() || v.is_array(),
            };
            if !ok {
                return Err(ApiError::invalid(format!(
                    "{FIELD}.{kind}.{key}: wrong type"
                )));
            }
            out.insert(key, v.clone());
        }
    }
    Ok(Some(json!({ kind: out })))
}

/// The `connected_account` write payload of create/update.
pub fn read_write_payload(write: &Map<String, Value>) -> Result<WritePayload, ApiError> {
    let input = Input(write);
    let details = match input.object("authorization_details") {
        Ok(Some(m)) => normalize_details(m)?,
        Ok(None) => None,
        Err(_) => {
            return Err(ApiError::invalid(
                "connected_account.authorization_details: must be an object",
            ))
        }
    };
    let api_config = input
        .object("api_config")
        .map_err(|_| ApiError::invalid("connected_account.api_config: must be an object"))?
        .cloned();
    Ok(WritePayload {
        details,
        api_config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::camel;

    #[test]
    fn normalizes_camel_details() {
        let m = serde_json::from_str::<Map<String, Value>>(
            r#"{"oauthToken":{"accessToken":"a","refreshToken":"r","scopes":["s"]}}"#,
        )
        .unwrap_or_default();
        let d = normalize_details(&m).ok().flatten();
        assert_eq!(
            d,
            Some(json!({"oauth_token":{"access_token":"a","refresh_token":"r","scopes":["s"]}}))
        );
        assert!(d.as_ref().is_some_and(usable));
        let m = serde_json::from_str::<Map<String, Value>>(
            r#"{"staticAuth":{"details":{"apiKey":"k"}}}"#,
        )
        .unwrap_or_default();
        // Struct contents are not case-converted.
        assert_eq!(
            normalize_details(&m).ok().flatten(),
            Some(json!({"static_auth":{"details":{"apiKey":"k"}}}))
        );
        let both =
            serde_json::from_str::<Map<String, Value>>(r#"{"oauth_token":{},"static_auth":{}}"#)
                .unwrap_or_default();
        assert!(normalize_details(&both).is_err());
        assert!(!usable(&json!({"oauth_token":{}})));
    }

    #[test]
    fn camel_and_snake() {
        assert_eq!(camel("organization_id"), "organizationId");
        assert_eq!(snake("accessToken"), "access_token");
    }
}
