//! Options, and stopping: `close()` and drop.

use scalekit_local::{EmulatorOptions, LocalScalekit};
use serde_json::json;

use crate::common::{client, eventually, options, Api, CONNECTIONS};

#[tokio::test]
async fn close_stops_listening() {
    let api = Api::start(EmulatorOptions::default()).await;
    let url = api.sk.url();
    let echo = api.sk.echo_url();
    // Keep a connection alive so graceful shutdown has something to close.
    assert_eq!(api.get(CONNECTIONS).await.0, 200);
    api.sk.close().await;
    api.sk.close().await;
    for u in [url, echo] {
        let fresh = client();
        assert!(
            fresh.get(format!("{u}{CONNECTIONS}")).send().await.is_err(),
            "{u} still answers"
        );
    }

    // Drop also stops the servers: aborted tasks release the listener soon after, so wait for
    // the refusal itself rather than for a guessed delay.
    let sk = LocalScalekit::start(EmulatorOptions::default())
        .await
        .unwrap();
    let url = sk.url();
    drop(sk);
    eventually("the dropped emulator refuses connections", || async {
        client().get(&url).send().await.is_err()
    })
    .await;
}

#[tokio::test]
async fn options_parsing() {
    assert!(EmulatorOptions::from_json(r#"{"hots": "x"}"#).is_err());
    let o = EmulatorOptions::from_json(
        r#"{"connections":[{"name":"n","authType":"BASIC_AUTH"}],"port":0}"#,
    )
    .unwrap();
    assert_eq!(o.connections.unwrap()[0].provider, None);
    assert!(EmulatorOptions::from_file("/nonexistent/options.json").is_err());
    let bad = options(
        json!({"connections": [{"name": "n"}], "accounts": [{"connectionName": "m", "identifier": "i"}]}),
    );
    assert!(LocalScalekit::start(bad).await.is_err());
}
