//! The tool catalog (docs/wire-protocol.md §11): the `tools` option as `Tool` messages, the three
//! list calls with their filters and pages, and the input check against a tool's schema.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::model::{page_offset, paged, Status};
use crate::options::{ToolAnnotations, ToolConfig};
use crate::routes::validate::{check_connector, max_len};
use crate::store::Store;
use crate::wire::{rfc3339, ApiError, Query};
use crate::EmulatorError;

/// docs/wire-protocol.md §11: page_size 0/omitted → 300, capped at 1000.
const DEFAULT_PAGE: usize = 300;
const MAX_PAGE: usize = 1000;

#[derive(Debug, Clone)]
pub struct CatalogTool {
    pub id: String,
    pub name: String,
    pub connection: String,
    pub description: String,
    pub input_schema: Value,
    /// The MCP hints in Scalekit's snake_case (`read_only_hint`, …), docs/wire-protocol.md §13.
    pub annotations: Option<Map<String, Value>>,
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    pub updated_at: OffsetDateTime,
}

impl CatalogTool {
    /// `Tool` in wire shape; `definition` keys are never case-converted (`input_schema` stays).
    pub fn wire(&self, provider: &str) -> Value {
        let mut definition = json!({
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        });
        if let (Some(a), Value::Object(d)) = (&self.annotations, &mut definition) {
            d.insert("annotations".into(), Value::Object(a.clone()));
        }
        json!({
            "id": self.id,
            "provider": provider,
            "definition": definition,
            "metadata": {},
            "tags": [],
            "is_default": true,
            "updated_at": rfc3339(self.updated_at),
        })
    }

    /// Annotated `read_only_hint: true`: what a READ_ONLY MCP session token may use.
    pub fn read_only(&self) -> bool {
        self.annotations
            .as_ref()
            .and_then(|a| a.get("read_only_hint"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// The `annotations` option in Scalekit's snake_case, the hints given only.
fn annotations(a: &ToolAnnotations) -> Map<String, Value> {
    [
        ("read_only_hint", a.read_only_hint),
        ("destructive_hint", a.destructive_hint),
        ("idempotent_hint", a.idempotent_hint),
        ("open_world_hint", a.open_world_hint),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), Value::Bool(v))))
    .collect()
}

/// Checks the `tools` option: unique names, a method axum knows, a schema that is an object.
pub fn build(configs: Option<Vec<ToolConfig>>) -> Result<Vec<CatalogTool>, EmulatorError> {
    let now = OffsetDateTime::now_utc();
    let mut out: Vec<CatalogTool> = Vec::new();
    for (i, c) in configs.unwrap_or_default().into_iter().enumerate() {
        let bad = |m: String| EmulatorError::Options(format!("tools[{i}] ({}): {m}", c.name));
        if c.name.is_empty() || out.iter().any(|t| t.name == c.name) {
            return Err(bad("name must be non-empty and unique".into()));
        }
        let method = c
            .request
            .method
            .clone()
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        if axum::http::Method::from_bytes(method.as_bytes()).is_err() {
            return Err(bad(format!(
                "request.method {method:?} is not an HTTP method"
            )));
        }
        if !c.request.path.starts_with('/') {
            return Err(bad("request.path must start with /".into()));
        }
        let schema = c
            .input_schema
            .clone()
            .unwrap_or_else(|| json!({ "type": "object" }));
        if !schema.is_object() {
            return Err(bad("inputSchema must be an object".into()));
        }
        out.push(CatalogTool {
            id: format!("tol_{}", 1000 + i),
            name: c.name,
            connection: c.connection,
            description: c.description,
            input_schema: schema,
            annotations: c.annotations.as_ref().map(annotations),
            method,
            path: c.request.path,
            updated_at: now,
        });
    }
    Ok(out)
}

/// The provider reported for a tool: its connection's, else the connection name.
fn provider(store: &Store, t: &CatalogTool) -> String {
    store
        .connection(&t.connection)
        .map(|c| c.provider.clone())
        .unwrap_or_else(|| t.connection.clone())
}

/// `(offset, size)` of the page a query asks for.
fn page(q: &Query) -> Result<(usize, usize), ApiError> {
    page_within(q, DEFAULT_PAGE, MAX_PAGE)
}

/// `(offset, size)` of the page a query asks for (`page_size`, `page_token`), `default` when no
/// size is given (or 0), at most `max`.
pub(crate) fn page_within(
    q: &Query,
    default: usize,
    max: usize,
) -> Result<(usize, usize), ApiError> {
    let size = match q.opt("page_size") {
        None => default,
        Some(s) => match s.parse::<usize>() {
            Ok(0) => default,
            Ok(n) => n.min(max),
            Err(_) => return Err(ApiError::invalid("page_size: must be a whole number")),
        },
    };
    Ok((page_offset(q.opt("page_token"))?, size))
}

fn required<'a>(q: &'a Query, name: &str) -> Result<&'a str, ApiError> {
    let v = q
        .opt(name)
        .ok_or_else(|| ApiError::invalid(format!("{name}: is required")))?;
    max_len(name, Some(v), 100)?;
    Ok(v)
}

/// ListTools' `Filter` (docs/wire-protocol.md §11.1), read from the REST query; the gRPC binding
/// builds that query from its message, so both bindings filter and refuse alike.
struct ToolFilter<'a> {
    summary: bool,
    names: Vec<&'a str>,
    provider: Option<&'a str>,
    connector: Option<&'a str>,
    /// The connections where `filter.identifier` has a connected account, when one is given.
    connections: Option<Vec<String>>,
    /// `filter.query`'s words, lower-cased: each must occur in the name or the description.
    words: Vec<String>,
}

impl<'a> ToolFilter<'a> {
    /// Checks every field as the descriptor's `buf.validate` rules say (400 INVALID_ARGUMENT).
    fn parse(q: &'a Query, store: &Store) -> Result<Self, ApiError> {
        let provider = q.opt("filter.provider");
        max_len("filter.provider", provider, 50)?;
        let identifier = q.opt("filter.identifier");
        max_len("filter.identifier", identifier, 100)?;
        let query = q.opt("filter.query");
        max_len("filter.query", query, 100)?;
        if query.is_some_and(|s| s.chars().count() < 3) {
            return Err(ApiError::invalid(
                "filter.query: must be at least 3 characters",
            ));
        }
        let connector = q.opt("filter.connector");
        check_connector("filter.connector", connector)?;
        // Only scope an account's custom MCP tools upstream; LocalScalekit has none, so they are
        // checked and otherwise ignored.
        max_len(
            "filter.organization_id",
            q.opt("filter.organization_id"),
            32,
        )?;
        max_len("filter.user_id", q.opt("filter.user_id"), 32)?;
        let account = q.opt("filter.connected_account_id");
        max_len("filter.connected_account_id", account, 100)?;
        if account.is_some_and(|a| !a.starts_with("ca_")) {
            return Err(ApiError::invalid(
                "filter.connected_account_id: must start with \"ca_\"",
            ));
        }
        let connections = identifier.map(|id| {
            store
                .accounts
                .iter()
                .filter(|a| a.identifier == id)
                .map(|a| a.connector.clone())
                .collect()
        });
        Ok(ToolFilter {
            summary: parse_bool("filter.summary", q.opt("filter.summary"))?,
            names: q.all("filter.tool_name"),
            provider,
            connector,
            connections,
            words: query
                .map(|s| s.split_whitespace().map(str::to_lowercase).collect())
                .unwrap_or_default(),
        })
    }

    fn keeps(&self, t: &CatalogTool, provider: &str) -> bool {
        let text = || format!("{} {}", t.name, t.description).to_lowercase();
        (self.names.is_empty() || self.names.contains(&t.name.as_str()))
            && self
                .provider
                .is_none_or(|p| provider.eq_ignore_ascii_case(p))
            && self.connector.is_none_or(|c| t.connection == c)
            && self
                .connections
                .as_ref()
                .is_none_or(|cs| cs.contains(&t.connection))
            && (self.words.is_empty() || {
                let text = text();
                self.words.iter().all(|w| text.contains(w.as_str()))
            })
    }
}

/// A query boolean as grpc-gateway reads one (Go's `strconv.ParseBool`); absent is false.
pub fn parse_bool(field: &str, v: Option<&str>) -> Result<bool, ApiError> {
    match v {
        None => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(_) => Err(ApiError::invalid(format!("{field}: must be true or false"))),
    }
}

/// ListTools: the catalog through [`ToolFilter`], in catalog order; with `filter.summary` the
/// page holds the names (`tool_names`) and `tools` is empty.
pub fn list_tools(tools: &[CatalogTool], store: &Store, q: &Query) -> Result<Value, ApiError> {
    let filter = ToolFilter::parse(q, store)?;
    let pg = page(q)?;
    let matching = tools.iter().filter_map(|t| {
        let p = provider(store, t);
        filter.keeps(t, &p).then_some((t, p))
    });
    if !filter.summary {
        let mut m = paged("tools", matching.map(|(t, p)| t.wire(&p)).collect(), pg);
        m.insert("tool_names".into(), json!([]));
        return Ok(Value::Object(m));
    }
    let mut m = paged("tools", matching.map(|(t, _)| json!(t.name)).collect(), pg);
    let names = m.insert("tools".into(), json!([]));
    m.insert("tool_names".into(), names.unwrap_or_else(|| json!([])));
    Ok(Value::Object(m))
}

/// The ACTIVE accounts of `identifier`, `(connection, account id)`, oldest first.
fn active_accounts(store: &Store, identifier: &str) -> Vec<(String, String)> {
    let mut list: Vec<_> = store
        .accounts
        .iter()
        .filter(|a| a.identifier == identifier && a.status == Status::Active)
        .collect();
    list.sort_by_key(|a| a.seq);
    list.into_iter()
        .map(|a| (a.connector.clone(), a.id.clone()))
        .collect()
}

/// ListScopedTools: the tools of the connections where `identifier` has an ACTIVE account, each
/// with that account's id; `filter.connection_names`, `filter.providers`, `filter.tool_names`.
pub fn list_scoped(tools: &[CatalogTool], store: &Store, q: &Query) -> Result<Value, ApiError> {
    let identifier = required(q, "identifier")?;
    let conns = q.all("filter.connection_names");
    let provs = q.all("filter.providers");
    let names = q.all("filter.tool_names");
    let pg = page(q)?;
    let accounts = active_accounts(store, identifier);
    let mut items = Vec::new();
    for t in tools {
        let Some((_, account)) = accounts.iter().find(|(c, _)| *c == t.connection) else {
            continue;
        };
        let p = provider(store, t);
        let keep = (conns.is_empty() || conns.contains(&t.connection.as_str()))
            && (provs.is_empty() || provs.iter().any(|x| p.eq_ignore_ascii_case(x)))
            && (names.is_empty() || names.contains(&t.name.as_str()));
        if keep {
            items.push(json!({
                "tool": t.wire(&p),
                "identifier": identifier,
                "connected_account_id": account,
            }));
        }
    }
    Ok(Value::Object(paged("tools", items, pg)))
}

/// ListAvailableTools: as ListScopedTools with no filter, as plain `Tool`s.
pub fn list_available(tools: &[CatalogTool], store: &Store, q: &Query) -> Result<Value, ApiError> {
    let identifier = required(q, "identifier")?;
    let pg = page(q)?;
    let accounts = active_accounts(store, identifier);
    let items = tools
        .iter()
        .filter(|t| accounts.iter().any(|(c, _)| *c == t.connection))
        .map(|t| t.wire(&provider(store, t)))
        .collect();
    Ok(Value::Object(paged("tools", items, pg)))
}

/// The input against the schema's basic rules: `required` properties and the JSON `type` of each
/// declared property (string, number, integer, boolean, object, array, null).
pub fn check_input(schema: &Value, input: &Map<String, Value>) -> Result<(), ApiError> {
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !input.contains_key(name) {
            return Err(ApiError::invalid(format!(
                "params.{name}: required by the tool's input_schema"
            )));
        }
    }
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, value) in input {
        let Some(ty) = props.get(name).and_then(|p| p.get("type")) else {
            continue;
        };
        let allowed: Vec<&str> = match ty {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => continue,
        };
        if !allowed.iter().any(|t| is_type(value, t)) {
            return Err(ApiError::invalid(format!(
                "params.{name}: must be of type {}",
                allowed.join(" or ")
            )));
        }
    }
    Ok(())
}

fn is_type(v: &Value, ty: &str) -> bool {
    match ty {
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        // Types this check does not know are accepted rather than refused.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_check_types_and_required() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": { "id": { "type": "integer" }, "q": { "type": ["string", "null"] } },
        });
        let ok = json!({ "id": 3, "q": null });
        assert!(check_input(&schema, ok.as_object().unwrap_or(&Map::new())).is_ok());
        let missing = json!({ "q": "x" });
        let e = check_input(&schema, missing.as_object().unwrap_or(&Map::new()));
        assert_eq!(e.map_err(|e| e.code), Err(3));
        let wrong = json!({ "id": "3" });
        assert!(check_input(&schema, wrong.as_object().unwrap_or(&Map::new())).is_err());
    }
}
