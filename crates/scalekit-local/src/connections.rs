//! App connections as the API reports them (docs/wire-protocol.md §14): one table of type and
//! status names, the official `ConnectionType` / `ConnectionStatus` names, read by REST (as
//! strings) and gRPC (as their numbers); the listing's filters; and which credentials fit a
//! connection's auth type.

use serde_json::{json, Value};

use crate::model::Connection;
use crate::options::AuthType;
use crate::wire::ApiError;
use scalekit_wire::names::{CONNECTION_STATUS_NAMES, CONNECTION_TYPE_NAMES};

/// The `ConnectionType` name of an auth type (`AuthType::connection_type`).
pub fn type_name(auth_type: AuthType) -> &'static str {
    auth_type.connection_type()
}

/// The number of a `ConnectionType` / `ConnectionStatus` name (0, the unspecified value, for a
/// name outside the table).
pub fn type_number(name: &str) -> i32 {
    position(&CONNECTION_TYPE_NAMES, name)
}

pub fn status_number(name: &str) -> i32 {
    position(&CONNECTION_STATUS_NAMES, name)
}

fn position(names: &[&str], name: &str) -> i32 {
    names
        .iter()
        .position(|n| *n == name)
        .and_then(|i| i32::try_from(i).ok())
        .unwrap_or(0)
}

/// `ListAppConnections`: the connections whose provider is `provider` (case-insensitive) and
/// whose name or provider contains `query` (case-insensitive), on one page.
pub fn list(connections: &[Connection], provider: Option<&str>, query: Option<&str>) -> Value {
    let provider = provider.filter(|p| !p.is_empty()).map(str::to_lowercase);
    let query = query.filter(|q| !q.is_empty()).map(str::to_lowercase);
    let list: Vec<Value> = connections
        .iter()
        .filter(|c| {
            provider
                .as_ref()
                .is_none_or(|p| c.provider.to_lowercase() == *p)
        })
        .filter(|c| {
            query.as_ref().is_none_or(|q| {
                c.name.to_lowercase().contains(q) || c.provider.to_lowercase().contains(q)
            })
        })
        .map(Connection::wire)
        .collect();
    json!({
        "connections": list,
        "total_size": list.len(),
        "next_page_token": "",
        "prev_page_token": "",
    })
}

/// Credentials (`authorization_details`, wire shape) must be of the kind the connection's auth
/// type uses: an OAUTH connection takes `oauth_token` (or the delegated kinds), the others
/// `static_auth`. Refused with 400 when they do not, as Scalekit refuses them.
/// An empty member (`oauth_token: {}`, what the official SDK's getOrCreate sends when it is given
/// none) holds no credentials, and fits any connection.
pub fn check_fit(auth_type: AuthType, details: &Value) -> Result<(), ApiError> {
    let Some((kind, value)) = details.as_object().and_then(|m| m.iter().next()) else {
        return Ok(());
    };
    if value.as_object().is_some_and(|v| v.is_empty()) {
        return Ok(());
    }
    let kind = kind.as_str();
    let fits = match auth_type {
        AuthType::OAuth => matches!(kind, "oauth_token" | "google_dwd" | "trusted_idp"),
        AuthType::Basic | AuthType::Bearer | AuthType::ApiKey => kind == "static_auth",
    };
    if fits {
        return Ok(());
    }
    let wanted = match auth_type {
        AuthType::OAuth => "oauth_token",
        _ => "static_auth",
    };
    Err(ApiError::invalid(format!(
        "connected_account.authorization_details: a {} connection takes {wanted}, not {kind}",
        type_name(auth_type)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_come_from_one_table() {
        assert_eq!(type_number(type_name(AuthType::Bearer)), 7);
        assert_eq!(type_number(type_name(AuthType::ApiKey)), 8);
        assert_eq!(type_number(type_name(AuthType::OAuth)), 4);
        assert_eq!(type_number(type_name(AuthType::Basic)), 6);
        assert_eq!(status_number(crate::model::CONNECTION_STATUS), 3);
        for t in [
            AuthType::OAuth,
            AuthType::Basic,
            AuthType::Bearer,
            AuthType::ApiKey,
        ] {
            assert!(CONNECTION_TYPE_NAMES.contains(&type_name(t)));
        }
        assert_eq!(type_number("BEARER_TOKEN"), 0);
    }

    #[test]
    fn credentials_must_fit_the_auth_type() {
        let oauth = json!({ "oauth_token": { "access_token": "t" } });
        let key = json!({ "static_auth": { "details": { "api_key": "k" } } });
        assert!(check_fit(AuthType::OAuth, &oauth).is_ok());
        assert!(check_fit(AuthType::ApiKey, &key).is_ok());
        let e = check_fit(AuthType::ApiKey, &oauth).unwrap_err();
        assert!(
            format!("{e:?}").contains("API_KEY connection takes static_auth"),
            "{e:?}"
        );
        assert!(check_fit(AuthType::OAuth, &key).is_err());
        assert!(check_fit(AuthType::Bearer, &json!({ "oauth_token": {} })).is_ok());
    }
}
