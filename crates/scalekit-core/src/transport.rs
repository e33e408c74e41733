//! The one HTTP client (and connection pool) of a ScalekitClient: one attempt with a deadline,
//! the response as status + headers + bytes, and failures as [`ScalekitError`] values.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::FutureExt;
use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_LENGTH,
    USER_AGENT,
};
use http::Method;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use crate::answer::{Answer, HttpError};
use crate::body_buffer::BodyBuffer;
use crate::config::{ClientConfig, API_VERSION, SDK_NAME, SDK_VERSION};
use crate::direct::{Direct, DirectError, DirectSettings};
use crate::errors::ScalekitError;
use crate::network;
use crate::redirects::{self, Hop};
use scalekit_wire::sync::lock;

/// axios's defaults, which the official SDK sends on every HTTP call.
pub const DEFAULT_ACCEPT: &str = "application/json, text/plain, */*";
pub const DEFAULT_ACCEPT_ENCODING: &str = "gzip, compress, deflate, br";
/// axios follows at most 21 redirects.
const MAX_REDIRECTS: usize = 21;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle pooled connections are dropped before a typical load balancer's 60 s idle cut, so a reused
/// connection is rarely one the far end has silently closed.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);
const TCP_KEEPALIVE: Duration = Duration::from_secs(30);
/// Requests in flight at once per client; more wait their turn (within their deadline). Without a
/// bound, 10 000 concurrent calls would open 10 000 sockets and run into the process's file limit.
pub const MAX_IN_FLIGHT: usize = 512;

static X_SDK_VERSION: HeaderName = HeaderName::from_static("x-sdk-version");
static X_API_VERSION: HeaderName = HeaderName::from_static("x-api-version");

/// A request ready to send (the body is reference-counted, so a clone is cheap).
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
    /// A body streamed from JS instead of `body`; it can be sent only once.
    pub upload: Option<Upload>,
}

impl OutgoingRequest {
    /// Whether the same request can be sent again (a retry, a re-authentication).
    pub fn is_replayable(&self) -> bool {
        self.upload.is_none()
    }
}

/// Chunks of a streamed request body, as the JS producer writes them (or why it failed).
pub type UploadChunks = mpsc::Receiver<Result<Bytes, std::io::Error>>;

/// A streamed request body: taken by the one attempt that sends it.
#[derive(Clone)]
pub struct Upload(Arc<Mutex<Option<UploadChunks>>>);

impl Upload {
    pub fn new(chunks: UploadChunks) -> Self {
        Upload(Arc::new(Mutex::new(Some(chunks))))
    }

    fn take(&self) -> Option<UploadChunks> {
        lock(&self.0).take()
    }
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Upload")
    }
}

/// How an attempt reads a 2xx answer's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Read it whole, at most this many decoded bytes.
    Buffered { limit: u64 },
    /// Hand it over unread as a [`BodyStream`]; a non-2xx body is still read, up to `limit`.
    Stream { limit: u64 },
}

/// A response as the transport read it.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The unread body of a 2xx answer in [`ReadMode::Stream`].
    pub stream: Option<BodyStream>,
}

/// The body of an answer still on the wire: read chunk by chunk, within the call's deadline.
/// Dropping it closes the connection (and frees its in-flight permit).
pub struct BodyStream {
    response: Answer,
    /// The request's URL, for the messages of a failure while reading (boxed: a stream is
    /// moved around whole).
    url: Box<Url>,
    deadline: Instant,
    timeout_ms: u64,
    _permit: OwnedSemaphorePermit,
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyStream")
    }
}

/// A chunk handed to JS at once gathers what already arrived, up to this many bytes: fewer,
/// larger chunks cost less to cross into JS.
const STREAM_CHUNK: usize = 256 * 1024;

impl BodyStream {
    /// The next bytes of the body (decoded), `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, ScalekitError> {
        let timeout_ms = self.timeout_ms;
        let read = async {
            let Some(first) = self
                .response
                .chunk()
                .await
                .map_err(|e| network_error(&e, &self.url, false))?
            else {
                return Ok(None);
            };
            if first.len() >= STREAM_CHUNK {
                return Ok(Some(first));
            }
            let mut gathered = BytesMut::from(&first[..]);
            while gathered.len() < STREAM_CHUNK {
                // Only what is already there: waiting would hold back bytes JS could use.
                match self.response.chunk().now_or_never() {
                    Some(Ok(Some(more))) => gathered.extend_from_slice(&more),
                    Some(Err(e)) => return Err(network_error(&e, &self.url, false)),
                    Some(Ok(None)) | None => break,
                }
            }
            Ok(Some(gathered.freeze()))
        };
        match tokio::time::timeout_at(self.deadline, read).await {
            Ok(result) => result,
            Err(_) => Err(ScalekitError::Timeout { timeout_ms }),
        }
    }
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    /// hyper's client without reqwest's layers, when no proxy can apply (direct.rs): requests
    /// with a body in memory go through it.
    direct: Option<Direct>,
    /// `{envUrl}/proxy/`: where redirects may carry credentials (docs/wire-protocol.md §6).
    proxy_root: Url,
    in_flight: Arc<Semaphore>,
    /// The headers every request starts from: the identity headers (`user-agent`,
    /// `x-sdk-version`, `x-api-version`, which callers cannot override) and axios's default
    /// `accept` headers (which they can). Made once per client: a request copies it rather than
    /// inserting each again (docs/architecture.md, "One call, end to end").
    base: HeaderMap,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport").finish_non_exhaustive()
    }
}

impl Transport {
    pub fn new(config: &ClientConfig) -> Result<Self, ScalekitError> {
        let builder = reqwest::Client::builder()
            // Redirects are followed in `send`: a reqwest policy cannot take headers off a hop.
            .redirect(reqwest::redirect::Policy::none())
            // A Referer would tell the redirect target which proxy path the user called.
            .referer(false)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .tcp_keepalive(TCP_KEEPALIVE)
            .tcp_nodelay(true);
        // Trusted CAs and the proxy (README, "Networks"). Both paths share the one verifier.
        let tls = network::tls_config(&config.ca)?;
        let proxy_free = network::proxy_free(&config.proxy);
        let direct = proxy_free.then(|| {
            let settings = DirectSettings {
                connect_timeout: CONNECT_TIMEOUT,
                pool_idle_timeout: POOL_IDLE_TIMEOUT,
                tcp_keepalive: TCP_KEEPALIVE,
            };
            Direct::new(Arc::new(tls.clone()), &settings, config.proxy_root())
        });
        let http = network::configure(builder, tls, &config.proxy, proxy_free)?
            .build()
            .map_err(|e| ScalekitError::Network {
                message: format!("cannot create the HTTP client: {}", error_chain(&e)),
                connect: false,
            })?;
        let mut identity = HeaderMap::new();
        let header = |v: &str| {
            HeaderValue::from_str(v).map_err(|_| {
                ScalekitError::validation("options", format!("invalid header value {v:?}"))
            })
        };
        identity.insert(USER_AGENT, header(&config.user_agent)?);
        identity.insert(
            X_SDK_VERSION.clone(),
            header(&format!("{SDK_NAME}/{SDK_VERSION}"))?,
        );
        identity.insert(X_API_VERSION.clone(), HeaderValue::from_static(API_VERSION));
        let mut base = identity;
        base.insert(ACCEPT, HeaderValue::from_static(DEFAULT_ACCEPT));
        base.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static(DEFAULT_ACCEPT_ENCODING),
        );
        Ok(Transport {
            http,
            direct,
            proxy_root: config.proxy_root().clone(),
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            base,
        })
    }

    /// Sends one attempt, following its redirects, and reads the whole body (at most `limit`
    /// decoded bytes), or fails at `deadline`. `timeout_ms` is the call's whole timeout, for the
    /// error message.
    pub async fn send(
        &self,
        request: &OutgoingRequest,
        authorization: Option<&HeaderValue>,
        deadline: Instant,
        timeout_ms: u64,
        mode: ReadMode,
    ) -> Result<RawResponse, ScalekitError> {
        let headers = self.headers(&request.headers, authorization);
        let upload = match &request.upload {
            None => None,
            Some(upload) => Some(upload.take().ok_or_else(|| ScalekitError::Protocol {
                message: "a streamed request body can be sent only once".into(),
            })?),
        };
        let attempt = async {
            let permit = Arc::clone(&self.in_flight)
                .acquire_owned()
                .await
                .map_err(|_| ScalekitError::Protocol {
                    message: "the HTTP client is closed".into(),
                })?;
            let response = self
                .hop(
                    &request.method,
                    &request.url,
                    headers,
                    request.body.as_ref(),
                    upload,
                )
                .await
                .map_err(|e| network_error(&e, &request.url, true))?;
            let mut response = self.follow(request, authorization, response).await?;
            let status = response.status().as_u16();
            let (limit, stream) = match mode {
                ReadMode::Buffered { limit } => (limit, false),
                ReadMode::Stream { limit } => (limit, response.status().is_success()),
            };
            if stream {
                return Ok(RawResponse {
                    status,
                    headers: response.headers().clone(),
                    body: Bytes::new(),
                    stream: Some(BodyStream {
                        response,
                        url: Box::new(request.url.clone()),
                        deadline,
                        timeout_ms,
                        _permit: permit,
                    }),
                });
            }
            // reqwest removes `content-length` when it decodes a body, so a length here is the
            // real one. The headers are taken, not copied: the body is read without them.
            let declared = response
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let headers = std::mem::take(response.headers_mut());
            let body = read_body(response, &request.url, declared, limit).await?;
            Ok(RawResponse {
                status,
                headers,
                body,
                stream: None,
            })
        };
        match tokio::time::timeout_at(deadline, attempt).await {
            Ok(result) => result,
            Err(_) => Err(ScalekitError::Timeout { timeout_ms }),
        }
    }

    /// Sends one hop with these headers: through the direct path when this client has one and
    /// the body is in memory, through reqwest otherwise.
    async fn hop(
        &self,
        method: &Method,
        url: &Url,
        headers: HeaderMap,
        body: Option<&Bytes>,
        upload: Option<UploadChunks>,
    ) -> Result<Answer, HttpError> {
        if let (Some(direct), None) = (&self.direct, &upload) {
            return Ok(direct.send(method, url, headers, body).await?.into());
        }
        // Built directly rather than through RequestBuilder, which merges headers one by one.
        let mut outgoing = reqwest::Request::new(method.clone(), url.clone());
        *outgoing.headers_mut() = headers;
        if let Some(body) = body {
            *outgoing.body_mut() = Some(body.clone().into());
        }
        if let Some(chunks) = upload {
            let stream = futures_util::stream::unfold(chunks, |mut chunks| async move {
                chunks.recv().await.map(|chunk| (chunk, chunks))
            });
            *outgoing.body_mut() = Some(reqwest::Body::wrap_stream(stream));
        }
        Ok(self.http.execute(outgoing).await?.into())
    }

    /// Follows the redirects of `response` (docs/wire-protocol.md §6) and returns the answer that
    /// is not one to follow. `authorization`, `connection_name` and `identifier` go only to hops
    /// under `{envUrl}/proxy/` of the environment's origin, and to none after a hop that left it.
    async fn follow(
        &self,
        request: &OutgoingRequest,
        authorization: Option<&HeaderValue>,
        mut response: Answer,
    ) -> Result<Answer, ScalekitError> {
        if !redirects::is_redirect(response.status()) {
            return Ok(response);
        }
        let mut hop = Hop {
            method: request.method.clone(),
            // No client follows redirects itself: the answer is the request's URL's.
            url: request.url.clone(),
            body: request.body.clone(),
            streamed: request.upload.is_some(),
            credentials: true,
            content_dropped: false,
        };
        let mut followed = 0;
        loop {
            let Some(next) = redirects::next_hop(
                &self.proxy_root,
                &hop,
                response.status(),
                response.headers(),
            ) else {
                return Ok(response);
            };
            if followed == MAX_REDIRECTS {
                return Err(ScalekitError::Network {
                    message: format!(
                        "request {} failed: more than {MAX_REDIRECTS} redirects",
                        redact_url(&next.url)
                    ),
                    connect: false,
                });
            }
            followed += 1;
            hop = next;
            let mut headers =
                self.headers(&request.headers, authorization.filter(|_| hop.credentials));
            redirects::strip_headers(&hop, &mut headers);
            // An earlier hop reached a server: a failure here is not one a retry may repeat
            // as if nothing had been sent.
            let sent = self
                .hop(&hop.method, &hop.url, headers, hop.body.as_ref(), None)
                .await;
            response = sent.map_err(|e| {
                let mut error = network_error(&e, &hop.url, true);
                if let ScalekitError::Network { connect, .. } = &mut error {
                    *connect = false;
                }
                error
            })?;
        }
    }

    /// The caller's headers plus `authorization`, the identity headers (which callers cannot
    /// override) and axios's default `accept` headers (unless the caller gave its own).
    fn headers(&self, caller: &HeaderMap, authorization: Option<&HeaderValue>) -> HeaderMap {
        // A copy of `base` (cheaper than inserting its headers again) has room for no more: it
        // grows once, to its final size, rather than on the caller's first header and again.
        let mut headers = self.base.clone();
        // Names, not values, take room; at a size it cannot reach, the inserts below say so.
        let _ = headers.try_reserve(caller.keys_len() + 1);
        // A name's values come one after another: its first replaces `base`'s, the others add.
        let mut last: Option<&HeaderName> = None;
        for (name, value) in caller {
            if is_identity(name) {
                continue;
            }
            if last == Some(name) {
                headers.append(name.clone(), value.clone());
            } else {
                headers.insert(name.clone(), value.clone());
                last = Some(name);
            }
        }
        if let Some(value) = authorization {
            headers.insert(AUTHORIZATION, value.clone());
        }
        headers
    }
}

/// The identity headers: every request carries the client's own.
fn is_identity(name: &HeaderName) -> bool {
    name == USER_AGENT || name == X_SDK_VERSION || name == X_API_VERSION
}

/// Reads a whole body, decoded (gzip, deflate, brotli), refusing to hold more than `limit`
/// bytes: a declared length (`declared`) over it is refused before reading, and a body that grows past it
/// (a decompression bomb) stops there. Dropping the response closes its connection.
async fn read_body(
    mut response: Answer,
    url: &Url,
    declared: Option<u64>,
    limit: u64,
) -> Result<Bytes, ScalekitError> {
    if declared.is_some_and(|n| n > limit) {
        return Err(ScalekitError::TooLarge {
            limit,
            adjustable: true,
        });
    }
    // With a declared length, one buffer of that size. Without, the first chunk as it came (the
    // common small answer is one chunk), then one block grown in place (`BodyBuffer`): never a
    // second copy of the body, never more than the limit held.
    let mut joined = declared.map(|n| BytesMut::with_capacity(usize::try_from(n).unwrap_or(0)));
    let mut first: Option<Bytes> = None;
    let mut grown: Option<BodyBuffer> = None;
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut total = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| network_error(&e, url, false))?
    {
        total += chunk.len() as u64;
        if total > limit {
            return Err(ScalekitError::TooLarge {
                limit,
                adjustable: true,
            });
        }
        if let Some(buffer) = joined.as_mut() {
            buffer.extend_from_slice(&chunk);
            continue;
        }
        if grown.is_none() {
            let Some(earlier) = first.take() else {
                first = Some(chunk);
                continue;
            };
            let mut buffer = BodyBuffer::new();
            buffer
                .extend(&earlier, cap)
                .map_err(|_| out_of_memory(total))?;
            grown = Some(buffer);
        }
        if let Some(buffer) = grown.as_mut() {
            buffer
                .extend(&chunk, cap)
                .map_err(|_| out_of_memory(total))?;
        }
    }
    Ok(match (joined, grown, first) {
        (Some(buffer), _, _) => buffer.freeze(),
        (None, Some(buffer), _) => buffer.freeze(),
        (None, None, first) => first.unwrap_or_default(),
    })
}

/// The platform allocator refused to grow a body's buffer.
fn out_of_memory(bytes: u64) -> ScalekitError {
    ScalekitError::Protocol {
        message: format!(
            "out of memory reading a response body ({bytes} bytes so far): use responseType: \
             'stream' for large bodies"
        ),
    }
}

/// A failure of either path as [`ScalekitError::Network`]. `before_response` tells a failed
/// request from a failure while reading the body; `connect` is set only when the connection itself
/// could not be made (refused, DNS, TLS, connect timeout), as only then did the server certainly
/// never see the request. `sent_to` is the URL the request went to (a reqwest error may carry
/// its own).
fn network_error(error: &HttpError, sent_to: &Url, before_response: bool) -> ScalekitError {
    // The same words on both paths: a reqwest error's own text ("error sending request …") is
    // left out, the causes under it kept; a direct error has no such wrapper.
    let (url, is_connect, causes, cause): (_, _, _, &(dyn std::error::Error + 'static)) =
        match error {
            HttpError::Reqwest(e) => (
                e.url().unwrap_or(sent_to),
                e.is_connect(),
                error_chain(e),
                e,
            ),
            HttpError::Direct(e) => (sent_to, e.is_connect(), direct_chain(e), e),
        };
    let url = redact_url(url);
    let what = if before_response {
        "request"
    } else {
        "reading the response body of"
    };
    // A TLS failure says what failed in words (and how to trust a private CA), and a refused
    // certificate is not worth retrying: it will be refused again.
    let (cause, retryable) = match network::tls_failure(cause) {
        Some(tls) => (tls.message, !tls.certificate),
        None => (causes, true),
    };
    ScalekitError::Network {
        message: format!("{what} {url} failed: {cause}"),
        // "connection closed before message completed" may come after the request was
        // received, so it is not marked.
        connect: retryable && before_response && is_connect,
    }
}

/// A direct failure and its causes, joined (as [`error_chain`] joins a reqwest error's causes).
fn direct_chain(error: &DirectError) -> String {
    let rest = error_chain(error);
    let first = error.to_string();
    if rest == first {
        first
    } else {
        format!("{first}: {rest}")
    }
}

/// The URL without its query (which may carry user data) for messages.
fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// The longest URL a request can carry: the `http` crate's URI limit, which both paths' URIs go
/// through.
pub const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// Refuses a URL longer than any request can carry, naming `argument` (what made it long):
/// nothing is sent, and the URL is not repeated (it may carry user data).
pub fn check_url_length(url: &Url, argument: &'static str) -> Result<(), ScalekitError> {
    let length = url.as_str().len();
    if length <= MAX_URL_BYTES {
        return Ok(());
    }
    Err(ScalekitError::validation(
        argument,
        format!(
            "{argument} makes the request URL {length} bytes long; a request URL holds at most \
             {MAX_URL_BYTES} bytes"
        ),
    ))
}

/// The innermost causes of an error, joined, e.g. `tcp connect error: Connection refused (os error 111)`.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = error.source();
    while let Some(cause) = current {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        current = cause.source();
    }
    if parts.is_empty() {
        return error.to_string();
    }
    // reqwest's outermost text repeats the URL; the causes say what happened.
    parts.join(": ")
}
