//! `tools.searchTools({ query, identifier?, topK? })` (docs/wire-protocol.md §15): ToolService's
//! SearchTools over its REST binding, `POST /api/v1/tools:search`, as the Python SDK's
//! `search_tools`.

use serde_json::{json, Map, Value};

use super::params::{put, Params};
use super::requests::RestCall;
use super::shapes::{enum_name, field, text};
use crate::errors::ScalekitError;

pub const SEARCH_TOOLS_PATH: &str = "/api/v1/tools:search";

/// The server's limits (SearchToolsRequest): a query of 1–256 characters, an identifier of at
/// most 100; `topK` 0 (the default, 10) or more, capped at 50 by the server.
const MAX_QUERY: usize = 256;
const MAX_IDENTIFIER: usize = 100;

pub fn search_tools_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let query = params.required("query")?;
    if query.chars().count() > MAX_QUERY {
        return Err(ScalekitError::validation(
            "query",
            format!("query must be at most {MAX_QUERY} characters"),
        ));
    }
    let identifier = params.truthy("identifier")?;
    if identifier.is_some_and(|i| i.chars().count() > MAX_IDENTIFIER) {
        return Err(ScalekitError::validation(
            "identifier",
            format!("identifier must be at most {MAX_IDENTIFIER} characters"),
        ));
    }
    let mut body = Map::new();
    body.insert("query".into(), query.into());
    put(&mut body, "identifier", identifier);
    match params.number("topK")? {
        None => {}
        Some(n)
            if n.is_finite() && n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) =>
        {
            body.insert("top_k".into(), json!(n as u32));
        }
        Some(_) => {
            return Err(ScalekitError::validation(
                "topK",
                "topK must be a whole number, 0 or more",
            ))
        }
    }
    Ok(RestCall::post(SEARCH_TOOLS_PATH, body))
}

/// `{ tools: [{ name, provider, description, score, connections: [{ connectionName,
/// connectedAccountId, readinessState }] }] }`, best first; `readinessState` is `READY`,
/// `NEEDS_REAUTH` or `NEEDS_CONNECTION` (the enum name without its `TOOL_READINESS_STATE_`
/// prefix). `connections` is `[]` without an identifier, or when it has no account there.
pub fn search_tools_answer(answer: &Value) -> Value {
    let tools: Vec<Value> = field(answer, "tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            let connections: Vec<Value> = field(t, "connections")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| {
                    json!({
                        "connectionName": text(c, "connection_name"),
                        "connectedAccountId": text(c, "connected_account_id"),
                        "readinessState": readiness(c),
                    })
                })
                .collect();
            json!({
                "name": text(t, "name"),
                "provider": text(t, "provider"),
                "description": text(t, "description"),
                "score": field(t, "score").and_then(Value::as_f64).unwrap_or_default(),
                "connections": connections,
            })
        })
        .collect();
    json!({ "tools": tools })
}

/// A readiness state by name (or, leniently, number), without its `TOOL_READINESS_STATE_` prefix.
fn readiness(connection: &Value) -> Value {
    const NAMES: [&str; 4] = [
        "TOOL_READINESS_STATE_UNSPECIFIED",
        "TOOL_READINESS_STATE_READY",
        "TOOL_READINESS_STATE_NEEDS_CONNECTION",
        "TOOL_READINESS_STATE_NEEDS_REAUTH",
    ];
    match enum_name(connection, "readiness_state", &NAMES) {
        Value::String(s) => Value::String(
            s.strip_prefix("TOOL_READINESS_STATE_")
                .map_or_else(|| s.clone(), str::to_string),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_and_its_rules() {
        let call = search_tools_call(&crate::accounts::params(
            json!({ "query": "send mail", "identifier": "u", "topK": 3 }),
        ))
        .unwrap();
        assert_eq!(call.path, SEARCH_TOOLS_PATH);
        assert_eq!(
            call.body,
            Some(json!({ "query": "send mail", "identifier": "u", "top_k": 3 }))
        );
        for (bad, argument) in [
            (json!({}), "query"),
            (json!({ "query": "" }), "query"),
            (json!({ "query": "x".repeat(257) }), "query"),
            (json!({ "query": "q", "topK": -1 }), "topK"),
            (json!({ "query": "q", "topK": 1.5 }), "topK"),
        ] {
            match search_tools_call(&crate::accounts::params(bad.clone())) {
                Err(ScalekitError::Validation { argument: a, .. }) => {
                    assert_eq!(a, argument, "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn readiness_names_lose_their_prefix() {
        let answer = json!({ "tools": [{ "name": "t", "provider": "P", "description": "d", "score": 1.5,
            "connections": [{ "connection_name": "c", "connected_account_id": "ca_1",
                "readiness_state": "TOOL_READINESS_STATE_NEEDS_REAUTH" }, { "readiness_state": 1 }] }, { "name": "u" }] });
        let out = search_tools_answer(&answer);
        assert_eq!(
            out["tools"][0]["connections"][0]["readinessState"],
            "NEEDS_REAUTH"
        );
        assert_eq!(out["tools"][0]["connections"][0]["connectionName"], "c");
        assert_eq!(out["tools"][0]["connections"][1]["readinessState"], "READY");
        assert_eq!(out["tools"][1]["connections"], json!([]));
        assert_eq!(out["tools"][0]["score"], 1.5);
    }
}
