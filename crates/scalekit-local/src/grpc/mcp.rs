//! `scalekit.v1.mcp.McpService` (docs/wire-protocol.md §13, §12): each method turns its message
//! into the REST binding's JSON ([`Rest`]), runs `mcp::api` (the REST handlers' operations) and
//! turns the JSON answer back into its response message ([`FromRest`]); see the module doc of
//! `grpc`.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::convert::{self, fields, items, page};
use super::proto::scalekit::v1::mcp as pb;
use super::{served, Answer};
use crate::mcp::api;
use crate::shared::Shared;
use crate::wire::Query;

pub struct Mcp(pub Arc<Shared>);

/// What a request message gives its `mcp::api` operation: the REST body (path parameters merged
/// in) or, for the lists, the REST query.
trait Rest {
    type Input;
    fn rest(self) -> Self::Input;
}

/// A response message from the REST answer.
trait FromRest {
    fn from_rest(answer: &Value) -> Self;
}

/// A method: `op` on the request's REST input, its answer as the response message.
fn via<Q: Rest, A: FromRest>(
    op: fn(&Shared, &Q::Input) -> Answer<Value>,
) -> impl Fn(&Mcp, Q) -> Answer<A> {
    move |server, request| op(&server.0, &request.rest()).map(|a| A::from_rest(&a))
}

// ---- messages → JSON ----

/// `Rest` for the requests whose string and boolean fields go into the body as they are, under
/// their proto names (which are the REST body's).
macro_rules! rest_body {
    ($($message:ident { $($text:ident),* $(; $flag:ident)? })+) => {$(
        impl Rest for pb::$message {
            type Input = Map<String, Value>;
            fn rest(self) -> Map<String, Value> {
                #[allow(unused_mut)]
                let mut body = fields([$((stringify!($text), Some(&*self.$text))),*]);
                $(body.insert(stringify!($flag).into(), json!(self.$flag));)?
                body
            }
        }
    )+};
}

rest_body! {
    GetMcpConfigRequest { config_id }
    GetMcpInstanceRequest { instance_id }
    EnsureMcpInstanceRequest { name, config_name, user_identifier }
    UpdateMcpInstanceRequest { instance_id, name, config_name }
    GetMcpInstanceAuthStateRequest { instance_id; include_auth_links }
    ListMcpConnectedAccountsRequest { config_id, identifier; include_auth_link }
}

/// A configuration's writable fields (name, description, mappings) as the REST body's; output
/// fields are left out, as the REST side ignores them.
fn config_body(
    name: &str,
    description: &str,
    mappings: &[pb::McpConfigConnectionToolMapping],
) -> Map<String, Value> {
    let mut m = fields([("name", Some(name)), ("description", Some(description))]);
    m.retain(|_, v| v.as_str() != Some(""));
    if !mappings.is_empty() {
        let list: Vec<Value> = mappings
            .iter()
            .map(|x| json!({ "connection_name": x.connection_name, "tools": x.tools }))
            .collect();
        m.insert("connection_tool_mappings".into(), Value::Array(list));
    }
    m
}

impl Rest for pb::CreateMcpConfigRequest {
    type Input = Map<String, Value>;
    fn rest(self) -> Map<String, Value> {
        self.config
            .map(|c| config_body(&c.name, &c.description, &c.connection_tool_mappings))
            .unwrap_or_default()
    }
}

impl Rest for pb::UpdateMcpConfigRequest {
    type Input = Map<String, Value>;
    fn rest(self) -> Map<String, Value> {
        let mut body = config_body("", &self.description, &self.connection_tool_mappings);
        body.insert("config_id".into(), json!(self.config_id));
        body
    }
}

/// A `Duration` as protojson writes it: `"90s"`, `"90.5s"`.
fn duration_json(d: &prost_types::Duration) -> Value {
    if d.nanos == 0 {
        json!(format!("{}s", d.seconds))
    } else {
        json!(format!("{}.{:09}s", d.seconds, d.nanos.unsigned_abs()))
    }
}

impl Rest for pb::CreateMcpSessionTokenRequest {
    type Input = Map<String, Value>;
    fn rest(self) -> Map<String, Value> {
        let mut body = fields([
            ("mcp_config_id", Some(&*self.mcp_config_id)),
            ("key_id", Some(&*self.key_id)),
            ("identifier", Some(&*self.identifier)),
            ("access_level", Some(&*self.access_level)),
        ]);
        if let Some(d) = &self.expiry {
            body.insert("expiry".into(), duration_json(d));
        }
        body
    }
}

/// A list request's filters and page as the REST query string's pairs.
fn list_query<'a>(
    filters: impl IntoIterator<Item = (&'a str, &'a str)>,
    search: &'a str,
    page_size: u32,
    page_token: &'a str,
) -> Query {
    let mut q: Vec<(String, String)> = filters
        .into_iter()
        .chain([("search", search), ("page_token", page_token)])
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    if page_size != 0 {
        q.push(("page_size".into(), page_size.to_string()));
    }
    Query(q)
}

/// `Rest` for the two list requests: their filters (four strings, `filter.<name>` in the query)
/// and page.
macro_rules! rest_query {
    ($($message:ident { $($filter:ident),+ })+) => {$(
        impl Rest for pb::$message {
            type Input = Query;
            fn rest(self) -> Query {
                let f = self.filter.unwrap_or_default();
                let filters = [$((concat!("filter.", stringify!($filter)), &*f.$filter)),+];
                list_query(filters, &self.search, self.page_size, &self.page_token)
            }
        }
    )+};
}

rest_query! {
    ListMcpConfigsRequest { id, name, provider, mcp_server_url }
    ListMcpInstancesRequest { id, name, config_name, user_identifier }
}

// ---- JSON → messages ----

/// An `optional string` field: absent, or `""`, is unset.
fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn config_msg(v: &Value) -> pb::McpConfig {
    let mappings = items(v, "connection_tool_mappings")
        .map(|m| pb::McpConfigConnectionToolMapping {
            connection_id: convert::string(m, "connection_id"),
            connection_name: convert::string(m, "connection_name"),
            provider: convert::string(m, "provider"),
            tools: convert::texts(m, "tools"),
            connected_account_id: opt_text(m, "connected_account_id"),
            connected_account_status: opt_text(m, "connected_account_status"),
        })
        .collect();
    pb::McpConfig {
        id: convert::string(v, "id"),
        name: convert::string(v, "name"),
        description: convert::string(v, "description"),
        connection_tool_mappings: mappings,
        mcp_server_url: convert::string(v, "mcp_server_url"),
    }
}

fn instance_msg(v: &Value) -> pb::McpInstance {
    pb::McpInstance {
        id: convert::string(v, "id"),
        name: convert::string(v, "name"),
        user_identifier: convert::string(v, "user_identifier"),
        config: v.get("config").map(config_msg),
        last_used_at: convert::timestamp(v.get("last_used_at")),
        updated_at: convert::timestamp(v.get("updated_at")),
        url: convert::string(v, "url"),
    }
}

/// An auth-state row, as both ListMcpConnectedAccounts and GetMcpInstanceAuthState answer it.
fn auth_row(v: &Value) -> pb::McpConnectionAuthState {
    pb::McpConnectionAuthState {
        connection_id: convert::string(v, "connection_id"),
        connection_name: convert::string(v, "connection_name"),
        provider: convert::string(v, "provider"),
        connected_account_id: opt_text(v, "connected_account_id"),
        connected_account_status: opt_text(v, "connected_account_status"),
        authentication_link: convert::string(v, "authentication_link"),
    }
}

impl FromRest for pb::GetMcpConfigResponse {
    fn from_rest(a: &Value) -> Self {
        Self {
            config: a.get("config").map(config_msg),
        }
    }
}

impl FromRest for pb::GetMcpInstanceResponse {
    fn from_rest(a: &Value) -> Self {
        Self {
            instance: a.get("instance").map(instance_msg),
        }
    }
}

impl FromRest for pb::DeleteMcpConfigResponse {
    fn from_rest(_: &Value) -> Self {
        Self {}
    }
}

impl FromRest for pb::ListMcpConfigsResponse {
    fn from_rest(a: &Value) -> Self {
        page!(
            a,
            Self {
                configs: items(a, "configs").map(config_msg).collect()
            }
        )
    }
}

impl FromRest for pb::ListMcpInstancesResponse {
    fn from_rest(a: &Value) -> Self {
        page!(
            a,
            Self {
                instances: items(a, "instances").map(instance_msg).collect()
            }
        )
    }
}

impl FromRest for pb::GetMcpInstanceAuthStateResponse {
    fn from_rest(a: &Value) -> Self {
        Self {
            connections: items(a, "connections").map(auth_row).collect(),
        }
    }
}

impl FromRest for pb::ListMcpConnectedAccountsResponse {
    fn from_rest(a: &Value) -> Self {
        Self {
            connected_accounts: items(a, "connected_accounts").map(auth_row).collect(),
        }
    }
}

impl FromRest for pb::CreateMcpSessionTokenResponse {
    fn from_rest(a: &Value) -> Self {
        Self {
            token: convert::string(a, "token"),
            expires_at: convert::timestamp(a.get("expires_at")),
        }
    }
}

served! {
    Mcp: pb::mcp_service_server::McpService {
        create_mcp_config(pb::CreateMcpConfigRequest) -> pb::GetMcpConfigResponse
            = GrpcCreateMcpConfig, via(api::create_config);
        update_mcp_config(pb::UpdateMcpConfigRequest) -> pb::GetMcpConfigResponse
            = GrpcUpdateMcpConfig, via(api::update_config);
        list_mcp_configs(pb::ListMcpConfigsRequest) -> pb::ListMcpConfigsResponse
            = GrpcListMcpConfigs, via(api::list_configs);
        get_mcp_config(pb::GetMcpConfigRequest) -> pb::GetMcpConfigResponse
            = GrpcGetMcpConfig, via(api::get_config);
        delete_mcp_config(pb::GetMcpConfigRequest) -> pb::DeleteMcpConfigResponse
            = GrpcDeleteMcpConfig, via(api::delete_config);
        ensure_mcp_instance(pb::EnsureMcpInstanceRequest) -> pb::GetMcpInstanceResponse
            = GrpcEnsureMcpInstance, via(api::ensure_instance);
        list_mcp_instances(pb::ListMcpInstancesRequest) -> pb::ListMcpInstancesResponse
            = GrpcListMcpInstances, via(api::list_instances);
        delete_mcp_instance(pb::GetMcpInstanceRequest) -> pb::DeleteMcpConfigResponse
            = GrpcDeleteMcpInstance, via(api::delete_instance);
        update_mcp_instance(pb::UpdateMcpInstanceRequest) -> pb::GetMcpInstanceResponse
            = GrpcUpdateMcpInstance, via(api::update_instance);
        get_mcp_instance(pb::GetMcpInstanceRequest) -> pb::GetMcpInstanceResponse
            = GrpcGetMcpInstance, via(api::get_instance);
        get_mcp_instance_auth_state(pb::GetMcpInstanceAuthStateRequest) -> pb::GetMcpInstanceAuthStateResponse
            = GrpcGetMcpInstanceAuthState, via(api::instance_auth_state);
        create_mcp_session_token(pb::CreateMcpSessionTokenRequest) -> pb::CreateMcpSessionTokenResponse
            = GrpcCreateMcpSessionToken, via(api::session_token);
        list_mcp_connected_accounts(pb::ListMcpConnectedAccountsRequest) -> pb::ListMcpConnectedAccountsResponse
            = GrpcListMcpConnectedAccounts, via(api::connected_accounts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_go_as_protojson_strings() {
        let d = |seconds, nanos| duration_json(&prost_types::Duration { seconds, nanos });
        assert_eq!(d(3600, 0), json!("3600s"));
        assert_eq!(d(90, 500_000_000), json!("90.500000000s"));
    }
}
