//! ProviderService's REST binding for custom providers (docs/wire-protocol.md §15): the body of a
//! create or update is the provider itself (`"body": "provider"`), the identifier a path segment.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};

use crate::gate::{Answer, Authorized, Reply};
use crate::providers::ProviderType;
use crate::shared::Shared;
use crate::stats::endpoint::{ProvidersCreate, ProvidersDelete, ProvidersList, ProvidersUpdate};
use crate::wire::{parse_body, Query};
use scalekit_wire::sync::lock;

type Shr = State<Arc<Shared>>;

pub async fn create(_: Authorized<ProvidersCreate>, State(s): Shr, body: Bytes) -> Answer {
    let created = lock(&s.providers).create(&parse_body(&body)?)?;
    Ok(Reply::ok(created))
}

pub async fn update(
    _: Authorized<ProvidersUpdate>,
    State(s): Shr,
    Path(identifier): Path<String>,
    body: Bytes,
) -> Answer {
    let updated = lock(&s.providers).update(&identifier, &parse_body(&body)?)?;
    Ok(Reply::ok(updated))
}

pub async fn delete(
    _: Authorized<ProvidersDelete>,
    State(s): Shr,
    Path(identifier): Path<String>,
) -> Answer {
    Ok(Reply::ok(lock(&s.providers).delete(&identifier)?))
}

pub async fn list(_: Authorized<ProvidersList>, State(s): Shr, RawQuery(q): RawQuery) -> Answer {
    let q = Query::parse(q.as_deref());
    let kind = ProviderType::parse(q.opt("filter.provider_type"))?;
    let store = lock(&s.store);
    let page = lock(&s.providers).list(&store, kind, q.opt("identifier"), &q)?;
    Ok(Reply::ok(page))
}
