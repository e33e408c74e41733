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
use crate::sync::lock;

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
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct CountingSource {
        calls: Arc<AtomicUsize>,
        ttl: Option<Duration>,
        fail: bool,
    }

    impl TokenSource for CountingSource {
        fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>> {
            let calls = Arc::clone(&self.calls);
            let ttl = self.ttl;
            let fail = self.fail;
            async move {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
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

    fn cache(ttl: Option<Duration>, fail: bool) -> (Arc<TokenCache>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let source = CountingSource {
            calls: Arc::clone(&calls),
            ttl,
            fail,
        };
        (Arc::new(TokenCache::new(Arc::new(source))), calls)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_calls_share_one_fetch() {
        let (cache, calls) = cache(Some(Duration::from_secs(3600)), false);
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.get().await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "cached token reused");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_fetch_is_shared_then_retried_by_the_next_caller() {
        let (cache, calls) = cache(None, true);
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.get().await })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().is_err());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.get().await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    // Paused time: the clock only moves when every task waits, so no timing can flake.
    #[tokio::test(start_paused = true)]
    async fn token_is_renewed_in_the_background_before_expiry_and_after_invalidation() {
        let (cache, calls) = cache(Some(Duration::from_millis(300)), false);
        let first = cache.get().await.unwrap();
        assert!(Arc::ptr_eq(&first, &cache.get().await.unwrap()));
        tokio::time::sleep(Duration::from_millis(280)).await;
        // Inside the renewal margin (10% of 300 ms) but not expired: the call goes on with the
        // current token while the renewal runs.
        assert!(Arc::ptr_eq(&first, &cache.get().await.unwrap()));
        tokio::time::sleep(Duration::from_millis(60)).await;
        let second = cache.get().await.unwrap();
        assert!(!Arc::ptr_eq(&first, &second), "renewed in the background");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // Invalidating a token that is no longer current changes nothing.
        cache.invalidate(&first);
        assert!(Arc::ptr_eq(&second, &cache.get().await.unwrap()));
        cache.invalidate(&second);
        let third = cache.get().await.unwrap();
        assert!(!Arc::ptr_eq(&second, &third));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
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
        let (cache, calls) = cache(Some(Duration::from_millis(100)), false);
        let first = cache.get().await.unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        let second = cache.get().await.unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    struct HangingSource {
        dropped: Arc<AtomicUsize>,
    }

    struct DropCount(Arc<AtomicUsize>);
    impl Drop for DropCount {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl TokenSource for HangingSource {
        fn fetch(&self) -> BoxFuture<'static, Result<AccessToken, ScalekitError>> {
            let guard = DropCount(Arc::clone(&self.dropped));
            async move {
                let _guard = guard;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                AccessToken::new("never", None)
            }
            .boxed()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_fetch_is_dropped_when_every_waiter_is_gone() {
        let dropped = Arc::new(AtomicUsize::new(0));
        let cache = Arc::new(TokenCache::new(Arc::new(HangingSource {
            dropped: Arc::clone(&dropped),
        })));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.get().await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(dropped.load(Ordering::SeqCst), 0, "still wanted");
        for w in waiters {
            w.abort();
            let _ = w.await;
        }
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            1,
            "dropped with its last waiter"
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let t = AccessToken::new("very-secret-token", None).unwrap();
        assert!(!format!("{t:?}").contains("very-secret-token"));
    }
}
