//! The client core under process-wide environment variables (`NODE_EXTRA_CA_CERTS`, the proxy
//! variables and `NO_PROXY`): a test binary of its own, each test holding the environment for
//! its whole run (`common::Env`), so that nothing else runs while it is changed.

mod common;

mod proxies;
mod trust;
