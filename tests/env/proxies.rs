//! `NO_PROXY`, from the environment and with the `proxy` option: a host it names (or `*`) is
//! reached directly, so the proxy sees nothing; without it the proxy sees the request. Host
//! names are matched as written: `localhost` does not cover `127.0.0.1`, nor the reverse.

use scalekit_core::config::{ClientOptions, Secret};
use scalekit_core::network::{CaOption, ProxyOption};

use crate::common::{client_at, emulator, list, Env, RecordingProxy};

/// How the client is told about the proxy.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// `HTTP_PROXY` (for http:// targets) or `HTTPS_PROXY` (for https://).
    Environment,
    /// The `proxy` option, with no proxy variable set.
    Option,
}

/// One case: how the proxy is given, the host name in the envUrl, `NO_PROXY` (unset for
/// `None`), and whether the proxy must see the call.
type Case = (Via, &'static str, Option<&'static str>, bool);

const CASES: [Case; 14] = [
    // The controls: without NO_PROXY the call goes through the proxy, loopback included.
    (Via::Environment, "127.0.0.1", None, true),
    (Via::Option, "127.0.0.1", None, true),
    (Via::Environment, "127.0.0.1", Some("127.0.0.1"), false),
    (Via::Environment, "127.0.0.1", Some("*"), false),
    (Via::Environment, "localhost", Some("*"), false),
    (Via::Environment, "localhost", Some("localhost"), false),
    (
        Via::Environment,
        "127.0.0.1",
        Some("other.example, 127.0.0.1"),
        false,
    ),
    // A name is not resolved to match an address.
    (Via::Environment, "127.0.0.1", Some("localhost"), true),
    (Via::Environment, "localhost", Some("127.0.0.1"), true),
    (Via::Option, "127.0.0.1", Some("127.0.0.1"), false),
    (Via::Option, "127.0.0.1", Some("*"), false),
    (Via::Option, "localhost", Some("localhost"), false),
    (Via::Option, "localhost", Some("*"), false),
    (Via::Option, "127.0.0.1", Some("localhost"), true),
];

/// Runs every case against `sk` (whose URL has the scheme `scheme`); `proxied` says what the
/// proxy records for a call that went through it to `authority`.
async fn run_cases(
    env: &Env,
    sk: &scalekit_local::LocalScalekit,
    ca: Option<&str>,
    proxied: impl Fn(&str) -> String,
) {
    let https = sk.url().starts_with("https://");
    let port = sk.url().rsplit(':').next().unwrap().to_string();
    for (via, host, no_proxy, through) in CASES {
        let case = format!("{via:?}, {host}, NO_PROXY={no_proxy:?}, https: {https}");
        let proxy = RecordingProxy::start().await;
        let variable = if https { "HTTPS_PROXY" } else { "HTTP_PROXY" };
        let proxy_option = match via {
            Via::Environment => {
                env.set(variable, Some(&proxy.url));
                ProxyOption::Environment
            }
            Via::Option => {
                env.set(variable, None);
                ProxyOption::Url(Secret::new(&proxy.url))
            }
        };
        env.set("NO_PROXY", no_proxy);
        let options = ClientOptions {
            proxy: proxy_option,
            ca: ca.map(|pem| CaOption {
                items: vec![bytes::Bytes::from(pem.to_string())],
                array: false,
            }),
            ..Default::default()
        };
        let scheme = if https { "https" } else { "http" };
        let client = client_at(sk, &format!("{scheme}://{host}:{port}"), options);
        list(&client)
            .await
            .unwrap_or_else(|e| panic!("{case}: {e:?}"));
        let lines = proxy.lines();
        if through {
            let expected = proxied(&format!("{host}:{port}"));
            assert!(!lines.is_empty(), "{case}: the proxy saw nothing");
            assert!(
                lines.iter().all(|line| line.starts_with(&expected)),
                "{case}: {lines:?}, expected {expected}…"
            );
        } else {
            assert_eq!(
                lines,
                Vec::<String>::new(),
                "{case}: went through the proxy"
            );
        }
    }
}

/// http:// targets: the proxy gets absolute-form requests.
#[tokio::test]
async fn no_proxy_decides_for_http_targets() {
    let env = Env::clean().await;
    let sk = emulator("{}").await;
    run_cases(&env, &sk, None, |authority| {
        format!("POST http://{authority}/oauth/token ")
    })
    .await;
}

/// https:// targets: the proxy gets CONNECT (the client trusts the emulator's CA by option).
#[tokio::test]
async fn no_proxy_decides_for_https_targets() {
    let env = Env::clean().await;
    let sk = emulator(r#"{"tls": true}"#).await;
    let ca = sk.ca_certificate().unwrap().to_string();
    run_cases(&env, &sk, Some(&ca), |authority| {
        format!("CONNECT {authority} ")
    })
    .await;
}
