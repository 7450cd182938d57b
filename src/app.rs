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
use std::net::SocketAddr;
use std::sync::Arc;

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
    let guard = Arc::new(access::Guard::new(access, bound));
    // Layers, outermost last: the request log sees the final answer (and keeps the refused
    // writes); a panic answers 500; every error answer is an envelope; the access checks (Host,
    // admin token, Origin, admin content type) run before any face.
    routes
        .merge(request_log::router(logs.requests.clone()))
        .merge(refusals::router(logs.refusals.clone()))
        .layer(axum::middleware::from_fn_with_state(guard, access::guard))
        .layer(axum::middleware::from_fn(move |req, next| answers::envelope_errors(max_body_bytes, req, next)))
        .layer(axum::middleware::from_fn(answers::catch_panic))
        .layer(axum::middleware::from_fn_with_state(logs, request_log::layer))
}
