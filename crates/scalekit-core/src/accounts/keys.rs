//! The names each connected-account and tools method takes (docs/architecture.md, "Argument
//! rules"): one table per operation. Every other name is refused before anything is sent, so
//! that a misspelt one (`indentifier`) is not silently left out of the request. The views
//! (accounts/views.rs) take their target's names under their own.

use super::params::Params;
use super::AccountOperation;
use crate::errors::ScalekitError;

/// The params each operation takes, by their JS names (index.d.ts's params interfaces).
pub(super) fn takes(operation: AccountOperation) -> &'static [&'static str] {
    use AccountOperation as Op;
    match operation {
        Op::Get | Op::Details | Op::Delete => &[
            "connectionName",
            "identifier",
            "connectedAccountId",
            "organizationId",
            "userId",
            "signal",
        ],
        Op::WaitActive => &[
            "connectionName",
            "identifier",
            "connectedAccountId",
            "organizationId",
            "userId",
            "timeoutMs",
            "pollIntervalMs",
            "signal",
        ],
        Op::AuthorizationLink => &[
            "connectionName",
            "identifier",
            "connectedAccountId",
            "organizationId",
            "userId",
            "state",
            "userVerifyUrl",
            "signal",
        ],
        Op::Update => &[
            "connectionName",
            "identifier",
            "connectedAccountId",
            "organizationId",
            "userId",
            "authorizationDetails",
            "apiConfig",
            "signal",
        ],
        Op::Create | Op::GetOrCreate => &[
            "connectionName",
            "identifier",
            "authorizationDetails",
            "organizationId",
            "userId",
            "apiConfig",
            "signal",
        ],
        Op::List => &[
            "connectionName",
            "identifier",
            "organizationId",
            "userId",
            "provider",
            "pageSize",
            "pageToken",
            "query",
            "connectionNames",
            "signal",
        ],
        Op::VerifyUser => &["authRequestId", "identifier", "signal"],
        Op::ListConnections => &["pageSize", "pageToken", "provider", "signal"],
        Op::ListAppConnections => &["pageSize", "pageToken", "provider", "query", "signal"],
        Op::ExecuteTool => &[
            "toolName",
            "toolInput",
            "identifier",
            "connectedAccountId",
            "connector",
            "organizationId",
            "userId",
            "agentRunId",
            "retry",
            "signal",
        ],
        Op::ListTools => &["filter", "pageSize", "pageToken", "signal"],
        Op::ListScopedTools => &["identifier", "filter", "pageSize", "pageToken", "signal"],
        Op::ListAvailableTools => &["identifier", "pageSize", "pageToken", "signal"],
        Op::SearchTools => &["query", "identifier", "topK", "signal"],
        Op::ForLlm => &[
            "identifier",
            "connectionNames",
            "providers",
            "toolNames",
            "format",
            "pageSize",
            "signal",
        ],
        // What lib/tools.js `listForModel` sends for a model's tool call.
        Op::ExecuteLlmTool => &[
            "toolName",
            "identifier",
            "arguments",
            "tools",
            "retry",
            "signal",
        ],
    }
}

/// Every top-level name of `params` is one `operation` takes; else the refusal names the first
/// other one (`argument` is that name).
pub fn check_keys(operation: AccountOperation, params: &Params) -> Result<(), ScalekitError> {
    // Named more precisely than "takes no" (the input under tools.executeTool's name).
    if operation == AccountOperation::ExecuteTool {
        super::requests::input_not_params(params)?;
    }
    only(None, operation.name(), params.keys(), takes(operation))
}

/// `names` holds every name `given` has, or the error names the first one it does not, with the
/// name meant when one is close (`it takes identifier`), else every name `what` takes. The
/// error's `argument` is `argument`, or (`None`) the refused name itself.
pub(crate) fn only<'a>(
    argument: Option<&'static str>,
    what: &str,
    given: impl IntoIterator<Item = &'a str>,
    names: &[&str],
) -> Result<(), ScalekitError> {
    let Some(name) = given.into_iter().find(|name| !names.contains(name)) else {
        return Ok(());
    };
    let takes = match close_name(name, names) {
        Some(meant) => meant.to_string(),
        None => names.join(", "),
    };
    let message = format!("{what} takes no {name:?}; it takes {takes}");
    Err(match argument {
        Some(argument) => ScalekitError::validation(argument, message),
        None => ScalekitError::validation(name.to_string(), message),
    })
}

/// The name of `names` that `given` most likely misspells: the same but for case, or at most
/// two edits away (one for a name of up to five characters).
fn close_name<'n>(given: &str, names: &[&'n str]) -> Option<&'n str> {
    let given: Vec<char> = given.to_lowercase().chars().collect();
    let limit = if given.len() <= 5 { 1 } else { 2 };
    names
        .iter()
        .map(|name| {
            let candidate: Vec<char> = name.to_lowercase().chars().collect();
            (edits(&given, &candidate), *name)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// The edit distance of `a` and `b` (insertions, deletions, substitutions, and swaps of two
/// neighbours).
fn edits(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![(0..=b.len()).collect::<Vec<_>>()];
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (rows[i - 1][j] + 1)
                .min(row[j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(rows[i - 2][j - 2] + 1);
            }
        }
        rows.push(row);
    }
    rows[a.len()][b.len()]
}

/// The argument and message of a validation error (the unit tests' reading of a refusal).
#[cfg(test)]
pub(crate) fn refused<T: std::fmt::Debug>(result: Result<T, ScalekitError>) -> (String, String) {
    match result {
        Err(ScalekitError::Validation { argument, message }) => (argument.into_owned(), message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{params, ViewOperation};
    use serde_json::json;

    #[test]
    fn an_unknown_name_is_refused_with_the_name_meant() {
        assert_eq!(
            refused(check_keys(
                AccountOperation::List,
                &params(json!({"indentifier": "alice"}))
            )),
            (
                "indentifier".into(),
                "actions.listConnectedAccounts takes no \"indentifier\"; it takes identifier"
                    .into()
            )
        );
        // Nothing close: every name it takes.
        assert_eq!(
            refused(check_keys(
                AccountOperation::VerifyUser,
                &params(json!({"authRequestId": "r", "identifier": "u", "zzz": 1}))
            ))
            .1,
            "actions.verifyConnectedAccountUser takes no \"zzz\"; it takes authRequestId, identifier, signal"
        );
        assert_eq!(
            refused(check_keys(
                AccountOperation::ListTools,
                &params(json!({"pagesize": 5}))
            ))
            .1,
            "tools.listTools takes no \"pagesize\"; it takes pageSize"
        );
        // The input under tools.executeTool's name keeps its own message.
        assert_eq!(
            refused(check_keys(
                AccountOperation::ExecuteTool,
                &params(json!({"toolName": "t", "params": {}}))
            ))
            .0,
            "params"
        );
        assert!(check_keys(
            AccountOperation::List,
            &params(json!({"identifier": "a", "pageSize": 5, "connectionNames": []}))
        )
        .is_ok());
    }

    #[test]
    fn every_name_taken_is_accepted() {
        use AccountOperation as Op;
        for op in [
            Op::Get,
            Op::Details,
            Op::Create,
            Op::Update,
            Op::Delete,
            Op::List,
            Op::GetOrCreate,
            Op::AuthorizationLink,
            Op::VerifyUser,
            Op::ListConnections,
            Op::ExecuteTool,
            Op::ListTools,
            Op::ListScopedTools,
            Op::ListAvailableTools,
            Op::ForLlm,
            Op::ExecuteLlmTool,
            Op::WaitActive,
            Op::SearchTools,
            Op::ListAppConnections,
        ] {
            let all = takes(op).iter().map(|name| (name.to_string(), json!(null)));
            assert!(check_keys(op, &params(json!(all.collect::<serde_json::Map<_, _>>()))).is_ok());
        }
    }

    #[test]
    fn a_view_takes_its_targets_names_under_its_own() {
        let view = ViewOperation::ListConnectedAccounts;
        assert!(view.takes().contains(&"connector"));
        assert!(!view.takes().contains(&"connectionName"));
        assert_eq!(
            refused(view.params(&params(json!({"conector": "gmail"})))),
            (
                "conector".into(),
                "connectedAccounts.listConnectedAccounts takes no \"conector\"; it takes connector"
                    .into()
            )
        );
        // The name the view does not use keeps its own message.
        assert_eq!(
            refused(view.params(&params(json!({"connectionName": "gmail"})))).1,
            "connectedAccounts.listConnectedAccounts takes connector, not connectionName"
        );
        let update = ViewOperation::UpdateConnectedAccount.takes();
        assert!(update.contains(&"connectedAccount") && !update.contains(&"apiConfig"));
        let execute = ViewOperation::ToolsExecuteTool.takes();
        assert!(execute.contains(&"params") && !execute.contains(&"agentRunId"));
        assert!(!execute.contains(&"toolInput"));
    }

    #[test]
    fn close_names() {
        assert_eq!(close_name("confgId", &["configId"]), Some("configId"));
        assert_eq!(
            close_name("idnetifier", &["identifier"]),
            Some("identifier")
        );
        assert_eq!(close_name("nme", &["name", "id"]), Some("name"));
        assert_eq!(close_name("xyz", &["name", "id"]), None);
        assert_eq!(close_name("ab", &["id"]), None);
    }
}
