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
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use url::Url;

use crate::errors::ScalekitError;
use crate::secret::Secret;
use scalekit_wire::sync::lock;

/// The variable Node reads for extra trusted certificates (a PEM file).
pub const EXTRA_CA_VAR: &str = "NODE_EXTRA_CA_CERTS";

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

/// The `ca` option as a caller gives it: PEM texts (strings or Buffers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaOption {
    pub items: Vec<Bytes>,
    /// Given as an array (messages then say `ca[1]`), rather than one value (`ca`).
    pub array: bool,
}

/// Checks the `ca` option: each item must hold at least one PEM certificate, and every
/// certificate must be usable as a trust anchor.
pub fn check_ca(option: &CaOption) -> Result<Vec<CertificateDer<'static>>, ScalekitError> {
    let mut certs = Vec::new();
    for (index, item) in option.items.iter().enumerate() {
        let name = if !option.array {
            "ca".to_string()
        } else {
            format!("ca[{index}]")
        };
        let found = pem_certificates(item)
            .map_err(|why| ScalekitError::validation("ca", format!("{name} {why}")))?;
        certs.extend(found);
    }
    Ok(certs)
}

/// The certificates of a PEM text, each checked as a trust anchor; `Err` says why not, in words
/// that follow the option's name.
fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certs = Vec::new();
    for (n, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let cert = cert.map_err(|e| format!("is not valid PEM ({})", pem_problem(&e)))?;
        RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| format!("holds a certificate (#{}) that cannot be read: {e}", n + 1))?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(
            "holds no PEM certificate (a \"-----BEGIN CERTIFICATE-----\" block)".to_string(),
        );
    }
    Ok(certs)
}

/// A PEM syntax error in words that never quote the input.
fn pem_problem(error: &rustls::pki_types::pem::Error) -> &'static str {
    use rustls::pki_types::pem::Error;
    match error {
        Error::MissingSectionEnd { .. } => "a block has no END line",
        Error::IllegalSectionStart { .. } => "a BEGIN line is malformed",
        Error::Base64Decode(_) => "a block is not valid base64",
        _ => "unreadable",
    }
}

/// The variables from which the OS store is read (by rustls-native-certs, as OpenSSL reads them).
const OS_STORE_VARS: [&str; 2] = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

/// `NODE_EXTRA_CA_CERTS` for one value of the variable: the file as read when a client was made,
/// its certificates parsed on the first TLS handshake that needs them (parsing a bundle of a few
/// hundred certificates costs milliseconds; reading it does not).
struct ExtraFile {
    path: Option<std::ffi::OsString>,
    /// The file's bytes (none when the variable is unset or empty), or why it could not be read.
    read: Result<Vec<u8>, String>,
    /// Its usable certificates, and why the file was not used when it was not.
    parsed: OnceLock<(Vec<CertificateDer<'static>>, Option<String>)>,
}

impl ExtraFile {
    fn certs(&self) -> &[CertificateDer<'static>] {
        &self
            .parsed
            .get_or_init(|| match &self.read {
                Ok(pem) => parse_extra(self.shown(), pem),
                Err(_) => (Vec::new(), None),
            })
            .0
    }

    /// Why the file was not used (shown with an unknown-issuer failure, as Node would have warned
    /// about it at startup), once that is known.
    fn problem(&self) -> Option<String> {
        match &self.read {
            Err(problem) => Some(problem.clone()),
            Ok(_) => self.parsed.get().and_then(|(_, problem)| problem.clone()),
        }
    }

    fn shown(&self) -> String {
        self.path
            .as_deref()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// `NODE_EXTRA_CA_CERTS`, read when a client is made: once per process (as Node reads it once),
/// and again when the variable changes.
static EXTRA: std::sync::Mutex<Option<Arc<ExtraFile>>> = std::sync::Mutex::new(None);

/// The bundled roots and the OS store, as parsed trust anchors, for one value of
/// [`OS_STORE_VARS`]. Reading and parsing a few hundred certificates costs milliseconds: it is
/// done once per process, on the first TLS handshake of any client, and again only when a client
/// made after one of the variables changed needs it.
type OsRoots = (Vec<Option<std::ffi::OsString>>, Arc<RootCertStore>);
static OS_ROOTS: std::sync::Mutex<Option<OsRoots>> = std::sync::Mutex::new(None);

/// `NODE_EXTRA_CA_CERTS` for its current value. A missing or unreadable file is skipped, as Node
/// only warns about it.
fn extra_file() -> Arc<ExtraFile> {
    let path = std::env::var_os(EXTRA_CA_VAR).filter(|p| !p.is_empty());
    let mut cached = lock(&EXTRA);
    if let Some(extra) = cached.as_ref().filter(|e| e.path == path) {
        return Arc::clone(extra);
    }
    let read = match &path {
        None => Ok(Vec::new()),
        Some(p) => std::fs::read(p).map_err(|e| {
            let shown = p.to_string_lossy();
            format!("{EXTRA_CA_VAR}={shown} was ignored: {e}")
        }),
    };
    let extra = Arc::new(ExtraFile {
        path,
        read,
        parsed: OnceLock::new(),
    });
    *cached = Some(Arc::clone(&extra));
    extra
}

/// The bundled Mozilla roots and the OS store read with these values of [`OS_STORE_VARS`].
fn os_roots(key: &[Option<std::ffi::OsString>]) -> Arc<RootCertStore> {
    let mut cached = lock(&OS_ROOTS);
    if let Some((_, roots)) = cached.as_ref().filter(|(k, _)| k == key) {
        return Arc::clone(roots);
    }
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    // rustls-native-certs reads SSL_CERT_FILE / SSL_CERT_DIR instead of the platform store when
    // either is set, as OpenSSL does. Certificates rustls cannot use are skipped, as reqwest does.
    let (_added, _skipped) =
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let roots = Arc::new(roots);
    *cached = Some((key.to_vec(), Arc::clone(&roots)));
    roots
}

/// The usable certificates of the `NODE_EXTRA_CA_CERTS` file `shown`. A malformed file is skipped,
/// as Node only warns about it (certificates that cannot be used are skipped one by one); the
/// second value says why, for the message of an unknown-issuer failure.
fn parse_extra(shown: String, pem: &[u8]) -> (Vec<CertificateDer<'static>>, Option<String>) {
    if pem.is_empty() && shown.is_empty() {
        return (Vec::new(), None);
    }
    let parsed: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    let why = match parsed {
        Err(e) => format!("is not valid PEM ({})", pem_problem(&e)),
        Ok(certs) => {
            let usable: Vec<_> = certs.into_iter().filter(usable_anchor).collect();
            if !usable.is_empty() {
                return (usable, None);
            }
            "holds no usable PEM certificate".to_string()
        }
    };
    let problem = format!("{EXTRA_CA_VAR}={shown} was ignored: the file {why}");
    (Vec::new(), Some(problem))
}

/// Whether a certificate can serve as a trust anchor (rustls can read it).
fn usable_anchor(cert: &CertificateDer<'static>) -> bool {
    RootCertStore::empty().add(cert.clone()).is_ok()
}

/// The certificate verifier of one client: what it trusts is fixed when the client is made (the
/// `ca` option, `NODE_EXTRA_CA_CERTS` as then read, the OS store variables as then set), and the
/// verifier is built from it on the client's first TLS handshake. A client that never speaks TLS
/// (an `http://` envUrl, LocalScalekit) never loads the OS store: that was most of what making a
/// client cost (docs/architecture.md, "Runtime and lifetime").
struct LazyVerifier {
    os_key: Vec<Option<std::ffi::OsString>>,
    extra: Arc<ExtraFile>,
    /// The `ca` option, each certificate already checked usable.
    ca: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    built: OnceLock<Result<Arc<WebPkiServerVerifier>, rustls::Error>>,
}

impl fmt::Debug for LazyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyVerifier").finish_non_exhaustive()
    }
}

impl LazyVerifier {
    fn verifier(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.built
            .get_or_init(|| {
                let shared = os_roots(&self.os_key);
                let extra = self.extra.certs();
                let roots = if extra.is_empty() && self.ca.is_empty() {
                    shared
                } else {
                    let mut roots = RootCertStore::clone(&shared);
                    let added = extra.iter().chain(&self.ca).cloned();
                    let (_added, _skipped) = roots.add_parsable_certificates(added);
                    Arc::new(roots)
                };
                WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&self.provider))
                    .build()
                    .map_err(|e| rustls::Error::General(format!("cannot verify certificates: {e}")))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The trait method `$check` (TLS 1.2 or 1.3), delegating to rustls's function of the same name
/// with the provider's algorithms: the two versions' checks differ only by that name.
macro_rules! check_signature_with_provider {
    ($check:ident) => {
        fn $check(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            $check(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }
    };
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    // The signature checks need no roots: the provider's algorithms, as WebPkiServerVerifier's.
    check_signature_with_provider!(verify_tls12_signature);
    check_signature_with_provider!(verify_tls13_signature);

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TLS configuration of a client: reqwest's own (TLS 1.2 and 1.3, ring, SNI, ALPN h2 then
/// http/1.1), with the verifier that loads what it trusts on first use.
pub fn tls_config(ca: &[CertificateDer<'static>]) -> Result<rustls::ClientConfig, ScalekitError> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let verifier = LazyVerifier {
        os_key: OS_STORE_VARS.iter().map(std::env::var_os).collect(),
        extra: extra_file(),
        ca: ca.to_vec(),
        provider: Arc::clone(&provider),
        built: OnceLock::new(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| ScalekitError::Network {
            message: format!("cannot create the HTTP client: {e}"),
            connect: false,
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Adds trust (`tls`, from [`tls_config`]) and proxy settings to the client being built.
pub fn configure(
    mut builder: reqwest::ClientBuilder,
    tls: rustls::ClientConfig,
    proxy: &ProxySetting,
) -> Result<reqwest::ClientBuilder, ScalekitError> {
    let cannot = |what: &str| ScalekitError::Network {
        message: format!("cannot create the HTTP client: {what}"),
        connect: false,
    };
    // The bundled Mozilla roots, the OS store, NODE_EXTRA_CA_CERTS and `ca`, loaded on first use.
    builder = builder.use_preconfigured_tls(tls);
    Ok(match proxy {
        // curl's `NO_PROXY=*` turns proxies off; reqwest's own matcher would still send IP
        // literals (a loopback envUrl, say) through the proxy.
        ProxySetting::Environment | ProxySetting::Url(_) if no_proxy_everywhere() => {
            builder.no_proxy()
        }
        // reqwest reads the proxy variables when the client is built.
        ProxySetting::Environment => builder,
        ProxySetting::Off => builder.no_proxy(),
        ProxySetting::Url(url) => {
            // As curl's `--proxy`: the option replaces the *_PROXY variables, NO_PROXY still applies.
            let proxy = reqwest::Proxy::all(url.expose())
                .map_err(|_| cannot("the proxy URL cannot be used"))?
                .no_proxy(reqwest::NoProxy::from_env());
            builder.proxy(proxy)
        }
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
            let extra = lock(&EXTRA);
            if let Some(problem) = extra.as_ref().and_then(|e| e.problem()) {
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
                    ScalekitError::Validation {
                        argument: "proxy",
                        ..
                    }
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
    fn ca_must_hold_certificates() {
        let ca = |items: &[&'static [u8]], array: bool| {
            check_ca(&CaOption {
                items: items.iter().map(|b| Bytes::from_static(b)).collect(),
                array,
            })
        };
        let err = ca(&[b"not a certificate"], false).unwrap_err();
        assert!(matches!(
            err,
            ScalekitError::Validation { argument: "ca", .. }
        ));
        assert_eq!(
            message(err),
            "ca holds no PEM certificate (a \"-----BEGIN CERTIFICATE-----\" block)"
        );
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = ca(&[b"", broken], true).unwrap_err();
        assert!(message(err).starts_with("ca[0] holds no PEM"));
        let err = ca(&[broken], true).unwrap_err();
        assert_eq!(
            message(err),
            "ca[0] is not valid PEM (a block is not valid base64)"
        );
        // Valid base64 that is not a certificate.
        let junk = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        let err = ca(&[junk], false).unwrap_err();
        assert!(message(err).starts_with("ca holds a certificate (#1) that cannot be read"));
        assert!(ca(&[], true).unwrap().is_empty());
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
