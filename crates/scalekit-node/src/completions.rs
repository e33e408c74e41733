//! Finished client calls waiting for JS, and how JS is woken for them (docs/architecture.md).
//!
//! One thread-safe function per client (instead of napi's one per call) saves a handle per call
//! and lets one wake-up deliver a whole batch. It is created weak: an idle client never keeps
//! Node alive; JS references it while calls are in flight.

use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use napi::bindgen_prelude::{Array, BufferSlice, Env, JavaScriptClassExt, JsValue, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

use crate::outcome::{self, Body};
use crate::streams::NativeBodyStream;
use scalekit_core::errors::ScalekitError;
use scalekit_wire::sync::{lock, read};

/// Called with the client's id; JS then calls `takeCompletions`.
pub(crate) type WakeFunction = ThreadsafeFunction<(), (), u32, Status, false, true>;

#[derive(Default)]
pub(crate) struct Completions {
    queue: Mutex<Vec<(u32, String, Body)>>,
    pub(crate) wake: RwLock<Option<WakeFunction>>,
}

impl Completions {
    /// Queues a record. Only the first of a batch wakes JS, and from the runtime not at once: a
    /// task that yields first runs once the worker has run every other task that was ready and
    /// polled the sockets again, so the calls that finish together reach JS in one wake-up (each
    /// wake-up is a cross-thread signal and a JS callback: at 64 calls in flight they were one per
    /// 1.3 calls). A record queued off the runtime (a call refused on the JS thread) wakes at once.
    pub(crate) fn push(self: &Arc<Self>, id: u32, (head, body): (String, Body)) {
        let first = {
            let mut queue = lock(&self.queue);
            queue.push((id, head, body));
            queue.len() == 1
        };
        if !first {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let this = Arc::clone(self);
                runtime.spawn(async move {
                    tokio::task::yield_now().await;
                    this.wake();
                });
            }
            Err(_) => self.wake(),
        }
    }

    fn wake(&self) {
        if let Some(wake) = read(&self.wake).as_ref() {
            wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    /// The queued records as one array of strings, each `id \n head`, then `\0 body` when the
    /// body is a short text; any other body (bytes, a stream, a long text) is the next element.
    /// One string per call is one napi value to make and one to set, where three cost three
    /// times as much. A body that cannot become a JS value (longer than V8's longest string, or
    /// memory refused) turns into a failure record for its own call: the other calls of the
    /// batch, and the process, go on.
    pub(crate) fn take<'env>(&self, env: &'env Env) -> napi::Result<Array<'env>> {
        let batch = std::mem::take(&mut *lock(&self.queue));
        let mut records = env.create_array(0)?;
        let mut index = 0u32;
        for (id, head, body) in batch {
            let text = match &body {
                Body::Text(text) => Some(text.as_str()),
                Body::Utf8(text) => Some(text.as_str()),
                Body::Bytes(_) | Body::Stream(_) => None,
            };
            if let Some(text) = text.filter(|t| t.len() <= JOIN_TEXT_BELOW) {
                let mut record = String::with_capacity(12 + head.len() + text.len());
                push_id_head(&mut record, id, &head);
                record.push('\0');
                record.push_str(text);
                records.set(index, env.create_string(&record)?)?;
                index += 1;
                continue;
            }
            let size = body.len();
            let (head, body) = match to_js(env, body) {
                Ok(value) => (head, Ok(value)),
                Err(e) => {
                    let why = match e.reason.as_str() {
                        "" => String::new(),
                        reason => format!(" ({reason})"),
                    };
                    let error = ScalekitError::Protocol {
                        message: format!(
                            "the response body ({size} bytes) is too large for a JavaScript \
                             value{why}: use responseType: 'stream' for large bodies"
                        ),
                    };
                    (outcome::of_failure(&error).0, Err(()))
                }
            };
            let mut record = String::with_capacity(12 + head.len() + 1);
            push_id_head(&mut record, id, &head);
            if body.is_err() {
                // The failure's body is empty text.
                record.push('\0');
            }
            records.set(index, env.create_string(&record)?)?;
            index += 1;
            if let Ok(value) = body {
                records.set(index, value)?;
                index += 1;
            }
        }
        Ok(records)
    }
}

/// Texts up to this size travel in their record's string; longer ones as a string of their own
/// (joining would copy them once more).
const JOIN_TEXT_BELOW: usize = 64 * 1024;

fn push_id_head(record: &mut String, id: u32, head: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(record, "{id}");
    record.push_str(head);
}

/// Bytes below this size are copied into a JS Buffer: an external Buffer over a small slice
/// would keep the whole read buffer it came from alive until a gc.
const COPY_BELOW: usize = 64 * 1024;

/// A Buffer over a body's bytes: a large body is handed over without a copy, the Buffer owning
/// its `Bytes` (docs/architecture.md, "Streamed bodies", its Copies paragraph).
fn buffer<'env>(env: &'env Env, bytes: Bytes) -> napi::Result<BufferSlice<'env>> {
    if bytes.len() < COPY_BELOW {
        return BufferSlice::copy_from(env, &bytes);
    }
    let data = bytes.as_ptr().cast_mut();
    let len = bytes.len();
    // SAFETY: `bytes` (the finalize hint) keeps the memory alive until the Buffer is collected.
    // JS may write into it: a body's bytes are its record's alone (a large body is never static
    // memory, and no other `Bytes` reads this range).
    unsafe { BufferSlice::from_external(env, data, len, bytes, |_, bytes| drop(bytes)) }
}

/// A record's body as a JS value: a string, a Buffer, or a stream handle.
fn to_js<'env>(env: &'env Env, body: Body) -> napi::Result<Unknown<'env>> {
    Ok(match body {
        Body::Text(text) => env.create_string(&text)?.to_unknown(),
        Body::Utf8(text) => env.create_string(text.as_str())?.to_unknown(),
        Body::Bytes(bytes) => buffer(env, bytes)?.to_unknown(),
        Body::Stream(stream) => NativeBodyStream::new(stream)
            .into_instance(env)?
            .as_object(env)
            .to_unknown(),
    })
}
