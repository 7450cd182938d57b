//! The one door into the world. Every change — an ARM write, an admin write, a world-file
//! entry — is a [`Change`] given to [`World::apply`], which does the whole write in the
//! model: settle the long-running operations that are due, check, mutate (through the
//! store, which bumps the generation), recompute what is derived (each bound cluster's
//! `connectivityStatus`), and return what a face needs to answer ([`Applied`]).
//!
//! [`SharedWorld`] is the world behind its lock, for the faces: [`SharedWorld::apply`] and
//! [`SharedWorld::read`] each take the lock once, run synchronously (never across an
//! await), and do nothing in `Drop`; a read that finds operations due settles them first
//! under the same (write) acquisition. Faces are told of changes through one hook.

use crate::clock::Clock;
use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::journal::{ChangeRecord, Entry, Record};
use crate::resources::ConnectionStatus;
use crate::world::{DeleteOutcome, World};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use time::OffsetDateTime;

/// A change to the world, as a face received it (bodies still unparsed: parsing is the model's).
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    /// `POST .../providers/{ns}/register|unregister`.
    SetRegistration {
        subscription: &'a str,
        namespace: &'a str,
        register: bool,
    },
    PutResourceGroup {
        subscription: &'a str,
        name: &'a str,
        body: &'a Value,
    },
    PatchResourceGroup {
        subscription: &'a str,
        name: &'a str,
        body: &'a Value,
    },
    DeleteResourceGroup {
        subscription: &'a str,
        name: &'a str,
    },
    PutResource {
        id: &'a ResourceId,
        body: &'a Value,
    },
    PatchResource {
        id: &'a ResourceId,
        body: &'a Value,
    },
    DeleteResource {
        id: &'a ResourceId,
    },
    /// The portal's "add resources" on a scope (PLS-011, then the cluster checks). All or nothing.
    AddClustersToScope {
        scope: &'a ResourceId,
        clusters: &'a [ResourceId],
    },
    /// A scope-side endpoint connection, as a private endpoint creates it (tests, world files).
    UpsertEndpointConnection {
        scope: &'a ResourceId,
        name: &'a str,
        private_endpoint: &'a str,
        status: ConnectionStatus,
    },
    PutSite {
        name: &'a str,
        body: &'a Value,
    },
    DeleteSite {
        name: &'a str,
    },
    PutForwarderVm {
        name: &'a str,
        body: &'a Value,
    },
    DeleteForwarderVm {
        name: &'a str,
    },
    /// `PUT` (`merge: false`) or `PATCH` (`merge: true`) of a private DNS zone's SOA record set.
    WriteZoneSoa {
        zone: &'a ResourceId,
        body: &'a Value,
        merge: bool,
    },
    PutLabCluster {
        name: &'a str,
        body: &'a Value,
    },
    DeleteLabCluster {
        name: &'a str,
    },
}

/// How a change went, in ARM's terms (the face picks the HTTP status from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Updated (or nothing to create): 200.
    Ok,
    /// 201.
    Created,
    /// A long-running operation started: 202.
    Accepted,
    /// Nothing was there to delete: 204.
    NoContent,
}

/// A long-running operation a change started, for the face's `Azure-AsyncOperation`,
/// `Location` and `Retry-After` headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationRef {
    pub id: String,
    pub subscription: String,
    pub namespace: &'static str,
    pub location: String,
    /// Seconds until it is due, rounded up.
    pub retry_after_secs: i64,
}

/// What a face needs to answer a change.
#[derive(Clone, Debug)]
pub struct Applied {
    pub status: Status,
    pub body: Option<Value>,
    pub operation: Option<OperationRef>,
}

impl Applied {
    fn new(status: Status, body: Option<Value>) -> Self {
        Self { status, body, operation: None }
    }

    fn created_or_ok(created: bool, body: Value) -> Self {
        Self::new(if created { Status::Created } else { Status::Ok }, Some(body))
    }

    fn deleted(existed: bool) -> Self {
        Self::new(if existed { Status::Ok } else { Status::NoContent }, None)
    }
}

fn to_json<T: serde::Serialize>(x: &T) -> ArmResult<Value> {
    serde_json::to_value(x).map_err(ArmError::internal_server_error)
}

impl World {
    /// Applies one change: settles due operations, checks and mutates, recomputes derived
    /// state. A refused change leaves the world as it was (apart from the settling, which
    /// would have happened at `now` anyway).
    pub fn apply(&mut self, now: OffsetDateTime, change: Change<'_>) -> ArmResult<Applied> {
        self.apply_answering(now, change, true)
    }

    /// [`World::apply`] for loading a world (a world file, a reset): the same change, without
    /// the answer rendered again after the refresh (nobody reads it).
    pub fn apply_quietly(&mut self, now: OffsetDateTime, change: Change<'_>) -> ArmResult<Applied> {
        self.quiet = true;
        let result = self.apply_answering(now, change, false);
        self.quiet = false;
        result
    }

    fn apply_answering(&mut self, now: OffsetDateTime, change: Change<'_>, answer: bool) -> ArmResult<Applied> {
        self.advance(now);
        let before = self.generation();
        let written = match &change {
            Change::PutResource { id, .. } | Change::PatchResource { id, .. } => Some((*id).clone()),
            _ => None,
        };
        let mut result = self.dispatch(now, change);
        if self.generation() != before {
            self.refresh_connectivity(now);
            // The answer shows what the refresh derived (a bound cluster's agent reports).
            if let (true, Ok(Applied { body: Some(body), .. }), Some(id)) = (answer, &mut result, &written)
                && let Ok(fresh) = self.render(id)
            {
                *body = fresh;
            }
        }
        result
    }

    /// Brings the world to `now`: completes due operations and recomputes what depends on
    /// them, then drops the operation records whose retention window has closed. Returns
    /// whether anything changed (expired records alone are no change of the resources).
    pub fn advance(&mut self, now: OffsetDateTime) -> bool {
        if self.next_deadline().is_none_or(|t| t > now) {
            return false;
        }
        let before = self.generation();
        if self.has_due_operations(now) {
            self.settle(now);
            self.refresh_connectivity(now);
        }
        self.expire_operations(now);
        self.generation() != before
    }

    fn dispatch(&mut self, now: OffsetDateTime, change: Change<'_>) -> ArmResult<Applied> {
        match change {
            Change::SetRegistration { subscription, namespace, register } => {
                let ns = self.set_registration(subscription, namespace, register)?;
                Ok(Applied::new(Status::Ok, Some(Value::String(ns.to_string()))))
            }
            Change::PutResourceGroup { subscription, name, body } => {
                let (created, json) = self.put_resource_group(subscription, name, body)?;
                Ok(Applied::created_or_ok(created, json))
            }
            Change::PatchResourceGroup { subscription, name, body } => {
                Ok(Applied::new(Status::Ok, Some(self.patch_resource_group(subscription, name, body)?)))
            }
            Change::DeleteResourceGroup { subscription, name } => {
                let op = self.delete_resource_group(subscription, name, now)?;
                Ok(Applied { operation: self.operation_ref(&op, now), ..Applied::new(Status::Accepted, None) })
            }
            Change::PutResource { id, body } => {
                let out = self.put_resource(id, body, now)?;
                let operation = out.operation.as_deref().and_then(|op| self.operation_ref(op, now));
                Ok(Applied { operation, ..Applied::created_or_ok(out.created, out.resource) })
            }
            Change::PatchResource { id, body } => {
                Ok(Applied::new(Status::Ok, Some(self.patch_resource(id, body, now)?)))
            }
            Change::DeleteResource { id } => Ok(match self.delete_resource(id, now)? {
                DeleteOutcome::NotFound => Applied::deleted(false),
                DeleteOutcome::Deleted => Applied::deleted(true),
                DeleteOutcome::Started(op) => {
                    Applied { operation: self.operation_ref(&op, now), ..Applied::new(Status::Accepted, None) }
                }
            }),
            Change::AddClustersToScope { scope, clusters } => {
                let value = self.add_clusters_to_scope(scope, clusters, now)?;
                Ok(Applied::new(Status::Ok, Some(serde_json::json!({ "value": value }))))
            }
            Change::UpsertEndpointConnection { scope, name, private_endpoint, status } => {
                let id = self.upsert_endpoint_connection(scope, name, private_endpoint, status, now)?;
                Ok(Applied::new(Status::Ok, Some(self.render(&id)?)))
            }
            Change::PutSite { name, body } => {
                let (created, site) = self.put_site(name, body)?;
                Ok(Applied::created_or_ok(created, to_json(&site)?))
            }
            Change::DeleteSite { name } => Ok(Applied::deleted(self.delete_site(name))),
            Change::PutForwarderVm { name, body } => {
                let (created, vm) = self.put_forwarder_vm(name, body)?;
                Ok(Applied::created_or_ok(created, to_json(&vm)?))
            }
            Change::DeleteForwarderVm { name } => Ok(Applied::deleted(self.delete_forwarder_vm(name))),
            Change::WriteZoneSoa { zone, body, merge } => {
                Ok(Applied::new(Status::Ok, Some(self.write_zone_soa(zone, body, merge)?)))
            }
            Change::PutLabCluster { name, body } => {
                let (created, c) = self.put_lab_cluster(name, body)?;
                Ok(Applied::created_or_ok(created, to_json(&c)?))
            }
            Change::DeleteLabCluster { name } => Ok(Applied::deleted(self.delete_lab_cluster(name))),
        }
    }

    fn operation_ref(&self, id: &str, now: OffsetDateTime) -> Option<OperationRef> {
        let op = self.operation(id)?;
        let wait = op.due - now;
        let retry_after_secs = (wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0)).max(0);
        Some(OperationRef {
            id: op.id.clone(),
            subscription: op.subscription.clone(),
            namespace: op.namespace,
            location: op.location.clone(),
            retry_after_secs,
        })
    }
}

/// Never due (no operation in progress).
const NEVER: i64 = i64::MAX;

fn nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.year() < 1970 { i64::MIN } else { NEVER })
}

/// Called after a lock acquisition that changed the world (outside the lock).
pub type ChangeHook = Box<dyn Fn() + Send + Sync>;

/// Where the journal's records go (a face's store on disk). [`SharedWorld`] appends each
/// record under the world's lock *before* the world changes, so the order on disk is the
/// order of the changes and nothing acknowledged is missing after a crash.
pub trait JournalSink: Send + Sync {
    /// Stores a record durably.
    fn append(&self, record: &Record) -> Result<(), String>;
    /// Forgets every record (the world is reset).
    fn clear(&self) -> Result<(), String>;
}

/// Changes to apply in order, given one at a time: a world file's entries can then be read as
/// they are applied instead of all held as JSON values at once (for a world of 100k clusters
/// those would outweigh the world built from them).
pub trait ChangeList {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The change at `position` (< `len`); a refusal when it cannot be read as a change.
    fn change(&self, position: usize) -> ArmResult<Cow<'_, ChangeRecord>>;
    /// Names the change at `position` in a refusal's message (a world file: `resources[3] (id)`).
    fn describe(&self, _position: usize, e: &ArmError) -> String {
        format!("{} {}: {}", e.status, e.code, e.message)
    }
}

impl ChangeList for Vec<ChangeRecord> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn change(&self, position: usize) -> ArmResult<Cow<'_, ChangeRecord>> {
        self.get(position).map(Cow::Borrowed).ok_or_else(|| ArmError::internal_server_error("no such change"))
    }
}

/// Where a reset to the baseline gets its changes: the world file the emulator started from,
/// which the root crate keeps or reads again. Asked before the lock is taken.
pub trait BaselineSource: Send + Sync {
    /// The changes that build the baseline on an empty world; a refusal when they cannot be
    /// had any more (the file changed or is gone).
    fn changes(&self) -> ArmResult<Box<dyn ChangeList>>;
}

/// The world behind its lock, with the clock; see the module docs.
pub struct SharedWorld {
    world: RwLock<World>,
    clock: Arc<dyn Clock>,
    /// The world's next deadline (an operation due, a record expiring; unix nanoseconds),
    /// readable without the lock, so that a read knows before locking whether it must settle
    /// (write) or not (read).
    next_deadline: AtomicI64,
    /// The world's generation as of the last release of the write lock.
    generation: AtomicU64,
    on_change: Vec<ChangeHook>,
    journal: Option<Box<dyn JournalSink>>,
    /// What [`SharedWorld::reset_to_baseline`] goes back to (none: an empty world).
    baseline: Option<Box<dyn BaselineSource>>,
    /// The world's settings, which never change (a reset keeps them): readable without the lock.
    config: crate::world::WorldConfig,
}

impl SharedWorld {
    pub fn new(world: World, clock: Arc<dyn Clock>) -> Self {
        let earliest = world.next_deadline().map_or(NEVER, nanos);
        let generation = world.generation();
        let config = world.config().clone();
        Self {
            world: RwLock::new(world),
            clock,
            next_deadline: AtomicI64::new(earliest),
            generation: AtomicU64::new(generation),
            on_change: Vec::new(),
            journal: None,
            baseline: None,
            config,
        }
    }

    /// Where the changes of a reset to the baseline come from (a loaded world file).
    pub fn with_baseline(mut self, source: Box<dyn BaselineSource>) -> Self {
        self.baseline = Some(source);
        self
    }

    /// Back to an empty world (`to_baseline == false`) or to the baseline: see
    /// [`SharedWorld::reset`]. The baseline's changes are had before the lock is taken.
    pub fn reset_to_baseline(&self, to_baseline: bool) -> Result<usize, (usize, ArmError)> {
        match (&self.baseline, to_baseline) {
            (Some(source), true) => self.reset(&*source.changes().map_err(|e| (0, e))?),
            _ => self.reset(&Vec::new()),
        }
    }

    /// Records every change (and every settling a read does) in `sink` before it happens; a
    /// change whose record cannot be stored is refused (503) and leaves the world as it was.
    pub fn with_journal(mut self, sink: Box<dyn JournalSink>) -> Self {
        self.journal = Some(sink);
        self
    }

    /// Adds a hook called (outside the lock) after every acquisition that changed the world.
    pub fn on_change(mut self, hook: ChangeHook) -> Self {
        self.on_change.push(hook);
        self
    }

    /// The world's settings (no lock taken: they never change).
    pub fn config(&self) -> &crate::world::WorldConfig {
        &self.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The world's generation (changes whenever anything in it does); no lock taken.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Applies a change at the clock's `now`: one write acquisition.
    pub fn apply(&self, change: Change<'_>) -> ArmResult<Applied> {
        let now = self.clock.now();
        self.write(|w| {
            self.journal(&Record::change(now, change)).map_err(ArmError::journal_write_failed)?;
            w.apply(now, change)
        })
    }

    /// Replaces the world by a new one with the same settings and `changes` applied (as loaded
    /// from a world file: see [`World::loaded_change`]), all or nothing, in one acquisition (no
    /// request sees the world in between): the changes are applied to the new world first, and
    /// only when all of them were accepted is the journal started again from them and the new
    /// world put in place. Returns the number of resources; a refusal names the change's position
    /// and leaves the world as it was.
    pub fn reset(&self, changes: &dyn ChangeList) -> Result<usize, (usize, ArmError)> {
        let now = self.clock.now();
        self.write(|w| {
            let mut fresh = World::new(w.config().clone());
            fresh.store.follow(w.generation());
            // Only a journal needs the changes as applied (kept until the world is in place).
            let mut loaded = Vec::with_capacity(if self.journal.is_some() { changes.len() } else { 0 });
            for i in 0..changes.len() {
                let change = changes.change(i).map_err(|e| (i, e))?;
                let rebound = fresh.loaded_change(&change);
                fresh.apply_quietly(now, rebound.as_ref().unwrap_or(&change).as_change()).map_err(|e| (i, e))?;
                if self.journal.is_some() {
                    loaded.push(rebound.unwrap_or_else(|| change.into_owned()));
                }
            }
            if let Some(j) = &self.journal {
                j.clear().map_err(|e| (0, ArmError::journal_write_failed(e)))?;
            }
            // A journal that held a world holds one still (an empty one, maybe): the marker
            // keeps a restart from taking it for a new data directory.
            self.journal(&Record::reset(now)).map_err(|e| (0, ArmError::journal_write_failed(e)))?;
            for (i, change) in loaded.into_iter().enumerate() {
                let record = Record { at: now.unix_timestamp_nanos(), entry: Entry::Change(change) };
                self.journal(&record).map_err(|e| (i, ArmError::journal_write_failed(e)))?;
            }
            *w = fresh;
            Ok(w.resource_count())
        })
    }

    fn journal(&self, record: &Record) -> Result<(), String> {
        match &self.journal {
            Some(j) => j.append(record),
            None => Ok(()),
        }
    }

    /// Reads the world as it is now. One acquisition: a read lock, or — when an operation is
    /// due or an operation record expires — a write lock under which the world is advanced
    /// before `f` runs.
    pub fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        let now = self.clock.now();
        if self.next_deadline.load(Ordering::Acquire) > nanos(now) {
            let w = self.world.read().unwrap_or_else(PoisonError::into_inner);
            // A writer may have started an operation due already between the check and the
            // lock; such a read is simply ordered before the settling (as if it came first).
            return f(&w);
        }
        self.write(|w| {
            // Recorded before settling, like a change. Should the record fail, the world
            // settles all the same (a read cannot be refused); replay then settles at the next
            // recorded change instead, with the same outcome for the resources.
            let _ = self.journal(&Record::advance(now));
            w.advance(now);
            f(w)
        })
    }

    fn write<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let (result, changed) = {
            let mut w = self.world.write().unwrap_or_else(PoisonError::into_inner);
            let result = f(&mut w);
            self.next_deadline.store(w.next_deadline().map_or(NEVER, nanos), Ordering::Release);
            let generation = w.generation();
            let changed = self.generation.swap(generation, Ordering::AcqRel) != generation;
            (result, changed)
        };
        if changed {
            for hook in &self.on_change {
                hook();
            }
        }
        result
    }
}
