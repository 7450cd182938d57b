//! The world file given to `arcemu serve --world FILE` (YAML or JSON): ARM resources to
//! create in order (as PUT bodies), then sites, forwarder VMs and lab clusters, so a team
//! can start from a known setup. Every entry goes through the same model calls as the
//! ARM and admin APIs, so the rules apply and a bad file is refused with the entry named.
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

use arcemu_model::{ResourceId, World};
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
        if id.is_resource_group() {
            world
                .put_resource_group(id.subscription(), id.resource_group().unwrap_or_default(), &entry.body)
                .map_err(fail)?;
        } else {
            world.put_resource(&id, &entry.body, now).map_err(fail)?;
        }
        world.settle(now);
        count += 1;
    }
    for (name, body) in &file.sites {
        world.put_site(name, body).map_err(|e| format!("sites.{name}: {} {}", e.code, e.message))?;
        count += 1;
    }
    for (name, body) in &file.forwarders {
        world.put_forwarder_vm(name, body).map_err(|e| format!("forwarders.{name}: {} {}", e.code, e.message))?;
        count += 1;
    }
    for (name, body) in &file.clusters {
        world.put_lab_cluster(name, body, now).map_err(|e| format!("clusters.{name}: {} {}", e.code, e.message))?;
        count += 1;
    }
    world.refresh_connectivity(now);
    Ok(count)
}
