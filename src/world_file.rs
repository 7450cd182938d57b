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

use arcemu_model::door::{BaselineSource, ChangeList};
use arcemu_model::journal::ChangeRecord;
use arcemu_model::world::SubscriptionConfig;
use arcemu_model::{ArmError, ResourceId, ResourceKind, World, WorldConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
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

    /// The world's subscriptions and changes: a file is read again from disk (refused if it
    /// changed since the first read), its entries parsed one at a time as they are applied.
    pub fn load(&self) -> Result<(Vec<String>, Entries), SourceError> {
        match self {
            WorldSource::Inline(file) => {
                let entries = entries(file).map_err(SourceError::Invalid)?;
                Ok((file.subscriptions.clone(), entries))
            }
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
                read_entries(text).map_err(|e| SourceError::Invalid(format!("{}: {e}", f.path.display())))
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
    fn changes(&self) -> Result<Box<dyn ChangeList>, ArmError> {
        let (_, entries) = self.load().map_err(|e| ArmError::baseline_unavailable(e.to_string()))?;
        Ok(entries.prefetched())
    }
}

/// Adds the file's subscriptions that `config` lacks (before `World::new`).
pub fn add_subscriptions(config: &mut WorldConfig, file: &WorldFile) {
    add_subscription_ids(config, &file.subscriptions);
}

/// Adds these subscriptions where `config` lacks them (every provider registered).
pub fn add_subscription_ids(config: &mut WorldConfig, ids: &[String]) {
    for id in ids {
        if !config.subscriptions.iter().any(|s| s.id.eq_ignore_ascii_case(id)) {
            config.subscriptions.push(SubscriptionConfig::registered(id, &format!("arcemu subscription {id}")));
        }
    }
}

/// A world file's entries as changes, in the order they are applied, each with the name a
/// refusal gives it (`resources[3] (/subscriptions/...)`, `sites.hq`).
pub struct Entries {
    /// The resources: parsed already, or kept as the JSON text of each entry, parsed when
    /// applied (a big JSON world file then never exists as JSON values all at once).
    resources: Resources,
    /// Sites, forwarders and lab clusters (few), parsed.
    lab: Vec<(&'static str, String, ChangeRecord)>,
}

enum Resources {
    Parsed(Vec<(String, ChangeRecord)>),
    /// The file's text and, per entry of `resources`, where its JSON is.
    Json {
        text: String,
        spans: Vec<std::ops::Range<usize>>,
    },
}

impl Entries {
    pub fn len(&self) -> usize {
        let resources = match &self.resources {
            Resources::Parsed(v) => v.len(),
            Resources::Json { spans, .. } => spans.len(),
        };
        resources + self.lab.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The change at `position`.
    pub fn get(&self, position: usize) -> Result<Cow<'_, ChangeRecord>, String> {
        let resources = match &self.resources {
            Resources::Parsed(v) => v.len(),
            Resources::Json { spans, .. } => spans.len(),
        };
        if let Some((_, _, change)) = position.checked_sub(resources).and_then(|i| self.lab.get(i)) {
            return Ok(Cow::Borrowed(change));
        }
        match &self.resources {
            Resources::Parsed(v) => {
                v.get(position).map(|(_, c)| Cow::Borrowed(c)).ok_or_else(|| "no such entry".into())
            }
            Resources::Json { text, spans } => {
                let span = spans.get(position).ok_or("no such entry")?;
                let entry: ResourceEntry = serde_json::from_str(text.get(span.clone()).unwrap_or_default())
                    .map_err(|e| format!("resources[{position}]: {e}"))?;
                resource_change(position, entry).map(Cow::Owned)
            }
        }
    }

    /// Every change, each read once (for callers that want them all).
    pub fn changes(&self) -> Result<Vec<ChangeRecord>, String> {
        (0..self.len()).map(|i| self.get(i).map(Cow::into_owned)).collect()
    }

    /// Says which entry a refusal is about (and, for a lab entry, the field it names:
    /// `sites.hq.firewal: ...`).
    pub fn describe(&self, position: usize, e: &ArmError) -> String {
        let resources = match &self.resources {
            Resources::Parsed(v) => v.len(),
            Resources::Json { spans, .. } => spans.len(),
        };
        if let Some((what, name, _)) = position.checked_sub(resources).and_then(|i| self.lab.get(i)) {
            return match e.target.as_deref() {
                Some(t) if !t.is_empty() && t != "." => format!("{what}.{name}.{t}: {} {}", e.code, e.message),
                _ => format!("{what}.{name}: {} {}", e.code, e.message),
            };
        }
        let id = match &self.resources {
            Resources::Parsed(v) => v.get(position).map(|(id, _)| id.clone()),
            Resources::Json { text, spans } => spans
                .get(position)
                .and_then(|s| serde_json::from_str::<EntryId>(text.get(s.clone()).unwrap_or_default()).ok())
                .map(|e| e.id),
        };
        match id {
            Some(id) => format!("resources[{position}] ({id}): {} {}: {}", e.status, e.code, e.message),
            None => format!("{} {}: {}", e.status, e.code, e.message),
        }
    }
}

/// [`Entries`] whose JSON entries are parsed on a second thread while the world applies the
/// ones before (a big world file loads in about the time of its slower half). Changes are
/// asked in order; any other position is parsed on the spot.
pub struct Prefetched {
    entries: Arc<Entries>,
    next: std::sync::Mutex<(usize, std::sync::mpsc::Receiver<Result<ChangeRecord, String>>)>,
}

impl Entries {
    /// Worth a thread only for a big JSON file.
    pub fn prefetched(self) -> Box<dyn ChangeList> {
        let lazy = matches!(&self.resources, Resources::Json { spans, .. } if spans.len() >= 1024);
        if !lazy {
            return Box::new(self);
        }
        let entries = Arc::new(self);
        let (tx, rx) = std::sync::mpsc::sync_channel(512);
        let parser = entries.clone();
        let spawned = std::thread::Builder::new().name("arcemu-world-file".into()).spawn(move || {
            for i in 0..parser.len() {
                // A dropped receiver (the load stopped at a refusal) ends the thread.
                if tx.send(parser.get(i).map(Cow::into_owned)).is_err() {
                    break;
                }
            }
        });
        // Without a thread, every change is parsed on the spot (position 0 never matches).
        let start = if spawned.is_ok() { 0 } else { usize::MAX };
        Box::new(Prefetched { entries, next: std::sync::Mutex::new((start, rx)) })
    }
}

impl ChangeList for Prefetched {
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn change(&self, position: usize) -> Result<Cow<'_, ChangeRecord>, ArmError> {
        let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if next.0 == position
            && let Ok(change) = next.1.recv()
        {
            next.0 += 1;
            return change.map(Cow::Owned).map_err(ArmError::invalid_request_content);
        }
        next.0 = usize::MAX;
        self.entries.get(position).map_err(ArmError::invalid_request_content)
    }
    fn describe(&self, position: usize, e: &ArmError) -> String {
        self.entries.describe(position, e)
    }
}

impl ChangeList for Entries {
    fn len(&self) -> usize {
        Entries::len(self)
    }
    fn change(&self, position: usize) -> Result<Cow<'_, ChangeRecord>, ArmError> {
        self.get(position).map_err(ArmError::invalid_request_content)
    }
    fn describe(&self, position: usize, e: &ArmError) -> String {
        Entries::describe(self, position, e)
    }
}

/// Just an entry's id (for messages).
#[derive(Deserialize)]
struct EntryId {
    id: String,
}

/// An entry's shape, checked when the file is read without keeping its body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryShape {
    id: String,
    #[serde(default)]
    #[allow(dead_code)] // read to be checked, never kept
    body: serde::de::IgnoredAny,
}

fn resource_change(i: usize, entry: ResourceEntry) -> Result<ChangeRecord, String> {
    let id = ResourceId::parse(&entry.id).map_err(|e| format!("resources[{i}]: {e}"))?;
    Ok(if id.is_resource_group() {
        ChangeRecord::PutResourceGroup {
            subscription: id.subscription().to_string(),
            name: id.resource_group().unwrap_or_default().to_string(),
            body: entry.body,
        }
    } else {
        ChangeRecord::PutResource { id, body: entry.body }
    })
}

/// The file's entries as changes; fails on an id that does not parse.
pub fn entries(file: &WorldFile) -> Result<Entries, String> {
    into_entries(file.clone())
}

/// [`entries`] of a file that is not needed afterwards (its bodies are moved, not copied).
pub fn into_entries(file: WorldFile) -> Result<Entries, String> {
    let mut resources = Vec::with_capacity(file.resources.len());
    for (i, entry) in file.resources.into_iter().enumerate() {
        let label = entry.id.clone();
        resources.push((label, resource_change(i, entry)?));
    }
    Ok(Entries {
        resources: Resources::Parsed(resources),
        lab: lab_changes(file.sites, file.forwarders, file.clusters),
    })
}

fn lab_changes(
    sites: BTreeMap<String, Value>,
    forwarders: BTreeMap<String, Value>,
    clusters: BTreeMap<String, Value>,
) -> Vec<(&'static str, String, ChangeRecord)> {
    let mut out = Vec::new();
    for (name, body) in sites {
        out.push(("sites", name.clone(), ChangeRecord::PutSite { name, body }));
    }
    for (name, body) in forwarders {
        out.push(("forwarders", name.clone(), ChangeRecord::PutForwarderVm { name, body }));
    }
    for (name, body) in clusters {
        out.push(("clusters", name.clone(), ChangeRecord::PutLabCluster { name, body }));
    }
    out
}

/// A world file's text as its subscriptions and entries. A JSON text keeps each resource
/// entry as text, checked now (shape and id) and parsed when applied; YAML is parsed whole.
pub fn read_entries(text: String) -> Result<(Vec<String>, Entries), String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Lazy<'a> {
        #[serde(default)]
        subscriptions: Vec<String>,
        #[serde(default, borrow)]
        resources: Vec<&'a serde_json::value::RawValue>,
        #[serde(default)]
        sites: BTreeMap<String, Value>,
        #[serde(default)]
        forwarders: BTreeMap<String, Value>,
        #[serde(default)]
        clusters: BTreeMap<String, Value>,
    }
    let lazy = if text.trim_start().starts_with('{') { serde_json::from_str::<Lazy>(&text).ok() } else { None };
    let Some(lazy) = lazy else {
        let file = parse(&text)?;
        let subscriptions = file.subscriptions.clone();
        return Ok((subscriptions, into_entries(file)?));
    };
    let base = text.as_ptr() as usize;
    let mut spans = Vec::with_capacity(lazy.resources.len());
    for (i, raw) in lazy.resources.iter().enumerate() {
        let json = raw.get();
        let shape: EntryShape =
            serde_json::from_str(json).map_err(|e| format!("the world file is not valid: resources[{i}]: {e}"))?;
        ResourceId::parse(&shape.id).map_err(|e| format!("resources[{i}]: {e}"))?;
        let start = json.as_ptr() as usize - base;
        spans.push(start..start + json.len());
    }
    let lab = lab_changes(lazy.sites, lazy.forwarders, lazy.clusters);
    let subscriptions = lazy.subscriptions;
    Ok((subscriptions, Entries { resources: Resources::Json { text, spans }, lab }))
}

/// Applies a world file; stops at the first refused entry and says which.
pub fn apply(world: &mut World, file: &WorldFile, now: OffsetDateTime) -> Result<usize, String> {
    let entries = entries(file)?;
    for i in 0..entries.len() {
        let change = entries.get(i)?;
        let rebound = world.loaded_change(&change);
        world
            .apply_quietly(now, rebound.as_ref().unwrap_or(&change).as_change())
            .map_err(|e| entries.describe(i, &e))?;
    }
    Ok(entries.len())
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
