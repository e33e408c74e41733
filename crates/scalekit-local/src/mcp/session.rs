//! MCP session tokens (docs/wire-protocol.md §13): RS256 JWTs. The RSA key is made once per
//! process (2048-bit key generation is slow, and every LocalScalekit of a test run would repeat
//! it); each LocalScalekit signs with its own key id (`kid`) and accepts only its own, so a token
//! of one instance never opens another's servers.

use std::sync::OnceLock;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::model::AccessLevel;
use super::store::Grant;
use crate::wire::{random_token, ApiError};

/// `token_type` of every session token, so no other JWT of the same key passes for one.
const TOKEN_TYPE: &str = "mcp_session";

struct ProcessKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The public key's modulus and exponent, base64url (a JWK's `n` and `e`).
    n: String,
    e: String,
}

static KEY: OnceLock<Result<ProcessKey, String>> = OnceLock::new();

fn make_key() -> Result<ProcessKey, String> {
    let private = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
        .map_err(|e| format!("RSA key generation: {e}"))?;
    let der = private
        .to_pkcs1_der()
        .map_err(|e| format!("RSA key encoding: {e}"))?;
    let public = private.to_public_key();
    let (n, e) = (public.n_bytes(), public.e_bytes());
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    Ok(ProcessKey {
        encoding: EncodingKey::from_rsa_der(der.as_bytes()),
        decoding: DecodingKey::from_rsa_raw_components(&n, &e),
        n: URL_SAFE_NO_PAD.encode(&n),
        e: URL_SAFE_NO_PAD.encode(&e),
    })
}

fn process_key() -> Result<&'static ProcessKey, ApiError> {
    KEY.get_or_init(make_key)
        .as_ref()
        .map_err(|e| ApiError::internal(format!("cannot sign MCP session tokens: {e}")))
}

/// Makes the key on a blocking thread now, so that the first token does not wait for it.
pub fn warm_up(runtime: &tokio::runtime::Handle) {
    if KEY.get().is_none() {
        drop(runtime.spawn_blocking(|| {
            let _ = process_key();
        }));
    }
}

/// The claims of a session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The identifier the token acts for.
    pub sub: String,
    /// The URL of the one MCP server the token opens.
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_cfg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn_id: Option<String>,
    /// The connected accounts resolved when the token was made.
    #[serde(default)]
    pub ca_ids: Vec<String>,
    /// `FULL` or `READ_ONLY`.
    pub access_level: String,
}

impl Claims {
    pub fn read_only(&self) -> bool {
        self.access_level == AccessLevel::ReadOnly.name()
    }
}

/// Why the gateway refuses a bearer (401 with `WWW-Authenticate: Bearer`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no bearer token")]
    Missing,
    #[error("the token has expired")]
    Expired,
    #[error("the token is for another MCP server")]
    Audience,
    #[error("the token's signature is not valid")]
    Signature,
    #[error("not an MCP session token of this server: {0}")]
    Invalid(String),
}

/// One LocalScalekit's signer: its key id and issuer, over the process key.
#[derive(Debug, Clone)]
pub struct Signer {
    kid: String,
    issuer: String,
}

impl Signer {
    pub fn new(issuer: &str) -> Signer {
        Signer {
            kid: format!("snk_{}", &random_token()[..16]),
            issuer: issuer.to_owned(),
        }
    }

    /// A token for `grant`, acting for `identifier` for `ttl`: `(token, expires_at)`.
    pub fn mint(
        &self,
        grant: Grant,
        identifier: &str,
        ttl: Duration,
        access: AccessLevel,
    ) -> Result<(String, OffsetDateTime), ApiError> {
        // Whole seconds, as the claims carry them: `expires_at` is exactly `exp`.
        let iat = OffsetDateTime::now_utc().unix_timestamp();
        let exp = iat.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
        let expires_at = OffsetDateTime::from_unix_timestamp(exp)
            .map_err(|e| ApiError::invalid(format!("expiry: {e}")))?;
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: identifier.to_owned(),
            aud: grant.audience,
            iat,
            exp,
            jti: random_token(),
            token_type: TOKEN_TYPE.to_owned(),
            mcp_cfg: grant.config_id,
            conn_id: grant.connection_id,
            ca_ids: grant.account_ids,
            access_level: access.name().to_owned(),
        };
        let claims = serde_json::to_value(&claims)
            .map_err(|e| ApiError::internal(format!("session token claims: {e}")))?;
        let token = self.sign(&claims)?;
        Ok((token, expires_at))
    }

    /// Any claims, signed with this instance's key (for tests of what the gateway refuses).
    pub fn sign(&self, claims: &Value) -> Result<String, ApiError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &process_key()?.encoding)
            .map_err(|e| ApiError::internal(format!("cannot sign the session token: {e}")))
    }

    /// The claims of `token` if this instance signed it for `audience` and it has not expired.
    pub fn verify(&self, token: &str, audience: &str) -> Result<Claims, Refusal> {
        let invalid = |e: jsonwebtoken::errors::Error| Refusal::Invalid(e.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(invalid)?;
        if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(Refusal::Signature);
        }
        let key = process_key().map_err(|e| Refusal::Invalid(e.message))?;
        let mut v = Validation::new(Algorithm::RS256);
        v.leeway = 0;
        v.set_audience(&[audience]);
        v.set_issuer(&[&self.issuer]);
        v.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &v).map_err(|e| match e
            .kind()
        {
            ErrorKind::ExpiredSignature => Refusal::Expired,
            ErrorKind::InvalidAudience => Refusal::Audience,
            ErrorKind::InvalidSignature => Refusal::Signature,
            _ => invalid(e),
        })?;
        if data.claims.token_type != TOKEN_TYPE {
            return Err(Refusal::Invalid("token_type is not mcp_session".into()));
        }
        Ok(data.claims)
    }

    /// The public key as a JWK Set, for clients that check the signature themselves.
    pub fn jwks(&self) -> Result<Value, ApiError> {
        let key = process_key()?;
        Ok(json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": key.n,
            "e": key.e,
        }]}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            audience: "http://x/mcp/v3/servers/s".into(),
            config_id: Some("cfg_1".into()),
            connection_id: None,
            account_ids: vec!["ca_1".into()],
        }
    }

    #[test]
    fn tokens_open_only_their_server_of_their_instance() {
        let signer = Signer::new("http://x");
        let ttl = Duration::from_secs(60);
        let token = signer
            .mint(grant(), "user_1", ttl, AccessLevel::ReadOnly)
            .map(|(t, _)| t)
            .unwrap_or_default();
        let claims = signer.verify(&token, "http://x/mcp/v3/servers/s");
        let claims = claims.map(|c| (c.read_only(), c.sub, c.mcp_cfg, c.ca_ids));
        assert_eq!(
            claims,
            Ok((
                true,
                "user_1".into(),
                Some("cfg_1".into()),
                vec!["ca_1".into()]
            ))
        );
        assert_eq!(
            signer.verify(&token, "http://x/mcp/v3/servers/other").err(),
            Some(Refusal::Audience)
        );
        let other = Signer::new("http://x");
        assert_eq!(
            other.verify(&token, "http://x/mcp/v3/servers/s").err(),
            Some(Refusal::Signature)
        );
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let signer = Signer::new("http://x");
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = json!({
            "iss": "http://x", "sub": "u", "aud": "http://x/a", "iat": now - 120, "exp": now - 1,
            "jti": "j", "token_type": "mcp_session", "ca_ids": [], "access_level": "FULL",
        });
        let expired = signer.sign(&claims).unwrap_or_default();
        assert_eq!(
            signer.verify(&expired, "http://x/a").err(),
            Some(Refusal::Expired)
        );
        let mut other_type = claims.clone();
        other_type["exp"] = json!(now + 60);
        other_type["token_type"] = json!("access");
        let t = signer.sign(&other_type).unwrap_or_default();
        assert!(matches!(
            signer.verify(&t, "http://x/a"),
            Err(Refusal::Invalid(_))
        ));
        assert!(matches!(
            signer.verify("not.a.jwt", "http://x/a"),
            Err(Refusal::Invalid(_))
        ));
    }
}
