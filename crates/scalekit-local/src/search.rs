//! SearchTools (docs/wire-protocol.md §15): the catalog's tools ranked against a query with BM25
//! (the `bm25` crate: English stemming and stop words) over each tool's name, description and
//! provider; with an `identifier`, each result lists that identifier's connected accounts on the
//! tool's provider with their readiness.

use bm25::{Document, Language, SearchEngineBuilder};
use serde_json::{json, Map, Value};

use crate::catalog::CatalogTool;
use crate::model::Status;
use crate::store::Store;
use crate::wire::{ApiError, Input};

/// `top_k` when 0 or absent, and its cap (the descriptors' "Defaults to 10, capped at 50").
const DEFAULT_TOP_K: usize = 10;
const MAX_TOP_K: usize = 50;
const MAX_QUERY: usize = 256;
const MAX_IDENTIFIER: usize = 100;

/// `POST /api/v1/tools:search` body (`query`, `identifier?`, `top_k?`) → `{ tools }`.
pub fn search_json(
    tools: &[CatalogTool],
    store: &Store,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let input = Input(body);
    let query = input.required("query")?;
    if query.chars().count() > MAX_QUERY {
        return Err(ApiError::invalid(format!(
            "query: at most {MAX_QUERY} characters"
        )));
    }
    let identifier = input.opt("identifier")?;
    if identifier.is_some_and(|i| i.chars().count() > MAX_IDENTIFIER) {
        return Err(ApiError::invalid(format!(
            "identifier: at most {MAX_IDENTIFIER} characters"
        )));
    }
    let top_k = match input.get("top_k") {
        None => 0,
        Some(Value::Number(n)) => n.as_u64().ok_or_else(bad_top_k)? as usize,
        Some(Value::String(s)) => s.parse::<usize>().map_err(|_| bad_top_k())?,
        Some(_) => return Err(bad_top_k()),
    };
    let limit = match top_k {
        0 => DEFAULT_TOP_K,
        n => n.min(MAX_TOP_K),
    };
    let providers: Vec<String> = tools.iter().map(|t| provider(store, t)).collect();
    let documents = tools.iter().zip(&providers).enumerate().map(|(i, (t, p))| {
        // The name's words count as words (`crm_get_contact` → `crm get contact`).
        Document::new(
            i,
            format!(
                "{} {} {} {p}",
                t.name.replace(['_', '-'], " "),
                t.name,
                t.description
            ),
        )
    });
    let engine = SearchEngineBuilder::<usize>::with_documents(Language::English, documents).build();
    let ranked: Vec<Value> = engine
        .search(query, limit)
        .into_iter()
        .filter_map(|hit| {
            let t = tools.get(hit.document.id)?;
            let p = &providers[hit.document.id];
            let mut out = json!({
                "name": t.name,
                "provider": p,
                "description": t.description,
                "score": f64::from(hit.score),
            });
            if let Some(identifier) = identifier {
                out["connections"] = readiness(store, identifier, p);
            }
            Some(out)
        })
        .collect();
    Ok(json!({ "tools": ranked }))
}

fn bad_top_k() -> ApiError {
    ApiError::invalid("top_k: must be a whole number")
}

/// The provider a tool is reported under: its connection's, else the connection name.
fn provider(store: &Store, t: &CatalogTool) -> String {
    store
        .connection(&t.connection)
        .map_or_else(|| t.connection.clone(), |c| c.provider.clone())
}

/// `identifier`'s accounts on connections of `provider`, oldest first, each with its readiness:
/// READY when ACTIVE, NEEDS_REAUTH when EXPIRED, NEEDS_CONNECTION otherwise. A connection the
/// identifier has no account on is left out.
fn readiness(store: &Store, identifier: &str, provider: &str) -> Value {
    let mut accounts: Vec<_> = store
        .accounts
        .iter()
        .filter(|a| a.identifier == identifier && a.provider.eq_ignore_ascii_case(provider))
        .collect();
    accounts.sort_by_key(|a| a.seq);
    Value::Array(
        accounts
            .into_iter()
            .map(|a| {
                let state = match a.status {
                    Status::Active => "TOOL_READINESS_STATE_READY",
                    Status::Expired => "TOOL_READINESS_STATE_NEEDS_REAUTH",
                    _ => "TOOL_READINESS_STATE_NEEDS_CONNECTION",
                };
                json!({
                    "connection_name": a.connector,
                    "connected_account_id": a.id,
                    "readiness_state": state,
                })
            })
            .collect(),
    )
}
