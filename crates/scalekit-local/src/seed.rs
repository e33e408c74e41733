//! Loading the options' connections and seeded accounts into the store, each checked first.

use serde_json::Value;

use crate::details::{normalize_details, usable};
use crate::model::{connector_char, Connection, Selector, Status, WritePayload};
use crate::options::{ApiKeyPlacement, AuthType, ConnectionConfig, SeedAccount};
use crate::store::Store;
use crate::EmulatorError;

impl Store {
    pub(super) fn add_connection(&mut self, c: ConnectionConfig) -> Result<(), EmulatorError> {
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

    pub(super) fn seed(&mut self, s: SeedAccount) -> Result<(), EmulatorError> {
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
        let payload = WritePayload {
            details,
            api_config,
        };
        self.insert_account(&conn, &sel, status, payload);
        Ok(())
    }
}
