//! The REST call of each operation, built from its checked params (docs/wire-protocol.md §4).

use std::borrow::Cow;

use http::Method;
use serde_json::{json, Map, Value};

use super::params::{details_to_wire, put, Params};
use super::{
    ACCOUNTS_PATH, ACCOUNT_AUTH_PATH, ACCOUNT_DETAILS_PATH, APP_CONNECTIONS_PATH, DELETE_PATH,
    EXECUTE_TOOL_PATH, MAGIC_LINK_PATH, VERIFY_PATH,
};
use crate::errors::ScalekitError;

/// One REST call of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RestCall {
    pub method: Method,
    /// A fixed route, or one with an id in it (docs/wire-protocol.md §13).
    pub path: Cow<'static, str>,
    /// Already encoded (`application/x-www-form-urlencoded`, `+` as `%2B`).
    pub query: Option<String>,
    pub body: Option<Value>,
}

impl RestCall {
    /// A GET with `query` form-urlencoded in order (keys may repeat).
    pub(crate) fn get<K: AsRef<str>>(
        path: impl Into<Cow<'static, str>>,
        query: Vec<(K, String)>,
    ) -> Self {
        let query = (!query.is_empty()).then(|| {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &query {
                ser.append_pair(k.as_ref(), v);
            }
            ser.finish()
        });
        RestCall {
            method: Method::GET,
            path: path.into(),
            query,
            body: None,
        }
    }

    pub(crate) fn post(path: impl Into<Cow<'static, str>>, body: Map<String, Value>) -> Self {
        Self::with_body(Method::POST, path, body)
    }

    pub(crate) fn with_body(
        method: Method,
        path: impl Into<Cow<'static, str>>,
        body: Map<String, Value>,
    ) -> Self {
        RestCall {
            method,
            path: path.into(),
            query: None,
            body: Some(Value::Object(body)),
        }
    }

    /// A call without a body (DELETE, or a POST whose fields all travel in the path and query).
    pub(crate) fn bare(
        method: Method,
        path: impl Into<Cow<'static, str>>,
        query: Option<String>,
    ) -> Self {
        RestCall {
            method,
            path: path.into(),
            query,
            body: None,
        }
    }
}

fn query_pairs(map: &Map<String, Value>) -> Query {
    const ORDER: [&str; 5] = [
        "connector",
        "identifier",
        "organization_id",
        "user_id",
        "id",
    ];
    ORDER
        .iter()
        .filter_map(|k| {
            map.get(*k)
                .and_then(Value::as_str)
                .map(|v| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// `{connector, identifier, organization_id?, user_id?}`: how create and getOrCreate name the account.
fn account_key(
    connector: &str,
    identifier: &str,
    params: &Params,
) -> Result<Map<String, Value>, ScalekitError> {
    let mut key = Map::new();
    key.insert("connector".into(), connector.into());
    key.insert("identifier".into(), identifier.into());
    params.put_owner(&mut key)?;
    Ok(key)
}

/// `GET …/auth` for get and getOrCreate.
pub fn get_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let account = params.account_ref()?;
    Ok(RestCall::get(ACCOUNT_AUTH_PATH, query_pairs(&account)))
}

/// `GET …/details`: the same reference as `get_call`; the answer holds no credentials.
pub fn details_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let account = params.account_ref()?;
    Ok(RestCall::get(ACCOUNT_DETAILS_PATH, query_pairs(&account)))
}

pub fn create_call(params: &Params) -> Result<RestCall, ScalekitError> {
    // The SDK checks the trimmed values but sends them untrimmed.
    let connector = params.required("connectionName")?;
    let identifier = params.required("identifier")?;
    let mut body = account_key(connector, identifier, params)?;
    body.insert("connected_account".into(), params.account_payload()?);
    Ok(RestCall::post(ACCOUNTS_PATH, body))
}

pub fn update_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let mut body = params.account_ref()?;
    body.insert("connected_account".into(), params.account_payload()?);
    Ok(RestCall::with_body(Method::PUT, ACCOUNTS_PATH, body))
}

pub fn delete_call(params: &Params) -> Result<RestCall, ScalekitError> {
    Ok(RestCall::post(DELETE_PATH, params.account_ref()?))
}

pub fn list_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let mut query = Vec::new();
    for (key, name) in [("organization_id", "organizationId"), ("user_id", "userId")] {
        push(&mut query, key, params.truthy(name)?);
    }
    for (key, name) in [
        ("connector", "connectionName"),
        ("identifier", "identifier"),
        ("provider", "provider"),
    ] {
        push(&mut query, key, params.trimmed(name)?);
    }
    push_paging(&mut query, params, ACCOUNTS_PAGE_SIZE)?;
    push(&mut query, "query", params.truthy("query")?);
    push_list(
        &mut query,
        "connection_names",
        params.string_list("connectionNames")?,
    );
    Ok(RestCall::get(ACCOUNTS_PATH, query))
}

pub fn magic_link_call(params: &Params) -> Result<RestCall, ScalekitError> {
    // The official SDK sends whatever it is given; an empty request can only fail server-side,
    // so the account reference is checked here, before anything is sent.
    let mut body = params.account_ref()?;
    if let Some(state) = params.truthy("state")? {
        body.insert("state".into(), state.into());
    }
    if let Some(url) = params.truthy("userVerifyUrl")? {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ScalekitError::validation(
                "userVerifyUrl",
                format!("userVerifyUrl must be an http(s) URL, got {url:?}"),
            ));
        }
        body.insert("user_verify_url".into(), url.into());
    }
    Ok(RestCall::post(MAGIC_LINK_PATH, body))
}

pub fn verify_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let auth_request_id = params.required("authRequestId")?.trim();
    let identifier = params.required("identifier")?.trim();
    let mut body = Map::new();
    body.insert("auth_request_id".into(), auth_request_id.into());
    body.insert("identifier".into(), identifier.into());
    Ok(RestCall::post(VERIFY_PATH, body))
}

pub fn list_connections_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let mut query = Vec::new();
    push_paging(&mut query, params, ACCOUNTS_PAGE_SIZE)?;
    push(&mut query, "provider", params.truthy("provider")?);
    Ok(RestCall::get(APP_CONNECTIONS_PATH, query))
}

/// tools.executeTool's name for the input (a view, accounts/views.rs, renames it before here):
/// given to actions.executeTool, the tool would run without its input.
pub(super) fn input_not_params(params: &Params) -> Result<(), ScalekitError> {
    if params.raw("params").is_some() {
        return Err(ScalekitError::validation(
            "params",
            "actions.executeTool takes the tool's input as toolInput, not params (tools.executeTool's name for it)",
        ));
    }
    Ok(())
}

pub fn execute_tool_call(params: &Params) -> Result<RestCall, ScalekitError> {
    input_not_params(params)?;
    let tool_name = params.required("toolName")?;
    let mut body = Map::new();
    body.insert("tool_name".into(), tool_name.into());
    put(&mut body, "identifier", params.truthy("identifier")?);
    if let Some(input) = params.object("toolInput")? {
        body.insert("params".into(), input.clone());
    }
    put(
        &mut body,
        "connected_account_id",
        params.truthy("connectedAccountId")?,
    );
    put(&mut body, "connector", params.truthy("connector")?);
    params.put_owner(&mut body)?;
    put(&mut body, "agent_run_id", params.truthy("agentRunId")?);
    Ok(RestCall::post(EXECUTE_TOOL_PATH, body))
}

/// getOrCreate's step 3 or 5 (docs/wire-protocol.md §4.3), after its `GET …/auth` answered 200 or 404.
pub fn get_or_create_next(
    params: &Params,
    exists: bool,
) -> Result<Option<RestCall>, ScalekitError> {
    let connector = params.required("connectionName")?.trim();
    let identifier = params.required("identifier")?.trim();
    let details = params.object("authorizationDetails")?;
    let mut body = account_key(connector, identifier, params)?;
    let mut payload = Map::new();
    match (exists, details) {
        (true, None) => return Ok(None),
        (true, Some(details)) => {
            payload.insert("authorization_details".into(), details_to_wire(details)?);
        }
        (false, details) => {
            let wire = match details {
                Some(d) => details_to_wire(d)?,
                None => json!({"oauth_token": {}}),
            };
            payload.insert("authorization_details".into(), wire);
        }
    }
    if let Some(config) = params.object("apiConfig")? {
        payload.insert("api_config".into(), config.clone());
    }
    body.insert("connected_account".into(), Value::Object(payload));
    let method = if exists { Method::PUT } else { Method::POST };
    Ok(Some(RestCall::with_body(method, ACCOUNTS_PATH, body)))
}

/// getOrCreate's first step: the same GET as `getConnectedAccount`, by connection + identifier.
pub fn get_or_create_lookup(params: &Params) -> Result<RestCall, ScalekitError> {
    let connector = params.required("connectionName")?.trim();
    let identifier = params.required("identifier")?.trim();
    let key = account_key(connector, identifier, params)?;
    Ok(RestCall::get(ACCOUNT_AUTH_PATH, query_pairs(&key)))
}

/// A REST query's pairs, in order (keys may repeat).
pub(crate) type Query = Vec<(String, String)>;

/// `key=value` when there is a value.
pub(crate) fn push(query: &mut Query, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        query.push((key.to_string(), v.to_string()));
    }
}

/// `key=value` for each of `values` (a repeated field).
pub(crate) fn push_list(query: &mut Query, key: &str, values: Vec<String>) {
    query.extend(values.into_iter().map(|v| (key.to_string(), v)));
}

/// `page_size` (a whole number up to `max`, the server's rule) and `page_token`, as every list
/// call sends them.
pub(crate) fn push_paging<K: From<&'static str>>(
    query: &mut Vec<(K, String)>,
    params: &Params,
    max: u32,
) -> Result<(), ScalekitError> {
    for (key, value) in [
        ("page_size", params.page_size(max)?),
        (
            "page_token",
            params.truthy("pageToken")?.map(str::to_string),
        ),
    ] {
        if let Some(value) = value {
            query.push((key.into(), value));
        }
    }
    Ok(())
}

/// The largest `pageSize` the connected-account lists take (below 100).
pub(super) const ACCOUNTS_PAGE_SIZE: u32 = 99;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::params;
    use crate::accounts::params::REF_REQUIRED;

    #[test]
    fn magic_link_body_omits_empty_fields() {
        let call = magic_link_call(&params(json!({
            "connectionName": "gmail", "identifier": "user@example.com", "organizationId": "",
            "state": "csrf", "userVerifyUrl": "https://app.example.com/verify"
        })))
        .unwrap();
        assert_eq!(
            serde_json::to_string(&call.body).unwrap(),
            r#"{"connector":"gmail","identifier":"user@example.com","state":"csrf","user_verify_url":"https://app.example.com/verify"}"#
        );
        let err = magic_link_call(&params(json!({"connectionName": "gmail"}))).unwrap_err();
        assert_eq!(err.to_string(), REF_REQUIRED);
    }

    #[test]
    fn get_query_is_urlencoded_with_plus_escaped() {
        let call = get_call(&params(json!({
            "connectionName": " gmail ", "identifier": "a+b c@x.com", "userId": "u1"
        })))
        .unwrap();
        assert_eq!(call.path, ACCOUNT_AUTH_PATH);
        assert_eq!(
            call.query.as_deref(),
            Some("connector=gmail&identifier=a%2Bb+c%40x.com&user_id=u1")
        );
        assert!(matches!(
            get_call(&params(json!({"identifier": "x"}))),
            Err(ScalekitError::Validation { ref argument, .. }) if argument == "connectedAccountId"
        ));
        assert!(matches!(
            get_call(&params(json!({"connectionName": 5, "identifier": "x"}))),
            Err(ScalekitError::Validation { ref argument, .. }) if argument == "connectionName"
        ));
    }

    #[test]
    fn create_sends_the_oneof_in_wire_shape() {
        for details in [
            json!({"details": {"case": "oauthToken", "value": {"accessToken": "at", "refreshToken": "rt", "scopes": ["s"]}}}),
            json!({"oauthToken": {"accessToken": "at", "refreshToken": "rt", "scopes": ["s"]}}),
        ] {
            let call = create_call(&params(json!({
                "connectionName": "gmail", "identifier": "u", "authorizationDetails": details,
                "apiConfig": {"someKey": 1}
            })))
            .unwrap();
            assert_eq!(
                call.body.unwrap(),
                json!({"connector": "gmail", "identifier": "u", "connected_account": {
                    "authorization_details": {"oauth_token": {"access_token": "at", "refresh_token": "rt", "scopes": ["s"]}},
                    "api_config": {"someKey": 1}}})
            );
        }
        let call = create_call(&params(json!({
            "connectionName": "crm", "identifier": "u",
            "authorizationDetails": {"staticAuth": {"details": {"apiKey": "k", "api_key": "k2"}}}
        })))
        .unwrap();
        assert_eq!(
            call.body.unwrap()["connected_account"]["authorization_details"],
            json!({"static_auth": {"details": {"apiKey": "k", "api_key": "k2"}}})
        );
        assert_eq!(
            create_call(&params(json!({"identifier": "u"})))
                .unwrap_err()
                .to_string(),
            "connectionName is required"
        );
    }

    #[test]
    fn get_or_create_chooses_put_post_or_nothing() {
        let p = params(json!({"connectionName": "gmail", "identifier": " u "}));
        assert_eq!(get_or_create_next(&p, true).unwrap(), None);
        let post = get_or_create_next(&p, false).unwrap().unwrap();
        assert_eq!(post.method, Method::POST);
        assert_eq!(
            post.body.unwrap(),
            json!({"connector": "gmail", "identifier": "u", "connected_account": {"authorization_details": {"oauth_token": {}}}})
        );
        let with = params(json!({"connectionName": "gmail", "identifier": "u",
            "authorizationDetails": {"staticAuth": {"details": {"token": "t"}}}}));
        let put = get_or_create_next(&with, true).unwrap().unwrap();
        assert_eq!(put.method, Method::PUT);
    }

    #[test]
    fn list_query_follows_the_sdk() {
        let call = list_call(&params(json!({
            "connectionNames": ["a", "b"], "pageSize": 0, "pageToken": "t", "provider": " google "
        })))
        .unwrap();
        assert_eq!(
            call.query.as_deref(),
            Some("provider=google&page_token=t&connection_names=a&connection_names=b")
        );
        for bad in [json!(1.5), json!(-1), json!(100), json!("10")] {
            assert!(
                list_call(&params(json!({"pageSize": bad}))).is_err(),
                "{bad}"
            );
            assert!(
                list_connections_call(&params(json!({"pageSize": bad}))).is_err(),
                "{bad}"
            );
        }
    }
}
