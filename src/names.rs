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
