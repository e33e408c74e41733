//! `NativeLocalScalekit`: the napi face of the emulator. Options are checked when the object is
//! made; `start` and `close` complete as outcome records (docs/architecture.md).

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::{json, Map, Value};

use crate::args::given;
use crate::failure::to_napi;
use crate::outcome::{self, NativeOutcome};
use scalekit_core::args::{self, Kind};
use scalekit_core::errors::ScalekitError;
use scalekit_local::{option_expected, EmulatorError, EmulatorOptions, LocalScalekit, OptionError};
use scalekit_wire::sync::lock;

fn local_error(e: impl std::fmt::Display) -> ScalekitError {
    ScalekitError::Local {
        message: e.to_string(),
    }
}

/// `options` as JSON and `configFile` (a JSON file of the same shape; the JSON options win
/// where both set a field), each option checked by name (`options.port`).
fn read_options(
    json: Option<String>,
    config_file: Option<String>,
) -> Result<EmulatorOptions, ScalekitError> {
    let mut merged = match &config_file {
        None if json.is_none() => return Ok(EmulatorOptions::default()),
        None => Value::Object(Map::new()),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| {
                local_error(EmulatorError::ReadOptions {
                    path: path.clone(),
                    source,
                })
            })?;
            serde_json::from_str(&text)
                .map_err(|e| local_error(format!("{path} is not valid JSON: {e}")))?
        }
    };
    if let Some(json) = json {
        let overrides: Value = serde_json::from_str(&json).map_err(local_error)?;
        if let (Some(base), Some(extra)) = (merged.as_object_mut(), overrides.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    EmulatorOptions::from_value(merged).map_err(refused_option)
}

/// An option refused, named as the caller wrote it: `options.port`.
fn refused_option(e: OptionError) -> ScalekitError {
    let name = match e.name.as_str() {
        "options" => "options".to_string(),
        field => format!("options.{field}"),
    };
    let message = format!("{name} {}", e.problem);
    ScalekitError::validation(name, message)
}

/// The first option given NaN or ±Infinity (`lib/args.js` sends its text), refused by name.
fn non_finite_option(json: Option<&str>, names: &[String]) -> Option<ScalekitError> {
    let name = names.first()?;
    let given: Option<Value> = json.and_then(|j| serde_json::from_str(j).ok());
    let text = given
        .as_ref()
        .and_then(|g| g.get(name))
        .and_then(Value::as_str)
        .unwrap_or("NaN")
        .to_string();
    let what = option_expected(name).unwrap_or("a finite number");
    Some(refused_option(OptionError {
        name: name.clone(),
        problem: format!("must be {what}, got {text}"),
    }))
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
    /// object or not serialisable; `options_json` is the options without `configFile`;
    /// `non_finite` names the options given NaN or ±Infinity, `unsent` is the first value JSON
    /// cannot carry, as `[path, kind]`.
    #[napi(constructor)]
    pub fn new(
        options_kind: Option<String>,
        options_error: Option<String>,
        options_json: Option<String>,
        config_file: Option<Unknown>,
        non_finite: Option<Vec<String>>,
        unsent: Option<Vec<String>>,
    ) -> napi::Result<Self> {
        if let Some(kind) = options_kind {
            args::plain_object("options", &Kind::parse(&kind, options_error)).map_err(to_napi)?;
        }
        if let Some([path, kind, ..]) = unsent.as_deref() {
            return Err(to_napi(args::unsendable(format!("options.{path}"), kind)));
        }
        if let Some(e) = non_finite_option(options_json.as_deref(), &non_finite.unwrap_or_default())
        {
            return Err(to_napi(e));
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
        connection_name: Option<Unknown>,
        identifier: Option<Unknown>,
        status: Option<Unknown>,
    ) -> napi::Result<()> {
        let connection_name =
            args::required_string("connectionName", given(connection_name)?).map_err(to_napi)?;
        let identifier =
            args::required_string("identifier", given(identifier)?).map_err(to_napi)?;
        let status = args::required_string("status", given(status)?).map_err(to_napi)?;
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
