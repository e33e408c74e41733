//! Input rules of the API routes (docs/wire-protocol.md §5), and the validated shapes they
//! produce; the handlers only call these.

use serde_json::{Map, Value};

use crate::model::{connector_char, page_offset, ListQuery, Selector};
use crate::wire::{parse_body, ApiError, Input, Query};

/// Page size of a list call that sends none (or 0).
const DEFAULT_PAGE_SIZE: usize = 20;

pub fn max_len(field: &str, v: Option<&str>, max: usize) -> Result<(), ApiError> {
    match v {
        Some(s) if s.chars().count() > max => Err(ApiError::invalid(format!(
            "{field}: must be at most {max} characters"
        ))),
        _ => Ok(()),
    }
}

pub fn check_connector(field: &str, v: Option<&str>) -> Result<(), ApiError> {
    max_len(field, v, 400)?;
    match v {
        Some(s) if !s.chars().all(connector_char) => Err(ApiError::invalid(format!(
            "{field}: must match ^[a-zA-Z0-9_: -]*$"
        ))),
        _ => Ok(()),
    }
}

/// The account-addressing fields, however they arrive (query or JSON body).
struct Fields<'a> {
    id: Option<&'a str>,
    connector: Option<&'a str>,
    identifier: Option<&'a str>,
    organization_id: Option<&'a str>,
    user_id: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn of_query(q: &'a Query) -> Self {
        Fields {
            id: q.opt("id"),
            connector: q.opt("connector"),
            identifier: q.opt("identifier"),
            organization_id: q.opt("organization_id"),
            user_id: q.opt("user_id"),
        }
    }

    fn of_body(input: &Input<'a>) -> Result<Self, ApiError> {
        Ok(Fields {
            id: input.opt("id")?,
            connector: input.opt("connector")?,
            identifier: input.opt("identifier")?,
            organization_id: input.opt("organization_id")?,
            user_id: input.opt("user_id")?,
        })
    }

    /// The rules shared by get, create, update, delete, magic link and list.
    fn check(&self) -> Result<(), ApiError> {
        max_len("organization_id", self.organization_id, 32)?;
        max_len("user_id", self.user_id, 32)?;
        check_connector("connector", self.connector)?;
        max_len("identifier", self.identifier, 100)?;
        max_len("id", self.id, 32)?;
        if self.id.is_some_and(|i| !i.starts_with("ca_")) {
            return Err(ApiError::invalid("id: must start with \"ca_\""));
        }
        Ok(())
    }

    fn selector(self) -> Result<Selector, ApiError> {
        self.check()?;
        Ok(Selector {
            id: self.id.map(str::to_owned),
            connector: self.connector.map(str::to_owned),
            identifier: self.identifier.map(str::to_owned),
            organization_id: self.organization_id.unwrap_or_default().to_owned(),
            user_id: self.user_id.unwrap_or_default().to_owned(),
        })
    }
}

/// The account a query string addresses (get).
pub fn query_selector(raw: Option<&str>) -> Result<Selector, ApiError> {
    Fields::of_query(&Query::parse(raw)).selector()
}

/// The account a JSON body addresses (create, update, delete, magic link).
pub fn body_selector(input: &Input<'_>) -> Result<Selector, ApiError> {
    Fields::of_body(input)?.selector()
}

/// Create and update share their body: selector + the required `connected_account` payload.
pub fn write_request(body: &[u8]) -> Result<(Selector, Map<String, Value>), ApiError> {
    let body = parse_body(body)?;
    let input = Input(&body);
    let sel = body_selector(&input)?;
    let write = input
        .object("connected_account")?
        .ok_or_else(|| ApiError::invalid("connected_account is required"))?;
    Ok((sel, write.clone()))
}

pub fn list_query(raw: Option<&str>) -> Result<ListQuery, ApiError> {
    let q = Query::parse(raw);
    let fields = Fields {
        id: None,
        ..Fields::of_query(&q)
    };
    fields.check()?;
    max_len("provider", q.opt("provider"), 50)?;
    max_len("page_token", q.opt("page_token"), 100)?;
    max_len("query", q.opt("query"), 100)?;
    let names: Vec<String> = q
        .all("connection_names")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if names.len() > 20 {
        return Err(ApiError::invalid(
            "connection_names: at most 20 items are allowed",
        ));
    }
    for n in &names {
        if n.is_empty() {
            return Err(ApiError::invalid(
                "connection_names: items must not be empty",
            ));
        }
        check_connector("connection_names", Some(n))?;
    }
    if q.opt("connector").is_some() && !names.is_empty() {
        return Err(ApiError::invalid(
            "connector and connection_names are mutually exclusive",
        ));
    }
    let page_size = match q.opt("page_size") {
        None => 0,
        Some(s) => s
            .parse::<u32>()
            .map_err(|_| ApiError::invalid("page_size: must be an unsigned integer"))?,
    };
    if page_size >= 100 {
        return Err(ApiError::invalid("page_size: must be less than 100"));
    }
    let offset = page_offset(q.opt("page_token"))?;
    let owned = |k: &str| q.opt(k).map(str::to_owned);
    Ok(ListQuery {
        connector: owned("connector"),
        connection_names: names,
        identifier: owned("identifier"),
        provider: owned("provider"),
        organization_id: owned("organization_id"),
        user_id: owned("user_id"),
        query: owned("query"),
        page_size: if page_size == 0 {
            DEFAULT_PAGE_SIZE
        } else {
            page_size as usize
        },
        offset,
    })
}

/// `user_verify_url` of a magic link: at most 2048 characters of an http(s) URL.
pub fn user_verify_url(url: Option<&str>) -> Result<(), ApiError> {
    max_len("user_verify_url", url, 2048)?;
    match url {
        Some(u)
            if !((u.starts_with("http://") || u.starts_with("https://"))
                && url::Url::parse(u).is_ok()) =>
        {
            Err(ApiError::invalid("user_verify_url: must be an http(s) URL"))
        }
        _ => Ok(()),
    }
}
