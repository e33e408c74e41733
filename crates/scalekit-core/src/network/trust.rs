//! What the client trusts (README, "Networks"): the bundled Mozilla roots
//! (webpki-roots), the OS store (rustls-native-certs, honouring `SSL_CERT_FILE` / `SSL_CERT_DIR`
//! as OpenSSL does), `NODE_EXTRA_CA_CERTS` and the `ca` option, loaded on the first handshake
//! that needs them; host names are always verified.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::errors::ScalekitError;
use scalekit_wire::sync::lock;

/// The variable Node reads for extra trusted certificates (a PEM file).
pub const EXTRA_CA_VAR: &str = "NODE_EXTRA_CA_CERTS";

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

/// Why `NODE_EXTRA_CA_CERTS`, as last read, was not used, if it was not: for the message about
/// an untrusted certificate.
pub(super) fn extra_ca_problem() -> Option<String> {
    lock(&EXTRA).as_ref().and_then(|e| e.problem())
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
            ScalekitError::Validation { ref argument, .. } if argument == "ca"
        ));
        assert_eq!(
            err.to_string(),
            "ca holds no PEM certificate (a \"-----BEGIN CERTIFICATE-----\" block)"
        );
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = ca(&[b"", broken], true).unwrap_err();
        assert!(err.to_string().starts_with("ca[0] holds no PEM"));
        let err = ca(&[broken], true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ca[0] is not valid PEM (a block is not valid base64)"
        );
        // Valid base64 that is not a certificate.
        let junk = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        let err = ca(&[junk], false).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("ca holds a certificate (#1) that cannot be read"));
        assert!(ca(&[], true).unwrap().is_empty());
    }
}
