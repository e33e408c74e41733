//! What the environment tests share: exclusive use of the process environment, LocalScalekit
//! and a client of it, and a loopback proxy that records what reaches it.

use std::ffi::OsString;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scalekit_core::accounts::{AccountOperation, Params};
use scalekit_core::client::ScalekitClient;
use scalekit_core::config::{ClientConfig, ClientOptions};
use scalekit_core::errors::ScalekitError;
use scalekit_local::{EmulatorOptions, LocalScalekit};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every variable these tests set, and every one that would change what they see if the
/// machine running them had it set.
const MANAGED: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
];

/// A bound on any one call, so a regression fails instead of hanging.
pub const BOUND: Duration = Duration::from_secs(30);

/// Held for the whole of a test: the environment is the process's, and tests run on threads.
static ENV_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Exclusive use of the environment, with [`MANAGED`] cleared; on drop (a failed assertion
/// included) they are put back as they were.
pub struct Env {
    saved: Vec<(&'static str, Option<OsString>)>,
    _lock: tokio::sync::MutexGuard<'static, ()>,
}

impl Env {
    pub async fn clean() -> Env {
        let lock = ENV_LOCK.lock().await;
        let saved = MANAGED.map(|name| (name, std::env::var_os(name))).to_vec();
        for name in MANAGED {
            std::env::remove_var(name);
        }
        Env { saved, _lock: lock }
    }

    /// Sets `name` to `value`, or removes it for `None`.
    pub fn set(&self, name: &str, value: Option<&str>) {
        assert!(
            MANAGED.contains(&name),
            "{name} is not restored after the test"
        );
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for (name, value) in &self.saved {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
}

pub async fn emulator(options: &str) -> LocalScalekit {
    LocalScalekit::start(EmulatorOptions::from_json(options).unwrap())
        .await
        .unwrap()
}

/// A client of `sk` at `env_url` (its URL, or the same port under another host name), built now:
/// the environment is read when a client is made.
pub fn client_at(sk: &LocalScalekit, env_url: &str, options: ClientOptions) -> ScalekitClient {
    let options = ClientOptions {
        max_retries: Some(0.0),
        ..options
    };
    let config = ClientConfig::new(env_url, sk.client_id(), sk.client_secret(), options).unwrap();
    ScalekitClient::new(config).unwrap()
}

/// `listConnectedAccounts`: a token fetch and a control-plane call.
pub async fn list(client: &ScalekitClient) -> Result<Value, ScalekitError> {
    let params = Params::from_json("{}").unwrap();
    tokio::time::timeout(BOUND, client.accounts_call(AccountOperation::List, &params))
        .await
        .expect("the call ends")
}

/// A loopback HTTP proxy: CONNECT tunnels, and absolute-form requests passed on to their
/// target. It records the first request line of each connection made to it.
pub struct RecordingProxy {
    pub url: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl RecordingProxy {
    pub async fn start() -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&lines);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let _ = relay(socket, &log).await;
                });
            }
        });
        RecordingProxy { url, lines }
    }

    /// The first request line of every connection so far, e.g. `CONNECT 127.0.0.1:1234 HTTP/1.1`
    /// or `POST http://127.0.0.1:1234/oauth/token HTTP/1.1`.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

/// Reads the request head, records its first line, connects to the target and relays bytes
/// both ways: for CONNECT after answering 200, else starting with the head itself (an origin
/// server accepts the absolute form).
async fn relay(mut client: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    let end = loop {
        let n = client.read(&mut buffer).await?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buffer[..n]);
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let line = text.lines().next().unwrap_or_default().to_string();
    log.lock().unwrap().push(line.clone());
    let mut words = line.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let mut upstream = if method == "CONNECT" {
        let mut upstream = TcpStream::connect(target).await?;
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        upstream.write_all(&head[end..]).await?;
        upstream
    } else {
        let url = url::Url::parse(target).map_err(std::io::Error::other)?;
        let host = url.host_str().unwrap_or_default().to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let mut upstream = TcpStream::connect((host.as_str(), port)).await?;
        upstream.write_all(&head).await?;
        upstream
    };
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
