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
use http::header::HOST;
use http::uri::{Authority, Parts, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_service::Service;
use url::{Position, Url};

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
    /// The environment's origin, where almost every request goes, made ready once.
    home: Option<Arc<Home>>,
}

/// What a request to the environment's origin needs of it: its URI's scheme and authority, and
/// for `http://` its `host` header, as hyper-util would make it on every request (an `http://`
/// connection is always HTTP/1; over TLS, where ALPN may choose HTTP/2, which takes no `host`,
/// hyper-util adds it itself).
struct Home {
    /// `scheme://userinfo@host:port`, as the URL crate writes it.
    prefix: String,
    scheme: Scheme,
    authority: Authority,
    host: Option<HeaderValue>,
}

impl Home {
    fn new(root: &Url) -> Option<Home> {
        let authority = Authority::try_from(root.authority()).ok()?;
        let scheme = Scheme::try_from(root.scheme()).ok()?;
        let host = match (root.scheme(), root.host_str(), root.port()) {
            ("http", Some(name), None) => HeaderValue::from_str(name).ok(),
            ("http", Some(name), Some(port)) => {
                HeaderValue::from_str(&format!("{name}:{port}")).ok()
            }
            _ => None,
        };
        Some(Home {
            prefix: root[..Position::BeforePath].to_string(),
            scheme,
            authority,
            host,
        })
    }
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct").finish_non_exhaustive()
    }
}

impl Direct {
    /// A client for requests to anywhere; those to `home` (the environment's root URL) cost
    /// less to prepare.
    pub fn new(tls: Arc<rustls::ClientConfig>, settings: &DirectSettings, home: &Url) -> Self {
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
        Direct {
            client,
            home: Home::new(home).map(Arc::new),
        }
    }

    /// Sends one request (no redirect followed) and returns the answer with its body unread.
    pub async fn send(
        &self,
        method: &Method,
        url: &Url,
        headers: HeaderMap,
        body: Option<&Bytes>,
    ) -> Result<DirectResponse, DirectError> {
        let mut request = Request::new(Full::new(body.cloned().unwrap_or_default()));
        *request.method_mut() = method.clone();
        *request.headers_mut() = headers;
        *request.uri_mut() = self.uri(url, request.headers_mut())?;
        // `accept-encoding` is always set (transport.rs), so the layer adds none of its own.
        let mut service = Decompression::new(&self.client);
        Ok(service.call(request).await?)
    }

    /// The URI of `url`; for the environment's origin, made from its parts ready-made, and its
    /// `host` header added to `headers` unless there is one (hyper-util's, made once).
    fn uri(&self, url: &Url, headers: &mut HeaderMap) -> Result<Uri, http::Error> {
        let home = self
            .home
            .as_deref()
            .filter(|home| url[..Position::BeforePath] == home.prefix);
        let Some(home) = home else {
            return Ok(url.as_str().parse::<Uri>()?);
        };
        let mut parts = Parts::default();
        parts.scheme = Some(home.scheme.clone());
        parts.authority = Some(home.authority.clone());
        let rest = &url[Position::BeforePath..Position::AfterQuery];
        parts.path_and_query = Some(PathAndQuery::try_from(rest)?);
        if let Some(host) = &home.host {
            headers.entry(HOST).or_insert_with(|| host.clone());
        }
        Ok(Uri::from_parts(parts)?)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(home: &str) -> Direct {
        let tls = crate::network::tls_config(&[]).unwrap();
        let settings = DirectSettings {
            connect_timeout: Duration::from_secs(1),
            pool_idle_timeout: Duration::from_secs(1),
            tcp_keepalive: Duration::from_secs(1),
        };
        Direct::new(Arc::new(tls), &settings, &Url::parse(home).unwrap())
    }

    #[test]
    fn uris_of_the_home_origin_are_those_parsing_makes() {
        for (home, url, host) in [
            (
                "http://127.0.0.1:8080/proxy/",
                "http://127.0.0.1:8080/proxy/v1/a?b=c%20d",
                Some("127.0.0.1:8080"),
            ),
            (
                "http://[::1]:9/proxy/",
                "http://[::1]:9/proxy/x",
                Some("[::1]:9"),
            ),
            (
                "http://env.example/proxy/",
                "http://env.example/proxy/x?y",
                Some("env.example"),
            ),
            (
                "https://env.example/proxy/",
                "https://env.example/proxy/x",
                None,
            ),
            // Not the home origin: parsed, and the host left to hyper-util.
            ("http://env.example/proxy/", "http://other.example/x", None),
            ("http://env.example/proxy/", "http://env.example:81/x", None),
            ("http://env.example/proxy/", "https://env.example/x", None),
        ] {
            let url = Url::parse(url).unwrap();
            let mut headers = HeaderMap::new();
            let uri = direct(home).uri(&url, &mut headers).unwrap();
            assert_eq!(uri, url.as_str().parse::<Uri>().unwrap(), "{url}");
            assert_eq!(uri.to_string(), url.as_str(), "{url}");
            assert_eq!(
                headers.get(HOST).map(|v| v.to_str().unwrap()),
                host,
                "{url}"
            );
        }
        // A caller's own `host` stays.
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("mine"));
        let url = Url::parse("http://env.example/proxy/x").unwrap();
        direct("http://env.example/proxy/")
            .uri(&url, &mut headers)
            .unwrap();
        assert_eq!(headers[HOST], "mine");
    }
}
