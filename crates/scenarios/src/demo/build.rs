//! Requests the scenarios are made of: the seed's resources (named as in
//! `examples/seed-world.yaml`), the lab objects, and the questions (explain, resolve).
//! Every function returns a setup [`Step`] (expects a 2xx); scenarios add narration and
//! expectations.

use super::{SECOND_SUBSCRIPTION, SUBSCRIPTION, Step};
use serde_json::{Value, json};

pub const RG_API: &str = "2025-04-01";
pub const HC_API: &str = "2026-07-15";
pub const K8S_API: &str = "2026-05-01";
pub const CL_API: &str = "2021-08-15";
pub const EXT_API: &str = "2023-05-01";
pub const NET_API: &str = "2024-07-01";
pub const DNS_API: &str = "2024-06-01";
pub const RESOLVER_API: &str = "2022-07-01";

pub const SUB: &str = SUBSCRIPTION;
pub const SUB2: &str = SECOND_SUBSCRIPTION;
pub const RG: &str = "arc";
pub const REGION: &str = "eastus";
/// The address of the Private Resolver inbound endpoint (first free address of `dns-inbound`).
pub const INBOUND_IP: &str = "10.10.3.4";

pub const PRIVATE_ZONES: [&str; 3] = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
];
pub const PUBLIC_ZONES: [&str; 3] =
    ["his.arc.azure.com", "guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"];

pub fn group_id(sub: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{RG}")
}

pub fn id_in(sub: &str, provider_type: &str, name: &str) -> String {
    format!("{}/providers/{provider_type}/{name}", group_id(sub))
}

pub fn scope_id(name: &str) -> String {
    id_in(SUB, "Microsoft.HybridCompute/privateLinkScopes", name)
}

pub fn cluster_id_in(sub: &str, name: &str) -> String {
    id_in(sub, "Microsoft.Kubernetes/connectedClusters", name)
}

pub fn cluster_id(name: &str) -> String {
    cluster_id_in(SUB, name)
}

pub fn net_id_in(sub: &str, ty: &str, name: &str) -> String {
    id_in(sub, &format!("Microsoft.Network/{ty}"), name)
}

pub fn net_id(ty: &str, name: &str) -> String {
    net_id_in(SUB, ty, name)
}

pub fn vnet_id(name: &str) -> String {
    net_id("virtualNetworks", name)
}

pub fn subnet_id(vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", vnet_id(vnet))
}

pub fn zone_id(zone: &str) -> String {
    net_id("privateDnsZones", zone)
}

pub fn group_in(sub: &str, location: &str) -> Step {
    Step::put(format!("{}?api-version={RG_API}", group_id(sub)), json!({"location": location}))
}

pub fn group() -> Step {
    group_in(SUB, REGION)
}

/// A Private Link Scope; `access` is `publicNetworkAccess`.
pub fn scope(name: &str, location: &str, access: &str) -> Step {
    Step::put(
        format!("{}?api-version={HC_API}", scope_id(name)),
        json!({"location": location, "properties": {"publicNetworkAccess": access}}),
    )
}

/// A virtual network with subnets (name, prefix).
pub fn vnet_in(sub: &str, name: &str, location: &str, space: &str, subnets: &[(&str, &str)]) -> Step {
    let subnets: Vec<Value> =
        subnets.iter().map(|(n, p)| json!({"name": n, "properties": {"addressPrefix": p}})).collect();
    Step::put(
        format!("{}?api-version={NET_API}", net_id_in(sub, "virtualNetworks", name)),
        json!({"location": location, "properties": {"addressSpace": {"addressPrefixes": [space]}, "subnets": subnets}}),
    )
}

/// The seed's hub VNet: endpoints, gateway and DNS inbound subnets.
pub fn hub() -> Step {
    vnet_in(
        SUB,
        "hub",
        REGION,
        "10.10.0.0/16",
        &[("endpoints", "10.10.1.0/24"), ("GatewaySubnet", "10.10.2.0/27"), ("dns-inbound", "10.10.3.0/28")],
    )
}

pub fn zone(zone: &str) -> Step {
    Step::put(format!("{}?api-version={DNS_API}", zone_id(zone)), json!({"location": "global"}))
}

/// Links a private zone to a VNet; `policy` is the link's `resolutionPolicy` when given.
pub fn zone_link(zone: &str, vnet: &str, policy: Option<&str>) -> Step {
    let mut props = json!({"virtualNetwork": {"id": vnet_id(vnet)}, "registrationEnabled": false});
    if let Some(p) = policy {
        props["resolutionPolicy"] = json!(p);
    }
    Step::put(
        format!("{}/virtualNetworkLinks/{vnet}?api-version={DNS_API}", zone_id(zone)),
        json!({"location": "global", "properties": props}),
    )
}

/// A private endpoint in `sub`'s VNet `vnet`/`subnet` to scope `scope` (default subscription),
/// with an auto-approved (or, `manual`, a pending) connection asking for `group_ids`.
#[allow(clippy::too_many_arguments)] // every field of an endpoint, spelled out at call sites
pub fn endpoint_full(
    sub: &str,
    name: &str,
    location: &str,
    vnet: &str,
    subnet: &str,
    scope: &str,
    manual: bool,
    group_ids: Value,
) -> Step {
    let list = if manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
    let mut props = json!({"subnet": {"id": format!("{}/subnets/{subnet}", net_id_in(sub, "virtualNetworks", vnet))}});
    props[list] =
        json!([{"name": "arc", "properties": {"privateLinkServiceId": scope_id(scope), "groupIds": group_ids}}]);
    Step::put(
        format!("{}?api-version={NET_API}", net_id_in(sub, "privateEndpoints", name)),
        json!({"location": location, "properties": props}),
    )
}

pub fn endpoint(name: &str, vnet: &str, subnet: &str, scope: &str) -> Step {
    endpoint_full(SUB, name, REGION, vnet, subnet, scope, false, json!(["hybridcompute"]))
}

/// The zone group that writes the endpoint's A records into the three private zones.
pub fn zone_group(pe: &str) -> Step {
    let configs: Vec<Value> = PRIVATE_ZONES
        .iter()
        .zip(["his", "gc", "dp"])
        .map(|(z, n)| json!({"name": n, "properties": {"privateDnsZoneId": zone_id(z)}}))
        .collect();
    Step::put(
        format!("{}/privateDnsZoneGroups/default?api-version={NET_API}", net_id("privateEndpoints", pe)),
        json!({"properties": {"privateDnsZoneConfigs": configs}}),
    )
}

pub fn resolver() -> Step {
    Step::put(
        format!("{}?api-version={RESOLVER_API}", net_id("dnsResolvers", "resolver")),
        json!({"location": REGION, "properties": {"virtualNetwork": {"id": vnet_id("hub")}}}),
    )
}

pub fn inbound() -> Step {
    Step::put(
        format!("{}/inboundEndpoints/inbound?api-version={RESOLVER_API}", net_id("dnsResolvers", "resolver")),
        json!({"location": REGION, "properties": {"ipConfigurations": [{"subnet": {"id": subnet_id("hub", "dns-inbound")}}]}}),
    )
}

pub fn gateway() -> Step {
    Step::put(
        format!("{}?api-version={NET_API}", net_id("virtualNetworkGateways", "hub-gw")),
        json!({"location": REGION, "properties": {"gatewayType": "Vpn", "vpnType": "RouteBased",
            "ipConfigurations": [{"name": "default", "properties": {"subnet": {"id": subnet_id("hub", "GatewaySubnet")}}}]}}),
    )
}

pub fn local_gateway() -> Step {
    Step::put(
        format!("{}?api-version={NET_API}", net_id("localNetworkGateways", "hq")),
        json!({"location": REGION, "properties": {"gatewayIpAddress": "203.0.113.10",
            "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}),
    )
}

pub fn connection_path() -> String {
    format!("{}?api-version={NET_API}", net_id("connections", "hub-to-hq"))
}

pub fn connection() -> Step {
    Step::put(
        connection_path(),
        json!({"location": REGION, "properties": {"connectionType": "IPsec",
            "virtualNetworkGateway1": {"id": net_id("virtualNetworkGateways", "hub-gw")},
            "localNetworkGateway2": {"id": net_id("localNetworkGateways", "hq")}, "sharedKey": "example-only"}}),
    )
}

/// DNS of a site that forwards the three Arc zones to the Private Resolver inbound endpoint.
pub fn forwarding_dns() -> Value {
    json!({"forwarders": PUBLIC_ZONES.iter().map(|z| json!({"domain": z, "targets": [INBOUND_IP]})).collect::<Vec<_>>()})
}

/// A firewall open to the four services of the seed's "Network configuration", except `missing`.
pub fn firewall_without(missing: &[&str]) -> Value {
    let rules = [
        json!({"destination": "AzureActiveDirectory", "port": 443}),
        json!({"destination": "AzureResourceManager", "port": 443}),
        json!({"destination": "MicrosoftContainerRegistry", "port": 443}),
        json!({"destination": "AzureFrontDoor.FirstParty", "port": 443}),
        json!({"destination": "AzureFrontDoor.FirstParty", "port": 443, "inbound": true}),
    ];
    Value::Array(rules.into_iter().filter(|r| !missing.iter().any(|m| r["destination"] == *m)).collect())
}

pub fn full_firewall() -> Value {
    firewall_without(&[])
}

/// [`full_firewall`] plus the Arc services themselves (AzureArcInfrastructure,
/// GuestAndHybridManagement), which a site reaching Arc over the internet needs.
pub fn public_firewall() -> Value {
    let mut rules = full_firewall();
    if let Value::Array(a) = &mut rules {
        a.push(json!({"destination": "AzureArcInfrastructure", "port": 443}));
        a.push(json!({"destination": "GuestAndHybridManagement", "port": 443}));
    }
    rules
}

/// An on-premises site (lab object): its address space, DNS server and firewall.
pub fn site(name: &str, dns: Value, firewall: Value) -> Step {
    Step::put(
        format!("/_emulator/sites/{name}"),
        json!({"addressSpace": ["192.168.10.0/24"], "dns": dns, "firewall": firewall}),
    )
}

/// A connected cluster in `sub` (the `az connectedk8s connect` of the seed); with a scope:
/// `privateLinkState` Enabled and the scope's id (default subscription).
pub fn cluster_in(sub: &str, name: &str, location: &str, scope: Option<&str>) -> Step {
    let mut props = json!({"agentPublicKeyCertificate": "MIIBCgKCAQEA-example"});
    match scope {
        Some(s) => {
            props["privateLinkState"] = json!("Enabled");
            props["privateLinkScopeResourceId"] = json!(scope_id(s));
        }
        None => props["privateLinkState"] = json!("Disabled"),
    }
    cluster_with(sub, name, location, props)
}

pub fn cluster_with(sub: &str, name: &str, location: &str, properties: Value) -> Step {
    Step::put(
        format!("{}?api-version={K8S_API}", cluster_id_in(sub, name)),
        json!({"location": location, "identity": {"type": "SystemAssigned"}, "properties": properties}),
    )
}

pub fn cluster(name: &str, scope: Option<&str>) -> Step {
    cluster_in(SUB, name, REGION, scope)
}

pub fn get_cluster(name: &str) -> Step {
    Step::get(format!("{}?api-version={K8S_API}", cluster_id(name)))
}

/// A lab Kubernetes cluster in site `site` whose agents act for connected cluster `cc`.
pub fn lab_cluster(name: &str, site: &str, cc: &str) -> Step {
    Step::put(format!("/_emulator/clusters/{name}"), json!({"site": site, "connectedCluster": cluster_id(cc)}))
}

/// Where a lab cluster's agents get: every Arc endpoint, with the rule that decided.
pub fn explain(name: &str) -> Step {
    Step::get(format!("/_emulator/clusters/{name}/explain"))
}

/// How `name` resolves (A) from a vantage point (`public`, `vnet:<id>`, `site:<name>`).
pub fn resolve(name: &str, from: &str) -> Step {
    Step::get(format!("/_emulator/dns/resolve?name={name}&from={from}&type=A"))
}

/// The seed's network without the cluster: scope `arc-pls` (public access disabled), hub VNet,
/// the three private zones linked to it, endpoint `arc-pe` (approved, or pending when
/// `manual`) with its zone group, a Private Resolver inbound endpoint, a site-to-site VPN to
/// site `hq`, whose DNS forwards the Arc zones to the resolver and whose firewall lets the
/// four required services through. All setup steps.
pub fn seed_network(manual: bool) -> Vec<Step> {
    let mut steps = vec![group(), scope("arc-pls", REGION, "Disabled"), hub()];
    for z in PRIVATE_ZONES {
        steps.push(zone(z));
        steps.push(zone_link(z, "hub", None));
    }
    steps.push(endpoint_full(SUB, "arc-pe", REGION, "hub", "endpoints", "arc-pls", manual, json!(["hybridcompute"])));
    steps.push(zone_group("arc-pe"));
    steps.extend([resolver(), inbound(), gateway(), local_gateway(), connection()]);
    steps.push(site("hq", forwarding_dns(), full_firewall()));
    let label = if manual { SEED_NETWORK_MANUAL } else { SEED_NETWORK };
    steps.into_iter().map(|s| s.labelled(label)).collect()
}

const SEED_NETWORK: &str = "the seed's network, as in happy-path steps 1-18: scope 'arc-pls' (public access disabled), \
     hub VNet, the three privatelink zones linked to it, endpoint 'arc-pe' (approved) with its zone group, Private \
     Resolver inbound endpoint 10.10.3.4, site-to-site VPN 'hub-to-hq', site 'hq' (DNS forwarding to the resolver, \
     firewall open to the four services)";
const SEED_NETWORK_MANUAL: &str = "the seed's network, as in happy-path steps 1-18 but with a manual (Pending) \
     connection request on endpoint 'arc-pe': scope 'arc-pls' (public access disabled), hub VNet, the three \
     privatelink zones linked to it, the endpoint with its zone group, Private Resolver inbound endpoint 10.10.3.4, \
     site-to-site VPN 'hub-to-hq', site 'hq' (DNS forwarding to the resolver, firewall open to the four services)";
