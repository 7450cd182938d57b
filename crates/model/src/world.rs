//! The world: configuration, the [`Store`], long-running operations, and what every resource
//! type shares on PUT, PATCH, DELETE, GET and list — the checks ARM makes before a type's
//! own builder runs (container, registration, name, parent, location), identity, system
//! data, provisioning state, and the dispatch to the type's family module through the kind
//! table ([`crate::kinds`]). Subscriptions and groups live in [`crate::subscriptions`], lab
//! objects in [`crate::lab`], operations in [`crate::operations`]; changes enter through
//! [`World::apply`] ([`crate::door`]).
//!
//! Every mutating method checks the rules before it changes anything, so a refused request
//! leaves the world as it was. Time comes in as an argument (`now`): the world never reads
//! a clock.

use crate::clock::format_arm_time;
use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::ids::IdGenerator;
use crate::kinds::ResourceKind;
use crate::net::RecordSet;
use crate::operations::Operations;
pub use crate::operations::{Operation, OperationStatus, OperationTarget};
use crate::region;
use crate::resources::*;
use crate::rules::{self, RegionProfile};
use crate::store::Store;
pub use crate::subscriptions::{RegistrationState, ResourceGroup, Subscription, SubscriptionConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The default subscription every emulator starts with.
pub const DEFAULT_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
/// The tenant of the default subscription.
pub const DEFAULT_TENANT: &str = "72f988bf-0000-0000-0000-000000000000";

/// What the world starts from.
#[derive(Clone, Debug)]
pub struct WorldConfig {
    pub region_profile: RegionProfile,
    pub tenant_id: String,
    /// How long long-running operations stay in progress (0: done at the next request).
    pub lro_delay: Duration,
    /// Seed of every generated id.
    pub seed: u64,
    pub subscriptions: Vec<SubscriptionConfig>,
    /// Shown as `systemData.createdBy`.
    pub caller: String,
    /// How long an operation's status (and result) stays readable after it ended; then its
    /// URLs answer 404 `OperationNotFound`. Default [`DEFAULT_OPERATION_RETENTION`].
    pub operation_retention: Duration,
    /// At most this many ended operations are kept (the oldest go first, even inside the window).
    /// Default [`DEFAULT_MAX_FINISHED_OPERATIONS`].
    pub max_finished_operations: usize,
    /// At most this many DNS vantage points besides `public` (virtual networks and sites
    /// together: each has its own DNS listener). A PUT that would create one more is refused
    /// (409 `DnsListenerLimitReached`). Default [`DEFAULT_MAX_DNS_VANTAGES`].
    pub max_dns_vantages: usize,
}

/// Default of [`WorldConfig::operation_retention`]: 5 minutes.
pub const DEFAULT_OPERATION_RETENTION: Duration = Duration::minutes(5);
/// Default of [`WorldConfig::max_finished_operations`].
pub const DEFAULT_MAX_FINISHED_OPERATIONS: usize = 1000;
/// Default of [`WorldConfig::max_dns_vantages`].
pub const DEFAULT_MAX_DNS_VANTAGES: usize = 128;

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            region_profile: RegionProfile::Default,
            tenant_id: DEFAULT_TENANT.to_string(),
            lro_delay: Duration::ZERO,
            seed: 0,
            subscriptions: vec![SubscriptionConfig::registered(DEFAULT_SUBSCRIPTION, "arcemu default subscription")],
            caller: "arcemu-user@example.com".to_string(),
            operation_retention: DEFAULT_OPERATION_RETENTION,
            max_finished_operations: DEFAULT_MAX_FINISHED_OPERATIONS,
            max_dns_vantages: DEFAULT_MAX_DNS_VANTAGES,
        }
    }
}

/// Result of a PUT.
#[derive(Debug)]
pub struct PutOutcome {
    pub created: bool,
    /// The long-running operation tracking this write, for types that have one.
    pub operation: Option<String>,
    pub resource: Value,
}

/// Result of a DELETE.
#[derive(Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Nothing was there (ARM answers 204).
    NotFound,
    /// Removed synchronously.
    Deleted,
    /// A long-running delete started.
    Started(String),
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Value>,
    /// Key to continue after, when more items remain.
    pub continue_after: Option<String>,
}

/// One page of a list, each item already serialized (ARM JSON), so that a page's size is known
/// as it is built and no tree of values outlives its item.
#[derive(Debug)]
pub struct RawPage {
    pub items: Vec<Vec<u8>>,
    /// Key to continue after, when more items remain.
    pub continue_after: Option<String>,
}

/// How much one list page holds at most: `count` items, and `bytes` of serialized items (a
/// page stops before the item that would pass it; a single item larger than that still makes
/// a page of its own, so that a list always moves on).
#[derive(Clone, Copy, Debug)]
pub struct PageLimit {
    pub count: usize,
    pub bytes: usize,
}

/// Which resources a list holds.
#[derive(Clone, Copy, Debug)]
pub enum ListOf<'a> {
    Kind(ResourceKind),
    /// Several kinds, in key order (a private DNS zone's record sets).
    Kinds(&'a [ResourceKind]),
    /// Every top-level kind, in key order (the generic `/resources` list).
    TopLevel,
}

/// Where a list looks.
#[derive(Clone, Debug)]
pub enum ListScope {
    Subscription(String),
    ResourceGroup(ResourceId),
    /// Children (or extension resources) of one resource.
    Parent(ResourceId),
}

/// The emulated world. See the module docs.
pub struct World {
    pub(crate) config: WorldConfig,
    pub(crate) ids: IdGenerator,
    /// Every resource, group, subscription and lab object, with their indexes.
    pub(crate) store: Store,
    pub(crate) operations: Operations,
    /// `config.caller`, shared by every resource's `systemData`.
    pub(crate) caller: Arc<str>,
    /// Set while a change is applied for a load (`World::apply_quietly`): nobody reads the
    /// answer, so the write paths skip rendering it.
    pub(crate) quiet: bool,
}

impl World {
    pub fn new(config: WorldConfig) -> Self {
        let mut w = World {
            ids: IdGenerator::new(config.seed),
            store: Store::default(),
            operations: Operations::new(config.operation_retention, config.max_finished_operations),
            caller: config.caller.as_str().into(),
            quiet: false,
            config,
        };
        for s in w.config.subscriptions.clone() {
            w.add_subscription(&s);
        }
        w
    }

    pub fn config(&self) -> &WorldConfig {
        &self.config
    }

    pub fn ids(&self) -> &IdGenerator {
        &self.ids
    }

    // ================= resources =================

    /// Looks a resource up, with ARM's error for each missing level.
    pub fn resource(&self, id: &ResourceId) -> ArmResult<&Resource> {
        self.check_container(id)?;
        self.store.get(id.key()).ok_or_else(|| not_found(id))
    }

    /// The resource's ARM JSON.
    pub fn render(&self, id: &ResourceId) -> ArmResult<Value> {
        let r = self.resource(id)?;
        Ok(self.render_resource(r))
    }

    fn render_resource(&self, r: &Resource) -> Value {
        r.to_json(r.body.properties(self, r))
    }

    /// Subscription and resource group must exist (ARM checks these first).
    fn check_container(&self, id: &ResourceId) -> ArmResult<()> {
        self.subscription(id.subscription())?;
        let rg = id.resource_group().unwrap_or_default();
        let rg_id = ResourceId::resource_group_id(id.subscription(), rg);
        match self.store.group(rg_id.key()) {
            Some(_) => Ok(()),
            None => Err(ArmError::resource_group_not_found(rg)),
        }
    }

    /// A write into a resource group that is being deleted is refused, as ARM does (the
    /// resource would otherwise vanish with the group a moment later).
    fn check_group_writable(&self, id: &ResourceId) -> ArmResult<()> {
        let rg = id.resource_group().unwrap_or_default();
        let rg_id = ResourceId::resource_group_id(id.subscription(), rg);
        match self.store.group(rg_id.key()) {
            Some(g) if g.provisioning_state == ProvisioningState::Deleting => {
                Err(ArmError::resource_group_being_deleted(g.id.name()))
            }
            _ => Ok(()),
        }
    }

    /// The key prefix of a list's scope (which must exist).
    fn list_prefix(&self, scope: &ListScope) -> ArmResult<String> {
        Ok(match scope {
            ListScope::Subscription(s) => {
                self.subscription(s)?;
                format!("/subscriptions/{}/", s.to_ascii_lowercase())
            }
            ListScope::ResourceGroup(rg) => {
                self.check_container(rg)?;
                format!("{}/providers/", rg.key())
            }
            ListScope::Parent(p) => {
                self.resource(p)?;
                format!("{}/", p.key())
            }
        })
    }

    /// Lists resources of one kind, in id order, `limit` at a time after `after`.
    pub fn list(&self, scope: &ListScope, kind: ResourceKind, after: Option<&str>, limit: usize) -> ArmResult<Page> {
        let prefix = self.list_prefix(scope)?;
        let mut items = Vec::new();
        let mut last = None;
        let mut more = false;
        for r in self.store.of_kind_under(kind, &prefix, after) {
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(self.render_resource(r));
            last = Some(r.id.key().to_string());
        }
        Ok(Page { items, continue_after: if more { last } else { None } })
    }

    /// One page of a list, in id order after `after`, bounded by count and by serialized size
    /// ([`PageLimit`]); `view` shapes each item before it is serialized (the generic list's
    /// short view). Items are serialized one at a time, so a page costs its own bytes, not a
    /// tree of values.
    pub fn list_page(
        &self,
        scope: &ListScope,
        of: ListOf<'_>,
        after: Option<&str>,
        limit: PageLimit,
        view: impl Fn(Value) -> Value,
    ) -> ArmResult<RawPage> {
        let prefix = self.list_prefix(scope)?;
        let resources: Box<dyn Iterator<Item = &Resource>> = match of {
            ListOf::Kind(kind) => Box::new(self.store.of_kind_under(kind, &prefix, after)),
            ListOf::Kinds(kinds) => {
                Box::new(self.store.under_after(&prefix, after).filter(move |r| kinds.contains(&r.kind())))
            }
            ListOf::TopLevel => {
                Box::new(self.store.under_after(&prefix, after).filter(|r| r.kind().parent().is_none()))
            }
        };
        let mut page = RawPage { items: Vec::new(), continue_after: None };
        let mut bytes = 0usize;
        let mut last: Option<&str> = None;
        for r in resources {
            if page.items.len() >= limit.count.max(1) {
                page.continue_after = last.map(str::to_string);
                break;
            }
            let item = serde_json::to_vec(&view(self.render_resource(r))).map_err(ArmError::internal_server_error)?;
            if !page.items.is_empty() && bytes + item.len() > limit.bytes {
                page.continue_after = last.map(str::to_string);
                break;
            }
            bytes += item.len() + 1;
            page.items.push(item);
            last = Some(r.id.key());
        }
        Ok(page)
    }

    /// Clusters of a scope (by the cluster→scope index).
    pub fn clusters_of_scope(&self, scope: &ResourceId) -> Vec<&Resource> {
        self.store.clusters_of_scope(scope).collect()
    }

    /// `PUT` of any served resource type.
    pub(crate) fn put_resource(&mut self, id: &ResourceId, body: &Value, now: OffsetDateTime) -> ArmResult<PutOutcome> {
        let kind = ResourceKind::of(id).ok_or_else(|| invalid_type(id))?;
        self.check_container(id)?;
        self.check_group_writable(id)?;
        let registered = self.subscription(id.subscription())?.is_registered(kind.namespace());
        rules::pls_015_provider_registered(kind.namespace(), registered)?;
        kind.validate_name(id.name())?;
        if let Some(parent) = id.parent().filter(|_| kind.parent().is_some())
            && !self.store.contains(parent.key())
        {
            return Err(ArmError::parent_resource_not_found(&format!("{}/{}", parent.resource_type(), parent.name())));
        }
        let mut envelope: PutEnvelope = parse_input(body, "")?;
        let existing = self.store.get(id.key());
        if existing.is_some_and(|r| r.provisioning_state == ProvisioningState::Deleting) {
            return Err(ArmError::another_operation_in_progress(id.name()));
        }
        let location = if kind.global_location() {
            Some(resolve_global_location(envelope.location.as_deref(), kind.arm_type())?)
        } else if kind.tracked() {
            let loc = resolve_location(envelope.location.as_deref(), kind.arm_type())?;
            if let Some(old) = existing.and_then(|r| r.location).filter(|old| *old != loc) {
                return Err(ArmError::invalid_resource_location(
                    &format!("{}/{}", kind.arm_type(), id.name()),
                    old,
                    id.resource_group().unwrap_or_default(),
                    loc,
                ));
            }
            Some(loc)
        } else {
            None
        };
        let properties = envelope.properties.take().unwrap_or(Value::Null);
        let put = Put { id, kind, envelope: &envelope, properties: &properties, location, existing };
        let mut effects = Effects::default();
        let body = Body::build(self, &put, &mut effects)?;
        let identity = self.build_identity(kind, &envelope, existing)?.map(Box::new);
        let created = existing.is_none();
        let stamp: Arc<str> = format_arm_time(now).into();
        let system_data = match existing {
            Some(r) => SystemData { last_modified_at: stamp, ..r.system_data.clone() },
            None => SystemData {
                created_at: stamp.clone(),
                created_by: self.caller.clone(),
                last_modified_at: stamp,
                last_modified_by: self.caller.clone(),
            },
        };
        let provisioning_state = if !kind.long_running_put() {
            ProvisioningState::Succeeded
        } else if created {
            ProvisioningState::Accepted
        } else {
            ProvisioningState::Updating
        };
        let tags = envelope.tags.unwrap_or_default();
        let resource = Resource {
            id: id.clone(),
            location,
            tags,
            identity,
            kind_field: match kind {
                // Shown in its canonical spelling, like every ARM enum.
                ResourceKind::ConnectedCluster => {
                    crate::arc::cluster::cluster_kind(envelope.kind.as_deref())?.map(str::to_string)
                }
                _ => envelope.kind,
            },
            // Only extensions have a `plan` (marketplace extensions); other types ignore one.
            plan: envelope.plan.filter(|_| kind == ResourceKind::ClusterExtension).map(Box::new),
            system_data,
            provisioning_state,
            body,
            etag: kind.namespace().eq("Microsoft.Network").then(|| format!("W/\"{}\"", self.ids.guid())),
        };
        if let Some(old) = existing.filter(|r| r.kind() == ResourceKind::PrivateDnsZoneGroup).cloned() {
            self.on_delete(&old);
        }
        self.store.insert(resource);
        self.apply_effects(id, effects, now);
        let operation = kind.long_running_put().then(|| {
            self.start_operation(
                id.subscription(),
                kind.namespace(),
                location.unwrap_or("global"),
                OperationTarget::Put(id.clone()),
                now,
            )
        });
        // A load (`World::apply_quietly`) answers nobody: no body to render.
        let resource = if self.quiet { Value::Null } else { self.render(id)? };
        Ok(PutOutcome { created, operation, resource })
    }

    /// `PATCH`: tags for every tracked type; a few mutable properties where the real API has them.
    /// Private DNS zones, links and record sets take a merge of their properties (their SDKs'
    /// `update` operations), re-checked like a PUT.
    pub(crate) fn patch_resource(&mut self, id: &ResourceId, body: &Value, now: OffsetDateTime) -> ArmResult<Value> {
        let kind = ResourceKind::of(id).ok_or_else(|| invalid_type(id))?;
        if matches!(
            kind,
            ResourceKind::PrivateDnsZone
                | ResourceKind::VirtualNetworkLink
                | ResourceKind::ARecordSet
                | ResourceKind::CnameRecordSet
        ) {
            let current = self.render(id)?;
            if !body.is_object() {
                return Err(ArmError::invalid_request_content("The request content must be a JSON object."));
            }
            let mut merged = json!({ "properties": current.get("properties").cloned().unwrap_or(json!({})) });
            for key in ["location", "tags", "etag"] {
                if let Some(v) = current.get(key) {
                    merged[key] = v.clone();
                }
            }
            merge_json(&mut merged, body);
            self.put_resource(id, &merged, now)?;
            return self.render(id);
        }
        let registered = self.subscription(id.subscription())?.is_registered(kind.namespace());
        self.resource(id)?;
        self.check_group_writable(id)?;
        rules::pls_015_provider_registered(kind.namespace(), registered)?;
        let tags = parse_patch_tags(body)?;
        let props = body.get("properties").cloned().unwrap_or(Value::Null);
        let mut r = self.store.get(id.key()).cloned().ok_or_else(|| not_found(id))?;
        if let Some(t) = tags {
            r.tags = t;
        }
        if !props.is_null() {
            r.body.patch(&props)?;
        }
        r.system_data.last_modified_at = format_arm_time(now).into();
        self.store.insert(r);
        self.render(id)
    }

    /// `DELETE` of any served resource type. Children and extension resources go with it.
    pub(crate) fn delete_resource(&mut self, id: &ResourceId, now: OffsetDateTime) -> ArmResult<DeleteOutcome> {
        let kind = ResourceKind::of(id).ok_or_else(|| invalid_type(id))?;
        self.check_container(id)?;
        if !self.store.contains(id.key()) {
            return Ok(DeleteOutcome::NotFound);
        }
        if let Some(r) = self.store.get(id.key()) {
            r.body.check_delete(self, r)?;
        }
        if !kind.long_running_delete() {
            self.delete_tree(id);
            return Ok(DeleteOutcome::Deleted);
        }
        // A DELETE of a resource already being deleted joins the pending operation.
        if let Some(op) = self.operations.deleting(id.key()) {
            return Ok(DeleteOutcome::Started(op.to_string()));
        }
        let location = self.store.get(id.key()).and_then(|r| r.location).unwrap_or("global");
        self.store.update(id.key(), |r| r.provisioning_state = ProvisioningState::Deleting);
        Ok(DeleteOutcome::Started(self.start_operation(
            id.subscription(),
            kind.namespace(),
            location,
            OperationTarget::Delete(id.clone()),
            now,
        )))
    }

    // ---------- per-type builders (rules applied here) ----------

    fn build_identity(
        &self,
        kind: ResourceKind,
        env: &PutEnvelope,
        existing: Option<&Resource>,
    ) -> ArmResult<Option<Identity>> {
        let Some(input) = &env.identity else {
            if kind == ResourceKind::ConnectedCluster {
                return Err(ArmError::invalid_property("identity", "The property 'identity' is required."));
            }
            return Ok(None);
        };
        if input.kind == IdentityType::None {
            return Ok(Some(Identity {
                kind: IdentityType::None,
                principal_id: None,
                tenant_id: None,
                user_assigned: None,
            }));
        }
        if input.kind == IdentityType::UserAssigned {
            // Extensions take user-assigned identities (`CreateExtensionWithIdentity`, 2025-03-01);
            // the other emulated types' specs list SystemAssigned and None only.
            if kind != ResourceKind::ClusterExtension {
                return Err(ArmError::invalid_property(
                    "identity.type",
                    format!(
                        "The identity type 'UserAssigned' is not supported for resource type '{}'.",
                        kind.arm_type()
                    ),
                ));
            }
            let ids = input.user_assigned_identities.clone().filter(|m| !m.is_empty()).ok_or_else(|| {
                ArmError::invalid_property(
                    "identity.userAssignedIdentities",
                    "The property 'identity.userAssignedIdentities' is required when the identity type is 'UserAssigned'.",
                )
            })?;
            for id in ids.keys() {
                ResourceId::parse(id)
                    .map_err(|_| ArmError::linked_invalid_property_id(id, "identity.userAssignedIdentities"))?;
            }
            return Ok(Some(Identity {
                kind: IdentityType::UserAssigned,
                principal_id: None,
                tenant_id: None,
                user_assigned: Some(ids),
            }));
        }
        let principal = existing
            .and_then(|r| r.identity.as_ref())
            .and_then(|i| i.principal_id.clone())
            .unwrap_or_else(|| self.ids.guid());
        Ok(Some(Identity {
            kind: IdentityType::SystemAssigned,
            principal_id: Some(principal),
            tenant_id: Some(self.config.tenant_id.clone()),
            user_assigned: None,
        }))
    }

    // ---------- emulator-only operations ----------

    /// Deletes a resource with its children and extension resources, with the side effects
    /// a delete has in Azure (an endpoint's scope-side connection, a zone group's records).
    pub(crate) fn delete_tree(&mut self, id: &ResourceId) {
        let prefix = format!("{}/", id.key());
        let mut keys: Vec<String> = self.store.keys_under(&prefix);
        keys.push(id.key().to_string());
        for k in keys {
            if let Some(r) = self.store.remove(&k) {
                self.on_delete(&r);
            }
        }
    }

    /// Effects of deleting `r` on resources outside its tree.
    fn on_delete(&mut self, r: &Resource) {
        let mut fx = Effects::default();
        r.body.on_delete(r, &mut fx);
        for id in &fx.remove {
            self.store.remove(id.key());
        }
        for (rs, ip) in &fx.unwrite_records {
            let Some(Body::ARecordSet(a)) = self.store.get(rs.key()).map(|r| &r.body) else { continue };
            if a.a_records.iter().all(|x| x == ip) {
                self.store.remove(rs.key());
            } else {
                self.store.update(rs.key(), |set| {
                    if let Body::ARecordSet(a) = &mut set.body {
                        a.a_records.retain(|x| x != ip);
                    }
                });
            }
        }
    }

    /// Applies the side effects of a networking PUT that passed every check.
    fn apply_effects(&mut self, id: &ResourceId, plan: Effects, now: OffsetDateTime) {
        let stamp: Arc<str> = format_arm_time(now).into();
        let system_data = SystemData {
            created_at: stamp.clone(),
            created_by: self.caller.clone(),
            last_modified_at: stamp,
            last_modified_by: self.caller.clone(),
        };
        for child in &plan.remove_children {
            self.delete_tree(child);
        }
        for (cid, body) in plan.children {
            let sd = self.store.get(cid.key()).map(|r| r.system_data.clone()).unwrap_or_else(|| system_data.clone());
            let etag = Some(format!("W/\"{}\"", self.ids.guid()));
            self.store.insert(Resource {
                id: cid,
                location: None,
                tags: Tags::new(),
                identity: None,
                kind_field: None,
                plan: None,
                system_data: sd,
                provisioning_state: ProvisioningState::Succeeded,
                body,
                etag,
            });
        }
        if let Some((scope, name, status, description)) = plan.scope_connection {
            let _ = self.upsert_endpoint_connection(&scope, &name, &id.to_string(), status, now);
            let pec = scope.child("privateEndpointConnections", &name);
            self.store.update(pec.key(), |r| {
                if let Body::PrivateEndpointConnection(c) = &mut r.body {
                    c.description = description;
                }
            });
        }
        for (rs, ip) in plan.records {
            let existing = self.store.get(rs.key()).cloned();
            let mut set = existing.unwrap_or_else(|| Resource {
                id: rs.clone(),
                location: None,
                tags: Tags::new(),
                identity: None,
                kind_field: None,
                plan: None,
                system_data: system_data.clone(),
                provisioning_state: ProvisioningState::Succeeded,
                body: Body::ARecordSet(RecordSet {
                    ttl: 10,
                    a_records: Vec::new(),
                    cname: None,
                    metadata: Default::default(),
                }),
                etag: None,
            });
            // The last zone group to write a name wins, as in Azure (a second endpoint for the
            // same FQDN overwrites the first one's record).
            if let Body::ARecordSet(a) = &mut set.body {
                a.a_records = vec![ip];
            }
            set.etag = Some(self.ids.guid());
            self.store.insert(set);
        }
    }

    /// Children of one kind under `parent`, in id order (index range, no scan).
    pub(crate) fn children_of<'a>(
        &'a self,
        parent: &ResourceId,
        kind: ResourceKind,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        self.store.children_of(parent, kind)
    }

    /// Increases whenever the world changes.
    pub fn generation(&self) -> u64 {
        self.store.generation()
    }

    /// The store, for reads (its mutators are the world's own business).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Number of stored resources (all types).
    pub fn resource_count(&self) -> usize {
        self.store.len()
    }
}

pub(crate) fn not_found(id: &ResourceId) -> ArmError {
    ArmError::resource_not_found(&id.resource_type(), id.name(), id.resource_group().unwrap_or_default())
}

fn invalid_type(id: &ResourceId) -> ArmError {
    let resource_type = id.resource_type();
    ArmError::invalid_resource_type(
        resource_type.split_once('/').map_or("", |(_, t)| t),
        id.namespace().unwrap_or_default(),
    )
}

/// Checks and canonicalizes a location for a tracked type.
pub(crate) fn resolve_location(location: Option<&str>, resource_type: &str) -> ArmResult<&'static str> {
    let loc = location.filter(|l| !l.trim().is_empty()).ok_or_else(ArmError::location_required)?;
    region::normalize(loc).ok_or_else(|| {
        let available: Vec<&str> = region::REGIONS.iter().map(|r| r.name).collect();
        ArmError::location_not_available(loc, resource_type, &available.join(","))
    })
}

/// Private DNS zones and links live in `global` (ARM accepts any case and returns `global`).
fn resolve_global_location(location: Option<&str>, resource_type: &str) -> ArmResult<&'static str> {
    let loc = location.filter(|l| !l.trim().is_empty()).ok_or_else(ArmError::location_required)?;
    if loc.eq_ignore_ascii_case("global") {
        Ok("global")
    } else {
        Err(ArmError::location_not_available(loc, resource_type, "global"))
    }
}

/// JSON merge-patch: objects merge key by key, anything else replaces.
fn merge_json(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge_json(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// `{"tags": {...}}` of a PATCH; `None` when the body has no tags.
pub(crate) fn parse_patch_tags(body: &Value) -> ArmResult<Option<Tags>> {
    #[derive(serde::Deserialize)]
    struct TagsPatch {
        tags: Option<Tags>,
    }
    let p: TagsPatch = parse_input(body, "")?;
    Ok(p.tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::door::Change;

    #[test]
    fn a_list_page_stops_before_its_byte_budget_and_goes_on_after() {
        let now = crate::clock::ManualClock::DEFAULT_START;
        let mut w = World::new(WorldConfig::default());
        let rg = json!({"location": "eastus"});
        w.apply(now, Change::PutResourceGroup { subscription: DEFAULT_SUBSCRIPTION, name: "rg", body: &rg }).unwrap();
        let big = "x".repeat(1000);
        for i in 0..10 {
            let id = ResourceId::resource(
                DEFAULT_SUBSCRIPTION,
                "rg",
                "Microsoft.Network",
                "networkSecurityGroups",
                &format!("n{i}"),
            );
            let body = json!({"location": "eastus", "tags": {"big": big}});
            w.apply(now, Change::PutResource { id: &id, body: &body }).unwrap();
        }
        let scope = ListScope::Subscription(DEFAULT_SUBSCRIPTION.to_string());
        let of = ListOf::Kind(ResourceKind::NetworkSecurityGroup);
        let one = w.list_page(&scope, of, None, PageLimit { count: 100, bytes: usize::MAX }, |v| v).unwrap();
        let item = one.items[0].len();
        let budget = 3 * item + 10;
        let (mut after, mut seen, mut pages) = (None, 0, 0);
        loop {
            let page =
                w.list_page(&scope, of, after.as_deref(), PageLimit { count: 100, bytes: budget }, |v| v).unwrap();
            let size: usize = page.items.iter().map(|i| i.len() + 1).sum();
            assert!(size <= budget && page.items.len() == 3.min(10 - seen), "{} items, {size} bytes", page.items.len());
            seen += page.items.len();
            pages += 1;
            match page.continue_after {
                Some(a) => after = Some(a),
                None => break,
            }
        }
        assert_eq!((seen, pages), (10, 4));
        // A budget smaller than one item: one item per page, never an empty page.
        let page = w.list_page(&scope, of, None, PageLimit { count: 100, bytes: 1 }, |v| v).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.continue_after.is_some());
    }
}
