//! Connected-account operations (docs/wire-protocol.md §4): [`params`] reads the official
//! SDK's parameters, [`requests`] turns them into REST calls, [`shapes`] turns the answers into
//! the results the official SDK resolves.

mod keys;
mod params;
mod requests;
mod search;
mod shapes;
mod tools;
mod views;
mod wait;

pub use keys::check_keys;
pub use params::{details_to_wire, Params};
pub use requests::{
    create_call, delete_call, details_call, execute_tool_call, get_call, get_or_create_lookup,
    get_or_create_next, list_call, list_connections_call, magic_link_call, update_call,
    verify_call, RestCall,
};
pub use search::{search_tools_answer, search_tools_call, SEARCH_TOOLS_PATH};
pub use shapes::{
    account_answer, account_to_sdk, connections_answer, execute_tool_answer, list_answer,
    magic_link_answer, verify_answer,
};
pub use tools::{
    available_tools_answer, execute_llm_tool_call, for_llm_answer, for_llm_format, for_llm_page,
    list_available_tools_call, list_scoped_tools_call, list_tools_call, scoped_tools_answer,
    tool_retries, tools_answer, LlmFormat, AVAILABLE_TOOLS_PATH, SCOPED_TOOLS_PATH, TOOLS_PATH,
};
pub use views::{app_connections_answer, list_app_connections_call, ViewOperation};
pub use wait::wait_active;

use crate::errors::ScalekitError;
// The machinery other operation families (crate::mcp) build on.
pub(crate) use keys::only;
#[cfg(test)]
pub(crate) use keys::refused;
#[cfg(test)]
pub(crate) use params::params;
pub(crate) use params::put;
pub(crate) use requests::{push, push_paging, Query};
pub(crate) use shapes::{
    field, page, page_of, put_opt, string_list, text, text_and_time, timestamp,
};

/// A walk over a listing's pages fetches at most this many that it cannot stop on: `tools.forLLM`
/// reads every page before it answers, and `for await` over a listing (docs/architecture.md
/// "Pages") cannot break while pages come without an item. A server that keeps naming a fresh next
/// page must not keep either going.
pub const MAX_PAGES: usize = 1000;

/// Whether `tools.forLLM`, having fetched `pages` pages, may fetch another: past [`MAX_PAGES`],
/// the protocol failure that ends it.
pub fn next_page_allowed(method: &str, pages: usize) -> Result<(), ScalekitError> {
    page_bound(method, pages, "pages")
}

/// Whether `for await` over `method`'s listing, its last `empty_in_a_row` pages without an item,
/// may fetch another. A page with items runs the loop's body, which may break; a long listing
/// of such pages is the caller's to walk.
pub fn next_empty_page_allowed(method: &str, empty_in_a_row: usize) -> Result<(), ScalekitError> {
    page_bound(method, empty_in_a_row, "pages in a row without an item")
}

fn page_bound(method: &str, counted: usize, what: &str) -> Result<(), ScalekitError> {
    if counted < MAX_PAGES {
        return Ok(());
    }
    Err(ScalekitError::Protocol {
        message: format!(
            "{method}: the listing did not end after {MAX_PAGES} {what} (the server kept answering with a next page token)"
        ),
    })
}

pub const ACCOUNTS_PATH: &str = "/api/v1/connected_accounts";
pub const ACCOUNT_AUTH_PATH: &str = "/api/v1/connected_accounts/auth";
/// GetConnectedAccountDetails: the account without its credentials.
pub const ACCOUNT_DETAILS_PATH: &str = "/api/v1/connected_accounts/details";
pub const DELETE_PATH: &str = "/api/v1/connected_accounts:delete";
pub const MAGIC_LINK_PATH: &str = "/api/v1/connected_accounts/magic_link";
pub const VERIFY_PATH: &str = "/api/v1/connected_accounts/user/verify";
pub const APP_CONNECTIONS_PATH: &str = "/api/v1/connections/app";
pub const EXECUTE_TOOL_PATH: &str = "/api/v1/execute_tool";

/// The `actions` methods served by [`crate::client::ScalekitClient::accounts_call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountOperation {
    Get,
    /// `getConnectedAccountDetails`: as `Get`, without the credentials.
    Details,
    Create,
    Update,
    Delete,
    List,
    GetOrCreate,
    AuthorizationLink,
    VerifyUser,
    ListConnections,
    ExecuteTool,
    ListTools,
    ListScopedTools,
    ListAvailableTools,
    /// `tools.forLLM`: every page of the scoped tools, as LLM function definitions.
    ForLlm,
    /// `forLLM(...).execute`: ExecuteTool for one of the tools `forLLM` listed.
    ExecuteLlmTool,
    /// `waitForConnectedAccount`: polls `Get` until the account is ACTIVE.
    WaitActive,
    /// `tools.searchTools` (accounts/search.rs).
    SearchTools,
    /// `client.connection.listAppConnections` (a view only, accounts/views.rs).
    ListAppConnections,
}

impl AccountOperation {
    /// From the JS method name.
    pub fn from_method(name: &str) -> Option<Self> {
        Some(match name {
            "getConnectedAccount" => Self::Get,
            "getConnectedAccountDetails" => Self::Details,
            "createConnectedAccount" => Self::Create,
            "updateConnectedAccount" => Self::Update,
            "deleteConnectedAccount" => Self::Delete,
            "listConnectedAccounts" => Self::List,
            "getOrCreateConnectedAccount" | "upsertConnectedAccount" => Self::GetOrCreate,
            "getAuthorizationLink" => Self::AuthorizationLink,
            "verifyConnectedAccountUser" => Self::VerifyUser,
            "listConnections" => Self::ListConnections,
            "executeTool" => Self::ExecuteTool,
            "listTools" => Self::ListTools,
            "listScopedTools" => Self::ListScopedTools,
            "listAvailableTools" => Self::ListAvailableTools,
            "searchTools" => Self::SearchTools,
            "forLLM" => Self::ForLlm,
            "executeLLMTool" => Self::ExecuteLlmTool,
            "waitForConnectedAccount" => Self::WaitActive,
            _ => return None,
        })
    }

    /// The JS name, for messages (`getOrCreateConnectedAccount` for its alias `upsertConnectedAccount`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Get => "actions.getConnectedAccount",
            Self::Details => "actions.getConnectedAccountDetails",
            Self::Create => "actions.createConnectedAccount",
            Self::Update => "actions.updateConnectedAccount",
            Self::Delete => "actions.deleteConnectedAccount",
            Self::List => "actions.listConnectedAccounts",
            Self::GetOrCreate => "actions.getOrCreateConnectedAccount",
            Self::AuthorizationLink => "actions.getAuthorizationLink",
            Self::VerifyUser => "actions.verifyConnectedAccountUser",
            Self::ListConnections => "actions.listConnections",
            Self::ExecuteTool => "actions.executeTool",
            Self::ListTools => "tools.listTools",
            Self::ListScopedTools => "tools.listScopedTools",
            Self::ListAvailableTools => "tools.listAvailableTools",
            Self::ForLlm => "tools.forLLM",
            Self::ExecuteLlmTool => "forLLM().execute",
            Self::WaitActive => "actions.waitForConnectedAccount",
            Self::SearchTools => "tools.searchTools",
            Self::ListAppConnections => "connection.listAppConnections",
        }
    }

    /// Running a tool twice can have effects twice (docs/wire-protocol.md §11): ExecuteTool is
    /// retried only when the caller opts in.
    pub fn runs_a_tool(self) -> bool {
        matches!(self, Self::ExecuteTool | Self::ExecuteLlmTool)
    }
}

/// `authorization_details` oneof members: (wire key, SDK case).
const DETAIL_CASES: [(&str, &str); 4] = [
    ("oauth_token", "oauthToken"),
    ("static_auth", "staticAuth"),
    ("google_dwd", "googleDwd"),
    ("trusted_idp", "trustedIdp"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_stops_at_max_pages_with_a_protocol_failure() {
        assert!(next_page_allowed("tools.forLLM", 0).is_ok());
        assert!(next_page_allowed("tools.forLLM", MAX_PAGES - 1).is_ok());
        let Err(ScalekitError::Protocol { message }) = next_page_allowed("tools.forLLM", MAX_PAGES)
        else {
            panic!("expected a protocol failure")
        };
        assert!(
            message.starts_with("tools.forLLM: the listing did not end after 1000 pages ("),
            "{message}"
        );
        let method = "actions.listConnectedAccounts";
        assert!(next_empty_page_allowed(method, MAX_PAGES - 1).is_ok());
        let Err(ScalekitError::Protocol { message }) = next_empty_page_allowed(method, MAX_PAGES)
        else {
            panic!("expected a protocol failure")
        };
        assert!(
            message.starts_with(
                "actions.listConnectedAccounts: the listing did not end after 1000 pages in a row without an item"
            ),
            "{message}"
        );
    }
}
