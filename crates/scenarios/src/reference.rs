//! The reference model: a deliberately small, independent statement of what the emulator
//! must do for the operations of the state machine ([`crate::machine::Op`]), written from
//! DESIGN.md and the seed, sharing no rule code with `arcemu-model`. It predicts each
//! operation's outcome (success, or the rule id / ARM code of the refusal), the DNS answer
//! from the hub VNet, and every cluster's verdicts and connectivity status.
//!
//! The universe is fixed so that states stay small: two subscriptions, three VNets, two
//! scopes, four private-endpoint slots, three clusters, one on-premises site.

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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scope: usize,
    pub manual: bool,
    /// (fqdn, address) in allocation order.
    pub addresses: Vec<(String, [u8; 4])>,
    pub zone_group: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub region: Region,
    /// `Some(scope)` when private link is enabled.
    pub scope: Option<usize>,
    /// `Connecting`, `Connected` or `Offline`.
    pub status: &'static str,
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

/// The whole reference state.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub scopes: [Option<Scope>; 2],
    pub endpoints: [Option<Endpoint>; 4],
    /// Scope-side connection state of each endpoint slot (absent: deleted or never made).
    pub connections: [Option<Conn>; 4],
    pub clusters: [Option<Cluster>; 3],
    /// Custom locations hosted by each cluster slot.
    pub custom_locations: [bool; 3],
    /// A records of the three privatelink zones: (zone index, label) → addresses (empty set possible).
    pub records: BTreeMap<(usize, String), Vec<[u8; 4]>>,
    pub zones_linked: bool,
    pub vpn: bool,
    pub block_mcr: bool,
    pub sub2_kubernetes_registered: bool,
    /// Extensions by cluster slot: `Some(documented)` (Flux) or `Some(false)` (another type).
    pub extensions: [Option<bool>; 3],
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
        State { zones_linked: true, vpn: true, sub2_kubernetes_registered: true, ..Default::default() }
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

    fn unwrite_records(&mut self, slot: usize) {
        if let Some(e) = &self.endpoints[slot] {
            for (fqdn, ip) in e.addresses.clone() {
                if let Some((_, zone, label)) = arc_names_for(&fqdn) {
                    let key = (zone, label);
                    if let Some(set) = self.records.get_mut(&key)
                        && set.contains(&ip)
                    {
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
                if resolved.is_none() && !self.vpn {
                    return v("Unreachable", "NET-001");
                }
                if resolved.is_none() && !self.zones_linked {
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
                if PE_SLOTS[owner].0 != 0 || !self.vpn {
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
            .map(|documented| ("ext".to_string(), !private || *documented, "PLS-009".to_string()))
            .collect()
    }

    /// The addresses `gbl.his.arc.azure.com` has from the hub VNet, or the rcode.
    pub fn hub_gbl(&self) -> Result<Vec<[u8; 4]>, &'static str> {
        if !self.zones_linked {
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
    let outcome = match *op {
        PutScope { slot, region, public } => match &s.scopes[slot] {
            Some(x) if x.region != region => Outcome::refused("InvalidResourceLocation"),
            _ => {
                s.scopes[slot] = Some(Scope { region, public });
                Outcome::Ok
            }
        },
        DeleteScope { slot } => {
            if s.scopes[slot].take().is_some() {
                for i in 0..4 {
                    if s.endpoints[i].as_ref().is_some_and(|e| e.scope == slot) {
                        s.connections[i] = None;
                    }
                }
            }
            Outcome::Ok
        }
        PutEndpoint { slot, scope, manual, region, group_ok } => {
            let (vnet, _) = PE_SLOTS[slot];
            let others: Vec<usize> = (0..4)
                .filter(|i| *i != slot && PE_SLOTS[*i].0 == vnet)
                .filter_map(|i| s.endpoints[i].as_ref().map(|e| e.scope))
                .collect();
            match &s.scopes[scope] {
                // A resource keeps its region: checked before anything in the body.
                _ if s.endpoints[slot].is_some() && region != VNET_REGION[vnet] => {
                    Outcome::refused("InvalidResourceLocation")
                }
                None => Outcome::refused("PrivateLinkServiceNotFound"),
                Some(_) if !group_ok => Outcome::refused("PLS-013"),
                Some(_) if region != VNET_REGION[vnet] => Outcome::refused("PLS-004"),
                Some(_) if VNET_SUB[vnet] != 0 => Outcome::refused("PLS-005"),
                Some(_) if others.iter().any(|o| *o != scope) => Outcome::refused("PLS-001"),
                Some(sc) => match &s.endpoints[slot] {
                    Some(e) if e.scope != scope || e.manual != manual => Outcome::refused("PropertyChangeNotAllowed"),
                    Some(_) => Outcome::Ok,
                    None => {
                        let used = s.used_in_subnet(slot);
                        let base = subnet_base(vnet, PE_SLOTS[slot].1);
                        let mut free = (4u8..255).map(|h| [base[0], base[1], base[2], h]).filter(|a| !used.contains(a));
                        let addresses = arc_names(sc.region)
                            .into_iter()
                            .map(|(f, _, _)| (f, free.next().unwrap_or([0; 4])))
                            .collect();
                        s.endpoints[slot] = Some(Endpoint { scope, manual, addresses, zone_group: false });
                        s.connections[slot] = Some(if manual { Conn::Pending } else { Conn::Approved });
                        Outcome::Ok
                    }
                },
            }
        }
        DeleteEndpoint { slot } => {
            s.unwrite_records(slot);
            s.endpoints[slot] = None;
            s.connections[slot] = None;
            Outcome::Ok
        }
        ZoneGroup { slot } => {
            if s.endpoints[slot].is_none() {
                Outcome::refused("ParentResourceNotFound")
            } else {
                if s.endpoints[slot].as_ref().is_some_and(|e| e.zone_group) {
                    s.unwrite_records(slot);
                }
                s.write_records(slot);
                if let Some(e) = s.endpoints[slot].as_mut() {
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
        LinkZones { on } => {
            s.zones_linked = on;
            Outcome::Ok
        }
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
            let scope_of = |x: usize| s.scopes[x].clone();
            if sub == 1 && !s.sub2_kubernetes_registered {
                Outcome::refused("PLS-015")
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
                    Ok(Some(_)) if s.custom_locations[slot] => Outcome::refused("PLS-008"),
                    Ok(scope) => {
                        let status = existing.map_or("Connecting", |c| c.status);
                        s.clusters[slot] = Some(Cluster { region, scope, status });
                        Outcome::Ok
                    }
                }
            }
        }
        DeleteCluster { slot } => {
            s.clusters[slot] = None;
            s.extensions[slot] = None;
            Outcome::Ok
        }
        PutExtension { slot, documented } => {
            if s.clusters[slot].is_none() {
                Outcome::refused("ParentResourceNotFound")
            } else {
                s.extensions[slot] = Some(documented);
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
                s.custom_locations[slot] = false;
                Outcome::Ok
            } else {
                match &s.clusters[slot] {
                    None => Outcome::refused("InvalidHostResourceId"),
                    Some(c) if c.scope.is_some() => Outcome::refused("PLS-008"),
                    Some(_) => {
                        s.custom_locations[slot] = true;
                        Outcome::Ok
                    }
                }
            }
        }
        AddResources { scope, slot } => match (&s.scopes[scope], &s.clusters[slot]) {
            (None, _) | (_, None) => Outcome::refused("ResourceNotFound"),
            (Some(sc), Some(c)) if CLUSTER_SUB[slot] != 0 || c.region != sc.region => Outcome::refused("PLS-011"),
            (Some(_), Some(c)) if c.scope.is_some_and(|cur| cur != scope) => Outcome::refused("PLS-002"),
            _ if s.custom_locations[slot] => Outcome::refused("PLS-008"),
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
        Vpn { on } => {
            s.vpn = on;
            Outcome::Ok
        }
        Firewall { block_mcr } => {
            s.block_mcr = block_mcr;
            Outcome::Ok
        }
    };
    s.refresh();
    s.last = Some(outcome);
    s
}
