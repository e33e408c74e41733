//! `POST /oauth/token`.

use scalekit_local::{EmulatorOptions, LocalScalekit};
use serde_json::{json, Value};

use crate::common::{client, json_of, options, token_request};

#[tokio::test]
async fn token_endpoint() {
    let sk = LocalScalekit::start(options(
        json!({"clientId": "skc_1", "clientSecret": "s3cret/&", "tokenTtlSeconds": 120}),
    ))
    .await
    .unwrap();
    assert_eq!(sk.client_id(), "skc_1");
    let http = client();
    let base = sk.url();
    assert!(!sk.url().ends_with('/'));
    let with_secret = |secret| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", "skc_1"),
            ("client_secret", secret),
        ]
    };

    let ok = token_request(&http, &base, &with_secret("s3cret/&")).await;
    assert_eq!(ok.status(), 200);
    let body: Value = json_of(ok).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 120);
    assert_eq!(body["scope"], "openid");
    assert!(body["access_token"].as_str().unwrap().len() >= 32);

    let bad = token_request(&http, &base, &with_secret("wrong-secret")).await;
    assert_eq!(bad.status(), 401);
    let text = bad.text().await.unwrap();
    assert!(!text.contains("wrong-secret") && !text.contains("s3cret"));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"], "invalid_client");

    let missing = token_request(&http, &base, &[("grant_type", "client_credentials")]).await;
    assert_eq!(missing.status(), 401);

    let mut grant = with_secret("s3cret/&");
    grant[0].1 = "password";
    let grant = token_request(&http, &base, &grant).await;
    assert_eq!(grant.status(), 400);
    let body: Value = json_of(grant).await;
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(sk.stats()["token"], 4);

    // Generated credentials when none are configured.
    let sk2 = LocalScalekit::start(EmulatorOptions::default())
        .await
        .unwrap();
    assert!(
        sk2.client_id().starts_with("skc_")
            && sk2.client_id()[4..].chars().all(|c| c.is_ascii_digit())
    );
    assert!(sk2.client_secret().len() >= 20);
}
