//! Lab objects: emulator-only parts of the world with no ARM equivalent. A **site** is an
//! on-premises network (address space, its DNS server, its firewall, how it reaches Azure);
//! a **forwarder VM** is a DNS forwarder in a VNet that the lab declares (the seed's
//! "purpose-built VM"). Managed through the admin API and the world file.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use crate::net::cidr::Ipv4Net;
use crate::resources::{Body, parse_input};
use crate::world::World;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// A zone the site's DNS server hosts itself (manual records, DNS-005).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualZone {
    pub zone: String,
    /// Relative name (`@` for the apex) → addresses.
    #[serde(default)]
    pub records: BTreeMap<String, Vec<Ipv4Addr>>,
}

/// "Queries under `domain` go to `targets`" (DNS-004).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionalForwarder {
    pub domain: String,
    pub targets: Vec<Ipv4Addr>,
}

/// The site's DNS server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct SiteDns {
    #[serde(default)]
    pub zones: Vec<ManualZone>,
    #[serde(default)]
    pub forwarders: Vec<ConditionalForwarder>,
    /// Resolve everything else on the internet (the default).
    #[serde(default = "yes")]
    pub public_fallback: bool,
}

fn yes() -> bool {
    true
}

impl Default for SiteDns {
    fn default() -> Self {
        Self { zones: Vec::new(), forwarders: Vec::new(), public_fallback: true }
    }
}

/// An allow rule of the site's firewall (outbound unless `inbound`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct FirewallRule {
    /// A service tag (e.g. `AzureActiveDirectory`), a CIDR, or `*`.
    pub destination: String,
    #[serde(default = "https_port")]
    pub port: u16,
    #[serde(default)]
    pub inbound: bool,
}

fn https_port() -> u16 {
    443
}

/// An on-premises network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    #[serde(default)]
    pub name: String,
    pub address_space: Vec<String>,
    #[serde(default)]
    pub dns: SiteDns,
    /// Outbound allow rules; `None` means the firewall allows everything.
    #[serde(default)]
    pub firewall: Option<Vec<FirewallRule>>,
    /// The ExpressRoute circuit the site is attached to, if any (VPN is derived from local
    /// network gateways whose prefixes cover the site).
    #[serde(default)]
    pub express_route_circuit: Option<String>,
}

impl Site {
    pub fn prefixes(&self) -> Vec<Ipv4Net> {
        self.address_space.iter().filter_map(|p| Ipv4Net::parse(p).ok()).collect()
    }
}

/// A DNS forwarder VM the lab places in a VNet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct ForwarderVm {
    #[serde(default)]
    pub name: String,
    pub virtual_network: String,
    pub address: Ipv4Addr,
}

/// Checks a site definition (names, prefixes, zones, forwarders).
pub fn validate_site(name: &str, site: &Site) -> ArmResult<()> {
    let bad = |target: &str, msg: String| Err(ArmError::invalid_property(target, msg));
    if name.is_empty() || name.len() > 63 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return bad("name", format!("Site name '{name}' must be 1-63 letters, digits, '-' or '_'."));
    }
    if site.address_space.is_empty() {
        return bad("addressSpace", "A site needs at least one address prefix.".into());
    }
    for (i, p) in site.address_space.iter().enumerate() {
        if Ipv4Net::parse(p).is_err() {
            return bad(&format!("addressSpace[{i}]"), format!("'{p}' is not an IPv4 CIDR network address."));
        }
    }
    for (i, z) in site.dns.zones.iter().enumerate() {
        if !is_dns_name(&z.zone) {
            return bad(&format!("dns.zones[{i}].zone"), format!("'{}' is not a DNS name.", z.zone));
        }
        // Answers name their records: a name the DNS face cannot write would be a SERVFAIL.
        if let Some(r) = z.records.keys().find(|r| r.as_str() != "@" && !is_dns_name(r)) {
            return bad(
                &format!("dns.zones[{i}].records"),
                format!("'{r}' is not a record name: use '@' (the zone itself) or a DNS name relative to the zone."),
            );
        }
    }
    for (i, f) in site.dns.forwarders.iter().enumerate() {
        if f.domain != "." && !is_dns_name(&f.domain) {
            return bad(&format!("dns.forwarders[{i}].domain"), format!("'{}' is not a DNS name (or '.').", f.domain));
        }
        if f.targets.is_empty() {
            return bad(
                &format!("dns.forwarders[{i}].targets"),
                "A forwarder needs at least one target address.".into(),
            );
        }
    }
    for (i, r) in site.firewall.iter().flatten().enumerate() {
        if !crate::net::is_address_prefix(&r.destination) {
            return bad(
                &format!("firewall[{i}].destination"),
                format!(
                    "'{}' is not a service tag (e.g. AzureActiveDirectory, Storage.EastUS), an IPv4 address or CIDR, or '*'.",
                    r.destination
                ),
            );
        }
    }
    if let Some(c) = &site.express_route_circuit {
        ResourceId::parse(c).map_err(|_| ArmError::linked_invalid_property_id(c, "expressRouteCircuit"))?;
    }
    Ok(())
}

/// Dot-separated labels as [`is_dns_label`] says, 253 characters at most (a trailing dot is
/// tolerated).
pub fn is_dns_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label of a host name: 1 to 63 letters, digits, '-' or '_', not starting or ending with '-'
/// (the DNS face cannot write a name whose label starts with one).
pub fn is_dns_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && !l.starts_with('-')
        && !l.ends_with('-')
        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A Kubernetes cluster of the lab: where it runs (a site, or a subnet of a VNet) and the
/// connected-cluster resource its Arc agents act for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct LabCluster {
    #[serde(default)]
    pub name: String,
    /// The on-premises site it runs in.
    #[serde(default)]
    pub site: Option<String>,
    /// Or the subnet (resource id) it runs in, for clusters inside Azure VNets.
    #[serde(default)]
    pub subnet: Option<String>,
    /// The `Microsoft.Kubernetes/connectedClusters` id its agents use.
    pub connected_cluster: String,
    /// What its agents report once they have reached Azure (the connected cluster's read-only
    /// `kubernetesVersion`, `totalNodeCount`, `totalCoreCount`, `agentVersion`).
    #[serde(default = "default_kubernetes_version")]
    pub kubernetes_version: String,
    #[serde(default = "one")]
    pub node_count: i64,
    #[serde(default)]
    pub core_count: Option<i64>,
    #[serde(default = "default_agent_version")]
    pub agent_version: String,
}

/// Lab defaults for what agents report (emulator choices, not Azure's).
pub const DEFAULT_KUBERNETES_VERSION: &str = "1.30.4";
pub const DEFAULT_AGENT_VERSION: &str = "1.21.10";

fn default_kubernetes_version() -> String {
    DEFAULT_KUBERNETES_VERSION.to_string()
}

fn default_agent_version() -> String {
    DEFAULT_AGENT_VERSION.to_string()
}

fn one() -> i64 {
    1
}

impl LabCluster {
    pub fn connected_cluster_id(&self) -> Option<ResourceId> {
        ResourceId::parse(&self.connected_cluster).ok()
    }
}

impl World {
    // ================= lab objects =================

    /// Creates or replaces a site (`PUT /_emulator/sites/{name}`). Returns whether it was created.
    pub(crate) fn put_site(&mut self, name: &str, body: &Value) -> ArmResult<(bool, crate::lab::Site)> {
        let mut site: crate::lab::Site = parse_input(body, "")?;
        site.name = name.to_string();
        crate::lab::validate_site(name, &site)?;
        if self.store.site(name).is_none() {
            self.check_room_for_vantage("site")?;
        }
        let created = self.store.put_site(site.clone());
        Ok((created, site))
    }

    pub(crate) fn delete_site(&mut self, name: &str) -> bool {
        self.store.remove_site(name).is_some()
    }

    pub fn site(&self, name: &str) -> Option<&crate::lab::Site> {
        self.store.site(name)
    }

    pub fn sites(&self) -> impl Iterator<Item = &crate::lab::Site> {
        self.store.sites()
    }

    /// Creates or replaces a lab DNS forwarder VM in a VNet (its address must be free in one of the VNet's subnets).
    pub(crate) fn put_forwarder_vm(&mut self, name: &str, body: &Value) -> ArmResult<(bool, crate::lab::ForwarderVm)> {
        let mut vm: crate::lab::ForwarderVm = parse_input(body, "")?;
        vm.name = name.to_string();
        let vnet = ResourceId::parse(&vm.virtual_network)
            .map_err(|_| ArmError::linked_invalid_property_id(&vm.virtual_network, "virtualNetwork"))?;
        if ResourceKind::of(&vnet) != Some(ResourceKind::VirtualNetwork) || !self.store.contains(vnet.key()) {
            return Err(ArmError::lab_virtual_network_not_found(&vnet));
        }
        let inside = self.children_of(&vnet, ResourceKind::Subnet).any(|s| match &s.body {
            Body::Subnet(sn) => sn.address_prefix.contains_addr(vm.address),
            _ => false,
        });
        if !inside {
            return Err(ArmError::invalid_property(
                "address",
                format!("{} is not inside a subnet of '{}'.", vm.address, vnet.name()),
            ));
        }
        let created = self.store.put_forwarder_vm(vm.clone());
        Ok((created, vm))
    }

    pub fn delete_forwarder_vm(&mut self, name: &str) -> bool {
        self.store.remove_forwarder_vm(name).is_some()
    }

    pub fn forwarder_vms(&self) -> impl Iterator<Item = &crate::lab::ForwarderVm> {
        self.store.forwarder_vms()
    }

    /// Adds or replaces a lab cluster (`PUT /_emulator/clusters/{name}`).
    pub(crate) fn put_lab_cluster(&mut self, name: &str, body: &serde_json::Value) -> ArmResult<(bool, LabCluster)> {
        let mut c: LabCluster = crate::resources::parse_input(body, "")?;
        c.name = name.to_string();
        if name.is_empty()
            || name.len() > 63
            || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(ArmError::invalid_property(
                "name",
                format!("Cluster name '{name}' must be 1-63 letters, digits, '-' or '_'."),
            ));
        }
        match (&c.site, &c.subnet) {
            (Some(s), None) if self.store.site(s).is_some() => {}
            (Some(s), None) => return Err(ArmError::invalid_property("site", format!("Site '{s}' does not exist."))),
            (None, Some(sn)) => {
                let id = ResourceId::parse(sn).map_err(|_| ArmError::linked_invalid_property_id(sn, "subnet"))?;
                if self.subnet(&id).is_none() {
                    return Err(ArmError::invalid_property("subnet", format!("Subnet '{sn}' does not exist.")));
                }
            }
            _ => return Err(ArmError::invalid_property("site", "Give exactly one of 'site' or 'subnet'.")),
        }
        if !c.kubernetes_version.chars().next().is_some_and(|ch| ch.is_ascii_digit() || ch == 'v')
            || c.kubernetes_version.len() > 64
        {
            return Err(ArmError::invalid_property(
                "kubernetesVersion",
                format!("'{}' is not a Kubernetes version (e.g. 1.30.4).", c.kubernetes_version),
            ));
        }
        if c.node_count < 1 || c.core_count.is_some_and(|n| n < 1) {
            return Err(ArmError::invalid_property("nodeCount", "nodeCount and coreCount must be at least 1."));
        }
        if c.agent_version.is_empty() || c.agent_version.len() > 64 {
            return Err(ArmError::invalid_property("agentVersion", "agentVersion must be 1 to 64 characters."));
        }
        let cc = c
            .connected_cluster_id()
            .filter(|id| ResourceKind::of(id) == Some(ResourceKind::ConnectedCluster))
            .ok_or_else(|| ArmError::linked_invalid_property_id(&c.connected_cluster, "connectedCluster"))?;
        if let Some(other) = self.store.lab_of_connected_cluster(&cc).map(|o| o.name.as_str()).filter(|o| *o != name) {
            return Err(ArmError::connected_cluster_already_bound(&cc, other));
        }
        let created = self.store.put_lab_cluster(c.clone());
        Ok((created, c))
    }

    pub(crate) fn delete_lab_cluster(&mut self, name: &str) -> bool {
        self.store.remove_lab_cluster(name).is_some()
    }

    pub fn lab_clusters(&self) -> impl Iterator<Item = &LabCluster> {
        self.store.lab_clusters()
    }

    pub fn lab_cluster(&self, name: &str) -> Option<&LabCluster> {
        self.store.lab_cluster(name)
    }
}
