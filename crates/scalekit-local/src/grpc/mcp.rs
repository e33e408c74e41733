//! `scalekit.v1.mcp.McpService` (docs/wire-protocol.md §13, §12): each method turns its message
//! into the REST binding's JSON, runs `mcp::api` (the REST handlers' operations) and turns the
//! JSON answer back into its response message (see the module doc of `grpc`).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::convert::{self, fields};
use super::proto::scalekit::v1::mcp as pb;
use super::served;
use crate::mcp::api;
use crate::shared::Shared;
use crate::wire::{ApiError, Query};

pub struct Mcp(pub Arc<Shared>);

type Answer<T> = Result<T, ApiError>;

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

// ---- messages → JSON ----

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

/// A `Duration` as protojson writes it: `"90s"`, `"90.5s"`.
fn duration_json(d: &prost_types::Duration) -> Value {
    if d.nanos == 0 {
        json!(format!("{}s", d.seconds))
    } else {
        json!(format!("{}.{:09}s", d.seconds, d.nanos.unsigned_abs()))
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

// ---- JSON → messages ----

fn config_msg(v: &Value) -> pb::McpConfig {
    let mappings = v
        .get("connection_tool_mappings")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|m| pb::McpConfigConnectionToolMapping {
                    connection_id: convert::string(m, "connection_id"),
                    connection_name: convert::string(m, "connection_name"),
                    provider: convert::string(m, "provider"),
                    tools: convert::texts(m, "tools"),
                    connected_account_id: opt_text(m, "connected_account_id"),
                    connected_account_status: opt_text(m, "connected_account_status"),
                })
                .collect()
        })
        .unwrap_or_default();
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

/// An auth-state row (REST JSON `v`) as `$message`: the two row messages share their fields, but
/// one declares the account's fields `optional` (read with `opt_text`) and the other plain strings.
macro_rules! auth_row {
    ($message:path, $v:expr, $account_field:expr) => {{
        let v: &Value = $v;
        $message {
            connection_id: convert::string(v, "connection_id"),
            connection_name: convert::string(v, "connection_name"),
            provider: convert::string(v, "provider"),
            connected_account_id: $account_field(v, "connected_account_id"),
            connected_account_status: $account_field(v, "connected_account_status"),
            authentication_link: convert::string(v, "authentication_link"),
        }
    }};
}

/// The items of an answer's list under `key`.
fn items<'a>(answer: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    answer
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

impl Mcp {
    fn create_config(&self, r: pb::CreateMcpConfigRequest) -> Answer<pb::CreateMcpConfigResponse> {
        let body = r
            .config
            .map(|c| config_body(&c.name, &c.description, &c.connection_tool_mappings))
            .unwrap_or_default();
        let a = api::create_config(&self.0, &body)?;
        Ok(pb::CreateMcpConfigResponse {
            config: a.get("config").map(config_msg),
        })
    }

    fn update_config(&self, r: pb::UpdateMcpConfigRequest) -> Answer<pb::UpdateMcpConfigResponse> {
        let mut body = config_body("", &r.description, &r.connection_tool_mappings);
        body.insert("config_id".into(), json!(r.config_id));
        let a = api::update_config(&self.0, &body)?;
        Ok(pb::UpdateMcpConfigResponse {
            config: a.get("config").map(config_msg),
        })
    }

    fn get_config(&self, r: pb::GetMcpConfigRequest) -> Answer<pb::GetMcpConfigResponse> {
        let a = api::get_config(&self.0, &fields([("config_id", Some(&*r.config_id))]))?;
        Ok(pb::GetMcpConfigResponse {
            config: a.get("config").map(config_msg),
        })
    }

    fn delete_config(&self, r: pb::DeleteMcpConfigRequest) -> Answer<pb::DeleteMcpConfigResponse> {
        api::delete_config(&self.0, &fields([("config_id", Some(&*r.config_id))]))?;
        Ok(pb::DeleteMcpConfigResponse {})
    }

    fn list_configs(&self, r: pb::ListMcpConfigsRequest) -> Answer<pb::ListMcpConfigsResponse> {
        let f = r.filter.unwrap_or_default();
        let q = list_query(
            [
                ("filter.id", &*f.id),
                ("filter.name", &*f.name),
                ("filter.provider", &*f.provider),
                ("filter.mcp_server_url", &*f.mcp_server_url),
            ],
            &r.search,
            r.page_size,
            &r.page_token,
        );
        let a = api::list_configs(&self.0, &q)?;
        Ok(pb::ListMcpConfigsResponse {
            configs: items(&a, "configs").map(config_msg).collect(),
            next_page_token: convert::string(&a, "next_page_token"),
            prev_page_token: convert::string(&a, "prev_page_token"),
            total_size: convert::count(&a, "total_size"),
        })
    }

    fn ensure_instance(
        &self,
        r: pb::EnsureMcpInstanceRequest,
    ) -> Answer<pb::EnsureMcpInstanceResponse> {
        let body = fields([
            ("name", Some(&*r.name)),
            ("config_name", Some(&*r.config_name)),
            ("user_identifier", Some(&*r.user_identifier)),
        ]);
        let a = api::ensure_instance(&self.0, &body)?;
        Ok(pb::EnsureMcpInstanceResponse {
            instance: a.get("instance").map(instance_msg),
        })
    }

    fn list_instances(
        &self,
        r: pb::ListMcpInstancesRequest,
    ) -> Answer<pb::ListMcpInstancesResponse> {
        let f = r.filter.unwrap_or_default();
        let q = list_query(
            [
                ("filter.id", &*f.id),
                ("filter.name", &*f.name),
                ("filter.config_name", &*f.config_name),
                ("filter.user_identifier", &*f.user_identifier),
            ],
            &r.search,
            r.page_size,
            &r.page_token,
        );
        let a = api::list_instances(&self.0, &q)?;
        Ok(pb::ListMcpInstancesResponse {
            instances: items(&a, "instances").map(instance_msg).collect(),
            next_page_token: convert::string(&a, "next_page_token"),
            prev_page_token: convert::string(&a, "prev_page_token"),
            total_size: convert::count(&a, "total_size"),
        })
    }

    fn get_instance(&self, r: pb::GetMcpInstanceRequest) -> Answer<pb::GetMcpInstanceResponse> {
        let a = api::get_instance(&self.0, &fields([("instance_id", Some(&*r.instance_id))]))?;
        Ok(pb::GetMcpInstanceResponse {
            instance: a.get("instance").map(instance_msg),
        })
    }

    fn update_instance(
        &self,
        r: pb::UpdateMcpInstanceRequest,
    ) -> Answer<pb::UpdateMcpInstanceResponse> {
        let body = fields([
            ("instance_id", Some(&*r.instance_id)),
            ("name", Some(&*r.name)),
            ("config_name", Some(&*r.config_name)),
        ]);
        let a = api::update_instance(&self.0, &body)?;
        Ok(pb::UpdateMcpInstanceResponse {
            instance: a.get("instance").map(instance_msg),
        })
    }

    fn delete_instance(
        &self,
        r: pb::DeleteMcpInstanceRequest,
    ) -> Answer<pb::DeleteMcpInstanceResponse> {
        api::delete_instance(&self.0, &fields([("instance_id", Some(&*r.instance_id))]))?;
        Ok(pb::DeleteMcpInstanceResponse {})
    }

    fn auth_state(
        &self,
        r: pb::GetMcpInstanceAuthStateRequest,
    ) -> Answer<pb::GetMcpInstanceAuthStateResponse> {
        let mut body = fields([("instance_id", Some(&*r.instance_id))]);
        body.insert("include_auth_links".into(), json!(r.include_auth_links));
        let a = api::instance_auth_state(&self.0, &body)?;
        let connections = items(&a, "connections")
            .map(|v| auth_row!(pb::McpInstanceConnectionAuthState, v, convert::string))
            .collect();
        Ok(pb::GetMcpInstanceAuthStateResponse { connections })
    }

    fn connected_accounts(
        &self,
        r: pb::ListMcpConnectedAccountsRequest,
    ) -> Answer<pb::ListMcpConnectedAccountsResponse> {
        let mut body = fields([
            ("config_id", Some(&*r.config_id)),
            ("identifier", Some(&*r.identifier)),
        ]);
        body.insert("include_auth_link".into(), json!(r.include_auth_link));
        let a = api::connected_accounts(&self.0, &body)?;
        let connected_accounts = items(&a, "connected_accounts")
            .map(|v| auth_row!(pb::McpConnectionAuthState, v, opt_text))
            .collect();
        Ok(pb::ListMcpConnectedAccountsResponse { connected_accounts })
    }

    fn session_token(
        &self,
        r: pb::CreateMcpSessionTokenRequest,
    ) -> Answer<pb::CreateMcpSessionTokenResponse> {
        let mut body = fields([
            ("mcp_config_id", Some(&*r.mcp_config_id)),
            ("key_id", Some(&*r.key_id)),
            ("identifier", Some(&*r.identifier)),
            ("access_level", Some(&*r.access_level)),
        ]);
        if let Some(d) = &r.expiry {
            body.insert("expiry".into(), duration_json(d));
        }
        let a = api::session_token(&self.0, &body)?;
        Ok(pb::CreateMcpSessionTokenResponse {
            token: convert::string(&a, "token"),
            expires_at: convert::timestamp(a.get("expires_at")),
        })
    }
}

served! {
    Mcp: pb::mcp_service_server::McpService {
        create_mcp_config(pb::CreateMcpConfigRequest) -> pb::CreateMcpConfigResponse
            = GrpcCreateMcpConfig, Mcp::create_config;
        update_mcp_config(pb::UpdateMcpConfigRequest) -> pb::UpdateMcpConfigResponse
            = GrpcUpdateMcpConfig, Mcp::update_config;
        list_mcp_configs(pb::ListMcpConfigsRequest) -> pb::ListMcpConfigsResponse
            = GrpcListMcpConfigs, Mcp::list_configs;
        get_mcp_config(pb::GetMcpConfigRequest) -> pb::GetMcpConfigResponse
            = GrpcGetMcpConfig, Mcp::get_config;
        delete_mcp_config(pb::DeleteMcpConfigRequest) -> pb::DeleteMcpConfigResponse
            = GrpcDeleteMcpConfig, Mcp::delete_config;
        ensure_mcp_instance(pb::EnsureMcpInstanceRequest) -> pb::EnsureMcpInstanceResponse
            = GrpcEnsureMcpInstance, Mcp::ensure_instance;
        list_mcp_instances(pb::ListMcpInstancesRequest) -> pb::ListMcpInstancesResponse
            = GrpcListMcpInstances, Mcp::list_instances;
        delete_mcp_instance(pb::DeleteMcpInstanceRequest) -> pb::DeleteMcpInstanceResponse
            = GrpcDeleteMcpInstance, Mcp::delete_instance;
        update_mcp_instance(pb::UpdateMcpInstanceRequest) -> pb::UpdateMcpInstanceResponse
            = GrpcUpdateMcpInstance, Mcp::update_instance;
        get_mcp_instance(pb::GetMcpInstanceRequest) -> pb::GetMcpInstanceResponse
            = GrpcGetMcpInstance, Mcp::get_instance;
        get_mcp_instance_auth_state(pb::GetMcpInstanceAuthStateRequest) -> pb::GetMcpInstanceAuthStateResponse
            = GrpcGetMcpInstanceAuthState, Mcp::auth_state;
        create_mcp_session_token(pb::CreateMcpSessionTokenRequest) -> pb::CreateMcpSessionTokenResponse
            = GrpcCreateMcpSessionToken, Mcp::session_token;
        list_mcp_connected_accounts(pb::ListMcpConnectedAccountsRequest) -> pb::ListMcpConnectedAccountsResponse
            = GrpcListMcpConnectedAccounts, Mcp::connected_accounts;
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
