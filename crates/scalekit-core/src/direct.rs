//! The direct HTTP path: hyper's pooled client with rustls and decompression, without reqwest's
//! per-request layers (its redirect and retry layers, the URL parsed back from text twice, the
//! headers cloned). Used by a client that no proxy can apply to (`proxy: false`, `NO_PROXY=*`, or
//! no proxy variable set; see [`crate::network::proxy_free`]), for requests whose body is in memory;
//! everything else still goes through reqwest (transport.rs). The two are configured alike: the
//! same rustls configuration (trust and ALPN, so HTTP/2 where the server offers it), connect
//! timeout, TCP keep-alive and no-delay, idle-pool timeout, and gzip / deflate / brotli decoding
//! (tower-http's, as reqwest's), which removes `content-encoding` and `content-length`.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_service::Service;
use url::Url;

/// An answer read through the direct path, its body decoded as it is read.
pub type DirectResponse = Response<DecompressionBody<Incoming>>;

/// Why a direct request or the reading of its body failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectError {
    /// The URL is not one hyper takes (reqwest refuses the same ones).
    #[error("invalid URL")]
    Uri(#[from] http::Error),
    /// The request failed before an answer (connecting, TLS, sending, the answer's head).
    #[error(transparent)]
    Send(#[from] hyper_util::client::legacy::Error),
    /// Reading or decoding the body failed.
    #[error(transparent)]
    Body(Box<dyn StdError + Send + Sync>),
}

impl DirectError {
    /// Whether the connection itself could not be made (refused, DNS, TLS, connect timeout).
    pub fn is_connect(&self) -> bool {
        matches!(self, DirectError::Send(e) if e.is_connect())
    }
}

/// Settings shared with the reqwest client (transport.rs).
pub struct DirectSettings {
    pub connect_timeout: Duration,
    pub pool_idle_timeout: Duration,
    pub tcp_keepalive: Duration,
}

#[derive(Clone)]
pub struct Direct {
    client: Client<Connector, Full<Bytes>>,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct").finish_non_exhaustive()
    }
}

impl Direct {
    pub fn new(tls: Arc<rustls::ClientConfig>, settings: &DirectSettings) -> Self {
        let mut http = HttpConnector::new();
        // https URLs are handed to TLS by the outer connector.
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_keepalive(Some(settings.tcp_keepalive));
        http.set_nodelay(true);
        let connector = Connector {
            inner: HttpsConnector::from((http, tls)),
            timeout: settings.connect_timeout,
        };
        let client = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .build(connector);
        Direct { client }
    }

    /// Sends one request (no redirect followed) and returns the answer with its body unread.
    pub async fn send(
        &self,
        method: &Method,
        url: &Url,
        headers: HeaderMap,
        body: Option<&Bytes>,
    ) -> Result<DirectResponse, DirectError> {
        let uri: Uri = url
            .as_str()
            .parse()
            .map_err(|e: http::uri::InvalidUri| DirectError::Uri(e.into()))?;
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri)
            .body(Full::new(body.cloned().unwrap_or_default()))?;
        *request.headers_mut() = headers;
        // `accept-encoding` is always set (transport.rs), so the layer adds none of its own.
        let mut service = Decompression::new(&self.client);
        Ok(service.call(request).await?)
    }
}

/// The next decoded bytes of a direct answer's body, `None` at its end (trailers are skipped).
pub async fn chunk(body: &mut DecompressionBody<Incoming>) -> Result<Option<Bytes>, DirectError> {
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.map_err(DirectError::Body)?.into_data() {
            return Ok(Some(data));
        }
    }
    Ok(None)
}

type BoxError = Box<dyn StdError + Send + Sync>;
type Connection = MaybeHttpsStream<TokioIo<TcpStream>>;

/// The TCP and TLS connector, its connect timeout over the TLS handshake too, as reqwest's.
#[derive(Clone)]
struct Connector {
    inner: HttpsConnector<HttpConnector>,
    timeout: Duration,
}

/// A connection (TCP and TLS) not made within the connect timeout; reqwest's words.
#[derive(Debug, thiserror::Error)]
#[error("operation timed out")]
struct ConnectTimeout;

impl Service<Uri> for Connector {
    type Response = Connection;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Connection, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let connecting = self.inner.call(destination);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected,
                Err(_) => Err(Box::new(ConnectTimeout) as BoxError),
            }
        })
    }
}
