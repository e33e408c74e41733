//! Enterprise networks: which certificate authorities the client trusts, which proxy it goes
//! through, and what a TLS failure says (README, "Networks").
//!
//! Trust is the union of the bundled Mozilla roots (webpki-roots), the OS store (read by
//! rustls-native-certs, which honours `SSL_CERT_FILE` / `SSL_CERT_DIR` as OpenSSL does),
//! `NODE_EXTRA_CA_CERTS` and the `ca` option. Host names are always verified. `NODE_EXTRA_CA_CERTS`
//! is read when a client is made, the OS store on the first TLS handshake (with the variables as they
//! were when the client was made); each once per process, and again when its variables change.
//!
//! Proxies come from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lowercase
//! forms), read by reqwest when the client is built, or from the `proxy` option.

use std::error::Error as StdError;
use std::fmt;

use rustls::CertificateError;
use url::Url;

use crate::errors::ScalekitError;
use crate::secret::Secret;

mod trust;
pub use trust::{check_ca, tls_config, CaOption, EXTRA_CA_VAR};

/// How to trust a private CA, for messages about an untrusted certificate.
const HOW_TO_TRUST: &str = "To trust a private CA, set NODE_EXTRA_CA_CERTS to its PEM file, \
     add it to the OS trust store (or SSL_CERT_FILE), or pass it as the `ca` client option";

/// The `proxy` option as a caller gives it.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxyOption {
    /// Absent: the proxy environment variables decide.
    #[default]
    Environment,
    /// `false`: no proxy, whatever the environment says.
    Off,
    /// A proxy URL; it may hold credentials, so it never shows.
    Url(Secret),
}

impl fmt::Debug for ProxyOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyOption::Environment => f.write_str("Environment"),
            ProxyOption::Off => f.write_str("Off"),
            ProxyOption::Url(_) => f.write_str("Url([REDACTED])"),
        }
    }
}

/// The checked `proxy` option.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    #[default]
    Environment,
    Off,
    /// An http(s) proxy URL, possibly with `user:password@`.
    Url(Secret),
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::Environment => f.write_str("Environment"),
            ProxySetting::Off => f.write_str("Off"),
            ProxySetting::Url(url) => write!(f, "Url({})", redact_userinfo(url.expose())),
        }
    }
}

/// Checks the `proxy` option. A URL without a scheme is taken as `http://`, as curl does.
pub fn check_proxy(option: ProxyOption) -> Result<ProxySetting, ScalekitError> {
    let text = match option {
        ProxyOption::Environment => return Ok(ProxySetting::Environment),
        ProxyOption::Off => return Ok(ProxySetting::Off),
        ProxyOption::Url(text) => text,
    };
    let trimmed = text.expose().trim();
    let shown = redact_userinfo(trimmed);
    let bad = |why: &str| {
        ScalekitError::validation(
            "proxy",
            format!(
                "proxy must be false or an http:// or https:// URL such as \
                 http://proxy.internal:3128 ({why}), got {shown:?}"
            ),
        )
    };
    if trimmed.is_empty() {
        return Err(bad("empty"));
    }
    let full = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    // The parser's messages never quote the input, so no credential can leak through them.
    let url = Url::parse(&full).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(bad("scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("no query or fragment allowed"));
    }
    Ok(ProxySetting::Url(Secret::new(url.as_str())))
}

/// A URL for messages, with everything before the last `@` of its authority replaced: it may
/// hold a credential. Works on text that does not parse as a URL too.
pub fn redact_userinfo(text: &str) -> String {
    let (scheme, rest) = match text.find("://") {
        Some(end) => (&text[..end + 3], &text[end + 3..]),
        None => ("", text),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => text.to_string(),
    }
}

/// Adds trust (`tls`, from [`tls_config`]) and proxy settings to the client being built;
/// `proxy_free` is [`proxy_free`]'s answer for `proxy`, read once when the client is made.
pub fn configure(
    mut builder: reqwest::ClientBuilder,
    tls: rustls::ClientConfig,
    proxy: &ProxySetting,
    proxy_free: bool,
) -> Result<reqwest::ClientBuilder, ScalekitError> {
    let cannot = |what: &str| ScalekitError::Network {
        message: format!("cannot create the HTTP client: {what}"),
        connect: false,
    };
    // The bundled Mozilla roots, the OS store, NODE_EXTRA_CA_CERTS and `ca`, loaded on first use.
    builder = builder.use_preconfigured_tls(tls);
    Ok(match proxy {
        // reqwest reads the proxy variables when the client is built.
        ProxySetting::Environment if !proxy_free => builder,
        ProxySetting::Url(url) if !proxy_free => {
            // As curl's `--proxy`: the option replaces the *_PROXY variables, NO_PROXY still applies.
            let proxy = reqwest::Proxy::all(url.expose())
                .map_err(|_| cannot("the proxy URL cannot be used"))?
                .no_proxy(reqwest::NoProxy::from_env());
            builder.proxy(proxy)
        }
        // `proxy: false`, no proxy variable, or curl's `NO_PROXY=*`, which turns proxies off
        // (reqwest's own matcher would still send IP literals, a loopback envUrl say, through one).
        _ => builder.no_proxy(),
    })
}

/// The variables from which reqwest reads proxies (`HTTP_PROXY` is ignored under CGI, which makes
/// no difference here).
const PROXY_VARS: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Whether no request of a client made now with this setting can go through a proxy, as
/// [`configure`] sets reqwest up: `proxy: false`, `NO_PROXY=*`, or no proxy variable set at all
/// (even empty). Such a client may send requests without reqwest (direct.rs).
pub fn proxy_free(proxy: &ProxySetting) -> bool {
    match proxy {
        ProxySetting::Off => true,
        _ if no_proxy_everywhere() => true,
        ProxySetting::Url(_) => false,
        ProxySetting::Environment => PROXY_VARS.iter().all(|v| std::env::var_os(v).is_none()),
    }
}

/// Whether `NO_PROXY` (else `no_proxy`, as reqwest reads them) holds the entry `*`.
fn no_proxy_everywhere() -> bool {
    let value = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    value.split(',').any(|entry| entry.trim() == "*")
}

/// What a TLS failure found in an error's causes means, in words; `None` when it is not one.
/// `certificate` is set when the server's certificate was refused: retrying cannot help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFailure {
    pub message: String,
    pub certificate: bool,
}

/// Looks through the causes of `error` for a rustls error (directly or inside an `io::Error`,
/// whose `source()` skips the error it wraps) and describes it.
pub fn tls_failure(error: &(dyn StdError + 'static)) -> Option<TlsFailure> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(cause) = current {
        if let Some(tls) = as_rustls(cause) {
            return Some(describe(tls));
        }
        current = cause.source();
    }
    None
}

fn as_rustls<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner = error.downcast_ref::<std::io::Error>()?.get_ref()?;
    as_rustls(inner)
}

fn describe(error: &rustls::Error) -> TlsFailure {
    let rustls::Error::InvalidCertificate(problem) = error else {
        return TlsFailure {
            message: format!("TLS handshake failed: {error}"),
            certificate: false,
        };
    };
    let message = match problem {
        CertificateError::UnknownIssuer => {
            let mut text = format!(
                "TLS: the server's certificate is not trusted: unknown issuer (it is self-signed, \
                 or signed by a CA this client does not trust). {HOW_TO_TRUST}"
            );
            if let Some(problem) = trust::extra_ca_problem() {
                text.push_str(&format!(" ({problem})"));
            }
            text
        }
        CertificateError::Expired => {
            "TLS: the server's certificate has expired; check the server's certificate (and this \
             machine's clock)"
                .to_string()
        }
        CertificateError::ExpiredContext { not_after, .. } => format!(
            "TLS: the server's certificate has expired (it was valid until {}); check the \
             server's certificate (and this machine's clock)",
            date(not_after.as_secs())
        ),
        CertificateError::NotValidYet => {
            "TLS: the server's certificate is not valid yet; check this machine's clock".to_string()
        }
        CertificateError::NotValidYetContext { not_before, .. } => format!(
            "TLS: the server's certificate is not valid yet (it is valid from {}); check this \
             machine's clock",
            date(not_before.as_secs())
        ),
        CertificateError::NotValidForName => {
            "TLS: the server's certificate is not valid for this host name; connect with a name \
             the certificate holds (trusting its CA does not change this)"
                .to_string()
        }
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "TLS: the server's certificate is not valid for the host name {} (it holds {}); \
             connect with a name the certificate holds (trusting its CA does not change this)",
            expected.to_str(),
            match presented.is_empty() {
                true => "no name".to_string(),
                false => presented
                    .iter()
                    .map(|name| plain_name(name))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        ),
        CertificateError::BadSignature => format!(
            "TLS: the server's certificate has a bad signature (not signed by the CA it names). \
             {HOW_TO_TRUST}"
        ),
        CertificateError::Revoked => "TLS: the server's certificate has been revoked".to_string(),
        other => format!("TLS: the server's certificate was refused ({other:?})"),
    };
    TlsFailure {
        message,
        certificate: true,
    }
}

/// A name as webpki presents it (`DnsName("a.example")`), without the wrapping.
fn plain_name(presented: &str) -> &str {
    match presented.split_once('(') {
        Some((_, rest)) => rest.trim_end_matches(')').trim_matches('"'),
        None => presented,
    }
}

/// `2026-01-31T12:00:00Z` from Unix seconds.
fn date(seconds: u64) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{seconds} (Unix time)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: ScalekitError) -> String {
        e.to_string()
    }

    #[test]
    fn proxy_urls_are_checked_without_echoing_credentials() {
        let ok = |s: &str| match check_proxy(ProxyOption::Url(Secret::new(s))).unwrap() {
            ProxySetting::Url(url) => url.expose().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(ok("http://proxy:3128"), "http://proxy:3128/");
        assert_eq!(ok("proxy:3128"), "http://proxy:3128/");
        assert_eq!(ok("https://u:p%40ss@proxy"), "https://u:p%40ss@proxy/");
        for bad in [
            "socks5://user:hunter2@proxy:1080",
            "http://user:hunter2@",
            "http://user:hunter2@proxy:99999",
            "user:hunter2@proxy:port",
            "http://user:hunter2@proxy/?q",
        ] {
            let err = check_proxy(ProxyOption::Url(Secret::new(bad))).unwrap_err();
            assert!(
                matches!(
                    err,
                    ScalekitError::Validation { ref argument, .. } if argument == "proxy"
                ),
                "{bad}"
            );
            let text = message(err);
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("***@"), "{text}");
        }
        assert_eq!(
            check_proxy(ProxyOption::Off).unwrap(),
            ProxySetting::Off,
            "false ignores the environment"
        );
        let setting = check_proxy(ProxyOption::Url(Secret::new("http://u:hunter2@p:1"))).unwrap();
        assert_eq!(format!("{setting:?}"), "Url(http://***@p:1/)");
        assert!(!format!("{:?}", ProxyOption::Url(Secret::new("hunter2"))).contains("hunter2"));
    }

    #[test]
    fn tls_failures_are_found_inside_io_errors() {
        let wrapped = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        let failure = tls_failure(&wrapped).unwrap();
        assert!(failure.certificate);
        assert!(
            failure.message.contains("unknown issuer"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("NODE_EXTRA_CA_CERTS"));
        assert!(failure.message.contains("`ca`"));
        let expired = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: rustls::pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                1_800_000_000,
            )),
            not_after: rustls::pki_types::UnixTime::since_unix_epoch(
                std::time::Duration::from_secs(1_700_000_000),
            ),
        });
        let text = tls_failure(&expired).unwrap().message;
        assert!(
            text.contains("expired (it was valid until 2023-11-14T22:13:20Z)"),
            "{text}"
        );
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: rustls::pki_types::ServerName::try_from("api.example")
                .unwrap()
                .to_owned(),
            presented: vec!["DnsName(\"other.example\")".into(), "x.example".into()],
        });
        let text = tls_failure(&name).unwrap().message;
        assert!(
            text.contains(
                "not valid for the host name api.example (it holds other.example, x.example)"
            ),
            "{text}"
        );
        let other = std::io::Error::other("connection refused");
        assert_eq!(tls_failure(&other), None);
    }

    #[test]
    fn redaction_covers_text_that_is_not_a_url() {
        assert_eq!(redact_userinfo("u:p@h:1"), "***@h:1");
        assert_eq!(redact_userinfo("http://u:p@x@h/a@b"), "http://***@h/a@b");
        assert_eq!(redact_userinfo("http://h:1"), "http://h:1");
    }
}
