//! Magic links, the user's browser following one, and user verification
//! (docs/wire-protocol.md §4.3, §8), over the accounts of the store.

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::details::usable;
use crate::model::{AuthRequest, MagicLink, Selector, Status, WritePayload};
use crate::options::AuthType;
use crate::store::Store;
use crate::wire::{random_token, ApiError};

/// Magic links live 15 minutes, like Scalekit's.
const MAGIC_LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// The URL of the magic link `token`, served by `routes::links::authorize`.
pub fn magic_link_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/magic/{token}")
}

/// What following a magic link leads to.
#[derive(Debug)]
pub enum LinkOutcome {
    /// Account ACTIVE; the browser gets a small HTML page.
    Active,
    /// Account PENDING_VERIFICATION; the browser is redirected here.
    Redirect(String),
}

/// A browser-facing failure of the magic link (rendered as an HTML page).
#[derive(Debug)]
pub struct PageError {
    pub status: u16,
    pub message: String,
}

impl PageError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
        }
    }
}

impl Store {
    /// Finds (or creates, PENDING_AUTH) the account and returns `(link token, expiry)`.
    pub fn magic_link(
        &mut self,
        sel: &Selector,
        state: Option<String>,
        user_verify_url: Option<String>,
    ) -> Result<(String, OffsetDateTime), ApiError> {
        let i = match self.position(sel) {
            Ok(i) => i,
            Err(e) if e.code == 5 && sel.id.is_none() => {
                let connector = sel.connector.clone().unwrap_or_default();
                let conn = self.connection_for_write(&connector)?;
                self.insert_account(&conn, sel, Status::PendingAuth, WritePayload::default())
            }
            Err(e) => return Err(e),
        };
        let now = Instant::now();
        self.magic_links.retain(|_, l| l.expires > now);
        let token = random_token();
        self.magic_links.insert(
            token.clone(),
            MagicLink {
                account_id: self.accounts[i].id.clone(),
                state,
                user_verify_url,
                expires: now + MAGIC_LINK_TTL,
            },
        );
        let expiry = OffsetDateTime::now_utc() + MAGIC_LINK_TTL;
        Ok((token, expiry))
    }

    /// The user's browser opening a magic link. A link works once.
    ///
    /// OAUTH accounts get an emulator-issued access/refresh token pair. Static-credential accounts
    /// (BASIC, BEARER, API_KEY) keep the credentials already stored, or take them from the link's
    /// query string (`?api_key=…`, `?token=…`, `?username=…&password=…`), which then become
    /// `static_auth.details`; with neither, the page answers 400 "credentials missing".
    pub fn authorize(
        &mut self,
        token: &str,
        query: &[(String, String)],
        ttl: Duration,
    ) -> Result<LinkOutcome, PageError> {
        let link = self.magic_links.remove(token).ok_or_else(|| {
            PageError::new(
                404,
                "This authorization link is unknown or was already used.",
            )
        })?;
        if link.expires <= Instant::now() {
            return Err(PageError::new(400, "This authorization link has expired."));
        }
        let i = self
            .accounts
            .iter()
            .position(|a| a.id == link.account_id)
            .ok_or_else(|| {
                PageError::new(404, "The connected account of this link no longer exists.")
            })?;
        let acc = &mut self.accounts[i];
        let now = OffsetDateTime::now_utc();
        if acc.auth_type == AuthType::OAuth {
            acc.authorization_details = Some(json!({"oauth_token": {
                "access_token": format!("emu_at_{}", random_token()),
                "refresh_token": format!("emu_rt_{}", random_token()),
                "scopes": [],
            }}));
            acc.token_expires_at = Some(now + ttl);
        } else if !query.is_empty() {
            let details: Map<String, Value> = query
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            acc.authorization_details = Some(json!({"static_auth": {"details": details}}));
        } else if !acc.authorization_details.as_ref().is_some_and(usable) {
            // Give the link back: the user may retry with credentials in the query string.
            let account_id = link.account_id.clone();
            self.magic_links.insert(token.to_owned(), link);
            return Err(PageError::new(
                400,
                format!(
                    "Credentials missing: connected account {account_id} has no stored credentials; \
                     open this link again with them as query parameters (api_key, token, or username and password)."
                ),
            ));
        }
        acc.updated_at = now;
        let Some(verify_url) = link.user_verify_url else {
            acc.status = Status::Active;
            return Ok(LinkOutcome::Active);
        };
        acc.status = Status::PendingVerification;
        let request_id = format!("ar_{}", random_token());
        let identifier = acc.identifier.clone();
        let mut url = url::Url::parse(&verify_url)
            .map_err(|e| PageError::new(400, format!("user_verify_url is not a valid URL: {e}")))?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("auth_request_id", &request_id);
            if let Some(state) = &link.state {
                pairs.append_pair("state", state);
            }
        }
        self.auth_requests.insert(
            request_id,
            AuthRequest {
                account_id: link.account_id,
                identifier,
            },
        );
        Ok(LinkOutcome::Redirect(url.into()))
    }

    /// Completes a pending verification; the request id is consumed only on success.
    pub fn verify(&mut self, auth_request_id: &str, identifier: &str) -> Result<String, ApiError> {
        let req = self.auth_requests.get(auth_request_id).ok_or_else(|| {
            ApiError::not_found("no pending user verification for this auth_request_id")
        })?;
        if req.identifier != identifier {
            return Err(ApiError::permission_denied(
                "identifier does not match the user who authorized the connected account",
            ));
        }
        let account_id = req.account_id.clone();
        self.auth_requests.remove(auth_request_id);
        let acc = self
            .accounts
            .iter_mut()
            .find(|a| a.id == account_id)
            .ok_or_else(|| {
                ApiError::not_found(format!("connected account {account_id} not found"))
            })?;
        acc.status = Status::Active;
        acc.updated_at = OffsetDateTime::now_utc();
        Ok(acc.id.clone())
    }

    /// Drops the links and pending verifications of a deleted account.
    pub(super) fn forget_links(&mut self, account_id: &str) {
        self.magic_links.retain(|_, l| l.account_id != account_id);
        self.auth_requests.retain(|_, r| r.account_id != account_id);
    }
}
