//! The gRPC binding of LocalScalekit's API (docs/wire-protocol.md §12): what the official SDKs
//! speak for connected accounts, tools, connections and MCP (§13), served on the API listener
//! over HTTP/2.
//!
//! It is a transcoding of the REST binding, so both share one state and one set of rules: each
//! method turns its request message into the JSON (or query string) the REST side takes, runs
//! the REST side's validation and store operation, and turns the JSON answer back into the
//! response message (`convert`). Errors are the REST side's, as a `tonic::Status` whose
//! `grpc-status-details-bin` carries Scalekit's `ErrorInfo`.

mod accounts;
mod convert;
mod mcp;
mod providers;
mod tools;

use std::sync::Arc;

use axum::Router;
use prost::Message as _;
use tonic::{Code, Status};

use crate::gate;
use crate::shared::Shared;
use crate::stats::Endpoint;
use crate::wire::ApiError;
use proto::scalekit::v1::connected_accounts::connected_account_service_server::ConnectedAccountServiceServer;
use proto::scalekit::v1::connections::connection_service_server::ConnectionServiceServer;
use proto::scalekit::v1::errdetails::{ErrorInfo, ToolErrorInfo};
use proto::scalekit::v1::mcp::mcp_service_server::McpServiceServer;
use proto::scalekit::v1::providers::provider_service_server::ProviderServiceServer;
use proto::scalekit::v1::tools::tool_service_server::ToolServiceServer;

/// The messages, servers and clients generated from the project's `proto/` by `build.rs`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto {
    pub mod google {
        pub mod rpc {
            tonic::include_proto!("google.rpc");
        }
    }
    /// One module per `scalekit.v1.<package>`, each the code `build.rs` generated for it.
    macro_rules! packages {
        ($($package:ident),+) => {
            $(pub mod $package {
                include!(concat!(env!("OUT_DIR"), "/scalekit.v1.", stringify!($package), ".rs"));
            })+
        };
    }
    pub mod scalekit {
        pub mod v1 {
            packages!(
                connected_accounts,
                connections,
                errdetails,
                mcp,
                providers,
                tools
            );
        }
    }
}

/// `Any.type_url` of Scalekit's error detail, the one the official SDKs look for.
pub const ERROR_INFO_TYPE_URL: &str = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo";

/// The five services, each under its `/<package>.<Service>/` prefix; the state they share with
/// the REST routes is captured here, so the result merges into the REST router.
pub fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let accounts = ConnectedAccountServiceServer::new(accounts::Accounts(shared.clone()));
    let tools = ToolServiceServer::new(tools::Tools(shared.clone()));
    let connections = ConnectionServiceServer::new(tools::Connections(shared.clone()));
    let mcp = McpServiceServer::new(mcp::Mcp(shared.clone()));
    let providers = ProviderServiceServer::new(providers::Providers(shared));
    let router = mount(Router::new(), accounts);
    let router = mount(router, tools);
    let router = mount(router, connections);
    let router = mount(router, mcp);
    mount(router, providers)
}

/// Routes every method of a tonic service under the prefix its generated `NAME` declares.
fn mount<S>(router: Router<Arc<Shared>>, service: S) -> Router<Arc<Shared>>
where
    S: tonic::server::NamedService
        + tower::Service<axum::extract::Request, Error = std::convert::Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Response: axum::response::IntoResponse + 'static,
    S::Future: Send + 'static,
{
    router.route_service(&format!("/{}/{{*method}}", S::NAME), service)
}

/// Counts the call under `E::NAME` and requires the bearer in the `authorization` metadata,
/// exactly as the REST gate does (same messages: "Token empty", "token is invalid or expired").
fn admit<E: Endpoint, T>(shared: &Shared, request: &tonic::Request<T>) -> Result<(), Status> {
    let headers = request.metadata().clone().into_headers();
    gate::admit(shared, E::NAME, &headers).map_err(status)
}

/// What every method does around its own work: `admit` the call, hand its message to `answer`,
/// and send the REST side's error, if any, as a `status`.
fn serve<E: Endpoint, Q, A>(
    shared: &Shared,
    request: tonic::Request<Q>,
    answer: impl FnOnce(Q) -> Result<A, ApiError>,
) -> Reply<A> {
    admit::<E, _>(shared, &request)?;
    answer(request.into_inner())
        .map(tonic::Response::new)
        .map_err(status)
}

/// `Server: Service { … }`: the `impl` of a generated service trait. Each line
/// `method(Request) -> Response = Endpoint, work;` is `serve`d under
/// `stats::endpoint::Endpoint`, its message answered by `work(&server, message)`; the lines of an
/// `async { … }` after it are `serve_async`d, their `work` awaited. The wrapper every method
/// needs is written once, here.
macro_rules! served {
    ($server:ty: $service:path {
        $($method:ident($request:ty) -> $response:ty = $endpoint:ident, $work:expr;)*
    } $(async {
        $($amethod:ident($arequest:ty) -> $aresponse:ty = $aendpoint:ident, $awork:expr;)*
    })?) => {
        #[tonic::async_trait]
        impl $service for $server {
            $($(
                async fn $amethod(&self, request: tonic::Request<$arequest>) -> super::Reply<$aresponse> {
                    super::serve_async::<crate::stats::endpoint::$aendpoint, _, _, _>(
                        &self.0,
                        request,
                        |r| ($awork)(self, r),
                    )
                    .await
                }
            )*)?
            $(
                async fn $method(&self, request: tonic::Request<$request>) -> super::Reply<$response> {
                    super::serve::<crate::stats::endpoint::$endpoint, _, _>(
                        &self.0,
                        request,
                        |r| ($work)(self, r),
                    )
                }
            )*
        }
    };
}
pub(crate) use served;

/// `serve` for a method whose work awaits (ExecuteTool calls an upstream).
async fn serve_async<E: Endpoint, Q, A, F>(
    shared: &Shared,
    request: tonic::Request<Q>,
    answer: impl FnOnce(Q) -> F,
) -> Reply<A>
where
    F: std::future::Future<Output = Result<A, ApiError>>,
{
    admit::<E, _>(shared, &request)?;
    answer(request.into_inner())
        .await
        .map(tonic::Response::new)
        .map_err(status)
}

/// The REST error as a gRPC status: same code and message, and `grpc-status-details-bin` =
/// `google.rpc.Status { code, message, details: [Any(ErrorInfo { error_code })] }`, from which
/// the official SDKs take their exception's `errorCode` (docs/wire-protocol.md §12).
pub fn status(e: ApiError) -> Status {
    let code = i32::from(e.code);
    let info = ErrorInfo {
        error_code: e.error_code.to_owned(),
        tool_error_info: e.tool_error.as_ref().map(|t| ToolErrorInfo {
            execution_id: t.execution_id.clone(),
            tool_error_message: t.message.clone(),
            tool_error_code: t.code.clone(),
        }),
    };
    let details = proto::google::rpc::Status {
        code,
        message: e.message.clone(),
        details: vec![prost_types::Any {
            type_url: ERROR_INFO_TYPE_URL.to_owned(),
            value: info.encode_to_vec(),
        }],
    };
    Status::with_details(
        Code::from_i32(code),
        e.message,
        details.encode_to_vec().into(),
    )
}

/// What every method returns.
type Reply<T> = Result<tonic::Response<T>, Status>;

/// What a method's work answers: its response message, or the REST side's error.
type Answer<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_carries_the_error_info() {
        let s = status(ApiError::not_found("gone"));
        assert_eq!(s.code(), Code::NotFound);
        assert_eq!(s.message(), "gone");
        let rpc = proto::google::rpc::Status::decode(s.details()).unwrap_or_default();
        assert_eq!((rpc.code, rpc.message.as_str()), (5, "gone"));
        assert_eq!(rpc.details.len(), 1);
        assert_eq!(rpc.details[0].type_url, ERROR_INFO_TYPE_URL);
        let info = ErrorInfo::decode(rpc.details[0].value.as_slice()).unwrap_or_default();
        assert_eq!(info.error_code, "NOT_FOUND");
    }
}
