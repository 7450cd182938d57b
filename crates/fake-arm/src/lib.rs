//! # arcemu-fake-arm
//!
//! The Azure Resource Manager face of the emulator: an axum router that speaks ARM's
//! protocol (paths, `api-version`, bearer tokens, error envelope, 201/200 on PUT,
//! long-running operations, `nextLink` paging, request-id headers) and translates each
//! request into a call on the model's [`World`]. No rule lives here: every refusal comes
//! from `arcemu-model` and is only rendered ([`envelope`]).

pub mod api_versions;
pub mod envelope;
mod handlers;
pub mod route;
pub mod versions;

use arcemu_model::World;
use arcemu_model::clock::Clock;
use arcemu_model::ids::IdGenerator;
use axum::Router;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

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

/// What every handler shares: the world behind a lock, the clock, and the request-id source.
#[derive(Clone)]
pub struct ArmState {
    world: Arc<RwLock<World>>,
    /// Notified after every request that may have changed the world (other faces re-read).
    world_changed: Arc<tokio::sync::Notify>,
    clock: Arc<dyn Clock>,
    request_ids: Arc<IdGenerator>,
    config: Arc<ArmConfig>,
    /// Serialized GET bodies by resource key, valid while the world's generation is unchanged.
    get_cache: Arc<RwLock<std::collections::HashMap<String, (u64, axum::body::Bytes)>>>,
}

impl ArmState {
    pub fn new(world: Arc<RwLock<World>>, clock: Arc<dyn Clock>, config: ArmConfig, seed: u64) -> Self {
        // Request ids come from their own seeded stream so that they never shift the world's ids.
        Self {
            world,
            world_changed: Arc::new(tokio::sync::Notify::new()),
            clock,
            request_ids: Arc::new(IdGenerator::new(seed ^ 0x5eed_0a11)),
            config: Arc::new(config),
            get_cache: Arc::default(),
        }
    }

    pub fn world(&self) -> &Arc<RwLock<World>> {
        &self.world
    }

    /// Woken after every write; the DNS face listens to it.
    pub fn world_changed(&self) -> &Arc<tokio::sync::Notify> {
        &self.world_changed
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Read access after completing any due long-running operation.
    pub fn read(&self) -> RwLockReadGuard<'_, World> {
        let now = self.clock.now();
        {
            let w = self.world.read().unwrap_or_else(|p| p.into_inner());
            if !w.has_due_operations(now) {
                return w;
            }
        }
        drop(self.write());
        self.world.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The serialized ARM JSON of a resource, from the cache when the world has not changed
    /// since it was rendered (GETs are the hot path; rendering is most of their cost).
    pub fn cached_render(&self, id: &arcemu_model::ResourceId) -> Result<axum::body::Bytes, arcemu_model::ArmError> {
        /// Bound on cached bodies; the cache is simply emptied when it is full.
        const MAX_CACHED: usize = 4096;
        let w = self.read();
        let generation = w.generation();
        {
            let cache = self.get_cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some((g, bytes)) = cache.get(id.key())
                && *g == generation
            {
                return Ok(bytes.clone());
            }
        }
        let value = w.render(id)?;
        drop(w);
        let bytes = axum::body::Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        let mut cache = self.get_cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(id.key().to_string(), (generation, bytes.clone()));
        Ok(bytes)
    }

    /// Write access after completing any due long-running operation. When the guard is
    /// dropped, the clusters' connectivity is recomputed and listeners of
    /// [`Self::world_changed`] are woken.
    pub fn write(&self) -> WorldWrite<'_> {
        let now = self.clock.now();
        let mut guard = self.world.write().unwrap_or_else(|p| p.into_inner());
        guard.settle(now);
        WorldWrite { guard, now, notify: &self.world_changed }
    }
}

/// Exclusive access to the world for one request; see [`ArmState::write`].
pub struct WorldWrite<'a> {
    guard: RwLockWriteGuard<'a, World>,
    now: time::OffsetDateTime,
    notify: &'a tokio::sync::Notify,
}

impl std::ops::Deref for WorldWrite<'_> {
    type Target = World;
    fn deref(&self) -> &World {
        &self.guard
    }
}

impl std::ops::DerefMut for WorldWrite<'_> {
    fn deref_mut(&mut self) -> &mut World {
        &mut self.guard
    }
}

impl Drop for WorldWrite<'_> {
    fn drop(&mut self) {
        self.guard.refresh_connectivity(self.now);
        self.notify.notify_waiters();
    }
}

/// The ARM router: every path not claimed by another router is an ARM request.
pub fn router(state: ArmState) -> Router {
    Router::new().fallback(handlers::dispatch).with_state(state)
}
