//! Long-running operations: what ARM's `Azure-AsyncOperation` and `Location` URLs report
//! while a PUT or DELETE is in progress, and when each one is due. The world settles due
//! operations (and recomputes what depends on them) before it answers anything; this module
//! only keeps the records and the due order.

use crate::clock::format_arm_time;
use crate::id::ResourceId;
use crate::resources::ProvisioningState;
use crate::world::World;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;

/// Status of a long-running operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationStatus {
    InProgress,
    Succeeded,
}

impl OperationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::InProgress => "InProgress",
            OperationStatus::Succeeded => "Succeeded",
        }
    }
}

/// What a long-running operation does when it completes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationTarget {
    Put(ResourceId),
    Delete(ResourceId),
    DeleteGroup(ResourceId),
}

/// A long-running operation (`Azure-AsyncOperation` status resource).
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub subscription: String,
    pub namespace: &'static str,
    pub location: String,
    pub target: OperationTarget,
    pub status: OperationStatus,
    pub started: OffsetDateTime,
    pub due: OffsetDateTime,
    pub ended: Option<OffsetDateTime>,
}

impl Operation {
    pub fn is_delete(&self) -> bool {
        !matches!(self.target, OperationTarget::Put(_))
    }

    /// The operation-status body ARM returns.
    pub fn to_json(&self, status_url_path: &str) -> Value {
        let mut v = json!({
            "id": status_url_path,
            "name": self.id,
            "status": self.status.as_str(),
            "startTime": format_arm_time(self.started),
        });
        if let Some(e) = self.ended {
            v["endTime"] = json!(format_arm_time(e));
        }
        v
    }
}

/// The operation records and their due order.
#[derive(Default)]
pub struct Operations {
    records: HashMap<String, Operation>,
    due: BTreeSet<(OffsetDateTime, String)>,
    /// Key of a resource (or group) being deleted → its delete operation: a second DELETE
    /// joins it instead of starting another one that would later delete a re-created resource.
    deleting: HashMap<String, String>,
}

impl Operations {
    /// Records a new in-progress operation.
    pub(crate) fn start(&mut self, op: Operation) {
        if let OperationTarget::Delete(id) | OperationTarget::DeleteGroup(id) = &op.target {
            self.deleting.insert(id.key().to_string(), op.id.clone());
        }
        self.due.insert((op.due, op.id.clone()));
        self.records.insert(op.id.clone(), op);
    }

    pub fn get(&self, id: &str) -> Option<&Operation> {
        self.records.get(id)
    }

    /// The in-progress delete operation of a resource or group, by key.
    pub fn deleting(&self, key: &str) -> Option<&str> {
        self.deleting.get(key).map(String::as_str)
    }

    /// When the earliest in-progress operation is due.
    pub fn earliest_due(&self) -> Option<OffsetDateTime> {
        self.due.first().map(|(t, _)| *t)
    }

    /// Marks the earliest operation due at `now` as succeeded and returns its target.
    pub(crate) fn complete_next(&mut self, now: OffsetDateTime) -> Option<OperationTarget> {
        let (t, id) = self.due.first().cloned().filter(|(t, _)| *t <= now)?;
        self.due.remove(&(t, id.clone()));
        let op = self.records.get_mut(&id)?;
        op.status = OperationStatus::Succeeded;
        op.ended = Some(t);
        if let OperationTarget::Delete(target) | OperationTarget::DeleteGroup(target) = &op.target {
            self.deleting.remove(target.key());
        }
        Some(op.target.clone())
    }

    /// Number of kept records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

impl World {
    // ================= long-running operations =================

    pub(crate) fn start_operation(
        &mut self,
        subscription: &str,
        namespace: &'static str,
        location: &str,
        target: OperationTarget,
        now: OffsetDateTime,
    ) -> String {
        let id = self.ids.guid();
        self.operations.start(Operation {
            id: id.clone(),
            subscription: subscription.to_string(),
            namespace,
            location: location.to_string(),
            target,
            status: OperationStatus::InProgress,
            started: now,
            due: now + self.config.lro_delay,
            ended: None,
        });
        id
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.get(id)
    }

    /// When the earliest in-progress operation is due (the door settles before answering after it).
    pub fn earliest_due(&self) -> Option<OffsetDateTime> {
        self.operations.earliest_due()
    }

    /// Whether some operation is due at `now` (cheap: looks at the earliest one).
    pub fn has_due_operations(&self, now: OffsetDateTime) -> bool {
        self.operations.earliest_due().is_some_and(|t| t <= now)
    }

    /// Completes every operation due at `now`, in due order.
    pub(crate) fn settle(&mut self, now: OffsetDateTime) {
        while let Some(target) = self.operations.complete_next(now) {
            match target {
                OperationTarget::Put(id) => {
                    let running = self.store.get(id.key()).is_some_and(|r| {
                        matches!(r.provisioning_state, ProvisioningState::Accepted | ProvisioningState::Updating)
                    });
                    if running {
                        self.store.update(id.key(), |r| r.provisioning_state = ProvisioningState::Succeeded);
                    }
                }
                // Only what is still being deleted: never a resource created again meanwhile.
                OperationTarget::Delete(id) => {
                    if self.store.get(id.key()).is_some_and(|r| r.provisioning_state == ProvisioningState::Deleting) {
                        self.delete_tree(&id);
                    }
                }
                OperationTarget::DeleteGroup(rg) => {
                    for k in self.store.keys_under(&format!("{}/", rg.key())) {
                        if let Some(id) = self.store.get(&k).map(|r| r.id.clone()) {
                            self.delete_tree(&id);
                        }
                    }
                    self.store.remove_group(rg.key());
                }
            }
        }
    }
}
