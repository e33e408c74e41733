//! `actions.providers` (docs/wire-protocol.md §15): ProviderService's custom providers over their
//! REST bindings, as the Python SDK's `actions.providers` — `createCustomProvider`,
//! `updateCustomProvider`, `deleteCustomProvider`, `listProviders` — each taking one params
//! object in camelCase. Auth patterns are free-form objects: their keys go out in snake_case, as
//! the Python SDK sends them, and come back in camelCase; metadata keys are the user's and stay.

use http::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use crate::accounts::{field, only, push, push_paging, put, Params, Query, RestCall};
use crate::errors::ScalekitError;
use scalekit_wire::names::{camel_to_snake, snake_to_camel};

pub const CUSTOM_PROVIDERS_PATH: &str = "/api/v1/custom-providers";
pub const PROVIDERS_PATH: &str = "/api/v1/providers";

/// RFC 3986's unreserved characters stay; the rest is escaped, so an identifier (`name:2`)
/// stays one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderOperation {
    Create,
    Update,
    Delete,
    List,
}

/// The fields of CreateCustomProvider / UpdateCustomProvider, by their JS names.
const PROVIDER_FIELDS: [&str; 7] = [
    "displayName",
    "description",
    "authPatterns",
    "proxyUrl",
    "proxyEnabled",
    "iconSrc",
    "metadata",
];

impl ProviderOperation {
    /// `providers.<name>`.
    pub fn from_method(name: &str) -> Option<Self> {
        Some(match name {
            "providers.createCustomProvider" => Self::Create,
            "providers.updateCustomProvider" => Self::Update,
            "providers.deleteCustomProvider" => Self::Delete,
            "providers.listProviders" => Self::List,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Create => "actions.providers.createCustomProvider",
            Self::Update => "actions.providers.updateCustomProvider",
            Self::Delete => "actions.providers.deleteCustomProvider",
            Self::List => "actions.providers.listProviders",
        }
    }

    pub fn is_list(self) -> bool {
        self == Self::List
    }

    /// The route, an identifier in it as `{identifier}` (for tracing).
    pub fn route(self) -> (&'static str, &'static str) {
        match self {
            Self::Create => ("POST", CUSTOM_PROVIDERS_PATH),
            Self::Update => ("PUT", "/api/v1/custom-providers/{identifier}"),
            Self::Delete => ("DELETE", "/api/v1/custom-providers/{identifier}"),
            Self::List => ("GET", PROVIDERS_PATH),
        }
    }

    pub fn request(self, params: &Params) -> Result<RestCall, ScalekitError> {
        // The names each method takes: update is create's fields and the identifier.
        let (by_identifier, takes): (bool, &[&str]) = match self {
            Self::Create => (false, &PROVIDER_FIELDS),
            Self::Update => (true, &PROVIDER_FIELDS),
            Self::Delete => (true, &[]),
            Self::List => (
                false,
                &["providerType", "pageSize", "pageToken", "identifier"],
            ),
        };
        let names: Vec<&str> = by_identifier
            .then_some("identifier")
            .into_iter()
            .chain(takes.iter().copied())
            .collect();
        only(Some("params"), self.name(), params.keys(), &names)?;
        match self {
            Self::Create => Ok(RestCall::post(
                CUSTOM_PROVIDERS_PATH,
                provider_body(params)?,
            )),
            Self::Update => {
                let identifier = params.required("identifier")?;
                Ok(RestCall::with_body(
                    Method::PUT,
                    at(identifier),
                    provider_body(params)?,
                ))
            }
            Self::Delete => {
                let identifier = params.required("identifier")?;
                Ok(RestCall::bare(Method::DELETE, at(identifier), None))
            }
            Self::List => {
                let mut query = Query::new();
                push(&mut query, "identifier", params.truthy("identifier")?);
                push_paging(&mut query, params, u32::MAX)?;
                let kind = match params.raw("providerType") {
                    None => None,
                    Some(Value::String(s))
                        if ["DEFAULT", "CUSTOM", "ALL"].contains(&s.as_str()) =>
                    {
                        Some(s.as_str())
                    }
                    Some(Value::Number(n)) => match n.as_u64() {
                        Some(0) => Some("DEFAULT"),
                        Some(1) => Some("CUSTOM"),
                        Some(2) => Some("ALL"),
                        _ => return Err(bad_provider_type()),
                    },
                    Some(_) => return Err(bad_provider_type()),
                };
                push(&mut query, "filter.provider_type", kind);
                Ok(RestCall::get(PROVIDERS_PATH, query))
            }
        }
    }

    /// `{ provider }` in camelCase for create and update, `{}` for delete, the page for list.
    pub fn answer(self, answer: &Value) -> Value {
        match self {
            Self::Create | Self::Update => {
                let mut out = Map::new();
                if let Some(p) = field(answer, "provider") {
                    out.insert("provider".into(), provider_to_js(p));
                }
                Value::Object(out)
            }
            Self::Delete => Value::Object(Map::new()),
            Self::List => {
                crate::accounts::page_of(answer, "providers", |p| Some(provider_to_js(p)))
            }
        }
    }
}

fn bad_provider_type() -> ScalekitError {
    ScalekitError::validation(
        "providerType",
        "providerType must be 'DEFAULT', 'CUSTOM' or 'ALL' (or 0, 1, 2)",
    )
}

fn at(identifier: &str) -> String {
    format!(
        "{CUSTOM_PROVIDERS_PATH}/{}",
        utf8_percent_encode(identifier, SEGMENT)
    )
}

/// The provider message of create and update, in proto names.
fn provider_body(params: &Params) -> Result<Map<String, Value>, ScalekitError> {
    let mut body = Map::new();
    body.insert(
        "display_name".into(),
        params.required("displayName")?.into(),
    );
    body.insert("proxy_url".into(), params.required("proxyUrl")?.into());
    if let Some(description) = params.string("description")? {
        body.insert("description".into(), description.into());
    }
    if let Some(enabled) = params.boolean("proxyEnabled")? {
        body.insert("proxy_enabled".into(), enabled.into());
    }
    put(&mut body, "icon_src", params.string("iconSrc")?);
    match params.raw("authPatterns") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
            body.insert(
                "auth_patterns".into(),
                Value::Array(
                    items
                        .iter()
                        .map(|p| rename_keys(p, &camel_to_snake))
                        .collect(),
                ),
            );
        }
        Some(_) => {
            return Err(ScalekitError::validation(
                "authPatterns",
                "authPatterns must be an array of objects (each an auth pattern: type, fields, …)",
            ))
        }
    }
    match params.raw("metadata") {
        None => {}
        Some(Value::Object(map)) if map.values().all(Value::is_string) => {
            body.insert("metadata".into(), Value::Object(map.clone()));
        }
        Some(_) => {
            return Err(ScalekitError::validation(
                "metadata",
                "metadata must be an object of strings",
            ))
        }
    }
    Ok(body)
}

/// A provider as JS reads it: fields and auth-pattern keys in camelCase, metadata as it was.
fn provider_to_js(p: &Value) -> Value {
    let Some(fields) = p.as_object() else {
        return Value::Object(Map::new());
    };
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| {
                let key = snake_to_camel(k);
                let value = match key.as_str() {
                    "metadata" => v.clone(),
                    "authPatterns" => rename_keys(v, &snake_to_camel),
                    _ => v.clone(),
                };
                (key, value)
            })
            .collect(),
    )
}

/// `value` with every object key renamed by `rename`, at every depth.
fn rename_keys(value: &Value, rename: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (rename(k), rename_keys(v, rename)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| rename_keys(v, rename)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::params;
    use serde_json::json;

    #[test]
    fn requests_in_proto_names() {
        let create = ProviderOperation::Create
            .request(&params(json!({ "displayName": "My CRM", "proxyUrl": "https://crm.example",
                "authPatterns": [{ "type": "API_KEY", "isMcp": false, "fields": [{ "fieldName": "key" }] }],
                "metadata": { "apiVersion": "v2" } })))
            .unwrap();
        assert_eq!(create.path, CUSTOM_PROVIDERS_PATH);
        assert_eq!(
            create.body.unwrap(),
            json!({ "display_name": "My CRM", "proxy_url": "https://crm.example",
                "auth_patterns": [{ "type": "API_KEY", "is_mcp": false, "fields": [{ "field_name": "key" }] }],
                "metadata": { "apiVersion": "v2" } })
        );
        let update = ProviderOperation::Update
            .request(&params(
                json!({ "identifier": "my_crm:2", "displayName": "A", "proxyUrl": "https://a" }),
            ))
            .unwrap();
        assert_eq!(update.path, "/api/v1/custom-providers/my_crm%3A2");
        let list = ProviderOperation::List
            .request(&params(json!({ "providerType": 1, "pageSize": 5 })))
            .unwrap();
        assert_eq!(
            list.query.as_deref(),
            Some("page_size=5&filter.provider_type=CUSTOM")
        );
        for (op, bad, argument) in [
            (
                ProviderOperation::Create,
                json!({ "proxyUrl": "https://a" }),
                "displayName",
            ),
            (
                ProviderOperation::Create,
                json!({ "displayName": "A", "proxyUrl": "https://a", "metadata": { "k": 1 } }),
                "metadata",
            ),
            (ProviderOperation::Delete, json!({}), "identifier"),
            (
                ProviderOperation::Delete,
                json!({ "identifier": "a", "id": "b" }),
                "params",
            ),
            (
                ProviderOperation::List,
                json!({ "providerType": "MINE" }),
                "providerType",
            ),
        ] {
            match op.request(&params(bad.clone())) {
                Err(ScalekitError::Validation { argument: a, .. }) => {
                    assert_eq!(a, argument, "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn answers_in_camel_case_metadata_kept() {
        let answer = json!({ "provider": { "display_name": "A", "is_custom": true,
            "auth_patterns": [{ "is_mcp": true }], "metadata": { "api_version": "v2" } } });
        assert_eq!(
            ProviderOperation::Create.answer(&answer),
            json!({ "provider": { "displayName": "A", "isCustom": true,
                "authPatterns": [{ "isMcp": true }], "metadata": { "api_version": "v2" } } })
        );
    }
}
