//! Requests served per endpoint: the names (written once, each with a type that handlers name
//! in their `Authorized<E>` / `Counted<E>` extractor) and the counters.

use std::collections::BTreeMap;
use std::sync::Mutex;

use scalekit_wire::sync::lock;

/// An endpoint with its `stats()` key.
pub trait Endpoint: Send + Sync + 'static {
    const NAME: &'static str;
}

macro_rules! endpoints {
    ($($ty:ident => $name:literal,)*) => {
        /// One type per endpoint, for the extractors of `gate`.
        pub mod endpoint {
            $(
                #[doc = concat!("`", $name, "`")]
                pub struct $ty;
                impl super::Endpoint for $ty {
                    const NAME: &'static str = $name;
                }
            )*
        }

        /// Endpoint names used as `stats()` keys, one count per request served.
        pub const ENDPOINTS: [&str; [$($name),*].len()] = [$($name),*];
    };
}

endpoints! {
    Token => "token",
    AccountsGet => "connected_accounts.get",
    AccountsCreate => "connected_accounts.create",
    AccountsUpdate => "connected_accounts.update",
    AccountsDelete => "connected_accounts.delete",
    AccountsList => "connected_accounts.list",
    AccountsDetails => "connected_accounts.details",
    MagicLink => "magic_link",
    Authorize => "authorize",
    Verify => "verify",
    ConnectionsList => "connections.list",
    ExecuteTool => "execute_tool",
    ToolsSearch => "tools.search",
    ProvidersCreate => "providers.create",
    ProvidersUpdate => "providers.update",
    ProvidersDelete => "providers.delete",
    ProvidersList => "providers.list",
    ToolsList => "tools.list",
    ToolsScoped => "tools.scoped",
    ToolsAvailable => "tools.available",
    Proxy => "proxy",
    Echo => "echo",
    // The MCP control plane and gateway (docs/wire-protocol.md §13).
    McpCreateConfig => "mcp.configs.create",
    McpUpdateConfig => "mcp.configs.update",
    McpListConfigs => "mcp.configs.list",
    McpGetConfig => "mcp.configs.get",
    McpDeleteConfig => "mcp.configs.delete",
    McpConnectedAccounts => "mcp.configs.connected_accounts",
    McpSessionToken => "mcp.session_token",
    McpEnsureInstance => "mcp.instances.ensure",
    McpListInstances => "mcp.instances.list",
    McpGetInstance => "mcp.instances.get",
    McpUpdateInstance => "mcp.instances.update",
    McpDeleteInstance => "mcp.instances.delete",
    McpInstanceAuthState => "mcp.instances.auth_state",
    McpGateway => "mcp.gateway",
    Keys => "keys",
    // The gRPC binding (docs/wire-protocol.md §12): one count per method.
    GrpcListConnectedAccounts => "grpc.ListConnectedAccounts",
    GrpcSearchConnectedAccounts => "grpc.SearchConnectedAccounts",
    GrpcCreateConnectedAccount => "grpc.CreateConnectedAccount",
    GrpcUpdateConnectedAccount => "grpc.UpdateConnectedAccount",
    GrpcDeleteConnectedAccount => "grpc.DeleteConnectedAccount",
    GrpcGetMagicLink => "grpc.GetMagicLinkForConnectedAccount",
    GrpcGetConnectedAccountAuth => "grpc.GetConnectedAccountAuth",
    GrpcGetConnectedAccountDetails => "grpc.GetConnectedAccountDetails",
    GrpcVerifyConnectedAccountUser => "grpc.VerifyConnectedAccountUser",
    GrpcExecuteTool => "grpc.ExecuteTool",
    GrpcSearchTools => "grpc.SearchTools",
    GrpcCreateCustomProvider => "grpc.CreateCustomProvider",
    GrpcUpdateCustomProvider => "grpc.UpdateCustomProvider",
    GrpcDeleteCustomProvider => "grpc.DeleteCustomProvider",
    GrpcListProviders => "grpc.ListProviders",
    GrpcListTools => "grpc.ListTools",
    GrpcListScopedTools => "grpc.ListScopedTools",
    GrpcListAvailableTools => "grpc.ListAvailableTools",
    GrpcListAppConnections => "grpc.ListAppConnections",
    GrpcCreateMcpConfig => "grpc.CreateMcpConfig",
    GrpcUpdateMcpConfig => "grpc.UpdateMcpConfig",
    GrpcListMcpConfigs => "grpc.ListMcpConfigs",
    GrpcGetMcpConfig => "grpc.GetMcpConfig",
    GrpcDeleteMcpConfig => "grpc.DeleteMcpConfig",
    GrpcEnsureMcpInstance => "grpc.EnsureMcpInstance",
    GrpcListMcpInstances => "grpc.ListMcpInstances",
    GrpcDeleteMcpInstance => "grpc.DeleteMcpInstance",
    GrpcUpdateMcpInstance => "grpc.UpdateMcpInstance",
    GrpcGetMcpInstance => "grpc.GetMcpInstance",
    GrpcGetMcpInstanceAuthState => "grpc.GetMcpInstanceAuthState",
    GrpcCreateMcpSessionToken => "grpc.CreateMcpSessionToken",
    GrpcListMcpConnectedAccounts => "grpc.ListMcpConnectedAccounts",
}

/// The counters; a name never counted reads as zero.
#[derive(Debug, Default)]
pub struct Stats(Mutex<BTreeMap<&'static str, u64>>);

impl Stats {
    pub fn count(&self, endpoint: &'static str) {
        *lock(&self.0).entry(endpoint).or_insert(0) += 1;
    }

    /// Every name of [`ENDPOINTS`], zero included.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> = ENDPOINTS.iter().map(|e| (e.to_string(), 0)).collect();
        for (k, v) in lock(&self.0).iter() {
            out.insert(k.to_string(), *v);
        }
        out
    }

    pub fn reset(&self) {
        lock(&self.0).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_reads_zero_until_counted() {
        let stats = Stats::default();
        stats.count(endpoint::Proxy::NAME);
        let snap = stats.snapshot();
        assert_eq!(snap.len(), ENDPOINTS.len());
        assert_eq!(snap["proxy"], 1);
        assert_eq!(snap["token"], 0);
        stats.reset();
        assert_eq!(stats.snapshot()["proxy"], 0);
    }
}
