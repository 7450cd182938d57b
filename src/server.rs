//! The ARM listener's accept loop (HTTP/1.1 on hyper), bounded by design:
//!
//! - **connection cap**: at most [`ArmConfig::max_connections`] open connections; one more is
//!   answered at once with 429 `TooManyRequests` (ARM's error envelope, `Retry-After: 1`) and
//!   closed, so the process keeps accepting and never stalls;
//! - **header read timeout**: a request's head must have arrived [`ArmConfig::header_read_timeout`]
//!   after its first byte, or the connection is closed;
//! - **body read timeout**: a request's body must have arrived [`ArmConfig::body_read_timeout`]
//!   after its head ([`DeadlineBody`]; the ARM face answers 408 `RequestTimeout`);
//! - **idle timeout**: a connection with no request in progress and no byte moving in either
//!   direction for [`ArmConfig::idle_timeout`] is closed (a keep-alive connection nobody uses, or
//!   a client that stopped reading its answer).
//!
//! Stopping: no new connection is accepted, idle connections close, requests in progress get
//! [`SHUTDOWN_GRACE`] to finish, then every connection is dropped.

use arcemu_fake_arm::{ArmConfig, DeadlineBody, envelope};
use arcemu_model::ArmError;
use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long requests in progress may take to finish once the emulator is stopping.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Refusals (429) being written at once, at most; past that an over-cap connection is just closed.
const REFUSALS_IN_FLIGHT: usize = 64;
/// How long a refusal may take to be written and the client's request drained.
const REFUSAL_TIME: Duration = Duration::from_millis(500);

/// Counts of the ARM listener, for `GET /_emulator/stats`.
#[derive(Debug, Default)]
pub struct ConnectionStats {
    open: AtomicUsize,
    accepted: AtomicU64,
    refused: AtomicU64,
    timed_out: AtomicU64,
}

impl ConnectionStats {
    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
    /// Connections accepted since start (within the cap).
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
    /// Connections refused with 429 (over the cap) since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
    /// Connections closed by the header or idle timeout since start.
    pub fn timed_out(&self) -> u64 {
        self.timed_out.load(Ordering::Relaxed)
    }
}

/// Counts one open connection while alive.
struct OpenGuard(Arc<ConnectionStats>);

impl OpenGuard {
    fn new(stats: Arc<ConnectionStats>) -> Self {
        stats.open.fetch_add(1, Ordering::Relaxed);
        stats.accepted.fetch_add(1, Ordering::Relaxed);
        Self(stats)
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped); over TLS with `tls`
/// (the handshake must end within the header read timeout; a connection over the cap is closed
/// without an answer, since a plain-text 429 would mean nothing to a TLS client).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: ArmConfig,
    stats: Arc<ConnectionStats>,
    stop: oneshot::Receiver<()>,
    tls: Option<TlsAcceptor>,
) {
    let config = Arc::new(config);
    let permits = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let refusals = Arc::new(Semaphore::new(REFUSALS_IN_FLIGHT));
    let refusal = Arc::new(refusal_bytes(config.max_connections));
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match permits.clone().try_acquire_owned() {
                    Ok(permit) => {
                        let guard = OpenGuard::new(stats.clone());
                        let (app, config, closing) = (app.clone(), config.clone(), closing_rx.clone());
                        let (stats, tls) = (stats.clone(), tls.clone());
                        tasks.spawn(async move {
                            let _ = stream.set_nodelay(true);
                            match tls {
                                None => connection(stream, app, &config, closing, &stats).await,
                                Some(acceptor) => {
                                    let handshake = tokio::time::timeout(config.header_read_timeout, acceptor.accept(stream));
                                    match handshake.await {
                                        Ok(Ok(stream)) => connection(stream, app, &config, closing, &stats).await,
                                        Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
                                        Err(_) => {
                                            stats.timed_out.fetch_add(1, Ordering::Relaxed);
                                            tracing::debug!("TLS handshake timed out");
                                        }
                                    }
                                }
                            }
                            drop((guard, permit));
                        });
                    }
                    Err(_) => {
                        stats.refused.fetch_add(1, Ordering::Relaxed);
                        if tls.is_some() {
                            continue;
                        }
                        if let Ok(slot) = refusals.clone().try_acquire_owned() {
                            let refusal = refusal.clone();
                            tasks.spawn(async move {
                                refuse(stream, &refusal).await;
                                drop(slot);
                            });
                        }
                    }
                },
                Err(e) => {
                    // Out of descriptors (EMFILE) and the like: wait a little instead of spinning.
                    tracing::warn!("ARM listener: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// The whole answer given to a connection over the cap.
fn refusal_bytes(limit: usize) -> Vec<u8> {
    let e = ArmError::too_many_connections(limit);
    let body = serde_json::to_vec(&envelope::error_body(&e)).unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 {} Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         x-ms-failure-cause: gateway\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        e.status,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Writes the 429, then reads (and drops) what the client sends for a moment, so that closing
/// does not reset the connection before the client has read the answer.
async fn refuse(mut stream: TcpStream, refusal: &[u8]) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        stream.write_all(refusal).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut total = 0usize;
        while total < 256 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => total += n,
            }
        }
        io::Result::Ok(())
    })
    .await;
}

/// What a connection is doing, for the header and idle timeouts.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// No request in progress.
    Idle,
    /// The first byte of a request head arrived at `since`.
    Head { since: Instant },
    /// Requests being handled (the body timeout is [`DeadlineBody`]'s).
    Busy(usize),
}

#[derive(Debug)]
struct Activity {
    phase: Phase,
    /// The last time a byte moved, or the connection changed phase.
    last_progress: Instant,
}

type SharedActivity = Arc<Mutex<Activity>>;

fn with<R>(a: &SharedActivity, f: impl FnOnce(&mut Activity) -> R) -> R {
    f(&mut a.lock().unwrap_or_else(PoisonError::into_inner))
}

impl Activity {
    /// When the connection is to be cut if nothing happens before.
    fn deadline(&self, config: &ArmConfig) -> Option<Instant> {
        match self.phase {
            Phase::Idle => Some(self.last_progress + config.idle_timeout),
            Phase::Head { since } => Some(since + config.header_read_timeout),
            Phase::Busy(_) => None,
        }
    }
}

/// One connection: hyper's HTTP/1.1 with a watchdog for the header and idle timeouts.
async fn connection<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    stream: S,
    app: Router,
    config: &ArmConfig,
    mut closing: watch::Receiver<bool>,
    stats: &ConnectionStats,
) {
    let activity: SharedActivity = Arc::new(Mutex::new(Activity { phase: Phase::Idle, last_progress: Instant::now() }));
    let io = TokioIo::new(Tracked { inner: stream, activity: activity.clone() });
    let body_timeout = config.body_read_timeout;
    let tracker = activity.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        with(&tracker, |a| {
            a.phase = match a.phase {
                Phase::Busy(n) => Phase::Busy(n + 1),
                _ => Phase::Busy(1),
            };
        });
        // A request without a body (most GETs) has nothing to time out: no wrapper, no box.
        let req = req.map(|b| {
            if hyper::body::Body::is_end_stream(&b) {
                Body::empty()
            } else {
                Body::new(DeadlineBody::new(b, Instant::now() + body_timeout))
            }
        });
        let (app, tracker) = (app.clone(), tracker.clone());
        async move {
            let response = app.oneshot(req).await;
            with(&tracker, |a| {
                a.phase = match a.phase {
                    Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
                    _ => Phase::Idle,
                };
                a.last_progress = Instant::now();
            });
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // hyper's own header timer runs from the moment it waits for a head, idle time included:
    // set past ours, it is only a backstop.
    builder.timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout + config.idle_timeout);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = *closing.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        let deadline = with(&activity, |a| a.deadline(config));
        let sleep = async {
            match deadline {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("ARM connection ended: {e}");
                }
                return;
            }
            changed = closing.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            _ = sleep => {
                let now = Instant::now();
                if with(&activity, |a| a.deadline(config)).is_some_and(|t| t <= now) {
                    stats.timed_out.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("ARM connection closed: header or idle timeout");
                    return;
                }
            }
        }
    }
}

/// The socket, noting every byte that moves (for the watchdog).
struct Tracked<S> {
    inner: S,
    activity: SharedActivity,
}

impl<S> Tracked<S> {
    fn progress(&self, read: bool) {
        with(&self.activity, |a| {
            let now = Instant::now();
            a.last_progress = now;
            if read && matches!(a.phase, Phase::Idle) {
                a.phase = Phase::Head { since: now };
            }
        });
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.progress(true);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.progress(false);
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.progress(false);
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
