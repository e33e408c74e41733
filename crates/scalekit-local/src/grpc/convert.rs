//! Between the gRPC messages and the REST binding's JSON (docs/wire-protocol.md §2, §4.1):
//! enums by proto number ⇄ name, `google.protobuf.Timestamp` ⇄ RFC 3339, `Struct` ⇄ plain JSON
//! object (keys untouched), the `authorization_details` oneof ⇄ its one-key object. Absent or
//! empty proto3 fields become absent JSON fields, as protojson would send them.

use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Timestamp};
use serde_json::{json, Map, Number, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::proto::scalekit::v1::connected_accounts::authorization_details::Details;
use super::proto::scalekit::v1::connected_accounts::{
    AuthorizationDetails, ConnectedAccount, GoogleDwdAuth, OauthToken, StaticAuth, TrustedIdpAuth,
};
use super::proto::scalekit::v1::connections::ListConnection;
use scalekit_wire::names::{CONNECTOR_STATUS_NAMES, CONNECTOR_TYPE_NAMES};

// ---- JSON → messages ----

pub fn struct_of(m: &Map<String, Value>) -> Struct {
    Struct {
        fields: m.iter().map(|(k, v)| (k.clone(), value_of(v))).collect(),
    }
}

pub fn value_of(v: &Value) -> prost_types::Value {
    let kind = match v {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(*b),
        Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        Value::String(s) => Kind::StringValue(s.clone()),
        Value::Array(a) => Kind::ListValue(ListValue {
            values: a.iter().map(value_of).collect(),
        }),
        Value::Object(m) => Kind::StructValue(struct_of(m)),
    };
    prost_types::Value { kind: Some(kind) }
}

/// An RFC 3339 JSON string as a Timestamp; anything else is absent.
pub fn timestamp(v: Option<&Value>) -> Option<Timestamp> {
    let t = OffsetDateTime::parse(v?.as_str()?, &Rfc3339).ok()?;
    Some(Timestamp {
        seconds: t.unix_timestamp(),
        nanos: i32::try_from(t.nanosecond()).unwrap_or_default(),
    })
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A JSON array of strings under `key` (a repeated string field); empty when absent.
pub fn texts(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// An enum name's proto number: its index in the name list (0, UNSPECIFIED, when unknown).
fn number(names: &[&str], v: &Value, key: &str) -> i32 {
    let name = text(v, key);
    names
        .iter()
        .position(|n| *n == name)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or_default()
}

/// The stored one-key object as the oneof (response side: secrets never returned are dropped).
pub fn details_of(v: &Value) -> Option<AuthorizationDetails> {
    let (kind, inner) = v.as_object()?.iter().next()?;
    let details = match kind.as_str() {
        "oauth_token" => Details::OauthToken(OauthToken {
            access_token: text(inner, "access_token"),
            refresh_token: text(inner, "refresh_token"),
            scopes: texts(inner, "scopes"),
            domain: text(inner, "domain"),
        }),
        "static_auth" => Details::StaticAuth(StaticAuth {
            details: inner
                .get("details")
                .and_then(Value::as_object)
                .map(struct_of),
        }),
        "google_dwd" => Details::GoogleDwd(GoogleDwdAuth {
            subject: text(inner, "subject"),
            access_token: text(inner, "access_token"),
            scopes: texts(inner, "scopes"),
            token_expires_at: timestamp(inner.get("token_expires_at")),
        }),
        "trusted_idp" => Details::TrustedIdp(TrustedIdpAuth {
            db_user: text(inner, "db_user"),
            access_key_id: text(inner, "access_key_id"),
            expiry: timestamp(inner.get("expiry")),
            ..TrustedIdpAuth::default()
        }),
        _ => return None,
    };
    Some(AuthorizationDetails {
        details: Some(details),
    })
}

/// `ConnectedAccount` from its REST JSON.
pub fn account(v: &Value) -> ConnectedAccount {
    ConnectedAccount {
        identifier: text(v, "identifier"),
        provider: text(v, "provider"),
        status: number(&CONNECTOR_STATUS_NAMES, v, "status"),
        authorization_type: number(&CONNECTOR_TYPE_NAMES, v, "authorization_type"),
        authorization_details: v.get("authorization_details").and_then(details_of),
        token_expires_at: timestamp(v.get("token_expires_at")),
        updated_at: timestamp(v.get("updated_at")),
        connector: text(v, "connector"),
        last_used_at: timestamp(v.get("last_used_at")),
        id: text(v, "id"),
        connection_id: text(v, "connection_id"),
        api_config: v
            .get("api_config")
            .and_then(Value::as_object)
            .map(struct_of),
    }
}

/// A list item from its REST JSON: the official `ConnectedAccountForList`, which is
/// `ConnectedAccount` without `authorization_details` and `api_config` (left unset here).
pub fn account_for_list(v: &Value) -> ConnectedAccount {
    ConnectedAccount {
        authorization_details: None,
        api_config: None,
        ..account(v)
    }
}

/// `ListConnection` from the REST JSON of a connection: type and status names read back into
/// numbers through the one table (crate::connections).
pub fn connection(v: &Value) -> ListConnection {
    ListConnection {
        id: text(v, "id"),
        r#type: crate::connections::type_number(&text(v, "type")),
        status: crate::connections::status_number(&text(v, "status")),
        enabled: v
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or_default(),
        provider_key: text(v, "provider_key"),
        key_id: text(v, "key_id"),
    }
}

/// Number of a JSON `uint32`/`usize` field (page totals).
pub fn count(v: &Value, key: &str) -> u32 {
    v.get(key)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(u32::MAX)
}

pub fn string(v: &Value, key: &str) -> String {
    text(v, key)
}

/// The items of the JSON list under `key` (none when absent).
pub fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// `$message { $field: $value, … }`, a list response, with the page fields every list response
/// carries (next and previous page token, total size) read from the REST page `$page`: the
/// generated messages share those fields but no trait that reaches them.
macro_rules! page {
    ($page:expr, $message:path { $($field:ident: $value:expr),+ $(,)? }) => {{
        let page: &serde_json::Value = $page;
        $message {
            $($field: $value,)+
            next_page_token: $crate::grpc::convert::string(page, "next_page_token"),
            prev_page_token: $crate::grpc::convert::string(page, "prev_page_token"),
            total_size: $crate::grpc::convert::count(page, "total_size"),
        }
    }};
}
pub(crate) use page;

// ---- messages → JSON ----

pub fn json_of_struct(s: &Struct) -> Map<String, Value> {
    s.fields
        .iter()
        .map(|(k, v)| (k.clone(), json_of_value(v)))
        .collect()
}

pub fn json_of_value(v: &prost_types::Value) -> Value {
    match &v.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::BoolValue(b)) => Value::Bool(*b),
        Some(Kind::NumberValue(f)) => number_json(*f),
        Some(Kind::StringValue(s)) => Value::String(s.clone()),
        Some(Kind::ListValue(l)) => Value::Array(l.values.iter().map(json_of_value).collect()),
        Some(Kind::StructValue(s)) => Value::Object(json_of_struct(s)),
    }
}

/// Struct numbers are doubles; integral ones go back to JSON integers, so `{"limit": 5}` sent
/// over gRPC reads `5` (not `5.0`) over REST.
fn number_json(f: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if f.fract() == 0.0 && f.abs() < EXACT {
        // In range and integral: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        return json!(f as i64);
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn put_text(m: &mut Map<String, Value>, key: &str, v: &str) {
    if !v.is_empty() {
        m.insert(key.to_owned(), json!(v));
    }
}

fn put_texts(m: &mut Map<String, Value>, key: &str, v: &[String]) {
    if !v.is_empty() {
        m.insert(key.to_owned(), json!(v));
    }
}

/// The oneof as its one-key JSON object (`{}` when unset), request side.
pub fn details_json(d: &AuthorizationDetails) -> Value {
    let mut inner = Map::new();
    let kind = match &d.details {
        None => return json!({}),
        Some(Details::OauthToken(t)) => {
            put_text(&mut inner, "access_token", &t.access_token);
            put_text(&mut inner, "refresh_token", &t.refresh_token);
            put_texts(&mut inner, "scopes", &t.scopes);
            put_text(&mut inner, "domain", &t.domain);
            "oauth_token"
        }
        Some(Details::StaticAuth(s)) => {
            if let Some(d) = &s.details {
                inner.insert("details".into(), Value::Object(json_of_struct(d)));
            }
            "static_auth"
        }
        Some(Details::GoogleDwd(g)) => {
            put_text(&mut inner, "subject", &g.subject);
            "google_dwd"
        }
        Some(Details::TrustedIdp(t)) => {
            put_text(&mut inner, "db_user", &t.db_user);
            "trusted_idp"
        }
    };
    json!({ kind: inner })
}

/// The `connected_account` write payload of create/update.
pub fn write_json(details: Option<&AuthorizationDetails>, api_config: Option<&Struct>) -> Value {
    let mut m = Map::new();
    if let Some(d) = details {
        m.insert("authorization_details".into(), details_json(d));
    }
    if let Some(c) = api_config {
        m.insert("api_config".into(), Value::Object(json_of_struct(c)));
    }
    Value::Object(m)
}

/// A JSON object with the given optional string fields (absent ones left out).
pub fn fields<'a>(
    pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Map<String, Value> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), json!(v))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_round_trip_with_integers() {
        let m = json!({"n": 5, "f": 1.5, "s": "x", "a": [true, null], "o": {"k": "v"}});
        let m = m.as_object().cloned().unwrap_or_default();
        assert_eq!(json_of_struct(&struct_of(&m)), m);
    }

    #[test]
    fn accounts_carry_enum_numbers_and_timestamps() {
        let a = account(&json!({
            "id": "ca_1", "status": "PENDING_VERIFICATION", "authorization_type": "BEARER_TOKEN",
            "updated_at": "2026-11-25T09:00:00.250Z",
            "authorization_details": {"static_auth": {"details": {"token": "t"}}},
        }));
        assert_eq!(a.status, 4);
        assert_eq!(a.authorization_type, 4);
        let ts = a.updated_at.unwrap_or_default();
        assert_eq!((ts.seconds, ts.nanos), (1_795_597_200, 250_000_000));
        let d = a.authorization_details.unwrap_or_default();
        assert_eq!(
            details_json(&d),
            json!({"static_auth": {"details": {"token": "t"}}})
        );
    }

    #[test]
    fn empty_oauth_token_stays_a_one_key_object() {
        let d = AuthorizationDetails {
            details: Some(Details::OauthToken(OauthToken::default())),
        };
        assert_eq!(details_json(&d), json!({"oauth_token": {}}));
        assert_eq!(details_json(&AuthorizationDetails::default()), json!({}));
    }
}
