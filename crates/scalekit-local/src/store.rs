//! The emulator's store: connections, connected accounts and access tokens, in memory. Magic
//! links and user verifications also live here (their records in `model`, their rules in
//! `links`, which extends the store); loading the options' connections and accounts is in `seed`;
//! MCP configurations and instances are kept here too, their operations in `mcp::store`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::details::{read_write_payload, usable};
use crate::mcp::model::McpState;
use crate::model::{
    connector_char, page_token, Account, AuthRequest, Connection, ListQuery, MagicLink,
    ProxyTarget, Selector, Status, WritePayload,
};
use crate::options::{ApiKeyPlacement, AuthType, ConnectionConfig, SeedAccount};
use crate::wire::{random_digits, random_token, ApiError};
use crate::EmulatorError;

pub struct Store {
    tokens: HashMap<String, Instant>,
    pub(super) connections: Vec<Connection>,
    /// Auto-provision unknown connection names (no connections configured).
    pub(super) auto_provision: bool,
    pub(super) echo_url: String,
    pub(super) accounts: Vec<Account>,
    pub(super) magic_links: HashMap<String, MagicLink>,
    pub(super) auth_requests: HashMap<String, AuthRequest>,
    /// MCP configurations and instances (their operations are in `mcp::store`).
    pub(super) mcp: McpState,
    next_seq: u64,
    id_base: u64,
}

impl Store {
    pub fn new(
        connections: Option<Vec<ConnectionConfig>>,
        seeds: Option<Vec<SeedAccount>>,
        echo_url: &str,
    ) -> Result<Store, EmulatorError> {
        let mut store = Store {
            tokens: HashMap::new(),
            connections: Vec::new(),
            auto_provision: connections.is_none(),
            echo_url: echo_url.to_owned(),
            accounts: Vec::new(),
            magic_links: HashMap::new(),
            auth_requests: HashMap::new(),
            mcp: McpState::default(),
            next_seq: 0,
            id_base: random_digits(),
        };
        for c in connections.unwrap_or_default() {
            store.add_connection(c)?;
        }
        for s in seeds.unwrap_or_default() {
            store.seed(s)?;
        }
        Ok(store)
    }

    /// Ids are a random 17-digit base plus a sequence: unique within the instance, documented shape.
    pub(super) fn next_id(&mut self, prefix: &str) -> String {
        self.next_seq += 1;
        format!("{prefix}{}", self.id_base + self.next_seq)
    }

    // ---- tokens ----

    pub fn issue_token(&mut self, ttl: Duration) -> String {
        let now = Instant::now();
        self.tokens.retain(|_, exp| *exp > now);
        let token = random_token();
        self.tokens.insert(token.clone(), now + ttl);
        token
    }

    /// docs/wire-protocol.md §2: missing bearer → "Token empty"; unknown, revoked or expired →
    /// "token is invalid or expired".
    pub fn check_token(&self, bearer: Option<&str>) -> Result<(), ApiError> {
        let Some(token) = bearer.filter(|t| !t.is_empty()) else {
            return Err(ApiError::unauthenticated("Token empty"));
        };
        match self.tokens.get(token) {
            Some(exp) if *exp > Instant::now() => Ok(()),
            _ => Err(ApiError::unauthenticated("token is invalid or expired")),
        }
    }

    pub fn revoke_tokens(&mut self) {
        self.tokens.clear();
    }

    // ---- connections ----

    pub fn connection(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// The connection an account is being created under; auto-provisions when none are configured.
    pub(super) fn connection_for_write(&mut self, name: &str) -> Result<Connection, ApiError> {
        if let Some(c) = self.connection(name) {
            return Ok(c.clone());
        }
        if !self.auto_provision {
            return Err(ApiError::invalid(format!(
                "connector: no connection named {name:?} is configured"
            )));
        }
        if name.is_empty() || !name.chars().all(connector_char) {
            return Err(ApiError::invalid(format!(
                "connector: {name:?} is not a valid connection name"
            )));
        }
        let id = self.next_id("conn_");
        let conn = Connection {
            id,
            name: name.to_owned(),
            provider: name.to_owned(),
            auth_type: AuthType::OAuth,
            upstream_url: self.echo_url.clone(),
            api_key: ApiKeyPlacement::default(),
        };
        self.connections.push(conn.clone());
        Ok(conn)
    }

    /// ListAppConnections, filtered (crate::connections::list).
    pub fn connections_json(&self, provider: Option<&str>, query: Option<&str>) -> Value {
        crate::connections::list(&self.connections, provider, query)
    }

    // ---- accounts ----

    pub(super) fn position(&self, sel: &Selector) -> Result<usize, ApiError> {
        if let Some(id) = &sel.id {
            return self
                .accounts
                .iter()
                .position(|a| &a.id == id)
                .ok_or_else(|| ApiError::not_found(format!("connected account {id} not found")));
        }
        let (Some(connector), Some(identifier)) = (&sel.connector, &sel.identifier) else {
            return Err(ApiError::invalid(
                "either id or connector + identifier is required",
            ));
        };
        self.accounts
            .iter()
            .position(|a| {
                &a.connector == connector
                    && &a.identifier == identifier
                    && a.organization_id == sel.organization_id
                    && a.user_id == sel.user_id
            })
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "connected account not found for connector {connector:?} and identifier {identifier:?}"
                ))
            })
    }

    pub(super) fn insert_account(
        &mut self,
        conn: &Connection,
        sel: &Selector,
        status: Status,
        payload: WritePayload,
    ) -> usize {
        let id = self.next_id("ca_");
        self.accounts.push(Account {
            seq: self.next_seq,
            id,
            connector: conn.name.clone(),
            identifier: sel.identifier.clone().unwrap_or_default(),
            organization_id: sel.organization_id.clone(),
            user_id: sel.user_id.clone(),
            provider: conn.provider.clone(),
            connection_id: conn.id.clone(),
            auth_type: conn.auth_type,
            status,
            authorization_details: payload.details,
            api_config: payload.api_config,
            token_expires_at: None,
            updated_at: OffsetDateTime::now_utc(),
            last_used_at: None,
        });
        self.accounts.len() - 1
    }

    /// `{"connected_account": …}` with credentials, the answer of get, create and update.
    fn account_json(&self, i: usize) -> Value {
        json!({ "connected_account": self.accounts[i].wire(true) })
    }

    pub fn get(&self, sel: &Selector) -> Result<Value, ApiError> {
        Ok(self.account_json(self.position(sel)?))
    }

    /// `write` = the `connected_account` payload. Usable credentials make the new account
    /// ACTIVE, else it is PENDING_AUTH.
    pub fn create(
        &mut self,
        sel: &Selector,
        write: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let connector = sel
            .connector
            .clone()
            .ok_or_else(|| ApiError::invalid("connector is required"))?;
        if sel.identifier.is_none() {
            return Err(ApiError::invalid("identifier is required"));
        }
        let payload = read_write_payload(write)?;
        let key = Selector {
            id: None,
            ..sel.clone()
        };
        if self.position(&key).is_ok() {
            return Err(ApiError::already_exists(format!(
                "connected account already exists for connector {connector:?} and identifier {:?}",
                key.identifier.as_deref().unwrap_or_default()
            )));
        }
        let conn = self.connection_for_write(&connector)?;
        if let Some(details) = &payload.details {
            crate::connections::check_fit(conn.auth_type, details)?;
        }
        let status = if payload.details.as_ref().is_some_and(usable) {
            Status::Active
        } else {
            Status::PendingAuth
        };
        let i = self.insert_account(&conn, &key, status, payload);
        Ok(self.account_json(i))
    }

    /// Replaces credentials when given (usable ones make the account ACTIVE); merges api_config.
    pub fn update(
        &mut self,
        sel: &Selector,
        write: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let i = self.position(sel)?;
        let payload = read_write_payload(write)?;
        let acc = &mut self.accounts[i];
        if let Some(d) = &payload.details {
            crate::connections::check_fit(acc.auth_type, d)?;
        }
        if let Some(d) = payload.details {
            if usable(&d) {
                acc.status = Status::Active;
            }
            // Credentials supplied by the caller carry no known expiry.
            acc.token_expires_at = None;
            acc.authorization_details = Some(d);
        }
        if let Some(cfg) = payload.api_config {
            acc.api_config.get_or_insert_with(Map::new).extend(cfg);
        }
        acc.updated_at = OffsetDateTime::now_utc();
        Ok(self.account_json(i))
    }

    pub fn delete(&mut self, sel: &Selector) -> Result<Value, ApiError> {
        let i = self.position(sel)?;
        let acc = self.accounts.remove(i);
        self.forget_links(&acc.id);
        Ok(json!({}))
    }

    pub fn list(&self, q: &ListQuery) -> Value {
        let needle = q.query.as_ref().map(|s| s.to_lowercase());
        let matching: Vec<&Account> = self
            .accounts
            .iter()
            .filter(|a| q.connector.as_ref().is_none_or(|c| &a.connector == c))
            .filter(|a| q.connection_names.is_empty() || q.connection_names.contains(&a.connector))
            .filter(|a| q.identifier.as_ref().is_none_or(|x| &a.identifier == x))
            .filter(|a| {
                q.provider
                    .as_ref()
                    .is_none_or(|p| a.provider.eq_ignore_ascii_case(p))
            })
            .filter(|a| {
                q.organization_id
                    .as_ref()
                    .is_none_or(|o| &a.organization_id == o)
            })
            .filter(|a| q.user_id.as_ref().is_none_or(|u| &a.user_id == u))
            .filter(|a| {
                needle.as_ref().is_none_or(|n| {
                    [&a.identifier, &a.connector, &a.provider, &a.id]
                        .iter()
                        .any(|f| f.to_lowercase().contains(n.as_str()))
                })
            })
            .collect();
        let total = matching.len();
        let page: Vec<Value> = matching
            .iter()
            .skip(q.offset)
            .take(q.page_size)
            .map(|a| a.wire(false))
            .collect();
        let end = q.offset.saturating_add(q.page_size);
        let next = if end < total {
            page_token(end)
        } else {
            String::new()
        };
        let prev = if q.offset > 0 {
            page_token(q.offset.saturating_sub(q.page_size))
        } else {
            String::new()
        };
        json!({
            "connected_accounts": page,
            "total_size": total,
            "next_page_token": next,
            "prev_page_token": prev,
        })
    }

    pub fn set_status(
        &mut self,
        connector: &str,
        identifier: &str,
        status: Status,
    ) -> Result<(), EmulatorError> {
        let mut found = false;
        for a in self
            .accounts
            .iter_mut()
            .filter(|a| a.connector == connector && a.identifier == identifier)
        {
            a.status = status;
            a.updated_at = OffsetDateTime::now_utc();
            found = true;
        }
        if found {
            Ok(())
        } else {
            Err(EmulatorError::AccountNotFound {
                connection_name: connector.to_owned(),
                identifier: identifier.to_owned(),
            })
        }
    }

    pub fn accounts_json(&self) -> Value {
        let mut list: Vec<&Account> = self.accounts.iter().collect();
        list.sort_by_key(|a| a.seq);
        Value::Array(
            list.into_iter()
                .map(|a| {
                    let mut v = a.wire(true);
                    if let Value::Object(m) = &mut v {
                        m.insert("organization_id".into(), json!(a.organization_id));
                        m.insert("user_id".into(), json!(a.user_id));
                    }
                    v
                })
                .collect(),
        )
    }

    // ---- proxy ----

    /// The account a call routed on (connection_name, identifier) only uses: the unscoped
    /// account, else the first one created with that pair (the Tool Proxy, tools, MCP).
    pub fn routed_account(&self, connection_name: &str, identifier: &str) -> Option<usize> {
        (0..self.accounts.len())
            .filter(|&i| {
                self.accounts[i].connector == connection_name
                    && self.accounts[i].identifier == identifier
            })
            .min_by_key(|&i| {
                let a = &self.accounts[i];
                (
                    !(a.organization_id.is_empty() && a.user_id.is_empty()),
                    a.seq,
                )
            })
    }

    /// Resolves the routed account: unknown → 404 code 5; not ACTIVE → 400 code 9.
    /// Marks it used, since the call is going to be forwarded.
    pub fn proxy_target(
        &mut self,
        connection_name: &str,
        identifier: &str,
    ) -> Result<ProxyTarget, ApiError> {
        let Some(i) = self.routed_account(connection_name, identifier) else {
            return Err(ApiError::not_found(format!(
                "connected account not found for connection_name {connection_name:?} and identifier {identifier:?}"
            )));
        };
        let conn = self.connection(connection_name).cloned();
        let acc = &mut self.accounts[i];
        if acc.status != Status::Active {
            return Err(ApiError::failed_precondition(format!(
                "connected account {} is {}, not ACTIVE",
                acc.id,
                acc.status.name()
            )));
        }
        let conn = conn.ok_or_else(|| {
            ApiError::not_found(format!("connection {connection_name:?} not found"))
        })?;
        acc.last_used_at = Some(OffsetDateTime::now_utc());
        Ok(ProxyTarget {
            label: acc.label(),
            auth_type: conn.auth_type,
            upstream_url: conn.upstream_url,
            api_key: conn.api_key,
            authorization_details: acc.authorization_details.clone(),
        })
    }
}
