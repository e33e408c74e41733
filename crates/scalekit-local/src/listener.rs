//! The emulator's accept loop: HTTP/1.1 and HTTP/2 on one port. Over TLS the client picks by
//! ALPN (`h2` or `http/1.1`); over plain TCP, HTTP/2 with prior knowledge is told apart from
//! HTTP/1.1 by its connection preface. Connections live in a JoinSet the loop owns, so aborting
//! the loop (Drop) also ends every connection; `axum::serve` detaches its connection tasks.

use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::{EmulatorError, GRACE};

/// A TLS handshake that has not finished by then is dropped, so a silent client cannot hold a
/// connection slot open.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A listener on `host:port` (a name or an IP literal) and the address it got.
pub async fn listen(host: &str, port: u16) -> Result<(TcpListener, SocketAddr), EmulatorError> {
    let listener = TcpListener::bind((host, port))
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: format!("{host}:{port}"),
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| EmulatorError::Start(format!("listener address: {e}")))?;
    Ok((listener, addr))
}

/// `http://ip:port` (or `https://`); an unspecified bind address is reached through loopback.
pub fn base_url(scheme: &str, addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("{scheme}://127.0.0.1:{}", addr.port()),
        IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("{scheme}://[::1]:{}", addr.port()),
        IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", addr.port()),
    }
}

/// Resolves once shutdown is requested (or the LocalScalekit is gone). Returns `()` so that no
/// watch guard is held across the awaits that follow in `select!`.
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Serves `app` on every connection `listener` accepts (through TLS when `tls` is given) until
/// `stop`; then in-flight requests get [`GRACE`] before the rest is cut.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let conn_stop = stop.clone();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let app = app.clone();
                    let mut stop = conn_stop.clone();
                    let tls = tls.clone();
                    conns.spawn(async move {
                        match tls {
                            None => connection(stream, app, stop).await,
                            Some(acceptor) => {
                                let handshake = tokio::time::timeout(
                                    HANDSHAKE_TIMEOUT,
                                    acceptor.accept(stream),
                                );
                                // A failed handshake (say, an untrusting client) only ends
                                // this connection.
                                let stream = tokio::select! {
                                    done = handshake => match done {
                                        Ok(Ok(stream)) => stream,
                                        _ => return,
                                    },
                                    () = stopped(&mut stop) => return,
                                };
                                connection(stream, app, stop).await;
                            }
                        }
                    });
                }
                // Transient accept failures (e.g. out of descriptors): back off, don't spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, async { while conns.join_next().await.is_some() {} }).await;
    conns.shutdown().await;
}

/// One connection, HTTP/1.1 or HTTP/2 (chosen from the first bytes the client sends), shut
/// down gracefully once `stop` fires.
async fn connection<I>(io: I, app: Router, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let builder = auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    let mut conn = pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        () = stopped(&mut stop) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
