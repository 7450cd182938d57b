//! The admin API under `/_emulator/` (emulator-only; no ARM equivalent): health, the rule
//! catalogue, lab objects, DNS answers, and the portal-only operations of a Private Link Scope
//! ("add resources" and its candidate list, PLS-011). Every error, the extractors' included,
//! uses the ARM envelope. Who may call it (`Host`, the optional admin token, `Origin`,
//! `application/json` writes) is checked before these handlers run (`access.rs`).

use arcemu_fake_arm::ArmState;
use arcemu_model::{Applied, ArmError, Change, ResourceId, Status, rules};
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

/// Routes under `/_emulator/`.
pub fn router(state: ArmState) -> Router {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/reset", axum::routing::post(reset))
        .route("/_emulator/rules", get(rules_list))
        .route("/_emulator/snapshot", get(snapshot))
        .route("/_emulator/private-link-scopes/candidates", get(candidates))
        .route("/_emulator/private-link-scopes/add-resources", post(add_resources))
        .route("/_emulator/sites", get(list_sites))
        .route("/_emulator/sites/{name}", get(get_site).put(put_site).delete(delete_site))
        .route("/_emulator/clusters", get(list_clusters))
        .route("/_emulator/clusters/{name}", get(get_cluster).put(put_cluster).delete(delete_cluster))
        .route("/_emulator/clusters/{name}/explain", get(explain_cluster))
        .route("/_emulator/dns-forwarders", get(list_forwarders))
        .route("/_emulator/dns-forwarders/{name}", axum::routing::put(put_forwarder).delete(delete_forwarder))
        .route("/_emulator", get(index))
        .route("/_emulator/", get(index))
        .route("/_emulator/{*rest}", axum::routing::any(unknown))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

fn refuse(e: &ArmError) -> Response {
    crate::answers::refusal(e)
}

/// 405 for a method a route does not serve (axum adds `Allow`).
async fn method_not_allowed(method: axum::http::Method) -> Response {
    refuse(&ArmError::method_not_allowed(method.as_str()))
}

/// A request body, read up to the ARM face's size limit (413 envelope beyond it).
pub struct Body(axum::body::Bytes);

impl FromRequest<ArmState> for Body {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, st: &ArmState) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let config = st.config();
        arcemu_fake_arm::body::read_limited(req.into_body(), declared, config.max_body_bytes, config.body_read_timeout)
            .await
            .map(Body)
            .map_err(|e| refuse(&e))
    }
}

/// The `{name}` of a lab object's path (400 envelope when it does not decode).
pub struct Name(String);

impl<S: Send + Sync> FromRequestParts<S> for Name {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, st: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, st).await {
            Ok(axum::extract::Path(name)) => Ok(Name(name)),
            Err(e) => Err(refuse(&ArmError::invalid_request_uri(e.body_text()))),
        }
    }
}

async fn health(State(st): State<ArmState>) -> Response {
    let count = st.read(|w| w.resource_count());
    axum::Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION"), "resources": count })).into_response()
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResetInput {
    /// `baseline` (default): the world file the emulator was started with; `empty`: nothing.
    #[serde(default)]
    to: Option<String>,
    /// A world file (as JSON) to load instead: a snapshot (`arcemu snapshot load`).
    #[serde(default)]
    world: Option<Value>,
}

/// `POST /_emulator/reset`: the world back to what it started from, in one step (with a data
/// directory, the journal starts again from there).
async fn reset(State(st): State<ArmState>, Body(body): Body) -> Response {
    let result = (|| {
        let input: ResetInput = if body.iter().all(u8::is_ascii_whitespace) {
            ResetInput::default()
        } else {
            serde_json::from_slice(&body).map_err(ArmError::invalid_request_content)?
        };
        if let Some(world) = input.world {
            if input.to.is_some() {
                return Err(ArmError::invalid_request_content("give 'to' or 'world', not both"));
            }
            let file: crate::world_file::WorldFile =
                serde_json::from_value(world).map_err(|e| ArmError::invalid_request_content(format!("world: {e}")))?;
            // The settings (subscriptions among them) are the emulator's, not the file's: a
            // loaded world lives in the subscriptions the emulator was started with.
            let config = st.world().config();
            let mut widened = config.clone();
            crate::world_file::add_subscriptions(&mut widened, &file);
            if let Some(extra) = widened.subscriptions.get(config.subscriptions.len()..).and_then(|s| s.first()) {
                return Err(ArmError::invalid_request_content(format!(
                    "the world names subscription {} which this emulator does not have: start it with --subscription {}",
                    extra.id, extra.id
                )));
            }
            let entries = crate::world_file::into_entries(file).map_err(ArmError::invalid_request_content)?;
            // All or nothing, in one acquisition: a refused entry leaves the world as it was.
            let resources = st.world().reset(&entries).map_err(|(i, e)| ArmError {
                message: format!("The world was not loaded (nothing changed): {}", entries.describe(i, &e)),
                ..e
            })?;
            return Ok(json!({ "reset": "world", "entries": entries.len(), "resources": resources }));
        }
        let to_baseline = match input.to.as_deref() {
            None | Some("baseline") => true,
            Some("empty") => false,
            Some(other) => {
                return Err(ArmError::invalid_request_content(format!(
                    "'to' is '{other}'; allowed values are: baseline, empty"
                )));
            }
        };
        let resources = st.world().reset_to_baseline(to_baseline).map_err(|(_, e)| e)?;
        Ok::<_, ArmError>(json!({ "reset": if to_baseline { "baseline" } else { "empty" }, "resources": resources }))
    })();
    // The world replaced (or not): either way, what its building used goes back.
    crate::release_memory();
    match result {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(e) => refuse(&e),
    }
}

async fn index() -> Response {
    axum::Json(json!({
        "endpoints": {
            "GET /_emulator/health": "200 when ready",
            "POST /_emulator/reset": "{\"to\": \"baseline\" (default: the world file it started with) | \"empty\"} or {\"world\": world file as JSON}: the world replaced by that, at once",
            "GET /_emulator/rules": "the rule catalogue",
            "GET /_emulator/topology": "the world in one read for the web view at /: rendered resources, sites, forwarder VMs, lab clusters with their explain reports",
            "GET /_emulator/demo/scenarios": "the teaching scenarios (arcemu demo) as data: their steps' requests, narration and expectations",
            "GET /_emulator/snapshot": "the whole world as a world file (JSON): arcemu serve --world and arcemu check --snapshot load it",
            "GET /_emulator/refusals": "the writes answered 4xx lately (method, path, status, code, ruleId, message), oldest first",
            "GET /_emulator/private-link-scopes/candidates?scope={scopeId}": "clusters the scope's 'add resources' list offers (PLS-011)",
            "POST /_emulator/private-link-scopes/add-resources": "{\"scope\": id, \"clusters\": [ids]}: associate clusters with a scope, as the portal does",
            "GET /_emulator/dns/listeners": "the DNS listener (UDP and TCP) of each vantage point: public, vnet:{id}, site:{name}; and the vantage points whose listener failed to bind (retried)",
            "GET /_emulator/requests?limit=N": "the last N requests (default 100), newest first: method, path, status, refusal code and rule id, duration",
            "GET /_emulator/stats": "counts of what the emulator keeps: operations, resources, DNS listeners, open connections",
            "GET /_emulator/dns/resolve?name={fqdn}&from={vantage}&type={A|AAAA|CNAME|number}": "the DNS answer from a vantage point, with the trace of why",
            "GET /_emulator/sites": "on-premises sites",
            "PUT|GET|DELETE /_emulator/sites/{name}": "{\"addressSpace\": [cidr], \"dns\": {\"zones\": [{\"zone\", \"records\": {name: [ip]}}], \"forwarders\": [{\"domain\", \"targets\": [ip]}], \"publicFallback\": bool}, \"firewall\": [{\"destination\", \"port\", \"inbound\"}] | null, \"expressRouteCircuit\": id | null}",
            "GET /_emulator/clusters": "lab Kubernetes clusters",
            "PUT|GET|DELETE /_emulator/clusters/{name}": "{\"site\": name | \"subnet\": id, \"connectedCluster\": id, \"kubernetesVersion\"?, \"nodeCount\"?, \"coreCount\"?, \"agentVersion\"?}: a cluster whose Arc agents act for that connected cluster and report those values",
            "GET /_emulator/clusters/{name}/explain[?format=text]": "for every Arc endpoint: DNS answer, path, the rule that decided, and what to change",
            "GET /_emulator/dns-forwarders": "lab DNS forwarder VMs",
            "PUT|DELETE /_emulator/dns-forwarders/{name}": "{\"virtualNetwork\": id, \"address\": ip}: a forwarder VM inside a VNet",
        }
    }))
    .into_response()
}

/// The whole catalogue: `{"value": [{"id", "seedSection", "summary", "fidelity", "fidelitySource"?}]}`.
async fn rules_list() -> Response {
    axum::Json(json!({ "value": rules::CATALOGUE })).into_response()
}

/// The world as a world file (`world_file::snapshot`), loadable by `--world`.
async fn snapshot(State(st): State<ArmState>) -> Response {
    axum::Json(st.read(crate::world_file::snapshot)).into_response()
}

async fn unknown() -> Response {
    refuse(&ArmError::admin_endpoint_not_found())
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
        let value: Vec<Value> = st.read(|w| {
            let clusters = w.candidate_clusters(&scope)?;
            Ok::<_, ArmError>(clusters.iter().filter_map(|c| w.render(&c.id).ok()).collect())
        })?;
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

async fn add_resources(State(st): State<ArmState>, Body(body): Body) -> Response {
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
        let applied = st.world().apply(Change::AddClustersToScope { scope: &scope, clusters: &clusters })?;
        Ok::<_, ArmError>(applied.body.unwrap_or_default())
    })();
    match result {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err(e) => refuse(&e),
    }
}

// ---- lab objects: sites and forwarder VMs (clusters below) share this plumbing ----

/// The body of an admin PUT as JSON.
fn json_body(body: &axum::body::Bytes) -> Result<Value, ArmError> {
    serde_json::from_slice(body).map_err(ArmError::invalid_request_content)
}

/// `{"value": [...]}` of a lab collection.
fn list_of<T: serde::Serialize>(items: impl Iterator<Item = T>) -> Response {
    axum::Json(json!({ "value": items.collect::<Vec<_>>() })).into_response()
}

/// One lab object, or the refusal saying it does not exist.
fn found<T: serde::Serialize>(item: Option<T>, not_found: impl FnOnce() -> ArmError) -> Response {
    match item {
        Some(x) => axum::Json(json!(x)).into_response(),
        None => refuse(&not_found()),
    }
}

/// The answer to an applied lab change: 201 on create, 200 on replace or delete, 204 when
/// nothing was there to delete (as ARM), or the refusal.
fn applied(result: Result<Applied, ArmError>) -> Response {
    match result {
        Ok(a) => {
            let status = match a.status {
                Status::Created => StatusCode::CREATED,
                Status::NoContent => StatusCode::NO_CONTENT,
                Status::Accepted => StatusCode::ACCEPTED,
                Status::Ok => StatusCode::OK,
            };
            match a.body {
                Some(body) => (status, axum::Json(body)).into_response(),
                None => status.into_response(),
            }
        }
        Err(e) => refuse(&e),
    }
}

/// Parses the request's JSON body and applies what `apply` makes of it.
fn apply_json(body: &axum::body::Bytes, apply: impl FnOnce(&Value) -> Result<Applied, ArmError>) -> Response {
    applied(json_body(body).and_then(|v| apply(&v)))
}

async fn list_sites(State(st): State<ArmState>) -> Response {
    st.read(|w| list_of(w.sites()))
}

async fn get_site(State(st): State<ArmState>, Name(name): Name) -> Response {
    st.read(|w| found(w.site(&name), || ArmError::site_not_found(&name)))
}

async fn put_site(State(st): State<ArmState>, Name(name): Name, Body(body): Body) -> Response {
    apply_json(&body, |body| st.world().apply(Change::PutSite { name: &name, body }))
}

async fn delete_site(State(st): State<ArmState>, Name(name): Name) -> Response {
    applied(st.world().apply(Change::DeleteSite { name: &name }))
}

async fn list_forwarders(State(st): State<ArmState>) -> Response {
    st.read(|w| list_of(w.forwarder_vms()))
}

async fn put_forwarder(State(st): State<ArmState>, Name(name): Name, Body(body): Body) -> Response {
    // Forwarder VMs have no create/replace distinction in their answer (always 200).
    let mut r = apply_json(&body, |body| st.world().apply(Change::PutForwarderVm { name: &name, body }));
    if r.status() == StatusCode::CREATED {
        *r.status_mut() = StatusCode::OK;
    }
    r
}

async fn delete_forwarder(State(st): State<ArmState>, Name(name): Name) -> Response {
    applied(st.world().apply(Change::DeleteForwarderVm { name: &name }))
}

// ---- DNS (the DNS face's listeners and the model's answers with their trace) ----

/// Routes under `/_emulator/dns/`; merged with [`router`] by `Emulator::start`.
pub fn dns_router(state: ArmState, dns: arcemu_fake_dns::DnsHandle) -> Router {
    Router::new()
        .route("/_emulator/dns/listeners", get(dns_listeners))
        .route("/_emulator/dns/resolve", get(dns_resolve))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state((state, dns))
}

/// `{"listeners": {vantage: addr}, "failed": {vantage: error}}`: a vantage point whose listener
/// could not be bound (out of descriptors, ...) is in `failed` until a later sync binds it.
async fn dns_listeners(State((_, dns)): State<(ArmState, arcemu_fake_dns::DnsHandle)>) -> Response {
    let listeners: serde_json::Map<String, Value> =
        dns.sync().await.into_iter().map(|(id, addr)| (id, Value::String(addr.to_string()))).collect();
    let failed: serde_json::Map<String, Value> =
        dns.failures().into_iter().map(|(id, e)| (id, Value::String(e))).collect();
    axum::Json(json!({ "listeners": listeners, "failed": failed })).into_response()
}

#[derive(Deserialize)]
struct ResolveQuery {
    name: Option<String>,
    from: Option<String>,
    #[serde(rename = "type")]
    qtype: Option<String>,
}

/// A query type by name (`A`, `AAAA`, `CNAME`, ...) or number.
pub fn parse_qtype(s: &str) -> Option<u16> {
    let known = [
        ("A", 1),
        ("NS", 2),
        ("CNAME", 5),
        ("SOA", 6),
        ("PTR", 12),
        ("MX", 15),
        ("TXT", 16),
        ("AAAA", 28),
        ("SRV", 33),
        ("HTTPS", 65),
        ("ANY", 255),
    ];
    let s = s.trim();
    known
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, v)| *v)
        .or_else(|| s.strip_prefix("TYPE").or(s.strip_prefix("type")).unwrap_or(s).parse().ok())
}

/// A vantage point as `public`, `vnet:<id>`, `site:<name>`, or a bare virtual network id.
pub fn parse_vantage(s: &str) -> Option<arcemu_model::dns::Vantage> {
    let s = s.trim();
    arcemu_model::dns::Vantage::parse(s).or_else(|| {
        if s.starts_with("/subscriptions/") { arcemu_model::dns::Vantage::parse(&format!("vnet:{s}")) } else { None }
    })
}

async fn dns_resolve(
    State((st, _)): State<(ArmState, arcemu_fake_dns::DnsHandle)>,
    q: Result<Query<ResolveQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = (|| {
        let Query(q) = q.map_err(|e| ArmError::invalid_request_content(e.body_text()))?;
        let name = q.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
            ArmError::invalid_property("name", "The parameter 'name' (the name to resolve) is required.")
        })?;
        let from = q.from.unwrap_or_else(|| "public".to_string());
        let vantage = parse_vantage(&from).ok_or_else(|| {
            ArmError::invalid_property(
                "from",
                format!("'{from}' is not a vantage point: use public, vnet:<virtual network id> or site:<name>."),
            )
        })?;
        let tname = q.qtype.unwrap_or_else(|| "A".to_string());
        let qtype = parse_qtype(&tname).ok_or_else(|| {
            ArmError::invalid_property("type", format!("'{tname}' is not a DNS record type (A, AAAA, CNAME, ...)."))
        })?;
        let answer = st.read(|w| w.resolve(&vantage, &name, qtype));
        Ok::<_, ArmError>(json!({
            "name": arcemu_model::dns::normalize_name(&name),
            "from": vantage.id(),
            "type": tname.to_ascii_uppercase(),
            "answer": answer,
        }))
    })();
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => refuse(&e),
    }
}

async fn list_clusters(State(st): State<ArmState>) -> Response {
    st.read(|w| list_of(w.lab_clusters()))
}

async fn get_cluster(State(st): State<ArmState>, Name(name): Name) -> Response {
    st.read(|w| found(w.lab_cluster(&name), || ArmError::lab_cluster_not_found(&name)))
}

async fn put_cluster(State(st): State<ArmState>, Name(name): Name, Body(body): Body) -> Response {
    apply_json(&body, |body| st.world().apply(Change::PutLabCluster { name: &name, body }))
}

async fn delete_cluster(State(st): State<ArmState>, Name(name): Name) -> Response {
    applied(st.world().apply(Change::DeleteLabCluster { name: &name }))
}

#[derive(Deserialize)]
struct ExplainQuery {
    format: Option<String>,
}

async fn explain_cluster(
    State(st): State<ArmState>,
    Name(name): Name,
    q: Result<Query<ExplainQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return refuse(&ArmError::invalid_request_content(e.body_text())),
    };
    let report = st.read(|w| w.explain_cluster(&name));
    match report {
        Ok(r) => {
            let v = json!(r);
            if q.format.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("text")) {
                ([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], crate::explain::render(&v))
                    .into_response()
            } else {
                axum::Json(v).into_response()
            }
        }
        Err(e) => refuse(&e),
    }
}
