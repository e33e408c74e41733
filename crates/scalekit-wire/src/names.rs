//! Proto field names on the wire (`organization_id`) and their protojson lowerCamel spelling
//! (`organizationId`), used by the client's result shapes and the emulator's lenient input.

/// `accessToken` → `access_token`.
pub fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `organization_id` → `organizationId`.
pub fn snake_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `ConnectorStatus`: the connected-account status enum of the API (docs/wire-protocol.md §4.1),
/// in proto order; index.js builds its frozen object from this list.
pub const CONNECTOR_STATUS_NAMES: [&str; 6] = [
    "CONNECTION_STATUS_UNSPECIFIED",
    "ACTIVE",
    "EXPIRED",
    "PENDING_AUTH",
    "PENDING_VERIFICATION",
    "DISCONNECTED",
];
/// `ConnectionType`: an app connection's auth type (scalekit.v1.connections), in proto order;
/// LocalScalekit's REST and gRPC bindings both read it (docs/wire-protocol.md §14).
pub const CONNECTION_TYPE_NAMES: [&str; 16] = [
    "INVALID",
    "OIDC",
    "SAML",
    "PASSWORD",
    "OAUTH",
    "PASSWORDLESS",
    "BASIC",
    "BEARER",
    "API_KEY",
    "WEBAUTHN",
    "OAUTH_M2M",
    "TRELLO_OAUTH1",
    "GOOGLE_DWD",
    "TRUSTED_IDP",
    "SMART_FHIR",
    "NO_AUTH",
];
/// `ConnectionStatus`: an app connection's configuration state, in proto order.
pub const CONNECTION_STATUS_NAMES: [&str; 4] = [
    "CONNECTION_STATUS_UNSPECIFIED",
    "DRAFT",
    "IN_PROGRESS",
    "COMPLETED",
];
/// `ConnectorType`: the connected-account authorization types, in proto order.
pub const CONNECTOR_TYPE_NAMES: [&str; 13] = [
    "CONNECTION_TYPE_UNSPECIFIED",
    "OAUTH",
    "API_KEY",
    "BASIC_AUTH",
    "BEARER_TOKEN",
    "CUSTOM",
    "BASIC",
    "OAUTH_M2M",
    "TRELLO_OAUTH1",
    "GOOGLE_DWD",
    "TRUSTED_IDP",
    "SMART_FHIR",
    "NO_AUTH",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(camel_to_snake("accessToken"), "access_token");
        assert_eq!(
            snake_to_camel("post_user_verify_redirect_url"),
            "postUserVerifyRedirectUrl"
        );
        assert_eq!(snake_to_camel(&camel_to_snake("dbUser")), "dbUser");
    }
}
