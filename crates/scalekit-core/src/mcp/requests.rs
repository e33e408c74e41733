//! The REST call of each `actions.mcp` method (docs/wire-protocol.md §13.1): the McpService
//! bindings, ids as path segments, list filters in the query, the rest as a JSON body in proto
//! names. Unset and default values (`""`, `false`, `[]`) are never sent (§2, "Omission").

use http::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::params::{self, TokenTarget, MAX_PAGE_SIZE};
use super::{McpOperation, CONNECTION_TOKENS};
use crate::accounts::{push, push_paging, put, Params, Query, RestCall};
use crate::errors::ScalekitError;

/// What a path segment keeps as it is: RFC 3986's unreserved characters. `/`, `?`, `#`, `%` and
/// the rest are escaped, so an id can never leave its segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The route `template` with its `{placeholder}` filled with `id`, escaped as one segment.
fn at(template: &str, id: &str) -> String {
    let (head, rest) = template.split_once('{').unwrap_or((template, "}"));
    let tail = rest.split_once('}').map_or("", |(_, tail)| tail);
    format!("{head}{}{tail}", utf8_percent_encode(id, SEGMENT))
}

/// [`at`] the id the params hold under `name` (checked by [`params::path_id`]).
fn at_id(template: &str, params: &Params, name: &'static str) -> Result<String, ScalekitError> {
    Ok(at(template, &params::path_id(params, name)?))
}

/// The required string param `name`, trimmed, as the body's `key`.
fn put_required(
    body: &mut Map<String, Value>,
    key: &str,
    value: Result<&str, ScalekitError>,
) -> Result<(), ScalekitError> {
    body.insert(key.into(), value?.trim().into());
    Ok(())
}

/// `GET /api/v1/mcp/configs?filter.id=…&filter.name=…&filter.provider=…&filter.mcp_server_url=…&search=…`.
pub(super) fn list_configs(path: &'static str, params: &Params) -> Result<RestCall, ScalekitError> {
    let mut query = Query::new();
    params::config_filter(params, &mut query)?;
    list_tail(query, params, path)
}

/// `GET /api/v1/mcp/instances?filter.id=…&filter.name=…&filter.config_name=…&filter.user_identifier=…&search=…`.
pub(super) fn list_instances(
    path: &'static str,
    params: &Params,
) -> Result<RestCall, ScalekitError> {
    let mut query = Query::new();
    params::instance_filter(params, &mut query)?;
    list_tail(query, params, path)
}

/// `search`, `page_size` (at most 30) and `page_token`, after the filter, as both lists send them.
fn list_tail(
    mut query: Query,
    params: &Params,
    path: &'static str,
) -> Result<RestCall, ScalekitError> {
    push(&mut query, "search", params.truthy("search")?);
    push_paging(&mut query, params, MAX_PAGE_SIZE)?;
    Ok(RestCall::get(path, query))
}

/// `description` and `connection_tool_mappings`, as create and update send them.
fn put_config_fields(params: &Params, body: &mut Map<String, Value>) -> Result<(), ScalekitError> {
    put(body, "description", params.truthy("description")?);
    if let Some(mappings) = params::mappings(params)? {
        body.insert("connection_tool_mappings".into(), Value::Array(mappings));
    }
    Ok(())
}

/// `POST /api/v1/mcp/configs`, body the `McpConfig` itself, `{name, description?,
/// connection_tool_mappings?}`: the binding's `body: "config"` makes the HTTP body that one field
/// of the request message (docs/wire-protocol.md §13.1), not an object holding it.
pub(super) fn create_config(
    path: &'static str,
    params: &Params,
) -> Result<RestCall, ScalekitError> {
    let mut config = Map::new();
    config.insert("name".into(), params::config_name(params)?.into());
    put_config_fields(params, &mut config)?;
    Ok(RestCall::post(path, config))
}

/// `PUT /api/v1/mcp/configs/{config_id}`, body `{description?, connection_tool_mappings?}` (the
/// name cannot change).
pub(super) fn update_config(path: &str, params: &Params) -> Result<RestCall, ScalekitError> {
    let path = at_id(path, params, "configId")?;
    let mut body = Map::new();
    put_config_fields(params, &mut body)?;
    Ok(RestCall::with_body(Method::PUT, path, body))
}

/// `GET` or `DELETE /api/v1/mcp/configs/{config_id}` or `/api/v1/mcp/instances/{instance_id}`:
/// calls that name one resource and send nothing else.
pub(super) fn by_id(
    operation: McpOperation,
    path: &str,
    params: &Params,
) -> Result<RestCall, ScalekitError> {
    use McpOperation as Op;
    let (method, id) = match operation {
        Op::GetConfig => (Method::GET, "configId"),
        Op::DeleteConfig => (Method::DELETE, "configId"),
        Op::DeleteInstance => (Method::DELETE, "instanceId"),
        _ => (Method::GET, "instanceId"),
    };
    Ok(RestCall::bare(method, at_id(path, params, id)?, None))
}

/// `POST /api/v1/mcp/instances`, body `{name?, config_name, user_identifier}`: the user's
/// instance of the configuration, created when it does not exist.
pub(super) fn ensure_instance(
    path: &'static str,
    params: &Params,
) -> Result<RestCall, ScalekitError> {
    let mut body = Map::new();
    put(&mut body, "name", params.truthy("name")?);
    put_required(&mut body, "config_name", params.required("configName"))?;
    put_required(
        &mut body,
        "user_identifier",
        params.required("userIdentifier"),
    )?;
    Ok(RestCall::post(path, body))
}

/// `PATCH /api/v1/mcp/instances/{instance_id}`, body `{name?, config_name?}`: at least one.
pub(super) fn update_instance(path: &str, params: &Params) -> Result<RestCall, ScalekitError> {
    let path = at_id(path, params, "instanceId")?;
    let mut body = Map::new();
    put(&mut body, "name", params.truthy("name")?);
    put(&mut body, "config_name", params.trimmed("configName")?);
    if body.is_empty() {
        return Err(ScalekitError::validation(
            "name",
            "at least one of name and configName is required",
        ));
    }
    Ok(RestCall::with_body(Method::PATCH, path, body))
}

/// `POST /api/v1/mcp/instances/{instance_id}:get_auth_state?include_auth_links=true`: the rule
/// has no body, so the flag travels in the query.
pub(super) fn instance_auth_state(path: &str, params: &Params) -> Result<RestCall, ScalekitError> {
    let path = at_id(path, params, "instanceId")?;
    let query = (params.boolean("includeAuthLinks")? == Some(true))
        .then(|| "include_auth_links=true".to_string());
    Ok(RestCall::bare(Method::POST, path, query))
}

/// `POST /api/v1/mcp/configs/{config_id}/connected_accounts`, body `{identifier, include_auth_link?}`.
pub(super) fn list_connected_accounts(
    path: &str,
    params: &Params,
) -> Result<RestCall, ScalekitError> {
    let path = at_id(path, params, "configId")?;
    let mut body = Map::new();
    put_required(&mut body, "identifier", params.required("identifier"))?;
    if params.boolean("includeAuthLink")? == Some(true) {
        body.insert("include_auth_link".into(), Value::Bool(true));
    }
    Ok(RestCall::post(path, body))
}

/// `POST /api/v1/mcp/configs/{mcp_config_id}/tokens` or `POST /api/v1/mcp/connections/{key_id}/tokens`,
/// body `{identifier, expiry?: "<n>s", access_level?}`.
pub(super) fn session_token(path: &str, params: &Params) -> Result<RestCall, ScalekitError> {
    let path = match params::token_target(params)? {
        TokenTarget::Config(id) => at(path, &id),
        TokenTarget::Connection(name) => at(CONNECTION_TOKENS, &name),
    };
    let mut body = Map::new();
    put_required(&mut body, "identifier", params::token_identifier(params))?;
    if let Some(expiry) = params::expiry(params)? {
        body.insert("expiry".into(), expiry.into());
    }
    put(&mut body, "access_level", params::access_level(params)?);
    Ok(RestCall::post(path, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `(method, path?query, body)` of `method`'s call for `params`.
    fn sent(method: &str, params: Value) -> (String, String, Option<Value>) {
        let operation = McpOperation::from_method(method).unwrap();
        let call = operation.request(&crate::accounts::params(params)).unwrap();
        let target = match &call.query {
            Some(q) => format!("{}?{q}", call.path),
            None => call.path.to_string(),
        };
        (call.method.to_string(), target, call.body)
    }

    fn refused(method: &str, params: Value) -> (String, String) {
        let operation = McpOperation::from_method(method).unwrap();
        match operation.request(&crate::accounts::params(params)) {
            Err(ScalekitError::Validation { argument, message }) => {
                (argument.into_owned(), message)
            }
            other => panic!("{method}: expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn each_method_builds_its_binding() {
        let cases = [
            (
                "mcp.listConfigs",
                json!({"filter": {"id": "cfg_1", "name": "Daily", "provider": "GOOGLE", "mcpServerUrl": "https://x/mcp/v3/servers/u"},
                       "search": "dai ly", "pageSize": 30, "pageToken": "p+1"}),
                ("GET", "/api/v1/mcp/configs?filter.id=cfg_1&filter.name=Daily&filter.provider=GOOGLE&filter.mcp_server_url=https%3A%2F%2Fx%2Fmcp%2Fv3%2Fservers%2Fu&search=dai+ly&page_size=30&page_token=p%2B1", None),
            ),
            ("mcp.listConfigs", json!({"pageSize": 0, "filter": {}}), ("GET", "/api/v1/mcp/configs", None)),
            (
                "mcp.createConfig",
                json!({"name": "daily", "description": "d", "connectionToolMappings": [{"connectionName": "gmail", "tools": ["a"]}]}),
                ("POST", "/api/v1/mcp/configs", Some(json!({"name": "daily", "description": "d",
                    "connection_tool_mappings": [{"connection_name": "gmail", "tools": ["a"]}]}))),
            ),
            ("mcp.createConfig", json!({"name": "daily", "description": ""}), ("POST", "/api/v1/mcp/configs", Some(json!({"name": "daily"})))),
            ("mcp.getConfig", json!({"configId": " cfg_1 "}), ("GET", "/api/v1/mcp/configs/cfg_1", None)),
            (
                "mcp.updateConfig",
                json!({"configId": "cfg_1", "connectionToolMappings": []}),
                ("PUT", "/api/v1/mcp/configs/cfg_1", Some(json!({"connection_tool_mappings": []}))),
            ),
            ("mcp.deleteConfig", json!({"configId": "a/b?c#d%e"}), ("DELETE", "/api/v1/mcp/configs/a%2Fb%3Fc%23d%25e", None)),
            (
                "mcp.ensureInstance",
                json!({"configName": "daily", "userIdentifier": "u@x.com", "name": "mine"}),
                ("POST", "/api/v1/mcp/instances", Some(json!({"name": "mine", "config_name": "daily", "user_identifier": "u@x.com"}))),
            ),
            ("mcp.getInstance", json!({"instanceId": "inst_1"}), ("GET", "/api/v1/mcp/instances/inst_1", None)),
            (
                "mcp.updateInstance",
                json!({"instanceId": "inst_1", "configName": "other"}),
                ("PATCH", "/api/v1/mcp/instances/inst_1", Some(json!({"config_name": "other"}))),
            ),
            (
                "mcp.listInstances",
                json!({"filter": {"configName": "daily", "userIdentifier": "u@x.com"}, "pageSize": 5}),
                ("GET", "/api/v1/mcp/instances?filter.config_name=daily&filter.user_identifier=u%40x.com&page_size=5", None),
            ),
            ("mcp.deleteInstance", json!({"instanceId": "inst_1"}), ("DELETE", "/api/v1/mcp/instances/inst_1", None)),
            (
                "mcp.getInstanceAuthState",
                json!({"instanceId": "inst_1", "includeAuthLinks": true}),
                ("POST", "/api/v1/mcp/instances/inst_1:get_auth_state?include_auth_links=true", None),
            ),
            ("mcp.getInstanceAuthState", json!({"instanceId": "i:1", "includeAuthLinks": false}), ("POST", "/api/v1/mcp/instances/i%3A1:get_auth_state", None)),
            (
                "mcp.listMcpConnectedAccounts",
                json!({"configId": "cfg_1", "identifier": "u", "includeAuthLink": true}),
                ("POST", "/api/v1/mcp/configs/cfg_1/connected_accounts", Some(json!({"identifier": "u", "include_auth_link": true}))),
            ),
            (
                "mcp.createSessionToken",
                json!({"mcpConfigId": "cfg_1", "identifier": "u", "expiresInSeconds": 900, "accessLevel": "READ_ONLY"}),
                ("POST", "/api/v1/mcp/configs/cfg_1/tokens", Some(json!({"identifier": "u", "expiry": "900s", "access_level": "READ_ONLY"}))),
            ),
            (
                "mcp.createSessionToken",
                json!({"connectionName": "github-connect", "identifier": "u"}),
                ("POST", "/api/v1/mcp/connections/github-connect/tokens", Some(json!({"identifier": "u"}))),
            ),
        ];
        for (method, params, (verb, target, body)) in cases {
            assert_eq!(
                sent(method, params.clone()),
                (verb.to_string(), target.to_string(), body),
                "{method} {params}"
            );
        }
    }

    #[test]
    fn bad_arguments_name_the_argument() {
        // (method, params, the argument the refusal names)
        let cases = json!([
            ["mcp.listConfigs", {"pageSize": 31}, "pageSize"],
            ["mcp.listInstances", {"pageSize": -1}, "pageSize"],
            ["mcp.listInstances", {"filter": {"configId": "x"}}, "filter"],
            ["mcp.createConfig", {"description": "d"}, "name"],
            ["mcp.updateConfig", {"configId": "c", "name": "x"}, "params"],
            ["mcp.getConfig", {}, "configId"],
            ["mcp.getConfig", {"configId": ".."}, "configId"],
            ["mcp.ensureInstance", {"configName": "daily"}, "userIdentifier"],
            ["mcp.ensureInstance", {"userIdentifier": "u"}, "configName"],
            ["mcp.updateInstance", {"instanceId": "i"}, "name"],
            ["mcp.updateInstance", {"instanceId": "i", "name": ""}, "name"],
            ["mcp.getInstanceAuthState", {"instanceId": "i", "includeAuthLinks": "yes"}, "includeAuthLinks"],
            ["mcp.listMcpConnectedAccounts", {"configId": "c"}, "identifier"],
            ["mcp.createSessionToken", {"identifier": "u"}, "mcpConfigId"],
            ["mcp.createSessionToken", {"mcpConfigId": "c"}, "identifier"],
            ["mcp.createSessionToken", {"mcpConfigId": "c", "identifier": "u", "expiry": 60}, "params"],
        ]);
        for case in cases.as_array().unwrap() {
            let (method, params) = (case[0].as_str().unwrap(), case[1].clone());
            assert_eq!(
                refused(method, params.clone()).0,
                case[2],
                "{method} {params}"
            );
        }
        assert_eq!(
            refused("mcp.listConfigs", json!({"pageSize": 31})).1,
            "pageSize must be a whole number from 0 to 30"
        );
    }
}
