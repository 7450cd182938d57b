//! The journal: every write acquisition of the world as a record that can be stored and
//! replayed. The model is deterministic (time is given, randomness is seeded), so a world
//! built with the same [`WorldConfig`] and given the same records in order is the same world,
//! down to ids, ETags and timestamps. A face that keeps the world across restarts writes each
//! record before the change is applied (see [`SharedWorld::with_journal`]) and replays them at
//! start ([`World::replay`]).
//!
//! Refused changes are recorded too: they may settle due operations, and recording them keeps
//! replay a plain loop with no judgement about what mattered.
//!
//! [`SharedWorld::with_journal`]: crate::SharedWorld::with_journal
//! [`WorldConfig`]: crate::WorldConfig

use crate::door::Change;
use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use crate::resources::ConnectionStatus;
use crate::world::World;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// One write acquisition: a change applied at `at`, or the world advanced to `at` by a read
/// that found operations due.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unix time in nanoseconds.
    pub at: i128,
    #[serde(flatten)]
    pub entry: Entry,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Entry {
    /// Operations settled (and connectivity recomputed) by a read.
    Advance,
    /// The world was replaced by an empty one (the changes that follow rebuild it).
    Reset,
    /// A change, as [`Change`] with owned values.
    Change(ChangeRecord),
}

/// [`Change`] with owned values, serializable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ChangeRecord {
    SetRegistration { subscription: String, namespace: String, register: bool },
    PutResourceGroup { subscription: String, name: String, body: Value },
    PatchResourceGroup { subscription: String, name: String, body: Value },
    DeleteResourceGroup { subscription: String, name: String },
    PutResource { id: ResourceId, body: Value },
    PatchResource { id: ResourceId, body: Value },
    DeleteResource { id: ResourceId },
    AddClustersToScope { scope: ResourceId, clusters: Vec<ResourceId> },
    UpsertEndpointConnection { scope: ResourceId, name: String, private_endpoint: String, status: ConnectionStatus },
    PutSite { name: String, body: Value },
    DeleteSite { name: String },
    PutForwarderVm { name: String, body: Value },
    DeleteForwarderVm { name: String },
    WriteZoneSoa { zone: ResourceId, body: Value, merge: bool },
    PutLabCluster { name: String, body: Value },
    DeleteLabCluster { name: String },
}

impl Record {
    pub fn change(at: OffsetDateTime, change: Change<'_>) -> Self {
        Record { at: at.unix_timestamp_nanos(), entry: Entry::Change(ChangeRecord::from(change)) }
    }

    pub fn advance(at: OffsetDateTime) -> Self {
        Record { at: at.unix_timestamp_nanos(), entry: Entry::Advance }
    }

    pub fn reset(at: OffsetDateTime) -> Self {
        Record { at: at.unix_timestamp_nanos(), entry: Entry::Reset }
    }

    /// The record's time; `None` when out of the range a date can hold (a corrupt record).
    pub fn time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(self.at).ok()
    }
}

impl From<Change<'_>> for ChangeRecord {
    fn from(change: Change<'_>) -> Self {
        let s = |x: &str| x.to_string();
        match change {
            Change::SetRegistration { subscription, namespace, register } => {
                ChangeRecord::SetRegistration { subscription: s(subscription), namespace: s(namespace), register }
            }
            Change::PutResourceGroup { subscription, name, body } => {
                ChangeRecord::PutResourceGroup { subscription: s(subscription), name: s(name), body: body.clone() }
            }
            Change::PatchResourceGroup { subscription, name, body } => {
                ChangeRecord::PatchResourceGroup { subscription: s(subscription), name: s(name), body: body.clone() }
            }
            Change::DeleteResourceGroup { subscription, name } => {
                ChangeRecord::DeleteResourceGroup { subscription: s(subscription), name: s(name) }
            }
            Change::PutResource { id, body } => ChangeRecord::PutResource { id: id.clone(), body: body.clone() },
            Change::PatchResource { id, body } => ChangeRecord::PatchResource { id: id.clone(), body: body.clone() },
            Change::DeleteResource { id } => ChangeRecord::DeleteResource { id: id.clone() },
            Change::AddClustersToScope { scope, clusters } => {
                ChangeRecord::AddClustersToScope { scope: scope.clone(), clusters: clusters.to_vec() }
            }
            Change::UpsertEndpointConnection { scope, name, private_endpoint, status } => {
                ChangeRecord::UpsertEndpointConnection {
                    scope: scope.clone(),
                    name: s(name),
                    private_endpoint: s(private_endpoint),
                    status,
                }
            }
            Change::PutSite { name, body } => ChangeRecord::PutSite { name: s(name), body: body.clone() },
            Change::DeleteSite { name } => ChangeRecord::DeleteSite { name: s(name) },
            Change::PutForwarderVm { name, body } => ChangeRecord::PutForwarderVm { name: s(name), body: body.clone() },
            Change::DeleteForwarderVm { name } => ChangeRecord::DeleteForwarderVm { name: s(name) },
            Change::WriteZoneSoa { zone, body, merge } => {
                ChangeRecord::WriteZoneSoa { zone: zone.clone(), body: body.clone(), merge }
            }
            Change::PutLabCluster { name, body } => ChangeRecord::PutLabCluster { name: s(name), body: body.clone() },
            Change::DeleteLabCluster { name } => ChangeRecord::DeleteLabCluster { name: s(name) },
        }
    }
}

impl ChangeRecord {
    /// The change this record holds, borrowing from it.
    pub fn as_change(&self) -> Change<'_> {
        match self {
            ChangeRecord::SetRegistration { subscription, namespace, register } => {
                Change::SetRegistration { subscription, namespace, register: *register }
            }
            ChangeRecord::PutResourceGroup { subscription, name, body } => {
                Change::PutResourceGroup { subscription, name, body }
            }
            ChangeRecord::PatchResourceGroup { subscription, name, body } => {
                Change::PatchResourceGroup { subscription, name, body }
            }
            ChangeRecord::DeleteResourceGroup { subscription, name } => {
                Change::DeleteResourceGroup { subscription, name }
            }
            ChangeRecord::PutResource { id, body } => Change::PutResource { id, body },
            ChangeRecord::PatchResource { id, body } => Change::PatchResource { id, body },
            ChangeRecord::DeleteResource { id } => Change::DeleteResource { id },
            ChangeRecord::AddClustersToScope { scope, clusters } => Change::AddClustersToScope { scope, clusters },
            ChangeRecord::UpsertEndpointConnection { scope, name, private_endpoint, status } => {
                Change::UpsertEndpointConnection { scope, name, private_endpoint, status: *status }
            }
            ChangeRecord::PutSite { name, body } => Change::PutSite { name, body },
            ChangeRecord::DeleteSite { name } => Change::DeleteSite { name },
            ChangeRecord::PutForwarderVm { name, body } => Change::PutForwarderVm { name, body },
            ChangeRecord::DeleteForwarderVm { name } => Change::DeleteForwarderVm { name },
            ChangeRecord::WriteZoneSoa { zone, body, merge } => Change::WriteZoneSoa { zone, body, merge: *merge },
            ChangeRecord::PutLabCluster { name, body } => Change::PutLabCluster { name, body },
            ChangeRecord::DeleteLabCluster { name } => Change::DeleteLabCluster { name },
        }
    }
}

impl World {
    /// A change read from a world file or a snapshot, aimed at this world. A scope's private
    /// endpoint connection is named after its endpoint with a generated suffix (`arc-pe.<guid>`),
    /// so a snapshot's connection names another id once the endpoint is created again: an entry
    /// for a connection that does not exist goes to the scope's connection from the same private
    /// endpoint (`properties.privateEndpoint.id`), if there is one: the change aimed there, or `None`
    /// when the change stays as it is.
    pub fn loaded_change(&self, change: &ChangeRecord) -> Option<ChangeRecord> {
        let ChangeRecord::PutResource { id, body } = change else { return None };
        if !id.key().contains("/privateendpointconnections/") || self.store.contains(id.key()) {
            return None;
        }
        let scope = id.parent().filter(|s| self.store.get(s.key()).is_some())?;
        let endpoint = body.pointer("/properties/privateEndpoint/id").and_then(Value::as_str)?;
        let same_endpoint = self.store.children_of(&scope, ResourceKind::PrivateEndpointConnection).find(|c| {
            self.render(&c.id).ok().is_some_and(|v| {
                v.pointer("/properties/privateEndpoint/id")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.eq_ignore_ascii_case(endpoint))
            })
        });
        same_endpoint.map(|c| ChangeRecord::PutResource { id: c.id.clone(), body: body.clone() })
    }

    /// Replays one journal record (its outcome, a refusal included, is what it was the first
    /// time). Errs only for a record whose time cannot be a date.
    pub fn replay(&mut self, record: &Record) -> Result<(), String> {
        let at = record.time().ok_or_else(|| format!("a journal record has an impossible time: {}", record.at))?;
        match &record.entry {
            Entry::Advance => {
                self.advance(at);
            }
            Entry::Reset => {
                let previous = self.generation();
                *self = World::new(self.config().clone());
                self.store.follow(previous);
            }
            Entry::Change(change) => {
                let _ = self.apply(at, change.as_change());
            }
        }
        Ok(())
    }
}
