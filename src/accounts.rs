//! Connected-account operations (spec §4): parameters in the official SDK's names → REST
//! requests, and answers → the shapes the official SDK resolves (spec §7: camelCase, oneof as
//! `{ case, value }`), with enums as their names and timestamps as RFC 3339 strings.

use http::Method;
use serde_json::{json, Map, Value};

use crate::errors::ScalekitError;
use crate::names::{camel_to_snake, snake_to_camel, CONNECTOR_STATUS_NAMES, CONNECTOR_TYPE_NAMES};

pub const ACCOUNTS_PATH: &str = "/api/v1/connected_accounts";
pub const ACCOUNT_AUTH_PATH: &str = "/api/v1/connected_accounts/auth";
pub const DELETE_PATH: &str = "/api/v1/connected_accounts:delete";
pub const MAGIC_LINK_PATH: &str = "/api/v1/connected_accounts/magic_link";
pub const VERIFY_PATH: &str = "/api/v1/connected_accounts/user/verify";
pub const APP_CONNECTIONS_PATH: &str = "/api/v1/connections/app";
pub const EXECUTE_TOOL_PATH: &str = "/api/v1/execute_tool";

const REF_REQUIRED: &str = "either connectedAccountId or connectionName + identifier is required";

/// The `actions` methods served by [`crate::client::ScalekitClient::accounts_call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountOperation {
    Get,
    Create,
    Update,
    Delete,
    List,
    GetOrCreate,
    AuthorizationLink,
    VerifyUser,
    ListConnections,
    ExecuteTool,
}

impl AccountOperation {
    /// From the JS method name.
    pub fn from_method(name: &str) -> Option<Self> {
        Some(match name {
            "getConnectedAccount" => Self::Get,
            "createConnectedAccount" => Self::Create,
            "updateConnectedAccount" => Self::Update,
            "deleteConnectedAccount" => Self::Delete,
            "listConnectedAccounts" => Self::List,
            "getOrCreateConnectedAccount" | "upsertConnectedAccount" => Self::GetOrCreate,
            "getAuthorizationLink" => Self::AuthorizationLink,
            "verifyConnectedAccountUser" => Self::VerifyUser,
            "listConnections" => Self::ListConnections,
            "executeTool" => Self::ExecuteTool,
            _ => return None,
        })
    }
}

/// One REST call of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RestCall {
    pub method: Method,
    pub path: &'static str,
    /// Already encoded (`application/x-www-form-urlencoded`, `+` as `%2B`).
    pub query: Option<String>,
    pub body: Option<Value>,
}

impl RestCall {
    fn get(path: &'static str, query: Vec<(&'static str, String)>) -> Self {
        let query = (!query.is_empty()).then(|| {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &query {
                ser.append_pair(k, v);
            }
            ser.finish()
        });
        RestCall {
            method: Method::GET,
            path,
            query,
            body: None,
        }
    }

    fn post(path: &'static str, body: Map<String, Value>) -> Self {
        RestCall {
            method: Method::POST,
            path,
            query: None,
            body: Some(Value::Object(body)),
        }
    }
}

/// The parameters object a JS method received, read field by field with clear type errors.
#[derive(Debug, Clone, Default)]
pub struct Params(Map<String, Value>);

impl Params {
    pub fn from_json(text: &str) -> Result<Self, ScalekitError> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Params(map)),
            Ok(Value::Null) => Ok(Params::default()),
            _ => Err(ScalekitError::validation(
                "params",
                "params must be an object",
            )),
        }
    }

    #[cfg(test)]
    pub fn from_value(value: Value) -> Self {
        match value {
            Value::Object(map) => Params(map),
            _ => Params::default(),
        }
    }

    /// A string field; `null`/absent is `None`, another type is an error naming the field.
    fn string(&self, name: &'static str) -> Result<Option<&str>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be a string"),
            )),
        }
    }

    /// Trimmed and non-empty, or `None`.
    fn trimmed(&self, name: &'static str) -> Result<Option<&str>, ScalekitError> {
        Ok(self.string(name)?.map(str::trim).filter(|s| !s.is_empty()))
    }

    /// Non-empty (as the SDK's `x && {x}`), untrimmed.
    fn truthy(&self, name: &'static str) -> Result<Option<&str>, ScalekitError> {
        Ok(self.string(name)?.filter(|s| !s.is_empty()))
    }

    fn required(&self, name: &'static str) -> Result<&str, ScalekitError> {
        match self.string(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ScalekitError::validation(
                name,
                format!("{name} is required"),
            )),
        }
    }

    fn object(&self, name: &'static str) -> Result<Option<&Value>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be an object"),
            )),
        }
    }

    fn number(&self, name: &'static str) -> Result<Option<f64>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be a number"),
            )),
        }
    }

    /// `pageSize` as the server's rule has it (a whole number below 100); 0, proto3's default,
    /// is the same as not sending it.
    fn page_size(&self) -> Result<Option<String>, ScalekitError> {
        match self.number("pageSize")? {
            None => Ok(None),
            Some(n) if n.is_finite() && n.fract() == 0.0 && (0.0..100.0).contains(&n) => {
                Ok((n > 0.0).then(|| format!("{}", n as u32)))
            }
            Some(_) => Err(ScalekitError::validation(
                "pageSize",
                "pageSize must be a whole number from 0 to 99",
            )),
        }
    }

    fn string_list(&self, name: &'static str) -> Result<Vec<String>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        ScalekitError::validation(
                            name,
                            format!("{name} must be an array of strings"),
                        )
                    })
                })
                .collect(),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be an array of strings"),
            )),
        }
    }

    /// The account reference fields in the official SDK's order, after its check
    /// (get / update / delete): trimmed id, connection name and identifier; org/user as given.
    fn account_ref(&self) -> Result<Map<String, Value>, ScalekitError> {
        let connector = self.trimmed("connectionName")?;
        let identifier = self.trimmed("identifier")?;
        let id = self.trimmed("connectedAccountId")?;
        if id.is_none() && !(connector.is_some() && identifier.is_some()) {
            return Err(ScalekitError::validation(
                "connectedAccountId",
                REF_REQUIRED,
            ));
        }
        let mut out = Map::new();
        put(&mut out, "connector", connector);
        put(&mut out, "identifier", identifier);
        put(&mut out, "id", id);
        put(&mut out, "organization_id", self.truthy("organizationId")?);
        put(&mut out, "user_id", self.truthy("userId")?);
        Ok(out)
    }

    /// `connected_account: {authorization_details?, api_config?}` as create/update send it.
    fn account_payload(&self) -> Result<Value, ScalekitError> {
        let mut payload = Map::new();
        if let Some(details) = self.object("authorizationDetails")? {
            payload.insert("authorization_details".into(), details_to_wire(details)?);
        }
        if let Some(config) = self.object("apiConfig")? {
            payload.insert("api_config".into(), config.clone());
        }
        Ok(Value::Object(payload))
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.to_string(), Value::String(v.to_string()));
    }
}

fn query_pairs(map: &Map<String, Value>) -> Vec<(&'static str, String)> {
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
                .map(|v| (*k, v.to_string()))
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
    put(
        &mut key,
        "organization_id",
        params.truthy("organizationId")?,
    );
    put(&mut key, "user_id", params.truthy("userId")?);
    Ok(key)
}

/// `GET …/auth` for get and getOrCreate.
pub fn get_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let account = params.account_ref()?;
    Ok(RestCall::get(ACCOUNT_AUTH_PATH, query_pairs(&account)))
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
    Ok(RestCall {
        method: Method::PUT,
        path: ACCOUNTS_PATH,
        query: None,
        body: Some(Value::Object(body)),
    })
}

pub fn delete_call(params: &Params) -> Result<RestCall, ScalekitError> {
    Ok(RestCall::post(DELETE_PATH, params.account_ref()?))
}

pub fn list_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let mut query: Vec<(&'static str, String)> = Vec::new();
    let mut add = |k: &'static str, v: Option<&str>| {
        if let Some(v) = v {
            query.push((k, v.to_string()));
        }
    };
    add("organization_id", params.truthy("organizationId")?);
    add("user_id", params.truthy("userId")?);
    add("connector", params.trimmed("connectionName")?);
    add("identifier", params.trimmed("identifier")?);
    add("provider", params.trimmed("provider")?);
    if let Some(size) = params.page_size()? {
        query.push(("page_size", size));
    }
    if let Some(token) = params.truthy("pageToken")? {
        query.push(("page_token", token.to_string()));
    }
    if let Some(q) = params.truthy("query")? {
        query.push(("query", q.to_string()));
    }
    for name in params.string_list("connectionNames")? {
        query.push(("connection_names", name));
    }
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
    if let Some(size) = params.page_size()? {
        query.push(("page_size", size));
    }
    if let Some(token) = params.truthy("pageToken")? {
        query.push(("page_token", token.to_string()));
    }
    if let Some(provider) = params.truthy("provider")? {
        query.push(("provider", provider.to_string()));
    }
    Ok(RestCall::get(APP_CONNECTIONS_PATH, query))
}

pub fn execute_tool_call(params: &Params) -> Result<RestCall, ScalekitError> {
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
    put(
        &mut body,
        "organization_id",
        params.truthy("organizationId")?,
    );
    put(&mut body, "user_id", params.truthy("userId")?);
    put(&mut body, "agent_run_id", params.truthy("agentRunId")?);
    Ok(RestCall::post(EXECUTE_TOOL_PATH, body))
}

/// getOrCreate's step 3 or 5 (spec §4.3), after its `GET …/auth` answered 200 or 404.
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
    Ok(Some(RestCall {
        method,
        path: ACCOUNTS_PATH,
        query: None,
        body: Some(Value::Object(body)),
    }))
}

/// getOrCreate's first step: the same GET as `getConnectedAccount`, by connection + identifier.
pub fn get_or_create_lookup(params: &Params) -> Result<RestCall, ScalekitError> {
    let connector = params.required("connectionName")?.trim();
    let identifier = params.required("identifier")?.trim();
    let mut query = vec![
        ("connector", connector.to_string()),
        ("identifier", identifier.to_string()),
    ];
    if let Some(org) = params.truthy("organizationId")? {
        query.push(("organization_id", org.to_string()));
    }
    if let Some(user) = params.truthy("userId")? {
        query.push(("user_id", user.to_string()));
    }
    Ok(RestCall::get(ACCOUNT_AUTH_PATH, query))
}

// -------------------------------------------------------------------------------------------
// authorization_details: SDK shape ⇄ wire
// -------------------------------------------------------------------------------------------

/// oneof members: (wire key, SDK case).
const DETAIL_CASES: [(&str, &str); 4] = [
    ("oauth_token", "oauthToken"),
    ("static_auth", "staticAuth"),
    ("google_dwd", "googleDwd"),
    ("trusted_idp", "trustedIdp"),
];

/// A oneof member's message fields, renamed to proto names. `static_auth.details` is a Struct
/// whose contents pass untouched (only the top-level keys are renamed).
fn member_to_wire(value: &Value) -> Value {
    let Some(fields) = value.as_object() else {
        return json!({});
    };
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| (camel_to_snake(k), v.clone()))
            .collect(),
    )
}

/// Accepts `{details: {case, value}}` (the official SDK's shape), `{oauthToken: {...}}` /
/// `{staticAuth: {details}}` (plain), or the wire shape, and returns the wire shape.
pub fn details_to_wire(details: &Value) -> Result<Value, ScalekitError> {
    let bad = || {
        ScalekitError::validation(
            "authorizationDetails",
            "authorizationDetails must be { details: { case, value } } or one of { oauthToken }, { staticAuth }, { googleDwd }, { trustedIdp }",
        )
    };
    let obj = details.as_object().ok_or_else(bad)?;
    if let Some(inner) = obj.get("details").and_then(Value::as_object) {
        if inner.contains_key("case") || inner.is_empty() {
            let case = inner.get("case").and_then(Value::as_str);
            let Some(case) = case else {
                return Ok(json!({}));
            };
            let (wire, _) = DETAIL_CASES
                .iter()
                .find(|(w, c)| *c == case || *w == case)
                .ok_or_else(bad)?;
            let value = inner.get("value").cloned().unwrap_or_else(|| json!({}));
            return Ok(json!({ *wire: member_to_wire(&value) }));
        }
    }
    let mut found = None;
    for (wire, case) in DETAIL_CASES {
        if let Some(v) = obj.get(case).or_else(|| obj.get(wire)) {
            if found.is_some() {
                return Err(ScalekitError::validation(
                    "authorizationDetails",
                    "authorizationDetails must hold exactly one of oauthToken, staticAuth, googleDwd, trustedIdp",
                ));
            }
            found = Some((wire, v));
        }
    }
    let (wire, value) = found.ok_or_else(bad)?;
    Ok(json!({ wire: member_to_wire(value) }))
}

// -------------------------------------------------------------------------------------------
// Answers → SDK shapes
// -------------------------------------------------------------------------------------------

/// A field by its proto name, or its lowerCamel JSON name (protojson emits either).
fn field<'a>(v: &'a Value, snake: &str) -> Option<&'a Value> {
    v.get(snake)
        .or_else(|| v.get(snake_to_camel(snake)))
        .filter(|f| !f.is_null())
}

fn text(v: &Value, snake: &str) -> Value {
    Value::String(
        field(v, snake)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    )
}

/// Enums arrive as names (or, leniently, numbers); they leave as names.
fn enum_name(v: &Value, snake: &str, names: &[&str]) -> Value {
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

fn put_opt(out: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        out.insert(key.to_string(), v);
    }
}

/// RFC 3339 strings pass; `{seconds, nanos}` objects are formatted.
fn timestamp(v: &Value, snake: &str) -> Option<Value> {
    match field(v, snake)? {
        Value::String(s) if !s.is_empty() => Some(Value::String(s.clone())),
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
            when.format(&time::format_description::well_known::Rfc3339)
                .ok()
                .map(Value::String)
        }
        _ => None,
    }
}

fn string_list(v: &Value, snake: &str) -> Value {
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

fn number(v: &Value, snake: &str) -> Value {
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

pub fn magic_link_answer(answer: &Value) -> Result<Value, ScalekitError> {
    let link = field(answer, "link")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ScalekitError::Protocol {
            message: "the magic-link answer has no link".into(),
        })?;
    let mut out = Map::new();
    out.insert("link".into(), link.into());
    put_opt(&mut out, "expiry", timestamp(answer, "expiry"));
    Ok(Value::Object(out))
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
    let connections: Vec<Value> = field(answer, "connections")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|c| {
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
                    Value::Object(out)
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "connections": connections,
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

    fn params(v: Value) -> Params {
        Params::from_value(v)
    }

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
            Err(ScalekitError::Validation {
                argument: "connectedAccountId",
                ..
            })
        ));
        assert!(matches!(
            get_call(&params(json!({"connectionName": 5, "identifier": "x"}))),
            Err(ScalekitError::Validation {
                argument: "connectionName",
                ..
            })
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
}
