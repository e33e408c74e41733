//! When a failed attempt is tried again, and after how long.

use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, RETRY_AFTER};
use tokio::time::Instant;

use crate::errors::ScalekitError;
use crate::transport::RawResponse;

/// What a call may retry. The token logic (a Scalekit 401) is separate and always applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    /// Statuses worth another attempt.
    pub statuses: &'static [u16],
    /// Retry failures where the request never reached the server (connection refused, DNS, TLS).
    pub connect_failures: bool,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// Tool Proxy: transient answers, for idempotent methods unless the caller opted in.
pub const PROXY_STATUSES: &[u16] = &[429, 502, 503, 504];
/// Control plane (docs/wire-protocol.md §2): UNAVAILABLE only; never RESOURCE_EXHAUSTED.
pub const CONTROL_PLANE_STATUSES: &[u16] = &[503];
/// Token endpoint: server-side failures.
pub const TOKEN_STATUSES: &[u16] = &[500, 502, 503, 504];

impl RetryPolicy {
    pub fn proxy(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            statuses: PROXY_STATUSES,
            connect_failures: true,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(10),
        }
    }

    /// docs/wire-protocol.md §2, backoff: `min(1000·2^attempt, 30000) × U[0.5, 1)` ms.
    pub fn control_plane(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            statuses: CONTROL_PLANE_STATUSES,
            connect_failures: true,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }

    pub fn token(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            statuses: TOKEN_STATUSES,
            connect_failures: true,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
        }
    }

    pub fn retries_status(&self, status: u16) -> bool {
        self.statuses.contains(&status)
    }

    /// Exponential backoff with jitter for retry number `attempt` (0-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.max_delay);
        exp.mul_f64(0.5 + 0.5 * rand::random::<f64>())
    }

    /// The wait before the next attempt, or `None` when it would end past `deadline`.
    pub fn next_delay(
        &self,
        attempt: u32,
        headers: Option<&HeaderMap>,
        deadline: Instant,
    ) -> Option<Duration> {
        let delay = headers
            .and_then(retry_after)
            .unwrap_or_else(|| self.backoff(attempt));
        let remaining = deadline.saturating_duration_since(Instant::now());
        // Waiting until the deadline only to fail then helps nobody.
        (delay < remaining).then_some(delay)
    }
}

impl RetryPolicy {
    /// After retry number `attempt` (0-based) ended in `outcome`: wait this long and try again, or
    /// `None` to hand the outcome to the caller.
    pub fn after(
        &self,
        attempt: u32,
        outcome: &Result<RawResponse, ScalekitError>,
        deadline: Instant,
    ) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        match outcome {
            // A provider failure reported as TOOL_ERROR: retrying would run the tool again.
            Err(ScalekitError::Http(failure))
                if self.retries_status(failure.status) && failure.tool_error.is_none() =>
            {
                self.next_delay(attempt, Some(&failure.headers), deadline)
            }
            Err(ScalekitError::Network { connect: true, .. }) if self.connect_failures => {
                self.next_delay(attempt, None, deadline)
            }
            _ => None,
        }
    }
}

/// `Retry-After` as delay-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Delay-seconds too large for a u64 still mean "much later", not "now".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        for huge in ["18446744073709551616", "100000000000000000000000"] {
            h.insert(RETRY_AFTER, HeaderValue::from_static(huge));
            assert_eq!(
                retry_after(&h),
                Some(Duration::from_secs(u64::MAX)),
                "{huge}"
            );
        }
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let p = RetryPolicy::control_plane(3);
        for attempt in 0..3 {
            let d = p.backoff(attempt);
            let full = Duration::from_secs(1 << attempt);
            assert!(d >= full / 2 && d < full, "attempt {attempt}: {d:?}");
        }
        assert!(p.backoff(10) < Duration::from_secs(30));
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_is_refused() {
        let p = RetryPolicy::proxy(2);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("5"));
        let deadline = Instant::now() + Duration::from_secs(2);
        assert_eq!(p.next_delay(0, Some(&h), deadline), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("1"));
        assert_eq!(
            p.next_delay(0, Some(&h), deadline),
            Some(Duration::from_secs(1))
        );
    }
}
