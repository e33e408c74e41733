//! `scalekit.v1.providers.ProviderService`'s custom-provider methods (docs/wire-protocol.md §15),
//! over the same `crate::providers` functions as the REST binding: the message becomes the REST
//! JSON, the answer's JSON becomes the response message.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::convert::{self, items, page};
use super::proto::scalekit::v1::providers as pb;
use super::{served, Answer};
use crate::providers::ProviderType;
use crate::shared::Shared;
use crate::wire::Query;
use scalekit_wire::sync::lock;

pub struct Providers(pub Arc<Shared>);

served! {
    Providers: pb::provider_service_server::ProviderService {
        create_custom_provider(pb::CreateCustomProviderRequest) -> pb::CreateProviderResponse
            = GrpcCreateCustomProvider, Providers::create;
        update_custom_provider(pb::UpdateCustomProviderRequest) -> pb::CreateProviderResponse
            = GrpcUpdateCustomProvider, Providers::update;
        delete_custom_provider(pb::DeleteProviderRequest) -> pb::DeleteProviderResponse
            = GrpcDeleteCustomProvider, Providers::delete;
        list_providers(pb::ListProvidersRequest) -> pb::ListProvidersResponse
            = GrpcListProviders, Providers::list;
    }
}

impl Providers {
    fn create(&self, r: pb::CreateCustomProviderRequest) -> Answer<pb::CreateProviderResponse> {
        let body = provider_json(&r.provider.unwrap_or_default());
        let created = lock(&self.0.providers).create(&body)?;
        Ok(pb::CreateProviderResponse {
            provider: created.get("provider").map(provider),
        })
    }

    fn update(&self, r: pb::UpdateCustomProviderRequest) -> Answer<pb::CreateProviderResponse> {
        let mut body = provider_json(&r.provider.unwrap_or_default());
        // proto3 scalars cannot say "not given": an empty description or icon keeps the stored one.
        for key in ["description", "icon_src"] {
            if body.get(key).and_then(Value::as_str) == Some("") {
                body.remove(key);
            }
        }
        let updated = lock(&self.0.providers).update(&r.identifier, &body)?;
        Ok(pb::CreateProviderResponse {
            provider: updated.get("provider").map(provider),
        })
    }

    fn delete(&self, r: pb::DeleteProviderRequest) -> Answer<pb::DeleteProviderResponse> {
        lock(&self.0.providers).delete(&r.identifier)?;
        Ok(pb::DeleteProviderResponse {})
    }

    fn list(&self, r: pb::ListProvidersRequest) -> Answer<pb::ListProvidersResponse> {
        let kind = match r.filter {
            None => ProviderType::All,
            Some(f) => ProviderType::parse(Some(&f.provider_type.to_string()))?,
        };
        let q = Query(vec![
            ("page_size".to_owned(), r.page_size.to_string()),
            ("page_token".to_owned(), r.page_token.clone()),
        ]);
        let store = lock(&self.0.store);
        let identifier = Some(r.identifier.as_str()).filter(|s| !s.is_empty());
        let page = lock(&self.0.providers).list(&store, kind, identifier, &q)?;
        Ok(page!(
            &page,
            pb::ListProvidersResponse {
                providers: items(&page, "providers").map(provider).collect(),
            }
        ))
    }
}

/// The REST JSON of a CreateCustomProvider message (UpdateCustomProviderRequest's too).
fn provider_json(p: &pb::CreateCustomProvider) -> Map<String, Value> {
    // Destructured, so that a field added to the message cannot be forgotten here.
    let pb::CreateCustomProvider {
        display_name,
        description,
        auth_patterns,
        proxy_url,
        proxy_enabled,
        icon_src,
        metadata,
    } = p;
    let mut body = Map::new();
    body.insert("display_name".into(), json!(display_name));
    body.insert("description".into(), json!(description));
    body.insert("proxy_url".into(), json!(proxy_url));
    body.insert("proxy_enabled".into(), json!(proxy_enabled));
    body.insert("icon_src".into(), json!(icon_src));
    if let Some(list) = auth_patterns {
        let items: Vec<Value> = list.values.iter().map(convert::json_of_value).collect();
        body.insert("auth_patterns".into(), Value::Array(items));
    }
    if !metadata.is_empty() {
        body.insert("metadata".into(), json!(metadata));
    }
    body
}

/// A `Provider` message from its REST JSON.
fn provider(v: &Value) -> pb::Provider {
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or_default();
    pb::Provider {
        id: convert::string(v, "id"),
        identifier: convert::string(v, "identifier"),
        display_name: convert::string(v, "display_name"),
        description: convert::string(v, "description"),
        categories: convert::texts(v, "categories"),
        auth_patterns: v
            .get("auth_patterns")
            .and_then(Value::as_array)
            .map(|items| prost_types::ListValue {
                values: items.iter().map(convert::value_of).collect(),
            }),
        icon_src: convert::string(v, "icon_src"),
        proxy_url: convert::string(v, "proxy_url"),
        proxy_enabled: flag("proxy_enabled"),
        is_custom: flag("is_custom"),
        is_custom_mcp: flag("is_custom_mcp"),
        metadata: v
            .get("metadata")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
    }
}
