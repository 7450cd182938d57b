//! The operations of the state machine and how each one is carried out against a live
//! emulator over HTTP (ARM and admin API). The reference model predicts them
//! ([`crate::reference::apply`]); `tests/state_machine.rs` compares the two after every step.

use crate::client::{Client, Reply};
use crate::reference::{self, Link, PE_SLOTS, Region, VNET_REGION, VNET_SUB, ZONES};
use serde_json::{Value, json};
use std::fmt;

pub const SUBS: [&str; 2] = ["00000000-0000-0000-0000-000000000000", "22222222-2222-2222-2222-222222222222"];
const RG_API: &str = "2025-04-01";
const HC_API: &str = "2026-07-15";
const K8S_API: &str = "2026-05-01";
const NET_API: &str = "2024-07-01";
const DNS_API: &str = "2024-06-01";
const CL_API: &str = "2021-08-15";
/// The Private Resolver inbound endpoint the site forwards to (first free address of hub/inbound).
pub const INBOUND: &str = "10.1.3.4";

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
    link_zones(c, true).await?;
    let res = format!("{}/providers/Microsoft.Network/dnsResolvers/resolver", rg(0));
    must(
        c.put(
            &format!("{res}?api-version=2022-07-01"),
            &json!({"location": "eastus", "properties": {"virtualNetwork": {"id": vnet_id(0)}}}),
        )
        .await,
        "resolver",
    )
    .await?;
    let inbound = json!({"location": "eastus", "properties": {"ipConfigurations": [{"subnet": {"id": format!("{}/subnets/inbound", vnet_id(0))}}]}});
    must(c.put(&format!("{res}/inboundEndpoints/in?api-version=2022-07-01"), &inbound).await, "inbound endpoint")
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

async fn link_zones(c: &Client, on: bool) -> Result<(), String> {
    for z in 0..3 {
        let url = format!("{}/virtualNetworkLinks/vnet0?api-version={DNS_API}", zone_id(z));
        let r = if on {
            c.put(&url, &json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet_id(0)}}})).await
        } else {
            c.delete(&url).await
        };
        if !r.ok() {
            return Err(format!("zone link: {} {}", r.status, r.body));
        }
    }
    Ok(())
}

/// The outcome the emulator gave: `Ok`, or the refusal's rule id (its ARM code when no rule).
pub fn outcome(r: &Reply) -> reference::Outcome {
    if r.ok() {
        reference::Outcome::Ok
    } else {
        reference::Outcome::Refused(r.rule().map(str::to_string).unwrap_or_else(|| r.code().to_string()))
    }
}

/// Carries out `op` against the emulator and returns its outcome.
pub async fn execute(c: &Client, op: &Op) -> reference::Outcome {
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
        Op::LinkZones { on } => {
            return match link_zones(c, on).await {
                Ok(()) => reference::Outcome::Ok,
                Err(e) => reference::Outcome::Refused(e),
            };
        }
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
            let url = format!(
                "{}/providers/Microsoft.ExtendedLocation/customLocations/cl-c{slot}?api-version={CL_API}",
                rg(0)
            );
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
                    "{}/providers/Microsoft.KubernetesConfiguration/extensions/ext?api-version=2023-05-01",
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
    };
    outcome(&r)
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
    let mut endpoint_addresses = std::collections::BTreeSet::new();
    for slot in 0..4 {
        let pe = c.get(&format!("{}?api-version={NET_API}", pe_id(slot))).await;
        for cfg in pe.body["properties"]["customDnsConfigs"].as_array().into_iter().flatten() {
            for ip in cfg["ipAddresses"].as_array().into_iter().flatten() {
                endpoint_addresses.insert(ip.as_str().unwrap_or_default().to_string());
            }
        }
    }
    for scope in 0..2 {
        let list = c.get(&format!("{}/privateEndpointConnections?api-version={HC_API}", scope_id(scope))).await;
        for pec in list.body["value"].as_array().into_iter().flatten() {
            let pe = pec["properties"]["privateEndpoint"]["id"].as_str().unwrap_or_default();
            if c.get(&format!("{pe}?api-version={NET_API}")).await.status != 200 {
                found.push(format!("pls-{scope} has connection {} to missing endpoint {pe}", pec["name"]));
            }
        }
    }
    for (z, zone) in ZONES.iter().enumerate() {
        let sets = c.get(&format!("{}/A?api-version={DNS_API}", zone_id(z))).await;
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
