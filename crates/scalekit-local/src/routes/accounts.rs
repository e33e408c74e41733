//! Connected accounts (docs/wire-protocol.md §4): get, create, update, delete and list.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;

use super::validate::{body_selector, list_query, query_selector, write_request};
use crate::gate::{Answer, Authorized, Reply};
use crate::shared::Shared;
use crate::stats::endpoint::{
    AccountsCreate, AccountsDelete, AccountsDetails, AccountsGet, AccountsList, AccountsUpdate,
};
use crate::wire::{parse_body, Input};
use scalekit_wire::sync::lock;

type Shr = State<Arc<Shared>>;

pub async fn get(_: Authorized<AccountsGet>, State(s): Shr, RawQuery(q): RawQuery) -> Answer {
    let sel = query_selector(q.as_deref())?;
    let found = lock(&s.store).get(&sel)?;
    Ok(Reply::ok(found))
}

/// GetConnectedAccountDetails: the account as `get` answers it, without its credentials.
pub async fn details(
    _: Authorized<AccountsDetails>,
    State(s): Shr,
    RawQuery(q): RawQuery,
) -> Answer {
    let sel = query_selector(q.as_deref())?;
    let mut found = lock(&s.store).get(&sel)?;
    if let Some(account) = found
        .get_mut("connected_account")
        .and_then(|a| a.as_object_mut())
    {
        account.remove("authorization_details");
    }
    Ok(Reply::ok(found))
}

pub async fn create(_: Authorized<AccountsCreate>, State(s): Shr, body: Bytes) -> Answer {
    let (sel, write) = write_request(&body)?;
    let created = lock(&s.store).create(&sel, &write)?;
    Ok(Reply(StatusCode::CREATED, created))
}

pub async fn update(_: Authorized<AccountsUpdate>, State(s): Shr, body: Bytes) -> Answer {
    let (sel, write) = write_request(&body)?;
    let updated = lock(&s.store).update(&sel, &write)?;
    Ok(Reply::ok(updated))
}

pub async fn delete(_: Authorized<AccountsDelete>, State(s): Shr, body: Bytes) -> Answer {
    let sel = body_selector(&Input(&parse_body(&body)?))?;
    let deleted = lock(&s.store).delete(&sel)?;
    Ok(Reply::ok(deleted))
}

pub async fn list(_: Authorized<AccountsList>, State(s): Shr, RawQuery(q): RawQuery) -> Answer {
    let lq = list_query(q.as_deref())?;
    let page = lock(&s.store).list(&lq);
    Ok(Reply::ok(page))
}
