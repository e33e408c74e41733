//! `scalekit.v1.mcp.McpService` over gRPC (docs/wire-protocol.md §12, §13): the same state and
//! the same rules as the REST binding.

use scalekit_local::proto::scalekit::v1::mcp as pb;
use serde_json::json;
use tonic::transport::Channel;
use tonic::Code;

use pb::mcp_service_client::McpServiceClient;

use crate::common::{INVALID, NOT_FOUND};
use crate::grpc::{assert_as_rest, assert_status, channel, ok};
use crate::mcp_support::{tool_names, Mcp, CONFIGS, INSTANCES};

async fn client(m: &Mcp) -> McpServiceClient<Channel> {
    McpServiceClient::new(channel(&m.api).await)
}

fn mapping(connection: &str, tools: &[&str]) -> pb::McpConfigConnectionToolMapping {
    pb::McpConfigConnectionToolMapping {
        connection_name: connection.into(),
        tools: tools.iter().map(|t| (*t).to_owned()).collect(),
        ..Default::default()
    }
}

fn create(
    name: &str,
    mappings: Vec<pb::McpConfigConnectionToolMapping>,
) -> pb::CreateMcpConfigRequest {
    pb::CreateMcpConfigRequest {
        config: Some(pb::McpConfig {
            name: name.into(),
            description: "over gRPC".into(),
            connection_tool_mappings: mappings,
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn configs_made_over_grpc_are_read_over_rest_and_back() {
    let m = Mcp::start().await;
    let api = &m.api;
    let mut grpc = client(&m).await;
    let created = ok(grpc
        .create_mcp_config(api.authed(create("reader", vec![mapping("mail", &["mail_search"])]))))
    .await
    .config
    .unwrap();
    assert!(created.id.starts_with("cfg_"), "{created:?}");
    assert!(created
        .mcp_server_url
        .starts_with(&api.url("/mcp/v3/servers/")));
    let map = &created.connection_tool_mappings[0];
    assert_eq!(
        (map.provider.as_str(), map.tools.as_slice()),
        ("GMAIL", &["mail_search".to_owned()][..])
    );
    assert!(map.connection_id.starts_with("conn_"));
    assert_eq!(map.connected_account_id, None);

    let (status, rest) = api.get(&format!("{CONFIGS}/{}", created.id)).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["config"]["name"], "reader");
    assert_eq!(rest["config"]["description"], "over gRPC");
    assert_eq!(rest["config"]["mcp_server_url"], created.mcp_server_url);
    assert_eq!(
        rest["config"]["connection_tool_mappings"][0]["connection_id"],
        json!(map.connection_id)
    );

    let crm_all = m.config("crm-all").await;
    let got = ok(grpc.get_mcp_config(api.authed(pb::GetMcpConfigRequest {
        config_id: crm_all["id"].as_str().unwrap().into(),
    })))
    .await
    .config
    .unwrap();
    assert_eq!(got.name, "crm-all");
    assert_eq!(got.description, "All of the CRM");
    assert!(got.connection_tool_mappings[0].tools.is_empty());

    let list = ok(grpc.list_mcp_configs(api.authed(pb::ListMcpConfigsRequest {
        filter: Some(pb::list_mcp_configs_request::Filter {
            provider: "gmail".into(),
            ..Default::default()
        }),
        page_size: 1,
        ..Default::default()
    })))
    .await;
    assert_eq!(list.total_size, 2);
    assert_eq!(list.configs[0].name, "mixed");
    assert_eq!(list.next_page_token, "offset_1");

    let updated = ok(
        grpc.update_mcp_config(api.authed(pb::UpdateMcpConfigRequest {
            config_id: created.id.clone(),
            description: "renewed".into(),
            connection_tool_mappings: vec![],
        })),
    )
    .await
    .config
    .unwrap();
    assert_eq!(updated.description, "renewed");
    assert_eq!(
        updated.connection_tool_mappings.len(),
        1,
        "an empty list leaves them"
    );

    // Refusals are the REST binding's, code and message.
    assert_as_rest(
        grpc.create_mcp_config(api.authed(create("Bad", vec![]))),
        api.post(CONFIGS, json!({"name": "Bad", "description": "over gRPC"})),
        INVALID,
    )
    .await;
    assert_as_rest(
        grpc.create_mcp_config(api.authed(create("x", vec![mapping("crm", &["mail_send"])]))),
        api.post(
            CONFIGS,
            json!({"name": "x", "connection_tool_mappings": [
            {"connection_name": "crm", "tools": ["mail_send"]}]}),
        ),
        INVALID,
    )
    .await;
    let taken = grpc
        .create_mcp_config(api.authed(create("reader", vec![])))
        .await
        .unwrap_err();
    assert_status(
        &taken,
        Code::AlreadyExists,
        "ALREADY_EXISTS",
        "an MCP configuration named \"reader\" already exists",
    );

    // Delete and Get take the one id message; once deleted, Get is NOT_FOUND, as over REST.
    let by_id = pb::GetMcpConfigRequest {
        config_id: created.id.clone(),
    };
    ok(grpc.delete_mcp_config(api.authed(by_id.clone()))).await;
    let get = grpc.get_mcp_config(api.authed(by_id));
    assert_as_rest(
        get,
        api.get(&format!("{CONFIGS}/{}", created.id)),
        NOT_FOUND,
    )
    .await;
    assert_eq!(api.stat("grpc.CreateMcpConfig"), 4);
}

#[tokio::test]
async fn instances_auth_state_and_session_tokens_over_grpc() {
    let m = Mcp::start().await;
    let api = &m.api;
    let mut grpc = client(&m).await;
    let ensure = |user: &str| pb::EnsureMcpInstanceRequest {
        config_name: "mixed".into(),
        user_identifier: user.into(),
        name: String::new(),
    };
    let x = ok(grpc.ensure_mcp_instance(api.authed(ensure("u1"))))
        .await
        .instance
        .unwrap();
    assert!(x.id.starts_with("inst_"));
    assert_eq!(x.url, x.config.as_ref().unwrap().mcp_server_url);
    let crm = &x.config.as_ref().unwrap().connection_tool_mappings[0];
    assert_eq!(crm.connected_account_status.as_deref(), Some("ACTIVE"));
    assert!(x.updated_at.is_some() && x.last_used_at.is_none());
    let (_, rest) = api.get(&format!("{INSTANCES}/{}", x.id)).await;
    assert_eq!(
        rest["instance"]["config"]["connection_tool_mappings"][0]["connected_account_id"],
        json!(crm.connected_account_id)
    );

    let renamed = ok(
        grpc.update_mcp_instance(api.authed(pb::UpdateMcpInstanceRequest {
            instance_id: x.id.clone(),
            name: "digest".into(),
            config_name: String::new(),
        })),
    )
    .await
    .instance
    .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.config.unwrap().name.as_str()),
        ("digest", "mixed")
    );
    let listed = ok(
        grpc.list_mcp_instances(api.authed(pb::ListMcpInstancesRequest {
            filter: Some(pb::list_mcp_instances_request::Filter {
                name: "digest".into(),
                ..Default::default()
            }),
            ..Default::default()
        })),
    )
    .await;
    assert_eq!(
        (listed.total_size, listed.instances[0].id.as_str()),
        (1, x.id.as_str())
    );

    // Auth state of a user with no accounts: made PENDING_AUTH, each with a link.
    let new_user = ok(grpc.ensure_mcp_instance(api.authed(ensure("u5"))))
        .await
        .instance
        .unwrap();
    let state = ok(grpc.get_mcp_instance_auth_state(api.authed(
        pb::GetMcpInstanceAuthStateRequest {
            instance_id: new_user.id.clone(),
            include_auth_links: true,
        },
    )))
    .await;
    assert_eq!(state.connections.len(), 2);
    for row in &state.connections {
        assert_eq!(
            row.connected_account_status.as_deref(),
            Some("PENDING_AUTH")
        );
        assert!(
            row.authentication_link.starts_with(&api.url("/magic/")),
            "{row:?}"
        );
    }
    let accounts = ok(grpc.list_mcp_connected_accounts(api.authed(
        pb::ListMcpConnectedAccountsRequest {
            config_id: x.config.as_ref().unwrap().id.clone(),
            identifier: "nobody".into(),
            include_auth_link: false,
        },
    )))
    .await;
    assert_eq!(accounts.connected_accounts[1].connection_name, "mail");
    assert_eq!(accounts.connected_accounts[1].connected_account_id, None);
    assert_eq!(accounts.connected_accounts[1].authentication_link, "");

    // Session tokens of u1 for a configuration and/or a connection (`key_id`), with a Duration
    // and an access level.
    let config_id = x.config.as_ref().unwrap().id.clone();
    let token_request = |mcp_config_id: &str, key_id: &str, seconds: Option<i64>| {
        pb::CreateMcpSessionTokenRequest {
            mcp_config_id: mcp_config_id.into(),
            identifier: "u1".into(),
            expiry: seconds.map(|seconds| prost_types::Duration { seconds, nanos: 0 }),
            key_id: key_id.into(),
            access_level: String::new(),
        }
    };
    let read_only = pb::CreateMcpSessionTokenRequest {
        access_level: "READ_ONLY".into(),
        ..token_request(&config_id, "", Some(120))
    };
    let minted = ok(grpc.create_mcp_session_token(api.authed(read_only))).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let left = minted.expires_at.unwrap().seconds - now;
    assert!((115..=121).contains(&left), "{left}");
    assert_eq!(
        tool_names(&api.http, &x.url, &minted.token).await,
        ["crm_get", "mail_search"]
    );
    let by_connection = token_request("", "mail", None);
    let by_connection = ok(grpc.create_mcp_session_token(api.authed(by_connection))).await;
    let mail = api.url("/mcp/v3/connections/mail");
    assert_eq!(
        tool_names(&api.http, &mail, &by_connection.token).await,
        ["mail_send", "mail_search"]
    );
    let tokens = format!("{CONFIGS}/{config_id}/tokens");
    for (request, rest) in [
        (
            token_request(&config_id, "mail", None),
            json!({"key_id": "mail", "identifier": "u1"}),
        ),
        (
            token_request(&config_id, "", Some(30)),
            json!({"identifier": "u1", "expiry": "30s"}),
        ),
    ] {
        let refused = grpc.create_mcp_session_token(api.authed(request));
        assert_as_rest(refused, api.post(&tokens, rest), INVALID).await;
    }
    assert_eq!(api.stat("grpc.CreateMcpSessionToken"), 4);

    let by_id = pb::GetMcpInstanceRequest {
        instance_id: x.id.clone(),
    };
    ok(grpc.delete_mcp_instance(api.authed(by_id.clone()))).await;
    let get = grpc.get_mcp_instance(api.authed(by_id));
    assert_as_rest(get, api.get(&format!("{INSTANCES}/{}", x.id)), NOT_FOUND).await;
}
