//! The HTTP application of the ARM listener, whole: the admin API, its DNS routes and the ARM
//! face, behind the listener's layers (`access.rs` first, `answers.rs` last). [`Emulator::start`]
//! serves it; tests and the fuzz targets drive the same router in-process, without a socket.
//!
//! [`Emulator::start`]: crate::Emulator::start

use crate::request_log::{self, Logs};
use crate::server::ConnectionStats;
use crate::worlds::{self, Worlds};
use crate::{AccessConfig, access, admin, answers, entra, refusals, stats, web};
use arcemu_fake_arm::ArmState;
use arcemu_fake_dns::DnsHandle;
use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

/// The routes of one world, unlayered: the web view (`web.rs`), admin API, its DNS routes, stats and the ARM face. The
/// default world's are served at the root; each named world's under `/worlds/{name}`.
pub fn faces(arm: ArmState, dns: DnsHandle, connections: Arc<ConnectionStats>) -> Router {
    web::router(arm.clone())
        .merge(admin::router(arm.clone()))
        .merge(admin::dns_router(arm.clone(), dns.clone()))
        .merge(stats::router(arm.clone(), dns, connections))
        .merge(entra::router(arm.clone()))
        .merge(arcemu_fake_arm::router(arm))
}

/// The router of one world, with the listener's layers. `connections` are the listener's
/// counts (shown by `/_emulator/stats`); `access` is taken as given (its `public_url` already
/// normalized by [`access::parse_public_url`]); `bound` is the listener's address (the `Host`
/// allow-list accepts it).
pub fn router(
    arm: ArmState,
    dns: DnsHandle,
    connections: Arc<ConnectionStats>,
    access: &AccessConfig,
    bound: SocketAddr,
) -> Router {
    let max_body_bytes = arm.config().max_body_bytes;
    layered(faces(arm, dns, connections), max_body_bytes, access, bound, Logs::default())
}

/// [`router`], with the named worlds under `/worlds/{name}` (what `Emulator::start` serves; an
/// `https://` face serves the worlds that name themselves by the HTTPS listener's URL);
/// `logs` are the requests and refusals it keeps (`Emulator` reads them too).
pub fn router_with_worlds(
    arm: ArmState,
    dns: DnsHandle,
    connections: Arc<ConnectionStats>,
    access: &AccessConfig,
    bound: SocketAddr,
    worlds: Arc<Worlds>,
    logs: Logs,
) -> Router {
    let max_body_bytes = arm.config().max_body_bytes;
    let tls = arm.base_url().starts_with("https://");
    layered(faces(arm, dns, connections).merge(worlds::router(worlds, tls)), max_body_bytes, access, bound, logs)
}

fn layered(routes: Router, max_body_bytes: usize, access: &AccessConfig, bound: SocketAddr, logs: Logs) -> Router {
    let front = Front { guard: Arc::new(access::Guard::new(access, bound)), logs, max_body_bytes };
    routes
        .merge(request_log::router(front.logs.requests.clone()))
        .merge(refusals::router(front.logs.refusals.clone()))
        .layer(front)
}

/// The listener's layers, in one (each `from_fn` layer cost a boxed service and a boxed future
/// per request; see BENCHMARKS.md, "How GET got there"). From the outside in: the request log
/// sees the final answer (and keeps the refused writes); a panic answers 500; every error
/// answer is an envelope; the access checks (Host, admin token, Origin, admin content type)
/// run before any face.
#[derive(Clone)]
struct Front {
    guard: Arc<access::Guard>,
    logs: Logs,
    max_body_bytes: usize,
}

impl<S> tower::Layer<S> for Front {
    type Service = FrontService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        FrontService { inner, front: self.clone() }
    }
}

#[derive(Clone)]
struct FrontService<S> {
    inner: S,
    front: Front,
}

/// A request handed on (the inner service's future), or refused by the access checks.
enum Started<F> {
    Inner(F),
    Refused(Response),
}

type BoxedAnswer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> tower::Service<Request> for FrontService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxedAnswer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> BoxedAnswer {
        let start = Instant::now();
        let (method, uri) = (req.method().clone(), req.uri().clone()); // both share their bytes
        let asked = answers::Asked::of(&req);
        let front = self.front.clone();
        // The checks and the inner call run now (the inner service is ready: poll_ready said so);
        // a panic in them answers 500 like one while polling.
        let inner = &mut self.inner;
        let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match front.guard.check(&req) {
            Ok(()) => Started::Inner(inner.call(req)),
            Err(e) => Started::Refused(answers::refusal(&e)),
        }));
        Box::pin(async move {
            let response = {
                let path = uri.path();
                let answered = std::pin::pin!(async {
                    let response = match started {
                        Ok(Started::Inner(inner)) => match inner.await {
                            Ok(response) => response,
                            Err(never) => match never {},
                        },
                        Ok(Started::Refused(refused)) => refused,
                        Err(panic) => return answers::panicked(path, panic),
                    };
                    answers::with_envelope(front.max_body_bytes, &asked, response).await
                });
                match answers::CatchUnwind(answered).await {
                    Ok(response) => response,
                    Err(panic) => answers::panicked(path, panic),
                }
            };
            request_log::record(&front.logs, start, method, &uri, &response);
            Ok(response)
        })
    }
}
