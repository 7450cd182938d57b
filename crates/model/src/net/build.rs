//! Request parsing and validation for the networking types, and the rules that bind them
//! to Private Link Scopes (PLS-001, PLS-004, PLS-005, PLS-012, PLS-013). A builder only
//! reads the world; it returns a [`NetPlan`] that `World::put_resource` applies once every
//! check has passed.

use super::cidr::{CidrError, Ipv4Net, forbidden_overlap};
use super::*;
use crate::endpoints;
use crate::error::{ArmError, ArmResult};
use crate::kinds::ResourceKind;
use crate::resources::{Body, ConnectionStatus, PutEnvelope, Resource, parse_input};
use crate::rules;
use crate::world::World;
use serde::Deserialize;
use std::collections::BTreeSet;

/// What a networking PUT will do: the new body, plus nested children and side effects.
#[derive(Debug, Default)]
pub(crate) struct NetPlan {
    pub body: Option<NetBody>,
    /// Nested child resources to create or replace (subnets of a VNet, rules of an NSG).
    pub children: Vec<(ResourceId, NetBody)>,
    /// Nested children the new body no longer lists.
    pub remove_children: Vec<ResourceId>,
    /// The scope-side connection a new private endpoint creates.
    pub scope_connection: Option<(ResourceId, String, ConnectionStatus, String)>,
    /// A records a zone group writes.
    pub records: Vec<(ResourceId, Ipv4Addr)>,
}

#[derive(Deserialize, Default)]
struct IdRef {
    id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AddressSpace {
    address_prefixes: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DhcpOptions {
    dns_servers: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct VirtualNetworkInput {
    address_space: Option<AddressSpace>,
    dhcp_options: Option<DhcpOptions>,
    subnets: Option<Vec<NamedChild>>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize)]
struct NamedChild {
    name: Option<String>,
    #[serde(default)]
    properties: Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SubnetInput {
    address_prefix: Option<String>,
    address_prefixes: Option<Vec<String>>,
    private_endpoint_network_policies: Option<String>,
    private_link_service_network_policies: Option<String>,
    network_security_group: Option<IdRef>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NsgInput {
    security_rules: Option<Vec<NamedChild>>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SecurityRuleInput {
    priority: Option<i64>,
    direction: Option<String>,
    access: Option<String>,
    protocol: Option<String>,
    source_address_prefix: Option<String>,
    source_address_prefixes: Option<Vec<String>>,
    destination_address_prefix: Option<String>,
    destination_address_prefixes: Option<Vec<String>>,
    source_port_range: Option<String>,
    source_port_ranges: Option<Vec<String>>,
    destination_port_range: Option<String>,
    destination_port_ranges: Option<Vec<String>>,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpointInput {
    subnet: Option<IdRef>,
    private_link_service_connections: Option<Vec<NamedChild>>,
    manual_private_link_service_connections: Option<Vec<NamedChild>>,
    custom_network_interface_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LinkServiceConnectionInput {
    private_link_service_id: Option<String>,
    group_ids: Option<Vec<String>>,
    request_message: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ZoneGroupInput {
    private_dns_zone_configs: Option<Vec<NamedChild>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ZoneConfigInput {
    private_dns_zone_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LinkInput {
    virtual_network: Option<IdRef>,
    registration_enabled: Option<bool>,
    resolution_policy: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ARecordInput {
    ipv4_address: Option<String>,
}

#[derive(Deserialize)]
struct CnameInput {
    cname: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RecordSetInput {
    ttl: Option<i64>,
    a_records: Option<Vec<Value>>,
    cname_record: Option<Value>,
    metadata: Option<Map<String, Value>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct IpConfigurationInput {
    subnet: Option<IdRef>,
    private_ip_address: Option<String>,
    private_ip_allocation_method: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GatewayInput {
    gateway_type: Option<String>,
    ip_configurations: Option<Vec<NamedChild>>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LocalGatewayInput {
    local_network_address_space: Option<AddressSpace>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ConnectionInput {
    connection_type: Option<String>,
    virtual_network_gateway1: Option<IdRef>,
    local_network_gateway2: Option<IdRef>,
    peer: Option<IdRef>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ResolverInput {
    virtual_network: Option<IdRef>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct InboundEndpointInput {
    ip_configurations: Option<Vec<IpConfigurationInput>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct FirewallInput {
    ip_configurations: Option<Vec<NamedChild>>,
    additional_properties: Option<Map<String, Value>>,
    #[serde(flatten)]
    extra: Extra,
}

/// Service tags accepted as NSG address prefixes (optionally `Tag.Region`).
pub const SERVICE_TAGS: &[&str] = &[
    "ApiManagement",
    "AppService",
    "AzureActiveDirectory",
    "AzureArcInfrastructure",
    "AzureCloud",
    "AzureContainerRegistry",
    "AzureFrontDoor.Backend",
    "AzureFrontDoor.FirstParty",
    "AzureFrontDoor.Frontend",
    "AzureKeyVault",
    "AzureLoadBalancer",
    "AzureMonitor",
    "AzureResourceManager",
    "AzureTrafficManager",
    "EventHub",
    "GatewayManager",
    "GuestAndHybridManagement",
    "Internet",
    "MicrosoftContainerRegistry",
    "ServiceBus",
    "Sql",
    "Storage",
    "VirtualNetwork",
];

/// Canonical spelling of a service tag (`Storage.EastUS` → `Storage.EastUS` if `Storage` is known).
pub fn service_tag(prefix: &str) -> Option<&'static str> {
    SERVICE_TAGS.iter().copied().find(|t| {
        prefix.eq_ignore_ascii_case(t)
            || (prefix.len() > t.len()
                && prefix[..t.len()].eq_ignore_ascii_case(t)
                && prefix.as_bytes()[t.len()] == b'.'
                && !t.contains('.'))
    })
}

fn required(path: &str) -> ArmError {
    ArmError::invalid_property(path, format!("The property '{path}' is required."))
}

/// Parses a reference to another resource, refusing ids that are not ids.
pub(crate) fn ref_id(value: Option<&str>, path: &str) -> ArmResult<ResourceId> {
    let text = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| required(path))?;
    ResourceId::parse(text).map_err(|_| ArmError::linked_invalid_property_id(text, path))
}

/// ARM's answer for a reference to a resource that does not exist (text verified).
pub(crate) fn invalid_reference(referenced: &ResourceId, by: &ResourceId, path: &str) -> ArmError {
    ArmError::verified(
        400,
        "InvalidResourceReference",
        format!(
            "Resource {referenced} referenced by resource {by} was not found. Please make sure that the referenced \
             resource exists, and that both resources are in the same region."
        ),
    )
    .with_target(path)
}

fn parse_prefix(text: &str, path: &str, resource: &ResourceId) -> ArmResult<Ipv4Net> {
    Ipv4Net::parse(text).map_err(|e| match e {
        CidrError::Malformed => ArmError::verified(
            400,
            "InvalidAddressPrefixFormat",
            format!(
                "Address prefix {text} of resource {resource} is not formatted correctly. It should follow CIDR \
                 notation, for example 10.0.0.0/24."
            ),
        )
        .with_target(path),
        CidrError::HostBitsSet { canonical } => ArmError::verified(
            400,
            "InvalidCIDRNotation",
            format!(
                "The address prefix {text} in resource {resource} has an invalid CIDR notation. For the given prefix \
                 length, the address prefix should be {canonical}."
            ),
        )
        .with_target(path),
    })
}

fn string_list(single: Option<String>, list: Option<Vec<String>>) -> (Vec<String>, bool) {
    match (single, list) {
        (_, Some(l)) if !l.is_empty() => (l, true),
        (Some(s), _) => (vec![s], false),
        _ => (Vec::new(), false),
    }
}

impl World {
    fn net_body(&self, id: &ResourceId) -> Option<&NetBody> {
        match self.store.get(id.key()).map(|r| &r.body) {
            Some(Body::Net(n)) => Some(n),
            _ => None,
        }
    }

    pub(crate) fn subnet(&self, id: &ResourceId) -> Option<(&Resource, &Subnet)> {
        let r = self.store.get(id.key())?;
        match &r.body {
            Body::Net(NetBody::Subnet(s)) => Some((r, s)),
            _ => None,
        }
    }

    /// Builds the plan of a networking PUT. Reads only.
    pub(crate) fn build_net(
        &self,
        kind: ResourceKind,
        id: &ResourceId,
        env: &PutEnvelope,
        location: Option<&'static str>,
        existing: Option<&Resource>,
    ) -> ArmResult<NetPlan> {
        let props = env.properties.clone().unwrap_or(Value::Null);
        let props = if props.is_null() { Value::Object(Map::new()) } else { props };
        let mut plan = NetPlan::default();
        let body = match kind {
            ResourceKind::VirtualNetwork => self.build_vnet(id, &props, &mut plan)?,
            ResourceKind::Subnet => {
                let vnet = id.parent().ok_or_else(|| required("id"))?;
                let input: SubnetInput = parse_input(&props, "properties")?;
                let siblings = self.sibling_prefixes(&vnet, ResourceKind::Subnet, id);
                NetBody::Subnet(self.build_subnet(&vnet, id, input, "properties", &siblings)?)
            }
            ResourceKind::NetworkSecurityGroup => self.build_nsg(id, &props, &mut plan)?,
            ResourceKind::SecurityRule => {
                let nsg = id.parent().ok_or_else(|| required("id"))?;
                let input: SecurityRuleInput = parse_input(&props, "properties")?;
                let taken = self.rule_priorities(&nsg, Some(id));
                NetBody::SecurityRule(build_rule(id.name(), input, "properties", &taken)?)
            }
            ResourceKind::PrivateEndpoint => {
                self.build_private_endpoint(id, &props, location.unwrap_or_default(), existing, &mut plan)?
            }
            ResourceKind::PrivateDnsZoneGroup => self.build_zone_group(id, &props, &mut plan)?,
            ResourceKind::PrivateDnsZone => NetBody::PrivateDnsZone(PrivateDnsZone {
                internal_id: match existing.map(|r| &r.body) {
                    Some(Body::Net(NetBody::PrivateDnsZone(z))) => z.internal_id.clone(),
                    _ => self.ids().guid(),
                },
            }),
            ResourceKind::VirtualNetworkLink => self.build_link(id, &props)?,
            ResourceKind::ARecordSet | ResourceKind::CnameRecordSet => build_record_set(kind, &props)?,
            ResourceKind::VirtualNetworkGateway => self.build_gateway(id, &props)?,
            ResourceKind::LocalNetworkGateway => {
                let input: LocalGatewayInput = parse_input(&props, "properties")?;
                let prefixes = input.local_network_address_space.and_then(|a| a.address_prefixes).unwrap_or_default();
                let address_prefixes = prefixes
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        parse_prefix(p, &format!("properties.localNetworkAddressSpace.addressPrefixes[{i}]"), id)
                    })
                    .collect::<ArmResult<Vec<_>>>()?;
                NetBody::LocalNetworkGateway(LocalNetworkGateway { address_prefixes, extra: input.extra })
            }
            ResourceKind::Connection => self.build_site_connection(id, &props)?,
            ResourceKind::ExpressRouteCircuit => NetBody::ExpressRouteCircuit(ExpressRouteCircuit {
                extra: props.as_object().cloned().unwrap_or_default(),
            }),
            ResourceKind::DnsResolver => {
                let input: ResolverInput = parse_input(&props, "properties")?;
                let path = "properties.virtualNetwork.id";
                let vnet = ref_id(input.virtual_network.and_then(|v| v.id).as_deref(), path)?;
                if !matches!(self.net_body(&vnet), Some(NetBody::VirtualNetwork(_))) {
                    return Err(invalid_reference(&vnet, id, path));
                }
                NetBody::DnsResolver(DnsResolver {
                    virtual_network: vnet,
                    resource_guid: match existing.map(|r| &r.body) {
                        Some(Body::Net(NetBody::DnsResolver(d))) => d.resource_guid.clone(),
                        _ => self.ids().guid(),
                    },
                })
            }
            ResourceKind::DnsResolverInboundEndpoint => self.build_inbound_endpoint(id, &props, existing)?,
            ResourceKind::AzureFirewall => self.build_firewall(id, &props, existing)?,
            _ => return Err(ArmError::inferred(400, "InvalidResourceType", "not a networking type")),
        };
        plan.body = Some(body);
        Ok(plan)
    }

    /// Prefixes of the other children of `parent` (subnets of a VNet).
    fn sibling_prefixes(&self, vnet: &ResourceId, kind: ResourceKind, except: &ResourceId) -> Vec<(String, Ipv4Net)> {
        self.children_of(vnet, kind)
            .filter(|r| r.id != *except)
            .filter_map(|r| match &r.body {
                Body::Net(NetBody::Subnet(s)) => Some((r.id.name().to_string(), s.address_prefix)),
                _ => None,
            })
            .collect()
    }

    fn rule_priorities(&self, nsg: &ResourceId, except: Option<&ResourceId>) -> Vec<(Direction, u16, String)> {
        self.children_of(nsg, ResourceKind::SecurityRule)
            .filter(|r| Some(&r.id) != except)
            .filter_map(|r| match &r.body {
                Body::Net(NetBody::SecurityRule(s)) => Some((s.direction, s.priority, r.id.name().to_string())),
                _ => None,
            })
            .collect()
    }

    fn build_vnet(&self, id: &ResourceId, props: &Value, plan: &mut NetPlan) -> ArmResult<NetBody> {
        let input: VirtualNetworkInput = parse_input(props, "properties")?;
        let texts = input.address_space.and_then(|a| a.address_prefixes).unwrap_or_default();
        if texts.is_empty() {
            return Err(required("properties.addressSpace.addressPrefixes"));
        }
        let mut prefixes: Vec<Ipv4Net> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let path = format!("properties.addressSpace.addressPrefixes[{i}]");
            let p = parse_prefix(t, &path, id)?;
            if let Some((range, why)) = forbidden_overlap(&p) {
                return Err(ArmError::inferred(
                    400,
                    "InvalidAddressSpace",
                    format!(
                        "Address space {p} of virtual network '{}' overlaps {range} ({why}), which Azure reserves.",
                        id.name()
                    ),
                )
                .with_target(path));
            }
            if let Some(other) = prefixes.iter().find(|o| o.overlaps(&p)) {
                return Err(ArmError::inferred(
                    400,
                    "VnetAddressSpacesOverlap",
                    format!(
                        "Cannot create or update virtual network '{}'. Address space {p} overlaps with {other}.",
                        id.name()
                    ),
                )
                .with_target(path));
            }
            prefixes.push(p);
        }
        // Nested subnets: the list replaces the VNet's subnets (an omitted list removes them, as in Azure).
        let nested = input.subnets.unwrap_or_default();
        let mut built: Vec<(String, Ipv4Net)> = Vec::new();
        let mut keep = BTreeSet::new();
        for (i, child) in nested.into_iter().enumerate() {
            let path = format!("properties.subnets[{i}]");
            let name = child.name.filter(|n| !n.is_empty()).ok_or_else(|| required(&format!("{path}.name")))?;
            ResourceKind::Subnet.validate_name(&name)?;
            let sid = id.child("subnets", &name);
            if !keep.insert(sid.key().to_string()) {
                return Err(ArmError::inferred(
                    400,
                    "DuplicateResourceName",
                    format!("Subnet '{name}' is listed twice."),
                )
                .with_target(format!("{path}.name")));
            }
            let sub_input: SubnetInput = parse_input(&child.properties, &format!("{path}.properties"))?;
            let subnet = self.build_subnet_in(id, &prefixes, &sid, sub_input, &format!("{path}.properties"), &built)?;
            built.push((name, subnet.address_prefix));
            plan.children.push((sid, NetBody::Subnet(subnet)));
        }
        for existing in self.children_of(id, ResourceKind::Subnet) {
            if !keep.contains(existing.id.key()) {
                self.check_subnet_free(&existing.id)?;
                plan.remove_children.push(existing.id.clone());
            }
        }
        // Subnets kept must fit the (possibly new) address space: checked in build_subnet_in.
        Ok(NetBody::VirtualNetwork(VirtualNetwork {
            address_prefixes: prefixes,
            dns_servers: input.dhcp_options.and_then(|d| d.dns_servers).unwrap_or_default(),
            resource_guid: match self.net_body(id) {
                Some(NetBody::VirtualNetwork(v)) => v.resource_guid.clone(),
                _ => self.ids().guid(),
            },
            extra: input.extra,
        }))
    }

    fn build_subnet(
        &self,
        vnet: &ResourceId,
        id: &ResourceId,
        input: SubnetInput,
        path: &str,
        siblings: &[(String, Ipv4Net)],
    ) -> ArmResult<Subnet> {
        let Some(NetBody::VirtualNetwork(v)) = self.net_body(vnet) else {
            return Err(ArmError::parent_resource_not_found(&format!(
                "Microsoft.Network/virtualNetworks/{}",
                vnet.name()
            )));
        };
        self.build_subnet_in(vnet, &v.address_prefixes, id, input, path, siblings)
    }

    fn build_subnet_in(
        &self,
        vnet: &ResourceId,
        vnet_prefixes: &[Ipv4Net],
        id: &ResourceId,
        input: SubnetInput,
        path: &str,
        siblings: &[(String, Ipv4Net)],
    ) -> ArmResult<Subnet> {
        let (texts, prefix_as_list) = string_list(input.address_prefix, input.address_prefixes);
        let text = texts.first().ok_or_else(|| required(&format!("{path}.addressPrefix")))?;
        let ppath = if prefix_as_list { format!("{path}.addressPrefixes[0]") } else { format!("{path}.addressPrefix") };
        let prefix = parse_prefix(text, &ppath, id)?;
        if !vnet_prefixes.iter().any(|v| v.contains_net(&prefix)) {
            return Err(ArmError::verified(
                400,
                "NetcfgSubnetRangeOutsideVnet",
                format!(
                    "Subnet '{}' is not valid because its IP address range is outside the IP address range of virtual \
                     network '{}'.",
                    id.name(),
                    vnet.name()
                ),
            )
            .with_target(ppath));
        }
        if siblings.iter().any(|(_, p)| p.overlaps(&prefix)) {
            return Err(ArmError::verified(
                400,
                "NetcfgSubnetRangesOverlap",
                format!(
                    "Subnet '{}' is not valid because its IP address range overlaps with that of an existing subnet \
                     in virtual network '{}'.",
                    id.name(),
                    vnet.name()
                ),
            )
            .with_target(ppath));
        }
        if let Some((_, current)) = self.subnet(id) {
            let used = self.store.subnet_ips(id).map_or(0, BTreeSet::len);
            if current.address_prefix != prefix && used > 0 {
                return Err(ArmError::inferred(
                    400,
                    "InUseSubnetCannotBeUpdated",
                    format!(
                        "Subnet '{}' has {used} private address(es) in use; its address prefix cannot change from {} to {prefix}.",
                        id.name(),
                        current.address_prefix
                    ),
                )
                .with_target(ppath));
            }
        }
        let nsg = match input.network_security_group.and_then(|n| n.id) {
            None => None,
            Some(text) => {
                let p = format!("{path}.networkSecurityGroup.id");
                let nsg = ref_id(Some(&text), &p)?;
                if !matches!(self.net_body(&nsg), Some(NetBody::NetworkSecurityGroup(_))) {
                    return Err(invalid_reference(&nsg, id, &p));
                }
                Some(nsg)
            }
        };
        Ok(Subnet {
            address_prefix: prefix,
            prefix_as_list,
            private_endpoint_network_policies: input
                .private_endpoint_network_policies
                .unwrap_or_else(|| "Disabled".into()),
            private_link_service_network_policies: input
                .private_link_service_network_policies
                .unwrap_or_else(|| "Enabled".into()),
            network_security_group: nsg,
            extra: input.extra,
        })
    }

    /// Refuses when something still occupies the subnet.
    pub(crate) fn check_subnet_free(&self, subnet: &ResourceId) -> ArmResult<()> {
        match self.store.subnet_users(subnet).next() {
            None => Ok(()),
            Some(user) => {
                let user_id = user.id.to_string();
                Err(ArmError::verified(
                    400,
                    "InUseSubnetCannotBeDeleted",
                    format!(
                        "Subnet {} is in use by {user_id} and cannot be deleted. In order to delete the subnet, delete \
                         all the resources within the subnet. See aka.ms/deletesubnet.",
                        subnet.name()
                    ),
                ))
            }
        }
    }

    fn build_nsg(&self, id: &ResourceId, props: &Value, plan: &mut NetPlan) -> ArmResult<NetBody> {
        let input: NsgInput = parse_input(props, "properties")?;
        let mut taken: Vec<(Direction, u16, String)> = Vec::new();
        let mut keep = BTreeSet::new();
        for (i, child) in input.security_rules.unwrap_or_default().into_iter().enumerate() {
            let path = format!("properties.securityRules[{i}]");
            let name = child.name.filter(|n| !n.is_empty()).ok_or_else(|| required(&format!("{path}.name")))?;
            ResourceKind::SecurityRule.validate_name(&name)?;
            let rid = id.child("securityRules", &name);
            keep.insert(rid.key().to_string());
            let rule_input: SecurityRuleInput = parse_input(&child.properties, &format!("{path}.properties"))?;
            let rule = build_rule(&name, rule_input, &format!("{path}.properties"), &taken)?;
            taken.push((rule.direction, rule.priority, name));
            plan.children.push((rid, NetBody::SecurityRule(rule)));
        }
        for existing in self.children_of(id, ResourceKind::SecurityRule) {
            if !keep.contains(existing.id.key()) {
                plan.remove_children.push(existing.id.clone());
            }
        }
        Ok(NetBody::NetworkSecurityGroup(NetworkSecurityGroup {
            resource_guid: match self.net_body(id) {
                Some(NetBody::NetworkSecurityGroup(n)) => n.resource_guid.clone(),
                _ => self.ids().guid(),
            },
            extra: input.extra,
        }))
    }

    fn build_private_endpoint(
        &self,
        id: &ResourceId,
        props: &Value,
        location: &str,
        existing: Option<&Resource>,
        plan: &mut NetPlan,
    ) -> ArmResult<NetBody> {
        let input: PrivateEndpointInput = parse_input(props, "properties")?;
        let spath = "properties.subnet.id";
        let subnet_id = ref_id(input.subnet.and_then(|s| s.id).as_deref(), spath)?;
        let vnet_id = subnet_id.parent().filter(|_| ResourceKind::of(&subnet_id) == Some(ResourceKind::Subnet));
        let (subnet_res, subnet) = self.subnet(&subnet_id).ok_or_else(|| invalid_reference(&subnet_id, id, spath))?;
        let vnet_id = vnet_id.ok_or_else(|| invalid_reference(&subnet_id, id, spath))?;
        let vnet_location = self.store.get(vnet_id.key()).and_then(|v| v.location).unwrap_or_default();
        let _ = subnet_res;
        let auto = input.private_link_service_connections.unwrap_or_default();
        let manual = input.manual_private_link_service_connections.unwrap_or_default();
        let (child, is_manual, list) = match (auto.len(), manual.len()) {
            (1, 0) => (auto.into_iter().next(), false, "privateLinkServiceConnections"),
            (0, 1) => (manual.into_iter().next(), true, "manualPrivateLinkServiceConnections"),
            (0, 0) => (None, false, "privateLinkServiceConnections"),
            _ => {
                return Err(ArmError::inferred(
                    400,
                    "PrivateEndpointCanHaveOnlyOneConnection",
                    "A private endpoint has exactly one private link service connection (automatic or manual).",
                )
                .with_target("properties.privateLinkServiceConnections"));
            }
        };
        let cpath = format!("properties.{list}[0]");
        let child = child.ok_or_else(|| required("properties.privateLinkServiceConnections"))?;
        let cname = child.name.filter(|n| !n.is_empty()).unwrap_or_else(|| id.name().to_string());
        let conn: LinkServiceConnectionInput = parse_input(&child.properties, &format!("{cpath}.properties"))?;
        let tpath = format!("{cpath}.properties.privateLinkServiceId");
        let scope_id = ref_id(conn.private_link_service_id.as_deref(), &tpath)?;
        let scope = self
            .store
            .get(scope_id.key())
            .filter(|r| r.kind() == ResourceKind::PrivateLinkScope)
            .ok_or_else(|| {
                ArmError::inferred(
                    400,
                    "PrivateLinkServiceNotFound",
                    format!(
                        "Private link resource '{scope_id}' does not exist or is not an Azure Arc Private Link Scope \
                         (Microsoft.HybridCompute/privateLinkScopes), the only private link resource the emulator serves."
                    ),
                )
                .with_target(tpath.clone())
            })?;
        let scope_location = scope.location.unwrap_or_default();
        let group_ids = conn.group_ids.unwrap_or_default();
        rules::pls_013_group_id(&group_ids, &format!("{id}/{list}/{cname}"), &format!("{cpath}.properties.groupIds"))?;
        rules::pls_004_endpoint_in_network_region(
            self.config().region_profile,
            id,
            location,
            &subnet_id,
            vnet_location,
            scope_location,
        )?;
        rules::pls_005_same_subscription("virtual network", &vnet_id, &scope_id, spath)?;
        let others: Vec<&str> = self
            .store
            .vnet_scopes(&vnet_id)
            .into_iter()
            .flatten()
            .filter(|(_, pes)| pes.iter().any(|pe| pe != id.key()))
            .map(|(scope, _)| scope.as_str())
            .collect();
        // Name the other scope as its owner spelled it (the index holds lower-case keys).
        let others: Vec<String> = others
            .iter()
            .map(|k| self.store.get(k).map(|r| r.id.to_string()).unwrap_or_else(|| k.to_string()))
            .collect();
        let others: Vec<&str> = others.iter().map(String::as_str).collect();
        rules::pls_001_one_scope_per_virtual_network(&vnet_id, &scope_id, &others)?;
        // An existing endpoint keeps its subnet, target and addresses (Azure does not move them).
        if let Some(Body::Net(NetBody::PrivateEndpoint(old))) = existing.map(|r| &r.body) {
            if old.subnet != subnet_id || old.connection.scope != scope_id || old.connection.manual != is_manual {
                return Err(ArmError::inferred(
                    400,
                    "PropertyChangeNotAllowed",
                    "The subnet and the private link service connection of an existing private endpoint cannot change; \
                     create a new private endpoint.",
                )
                .with_target(spath));
            }
            let mut pe = old.clone();
            pe.connection.request_message = conn.request_message;
            pe.custom_network_interface_name = input.custom_network_interface_name.or(pe.custom_network_interface_name);
            return Ok(NetBody::PrivateEndpoint(pe));
        }
        let arc = endpoints::arc_endpoints(scope_location).unwrap_or_default();
        let mut used = self.store.subnet_ips(&subnet_id).cloned().unwrap_or_default();
        let mut dns = Vec::new();
        for ep in arc {
            let ip = subnet.address_prefix.allocate(&used).ok_or_else(|| {
                ArmError::inferred(
                    400,
                    "SubnetIsFull",
                    format!("Subnet '{}' has no free private address left for the private endpoint.", subnet_id.name()),
                )
                .with_target(spath)
            })?;
            used.insert(u32::from(ip));
            dns.push((ep.fqdn, ip));
        }
        let guid = self.ids().guid();
        let pec_name = format!("{}.{}", id.name(), guid);
        let pec_id = scope_id.child("privateEndpointConnections", &pec_name);
        let nic_name =
            input.custom_network_interface_name.clone().unwrap_or_else(|| format!("{}.nic.{guid}", id.name()));
        let (status, description) = if is_manual {
            (ConnectionStatus::Pending, conn.request_message.clone().unwrap_or_else(|| "Awaiting approval".into()))
        } else {
            (ConnectionStatus::Approved, "Auto-Approved".to_string())
        };
        plan.scope_connection = Some((scope_id.clone(), pec_name, status, description));
        Ok(NetBody::PrivateEndpoint(PrivateEndpoint {
            subnet: subnet_id,
            connection: EndpointConnection {
                name: cname,
                scope: scope_id,
                group_ids: group_ids.iter().map(|_| "hybridcompute".to_string()).collect(),
                request_message: conn.request_message,
                manual: is_manual,
                scope_connection: pec_id,
            },
            dns,
            network_interface: ResourceId::resource(
                id.subscription(),
                id.resource_group().unwrap_or_default(),
                "Microsoft.Network",
                "networkInterfaces",
                &nic_name,
            ),
            custom_network_interface_name: input.custom_network_interface_name,
            resource_guid: guid,
        }))
    }

    fn build_zone_group(&self, id: &ResourceId, props: &Value, plan: &mut NetPlan) -> ArmResult<NetBody> {
        let input: ZoneGroupInput = parse_input(props, "properties")?;
        let pe_id = id.parent().ok_or_else(|| required("id"))?;
        let Some(NetBody::PrivateEndpoint(pe)) = self.net_body(&pe_id) else {
            return Err(ArmError::parent_resource_not_found(&format!(
                "Microsoft.Network/privateEndpoints/{}",
                pe_id.name()
            )));
        };
        let mut configs = Vec::new();
        for (i, c) in input.private_dns_zone_configs.unwrap_or_default().into_iter().enumerate() {
            let path = format!("properties.privateDnsZoneConfigs[{i}].properties.privateDnsZoneId");
            let ci: ZoneConfigInput =
                parse_input(&c.properties, &format!("properties.privateDnsZoneConfigs[{i}].properties"))?;
            let zone = ref_id(ci.private_dns_zone_id.as_deref(), &path)?;
            if !matches!(self.net_body(&zone), Some(NetBody::PrivateDnsZone(_))) {
                return Err(invalid_reference(&zone, id, &path));
            }
            let name = c.name.unwrap_or_else(|| zone.name().replace('.', "-"));
            configs.push(ZoneConfig { name, zone });
        }
        if configs.is_empty() {
            return Err(required("properties.privateDnsZoneConfigs"));
        }
        for cfg in &configs {
            let zone_name = cfg.zone.name().to_ascii_lowercase();
            let public = zone_name.strip_prefix("privatelink.").unwrap_or(&zone_name).to_string();
            for (fqdn, ip) in &pe.dns {
                if let Some(record) = fqdn.strip_suffix(&format!(".{public}")) {
                    plan.records.push((cfg.zone.child("A", record), *ip));
                }
            }
        }
        Ok(NetBody::PrivateDnsZoneGroup(PrivateDnsZoneGroup { configs, written: plan.records.clone() }))
    }

    fn build_link(&self, id: &ResourceId, props: &Value) -> ArmResult<NetBody> {
        let input: LinkInput = parse_input(props, "properties")?;
        let path = "properties.virtualNetwork.id";
        let vnet = ref_id(input.virtual_network.and_then(|v| v.id).as_deref(), path)?;
        if !matches!(self.net_body(&vnet), Some(NetBody::VirtualNetwork(_))) {
            return Err(invalid_reference(&vnet, id, path));
        }
        let zone = id.parent().ok_or_else(|| required("id"))?;
        // Azure reports this when polling the link's operation; the emulator refuses the PUT itself.
        if self.store.zone_link(&zone, &vnet).is_some_and(|other| other != id.key()) {
            return Err(ArmError::verified(
                409,
                "Conflict",
                format!("Private zone '{}' is already linked to the virtual network '{vnet}'.", zone.name()),
            )
            .with_target(path));
        }
        let resolution_policy = match input.resolution_policy.as_deref() {
            None => ResolutionPolicy::Default,
            Some(p) if p.eq_ignore_ascii_case("Default") => ResolutionPolicy::Default,
            Some(p) if p.eq_ignore_ascii_case("NxDomainRedirect") => ResolutionPolicy::NxDomainRedirect,
            Some(p) => {
                return Err(ArmError::invalid_property(
                    "properties.resolutionPolicy",
                    format!("'{p}' is not a valid resolutionPolicy; allowed values are: Default, NxDomainRedirect."),
                ));
            }
        };
        Ok(NetBody::VirtualNetworkLink(VirtualNetworkLink {
            virtual_network: vnet,
            registration_enabled: input.registration_enabled.unwrap_or(false),
            resolution_policy,
        }))
    }

    fn build_gateway(&self, id: &ResourceId, props: &Value) -> ArmResult<NetBody> {
        let input: GatewayInput = parse_input(props, "properties")?;
        let gateway_type = match input.gateway_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("Vpn") => GatewayType::Vpn,
            Some(t) if t.eq_ignore_ascii_case("ExpressRoute") => GatewayType::ExpressRoute,
            Some(t) => {
                return Err(ArmError::invalid_property(
                    "properties.gatewayType",
                    format!("'{t}' is not a valid gatewayType; allowed values are: Vpn, ExpressRoute."),
                ));
            }
            None => return Err(required("properties.gatewayType")),
        };
        let cfg = input.ip_configurations.unwrap_or_default().into_iter().next();
        let subnet = self.dedicated_subnet(
            id,
            cfg.map(|c| c.properties),
            "GatewaySubnet",
            "InvalidGatewaySubnet",
            "A virtual network gateway",
        )?;
        Ok(NetBody::VirtualNetworkGateway(VirtualNetworkGateway { gateway_type, subnet, extra: input.extra }))
    }

    /// The existing subnet of a resource's first `ipConfiguration`, which Azure requires to carry
    /// a dedicated name (`GatewaySubnet`, `AzureFirewallSubnet`).
    fn dedicated_subnet(
        &self,
        id: &ResourceId,
        config: Option<Value>,
        required_name: &str,
        code: &'static str,
        what: &str,
    ) -> ArmResult<ResourceId> {
        let path = "properties.ipConfigurations[0].properties.subnet.id";
        let props = config.unwrap_or(Value::Null);
        let ipc: IpConfigurationInput = if props.is_null() {
            Default::default()
        } else {
            parse_input(&props, "properties.ipConfigurations[0].properties")?
        };
        let subnet = ref_id(ipc.subnet.and_then(|s| s.id).as_deref(), path)?;
        if self.subnet(&subnet).is_none() {
            return Err(invalid_reference(&subnet, id, path));
        }
        if !subnet.name().eq_ignore_ascii_case(required_name) {
            return Err(ArmError::inferred(
                400,
                code,
                format!("{what} must use the subnet named '{required_name}', not '{}'.", subnet.name()),
            )
            .with_target(path));
        }
        Ok(subnet)
    }

    fn build_site_connection(&self, id: &ResourceId, props: &Value) -> ArmResult<NetBody> {
        let input: ConnectionInput = parse_input(props, "properties")?;
        let connection_type = input.connection_type.ok_or_else(|| required("properties.connectionType"))?;
        let gpath = "properties.virtualNetworkGateway1.id";
        let gateway = ref_id(input.virtual_network_gateway1.and_then(|g| g.id).as_deref(), gpath)?;
        if !matches!(self.net_body(&gateway), Some(NetBody::VirtualNetworkGateway(_))) {
            return Err(invalid_reference(&gateway, id, gpath));
        }
        let peer = if connection_type.eq_ignore_ascii_case("IPsec") {
            let p = "properties.localNetworkGateway2.id";
            let l = ref_id(input.local_network_gateway2.and_then(|g| g.id).as_deref(), p)?;
            if !matches!(self.net_body(&l), Some(NetBody::LocalNetworkGateway(_))) {
                return Err(invalid_reference(&l, id, p));
            }
            Some(l)
        } else if connection_type.eq_ignore_ascii_case("ExpressRoute") {
            let p = "properties.peer.id";
            let c = ref_id(input.peer.and_then(|g| g.id).as_deref(), p)?;
            if !matches!(self.net_body(&c), Some(NetBody::ExpressRouteCircuit(_))) {
                return Err(invalid_reference(&c, id, p));
            }
            Some(c)
        } else {
            return Err(ArmError::invalid_property(
                "properties.connectionType",
                format!("'{connection_type}' is not emulated; use IPsec (site-to-site VPN) or ExpressRoute."),
            ));
        };
        Ok(NetBody::Connection(Connection { connection_type, gateway, peer, extra: input.extra }))
    }

    fn allocate_in(
        &self,
        subnet_id: &ResourceId,
        requested: Option<&str>,
        path: &str,
        keep: Option<Ipv4Addr>,
    ) -> ArmResult<Ipv4Addr> {
        let (_, subnet) = self.subnet(subnet_id).ok_or_else(|| required(path))?;
        let used = self.store.subnet_ips(subnet_id).cloned().unwrap_or_default();
        if let Some(text) = requested {
            let ip: Ipv4Addr = text
                .parse()
                .map_err(|_| ArmError::invalid_property(path, format!("'{text}' is not a valid IPv4 address.")))?;
            let free = !used.contains(&u32::from(ip)) || keep == Some(ip);
            let inside = subnet.address_prefix.contains_addr(ip)
                && u32::from(ip) >= subnet.address_prefix.first() + 4
                && u32::from(ip) < subnet.address_prefix.last();
            if !inside || !free {
                return Err(ArmError::inferred(
                    400,
                    "PrivateIPAddressNotAvailable",
                    format!(
                        "Private address {ip} is not available in subnet '{}' ({}).",
                        subnet_id.name(),
                        subnet.address_prefix
                    ),
                )
                .with_target(path));
            }
            return Ok(ip);
        }
        if let Some(k) = keep {
            return Ok(k);
        }
        subnet.address_prefix.allocate(&used).ok_or_else(|| {
            ArmError::inferred(
                400,
                "SubnetIsFull",
                format!("Subnet '{}' has no free private address left.", subnet_id.name()),
            )
            .with_target(path)
        })
    }

    fn build_inbound_endpoint(
        &self,
        id: &ResourceId,
        props: &Value,
        existing: Option<&Resource>,
    ) -> ArmResult<NetBody> {
        let input: InboundEndpointInput = parse_input(props, "properties")?;
        let cfg = input.ip_configurations.unwrap_or_default().into_iter().next().unwrap_or_default();
        let path = "properties.ipConfigurations[0].subnet.id";
        let subnet = ref_id(cfg.subnet.and_then(|s| s.id).as_deref(), path)?;
        if self.subnet(&subnet).is_none() {
            return Err(invalid_reference(&subnet, id, path));
        }
        let resolver = id.parent().ok_or_else(|| required("id"))?;
        let Some(NetBody::DnsResolver(r)) = self.net_body(&resolver) else {
            return Err(ArmError::parent_resource_not_found(&format!(
                "Microsoft.Network/dnsResolvers/{}",
                resolver.name()
            )));
        };
        if subnet.parent().as_ref() != Some(&r.virtual_network) {
            return Err(ArmError::inferred(
                400,
                "SubnetNotInResolverVirtualNetwork",
                format!("Subnet '{subnet}' is not in the DNS resolver's virtual network '{}'.", r.virtual_network),
            )
            .with_target(path));
        }
        let keep = match existing.map(|e| &e.body) {
            Some(Body::Net(NetBody::InboundEndpoint(i))) if i.subnet == subnet => Some(i.address),
            _ => None,
        };
        let static_allocation =
            cfg.private_ip_allocation_method.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("Static"));
        let requested = if static_allocation { cfg.private_ip_address.as_deref() } else { None };
        let address = self.allocate_in(&subnet, requested, "properties.ipConfigurations[0].privateIpAddress", keep)?;
        Ok(NetBody::InboundEndpoint(InboundEndpoint { subnet, address, static_allocation }))
    }

    fn build_firewall(&self, id: &ResourceId, props: &Value, existing: Option<&Resource>) -> ArmResult<NetBody> {
        let input: FirewallInput = parse_input(props, "properties")?;
        let cfg = input.ip_configurations.unwrap_or_default().into_iter().next();
        let name = cfg.as_ref().and_then(|c| c.name.clone()).unwrap_or_else(|| "ipconfig1".to_string());
        let subnet = self.dedicated_subnet(
            id,
            cfg.map(|c| c.properties),
            "AzureFirewallSubnet",
            "AzureFirewallSubnetRequired",
            "An Azure Firewall",
        )?;
        let path = "properties.ipConfigurations[0].properties.subnet.id";
        let keep = match existing.map(|e| &e.body) {
            Some(Body::Net(NetBody::AzureFirewall(f))) if f.subnet == subnet => Some(f.address),
            _ => None,
        };
        let address = self.allocate_in(&subnet, None, path, keep)?;
        let additional = input.additional_properties.unwrap_or_default();
        let dns_proxy = additional.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("Network.DNS.EnableProxy")
                && v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
        });
        let mut extra = input.extra;
        extra.insert("additionalProperties".into(), Value::Object(additional));
        Ok(NetBody::AzureFirewall(AzureFirewall { subnet, address, ip_configuration_name: name, dns_proxy, extra }))
    }
}

fn build_rule(
    name: &str,
    input: SecurityRuleInput,
    path: &str,
    taken: &[(Direction, u16, String)],
) -> ArmResult<SecurityRule> {
    let priority = input.priority.ok_or_else(|| required(&format!("{path}.priority")))?;
    if !(100..=4096).contains(&priority) {
        return Err(ArmError::verified(
            400,
            "SecurityRuleInvalidPriority",
            format!("Security rule has invalid Priority. Value provided: {priority} Allowed range 100-4096."),
        )
        .with_target(format!("{path}.priority")));
    }
    let priority = priority as u16;
    let direction = match input.direction.as_deref() {
        Some(d) if d.eq_ignore_ascii_case("Inbound") => Direction::Inbound,
        Some(d) if d.eq_ignore_ascii_case("Outbound") => Direction::Outbound,
        Some(d) => {
            return Err(ArmError::invalid_property(
                &format!("{path}.direction"),
                format!("'{d}' is not a valid direction; allowed values are: Inbound, Outbound."),
            ));
        }
        None => return Err(required(&format!("{path}.direction"))),
    };
    if let Some((_, _, other)) = taken.iter().find(|(d, p, _)| *d == direction && *p == priority) {
        return Err(ArmError::verified(
            400,
            "SecurityRuleConflict",
            format!(
                "Security rule {name} conflicts with rule {other}. Rules cannot have the same Priority and Direction."
            ),
        )
        .with_target(format!("{path}.priority")));
    }
    let access = match input.access.as_deref() {
        Some(a) if a.eq_ignore_ascii_case("Allow") => "Allow",
        Some(a) if a.eq_ignore_ascii_case("Deny") => "Deny",
        Some(a) => {
            return Err(ArmError::invalid_property(
                &format!("{path}.access"),
                format!("'{a}' is not a valid access; allowed values are: Allow, Deny."),
            ));
        }
        None => return Err(required(&format!("{path}.access"))),
    };
    let protocol = match input.protocol.as_deref() {
        Some(p) => ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]
            .into_iter()
            .find(|x| x.eq_ignore_ascii_case(p))
            .ok_or_else(|| {
                ArmError::invalid_property(
                    &format!("{path}.protocol"),
                    format!("'{p}' is not a valid protocol; allowed values are: Tcp, Udp, Icmp, Esp, Ah, *."),
                )
            })?,
        None => return Err(required(&format!("{path}.protocol"))),
    };
    let (src, src_plural) = string_list(input.source_address_prefix, input.source_address_prefixes);
    let (dst, dst_plural) = string_list(input.destination_address_prefix, input.destination_address_prefixes);
    let (sport, sport_plural) = string_list(input.source_port_range, input.source_port_ranges);
    let (dport, dport_plural) = string_list(input.destination_port_range, input.destination_port_ranges);
    for (list, field) in [(&src, "sourceAddressPrefix"), (&dst, "destinationAddressPrefix")] {
        if list.is_empty() {
            return Err(required(&format!("{path}.{field}")));
        }
        for p in list {
            check_address_prefix(p, &format!("{path}.{field}"))?;
        }
    }
    for (list, field) in [(&sport, "sourcePortRange"), (&dport, "destinationPortRange")] {
        if list.is_empty() {
            return Err(required(&format!("{path}.{field}")));
        }
        for p in list {
            check_port_range(p, &format!("{path}.{field}"))?;
        }
    }
    Ok(SecurityRule {
        priority,
        direction,
        access: access.to_string(),
        protocol: protocol.to_string(),
        source_address_prefixes: src.iter().map(|p| canonical_prefix(p)).collect(),
        destination_address_prefixes: dst.iter().map(|p| canonical_prefix(p)).collect(),
        source_port_ranges: sport,
        destination_port_ranges: dport,
        plural: [src_plural, dst_plural, sport_plural, dport_plural],
        description: input.description,
    })
}

fn canonical_prefix(p: &str) -> String {
    match service_tag(p) {
        Some(tag) if p.len() == tag.len() => tag.to_string(),
        _ => p.to_string(),
    }
}

fn check_address_prefix(p: &str, path: &str) -> ArmResult<()> {
    let ok = p == "*" || service_tag(p).is_some() || p.parse::<Ipv4Addr>().is_ok() || Ipv4Net::parse(p).is_ok();
    if ok {
        return Ok(());
    }
    Err(ArmError::inferred(
        400,
        "SecurityRuleInvalidAddressPrefix",
        format!("Security rule has invalid Address prefix. Value provided: {p}. Use '*', an IPv4 address or CIDR, or a service tag."),
    )
    .with_target(path))
}

fn check_port_range(p: &str, path: &str) -> ArmResult<()> {
    let port = |s: &str| s.parse::<u16>().is_ok_and(|n| n >= 1);
    let ok = p == "*"
        || port(p)
        || p.split_once('-').is_some_and(|(a, b)| port(a) && port(b) && a.parse::<u16>().ok() <= b.parse::<u16>().ok());
    if ok {
        return Ok(());
    }
    Err(ArmError::inferred(
        400,
        "SecurityRuleInvalidPortRange",
        format!("Security rule has invalid Port range. Value provided: {p}. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535."),
    )
    .with_target(path))
}

fn build_record_set(kind: ResourceKind, props: &Value) -> ArmResult<NetBody> {
    let input: RecordSetInput = parse_input(props, "properties")?;
    let ttl = input.ttl.unwrap_or(3600);
    if !(0..=2_147_483_647).contains(&ttl) {
        return Err(ArmError::invalid_property("properties.ttl", "The TTL must be between 0 and 2147483647."));
    }
    let mut set =
        RecordSet { ttl: ttl as u32, a_records: Vec::new(), cname: None, metadata: input.metadata.unwrap_or_default() };
    if kind == ResourceKind::ARecordSet {
        for (i, v) in input.a_records.unwrap_or_default().into_iter().enumerate() {
            let path = format!("properties.aRecords[{i}].ipv4Address");
            let r: ARecordInput = parse_input(&v, &format!("properties.aRecords[{i}]"))?;
            let text = r.ipv4_address.ok_or_else(|| required(&path))?;
            let ip = text
                .parse::<Ipv4Addr>()
                .map_err(|_| ArmError::invalid_property(&path, format!("'{text}' is not a valid IPv4 address.")))?;
            set.a_records.push(ip);
        }
        // Empty record sets are allowed: they break resolution later (DNS-003), as in Azure.
        Ok(NetBody::ARecordSet(set))
    } else {
        if let Some(v) = input.cname_record {
            let c: CnameInput = parse_input(&v, "properties.cnameRecord")?;
            set.cname = c.cname.filter(|c| !c.is_empty());
        }
        Ok(NetBody::CnameRecordSet(set))
    }
}
