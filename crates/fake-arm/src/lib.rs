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
pub mod envelope;
mod handlers;
pub mod route;
pub mod versions;

use arcemu_model::ids::IdGenerator;
use arcemu_model::{ArmError, ResourceId, SharedWorld, World};
use axum::Router;
use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// How the ARM face behaves (protocol knobs; the world's own settings live in `WorldConfig`).
#[derive(Clone, Debug)]
pub struct ArmConfig {
    /// Items per list page before a `nextLink` is given.
    pub page_size: usize,
    /// Largest request body accepted (ARM refuses larger ones).
    pub max_body_bytes: usize,
    /// Refuse requests without `Authorization: Bearer ...` (as ARM does).
    pub require_auth: bool,
}

impl Default for ArmConfig {
    fn default() -> Self {
        Self { page_size: 100, max_body_bytes: 4 * 1024 * 1024, require_auth: true }
    }
}

/// Bound on cached GET bodies; the cache is simply emptied when it is full.
const MAX_CACHED: usize = 4096;

/// What every handler shares: the world (through its door), the request-id source, the
/// protocol settings and the GET body cache.
#[derive(Clone)]
pub struct ArmState {
    world: Arc<SharedWorld>,
    request_ids: Arc<IdGenerator>,
    config: Arc<ArmConfig>,
    /// Serialized GET bodies by resource key, each with the world generation it was rendered at.
    get_cache: Arc<Mutex<HashMap<String, (u64, Bytes)>>>,
    /// `scheme://host[:port]` the emulator names itself by in the URLs it returns.
    base_url: Arc<str>,
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
            let mut cache = self.get_cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((g, bytes)) = cache.get(id.key())
                && *g == generation
            {
                return Ok(bytes.clone());
            }
            drop(cache);
            let bytes = Bytes::from(serde_json::to_vec(&w.render(id)?).unwrap_or_default());
            cache = self.get_cache.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(id.key().to_string(), (generation, bytes.clone()));
            Ok(bytes)
        })
    }
}

/// The ARM router: every path not claimed by another router is an ARM request.
pub fn router(state: ArmState) -> Router {
    Router::new().fallback(handlers::dispatch).with_state(state)
}
