//! `maxResponseBytes` counts the bytes a body decodes to, not what it declares: compression
//! bombs (gzip, deflate, brotli) whose declared length is tiny are refused, a body of exactly the
//! limit is accepted and one byte more is not, compressed, chunked or with a length.

use std::collections::HashMap;

use async_compression::tokio::bufread::{BrotliEncoder, GzipEncoder, ZlibEncoder};
use async_compression::Level;
use bytes::Bytes;
use scalekit_core::client::ScalekitClient;
use scalekit_core::config::ClientOptions;
use scalekit_core::errors::ScalekitError;
use scalekit_core::proxy::ProxyParams;
use scalekit_core::transport::RawResponse;
use tokio::io::AsyncReadExt;

use crate::common::{proxy_call, Reply, Stub};

/// The client's `maxResponseBytes` in these tests.
const LIMIT: usize = 64 * 1024;
/// What a bomb decodes to: far past the limit.
const BOMB: usize = 8 * 1024 * 1024;
/// The pieces of a chunked answer: the limit is reached across several of them.
const PIECE: usize = 4096;

/// HTTP content codings; `deflate` is the zlib format (RFC 9110 §8.4.1.2).
const ENCODINGS: [&str; 3] = ["gzip", "deflate", "br"];

async fn compress(encoding: &str, plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => GzipEncoder::with_quality(plain, Level::Best)
            .read_to_end(&mut out)
            .await
            .unwrap(),
        "deflate" => ZlibEncoder::with_quality(plain, Level::Best)
            .read_to_end(&mut out)
            .await
            .unwrap(),
        // The fastest brotli still shrinks zeros a thousandfold, and stays quick unoptimized.
        "br" => BrotliEncoder::with_quality(plain, Level::Fastest)
            .read_to_end(&mut out)
            .await
            .unwrap(),
        other => panic!("no encoding {other}"),
    };
    out
}

/// `n` bytes that are not all alike, so a wrong slice or a lost chunk would show.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A stub answering `/proxy/v1/<name>` with the reply named so; a client limited to [`LIMIT`].
async fn serving(replies: HashMap<String, Reply>) -> (Stub, ScalekitClient) {
    let stub = Stub::start(move |seen| {
        let name = seen.path.strip_prefix("/proxy/v1/")?;
        replies.get(name).cloned()
    })
    .await;
    let client = stub.client_with(ClientOptions {
        max_response_bytes: Some(LIMIT as f64),
        max_retries: Some(0.0),
        ..Default::default()
    });
    (stub, client)
}

async fn get(client: &ScalekitClient, name: &str) -> Result<RawResponse, ScalekitError> {
    let call = ProxyParams {
        path: Some(format!("/v1/{name}")),
        ..proxy_call("GET")
    };
    client.request(call).await
}

fn assert_too_large(result: Result<RawResponse, ScalekitError>, case: &str) {
    match result {
        Err(ScalekitError::TooLarge { limit, adjustable }) => {
            assert_eq!(limit, LIMIT as u64, "{case}");
            assert!(
                adjustable,
                "{case}: a proxy call's limit is the caller's maxResponseBytes"
            );
        }
        Err(other) => panic!("{case}: expected TooLarge, got {other:?}"),
        Ok(response) => panic!(
            "{case}: expected TooLarge, got {} with {} bytes",
            response.status,
            response.body.len()
        ),
    }
}

fn encoded(encoding: &str, body: Vec<u8>) -> Reply {
    Reply::bytes(200, body).header("content-encoding", encoding)
}

#[tokio::test]
async fn compression_bombs_are_refused_though_their_declared_length_is_small() {
    let mut replies = HashMap::new();
    let mut cases = Vec::new();
    for encoding in ENCODINGS {
        let bomb = compress(encoding, &vec![0u8; BOMB]).await;
        // What goes on the wire (and any content-length) is far under the limit.
        assert!(bomb.len() < LIMIT / 4, "{encoding}: {} bytes", bomb.len());
        for chunked in [false, true] {
            let name = format!("{encoding}-{}", if chunked { "chunked" } else { "length" });
            let reply = encoded(encoding, bomb.clone());
            let reply = match chunked {
                true => reply.chunked(PIECE),
                false => reply,
            };
            replies.insert(name.clone(), reply);
            cases.push(name);
        }
    }
    let (stub, client) = serving(replies).await;
    for name in &cases {
        assert_too_large(get(&client, name).await, name);
    }
    assert_eq!(stub.api_requests().len(), cases.len(), "one attempt each");
}

#[tokio::test]
async fn a_compressed_body_decoding_to_the_limit_is_accepted_one_byte_more_is_not() {
    let at_limit = pattern(LIMIT);
    let over = pattern(LIMIT + 1);
    let mut replies = HashMap::new();
    for encoding in ENCODINGS {
        let small = compress(encoding, &at_limit).await;
        let big = compress(encoding, &over).await;
        // Both are smaller than the limit on the wire: only their decoded size tells them apart.
        assert!(big.len() < LIMIT, "{encoding}: {} bytes", big.len());
        replies.insert(format!("{encoding}-at"), encoded(encoding, small));
        replies.insert(format!("{encoding}-over"), encoded(encoding, big));
    }
    let (_stub, client) = serving(replies).await;
    for encoding in ENCODINGS {
        let response = get(&client, &format!("{encoding}-at")).await.unwrap();
        assert_eq!(response.status, 200, "{encoding}");
        assert!(
            response.body == at_limit,
            "{encoding}: the body decoded whole"
        );
        assert_too_large(
            get(&client, &format!("{encoding}-over")).await,
            &format!("{encoding}, one byte over"),
        );
    }
}

#[tokio::test]
async fn a_plain_body_at_the_limit_is_accepted_one_byte_over_is_refused() {
    let at_limit = Bytes::from(pattern(LIMIT));
    let over = Bytes::from(pattern(LIMIT + 1));
    let replies = HashMap::from([
        // No content-length: only counting the bytes as they come can catch the last one.
        (
            "chunked-at".to_string(),
            Reply::bytes(200, at_limit.clone()).chunked(PIECE),
        ),
        (
            "chunked-over".to_string(),
            Reply::bytes(200, over.clone()).chunked(PIECE),
        ),
        ("length-at".to_string(), Reply::bytes(200, at_limit.clone())),
        ("length-over".to_string(), Reply::bytes(200, over)),
    ]);
    let (_stub, client) = serving(replies).await;
    for framing in ["chunked", "length"] {
        let response = get(&client, &format!("{framing}-at")).await.unwrap();
        assert_eq!(response.body, at_limit, "{framing}: the whole body");
        assert_too_large(
            get(&client, &format!("{framing}-over")).await,
            &format!("{framing}, one byte over"),
        );
    }
}

/// Scalekit's own answers have a fixed limit that `maxResponseBytes` does not change, so their
/// refusal does not advise raising it; a control-plane URL too long for any request is refused by
/// the params that made it long, before anything is sent.
#[tokio::test]
async fn control_plane_limits_are_scalekits_own() {
    use scalekit_core::accounts::{AccountOperation, Params};
    use scalekit_core::config::DEFAULT_MAX_RESPONSE_BYTES;
    let over = Reply::bytes(200, vec![0u8; DEFAULT_MAX_RESPONSE_BYTES as usize + 1]);
    let stub = Stub::start(move |seen| seen.path.starts_with("/api/").then(|| over.clone())).await;
    let client = stub.client_with(ClientOptions {
        max_response_bytes: Some(4.0 * DEFAULT_MAX_RESPONSE_BYTES as f64),
        max_retries: Some(0.0),
        ..Default::default()
    });
    let params = Params::from_json(r#"{"connectionName":"c","identifier":"u"}"#).unwrap();
    match client.accounts_call(AccountOperation::Get, &params).await {
        Err(ScalekitError::TooLarge { limit, adjustable }) => {
            assert_eq!(limit, DEFAULT_MAX_RESPONSE_BYTES);
            assert!(!adjustable, "not the caller's maxResponseBytes");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let identifier = "x".repeat(70_000);
    let long = Params::from_json(&format!(
        r#"{{"connectionName":"c","identifier":"{identifier}"}}"#
    ))
    .unwrap();
    match client.accounts_call(AccountOperation::Get, &long).await {
        Err(ScalekitError::Validation { argument, message }) => {
            assert_eq!(argument, "params");
            assert!(!message.contains("xxxx"), "the URL is not repeated");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(stub.api_requests().len(), 1, "only the first call was sent");
}

/// A body that fails while being read (here: not the gzip it says it is) names the request's URL,
/// without its query.
#[tokio::test]
async fn a_body_failing_mid_read_names_its_url() {
    let broken =
        Reply::bytes(200, &b"not gzip at all, not at all"[..]).header("content-encoding", "gzip");
    let (stub, client) = serving(HashMap::from([("broken".to_string(), broken)])).await;
    let call = ProxyParams {
        path: Some("/v1/broken?q=private".into()),
        ..proxy_call("GET")
    };
    match client.request(call).await {
        Err(ScalekitError::Network { message, .. }) => {
            let prefix = format!(
                "reading the response body of {}/proxy/v1/broken failed: ",
                stub.url
            );
            assert!(message.starts_with(&prefix), "{message}");
            assert!(!message.contains("private"), "{message}");
        }
        other => panic!("expected a network failure, got {other:?}"),
    }
}
