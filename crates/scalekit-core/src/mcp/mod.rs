//! `actions.mcp` (docs/wire-protocol.md §13): MCP configurations, their per-user instances and
//! session tokens, over the REST bindings of Scalekit's McpService. [`params`] holds the argument
//! rules, [`requests`] builds each REST call, [`shapes`] turns the answers into camelCase results.
//! The calls go through the same exchange as the connected-account ones
//! ([`crate::client::ScalekitClient::mcp_call`]).

mod params;
mod requests;
mod shapes;

use serde_json::Value;

use crate::accounts::{Params, RestCall};
use crate::errors::ScalekitError;

pub const CONFIGS_PATH: &str = "/api/v1/mcp/configs";
pub const INSTANCES_PATH: &str = "/api/v1/mcp/instances";
pub const CONNECTIONS_PATH: &str = "/api/v1/mcp/connections";

/// The methods of `actions.mcp`, by their JS names (`mcp.<name>` on the native side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum McpOperation {
    ListConfigs,
    CreateConfig,
    GetConfig,
    UpdateConfig,
    DeleteConfig,
    EnsureInstance,
    GetInstance,
    UpdateInstance,
    ListInstances,
    DeleteInstance,
    GetInstanceAuthState,
    ListConnectedAccounts,
    CreateSessionToken,
}

/// Every operation with its native method name.
pub const OPERATIONS: [(&str, McpOperation); 13] = {
    use McpOperation as Op;
    [
        ("mcp.listConfigs", Op::ListConfigs),
        ("mcp.createConfig", Op::CreateConfig),
        ("mcp.getConfig", Op::GetConfig),
        ("mcp.updateConfig", Op::UpdateConfig),
        ("mcp.deleteConfig", Op::DeleteConfig),
        ("mcp.ensureInstance", Op::EnsureInstance),
        ("mcp.getInstance", Op::GetInstance),
        ("mcp.updateInstance", Op::UpdateInstance),
        ("mcp.listInstances", Op::ListInstances),
        ("mcp.deleteInstance", Op::DeleteInstance),
        ("mcp.getInstanceAuthState", Op::GetInstanceAuthState),
        ("mcp.listMcpConnectedAccounts", Op::ListConnectedAccounts),
        ("mcp.createSessionToken", Op::CreateSessionToken),
    ]
};

/// What tracing reports for an operation (docs/architecture.md, "Tracing"): the method and the
/// route with its ids as `{placeholders}`, never their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// `(param, path)`: the route taken instead when the params hold `param`.
    pub alternate: Option<(&'static str, &'static str)>,
}

impl McpOperation {
    pub fn from_method(name: &str) -> Option<Self> {
        OPERATIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, op)| *op)
    }

    /// The list operations, which may be called without params.
    pub fn is_list(self) -> bool {
        matches!(self, Self::ListConfigs | Self::ListInstances)
    }

    pub fn route(self) -> Route {
        use McpOperation as Op;
        let (method, path) = match self {
            Op::ListConfigs => ("GET", CONFIGS_PATH),
            Op::CreateConfig => ("POST", CONFIGS_PATH),
            Op::GetConfig => ("GET", "/api/v1/mcp/configs/{config_id}"),
            Op::UpdateConfig => ("PUT", "/api/v1/mcp/configs/{config_id}"),
            Op::DeleteConfig => ("DELETE", "/api/v1/mcp/configs/{config_id}"),
            Op::EnsureInstance => ("POST", INSTANCES_PATH),
            Op::GetInstance => ("GET", "/api/v1/mcp/instances/{instance_id}"),
            Op::UpdateInstance => ("PATCH", "/api/v1/mcp/instances/{instance_id}"),
            Op::ListInstances => ("GET", INSTANCES_PATH),
            Op::DeleteInstance => ("DELETE", "/api/v1/mcp/instances/{instance_id}"),
            Op::GetInstanceAuthState => {
                ("POST", "/api/v1/mcp/instances/{instance_id}:get_auth_state")
            }
            Op::ListConnectedAccounts => {
                ("POST", "/api/v1/mcp/configs/{config_id}/connected_accounts")
            }
            Op::CreateSessionToken => ("POST", "/api/v1/mcp/configs/{mcp_config_id}/tokens"),
        };
        let alternate = (self == Op::CreateSessionToken)
            .then_some(("connectionName", "/api/v1/mcp/connections/{key_id}/tokens"));
        Route {
            method,
            path,
            alternate,
        }
    }

    /// The operation's REST call, from its checked params: a bad argument is an error here, before
    /// anything is sent.
    pub fn request(self, params: &Params) -> Result<RestCall, ScalekitError> {
        use McpOperation as Op;
        params::check_keys(self, params)?;
        match self {
            Op::ListConfigs => requests::list_configs(params),
            Op::CreateConfig => requests::create_config(params),
            Op::GetConfig | Op::DeleteConfig => requests::config_by_id(self, params),
            Op::UpdateConfig => requests::update_config(params),
            Op::EnsureInstance => requests::ensure_instance(params),
            Op::GetInstance | Op::DeleteInstance => requests::instance_by_id(self, params),
            Op::UpdateInstance => requests::update_instance(params),
            Op::ListInstances => requests::list_instances(params),
            Op::GetInstanceAuthState => requests::instance_auth_state(params),
            Op::ListConnectedAccounts => requests::list_connected_accounts(params),
            Op::CreateSessionToken => requests::session_token(params),
        }
    }

    /// The answer in the shape `actions.mcp` resolves (camelCase, timestamps as RFC 3339 text).
    pub fn answer(self, answer: &Value) -> Result<Value, ScalekitError> {
        use McpOperation as Op;
        Ok(match self {
            Op::ListConfigs => shapes::configs_page(answer),
            Op::CreateConfig | Op::GetConfig | Op::UpdateConfig => shapes::config_answer(answer)?,
            Op::DeleteConfig | Op::DeleteInstance => Value::Object(Default::default()),
            Op::EnsureInstance | Op::GetInstance | Op::UpdateInstance => {
                shapes::instance_answer(answer)?
            }
            Op::ListInstances => shapes::instances_page(answer),
            Op::GetInstanceAuthState => shapes::instance_auth_state(answer),
            Op::ListConnectedAccounts => shapes::connected_accounts(answer),
            Op::CreateSessionToken => shapes::session_token(answer)?,
        })
    }
}
