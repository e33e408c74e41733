//! The route tracing reports for each account operation (`trace::route`) is the first request the
//! client really sends for it.

use scalekit_core::accounts::{AccountOperation, Params};
use scalekit_core::trace::route;
use serde_json::json;

use crate::common::Stub;

/// Every JS method name served by `accounts_call`.
const METHODS: [&str; 16] = [
    "getConnectedAccount",
    "createConnectedAccount",
    "updateConnectedAccount",
    "deleteConnectedAccount",
    "listConnectedAccounts",
    "getOrCreateConnectedAccount",
    "getAuthorizationLink",
    "verifyConnectedAccountUser",
    "listConnections",
    "executeTool",
    "listTools",
    "listScopedTools",
    "listAvailableTools",
    "forLLM",
    "executeLLMTool",
    "waitForConnectedAccount",
];

#[tokio::test]
async fn each_route_is_the_first_request_sent() {
    let stub = Stub::start(|_| None).await;
    let client = stub.client(0);
    let params = Params::from_json(
        &json!({
            "connectionName": "gmail", "identifier": "u", "connectedAccountId": "ca_1",
            "authRequestId": "ar_1", "toolName": "t", "tools": {"t": "ca_1"}, "format": "openai",
            "authorizationDetails": {"oauthToken": {"accessToken": "x"}},
            // waitForConnectedAccount: the stub's `{}` is never ACTIVE.
            "timeoutMs": 200, "pollIntervalMs": 10,
        })
        .to_string(),
    )
    .unwrap();
    for method in METHODS {
        let operation = AccountOperation::from_method(method).unwrap();
        let before = stub.api_requests().len();
        // The answers (`{}`) may not be what each operation expects: only the request matters.
        let _ = client.accounts_call(operation, &params).await;
        let sent = stub.api_requests();
        let first = sent
            .get(before)
            .unwrap_or_else(|| panic!("{method} sent nothing"));
        assert_eq!(
            route(operation),
            (first.method.as_str(), first.path.as_str()),
            "{method}"
        );
    }
}
