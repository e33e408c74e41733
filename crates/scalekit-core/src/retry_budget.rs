//! The client's retry budget: a token bucket every retry draws from, as the AWS SDKs' "standard"
//! retry quota, so that retries cannot multiply the load on a server that is down
//! (docs/architecture.md, "Retry budget"; docs/wire-protocol.md §2).
//!
//! One budget per client, shared by its proxy, control-plane and token calls. It is touched on
//! every call, so it is one atomic: no lock.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::errors::ScalekitError;

/// Tokens a new client starts with, and the most it can hold (`retryBudget`).
pub const DEFAULT_RETRY_BUDGET: u32 = 500;
/// The largest `retryBudget` accepted.
pub const MAX_RETRY_BUDGET: u32 = 1_000_000;
/// A retry after a retryable answer (429, 502, 503, 504…).
pub const RETRY_COST: u32 = 5;
/// A retry after a failed connection: such a server is more likely down, so it costs more.
pub const CONNECT_RETRY_COST: u32 = 10;
/// What a call that succeeded without a retry puts back.
pub const SUCCESS_REWARD: u32 = 1;

/// A shared quota of retries: `None` capacity means unlimited (`retryBudget: false`).
#[derive(Debug)]
pub struct RetryBudget {
    available: AtomicU32,
    capacity: Option<u32>,
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens, or no limit at all for `None`.
    pub fn new(capacity: Option<u32>) -> Self {
        RetryBudget {
            available: AtomicU32::new(capacity.unwrap_or(0)),
            capacity,
        }
    }

    /// What retrying after `failure` costs.
    pub fn cost_of(failure: &ScalekitError) -> u32 {
        match failure {
            ScalekitError::Network { .. } | ScalekitError::Timeout { .. } => CONNECT_RETRY_COST,
            _ => RETRY_COST,
        }
    }

    /// Takes `cost` tokens for a retry; `false` (nothing taken) when the bucket cannot pay.
    pub fn try_spend(&self, cost: u32) -> bool {
        if self.capacity.is_none() {
            return true;
        }
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(cost))
            .is_ok()
    }

    /// A call succeeded: its last retry's cost `last_cost` comes back, or [`SUCCESS_REWARD`] when
    /// it needed none (the AWS SDKs' standard mode); the earlier retries stay spent, so a server
    /// that fails most attempts still drains the bucket. Never above the capacity.
    pub fn refund(&self, last_cost: u32) {
        let Some(capacity) = self.capacity else {
            return;
        };
        // The common case, a full bucket, costs one load and no write.
        if self.available.load(Ordering::Relaxed) >= capacity {
            return;
        }
        let amount = if last_cost == 0 {
            SUCCESS_REWARD
        } else {
            last_cost
        };
        // The closure never returns `None`, so the update cannot fail.
        let _ = self
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_add(amount).min(capacity))
            });
    }

    /// Tokens left; `None` for an unlimited budget.
    pub fn available(&self) -> Option<u32> {
        self.capacity
            .map(|_| self.available.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn unavailable() -> ScalekitError {
        ScalekitError::Network {
            message: "connection refused".into(),
            connect: true,
        }
    }

    #[test]
    fn a_full_outage_allows_capacity_over_cost_retries() {
        let budget = RetryBudget::new(Some(DEFAULT_RETRY_BUDGET));
        let retries = (0..1000)
            .take_while(|_| budget.try_spend(RETRY_COST))
            .count();
        assert_eq!(retries, (DEFAULT_RETRY_BUDGET / RETRY_COST) as usize);
        assert_eq!(budget.available(), Some(0));
        assert!(
            !budget.try_spend(RETRY_COST),
            "an empty bucket pays for nothing"
        );
    }

    #[test]
    fn connection_failures_cost_more() {
        assert_eq!(RetryBudget::cost_of(&unavailable()), CONNECT_RETRY_COST);
        assert_eq!(
            RetryBudget::cost_of(&ScalekitError::Timeout { timeout_ms: 1 }),
            CONNECT_RETRY_COST
        );
        assert_eq!(
            RetryBudget::cost_of(&ScalekitError::Protocol {
                message: String::new()
            }),
            RETRY_COST
        );
    }

    #[test]
    fn successes_refill_up_to_the_capacity() {
        let budget = RetryBudget::new(Some(20));
        assert!(budget.try_spend(10));
        assert!(budget.try_spend(10));
        assert!(!budget.try_spend(5));
        budget.refund(0);
        assert_eq!(budget.available(), Some(1));
        budget.refund(5);
        assert_eq!(
            budget.available(),
            Some(6),
            "a call that retried gets back its last retry's cost"
        );
        for _ in 0..100 {
            budget.refund(10);
        }
        assert_eq!(budget.available(), Some(20));
    }

    #[test]
    fn zero_forbids_every_retry_and_none_forbids_none() {
        let none = RetryBudget::new(Some(0));
        assert!(!none.try_spend(RETRY_COST));
        none.refund(0);
        assert_eq!(none.available(), Some(0));
        let unlimited = RetryBudget::new(None);
        assert!((0..10_000).all(|_| unlimited.try_spend(CONNECT_RETRY_COST)));
        assert_eq!(unlimited.available(), None);
    }

    #[test]
    fn concurrent_spending_never_overdraws() {
        let budget = Arc::new(RetryBudget::new(Some(500)));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let budget = Arc::clone(&budget);
                std::thread::spawn(move || (0..100).filter(|_| budget.try_spend(5)).count())
            })
            .collect();
        let granted: usize = threads.into_iter().map(|t| t.join().unwrap_or(0)).sum();
        assert_eq!(granted, 100);
        assert_eq!(budget.available(), Some(0));
    }
}
