//! ProviderService's custom providers (docs/wire-protocol.md §15): create, update, delete and
//! list, with the server's field rules (CreateCustomProvider / UpdateCustomProvider of the Python
//! SDK 2.21's descriptors). The REST routes (`routes/providers.rs`) and the gRPC binding
//! (`grpc/providers.rs`) both call these functions with the JSON of the REST binding.

use serde_json::{json, Map, Value};

use crate::catalog::page_within;
use crate::model::paged;
use crate::store::Store;
use crate::wire::{ApiError, Input, Query};

/// What `ListProviders` returns per page when `page_size` is 0 or absent, and at most.
const DEFAULT_PAGE: usize = 30;
const MAX_PAGE: usize = 100;

/// One custom provider, stored as its REST JSON (`identifier`, `display_name`, …).
#[derive(Debug, Default)]
pub struct Providers {
    custom: Vec<Map<String, Value>>,
    next_id: u64,
}

/// `ListProvidersRequest.Filter.provider_type`: DEFAULT (0), CUSTOM (1), ALL (2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderType {
    Default,
    Custom,
    All,
}

impl ProviderType {
    /// The enum's name or number; absent is ALL (the Python SDK: "None returns all providers").
    pub fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        Ok(match value {
            None | Some("ALL" | "2") => Self::All,
            Some("DEFAULT" | "0") => Self::Default,
            Some("CUSTOM" | "1") => Self::Custom,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "filter.provider_type: {other:?} is not DEFAULT, CUSTOM or ALL"
                )))
            }
        })
    }
}

impl Providers {
    /// `CreateCustomProvider`: `provider` is the request's `provider` object. The identifier is
    /// derived from the display name (lowercase words joined by `_`, `:n` added when taken).
    pub fn create(&mut self, provider: &Map<String, Value>) -> Result<Value, ApiError> {
        let input = Input(provider);
        let display_name = display_name(&input)?;
        if self.custom.iter().any(|p| {
            p.get("display_name")
                .and_then(Value::as_str)
                .is_some_and(|d| d.eq_ignore_ascii_case(display_name))
        }) {
            return Err(ApiError::already_exists(format!(
                "a provider named {display_name:?} already exists"
            )));
        }
        let proxy_url = proxy_url(&input)?;
        self.next_id += 1;
        let base = display_name
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join("_");
        let identifier = if self.find(&base).is_some() {
            format!("{base}:{}", self.next_id)
        } else {
            base
        };
        let mut stored = Map::new();
        stored.insert(
            "id".into(),
            json!(format!("prv_{}", 7_000_000 + self.next_id)),
        );
        stored.insert("identifier".into(), json!(identifier));
        stored.insert("display_name".into(), json!(display_name));
        stored.insert(
            "description".into(),
            json!(input.opt("description")?.unwrap_or("")),
        );
        stored.insert("proxy_url".into(), json!(proxy_url));
        stored.insert(
            "proxy_enabled".into(),
            json!(input
                .get("proxy_enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false)),
        );
        stored.insert("icon_src".into(), json!(icon_src(&input)?.unwrap_or("")));
        stored.insert(
            "auth_patterns".into(),
            auth_patterns(&input)?.unwrap_or(json!([])),
        );
        stored.insert(
            "metadata".into(),
            metadata(&input)?.unwrap_or_default().into(),
        );
        stored.insert("categories".into(), json!([]));
        stored.insert("is_custom".into(), json!(true));
        let is_mcp = stored["auth_patterns"]
            .as_array()
            .is_some_and(|a| a.iter().any(|p| p.get("is_mcp") == Some(&json!(true))));
        stored.insert("is_custom_mcp".into(), json!(is_mcp));
        self.custom.push(stored.clone());
        Ok(json!({ "provider": stored }))
    }

    /// `UpdateCustomProvider`: `display_name` and `proxy_url` are required on every update (as the
    /// server); the other fields replace the stored ones when given, `metadata` as a whole.
    pub fn update(
        &mut self,
        identifier: &str,
        provider: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let input = Input(provider);
        let display_name = display_name(&input)?;
        let proxy_url = proxy_url(&input)?;
        let description = input.str("description")?;
        let icon = icon_src(&input)?;
        let patterns = auth_patterns(&input)?;
        let meta = metadata(&input)?;
        let i = self.find(identifier).ok_or_else(|| not_found(identifier))?;
        let stored = &mut self.custom[i];
        stored.insert("display_name".into(), json!(display_name));
        stored.insert("proxy_url".into(), json!(proxy_url));
        if let Some(d) = description {
            stored.insert("description".into(), json!(d));
        }
        if let Some(src) = icon {
            stored.insert("icon_src".into(), json!(src));
        }
        if let Some(p) = patterns {
            stored.insert("auth_patterns".into(), p);
        }
        if let Some(p) = input.get("proxy_enabled").and_then(Value::as_bool) {
            stored.insert("proxy_enabled".into(), json!(p));
        }
        // The Python SDK: "If omitted or set to None, the server clears all existing metadata".
        stored.insert("metadata".into(), meta.unwrap_or_default().into());
        Ok(json!({ "provider": stored.clone() }))
    }

    pub fn delete(&mut self, identifier: &str) -> Result<Value, ApiError> {
        let i = self.find(identifier).ok_or_else(|| not_found(identifier))?;
        self.custom.remove(i);
        Ok(json!({}))
    }

    /// `ListProviders`: the built-in providers are the providers of the configured connections;
    /// `identifier` selects one; `q`'s `page_size` and `page_token` page it (offset tokens).
    pub fn list(
        &self,
        store: &Store,
        kind: ProviderType,
        identifier: Option<&str>,
        q: &Query,
    ) -> Result<Value, ApiError> {
        let mut all: Vec<Value> = Vec::new();
        if kind != ProviderType::Custom {
            let mut seen: Vec<&str> = Vec::new();
            for c in &store.connections {
                if !seen.contains(&c.provider.as_str()) {
                    seen.push(&c.provider);
                    all.push(json!({
                        "id": format!("prv_{}", c.provider.to_lowercase()),
                        "identifier": c.provider, "display_name": c.provider, "description": "",
                        "categories": [], "auth_patterns": [], "icon_src": "", "proxy_url": "",
                        "proxy_enabled": false, "is_custom": false, "is_custom_mcp": false, "metadata": {},
                    }));
                }
            }
        }
        if kind != ProviderType::Default {
            all.extend(self.custom.iter().cloned().map(Value::Object));
        }
        if let Some(id) = identifier {
            all.retain(|p| p.get("identifier").and_then(Value::as_str) == Some(id));
        }
        Ok(Value::Object(paged(
            "providers",
            all,
            page_within(q, DEFAULT_PAGE, MAX_PAGE)?,
        )))
    }

    fn find(&self, identifier: &str) -> Option<usize> {
        self.custom
            .iter()
            .position(|p| p.get("identifier").and_then(Value::as_str) == Some(identifier))
    }
}

fn not_found(identifier: &str) -> ApiError {
    ApiError::not_found(format!("custom provider {identifier:?} not found"))
}

/// 1–200 characters of letters, digits and spaces, at least one not a space.
fn display_name<'a>(input: &Input<'a>) -> Result<&'a str, ApiError> {
    let name = input.required("display_name")?;
    let ok = name.chars().count() <= 200
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        && name.chars().any(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(ApiError::invalid(
            "provider.display_name: 1-200 characters of a-z, A-Z, 0-9 and spaces",
        ));
    }
    Ok(name)
}

/// Required, `https://…`, at most 2048 characters.
fn proxy_url<'a>(input: &Input<'a>) -> Result<&'a str, ApiError> {
    let url = input.required("proxy_url")?;
    if !url.starts_with("https://") || url.len() > 2048 {
        return Err(ApiError::invalid(
            "provider.proxy_url: must start with https:// (at most 2048 characters)",
        ));
    }
    Ok(url)
}

/// Empty, or `https://…` of at most 2048 characters.
fn icon_src<'a>(input: &Input<'a>) -> Result<Option<&'a str>, ApiError> {
    let icon = input.str("icon_src")?;
    if icon.is_some_and(|s| !(s.is_empty() || s.starts_with("https://")) || s.len() > 2048) {
        return Err(ApiError::invalid(
            "provider.icon_src: must be empty or start with https://",
        ));
    }
    Ok(icon)
}

/// A list of objects (each pattern's keys as sent).
fn auth_patterns(input: &Input<'_>) -> Result<Option<Value>, ApiError> {
    match input.get("auth_patterns") {
        None => Ok(None),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
            Ok(Some(Value::Array(items.clone())))
        }
        Some(_) => Err(ApiError::invalid(
            "provider.auth_patterns: must be a list of objects",
        )),
    }
}

/// At most 20 pairs, keys of 3–25 characters, values of 1–256, all strings.
fn metadata(input: &Input<'_>) -> Result<Option<Map<String, Value>>, ApiError> {
    let Some(map) = input.object("metadata")? else {
        return Ok(None);
    };
    let bad = |why: &str| ApiError::invalid(format!("provider.metadata: {why}"));
    if map.len() > 20 {
        return Err(bad("at most 20 pairs"));
    }
    for (k, v) in map {
        if !(3..=25).contains(&k.chars().count()) {
            return Err(bad(&format!("key {k:?} must be 3-25 characters")));
        }
        match v.as_str() {
            Some(s) if (1..=256).contains(&s.chars().count()) => {}
            _ => {
                return Err(bad(&format!(
                    "the value of {k:?} must be a string of 1-256 characters"
                )))
            }
        }
    }
    Ok(Some(map.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body as the REST route reads it (a JSON object).
    fn provider(v: Value) -> Map<String, Value> {
        crate::wire::parse_body(v.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn create_update_delete() {
        let mut p = Providers::default();
        let created = p
            .create(&provider(json!({ "display_name": "My CRM MCP", "proxy_url": "https://crm.example/mcp",
                "auth_patterns": [{ "type": "API_KEY", "is_mcp": true }], "metadata": { "region": "eu" } })))
            .unwrap();
        assert_eq!(created["provider"]["identifier"], "my_crm_mcp");
        assert_eq!(created["provider"]["is_custom_mcp"], true);
        let again = p.create(&provider(
            json!({ "display_name": "my crm mcp", "proxy_url": "https://x" }),
        ));
        assert!(again.is_err());
        let updated = p
            .update(
                "my_crm_mcp",
                &provider(
                    json!({ "display_name": "My CRM", "proxy_url": "https://crm.example/v2" }),
                ),
            )
            .unwrap();
        assert_eq!(updated["provider"]["display_name"], "My CRM");
        assert_eq!(updated["provider"]["metadata"], json!({}));
        assert!(p
            .update(
                "nope",
                &provider(json!({ "display_name": "A", "proxy_url": "https://a" }))
            )
            .is_err());
        for bad in [
            json!({ "display_name": "", "proxy_url": "https://a" }),
            json!({ "display_name": "a-b", "proxy_url": "https://a" }),
            json!({ "display_name": "A", "proxy_url": "http://a" }),
            json!({ "display_name": "A", "proxy_url": "https://a", "metadata": { "k": "v" } }),
        ] {
            assert!(p.create(&provider(bad.clone())).is_err(), "{bad}");
        }
        assert_eq!(p.delete("my_crm_mcp").unwrap(), json!({}));
        assert!(p.delete("my_crm_mcp").is_err());
    }
}
