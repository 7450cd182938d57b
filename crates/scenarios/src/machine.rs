//! The operations of the state machine and how each one is carried out against a live
//! emulator over HTTP (ARM and admin API). The reference model predicts them
//! ([`crate::reference::apply`]); `tests/state_machine.rs` compares the two after every step.
//! [`tracked`] lists every resource the reference knows with what a GET must show.

use crate::client::{Client, Reply};
use crate::reference::{
    self, GROUPS, LRO_DELAY_MS, Link, PE_SLOTS, Prov, Region, State, TAG_VALUES, VNET_REGION, VNET_SUB, ZONES,
};
use arcemu_model::clock::ManualClock;
use serde_json::{Value, json};
use std::fmt;

pub const SUBS: [&str; 2] = ["00000000-0000-0000-0000-000000000000", "22222222-2222-2222-2222-222222222222"];
const RG_API: &str = "2025-04-01";
const HC_API: &str = "2026-07-15";
const K8S_API: &str = "2026-05-01";
const NET_API: &str = "2024-07-01";
const DNS_API: &str = "2024-06-01";
const CL_API: &str = "2021-08-15";
const EXT_API: &str = "2023-05-01";
const RESOLVER_API: &str = "2022-07-01";
/// The Private Resolver inbound endpoint the site forwards to (first free address of hub/inbound).
pub const INBOUND: &str = "10.1.3.4";

/// How far an `AdvanceClock` moves the manual clock, relative to the operations' delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    Zero,
    Half,
    /// Exactly the delay: an operation started at the previous tick is due now.
    Full,
    Double,
}

impl Advance {
    pub fn millis(self) -> u64 {
        match self {
            Advance::Zero => 0,
            Advance::Half => LRO_DELAY_MS / 2,
            Advance::Full => LRO_DELAY_MS,
            Advance::Double => 2 * LRO_DELAY_MS,
        }
    }
}

/// One step of a generated sequence.
#[derive(Clone, PartialEq, Eq)]
pub enum Op {
    PutScope {
        slot: usize,
        region: Region,
        public: bool,
    },
    DeleteScope {
        slot: usize,
    },
    PutEndpoint {
        slot: usize,
        scope: usize,
        manual: bool,
        region: Region,
        group_ok: bool,
    },
    DeleteEndpoint {
        slot: usize,
    },
    ZoneGroup {
        slot: usize,
    },
    SetConnection {
        slot: usize,
        approve: bool,
    },
    LinkZones {
        on: bool,
    },
    EmptyRecord {
        on: bool,
    },
    PutCluster {
        slot: usize,
        region: Region,
        link: Link,
    },
    DeleteCluster {
        slot: usize,
    },
    CustomLocation {
        slot: usize,
        create: bool,
    },
    AddResources {
        scope: usize,
        slot: usize,
    },
    Provider {
        register: bool,
    },
    Vpn {
        on: bool,
    },
    Firewall {
        block_mcr: bool,
    },
    /// An extension `ext` on a cluster: Flux (documented for private link) or another type.
    PutExtension {
        slot: usize,
        documented: bool,
    },
    /// The site switches to manual DNS records copied from pe0's DNS configuration (or back to forwarding).
    ManualDns {
        on: bool,
    },
    /// Moves the manual clock: due long-running operations complete.
    AdvanceClock {
        by: Advance,
    },
    /// PUT of the extra resource group `GROUPS[group]` with tags `TAG_VALUES[tag]`.
    PutGroup {
        group: usize,
        tag: usize,
    },
    /// DELETE of an extra resource group (long-running; takes its scope with it).
    DeleteGroup {
        group: usize,
    },
    /// PUT of the scope `pls-g` in an extra resource group, with tags `TAG_VALUES[tag]`.
    PutGroupScope {
        group: usize,
        tag: usize,
    },
}

/// Sequences print as a script a person can replay by hand.
impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pub_ = |p: bool| if p { "public access Enabled" } else { "public access Disabled" };
        match self {
            Op::PutScope { slot, region, public } => {
                write!(f, "PUT scope pls-{slot} in {} ({})", region.name(), pub_(*public))
            }
            Op::DeleteScope { slot } => write!(f, "DELETE scope pls-{slot}"),
            Op::PutEndpoint { slot, scope, manual, region, group_ok } => {
                let (v, s) = PE_SLOTS[*slot];
                write!(
                    f,
                    "PUT private endpoint pe{slot} in vnet{v}/s{s} ({}) -> pls-{scope}{}{}",
                    region.name(),
                    if *manual { ", manual approval" } else { "" },
                    if *group_ok { "" } else { ", groupIds [blob]" }
                )
            }
            Op::DeleteEndpoint { slot } => write!(f, "DELETE private endpoint pe{slot}"),
            Op::ZoneGroup { slot } => write!(f, "PUT zone group of pe{slot} (3 privatelink zones)"),
            Op::SetConnection { slot, approve } => {
                write!(f, "{} pe{slot}'s connection on its scope", if *approve { "APPROVE" } else { "REJECT" })
            }
            Op::LinkZones { on } => write!(f, "{} the 3 zones' links to vnet0", if *on { "PUT" } else { "DELETE" }),
            Op::EmptyRecord { on } => {
                write!(
                    f,
                    "{} empty A record set 'gbl' in privatelink.his.arc.azure.com",
                    if *on { "PUT" } else { "DELETE" }
                )
            }
            Op::PutCluster { slot, region, link } => {
                write!(f, "PUT connected cluster c{slot} in {} with {link:?}", region.name())
            }
            Op::DeleteCluster { slot } => write!(f, "DELETE connected cluster c{slot}"),
            Op::CustomLocation { slot, create } => {
                write!(f, "{} custom location on c{slot}", if *create { "PUT" } else { "DELETE" })
            }
            Op::AddResources { scope, slot } => write!(f, "ADD c{slot} to pls-{scope} (portal 'add resources')"),
            Op::Provider { register } => {
                write!(f, "{} Microsoft.Kubernetes in sub 2", if *register { "REGISTER" } else { "UNREGISTER" })
            }
            Op::Vpn { on } => {
                write!(f, "{} the site-to-site VPN hq <-> vnet0", if *on { "CONNECT" } else { "DISCONNECT" })
            }
            Op::Firewall { block_mcr } => {
                write!(
                    f,
                    "site firewall {}",
                    if *block_mcr { "BLOCKS MicrosoftContainerRegistry" } else { "allows the four services" }
                )
            }
            Op::PutExtension { slot, documented } => {
                write!(
                    f,
                    "PUT extension on c{slot} ({})",
                    if *documented { "microsoft.flux" } else { "Microsoft.PolicyInsights" }
                )
            }
            Op::ManualDns { on } => {
                write!(
                    f,
                    "site DNS {}",
                    if *on { "= manual records copied from pe0" } else { "forwards to the resolver" }
                )
            }
            Op::AdvanceClock { by } => write!(f, "ADVANCE the clock by {} ms", by.millis()),
            Op::PutGroup { group, tag } => {
                write!(f, "PUT resource group '{}' (owner tag {:?})", GROUPS[*group], TAG_VALUES[*tag])
            }
            Op::DeleteGroup { group } => write!(f, "DELETE resource group '{}'", GROUPS[*group]),
            Op::PutGroupScope { group, tag } => {
                write!(f, "PUT scope pls-g in resource group '{}' (owner tag {:?})", GROUPS[*group], TAG_VALUES[*tag])
            }
        }
    }
}

fn rg(sub: usize) -> String {
    format!("/subscriptions/{}/resourceGroups/rg", SUBS[sub])
}
fn scope_id(slot: usize) -> String {
    format!("{}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-{slot}", rg(0))
}
fn vnet_id(v: usize) -> String {
    format!("{}/providers/Microsoft.Network/virtualNetworks/vnet{v}", rg(VNET_SUB[v]))
}
fn pe_id(slot: usize) -> String {
    let (v, _) = PE_SLOTS[slot];
    format!("{}/providers/Microsoft.Network/privateEndpoints/pe{slot}", rg(VNET_SUB[v]))
}
fn zone_id(z: usize) -> String {
    format!("{}/providers/Microsoft.Network/privateDnsZones/{}", rg(0), ZONES[z])
}
fn link_id(z: usize) -> String {
    format!("{}/virtualNetworkLinks/vnet0", zone_id(z))
}
pub fn cluster_id(slot: usize) -> String {
    format!("{}/providers/Microsoft.Kubernetes/connectedClusters/c{slot}", rg(reference::CLUSTER_SUB[slot]))
}

fn firewall(block_mcr: bool) -> Value {
    let mut rules = vec![
        json!({"destination": "AzureActiveDirectory"}),
        json!({"destination": "AzureResourceManager"}),
        json!({"destination": "AzureFrontDoor.FirstParty"}),
        json!({"destination": "AzureFrontDoor.FirstParty", "inbound": true}),
        json!({"destination": "AzureArcInfrastructure"}),
        json!({"destination": "GuestAndHybridManagement"}),
    ];
    if !block_mcr {
        rules.push(json!({"destination": "MicrosoftContainerRegistry"}));
    }
    json!(rules)
}

fn firewall_rules(block_mcr: bool) -> Value {
    firewall(block_mcr)
}

fn site(block_mcr: bool) -> Value {
    let forwarders: Vec<Value> =
        ["his.arc.azure.com", "guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"]
            .iter()
            .map(|d| json!({"domain": d, "targets": [INBOUND]}))
            .collect();
    json!({"addressSpace": ["192.168.10.0/24"], "dns": {"forwarders": forwarders}, "firewall": firewall(block_mcr)})
}

async fn must(r: Reply, what: &str) -> Result<(), String> {
    if r.ok() { Ok(()) } else { Err(format!("setup step '{what}' failed: {} {}", r.status, r.body)) }
}

/// Builds the fixed universe the reference starts from (its `State::new()`).
pub async fn setup(c: &Client) -> Result<(), String> {
    for sub in 0..2 {
        must(
            c.put(&format!("{}?api-version={RG_API}", rg(sub)), &json!({"location": "eastus"})).await,
            "resource group",
        )
        .await?;
    }
    for (v, region) in VNET_REGION.iter().enumerate() {
        let b = reference::subnet_base(v, 0);
        let mut subnets = vec![
            json!({"name": "s0", "properties": {"addressPrefix": format!("{}.{}.{}.0/24", b[0], b[1], b[2])}}),
            json!({"name": "s1", "properties": {"addressPrefix": format!("{}.{}.{}.0/24", b[0], b[1], b[2] + 1)}}),
        ];
        if v == 0 {
            subnets.push(json!({"name": "inbound", "properties": {"addressPrefix": "10.1.3.0/28"}}));
            subnets.push(json!({"name": "GatewaySubnet", "properties": {"addressPrefix": "10.1.4.0/27"}}));
        }
        let body = json!({"location": region.name(), "properties": {
            "addressSpace": {"addressPrefixes": [format!("10.{}.0.0/16", v + 1)]}, "subnets": subnets}});
        must(c.put(&format!("{}?api-version={NET_API}", vnet_id(v)), &body).await, "vnet").await?;
    }
    for z in 0..3 {
        must(c.put(&format!("{}?api-version={DNS_API}", zone_id(z)), &json!({"location": "global"})).await, "zone")
            .await?;
    }
    must(link_zones(c, true).await, "zone links").await?;
    let res = format!("{}/providers/Microsoft.Network/dnsResolvers/resolver", rg(0));
    must(
        c.put(
            &format!("{res}?api-version={RESOLVER_API}"),
            &json!({"location": "eastus", "properties": {"virtualNetwork": {"id": vnet_id(0)}}}),
        )
        .await,
        "resolver",
    )
    .await?;
    let inbound = json!({"location": "eastus", "properties": {"ipConfigurations": [{"subnet": {"id": format!("{}/subnets/inbound", vnet_id(0))}}]}});
    must(c.put(&format!("{res}/inboundEndpoints/in?api-version={RESOLVER_API}"), &inbound).await, "inbound endpoint")
        .await?;
    let gw = format!("{}/providers/Microsoft.Network/virtualNetworkGateways/gw", rg(0));
    let gbody = json!({"location": "eastus", "properties": {"gatewayType": "Vpn",
        "ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": format!("{}/subnets/GatewaySubnet", vnet_id(0))}}}]}});
    must(c.put(&format!("{gw}?api-version={NET_API}"), &gbody).await, "gateway").await?;
    let lng = format!("{}/providers/Microsoft.Network/localNetworkGateways/hq", rg(0));
    let lbody = json!({"location": "eastus", "properties": {"gatewayIpAddress": "203.0.113.10", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}});
    must(c.put(&format!("{lng}?api-version={NET_API}"), &lbody).await, "local gateway").await?;
    must(vpn(c, true).await, "vpn").await?;
    must(c.put("/_emulator/sites/hq", &site(false)).await, "site").await?;
    for slot in 0..3 {
        let body = json!({"site": "hq", "connectedCluster": cluster_id(slot)});
        must(c.put(&format!("/_emulator/clusters/lab-c{slot}"), &body).await, "lab cluster").await?;
    }
    Ok(())
}

async fn vpn(c: &Client, on: bool) -> Reply {
    let conn = format!("{}/providers/Microsoft.Network/connections/s2s?api-version={NET_API}", rg(0));
    if on {
        let gw = format!("{}/providers/Microsoft.Network/virtualNetworkGateways/gw", rg(0));
        let lng = format!("{}/providers/Microsoft.Network/localNetworkGateways/hq", rg(0));
        c.put(
            &conn,
            &json!({"location": "eastus", "properties": {"connectionType": "IPsec",
            "virtualNetworkGateway1": {"id": gw}, "localNetworkGateway2": {"id": lng}, "sharedKey": "k"}}),
        )
        .await
    } else {
        c.delete(&conn).await
    }
}

/// PUTs (or DELETEs) the three zones' links to vnet0; stops at the first refusal and returns it.
async fn link_zones(c: &Client, on: bool) -> Reply {
    let mut last = Reply { status: 200, body: Value::Null };
    for z in 0..3 {
        let url = format!("{}?api-version={DNS_API}", link_id(z));
        last = if on {
            c.put(&url, &json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet_id(0)}}})).await
        } else {
            c.delete(&url).await
        };
        if !last.ok() {
            break;
        }
    }
    last
}

/// The outcome the emulator gave: `Ok`, or the refusal's rule id (its ARM code when no rule).
pub fn outcome(r: &Reply) -> reference::Outcome {
    if r.ok() {
        reference::Outcome::Ok
    } else {
        reference::Outcome::Refused(r.rule().map(str::to_string).unwrap_or_else(|| r.code().to_string()))
    }
}

/// Carries out `op` against the emulator (whose clock is `clock`) and returns its outcome.
pub async fn execute(c: &Client, clock: &ManualClock, op: &Op) -> reference::Outcome {
    let r = match *op {
        Op::PutScope { slot, region, public } => {
            let access = if public { "Enabled" } else { "Disabled" };
            c.put(
                &format!("{}?api-version={HC_API}", scope_id(slot)),
                &json!({"location": region.name(), "properties": {"publicNetworkAccess": access}}),
            )
            .await
        }
        Op::DeleteScope { slot } => c.delete(&format!("{}?api-version={HC_API}", scope_id(slot))).await,
        Op::PutEndpoint { slot, scope, manual, region, group_ok } => {
            let (v, s) = PE_SLOTS[slot];
            let list = if manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
            let groups = if group_ok { json!(["hybridcompute"]) } else { json!(["blob"]) };
            let mut props = json!({"subnet": {"id": format!("{}/subnets/s{s}", vnet_id(v))}});
            props[list] =
                json!([{"name": "conn", "properties": {"privateLinkServiceId": scope_id(scope), "groupIds": groups}}]);
            c.put(
                &format!("{}?api-version={NET_API}", pe_id(slot)),
                &json!({"location": region.name(), "properties": props}),
            )
            .await
        }
        Op::DeleteEndpoint { slot } => c.delete(&format!("{}?api-version={NET_API}", pe_id(slot))).await,
        Op::ZoneGroup { slot } => {
            let configs: Vec<Value> = (0..3)
                .map(|z| json!({"name": format!("z{z}"), "properties": {"privateDnsZoneId": zone_id(z)}}))
                .collect();
            c.put(
                &format!("{}/privateDnsZoneGroups/default?api-version={NET_API}", pe_id(slot)),
                &json!({"properties": {"privateDnsZoneConfigs": configs}}),
            )
            .await
        }
        Op::SetConnection { slot, approve } => {
            let mut target = None;
            for scope in 0..2 {
                let list = c.get(&format!("{}/privateEndpointConnections?api-version={HC_API}", scope_id(scope))).await;
                for pec in list.body["value"].as_array().into_iter().flatten() {
                    if pec["properties"]["privateEndpoint"]["id"]
                        .as_str()
                        .is_some_and(|id| id.eq_ignore_ascii_case(&pe_id(slot)))
                    {
                        target = pec["id"].as_str().map(str::to_string);
                    }
                }
            }
            let url = target.unwrap_or_else(|| format!("{}/privateEndpointConnections/pe{slot}.none", scope_id(0)));
            let status = if approve { "Approved" } else { "Rejected" };
            c.put(&format!("{url}?api-version={HC_API}"), &json!({"properties": {"privateLinkServiceConnectionState": {"status": status, "description": "state machine"}}}))
                .await
        }
        Op::LinkZones { on } => link_zones(c, on).await,
        Op::EmptyRecord { on } => {
            let url = format!("{}/A/gbl?api-version={DNS_API}", zone_id(0));
            if on {
                c.put(&url, &json!({"properties": {"ttl": 10, "aRecords": []}})).await
            } else {
                c.delete(&url).await
            }
        }
        Op::PutCluster { slot, region, link } => {
            let mut props = json!({"agentPublicKeyCertificate": "MIIC-state-machine"});
            match link {
                Link::None => props["privateLinkState"] = json!("Disabled"),
                Link::Scope(s) => {
                    props["privateLinkState"] = json!("Enabled");
                    props["privateLinkScopeResourceId"] = json!(scope_id(s));
                }
                Link::EnabledWithoutId => props["privateLinkState"] = json!("Enabled"),
                Link::IdWithoutEnabled(s) => {
                    props["privateLinkState"] = json!("Disabled");
                    props["privateLinkScopeResourceId"] = json!(scope_id(s));
                }
            }
            c.put(
                &format!("{}?api-version={K8S_API}", cluster_id(slot)),
                &json!({"location": region.name(), "identity": {"type": "SystemAssigned"}, "properties": props}),
            )
            .await
        }
        Op::DeleteCluster { slot } => c.delete(&format!("{}?api-version={K8S_API}", cluster_id(slot))).await,
        Op::CustomLocation { slot, create } => {
            let url = format!("{}?api-version={CL_API}", custom_location_id(slot));
            if create {
                c.put(&url, &json!({"location": "eastus", "properties": {"hostResourceId": cluster_id(slot), "namespace": "arc", "hostType": "Kubernetes"}}))
                    .await
            } else {
                c.delete(&url).await
            }
        }
        Op::AddResources { scope, slot } => {
            c.post(
                "/_emulator/private-link-scopes/add-resources",
                &json!({"scope": scope_id(scope), "clusters": [cluster_id(slot)]}),
            )
            .await
        }
        Op::Provider { register } => {
            let action = if register { "register" } else { "unregister" };
            c.send(
                "POST",
                &format!("/subscriptions/{}/providers/Microsoft.Kubernetes/{action}?api-version={RG_API}", SUBS[1]),
                None,
            )
            .await
        }
        Op::Vpn { on } => vpn(c, on).await,
        Op::Firewall { block_mcr } => {
            // Keep the site's DNS as it is; change only the firewall.
            let mut body = c.get("/_emulator/sites/hq").await.body;
            body["firewall"] = firewall_rules(block_mcr);
            c.put("/_emulator/sites/hq", &body).await
        }
        Op::PutExtension { slot, documented } => {
            let ty = if documented { "microsoft.flux" } else { "Microsoft.PolicyInsights" };
            c.put(
                &format!(
                    "{}/providers/Microsoft.KubernetesConfiguration/extensions/ext?api-version={EXT_API}",
                    cluster_id(slot)
                ),
                &json!({"properties": {"extensionType": ty}}),
            )
            .await
        }
        Op::ManualDns { on } => {
            let mut body = c.get("/_emulator/sites/hq").await.body;
            if on {
                let pe = c.get(&format!("{}?api-version={NET_API}", pe_id(0))).await;
                let mut zones = Vec::new();
                for z in ["his.arc.azure.com", "guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"] {
                    let mut records = serde_json::Map::new();
                    for cfg in pe.body["properties"]["customDnsConfigs"].as_array().into_iter().flatten() {
                        if let Some(rel) = cfg["fqdn"].as_str().and_then(|f| f.strip_suffix(&format!(".{z}"))) {
                            records.insert(rel.to_string(), cfg["ipAddresses"].clone());
                        }
                    }
                    zones.push(json!({"zone": z, "records": records}));
                }
                body["dns"] = json!({"zones": zones});
            } else {
                body["dns"] = site(false)["dns"].clone();
            }
            c.put("/_emulator/sites/hq", &body).await
        }
        Op::AdvanceClock { by } => {
            clock.advance(time::Duration::milliseconds(by.millis() as i64));
            return reference::Outcome::Ok;
        }
        Op::PutGroup { group, tag } => {
            let body = json!({"location": "eastus", "tags": tags(tag)});
            c.put(&format!("{}?api-version={RG_API}", encode_path(&group_id(group))), &body).await
        }
        Op::DeleteGroup { group } => c.delete(&format!("{}?api-version={RG_API}", encode_path(&group_id(group)))).await,
        Op::PutGroupScope { group, tag } => {
            let body =
                json!({"location": "eastus", "tags": tags(tag), "properties": {"publicNetworkAccess": "Disabled"}});
            c.put(&format!("{}?api-version={HC_API}", encode_path(&group_scope_id(group))), &body).await
        }
    };
    outcome(&r)
}

/// The tags the machine writes: a non-ASCII value by index, and a non-ASCII tag name.
pub fn tags(tag: usize) -> Value {
    json!({"owner": TAG_VALUES[tag], "coût": "42 €"})
}

/// `/subscriptions/{sub0}/resourceGroups/{GROUPS[g]}` (unencoded: as ARM prints ids).
pub fn group_id(g: usize) -> String {
    format!("/subscriptions/{}/resourceGroups/{}", SUBS[0], GROUPS[g])
}

/// The scope `pls-g` in an extra resource group.
pub fn group_scope_id(g: usize) -> String {
    format!("{}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-g", group_id(g))
}

/// A path as it goes on the wire: every byte outside ASCII letters, digits and `-._~/()` as
/// `%XX` (upper-case hex) of its UTF-8 encoding, as Azure SDKs send it.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the emulator says about a cluster slot: (verdicts, ARM connectivityStatus, extensions).
#[allow(clippy::type_complexity)] // a plain tuple of what is compared
pub async fn observe_cluster(
    c: &Client,
    slot: usize,
) -> Option<(Vec<reference::Verdict>, String, Vec<(String, bool, String)>)> {
    let cc = c.get(&format!("{}?api-version={K8S_API}", cluster_id(slot))).await;
    if cc.status == 404 {
        return None;
    }
    let report = c.get(&format!("/_emulator/clusters/lab-c{slot}/explain")).await;
    let verdicts = report.body["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["verdict"].as_str().unwrap_or("?").to_string(), e["rule"].as_str().unwrap_or("-").to_string()))
        .collect();
    let extensions = report.body["extensions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or("?").to_string(),
                e["worksPrivately"].as_bool().unwrap_or(false),
                e["rule"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    Some((verdicts, cc.body["properties"]["connectivityStatus"].as_str().unwrap_or("?").to_string(), extensions))
}

/// A resource the reference knows, and what a GET of it must show.
#[derive(Clone, Debug)]
pub struct Tracked {
    /// The id as ARM prints it (not percent-encoded).
    pub id: String,
    pub api_version: &'static str,
    /// `None`: absent (404). `Some(state)`: present, with that `properties.provisioningState`
    /// (`Some(None)`: a type without one, such as record sets).
    pub want: Option<Option<&'static str>>,
    /// The tags it must carry, when the machine set some.
    pub tags: Option<Value>,
    /// One of the fixed resources of the setup (they change only when the clock moves).
    pub fixed: bool,
}

/// Every resource id of the universe the reference knows (present or not), with what a GET
/// must show: provisioning state (long-running operations), and tags where the machine sets them.
pub fn tracked(state: &State) -> Vec<Tracked> {
    let mut out = Vec::new();
    let entry = |id: String, api_version: &'static str, prov: Option<Prov>, fixed: bool| Tracked {
        id,
        api_version,
        want: prov.map(|p| Some(p.as_str())),
        tags: None,
        fixed,
    };
    let mut add = |id: String, api_version: &'static str, prov: Option<Prov>| {
        out.push(entry(id, api_version, prov, false));
    };
    for slot in 0..2 {
        add(scope_id(slot), HC_API, state.scopes[slot].as_ref().map(|x| x.prov));
    }
    for slot in 0..4 {
        let e = state.endpoints[slot].as_ref();
        add(pe_id(slot), NET_API, e.map(|e| e.prov));
        add(
            format!("{}/privateDnsZoneGroups/default", pe_id(slot)),
            NET_API,
            e.filter(|e| e.zone_group).map(|e| e.zone_group_prov),
        );
    }
    for slot in 0..3 {
        add(cluster_id(slot), K8S_API, state.clusters[slot].as_ref().map(|c| c.prov));
        add(
            format!("{}/providers/Microsoft.KubernetesConfiguration/extensions/ext", cluster_id(slot)),
            EXT_API,
            state.extensions[slot].as_ref().map(|x| x.prov),
        );
        add(custom_location_id(slot), CL_API, state.custom_locations[slot]);
    }
    for z in 0..3 {
        add(link_id(z), DNS_API, state.links);
    }
    add(format!("{}/providers/Microsoft.Network/connections/s2s", rg(0)), NET_API, state.vpn);
    let res = format!("{}/providers/Microsoft.Network/dnsResolvers/resolver", rg(0));
    let mut fixed: Vec<(String, &'static str)> = (0..3).map(|z| (zone_id(z), DNS_API)).collect();
    fixed.extend((0..3).map(|v| (vnet_id(v), NET_API)));
    fixed.push((format!("{res}/inboundEndpoints/in"), RESOLVER_API));
    fixed.push((res, RESOLVER_API));
    fixed.push((format!("{}/providers/Microsoft.Network/virtualNetworkGateways/gw", rg(0)), NET_API));
    fixed.push((format!("{}/providers/Microsoft.Network/localNetworkGateways/hq", rg(0)), NET_API));
    for (id, api_version) in fixed {
        out.push(entry(id, api_version, Some(state.setup), true));
    }
    // Record sets (synchronous, no provisioningState): every Arc name of both regions.
    let mut labels = std::collections::BTreeSet::new();
    for region in [Region::East, Region::West] {
        for (_, z, label) in reference::arc_names(region) {
            labels.insert((z, label));
        }
    }
    for (z, label) in labels {
        let present = state.records.contains_key(&(z, label.clone()));
        out.push(Tracked {
            id: format!("{}/A/{label}", zone_id(z)),
            api_version: DNS_API,
            want: present.then_some(None),
            tags: None,
            fixed: false,
        });
    }
    for g in 0..GROUPS.len() {
        let gs = state.group_scopes[g].as_ref();
        out.push(Tracked {
            id: group_scope_id(g),
            api_version: HC_API,
            want: gs.map(|x| Some(x.prov.as_str())),
            tags: gs.map(|x| tags(x.tag)),
            fixed: false,
        });
    }
    out
}

/// The extra resource groups: (id, what a GET must show: `None` absent, else (state, tags))).
pub fn tracked_groups(state: &State) -> Vec<(String, Option<(&'static str, Value)>)> {
    (0..GROUPS.len())
        .map(|g| {
            let want = state.groups[g]
                .as_ref()
                .map(|x| (if x.deleting.is_some() { "Deleting" } else { "Succeeded" }, tags(x.tag)));
            (group_id(g), want)
        })
        .collect()
}

fn custom_location_id(slot: usize) -> String {
    format!("{}/providers/Microsoft.ExtendedLocation/customLocations/cl-c{slot}", rg(0))
}

/// `gbl.his.arc.azure.com` from the hub VNet: (rcode, addresses).
pub async fn observe_hub_gbl(c: &Client) -> (String, Vec<String>) {
    let r = c.get(&format!("/_emulator/dns/resolve?name=gbl.his.arc.azure.com&from=vnet:{}&type=A", vnet_id(0))).await;
    let answer = &r.body["answer"];
    let rcode = answer["rcode"].as_str().unwrap_or("?").to_string();
    let addrs = answer["answers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["data"]["type"] == "A")
        .filter_map(|a| a["data"]["value"].as_str().map(str::to_string))
        .collect();
    (rcode, addrs)
}

/// Every refusal an operation may predict, for the coverage report.
pub const RULE_IDS: &[&str] = &[
    "PLS-001", "PLS-002", "PLS-003", "PLS-004", "PLS-005", "PLS-008", "PLS-010", "PLS-011", "PLS-012", "PLS-013",
    "PLS-015", "NET-002",
];

/// Dangling references the emulator must never leave: a scope-side connection whose private
/// endpoint is gone, or an A record (written by a zone group) whose address no endpoint holds.
pub async fn dangling_references(c: &Client) -> Vec<String> {
    let mut found = Vec::new();
    let mut urls: Vec<String> = (0..4).map(|slot| format!("{}?api-version={NET_API}", pe_id(slot))).collect();
    urls.extend((0..2).map(|scope| format!("{}/privateEndpointConnections?api-version={HC_API}", scope_id(scope))));
    urls.extend((0..3).map(|z| format!("{}/A?api-version={DNS_API}", zone_id(z))));
    let replies = get_many(c, urls).await;
    let (endpoints, rest) = replies.split_at(4);
    let (connections, zones) = rest.split_at(2);
    let mut endpoint_addresses = std::collections::BTreeSet::new();
    for pe in endpoints {
        for cfg in pe.body["properties"]["customDnsConfigs"].as_array().into_iter().flatten() {
            for ip in cfg["ipAddresses"].as_array().into_iter().flatten() {
                endpoint_addresses.insert(ip.as_str().unwrap_or_default().to_string());
            }
        }
    }
    for (scope, list) in connections.iter().enumerate() {
        for pec in list.body["value"].as_array().into_iter().flatten() {
            let pe = pec["properties"]["privateEndpoint"]["id"].as_str().unwrap_or_default();
            let status = match (0..4).find(|slot| pe_id(*slot).eq_ignore_ascii_case(pe)) {
                Some(slot) => endpoints[slot].status,
                None => c.get(&format!("{pe}?api-version={NET_API}")).await.status,
            };
            if status != 200 {
                found.push(format!("pls-{scope} has connection {} to missing endpoint {pe}", pec["name"]));
            }
        }
    }
    for (zone, sets) in ZONES.iter().zip(zones) {
        for set in sets.body["value"].as_array().into_iter().flatten() {
            for a in set["properties"]["aRecords"].as_array().into_iter().flatten() {
                let ip = a["ipv4Address"].as_str().unwrap_or_default();
                if !endpoint_addresses.contains(ip) {
                    found.push(format!("{zone} A {} -> {ip}, which no private endpoint holds", set["name"]));
                }
            }
        }
    }
    found
}

/// GETs every url at once; the answers in the order of `urls`. (The checks after each step are
/// most of the state machine's time; reads in parallel take less of it.)
pub async fn get_many(c: &Client, urls: Vec<String>) -> Vec<Reply> {
    let mut set = tokio::task::JoinSet::new();
    for (i, url) in urls.into_iter().enumerate() {
        let c = c.clone();
        set.spawn(async move { (i, c.get(&url).await) });
    }
    let failed = || Reply { status: 0, body: Value::String("the GET task failed".to_string()) };
    let mut replies: Vec<Reply> = (0..set.len()).map(|_| failed()).collect();
    while let Some(done) = set.join_next().await {
        if let Ok((i, reply)) = done {
            replies[i] = reply;
        }
    }
    replies
}
