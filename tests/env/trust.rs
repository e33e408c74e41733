//! `NODE_EXTRA_CA_CERTS`: a server whose certificate a private CA signed is refused (unknown
//! issuer) until the variable names a file holding that CA; it is read again when it changes.

use std::path::PathBuf;

use scalekit_core::config::ClientOptions;
use scalekit_core::errors::ScalekitError;
use scalekit_core::network::EXTRA_CA_VAR;
use serde_json::Value;

use crate::common::{client_at, emulator, list, Env};

/// A file removed when dropped (a failed assertion included).
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let unique = format!("scalekit-env-{}-{name}", std::process::id());
        let path = std::env::temp_dir().join(unique);
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The message of a refused certificate, or a panic naming what came instead.
fn untrusted(result: Result<Value, ScalekitError>, case: &str) -> String {
    match result {
        Err(ScalekitError::Network { message, .. }) => {
            assert!(message.contains("unknown issuer"), "{case}: {message}");
            message
        }
        other => panic!("{case}: expected an unknown-issuer failure, got {other:?}"),
    }
}

#[tokio::test]
async fn node_extra_ca_certs_trusts_its_ca_and_is_read_again_when_it_changes() {
    let env = Env::clean().await;
    // HTTPS with a CA made at start, which no trust store holds.
    let sk = emulator(r#"{"tls": true}"#).await;
    let ca = TempFile::new("ca.pem", sk.ca_certificate().unwrap());
    let missing = TempFile::new("missing.pem", "");
    std::fs::remove_file(missing.path()).unwrap();
    let call = |case: &'static str| {
        let client = client_at(&sk, &sk.url(), ClientOptions::default());
        async move { (case, list(&client).await) }
    };

    let (case, result) = call("no NODE_EXTRA_CA_CERTS").await;
    untrusted(result, case);

    env.set(EXTRA_CA_VAR, Some(ca.path()));
    let (case, result) = call("NODE_EXTRA_CA_CERTS naming the CA").await;
    result.unwrap_or_else(|e| panic!("{case}: {e:?}"));

    // Changed to a file that is not there: read again, so the CA is no longer trusted, and the
    // failure says why the variable was not used.
    env.set(EXTRA_CA_VAR, Some(missing.path()));
    let (case, result) = call("NODE_EXTRA_CA_CERTS naming a missing file").await;
    let message = untrusted(result, case);
    let ignored = format!("{EXTRA_CA_VAR}={} was ignored", missing.path());
    assert!(message.contains(&ignored), "{message}");

    env.set(EXTRA_CA_VAR, None);
    let (case, result) = call("NODE_EXTRA_CA_CERTS removed again").await;
    untrusted(result, case);
}
