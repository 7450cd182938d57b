//! The admin API under `/_emulator/` (emulator-only; no ARM equivalent, no token needed):
//! health, the rule catalogue, and the portal-only operations of a Private Link Scope
//! ("add resources" and its candidate list, PLS-011). Errors use the ARM envelope.

use arcemu_fake_arm::{ArmState, envelope};
use arcemu_model::{ArmError, ResourceId, rules};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

/// Routes under `/_emulator/`.
pub fn router(state: ArmState) -> Router {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/rules", get(rules_list))
        .route("/_emulator/private-link-scopes/candidates", get(candidates))
        .route("/_emulator/private-link-scopes/add-resources", post(add_resources))
        .route("/_emulator", get(index))
        .route("/_emulator/", get(index))
        .route("/_emulator/{*rest}", axum::routing::any(unknown))
        .with_state(state)
}

fn refuse(e: &ArmError) -> Response {
    (envelope::status(e), axum::Json(envelope::error_body(e))).into_response()
}

async fn health(State(st): State<ArmState>) -> Response {
    let count = st.read().resource_count();
    axum::Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION"), "resources": count })).into_response()
}

async fn index() -> Response {
    axum::Json(json!({
        "endpoints": {
            "GET /_emulator/health": "200 when ready",
            "GET /_emulator/rules": "the rule catalogue",
            "GET /_emulator/private-link-scopes/candidates?scope={scopeId}": "clusters the scope's 'add resources' list offers (PLS-011)",
            "POST /_emulator/private-link-scopes/add-resources": "{\"scope\": id, \"clusters\": [ids]}: associate clusters with a scope, as the portal does",
        }
    }))
    .into_response()
}

async fn rules_list() -> Response {
    axum::Json(json!({ "value": rules::CATALOGUE })).into_response()
}

async fn unknown() -> Response {
    refuse(&ArmError::inferred(404, "NotFound", "No such admin endpoint; GET /_emulator/ lists them."))
}

#[derive(Deserialize)]
struct ScopeQuery {
    scope: Option<String>,
}

fn parse_scope(text: Option<&str>) -> Result<ResourceId, ArmError> {
    let text = text.ok_or_else(|| ArmError::invalid_property("scope", "The parameter 'scope' is required."))?;
    ResourceId::parse(text).map_err(|_| ArmError::linked_invalid_property_id(text, "scope"))
}

async fn candidates(
    State(st): State<ArmState>,
    q: Result<Query<ScopeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = (|| {
        let Query(q) = q.map_err(|e| ArmError::invalid_request_content(e.body_text()))?;
        let scope = parse_scope(q.scope.as_deref())?;
        let w = st.read();
        let clusters = w.candidate_clusters(&scope)?;
        let value: Vec<Value> = clusters.iter().filter_map(|c| w.render(&c.id).ok()).collect();
        Ok::<_, ArmError>(json!({ "value": value }))
    })();
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => refuse(&e),
    }
}

#[derive(Deserialize)]
struct AddResources {
    scope: Option<String>,
    #[serde(default)]
    clusters: Vec<String>,
}

async fn add_resources(State(st): State<ArmState>, body: axum::body::Bytes) -> Response {
    let result = (|| {
        let input: AddResources = serde_json::from_slice(&body).map_err(ArmError::invalid_request_content)?;
        let scope = parse_scope(input.scope.as_deref())?;
        let clusters = input
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| {
                ResourceId::parse(c).map_err(|_| ArmError::linked_invalid_property_id(c, &format!("clusters[{i}]")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let now = st.clock().now();
        let value = st.write().add_clusters_to_scope(&scope, &clusters, now)?;
        Ok::<_, ArmError>(json!({ "value": value }))
    })();
    match result {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(e) => refuse(&e),
    }
}
