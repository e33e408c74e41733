//! `scalekit.v1.connected_accounts.ConnectedAccountService` (docs/wire-protocol.md §4, §12):
//! each method feeds the REST side's validation and store operation (see the module doc of
//! `grpc`).

use std::sync::Arc;

use serde_json::{Map, Value};
use tonic::{Request, Response};

use super::convert::{self, fields};
use super::proto::scalekit::v1::connected_accounts as pb;
use super::{admit, status, Reply};
use crate::emulator::model::{parse_page_token, ListQuery};
use crate::emulator::routes::links::{magic_link_json, verify_json};
use crate::emulator::routes::validate::{body_selector, list_query, max_len, write_request};
use crate::emulator::shared::Shared;
use crate::emulator::stats::endpoint;
use crate::emulator::wire::{ApiError, Input};
use crate::sync::lock;

pub struct Accounts(pub Arc<Shared>);

/// The account-addressing fields every request but list, search and verify carries.
fn selector_json(
    organization_id: Option<&str>,
    user_id: Option<&str>,
    connector: Option<&str>,
    identifier: Option<&str>,
    id: Option<&str>,
) -> Map<String, Value> {
    fields([
        ("organization_id", organization_id),
        ("user_id", user_id),
        ("connector", connector),
        ("identifier", identifier),
        ("id", id),
    ])
}

/// `{"connected_account": …}` (the REST answer) as the message's account.
fn account_of(answer: &Value) -> Option<pb::ConnectedAccount> {
    answer.get("connected_account").map(convert::account)
}

/// A list page (REST JSON) as its four message fields.
fn page_of(page: &Value) -> (Vec<pb::ConnectedAccountForList>, u32, String, String) {
    let items = page
        .get("connected_accounts")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(convert::account_for_list).collect())
        .unwrap_or_default();
    (
        items,
        convert::count(page, "total_size"),
        convert::string(page, "next_page_token"),
        convert::string(page, "prev_page_token"),
    )
}

/// Create and update: the REST body, through the REST side's `write_request`.
fn write_body(mut body: Map<String, Value>, payload: Option<Value>) -> Vec<u8> {
    if let Some(p) = payload {
        body.insert("connected_account".into(), p);
    }
    Value::Object(body).to_string().into_bytes()
}

impl Accounts {
    fn get(
        &self,
        r: &pb::GetConnectedAccountByIdentifierRequest,
    ) -> Result<pb::ConnectedAccount, ApiError> {
        let body = selector_json(
            r.organization_id.as_deref(),
            r.user_id.as_deref(),
            r.connector.as_deref(),
            r.identifier.as_deref(),
            r.id.as_deref(),
        );
        let sel = body_selector(&Input(&body))?;
        let found = lock(&self.0.store).get(&sel)?;
        Ok(account_of(&found).unwrap_or_default())
    }
}

#[tonic::async_trait]
impl pb::connected_account_service_server::ConnectedAccountService for Accounts {
    async fn list_connected_accounts(
        &self,
        request: Request<pb::ListConnectedAccountsRequest>,
    ) -> Reply<pb::ListConnectedAccountsResponse> {
        admit::<endpoint::GrpcListConnectedAccounts, _>(&self.0, &request)?;
        let r = request.into_inner();
        // The REST binding's query string, so list_query applies its rules unchanged.
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("organization_id", &r.organization_id),
            ("user_id", &r.user_id),
            ("connector", &r.connector),
            ("identifier", &r.identifier),
            ("provider", &r.provider),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        if r.page_size != 0 {
            q.append_pair("page_size", &r.page_size.to_string());
        }
        q.append_pair("page_token", &r.page_token);
        q.append_pair("query", &r.query);
        for n in &r.connection_names {
            q.append_pair("connection_names", n);
        }
        let lq = list_query(Some(&q.finish())).map_err(status)?;
        let page = lock(&self.0.store).list(&lq);
        let (connected_accounts, total_size, next_page_token, prev_page_token) = page_of(&page);
        Ok(Response::new(pb::ListConnectedAccountsResponse {
            connected_accounts,
            total_size,
            next_page_token,
            prev_page_token,
        }))
    }

    /// No REST binding in LocalScalekit: the descriptors' rules (query 3–200 characters,
    /// page_size ≤ 30), then the list's case-insensitive text search.
    async fn search_connected_accounts(
        &self,
        request: Request<pb::SearchConnectedAccountsRequest>,
    ) -> Reply<pb::SearchConnectedAccountsResponse> {
        admit::<endpoint::GrpcSearchConnectedAccounts, _>(&self.0, &request)?;
        let r = request.into_inner();
        let run = || -> Result<Value, ApiError> {
            if r.query.is_empty() {
                return Err(ApiError::invalid("query is required"));
            }
            if r.query.chars().count() < 3 {
                return Err(ApiError::invalid("query: must be at least 3 characters"));
            }
            max_len("query", Some(&r.query), 200)?;
            max_len("connection_id", Some(&r.connection_id), 32)?;
            if r.page_size > 30 {
                return Err(ApiError::invalid("page_size: must be at most 30"));
            }
            let offset = match r.page_token.as_str() {
                "" => 0,
                t => parse_page_token(t).ok_or_else(|| {
                    ApiError::invalid("page_token: not a token this server issued")
                })?,
            };
            let store = lock(&self.0.store);
            let connector = match r.connection_id.as_str() {
                "" => None,
                id => Some(
                    store
                        .connections
                        .iter()
                        .find(|c| c.id == id)
                        .map(|c| c.name.clone())
                        // An unknown connection id matches no account.
                        .unwrap_or_default(),
                ),
            };
            Ok(store.list(&ListQuery {
                connector,
                query: Some(r.query.clone()),
                page_size: if r.page_size == 0 {
                    30
                } else {
                    r.page_size as usize
                },
                offset,
                ..ListQuery::default()
            }))
        };
        let page = run().map_err(status)?;
        let (connected_accounts, total_size, next_page_token, prev_page_token) = page_of(&page);
        Ok(Response::new(pb::SearchConnectedAccountsResponse {
            connected_accounts,
            total_size,
            next_page_token,
            prev_page_token,
        }))
    }

    async fn create_connected_account(
        &self,
        request: Request<pb::CreateConnectedAccountRequest>,
    ) -> Reply<pb::CreateConnectedAccountResponse> {
        admit::<endpoint::GrpcCreateConnectedAccount, _>(&self.0, &request)?;
        let r = request.into_inner();
        let body = selector_json(
            r.organization_id.as_deref(),
            r.user_id.as_deref(),
            r.connector.as_deref(),
            r.identifier.as_deref(),
            None,
        );
        let payload = r
            .connected_account
            .as_ref()
            .map(|w| convert::write_json(w.authorization_details.as_ref(), w.api_config.as_ref()));
        let (sel, write) = write_request(&write_body(body, payload)).map_err(status)?;
        let created = lock(&self.0.store).create(&sel, &write).map_err(status)?;
        Ok(Response::new(pb::CreateConnectedAccountResponse {
            connected_account: account_of(&created),
        }))
    }

    async fn update_connected_account(
        &self,
        request: Request<pb::UpdateConnectedAccountRequest>,
    ) -> Reply<pb::UpdateConnectedAccountResponse> {
        admit::<endpoint::GrpcUpdateConnectedAccount, _>(&self.0, &request)?;
        let r = request.into_inner();
        let body = selector_json(
            r.organization_id.as_deref(),
            r.user_id.as_deref(),
            r.connector.as_deref(),
            r.identifier.as_deref(),
            r.id.as_deref(),
        );
        let payload = r
            .connected_account
            .as_ref()
            .map(|w| convert::write_json(w.authorization_details.as_ref(), w.api_config.as_ref()));
        let (sel, write) = write_request(&write_body(body, payload)).map_err(status)?;
        let updated = lock(&self.0.store).update(&sel, &write).map_err(status)?;
        Ok(Response::new(pb::UpdateConnectedAccountResponse {
            connected_account: account_of(&updated),
        }))
    }

    async fn delete_connected_account(
        &self,
        request: Request<pb::DeleteConnectedAccountRequest>,
    ) -> Reply<pb::DeleteConnectedAccountResponse> {
        admit::<endpoint::GrpcDeleteConnectedAccount, _>(&self.0, &request)?;
        let r = request.into_inner();
        let body = selector_json(
            r.organization_id.as_deref(),
            r.user_id.as_deref(),
            r.connector.as_deref(),
            r.identifier.as_deref(),
            r.id.as_deref(),
        );
        let sel = body_selector(&Input(&body)).map_err(status)?;
        lock(&self.0.store).delete(&sel).map_err(status)?;
        Ok(Response::new(pb::DeleteConnectedAccountResponse {}))
    }

    async fn get_magic_link_for_connected_account(
        &self,
        request: Request<pb::GetMagicLinkForConnectedAccountRequest>,
    ) -> Reply<pb::GetMagicLinkForConnectedAccountResponse> {
        admit::<endpoint::GrpcGetMagicLink, _>(&self.0, &request)?;
        let r = request.into_inner();
        let mut body = selector_json(
            r.organization_id.as_deref(),
            r.user_id.as_deref(),
            r.connector.as_deref(),
            r.identifier.as_deref(),
            r.id.as_deref(),
        );
        body.extend(fields([
            ("state", r.state.as_deref()),
            ("user_verify_url", r.user_verify_url.as_deref()),
        ]));
        let link = magic_link_json(&self.0, &body).map_err(status)?;
        Ok(Response::new(pb::GetMagicLinkForConnectedAccountResponse {
            link: convert::string(&link, "link"),
            expiry: convert::timestamp(link.get("expiry")),
        }))
    }

    async fn get_connected_account_auth(
        &self,
        request: Request<pb::GetConnectedAccountByIdentifierRequest>,
    ) -> Reply<pb::GetConnectedAccountByIdentifierResponse> {
        admit::<endpoint::GrpcGetConnectedAccountAuth, _>(&self.0, &request)?;
        let account = self.get(request.get_ref()).map_err(status)?;
        Ok(Response::new(pb::GetConnectedAccountByIdentifierResponse {
            connected_account: Some(account),
        }))
    }

    /// As GetConnectedAccountAuth, without the stored credentials.
    async fn get_connected_account_details(
        &self,
        request: Request<pb::GetConnectedAccountByIdentifierRequest>,
    ) -> Reply<pb::GetConnectedAccountByIdentifierResponse> {
        admit::<endpoint::GrpcGetConnectedAccountDetails, _>(&self.0, &request)?;
        let account = self.get(request.get_ref()).map_err(status)?;
        Ok(Response::new(pb::GetConnectedAccountByIdentifierResponse {
            connected_account: Some(pb::ConnectedAccount {
                authorization_details: None,
                ..account
            }),
        }))
    }

    async fn verify_connected_account_user(
        &self,
        request: Request<pb::VerifyConnectedAccountUserRequest>,
    ) -> Reply<pb::VerifyConnectedAccountUserResponse> {
        admit::<endpoint::GrpcVerifyConnectedAccountUser, _>(&self.0, &request)?;
        let r = request.into_inner();
        let body = fields([
            ("auth_request_id", Some(r.auth_request_id.as_str())),
            ("identifier", Some(r.identifier.as_str())),
        ]);
        let answer = verify_json(&self.0, &body).map_err(status)?;
        Ok(Response::new(pb::VerifyConnectedAccountUserResponse {
            post_user_verify_redirect_url: convert::string(
                &answer,
                "post_user_verify_redirect_url",
            ),
        }))
    }
}
