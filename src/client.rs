//! The client: one call travels prepare → token → transport (with retries) → result.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::Method;
use serde_json::Value;
use tokio::time::Instant;

use crate::accounts::{self, AccountOperation, Params, RestCall};
use crate::auth::{TokenCache, TokenEndpoint};
use crate::config::ClientConfig;
use crate::errors::{CallKind, ScalekitError, ScalekitErrorBody};
use crate::proxy::{self, ProxyParams, RetrySetting};
use crate::retry::{self, RetryPolicy};
use crate::transport::{OutgoingRequest, RawResponse, Transport};

#[derive(Clone)]
pub struct ScalekitClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<ClientConfig>,
    transport: Transport,
    tokens: TokenCache,
}

impl std::fmt::Debug for ScalekitClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScalekitClient")
            .field("env_url", &self.inner.config.env_url())
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

impl ScalekitClient {
    pub fn new(config: ClientConfig) -> Result<Self, ScalekitError> {
        let config = Arc::new(config);
        let transport = Transport::new(&config)?;
        let tokens = TokenCache::new(Arc::new(TokenEndpoint {
            transport: transport.clone(),
            config: Arc::clone(&config),
        }));
        Ok(ScalekitClient {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// `actions.request`: a call through `{envUrl}/proxy{path}`.
    /// Resolves a 2xx answer as bytes (the JS layer decodes the body); rejects anything else.
    pub async fn request(&self, params: ProxyParams) -> Result<RawResponse, ScalekitError> {
        let config = &self.inner.config;
        let call = proxy::prepare(config, &params)?;
        let max_retries = match call.retry {
            RetrySetting::Off => 0,
            RetrySetting::Count(n) => n,
            RetrySetting::Default if call.is_idempotent() => self.inner.config.max_retries,
            RetrySetting::Default => 0,
        };
        let response = self
            .execute(
                CallKind::Proxy,
                call.request,
                || proxy::prepare(config, &params).map(|c| c.request),
                call.timeout,
                RetryPolicy::proxy(max_retries),
            )
            .await?;
        if !response.is_success() {
            return Err(ScalekitError::from_response(
                CallKind::Proxy,
                response.status,
                response.headers,
                response.body,
            ));
        }
        Ok(response)
    }

    /// The connected-account methods of `actions` (and `executeTool`, `listConnections`),
    /// resolving the official SDK's result shape as JSON.
    pub async fn accounts_call(
        &self,
        operation: AccountOperation,
        params: &Params,
    ) -> Result<Value, ScalekitError> {
        use AccountOperation as Op;
        type Answer = fn(&Value) -> Result<Value, ScalekitError>;
        // Each call paired with the shape its answer takes.
        let (call, answer): (RestCall, Answer) = match operation {
            Op::GetOrCreate => return self.get_or_create(params).await,
            Op::Get => (accounts::get_call(params)?, |a| {
                Ok(accounts::account_answer(a))
            }),
            Op::Create => (accounts::create_call(params)?, |a| {
                Ok(accounts::account_answer(a))
            }),
            Op::Update => (accounts::update_call(params)?, |a| {
                Ok(accounts::account_answer(a))
            }),
            Op::Delete => (accounts::delete_call(params)?, |_| {
                Ok(Value::Object(Default::default()))
            }),
            Op::List => (accounts::list_call(params)?, |a| {
                Ok(accounts::list_answer(a))
            }),
            Op::AuthorizationLink => (
                accounts::magic_link_call(params)?,
                accounts::magic_link_answer,
            ),
            Op::VerifyUser => (accounts::verify_call(params)?, |a| {
                Ok(accounts::verify_answer(a))
            }),
            Op::ListConnections => (accounts::list_connections_call(params)?, |a| {
                Ok(accounts::connections_answer(a))
            }),
            Op::ExecuteTool => (accounts::execute_tool_call(params)?, |a| {
                Ok(accounts::execute_tool_answer(a))
            }),
        };
        let timeout = match operation {
            Op::ExecuteTool => self.inner.config.tool_timeout,
            _ => self.inner.config.timeout,
        };
        answer(&self.rest(&call, timeout).await?)
    }

    /// Spec §4.3: GET, then PUT (details given) or nothing (exists), or POST on NOT_FOUND.
    async fn get_or_create(&self, params: &Params) -> Result<Value, ScalekitError> {
        let lookup = accounts::get_or_create_lookup(params)?;
        let timeout = self.inner.config.timeout;
        let next = match self.rest(&lookup, timeout).await {
            Ok(found) => match accounts::get_or_create_next(params, true)? {
                None => return Ok(accounts::account_answer(&found)),
                Some(update) => update,
            },
            Err(ScalekitError::Http(f)) if f.grpc_status == 5 => {
                accounts::get_or_create_next(params, false)?.ok_or_else(|| {
                    ScalekitError::Protocol {
                        message: "getOrCreateConnectedAccount has no create step".into(),
                    }
                })?
            }
            Err(e) => return Err(e),
        };
        let answer = self.rest(&next, timeout).await?;
        Ok(accounts::account_answer(&answer))
    }

    async fn rest(&self, call: &RestCall, timeout: Duration) -> Result<Value, ScalekitError> {
        self.control_plane(
            call.method.clone(),
            call.path,
            call.query.as_deref(),
            call.body.as_ref(),
            timeout,
        )
        .await
    }

    /// A JSON call to `/api/v1/*`; resolves the parsed answer (`{}` for an empty one).
    pub async fn control_plane(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<Value, ScalekitError> {
        let mut url = self.inner.config.api_url(path)?;
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            url.set_query(Some(q));
        }
        let mut request = OutgoingRequest {
            method,
            url,
            headers: Default::default(),
            body: None,
        };
        if let Some(body) = body {
            request
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            let bytes = serde_json::to_vec(body).map_err(|e| ScalekitError::Protocol {
                message: format!("cannot encode the request body: {e}"),
            })?;
            request.body = Some(Bytes::from(bytes));
        }
        let response = self
            .execute(
                CallKind::ControlPlane,
                request.clone(),
                || Ok(request.clone()),
                timeout,
                RetryPolicy::control_plane(self.inner.config.max_retries),
            )
            .await?;
        if !response.is_success() {
            return Err(ScalekitError::from_response(
                CallKind::ControlPlane,
                response.status,
                response.headers,
                response.body,
            ));
        }
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_slice(&response.body).map_err(|e| ScalekitError::Protocol {
            message: format!("Scalekit answered {path} with a body that is not JSON: {e}"),
        })
    }

    /// Sends with the cached token, re-authenticating once on Scalekit's own 401 and retrying
    /// what `policy` allows, all within `timeout`.
    ///
    /// The first attempt sends `first`; a retry sends what `rebuild` makes, so that the common
    /// case (one attempt) copies nothing.
    async fn execute(
        &self,
        kind: CallKind,
        first: OutgoingRequest,
        rebuild: impl Fn() -> Result<OutgoingRequest, ScalekitError>,
        timeout: Duration,
        policy: RetryPolicy,
    ) -> Result<RawResponse, ScalekitError> {
        let timeout_ms = timeout.as_millis() as u64;
        let deadline = Instant::now() + timeout;
        let mut retries = 0u32;
        let mut reauthenticated = false;
        let mut next = Some(first);
        loop {
            let request = match next.take() {
                Some(request) => request,
                None => rebuild()?,
            };
            // A cached token needs no timer; only a fetch is raced against the deadline.
            let token = match self.inner.tokens.cached() {
                Some(token) => token,
                None => match tokio::time::timeout_at(deadline, self.inner.tokens.get()).await {
                    Ok(token) => token?,
                    Err(_) => return Err(ScalekitError::Timeout { timeout_ms }),
                },
            };
            let outcome = self
                .inner
                .transport
                .send(request, Some(token.header()), deadline, timeout_ms)
                .await;
            if let Ok(response) = &outcome {
                // A proxy may relay the provider's own 401: only Scalekit's (code 16) means our
                // token is bad.
                // A provider failure reported as TOOL_ERROR is not about our token: no refresh and
                // no second run of the tool (spec §2).
                if response.status == 401
                    && !reauthenticated
                    && (kind == CallKind::ControlPlane
                        || ScalekitErrorBody::is_unauthenticated(&response.body))
                    && !retry::is_tool_error(&response.body)
                {
                    self.inner.tokens.invalidate(&token);
                    reauthenticated = true;
                    continue;
                }
            }
            let delay = policy.after(retries, &outcome, deadline);
            match delay {
                Some(delay) => {
                    retries += 1;
                    tokio::time::sleep(delay).await;
                }
                None => return outcome,
            }
        }
    }
}
