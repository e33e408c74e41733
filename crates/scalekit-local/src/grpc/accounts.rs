//! `scalekit.v1.connected_accounts.ConnectedAccountService` (docs/wire-protocol.md §4, §12):
//! each method feeds the REST side's validation and store operation (see the module doc of
//! `grpc`).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::convert::{self, fields, items, page};
use super::proto::scalekit::v1::connected_accounts as pb;
use super::{served, Answer};
use crate::model::{page_offset, ListQuery, Selector};
use crate::routes::links::{magic_link_json, verify_json};
use crate::routes::validate::{body_selector, list_query, max_len, write_request};
use crate::shared::Shared;
use crate::store::Store;
use crate::wire::{ApiError, Input};
use scalekit_wire::sync::lock;

pub struct Accounts(pub Arc<Shared>);

/// A request message that addresses one account: its addressing fields as the REST body's.
trait Addressed {
    fn selector_json(&self) -> Map<String, Value>;
}

/// `Addressed` for each such message: the generated types share the fields but no trait that
/// reaches them. `id` names the message's account-id field (a create request has none).
macro_rules! addressed {
    ($message:ty $(, $id:ident)?) => {
        impl Addressed for $message {
            fn selector_json(&self) -> Map<String, Value> {
                fields([
                    ("organization_id", self.organization_id.as_deref()),
                    ("user_id", self.user_id.as_deref()),
                    ("connector", self.connector.as_deref()),
                    ("identifier", self.identifier.as_deref()),
                    $(("id", self.$id.as_deref()),)?
                ])
            }
        }
    };
}

addressed!(pb::CreateConnectedAccountRequest);
addressed!(pb::UpdateConnectedAccountRequest, id);
addressed!(pb::GetMagicLinkForConnectedAccountRequest, id);
addressed!(pb::GetConnectedAccountByIdentifierRequest, id);

/// A create or update request: its `connected_account` as the REST body's.
trait Written: Addressed {
    fn payload(&self) -> Option<Value>;
}

/// `Written` for both: their account messages differ in type only.
macro_rules! written {
    ($($message:ty),+) => {$(
        impl Written for $message {
            fn payload(&self) -> Option<Value> {
                self.connected_account.as_ref().map(|w| {
                    convert::write_json(w.authorization_details.as_ref(), w.api_config.as_ref())
                })
            }
        }
    )+};
}

written!(
    pb::CreateConnectedAccountRequest,
    pb::UpdateConnectedAccountRequest
);

/// The answer that carries one account: the official Create/Update/GetConnectedAccount…Response
/// (one wire form, see the proto).
type AccountAnswer = pb::GetConnectedAccountByIdentifierResponse;

/// `{"connected_account": …}` (the REST answer) as the message's account.
fn account_of(answer: &Value) -> Option<pb::ConnectedAccount> {
    answer.get("connected_account").map(convert::account)
}

/// A list page (REST JSON) as the list response (search answers the same fields).
fn page_of(list: &Value) -> pb::ListConnectedAccountsResponse {
    page!(
        list,
        pb::ListConnectedAccountsResponse {
            connected_accounts: items(list, "connected_accounts")
                .map(convert::account_for_list)
                .collect(),
        }
    )
}

/// The store operation behind create and update.
type WriteOp = fn(&mut Store, &Selector, &Map<String, Value>) -> Result<Value, ApiError>;

impl Accounts {
    /// The addressed account, with its credentials.
    fn get(&self, r: &impl Addressed) -> Answer<pb::ConnectedAccount> {
        let sel = body_selector(&Input(&r.selector_json()))?;
        let found = lock(&self.0.store).get(&sel)?;
        Ok(account_of(&found).unwrap_or_default())
    }

    /// Create and update: the request as the REST body, through the REST side's
    /// `write_request`, then `op` on the store.
    fn write(&self, r: &impl Written, op: WriteOp) -> Answer<AccountAnswer> {
        let mut body = r.selector_json();
        if let Some(p) = r.payload() {
            body.insert("connected_account".into(), p);
        }
        let (sel, write) = write_request(Value::Object(body).to_string().as_bytes())?;
        let written = op(&mut lock(&self.0.store), &sel, &write)?;
        Ok(AccountAnswer {
            connected_account: account_of(&written),
        })
    }

    fn list(
        &self,
        r: pb::ListConnectedAccountsRequest,
    ) -> Answer<pb::ListConnectedAccountsResponse> {
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
        let lq = list_query(Some(&q.finish()))?;
        Ok(page_of(&lock(&self.0.store).list(&lq)))
    }

    /// No REST binding in LocalScalekit: the descriptors' rules (query 3–200 characters,
    /// page_size ≤ 30), then the list's case-insensitive text search.
    fn search(
        &self,
        r: pb::SearchConnectedAccountsRequest,
    ) -> Answer<pb::ListConnectedAccountsResponse> {
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
        let offset = page_offset(Some(&r.page_token))?;
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
        Ok(page_of(&store.list(&ListQuery {
            connector,
            query: Some(r.query),
            page_size: if r.page_size == 0 {
                30
            } else {
                r.page_size as usize
            },
            offset,
            ..ListQuery::default()
        })))
    }

    fn delete(
        &self,
        r: pb::GetConnectedAccountByIdentifierRequest,
    ) -> Answer<pb::DeleteConnectedAccountResponse> {
        let sel = body_selector(&Input(&r.selector_json()))?;
        lock(&self.0.store).delete(&sel)?;
        Ok(pb::DeleteConnectedAccountResponse {})
    }

    fn magic_link(
        &self,
        r: pb::GetMagicLinkForConnectedAccountRequest,
    ) -> Answer<pb::GetMagicLinkForConnectedAccountResponse> {
        let mut body = r.selector_json();
        body.extend(fields([
            ("state", r.state.as_deref()),
            ("user_verify_url", r.user_verify_url.as_deref()),
        ]));
        let link = magic_link_json(&self.0, &body)?;
        Ok(pb::GetMagicLinkForConnectedAccountResponse {
            link: convert::string(&link, "link"),
            expiry: convert::timestamp(link.get("expiry")),
        })
    }

    fn auth(&self, r: pb::GetConnectedAccountByIdentifierRequest) -> Answer<AccountAnswer> {
        Ok(AccountAnswer {
            connected_account: Some(self.get(&r)?),
        })
    }

    /// As `auth`, without the stored credentials.
    fn details(&self, r: pb::GetConnectedAccountByIdentifierRequest) -> Answer<AccountAnswer> {
        let account = pb::ConnectedAccount {
            authorization_details: None,
            ..self.get(&r)?
        };
        Ok(AccountAnswer {
            connected_account: Some(account),
        })
    }

    fn verify(
        &self,
        r: pb::VerifyConnectedAccountUserRequest,
    ) -> Answer<pb::VerifyConnectedAccountUserResponse> {
        let body = fields([
            ("auth_request_id", Some(r.auth_request_id.as_str())),
            ("identifier", Some(r.identifier.as_str())),
        ]);
        let answer = verify_json(&self.0, &body)?;
        Ok(pb::VerifyConnectedAccountUserResponse {
            post_user_verify_redirect_url: convert::string(
                &answer,
                "post_user_verify_redirect_url",
            ),
        })
    }
}

served! {
    Accounts: pb::connected_account_service_server::ConnectedAccountService {
        list_connected_accounts(pb::ListConnectedAccountsRequest) -> pb::ListConnectedAccountsResponse
            = GrpcListConnectedAccounts, Accounts::list;
        search_connected_accounts(pb::SearchConnectedAccountsRequest) -> pb::ListConnectedAccountsResponse
            = GrpcSearchConnectedAccounts, Accounts::search;
        create_connected_account(pb::CreateConnectedAccountRequest) -> AccountAnswer
            = GrpcCreateConnectedAccount, |a: &Accounts, r| a.write(&r, Store::create);
        update_connected_account(pb::UpdateConnectedAccountRequest) -> AccountAnswer
            = GrpcUpdateConnectedAccount, |a: &Accounts, r| a.write(&r, Store::update);
        delete_connected_account(pb::GetConnectedAccountByIdentifierRequest) -> pb::DeleteConnectedAccountResponse
            = GrpcDeleteConnectedAccount, Accounts::delete;
        get_magic_link_for_connected_account(pb::GetMagicLinkForConnectedAccountRequest)
            -> pb::GetMagicLinkForConnectedAccountResponse = GrpcGetMagicLink, Accounts::magic_link;
        get_connected_account_auth(pb::GetConnectedAccountByIdentifierRequest) -> AccountAnswer
            = GrpcGetConnectedAccountAuth, Accounts::auth;
        get_connected_account_details(pb::GetConnectedAccountByIdentifierRequest) -> AccountAnswer
            = GrpcGetConnectedAccountDetails, Accounts::details;
        verify_connected_account_user(pb::VerifyConnectedAccountUserRequest)
            -> pb::VerifyConnectedAccountUserResponse = GrpcVerifyConnectedAccountUser, Accounts::verify;
    }
}
