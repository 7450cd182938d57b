//! The reference model: a deliberately small, independent statement of what the emulator
//! must do for the operations of the state machine ([`crate::machine::Op`]), written from
//! DESIGN.md and the seed, sharing no rule code with `arcemu-model`. It predicts each
//! operation's outcome (success, or the rule id / ARM code of the refusal), the DNS answer
//! from the hub VNet, and every cluster's verdicts and connectivity status.
//!
//! The universe is fixed so that states stay small: two subscriptions, three VNets, two
//! scopes, four private-endpoint slots, three clusters, one on-premises site, and a few extra
//! resource groups with non-ASCII names (each with one scope).
//!
//! Time: long-running operations take [`LRO_DELAY_MS`] of a manual clock that only the
//! `AdvanceClock` operation moves. A long-running PUT applies its body at once and reports
//! `Accepted` (create) or `Updating` (update) until due, then `Succeeded`; a long-running DELETE
//! reports `Deleting` and the resource keeps all its effects (DNS, data plane, rules) until the
//! delete is due, then it is gone with everything a delete takes with it. A PUT on a resource
//! being deleted is refused (409 `AnotherOperationInProgress`), and a write into a resource
//! group being deleted is refused (409 `ResourceGroupBeingDeleted`, as ARM answers). A second
//! DELETE of a resource being deleted is accepted and changes nothing: the resource is gone when
//! the first one is due, and a resource created again afterwards stays.

use std::collections::BTreeMap;

/// Regions used by the universe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    East,
    West,
}

impl Region {
    pub fn name(self) -> &'static str {
        match self {
            Region::East => "eastus",
            Region::West => "westus",
        }
    }
    /// Short code in `<short>.his.arc.azure.com`.
    pub fn short(self) -> &'static str {
        match self {
            Region::East => "eus",
            Region::West => "wus",
        }
    }
}

/// The subscription of each VNet (index) and cluster slot.
pub const VNET_SUB: [usize; 3] = [0, 1, 0];
pub const VNET_REGION: [Region; 3] = [Region::East, Region::East, Region::West];
pub const CLUSTER_SUB: [usize; 3] = [0, 0, 1];
/// Private-endpoint slots: (vnet, subnet).
pub const PE_SLOTS: [(usize, usize); 4] = [(0, 0), (0, 1), (1, 0), (2, 0)];

/// How a cluster PUT sets private link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    None,
    Scope(usize),
    /// `privateLinkState: Enabled` without a scope id.
    EnabledWithoutId,
    /// A scope id with `privateLinkState: Disabled`.
    IdWithoutEnabled(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conn {
    Approved,
    Pending,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub region: Region,
    pub public: bool,
    pub prov: Prov,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scope: usize,
    pub manual: bool,
    /// (fqdn, address) in allocation order.
    pub addresses: Vec<(String, [u8; 4])>,
    pub zone_group: bool,
    pub prov: Prov,
    /// The zone group's state (meaningful when `zone_group`).
    pub zone_group_prov: Prov,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub region: Region,
    /// `Some(scope)` when private link is enabled.
    pub scope: Option<usize>,
    /// `Connecting`, `Connected` or `Offline`.
    pub status: &'static str,
    pub prov: Prov,
}

/// What an operation answered: success, or the refusal's rule id (or ARM code when no rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Refused(String),
}

impl Outcome {
    pub fn refused(s: &str) -> Outcome {
        Outcome::Refused(s.to_string())
    }
}

/// How long a long-running operation stays in progress (manual clock, milliseconds).
pub const LRO_DELAY_MS: u64 = 10_000;

/// `properties.provisioningState` of a resource, with the time (ms of the manual clock) its
/// operation is due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Prov {
    #[default]
    Succeeded,
    Accepted(u64),
    Updating(u64),
    Deleting(u64),
}

impl Prov {
    pub fn as_str(self) -> &'static str {
        match self {
            Prov::Succeeded => "Succeeded",
            Prov::Accepted(_) => "Accepted",
            Prov::Updating(_) => "Updating",
            Prov::Deleting(_) => "Deleting",
        }
    }

    pub fn is_deleting(self) -> bool {
        matches!(self, Prov::Deleting(_))
    }

    /// After a PUT that passed every check, at `now`. A synchronous type is `Succeeded` at once.
    /// A PUT while an earlier one is in progress is accepted, reports `Updating`, and completes
    /// when the earlier one is due: the emulator completes a resource when the first of its
    /// pending PUT operations is due. (Whether Azure instead refuses a PUT while another is in
    /// progress is not documented; this follows the emulator.)
    pub fn after_put(previous: Option<Prov>, now: u64, long_running: bool) -> Prov {
        match previous {
            _ if !long_running => Prov::Succeeded,
            None => Prov::Accepted(now + LRO_DELAY_MS),
            Some(Prov::Accepted(due) | Prov::Updating(due) | Prov::Deleting(due)) => Prov::Updating(due),
            Some(Prov::Succeeded) => Prov::Updating(now + LRO_DELAY_MS),
        }
    }

    /// After a DELETE was accepted at `now`: a delete already in progress keeps its due time.
    pub fn after_delete(self, now: u64) -> Prov {
        match self {
            Prov::Deleting(due) => Prov::Deleting(due),
            _ => Prov::Deleting(now + LRO_DELAY_MS),
        }
    }

    /// At `now`: `None` when a delete has completed, the completed state otherwise.
    pub fn at(self, now: u64) -> Option<Prov> {
        match self {
            Prov::Deleting(due) if due <= now => None,
            Prov::Accepted(due) | Prov::Updating(due) if due <= now => Some(Prov::Succeeded),
            other => Some(other),
        }
    }
}

/// The extra resource groups, by index, in subscription 0. Azure allows letters and digits as
/// .NET's `Char.IsLetterOrDigit` defines them (any script), `-_.()`, up to 90, not ending in '.'.
/// The last one is refused: '½' is a number (Unicode No) but neither a letter nor a decimal digit.
/// (Its refusal is predicted with the emulator's code, `InvalidResourceGroupName`.)
pub const GROUPS: [&str; 4] = ["rg-café", "データ-(テスト)", "Ωmega.Straße_1", "rg-½"];
/// Whether Azure accepts each name of [`GROUPS`].
pub const GROUP_NAME_VALID: [bool; 4] = [true, true, true, false];
/// Tag values (free text, any characters) by index; tags are `{"owner": v, "coût": "42 €"}`.
pub const TAG_VALUES: [&str; 3] = ["Zürich – 東京", "café ☕ 🚀 \"quoted\" & <b>", "plain"];

/// An extra resource group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub tag: usize,
    /// When its delete is due, while it is being deleted.
    pub deleting: Option<u64>,
}

/// The private link scope `pls-g` inside an extra resource group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupScope {
    pub tag: usize,
    pub prov: Prov,
}

/// An extension `ext` on a cluster slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// Flux (documented for private link) or another type.
    pub documented: bool,
    pub prov: Prov,
}

/// The whole reference state.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub scopes: [Option<Scope>; 2],
    pub endpoints: [Option<Endpoint>; 4],
    /// Scope-side connection state of each endpoint slot (absent: deleted or never made).
    pub connections: [Option<Conn>; 4],
    pub clusters: [Option<Cluster>; 3],
    /// The custom location `cl-c{slot}` hosted by each cluster slot (kept when its host goes).
    pub custom_locations: [Option<Prov>; 3],
    /// A records of the three privatelink zones: (zone index, label) → addresses (empty set possible).
    pub records: BTreeMap<(usize, String), Vec<[u8; 4]>>,
    /// The three zones' links to vnet0 (always in the same state).
    pub links: Option<Prov>,
    /// The site-to-site VPN connection hq <-> vnet0.
    pub vpn: Option<Prov>,
    pub block_mcr: bool,
    pub sub2_kubernetes_registered: bool,
    /// Extensions by cluster slot.
    pub extensions: [Option<Extension>; 3],
    /// The fixed resources the setup creates at time 0 (VNets, zones, resolver, gateways).
    pub setup: Prov,
    /// The extra resource groups ([`GROUPS`]) and their scope `pls-g`.
    pub groups: [Option<Group>; 4],
    pub group_scopes: [Option<GroupScope>; 4],
    /// The manual clock, in milliseconds since the setup.
    pub now: u64,
    /// What the last clock move deleted, as the PUTs that create it again (a hint for the
    /// generator: sequences then often create again what a delete just took).
    pub just_deleted: Vec<crate::machine::Op>,
    /// The site's manual DNS records (fqdn → address), copied from pe0 when the site switched to
    /// manual DNS; `None` while the site forwards to the resolver.
    pub manual_dns: Option<BTreeMap<String, [u8; 4]>>,
    /// Outcome of the last operation.
    pub last: Option<Outcome>,
}

/// The three privatelink zones, by index.
pub const ZONES: [&str; 3] = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
];

/// The five Arc names of a region: (fqdn, zone index, label).
pub fn arc_names(r: Region) -> Vec<(String, usize, String)> {
    vec![
        ("gbl.his.arc.azure.com".into(), 0, "gbl".into()),
        (format!("{}.his.arc.azure.com", r.short()), 0, r.short().into()),
        ("agentserviceapi.guestconfiguration.azure.com".into(), 1, "agentserviceapi".into()),
        (format!("{}-gas.guestconfiguration.azure.com", r.name()), 1, format!("{}-gas", r.name())),
        (format!("{}.dp.kubernetesconfiguration.azure.com", r.name()), 2, r.name().into()),
    ]
}

/// Subnet base addresses of (vnet, subnet).
pub fn subnet_base(vnet: usize, subnet: usize) -> [u8; 3] {
    [10, vnet as u8 + 1, subnet as u8 + 1]
}

/// One endpoint's verdict as the explain API reports it: (verdict, rule or "-").
pub type Verdict = (String, String);

impl State {
    pub fn new() -> State {
        let created = Prov::after_put(None, 0, true);
        State {
            links: Some(created),
            vpn: Some(created),
            setup: created,
            sub2_kubernetes_registered: true,
            ..Default::default()
        }
    }

    /// The zones are linked to the hub (a link being deleted still resolves).
    pub fn zones_linked(&self) -> bool {
        self.links.is_some()
    }

    /// The site-to-site VPN is up (a connection being deleted still carries traffic).
    pub fn vpn_on(&self) -> bool {
        self.vpn.is_some()
    }

    /// Completes every operation due at `now`: PUTs report `Succeeded`, deletes take effect.
    /// (The order among deletes due together does not matter: their effects commute.)
    fn settle(&mut self) {
        use crate::machine::Op;
        let now = self.now;
        self.just_deleted.clear();
        self.setup = self.setup.at(now).unwrap_or(Prov::Succeeded);
        for slot in 0..2 {
            if let Some(sc) = self.scopes[slot].as_mut() {
                match sc.prov.at(now) {
                    Some(p) => sc.prov = p,
                    None => {
                        self.just_deleted.push(Op::PutScope { slot, region: sc.region, public: sc.public });
                        // Its endpoint connections go with it.
                        self.scopes[slot] = None;
                        for i in 0..4 {
                            if self.endpoints[i].as_ref().is_some_and(|e| e.scope == slot) {
                                self.connections[i] = None;
                            }
                        }
                    }
                }
            }
        }
        for slot in 0..4 {
            let Some(e) = self.endpoints[slot].as_mut() else { continue };
            e.zone_group_prov = e.zone_group_prov.at(now).unwrap_or(Prov::Succeeded);
            match e.prov.at(now) {
                Some(p) => e.prov = p,
                None => {
                    let region = VNET_REGION[PE_SLOTS[slot].0];
                    let (scope, manual) = (e.scope, e.manual);
                    self.just_deleted.push(Op::PutEndpoint { slot, scope, manual, region, group_ok: true });
                    // With its zone group (and the records it wrote) and its scope-side connection.
                    self.unwrite_records(slot);
                    self.endpoints[slot] = None;
                    self.connections[slot] = None;
                }
            }
        }
        for slot in 0..3 {
            if let Some(x) = self.extensions[slot].as_mut() {
                x.prov = x.prov.at(now).unwrap_or(Prov::Succeeded);
            }
            if let Some(c) = self.clusters[slot].as_mut() {
                match c.prov.at(now) {
                    Some(p) => c.prov = p,
                    None => {
                        self.just_deleted.push(Op::PutCluster { slot, region: c.region, link: Link::None });
                        self.clusters[slot] = None;
                        self.extensions[slot] = None;
                    }
                }
            }
            self.custom_locations[slot] = self.custom_locations[slot].and_then(|p| p.at(now));
        }
        self.links = self.links.and_then(|p| p.at(now));
        self.vpn = self.vpn.and_then(|p| p.at(now));
        for g in 0..GROUPS.len() {
            if self.groups[g].as_ref().and_then(|x| x.deleting).is_some_and(|due| due <= now) {
                self.just_deleted.push(Op::PutGroup { group: g, tag: 0 });
                self.groups[g] = None;
                self.group_scopes[g] = None;
            }
            if let Some(gs) = self.group_scopes[g].as_mut() {
                gs.prov = gs.prov.at(now).unwrap_or(Prov::Succeeded);
            }
        }
    }

    fn used_in_subnet(&self, slot: usize) -> Vec<[u8; 4]> {
        let (v, s) = PE_SLOTS[slot];
        (0..4)
            .filter(|i| PE_SLOTS[*i] == (v, s))
            .filter_map(|i| self.endpoints[i].as_ref())
            .flat_map(|e| e.addresses.iter().map(|(_, a)| *a))
            .collect()
    }

    fn write_records(&mut self, slot: usize) {
        if let Some(e) = &self.endpoints[slot] {
            for (fqdn, ip) in e.addresses.clone() {
                if let Some((_, zone, label)) = arc_names_for(&fqdn) {
                    self.records.insert((zone, label), vec![ip]);
                }
            }
        }
    }

    /// What removing a slot's zone group does to the records it wrote: its address leaves each
    /// of those record sets, and a set left empty is deleted (even one emptied by hand meanwhile:
    /// the emulator's choice; Azure does not document it).
    fn unwrite_records(&mut self, slot: usize) {
        if let Some(e) = self.endpoints[slot].as_ref().filter(|e| e.zone_group) {
            for (fqdn, ip) in e.addresses.clone() {
                if let Some((_, zone, label)) = arc_names_for(&fqdn) {
                    let key = (zone, label);
                    if let Some(set) = self.records.get_mut(&key) {
                        set.retain(|x| *x != ip);
                        if set.is_empty() {
                            self.records.remove(&key);
                        }
                    }
                }
            }
        }
    }

    /// The verdicts of a cluster slot's five endpoints, and whether the agents' services pass.
    pub fn verdicts(&self, slot: usize) -> Vec<Verdict> {
        let Some(c) = &self.clusters[slot] else { return Vec::new() };
        let v = |a: &str, b: &str| (a.to_string(), b.to_string());
        arc_names(c.region)
            .into_iter()
            .map(|(fqdn, zone, label)| {
                let resolved = match &self.manual_dns {
                    // Manual zones on the site answer by themselves; a name they lack is NXDOMAIN.
                    Some(records) => match records.get(&fqdn) {
                        Some(ip) => Some(*ip),
                        None => return v("Unreachable", "DNS-005"),
                    },
                    None => None,
                };
                if resolved.is_none() && !self.vpn_on() {
                    return v("Unreachable", "NET-001");
                }
                if resolved.is_none() && !self.zones_linked() {
                    return match c.scope.and_then(|s| self.scopes[s].as_ref().map(|x| x.public)) {
                        Some(false) => v("Refused", "PLS-006"),
                        _ => v("Public", "-"),
                    };
                }
                let Some(ip) = resolved.or_else(|| self.records.get(&(zone, label)).and_then(|r| r.first().copied()))
                else {
                    return v("Unreachable", "DNS-003");
                };
                let Some(owner) = (0..4)
                    .find(|i| self.endpoints[*i].as_ref().is_some_and(|e| e.addresses.iter().any(|(_, a)| *a == ip)))
                else {
                    return v("Unreachable", "DNS-005");
                };
                if PE_SLOTS[owner].0 != 0 || !self.vpn_on() {
                    return v("Unreachable", "NET-001");
                }
                if self.connections[owner] != Some(Conn::Approved) {
                    return v("Unreachable", "PLS-012");
                }
                let target = self.endpoints[owner].as_ref().map(|e| e.scope);
                match c.scope {
                    Some(s) if Some(s) == target => v("Private", "PLS-007"),
                    Some(_) => v("Refused", "PLS-007"),
                    None => v("Refused", "PLS-014"),
                }
            })
            .collect()
    }

    /// The status the emulator reports after the last change.
    fn refresh(&mut self) {
        for slot in 0..3 {
            let ok = !self.block_mcr && self.verdicts(slot).iter().all(|(v, _)| v == "Private" || v == "Public");
            if let Some(c) = self.clusters[slot].as_mut() {
                c.status = if ok {
                    "Connected"
                } else if c.status == "Connected" || c.status == "Offline" {
                    "Offline"
                } else {
                    "Connecting"
                };
            }
        }
    }

    /// (name, works privately, rule) of a cluster's extension, as the explain report lists it.
    pub fn extension_report(&self, slot: usize) -> Vec<(String, bool, String)> {
        let private = self.clusters[slot].as_ref().is_some_and(|c| c.scope.is_some());
        self.extensions[slot]
            .iter()
            .map(|x| ("ext".to_string(), !private || x.documented, "PLS-009".to_string()))
            .collect()
    }

    /// The addresses `gbl.his.arc.azure.com` has from the hub VNet, or the rcode.
    pub fn hub_gbl(&self) -> Result<Vec<[u8; 4]>, &'static str> {
        if !self.zones_linked() {
            return Ok(Vec::new()); // public: the test checks only that it is not private
        }
        match self.records.get(&(0, "gbl".to_string())) {
            Some(r) if !r.is_empty() => Ok(r.clone()),
            _ => Err("NxDomain"),
        }
    }
}

fn arc_names_for(fqdn: &str) -> Option<(String, usize, String)> {
    [Region::East, Region::West].into_iter().flat_map(arc_names).find(|(f, _, _)| f == fqdn)
}

/// Applies an operation to the reference state: the predicted outcome goes to `last`.
pub fn apply(mut s: State, op: &crate::machine::Op) -> State {
    use crate::machine::Op::*;
    let now = s.now;
    let busy = || Outcome::refused("AnotherOperationInProgress");
    let outcome = match *op {
        PutScope { slot, region, public } => match &s.scopes[slot] {
            Some(x) if x.prov.is_deleting() => busy(),
            Some(x) if x.region != region => Outcome::refused("InvalidResourceLocation"),
            previous => {
                // PUT of a scope is synchronous.
                let prov = Prov::after_put(previous.as_ref().map(|x| x.prov), now, false);
                s.scopes[slot] = Some(Scope { region, public, prov });
                Outcome::Ok
            }
        },
        DeleteScope { slot } => {
            if let Some(x) = s.scopes[slot].as_mut() {
                x.prov = x.prov.after_delete(now);
            }
            Outcome::Ok
        }
        PutEndpoint { slot, scope, manual, region, group_ok } => {
            let (vnet, _) = PE_SLOTS[slot];
            // Endpoints being deleted still hold their VNet (PLS-001) and their addresses.
            let others: Vec<usize> = (0..4)
                .filter(|i| *i != slot && PE_SLOTS[*i].0 == vnet)
                .filter_map(|i| s.endpoints[i].as_ref().map(|e| e.scope))
                .collect();
            match &s.scopes[scope] {
                _ if s.endpoints[slot].as_ref().is_some_and(|e| e.prov.is_deleting()) => busy(),
                // A resource keeps its region: checked before anything in the body.
                _ if s.endpoints[slot].is_some() && region != VNET_REGION[vnet] => {
                    Outcome::refused("InvalidResourceLocation")
                }
                // A scope being deleted is still a target (only a cluster's link checks its state).
                None => Outcome::refused("PrivateLinkServiceNotFound"),
                Some(_) if !group_ok => Outcome::refused("PLS-013"),
                Some(_) if region != VNET_REGION[vnet] => Outcome::refused("PLS-004"),
                Some(_) if VNET_SUB[vnet] != 0 => Outcome::refused("PLS-005"),
                Some(_) if others.iter().any(|o| *o != scope) => Outcome::refused("PLS-001"),
                Some(sc) => match &mut s.endpoints[slot] {
                    Some(e) if e.scope != scope || e.manual != manual => Outcome::refused("PropertyChangeNotAllowed"),
                    Some(e) => {
                        e.prov = Prov::after_put(Some(e.prov), now, true);
                        Outcome::Ok
                    }
                    None => {
                        let used = s.used_in_subnet(slot);
                        let base = subnet_base(vnet, PE_SLOTS[slot].1);
                        let mut free = (4u8..255).map(|h| [base[0], base[1], base[2], h]).filter(|a| !used.contains(a));
                        let addresses = arc_names(sc.region)
                            .into_iter()
                            .map(|(f, _, _)| (f, free.next().unwrap_or([0; 4])))
                            .collect();
                        s.endpoints[slot] = Some(Endpoint {
                            scope,
                            manual,
                            addresses,
                            zone_group: false,
                            prov: Prov::after_put(None, now, true),
                            zone_group_prov: Prov::Succeeded,
                        });
                        s.connections[slot] = Some(if manual { Conn::Pending } else { Conn::Approved });
                        Outcome::Ok
                    }
                },
            }
        }
        DeleteEndpoint { slot } => {
            if let Some(e) = s.endpoints[slot].as_mut() {
                e.prov = e.prov.after_delete(now);
            }
            Outcome::Ok
        }
        ZoneGroup { slot } => {
            // A child of an endpoint being deleted is still written (it goes with the endpoint).
            if s.endpoints[slot].is_none() {
                Outcome::refused("ParentResourceNotFound")
            } else {
                if s.endpoints[slot].as_ref().is_some_and(|e| e.zone_group) {
                    s.unwrite_records(slot);
                }
                s.write_records(slot);
                if let Some(e) = s.endpoints[slot].as_mut() {
                    e.zone_group_prov = Prov::after_put(e.zone_group.then_some(e.zone_group_prov), now, true);
                    e.zone_group = true;
                }
                Outcome::Ok
            }
        }
        SetConnection { slot, approve } => match s.connections[slot] {
            // The machine addresses a connection it cannot find under scope pls-0.
            None if s.scopes[0].is_none() => Outcome::refused("ParentResourceNotFound"),
            None => Outcome::refused("ResourceNotFound"),
            Some(Conn::Rejected) if approve => Outcome::refused("PLS-012"),
            Some(_) => {
                s.connections[slot] = Some(if approve { Conn::Approved } else { Conn::Rejected });
                Outcome::Ok
            }
        },
        LinkZones { on } => match s.links {
            Some(p) if on && p.is_deleting() => busy(),
            previous if on => {
                s.links = Some(Prov::after_put(previous, now, true));
                Outcome::Ok
            }
            previous => {
                s.links = previous.map(|p| p.after_delete(now));
                Outcome::Ok
            }
        },
        EmptyRecord { on } => {
            if on {
                s.records.insert((0, "gbl".into()), Vec::new());
            } else {
                s.records.remove(&(0, "gbl".to_string()));
            }
            Outcome::Ok
        }
        PutCluster { slot, region, link } => {
            let sub = CLUSTER_SUB[slot];
            let existing = s.clusters[slot].clone();
            // A cluster links only to a scope that is not being deleted (PLS-010).
            let scope_of = |x: usize| s.scopes[x].clone().filter(|sc| !sc.prov.is_deleting());
            if sub == 1 && !s.sub2_kubernetes_registered {
                Outcome::refused("PLS-015")
            } else if existing.as_ref().is_some_and(|c| c.prov.is_deleting()) {
                busy()
            } else if existing.as_ref().is_some_and(|c| c.region != region) {
                Outcome::refused("InvalidResourceLocation")
            } else {
                let wanted = match link {
                    Link::EnabledWithoutId | Link::IdWithoutEnabled(_) => Err("PLS-010"),
                    Link::None => Ok(None),
                    Link::Scope(x) => match scope_of(x) {
                        None => Err("PLS-010"),
                        Some(_) if sub != 0 => Err("PLS-005"),
                        Some(sc) if sc.region != region => Err("PLS-003"),
                        Some(_) => Ok(Some(x)),
                    },
                };
                match wanted {
                    Err(rule) => Outcome::refused(rule),
                    Ok(_) if existing.is_none() && s.block_mcr => Outcome::refused("NET-002"),
                    Ok(Some(x)) if existing.as_ref().and_then(|c| c.scope).is_some_and(|cur| cur != x) => {
                        Outcome::refused("PLS-002")
                    }
                    Ok(Some(_)) if s.custom_locations[slot].is_some() => Outcome::refused("PLS-008"),
                    Ok(scope) => {
                        let status = existing.as_ref().map_or("Connecting", |c| c.status);
                        let prov = Prov::after_put(existing.map(|c| c.prov), now, true);
                        s.clusters[slot] = Some(Cluster { region, scope, status, prov });
                        Outcome::Ok
                    }
                }
            }
        }
        DeleteCluster { slot } => {
            // Its extensions go with it when the delete completes; its custom location stays.
            if let Some(c) = s.clusters[slot].as_mut() {
                c.prov = c.prov.after_delete(now);
            }
            Outcome::Ok
        }
        PutExtension { slot, documented } => {
            // A cluster being deleted still takes extensions (they go with it).
            if s.clusters[slot].is_none() {
                Outcome::refused("ParentResourceNotFound")
            } else {
                let prov = Prov::after_put(s.extensions[slot].as_ref().map(|x| x.prov), now, true);
                s.extensions[slot] = Some(Extension { documented, prov });
                Outcome::Ok
            }
        }
        ManualDns { on } => {
            s.manual_dns =
                on.then(|| s.endpoints[0].as_ref().map(|e| e.addresses.iter().cloned().collect()).unwrap_or_default());
            Outcome::Ok
        }
        CustomLocation { slot, create } => {
            if !create {
                s.custom_locations[slot] = s.custom_locations[slot].map(|p| p.after_delete(now));
                Outcome::Ok
            } else if s.custom_locations[slot].is_some_and(Prov::is_deleting) {
                busy()
            } else {
                // A host being deleted is still a host.
                match &s.clusters[slot] {
                    None => Outcome::refused("InvalidHostResourceId"),
                    Some(c) if c.scope.is_some() => Outcome::refused("PLS-008"),
                    Some(_) => {
                        s.custom_locations[slot] = Some(Prov::after_put(s.custom_locations[slot], now, true));
                        Outcome::Ok
                    }
                }
            }
        }
        AddResources { scope, slot } => match (&s.scopes[scope], &s.clusters[slot]) {
            // The portal's "add resources" takes a scope or a cluster that is being deleted.
            (None, _) | (_, None) => Outcome::refused("ResourceNotFound"),
            (Some(sc), Some(c)) if CLUSTER_SUB[slot] != 0 || c.region != sc.region => Outcome::refused("PLS-011"),
            (Some(_), Some(c)) if c.scope.is_some_and(|cur| cur != scope) => Outcome::refused("PLS-002"),
            _ if s.custom_locations[slot].is_some() => Outcome::refused("PLS-008"),
            _ => {
                if let Some(c) = s.clusters[slot].as_mut() {
                    c.scope = Some(scope);
                }
                Outcome::Ok
            }
        },
        Provider { register } => {
            s.sub2_kubernetes_registered = register;
            Outcome::Ok
        }
        Vpn { on } => match s.vpn {
            Some(p) if on && p.is_deleting() => busy(),
            previous if on => {
                s.vpn = Some(Prov::after_put(previous, now, true));
                Outcome::Ok
            }
            previous => {
                s.vpn = previous.map(|p| p.after_delete(now));
                Outcome::Ok
            }
        },
        Firewall { block_mcr } => {
            s.block_mcr = block_mcr;
            Outcome::Ok
        }
        AdvanceClock { by } => {
            s.now += by.millis();
            s.settle();
            Outcome::Ok
        }
        PutGroup { group, tag } => match &mut s.groups[group] {
            _ if !GROUP_NAME_VALID[group] => Outcome::refused("InvalidResourceGroupName"),
            Some(g) if g.deleting.is_some() => Outcome::refused("ResourceGroupBeingDeleted"),
            Some(g) => {
                g.tag = tag;
                Outcome::Ok
            }
            None => {
                s.groups[group] = Some(Group { tag, deleting: None });
                Outcome::Ok
            }
        },
        DeleteGroup { group } => match &mut s.groups[group] {
            None => Outcome::refused("ResourceGroupNotFound"),
            Some(g) => {
                let due = *g.deleting.get_or_insert(now + LRO_DELAY_MS);
                // Everything in it is being deleted with it.
                if let Some(gs) = s.group_scopes[group].as_mut() {
                    gs.prov = Prov::Deleting(due);
                }
                Outcome::Ok
            }
        },
        PutGroupScope { group, tag } => match &s.groups[group] {
            None => Outcome::refused("ResourceGroupNotFound"),
            // ARM refuses any write into a resource group being deleted.
            Some(g) if g.deleting.is_some() => Outcome::refused("ResourceGroupBeingDeleted"),
            Some(_) => {
                let prov = Prov::after_put(s.group_scopes[group].as_ref().map(|x| x.prov), now, false);
                s.group_scopes[group] = Some(GroupScope { tag, prov });
                Outcome::Ok
            }
        },
    };
    s.refresh();
    s.last = Some(outcome);
    s
}
