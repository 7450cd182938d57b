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
use time::{Duration, OffsetDateTime};

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

/// The operation records, their due order, and when each ended one expires.
///
/// Bounded by design: an ended operation stays readable for the world's
/// [`WorldConfig::operation_retention`](crate::world::WorldConfig::operation_retention), then it is
/// removed ([`World::advance`] does it, through the door); and at most
/// [`WorldConfig::max_finished_operations`](crate::world::WorldConfig::max_finished_operations)
/// ended ones are kept (the oldest go first). In-progress operations are never dropped: each is
/// due within the configured delay.
pub struct Operations {
    records: HashMap<String, Operation>,
    due: BTreeSet<(OffsetDateTime, String)>,
    /// Key of a resource (or group) being deleted → its delete operation: a second DELETE
    /// joins it instead of starting another one that would later delete a re-created resource.
    deleting: HashMap<String, String>,
    /// Ended operations by the instant their record expires.
    expiry: BTreeSet<(OffsetDateTime, String)>,
    retention: Duration,
    max_finished: usize,
}

impl Operations {
    pub(crate) fn new(retention: Duration, max_finished: usize) -> Self {
        Self {
            records: HashMap::new(),
            due: BTreeSet::new(),
            deleting: HashMap::new(),
            expiry: BTreeSet::new(),
            retention: retention.max(Duration::ZERO),
            max_finished,
        }
    }

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

    /// The next instant something happens on its own: an operation is due or a record expires.
    pub fn next_deadline(&self) -> Option<OffsetDateTime> {
        let expiry = self.expiry.first().map(|(t, _)| *t);
        match (self.earliest_due(), expiry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Marks the earliest operation due at `now` as succeeded and returns its target. Its
    /// record now expires after the retention window; past the count bound, the oldest ended
    /// record goes at once.
    pub(crate) fn complete_next(&mut self, now: OffsetDateTime) -> Option<OperationTarget> {
        let (t, id) = self.due.first().cloned().filter(|(t, _)| *t <= now)?;
        self.due.remove(&(t, id.clone()));
        let op = self.records.get_mut(&id)?;
        op.status = OperationStatus::Succeeded;
        op.ended = Some(t);
        if let OperationTarget::Delete(target) | OperationTarget::DeleteGroup(target) = &op.target {
            self.deleting.remove(target.key());
        }
        let target = op.target.clone();
        self.expiry.insert((t + self.retention, id));
        while self.expiry.len() > self.max_finished {
            let Some((_, oldest)) = self.expiry.pop_first() else { break };
            self.records.remove(&oldest);
        }
        Some(target)
    }

    /// Removes the ended records whose window closed at `now`; returns how many.
    pub(crate) fn expire(&mut self, now: OffsetDateTime) -> usize {
        let mut removed = 0;
        while let Some((t, _)) = self.expiry.first()
            && *t <= now
        {
            if let Some((_, id)) = self.expiry.pop_first() {
                self.records.remove(&id);
                removed += 1;
            }
        }
        removed
    }

    /// Number of kept records (in progress and ended).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Number of kept ended records.
    pub fn finished(&self) -> usize {
        self.expiry.len()
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

    /// The next instant the world changes on its own (an operation due, an operation record
    /// expiring); the door settles before answering after it.
    pub fn next_deadline(&self) -> Option<OffsetDateTime> {
        self.operations.next_deadline()
    }

    /// Number of kept operation records (in progress, and ended within the retention window).
    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }

    /// Removes the records of operations that ended more than the retention window before
    /// `now` (their status URLs then answer 404). Not a change of the world's resources: the
    /// generation stays.
    pub(crate) fn expire_operations(&mut self, now: OffsetDateTime) -> usize {
        self.operations.expire(now)
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

#[cfg(test)]
mod tests {
    use crate::clock::{Clock, ManualClock};
    use crate::door::SharedWorld;
    use crate::id::ResourceId;
    use crate::world::{DEFAULT_SUBSCRIPTION, OperationTarget, World, WorldConfig};
    use std::sync::Arc;
    use time::Duration;

    fn target(i: usize) -> OperationTarget {
        let id = format!(
            "/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/c{i}"
        );
        OperationTarget::Put(ResourceId::parse(&id).expect("id"))
    }

    fn world(retention: Duration, max_finished: usize) -> World {
        World::new(WorldConfig {
            operation_retention: retention,
            max_finished_operations: max_finished,
            lro_delay: Duration::seconds(1),
            ..WorldConfig::default()
        })
    }

    #[test]
    fn an_ended_operation_is_kept_for_the_window_then_removed() {
        let t0 = ManualClock::DEFAULT_START;
        let mut w = world(Duration::seconds(60), 100);
        let id = w.start_operation(DEFAULT_SUBSCRIPTION, "Microsoft.Kubernetes", "eastus", target(0), t0);
        assert_eq!(w.next_deadline(), Some(t0 + Duration::seconds(1)), "due first");
        w.advance(t0 + Duration::seconds(1));
        assert!(w.operation(&id).is_some_and(|o| o.ended.is_some()));
        assert_eq!(w.next_deadline(), Some(t0 + Duration::seconds(61)), "then its expiry");
        w.advance(t0 + Duration::seconds(60));
        assert!(w.operation(&id).is_some(), "inside the window");
        w.advance(t0 + Duration::seconds(61));
        assert!(w.operation(&id).is_none(), "past the window");
        assert_eq!((w.operation_count(), w.next_deadline()), (0, None));
    }

    #[test]
    fn at_most_max_finished_ended_operations_are_kept_oldest_first_out() {
        let t0 = ManualClock::DEFAULT_START;
        let mut w = world(Duration::minutes(5), 3);
        let ids: Vec<String> = (0..5)
            .map(|i| {
                let now = t0 + Duration::seconds(i as i64);
                w.start_operation(DEFAULT_SUBSCRIPTION, "Microsoft.Kubernetes", "eastus", target(i), now)
            })
            .collect();
        // One still in progress: never dropped.
        w.advance(t0 + Duration::seconds(4));
        assert_eq!(w.operation_count(), 4, "3 ended + 1 in progress");
        assert!(w.operation(&ids[0]).is_none() && w.operation(&ids[1]).is_some());
        assert!(w.operation(&ids[4]).is_some_and(|o| o.ended.is_none()));
        w.advance(t0 + Duration::seconds(5));
        assert_eq!(w.operation_count(), 3);
        assert!(w.operation(&ids[1]).is_none() && w.operation(&ids[4]).is_some());
    }

    #[test]
    fn a_read_through_the_door_expires_records_without_changing_the_generation() {
        let clock = Arc::new(ManualClock::default());
        let mut w = world(Duration::seconds(10), 100);
        let id = w.start_operation(DEFAULT_SUBSCRIPTION, "Microsoft.Kubernetes", "eastus", target(0), clock.now());
        let shared = SharedWorld::new(w, clock.clone());
        clock.advance(Duration::seconds(2));
        assert!(shared.read(|w| w.operation(&id).is_some_and(|o| o.ended.is_some())));
        let generation = shared.generation();
        clock.advance(Duration::seconds(10));
        assert!(shared.read(|w| w.operation(&id).is_none()), "the read settled the expiry first");
        assert_eq!(shared.generation(), generation);
        assert_eq!(shared.read(|w| w.operation_count()), 0);
    }
}
