//! The gRPC binding (docs/wire-protocol.md §12), driven by a tonic client over HTTP/2 with
//! prior knowledge (h2c), on the same port and state as the REST binding.

use std::future::Future;

use prost::Message as _;
use prost_types::value::Kind;
use prost_types::Struct;
use scalekit_local::proto::google::rpc::Status as RpcStatus;
use scalekit_local::proto::scalekit::v1::connected_accounts as pb;
use scalekit_local::proto::scalekit::v1::errdetails::ErrorInfo;
use scalekit_local::proto::scalekit::v1::tools as tools_pb;
use scalekit_local::EmulatorOptions;
use serde_json::{json, Value};
use tonic::transport::Channel;
use tonic::{Code, Request};

use pb::authorization_details::Details;
use pb::connected_account_service_client::ConnectedAccountServiceClient;

use crate::common::{
    answer, authed, browse, json_of, message, Api, Refusal, ACCOUNTS, INVALID, NOT_FOUND, VERIFY,
};

type Accounts = ConnectedAccountServiceClient<Channel>;

pub async fn channel(api: &Api) -> Channel {
    Channel::from_shared(api.sk.url())
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// The answer of a gRPC call that must succeed.
pub async fn ok<T>(call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>) -> T {
    call.await.unwrap().into_inner()
}

/// A default emulator and a ConnectedAccountService client of it.
async fn start() -> (Api, Accounts) {
    let api = Api::start(EmulatorOptions::default()).await;
    let grpc = ConnectedAccountServiceClient::new(channel(&api).await);
    (api, grpc)
}

pub fn string_value(s: &str) -> prost_types::Value {
    prost_types::Value {
        kind: Some(Kind::StringValue(s.to_owned())),
    }
}

fn api_key_details(key: &str) -> pb::AuthorizationDetails {
    pb::AuthorizationDetails {
        details: Some(Details::StaticAuth(pb::StaticAuth {
            details: Some(Struct {
                fields: [("api_key".to_owned(), string_value(key))].into(),
            }),
        })),
    }
}

fn by_key(connector: &str, identifier: &str) -> pb::GetConnectedAccountByIdentifierRequest {
    pb::GetConnectedAccountByIdentifierRequest {
        connector: Some(connector.to_owned()),
        identifier: Some(identifier.to_owned()),
        ..Default::default()
    }
}

/// The `ErrorInfo.error_code` carried by `grpc-status-details-bin`, whose google.rpc.Status
/// must repeat the status's code and message.
pub fn error_code(s: &tonic::Status) -> String {
    let rpc = RpcStatus::decode(s.details()).unwrap();
    assert_eq!(rpc.code, s.code() as i32);
    assert_eq!(rpc.message, s.message());
    assert_eq!(rpc.details.len(), 1);
    assert_eq!(
        rpc.details[0].type_url,
        "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo"
    );
    ErrorInfo::decode(rpc.details[0].value.as_slice())
        .unwrap()
        .error_code
}

pub fn assert_status(s: &tonic::Status, code: Code, error_code_name: &str, text: &str) {
    assert_eq!(s.code(), code, "{s:?}");
    assert_eq!(s.message(), text);
    assert_eq!(error_code(s), error_code_name);
}

/// The gRPC call is refused with `code`, its ErrorInfo saying `error_code_name`.
async fn assert_refused<T: std::fmt::Debug>(
    code: Code,
    error_code_name: &str,
    call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) {
    let refused = call.await.unwrap_err();
    assert_eq!(refused.code(), code, "{refused:?}");
    assert_eq!(error_code(&refused), error_code_name);
}

/// The account a call answered with (Create, Update and both Gets answer the same message); the
/// call must succeed and carry one.
fn answered(
    reply: Result<tonic::Response<pb::GetConnectedAccountByIdentifierResponse>, tonic::Status>,
) -> pb::ConnectedAccount {
    answer(reply).connected_account.unwrap()
}

/// The gRPC call `grpc` is refused as `expected`, and so is the same request over REST (`rest`,
/// sent after it), with the same message; the REST body is returned.
pub async fn assert_as_rest<T: std::fmt::Debug>(
    grpc: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    rest: impl Future<Output = (reqwest::StatusCode, Value)>,
    expected: Refusal,
) -> Value {
    let refused = grpc.await.unwrap_err();
    let (status, body) = rest.await;
    let Refusal(http, code, error_code_name) = expected;
    assert_eq!(status, http, "{body}");
    assert_status(
        &refused,
        Code::from_i32(code as i32),
        error_code_name,
        message(&body),
    );
    body
}

#[tokio::test]
async fn an_account_created_over_grpc_is_read_over_rest_and_back() {
    // Credentials must fit the connection (docs/wire-protocol.md §14): an API key for notion.
    let options = serde_json::from_value(json!({ "connections": [
        { "name": "notion", "authType": "API_KEY" }, { "name": "gmail" },
    ] }))
    .unwrap();
    let api = Api::start(options).await;
    let mut grpc = ConnectedAccountServiceClient::new(channel(&api).await);
    let created = answered(
        grpc.create_connected_account(
            api.authed(pb::CreateConnectedAccountRequest {
                connector: Some("notion".into()),
                identifier: Some("u@x.com".into()),
                connected_account: Some(pb::CreateConnectedAccount {
                    authorization_details: Some(api_key_details("k-1")),
                    api_config: Some(Struct {
                        fields: [(
                            "limit".to_owned(),
                            prost_types::Value {
                                kind: Some(Kind::NumberValue(5.0)),
                            },
                        )]
                        .into(),
                    }),
                }),
                ..Default::default()
            }),
        )
        .await,
    );
    assert!(created.id.starts_with("ca_"));
    assert_eq!(created.status, pb::ConnectorStatus::Active as i32);
    assert_eq!(created.authorization_type, pb::ConnectorType::ApiKey as i32);
    assert!(created.updated_at.is_some());

    let (status, body) = api
        .get("/api/v1/connected_accounts/auth?connector=notion&identifier=u%40x.com")
        .await;
    assert_eq!(status, 200, "{body}");
    let account = &body["connected_account"];
    assert_eq!(account["id"], json!(created.id));
    assert_eq!(account["status"], "ACTIVE");
    assert_eq!(
        account["authorization_details"],
        json!({"static_auth": {"details": {"api_key": "k-1"}}})
    );
    assert_eq!(account["api_config"], json!({"limit": 5}));

    // And the other way: created over REST, read over gRPC with its credentials.
    let (status, body) = api
        .post(
            ACCOUNTS,
            json!({"connector": "gmail", "identifier": "v@x.com",
                   "connected_account": {"authorization_details":
                       {"oauth_token": {"access_token": "at", "scopes": ["a", "b"]}}}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let got = answered(
        grpc.get_connected_account_auth(api.authed(by_key("gmail", "v@x.com")))
            .await,
    );
    assert_eq!(got.id, body["connected_account"]["id"].as_str().unwrap());
    assert_eq!(got.status, pb::ConnectorStatus::Active as i32);
    let Some(Details::OauthToken(token)) = got.authorization_details.and_then(|d| d.details) else {
        panic!("no oauth_token")
    };
    assert_eq!(token.access_token, "at");
    assert_eq!(token.scopes, ["a", "b"]);

    // Details: the same account without its credentials.
    let details = answered(
        grpc.get_connected_account_details(api.authed(by_key("gmail", "v@x.com")))
            .await,
    );
    assert_eq!(details.id, got.id);
    assert!(details.authorization_details.is_none());

    // A second create of the same key: ALREADY_EXISTS, as over REST.
    assert_refused(
        Code::AlreadyExists,
        "ALREADY_EXISTS",
        grpc.create_connected_account(api.authed(pb::CreateConnectedAccountRequest {
            connector: Some("gmail".into()),
            identifier: Some("v@x.com".into()),
            connected_account: Some(pb::CreateConnectedAccount::default()),
            ..Default::default()
        })),
    )
    .await;

    // Update over gRPC: new credentials replace the old; ones of the other kind are refused.
    let update = |id: &str, api_key: &str| pb::UpdateConnectedAccountRequest {
        id: Some(id.to_owned()),
        connected_account: Some(pb::UpdateConnectedAccount {
            authorization_details: Some(api_key_details(api_key)),
            api_config: None,
        }),
        ..Default::default()
    };
    let updated = answered(
        grpc.update_connected_account(api.authed(update(&created.id, "k-2")))
            .await,
    );
    assert_eq!(updated.id, created.id);
    let (_, body) = api
        .get(&format!(
            "/api/v1/connected_accounts/auth?id={}",
            created.id
        ))
        .await;
    assert_eq!(
        body["connected_account"]["authorization_details"]["static_auth"]["details"]["api_key"],
        "k-2"
    );
    assert_refused(
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
        grpc.update_connected_account(api.authed(update(&got.id, "k-3"))),
    )
    .await;
    api.assert_stats(&[
        ("grpc.CreateConnectedAccount", 2),
        ("grpc.GetConnectedAccountAuth", 1),
        ("grpc.GetConnectedAccountDetails", 1),
        ("grpc.UpdateConnectedAccount", 2),
        ("connected_accounts.create", 1),
    ]);
}

#[tokio::test]
async fn list_pages_and_search() {
    let (api, mut grpc) = start().await;
    for who in ["a@x.com", "b@x.com", "c@x.com"] {
        api.create_pending("gmail", who).await;
    }
    let list = |page_token: &str| pb::ListConnectedAccountsRequest {
        connector: Some("gmail".into()),
        page_size: 2,
        page_token: page_token.to_owned(),
        ..Default::default()
    };
    let first = answer(grpc.list_connected_accounts(api.authed(list(""))).await);
    assert_eq!(first.total_size, 3);
    let ids: Vec<&str> = first
        .connected_accounts
        .iter()
        .map(|a| a.identifier.as_str())
        .collect();
    assert_eq!(ids, ["a@x.com", "b@x.com"]);
    assert_eq!(
        first.connected_accounts[0].status,
        pb::ConnectorStatus::PendingAuth as i32
    );
    assert!(first.prev_page_token.is_empty());
    let second = answer(
        grpc.list_connected_accounts(api.authed(list(&first.next_page_token)))
            .await,
    );
    assert_eq!(second.connected_accounts.len(), 1);
    assert_eq!(second.connected_accounts[0].identifier, "c@x.com");
    assert!(second.next_page_token.is_empty());
    assert!(!second.prev_page_token.is_empty());

    // The REST rules and messages: connector and connection_names are exclusive.
    assert_as_rest(
        grpc.list_connected_accounts(api.authed(pb::ListConnectedAccountsRequest {
            connector: Some("gmail".into()),
            connection_names: vec!["gmail".into()],
            ..Default::default()
        })),
        api.get("/api/v1/connected_accounts?connector=gmail&connection_names=gmail"),
        INVALID,
    )
    .await;

    let found = answer(
        grpc.search_connected_accounts(api.authed(pb::SearchConnectedAccountsRequest {
            query: "B@X".into(),
            ..Default::default()
        }))
        .await,
    );
    assert_eq!(found.total_size, 1);
    assert_eq!(found.connected_accounts[0].identifier, "b@x.com");
    assert_refused(
        Code::InvalidArgument,
        "INVALID_ARGUMENT",
        grpc.search_connected_accounts(api.authed(pb::SearchConnectedAccountsRequest {
            query: "ab".into(),
            ..Default::default()
        })),
    )
    .await;
    api.assert_stats(&[
        ("grpc.ListConnectedAccounts", 3),
        ("grpc.SearchConnectedAccounts", 2),
    ]);
}

#[tokio::test]
async fn magic_link_then_user_verification() {
    let (api, mut grpc) = start().await;
    let link = answer(
        grpc.get_magic_link_for_connected_account(api.authed(
            pb::GetMagicLinkForConnectedAccountRequest {
                connector: Some("gmail".into()),
                identifier: Some("u@x.com".into()),
                state: Some("st".into()),
                user_verify_url: Some("https://app.example.com/verify".into()),
                ..Default::default()
            },
        ))
        .await,
    );
    assert!(link.link.starts_with(&format!("{}/magic/", api.sk.url())));
    let expiry = link.expiry.unwrap();
    let left = expiry.seconds - time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((14 * 60..=15 * 60).contains(&left), "{left}");

    let resp = browse(&link.link).await;
    assert_eq!(resp.status(), 302);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let request_id = location
        .query_pairs()
        .find(|(k, _)| k == "auth_request_id")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let pending = answered(
        grpc.get_connected_account_auth(api.authed(by_key("gmail", "u@x.com")))
            .await,
    );
    assert_eq!(
        pending.status,
        pb::ConnectorStatus::PendingVerification as i32
    );

    let verify = |identifier: &str| pb::VerifyConnectedAccountUserRequest {
        auth_request_id: request_id.clone(),
        identifier: identifier.to_owned(),
    };
    assert_refused(
        Code::PermissionDenied,
        "PERMISSION_DENIED",
        grpc.verify_connected_account_user(api.authed(verify("other@x.com"))),
    )
    .await;
    let done = answer(
        grpc.verify_connected_account_user(api.authed(verify("u@x.com")))
            .await,
    );
    assert_eq!(
        done.post_user_verify_redirect_url,
        format!(
            "{}/verified?connected_account_id={}",
            api.sk.url(),
            pending.id
        )
    );
    assert_eq!(
        api.status_at("/api/v1/connected_accounts/auth?connector=gmail&identifier=u%40x.com")
            .await,
        "ACTIVE"
    );
    // Consumed: a second verification is NOT_FOUND, as over REST.
    assert_as_rest(
        grpc.verify_connected_account_user(api.authed(verify("u@x.com"))),
        api.post(
            VERIFY,
            json!({"auth_request_id": request_id, "identifier": "u@x.com"}),
        ),
        NOT_FOUND,
    )
    .await;
    api.assert_stats(&[
        ("grpc.GetMagicLinkForConnectedAccount", 1),
        ("grpc.VerifyConnectedAccountUser", 3),
    ]);
}

#[tokio::test]
async fn delete_then_get_is_not_found_with_error_info() {
    let (api, mut grpc) = start().await;
    api.create_pending("gmail", "u@x.com").await;
    grpc.delete_connected_account(api.authed(by_key("gmail", "u@x.com")))
        .await
        .unwrap();
    assert_as_rest(
        grpc.get_connected_account_auth(api.authed(by_key("gmail", "u@x.com"))),
        api.get("/api/v1/connected_accounts/auth?connector=gmail&identifier=u%40x.com"),
        NOT_FOUND,
    )
    .await;
    assert_eq!(api.stat("grpc.DeleteConnectedAccount"), 1);
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_unauthenticated() {
    let (api, mut grpc) = start().await;
    let none = grpc
        .get_connected_account_auth(Request::new(by_key("gmail", "u@x.com")))
        .await
        .unwrap_err();
    assert_status(
        &none,
        Code::Unauthenticated,
        "UNAUTHENTICATED",
        "Token empty",
    );
    let unknown = grpc
        .get_connected_account_auth(authed("never-issued", by_key("gmail", "u@x.com")))
        .await
        .unwrap_err();
    assert_status(
        &unknown,
        Code::Unauthenticated,
        "UNAUTHENTICATED",
        "token is invalid or expired",
    );
    let mut tools = tools_pb::tool_service_client::ToolServiceClient::new(channel(&api).await);
    let refused = tools
        .execute_tool(Request::new(tools_pb::ExecuteToolRequest::default()))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    // Refused calls are counted, as over REST.
    api.assert_stats(&[("grpc.GetConnectedAccountAuth", 2), ("grpc.ExecuteTool", 1)]);
}

#[tokio::test]
async fn validation_errors_carry_the_rest_message() {
    let (api, mut grpc) = start().await;
    let body = assert_as_rest(
        grpc.create_connected_account(api.authed(pb::CreateConnectedAccountRequest {
            connector: Some("gmail".into()),
            identifier: Some("u@x.com".into()),
            ..Default::default()
        })),
        api.post(
            ACCOUNTS,
            json!({"connector": "gmail", "identifier": "u@x.com"}),
        ),
        INVALID,
    )
    .await;
    assert_eq!(message(&body), "connected_account is required");

    assert_as_rest(
        grpc.get_connected_account_auth(api.authed(pb::GetConnectedAccountByIdentifierRequest {
            id: Some("acc_1".into()),
            ..Default::default()
        })),
        api.get("/api/v1/connected_accounts/auth?id=acc_1"),
        INVALID,
    )
    .await;
}

#[tokio::test]
async fn rest_keeps_answering_http1_next_to_grpc() {
    let api = Api::start(EmulatorOptions::default()).await;
    let resp = api
        .http
        .get(api.url("/api/v1/connections"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_11);
    assert_eq!(resp.status(), 200);
    let body: Value = json_of(resp).await;
    assert_eq!(body["total_size"], 0);
}
