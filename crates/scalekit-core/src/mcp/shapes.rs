//! McpService answers → what `actions.mcp` resolves (docs/wire-protocol.md §13.3): the messages
//! in camelCase, strings and lists at their proto3 defaults when absent, `optional` fields and
//! timestamps only when sent (timestamps as RFC 3339 text, made `Date`s by `lib/dates.js`).

use serde_json::{json, Map, Value};

use crate::accounts::{field, page, put_opt, string_list, text, text_and_time, timestamp};
use crate::errors::ScalekitError;
use scalekit_wire::names::snake_to_camel;

/// The proto names of the plain string fields of a message, in proto order.
type Fields = &'static [&'static str];

/// The string fields of `v` named by `fields`, in camelCase, `""` when absent.
fn strings(v: &Value, fields: Fields) -> Map<String, Value> {
    fields
        .iter()
        .map(|snake| (snake_to_camel(snake), text(v, snake)))
        .collect()
}

/// `optional string` fields: present in the result only when the answer has them.
fn optional_strings(v: &Value, out: &mut Map<String, Value>, fields: Fields) {
    for snake in fields {
        put_opt(
            out,
            &snake_to_camel(snake),
            field(v, snake).filter(|f| f.is_string()).cloned(),
        );
    }
}

/// The items under `snake`, each through `item`.
fn list(v: &Value, snake: &str, item: impl Fn(&Value) -> Value) -> Value {
    Value::Array(
        field(v, snake)
            .and_then(Value::as_array)
            .map(|items| items.iter().map(item).collect())
            .unwrap_or_default(),
    )
}

const ACCOUNT_STATE: Fields = &["connected_account_id", "connected_account_status"];

/// A connection's fields, as a mapping and an auth-state row start.
const CONNECTION: Fields = &["connection_id", "connection_name", "provider"];

fn mapping(v: &Value) -> Value {
    let mut out = strings(v, CONNECTION);
    out.insert("tools".into(), string_list(v, "tools"));
    optional_strings(v, &mut out, ACCOUNT_STATE);
    Value::Object(out)
}

/// An `McpConfig`.
fn config(v: &Value) -> Value {
    let mut out = strings(v, &["id", "name", "description"]);
    out.insert(
        "connectionToolMappings".into(),
        list(v, "connection_tool_mappings", mapping),
    );
    out.insert("mcpServerUrl".into(), text(v, "mcp_server_url"));
    Value::Object(out)
}

/// An `McpInstance`.
fn instance(v: &Value) -> Value {
    let mut out = strings(v, &["id", "name", "user_identifier"]);
    put_opt(&mut out, "config", field(v, "config").map(config));
    put_opt(&mut out, "lastUsedAt", timestamp(v, "last_used_at"));
    put_opt(&mut out, "updatedAt", timestamp(v, "updated_at"));
    out.insert("url".into(), text(v, "url"));
    Value::Object(out)
}

/// A connection's state for one user: an `McpConnectionAuthState` (ListMcpConnectedAccounts),
/// whose account fields are `optional`, or an `McpInstanceConnectionAuthState`, whose are plain.
fn connection_state(v: &Value, account_optional: bool) -> Value {
    let mut out = strings(v, CONNECTION);
    if account_optional {
        optional_strings(v, &mut out, ACCOUNT_STATE);
    } else {
        out.extend(strings(v, ACCOUNT_STATE));
    }
    out.insert("authenticationLink".into(), text(v, "authentication_link"));
    Value::Object(out)
}

/// `{ <key>: item(answer[snake]) }`. A 2xx answer without it breaks the protocol: it fails rather
/// than resolve a result without the resource it is about.
fn one(
    answer: &Value,
    snake: &str,
    key: &str,
    item: fn(&Value) -> Value,
) -> Result<Value, ScalekitError> {
    let found = field(answer, snake).ok_or_else(|| ScalekitError::Protocol {
        message: format!("the answer has no {snake}"),
    })?;
    Ok(json!({ key: item(found) }))
}

/// `{config}`, as create, get and update answer.
pub(super) fn config_answer(answer: &Value) -> Result<Value, ScalekitError> {
    one(answer, "config", "config", config)
}

/// `{instance}`, as ensure, get and update answer.
pub(super) fn instance_answer(answer: &Value) -> Result<Value, ScalekitError> {
    one(answer, "instance", "instance", instance)
}

pub(super) fn configs_page(answer: &Value) -> Value {
    page(answer, "configs", list(answer, "configs", config))
}

pub(super) fn instances_page(answer: &Value) -> Value {
    page(answer, "instances", list(answer, "instances", instance))
}

pub(super) fn instance_auth_state(answer: &Value) -> Value {
    json!({ "connections": list(answer, "connections", |c| connection_state(c, false)) })
}

pub(super) fn connected_accounts(answer: &Value) -> Value {
    json!({ "connectedAccounts": list(answer, "connected_accounts", |c| connection_state(c, true)) })
}

/// `{token, expiresAt?}`; the token is required, as [`one`]'s resource.
pub(super) fn session_token(answer: &Value) -> Result<Value, ScalekitError> {
    text_and_time(answer, "token", "expires_at", "the answer has no token")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_take_the_camel_case_shape() {
        let wire_config = json!({"id": "cfg_1", "name": "daily", "mcp_server_url": "https://e/mcp/v3/servers/u",
            "connection_tool_mappings": [{"connection_id": "conn_1", "connection_name": "gmail", "provider": "GOOGLE",
                "tools": ["gmail_send"], "connected_account_status": "ACTIVE"}]});
        let expected_config = json!({"id": "cfg_1", "name": "daily", "description": "",
            "connectionToolMappings": [{"connectionId": "conn_1", "connectionName": "gmail", "provider": "GOOGLE",
                "tools": ["gmail_send"], "connectedAccountStatus": "ACTIVE"}],
            "mcpServerUrl": "https://e/mcp/v3/servers/u"});
        assert_eq!(
            config_answer(&json!({"config": wire_config})).unwrap(),
            json!({"config": expected_config})
        );
        // lowerCamel input (protojson's other spelling) reads the same.
        assert_eq!(
            config_answer(
                &json!({"config": {"id": "cfg_1", "mcpServerUrl": "u", "connectionToolMappings": [{"connectionName": "g"}]}})
            )
            .unwrap()["config"]["connectionToolMappings"][0]["connectionName"],
            "g"
        );
        let page = instances_page(
            &json!({"instances": [{"id": "inst_1", "user_identifier": "u",
            "config": wire_config, "updated_at": {"seconds": 1, "nanos": 0}, "last_used_at": "2026-01-02T03:04:05Z"}],
            "next_page_token": "n", "total_size": "3"}),
        );
        assert_eq!(
            page,
            json!({"instances": [{"id": "inst_1", "name": "", "userIdentifier": "u",
            "config": expected_config, "lastUsedAt": "2026-01-02T03:04:05Z", "updatedAt": "1970-01-01T00:00:01Z", "url": ""}],
            "nextPageToken": "n", "prevPageToken": "", "totalSize": 3})
        );
        assert_eq!(
            configs_page(&json!({})),
            json!({"configs": [], "nextPageToken": "", "prevPageToken": "", "totalSize": 0})
        );
        assert_eq!(
            connected_accounts(
                &json!({"connected_accounts": [{"connection_name": "gmail", "connected_account_id": "ca_1", "authentication_link": "https://l"}]})
            ),
            json!({"connectedAccounts": [{"connectionId": "", "connectionName": "gmail", "provider": "",
                "connectedAccountId": "ca_1", "authenticationLink": "https://l"}]})
        );
        assert_eq!(
            instance_auth_state(&json!({"connections": [{"connection_name": "gmail"}]})),
            json!({"connections": [{"connectionId": "", "connectionName": "gmail", "provider": "",
                "connectedAccountId": "", "connectedAccountStatus": "", "authenticationLink": ""}]})
        );
    }

    #[test]
    fn answers_must_hold_their_resource() {
        for missing in [
            instance_answer(&json!({})),
            config_answer(&json!({"config": null})),
        ] {
            assert!(
                matches!(missing, Err(ScalekitError::Protocol { .. })),
                "{missing:?}"
            );
        }
        assert_eq!(
            session_token(&json!({"token": "eyJ.x.y", "expires_at": "2026-01-01T01:00:00Z"}))
                .unwrap(),
            json!({"token": "eyJ.x.y", "expiresAt": "2026-01-01T01:00:00Z"})
        );
        let e = session_token(&json!({"expires_at": "2026-01-01T01:00:00Z"})).unwrap_err();
        assert!(matches!(e, ScalekitError::Protocol { .. }), "{e:?}");
    }
}
