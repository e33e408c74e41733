//! `NO_PROXY`, from the environment and with the `proxy` option: a host it names (or `*`) is
//! reached directly, so the proxy sees nothing; without it the proxy sees the request. Host
//! names are matched as written: `localhost` does not cover `127.0.0.1`, nor the reverse.

use bytes::Bytes;
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

/// One case: the host name in the envUrl, `NO_PROXY` (unset for `None`), and whether the proxy
/// must see the call.
type Case = (&'static str, Option<&'static str>, bool);

/// Both with `HTTP_PROXY` / `HTTPS_PROXY` and with the `proxy` option (no proxy variable set):
/// NO_PROXY applies to either, as it does to curl's `--proxy`.
const CASES: [Case; 9] = [
    // The control: without NO_PROXY the call goes through the proxy, loopback included.
    ("127.0.0.1", None, true),
    ("127.0.0.1", Some("127.0.0.1"), false),
    ("127.0.0.1", Some("*"), false),
    ("localhost", Some("*"), false),
    ("localhost", Some("localhost"), false),
    ("127.0.0.1", Some("other.example, 127.0.0.1"), false),
    // A name is not resolved to match an address, nor the reverse.
    ("127.0.0.1", Some("localhost"), true),
    ("localhost", Some("127.0.0.1"), true),
    ("127.0.0.1", Some("127.0.0.2"), true),
];

/// Runs `cases` against LocalScalekit (over HTTPS with `https`), each with a new proxy and a new
/// client, holding the environment throughout; every call must succeed either way.
async fn run_cases(via: Via, cases: &[Case], https: bool) {
    let env = Env::clean().await;
    let sk = emulator(if https { r#"{"tls": true}"# } else { "{}" }).await;
    // Trusted by option, so that only the proxy decides whether the call works.
    let ca = sk.ca_certificate().map(|pem| CaOption {
        items: vec![Bytes::from(pem.to_string())],
        array: false,
    });
    let port = sk.url().rsplit(':').next().unwrap().to_string();
    for &(host, no_proxy, through) in cases {
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
            ca: ca.clone(),
            ..Default::default()
        };
        let scheme = if https { "https" } else { "http" };
        let client = client_at(&sk, &format!("{scheme}://{host}:{port}"), options);
        list(&client)
            .await
            .unwrap_or_else(|e| panic!("{case}: {e:?}"));
        let lines = proxy.lines();
        if through {
            // https:// is tunnelled (CONNECT), http:// forwarded in the absolute form.
            let authority = format!("{host}:{port}");
            let expected = match https {
                true => format!("CONNECT {authority} "),
                false => format!("POST http://{authority}/oauth/token "),
            };
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

// Each test covers http:// targets (absolute-form requests to the proxy) and https:// ones
// (CONNECT tunnels).
#[tokio::test]
async fn no_proxy_from_the_environment() {
    for https in [false, true] {
        run_cases(Via::Environment, &CASES, https).await;
    }
}

#[tokio::test]
async fn no_proxy_with_the_proxy_option() {
    for https in [false, true] {
        run_cases(Via::Option, &CASES, https).await;
    }
}

/// Which clients may skip reqwest (the direct path, docs/architecture.md "One call, end to
/// end"): only those no proxy can apply to. Any proxy variable, set even to "", keeps reqwest,
/// which reads them; `NO_PROXY=*` or `proxy: false` turns proxies off.
#[tokio::test]
async fn only_a_client_no_proxy_can_apply_to_is_proxy_free() {
    use scalekit_core::network::{proxy_free, ProxySetting};
    let env = Env::clean().await;
    let url = ProxySetting::Url(Secret::new("http://proxy.example:3128"));
    assert!(proxy_free(&ProxySetting::Environment));
    assert!(proxy_free(&ProxySetting::Off));
    assert!(!proxy_free(&url));
    // Each variable is read in both spellings, as curl does.
    let variables = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"]
        .into_iter()
        .flat_map(|upper| [upper.to_string(), upper.to_lowercase()]);
    for variable in variables {
        let variable = variable.as_str();
        for value in ["http://proxy.example:3128", ""] {
            env.set(variable, Some(value));
            assert!(
                !proxy_free(&ProxySetting::Environment),
                "{variable}={value:?}"
            );
            env.set("NO_PROXY", Some("*"));
            assert!(
                proxy_free(&ProxySetting::Environment),
                "{variable}, NO_PROXY=*"
            );
            assert!(proxy_free(&url), "the proxy option, NO_PROXY=*");
            env.set("NO_PROXY", None);
        }
        env.set(variable, None);
    }
}

/// `ALL_PROXY` alone (no HTTP_PROXY / HTTPS_PROXY) still sends the call through the proxy.
#[tokio::test]
async fn all_proxy_alone_goes_through_the_proxy() {
    let env = Env::clean().await;
    let sk = emulator("{}").await;
    let proxy = RecordingProxy::start().await;
    env.set("ALL_PROXY", Some(&proxy.url));
    let client = client_at(&sk, &sk.url(), ClientOptions::default());
    list(&client).await.unwrap();
    let lines = proxy.lines();
    assert!(!lines.is_empty(), "the proxy saw nothing");
}
