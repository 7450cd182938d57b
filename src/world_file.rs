//! The world file given to `arcemu serve --world FILE` (YAML or JSON): ARM resources to
//! create in order (as PUT bodies), then sites, forwarder VMs and lab clusters, so a team
//! can start from a known setup. Every entry goes through the world's one door
//! ([`World::apply`]) as the ARM and admin APIs do, so the rules apply and a bad file is refused with the entry named
//! (and, for a lab entry, the field: `sites.hq.firewal: ...`; unknown fields are refused).
//!
//! ```yaml
//! resources:
//!   - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg
//!     body: { location: eastus }
//!   - id: /subscriptions/.../providers/Microsoft.HybridCompute/privateLinkScopes/pls
//!     body: { location: eastus, properties: { publicNetworkAccess: Disabled } }
//! sites:
//!   hq: { addressSpace: [192.168.0.0/16], dns: { forwarders: [...] } }
//! forwarders:
//!   vm1: { virtualNetwork: /subscriptions/.../virtualNetworks/hub, address: 10.0.0.10 }
//! clusters:
//!   edge: { site: hq, connectedCluster: /subscriptions/.../connectedClusters/c1 }
//! ```

use arcemu_model::{Change, ResourceId, World};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldFile {
    #[serde(default)]
    pub resources: Vec<ResourceEntry>,
    #[serde(default)]
    pub sites: BTreeMap<String, Value>,
    #[serde(default)]
    pub forwarders: BTreeMap<String, Value>,
    #[serde(default)]
    pub clusters: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceEntry {
    pub id: String,
    #[serde(default)]
    pub body: Value,
}

/// Parses a world file (YAML, of which JSON is a subset).
pub fn parse(text: &str) -> Result<WorldFile, String> {
    serde_norway::from_str(text).map_err(|e| format!("the world file is not valid: {e}"))
}

/// Applies a world file; stops at the first refused entry and says which.
pub fn apply(world: &mut World, file: &WorldFile, now: OffsetDateTime) -> Result<usize, String> {
    let mut count = 0;
    for (i, entry) in file.resources.iter().enumerate() {
        let fail = |e: arcemu_model::ArmError| {
            format!("resources[{i}] ({}): {} {}: {}", entry.id, e.status, e.code, e.message)
        };
        let id = ResourceId::parse(&entry.id).map_err(|e| format!("resources[{i}]: {e}"))?;
        let change = if id.is_resource_group() {
            Change::PutResourceGroup {
                subscription: id.subscription(),
                name: id.resource_group().unwrap_or_default(),
                body: &entry.body,
            }
        } else {
            Change::PutResource { id: &id, body: &entry.body }
        };
        world.apply(now, change).map_err(fail)?;
        count += 1;
    }
    // `sites.hq.firewal: ...`: the entry, and the field the refusal names when it names one.
    let lab = |what: &str, name: &str, e: arcemu_model::ArmError| match e.target.as_deref() {
        Some(t) if !t.is_empty() && t != "." => format!("{what}.{name}.{t}: {} {}", e.code, e.message),
        _ => format!("{what}.{name}: {} {}", e.code, e.message),
    };
    for (name, body) in &file.sites {
        world.apply(now, Change::PutSite { name, body }).map_err(|e| lab("sites", name, e))?;
        count += 1;
    }
    for (name, body) in &file.forwarders {
        world.apply(now, Change::PutForwarderVm { name, body }).map_err(|e| lab("forwarders", name, e))?;
        count += 1;
    }
    for (name, body) in &file.clusters {
        world.apply(now, Change::PutLabCluster { name, body }).map_err(|e| lab("clusters", name, e))?;
        count += 1;
    }
    Ok(count)
}
