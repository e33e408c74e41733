//! Finished client calls waiting for JS, and how JS is woken for them (docs/architecture.md).
//!
//! One thread-safe function per client (instead of napi's one per call) saves a handle per call
//! and lets one wake-up deliver a whole batch. It is created weak: an idle client never keeps
//! Node alive; JS references it while calls are in flight.

use std::sync::{Mutex, RwLock};

use napi::bindgen_prelude::{Buffer, Either};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

use super::outcome::Body;
use crate::sync::{lock, read};

/// Called with the client's id; JS then calls `takeCompletions`.
pub(crate) type WakeFunction = ThreadsafeFunction<(), (), u32, Status, false, true>;

#[derive(Default)]
pub(crate) struct Completions {
    queue: Mutex<NativeCompletions>,
    pub(crate) wake: RwLock<Option<WakeFunction>>,
}

/// A batch of outcome records, as columns: call `ids[i]` ended with `heads[i]` and `bodies[i]`.
#[napi_derive::napi(object)]
#[derive(Default)]
pub struct NativeCompletions {
    pub ids: Vec<u32>,
    pub heads: Vec<String>,
    pub bodies: Vec<Either<String, Buffer>>,
}

impl Completions {
    pub(crate) fn push(&self, id: u32, (head, body): (String, Body)) {
        let first = {
            let mut queue = lock(&self.queue);
            queue.ids.push(id);
            queue.heads.push(head);
            queue.bodies.push(body);
            queue.ids.len() == 1
        };
        // Only the first completion of a batch wakes JS; the wake-up drains everything queued.
        if first {
            if let Some(wake) = read(&self.wake).as_ref() {
                wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    }

    pub(crate) fn take(&self) -> NativeCompletions {
        std::mem::take(&mut *lock(&self.queue))
    }
}
