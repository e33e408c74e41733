//! scalekit-node: the napi glue, the only crate that knows napi. It converts JS values to the
//! client core's and LocalScalekit's types and back, nothing else. Every async call completes as
//! one outcome record (`outcome.rs`); argument rules live in `scalekit_core::args`
//! (docs/architecture.md "Crates").

mod args;
mod cancel;
mod cli;
mod client;
mod completions;
mod failure;
mod local;
mod outcome;
mod streams;

use napi_derive::napi;

use scalekit_wire::names::{CONNECTOR_STATUS_NAMES, CONNECTOR_TYPE_NAMES};

// glibc malloc showed up as ~15% of a proxied call's CPU; mimalloc is markedly cheaper for the
// many small, short-lived allocations of a request.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One tokio worker thread: every call's work is I/O-bound and short, and a single worker avoids
/// the cross-thread wake-ups and work stealing that cost more CPU per call than they save.
#[napi_derive::module_init]
fn init_runtime() {
    let workers = std::env::var("SCALEKIT_NATIVE_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(1);
    if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("scalekit-native")
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// The connected-account enum names, from their one home in Rust (`lib/enums.js`).
#[napi(object)]
pub struct NativeEnumNames {
    pub connector_status: Vec<String>,
    pub connector_type: Vec<String>,
}

// Only JS calls it, so test builds (where napi registers nothing) see it as unused.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn enum_names() -> NativeEnumNames {
    let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
    NativeEnumNames {
        connector_status: list(&CONNECTOR_STATUS_NAMES),
        connector_type: list(&CONNECTOR_TYPE_NAMES),
    }
}
