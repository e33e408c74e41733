//! LocalScalekit over HTTPS (the `tls` option), and HTTP/1.1 and HTTP/2 on the one API port.

use std::error::Error as _;

use reqwest::{Method, StatusCode, Version};
use scalekit_local::{EmulatorOptions, LocalScalekit};
use serde_json::{json, Value};

use crate::common::{json_of, oauth_account, options, token, trusting, MAGIC_LINK};

async fn start_tls() -> LocalScalekit {
    LocalScalekit::start(options(json!({"tls": true})))
        .await
        .unwrap()
}

/// Everything in an error's source chain, for asserting on the cause.
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        text.push_str(&format!(": {s}"));
        src = s.source();
    }
    text
}

#[tokio::test]
async fn https_serves_http1_and_http2_by_alpn() {
    let sk = start_tls().await;
    assert!(sk.url().starts_with("https://127.0.0.1:"), "{}", sk.url());
    let ca = sk.ca_certificate().unwrap().to_owned();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----\n"), "{ca}");

    let h2 = trusting(&ca, false);
    let (token2, version) = token(&h2, &sk).await;
    assert_eq!(version, Version::HTTP_2);
    let h1 = trusting(&ca, true);
    let (token1, version) = token(&h1, &sk).await;
    assert_eq!(version, Version::HTTP_11);

    // Each token works on the other protocol: one state behind both.
    for (http, token, version) in [
        (&h2, &token1, Version::HTTP_2),
        (&h1, &token2, Version::HTTP_11),
    ] {
        let resp = http
            .get(format!("{}/proxy/hello?x=1", sk.url()))
            .bearer_auth(token)
            .header("connection_name", "gmail")
            .header("identifier", "someone")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.version(), version);
        // No such account: the proxy's own §2 error, so the request went through.
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(sk.stats()["token"], 2);
    assert_eq!(sk.stats()["proxy"], 2);
}

#[tokio::test]
async fn https_magic_links_and_proxy_to_the_plain_echo() {
    let sk = LocalScalekit::start(options(json!({
        "tls": true,
        "accounts": [oauth_account("gmail", "u", "at-1")],
    })))
    .await
    .unwrap();
    assert!(sk.echo_url().starts_with("http://"), "the echo stays plain");
    let http = trusting(sk.ca_certificate().unwrap(), false);
    let (token, _) = token(&http, &sk).await;

    let resp = http
        .post(format!("{}{MAGIC_LINK}", sk.url()))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(json!({"connector": "github", "identifier": "v"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let link = json_of(resp).await["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/magic/", sk.url())), "{link}");
    let resp = http.get(&link).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.version(), Version::HTTP_2);

    let resp = http
        .request(Method::POST, format!("{}/proxy/echo/me?a=b", sk.url()))
        .bearer_auth(&token)
        .header("connection_name", "gmail")
        .header("identifier", "u")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let echoed: Value = json_of(resp).await;
    assert_eq!(echoed["path"], "/echo/me");
    assert_eq!(echoed["body"], "hi");
    assert_eq!(echoed["headers"]["authorization"], "Bearer at-1");
}

#[tokio::test]
async fn an_untrusting_client_is_refused() {
    let sk = start_tls().await;
    let err = reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/oauth/token", sk.url()))
        .send()
        .await
        .unwrap_err();
    let text = chain(&err);
    assert!(text.contains("UnknownIssuer"), "{text}");
    assert_eq!(sk.stats()["token"], 0);

    // A client trusting another LocalScalekit's CA fails the same way.
    let other = start_tls().await;
    let err = trusting(other.ca_certificate().unwrap(), false)
        .post(format!("{}/oauth/token", sk.url()))
        .send()
        .await
        .unwrap_err();
    assert!(chain(&err).contains("UnknownIssuer"), "{}", chain(&err));
}

#[tokio::test]
async fn plain_http_serves_http1_and_http2_prior_knowledge() {
    let sk = LocalScalekit::start(EmulatorOptions::default())
        .await
        .unwrap();
    assert!(sk.url().starts_with("http://"));
    assert_eq!(sk.ca_certificate(), None);
    let h2c = reqwest::Client::builder()
        .no_proxy()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let (_, version) = token(&h2c, &sk).await;
    assert_eq!(version, Version::HTTP_2);
    let h1 = reqwest::Client::builder().no_proxy().build().unwrap();
    let (_, version) = token(&h1, &sk).await;
    assert_eq!(version, Version::HTTP_11);
}

#[tokio::test]
async fn a_given_certificate_is_served_and_its_last_cert_is_the_one_to_trust() {
    // A CA and a leaf made here, as a user's own PEM files would be.
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let chain = format!("{}{}", leaf.pem(), ca.pem());

    let sk = LocalScalekit::start(options(json!({
        "tls": {"cert": chain, "key": leaf_key.serialize_pem()},
    })))
    .await
    .unwrap();
    assert!(sk.url().starts_with("https://"));
    let given_ca = ca.pem().replace("\r\n", "\n");
    assert_eq!(sk.ca_certificate().unwrap(), given_ca);
    let (_, version) = token(&trusting(&given_ca, false), &sk).await;
    assert_eq!(version, Version::HTTP_2);

    // A key that is not the certificate's is refused at start, the key never quoted.
    let wrong = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let err = LocalScalekit::start(options(json!({
        "tls": {"cert": leaf.pem(), "key": wrong},
    })))
    .await
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("cannot set up HTTPS"), "{err}");
    assert!(!err.contains("PRIVATE KEY"), "{err}");
}

#[test]
fn tls_option_shapes() {
    for bad in [
        json!("yes"),
        json!(1),
        json!({"cert": "c"}),
        json!({"cert": "c", "key": "k", "x": 1}),
    ] {
        let err = EmulatorOptions::from_json(&json!({"tls": bad}).to_string())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tls must be true, false or { cert, key }"),
            "{err}"
        );
    }
    assert!(EmulatorOptions::from_json(r#"{"tls": false}"#).is_ok());
}
