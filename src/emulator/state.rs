//! The emulator's state: connections, connected accounts, access tokens, magic links,
//! pending user verifications and request counters. Everything is in memory, behind std locks
//! that are never held across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::options::{ApiKeyPlacement, AuthType, ConnectionConfig, SeedAccount};
use super::wire::{random_digits, random_token, rfc3339, ApiError, Input};
use super::EmulatorError;

/// Endpoint names used as `stats()` keys, one count per request served.
pub const ENDPOINTS: [&str; 13] = [
    "token",
    "connected_accounts.get",
    "connected_accounts.create",
    "connected_accounts.update",
    "connected_accounts.delete",
    "connected_accounts.list",
    "magic_link",
    "authorize",
    "verify",
    "connections.list",
    "execute_tool",
    "proxy",
    "echo",
];

/// Magic links live 15 minutes, like Scalekit's.
const MAGIC_LINK_TTL: Duration = Duration::from_secs(15 * 60);

pub use crate::sync::lock;

/// Fixed at start: credentials, token lifetime and the two base URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl: Duration,
    pub base_url: String,
    pub echo_url: String,
    /// See `EmulatorOptions::inline_echo`.
    pub inline_echo: bool,
}

/// Everything the route handlers share.
pub struct Shared {
    pub settings: Settings,
    pub store: Mutex<Store>,
    pub stats: Mutex<BTreeMap<&'static str, u64>>,
    /// Upstream client of the Tool Proxy: no decompression and no redirects, so bytes and
    /// redirects reach the caller untouched; no system proxy, since upstreams are local.
    pub http: reqwest::Client,
}

impl Shared {
    pub fn count(&self, endpoint: &'static str) {
        *lock(&self.stats).entry(endpoint).or_insert(0) += 1;
    }

    pub fn stats(&self) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> = ENDPOINTS.iter().map(|e| (e.to_string(), 0)).collect();
        for (k, v) in lock(&self.stats).iter() {
            out.insert(k.to_string(), *v);
        }
        out
    }

    pub fn reset_stats(&self) {
        lock(&self.stats).clear();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Expired,
    PendingAuth,
    PendingVerification,
    Disconnected,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "ACTIVE",
            Status::Expired => "EXPIRED",
            Status::PendingAuth => "PENDING_AUTH",
            Status::PendingVerification => "PENDING_VERIFICATION",
            Status::Disconnected => "DISCONNECTED",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Active,
            Status::Expired,
            Status::PendingAuth,
            Status::PendingVerification,
            Status::Disconnected,
        ]
        .into_iter()
        .find(|st| st.name().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub auth_type: AuthType,
    /// Without a trailing slash: the proxied path (which starts with `/`) is appended as is.
    pub upstream_url: String,
    pub api_key: ApiKeyPlacement,
}

impl Connection {
    fn wire(&self) -> Value {
        json!({
            "id": self.id,
            "key_id": self.name,
            "provider_key": self.provider,
            "type": self.auth_type.wire_name(),
            "status": "CONFIGURED",
            "enabled": true,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    seq: u64,
    pub id: String,
    pub connector: String,
    pub identifier: String,
    pub organization_id: String,
    pub user_id: String,
    pub provider: String,
    pub connection_id: String,
    pub auth_type: AuthType,
    pub status: Status,
    /// Normalised wire shape (snake_case, exactly one oneof key), or None.
    pub authorization_details: Option<Value>,
    pub api_config: Option<Map<String, Value>>,
    pub token_expires_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

impl Account {
    /// `ConnectedAccount` (full = with credentials and api_config) or `ConnectedAccountForList`.
    pub fn wire(&self, full: bool) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("identifier".into(), json!(self.identifier));
        m.insert("provider".into(), json!(self.provider));
        m.insert("connector".into(), json!(self.connector));
        m.insert("connection_id".into(), json!(self.connection_id));
        m.insert("status".into(), json!(self.status.name()));
        m.insert(
            "authorization_type".into(),
            json!(self.auth_type.wire_name()),
        );
        if full {
            if let Some(d) = &self.authorization_details {
                m.insert("authorization_details".into(), d.clone());
            }
        }
        if let Some(t) = self.token_expires_at {
            m.insert("token_expires_at".into(), json!(rfc3339(t)));
        }
        m.insert("updated_at".into(), json!(rfc3339(self.updated_at)));
        if let Some(t) = self.last_used_at {
            m.insert("last_used_at".into(), json!(rfc3339(t)));
        }
        if full {
            if let Some(c) = &self.api_config {
                m.insert("api_config".into(), Value::Object(c.clone()));
            }
        }
        Value::Object(m)
    }

    /// What a proxied call needs, copied out so no lock is held while forwarding.
    pub fn label(&self) -> String {
        format!("{}/{}", self.connector, self.identifier)
    }
}

/// How a request addresses one account: `id` wins; else the (connector, identifier, org, user) key.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub id: Option<String>,
    pub connector: Option<String>,
    pub identifier: Option<String>,
    pub organization_id: String,
    pub user_id: String,
}

/// Filters and page of a list call (already validated).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub connector: Option<String>,
    pub identifier: Option<String>,
    pub provider: Option<String>,
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    pub query: Option<String>,
    pub connection_names: Vec<String>,
    pub page_size: usize,
    pub offset: usize,
}

pub struct MagicLink {
    account_id: String,
    state: Option<String>,
    user_verify_url: Option<String>,
    expires: Instant,
}

struct AuthRequest {
    account_id: String,
    identifier: String,
}

/// What following a magic link leads to.
#[derive(Debug)]
pub enum Authorized {
    /// Account ACTIVE; the browser gets a small HTML page.
    Active,
    /// Account PENDING_VERIFICATION; the browser is redirected here.
    Redirect(String),
}

/// A browser-facing failure of the magic link (rendered as an HTML page).
#[derive(Debug)]
pub struct PageError {
    pub status: u16,
    pub message: String,
}

/// What the proxy needs to forward one call for an ACTIVE account.
#[derive(Debug, Clone)]
pub struct ProxyTarget {
    pub label: String,
    pub auth_type: AuthType,
    pub upstream_url: String,
    pub api_key: ApiKeyPlacement,
    pub authorization_details: Option<Value>,
}

pub struct Store {
    tokens: HashMap<String, Instant>,
    connections: Vec<Connection>,
    /// Auto-provision unknown connection names (no connections configured).
    auto_provision: bool,
    echo_url: String,
    accounts: Vec<Account>,
    magic_links: HashMap<String, MagicLink>,
    auth_requests: HashMap<String, AuthRequest>,
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
    fn next_id(&mut self, prefix: &str) -> String {
        self.next_seq += 1;
        format!("{prefix}{}", self.id_base + self.next_seq)
    }

    fn add_connection(&mut self, c: ConnectionConfig) -> Result<(), EmulatorError> {
        let bad = |m: String| EmulatorError::Options(format!("connection {:?}: {m}", c.name));
        if c.name.is_empty() || c.name.chars().count() > 400 || !c.name.chars().all(connector_char)
        {
            return Err(bad(
                "name must be 1-400 characters of [a-zA-Z0-9_: -]".into()
            ));
        }
        if self.connections.iter().any(|x| x.name == c.name) {
            return Err(bad("configured twice".into()));
        }
        let upstream_url = match &c.upstream_url {
            None => self.echo_url.clone(),
            Some(u) => {
                let parsed = url::Url::parse(u).map_err(|e| bad(format!("upstreamUrl: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(bad("upstreamUrl must be http(s)".into()));
                }
                u.trim_end_matches('/').to_owned()
            }
        };
        if c.api_key.is_some() && c.auth_type != AuthType::ApiKey {
            return Err(bad("apiKey is only meaningful with authType API_KEY".into()));
        }
        let api_key = c.api_key.clone().unwrap_or_default();
        match &api_key {
            ApiKeyPlacement::Header(h) if axum::http::HeaderName::try_from(h.as_str()).is_err() => {
                return Err(bad(format!(
                    "apiKey.header {h:?} is not a valid header name"
                )));
            }
            ApiKeyPlacement::Query(q) if q.is_empty() => {
                return Err(bad("apiKey.query must not be empty".into()));
            }
            _ => {}
        }
        let id = self.next_id("conn_");
        self.connections.push(Connection {
            id,
            provider: c.provider.clone().unwrap_or_else(|| c.name.clone()),
            name: c.name,
            auth_type: c.auth_type,
            upstream_url,
            api_key,
        });
        Ok(())
    }

    fn seed(&mut self, s: SeedAccount) -> Result<(), EmulatorError> {
        let bad = |m: String| {
            EmulatorError::Options(format!(
                "account {:?} on {:?}: {m}",
                s.identifier, s.connection_name
            ))
        };
        let conn = self
            .connection_for_write(&s.connection_name)
            .map_err(|e| bad(e.message))?;
        let details = match &s.authorization_details {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => normalize_details(m).map_err(|e| bad(e.message))?,
            Some(_) => return Err(bad("authorizationDetails must be an object".into())),
        };
        let api_config = match &s.api_config {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(_) => return Err(bad("apiConfig must be an object".into())),
        };
        let status = match &s.status {
            Some(st) => Status::parse(st).ok_or_else(|| bad(format!("unknown status {st:?}")))?,
            None if details.as_ref().is_some_and(usable) => Status::Active,
            None => Status::PendingAuth,
        };
        let sel = Selector {
            id: None,
            connector: Some(s.connection_name.clone()),
            identifier: Some(s.identifier.clone()),
            organization_id: s.organization_id.clone().unwrap_or_default(),
            user_id: s.user_id.clone().unwrap_or_default(),
        };
        if self.position(&sel).is_ok() {
            return Err(bad("seeded twice".into()));
        }
        self.insert_account(&conn, &sel, status, details, api_config);
        Ok(())
    }

    // ---- tokens ----

    pub fn issue_token(&mut self, ttl: Duration) -> String {
        let now = Instant::now();
        self.tokens.retain(|_, exp| *exp > now);
        let token = random_token();
        self.tokens.insert(token.clone(), now + ttl);
        token
    }

    /// Spec §2: missing bearer → "Token empty"; unknown, revoked or expired → "token is invalid or expired".
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
    fn connection_for_write(&mut self, name: &str) -> Result<Connection, ApiError> {
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

    pub fn connections_json(&self) -> Value {
        let list: Vec<Value> = self.connections.iter().map(Connection::wire).collect();
        json!({
            "connections": list,
            "total_size": list.len(),
            "next_page_token": "",
            "prev_page_token": "",
        })
    }

    // ---- accounts ----

    fn position(&self, sel: &Selector) -> Result<usize, ApiError> {
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

    fn insert_account(
        &mut self,
        conn: &Connection,
        sel: &Selector,
        status: Status,
        details: Option<Value>,
        api_config: Option<Map<String, Value>>,
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
            authorization_details: details,
            api_config,
            token_expires_at: None,
            updated_at: OffsetDateTime::now_utc(),
            last_used_at: None,
        });
        self.accounts.len() - 1
    }

    pub fn get(&self, sel: &Selector) -> Result<Value, ApiError> {
        let i = self.position(sel)?;
        Ok(json!({ "connected_account": self.accounts[i].wire(true) }))
    }

    /// `connected_account` = the write payload `{authorization_details?, api_config?}`.
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
        let WritePayload {
            details,
            api_config,
        } = read_write_payload(write)?;
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
        let status = if details.as_ref().is_some_and(usable) {
            Status::Active
        } else {
            Status::PendingAuth
        };
        let i = self.insert_account(&conn, &key, status, details, api_config);
        Ok(json!({ "connected_account": self.accounts[i].wire(true) }))
    }

    /// Replaces credentials when given (usable ones make the account ACTIVE); merges api_config.
    pub fn update(
        &mut self,
        sel: &Selector,
        write: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let i = self.position(sel)?;
        let WritePayload {
            details,
            api_config,
        } = read_write_payload(write)?;
        let acc = &mut self.accounts[i];
        if let Some(d) = details {
            if usable(&d) {
                acc.status = Status::Active;
            }
            // Credentials supplied by the caller carry no known expiry.
            acc.token_expires_at = None;
            acc.authorization_details = Some(d);
        }
        if let Some(cfg) = api_config {
            acc.api_config.get_or_insert_with(Map::new).extend(cfg);
        }
        acc.updated_at = OffsetDateTime::now_utc();
        Ok(json!({ "connected_account": acc.wire(true) }))
    }

    pub fn delete(&mut self, sel: &Selector) -> Result<Value, ApiError> {
        let i = self.position(sel)?;
        let acc = self.accounts.remove(i);
        self.magic_links.retain(|_, l| l.account_id != acc.id);
        self.auth_requests.retain(|_, r| r.account_id != acc.id);
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

    // ---- magic link, authorization, verification ----

    /// Finds (or creates, PENDING_AUTH) the account and returns `(link token, expiry)`.
    pub fn magic_link(
        &mut self,
        sel: &Selector,
        state: Option<String>,
        user_verify_url: Option<String>,
    ) -> Result<(String, OffsetDateTime), ApiError> {
        let i = match self.position(sel) {
            Ok(i) => i,
            Err(e) if e.code == 5 && sel.id.is_none() => {
                let connector = sel.connector.clone().unwrap_or_default();
                let conn = self.connection_for_write(&connector)?;
                self.insert_account(&conn, sel, Status::PendingAuth, None, None)
            }
            Err(e) => return Err(e),
        };
        let now = Instant::now();
        self.magic_links.retain(|_, l| l.expires > now);
        let token = random_token();
        self.magic_links.insert(
            token.clone(),
            MagicLink {
                account_id: self.accounts[i].id.clone(),
                state,
                user_verify_url,
                expires: now + MAGIC_LINK_TTL,
            },
        );
        let expiry = OffsetDateTime::now_utc() + MAGIC_LINK_TTL;
        Ok((token, expiry))
    }

    /// The user's browser opening a magic link. A link works once.
    ///
    /// OAUTH accounts get an emulator-issued access/refresh token pair. Static-credential accounts
    /// (BASIC, BEARER, API_KEY) keep the credentials already stored, or take them from the link's
    /// query string (`?api_key=…`, `?token=…`, `?username=…&password=…`), which then become
    /// `static_auth.details`; with neither, the page answers 400 "credentials missing".
    pub fn authorize(
        &mut self,
        token: &str,
        query: &[(String, String)],
        ttl: Duration,
    ) -> Result<Authorized, PageError> {
        let link = self.magic_links.remove(token).ok_or(PageError {
            status: 404,
            message: "This authorization link is unknown or was already used.".into(),
        })?;
        if link.expires <= Instant::now() {
            return Err(PageError {
                status: 400,
                message: "This authorization link has expired.".into(),
            });
        }
        let not_found = || PageError {
            status: 404,
            message: "The connected account of this link no longer exists.".into(),
        };
        let i = self
            .accounts
            .iter()
            .position(|a| a.id == link.account_id)
            .ok_or_else(not_found)?;
        let acc = &mut self.accounts[i];
        let now = OffsetDateTime::now_utc();
        if acc.auth_type == AuthType::OAuth {
            acc.authorization_details = Some(json!({"oauth_token": {
                "access_token": format!("emu_at_{}", random_token()),
                "refresh_token": format!("emu_rt_{}", random_token()),
                "scopes": [],
            }}));
            acc.token_expires_at = Some(now + ttl);
        } else if !query.is_empty() {
            let details: Map<String, Value> = query
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            acc.authorization_details = Some(json!({"static_auth": {"details": details}}));
        } else if !acc.authorization_details.as_ref().is_some_and(usable) {
            // Give the link back: the user may retry with credentials in the query string.
            let account_id = link.account_id.clone();
            self.magic_links.insert(token.to_owned(), link);
            return Err(PageError {
                status: 400,
                message: format!(
                    "Credentials missing: connected account {account_id} has no stored credentials; \
                     open this link again with them as query parameters (api_key, token, or username and password)."
                ),
            });
        }
        acc.updated_at = now;
        match link.user_verify_url {
            None => {
                acc.status = Status::Active;
                Ok(Authorized::Active)
            }
            Some(verify_url) => {
                acc.status = Status::PendingVerification;
                let request_id = format!("ar_{}", random_token());
                let identifier = acc.identifier.clone();
                let mut url = url::Url::parse(&verify_url).map_err(|e| PageError {
                    status: 400,
                    message: format!("user_verify_url is not a valid URL: {e}"),
                })?;
                {
                    let mut pairs = url.query_pairs_mut();
                    pairs.append_pair("auth_request_id", &request_id);
                    if let Some(state) = &link.state {
                        pairs.append_pair("state", state);
                    }
                }
                self.auth_requests.insert(
                    request_id,
                    AuthRequest {
                        account_id: link.account_id,
                        identifier,
                    },
                );
                Ok(Authorized::Redirect(url.into()))
            }
        }
    }

    /// Completes a pending verification; the request id is consumed only on success.
    pub fn verify(&mut self, auth_request_id: &str, identifier: &str) -> Result<String, ApiError> {
        let req = self.auth_requests.get(auth_request_id).ok_or_else(|| {
            ApiError::not_found("no pending user verification for this auth_request_id")
        })?;
        if req.identifier != identifier {
            return Err(ApiError::permission_denied(
                "identifier does not match the user who authorized the connected account",
            ));
        }
        let account_id = req.account_id.clone();
        self.auth_requests.remove(auth_request_id);
        let acc = self
            .accounts
            .iter_mut()
            .find(|a| a.id == account_id)
            .ok_or_else(|| {
                ApiError::not_found(format!("connected account {account_id} not found"))
            })?;
        acc.status = Status::Active;
        acc.updated_at = OffsetDateTime::now_utc();
        Ok(acc.id.clone())
    }

    // ---- proxy ----

    /// Resolves the routed account: unknown → 404 code 5; not ACTIVE → 400 code 9.
    /// Marks it used, since the call is going to be forwarded.
    pub fn proxy_target(
        &mut self,
        connection_name: &str,
        identifier: &str,
    ) -> Result<ProxyTarget, ApiError> {
        // The proxy routes on (connection_name, identifier) only: prefer the unscoped account,
        // else the first one created with that pair.
        let mut candidates: Vec<usize> = (0..self.accounts.len())
            .filter(|&i| {
                self.accounts[i].connector == connection_name
                    && self.accounts[i].identifier == identifier
            })
            .collect();
        candidates.sort_by_key(|&i| {
            let a = &self.accounts[i];
            (
                !(a.organization_id.is_empty() && a.user_id.is_empty()),
                a.seq,
            )
        });
        let Some(&i) = candidates.first() else {
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

/// Characters allowed in a connection name (spec §5: `^[a-zA-Z0-9_: -]*$`).
pub fn connector_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | ' ' | '-')
}

pub fn page_token(offset: usize) -> String {
    format!("offset_{offset}")
}

pub fn parse_page_token(token: &str) -> Option<usize> {
    token.strip_prefix("offset_")?.parse().ok()
}

/// Usable credentials make a new account ACTIVE (spec §8).
fn usable(details: &Value) -> bool {
    let non_empty = |v: Option<&Value>| match v {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        _ => false,
    };
    non_empty(details.pointer("/oauth_token/access_token"))
        || non_empty(details.pointer("/static_auth/details"))
        || non_empty(details.pointer("/google_dwd/subject"))
        || non_empty(details.pointer("/trusted_idp/db_user"))
}

/// The `connected_account` write payload of create/update.
struct WritePayload {
    details: Option<Value>,
    api_config: Option<Map<String, Value>>,
}

fn read_write_payload(write: &Map<String, Value>) -> Result<WritePayload, ApiError> {
    let input = Input(write);
    let details = match input.object("authorization_details") {
        Ok(Some(m)) => normalize_details(m)?,
        Ok(None) => None,
        Err(_) => {
            return Err(ApiError::invalid(
                "connected_account.authorization_details: must be an object",
            ))
        }
    };
    let api_config = input
        .object("api_config")
        .map_err(|_| ApiError::invalid("connected_account.api_config: must be an object"))?
        .cloned();
    Ok(WritePayload {
        details,
        api_config,
    })
}

use crate::names::camel_to_snake as snake;

/// Authorization details in wire shape (snake_case message fields; Struct contents untouched).
/// `{}` means "not set" (an empty oneof).
pub fn normalize_details(m: &Map<String, Value>) -> Result<Option<Value>, ApiError> {
    const FIELD: &str = "connected_account.authorization_details";
    const KINDS: [&str; 4] = ["oauth_token", "static_auth", "google_dwd", "trusted_idp"];
    let input = Input(m);
    let set: Vec<(&str, &Value)> = KINDS
        .iter()
        .filter_map(|k| input.get(k).map(|v| (*k, v)))
        .collect();
    let (kind, value) = match set.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        _ => {
            return Err(ApiError::invalid(format!(
                "{FIELD}: only one of oauth_token, static_auth, google_dwd, trusted_idp may be set"
            )))
        }
    };
    let Value::Object(inner) = value else {
        return Err(ApiError::invalid(format!(
            "{FIELD}.{kind}: must be an object"
        )));
    };
    let mut out = Map::new();
    if kind == "static_auth" {
        match Input(inner).get("details") {
            None => {}
            Some(Value::Object(d)) => {
                out.insert("details".into(), Value::Object(d.clone()));
            }
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "{FIELD}.static_auth.details: must be an object"
                )))
            }
        }
    } else {
        for (k, v) in inner {
            if v.is_null() {
                continue;
            }
            let key = snake(k);
            let ok = match key.as_str() {
                "scopes" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
                _ => v.is_string() || v.is_array(),
            };
            if !ok {
                return Err(ApiError::invalid(format!(
                    "{FIELD}.{kind}.{key}: wrong type"
                )));
            }
            out.insert(key, v.clone());
        }
    }
    Ok(Some(json!({ kind: out })))
}

#[cfg(test)]
mod tests {
    use super::super::wire::camel;
    use super::*;

    #[test]
    fn normalizes_camel_details() {
        let m = serde_json::from_str::<Map<String, Value>>(
            r#"{"oauthToken":{"accessToken":"a","refreshToken":"r","scopes":["s"]}}"#,
        )
        .unwrap_or_default();
        let d = normalize_details(&m).ok().flatten();
        assert_eq!(
            d,
            Some(json!({"oauth_token":{"access_token":"a","refresh_token":"r","scopes":["s"]}}))
        );
        assert!(d.as_ref().is_some_and(usable));
        let m = serde_json::from_str::<Map<String, Value>>(
            r#"{"staticAuth":{"details":{"apiKey":"k"}}}"#,
        )
        .unwrap_or_default();
        // Struct contents are not case-converted.
        assert_eq!(
            normalize_details(&m).ok().flatten(),
            Some(json!({"static_auth":{"details":{"apiKey":"k"}}}))
        );
        let both =
            serde_json::from_str::<Map<String, Value>>(r#"{"oauth_token":{},"static_auth":{}}"#)
                .unwrap_or_default();
        assert!(normalize_details(&both).is_err());
        assert!(!usable(&json!({"oauth_token":{}})));
    }

    #[test]
    fn camel_and_snake() {
        assert_eq!(camel("organization_id"), "organizationId");
        assert_eq!(snake("accessToken"), "access_token");
        assert_eq!(parse_page_token(&page_token(40)), Some(40));
        assert_eq!(Status::parse("expired"), Some(Status::Expired));
    }
}
