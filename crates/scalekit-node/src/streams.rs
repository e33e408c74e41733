//! Streamed bodies across the boundary (docs/architecture.md, "Streamed bodies").
//!
//! Downloads: a 2xx answer of `responseType: 'stream'` completes its record with a
//! [`NativeBodyStream`], which `lib/streams.js` wraps in a Node Readable that pulls one chunk per
//! `read()`: a slow consumer slows the socket. Uploads: JS writes the chunks of a stream body
//! into an upload sink whose channel holds a few chunks at most, so a slow socket slows the
//! producer.

// Only JS calls the entry points, so test builds (where napi registers nothing) see them as unused.
#![cfg_attr(test, allow(dead_code))]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use tokio::sync::mpsc;

use crate::failure::to_napi;
use scalekit_core::cancel::{abortable, CancelSignal};
use scalekit_core::transport::{BodyStream, Upload};
use scalekit_wire::sync::lock;

/// Chunks an upload may have queued before the producer waits for the socket.
const UPLOAD_QUEUE: usize = 4;

#[napi]
pub struct NativeBodyStream {
    body: Arc<tokio::sync::Mutex<Option<BodyStream>>>,
    cancel: CancelSignal,
}

impl NativeBodyStream {
    pub(crate) fn new(body: BodyStream) -> Self {
        NativeBodyStream {
            body: Arc::new(tokio::sync::Mutex::new(Some(body))),
            cancel: CancelSignal::new(),
        }
    }
}

#[napi]
impl NativeBodyStream {
    /// The next chunk, or `null` at the end. Fails with a failure description (network,
    /// timeout, aborted) after which the stream is closed.
    #[napi]
    pub async fn read(&self) -> napi::Result<Option<Buffer>> {
        let body = Arc::clone(&self.body);
        let next = abortable(Some(&self.cancel), async {
            match body.lock().await.as_mut() {
                Some(stream) => stream.next_chunk().await,
                None => Ok(None),
            }
        })
        .await;
        match next {
            Ok(Some(chunk)) => Ok(Some(Buffer::from(Vec::from(chunk)))),
            Ok(None) => {
                body.lock().await.take();
                Ok(None)
            }
            Err(e) => {
                // Dropping the response closes its connection.
                body.lock().await.take();
                Err(to_napi(e))
            }
        }
    }

    /// Stops the download: a pending `read` fails with `aborted` and the connection is closed.
    #[napi]
    pub fn cancel(&self) {
        self.cancel.cancel();
        if let Ok(mut body) = self.body.try_lock() {
            body.take();
        }
    }
}

type Chunk = Result<Bytes, std::io::Error>;

/// Upload sinks by id: JS writes into the sender; the request took (or will take) the receiver.
struct Sink {
    chunks: mpsc::Sender<Chunk>,
    unsent: Option<mpsc::Receiver<Chunk>>,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);
static SINKS: LazyLock<Mutex<HashMap<u32, Sink>>> = LazyLock::new(Default::default);

/// A new upload sink; its id goes with the call (`bodyUpload`) and to the writes.
#[napi]
pub fn new_upload() -> u32 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let (chunks, unsent) = mpsc::channel(UPLOAD_QUEUE);
    lock(&SINKS).insert(
        id,
        Sink {
            chunks,
            unsent: Some(unsent),
        },
    );
    id
}

/// The body of the call an upload sink feeds; `None` when the id is unknown or taken.
pub(crate) fn take_upload(id: u32) -> Option<Upload> {
    lock(&SINKS)
        .get_mut(&id)
        .and_then(|sink| sink.unsent.take())
        .map(Upload::new)
}

fn sender(id: u32) -> Option<mpsc::Sender<Chunk>> {
    lock(&SINKS).get(&id).map(|sink| sink.chunks.clone())
}

/// Queues a chunk; resolves once there is room (backpressure). `false`: the request no longer
/// reads (it ended, failed or was aborted), so the producer should stop.
#[napi]
pub async fn upload_write(id: u32, chunk: Buffer) -> bool {
    let Some(chunks) = sender(id) else {
        return false;
    };
    // The one copy of an uploaded chunk: JS may reuse its buffer once this resolves.
    chunks.send(Ok(Bytes::from(chunk.to_vec()))).await.is_ok()
}

/// The body is complete: the request sends its end.
#[napi]
pub fn upload_end(id: u32) {
    lock(&SINKS).remove(&id);
}

/// The producer failed: the request fails with this message, and the connection is closed.
#[napi]
pub async fn upload_fail(id: u32, message: String) {
    let chunks = sender(id);
    lock(&SINKS).remove(&id);
    if let Some(chunks) = chunks {
        let _ = chunks
            .send(Err(std::io::Error::other(format!(
                "the request body stream failed: {message}"
            ))))
            .await;
    }
}
