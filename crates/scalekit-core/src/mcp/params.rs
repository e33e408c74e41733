//! The argument rules of `actions.mcp` (docs/wire-protocol.md §13.2): the names each method
//! takes, and the server's own validation rules (name, identifier, mappings, page size, token
//! lifetime and access level) checked before anything is sent.

use serde_json::{Map, Value};

use super::McpOperation;
use crate::accounts::{only, push, Params, Query};
use crate::errors::ScalekitError;

/// ListMcpConfigs and ListMcpInstances take at most 30 per page.
pub(super) const MAX_PAGE_SIZE: u32 = 30;
/// A configuration maps at most 25 connections.
const MAX_MAPPINGS: usize = 25;
/// McpConfig.name, and the `filter.name` of ListMcpConfigs.
const MAX_NAME: usize = 100;
/// The identifier a session token acts for.
const MAX_IDENTIFIER: usize = 255;
/// A session token lives 60 s to 24 h.
const EXPIRY_SECONDS: std::ops::RangeInclusive<f64> = 60.0..=86_400.0;

/// A filter's fields: (JS name, the name its errors give, query key); all are strings.
type FilterFields = [(&'static str, &'static str, &'static str); 4];

/// `FilterFields` from each field's JS name, and its proto name where that differs: the error
/// names `filter.<JS name>`, the query `filter.<proto name>`.
macro_rules! filter_fields {
    ($($js:ident $(: $proto:ident)?),+) => {
        [$((
            stringify!($js),
            concat!("filter.", stringify!($js)),
            concat!("filter.", filter_fields!(@proto $js $($proto)?)),
        )),+]
    };
    (@proto $js:ident) => { stringify!($js) };
    (@proto $js:ident $proto:ident) => { stringify!($proto) };
}

const CONFIG_FILTER: FilterFields =
    filter_fields![id, name, provider, mcpServerUrl: mcp_server_url];
const INSTANCE_FILTER: FilterFields =
    filter_fields![id, name, configName: config_name, userIdentifier: user_identifier];

/// A mapping's fields: the two a request carries, then the ones only answers fill (accepted, so
/// that a mapping read from a configuration can be sent back, and never sent).
const MAPPING_FIELDS: [&str; 6] = [
    "connectionName",
    "tools",
    "connectionId",
    "provider",
    "connectedAccountId",
    "connectedAccountStatus",
];

/// The params each method takes: every other name is refused, so that a misspelt one is not
/// silently left out of the request.
fn takes(operation: McpOperation) -> &'static [&'static str] {
    use McpOperation as Op;
    match operation {
        Op::ListConfigs | Op::ListInstances => &["filter", "search", "pageSize", "pageToken"],
        Op::CreateConfig => &["name", "description", "connectionToolMappings"],
        Op::GetConfig | Op::DeleteConfig => &["configId"],
        Op::UpdateConfig => &["configId", "description", "connectionToolMappings"],
        Op::EnsureInstance => &["configName", "userIdentifier", "name"],
        Op::GetInstance | Op::DeleteInstance => &["instanceId"],
        Op::UpdateInstance => &["instanceId", "name", "configName"],
        Op::GetInstanceAuthState => &["instanceId", "includeAuthLinks"],
        Op::ListConnectedAccounts => &["configId", "identifier", "includeAuthLink"],
        Op::CreateSessionToken => &[
            "mcpConfigId",
            "connectionName",
            "identifier",
            "expiresInSeconds",
            "accessLevel",
        ],
    }
}

/// Every top-level name is one the method takes (docs/architecture.md, "Argument rules").
pub(super) fn check_keys(operation: McpOperation, params: &Params) -> Result<(), ScalekitError> {
    let what = format!("actions.{}", operation.name());
    only(Some("params"), &what, params.keys(), takes(operation))
}

/// `filter`'s fields into `query`, in proto order; returned as params named `filter.<name>`, so
/// that a rule's message names the whole path.
fn filter(
    params: &Params,
    fields: &FilterFields,
    query: &mut Query,
) -> Result<Params, ScalekitError> {
    let Some(Value::Object(given)) = params.object("filter")? else {
        return Ok(Params::default());
    };
    let names: Vec<&str> = fields.iter().map(|(name, ..)| *name).collect();
    only(
        Some("filter"),
        "filter",
        given.keys().map(String::as_str),
        &names,
    )?;
    let filter = Params::from_map(
        fields
            .iter()
            .filter_map(|(name, label, _)| Some((label.to_string(), given.get(*name)?.clone())))
            .collect(),
    );
    for (_, label, key) in fields {
        push(query, key, filter.truthy(label)?);
    }
    Ok(filter)
}

/// ListMcpConfigs' filter; its `name` may hold capitals (a case-insensitive match).
pub(super) fn config_filter(params: &Params, query: &mut Query) -> Result<(), ScalekitError> {
    let filter = filter(params, &CONFIG_FILTER, query)?;
    match filter.truthy("filter.name")? {
        Some(name) if !fits(name, |c| c.is_ascii_alphanumeric() || c == '_' || c == '-') => {
            Err(ScalekitError::validation(
                "filter.name",
                format!(
                    "filter.name must be at most {MAX_NAME} characters of letters, digits, _ and \
                     -, got {name:?}"
                ),
            ))
        }
        _ => Ok(()),
    }
}

pub(super) fn instance_filter(params: &Params, query: &mut Query) -> Result<(), ScalekitError> {
    filter(params, &INSTANCE_FILTER, query).map(drop)
}

/// At most [`MAX_NAME`] characters, each one `allowed` accepts.
fn fits(name: &str, allowed: fn(char) -> bool) -> bool {
    name.chars().count() <= MAX_NAME && name.chars().all(allowed)
}

/// McpConfig.name: required, 1–100 characters of a–z, 0–9, `_` and `-` (fixed once created).
pub(super) fn config_name(params: &Params) -> Result<&str, ScalekitError> {
    let name = params.required("name")?;
    if !fits(name, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
    }) {
        return Err(ScalekitError::validation(
            "name",
            format!("name must be 1 to {MAX_NAME} characters of a-z, 0-9, _ and -, got {name:?}"),
        ));
    }
    Ok(name)
}

/// An id that goes into the path: required, trimmed, and never a dot segment (a URL would
/// resolve `..` to another resource).
pub(super) fn path_id(params: &Params, name: &'static str) -> Result<String, ScalekitError> {
    let id = params.required(name)?.trim();
    if id == "." || id == ".." {
        return Err(ScalekitError::validation(
            name,
            format!("{name} cannot be {id:?}"),
        ));
    }
    Ok(id.to_string())
}

/// The identifier of a session token: required, at most 255 characters.
pub(super) fn token_identifier(params: &Params) -> Result<&str, ScalekitError> {
    let identifier = params.required("identifier")?;
    if identifier.chars().count() > MAX_IDENTIFIER {
        return Err(ScalekitError::validation(
            "identifier",
            format!("identifier must be at most {MAX_IDENTIFIER} characters"),
        ));
    }
    Ok(identifier)
}

/// Where a session token is for: exactly one of an MCP configuration and a connection.
pub(super) enum TokenTarget {
    Config(String),
    Connection(String),
}

pub(super) fn token_target(params: &Params) -> Result<TokenTarget, ScalekitError> {
    let config = params.trimmed("mcpConfigId")?;
    let connection = params.trimmed("connectionName")?;
    match (config, connection) {
        (Some(_), None) => Ok(TokenTarget::Config(path_id(params, "mcpConfigId")?)),
        (None, Some(_)) => Ok(TokenTarget::Connection(path_id(params, "connectionName")?)),
        (None, None) => Err(ScalekitError::validation(
            "mcpConfigId",
            "either mcpConfigId or connectionName is required",
        )),
        (Some(_), Some(_)) => Err(ScalekitError::validation(
            "connectionName",
            "pass either mcpConfigId or connectionName, not both: a session token is for one \
             MCP configuration or for one connection's MCP server",
        )),
    }
}

/// `expiresInSeconds` as a protobuf Duration in JSON (`"3600s"`): a whole number from 60 to
/// 86400; absent, the server's default (1 h).
pub(super) fn expiry(params: &Params) -> Result<Option<String>, ScalekitError> {
    match params.number("expiresInSeconds")? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && EXPIRY_SECONDS.contains(&n) => Ok(Some(format!("{n}s"))),
        Some(n) => Err(ScalekitError::validation(
            "expiresInSeconds",
            format!("expiresInSeconds must be a whole number from 60 to 86400 (24 h), got {n}"),
        )),
    }
}

/// `accessLevel`: `FULL` or `READ_ONLY`, as the server spells them (case-sensitive).
pub(super) fn access_level(params: &Params) -> Result<Option<&str>, ScalekitError> {
    match params.truthy("accessLevel")? {
        None => Ok(None),
        Some(level @ ("FULL" | "READ_ONLY")) => Ok(Some(level)),
        Some(other) => Err(ScalekitError::validation(
            "accessLevel",
            format!("accessLevel must be 'FULL' or 'READ_ONLY', got {other:?}"),
        )),
    }
}

/// `connectionToolMappings` in wire shape (`connection_name`, `tools`); `None` when not given.
pub(super) fn mappings(params: &Params) -> Result<Option<Vec<Value>>, ScalekitError> {
    const NAME: &str = "connectionToolMappings";
    let bad = |message: String| ScalekitError::validation(NAME, message);
    let items = match params.raw(NAME) {
        None => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(bad(format!("{NAME} must be an array"))),
    };
    if items.len() > MAX_MAPPINGS {
        return Err(bad(format!(
            "{NAME} holds at most {MAX_MAPPINGS} mappings, got {}",
            items.len()
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Object(fields) = item else {
                return Err(bad(format!(
                    "{NAME}[{i}] must be an object {{ connectionName, tools? }}"
                )));
            };
            only(
                Some(NAME),
                &format!("{NAME}[{i}]"),
                fields.keys().map(String::as_str),
                &MAPPING_FIELDS,
            )?;
            let name = match fields.get("connectionName") {
                Some(Value::String(s)) if !s.trim().is_empty() => s,
                _ => {
                    return Err(bad(format!(
                        "{NAME}[{i}].connectionName is required (a string)"
                    )))
                }
            };
            let mut wire = Map::new();
            wire.insert("connection_name".into(), name.as_str().into());
            match fields.get("tools") {
                None | Some(Value::Null) => {}
                Some(Value::Array(tools)) if tools.iter().all(Value::is_string) => {
                    // Empty is every tool of the connection, as when not sent.
                    if !tools.is_empty() {
                        wire.insert("tools".into(), Value::Array(tools.clone()));
                    }
                }
                Some(_) => {
                    return Err(bad(format!(
                        "{NAME}[{i}].tools must be an array of strings"
                    )))
                }
            }
            Ok(Value::Object(wire))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{params, refused};
    use serde_json::json;

    #[test]
    fn unknown_names_are_refused_with_what_the_method_takes() {
        let (argument, message) = refused(check_keys(
            McpOperation::GetConfig,
            &params(json!({"confgId": "cfg_1"})),
        ));
        assert_eq!(argument, "params");
        assert_eq!(
            message,
            "actions.mcp.getConfig takes no \"confgId\"; it takes configId"
        );
        assert!(check_keys(McpOperation::GetConfig, &params(json!({"configId": "c"}))).is_ok());
        let (argument, message) = refused(config_filter(
            &params(json!({"filter": {"nme": "x"}})),
            &mut Query::new(),
        ));
        assert_eq!(argument, "filter");
        assert!(message.starts_with("filter takes no \"nme\""), "{message}");
        assert_eq!(
            refused(instance_filter(
                &params(json!({"filter": "x"})),
                &mut Query::new()
            ))
            .0,
            "filter"
        );
    }

    #[test]
    fn config_names_follow_the_server_rule() {
        assert_eq!(
            config_name(&params(json!({"name": "daily-sum_1"}))).unwrap(),
            "daily-sum_1"
        );
        for bad in [
            json!("Daily"),
            json!("a b"),
            json!("x".repeat(101)),
            json!("é"),
        ] {
            let (argument, message) = refused(config_name(&params(json!({"name": bad}))));
            assert_eq!(argument, "name");
            assert!(
                message.starts_with("name must be 1 to 100 characters"),
                "{message}"
            );
        }
        assert_eq!(
            refused(config_name(&params(json!({})))).1,
            "name is required"
        );
        assert_eq!(
            refused(config_name(&params(json!({"name": 1})))).1,
            "name must be a string"
        );
        // The filter also takes capitals (a case-insensitive match), up to 100.
        assert!(config_filter(
            &params(json!({"filter": {"name": "Daily-1"}})),
            &mut Query::new()
        )
        .is_ok());
        assert_eq!(
            refused(config_filter(
                &params(json!({"filter": {"name": "a.b"}})),
                &mut Query::new()
            ))
            .0,
            "filter.name"
        );
        assert_eq!(
            refused(config_filter(
                &params(json!({"filter": {"provider": 3}})),
                &mut Query::new()
            )),
            (
                "filter.provider".into(),
                "filter.provider must be a string".into()
            )
        );
    }

    #[test]
    fn session_token_rules() {
        let target = |v| {
            token_target(&params(v)).map(|t| match t {
                TokenTarget::Config(id) => format!("config {id}"),
                TokenTarget::Connection(name) => format!("connection {name}"),
            })
        };
        assert_eq!(
            target(json!({"mcpConfigId": " cfg_1 "})).unwrap(),
            "config cfg_1"
        );
        assert_eq!(
            target(json!({"connectionName": "gmail", "mcpConfigId": ""})).unwrap(),
            "connection gmail"
        );
        assert_eq!(refused(target(json!({}))).0, "mcpConfigId");
        assert_eq!(
            refused(target(json!({"mcpConfigId": "c", "connectionName": "g"}))).0,
            "connectionName"
        );
        assert_eq!(
            refused(target(json!({"connectionName": ".."}))).0,
            "connectionName"
        );
        assert_eq!(
            token_identifier(&params(json!({"identifier": "x".repeat(255)})))
                .unwrap()
                .len(),
            255
        );
        assert_eq!(
            refused(token_identifier(&params(
                json!({"identifier": "x".repeat(256)})
            )))
            .1,
            "identifier must be at most 255 characters"
        );
        assert_eq!(
            refused(token_identifier(&params(json!({"identifier": " "})))).1,
            "identifier is required"
        );
        assert_eq!(
            expiry(&params(json!({"expiresInSeconds": 60})))
                .unwrap()
                .as_deref(),
            Some("60s")
        );
        assert_eq!(
            expiry(&params(json!({"expiresInSeconds": 86400})))
                .unwrap()
                .as_deref(),
            Some("86400s")
        );
        assert_eq!(expiry(&params(json!({}))).unwrap(), None);
        for bad in [
            json!(59),
            json!(86401),
            json!(90.5),
            json!("NaN"),
            json!("600"),
        ] {
            assert_eq!(
                refused(expiry(&params(json!({"expiresInSeconds": bad})))).0,
                "expiresInSeconds",
                "{bad}"
            );
        }
        assert_eq!(
            access_level(&params(json!({"accessLevel": "READ_ONLY"}))).unwrap(),
            Some("READ_ONLY")
        );
        assert_eq!(
            access_level(&params(json!({"accessLevel": ""}))).unwrap(),
            None
        );
        assert_eq!(
            refused(access_level(&params(json!({"accessLevel": "read_only"})))),
            (
                "accessLevel".into(),
                "accessLevel must be 'FULL' or 'READ_ONLY', got \"read_only\"".into()
            )
        );
    }

    #[test]
    fn mappings_are_checked_and_sent_in_wire_shape() {
        let given = params(json!({"connectionToolMappings": [
            {"connectionName": "gmail", "tools": ["gmail_send"]},
            {"connectionName": "slack", "tools": [], "connectionId": "conn_1", "provider": "SLACK"},
        ]}));
        assert_eq!(
            mappings(&given).unwrap().unwrap(),
            vec![
                json!({"connection_name": "gmail", "tools": ["gmail_send"]}),
                json!({"connection_name": "slack"}),
            ]
        );
        assert_eq!(mappings(&params(json!({}))).unwrap(), None);
        let too_many: Vec<Value> = (0..26)
            .map(|i| json!({"connectionName": format!("c{i}")}))
            .collect();
        for (bad, says) in [
            (
                json!(too_many),
                "connectionToolMappings holds at most 25 mappings, got 26",
            ),
            (
                json!({"connectionName": "x"}),
                "connectionToolMappings must be an array",
            ),
            (
                json!([{"tools": ["t"]}]),
                "connectionToolMappings[0].connectionName is required (a string)",
            ),
            (
                json!([{"connectionName": "x", "tools": [1]}]),
                "connectionToolMappings[0].tools must be an array of strings",
            ),
            (
                json!(["x"]),
                "connectionToolMappings[0] must be an object { connectionName, tools? }",
            ),
        ] {
            assert_eq!(
                refused(mappings(&params(json!({"connectionToolMappings": bad})))),
                ("connectionToolMappings".into(), says.to_string())
            );
        }
        let (_, message) = refused(mappings(&params(
            json!({"connectionToolMappings": [{"connectionName": "x", "tool": ["t"]}]}),
        )));
        assert!(
            message.starts_with("connectionToolMappings[0] takes no \"tool\""),
            "{message}"
        );
    }
}
