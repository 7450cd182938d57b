//! The store: subscriptions, resource groups, resources and lab objects, with every index
//! the rules read. Its fields are private; its only mutators are `insert`/`update`/`remove`
//! (and their lab and group counterparts), which keep each index and the [`Store::generation`]
//! in step. Nothing else can change the world's data, so no caller can forget an index or
//! leave a face serving a stale answer.

use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use crate::lab::{ForwarderVm, LabCluster, Site};
use crate::resources::Resource;
use crate::world::{ResourceGroup, Subscription};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::ops::Bound;
use std::sync::Arc;

/// A resource's key (its id lower-cased), shared by the resource map and every index that
/// names the resource: one allocation per resource, however many indexes list it.
type Key = Arc<str>;

/// An index entry a resource contributes (see `ResourceType::index`); keys are lower-case
/// resource keys. The store adds them on insert and removes the same ones on remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexEntry {
    /// A connected cluster associated with this scope.
    ClusterOfScope(String),
    /// A connected cluster in (subscription, region) (PLS-011's candidates).
    ClusterInRegion(String, &'static str),
    /// A custom location on this host cluster (PLS-008).
    CustomLocationOnHost(String),
    /// A resource occupying this subnet, with the private addresses it holds there.
    InSubnet { subnet: String, addresses: Vec<Ipv4Addr> },
    /// A subnet associated with this network security group.
    NsgOfSubnet(String),
    /// A private endpoint in `vnet` targeting `scope` (PLS-001).
    EndpointToScope { vnet: String, scope: String },
    /// A private endpoint holding this address (DNS-005, data plane).
    EndpointAddress(Ipv4Addr),
    /// The link between `zone` and `vnet`.
    ZoneLink { zone: String, vnet: String },
}

/// See the module docs.
#[derive(Default)]
pub struct Store {
    subscriptions: BTreeMap<String, Subscription>,
    resource_groups: BTreeMap<String, ResourceGroup>,
    /// Boxed: the map's nodes then hold pointers, not the resources themselves (a node has
    /// room for 11 entries and is often half full).
    resources: BTreeMap<Key, Box<Resource>>,
    // ---- indexes (derived from `resources` by `index`/`unindex` only) ----
    by_kind: BTreeSet<(ResourceKind, Key)>,
    clusters_by_scope: HashMap<String, BTreeSet<Key>>,
    clusters_by_sub_region: BTreeMap<(String, &'static str), BTreeSet<Key>>,
    custom_locations_by_host: HashMap<String, BTreeSet<Key>>,
    /// Private addresses in use per subnet.
    subnet_ips: HashMap<String, BTreeSet<u32>>,
    /// Resources that occupy each subnet.
    subnet_users: HashMap<String, BTreeSet<Key>>,
    /// Subnets associated with each network security group.
    nsg_subnets: HashMap<String, BTreeSet<Key>>,
    /// Per virtual network: the scopes its private endpoints target, with those endpoints (PLS-001).
    vnet_scopes: HashMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// (zone, virtual network) → the link between them.
    zone_links: HashMap<(String, String), String>,
    /// Per virtual network: the private DNS zone links that name it.
    links_by_vnet: HashMap<String, BTreeSet<Key>>,
    /// Private endpoint addresses → the endpoints holding them.
    pe_by_address: HashMap<u32, BTreeSet<Key>>,
    // ---- lab objects ----
    sites: BTreeMap<String, Site>,
    lab_clusters: BTreeMap<String, LabCluster>,
    /// Connected cluster key → the lab cluster bound to it.
    lab_by_cc: HashMap<String, String>,
    forwarder_vms: BTreeMap<String, ForwarderVm>,
    /// Bumped by every mutator.
    generation: u64,
}

impl Store {
    /// Increases whenever anything in the store changes.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Continues the generation of the world this store replaces (a reset), so that nothing
    /// keyed by generation (the GET cache, the DNS face's sync) mistakes it for the old one.
    pub(crate) fn follow(&mut self, previous_generation: u64) {
        self.generation = self.generation.max(previous_generation) + 1;
    }

    fn bump(&mut self) {
        self.generation += 1;
    }

    // ================= subscriptions =================

    pub fn subscription(&self, id: &str) -> Option<&Subscription> {
        self.subscriptions.get(&id.to_ascii_lowercase())
    }

    pub fn subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.values()
    }

    /// Adds or replaces a subscription.
    pub fn put_subscription(&mut self, s: Subscription) {
        self.bump();
        self.subscriptions.insert(s.id.to_ascii_lowercase(), s);
    }

    /// Changes a subscription in place; false when it does not exist.
    pub fn update_subscription(&mut self, id: &str, f: impl FnOnce(&mut Subscription)) -> bool {
        let Some(s) = self.subscriptions.get_mut(&id.to_ascii_lowercase()) else { return false };
        f(s);
        self.generation += 1;
        true
    }

    // ================= resource groups =================

    pub fn group(&self, key: &str) -> Option<&ResourceGroup> {
        self.resource_groups.get(key)
    }

    /// Resource groups whose key starts with `prefix` (a subscription's: `/subscriptions/{s}/`).
    pub fn groups_under<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a ResourceGroup> + 'a {
        prefix_range(&self.resource_groups, prefix).map(|(_, g)| g)
    }

    pub fn put_group(&mut self, g: ResourceGroup) {
        self.bump();
        self.resource_groups.insert(g.id.key().to_string(), g);
    }

    pub fn update_group(&mut self, key: &str, f: impl FnOnce(&mut ResourceGroup)) -> bool {
        let Some(g) = self.resource_groups.get_mut(key) else { return false };
        f(g);
        self.generation += 1;
        true
    }

    pub fn remove_group(&mut self, key: &str) -> Option<ResourceGroup> {
        let g = self.resource_groups.remove(key)?;
        self.bump();
        Some(g)
    }

    // ================= resources =================

    pub fn get(&self, key: &str) -> Option<&Resource> {
        self.resources.get(key).map(|r| &**r)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.resources.contains_key(key)
    }

    /// `id`, or the stored resource's own id when it is spelled the same: the two then share
    /// their strings (a cluster naming its scope keeps no copy of the scope's id).
    pub fn shared_id(&self, id: ResourceId) -> ResourceId {
        match self.resources.get(id.key()) {
            Some(r) if r.id.as_str() == id.as_str() => r.id.clone(),
            _ => id,
        }
    }

    /// Number of stored resources (all types).
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Resources whose key starts with `prefix`, in key order (a group's, a resource's subtree).
    pub fn under<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        prefix_range(&self.resources, prefix).map(|(_, r)| &**r)
    }

    /// Resources whose key starts with `prefix`, in key order, starting after `after` when
    /// given (paging of lists that mix kinds).
    pub fn under_after<'a>(&'a self, prefix: &'a str, after: Option<&str>) -> impl Iterator<Item = &'a Resource> + 'a {
        let start = match after {
            Some(a) if a.as_bytes() >= prefix.as_bytes() => Bound::Excluded(a),
            _ => Bound::Included(prefix),
        };
        self.resources
            .range::<str, _>((start, Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(_, r)| &**r)
    }

    /// Keys under `prefix` (owned, for callers that then mutate).
    pub fn keys_under(&self, prefix: &str) -> Vec<String> {
        prefix_range(&self.resources, prefix).map(|(k, _)| k.to_string()).collect()
    }

    /// Every resource of one kind, in key order.
    pub fn of_kind(&self, kind: ResourceKind) -> impl Iterator<Item = &Resource> + '_ {
        self.by_kind
            .range((Bound::Included((kind, Key::from(""))), Bound::Unbounded))
            .take_while(move |(k, _)| *k == kind)
            .filter_map(|(_, key)| self.get(key))
    }

    /// Resources of one kind whose key starts with `prefix`, in key order, starting after
    /// `after` when given (list paging).
    pub fn of_kind_under<'a>(
        &'a self,
        kind: ResourceKind,
        prefix: &'a str,
        after: Option<&str>,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        let start = match after {
            Some(a) if a.as_bytes() >= prefix.as_bytes() => Bound::Excluded((kind, Key::from(a))),
            _ => Bound::Included((kind, Key::from(prefix))),
        };
        self.by_kind
            .range((start, Bound::Unbounded))
            .take_while(move |(k, key)| *k == kind && key.starts_with(prefix))
            .filter_map(|(_, key)| self.get(key))
    }

    /// Children of one kind under `parent`, in id order (index range, no scan).
    pub fn children_of<'a>(
        &'a self,
        parent: &ResourceId,
        kind: ResourceKind,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        let prefix = format!("{}/", parent.key());
        self.by_kind
            .range((Bound::Included((kind, Key::from(prefix.as_str()))), Bound::Unbounded))
            .take_while(move |(k, key)| *k == kind && key.starts_with(&prefix))
            .filter_map(|(_, key)| self.get(key))
    }

    /// Stores a resource (replacing any previous version) and indexes it.
    pub fn insert(&mut self, r: Resource) {
        self.bump();
        let key = r.id.shared_key().clone();
        if let Some(old) = self.resources.remove(&key) {
            self.unindex(&old);
        }
        self.index(&r);
        self.resources.insert(key, Box::new(r));
    }

    /// Changes a stored resource in place, re-indexing it; false when it does not exist.
    pub fn update(&mut self, key: &str, f: impl FnOnce(&mut Resource)) -> bool {
        let Some(r) = self.resources.get_mut(key) else { return false };
        let (mut before, mut after) = (Vec::new(), Vec::new());
        r.body.index(r, &mut before);
        let kind = r.kind();
        f(r);
        r.body.index(r, &mut after);
        let reindex = before != after || kind != r.kind();
        self.bump();
        // Most updates (an operation settling, a status) leave the index entries as they were.
        if reindex {
            let Some(r) = self.resources.remove(key) else { return false };
            self.unindex_entries(&r, kind, before);
            self.index(&r);
            self.resources.insert(r.id.shared_key().clone(), r);
        }
        true
    }

    /// Removes one resource and its index entries (no side effects on other resources).
    pub fn remove(&mut self, key: &str) -> Option<Resource> {
        let r = self.resources.remove(key)?;
        self.bump();
        self.unindex(&r);
        Some(*r)
    }

    // ---- index reads ----

    /// Connected clusters whose `privateLinkScopeResourceId` names this scope.
    pub fn clusters_of_scope(&self, scope: &ResourceId) -> impl Iterator<Item = &Resource> + '_ {
        self.clusters_by_scope.get(scope.key()).into_iter().flatten().filter_map(|k| self.get(k))
    }

    /// Connected clusters of a subscription in a region (PLS-011).
    pub fn clusters_in(&self, subscription: &str, region: &'static str) -> impl Iterator<Item = &Resource> + '_ {
        let key = (subscription.to_ascii_lowercase(), region);
        self.clusters_by_sub_region.get(&key).into_iter().flatten().filter_map(|k| self.get(k))
    }

    /// How many custom locations a connected cluster hosts (PLS-008).
    pub fn custom_locations_on(&self, host: &ResourceId) -> usize {
        self.custom_locations_by_host.get(host.key()).map_or(0, BTreeSet::len)
    }

    /// Private addresses in use in a subnet.
    pub fn subnet_ips(&self, subnet: &ResourceId) -> Option<&BTreeSet<u32>> {
        self.subnet_ips.get(subnet.key())
    }

    /// Resources occupying a subnet (endpoints, gateways, resolver endpoints, firewalls).
    pub fn subnet_users(&self, subnet: &ResourceId) -> impl Iterator<Item = &Resource> + '_ {
        self.subnet_users.get(subnet.key()).into_iter().flatten().filter_map(|k| self.get(k))
    }

    /// Subnets associated with a network security group.
    pub fn nsg_subnets(&self, nsg: &ResourceId) -> impl Iterator<Item = &Resource> + '_ {
        self.nsg_subnets.get(nsg.key()).into_iter().flatten().filter_map(|k| self.get(k))
    }

    /// The scopes a VNet's private endpoints target, each with those endpoints (PLS-001).
    pub fn vnet_scopes(&self, vnet: &ResourceId) -> Option<&BTreeMap<String, BTreeSet<String>>> {
        self.vnet_scopes.get(vnet.key())
    }

    /// The link between a zone and a virtual network, by key.
    pub fn zone_link(&self, zone: &ResourceId, vnet: &ResourceId) -> Option<&str> {
        self.zone_links.get(&(zone.key().to_string(), vnet.key().to_string())).map(String::as_str)
    }

    /// The private DNS zone links that name a virtual network.
    pub fn links_of_vnet(&self, vnet: &ResourceId) -> impl Iterator<Item = &Resource> + '_ {
        self.links_by_vnet.get(vnet.key()).into_iter().flatten().filter_map(|k| self.get(k))
    }

    /// Private endpoints that hold `ip`.
    pub fn endpoints_at(&self, ip: Ipv4Addr) -> impl Iterator<Item = &Resource> + '_ {
        self.pe_by_address.get(&u32::from(ip)).into_iter().flatten().filter_map(|k| self.get(k))
    }

    fn index(&mut self, r: &Resource) {
        let key = r.id.shared_key().clone();
        self.by_kind.insert((r.kind(), key.clone()));
        let mut entries = Vec::new();
        r.body.index(r, &mut entries);
        for entry in entries {
            match entry {
                IndexEntry::ClusterOfScope(scope) => {
                    self.clusters_by_scope.entry(scope).or_default().insert(key.clone());
                }
                IndexEntry::ClusterInRegion(sub, region) => {
                    self.clusters_by_sub_region.entry((sub, region)).or_default().insert(key.clone());
                }
                IndexEntry::CustomLocationOnHost(host) => {
                    self.custom_locations_by_host.entry(host).or_default().insert(key.clone());
                }
                IndexEntry::InSubnet { subnet, addresses } => {
                    self.subnet_users.entry(subnet.clone()).or_default().insert(key.clone());
                    self.subnet_ips.entry(subnet).or_default().extend(addresses.into_iter().map(u32::from));
                }
                IndexEntry::NsgOfSubnet(nsg) => {
                    self.nsg_subnets.entry(nsg).or_default().insert(key.clone());
                }
                IndexEntry::EndpointToScope { vnet, scope } => {
                    self.vnet_scopes.entry(vnet).or_default().entry(scope).or_default().insert(key.to_string());
                }
                IndexEntry::EndpointAddress(ip) => {
                    self.pe_by_address.entry(u32::from(ip)).or_default().insert(key.clone());
                }
                IndexEntry::ZoneLink { zone, vnet } => {
                    self.zone_links.insert((zone, vnet.clone()), key.to_string());
                    self.links_by_vnet.entry(vnet).or_default().insert(key.clone());
                }
            }
        }
    }

    fn unindex(&mut self, r: &Resource) {
        let mut entries = Vec::new();
        r.body.index(r, &mut entries);
        self.unindex_entries(r, r.kind(), entries);
    }

    /// Removes the index entries `r` had (as kind `kind`, with `entries`).
    fn unindex_entries(&mut self, r: &Resource, kind: ResourceKind, entries: Vec<IndexEntry>) {
        let key = r.id.key();
        self.by_kind.remove(&(kind, r.id.shared_key().clone()));
        for entry in entries {
            match entry {
                IndexEntry::ClusterOfScope(scope) => remove_member(&mut self.clusters_by_scope, &scope, key),
                IndexEntry::ClusterInRegion(sub, region) => {
                    let k = (sub, region);
                    if let Some(set) = self.clusters_by_sub_region.get_mut(&k) {
                        set.remove(key);
                        if set.is_empty() {
                            self.clusters_by_sub_region.remove(&k);
                        }
                    }
                }
                IndexEntry::CustomLocationOnHost(host) => remove_member(&mut self.custom_locations_by_host, &host, key),
                IndexEntry::InSubnet { subnet, addresses } => {
                    remove_member(&mut self.subnet_users, &subnet, key);
                    if let Some(ips) = self.subnet_ips.get_mut(&subnet) {
                        for ip in addresses {
                            ips.remove(&u32::from(ip));
                        }
                        if ips.is_empty() {
                            self.subnet_ips.remove(&subnet);
                        }
                    }
                }
                IndexEntry::NsgOfSubnet(nsg) => remove_member(&mut self.nsg_subnets, &nsg, key),
                IndexEntry::EndpointToScope { vnet, scope } => {
                    if let Some(scopes) = self.vnet_scopes.get_mut(&vnet) {
                        remove_member(scopes, &scope, key);
                        if scopes.is_empty() {
                            self.vnet_scopes.remove(&vnet);
                        }
                    }
                }
                IndexEntry::EndpointAddress(ip) => {
                    if let Some(set) = self.pe_by_address.get_mut(&u32::from(ip)) {
                        set.remove(key);
                        if set.is_empty() {
                            self.pe_by_address.remove(&u32::from(ip));
                        }
                    }
                }
                IndexEntry::ZoneLink { zone, vnet } => {
                    let k = (zone, vnet);
                    if self.zone_links.get(&k).is_some_and(|v| v == key) {
                        self.zone_links.remove(&k);
                    }
                    remove_member(&mut self.links_by_vnet, &k.1, key);
                }
            }
        }
    }

    // ================= lab objects =================

    pub fn site(&self, name: &str) -> Option<&Site> {
        self.sites.get(name)
    }

    pub fn sites(&self) -> impl Iterator<Item = &Site> {
        self.sites.values()
    }

    /// Adds or replaces a site; true when it was created.
    pub fn put_site(&mut self, site: Site) -> bool {
        self.bump();
        self.sites.insert(site.name.clone(), site).is_none()
    }

    pub fn remove_site(&mut self, name: &str) -> Option<Site> {
        let s = self.sites.remove(name)?;
        self.bump();
        Some(s)
    }

    pub fn forwarder_vms(&self) -> impl Iterator<Item = &ForwarderVm> {
        self.forwarder_vms.values()
    }

    /// Adds or replaces a forwarder VM; true when it was created.
    pub fn put_forwarder_vm(&mut self, vm: ForwarderVm) -> bool {
        self.bump();
        self.forwarder_vms.insert(vm.name.clone(), vm).is_none()
    }

    pub fn remove_forwarder_vm(&mut self, name: &str) -> Option<ForwarderVm> {
        let vm = self.forwarder_vms.remove(name)?;
        self.bump();
        Some(vm)
    }

    pub fn lab_cluster(&self, name: &str) -> Option<&LabCluster> {
        self.lab_clusters.get(name)
    }

    pub fn lab_clusters(&self) -> impl Iterator<Item = &LabCluster> {
        self.lab_clusters.values()
    }

    /// The lab cluster bound to a connected cluster.
    pub fn lab_of_connected_cluster(&self, cc: &ResourceId) -> Option<&LabCluster> {
        self.lab_by_cc.get(cc.key()).and_then(|n| self.lab_clusters.get(n))
    }

    /// Adds or replaces a lab cluster, keeping the connected-cluster binding index; true when created.
    pub fn put_lab_cluster(&mut self, c: LabCluster) -> bool {
        if let Some(old_cc) = self.lab_clusters.get(&c.name).and_then(LabCluster::connected_cluster_id) {
            self.lab_by_cc.remove(old_cc.key());
        }
        if let Some(cc) = c.connected_cluster_id() {
            self.lab_by_cc.insert(cc.key().to_string(), c.name.clone());
        }
        self.bump();
        self.lab_clusters.insert(c.name.clone(), c).is_none()
    }

    pub fn remove_lab_cluster(&mut self, name: &str) -> Option<LabCluster> {
        let c = self.lab_clusters.remove(name)?;
        if let Some(cc) = c.connected_cluster_id() {
            self.lab_by_cc.remove(cc.key());
        }
        self.bump();
        Some(c)
    }
}

fn remove_member<M: IndexMap>(index: &mut M, bucket: &str, key: &str) {
    index.remove_member(bucket, key);
}

/// A map of buckets of keys (hash or ordered).
trait IndexMap {
    fn remove_member(&mut self, bucket: &str, key: &str);
}

impl<K: Ord + std::borrow::Borrow<str>> IndexMap for HashMap<String, BTreeSet<K>> {
    fn remove_member(&mut self, bucket: &str, key: &str) {
        if let Some(set) = self.get_mut(bucket) {
            set.remove(key);
            if set.is_empty() {
                self.remove(bucket);
            }
        }
    }
}

impl<K: Ord + std::borrow::Borrow<str>> IndexMap for BTreeMap<String, BTreeSet<K>> {
    fn remove_member(&mut self, bucket: &str, key: &str) {
        if let Some(set) = self.get_mut(bucket) {
            set.remove(key);
            if set.is_empty() {
                self.remove(bucket);
            }
        }
    }
}

/// Entries of an ordered map whose keys start with `prefix`.
fn prefix_range<'a, K: Ord + std::borrow::Borrow<str>, V>(
    map: &'a BTreeMap<K, V>,
    prefix: &str,
) -> impl Iterator<Item = (&'a K, &'a V)> + 'a {
    let owned = prefix.to_string();
    map.range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        .take_while(move |(k, _)| (*k).borrow().starts_with(&owned))
}
