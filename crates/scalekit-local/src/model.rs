//! The emulator's data: connections, connected accounts and their status, and the already
//! validated shapes a request addresses them with.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::options::{ApiKeyPlacement, AuthType};
use crate::wire::{rfc3339, ApiError};
use scalekit_wire::names::CONNECTOR_STATUS_NAMES;

/// A connected account's status. The discriminant is the proto number, which is also the
/// index of the name in `CONNECTOR_STATUS_NAMES` (UNSPECIFIED, 0, is never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active = 1,
    Expired = 2,
    PendingAuth = 3,
    PendingVerification = 4,
    Disconnected = 5,
}

impl Status {
    /// Every status an account can have, in proto order.
    pub const ALL: [Status; 5] = [
        Status::Active,
        Status::Expired,
        Status::PendingAuth,
        Status::PendingVerification,
        Status::Disconnected,
    ];

    pub fn name(self) -> &'static str {
        CONNECTOR_STATUS_NAMES[self as usize]
    }

    /// Case-insensitive, surrounding blanks ignored; UNSPECIFIED is not a status one can set.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|st| st.name().eq_ignore_ascii_case(s.trim()))
    }

    /// "ACTIVE, EXPIRED, … or DISCONNECTED", for messages that list what is accepted.
    pub fn expected() -> String {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// A configured connection's `ConnectionStatus` name.
pub const CONNECTION_STATUS: &str = "COMPLETED";

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
    pub fn wire(&self) -> Value {
        json!({
            "id": self.id,
            "key_id": self.name,
            "provider_key": self.provider,
            "type": self.auth_type.connection_type(),
            "status": CONNECTION_STATUS,
            "enabled": true,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    /// Creation order (ids are not ordered across instances).
    pub seq: u64,
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

    /// `connector/identifier`, how messages name the account.
    pub fn label(&self) -> String {
        format!("{}/{}", self.connector, self.identifier)
    }
}

/// The `connected_account` write payload of create/update, and the credentials of a seeded account.
#[derive(Debug, Clone, Default)]
pub struct WritePayload {
    /// Normalised by `details::normalize_details`.
    pub details: Option<Value>,
    pub api_config: Option<Map<String, Value>>,
}

/// What the proxy needs to forward one call for an ACTIVE account, copied out so no lock is
/// held while forwarding.
#[derive(Debug, Clone)]
pub struct ProxyTarget {
    pub label: String,
    pub auth_type: AuthType,
    pub upstream_url: String,
    pub api_key: ApiKeyPlacement,
    pub authorization_details: Option<Value>,
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
    /// One connection, or any of several (mutually exclusive).
    pub connector: Option<String>,
    pub connection_names: Vec<String>,
    pub identifier: Option<String>,
    pub provider: Option<String>,
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    /// Case-insensitive substring of identifier, connector, provider or id.
    pub query: Option<String>,
    pub page_size: usize,
    pub offset: usize,
}

/// Characters allowed in a connection name (docs/wire-protocol.md §5: `^[a-zA-Z0-9_: -]*$`).
pub fn connector_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | ' ' | '-')
}

pub fn page_token(offset: usize) -> String {
    format!("offset_{offset}")
}

pub fn parse_page_token(token: &str) -> Option<usize> {
    token.strip_prefix("offset_")?.parse().ok()
}

/// The offset a list call's `page_token` stands for: none (or `""`) is the first page.
pub fn page_offset(token: Option<&str>) -> Result<usize, ApiError> {
    match token.filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => parse_page_token(t)
            .ok_or_else(|| ApiError::invalid("page_token: not a token this server issued")),
    }
}

/// One page (`offset`, `size`) of `items` under `key`, with the page fields of every list
/// response: `next_page_token`, `prev_page_token`, `total_size` (every item, not the page's).
pub fn paged(key: &str, items: Vec<Value>, (offset, size): (usize, usize)) -> Map<String, Value> {
    let total = items.len();
    let end = offset.saturating_add(size);
    let next = if end < total {
        page_token(end)
    } else {
        String::new()
    };
    let prev = if offset > 0 {
        page_token(offset.saturating_sub(size))
    } else {
        String::new()
    };
    let page: Vec<Value> = items.into_iter().skip(offset).take(size).collect();
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(page));
    m.insert("next_page_token".into(), json!(next));
    m.insert("prev_page_token".into(), json!(prev));
    m.insert("total_size".into(), json!(total));
    m
}

/// A magic link the store issued: which account it authorizes, until when (the link's routes
/// and their rules are in `links`).
pub struct MagicLink {
    pub(crate) account_id: String,
    pub(crate) state: Option<String>,
    pub(crate) user_verify_url: Option<String>,
    pub(crate) expires: std::time::Instant,
}

/// A user verification waiting for `verify` (docs/wire-protocol.md §8).
pub struct AuthRequest {
    pub(crate) account_id: String,
    pub(crate) identifier: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_the_proto_names() {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names, CONNECTOR_STATUS_NAMES[1..]);
        assert_eq!(Status::parse("expired"), Some(Status::Expired));
        assert_eq!(Status::parse(" PENDING_AUTH "), Some(Status::PendingAuth));
        assert_eq!(Status::parse(CONNECTOR_STATUS_NAMES[0]), None);
        assert_eq!(
            Status::expected(),
            "ACTIVE, EXPIRED, PENDING_AUTH, PENDING_VERIFICATION or DISCONNECTED"
        );
    }

    #[test]
    fn invalid_status_message_lists_the_names() {
        let e = crate::EmulatorError::InvalidStatus("BOGUS".into());
        assert_eq!(
            e.to_string(),
            "unknown connected account status \"BOGUS\" (expected ACTIVE, EXPIRED, PENDING_AUTH, \
             PENDING_VERIFICATION or DISCONNECTED)"
        );
    }

    #[test]
    fn page_tokens_round_trip() {
        assert_eq!(parse_page_token(&page_token(40)), Some(40));
        assert_eq!(parse_page_token("garbage"), None);
    }
}
