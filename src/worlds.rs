//! Named worlds: many tests (or CI jobs) share one emulator process without seeing each other.
//! Everything under `/worlds/{name}/` is a whole emulator of its own — ARM, admin API (reset
//! included), DNS listeners, lab objects — built on first use from the same settings and world
//! file as the default world, and kept in `DATA_DIR/worlds/{name}/` with `--data-dir`. An SDK
//! pointed at `http://127.0.0.1:8490/worlds/job-17` sees only that world; the URLs it is
//! given back (`Location`, `Azure-AsyncOperation`, `nextLink`) keep the prefix.
//!
//! `GET /_emulator/worlds` lists them, `PUT /_emulator/worlds/{name}` creates one ahead of
//! use, `DELETE /_emulator/worlds/{name}` drops one (and its data).

use crate::server::ConnectionStats;
use crate::{answers, app, world_file};
use arcemu_fake_arm::{ArmConfig, ArmState};
use arcemu_fake_dns::{DnsConfig, DnsServer};
use arcemu_model::clock::Clock;
use arcemu_model::{ArmError, SharedWorld, WorldConfig};
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

/// Default of `EmulatorConfig::max_named_worlds`.
pub const DEFAULT_MAX_WORLDS: usize = 64;

/// What a named world is built from (the default world's settings).
pub struct WorldsConfig {
    pub world: WorldConfig,
    pub arm: ArmConfig,
    /// Each named world's DNS: its public view on a free port of this address, its vantage
    /// points on free ports too.
    pub dns: DnsConfig,
    pub clock: Arc<dyn Clock>,
    /// The default world's world source (a named world starts from it too).
    pub source: Option<world_file::WorldSource>,
    pub data_dir: Option<PathBuf>,
    /// The emulator's base URL; a named world's is `{base_url}/worlds/{name}`.
    pub base_url: String,
    pub max_worlds: usize,
    pub connections: Arc<ConnectionStats>,
}

struct Named {
    router: Router,
    /// The same faces naming themselves by the HTTPS listener's URL (served there).
    tls_router: Option<Router>,
    world: Arc<SharedWorld>,
    /// Taken (and stopped) when the world is removed, even while requests still hold it.
    dns: tokio::sync::Mutex<Option<DnsServer>>,
    dns_handle: arcemu_fake_dns::DnsHandle,
}

/// The named worlds of one emulator.
pub struct Worlds {
    config: WorldsConfig,
    named: tokio::sync::Mutex<BTreeMap<String, Arc<Named>>>,
    /// The HTTPS listener's base URL, once it is bound.
    https_base_url: std::sync::OnceLock<String>,
}

/// A world's name: 1 to 63 of `a-z`, `0-9`, `-`, starting with a letter or digit (it is a path
/// segment and a directory name).
fn check_name(name: &str) -> Result<(), ArmError> {
    let ok = (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ArmError::invalid_request_content(format!(
            "'{name}' is not a world name: use 1 to 63 of a-z, 0-9 and '-', not starting with '-'"
        )))
    }
}

impl Worlds {
    pub fn new(config: WorldsConfig) -> Self {
        Worlds { config, named: tokio::sync::Mutex::default(), https_base_url: std::sync::OnceLock::new() }
    }

    /// Names the HTTPS listener (set once, before it serves).
    pub fn set_https_base_url(&self, url: &str) {
        let _ = self.https_base_url.set(url.trim_end_matches('/').to_string());
    }

    /// The world called `name`, built now if it does not exist yet (`created` then).
    async fn get_or_create(&self, name: &str) -> Result<(Arc<Named>, bool), ArmError> {
        check_name(name)?;
        let mut named = self.named.lock().await;
        if let Some(w) = named.get(name) {
            return Ok((w.clone(), false));
        }
        if named.len() >= self.config.max_worlds {
            return Err(ArmError::world_limit_reached(self.config.max_worlds));
        }
        let c = &self.config;
        let data_dir = c.data_dir.as_ref().map(|d| d.join("worlds").join(name));
        let (world, changed) = crate::build_world(&c.world, &c.clock, c.source.as_ref(), data_dir.as_deref())
            .map_err(|e| ArmError::world_not_started(name, e))?;
        let dns_config = DnsConfig { world_changed: Some(changed), ..c.dns.clone() };
        let dns =
            DnsServer::start(world.clone(), dns_config).await.map_err(|e| ArmError::world_not_started(name, e))?;
        let arm = ArmState::new(world.clone(), c.arm.clone(), c.world.seed, &self.base_url(name));
        let tls_router = self.https_base_url.get().map(|base| {
            let arm = arm.with_base_url(&format!("{base}/worlds/{name}"));
            app::faces(arm, dns.handle(), c.connections.clone())
        });
        let router = app::faces(arm, dns.handle(), c.connections.clone());
        let dns_handle = dns.handle();
        let w = Arc::new(Named { router, tls_router, world, dns: tokio::sync::Mutex::new(Some(dns)), dns_handle });
        named.insert(name.to_string(), w.clone());
        tracing::info!("world '{name}' started");
        Ok((w, true))
    }

    fn base_url(&self, name: &str) -> String {
        format!("{}/worlds/{name}", self.config.base_url.trim_end_matches('/'))
    }

    fn describe(&self, name: &str, w: &Named) -> Value {
        json!({
            "name": name,
            "arm": self.base_url(name),
            "resources": w.world.read(|x| x.resource_count()),
            "dns": w.dns_handle.listeners(),
        })
    }

    /// Stops every named world's DNS listeners.
    pub async fn stop_all(&self) {
        let all = std::mem::take(&mut *self.named.lock().await);
        for (_, w) in all {
            if let Some(dns) = w.dns.lock().await.take() {
                dns.stop().await;
            }
        }
    }
}

/// The routes: the registry under `/_emulator/worlds`, and every request under `/worlds/{name}`
/// (`tls`: the HTTPS listener's, whose worlds name themselves by its URL).
pub fn router(worlds: Arc<Worlds>, tls: bool) -> Router {
    let registry = Router::new()
        .route("/_emulator/worlds", get(list))
        .route("/_emulator/worlds/{name}", get(show).put(create).delete(remove))
        .with_state(worlds.clone());
    let requests = Router::new()
        .route("/worlds/{name}", any(dispatch))
        .route("/worlds/{name}/{*rest}", any(dispatch))
        .with_state((worlds, tls));
    registry.merge(requests)
}

async fn list(State(worlds): State<Arc<Worlds>>) -> Response {
    let named = worlds.named.lock().await.clone();
    let value: Vec<Value> = named.iter().map(|(n, w)| worlds.describe(n, w)).collect();
    axum::Json(json!({ "value": value, "max": worlds.config.max_worlds })).into_response()
}

async fn show(State(worlds): State<Arc<Worlds>>, Path(name): Path<String>) -> Response {
    let found = worlds.named.lock().await.get(&name).cloned();
    match found {
        Some(w) => axum::Json(worlds.describe(&name, &w)).into_response(),
        None => answers::refusal(&ArmError::world_not_found(&name)),
    }
}

async fn create(State(worlds): State<Arc<Worlds>>, Path(name): Path<String>) -> Response {
    match worlds.get_or_create(&name).await {
        Ok((w, created)) => {
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            (status, axum::Json(worlds.describe(&name, &w))).into_response()
        }
        Err(e) => answers::refusal(&e),
    }
}

async fn remove(State(worlds): State<Arc<Worlds>>, Path(name): Path<String>) -> Response {
    if let Err(e) = check_name(&name) {
        return answers::refusal(&e);
    }
    let removed = worlds.named.lock().await.remove(&name);
    let Some(w) = removed else {
        return StatusCode::NO_CONTENT.into_response();
    };
    // Requests in flight hold the world until they end; its listeners stop now.
    if let Some(dns) = w.dns.lock().await.take() {
        dns.stop().await;
    }
    if let Some(dir) = worlds.config.data_dir.as_ref().map(|d| d.join("worlds").join(&name))
        && let Err(e) = std::fs::remove_dir_all(&dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("world '{name}': its data in {} stays: {e}", dir.display());
    }
    tracing::info!("world '{name}' removed");
    StatusCode::OK.into_response()
}

/// Hands a request under `/worlds/{name}` to that world, without the prefix.
async fn dispatch(State((worlds, tls)): State<(Arc<Worlds>, bool)>, mut req: Request) -> Response {
    let path = req.uri().path();
    let rest = path.strip_prefix("/worlds/").unwrap_or_default();
    let (name, inner) = match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    };
    let (world, _) = match worlds.get_or_create(&name).await {
        Ok(w) => w,
        Err(e) => return answers::refusal(&e),
    };
    let inner = match req.uri().query() {
        Some(q) => format!("{inner}?{q}"),
        None => inner,
    };
    match inner.parse::<Uri>() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(e) => return answers::refusal(&ArmError::invalid_request_content(e)),
    }
    // A new request with the same head and body: the extensions hold this route's path
    // parameters, which the world's own routes must not see.
    let (parts, body) = req.into_parts();
    let mut inner_req = Request::new(body);
    *inner_req.method_mut() = parts.method;
    *inner_req.uri_mut() = parts.uri;
    *inner_req.version_mut() = parts.version;
    *inner_req.headers_mut() = parts.headers;
    let router = if tls { world.tls_router.as_ref().unwrap_or(&world.router) } else { &world.router };
    match router.clone().oneshot(inner_req).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}
