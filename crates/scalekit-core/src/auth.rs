//! The client-credentials token cache: single-flight fetch, renewal, invalidation. The fetch itself
//! (docs/wire-protocol.md §3) is in `token_endpoint.rs`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, FutureExt, Shared, WeakShared};
use http::header::HeaderValue;
use tokio::time::Instant;

use crate::errors::ScalekitError;
use scalekit_wire::sync::lock;

/// Renew this long before `expires_in` runs out, at most (in the background: calls go on with
/// the current token meanwhile).
const MAX_RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Stop using a token this long before `expires_in` runs out, at most.
const EXPIRY_SLACK: Duration = Duration::from_secs(5);
/// After a failed background renewal, wait this long before trying again.
const RENEW_RETRY_PAUSE: Duration = Duration::from_secs(1);

/// A cached access token, ready to use as a header value.
pub struct AccessToken {
    /// `Bearer <token>`, marked sensitive so HTTP debugging hides it.
    header: HeaderValue,
    /// From this instant a renewal starts in the background; `None` when the server gave no expiry.
    renew_at: Option<Instant>,
    /// From this instant the token is not used any more.
    expires_at: Option<Instant>,
}

impl AccessToken {
    pub fn new(token: &str, expires_in: Option<Duration>) -> Result<Self, ScalekitError> {
        let mut header = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            ScalekitError::Protocol {
                message:
                    "the token endpoint returned an access_token that is not a valid header value"
                        .into(),
            }
        })?;
        header.set_sensitive(true);
        let now = Instant::now();
        let renew_at = expires_in.map(|ttl| now + (ttl - (ttl / 10).min(MAX_RENEW_MARGIN)));
        // A little before the server's own expiry, for clock and transit slack.
        let expires_at = expires_in.map(|ttl| now + (ttl - (ttl / 100).min(EXPIRY_SLACK)));
        Ok(AccessToken {
            header,
            renew_at,
            expires_at,
        })
    }

    pub fn header(&self) -> &HeaderValue {
        &self.header
    }

    /// The token itself, for scrubbing it from failures (`""` for one that is not visible ASCII,
    /// which no server can echo back as it was sent).
    pub fn token(&self) -> &str {
        self.header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default()
    }

    fn is_fresh(&self, now: Instant) -> bool {
        self.renew_at.is_none_or(|at| now < at)
    }

    fn is_usable(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[REDACTED]")
            .field("renew_at", &self.renew_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

type TokenResult = Result<Arc<AccessToken>, ScalekitError>;
type SharedFetch = Shared<BoxFuture<'static, TokenResult>>;

/// Where tokens come from: the real endpoint in production, anything in tests.
pub trait TokenSource: Send + Sync + 'static {
    fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>>;
}

/// The token cache. Reads are lock-free; at most one fetch is in flight at a time and every
/// caller that needs a token meanwhile waits for that one.
pub struct TokenCache {
    current: Arc<ArcSwapOption<AccessToken>>,
    /// When the last background renewal failed: the next one waits `RENEW_RETRY_PAUSE`.
    renew_failed_at: Arc<Mutex<Option<Instant>>>,
    in_flight: Mutex<Option<WeakShared<BoxFuture<'static, TokenResult>>>>,
    source: Arc<dyn TokenSource>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache").finish_non_exhaustive()
    }
}

impl TokenCache {
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        TokenCache {
            current: Arc::new(ArcSwapOption::empty()),
            renew_failed_at: Arc::new(Mutex::new(None)),
            in_flight: Mutex::new(None),
            source,
        }
    }

    /// The cached token while it is usable. Past its renewal time, a renewal starts in the
    /// background (one at a time) and calls go on with this token until it expires.
    pub fn cached(&self) -> Option<Arc<AccessToken>> {
        let guard = self.current.load();
        let token = guard.as_ref()?;
        let now = Instant::now();
        if !token.is_usable(now) {
            return None;
        }
        if !token.is_fresh(now) {
            self.renew_in_background(now);
        }
        Some(Arc::clone(token))
    }

    /// A usable token: the cached one, or the result of the one fetch in flight (started if
    /// none is).
    pub async fn get(&self) -> TokenResult {
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        let (fetch, _) = self.shared_fetch();
        fetch.await
    }

    fn renew_in_background(&self, now: Instant) {
        let paused = lock(&self.renew_failed_at).is_some_and(|at| now < at + RENEW_RETRY_PAUSE);
        if paused {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (fetch, started) = self.shared_fetch();
        if started {
            let failed_at = Arc::clone(&self.renew_failed_at);
            // The task keeps the fetch alive although no call waits for it.
            runtime.spawn(async move {
                let failed = fetch.await.is_err();
                *lock(&failed_at) = failed.then(Instant::now);
            });
        }
    }

    /// The fetch in flight, or a new one (`true`).
    fn shared_fetch(&self) -> (SharedFetch, bool) {
        let mut slot = lock(&self.in_flight);
        // A finished fetch is stale: its token was cached (and is no longer fresh) or it failed.
        if let Some(fetch) = slot.as_ref().and_then(WeakShared::upgrade) {
            if fetch.peek().is_none() {
                return (fetch, false);
            }
        }
        let fetch = self.source.fetch();
        let current = Arc::clone(&self.current);
        let shared: SharedFetch = async move {
            let token = Arc::new(fetch.await?);
            current.store(Some(Arc::clone(&token)));
            Ok(token)
        }
        .boxed()
        .shared();
        // Only the callers waiting for the fetch keep it alive: when every one of them is
        // aborted, the request is dropped with them and no socket is left behind.
        *slot = shared.downgrade();
        (shared, true)
    }

    /// Drops `used` if it is still the cached token (another caller may have renewed it already).
    pub fn invalidate(&self, used: &Arc<AccessToken>) {
        let current = self.current.load();
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, used)) {
            self.current
                .compare_and_swap(&*current, None::<Arc<AccessToken>>);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::{mpsc, Notify, Semaphore};

    /// A token source the test drives: each fetch reports that it started, then waits until the
    /// test releases it, so the test decides when a fetch is in flight and when it ends.
    struct GatedSource {
        calls: Arc<AtomicUsize>,
        started: mpsc::UnboundedSender<usize>,
        release: Arc<Semaphore>,
        ttl: Option<Duration>,
        fail: bool,
    }

    impl TokenSource for GatedSource {
        fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let started = self.started.clone();
            let release = Arc::clone(&self.release);
            let (ttl, fail) = (self.ttl, self.fail);
            async move {
                let _ = started.send(n);
                if let Ok(permit) = release.acquire().await {
                    permit.forget();
                }
                if fail {
                    return Err(ScalekitError::Protocol {
                        message: "boom".into(),
                    });
                }
                AccessToken::new(&format!("tok{n}"), ttl)
            }
            .boxed()
        }
    }

    /// The test's side of a [`GatedSource`].
    struct Gate {
        calls: Arc<AtomicUsize>,
        started: mpsc::UnboundedReceiver<usize>,
        release: Arc<Semaphore>,
    }

    impl Gate {
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }

        /// Lets `n` fetches (in flight or to come) finish.
        fn release(&self, n: usize) {
            self.release.add_permits(n);
        }

        /// Waits for the next fetch to start. The bound only turns a missing fetch into a
        /// failure instead of a hang (under paused time it passes in no real time at all).
        async fn next_start(&mut self) -> usize {
            tokio::time::timeout(Duration::from_secs(5), self.started.recv())
                .await
                .expect("a token fetch should have started")
                .expect("the source is alive")
        }
    }

    fn gated(ttl: Option<Duration>, fail: bool) -> (Arc<TokenCache>, Gate) {
        let calls = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::unbounded_channel();
        let release = Arc::new(Semaphore::new(0));
        let source = GatedSource {
            calls: Arc::clone(&calls),
            started: tx,
            release: Arc::clone(&release),
            ttl,
            fail,
        };
        let gate = Gate {
            calls,
            started: rx,
            release,
        };
        (Arc::new(TokenCache::new(Arc::new(source))), gate)
    }

    /// Counts the futures that had to wait (returned `Pending` once), and wakes whoever watches.
    #[derive(Clone, Default)]
    struct Waiting {
        count: Arc<AtomicUsize>,
        changed: Arc<Notify>,
    }

    impl Waiting {
        async fn track<F: Future>(self, fut: F) -> F::Output {
            let mut fut = std::pin::pin!(fut);
            let mut counted = false;
            std::future::poll_fn(|cx| {
                let poll = fut.as_mut().poll(cx);
                if poll.is_pending() && !counted {
                    counted = true;
                    self.count.fetch_add(1, Ordering::SeqCst);
                    self.changed.notify_one();
                }
                poll
            })
            .await
        }

        async fn until(&self, n: usize) {
            while self.count.load(Ordering::SeqCst) < n {
                self.changed.notified().await;
            }
        }
    }

    /// `n` tasks calling `get` at once, each counted in `waiting` once it waits for a token.
    fn spawn_gets(
        cache: &Arc<TokenCache>,
        n: usize,
        waiting: &Waiting,
    ) -> Vec<tokio::task::JoinHandle<TokenResult>> {
        (0..n)
            .map(|_| {
                let cache = Arc::clone(cache);
                tokio::spawn(waiting.clone().track(async move { cache.get().await }))
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_calls_share_one_fetch() {
        let (cache, gate) = gated(Some(Duration::from_secs(3600)), false);
        let waiting = Waiting::default();
        let tasks = spawn_gets(&cache, 1000, &waiting);
        // The fetch is held until every caller waits for a token: all of them are concurrent.
        waiting.until(1000).await;
        assert_eq!(gate.calls(), 1, "one fetch for 1000 waiting callers");
        // Enough for every fetch, so a broken single-flight fails the count below, not a hang.
        gate.release(1000);
        let mut tokens = Vec::new();
        for t in tasks {
            tokens.push(t.await.unwrap().unwrap());
        }
        assert_eq!(gate.calls(), 1);
        assert!(tokens.iter().all(|t| Arc::ptr_eq(t, &tokens[0])));
        cache.get().await.unwrap();
        assert_eq!(gate.calls(), 1, "cached token reused");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_fetch_is_shared_then_retried_by_the_next_caller() {
        let (cache, gate) = gated(None, true);
        let waiting = Waiting::default();
        let tasks = spawn_gets(&cache, 100, &waiting);
        waiting.until(100).await;
        gate.release(101);
        for t in tasks {
            assert!(t.await.unwrap().is_err());
        }
        assert_eq!(gate.calls(), 1);
        assert!(cache.get().await.is_err());
        assert_eq!(gate.calls(), 2);
    }

    // Paused time: the clock only moves when the test moves it or every task waits.
    #[tokio::test(start_paused = true)]
    async fn token_is_renewed_in_the_background_before_expiry_and_after_invalidation() {
        let (cache, mut gate) = gated(Some(Duration::from_millis(300)), false);
        gate.release(1);
        let first = cache.get().await.unwrap();
        assert_eq!(gate.next_start().await, 0);
        assert!(Arc::ptr_eq(&first, &cache.get().await.unwrap()));
        // Renewal window: from 270 ms (the last 10%); the token is used until 297 ms.
        tokio::time::advance(Duration::from_millis(280)).await;
        assert!(Arc::ptr_eq(&first, &cache.get().await.unwrap()));
        // The call went on with the valid token, and a renewal started behind it.
        assert_eq!(
            gate.next_start().await,
            1,
            "renewal started in the background"
        );
        for _ in 0..10 {
            assert!(Arc::ptr_eq(&first, &cache.get().await.unwrap()));
        }
        assert_eq!(gate.calls(), 2, "one renewal at a time");
        gate.release(1);
        // Wait (without moving the clock) until the renewal task has stored its token.
        for _ in 0..100 {
            if cache.cached().is_some_and(|t| !Arc::ptr_eq(&t, &first)) {
                break;
            }
            tokio::task::yield_now().await;
        }
        let second = cache.get().await.unwrap();
        assert!(!Arc::ptr_eq(&first, &second), "renewed in the background");
        assert!(first.is_usable(Instant::now()), "renewed before expiry");
        assert_eq!(gate.calls(), 2);
        // Invalidating a token that is no longer current changes nothing.
        cache.invalidate(&first);
        assert!(Arc::ptr_eq(&second, &cache.get().await.unwrap()));
        cache.invalidate(&second);
        gate.release(1);
        let third = cache.get().await.unwrap();
        assert!(!Arc::ptr_eq(&second, &third));
        assert_eq!(gate.calls(), 3);
    }

    /// Succeeds once, then fails.
    struct OnceSource(Arc<AtomicUsize>);

    impl TokenSource for OnceSource {
        fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            async move {
                if n > 0 {
                    return Err(ScalekitError::Protocol {
                        message: "token endpoint down".into(),
                    });
                }
                AccessToken::new("only", Some(Duration::from_millis(1000)))
            }
            .boxed()
        }
    }

    // Paused time: the clock only moves when every task waits, so no timing can flake.
    #[tokio::test(start_paused = true)]
    async fn a_failed_background_renewal_keeps_the_valid_token_in_use() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(Arc::new(OnceSource(Arc::clone(&calls))));
        let first = cache.get().await.unwrap();
        tokio::time::sleep(Duration::from_millis(920)).await;
        for _ in 0..20 {
            assert!(Arc::ptr_eq(&first, &cache.get().await.unwrap()));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // One background attempt, then a pause: no flood of token requests.
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    // Paused time: the clock only moves when every task waits, so no timing can flake.
    #[tokio::test(start_paused = true)]
    async fn an_expired_token_is_never_used() {
        let (cache, gate) = gated(Some(Duration::from_millis(100)), false);
        gate.release(2);
        let first = cache.get().await.unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        let second = cache.get().await.unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(gate.calls(), 2);
    }

    /// A fetch that never ends; `dropped` hears when it is dropped.
    struct HangingSource {
        dropped: mpsc::UnboundedSender<()>,
    }

    struct DropSignal(mpsc::UnboundedSender<()>);
    impl Drop for DropSignal {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    impl TokenSource for HangingSource {
        fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>> {
            let guard = DropSignal(self.dropped.clone());
            async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                AccessToken::new("never", None)
            }
            .boxed()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_fetch_is_dropped_when_every_waiter_is_gone() {
        let (tx, mut dropped) = mpsc::unbounded_channel();
        let cache = Arc::new(TokenCache::new(Arc::new(HangingSource { dropped: tx })));
        let waiting = Waiting::default();
        let waiters = spawn_gets(&cache, 3, &waiting);
        waiting.until(3).await;
        assert!(dropped.try_recv().is_err(), "still wanted");
        for w in waiters {
            w.abort();
            let _ = w.await;
        }
        // The bound only turns a leaked fetch into a failure instead of a hang.
        tokio::time::timeout(Duration::from_secs(10), dropped.recv())
            .await
            .expect("the fetch is dropped with its last waiter")
            .expect("one drop signal");
        assert!(dropped.try_recv().is_err(), "dropped once");
    }

    #[test]
    fn debug_hides_the_token() {
        let t = AccessToken::new("very-secret-token", None).unwrap();
        assert!(!format!("{t:?}").contains("very-secret-token"));
    }
}
