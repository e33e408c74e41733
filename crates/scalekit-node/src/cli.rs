//! `npx scalekit-local`: the napi face of `scalekit_local::cli`, which owns the argument rules,
//! the messages and the output. `bin/scalekit-local.js` only prints what it is given, keeps
//! Node's event loop alive and turns SIGINT / SIGTERM into `stop`.

use std::sync::Mutex;

use napi_derive::napi;
use scalekit_local::cli::{self, CliArgs, CliSession, PROMPT};
use scalekit_wire::sync::lock;

/// What to print and the exit status, when the command does not start (help, usage error).
#[napi(object)]
pub struct NativeCliExit {
    pub code: i32,
    pub text: String,
    pub to_stderr: bool,
}

#[napi]
pub struct NativeLocalCli {
    args: Mutex<Option<CliArgs>>,
    session: tokio::sync::Mutex<Option<CliSession>>,
}

#[napi]
impl NativeLocalCli {
    #[napi(constructor)]
    pub fn new() -> Self {
        NativeLocalCli {
            args: Mutex::new(None),
            session: tokio::sync::Mutex::new(None),
        }
    }

    /// Reads the arguments (without node and the script); `null` when the command should start.
    #[napi]
    pub fn parse(&self, argv: Vec<String>) -> Option<NativeCliExit> {
        match cli::parse(argv) {
            Ok(args) => {
                *lock(&self.args) = Some(args);
                None
            }
            Err(exit) => Some(NativeCliExit {
                code: exit.code,
                text: exit.text,
                to_stderr: exit.to_stderr,
            }),
        }
    }

    /// Starts LocalScalekit; resolves with the banner to print, rejects with the failure line.
    #[napi]
    pub async fn start(&self) -> napi::Result<String> {
        let args = lock(&self.args)
            .take()
            .ok_or_else(|| napi::Error::from_reason("scalekit-local: nothing to start"))?;
        let session = CliSession::start(args)
            .await
            .map_err(|e| napi::Error::from_reason(e.line()))?;
        let banner = session.banner();
        *self.session.lock().await = Some(session);
        Ok(banner)
    }

    /// The line printed once the signal handlers are in place.
    #[napi(getter)]
    pub fn prompt(&self) -> &'static str {
        PROMPT
    }

    /// Stops LocalScalekit (idempotent); resolves with the last line to print.
    #[napi]
    pub async fn stop(&self, signal: String) -> Option<String> {
        let session = self.session.lock().await.take()?;
        Some(session.stop(&signal).await)
    }
}

impl Default for NativeLocalCli {
    fn default() -> Self {
        Self::new()
    }
}
