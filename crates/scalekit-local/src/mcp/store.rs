//! The store's MCP operations (docs/wire-protocol.md §13): configurations checked against the
//! connections and the tool catalog, instances, the auth state of a user's connections, and what a
//! session token grants. Answers are the REST binding's JSON (snake_case), rendered here because
//! they need the connections and accounts.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::model::{
    connection_url, random_uuid, server_url, ConfigFilter, ConfigWrite, InstanceFilter, Mapping,
    McpConfig, McpInstance, McpQuery, Target, TokenRequest,
};
use crate::catalog::CatalogTool;
use crate::links::magic_link_url;
use crate::model::{connector_char, paged, Connection, Selector, Status, WritePayload};
use crate::store::Store;
use crate::wire::{rfc3339, ApiError};

/// What a session token grants, resolved by the store: the claims that name its server and the
/// connected accounts behind it.
#[derive(Debug, Clone)]
pub struct Grant {
    pub audience: String,
    pub config_id: Option<String>,
    pub connection_id: Option<String>,
    pub account_ids: Vec<String>,
}

/// Case-insensitive prefix, the "look-ahead" search of the list calls.
fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.to_lowercase().starts_with(&prefix.to_lowercase())
}

/// Where the record with `id` (read by `id_of`) is; NOT_FOUND names it as a `what`.
fn position<T>(
    records: &[T],
    id_of: fn(&T) -> &str,
    what: &str,
    id: &str,
) -> Result<usize, ApiError> {
    records
        .iter()
        .position(|r| id_of(r) == id)
        .ok_or_else(|| ApiError::not_found(format!("{what} {id} not found")))
}

impl Store {
    // ---- configurations ----

    fn config_index(&self, id: &str) -> Result<usize, ApiError> {
        position(&self.mcp.configs, |c| &c.id, "MCP configuration", id)
    }

    pub fn mcp_config(&self, id: &str) -> Result<&McpConfig, ApiError> {
        Ok(&self.mcp.configs[self.config_index(id)?])
    }

    /// The configuration whose MCP server URL ends in `server_id`.
    pub fn mcp_config_by_server(&self, server_id: &str) -> Option<&McpConfig> {
        self.mcp.configs.iter().find(|c| c.server_id == server_id)
    }

    fn config_by_name(&self, name: &str) -> Result<&McpConfig, ApiError> {
        self.mcp
            .configs
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ApiError::not_found(format!("MCP configuration {name:?} not found")))
    }

    /// Every mapping names a connection (configured, or one this store may provision) once, and
    /// only tools of that connection. Provisions the new connections once all is checked.
    fn check_mappings(&mut self, maps: &[Mapping], tools: &[CatalogTool]) -> Result<(), ApiError> {
        for (i, m) in maps.iter().enumerate() {
            let at = format!("connection_tool_mappings[{i}]");
            let name = &m.connection;
            let known = self.connection(name).is_some();
            let provisioned = self.auto_provision && name.chars().all(connector_char);
            if !(known || provisioned) {
                return Err(ApiError::invalid(format!(
                    "{at}.connection_name: no connection named {name:?} is configured"
                )));
            }
            if maps[..i].iter().any(|o| &o.connection == name) {
                return Err(ApiError::invalid(format!(
                    "{at}.connection_name: connection {name:?} is mapped twice"
                )));
            }
            for t in &m.tools {
                if !tools.iter().any(|c| &c.name == t && &c.connection == name) {
                    return Err(ApiError::invalid(format!(
                        "{at}.tools: {t:?} is not a tool of connection {name:?}"
                    )));
                }
            }
        }
        for m in maps {
            self.connection_for_write(&m.connection)?;
        }
        Ok(())
    }

    /// CreateMcpConfig: a unique name (409 otherwise), checked mappings.
    pub fn create_mcp_config(
        &mut self,
        w: ConfigWrite,
        tools: &[CatalogTool],
    ) -> Result<McpConfig, ApiError> {
        let name = w
            .name
            .ok_or_else(|| ApiError::invalid("name is required"))?;
        if self.mcp.configs.iter().any(|c| c.name == name) {
            return Err(ApiError::already_exists(format!(
                "an MCP configuration named {name:?} already exists"
            )));
        }
        let mappings = w.mappings.unwrap_or_default();
        self.check_mappings(&mappings, tools)?;
        let id = self.next_id("cfg_");
        self.mcp.configs.push(McpConfig {
            id,
            server_id: random_uuid(),
            name,
            description: w.description.unwrap_or_default(),
            mappings,
        });
        let i = self.mcp.configs.len() - 1;
        Ok(self.mcp.configs[i].clone())
    }

    /// UpdateMcpConfig: replaces what is given (a description, the mappings).
    pub fn update_mcp_config(
        &mut self,
        id: &str,
        w: ConfigWrite,
        tools: &[CatalogTool],
    ) -> Result<McpConfig, ApiError> {
        let i = self.config_index(id)?;
        if let Some(maps) = &w.mappings {
            self.check_mappings(maps, tools)?;
        }
        let c = &mut self.mcp.configs[i];
        if let Some(d) = w.description {
            c.description = d;
        }
        if let Some(maps) = w.mappings {
            c.mappings = maps;
        }
        Ok(c.clone())
    }

    /// DeleteMcpConfig, with the configuration's instances.
    pub fn delete_mcp_config(&mut self, id: &str) -> Result<(), ApiError> {
        let i = self.config_index(id)?;
        let c = self.mcp.configs.remove(i);
        self.mcp.instances.retain(|x| x.config_id != c.id);
        Ok(())
    }

    /// A mapping's connection as its `(id, provider)`; empty for one that no longer resolves.
    fn connection_of(&self, name: &str) -> (String, String) {
        self.connection(name)
            .map(|c| (c.id.clone(), c.provider.clone()))
            .unwrap_or_default()
    }

    /// `McpConfig` in wire shape; with `user`, each mapping carries that user's connected account
    /// (the instance context).
    pub fn config_json(&self, c: &McpConfig, base_url: &str, user: Option<&str>) -> Value {
        let mappings: Vec<Value> = c
            .mappings
            .iter()
            .map(|m| {
                let (id, provider) = self.connection_of(&m.connection);
                let mut v = Map::new();
                v.insert("connection_id".into(), json!(id));
                v.insert("connection_name".into(), json!(m.connection));
                v.insert("provider".into(), json!(provider));
                v.insert("tools".into(), json!(m.tools));
                if let Some(a) = user
                    .and_then(|u| self.routed_account(&m.connection, u))
                    .map(|i| &self.accounts[i])
                {
                    v.insert("connected_account_id".into(), json!(a.id));
                    v.insert("connected_account_status".into(), json!(a.status.name()));
                }
                Value::Object(v)
            })
            .collect();
        json!({
            "id": c.id,
            "name": c.name,
            "description": c.description,
            "connection_tool_mappings": mappings,
            "mcp_server_url": server_url(base_url, &c.server_id),
        })
    }

    /// ListMcpConfigs: in creation order, through the query's filters.
    pub fn list_mcp_configs(&self, q: &McpQuery<ConfigFilter>, base_url: &str) -> Value {
        let f = &q.filter;
        let items = self.mcp.configs.iter().filter(|c| {
            q.id.as_ref().is_none_or(|id| &c.id == id)
                && q.name
                    .as_ref()
                    .is_none_or(|n| c.name.eq_ignore_ascii_case(n))
                && f.server_id.as_ref().is_none_or(|s| &c.server_id == s)
                && q.search.as_ref().is_none_or(|s| starts_with_ci(&c.name, s))
                && f.provider.as_ref().is_none_or(|p| {
                    c.mappings
                        .iter()
                        .any(|m| self.connection_of(&m.connection).1.eq_ignore_ascii_case(p))
                })
        });
        let items = items.map(|c| self.config_json(c, base_url, None)).collect();
        Value::Object(paged("configs", items, q.page))
    }

    /// The catalog tools a configuration exposes, in mapping order: a mapping's listed tools, or
    /// every tool of its connection.
    pub fn config_tools<'t>(
        &self,
        c: &McpConfig,
        tools: &'t [CatalogTool],
    ) -> Vec<&'t CatalogTool> {
        let mut out = Vec::new();
        for m in &c.mappings {
            if m.tools.is_empty() {
                out.extend(tools.iter().filter(|t| t.connection == m.connection));
            } else {
                out.extend(m.tools.iter().filter_map(|name| {
                    tools
                        .iter()
                        .find(|t| &t.name == name && t.connection == m.connection)
                }));
            }
        }
        out
    }

    // ---- instances ----

    fn instance_index(&self, id: &str) -> Result<usize, ApiError> {
        position(&self.mcp.instances, |x| &x.id, "MCP instance", id)
    }

    pub fn mcp_instance(&self, id: &str) -> Result<&McpInstance, ApiError> {
        Ok(&self.mcp.instances[self.instance_index(id)?])
    }

    /// EnsureMcpInstance: the instance of (configuration, user, name), made when missing; the
    /// name defaults to the configuration's.
    pub fn ensure_mcp_instance(
        &mut self,
        name: Option<&str>,
        config_name: &str,
        user: &str,
    ) -> Result<McpInstance, ApiError> {
        let config_id = self.config_by_name(config_name)?.id.clone();
        let name = name.unwrap_or(config_name).to_owned();
        let found =
            self.mcp.instances.iter().position(|x| {
                x.config_id == config_id && x.user_identifier == user && x.name == name
            });
        let i = match found {
            Some(i) => i,
            None => {
                let id = self.next_id("inst_");
                self.mcp.instances.push(McpInstance {
                    id,
                    name,
                    user_identifier: user.to_owned(),
                    config_id,
                    updated_at: OffsetDateTime::now_utc(),
                    last_used_at: None,
                });
                self.mcp.instances.len() - 1
            }
        };
        Ok(self.mcp.instances[i].clone())
    }

    /// UpdateMcpInstance: renames it, and/or moves it to another configuration (by name).
    pub fn update_mcp_instance(
        &mut self,
        id: &str,
        name: Option<&str>,
        config_name: Option<&str>,
    ) -> Result<McpInstance, ApiError> {
        let i = self.instance_index(id)?;
        let config_id = match config_name {
            Some(n) => Some(self.config_by_name(n)?.id.clone()),
            None => None,
        };
        let x = &mut self.mcp.instances[i];
        if let Some(n) = name {
            x.name = n.to_owned();
        }
        if let Some(c) = config_id {
            x.config_id = c;
        }
        x.updated_at = OffsetDateTime::now_utc();
        Ok(x.clone())
    }

    pub fn delete_mcp_instance(&mut self, id: &str) -> Result<(), ApiError> {
        let i = self.instance_index(id)?;
        self.mcp.instances.remove(i);
        Ok(())
    }

    /// `McpInstance` in wire shape: its configuration in the user's context; its `url` is the
    /// configuration's MCP server, which a session token for that user opens.
    pub fn instance_json(&self, x: &McpInstance, base_url: &str) -> Value {
        let config = self
            .mcp_config(&x.config_id)
            .ok()
            .map(|c| self.config_json(c, base_url, Some(&x.user_identifier)));
        let mut m = Map::new();
        m.insert("id".into(), json!(x.id));
        m.insert("name".into(), json!(x.name));
        m.insert("user_identifier".into(), json!(x.user_identifier));
        if let Some(c) = &config {
            m.insert("url".into(), c["mcp_server_url"].clone());
            m.insert("config".into(), c.clone());
        }
        if let Some(t) = x.last_used_at {
            m.insert("last_used_at".into(), json!(rfc3339(t)));
        }
        m.insert("updated_at".into(), json!(rfc3339(x.updated_at)));
        Value::Object(m)
    }

    pub fn list_mcp_instances(&self, q: &McpQuery<InstanceFilter>, base_url: &str) -> Value {
        let f = &q.filter;
        let config_name = |x: &McpInstance| self.mcp_config(&x.config_id).map(|c| c.name.clone());
        let items = self.mcp.instances.iter().filter(|x| {
            q.id.as_ref().is_none_or(|id| &x.id == id)
                && q.name.as_ref().is_none_or(|n| &x.name == n)
                && f.user_identifier
                    .as_ref()
                    .is_none_or(|u| &x.user_identifier == u)
                && f.config_name
                    .as_ref()
                    .is_none_or(|n| config_name(x).is_ok_and(|c| &c == n))
                && q.search.as_ref().is_none_or(|s| {
                    starts_with_ci(&x.name, s) || starts_with_ci(&x.user_identifier, s)
                })
        });
        let items = items.map(|x| self.instance_json(x, base_url)).collect();
        Value::Object(paged("instances", items, q.page))
    }

    /// The gateway ran a tool of this configuration for this user.
    pub fn touch_mcp_instances(&mut self, config_id: &str, user: &str) {
        let now = OffsetDateTime::now_utc();
        for x in self
            .mcp
            .instances
            .iter_mut()
            .filter(|x| x.config_id == config_id && x.user_identifier == user)
        {
            x.last_used_at = Some(now);
        }
    }

    // ---- auth state ----

    /// One row per connection of the configuration: its connection, and the user's connected
    /// account when there is one. With `links`, a missing account is created PENDING_AUTH and
    /// every row gets a fresh magic link.
    pub fn mcp_auth_rows(
        &mut self,
        config_id: &str,
        user: &str,
        links: bool,
        base_url: &str,
    ) -> Result<Vec<Value>, ApiError> {
        let connections: Vec<String> = self
            .mcp_config(config_id)?
            .mappings
            .iter()
            .map(|m| m.connection.clone())
            .collect();
        let mut rows = Vec::with_capacity(connections.len());
        for name in connections {
            let (connection_id, provider) = self.connection_of(&name);
            let mut row = Map::new();
            row.insert("connection_id".into(), json!(connection_id));
            row.insert("connection_name".into(), json!(name));
            row.insert("provider".into(), json!(provider));
            if links {
                let sel = Selector {
                    connector: Some(name.clone()),
                    identifier: Some(user.to_owned()),
                    id: self
                        .routed_account(&name, user)
                        .map(|i| self.accounts[i].id.clone()),
                    ..Selector::default()
                };
                let (token, _) = self.magic_link(&sel, None, None)?;
                row.insert(
                    "authentication_link".into(),
                    json!(magic_link_url(base_url, &token)),
                );
            }
            if let Some(a) = self.routed_account(&name, user).map(|i| &self.accounts[i]) {
                row.insert("connected_account_id".into(), json!(a.id));
                row.insert("connected_account_status".into(), json!(a.status.name()));
            }
            rows.push(Value::Object(row));
        }
        Ok(rows)
    }

    // ---- session tokens ----

    /// The connection a connection token is for: matched without regard to case (an exact match
    /// first); provisioned when none are configured.
    fn token_connection(&mut self, key: &str) -> Result<Connection, ApiError> {
        let found = self.connection(key).or_else(|| {
            self.connections
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(key))
        });
        match found {
            Some(c) => Ok(c.clone()),
            None if self.auto_provision => self.connection_for_write(key),
            None => Err(ApiError::not_found(format!("no connection named {key:?}"))),
        }
    }

    /// What the token of `req` grants. A configuration token needs an ACTIVE account of the
    /// identifier on every mapped connection; a connection token gets a PENDING_AUTH account made
    /// when the identifier has none there (the gateway then answers "not connected").
    pub fn grant(&mut self, req: &TokenRequest, base_url: &str) -> Result<Grant, ApiError> {
        let user = &req.identifier;
        match &req.target {
            Target::Config(id) => {
                let c = self.mcp_config(id)?;
                let mut account_ids = Vec::new();
                for m in &c.mappings {
                    let active = self
                        .routed_account(&m.connection, user)
                        .map(|i| &self.accounts[i])
                        .filter(|a| a.status == Status::Active);
                    let Some(a) = active else {
                        return Err(ApiError::failed_precondition(format!(
                            "identifier {user:?} has no ACTIVE connected account on connection {:?}, which MCP configuration {id} maps",
                            m.connection
                        )));
                    };
                    account_ids.push(a.id.clone());
                }
                Ok(Grant {
                    audience: server_url(base_url, &c.server_id),
                    config_id: Some(c.id.clone()),
                    connection_id: None,
                    account_ids,
                })
            }
            Target::Connection(key) => {
                let conn = self.token_connection(key)?;
                let i = match self.routed_account(&conn.name, user) {
                    Some(i) => i,
                    None => {
                        let sel = Selector {
                            connector: Some(conn.name.clone()),
                            identifier: Some(user.clone()),
                            ..Selector::default()
                        };
                        self.insert_account(
                            &conn,
                            &sel,
                            Status::PendingAuth,
                            WritePayload::default(),
                        )
                    }
                };
                Ok(Grant {
                    audience: connection_url(base_url, &conn.name),
                    config_id: None,
                    connection_id: Some(conn.id),
                    account_ids: vec![self.accounts[i].id.clone()],
                })
            }
        }
    }
}
