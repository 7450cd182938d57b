//! `GET /_emulator/stats`: counts of what the emulator keeps, so that a long run can check it
//! stays bounded (counts, not memory): kept operation records, resources, lab objects, DNS
//! listeners (and failed binds), ARM connections.

use crate::server::ConnectionStats;
use arcemu_fake_arm::ArmState;
use arcemu_fake_dns::DnsHandle;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::sync::Arc;

/// The route; merged by `Emulator::start`.
pub fn router(state: ArmState, dns: DnsHandle, connections: Arc<ConnectionStats>) -> Router {
    Router::new().route("/_emulator/stats", get(stats)).with_state((state, dns, connections))
}

async fn stats(State((st, dns, connections)): State<(ArmState, DnsHandle, Arc<ConnectionStats>)>) -> Response {
    let (operations, resources, sites, lab_clusters, vantages) = st.read(|w| {
        (w.operation_count(), w.resource_count(), w.sites().count(), w.lab_clusters().count(), w.dns_vantages().len())
    });
    axum::Json(json!({
        "operations": operations,
        "resources": resources,
        "sites": sites,
        "labClusters": lab_clusters,
        "dnsVantagePoints": vantages,
        "dnsListeners": dns.listeners().len(),
        "dnsListenerFailures": dns.failures().len(),
        "connections": connections.open(),
        "connectionsAccepted": connections.accepted(),
        "connectionsRefused": connections.refused(),
        "connectionsTimedOut": connections.timed_out(),
    }))
    .into_response()
}
