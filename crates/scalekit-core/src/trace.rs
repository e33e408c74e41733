//! What a traced call reports besides its outcome (docs/architecture.md, "Tracing"): how many
//! HTTP attempts it made, the token fetch it started, and the REST route of each account
//! operation. Only the calls JS traces run inside a [`CallTrace`] scope: for every other call,
//! counting an attempt finds no scope and does nothing.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::accounts::{
    AccountOperation, ACCOUNTS_PATH, ACCOUNT_AUTH_PATH, ACCOUNT_DETAILS_PATH, APP_CONNECTIONS_PATH,
    AVAILABLE_TOOLS_PATH, DELETE_PATH, EXECUTE_TOOL_PATH, MAGIC_LINK_PATH, SCOPED_TOOLS_PATH,
    SEARCH_TOOLS_PATH, TOOLS_PATH, VERIFY_PATH,
};
use crate::args::Kind;
use crate::errors::ScalekitError;
use scalekit_wire::sync::lock;

/// The method and path of the token request (docs/wire-protocol.md §3).
pub const TOKEN_ROUTE: (&str, &str) = ("POST", "/oauth/token");

tokio::task_local! {
    static CURRENT: Option<Arc<CallTrace>>;
}

/// The counters of one traced call.
#[derive(Debug, Default)]
pub struct CallTrace {
    attempts: AtomicU32,
    /// Every token fetch the call started, in order (the first, and one after a re-authentication).
    tokens: Mutex<Vec<TokenFetch>>,
}

/// A token fetch a traced call started (other calls waiting for the same fetch do not report it).
#[derive(Debug, Clone)]
pub struct TokenFetch {
    pub attempts: u32,
    pub duration: Duration,
    /// `Ok` for a token; the failure (already without the client secret) otherwise.
    pub result: Result<(), ScalekitError>,
}

impl CallTrace {
    /// HTTP attempts of the call itself (its token fetch not included).
    pub fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// The token fetches this call started that have ended, in order.
    pub fn token_fetches(&self) -> Vec<TokenFetch> {
        lock(&self.tokens).clone()
    }
}

/// Runs `work` as the traced call `trace`.
pub async fn traced<F: Future>(trace: Arc<CallTrace>, work: F) -> F::Output {
    CURRENT.scope(Some(trace), work).await
}

/// Counts one HTTP attempt for the traced call running now, if any (`Exchange::send`).
pub fn attempt() {
    let _ = CURRENT.try_with(|trace| {
        if let Some(trace) = trace {
            trace.attempts.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// Runs a token fetch in a scope of its own, so that its attempts are never counted as those of
/// a call that happens to poll it. When a traced call started it (the first poll is the
/// starter's), that call is told how it went.
pub async fn token_fetch<T, F>(fetch: F) -> Result<T, ScalekitError>
where
    F: Future<Output = Result<T, ScalekitError>>,
{
    let Some(starter) = CURRENT.try_with(Clone::clone).ok().flatten() else {
        return CURRENT.scope(None, fetch).await;
    };
    let own = Arc::new(CallTrace::default());
    let started = Instant::now();
    let result = CURRENT.scope(Some(Arc::clone(&own)), fetch).await;
    lock(&starter.tokens).push(TokenFetch {
        attempts: own.attempts(),
        duration: started.elapsed(),
        result: result.as_ref().map(|_| ()).map_err(Clone::clone),
    });
    result
}

/// The HTTP method and REST path an account operation sends (for a multi-step operation, its
/// first request: getOrCreate's lookup, waitForConnectedAccount's first poll, forLLM's first page),
/// docs/wire-protocol.md §4, §11.
/// `tests/client/routes.rs` checks each against the request the client actually sends.
pub fn route(operation: AccountOperation) -> (&'static str, &'static str) {
    use AccountOperation as Op;
    match operation {
        Op::Get | Op::GetOrCreate => ("GET", ACCOUNT_AUTH_PATH),
        Op::Details | Op::WaitActive => ("GET", ACCOUNT_DETAILS_PATH),
        Op::Create => ("POST", ACCOUNTS_PATH),
        Op::Update => ("PUT", ACCOUNTS_PATH),
        Op::Delete => ("POST", DELETE_PATH),
        Op::List => ("GET", ACCOUNTS_PATH),
        Op::AuthorizationLink => ("POST", MAGIC_LINK_PATH),
        Op::VerifyUser => ("POST", VERIFY_PATH),
        Op::ListConnections | Op::ListAppConnections => ("GET", APP_CONNECTIONS_PATH),
        Op::ExecuteTool | Op::ExecuteLlmTool => ("POST", EXECUTE_TOOL_PATH),
        Op::ListTools => ("GET", TOOLS_PATH),
        Op::ListScopedTools | Op::ForLlm => ("GET", SCOPED_TOOLS_PATH),
        Op::ListAvailableTools => ("GET", AVAILABLE_TOOLS_PATH),
        Op::SearchTools => ("POST", SEARCH_TOOLS_PATH),
    }
}

/// The rule for `subscribeTracing(handlers)` (docs/architecture.md, "Tracing"): an object whose
/// keys are `start`, `end` or `error`, each a function (or undefined). `handlers` is the argument's
/// kind, `entries` its own keys with the kinds of their values.
pub fn check_handlers(handlers: &Kind, entries: &[(String, Kind)]) -> Result<(), ScalekitError> {
    if *handlers != Kind::Object {
        return Err(ScalekitError::validation(
            "handlers",
            format!(
                "handlers must be an object of start, end and error functions, got {}",
                handlers.type_of()
            ),
        ));
    }
    for (key, kind) in entries {
        let argument = match key.as_str() {
            "start" => "handlers.start",
            "end" => "handlers.end",
            "error" => "handlers.error",
            _ => {
                return Err(ScalekitError::validation(
                    "handlers",
                    format!(
                        "handlers.{key} is not a tracing event: the handlers are start, end and \
                         error"
                    ),
                ))
            }
        };
        if !matches!(kind, Kind::Function | Kind::Undefined) {
            return Err(ScalekitError::validation(
                argument,
                format!("{argument} must be a function, got {}", kind.type_of()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_traced_calls_count_attempts_and_token_fetches() {
        attempt(); // outside any scope: nothing to count, no panic
        let trace = Arc::new(CallTrace::default());
        let token = traced(Arc::clone(&trace), async {
            attempt();
            let token = token_fetch(async {
                attempt();
                attempt();
                Ok::<_, ScalekitError>("t")
            })
            .await;
            attempt();
            token
        })
        .await;
        assert_eq!(token.ok(), Some("t"));
        assert_eq!(
            trace.attempts(),
            2,
            "the token fetch's attempts are its own"
        );
        let fetches = trace.token_fetches();
        assert_eq!(fetches.len(), 1);
        let fetch = &fetches[0];
        assert_eq!(fetch.attempts, 2);
        assert!(fetch.result.is_ok());
        let untraced = token_fetch(async { Err::<(), _>(ScalekitError::Aborted) }).await;
        assert!(untraced.is_err());
    }

    #[test]
    fn handlers_are_start_end_and_error_functions() {
        let f = |k: &str| (k.to_string(), Kind::Function);
        assert!(check_handlers(&Kind::Object, &[f("start"), f("end"), f("error")]).is_ok());
        assert!(check_handlers(&Kind::Object, &[]).is_ok());
        let refused =
            |given: &Kind, entries: &[(String, Kind)]| match check_handlers(given, entries) {
                Err(ScalekitError::Validation { argument, message }) => {
                    (argument.into_owned(), message)
                }
                other => panic!("{other:?}"),
            };
        assert_eq!(
            refused(&Kind::Array, &[]),
            (
                "handlers".into(),
                "handlers must be an object of start, end and error functions, got object".into()
            )
        );
        assert_eq!(refused(&Kind::Object, &[f("strat")]).0, "handlers");
        assert_eq!(
            refused(&Kind::Object, &[("end".into(), Kind::Number)]),
            (
                "handlers.end".into(),
                "handlers.end must be a function, got number".into()
            )
        );
    }
}
