//! `NativeLocalScalekit`: the napi face of the emulator. Options are checked when the object is
//! made; `start` and `close` complete as outcome records (docs/architecture.md).

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::{json, Value};

use crate::args::given;
use crate::failure::to_napi;
use crate::outcome::{self, NativeOutcome};
use scalekit_core::args::{self, Kind};
use scalekit_core::errors::ScalekitError;
use scalekit_local::{EmulatorOptions, LocalScalekit};
use scalekit_wire::sync::lock;

fn local_error(e: impl std::fmt::Display) -> ScalekitError {
    ScalekitError::Local {
        message: e.to_string(),
    }
}

/// `options` as JSON and `configFile` (a JSON file of the same shape; the JSON options win
/// where both set a field).
fn read_options(
    json: Option<String>,
    config_file: Option<String>,
) -> Result<EmulatorOptions, ScalekitError> {
    match (json, config_file) {
        (Some(json), None) => EmulatorOptions::from_json(&json).map_err(local_error),
        (None, Some(path)) => EmulatorOptions::from_file(&path).map_err(local_error),
        (Some(json), Some(path)) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| local_error(format!("cannot read {path}: {e}")))?;
            let mut merged: Value = serde_json::from_str(&text)
                .map_err(|e| local_error(format!("{path} is not valid JSON: {e}")))?;
            let overrides: Value = serde_json::from_str(&json).map_err(local_error)?;
            if let (Some(base), Some(extra)) = (merged.as_object_mut(), overrides.as_object()) {
                for (k, v) in extra {
                    base.insert(k.clone(), v.clone());
                }
            }
            EmulatorOptions::from_json(&merged.to_string()).map_err(local_error)
        }
        (None, None) => Ok(EmulatorOptions::default()),
    }
}

#[napi]
pub struct NativeLocalScalekit {
    options: Mutex<Option<EmulatorOptions>>,
    inner: Mutex<Option<Arc<LocalScalekit>>>,
}

impl NativeLocalScalekit {
    fn inner(&self) -> napi::Result<Arc<LocalScalekit>> {
        lock(&self.inner)
            .clone()
            .ok_or_else(|| to_napi(local_error("LocalScalekit is not started")))
    }
}

#[napi]
impl NativeLocalScalekit {
    /// `options_kind` (and `options_error`) are set by `lib/args.js` when `options` is not an
    /// object or not serialisable; `options_json` is the options without `configFile`.
    #[napi(constructor)]
    pub fn new(
        options_kind: Option<String>,
        options_error: Option<String>,
        options_json: Option<String>,
        config_file: Option<Unknown>,
    ) -> napi::Result<Self> {
        if let Some(kind) = options_kind {
            args::object("options", &Kind::parse(&kind, options_error)).map_err(to_napi)?;
        }
        let config_file =
            args::optional_string("configFile", given(config_file)?).map_err(to_napi)?;
        let options = read_options(options_json, config_file).map_err(to_napi)?;
        Ok(NativeLocalScalekit {
            options: Mutex::new(Some(options)),
            inner: Mutex::new(None),
        })
    }

    /// Starts LocalScalekit on the addon's runtime; the record's body holds its URLs.
    #[napi]
    pub async fn start(&self) -> NativeOutcome {
        let Some(options) = lock(&self.options).take() else {
            return outcome::of_failure(&local_error("LocalScalekit was started already")).into();
        };
        let started = LocalScalekit::start(options)
            .await
            .map_err(local_error)
            .map(|local| {
                let description = json!({
                    "url": local.url(),
                    "clientId": local.client_id(),
                    "clientSecret": local.client_secret(),
                    "echoUrl": local.echo_url(),
                    "caCertificate": local.ca_certificate(),
                });
                *lock(&self.inner) = Some(Arc::new(local));
                description
            });
        outcome::of_value(started).into()
    }

    /// Requests served per endpoint, as JSON.
    #[napi]
    pub fn stats(&self) -> napi::Result<String> {
        Ok(serde_json::to_string(&self.inner()?.stats()).unwrap_or_else(|_| "{}".into()))
    }

    #[napi]
    pub fn reset_stats(&self) -> napi::Result<()> {
        self.inner()?.reset_stats();
        Ok(())
    }

    #[napi]
    pub fn revoke_tokens(&self) -> napi::Result<()> {
        self.inner()?.revoke_tokens();
        Ok(())
    }

    #[napi]
    pub fn set_account_status(
        &self,
        connection_name: String,
        identifier: String,
        status: String,
    ) -> napi::Result<()> {
        self.inner()?
            .set_account_status(&connection_name, &identifier, &status)
            .map_err(|e| to_napi(local_error(e)))
    }

    /// Connected accounts, as JSON (snake_case, as the REST API emits them).
    #[napi]
    pub fn accounts(&self) -> napi::Result<String> {
        Ok(self.inner()?.accounts_json().to_string())
    }

    #[napi]
    pub async fn close(&self) -> NativeOutcome {
        let inner = lock(&self.inner).clone();
        if let Some(inner) = inner {
            inner.close().await;
        }
        outcome::of_value(Ok(json!({}))).into()
    }
}
