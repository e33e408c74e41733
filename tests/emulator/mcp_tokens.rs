//! MCP session tokens (docs/wire-protocol.md §13): RS256 JWTs whose claims name the one server
//! they open, checked against the published key; the request rules; and the gateway's 401 for a
//! missing, expired, forged, tampered or other-server token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::common::{assert_refused, json_of, send, FAILED_PRECONDITION, INVALID, NOT_FOUND};
use crate::mcp_support::{initialize, mint, request, rpc, Mcp, CONFIGS};

/// The claims of `token`, verified with the key `GET /keys` publishes, for `audience`.
async fn verified(m: &Mcp, token: &str, audience: &str) -> Value {
    let (status, jwks) = send(m.api.http.get(m.api.url("/keys"))).await;
    assert_eq!(status, 200, "{jwks}");
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(token, &decoding, &v)
        .unwrap()
        .claims
}

/// The id of `identifier`'s account on `connection`.
fn account_id(m: &Mcp, connection: &str, identifier: &str) -> Value {
    let all = m.api.sk.accounts_json();
    let found = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["connector"] == connection && a["identifier"] == identifier);
    found.unwrap()["id"].clone()
}

#[tokio::test]
async fn session_tokens_are_rs256_jwts_with_the_documented_claims() {
    let m = Mcp::start().await;
    let mixed = m.config("mixed").await;
    let path = format!("{CONFIGS}/{}/tokens", mixed["id"].as_str().unwrap());
    let (status, minted) = m
        .api
        .post(
            &path,
            json!({"identifier": "u1", "expiry": "600s", "access_level": "READ_ONLY"}),
        )
        .await;
    assert_eq!(status, 200, "{minted}");
    let url = mixed["mcp_server_url"].as_str().unwrap();
    let claims = verified(&m, minted["token"].as_str().unwrap(), url).await;
    assert_eq!(claims["sub"], "u1");
    assert_eq!(claims["aud"], url);
    assert_eq!(claims["iss"], m.api.sk.url());
    assert_eq!(claims["mcp_cfg"], mixed["id"]);
    assert!(claims.get("conn_id").is_none(), "{claims}");
    assert_eq!(
        claims["ca_ids"],
        json!([account_id(&m, "crm", "u1"), account_id(&m, "mail", "u1")])
    );
    assert_eq!(claims["access_level"], "READ_ONLY");
    assert_eq!(claims["token_type"], "mcp_session");
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 600);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    assert!((iat - now).abs() <= 5, "iat {iat}, now {now}");
    let expires_at =
        OffsetDateTime::parse(minted["expires_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert_eq!(expires_at.unix_timestamp(), exp);

    // A connection's server: the name matched in any case, the URL with the stored one.
    let (_, token) = m.connection_token("CRM", "u1", json!({})).await;
    let crm_url = m.api.url("/mcp/v3/connections/crm");
    let claims = verified(&m, &token, &crm_url).await;
    let crm_id = m.api.get("/api/v1/connections").await.1["connections"][0]["id"].clone();
    assert_eq!(claims["conn_id"], crm_id);
    assert!(claims.get("mcp_cfg").is_none(), "{claims}");
    assert_eq!(claims["ca_ids"], json!([account_id(&m, "crm", "u1")]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600,
        "1 h by default"
    );
    assert_eq!(claims["access_level"], "FULL");
}

#[tokio::test]
async fn session_token_rules() {
    let m = Mcp::start().await;
    let api = &m.api;
    let mixed = m.config("mixed").await;
    let path = format!("{CONFIGS}/{}/tokens", mixed["id"].as_str().unwrap());
    // (body, what the INVALID_ARGUMENT message says)
    let invalid = json!([
        [{"identifier": "u1", "key_id": "crm"}, "set exactly one of mcp_config_id or key_id"],
        [{}, "identifier is required"],
        [{"identifier": "u".repeat(256)}, "identifier: must be at most 255 characters"],
        [{"identifier": "u1", "expiry": "59s"}, "expiry: must be between 60s and 24h"],
        [{"identifier": "u1", "expiry": "86401s"}, "expiry: must be between 60s and 24h"],
        [{"identifier": "u1", "expiry": "1h"}, "expiry: must be a duration"],
        [{"identifier": "u1", "access_level": "read_only"}, "access_level: must be"],
    ]);
    for case in invalid.as_array().unwrap() {
        let answer = api.post(&path, case[0].clone()).await;
        assert_refused(&answer, INVALID, case[1].as_str().unwrap());
    }
    for edge in ["60s", "86400s"] {
        mint(api, &path, "u1", json!({"expiry": edge})).await;
    }
    for (missing, says) in [
        (
            format!("{CONFIGS}/cfg_0/tokens"),
            "MCP configuration cfg_0 not found",
        ),
        (
            "/api/v1/mcp/connections/nope/tokens".into(),
            "no connection named \"nope\"",
        ),
    ] {
        let answer = api.post(&missing, json!({"identifier": "u1"})).await;
        assert_refused(&answer, NOT_FOUND, says);
    }
    // A configuration token needs an ACTIVE account on every mapped connection.
    assert_refused(
        &api.post(&path, json!({"identifier": "u2"})).await,
        FAILED_PRECONDITION,
        "identifier \"u2\" has no ACTIVE connected account on connection \"crm\"",
    );
    m.api
        .sk
        .set_account_status("mail", "u1", "EXPIRED")
        .unwrap();
    assert_refused(
        &api.post(&path, json!({"identifier": "u1"})).await,
        FAILED_PRECONDITION,
        "connection \"mail\"",
    );
    // A connection token for a user without an account there makes a PENDING_AUTH one.
    mint(api, "/api/v1/mcp/connections/mail/tokens", "u2", json!({})).await;
    let (_, listed) = api
        .get("/api/v1/connected_accounts?connector=mail&identifier=u2")
        .await;
    assert_eq!(listed["connected_accounts"][0]["status"], "PENDING_AUTH");
    assert_eq!(api.stat("mcp.session_token"), 14);
}

/// A 401 with a `Bearer` challenge: `error="invalid_token"` when a token came, and the body's
/// description mentions `why`.
async fn assert_unauthorized(resp: reqwest::Response, token_given: bool, why: &str) {
    assert_eq!(resp.status(), 401);
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer realm="), "{challenge}");
    assert_eq!(
        challenge.contains("error=\"invalid_token\""),
        token_given,
        "{challenge}"
    );
    let body = json_of(resp).await;
    assert!(
        body["error_description"].as_str().unwrap().contains(why),
        "{body}"
    );
}

/// A ping with this Authorization header (none when `None`).
async fn post(m: &Mcp, url: &str, authorization: Option<String>) -> reqwest::Response {
    let mut req = request(&m.api.http, url, "ping", json!({}));
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    req.send().await.unwrap()
}

fn bearer(t: &str) -> Option<String> {
    Some(format!("Bearer {t}"))
}

/// `claims` of `token` (unverified), as a JSON object.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn the_gateway_refuses_missing_expired_forged_and_other_server_tokens() {
    let m = Mcp::start().await;
    let (url, good) = m.config_token("mixed", "u1", json!({})).await;
    let (crm_url, crm_token) = m.connection_token("crm", "u1", json!({})).await;
    let (all_url, all_token) = m.config_token("crm-all", "u1", json!({})).await;
    assert_eq!(
        initialize(&m.api.http, &url, &good).await["serverInfo"]["name"],
        "LocalScalekit"
    );

    assert_unauthorized(post(&m, &url, None).await, false, "no bearer token").await;
    assert_unauthorized(
        post(&m, &url, Some(format!("Basic {good}"))).await,
        false,
        "no bearer token",
    )
    .await;
    // The control plane's access token is no session token.
    assert_unauthorized(
        post(&m, &url, bearer(&m.api.token)).await,
        true,
        "not an MCP session token",
    )
    .await;

    // Expired: the right key, claims of a token that ended a second ago.
    let mut claims = claims_of(&good);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    claims["iat"] = json!(now - 120);
    claims["exp"] = json!(now - 1);
    let expired = m.api.sk.sign_session_token(&claims).unwrap();
    assert_unauthorized(post(&m, &url, bearer(&expired)).await, true, "expired").await;

    // Forged: the same header and claims, signed with another key.
    let header = jsonwebtoken::decode_header(&good).unwrap();
    let other = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
    let other = EncodingKey::from_rsa_der(other.to_pkcs1_der().unwrap().as_bytes());
    let mut forged_header = Header::new(Algorithm::RS256);
    forged_header.kid = header.kid.clone();
    let forged = jsonwebtoken::encode(&forged_header, &claims_of(&good), &other).unwrap();
    assert_unauthorized(post(&m, &url, bearer(&forged)).await, true, "signature").await;

    // Tampered: another identifier in the payload, the signature kept.
    let mut tampered_claims = claims_of(&good);
    tampered_claims["sub"] = json!("someone-else");
    let parts: Vec<&str> = good.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(tampered_claims.to_string());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert_unauthorized(post(&m, &url, bearer(&tampered)).await, true, "signature").await;

    // Other servers: a token opens only the server it was made for; and the right audience with
    // the claims of another configuration opens nothing.
    let mail_url = m.api.url("/mcp/v3/connections/mail");
    let mut mismatched = claims_of(&good);
    mismatched["mcp_cfg"] = claims_of(&all_token)["mcp_cfg"].clone();
    let mismatched = m.api.sk.sign_session_token(&mismatched).unwrap();
    for (at, token) in [
        (&crm_url, &good),
        (&url, &crm_token),
        (&url, &all_token),
        (&mail_url, &crm_token),
        (&url, &mismatched),
    ] {
        let resp = post(&m, at, bearer(token)).await;
        assert_unauthorized(resp, true, "another MCP server").await;
    }
    // Another LocalScalekit's token, even for a server at the same path.
    let other = Mcp::start().await;
    let (_, foreign) = other.connection_token("crm", "u1", json!({})).await;
    assert_unauthorized(
        post(&m, &crm_url, bearer(&foreign)).await,
        true,
        "signature",
    )
    .await;

    // The path is case-sensitive; an unknown server is a 404, whatever the token.
    let upper = m.api.url("/mcp/v3/connections/CRM");
    assert_eq!(post(&m, &upper, bearer(&crm_token)).await.status(), 404);
    let (status, _) = rpc(&m.api.http, &all_url, Some(&all_token), "ping", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(m.api.stat("mcp.gateway"), 15);
}
