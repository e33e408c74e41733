//! `client.tools` (docs/wire-protocol.md §11): the REST calls of ListTools, ListScopedTools and
//! ListAvailableTools, their answers in the official SDK's shape, and the LLM function
//! definitions `tools.forLLM` builds from the scoped tools.

use serde_json::{json, Map, Value};

use super::params::{put, Params};
use super::requests::{self, push, push_list, Query, RestCall};
use super::shapes::{field, number, put_opt, string_list, text, timestamp};
use super::EXECUTE_TOOL_PATH;
use crate::errors::ScalekitError;
use scalekit_wire::names::{camel_to_snake, snake_to_camel};

pub const TOOLS_PATH: &str = "/api/v1/tools";
pub const SCOPED_TOOLS_PATH: &str = "/api/v1/tools/scoped";
pub const AVAILABLE_TOOLS_PATH: &str = "/api/v1/tools/available";

/// ListTools accepts up to 1000 per page (0 or absent: the server's default, 300).
const MAX_PAGE_SIZE: u32 = 1000;

/// The filter's string fields `names`, each sent as `filter.<proto name>` when not empty.
fn push_filter(
    query: &mut Query,
    filter: &Params,
    names: &[&'static str],
) -> Result<(), ScalekitError> {
    for name in names {
        let key = format!("filter.{}", camel_to_snake(name));
        push(query, &key, filter.truthy(name)?);
    }
    Ok(())
}

fn push_paging(query: &mut Query, params: &Params) -> Result<(), ScalekitError> {
    requests::push_paging(query, params, MAX_PAGE_SIZE)
}

/// The required `identifier` of the scoped and available lists (at most 100 characters).
fn identifier(params: &Params) -> Result<&str, ScalekitError> {
    let identifier = params.required("identifier")?;
    if identifier.chars().count() > 100 {
        return Err(ScalekitError::validation(
            "identifier",
            "identifier must be at most 100 characters",
        ));
    }
    Ok(identifier)
}

/// `GET /api/v1/tools?filter.provider=…&filter.tool_name=a&filter.tool_name=b&page_size=…`.
pub fn list_tools_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let filter = params.nested("filter")?;
    let mut query = Vec::new();
    push_filter(&mut query, &filter, &["provider", "identifier"])?;
    push_list(
        &mut query,
        "filter.tool_name",
        filter.string_list("toolName")?,
    );
    let rest = [
        "query",
        "connector",
        "organizationId",
        "userId",
        "connectedAccountId",
    ];
    push_filter(&mut query, &filter, &rest)?;
    if let Some(summary) = filter.boolean("summary")? {
        push(&mut query, "filter.summary", Some(&summary.to_string()));
    }
    push_paging(&mut query, params)?;
    Ok(RestCall::get(TOOLS_PATH, query))
}

/// `GET /api/v1/tools/scoped?identifier=…&filter.connection_names=…&filter.providers=…&filter.tool_names=…`.
pub fn list_scoped_tools_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let filter = params.nested("filter")?;
    scoped_call(
        identifier(params)?,
        filter.string_list("connectionNames")?,
        filter.string_list("providers")?,
        filter.string_list("toolNames")?,
        params,
    )
}

fn scoped_call(
    identifier: &str,
    connection_names: Vec<String>,
    providers: Vec<String>,
    tool_names: Vec<String>,
    paging: &Params,
) -> Result<RestCall, ScalekitError> {
    let mut query = vec![("identifier".to_string(), identifier.to_string())];
    push_list(&mut query, "filter.connection_names", connection_names);
    push_list(&mut query, "filter.providers", providers);
    push_list(&mut query, "filter.tool_names", tool_names);
    push_paging(&mut query, paging)?;
    Ok(RestCall::get(SCOPED_TOOLS_PATH, query))
}

/// `GET /api/v1/tools/available?identifier=…&page_size=…&page_token=…`.
pub fn list_available_tools_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let mut query = vec![("identifier".to_string(), identifier(params)?.to_string())];
    push_paging(&mut query, params)?;
    Ok(RestCall::get(AVAILABLE_TOOLS_PATH, query))
}

/// A `Tool`: camelCase outside, `definition` and `metadata` (Structs) exactly as received.
fn tool_to_sdk(v: &Value) -> Value {
    let object = |snake| match field(v, snake) {
        Some(o @ Value::Object(_)) => o.clone(),
        _ => Value::Object(Map::new()),
    };
    let mut out = Map::new();
    out.insert("id".into(), text(v, "id"));
    out.insert("provider".into(), text(v, "provider"));
    out.insert("tags".into(), string_list(v, "tags"));
    out.insert("definition".into(), object("definition"));
    out.insert("metadata".into(), object("metadata"));
    out.insert(
        "isDefault".into(),
        Value::Bool(
            field(v, "is_default")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
    );
    put_opt(&mut out, "updatedAt", timestamp(v, "updated_at"));
    Value::Object(out)
}

fn scoped_to_sdk(v: &Value) -> Value {
    json!({
        "tool": tool_to_sdk(field(v, "tool").unwrap_or(&Value::Null)),
        "identifier": text(v, "identifier"),
        "connectedAccountId": text(v, "connected_account_id"),
    })
}

/// The page fields of every list answer; `toolNames` only where the response message has it
/// (ListToolsResponse, not the scoped or available ones).
fn page_answer(answer: &Value, item: fn(&Value) -> Value, names: bool) -> Value {
    let tools: Vec<Value> = field(answer, "tools")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(item).collect())
        .unwrap_or_default();
    let mut page = json!({
        "tools": tools,
        "nextPageToken": text(answer, "next_page_token"),
        "prevPageToken": text(answer, "prev_page_token"),
        "totalSize": number(answer, "total_size"),
    });
    if names {
        page["toolNames"] = string_list(answer, "tool_names");
    }
    page
}

/// ListTools answers.
pub fn tools_answer(answer: &Value) -> Value {
    page_answer(answer, tool_to_sdk, true)
}

/// ListAvailableTools answers.
pub fn available_tools_answer(answer: &Value) -> Value {
    page_answer(answer, tool_to_sdk, false)
}

pub fn scoped_tools_answer(answer: &Value) -> Value {
    page_answer(answer, scoped_to_sdk, false)
}

/// The function-definition format `tools.forLLM` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmFormat {
    OpenAi,
    Anthropic,
}

/// `forLLM`'s options: the format, and the first ListScopedTools call (paging continues with
/// [`for_llm_page`]).
pub fn for_llm_format(params: &Params) -> Result<LlmFormat, ScalekitError> {
    match params.string("format")? {
        Some("openai") => Ok(LlmFormat::OpenAi),
        Some("anthropic") => Ok(LlmFormat::Anthropic),
        _ => Err(ScalekitError::validation(
            "format",
            "format must be 'openai' or 'anthropic'",
        )),
    }
}

/// One page of the scoped tools `forLLM` reads (all pages, following `nextPageToken`).
/// The caller's `pageSize` (the Python SDK's `page_size`) sets every page's size.
pub fn for_llm_page(params: &Params, page_token: &str) -> Result<RestCall, ScalekitError> {
    let page_size = params.number("pageSize")?;
    let paging =
        Params::from_json(&json!({ "pageToken": page_token, "pageSize": page_size }).to_string())?;
    scoped_call(
        identifier(params)?,
        params.string_list("connectionNames")?,
        params.string_list("providers")?,
        params.string_list("toolNames")?,
        &paging,
    )
}

/// `{ definitions, accounts, annotations }`: the definitions in `format`, each tool's connected
/// account (by name) for `execute`, and the MCP hints of the tools that have them (by name, in
/// camelCase), for the frameworks with a place for them. A tool without a name in its definition
/// cannot be called: skipped.
pub fn for_llm_answer(format: LlmFormat, scoped: &[Value]) -> Value {
    let mut definitions = Vec::new();
    let mut accounts = Map::new();
    let mut annotations = Map::new();
    for item in scoped {
        let definition = &item["tool"]["definition"];
        let Some(name) = definition
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        if accounts.contains_key(name) {
            continue;
        }
        let description = definition
            .get("description")
            .cloned()
            .unwrap_or_else(|| Value::String(String::new()));
        let schema = match definition.get("input_schema") {
            Some(s @ Value::Object(_)) => s.clone(),
            _ => json!({ "type": "object", "properties": {} }),
        };
        definitions.push(match format {
            LlmFormat::OpenAi => json!({
                "type": "function",
                "function": { "name": name, "description": description, "parameters": schema },
            }),
            LlmFormat::Anthropic => {
                json!({ "name": name, "description": description, "input_schema": schema })
            }
        });
        accounts.insert(name.to_string(), item["connectedAccountId"].clone());
        if let Some(Value::Object(hints)) = definition.get("annotations") {
            // Stored in Scalekit's snake_case (`read_only_hint`); MCP and the frameworks spell
            // them in camelCase (docs/wire-protocol.md §13).
            let hints: Map<String, Value> = hints
                .iter()
                .map(|(k, v)| (snake_to_camel(k), v.clone()))
                .collect();
            annotations.insert(name.to_string(), Value::Object(hints));
        }
    }
    json!({ "definitions": definitions, "accounts": accounts, "annotations": annotations })
}

/// `forLLM(...).execute(name, args)`: the ExecuteTool call for a tool `forLLM` listed, with the
/// model's arguments (a JSON string or an object) as its input.
pub fn execute_llm_tool_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let name = params.required("toolName")?;
    let accounts = params.object("tools")?;
    let Some(account) = accounts.and_then(|a| a.get(name)) else {
        return Err(ScalekitError::validation(
            "name",
            format!("unknown tool {name:?}: not among the tools forLLM listed"),
        ));
    };
    let input = match params.raw("arguments") {
        None => Value::Object(Map::new()),
        Some(Value::String(s)) if s.trim().is_empty() => Value::Object(Map::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                return Err(ScalekitError::validation(
                    "args",
                    format!("the arguments of {name:?} must be a JSON object"),
                ))
            }
        },
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return Err(ScalekitError::validation(
                "args",
                format!("the arguments of {name:?} must be a JSON string or an object"),
            ))
        }
    };
    let mut body = Map::new();
    body.insert("tool_name".into(), name.into());
    put(&mut body, "identifier", params.truthy("identifier")?);
    body.insert("params".into(), input);
    put(
        &mut body,
        "connected_account_id",
        account.as_str().filter(|a| !a.is_empty()),
    );
    Ok(RestCall::post(EXECUTE_TOOL_PATH, body))
}

/// How often a tool call may be retried on 503 / a connection failure: never unless the caller
/// opted in (`retry: true` for the client's `maxRetries`, or a count), as running a tool twice
/// can have effects twice (docs/wire-protocol.md §11).
pub fn tool_retries(params: &Params, max_retries: u32) -> Result<u32, ScalekitError> {
    let count = match params.raw("retry") {
        None | Some(Value::Bool(false)) => return Ok(0),
        Some(Value::Bool(true)) => return Ok(max_retries),
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n <= 10),
        Some(_) => None,
    };
    count.map(|n| n as u32).ok_or_else(|| {
        ScalekitError::validation(
            "retry",
            "retry must be a boolean or a whole number from 0 to 10",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::params;

    #[test]
    fn list_tools_query_uses_dotted_snake_names_and_repeats_lists() {
        let call = list_tools_call(&params(json!({
            "filter": { "toolName": ["a", "b"], "provider": "GMAIL", "summary": false },
            "pageSize": 50, "pageToken": "t1"
        })))
        .unwrap();
        assert_eq!(call.path, TOOLS_PATH);
        assert_eq!(
            call.query.as_deref(),
            Some("filter.provider=GMAIL&filter.tool_name=a&filter.tool_name=b&filter.summary=false&page_size=50&page_token=t1")
        );
        assert_eq!(list_tools_call(&params(json!({}))).unwrap().query, None);
        for (bad, argument) in [
            (json!({"pageSize": 1001}), "pageSize"),
            (json!({"pageSize": 1.5}), "pageSize"),
            (json!({"filter": 3}), "filter"),
            (json!({"filter": {"toolName": "a"}}), "toolName"),
            (json!({"filter": {"summary": "yes"}}), "summary"),
        ] {
            match list_tools_call(&params(bad.clone())) {
                Err(ScalekitError::Validation { argument: a, .. }) => assert_eq!(a, argument),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn scoped_and_available_need_an_identifier() {
        let call = list_scoped_tools_call(&params(json!({
            "identifier": "u@x.com",
            "filter": { "connectionNames": ["gmail"], "providers": ["GOOGLE"], "toolNames": ["x"] }
        })))
        .unwrap();
        assert_eq!(
            call.query.as_deref(),
            Some("identifier=u%40x.com&filter.connection_names=gmail&filter.providers=GOOGLE&filter.tool_names=x")
        );
        let call =
            list_available_tools_call(&params(json!({"identifier": "u", "pageSize": 2}))).unwrap();
        assert_eq!(call.path, AVAILABLE_TOOLS_PATH);
        assert_eq!(call.query.as_deref(), Some("identifier=u&page_size=2"));
        for p in [
            json!({}),
            json!({"identifier": " "}),
            json!({"identifier": 3}),
        ] {
            assert!(matches!(
                list_scoped_tools_call(&params(p.clone())),
                Err(ScalekitError::Validation { ref argument, .. }) if argument == "identifier"
            ));
            assert!(list_available_tools_call(&params(p)).is_err());
        }
        let long = "x".repeat(101);
        assert!(list_available_tools_call(&params(json!({"identifier": long}))).is_err());
    }

    #[test]
    fn tools_keep_their_struct_keys() {
        let answer = json!({
            "tools": [{
                "tool": {
                    "id": "tol_1", "provider": "GMAIL", "tags": ["mail"], "is_default": true,
                    "updated_at": "2026-01-02T03:04:05Z",
                    "definition": {"name": "gmail_send", "input_schema": {"type": "object", "properties": {"to_address": {"type": "string"}}}},
                    "metadata": {"some_key": {"nested_key": 1}}
                },
                "identifier": "u", "connected_account_id": "ca_1"
            }],
            "next_page_token": "n", "total_size": 3
        });
        let out = scoped_tools_answer(&answer);
        let tool = &out["tools"][0]["tool"];
        assert_eq!(
            tool["definition"]["input_schema"]["properties"]["to_address"],
            json!({"type": "string"})
        );
        assert_eq!(tool["metadata"], json!({"some_key": {"nested_key": 1}}));
        assert_eq!(tool["isDefault"], json!(true));
        assert_eq!(tool["updatedAt"], json!("2026-01-02T03:04:05Z"));
        assert_eq!(out["tools"][0]["connectedAccountId"], json!("ca_1"));
        assert_eq!(out["nextPageToken"], json!("n"));
        assert_eq!(out["totalSize"], json!(3));
        // ListScopedToolsResponse and ListAvailableToolsResponse have no tool_names.
        assert_eq!(out.get("toolNames"), None);
        assert_eq!(available_tools_answer(&json!({})).get("toolNames"), None);
        let empty = tools_answer(&json!({}));
        assert_eq!(
            empty,
            json!({"tools": [], "nextPageToken": "", "prevPageToken": "", "totalSize": 0, "toolNames": []})
        );
    }

    #[test]
    fn llm_definitions_in_both_formats() {
        let scoped = scoped_tools_answer(&json!({"tools": [{
            "tool": {"definition": {"name": "t", "description": "d", "input_schema": {"type": "object", "required": ["a_b"]}}},
            "connected_account_id": "ca_1"
        }, {"tool": {"definition": {}}}]}));
        let items = scoped["tools"].as_array().unwrap();
        let openai = for_llm_answer(LlmFormat::OpenAi, items);
        assert_eq!(
            openai["definitions"],
            json!([{"type": "function", "function": {"name": "t", "description": "d", "parameters": {"type": "object", "required": ["a_b"]}}}])
        );
        assert_eq!(openai["accounts"], json!({"t": "ca_1"}));
        let anthropic = for_llm_answer(LlmFormat::Anthropic, items);
        assert_eq!(
            anthropic["definitions"],
            json!([{"name": "t", "description": "d", "input_schema": {"type": "object", "required": ["a_b"]}}])
        );
        assert!(for_llm_format(&params(json!({"format": "gemini"}))).is_err());
    }

    #[test]
    fn tools_are_not_retried_unless_asked() {
        assert_eq!(tool_retries(&params(json!({})), 3).unwrap(), 0);
        assert_eq!(tool_retries(&params(json!({"retry": true})), 3).unwrap(), 3);
        assert_eq!(tool_retries(&params(json!({"retry": 2})), 3).unwrap(), 2);
        for bad in [json!(-1), json!(1.5), json!("1"), json!(11)] {
            assert!(tool_retries(&params(json!({"retry": bad})), 3).is_err());
        }
    }

    #[test]
    fn llm_execute_checks_the_name_and_arguments() {
        let base = json!({"toolName": "t", "identifier": "u", "tools": {"t": "ca_1"}});
        let mut with = base.clone();
        with["arguments"] = json!("{\"a\": 1}");
        let call = execute_llm_tool_call(&params(with)).unwrap();
        assert_eq!(
            call.body.unwrap(),
            json!({"tool_name": "t", "identifier": "u", "params": {"a": 1}, "connected_account_id": "ca_1"})
        );
        let mut unknown = base.clone();
        unknown["toolName"] = json!("nope");
        let err = execute_llm_tool_call(&params(unknown)).unwrap_err();
        assert!(err.to_string().contains("unknown tool \"nope\""), "{err}");
        for bad in [json!("[1]"), json!("{"), json!(5)] {
            let mut p = base.clone();
            p["arguments"] = bad;
            assert!(execute_llm_tool_call(&params(p)).is_err());
        }
    }

    #[test]
    fn for_llm_pages_take_the_callers_page_size() {
        let call = for_llm_page(&params(json!({"identifier": "u", "pageSize": 5})), "t2").unwrap();
        assert_eq!(
            call.query.as_deref(),
            Some("identifier=u&page_size=5&page_token=t2")
        );
        let call = for_llm_page(&params(json!({"identifier": "u"})), "").unwrap();
        assert_eq!(call.query.as_deref(), Some("identifier=u"));
        let err =
            for_llm_page(&params(json!({"identifier": "u", "pageSize": 1001})), "").unwrap_err();
        assert!(err.to_string().contains("pageSize"), "{err}");
    }

    #[test]
    fn for_llm_answers_carry_the_tools_hints_in_camel_case() {
        let scoped = [
            json!({"connectedAccountId": "ca_1", "tool": {"definition": {"name": "read", "annotations": {"read_only_hint": true, "open_world_hint": false}}}}),
            json!({"connectedAccountId": "ca_1", "tool": {"definition": {"name": "plain"}}}),
        ];
        let answer = for_llm_answer(LlmFormat::OpenAi, &scoped);
        assert_eq!(
            answer["annotations"],
            json!({"read": {"readOnlyHint": true, "openWorldHint": false}})
        );
        assert_eq!(answer["definitions"].as_array().map(Vec::len), Some(2));
    }
}
