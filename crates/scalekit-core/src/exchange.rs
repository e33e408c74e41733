//! The one send loop of every call, token, control plane and Tool Proxy alike: the cached token,
//! one re-authentication on Scalekit's own 401, the retries a [`RetryPolicy`] allows, all within
//! one deadline for the whole call, each retry paid from the client's retry budget
//! (docs/wire-protocol.md §2, docs/architecture.md).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::auth::{AccessToken, TokenCache};
use crate::errors::{CallKind, ScalekitError};
use crate::retry::RetryPolicy;
use crate::retry_budget::RetryBudget;
use crate::trace;
use crate::transport::{OutgoingRequest, RawResponse, ReadMode, Transport};

pub struct Exchange<'a> {
    pub transport: &'a Transport,
    /// Where the bearer token comes from; `None` for the token request itself.
    pub tokens: Option<&'a TokenCache>,
    /// Decides how a non-2xx body is read.
    pub kind: CallKind,
    pub policy: RetryPolicy,
    /// The whole call's deadline, retries and token fetch included.
    pub timeout: Duration,
    /// How a 2xx body is read: whole (at most `maxResponseBytes`), or handed over as a stream.
    pub read: ReadMode,
    /// The client's retry budget: a retry it cannot pay for is not made.
    pub budget: &'a RetryBudget,
    /// A credential the request carries besides the bearer (the token request's client secret),
    /// scrubbed from its failures.
    pub secret: Option<&'a str>,
}

impl Exchange<'_> {
    /// Sends `request` until it succeeds, fails for good or runs out of time. A 2xx answer is
    /// `Ok`; any other answer becomes `Err(ScalekitError::Http)` here, its body read once.
    pub async fn send(&self, request: OutgoingRequest) -> Result<RawResponse, ScalekitError> {
        let mut bearer = None;
        let mut outcome = self.attempts(request, &mut bearer).await;
        // Only a Tool Proxy call's limit is the caller's `maxResponseBytes`.
        if let Err(ScalekitError::TooLarge { adjustable, .. }) = &mut outcome {
            *adjustable = self.kind == CallKind::Proxy;
        }
        // A server may echo the bearer it got back (docs/wire-protocol.md §3, "Secrets in
        // failures").
        match bearer {
            Some(token) => outcome.map_err(|e| e.redact(token.token())),
            None => outcome,
        }
    }

    /// The send loop; `bearer` is left holding the last token an attempt was sent with.
    async fn attempts(
        &self,
        request: OutgoingRequest,
        bearer: &mut Option<Arc<AccessToken>>,
    ) -> Result<RawResponse, ScalekitError> {
        let timeout_ms = self.timeout.as_millis() as u64;
        let deadline = Instant::now() + self.timeout;
        let mut retries = 0u32;
        // What the call's last retry took from the budget: given back if it ends in success.
        let mut last_cost = 0u32;
        let mut reauthenticated = false;
        let replayable = request.is_replayable();
        loop {
            let token = match self.tokens {
                None => None,
                // A cached token needs no timer; only a fetch is raced against the deadline.
                Some(tokens) => Some(match tokens.cached() {
                    Some(token) => token,
                    None => match tokio::time::timeout_at(deadline, tokens.get()).await {
                        Ok(token) => token?,
                        Err(_) => return Err(ScalekitError::Timeout { timeout_ms }),
                    },
                }),
            };
            bearer.clone_from(&token);
            // Each attempt sends the same request (the body is reference-counted): a retry or a
            // re-authentication sends it again without preparing it again.
            trace::attempt();
            let outcome = self
                .transport
                .send(
                    &request,
                    token.as_ref().map(|t| t.header()),
                    deadline,
                    timeout_ms,
                    self.read,
                )
                .await
                .and_then(|response| self.accept(response, token.as_deref()));
            if let (Err(ScalekitError::Http(failure)), Some(tokens), Some(token)) =
                (&outcome, self.tokens, &token)
            {
                // A streamed body is gone once sent: its call cannot be sent again.
                if !reauthenticated && failure.is_scalekit_unauthenticated() && replayable {
                    tokens.invalidate(token);
                    reauthenticated = true;
                    continue;
                }
            }
            // A re-authentication (above) is not a retry: it costs the budget nothing.
            match (self.policy.after(retries, &outcome, deadline), &outcome) {
                (Some(delay), Err(failure)) if replayable => {
                    let cost = RetryBudget::cost_of(failure);
                    if !self.budget.try_spend(cost) {
                        return outcome;
                    }
                    last_cost = cost;
                    retries += 1;
                    tokio::time::sleep(delay).await;
                }
                (_, Ok(_)) => {
                    self.budget.refund(last_cost);
                    return outcome;
                }
                _ => return outcome,
            }
        }
    }

    /// The one place where a non-2xx answer becomes a failure, the credentials the request
    /// carried (`bearer`, this exchange's `secret`) scrubbed from it first.
    fn accept(
        &self,
        response: RawResponse,
        bearer: Option<&AccessToken>,
    ) -> Result<RawResponse, ScalekitError> {
        if response.is_success() {
            return Ok(response);
        }
        let credentials: Vec<&str> = [self.secret, bearer.map(AccessToken::token)]
            .into_iter()
            .flatten()
            .collect();
        Err(ScalekitError::from_answer(
            self.kind,
            response.status,
            response.headers,
            response.body,
            &credentials,
        ))
    }
}
