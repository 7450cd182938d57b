//! # arcemu-fake-arm
//!
//! The Azure Resource Manager face of the emulator: an axum router that speaks ARM's
//! protocol (paths, `api-version`, bearer tokens, error envelope, 201/200 on PUT,
//! long-running operations, `nextLink` paging, request-id headers) and translates each
//! request into a call on the model's [`World`]. No rule lives here: every refusal comes
//! from `arcemu-model` and is only rendered ([`envelope`]).

/// Kept at its old path: the lists now live with the kind table in the model.
pub use arcemu_model::api_versions;
pub mod body;
mod deadline;
pub mod envelope;
mod handlers;
pub mod route;
pub mod versions;

pub use deadline::{BodyTimedOut, DeadlineBody, is_body_timeout};

use arcemu_model::ids::IdGenerator;
use arcemu_model::{ArmError, ResourceId, SharedWorld, World};
use axum::Router;
use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How the ARM face behaves (protocol knobs; the world's own settings live in `WorldConfig`).
#[derive(Clone, Debug)]
pub struct ArmConfig {
    /// Items per list page before a `nextLink` is given.
    pub page_size: usize,
    /// Largest request body accepted (ARM refuses larger ones).
    pub max_body_bytes: usize,
    /// Refuse requests without `Authorization: Bearer ...` (as ARM does).
    pub require_auth: bool,
    /// A list page ends once its items' serialized size reaches this many bytes (a page always
    /// holds at least one item), with a `nextLink` to continue.
    pub page_max_bytes: usize,
    /// Byte budget of the GET body cache.
    pub get_cache_max_bytes: usize,
    /// Time a request's whole head may take to arrive, from its first byte.
    pub header_read_timeout: Duration,
    /// Time a request's whole body may take to arrive, from the end of its head (408 after it).
    pub body_read_timeout: Duration,
    /// A connection with no request in progress and no byte moving for this long is closed.
    pub idle_timeout: Duration,
    /// Open connections at most; one more is answered 429 and closed at once.
    pub max_connections: usize,
}

/// Default of [`ArmConfig::page_max_bytes`]: 1 MiB.
pub const DEFAULT_PAGE_MAX_BYTES: usize = 1024 * 1024;
/// Default of [`ArmConfig::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`ArmConfig::body_read_timeout`].
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`ArmConfig::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default of [`ArmConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

impl Default for ArmConfig {
    fn default() -> Self {
        Self {
            page_size: 100,
            max_body_bytes: 4 * 1024 * 1024,
            require_auth: true,
            page_max_bytes: DEFAULT_PAGE_MAX_BYTES,
            get_cache_max_bytes: 32 * 1024 * 1024,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Bound on the number of cached GET bodies; the cache is simply emptied when it is full.
const MAX_CACHED: usize = 4096;

/// The GET body cache: serialized bodies by resource key, each with the world generation it
/// was rendered at. Bounded by count ([`MAX_CACHED`]) and by bytes
/// ([`ArmConfig::get_cache_max_bytes`]): when either would be passed it is emptied, and a body
/// larger than an eighth of the byte budget is never cached.
#[derive(Default)]
struct GetCache {
    bodies: HashMap<String, (u64, Bytes)>,
    bytes: usize,
}

impl GetCache {
    fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        self.bodies.get(key).filter(|(g, _)| *g == generation).map(|(_, b)| b.clone())
    }

    fn insert(&mut self, key: &str, generation: u64, body: Bytes, max_bytes: usize) {
        let cost = body.len() + key.len();
        if cost > max_bytes / 8 {
            self.remove(key);
            return;
        }
        self.remove(key);
        if self.bodies.len() >= MAX_CACHED || self.bytes + cost > max_bytes {
            self.bodies.clear();
            self.bytes = 0;
        }
        self.bytes += cost;
        self.bodies.insert(key.to_string(), (generation, body));
    }

    fn remove(&mut self, key: &str) {
        if let Some((_, old)) = self.bodies.remove(key) {
            self.bytes -= old.len() + key.len();
        }
    }
}

/// What every handler shares: the world (through its door), the request-id source, the
/// protocol settings and the GET body cache.
#[derive(Clone)]
pub struct ArmState {
    world: Arc<SharedWorld>,
    request_ids: Arc<IdGenerator>,
    config: Arc<ArmConfig>,
    /// `scheme://host[:port]` the emulator names itself by in the URLs it returns.
    base_url: Arc<str>,
    get_cache: Arc<Mutex<GetCache>>,
}

impl ArmState {
    /// `base_url` (`scheme://host[:port]`, no trailing slash) is what the URLs the face returns
    /// (`Azure-AsyncOperation`, `Location`, `nextLink`) start with: the emulator's own address
    /// or its public URL, never the request's `Host`.
    pub fn new(world: Arc<SharedWorld>, config: ArmConfig, seed: u64, base_url: &str) -> Self {
        // Request ids come from their own seeded stream so that they never shift the world's ids.
        Self {
            world,
            request_ids: Arc::new(IdGenerator::new(seed ^ 0x5eed_0a11)),
            config: Arc::new(config),
            get_cache: Arc::default(),
            base_url: Arc::from(base_url.trim_end_matches('/')),
        }
    }

    /// The same face (world, request ids, settings) naming itself by another base URL: the
    /// HTTPS listener's. Its GET cache is its own, since cached bodies may hold URLs.
    pub fn with_base_url(&self, base_url: &str) -> Self {
        Self {
            world: self.world.clone(),
            request_ids: self.request_ids.clone(),
            config: self.config.clone(),
            get_cache: Arc::default(),
            base_url: Arc::from(base_url.trim_end_matches('/')),
        }
    }

    /// The base URL of the URLs this face returns.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The protocol settings.
    pub fn config(&self) -> &ArmConfig {
        &self.config
    }

    /// The world's door: `read` and `apply`, each one lock acquisition.
    pub fn world(&self) -> &Arc<SharedWorld> {
        &self.world
    }

    /// Reads the world (settling due operations first); see [`SharedWorld::read`].
    pub fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        self.world.read(f)
    }

    /// The serialized ARM JSON of a resource, from the cache when the world has not changed
    /// since it was rendered (GETs are the hot path; rendering is most of their cost). The
    /// generation is read under the same lock acquisition as the render, so a cached body is
    /// exactly what a fresh render would give.
    pub fn cached_render(&self, id: &ResourceId) -> Result<Bytes, ArmError> {
        self.world.read(|w| {
            let generation = w.generation();
            let cache = self.get_cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(bytes) = cache.get(id.key(), generation) {
                return Ok(bytes);
            }
            drop(cache);
            let bytes = Bytes::from(serde_json::to_vec(&w.render(id)?).unwrap_or_default());
            let mut cache = self.get_cache.lock().unwrap_or_else(PoisonError::into_inner);
            cache.insert(id.key(), generation, bytes.clone(), self.config.get_cache_max_bytes);
            Ok(bytes)
        })
    }
}

/// The ARM router: every path not claimed by another router is an ARM request.
pub fn router(state: ArmState) -> Router {
    Router::new().fallback(handlers::dispatch).with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_get_cache_stays_within_its_byte_budget() {
        let mut cache = GetCache::default();
        let budget = 64 * 1024;
        for i in 0..1000 {
            cache.insert(&format!("/k{i}"), 1, Bytes::from(vec![b'x'; 1000 + i]), budget);
            assert!(cache.bytes <= budget, "{} > {budget}", cache.bytes);
            let counted: usize = cache.bodies.iter().map(|(k, (_, b))| k.len() + b.len()).sum();
            assert_eq!(counted, cache.bytes);
        }
        assert!(cache.get("/k999", 1).is_some() && cache.get("/k999", 2).is_none());
        // Too big for the cache: answered, never kept (and an older copy goes).
        cache.insert("/k999", 2, Bytes::from(vec![b'x'; budget / 4]), budget);
        assert!(cache.get("/k999", 1).is_none() && cache.get("/k999", 2).is_none());
    }
}
