//! `actions.waitForConnectedAccount`: polls the account until it is ACTIVE, within one deadline
//! (docs/architecture.md, "Waiting for an account").
//!
//! Each poll is the `GET …/auth` of `getConnectedAccount` (docs/wire-protocol.md §4). A
//! NOT_FOUND answer keeps the wait going: the user may not have opened the link yet, and the
//! account may only be created by then. Any other failure ends the wait at once.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::params::Params;
use super::requests::{details_call, RestCall};
use super::shapes::account_answer;
use crate::client::ScalekitClient;
use crate::config::option_timeout;
use crate::errors::ScalekitError;
use crate::retry::RetryPolicy;

/// How long a wait lasts when `timeoutMs` is not given: time for a person to consent.
pub const DEFAULT_WAIT_MS: u64 = 300_000;
/// The first pause between polls when `pollIntervalMs` is not given.
pub const DEFAULT_POLL_MS: u64 = 500;
/// Pauses double up to this (or up to `pollIntervalMs`, when that is longer).
const MAX_POLL: Duration = Duration::from_secs(5);
/// The shortest pause between polls: a tiny `pollIntervalMs` must not poll as fast as the server
/// answers for the whole wait.
pub const MIN_POLL: Duration = Duration::from_millis(10);
/// What the timeout message reports while no account exists.
const NOT_FOUND: &str = "NOT_FOUND";
const ACTIVE: &str = "ACTIVE";

/// A checked wait: what to poll, for how long, how often at first.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitPlan {
    pub lookup: RestCall,
    pub timeout: Duration,
    pub first_pause: Duration,
}

/// Reads the wait's params: the account reference of `getConnectedAccount`, `timeoutMs`
/// and `pollIntervalMs`.
pub fn wait_plan(params: &Params) -> Result<WaitPlan, ScalekitError> {
    Ok(WaitPlan {
        // The details route: polling needs the status only, so the credentials never travel.
        lookup: details_call(params)?,
        timeout: option_timeout("timeoutMs", params.number("timeoutMs")?, DEFAULT_WAIT_MS)?,
        first_pause: option_timeout(
            "pollIntervalMs",
            params.number("pollIntervalMs")?,
            DEFAULT_POLL_MS,
        )?
        .max(MIN_POLL),
    })
}

/// The pause after `pause`: doubled, capped at [`MAX_POLL`] (or at `first` when longer).
pub fn next_pause(pause: Duration, first: Duration) -> Duration {
    (pause * 2).min(MAX_POLL.max(first))
}

/// `connectedAccount.status` of a shaped answer.
fn status_of(shaped: &Value) -> &str {
    shaped["connectedAccount"]["status"]
        .as_str()
        .unwrap_or_default()
}

/// Polls until the account is ACTIVE: resolves `{ connectedAccount }` as `getConnectedAccount`
/// does, or fails with [`ScalekitError::NotActive`] when `timeoutMs` passes first.
pub async fn wait_active(client: &ScalekitClient, params: &Params) -> Result<Value, ScalekitError> {
    let plan = wait_plan(params)?;
    let deadline = Instant::now() + plan.timeout;
    let not_active = |status: &str| ScalekitError::NotActive {
        timeout_ms: plan.timeout.as_millis() as u64,
        status: status.to_string(),
    };
    let call = &plan.lookup;
    let mut pause = plan.first_pause;
    let mut status = NOT_FOUND.to_string();
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(not_active(&status));
        }
        // One poll never outlives the wait, nor the client's own `timeoutMs`.
        let poll_timeout = client.config().timeout.min(deadline - now);
        let policy = RetryPolicy::control_plane(client.config().max_retries);
        let poll = client.rest(call, poll_timeout, policy);
        match poll.await {
            Ok(answer) => {
                let shaped = account_answer(&answer);
                if status_of(&shaped) == ACTIVE {
                    return Ok(shaped);
                }
                status = status_of(&shaped).to_string();
            }
            // Scalekit's own NOT_FOUND (its error body says code 5), not any 404 (a wrong URL).
            Err(ScalekitError::Http(f)) if f.scalekit_code == Some(5) => {
                status = NOT_FOUND.to_string()
            }
            Err(ScalekitError::Timeout { .. }) if Instant::now() >= deadline => {
                return Err(not_active(&status))
            }
            Err(e) => return Err(e),
        }
        tokio::time::sleep_until(deadline.min(Instant::now() + pause)).await;
        pause = next_pause(pause, plan.first_pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::params;
    use serde_json::json;

    #[test]
    fn a_tiny_poll_interval_is_raised_to_the_floor() {
        for tiny in [1e-7, 0.5, 9.0] {
            let plan = wait_plan(&params(
                json!({"connectedAccountId": "ca_1", "pollIntervalMs": tiny}),
            ))
            .unwrap();
            assert_eq!(plan.first_pause, MIN_POLL, "{tiny}");
            assert_eq!(next_pause(plan.first_pause, plan.first_pause), MIN_POLL * 2);
        }
    }

    #[test]
    fn plan_defaults_and_rules() {
        let plan = wait_plan(&params(
            json!({"connectionName": "gmail", "identifier": "u"}),
        ))
        .unwrap();
        assert_eq!(plan.timeout, Duration::from_millis(DEFAULT_WAIT_MS));
        assert_eq!(plan.first_pause, Duration::from_millis(DEFAULT_POLL_MS));
        assert_eq!(
            plan.lookup.query.as_deref(),
            Some("connector=gmail&identifier=u")
        );
        let by_id = wait_plan(&params(
            json!({"connectedAccountId": "ca_1", "timeoutMs": 50}),
        ))
        .unwrap();
        assert_eq!(by_id.timeout, Duration::from_millis(50));
        assert_eq!(
            wait_plan(&params(json!({"identifier": "u"})))
                .unwrap_err()
                .to_string(),
            "either connectedAccountId or connectionName + identifier is required"
        );
        assert_eq!(
            wait_plan(&params(
                json!({"connectedAccountId": "a", "pollIntervalMs": 0})
            ))
            .unwrap_err()
            .to_string(),
            "pollIntervalMs must be a positive finite number of milliseconds, got 0"
        );
        assert!(matches!(
            wait_plan(&params(
                json!({"connectedAccountId": "a", "timeoutMs": "1"})
            )),
            Err(ScalekitError::Validation { ref argument, .. }) if argument == "timeoutMs"
        ));
    }

    #[test]
    fn pauses_double_up_to_the_cap() {
        let first = Duration::from_millis(500);
        let mut pause = first;
        let mut seen = Vec::new();
        for _ in 0..6 {
            pause = next_pause(pause, first);
            seen.push(pause.as_millis());
        }
        assert_eq!(seen, [1000, 2000, 4000, 5000, 5000, 5000]);
        let long = Duration::from_secs(9);
        assert_eq!(next_pause(long, long), long);
    }
}
