//! Client configuration: envUrl parsing, credentials, options and their defaults, `from_env`.

use std::path::Path;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use url::Url;

use crate::errors::ScalekitError;
use crate::network::{self, CaOption, ProxyOption, ProxySetting};
use crate::retry_budget::{DEFAULT_RETRY_BUDGET, MAX_RETRY_BUDGET};
pub use crate::secret::Secret;

/// Version sent in `user-agent` and `x-sdk-version`.
pub const SDK_NAME: &str = "Scalekit-Node-Native";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
/// `x-api-version`, the constant the official SDK 2.11.0 sends.
pub const API_VERSION: &str = "20260727";

pub const DEFAULT_TIMEOUT_MS: u64 = 20_000;
pub const DEFAULT_TOOL_TIMEOUT_MS: u64 = 60_000;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// 128 MiB: a buffered answer is held in memory whole, then once more as a JS value; bigger
/// bodies are meant to be streamed (`responseType: 'stream'`).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 128 * 1024 * 1024;
/// Longer timeouts are clamped: a deadline must stay representable as an `Instant`.
const MAX_TIMEOUT_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

pub const ENV_URL_VARS: [&str; 2] = ["SCALEKIT_ENV_URL", "SCALEKIT_ENVIRONMENT_URL"];
pub const CLIENT_ID_VAR: &str = "SCALEKIT_CLIENT_ID";
pub const CLIENT_SECRET_VAR: &str = "SCALEKIT_CLIENT_SECRET";

/// Options as a caller gives them (JS numbers are f64); checked by [`ClientConfig::new`].
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub timeout_ms: Option<f64>,
    pub tool_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub max_response_bytes: Option<f64>,
    /// `Node/<version> (<platform>; <arch>)`, appended to the user-agent.
    pub runtime: Option<String>,
    /// Certificate authorities trusted besides the bundled and OS ones (`ca`).
    pub ca: Option<CaOption>,
    /// `proxy`: a URL, `false`, or absent for the environment's.
    pub proxy: ProxyOption,
    /// `retryBudget` (docs/architecture.md, "Retry budget").
    pub retry_budget: RetryBudgetOption,
}

/// `retryBudget` as given: absent (or `true`) for the default, `false` for no limit, or tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum RetryBudgetOption {
    #[default]
    Default,
    Unlimited,
    Tokens(f64),
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// envUrl with one trailing slash removed, as the official SDK builds proxy URLs.
    env_base: String,
    /// envUrl with all trailing slashes removed, for `/oauth/token` and `/api/v1/*`.
    api_base: String,
    /// `{envUrl}/proxy/`, parsed once: every proxy URL is resolved against it.
    proxy_root: Url,
    pub client_id: String,
    pub client_secret: Secret,
    /// Deadline of a whole token or control-plane call, every retry and backoff included
    /// (`timeoutMs`).
    pub timeout: Duration,
    /// Default deadline of a whole proxy call, and the deadline of `executeTool`, retries
    /// included (`toolTimeoutMs`).
    pub tool_timeout: Duration,
    pub max_retries: u32,
    /// The retry budget's capacity in tokens; `None` for no limit (`retryBudget: false`).
    pub retry_budget: Option<u32>,
    /// The most bytes a buffered answer may decode to (`maxResponseBytes`).
    pub max_response_bytes: u64,
    pub user_agent: String,
    /// The certificates of the `ca` option, checked (README, "Networks").
    pub ca: Vec<CertificateDer<'static>>,
    /// Where requests go through (README, "Networks"); its URL never shows in `Debug`.
    pub proxy: ProxySetting,
}

impl ClientConfig {
    pub fn new(
        env_url: &str,
        client_id: &str,
        client_secret: &str,
        options: ClientOptions,
    ) -> Result<Self, ScalekitError> {
        let env_base = parse_env_url(env_url)?;
        let api_base = env_base.trim_end_matches('/').to_string();
        let proxy_root = Url::parse(&format!("{env_base}/proxy/")).map_err(|e| {
            ScalekitError::validation("envUrl", format!("envUrl cannot hold a proxy path: {e}"))
        })?;
        if client_id.trim().is_empty() {
            return Err(ScalekitError::validation(
                "clientId",
                "clientId is required",
            ));
        }
        if client_secret.trim().is_empty() {
            return Err(ScalekitError::validation(
                "clientSecret",
                "clientSecret is required",
            ));
        }
        let timeout = option_timeout("timeoutMs", options.timeout_ms, DEFAULT_TIMEOUT_MS)?;
        let tool_timeout = option_timeout(
            "toolTimeoutMs",
            options.tool_timeout_ms,
            DEFAULT_TOOL_TIMEOUT_MS,
        )?;
        let max_retries = match options.max_retries {
            None => DEFAULT_MAX_RETRIES,
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 10.0 => n as u32,
            Some(n) => {
                return Err(ScalekitError::validation(
                    "maxRetries",
                    format!(
                        "maxRetries must be a whole number from 0 to 10, got {}",
                        js_number(n)
                    ),
                ))
            }
        };
        let retry_budget = checked_retry_budget(options.retry_budget)?;
        let max_response_bytes = match options.max_response_bytes {
            None => DEFAULT_MAX_RESPONSE_BYTES,
            Some(n) => checked_byte_limit("maxResponseBytes", n)?,
        };
        let ca = match &options.ca {
            Some(ca) => network::check_ca(ca)?,
            None => Vec::new(),
        };
        let proxy = network::check_proxy(options.proxy)?;
        let runtime = options.runtime.unwrap_or_else(|| {
            format!(
                "Rust ({}; {})",
                std::env::consts::OS,
                std::env::consts::ARCH
            )
        });
        Ok(ClientConfig {
            env_base,
            api_base,
            proxy_root,
            client_id: client_id.to_string(),
            client_secret: Secret::new(client_secret),
            timeout,
            tool_timeout,
            max_retries,
            retry_budget,
            max_response_bytes,
            user_agent: format!("{SDK_NAME}/{SDK_VERSION} {runtime}"),
            ca,
            proxy,
        })
    }

    /// Reads the three variables from the environment, each falling back to `.env` in `dir`.
    pub fn from_env(dir: &Path, options: ClientOptions) -> Result<Self, ScalekitError> {
        let dotenv = read_dotenv(dir);
        let lookup = |name: &str| -> Option<String> {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .or_else(|| {
                    dotenv
                        .iter()
                        .find(|(k, v)| k == name && !v.trim().is_empty())
                        .map(|(_, v)| v.clone())
                })
        };
        let env_url = ENV_URL_VARS.iter().find_map(|name| lookup(name)).ok_or_else(|| {
            ScalekitError::validation(
                "SCALEKIT_ENV_URL",
                "SCALEKIT_ENV_URL is not set (nor SCALEKIT_ENVIRONMENT_URL), in the environment or in .env",
            )
        })?;
        let client_id = lookup(CLIENT_ID_VAR).ok_or_else(|| {
            ScalekitError::validation(
                "SCALEKIT_CLIENT_ID",
                "SCALEKIT_CLIENT_ID is not set, in the environment or in .env",
            )
        })?;
        let client_secret = lookup(CLIENT_SECRET_VAR).ok_or_else(|| {
            ScalekitError::validation(
                "SCALEKIT_CLIENT_SECRET",
                "SCALEKIT_CLIENT_SECRET is not set, in the environment or in .env",
            )
        })?;
        Self::new(&env_url, &client_id, &client_secret, options)
    }

    /// `{envUrl}/proxy/`, parsed.
    pub fn proxy_root(&self) -> &Url {
        &self.proxy_root
    }

    pub fn token_url(&self) -> Result<Url, ScalekitError> {
        self.api_url("/oauth/token")
    }

    /// An absolute URL for a control-plane path such as `/api/v1/connected_accounts`.
    pub fn api_url(&self, path: &str) -> Result<Url, ScalekitError> {
        Url::parse(&format!("{}{}", self.api_base, path)).map_err(|e| {
            ScalekitError::validation("envUrl", format!("cannot build the URL for {path}: {e}"))
        })
    }

    /// The envUrl as configured (for display; it holds no secret).
    pub fn env_url(&self) -> &str {
        &self.env_base
    }
}

/// Checks that envUrl is an absolute http(s) URL and returns it with one trailing slash removed.
fn parse_env_url(env_url: &str) -> Result<String, ScalekitError> {
    let shown = without_userinfo(env_url);
    let bad = |why: &str| {
        ScalekitError::validation(
            "envUrl",
            format!("envUrl must be an absolute http(s) URL such as https://acme.scalekit.dev ({why}), got {shown:?}"),
        )
    };
    let trimmed = env_url.trim();
    if trimmed.is_empty() {
        return Err(ScalekitError::validation("envUrl", "envUrl is required"));
    }
    let url = Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(bad("scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials in the URL are not allowed"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("no query or fragment allowed"));
    }
    // Keep the path as written (a base path is allowed), normalised by the URL parser.
    let serialized = url.as_str();
    Ok(serialized
        .strip_suffix('/')
        .unwrap_or(serialized)
        .to_string())
}

/// The URL text for messages, with any `user:password@` replaced: it may hold a credential.
fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}://***@{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

fn read_dotenv(dir: &Path) -> Vec<(String, String)> {
    match dotenvy::from_path_iter(dir.join(".env")) {
        Ok(iter) => iter.filter_map(Result::ok).collect(),
        Err(_) => Vec::new(),
    }
}

/// The retry budget's capacity: whole tokens, or `None` for no limit.
fn checked_retry_budget(option: RetryBudgetOption) -> Result<Option<u32>, ScalekitError> {
    match option {
        RetryBudgetOption::Default => Ok(Some(DEFAULT_RETRY_BUDGET)),
        RetryBudgetOption::Unlimited => Ok(None),
        RetryBudgetOption::Tokens(n)
            if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_RETRY_BUDGET as f64 =>
        {
            Ok(Some(n as u32))
        }
        RetryBudgetOption::Tokens(n) => Err(bad_retry_budget(&js_number(n))),
    }
}

/// The one message of the `retryBudget` rule (also used by `args::retry_budget`); `got` is what
/// `String(value)` says.
pub fn bad_retry_budget(got: &str) -> ScalekitError {
    ScalekitError::validation(
        "retryBudget",
        format!("retryBudget must be false or a whole number of tokens from 0 to {MAX_RETRY_BUDGET}, got {got}"),
    )
}

/// Checks a timeout option in the official SDK's words and turns it into a Duration.
pub fn option_timeout(
    name: &'static str,
    value: Option<f64>,
    default_ms: u64,
) -> Result<Duration, ScalekitError> {
    match value {
        None => Ok(Duration::from_millis(default_ms)),
        Some(ms) => checked_timeout(name, ms),
    }
}

pub fn checked_timeout(name: &'static str, ms: f64) -> Result<Duration, ScalekitError> {
    if !ms.is_finite() || ms <= 0.0 {
        return Err(ScalekitError::validation(
            name,
            format!(
                "{name} must be a positive finite number of milliseconds, got {}",
                js_number(ms)
            ),
        ));
    }
    Ok(Duration::from_secs_f64(ms.min(MAX_TIMEOUT_MS) / 1000.0))
}

/// A byte limit: a whole number from 1 up to 2^53 - 1.
pub fn checked_byte_limit(name: &'static str, n: f64) -> Result<u64, ScalekitError> {
    if n.is_finite() && n >= 1.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
        return Ok(n as u64);
    }
    Err(ScalekitError::validation(
        name,
        format!(
            "{name} must be a whole number of bytes from 1, got {}",
            js_number(n)
        ),
    ))
}

/// Formats a number as JavaScript's `String(n)` does for the common cases.
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{}", n as i128)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> Result<ClientConfig, ScalekitError> {
        ClientConfig::new(url, "skc_1", "secret", ClientOptions::default())
    }

    #[test]
    fn retry_budget_is_whole_tokens_or_unlimited() {
        let with = |budget| {
            let options = ClientOptions {
                retry_budget: budget,
                ..Default::default()
            };
            ClientConfig::new("https://h", "skc_1", "secret", options).map(|c| c.retry_budget)
        };
        assert_eq!(with(RetryBudgetOption::Default).unwrap(), Some(500));
        assert_eq!(with(RetryBudgetOption::Unlimited).unwrap(), None);
        assert_eq!(with(RetryBudgetOption::Tokens(0.0)).unwrap(), Some(0));
        for bad in [-1.0, 2.5, f64::NAN, 2e6] {
            match with(RetryBudgetOption::Tokens(bad)) {
                Err(ScalekitError::Validation { argument, message }) => {
                    assert_eq!(argument, "retryBudget");
                    assert!(message.starts_with("retryBudget must be false or a whole number of tokens from 0 to 1000000, got "), "{message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn env_url_keeps_base_path_and_drops_one_slash() {
        for (env_url, proxy_root) in [
            ("https://h", "https://h/proxy/"),
            ("https://h/", "https://h/proxy/"),
            ("https://h/base", "https://h/base/proxy/"),
            ("https://h//", "https://h//proxy/"),
        ] {
            let config = config(env_url).unwrap();
            assert_eq!(config.proxy_root().as_str(), proxy_root, "{env_url}");
        }
        assert_eq!(
            config("https://h//").unwrap().token_url().unwrap().as_str(),
            "https://h/oauth/token"
        );
    }

    #[test]
    fn bad_env_urls_name_the_argument() {
        for bad in [
            "",
            "acme.scalekit.dev",
            "ftp://h",
            "https://u:p@h",
            "/relative",
            "https://h/?q=1",
        ] {
            match config(bad) {
                Err(ScalekitError::Validation { argument, message }) => {
                    assert_eq!(argument, "envUrl", "{bad}");
                    assert!(message.contains("envUrl"), "{message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn credentials_in_env_url_are_not_echoed() {
        let err = config("https://user:hunter2@acme.scalekit.dev/x").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(
            err.to_string().contains("https://***@acme.scalekit.dev/x"),
            "{err}"
        );
    }

    #[test]
    fn timeouts_are_checked_in_the_sdk_wording() {
        let err = ClientConfig::new(
            "https://h",
            "id",
            "s",
            ClientOptions {
                tool_timeout_ms: Some(f64::NAN),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "toolTimeoutMs must be a positive finite number of milliseconds, got NaN"
        );
        assert_eq!(js_number(-5.0), "-5");
        assert_eq!(js_number(1.5), "1.5");
        assert_eq!(js_number(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn secret_is_not_in_debug_output() {
        let c =
            ClientConfig::new("https://h", "id", "sup3rs3cret", ClientOptions::default()).unwrap();
        assert!(!format!("{c:?}").contains("sup3rs3cret"));
    }

    #[test]
    fn from_env_reads_dotenv_and_names_missing_variable() {
        let dir = std::env::temp_dir().join(format!("skn-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The variables under test are unlikely to be set in a developer's environment; if one is,
        // it wins over .env by design, so only assert what .env supplies when the env is clean.
        let clean = ENV_URL_VARS
            .iter()
            .chain([CLIENT_ID_VAR, CLIENT_SECRET_VAR].iter())
            .all(|v| std::env::var(v).is_err());
        std::fs::write(
            dir.join(".env"),
            "SCALEKIT_ENVIRONMENT_URL=https://from-dotenv.example\nSCALEKIT_CLIENT_ID=skc_dot\n",
        )
        .unwrap();
        if clean {
            let err = ClientConfig::from_env(&dir, ClientOptions::default()).unwrap_err();
            assert!(matches!(
                err,
                ScalekitError::Validation { ref argument, .. } if argument == "SCALEKIT_CLIENT_SECRET"
            ));
            std::fs::write(
                dir.join(".env"),
                "SCALEKIT_ENVIRONMENT_URL=https://from-dotenv.example\nSCALEKIT_CLIENT_ID=skc_dot\nSCALEKIT_CLIENT_SECRET=s\n",
            )
            .unwrap();
            let c = ClientConfig::from_env(&dir, ClientOptions::default()).unwrap();
            assert_eq!(c.env_url(), "https://from-dotenv.example");
            assert_eq!(c.client_id, "skc_dot");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
