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
/// The auth types that both `ConnectionType` and `ConnectorType` end with, in the same order (the
/// two enums number them differently).
const SHARED_AUTH_TYPE_NAMES: [&str; 6] = [
    "OAUTH_M2M",
    "TRELLO_OAUTH1",
    "GOOGLE_DWD",
    "TRUSTED_IDP",
    "SMART_FHIR",
    "NO_AUTH",
];

/// `head` then `tail`, in a const context; `N` must be their combined length.
const fn joined<const H: usize, const T: usize, const N: usize>(
    head: [&'static str; H],
    tail: [&'static str; T],
) -> [&'static str; N] {
    assert!(H + T == N, "the joined length must be the sum of both");
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < H { head[i] } else { tail[i - H] };
        i += 1;
    }
    out
}

/// `ConnectionType`: an app connection's auth type (scalekit.v1.connections), in proto order;
/// LocalScalekit's REST and gRPC bindings both read it (docs/wire-protocol.md §14).
pub const CONNECTION_TYPE_NAMES: [&str; 16] = joined(
    [
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
    ],
    SHARED_AUTH_TYPE_NAMES,
);
/// `ConnectionStatus`: an app connection's configuration state, in proto order.
pub const CONNECTION_STATUS_NAMES: [&str; 4] = [
    "CONNECTION_STATUS_UNSPECIFIED",
    "DRAFT",
    "IN_PROGRESS",
    "COMPLETED",
];
/// `ConnectorType`: the connected-account authorization types, in proto order.
pub const CONNECTOR_TYPE_NAMES: [&str; 13] = joined(
    [
        "CONNECTION_TYPE_UNSPECIFIED",
        "OAUTH",
        "API_KEY",
        "BASIC_AUTH",
        "BEARER_TOKEN",
        "CUSTOM",
        "BASIC",
    ],
    SHARED_AUTH_TYPE_NAMES,
);

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

    #[test]
    fn auth_type_names_keep_their_proto_numbers() {
        // connections.proto: OAUTH_M2M = 10, NO_AUTH = 15; connected_accounts.proto: 7 and 12.
        assert_eq!(CONNECTION_TYPE_NAMES[9], "WEBAUTHN");
        assert_eq!(CONNECTION_TYPE_NAMES[10], "OAUTH_M2M");
        assert_eq!(CONNECTION_TYPE_NAMES[15], "NO_AUTH");
        assert_eq!(CONNECTOR_TYPE_NAMES[6], "BASIC");
        assert_eq!(CONNECTOR_TYPE_NAMES[7], "OAUTH_M2M");
        assert_eq!(CONNECTOR_TYPE_NAMES[12], "NO_AUTH");
    }
}
