//! `NativeLocalScalekit`: the napi face of the emulator.

use std::sync::Arc;

use napi::{Error, Status};
use napi_derive::napi;

use crate::emulator::{EmulatorOptions, LocalScalekit};

fn emulator_error(e: impl std::fmt::Display) -> Error {
    Error::new(
        Status::GenericFailure,
        serde_json::json!({"kind": "emulator", "message": e.to_string()}).to_string(),
    )
}

#[napi]
pub struct NativeLocalScalekit {
    inner: Arc<LocalScalekit>,
}

/// Starts LocalScalekit on the addon's runtime. `options_json` follows `EmulatorOptions`;
/// `config_file` is a JSON file of the same shape (the JSON options win where both set a field).
// Only JS calls it, so test builds (where napi registers nothing) see it as unused.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub async fn start_local_scalekit(
    options_json: Option<String>,
    config_file: Option<String>,
) -> napi::Result<NativeLocalScalekit> {
    let options = match (options_json, config_file) {
        (Some(json), None) => EmulatorOptions::from_json(&json).map_err(emulator_error)?,
        (None, Some(path)) => EmulatorOptions::from_file(&path).map_err(emulator_error)?,
        (Some(json), Some(path)) => {
            let mut merged: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(&path)
                    .map_err(|e| emulator_error(format!("cannot read {path}: {e}")))?,
            )
            .map_err(|e| emulator_error(format!("{path} is not valid JSON: {e}")))?;
            let overrides: serde_json::Value =
                serde_json::from_str(&json).map_err(emulator_error)?;
            if let (Some(base), Some(extra)) = (merged.as_object_mut(), overrides.as_object()) {
                for (k, v) in extra {
                    base.insert(k.clone(), v.clone());
                }
            }
            EmulatorOptions::from_json(&merged.to_string()).map_err(emulator_error)?
        }
        (None, None) => EmulatorOptions::default(),
    };
    let inner = LocalScalekit::start(options)
        .await
        .map_err(emulator_error)?;
    Ok(NativeLocalScalekit {
        inner: Arc::new(inner),
    })
}

#[napi]
impl NativeLocalScalekit {
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url()
    }

    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_string()
    }

    #[napi(getter)]
    pub fn client_secret(&self) -> String {
        self.inner.client_secret().to_string()
    }

    #[napi(getter)]
    pub fn echo_url(&self) -> String {
        self.inner.echo_url()
    }

    /// Requests served per endpoint, as JSON.
    #[napi]
    pub fn stats(&self) -> String {
        serde_json::to_string(&self.inner.stats()).unwrap_or_else(|_| "{}".into())
    }

    #[napi]
    pub fn reset_stats(&self) {
        self.inner.reset_stats();
    }

    #[napi]
    pub fn revoke_tokens(&self) {
        self.inner.revoke_tokens();
    }

    #[napi]
    pub fn set_account_status(
        &self,
        connection_name: String,
        identifier: String,
        status: String,
    ) -> napi::Result<()> {
        self.inner
            .set_account_status(&connection_name, &identifier, &status)
            .map_err(emulator_error)
    }

    /// Connected accounts, as JSON (snake_case, as the REST API emits them).
    #[napi]
    pub fn accounts(&self) -> String {
        self.inner.accounts_json().to_string()
    }

    #[napi]
    pub async fn close(&self) {
        self.inner.close().await;
    }
}
