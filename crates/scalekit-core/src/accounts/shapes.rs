//! Answers → the shapes the official SDK resolves (docs/wire-protocol.md §7: camelCase, oneof
//! as `{ case, value }`), with enums as their names and timestamps as RFC 3339 strings.

use serde_json::{json, Map, Value};

use super::DETAIL_CASES;
use crate::errors::ScalekitError;
use scalekit_wire::names::{snake_to_camel, CONNECTOR_STATUS_NAMES, CONNECTOR_TYPE_NAMES};

/// A field by its proto name, or its lowerCamel JSON name (protojson emits either).
pub(crate) fn field<'a>(v: &'a Value, snake: &str) -> Option<&'a Value> {
    v.get(snake)
        .or_else(|| v.get(snake_to_camel(snake)))
        .filter(|f| !f.is_null())
}

pub(crate) fn text(v: &Value, snake: &str) -> Value {
    Value::String(
        field(v, snake)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    )
}

/// Enums arrive as names (or, leniently, numbers); they leave as names.
pub(crate) fn enum_name(v: &Value, snake: &str, names: &[&str]) -> Value {
    let name = match field(v, snake) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|i| names.get(i as usize))
            .map_or_else(|| n.to_string(), |s| s.to_string()),
        _ => names[0].to_string(),
    };
    Value::String(name)
}

pub(crate) fn put_opt(out: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        out.insert(key.to_string(), v);
    }
}

/// RFC 3339 strings and `{seconds, nanos}` objects, as RFC 3339 in the form JS's `Date` reads
/// (`T`, `Z`, no leap second). A value that is neither is left out, as the field's absence: a
/// server's `"garbage"` must not become an `Invalid Date` (docs/wire-protocol.md §2).
pub(crate) fn timestamp(v: &Value, snake: &str) -> Option<Value> {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    match field(v, snake)? {
        Value::String(s) => time::OffsetDateTime::parse(s, rfc3339)
            .ok()?
            .format(rfc3339)
            .ok()
            .map(Value::String),
        Value::Object(o) => {
            let seconds = o.get("seconds").and_then(|s| {
                s.as_i64()
                    .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
            })?;
            let nanos = o
                .get("nanos")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .clamp(0, 999_999_999);
            // Checked: the values come from the server, and an overflow must not panic.
            let when = time::OffsetDateTime::from_unix_timestamp(seconds)
                .ok()?
                .checked_add(time::Duration::nanoseconds(nanos))?;
            when.format(rfc3339).ok().map(Value::String)
        }
        _ => None,
    }
}

pub(crate) fn string_list(v: &Value, snake: &str) -> Value {
    Value::Array(
        field(v, snake)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter(|i| i.is_string()).cloned().collect())
            .unwrap_or_default(),
    )
}

/// `authorization_details` → `{ details: { case, value } }`.
fn details_to_sdk(details: &Value) -> Value {
    for (wire, case) in DETAIL_CASES {
        let Some(member) = field(details, wire) else {
            continue;
        };
        let value = match wire {
            "oauth_token" => json!({
                "accessToken": text(member, "access_token"),
                "refreshToken": text(member, "refresh_token"),
                "scopes": string_list(member, "scopes"),
                "domain": text(member, "domain"),
            }),
            "static_auth" => json!({
                "details": field(member, "details").cloned().unwrap_or_else(|| json!({})),
            }),
            "google_dwd" => {
                let mut v = json!({
                    "subject": text(member, "subject"),
                    "accessToken": text(member, "access_token"),
                    "scopes": string_list(member, "scopes"),
                });
                if let Some(obj) = v.as_object_mut() {
                    put_opt(obj, "tokenExpiresAt", timestamp(member, "token_expires_at"));
                }
                v
            }
            _ => {
                let mut v = json!({
                    "dbUser": text(member, "db_user"),
                    "accessKeyId": text(member, "access_key_id"),
                });
                if let Some(obj) = v.as_object_mut() {
                    put_opt(obj, "expiry", timestamp(member, "expiry"));
                }
                v
            }
        };
        return json!({"details": {"case": case, "value": value}});
    }
    json!({"details": {}})
}

/// A `ConnectedAccount` (or list item) in the SDK's shape.
pub fn account_to_sdk(v: &Value) -> Value {
    let mut out = Map::new();
    for key in ["id", "identifier", "provider", "connector"] {
        out.insert(key.to_string(), text(v, key));
    }
    out.insert("connectionId".into(), text(v, "connection_id"));
    out.insert(
        "status".into(),
        enum_name(v, "status", &CONNECTOR_STATUS_NAMES),
    );
    out.insert(
        "authorizationType".into(),
        enum_name(v, "authorization_type", &CONNECTOR_TYPE_NAMES),
    );
    put_opt(
        &mut out,
        "authorizationDetails",
        field(v, "authorization_details").map(details_to_sdk),
    );
    put_opt(&mut out, "tokenExpiresAt", timestamp(v, "token_expires_at"));
    put_opt(&mut out, "updatedAt", timestamp(v, "updated_at"));
    put_opt(&mut out, "lastUsedAt", timestamp(v, "last_used_at"));
    put_opt(&mut out, "apiConfig", field(v, "api_config").cloned());
    Value::Object(out)
}

/// `{connected_account}` → `{connectedAccount?}`.
pub fn account_answer(answer: &Value) -> Value {
    let mut out = Map::new();
    put_opt(
        &mut out,
        "connectedAccount",
        field(answer, "connected_account").map(account_to_sdk),
    );
    Value::Object(out)
}

pub(crate) fn number(v: &Value, snake: &str) -> Value {
    let n = field(v, snake)
        .and_then(|n| {
            n.as_u64()
                .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(0);
    Value::from(n)
}

pub fn list_answer(answer: &Value) -> Value {
    let accounts: Vec<Value> = field(answer, "connected_accounts")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(account_to_sdk).collect())
        .unwrap_or_default();
    json!({
        "connectedAccounts": accounts,
        "totalSize": number(answer, "total_size"),
        "nextPageToken": text(answer, "next_page_token"),
        "prevPageToken": text(answer, "prev_page_token"),
    })
}

/// `{<text>, <time>?}` (camelCase) of an answer that must hold a non-empty `text` (a link, a
/// token): without it, the answer breaks the protocol, and `missing` says so.
pub(crate) fn text_and_time(
    answer: &Value,
    text: &str,
    time: &str,
    missing: &str,
) -> Result<Value, ScalekitError> {
    let value = field(answer, text)
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ScalekitError::Protocol {
            message: missing.into(),
        })?;
    let mut out = Map::new();
    out.insert(snake_to_camel(text), value.into());
    put_opt(&mut out, &snake_to_camel(time), timestamp(answer, time));
    Ok(Value::Object(out))
}

pub fn magic_link_answer(answer: &Value) -> Result<Value, ScalekitError> {
    text_and_time(
        answer,
        "link",
        "expiry",
        "the magic-link answer has no link",
    )
}

pub fn verify_answer(answer: &Value) -> Value {
    json!({"postUserVerifyRedirectUrl": text(answer, "post_user_verify_redirect_url")})
}

pub fn execute_tool_answer(answer: &Value) -> Value {
    let mut out = Map::new();
    put_opt(&mut out, "data", field(answer, "data").cloned());
    out.insert("executionId".into(), text(answer, "execution_id"));
    Value::Object(out)
}

/// The SDK's `mapAppConnection`: enum names as strings, `key_id` as `connectionName`.
pub fn connections_answer(answer: &Value) -> Value {
    page_of(answer, "connections", |c| {
        let mut out = Map::new();
        out.insert("id".into(), text(c, "id"));
        out.insert("type".into(), text_or_number(c, "type"));
        out.insert("status".into(), text_or_number(c, "status"));
        out.insert(
            "enabled".into(),
            Value::Bool(
                field(c, "enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
        );
        out.insert("provider".into(), text(c, "provider_key"));
        out.insert("connectionName".into(), text(c, "key_id"));
        put_opt(&mut out, "createdAt", timestamp(c, "created_at"));
        Some(Value::Object(out))
    })
}

/// The list page of the items under `key` (one name in the answer and in JS), each through
/// `item`; an item it answers `None` for is left out.
pub(crate) fn page_of(
    answer: &Value,
    key: &str,
    item: impl FnMut(&Value) -> Option<Value>,
) -> Value {
    let items = field(answer, key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(item)
        .collect();
    page(answer, key, Value::Array(items))
}

/// A list page: `{ <key>: items, nextPageToken, prevPageToken, totalSize }`.
pub(crate) fn page(answer: &Value, key: &str, items: Value) -> Value {
    json!({
        key: items,
        "nextPageToken": text(answer, "next_page_token"),
        "prevPageToken": text(answer, "prev_page_token"),
        "totalSize": number(answer, "total_size"),
    })
}

fn text_or_number(v: &Value, snake: &str) -> Value {
    match field(v, snake) {
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(Value::Number(n)) => Value::String(n.to_string()),
        _ => Value::String(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn accounts_convert_to_the_sdk_shape() {
        let wire = json!({"connected_account": {
            "id": "ca_1", "identifier": "u", "provider": "google", "connector": "gmail",
            "connection_id": "conn_1", "status": "ACTIVE", "authorization_type": 1,
            "authorization_details": {"oauth_token": {"access_token": "at", "scopes": ["s"]}},
            "token_expires_at": "2026-11-25T10:00:00Z", "updated_at": {"seconds": "0", "nanos": 0},
            "api_config": {"some_key": {"nested_key": 1}}}});
        assert_eq!(
            account_answer(&wire),
            json!({"connectedAccount": {
                "id": "ca_1", "identifier": "u", "provider": "google", "connector": "gmail",
                "connectionId": "conn_1", "status": "ACTIVE", "authorizationType": "OAUTH",
                "authorizationDetails": {"details": {"case": "oauthToken", "value": {
                    "accessToken": "at", "refreshToken": "", "scopes": ["s"], "domain": ""}}},
                "tokenExpiresAt": "2026-11-25T10:00:00Z", "updatedAt": "1970-01-01T00:00:00Z",
                "apiConfig": {"some_key": {"nested_key": 1}}}})
        );
        assert_eq!(account_answer(&json!({})), json!({}));
        // Out-of-range timestamps from the server are dropped, never a panic.
        let odd = account_answer(&json!({"connected_account": {
            "updated_at": {"seconds": 253402300799i64, "nanos": 2000000000},
            "last_used_at": {"seconds": i64::MAX}}}));
        assert_eq!(
            odd["connectedAccount"]["updatedAt"],
            "9999-12-31T23:59:59.999999999Z"
        );
        assert!(odd["connectedAccount"].get("lastUsedAt").is_none());
        let list = list_answer(
            &json!({"connected_accounts": [{"id": "ca_2", "status": "PENDING_AUTH"}], "total_size": 1}),
        );
        assert_eq!(list["totalSize"], 1);
        assert_eq!(list["nextPageToken"], "");
        assert_eq!(list["connectedAccounts"][0]["status"], "PENDING_AUTH");
        assert_eq!(
            list["connectedAccounts"][0]["authorizationType"],
            "CONNECTION_TYPE_UNSPECIFIED"
        );
    }

    #[test]
    fn timestamps_that_are_not_rfc_3339_are_left_out() {
        let at = |value: Value| timestamp(&json!({ "t": value }), "t");
        for bad in [
            json!("garbage"),
            json!("2026-13-45T99:99:99Z"),
            json!(""),
            json!("2026-11-25"),
            json!("2026-11-25 10:00:00"),
            json!(1764064800),
            json!({"seconds": "x"}),
        ] {
            assert_eq!(at(bad.clone()), None, "{bad}");
        }
        let ok = |text: &str| at(json!(text)).and_then(|v| v.as_str().map(str::to_string));
        assert_eq!(
            ok("2026-11-25T10:00:00Z").as_deref(),
            Some("2026-11-25T10:00:00Z")
        );
        assert_eq!(
            ok("2026-11-25T10:00:00.123+05:30").as_deref(),
            Some("2026-11-25T10:00:00.123+05:30")
        );
        // What RFC 3339 allows and `new Date` does not read comes out in the form it reads.
        assert_eq!(
            ok("2026-11-25t10:00:00.5z").as_deref(),
            Some("2026-11-25T10:00:00.5Z")
        );
        let leap = ok("2016-12-31T23:59:60Z").unwrap_or_default();
        assert!(leap.starts_with("2016-12-31T23:59:59"), "{leap}");
        // The account's fields go the same way: absent, never the server's text.
        let account = account_answer(&json!({"connected_account": {
            "id": "ca_1", "updated_at": "garbage", "token_expires_at": "2026-13-45T99:99:99Z"}}));
        assert!(account["connectedAccount"].get("updatedAt").is_none());
        assert!(account["connectedAccount"].get("tokenExpiresAt").is_none());
    }
}
