//! The world file given to `arcemu serve --world FILE` (YAML or JSON): ARM resources to
//! create in order (as PUT bodies), then sites, forwarder VMs and lab clusters, so a team
//! can start from a known setup. Every entry goes through the world's one door
//! ([`World::apply`]) as the ARM and admin APIs do, so the rules apply and a bad file is refused with the entry named
//! (and, for a lab entry, the field: `sites.hq.firewal: ...`; unknown fields are refused).
//!
//! ```yaml
//! subscriptions: [11111111-1111-1111-1111-111111111111]   # optional: besides the configured ones
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

use arcemu_model::door::BaselineSource;
use arcemu_model::journal::ChangeRecord;
use arcemu_model::world::SubscriptionConfig;
use arcemu_model::{ArmError, ResourceId, ResourceKind, World, WorldConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorldFile {
    /// Subscriptions the resources live in besides the configured ones (every provider
    /// registered); a snapshot lists them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<String>,
    #[serde(default)]
    pub resources: Vec<ResourceEntry>,
    #[serde(default)]
    pub sites: BTreeMap<String, Value>,
    #[serde(default)]
    pub forwarders: BTreeMap<String, Value>,
    #[serde(default)]
    pub clusters: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceEntry {
    pub id: String,
    #[serde(default)]
    pub body: Value,
}

/// Parses a world file (YAML, of which JSON is a subset). A JSON text goes through the JSON
/// parser first (a big generated world loads several times faster); should that refuse it,
/// the YAML parser has the last word (and gives the message).
pub fn parse(text: &str) -> Result<WorldFile, String> {
    if text.trim_start().starts_with('{')
        && let Ok(file) = serde_json::from_str(text)
    {
        return Ok(file);
    }
    serde_norway::from_str(text).map_err(|e| format!("the world file is not valid: {e}"))
}

/// The world an emulator starts from and goes back to (`POST /_emulator/reset`, a new named
/// world): a world file given in memory (the in-process API), or a file on disk. A file is read
/// again when it is needed again rather than kept: a world of 100k clusters as JSON values
/// would take more memory than the world built from it. It must then be as it was at the
/// first read (length and hash), or the reset is refused (`BaselineUnavailable`).
#[derive(Clone)]
pub enum WorldSource {
    Inline(Arc<WorldFile>),
    File(Arc<FileSource>),
}

/// A world file on disk and what it was at its first read.
pub struct FileSource {
    path: PathBuf,
    fingerprint: OnceLock<(usize, u64)>,
}

impl WorldSource {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        WorldSource::File(Arc::new(FileSource { path: path.into(), fingerprint: OnceLock::new() }))
    }

    /// The world file: parsed again from disk for a file (refused if it changed since the first read).
    pub fn load(&self) -> Result<WorldFile, SourceError> {
        match self {
            WorldSource::Inline(file) => Ok(WorldFile::clone(file)),
            WorldSource::File(f) => {
                let text = std::fs::read_to_string(&f.path)
                    .map_err(|e| SourceError::Unreadable(format!("cannot read {}: {e}", f.path.display())))?;
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                std::hash::Hash::hash(&text, &mut hasher);
                let now = (text.len(), std::hash::Hasher::finish(&hasher));
                if *f.fingerprint.get_or_init(|| now) != now {
                    return Err(SourceError::Changed(format!(
                        "{} changed since the emulator read it at start",
                        f.path.display()
                    )));
                }
                parse(&text).map_err(|e| SourceError::Invalid(format!("{}: {e}", f.path.display())))
            }
        }
    }
}

/// Why a world source could not give its world.
#[derive(Debug)]
pub enum SourceError {
    Unreadable(String),
    Changed(String),
    Invalid(String),
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceError::Unreadable(m) | SourceError::Changed(m) | SourceError::Invalid(m) => f.write_str(m),
        }
    }
}

impl BaselineSource for WorldSource {
    fn changes(&self) -> Result<Vec<ChangeRecord>, ArmError> {
        let file = self.load().map_err(|e| ArmError::baseline_unavailable(e.to_string()))?;
        into_entries(file).map(|e| e.changes).map_err(ArmError::baseline_unavailable)
    }
}

/// Adds the file's subscriptions that `config` lacks (before `World::new`).
pub fn add_subscriptions(config: &mut WorldConfig, file: &WorldFile) {
    for id in &file.subscriptions {
        if !config.subscriptions.iter().any(|s| s.id.eq_ignore_ascii_case(id)) {
            config.subscriptions.push(SubscriptionConfig::registered(id, &format!("arcemu subscription {id}")));
        }
    }
}

/// A world file's entries as changes, in the order they are applied, each with the name a
/// refusal gives it (`resources[3] (/subscriptions/...)`, `sites.hq`).
pub struct Entries {
    pub changes: Vec<ChangeRecord>,
    labels: Vec<Label>,
}

enum Label {
    Resource(usize, String),
    Lab(&'static str, String),
}

impl Entries {
    /// Says which entry a refusal is about (and, for a lab entry, the field it names:
    /// `sites.hq.firewal: ...`).
    pub fn describe(&self, position: usize, e: &ArmError) -> String {
        match self.labels.get(position) {
            Some(Label::Resource(i, id)) => format!("resources[{i}] ({id}): {} {}: {}", e.status, e.code, e.message),
            Some(Label::Lab(what, name)) => match e.target.as_deref() {
                Some(t) if !t.is_empty() && t != "." => format!("{what}.{name}.{t}: {} {}", e.code, e.message),
                _ => format!("{what}.{name}: {} {}", e.code, e.message),
            },
            None => format!("{} {}: {}", e.status, e.code, e.message),
        }
    }
}

/// The file's entries as changes; fails on an id that does not parse.
pub fn entries(file: &WorldFile) -> Result<Entries, String> {
    into_entries(file.clone())
}

/// [`entries`] of a file that is not needed afterwards (its bodies are moved, not copied).
pub fn into_entries(file: WorldFile) -> Result<Entries, String> {
    let count = file.resources.len() + file.sites.len() + file.forwarders.len() + file.clusters.len();
    let mut out = Entries { changes: Vec::with_capacity(count), labels: Vec::with_capacity(count) };
    for (i, entry) in file.resources.into_iter().enumerate() {
        let id = ResourceId::parse(&entry.id).map_err(|e| format!("resources[{i}]: {e}"))?;
        let change = if id.is_resource_group() {
            ChangeRecord::PutResourceGroup {
                subscription: id.subscription().to_string(),
                name: id.resource_group().unwrap_or_default().to_string(),
                body: entry.body,
            }
        } else {
            ChangeRecord::PutResource { id, body: entry.body }
        };
        out.changes.push(change);
        out.labels.push(Label::Resource(i, entry.id));
    }
    let lab = [("sites", file.sites), ("forwarders", file.forwarders), ("clusters", file.clusters)];
    for (what, entries) in lab {
        for (name, body) in entries {
            out.labels.push(Label::Lab(what, name.clone()));
            out.changes.push(match what {
                "sites" => ChangeRecord::PutSite { name, body },
                "forwarders" => ChangeRecord::PutForwarderVm { name, body },
                _ => ChangeRecord::PutLabCluster { name, body },
            });
        }
    }
    Ok(out)
}

/// Applies a world file; stops at the first refused entry and says which.
pub fn apply(world: &mut World, file: &WorldFile, now: OffsetDateTime) -> Result<usize, String> {
    let entries = entries(file)?;
    for (i, change) in entries.changes.iter().enumerate() {
        let rebound = world.loaded_change(change);
        let change = rebound.as_ref().unwrap_or(change);
        world.apply_quietly(now, change.as_change()).map_err(|e| entries.describe(i, &e))?;
    }
    Ok(entries.changes.len())
}

/// The order in which a snapshot lists resources: every reference points backwards (an NSG
/// before the subnets that use it, a scope before the endpoints and clusters that name it, a
/// zone group before the record sets it writes, so that record sets keep their last content).
/// Subnets travel inside their virtual network.
const SNAPSHOT_ORDER: &[ResourceKind] = &[
    ResourceKind::PrivateLinkScope,
    ResourceKind::NetworkSecurityGroup,
    ResourceKind::SecurityRule,
    ResourceKind::VirtualNetwork,
    ResourceKind::PrivateDnsZone,
    ResourceKind::VirtualNetworkLink,
    ResourceKind::ExpressRouteCircuit,
    ResourceKind::VirtualNetworkGateway,
    ResourceKind::LocalNetworkGateway,
    ResourceKind::Connection,
    ResourceKind::DnsResolver,
    ResourceKind::DnsResolverInboundEndpoint,
    ResourceKind::AzureFirewall,
    ResourceKind::PrivateEndpoint,
    ResourceKind::PrivateEndpointConnection,
    ResourceKind::PrivateDnsZoneGroup,
    ResourceKind::ARecordSet,
    ResourceKind::CnameRecordSet,
    ResourceKind::ConnectedCluster,
    ResourceKind::ClusterExtension,
    ResourceKind::FluxConfiguration,
    ResourceKind::CustomLocation,
];

/// A world file that recreates `world` (`GET /_emulator/snapshot`; `arcemu serve --world` and
/// `arcemu check --snapshot` load it): resource groups, then every resource as the PUT body of
/// its current state (location, tags, identity, kind, properties), then the lab objects; and
/// the subscriptions (every provider registered when loaded). The region profile, provider
/// registrations and operation history are not part of it.
pub fn snapshot(world: &World) -> WorldFile {
    let mut resources = Vec::new();
    for g in world.store().groups_under("") {
        let mut body = serde_json::Map::new();
        body.insert("location".into(), Value::String(g.location.to_string()));
        if let Ok(tags) = serde_json::to_value(&g.tags)
            && tags.as_object().is_some_and(|t| !t.is_empty())
        {
            body.insert("tags".into(), tags);
        }
        resources.push(ResourceEntry { id: g.id.to_string(), body: Value::Object(body) });
    }
    for kind in SNAPSHOT_ORDER {
        for r in world.store().of_kind(*kind) {
            let Ok(rendered) = world.render(&r.id) else { continue };
            let mut body = serde_json::Map::new();
            for key in ["location", "tags", "identity", "kind", "properties"] {
                if let Some(v) = rendered.get(key).filter(|v| !v.is_null()) {
                    body.insert(key.into(), v.clone());
                }
            }
            resources.push(ResourceEntry { id: r.id.to_string(), body: Value::Object(body) });
        }
    }
    let json = |v: Result<Value, serde_json::Error>| v.unwrap_or_default();
    WorldFile {
        subscriptions: world.store().subscriptions().map(|s| s.id.clone()).collect(),
        resources,
        sites: world.sites().map(|s| (s.name.clone(), json(serde_json::to_value(s)))).collect(),
        forwarders: world.forwarder_vms().map(|f| (f.name.clone(), json(serde_json::to_value(f)))).collect(),
        clusters: world.lab_clusters().map(|c| (c.name.clone(), json(serde_json::to_value(c)))).collect(),
    }
}
