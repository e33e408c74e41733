//! LocalScalekit over HTTPS: the server certificate (made at start, or given as PEM) and the
//! rustls configuration of the API listener. ALPN offers `h2` then `http/1.1`, so one port serves
//! both protocols (the listener picks by what the client speaks).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::crypto::ring;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::options::{TlsOption, TlsPem};
use crate::wire::random_digits;
use crate::EmulatorError;

/// How long a made certificate is valid; long enough for any test run or dev session, short
/// enough that no verifier frowns on it.
const VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// What the API listener needs for HTTPS, and the certificate clients must trust.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// PEM of the certificate to trust: the made CA, or the last certificate of a given chain.
    pub ca_pem: String,
}

/// The HTTPS setup `option` asks for (None: plain HTTP). `hosts` are names or IP literals a
/// made certificate must cover besides `localhost`, `127.0.0.1` and `::1`.
pub fn setup(option: Option<&TlsOption>, hosts: &[String]) -> Result<Option<Tls>, EmulatorError> {
    let (chain, key, ca_pem) = match option {
        None | Some(TlsOption::Enabled(false)) => return Ok(None),
        Some(TlsOption::Enabled(true)) => made(hosts)?,
        Some(TlsOption::Pem(pem)) => given(pem)?,
    };
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| EmulatorError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem,
    }))
}

type Material = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String);

/// A fresh CA (what `NODE_EXTRA_CA_CERTS` and other trust stores expect to be given) and a
/// server certificate it signs for the loopback names; the chain served is the leaf then the CA.
fn made(hosts: &[String]) -> Result<Material, EmulatorError> {
    let rcgen_error =
        |e: rcgen::Error| EmulatorError::Tls(format!("cannot make a certificate: {e}"));
    let now = time::OffsetDateTime::now_utc();
    // An hour back, so a clock a little behind the emulator's still accepts it.
    let not_before = now - time::Duration::hours(1);
    let not_after = now + VALIDITY;

    let ca_key = KeyPair::generate().map_err(rcgen_error)?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = rcgen::DistinguishedName::new();
    // A name of its own: verifiers find a certificate's issuer by name, so two runs' CAs sharing
    // one (both trusted, say) would be tried against each other's certificates.
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("LocalScalekit CA {}", random_digits()),
    );
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca_cert = ca.self_signed(&ca_key).map_err(rcgen_error)?;

    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    for host in hosts {
        // An IP literal may come bracketed from a URL; rcgen tells IPs from DNS names itself.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let normalized = match host.parse::<IpAddr>() {
            // Listening everywhere is reached through loopback, already covered.
            Ok(ip) if ip.is_unspecified() => continue,
            Ok(ip) => ip.to_string(),
            Err(_) => host.to_ascii_lowercase(),
        };
        if !normalized.is_empty() && !names.contains(&normalized) {
            names.push(normalized);
        }
    }
    let leaf_key = KeyPair::generate().map_err(rcgen_error)?;
    let mut leaf = CertificateParams::new(names).map_err(rcgen_error)?;
    leaf.distinguished_name = rcgen::DistinguishedName::new();
    leaf.distinguished_name
        .push(DnType::CommonName, "LocalScalekit");
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = not_before;
    leaf.not_after = not_after;
    let leaf_cert = leaf
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .map_err(rcgen_error)?;

    let key = PrivateKeyDer::try_from(leaf_key.serialize_der())
        .map_err(|e| EmulatorError::Tls(format!("cannot use the made key: {e}")))?;
    let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    Ok((chain, key, ca_cert.pem()))
}

/// A given certificate chain (leaf first) and key, as PEM text.
fn given(pem: &TlsPem) -> Result<Material, EmulatorError> {
    let chain = CertificateDer::pem_slice_iter(pem.cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EmulatorError::Tls(format!("tls.cert is not PEM certificates: {e}")))?;
    let Some(last) = chain.last() else {
        return Err(EmulatorError::Tls(
            "tls.cert holds no PEM certificate".to_owned(),
        ));
    };
    let ca_pem = to_pem(last);
    // The key's own parse error never quotes the key.
    let key = PrivateKeyDer::from_pem_slice(pem.key.as_bytes())
        .map_err(|_| EmulatorError::Tls("tls.key is not a PEM private key".to_owned()))?;
    Ok((chain, key, ca_pem))
}

/// A DER certificate as PEM, 64 base64 characters a line.
fn to_pem(cert: &CertificateDer<'_>) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_chain_is_leaf_then_ca_and_pem_round_trips() {
        let (chain, _key, ca_pem) = made(&["192.0.2.7".to_owned()]).unwrap();
        assert_eq!(chain.len(), 2);
        let parsed = CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap();
        assert_eq!(parsed, chain[1]);
        assert_eq!(to_pem(&chain[1]), ca_pem.replace("\r\n", "\n"));
    }

    #[test]
    fn given_pem_errors_name_the_field() {
        let bad = |cert: &str, key: &str| {
            let pem = TlsPem {
                cert: cert.to_owned(),
                key: key.to_owned(),
            };
            match given(&pem) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("accepted"),
            }
        };
        assert!(bad("nothing", "k").contains("tls.cert holds no PEM certificate"));
        let (chain, _, _) = made(&[]).unwrap();
        assert!(bad(&to_pem(&chain[0]), "secret-looking").contains("tls.key is not"));
        assert!(!bad(&to_pem(&chain[0]), "secret-looking").contains("secret-looking"));
    }
}
