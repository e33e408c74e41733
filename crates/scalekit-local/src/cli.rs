//! The `scalekit-local` command: its argument rules, messages and output, written once for both
//! ways to run it, the standalone executable (`src/main.rs`) and `npx scalekit-local` (the Node
//! addon's `NativeLocalCli`). Each runner only waits for SIGINT / SIGTERM its own way
//! (docs/architecture.md "The scalekit-local command").

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::Parser;

use crate::{EmulatorError, EmulatorOptions, LocalScalekit, TlsOption};

/// Printed once the runner's signal handlers are in place: a Ctrl-C from then on stops cleanly.
pub const PROMPT: &str = "Press Ctrl-C to stop.";

const USAGE: &str = "scalekit-local [--port N] [--host HOST] [--config FILE.json] [--client-id ID] [--client-secret SECRET] [--inline-echo] [--tls [--ca-file FILE]]";

const ABOUT: &str = "Starts LocalScalekit, a local emulator of Scalekit's token, connected-account, magic-link, \
tools, MCP (control plane and gateway) and Tool Proxy endpoints (REST and gRPC), and prints the SCALEKIT_* variables a client needs. \
Ctrl-C (SIGINT) or SIGTERM stops it.";

/// The command line, as clap reads it. Every flag also takes the `--flag=value` form.
#[derive(Debug, Clone, Parser)]
#[command(name = "scalekit-local", version, about = ABOUT, override_usage = USAGE)]
pub struct CliArgs {
    /// The API port (default: a free one)
    #[arg(long, value_name = "N", value_parser = port_number)]
    pub port: Option<u16>,
    /// The address to listen on (default 127.0.0.1)
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Options from a JSON file (the shape of LocalScalekit.start's options); flags given too win
    #[arg(long, value_name = "FILE.json")]
    pub config: Option<PathBuf>,
    /// The client id clients must use (default: generated at each start)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The client secret clients must use (default: generated at each start)
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// Answer Tool Proxy calls to the built-in echo in-process, without a second HTTP hop (load tests)
    #[arg(long)]
    pub inline_echo: bool,
    /// Serve HTTPS with a CA made at start, write its certificate to a file and print the
    /// variables that make Node, Python and OpenSSL clients trust it
    #[arg(long)]
    pub tls: bool,
    /// With --tls: where to write the CA certificate (default: a new file in the temporary
    /// directory, removed when the command stops)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

fn port_number(text: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .map_err(|_| "not a port number (0-65535)".to_owned())
}

/// What the command prints and its exit status when it does not start: help, version, or a
/// usage error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliExit {
    pub code: i32,
    pub text: String,
    /// Usage errors go to stderr; help and version to stdout.
    pub to_stderr: bool,
}

impl CliExit {
    fn usage_error(message: &str) -> CliExit {
        CliExit {
            code: 2,
            text: format!("scalekit-local: {message}\n\nUsage: {USAGE}\nFor more information, try '--help'.\n"),
            to_stderr: true,
        }
    }
}

/// Reads the arguments (without the program name).
pub fn parse<I, T>(args: I) -> Result<CliArgs, CliExit>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv =
        std::iter::once(OsString::from("scalekit-local")).chain(args.into_iter().map(Into::into));
    let parsed = CliArgs::try_parse_from(argv).map_err(|e| match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => CliExit {
            code: 0,
            text: e.render().to_string(),
            to_stderr: false,
        },
        _ => {
            // clap's first line is `error: <what>`; the rest (tips, its usage) is replaced by ours.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            CliExit::usage_error(first.strip_prefix("error: ").unwrap_or(first))
        }
    })?;
    if parsed.ca_file.is_some() && !parsed.tls {
        return Err(CliExit::usage_error("--ca-file needs --tls"));
    }
    Ok(parsed)
}

/// Why a parsed command could not start.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Emulator(#[from] EmulatorError),
    #[error("cannot write the CA certificate to {path}: {source}")]
    WriteCa {
        path: String,
        source: std::io::Error,
    },
}

impl CliError {
    /// The line a runner prints on stderr before exiting with status 1.
    pub fn line(&self) -> String {
        format!("scalekit-local: {self}")
    }
}

/// The CA certificate file of a `--tls` run, and whether stopping removes it.
#[derive(Debug)]
struct CaFile {
    path: PathBuf,
    /// The private directory made for it when no --ca-file was given.
    made_dir: Option<PathBuf>,
}

/// A started command: the emulator, and the CA file it wrote.
#[derive(Debug)]
pub struct CliSession {
    local: LocalScalekit,
    ca: Option<CaFile>,
}

/// The options the command line asks for: the config file's, with the flags given over them.
pub fn options(args: &CliArgs) -> Result<EmulatorOptions, EmulatorError> {
    let mut options = match &args.config {
        Some(path) => EmulatorOptions::from_file(path)?,
        None => EmulatorOptions::default(),
    };
    if let Some(port) = args.port {
        options.port = port;
    }
    if let Some(host) = &args.host {
        options.host = Some(host.clone());
    }
    if let Some(id) = &args.client_id {
        options.client_id = Some(id.clone());
    }
    if let Some(secret) = &args.client_secret {
        options.client_secret = Some(secret.clone());
    }
    if args.inline_echo {
        options.inline_echo = true;
    }
    if args.tls {
        options.tls = Some(TlsOption::Enabled(true));
    }
    Ok(options)
}

impl CliSession {
    /// Starts the emulator on the current tokio runtime and, when it serves HTTPS (`--tls`, or
    /// `tls` in the config file), writes the certificate clients must trust.
    pub async fn start(args: CliArgs) -> Result<CliSession, CliError> {
        let local = LocalScalekit::start(options(&args)?).await?;
        let ca = match local.ca_certificate() {
            Some(pem) => match write_ca(pem, args.ca_file.as_deref()) {
                Ok(ca) => Some(ca),
                Err(e) => {
                    local.close().await;
                    return Err(e);
                }
            },
            None => None,
        };
        Ok(CliSession { local, ca })
    }

    pub fn local(&self) -> &LocalScalekit {
        &self.local
    }

    /// What the command prints once started: where it listens and the lines to export.
    pub fn banner(&self) -> String {
        let local = &self.local;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "LocalScalekit is listening on {} (echo upstream: {})",
            local.url(),
            local.echo_url()
        );
        out.push_str("Use it with:\n");
        for (name, value) in [
            ("SCALEKIT_ENV_URL", local.url()),
            ("SCALEKIT_CLIENT_ID", local.client_id().to_owned()),
            ("SCALEKIT_CLIENT_SECRET", local.client_secret().to_owned()),
        ] {
            let _ = writeln!(out, "export {name}={}", shell_word(&value));
        }
        if let Some(ca) = &self.ca {
            let file = shell_word(&ca.path.to_string_lossy());
            out.push_str("# Node clients (this package, the official SDK, fetch) trust its certificate with:\n");
            let _ = writeln!(out, "export NODE_EXTRA_CA_CERTS={file}");
            out.push_str("# The official Python SDK (gRPC and requests) trusts it with:\n");
            let _ = writeln!(out, "export GRPC_DEFAULT_SSL_ROOTS_FILE_PATH={file}");
            let _ = writeln!(out, "export REQUESTS_CA_BUNDLE={file}");
            out.push_str("# OpenSSL-based clients (curl, Python's ssl, rustls-native-certs) trust it with:\n");
            let _ = writeln!(out, "export SSL_CERT_FILE={file}");
        }
        out
    }

    /// Stops the emulator, removes a CA file it made, and returns the last line to print.
    pub async fn stop(self, signal: &str) -> String {
        self.local.close().await;
        if let Some(CaFile {
            made_dir: Some(dir),
            ..
        }) = &self.ca
        {
            let _ = std::fs::remove_dir_all(dir);
        }
        format!("LocalScalekit stopped ({signal}).")
    }
}

/// Writes the PEM to `ca_file`, or to `ca.pem` in a new private directory in the temporary
/// directory (removed on stop).
fn write_ca(pem: &str, ca_file: Option<&Path>) -> Result<CaFile, CliError> {
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| CliError::WriteCa { path, source }
    };
    if let Some(file) = ca_file {
        let path = std::path::absolute(file).map_err(failed(file))?;
        std::fs::write(&path, pem).map_err(failed(&path))?;
        return Ok(CaFile {
            path,
            made_dir: None,
        });
    }
    let dir = private_temp_dir().map_err(failed(&std::env::temp_dir()))?;
    let path = dir.join("ca.pem");
    if let Err(e) = std::fs::write(&path, pem) {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(failed(&path)(e));
    }
    Ok(CaFile {
        path,
        made_dir: Some(dir),
    })
}

/// A new directory only this user can enter, under the temporary directory.
fn private_temp_dir() -> std::io::Result<PathBuf> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    let mut last = None;
    for _ in 0..8 {
        let dir =
            std::env::temp_dir().join(format!("scalekit-local-{}", crate::wire::random_token()));
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
}

/// `value` as one POSIX shell word: as is when plainly safe, else single-quoted.
pub fn shell_word(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}
