//! Executing a catalog tool (docs/wire-protocol.md §11): a Tool Proxy call (§6) through the
//! tool's connection, with the account's credentials injected as `inject` does for `/proxy`.

use std::error::Error as _;

use percent_encoding::utf8_percent_encode;
use serde_json::{json, Map, Value};

use crate::catalog::{check_input, CatalogTool};
use crate::inject::{append_query, credentials, Injection, QUERY_COMPONENT};
use crate::model::{ProxyTarget, Selector};
use crate::shared::Shared;
use crate::wire::{random_token, ApiError, ToolError};
use scalekit_wire::sync::lock;

/// Who runs the tool: the ExecuteTool request's addressing fields.
pub struct Caller<'a> {
    pub connected_account_id: Option<&'a str>,
    pub connector: Option<&'a str>,
    pub identifier: Option<&'a str>,
}

/// Runs `tool` with `params`: `{ data, execution_id }`, or 400 (input refused before any upstream
/// I/O), 404/400 (account), 500 TOOL_ERROR (the upstream failed or did not answer JSON).
pub async fn execute(
    shared: &Shared,
    tool: &CatalogTool,
    caller: Caller<'_>,
    params: Map<String, Value>,
) -> Result<Value, ApiError> {
    check_input(&tool.input_schema, &params)?;
    let (path, rest) = fill_path(&tool.path, params)?;
    let target = resolve(shared, tool, &caller)?;
    let injection = credentials(&target)?;
    let execution_id = format!("exec_{}", random_token());

    let mut query = None;
    let mut body = None;
    if matches!(tool.method.as_str(), "GET" | "DELETE") {
        if !rest.is_empty() {
            query = Some(query_of(&rest));
        }
    } else {
        body = Some(Value::Object(rest).to_string());
    }
    let mut request_headers = axum::http::HeaderMap::new();
    match injection {
        Injection::Query(pair) => query = Some(append_query(query.as_deref(), &pair)),
        Injection::Header(name, value) => {
            request_headers.insert(name, value);
        }
    }
    let url = match &query {
        Some(q) => format!("{}{path}?{q}", target.upstream_url),
        None => format!("{}{path}", target.upstream_url),
    };
    let method = reqwest::Method::from_bytes(tool.method.as_bytes())
        .map_err(|_| ApiError::invalid(format!("tool {}: bad method", tool.name)))?;
    let mut request = shared.http.request(method, url).headers(request_headers);
    if let Some(b) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(b);
    }
    let failed = |message: String, code: String| {
        ApiError::tool_error(
            format!("tool {} failed: {message}", tool.name),
            ToolError {
                execution_id: execution_id.clone(),
                message,
                code,
            },
        )
    };
    let resp = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            // Without the URL: an API_KEY placed in the query must not reach the caller.
            let e = e.without_url();
            let mut msg = format!("upstream unreachable: {e}");
            let mut src = e.source();
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            return Err(failed(msg, "UNREACHABLE".into()));
        }
    };
    let status = resp.status();
    let text = resp.text().await.map_err(|e| {
        failed(
            format!("reading the answer: {}", e.without_url()),
            "READ".into(),
        )
    })?;
    if !status.is_success() {
        let snippet: String = text.chars().take(200).collect();
        return Err(failed(
            format!("upstream answered {status}: {snippet}"),
            status.as_u16().to_string(),
        ));
    }
    let data = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Value::Object(m),
        // `data` is a Struct: other JSON values are wrapped.
        Ok(other) => json!({ "result": other }),
        Err(_) if text.is_empty() => json!({}),
        Err(_) => {
            return Err(failed(
                "upstream answer is not JSON".into(),
                "NOT_JSON".into(),
            ))
        }
    };
    Ok(json!({ "data": data, "execution_id": execution_id }))
}

/// Fills each `{name}` of the path from the input (percent-encoded); returns the rest of it.
fn fill_path(
    template: &str,
    mut params: Map<String, Value>,
) -> Result<(String, Map<String, Value>), ApiError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + len];
        let value = match params.remove(name) {
            Some(Value::String(s)) => s,
            Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "params.{name}: a path parameter must be a string, number or boolean"
                )))
            }
            None => {
                return Err(ApiError::invalid(format!(
                    "params.{name}: required by the tool's path"
                )))
            }
        };
        out.push_str(&rest[..open]);
        out.extend(utf8_percent_encode(&value, QUERY_COMPONENT));
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    Ok((out, params))
}

/// The input as a query: arrays repeat the key, objects go as JSON text.
fn query_of(params: &Map<String, Value>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (k, v) in params {
        match v {
            Value::Array(a) => {
                for item in a {
                    q.append_pair(k, &text(item));
                }
            }
            Value::Null => {}
            other => {
                q.append_pair(k, &text(other));
            }
        }
    }
    q.finish()
}

/// The ACTIVE account that runs the tool: by id, else the tool's connection (or the given
/// connector) and the identifier.
fn resolve(shared: &Shared, tool: &CatalogTool, c: &Caller<'_>) -> Result<ProxyTarget, ApiError> {
    let mut store = lock(&shared.store);
    let (connector, identifier) = match c.connected_account_id {
        Some(id) => {
            let sel = Selector {
                id: Some(id.to_owned()),
                ..Selector::default()
            };
            let acc = &store.accounts[store.position(&sel)?];
            (acc.connector.clone(), acc.identifier.clone())
        }
        None => {
            let identifier = c.identifier.ok_or_else(|| {
                ApiError::invalid("identifier or connected_account_id is required")
            })?;
            let connector = c.connector.unwrap_or(&tool.connection);
            (connector.to_owned(), identifier.to_owned())
        }
    };
    if connector != tool.connection {
        return Err(ApiError::invalid(format!(
            "tool {} runs on connection {:?}, not {connector:?}",
            tool.name, tool.connection
        )));
    }
    store.proxy_target(&connector, &identifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_template_takes_and_encodes_its_params() {
        let params = json!({ "owner": "a b", "n": 7, "q": "x" });
        let params = params.as_object().cloned().unwrap_or_default();
        let (path, rest) = fill_path("/repos/{owner}/issues/{n}", params).unwrap_or_default();
        assert_eq!(path, "/repos/a%20b/issues/7");
        assert_eq!(rest.keys().collect::<Vec<_>>(), ["q"]);
    }
}
