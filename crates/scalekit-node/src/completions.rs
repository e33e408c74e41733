//! Finished client calls waiting for JS, and how JS is woken for them (docs/architecture.md).
//!
//! One thread-safe function per client (instead of napi's one per call) saves a handle per call
//! and lets one wake-up deliver a whole batch. It is created weak: an idle client never keeps
//! Node alive; JS references it while calls are in flight.

use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use napi::bindgen_prelude::{Array, BufferSlice, Env, JavaScriptClassExt};
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

    /// The queued records as one flat array, `[id, head, body, id, head, body, …]` (one array
    /// costs JS less than three columns in an object). A body that cannot become a JS value
    /// (longer than V8's longest string, or memory refused) turns into a failure record for its
    /// own call: the other calls of the batch, and the process, go on.
    pub(crate) fn take<'env>(&self, env: &'env Env) -> napi::Result<Array<'env>> {
        let batch = std::mem::take(&mut *lock(&self.queue));
        let len = u32::try_from(batch.len().saturating_mul(3)).unwrap_or(u32::MAX);
        let mut records = env.create_array(len)?;
        for (index, (id, head, body)) in (0..len).step_by(3).zip(batch) {
            records.set(index, id)?;
            let size = body.len();
            if let Err(e) = set_body(env, &mut records, index + 2, body) {
                let why = match e.reason.as_str() {
                    "" => String::new(),
                    reason => format!(" ({reason})"),
                };
                let error = ScalekitError::Protocol {
                    message: format!(
                        "the response body ({size} bytes) is too large for a JavaScript value{why}: \
                         use responseType: 'stream' for large bodies"
                    ),
                };
                let (failure_head, failure_body) = outcome::of_failure(&error);
                records.set(index + 1, failure_head)?;
                set_body(env, &mut records, index + 2, failure_body)?;
                continue;
            }
            records.set(index + 1, head)?;
        }
        Ok(records)
    }
}

/// Bytes below this size are copied into a JS Buffer: an external Buffer over a small slice
/// would keep the whole read buffer it came from alive until a gc.
const COPY_BELOW: usize = 64 * 1024;

/// A Buffer over a body's bytes: a large body is handed over without a copy, the Buffer owning
/// its `Bytes` (docs/architecture.md, "Copies").
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

fn set_body(env: &Env, bodies: &mut Array<'_>, index: u32, body: Body) -> napi::Result<()> {
    match body {
        Body::Text(text) => bodies.set(index, env.create_string(&text)?),
        Body::Utf8(text) => bodies.set(index, env.create_string(text.as_str())?),
        Body::Bytes(bytes) => bodies.set(index, &buffer(env, bytes)?),
        Body::Stream(stream) => {
            bodies.set(index, NativeBodyStream::new(stream).into_instance(env)?)
        }
    }
}
