//! A body given as a stream is sent once: it cannot be replayed, so a 503 that would be retried
//! for a body in memory goes to the caller after the one attempt.

use bytes::Bytes;
use scalekit_core::proxy::{ProxyBody, ProxyParams, RetrySetting};
use scalekit_core::transport::Upload;
use serde_json::json;
use tokio::sync::mpsc;

use crate::common::{http_failure, proxy_call, Reply, Stub, PROXY_PATH};

const MAX_RETRIES: u32 = 2;
const CHUNKS: [&[u8]; 3] = [b"first,", b"second,", b"third"];

/// A streamed body as the Node glue makes one: chunks in a channel, ended by closing it.
fn streamed() -> ProxyBody {
    let (chunks, received) = mpsc::channel(CHUNKS.len());
    for chunk in CHUNKS {
        chunks.try_send(Ok(Bytes::from_static(chunk))).unwrap();
    }
    ProxyBody::Stream {
        upload: Upload::new(received),
        content_type: None,
    }
}

/// The same bytes, in memory.
fn in_memory() -> ProxyBody {
    ProxyBody::Raw(Bytes::from(CHUNKS.concat()))
}

/// A stub answering every proxy call 503, asking to retry at once or (without `Retry-After`)
/// leaving the wait to the client's backoff.
async fn unavailable(retry_after: bool) -> Stub {
    Stub::start(move |seen| {
        (seen.path == PROXY_PATH).then(|| {
            let reply = Reply::json(503, json!({"code": 14, "message": "try again"}));
            match retry_after {
                true => reply.header("retry-after", "0"),
                false => reply,
            }
        })
    })
    .await
}

/// Calls that the client retries on 503 when their body can be sent again: a PUT (idempotent)
/// by default, a POST whose caller opted in.
fn retried_calls(body: fn() -> ProxyBody) -> [(&'static str, ProxyParams); 2] {
    [
        (
            "PUT",
            ProxyParams {
                body: Some(body()),
                ..proxy_call("PUT")
            },
        ),
        (
            "POST with retry",
            ProxyParams {
                body: Some(body()),
                retry: RetrySetting::Count(MAX_RETRIES),
                ..proxy_call("POST")
            },
        ),
    ]
}

/// Every call of `retried_calls(body)` against a stub answering 503, with and without
/// `Retry-After`: each case's name and the attempts the stub saw, once the caller got the 503.
async fn attempts_on_503(body: fn() -> ProxyBody) -> Vec<(String, Vec<crate::common::Seen>)> {
    let mut seen = Vec::new();
    for retry_after in [true, false] {
        for (case, call) in retried_calls(body) {
            let case = format!("{case}, Retry-After: {retry_after}");
            let stub = unavailable(retry_after).await;
            let failure = http_failure(stub.client(MAX_RETRIES).request(call).await);
            assert_eq!(failure.status, 503, "{case}");
            seen.push((case, stub.seen(PROXY_PATH)));
        }
    }
    seen
}

#[tokio::test]
async fn a_streamed_body_answered_503_is_sent_once_and_the_503_is_the_answer() {
    for (case, attempts) in attempts_on_503(streamed).await {
        assert_eq!(attempts.len(), 1, "{case}");
        assert_eq!(
            attempts[0].body,
            CHUNKS.concat(),
            "{case}: the stream arrived"
        );
    }
}

/// The control: the same calls with the body in memory are retried, so the test above pins
/// the stream, not the method or the status.
#[tokio::test]
async fn the_same_body_in_memory_is_retried() {
    for (case, attempts) in attempts_on_503(in_memory).await {
        assert_eq!(attempts.len(), 1 + MAX_RETRIES as usize, "{case}");
        assert!(attempts.iter().all(|s| s.body == CHUNKS.concat()), "{case}");
    }
}
