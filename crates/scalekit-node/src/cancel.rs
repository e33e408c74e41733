//! AbortSignal wiring: JS takes an id before a call and cancels it by id on `abort`.

// Only JS calls the entry points, so test builds (where napi registers nothing) see them as unused.
#![cfg_attr(test, allow(dead_code))]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex};

use napi_derive::napi;

use scalekit_core::cancel::CancelSignal;
use scalekit_wire::sync::lock;

static NEXT_ID: AtomicU32 = AtomicU32::new(1);
static SIGNALS: LazyLock<Mutex<HashMap<u32, CancelSignal>>> = LazyLock::new(Default::default);

fn signals() -> std::sync::MutexGuard<'static, HashMap<u32, CancelSignal>> {
    lock(&SIGNALS)
}

/// Registers a cancellable call; the id goes with the call and to `cancelCall` on abort.
#[napi]
pub fn new_cancel_id() -> u32 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    signals().insert(id, CancelSignal::new());
    id
}

#[napi]
pub fn cancel_call(id: u32) {
    if let Some(signal) = signals().get(&id) {
        signal.cancel();
    }
}

/// The signal of a call, released from the registry when the call ends (the guard drops).
pub(crate) struct CallSignal {
    id: Option<u32>,
    signal: Option<CancelSignal>,
}

impl CallSignal {
    pub(crate) fn take(id: Option<u32>) -> Self {
        let signal = id.and_then(|id| signals().get(&id).cloned());
        CallSignal { id, signal }
    }

    pub(crate) fn signal(&self) -> Option<&CancelSignal> {
        self.signal.as_ref()
    }
}

impl Drop for CallSignal {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            signals().remove(&id);
        }
    }
}
