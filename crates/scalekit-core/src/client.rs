//! The client: one call travels prepare → exchange (token, transport, retries) → result
//! (docs/architecture.md).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use serde_json::Value;

use crate::accounts::{self, AccountOperation, Params, RestCall, ViewOperation};
use crate::auth::TokenCache;
use crate::config::{ClientConfig, DEFAULT_MAX_RESPONSE_BYTES};
use crate::errors::{CallKind, ScalekitError};
use crate::exchange::Exchange;
use crate::mcp::McpOperation;
use crate::providers::ProviderOperation;
use crate::proxy::{self, ProxyParams, RetrySetting};
use crate::retry::RetryPolicy;
use crate::retry_budget::RetryBudget;
use crate::token_endpoint::TokenEndpoint;
use crate::transport::{check_url_length, OutgoingRequest, RawResponse, ReadMode, Transport};

/// A control-plane method by its JS name: a connected-account or tools one, or one of `actions.mcp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Accounts(AccountOperation),
    Mcp(McpOperation),
    /// `client.connectedAccounts.*` and `client.connection.*`: views over `Accounts`.
    View(ViewOperation),
    /// `actions.providers.*`: custom providers.
    Providers(ProviderOperation),
}

impl Operation {
    pub fn from_method(name: &str) -> Option<Self> {
        AccountOperation::from_method(name)
            .map(Self::Accounts)
            .or_else(|| McpOperation::from_method(name).map(Self::Mcp))
            .or_else(|| ViewOperation::from_method(name).map(Self::View))
            .or_else(|| ProviderOperation::from_method(name).map(Self::Providers))
    }

    /// The listings, which may be called without params (`list()` is `list({})`).
    pub fn params_optional(self) -> bool {
        match self {
            Self::Accounts(op) => matches!(
                op,
                AccountOperation::List | AccountOperation::ListConnections
            ),
            Self::Mcp(op) => op.is_list(),
            Self::View(op) => op.is_list(),
            Self::Providers(op) => op.is_list(),
        }
    }
}

#[derive(Clone)]
pub struct ScalekitClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<ClientConfig>,
    transport: Transport,
    tokens: TokenCache,
    /// One retry budget for every call of the client, token fetches included.
    budget: Arc<RetryBudget>,
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
        let budget = Arc::new(RetryBudget::new(config.retry_budget));
        let tokens = TokenCache::new(Arc::new(TokenEndpoint {
            transport: transport.clone(),
            config: Arc::clone(&config),
            budget: Arc::clone(&budget),
        }));
        Ok(ScalekitClient {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
                budget,
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Tokens left in the retry budget; `None` when it is unlimited (`retryBudget: false`).
    pub fn retry_budget_left(&self) -> Option<u32> {
        self.inner.budget.available()
    }

    /// `actions.request`: a call through `{envUrl}/proxy{path}`. A 2xx answer is `Ok`, any
    /// other is `Err(ScalekitError::Http)` carrying the whole answer.
    pub async fn request(&self, params: ProxyParams) -> Result<RawResponse, ScalekitError> {
        let config = &self.inner.config;
        let call = proxy::prepare(config, &params)?;
        let max_retries = match call.retry {
            RetrySetting::Off => 0,
            RetrySetting::Count(n) => n,
            RetrySetting::Default if call.is_idempotent() => config.max_retries,
            RetrySetting::Default => 0,
        };
        let mut exchange = self.exchange(
            CallKind::Proxy,
            RetryPolicy::proxy(max_retries),
            call.timeout,
        );
        exchange.read = call.read;
        exchange.send(call.request).await
    }

    /// A control-plane method, resolving its result as JSON.
    pub async fn call(
        &self,
        operation: Operation,
        params: &Params,
    ) -> Result<Value, ScalekitError> {
        match operation {
            Operation::Accounts(op) => {
                accounts::check_keys(op, params)?;
                self.accounts_call(op, params).await
            }
            Operation::Mcp(op) => self.mcp_call(op, params).await,
            Operation::View(op) => {
                let target = op.params(params)?;
                (self.accounts_call(op.target(), &target).await).map_err(|e| op.in_own_names(e))
            }
            Operation::Providers(op) => {
                let call = op.request(params)?;
                let config = &self.inner.config;
                let policy = RetryPolicy::control_plane(config.max_retries);
                Ok(op.answer(&self.rest(&call, config.timeout, policy).await?))
            }
        }
    }

    /// `actions.mcp` (docs/wire-protocol.md §13): one REST call each, with the control plane's
    /// deadline and retries, as every account call.
    pub async fn mcp_call(
        &self,
        operation: McpOperation,
        params: &Params,
    ) -> Result<Value, ScalekitError> {
        let call = operation.request(params)?;
        let config = &self.inner.config;
        let policy = RetryPolicy::control_plane(config.max_retries);
        operation.answer(&self.rest(&call, config.timeout, policy).await?)
    }

    /// The connected-account methods of `actions` (and `executeTool`, `listConnections`),
    /// resolving the official SDK's result shape as JSON.
    pub async fn accounts_call(
        &self,
        operation: AccountOperation,
        params: &Params,
    ) -> Result<Value, ScalekitError> {
        use AccountOperation as Op;
        let config = &self.inner.config;
        let timeout = match operation {
            Op::ExecuteTool
            | Op::ExecuteLlmTool
            | Op::ListTools
            | Op::ListScopedTools
            | Op::ListAvailableTools
            | Op::SearchTools
            | Op::ForLlm => config.tool_timeout,
            _ => config.timeout,
        };
        let retries = if operation.runs_a_tool() {
            accounts::tool_retries(params, config.max_retries)?
        } else {
            config.max_retries
        };
        let policy = RetryPolicy::control_plane(retries);
        // Each call's request builder, paired with the shape its answer takes.
        type Build = fn(&Params) -> Result<RestCall, ScalekitError>;
        let (build, shape): (Build, fn(&Value) -> Value) = match operation {
            Op::GetOrCreate => return self.get_or_create(params).await,
            Op::ForLlm => return self.for_llm(params, timeout, policy).await,
            Op::WaitActive => return accounts::wait_active(self, params).await,
            Op::AuthorizationLink => {
                let call = accounts::magic_link_call(params)?;
                return accounts::magic_link_answer(&self.rest(&call, timeout, policy).await?);
            }
            Op::Get => (accounts::get_call, accounts::account_answer),
            Op::Details => (accounts::details_call, accounts::account_answer),
            Op::Create => (accounts::create_call, accounts::account_answer),
            Op::Update => (accounts::update_call, accounts::account_answer),
            Op::Delete => (accounts::delete_call, |_| Value::Object(Default::default())),
            Op::List => (accounts::list_call, accounts::list_answer),
            Op::VerifyUser => (accounts::verify_call, accounts::verify_answer),
            Op::ListConnections => (
                accounts::list_connections_call,
                accounts::connections_answer,
            ),
            Op::SearchTools => (accounts::search_tools_call, accounts::search_tools_answer),
            Op::ListAppConnections => (
                accounts::list_app_connections_call,
                accounts::app_connections_answer,
            ),
            Op::ExecuteTool => (accounts::execute_tool_call, accounts::execute_tool_answer),
            Op::ExecuteLlmTool => (
                accounts::execute_llm_tool_call,
                accounts::execute_tool_answer,
            ),
            Op::ListTools => (accounts::list_tools_call, accounts::tools_answer),
            Op::ListScopedTools => (
                accounts::list_scoped_tools_call,
                accounts::scoped_tools_answer,
            ),
            Op::ListAvailableTools => (
                accounts::list_available_tools_call,
                accounts::available_tools_answer,
            ),
        };
        let call = build(params)?;
        Ok(shape(&self.rest(&call, timeout, policy).await?))
    }

    /// `tools.forLLM`: every page of the scoped tools (following `nextPageToken`), then the
    /// definitions in the requested format (docs/wire-protocol.md §11).
    async fn for_llm(
        &self,
        params: &Params,
        timeout: Duration,
        policy: RetryPolicy,
    ) -> Result<Value, ScalekitError> {
        let format = accounts::for_llm_format(params)?;
        let mut items = Vec::new();
        let mut token = String::new();
        // A server that keeps answering with new tokens must not keep the call alive forever.
        let mut pages = 0;
        loop {
            accounts::next_page_allowed(AccountOperation::ForLlm.name(), pages)?;
            pages += 1;
            let call = accounts::for_llm_page(params, &token)?;
            let page = accounts::scoped_tools_answer(&self.rest(&call, timeout, policy).await?);
            if let Some(tools) = page["tools"].as_array() {
                items.extend(tools.iter().cloned());
            }
            match page["nextPageToken"].as_str() {
                Some(next) if !next.is_empty() && next != token => token = next.to_string(),
                _ => return Ok(accounts::for_llm_answer(format, &items)),
            }
        }
    }

    /// docs/wire-protocol.md §4.3: GET, then PUT (details given) or nothing (exists), or POST on NOT_FOUND.
    async fn get_or_create(&self, params: &Params) -> Result<Value, ScalekitError> {
        let lookup = accounts::get_or_create_lookup(params)?;
        let timeout = self.inner.config.timeout;
        let policy = RetryPolicy::control_plane(self.inner.config.max_retries);
        let next = match self.rest(&lookup, timeout, policy).await {
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
        let answer = self.rest(&next, timeout, policy).await?;
        Ok(accounts::account_answer(&answer))
    }

    /// A JSON call to `/api/v1/*`; resolves the parsed answer (`{}` for an empty one).
    pub(crate) async fn rest(
        &self,
        call: &RestCall,
        timeout: Duration,
        policy: RetryPolicy,
    ) -> Result<Value, ScalekitError> {
        let path = &call.path;
        let mut url = self.inner.config.api_url(path)?;
        if let Some(q) = call.query.as_deref().filter(|q| !q.is_empty()) {
            url.set_query(Some(q));
        }
        // The path and query hold the call's params (an identifier, filters).
        check_url_length(&url, "params")?;
        let mut request = OutgoingRequest {
            method: call.method.clone(),
            url,
            headers: Default::default(),
            body: None,
            upload: None,
        };
        if let Some(body) = &call.body {
            request
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            let bytes = serde_json::to_vec(body).map_err(|e| ScalekitError::Protocol {
                message: format!("cannot encode the request body: {e}"),
            })?;
            request.body = Some(Bytes::from(bytes));
        }
        let response = self
            .exchange(CallKind::ControlPlane, policy, timeout)
            .send(request)
            .await?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_slice(&response.body).map_err(|e| ScalekitError::Protocol {
            message: format!("Scalekit answered {path} with a body that is not JSON: {e}"),
        })
    }

    fn exchange(&self, kind: CallKind, policy: RetryPolicy, timeout: Duration) -> Exchange<'_> {
        Exchange {
            transport: &self.inner.transport,
            tokens: Some(&self.inner.tokens),
            kind,
            policy,
            timeout,
            // `maxResponseBytes` is about provider answers (set per proxy call below);
            // Scalekit's own stay at the default.
            read: ReadMode::Buffered {
                limit: DEFAULT_MAX_RESPONSE_BYTES,
            },
            budget: &self.inner.budget,
            secret: None,
        }
    }
}
