//! Finished client calls waiting for JS, and how JS is woken for them (docs/architecture.md).
//!
//! One thread-safe function per client (instead of napi's one per call) saves a handle per call
//! and lets one wake-up deliver a whole batch. It is created weak: an idle client never keeps
//! Node alive; JS references it while calls are in flight.

use std::sync::{Mutex, RwLock};

use bytes::Bytes;

use napi::bindgen_prelude::{Array, BufferSlice, Env, JavaScriptClassExt, Object};
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
    pub(crate) fn push(&self, id: u32, (head, body): (String, Body)) {
        let first = {
            let mut queue = lock(&self.queue);
            queue.push((id, head, body));
            queue.len() == 1
        };
        // Only the first completion of a batch wakes JS; the wake-up drains everything queued.
        if first {
            if let Some(wake) = read(&self.wake).as_ref() {
                wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    }

    /// The queued records as `{ ids, heads, bodies }` columns. A body that cannot become a JS
    /// value (longer than V8's longest string, or memory refused) turns into a failure record
    /// for its own call: the other calls of the batch, and the process, go on.
    pub(crate) fn take<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let batch = std::mem::take(&mut *lock(&self.queue));
        let len = u32::try_from(batch.len()).unwrap_or(u32::MAX);
        let mut ids = env.create_array(len)?;
        let mut heads = env.create_array(len)?;
        let mut bodies = env.create_array(len)?;
        for (index, (id, head, body)) in (0..len).zip(batch) {
            ids.set(index, id)?;
            let size = body.len();
            if let Err(e) = set_body(env, &mut bodies, index, body) {
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
                heads.set(index, failure_head)?;
                set_body(env, &mut bodies, index, failure_body)?;
                continue;
            }
            heads.set(index, head)?;
        }
        let mut columns = Object::new(env)?;
        columns.set("ids", ids)?;
        columns.set("heads", heads)?;
        columns.set("bodies", bodies)?;
        Ok(columns)
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
