//! `waitForConnectedAccount` against LocalScalekit: an account that is PENDING_AUTH or
//! PENDING_VERIFICATION does not end the wait (it keeps polling, then times out naming the status
//! it still had); one that turns ACTIVE mid-wait does.

use std::time::Duration;

use scalekit_core::accounts::{AccountOperation, Params};
use scalekit_core::client::ScalekitClient;
use scalekit_core::config::{ClientConfig, ClientOptions};
use scalekit_core::errors::ScalekitError;
use scalekit_local::{EmulatorOptions, LocalScalekit};
use serde_json::{json, Value};
use tokio::time::timeout;

const CONNECTION: &str = "crm";
/// The `timeoutMs` of a wait that must run out: long enough for several polls at 10 ms, doubling.
const WAIT_MS: u64 = 1500;
/// A bound on anything that should take far less, so a regression fails instead of hanging.
const BOUND: Duration = Duration::from_secs(20);

async fn emulator() -> (LocalScalekit, ScalekitClient) {
    let sk = LocalScalekit::start(EmulatorOptions::default())
        .await
        .unwrap();
    let config = ClientConfig::new(
        &sk.url(),
        sk.client_id(),
        sk.client_secret(),
        ClientOptions::default(),
    )
    .unwrap();
    let client = ScalekitClient::new(config).unwrap();
    (sk, client)
}

fn params(value: Value) -> Params {
    Params::from_json(&value.to_string()).unwrap()
}

/// The polls LocalScalekit has answered (each is a `getConnectedAccount`).
/// The wait polls the details route (no credentials), docs/wire-protocol.md §15.
fn polls(sk: &LocalScalekit) -> u64 {
    sk.stats()["connected_accounts.details"]
}

/// A PENDING_AUTH account for `identifier`, made the way a real one is: by asking for its link.
async fn pending(client: &ScalekitClient, identifier: &str) {
    let link = params(json!({"connectionName": CONNECTION, "identifier": identifier}));
    client
        .accounts_call(AccountOperation::AuthorizationLink, &link)
        .await
        .unwrap();
}

async fn status_of(client: &ScalekitClient, identifier: &str) -> Value {
    let get = params(json!({"connectionName": CONNECTION, "identifier": identifier}));
    let found = client
        .accounts_call(AccountOperation::Get, &get)
        .await
        .unwrap();
    found["connectedAccount"]["status"].clone()
}

/// Waits `WAIT_MS` on an account that stays `status`: the wait polls more than once, then fails
/// with `NotActive` naming that status.
async fn waits_out(sk: &LocalScalekit, client: &ScalekitClient, identifier: &str, status: &str) {
    assert_eq!(status_of(client, identifier).await, status);
    let start = polls(sk);
    let wait = params(json!({
        "connectionName": CONNECTION, "identifier": identifier,
        "timeoutMs": WAIT_MS, "pollIntervalMs": 10,
    }));
    let outcome = timeout(
        BOUND,
        client.accounts_call(AccountOperation::WaitActive, &wait),
    )
    .await
    .expect("the wait ends by its own timeoutMs");
    match outcome {
        Err(ScalekitError::NotActive {
            timeout_ms,
            status: still,
        }) => {
            assert_eq!(timeout_ms, WAIT_MS);
            assert_eq!(still, status);
        }
        other => panic!("a {status} account: expected NotActive, got {other:?}"),
    }
    let made = polls(sk) - start;
    assert!(made >= 2, "it kept polling while {status}: {made} polls");
}

#[tokio::test]
async fn a_pending_auth_account_does_not_end_the_wait() {
    let (sk, client) = emulator().await;
    pending(&client, "wait-pending-auth").await;
    waits_out(&sk, &client, "wait-pending-auth", "PENDING_AUTH").await;
}

#[tokio::test]
async fn a_pending_verification_account_does_not_end_the_wait() {
    let (sk, client) = emulator().await;
    pending(&client, "wait-pending-verification").await;
    sk.set_account_status(
        CONNECTION,
        "wait-pending-verification",
        "PENDING_VERIFICATION",
    )
    .unwrap();
    waits_out(
        &sk,
        &client,
        "wait-pending-verification",
        "PENDING_VERIFICATION",
    )
    .await;
}

#[tokio::test]
async fn an_account_turning_active_mid_wait_ends_it() {
    let (sk, client) = emulator().await;
    let identifier = "wait-turns-active";
    pending(&client, identifier).await;
    let start = polls(&sk);
    let wait = params(json!({
        "connectionName": CONNECTION, "identifier": identifier,
        "timeoutMs": 60_000, "pollIntervalMs": 10,
    }));
    let waiting = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .accounts_call(AccountOperation::WaitActive, &wait)
                .await
        }
    });
    // Two polls have seen the account PENDING_AUTH, and the wait goes on.
    timeout(BOUND, async {
        while polls(&sk) < start + 2 {
            assert!(
                !waiting.is_finished(),
                "the wait ended while the account was PENDING_AUTH"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the wait polls");
    assert!(!waiting.is_finished(), "still waiting after two polls");
    sk.set_account_status(CONNECTION, identifier, "ACTIVE")
        .unwrap();
    let shaped = timeout(BOUND, waiting)
        .await
        .expect("the wait sees ACTIVE at its next poll")
        .unwrap()
        .unwrap();
    let account = &shaped["connectedAccount"];
    assert_eq!(account["status"], "ACTIVE");
    assert_eq!(account["identifier"], identifier);
    assert_eq!(account["connector"], CONNECTION);
}
