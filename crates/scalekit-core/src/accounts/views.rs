//! The official SDK's low-level clients as views over the `actions` operations
//! (docs/wire-protocol.md §14): `client.connectedAccounts.*` names the connection `connector`
//! where `actions` says `connectionName`, and create and update take
//! `connectedAccount: { authorizationDetails, apiConfig }`; `client.connection.listAppConnections`
//! is `listConnections` with `query`, answered under the proto's field names. Each view is its
//! target operation after renaming the params: one request builder, one answer shape.

use serde_json::{Map, Value};

use super::params::{Params, LIFTED};
use super::requests::{push, push_paging, RestCall, ACCOUNTS_PAGE_SIZE};
use super::shapes::{enum_name, field, page_of, put_opt, string_list, text, timestamp};
use super::{AccountOperation, APP_CONNECTIONS_PATH};
use crate::errors::ScalekitError;
use scalekit_wire::names::{snake_to_camel, CONNECTION_STATUS_NAMES, CONNECTION_TYPE_NAMES};

/// A method of `client.connectedAccounts` or `client.connection`, by its JS name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewOperation {
    ListConnectedAccounts,
    CreateConnectedAccount,
    GetOrCreateConnectedAccount,
    UpdateConnectedAccount,
    DeleteConnectedAccount,
    GetMagicLink,
    VerifyUser,
    GetByIdentifier,
    ListAppConnections,
    /// `tools.executeTool`: the official ToolsClient names the tool's input `params`, where
    /// `actions.executeTool` (the operation) names it `toolInput`.
    ToolsExecuteTool,
}

impl ViewOperation {
    /// `connectedAccounts.<name>` or `connection.<name>`.
    pub fn from_method(name: &str) -> Option<Self> {
        Some(match name {
            "connectedAccounts.listConnectedAccounts" => Self::ListConnectedAccounts,
            "connectedAccounts.createConnectedAccount" => Self::CreateConnectedAccount,
            "connectedAccounts.getOrCreateConnectedAccount"
            | "connectedAccounts.upsertConnectedAccount" => Self::GetOrCreateConnectedAccount,
            "connectedAccounts.updateConnectedAccount" => Self::UpdateConnectedAccount,
            "connectedAccounts.deleteConnectedAccount" => Self::DeleteConnectedAccount,
            "connectedAccounts.getMagicLinkForConnectedAccount" => Self::GetMagicLink,
            "connectedAccounts.verifyConnectedAccountUser" => Self::VerifyUser,
            "connectedAccounts.getConnectedAccountByIdentifier" => Self::GetByIdentifier,
            "connection.listAppConnections" => Self::ListAppConnections,
            "tools.executeTool" => Self::ToolsExecuteTool,
            _ => return None,
        })
    }

    /// The JS name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::ListConnectedAccounts => "connectedAccounts.listConnectedAccounts",
            Self::CreateConnectedAccount => "connectedAccounts.createConnectedAccount",
            Self::GetOrCreateConnectedAccount => "connectedAccounts.getOrCreateConnectedAccount",
            Self::UpdateConnectedAccount => "connectedAccounts.updateConnectedAccount",
            Self::DeleteConnectedAccount => "connectedAccounts.deleteConnectedAccount",
            Self::GetMagicLink => "connectedAccounts.getMagicLinkForConnectedAccount",
            Self::VerifyUser => "connectedAccounts.verifyConnectedAccountUser",
            Self::GetByIdentifier => "connectedAccounts.getConnectedAccountByIdentifier",
            Self::ListAppConnections => "connection.listAppConnections",
            Self::ToolsExecuteTool => "tools.executeTool",
        }
    }

    /// The operation the view's call is.
    pub fn target(self) -> AccountOperation {
        use AccountOperation as Op;
        match self {
            Self::ListConnectedAccounts => Op::List,
            Self::CreateConnectedAccount => Op::Create,
            Self::GetOrCreateConnectedAccount => Op::GetOrCreate,
            Self::UpdateConnectedAccount => Op::Update,
            Self::DeleteConnectedAccount => Op::Delete,
            Self::GetMagicLink => Op::AuthorizationLink,
            Self::VerifyUser => Op::VerifyUser,
            Self::GetByIdentifier => Op::Get,
            Self::ListAppConnections => Op::ListAppConnections,
            Self::ToolsExecuteTool => Op::ExecuteTool,
        }
    }

    pub fn is_list(self) -> bool {
        matches!(self, Self::ListConnectedAccounts | Self::ListAppConnections)
    }

    /// The view's renames, `(its name, the target's name)`, and the object whose fields it lifts
    /// to the top (its `connectedAccount`).
    fn renames(
        self,
    ) -> (
        &'static [(&'static str, &'static str)],
        Option<&'static str>,
    ) {
        const CONNECTOR: &[(&str, &str)] = &[("connector", "connectionName")];
        match self {
            Self::CreateConnectedAccount | Self::UpdateConnectedAccount => {
                (CONNECTOR, Some("connectedAccount"))
            }
            Self::VerifyUser | Self::ListAppConnections => (&[], None),
            // `toolInput` given to it is refused: "tools.executeTool takes params, not toolInput".
            Self::ToolsExecuteTool => (&[("params", "toolInput")], None),
            _ => (CONNECTOR, None),
        }
    }

    /// The names the view takes: its target's (accounts/keys.rs), under the view's names, the
    /// lifted ones inside its `connectedAccount`; `tools.executeTool` takes no `agentRunId` (the
    /// official ToolsClient's parameters).
    pub(super) fn takes(self) -> Vec<&'static str> {
        let (renames, lift) = self.renames();
        let mut names: Vec<&'static str> = super::keys::takes(self.target())
            .iter()
            .filter(|name| !(lift.is_some() && LIFTED.contains(name)))
            .filter(|name| !(self == Self::ToolsExecuteTool && **name == "agentRunId"))
            .map(|name| match renames.iter().find(|(_, to)| to == name) {
                Some((from, _)) => *from,
                None => *name,
            })
            .collect();
        names.extend(lift);
        names
    }

    /// The params under the target operation's names; a name the view does not take is refused
    /// (after the names it renames, which have messages of their own).
    pub fn params(self, params: &Params) -> Result<Params, ScalekitError> {
        let (renames, lift) = self.renames();
        let translated = params.translated(self.name(), renames, lift)?;
        super::keys::only(None, self.name(), params.keys(), &self.takes())?;
        Ok(translated)
    }

    /// A refusal by the target's rules, under the names the caller used: `connectionName` is
    /// `connector` here, `toolInput` is `params`, and a field lifted out of `connectedAccount` is
    /// `connectedAccount.<field>` (the argument, and the message when it starts with it).
    pub fn in_own_names(self, error: ScalekitError) -> ScalekitError {
        let ScalekitError::Validation { argument, message } = error else {
            return error;
        };
        let (renames, lift) = self.renames();
        let head_end = argument.find(['.', '[']).unwrap_or(argument.len());
        let (head, rest) = argument.split_at(head_end);
        let own = match renames.iter().find(|(_, target)| *target == head) {
            Some((view, _)) => format!("{view}{rest}"),
            None => match lift {
                Some(holder) if LIFTED.contains(&head) => format!("{holder}.{argument}"),
                _ => return ScalekitError::Validation { argument, message },
            },
        };
        let message = match message.strip_prefix(argument.as_ref()) {
            Some(tail) if !tail.starts_with(|c: char| c.is_alphanumeric() || c == '_') => {
                format!("{own}{tail}")
            }
            _ => message,
        };
        ScalekitError::Validation {
            argument: own.into(),
            message,
        }
    }
}

/// `GET /api/v1/connections/app` with the official ListAppConnectionsRequest's fields.
pub fn list_app_connections_call(params: &Params) -> Result<RestCall, ScalekitError> {
    let mut query = Vec::new();
    push_paging(&mut query, params, ACCOUNTS_PAGE_SIZE)?;
    push(&mut query, "provider", params.truthy("provider")?);
    push(&mut query, "query", params.truthy("query")?);
    Ok(RestCall::get(APP_CONNECTIONS_PATH, query))
}

/// ListAppConnectionsResponse as the official client resolves it: every field of each
/// ListConnection under its JSON name, those the answer leaves out at their defaults (proto3 JSON
/// omits them; the official client's messages always have them), enums by name, `createdAt` as a
/// timestamp string (a `Date` in JS, lib/dates.js), when given.
pub fn app_connections_answer(answer: &Value) -> Value {
    // The REST binding sends enums by name; only ConnectionProvider's zero value, the one an
    // answer leaves out, needs naming here.
    const PROVIDER_UNSPECIFIED: [&str; 1] = ["CONNECTION_PROVIDER_UNSPECIFIED"];
    page_of(answer, "connections", |c| {
        c.as_object()?;
        let mut out = Map::new();
        out.insert("id".into(), text(c, "id"));
        out.insert(
            "provider".into(),
            enum_name(c, "provider", &PROVIDER_UNSPECIFIED),
        );
        out.insert("type".into(), enum_name(c, "type", &CONNECTION_TYPE_NAMES));
        out.insert(
            "status".into(),
            enum_name(c, "status", &CONNECTION_STATUS_NAMES),
        );
        let enabled = field(c, "enabled").and_then(Value::as_bool);
        out.insert("enabled".into(), Value::Bool(enabled.unwrap_or(false)));
        for snake in [
            "organization_id",
            "ui_button_title",
            "organization_name",
            "provider_key",
            "key_id",
            "mcp_server_url",
        ] {
            out.insert(snake_to_camel(snake), text(c, snake));
        }
        out.insert("domains".into(), string_list(c, "domains"));
        put_opt(&mut out, "createdAt", timestamp(c, "created_at"));
        Some(Value::Object(out))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_execute_tool_takes_the_input_under_its_own_name_only() {
        let op = ViewOperation::from_method("tools.executeTool").unwrap();
        assert_eq!(op.target(), AccountOperation::ExecuteTool);
        let given = crate::accounts::params(
            json!({"toolName": "t", "identifier": "u", "params": {"to": "x"}}),
        );
        let call = crate::accounts::execute_tool_call(&op.params(&given).unwrap()).unwrap();
        assert_eq!(call.body.unwrap()["params"], json!({"to": "x"}));
        let wrong = crate::accounts::params(json!({"toolName": "t", "toolInput": {"to": "x"}}));
        let e = op.params(&wrong).unwrap_err();
        assert!(
            matches!(e, ScalekitError::Validation { ref argument, .. } if argument == "toolInput")
        );
        assert_eq!(
            e.to_string(),
            "tools.executeTool takes params, not toolInput"
        );
        let e = crate::accounts::execute_tool_call(&crate::accounts::params(
            json!({"toolName": "t", "params": {"to": "x"}}),
        ))
        .unwrap_err();
        assert!(
            matches!(e, ScalekitError::Validation { ref argument, .. } if argument == "params")
        );
        assert!(e
            .to_string()
            .starts_with("actions.executeTool takes the tool's input as toolInput, not params"));
    }

    #[test]
    fn connector_and_connected_account_become_the_actions_names() {
        let params = crate::accounts::params(json!({
            "connector": "crm", "identifier": "u",
            "connectedAccount": { "authorizationDetails": { "oauthToken": { "accessToken": "t" } }, "apiConfig": { "a": 1 } },
        }));
        let method = "connectedAccounts.createConnectedAccount";
        let op = ViewOperation::from_method(method).unwrap();
        let call = super::super::create_call(&op.params(&params).unwrap()).unwrap();
        assert_eq!(
            call.body.unwrap(),
            json!({ "connector": "crm", "identifier": "u", "connected_account": {
                "authorization_details": { "oauth_token": { "access_token": "t" } }, "api_config": { "a": 1 } } })
        );
    }

    #[test]
    fn a_view_refuses_the_other_clients_names() {
        let method = "connectedAccounts.getConnectedAccountByIdentifier";
        let op = ViewOperation::from_method(method).unwrap();
        let both = crate::accounts::params(json!({ "connector": "a", "connectionName": "b" }));
        let e = op.params(&both).unwrap_err();
        assert!(
            e.to_string()
                .contains("takes connector, not connectionName"),
            "{e}"
        );
        let create = ViewOperation::CreateConnectedAccount;
        let stray = crate::accounts::params(
            json!({ "connector": "a", "identifier": "u", "connectedAccount": { "status": "ACTIVE" } }),
        );
        let e = create.params(&stray).unwrap_err();
        assert!(
            e.to_string()
                .contains("connectedAccount.status is not a field"),
            "{e}"
        );
        let beside =
            crate::accounts::params(json!({ "connector": "a", "authorizationDetails": {} }));
        assert!(create.params(&beside).is_err());
    }

    #[test]
    fn a_refusal_by_the_target_names_what_the_caller_gave() {
        type Build = fn(&Params) -> Result<RestCall, ScalekitError>;
        let refused = |view: ViewOperation, build: Build, params: serde_json::Value| {
            let target = view.params(&crate::accounts::params(params)).unwrap();
            let error = build(&target).unwrap_err();
            crate::accounts::refused(Err::<(), _>(view.in_own_names(error)))
        };
        let (argument, message) = refused(
            ViewOperation::ToolsExecuteTool,
            crate::accounts::execute_tool_call,
            json!({ "toolName": "t", "identifier": "u", "params": 5 }),
        );
        assert_eq!(argument, "params");
        assert!(message.starts_with("params must be"), "{message}");
        let (argument, message) = refused(
            ViewOperation::GetByIdentifier,
            crate::accounts::get_call,
            json!({ "connector": 5, "identifier": "u" }),
        );
        assert_eq!(argument, "connector");
        assert!(message.starts_with("connector must be"), "{message}");
    }

    #[test]
    fn app_connections_keep_the_proto_names() {
        let answer = json!({ "connections": [{ "id": "conn_1", "key_id": "crm", "provider_key": "crm",
            "type": "OAUTH", "status": "COMPLETED", "enabled": true, "created_at": { "seconds": 0, "nanos": 0 } }],
            "total_size": 1 });
        let out = app_connections_answer(&answer);
        assert_eq!(out["connections"][0]["keyId"], "crm");
        assert_eq!(out["connections"][0]["providerKey"], "crm");
        assert_eq!(out["connections"][0]["createdAt"], "1970-01-01T00:00:00Z");
        assert_eq!(out["totalSize"], 1);
        // What the answer leaves out is there at its default, as in the official client's message.
        let bare = app_connections_answer(&json!({ "connections": [{ "id": "conn_2" }] }));
        assert_eq!(
            bare["connections"][0],
            json!({ "id": "conn_2", "provider": "CONNECTION_PROVIDER_UNSPECIFIED", "type": "INVALID",
                "status": "CONNECTION_STATUS_UNSPECIFIED", "enabled": false, "organizationId": "",
                "uiButtonTitle": "", "organizationName": "", "providerKey": "", "keyId": "",
                "mcpServerUrl": "", "domains": [] })
        );
        let call = list_app_connections_call(&crate::accounts::params(
            json!({ "query": "crm", "pageSize": 5 }),
        ))
        .unwrap();
        assert_eq!(call.query.as_deref(), Some("page_size=5&query=crm"));
    }
}
