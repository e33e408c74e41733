//! `NativeClient`: the napi face of [`crate::client::ScalekitClient`].

use bytes::Bytes;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use super::cancel::CallSignal;
use super::{error_json, to_napi};
use crate::accounts::{AccountOperation, Params};
use crate::cancel::abortable;
use crate::client::ScalekitClient;
use crate::config::{ClientConfig, ClientOptions};
use crate::errors::ScalekitError;
use crate::proxy::{ProxyBody, ProxyParams, QueryParams, RetrySetting};

#[napi(object)]
pub struct NativeClientOptions {
    pub timeout_ms: Option<f64>,
    pub tool_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    /// `Node/<version> (<platform>; <arch>)` for the user-agent.
    pub runtime: Option<String>,
}

impl From<Option<NativeClientOptions>> for ClientOptions {
    fn from(options: Option<NativeClientOptions>) -> Self {
        match options {
            None => ClientOptions::default(),
            Some(o) => ClientOptions {
                timeout_ms: o.timeout_ms,
                tool_timeout_ms: o.tool_timeout_ms,
                max_retries: o.max_retries,
                runtime: o.runtime,
            },
        }
    }
}

/// `actions.request` parameters, pre-classified by `index.js`.
#[napi(object)]
pub struct NativeProxyParams {
    pub connection_name: Option<String>,
    pub identifier: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    /// `queryParams` as JSON (numbers already formatted by JS, Dates as ISO strings).
    pub query_json: Option<String>,
    /// `queryParams` given as a URLSearchParams, already encoded.
    pub query_string: Option<String>,
    /// An object or array body, already `JSON.stringify`-ed.
    pub body_json: Option<String>,
    /// A string or binary body, sent as is.
    pub body_raw: Option<Buffer>,
    /// `formData` as JSON, sent urlencoded.
    pub form_json: Option<String>,
    /// Caller headers as `[name, value, name, value, ...]`.
    pub headers: Option<Vec<String>>,
    pub timeout_ms: Option<f64>,
    /// `undefined`: the client's policy; `0`: off; `n`: up to n retries for any method.
    pub retries: Option<u32>,
    /// From `newCancelId()`, when the caller passed an AbortSignal.
    pub cancel_id: Option<u32>,
}

#[napi(object)]
pub struct NativeResponse {
    pub status: u32,
    pub status_text: String,
    /// `[name, value, ...]`, lowercase names, in arrival order.
    pub headers: Vec<String>,
    pub body: Buffer,
    /// Set for a non-2xx answer: the error's JSON description (without the body).
    pub failure: Option<String>,
}

#[napi]
pub struct NativeClient {
    inner: ScalekitClient,
}

fn parse_json(name: &'static str, text: &str) -> napi::Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        to_napi(ScalekitError::validation(
            name,
            format!("{name} is not serialisable: {e}"),
        ))
    })
}

fn flat_pairs(list: Vec<String>) -> Vec<(String, String)> {
    let mut pairs = Vec::with_capacity(list.len() / 2);
    let mut it = list.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        pairs.push((k, v));
    }
    pairs
}

fn flat_list(pairs: Vec<(String, String)>) -> Vec<String> {
    let mut list = Vec::with_capacity(pairs.len() * 2);
    for (k, v) in pairs {
        list.push(k);
        list.push(v);
    }
    list
}

impl NativeProxyParams {
    fn into_core(self) -> napi::Result<ProxyParams> {
        let query = match (self.query_json, self.query_string) {
            (Some(json), _) => Some(QueryParams::Object(parse_json("queryParams", &json)?)),
            (None, Some(s)) => Some(QueryParams::Encoded(s)),
            (None, None) => None,
        };
        let body = match (self.body_json, self.body_raw, self.form_json) {
            (Some(json), _, _) => Some(ProxyBody::Json(json)),
            (None, Some(raw), _) => Some(ProxyBody::Raw(Bytes::from(raw.to_vec()))),
            (None, None, Some(form)) => Some(ProxyBody::Form(parse_json("formData", &form)?)),
            (None, None, None) => None,
        };
        Ok(ProxyParams {
            connection_name: self.connection_name,
            identifier: self.identifier,
            path: self.path,
            method: self.method,
            query,
            body,
            headers: self.headers.map(flat_pairs).unwrap_or_default(),
            timeout_ms: self.timeout_ms,
            retry: match self.retries {
                None => RetrySetting::Default,
                Some(0) => RetrySetting::Off,
                Some(n) => RetrySetting::Count(n),
            },
        })
    }
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(
        env_url: String,
        client_id: String,
        client_secret: String,
        options: Option<NativeClientOptions>,
    ) -> napi::Result<Self> {
        let config = ClientConfig::new(&env_url, &client_id, &client_secret, options.into())
            .map_err(to_napi)?;
        Self::with_config(config)
    }

    /// Reads `SCALEKIT_*` from the environment, each falling back to `<cwd>/.env`.
    #[napi(factory)]
    pub fn from_env(cwd: String, options: Option<NativeClientOptions>) -> napi::Result<Self> {
        let config =
            ClientConfig::from_env(std::path::Path::new(&cwd), options.into()).map_err(to_napi)?;
        Self::with_config(config)
    }

    fn with_config(config: ClientConfig) -> napi::Result<Self> {
        let inner = ScalekitClient::new(config).map_err(to_napi)?;
        Ok(NativeClient { inner })
    }

    #[napi(getter)]
    pub fn env_url(&self) -> String {
        self.inner.config().env_url().to_string()
    }

    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.config().client_id.clone()
    }

    #[napi]
    pub async fn request(&self, params: NativeProxyParams) -> napi::Result<NativeResponse> {
        let call = CallSignal::take(params.cancel_id);
        let params = params.into_core()?;
        match abortable(call.signal(), self.inner.request(params)).await {
            Ok(r) => Ok(NativeResponse {
                status: r.status.into(),
                status_text: r.status_text,
                headers: flat_list(r.headers),
                body: Buffer::from(Vec::from(r.body)),
                failure: None,
            }),
            Err(ScalekitError::Http(f)) => {
                let mut description = error_json(&ScalekitError::Http(f.clone()));
                if let Some(obj) = description.as_object_mut() {
                    obj.remove("body");
                    obj.remove("headers");
                }
                Ok(NativeResponse {
                    status: f.status.into(),
                    status_text: f.status_text,
                    headers: flat_list(f.headers),
                    body: Buffer::from(Vec::from(f.body)),
                    failure: Some(description.to_string()),
                })
            }
            Err(e) => Err(to_napi(e)),
        }
    }

    /// A connected-account method of `actions` by its JS name; params and result as JSON.
    #[napi]
    pub async fn accounts(
        &self,
        method: String,
        params_json: String,
        cancel_id: Option<u32>,
    ) -> napi::Result<String> {
        let call = CallSignal::take(cancel_id);
        let operation = AccountOperation::from_method(&method).ok_or_else(|| {
            to_napi(ScalekitError::validation(
                "method",
                format!("unknown actions method {method:?}"),
            ))
        })?;
        let params = Params::from_json(&params_json).map_err(to_napi)?;
        let result = abortable(call.signal(), self.inner.accounts_call(operation, &params))
            .await
            .map_err(to_napi)?;
        Ok(result.to_string())
    }
}
