//! The HTTP application of the ARM listener, whole: the admin API, its DNS routes and the ARM
//! face, behind the listener's layers (`access.rs` first, `answers.rs` last). [`Emulator::start`]
//! serves it; tests and the fuzz targets drive the same router in-process, without a socket.
//!
//! [`Emulator::start`]: crate::Emulator::start

use crate::refusals::RefusalLog;
use crate::server::ConnectionStats;
use crate::{AccessConfig, access, admin, answers, refusals, stats};
use arcemu_fake_arm::ArmState;
use arcemu_fake_dns::DnsHandle;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

/// The router `Emulator::start` serves. `connections` are the listener's counts (shown by
/// `/_emulator/stats`); `access` is taken as given (its `public_url` already normalized by
/// [`access::parse_public_url`]); `bound` is the listener's address (the `Host` allow-list
/// accepts it); `refused` keeps the writes answered 4xx (`/_emulator/refusals`).
pub fn router(
    arm: ArmState,
    dns: DnsHandle,
    connections: Arc<ConnectionStats>,
    refused: Arc<RefusalLog>,
    access: &AccessConfig,
    bound: SocketAddr,
) -> Router {
    let max_body_bytes = arm.config().max_body_bytes;
    let guard = Arc::new(access::Guard::new(access, bound));
    // Layers, outermost last: a panic answers 500; refused writes are recorded; every error
    // answer is an envelope; the access checks (Host, admin token, Origin, admin content type)
    // run before any face.
    let log = refused.clone();
    admin::router(arm.clone())
        .merge(admin::dns_router(arm.clone(), dns.clone()))
        .merge(stats::router(arm.clone(), dns, connections))
        .merge(refusals::router(refused))
        .merge(arcemu_fake_arm::router(arm))
        .layer(axum::middleware::from_fn_with_state(guard, access::guard))
        .layer(axum::middleware::from_fn(move |req, next| answers::envelope_errors(max_body_bytes, req, next)))
        .layer(axum::middleware::from_fn(move |req, next| refusals::record(log.clone(), req, next)))
        .layer(axum::middleware::from_fn(answers::catch_panic))
}
