//! Input rules of the MCP control plane (docs/wire-protocol.md §13), read from the REST binding's
//! JSON body or query string. The gRPC binding builds that JSON from its messages, so both
//! bindings refuse alike (400, code 3 INVALID_ARGUMENT, a message naming the field).

use std::time::Duration;

use serde_json::{Map, Value};

use super::model::{
    AccessLevel, ConfigFilter, ConfigWrite, InstanceFilter, Mapping, McpQuery, Target, TokenRequest,
};
use crate::model::page_offset;
use crate::routes::validate::max_len;
use crate::wire::{ApiError, Input, Query};

/// At most this many connection-to-tool mappings per configuration.
const MAX_MAPPINGS: usize = 25;
/// List pages: 0/omitted → 20, at most 30.
const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 30;
/// A session token lives 60 s to 24 h, 1 h when the request says nothing.
const MIN_TTL: Duration = Duration::from_secs(60);
const MAX_TTL: Duration = Duration::from_secs(24 * 3600);
const DEFAULT_TTL: Duration = Duration::from_secs(3600);

fn name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-')
}

/// A configuration's name: 1–100 characters of `[a-z0-9_-]`.
fn config_name(v: Option<&str>) -> Result<String, ApiError> {
    let name = v.ok_or_else(|| ApiError::invalid("name is required"))?;
    max_len("name", Some(name), 100)?;
    if !name.chars().all(name_char) {
        return Err(ApiError::invalid("name: must match ^[a-z0-9_-]+$"));
    }
    Ok(name.to_owned())
}

/// A list of strings (`tools`), each non-empty.
fn strings(field: &str, v: &Value) -> Result<Vec<String>, ApiError> {
    let bad = || ApiError::invalid(format!("{field}: must be an array of strings"));
    let items = v.as_array().ok_or_else(bad)?;
    items
        .iter()
        .map(|item| match item.as_str() {
            Some("") => Err(ApiError::invalid(format!(
                "{field}: items must not be empty"
            ))),
            Some(s) => Ok(s.to_owned()),
            None => Err(bad()),
        })
        .collect()
}

/// `connection_tool_mappings`: absent (or empty) is `None`. Output-only fields (`connection_id`,
/// `provider`, `connected_account_*`) are ignored, as the server sets them.
fn mappings(input: &Input<'_>) -> Result<Option<Vec<Mapping>>, ApiError> {
    const FIELD: &str = "connection_tool_mappings";
    let Some(v) = input.get(FIELD) else {
        return Ok(None);
    };
    let items = v
        .as_array()
        .ok_or_else(|| ApiError::invalid(format!("{FIELD}: must be an array")))?;
    if items.len() > MAX_MAPPINGS {
        return Err(ApiError::invalid(format!(
            "{FIELD}: at most {MAX_MAPPINGS} items are allowed"
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{FIELD}[{i}]");
        let m = item
            .as_object()
            .ok_or_else(|| ApiError::invalid(format!("{at}: must be an object")))?;
        let m = Input(m);
        let connection = m
            .opt("connection_name")?
            .ok_or_else(|| ApiError::invalid(format!("{at}.connection_name is required")))?;
        let tools = match m.get("tools") {
            None => Vec::new(),
            Some(v) => strings(&format!("{at}.tools"), v)?,
        };
        out.push(Mapping {
            connection: connection.to_owned(),
            tools,
        });
    }
    Ok((!out.is_empty()).then_some(out))
}

/// CreateMcpConfig's body, the `McpConfig` itself (its output-only `id` and `mcp_server_url`
/// are ignored).
pub fn create_config(body: &Map<String, Value>) -> Result<ConfigWrite, ApiError> {
    let input = Input(body);
    Ok(ConfigWrite {
        name: Some(config_name(input.opt("name")?)?),
        description: input.str("description")?.map(str::to_owned),
        mappings: mappings(&input)?,
    })
}

/// UpdateMcpConfig's body: `description` and `connection_tool_mappings`; the name is fixed.
pub fn update_config(body: &Map<String, Value>) -> Result<ConfigWrite, ApiError> {
    let input = Input(body);
    if input.opt("name")?.is_some() {
        return Err(ApiError::invalid(
            "name: cannot be changed after the configuration is created",
        ));
    }
    Ok(ConfigWrite {
        name: None,
        description: input.opt("description")?.map(str::to_owned),
        mappings: mappings(&input)?,
    })
}

/// A required id field (`config_id`, `instance_id`, `config_name`, …): at least one character.
pub fn required(input: &Input<'_>, field: &str) -> Result<String, ApiError> {
    Ok(input.required(field)?.to_owned())
}

/// `(offset, size)` of a list page.
fn page(q: &Query) -> Result<(usize, usize), ApiError> {
    let size = match q.opt("page_size") {
        None => DEFAULT_PAGE,
        Some(s) => match s.parse::<u32>() {
            Ok(0) => DEFAULT_PAGE,
            Ok(n) if n as usize > MAX_PAGE => {
                return Err(ApiError::invalid(format!(
                    "page_size: must be at most {MAX_PAGE}"
                )))
            }
            Ok(n) => n as usize,
            Err(_) => return Err(ApiError::invalid("page_size: must be an unsigned integer")),
        },
    };
    Ok((page_offset(q.opt("page_token"))?, size))
}

fn owned(q: &Query, key: &str) -> Option<String> {
    q.opt(key).map(str::to_owned)
}

/// The filters and page both list calls take, around the call's own `filter`.
fn list_query<F>(q: &Query, filter: F) -> Result<McpQuery<F>, ApiError> {
    Ok(McpQuery {
        id: owned(q, "filter.id"),
        name: owned(q, "filter.name"),
        search: owned(q, "search"),
        page: page(q)?,
        filter,
    })
}

/// ListMcpConfigs: `filter.id`, `filter.name` (≤ 100 of `[a-zA-Z0-9_-]`, any case),
/// `filter.provider`, `filter.mcp_server_url` (its last path segment), `search`, paging.
pub fn config_query(q: &Query) -> Result<McpQuery<ConfigFilter>, ApiError> {
    let name = q.opt("filter.name");
    max_len("filter.name", name, 100)?;
    if name.is_some_and(|n| {
        !n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    }) {
        return Err(ApiError::invalid(
            "filter.name: must match ^[a-zA-Z0-9_-]*$",
        ));
    }
    let server_id = q.opt("filter.mcp_server_url").map(|u| {
        u.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let provider = owned(q, "filter.provider");
    list_query(
        q,
        ConfigFilter {
            provider,
            server_id,
        },
    )
}

/// ListMcpInstances: `filter.id`, `filter.name`, `filter.config_name`,
/// `filter.user_identifier`, `search`, paging.
pub fn instance_query(q: &Query) -> Result<McpQuery<InstanceFilter>, ApiError> {
    let filter = InstanceFilter {
        config_name: owned(q, "filter.config_name"),
        user_identifier: owned(q, "filter.user_identifier"),
    };
    list_query(q, filter)
}

/// A protobuf `Duration` as protojson writes it (`"3600s"`, `"90.5s"`), or a number of seconds.
fn duration(v: &Value) -> Result<Duration, ApiError> {
    let bad = || ApiError::invalid("expiry: must be a duration such as \"3600s\"");
    match v {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(bad),
        Value::String(s) => {
            let digits = s.strip_suffix('s').ok_or_else(bad)?;
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            if whole.is_empty()
                || fraction.len() > 9
                || !whole
                    .bytes()
                    .chain(fraction.bytes())
                    .all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            let secs: u64 = whole.parse().map_err(|_| bad())?;
            let nanos: u32 = format!("{fraction:0<9}").parse().map_err(|_| bad())?;
            Ok(Duration::new(secs, nanos))
        }
        _ => Err(bad()),
    }
}

/// CreateMcpSessionToken: exactly one of `mcp_config_id` / `key_id`, `identifier` 1–255,
/// `expiry` 60 s–24 h (default 1 h), `access_level` `""`, `FULL` or `READ_ONLY`.
pub fn token_request(body: &Map<String, Value>) -> Result<TokenRequest, ApiError> {
    let input = Input(body);
    let target = match (input.opt("mcp_config_id")?, input.opt("key_id")?) {
        (Some(id), None) => Target::Config(id.to_owned()),
        (None, Some(name)) => Target::Connection(name.to_owned()),
        _ => {
            return Err(ApiError::invalid(
                "set exactly one of mcp_config_id or key_id",
            ))
        }
    };
    let identifier = input.required("identifier")?;
    max_len("identifier", Some(identifier), 255)?;
    let ttl = match input.get("expiry") {
        None => DEFAULT_TTL,
        Some(v) => duration(v)?,
    };
    if !(MIN_TTL..=MAX_TTL).contains(&ttl) {
        return Err(ApiError::invalid(
            "expiry: must be between 60s and 24h (86400s)",
        ));
    }
    let access = match input.str("access_level")? {
        None | Some("" | "FULL") => AccessLevel::Full,
        Some("READ_ONLY") => AccessLevel::ReadOnly,
        Some(_) => {
            return Err(ApiError::invalid(
                "access_level: must be \"\", \"FULL\" or \"READ_ONLY\"",
            ))
        }
    };
    Ok(TokenRequest {
        target,
        identifier: identifier.to_owned(),
        ttl,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn durations_read_as_protojson_writes_them() {
        assert_eq!(duration(&json!("3600s")), Ok(Duration::from_secs(3600)));
        assert_eq!(duration(&json!("90.5s")), Ok(Duration::from_millis(90_500)));
        assert_eq!(duration(&json!(120)), Ok(Duration::from_secs(120)));
        for bad in [
            json!("60"),
            json!("-60s"),
            json!("1.0000000001s"),
            json!(true),
        ] {
            assert!(duration(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_requests_take_exactly_one_target() {
        let both = body(json!({"mcp_config_id": "cfg_1", "key_id": "gmail", "identifier": "u"}));
        let e = token_request(&both).map(|_| ()).map_err(|e| e.message);
        assert_eq!(e, Err("set exactly one of mcp_config_id or key_id".into()));
        let none = body(json!({"identifier": "u"}));
        assert!(token_request(&none).is_err());
        let ok = body(json!({"keyId": "gmail", "identifier": "u", "accessLevel": "READ_ONLY"}));
        let r = token_request(&ok).map(|r| (r.target, r.access, r.ttl));
        assert_eq!(
            r.map_err(|e| e.message),
            Ok((
                Target::Connection("gmail".into()),
                AccessLevel::ReadOnly,
                DEFAULT_TTL
            ))
        );
    }

    #[test]
    fn config_names_are_lower_case_and_short() {
        assert_eq!(
            config_name(Some("daily-summarizer_2")),
            Ok("daily-summarizer_2".into())
        );
        for bad in ["Daily", "a b", &"x".repeat(101)] {
            assert!(config_name(Some(bad)).is_err(), "{bad}");
        }
        assert!(config_name(None).is_err());
    }
}
