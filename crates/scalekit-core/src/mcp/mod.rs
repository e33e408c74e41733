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

const CONFIGS: &str = "/api/v1/mcp/configs";
const CONFIG: &str = "/api/v1/mcp/configs/{config_id}";
const INSTANCES: &str = "/api/v1/mcp/instances";
const INSTANCE: &str = "/api/v1/mcp/instances/{instance_id}";

/// Every operation, in declaration order (`OPERATIONS[op as usize]` is `op`'s row): its native
/// method name, its HTTP method and the route of its REST binding (docs/wire-protocol.md §13.1),
/// ids as `{placeholders}`: what tracing reports, and what the request fills.
pub const OPERATIONS: [(&str, McpOperation, &str, &str); 13] = {
    use McpOperation as Op;
    [
        ("mcp.listConfigs", Op::ListConfigs, "GET", CONFIGS),
        ("mcp.createConfig", Op::CreateConfig, "POST", CONFIGS),
        ("mcp.getConfig", Op::GetConfig, "GET", CONFIG),
        ("mcp.updateConfig", Op::UpdateConfig, "PUT", CONFIG),
        ("mcp.deleteConfig", Op::DeleteConfig, "DELETE", CONFIG),
        ("mcp.ensureInstance", Op::EnsureInstance, "POST", INSTANCES),
        ("mcp.getInstance", Op::GetInstance, "GET", INSTANCE),
        ("mcp.updateInstance", Op::UpdateInstance, "PATCH", INSTANCE),
        ("mcp.listInstances", Op::ListInstances, "GET", INSTANCES),
        ("mcp.deleteInstance", Op::DeleteInstance, "DELETE", INSTANCE),
        (
            "mcp.getInstanceAuthState",
            Op::GetInstanceAuthState,
            "POST",
            "/api/v1/mcp/instances/{instance_id}:get_auth_state",
        ),
        (
            "mcp.listMcpConnectedAccounts",
            Op::ListConnectedAccounts,
            "POST",
            "/api/v1/mcp/configs/{config_id}/connected_accounts",
        ),
        (
            "mcp.createSessionToken",
            Op::CreateSessionToken,
            "POST",
            "/api/v1/mcp/configs/{mcp_config_id}/tokens",
        ),
    ]
};

/// CreateSessionToken's route when the params name a connection (`connectionName`).
const CONNECTION_TOKENS: &str = "/api/v1/mcp/connections/{key_id}/tokens";

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
            .find(|(n, ..)| *n == name)
            .map(|(_, op, ..)| *op)
    }

    /// The native method name (`mcp.<name>`).
    pub fn name(self) -> &'static str {
        OPERATIONS[self as usize].0
    }

    /// The list operations, which may be called without params.
    pub fn is_list(self) -> bool {
        matches!(self, Self::ListConfigs | Self::ListInstances)
    }

    pub fn route(self) -> Route {
        let (_, _, method, path) = OPERATIONS[self as usize];
        let alternate =
            (self == Self::CreateSessionToken).then_some(("connectionName", CONNECTION_TOKENS));
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
        let path = self.route().path;
        match self {
            Op::ListConfigs => requests::list_configs(path, params),
            Op::CreateConfig => requests::create_config(path, params),
            Op::GetConfig | Op::DeleteConfig | Op::GetInstance | Op::DeleteInstance => {
                requests::by_id(self, path, params)
            }
            Op::UpdateConfig => requests::update_config(path, params),
            Op::EnsureInstance => requests::ensure_instance(path, params),
            Op::UpdateInstance => requests::update_instance(path, params),
            Op::ListInstances => requests::list_instances(path, params),
            Op::GetInstanceAuthState => requests::instance_auth_state(path, params),
            Op::ListConnectedAccounts => requests::list_connected_accounts(path, params),
            Op::CreateSessionToken => requests::session_token(path, params),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_of_the_table_is_its_operations() {
        for (i, (name, op, ..)) in OPERATIONS.iter().enumerate() {
            assert_eq!(*op as usize, i, "{name}");
            assert_eq!(McpOperation::from_method(name), Some(*op));
        }
    }
}
