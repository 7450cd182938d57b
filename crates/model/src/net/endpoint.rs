//! Private endpoints to Azure Arc Private Link Scopes and their private DNS zone groups:
//! the rules that bind an endpoint to a scope (PLS-001, PLS-004, PLS-005, PLS-013), its
//! scope-side connection (PLS-012), one private IP per Arc FQDN, and the A records a zone
//! group writes.

use super::*;
use crate::endpoints;
use crate::error::{ArmError, ArmResult};
use crate::kinds::{Body, ResourceKind};
use crate::resources::{Effects, Put, Resource, ResourceType, parse_input};
use crate::rules;
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Value, json};

/// One connection of a private endpoint to a Private Link Scope.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointConnection {
    pub name: String,
    pub scope: ResourceId,
    pub group_ids: Vec<String>,
    pub request_message: Option<String>,
    /// Manual connections wait for approval on the scope side (PLS-012).
    pub manual: bool,
    /// The scope-side `privateEndpointConnections/{name}` that holds the state.
    pub scope_connection: ResourceId,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateEndpoint {
    pub subnet: ResourceId,
    pub connection: EndpointConnection,
    /// One private IP per Arc FQDN, in the order of `endpoints::arc_endpoints`.
    pub dns: Vec<(String, Ipv4Addr)>,
    pub network_interface: ResourceId,
    pub custom_network_interface_name: Option<String>,
    pub resource_guid: String,
    /// Static addresses the caller gave (`properties.ipConfigurations`): kept, shown, and
    /// reserved in the subnet.
    pub ip_configurations: Vec<StaticIpConfiguration>,
}

/// One entry of a private endpoint's `ipConfigurations`.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticIpConfiguration {
    pub name: String,
    pub group_id: String,
    pub member_name: String,
    pub private_ip: Ipv4Addr,
}

/// The members of group `hybridcompute` (its private link resource's `requiredMembers`).
pub const HYBRIDCOMPUTE_MEMBERS: [&str; 3] =
    ["HybridCompute.ServerDP", "HybridCompute.K8sConfigurationDP", "HybridCompute.GuestConfigDP"];

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct IpConfigurationInput {
    group_id: Option<String>,
    member_name: Option<String>,
    #[serde(rename = "privateIPAddress")]
    private_ip_address: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ZoneConfig {
    pub name: String,
    pub zone: ResourceId,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateDnsZoneGroup {
    pub configs: Vec<ZoneConfig>,
    /// A records this group wrote: (record set id, address).
    pub written: Vec<(ResourceId, Ipv4Addr)>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpointInput {
    subnet: Option<IdRef>,
    private_link_service_connections: Option<Vec<NamedChild>>,
    manual_private_link_service_connections: Option<Vec<NamedChild>>,
    custom_network_interface_name: Option<String>,
    ip_configurations: Option<Vec<NamedChild>>,
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

impl World {
    pub(crate) fn build_private_endpoint(
        &self,
        id: &ResourceId,
        props: &Value,
        location: &str,
        existing: Option<&Resource>,
        plan: &mut Effects,
    ) -> ArmResult<Body> {
        let input: PrivateEndpointInput = parse_input(props, "properties")?;
        let spath = "properties.subnet.id";
        let subnet_id = ref_id(input.subnet.and_then(|s| s.id).as_deref(), spath)?;
        let vnet_id = subnet_id.parent().filter(|_| ResourceKind::of(&subnet_id) == Some(ResourceKind::Subnet));
        let (subnet_res, subnet) = self
            .subnet(&subnet_id)
            .ok_or_else(|| ArmError::invalid_resource_reference(&subnet_id, id).with_target(spath))?;
        let vnet_id = vnet_id.ok_or_else(|| ArmError::invalid_resource_reference(&subnet_id, id).with_target(spath))?;
        let vnet_location = self.store.get(vnet_id.key()).and_then(|v| v.location).unwrap_or_default();
        let _ = subnet_res;
        let auto = input.private_link_service_connections.unwrap_or_default();
        let manual = input.manual_private_link_service_connections.unwrap_or_default();
        let (child, is_manual, list) = match (auto.len(), manual.len()) {
            (1, 0) => (auto.into_iter().next(), false, "privateLinkServiceConnections"),
            (0, 1) => (manual.into_iter().next(), true, "manualPrivateLinkServiceConnections"),
            (0, 0) => (None, false, "privateLinkServiceConnections"),
            _ => {
                return Err(ArmError::private_endpoint_can_have_only_one_connection());
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
            .ok_or_else(|| ArmError::private_link_service_not_found(&scope_id, &tpath))?;
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
        if let Some(Body::PrivateEndpoint(old)) = existing.map(|r| &r.body) {
            if old.subnet != subnet_id || old.connection.scope != scope_id || old.connection.manual != is_manual {
                return Err(ArmError::private_endpoint_property_change_not_allowed(spath));
            }
            let mut pe = old.clone();
            pe.connection.request_message = conn.request_message;
            pe.custom_network_interface_name = input.custom_network_interface_name.or(pe.custom_network_interface_name);
            return Ok(Body::PrivateEndpoint(pe));
        }
        let mut used = self.store.subnet_ips(&subnet_id).cloned().unwrap_or_default();
        // Static addresses (PrivateEndpointCreate example, 2025-05-01): each in the subnet,
        // free, for a member of the target's group. They are reserved; the Arc FQDNs keep
        // addresses of their own (the emulator does not tie a member to its FQDNs: inferred).
        let mut ip_configurations = Vec::new();
        for (i, c) in input.ip_configurations.unwrap_or_default().into_iter().enumerate() {
            let path = format!("properties.ipConfigurations[{i}]");
            let name = c.name.filter(|n| !n.is_empty()).ok_or_else(|| required(&format!("{path}.name")))?;
            let ci: IpConfigurationInput = parse_input(&c.properties, &format!("{path}.properties"))?;
            let group_id = ci.group_id.unwrap_or_default();
            rules::pls_013_group_id(
                std::slice::from_ref(&group_id),
                &format!("{id}/ipConfigurations/{name}"),
                &format!("{path}.properties.groupId"),
            )?;
            let member = ci.member_name.unwrap_or_default();
            let member = HYBRIDCOMPUTE_MEMBERS.iter().find(|m| m.eq_ignore_ascii_case(&member)).ok_or_else(|| {
                ArmError::invalid_property(
                    &format!("{path}.properties.memberName"),
                    format!(
                        "'{member}' is not a member of group 'hybridcompute'; the members are: {}.",
                        HYBRIDCOMPUTE_MEMBERS.join(", ")
                    ),
                )
            })?;
            let ip_path = format!("{path}.properties.privateIPAddress");
            let text = ci.private_ip_address.unwrap_or_default();
            let ip: Ipv4Addr = text
                .parse()
                .map_err(|_| ArmError::invalid_property(&ip_path, format!("'{text}' is not an IPv4 address.")))?;
            if !subnet.address_prefix.contains_addr(ip) || !used.insert(u32::from(ip)) {
                return Err(ArmError::invalid_property(
                    &ip_path,
                    format!(
                        "The private IP address {ip} is not available in subnet '{}' ({}).",
                        subnet_id.name(),
                        subnet.address_prefix
                    ),
                ));
            }
            ip_configurations.push(StaticIpConfiguration {
                name,
                group_id: "hybridcompute".to_string(),
                member_name: member.to_string(),
                private_ip: ip,
            });
        }
        let arc = endpoints::arc_endpoints(scope_location).unwrap_or_default();
        let mut dns = Vec::new();
        for ep in arc {
            let ip = subnet
                .address_prefix
                .allocate(&used)
                .ok_or_else(|| ArmError::subnet_is_full(subnet_id.name(), Some("private endpoint"), spath))?;
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
        Ok(Body::PrivateEndpoint(PrivateEndpoint {
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
            ip_configurations,
        }))
    }

    pub(crate) fn build_zone_group(&self, id: &ResourceId, props: &Value, plan: &mut Effects) -> ArmResult<Body> {
        let input: ZoneGroupInput = parse_input(props, "properties")?;
        let pe_id = id.parent().ok_or_else(|| required("id"))?;
        let Some(Body::PrivateEndpoint(pe)) = self.body_of(&pe_id) else {
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
            if !matches!(self.body_of(&zone), Some(Body::PrivateDnsZone(_))) {
                return Err(ArmError::invalid_resource_reference(&zone, id).with_target(&path));
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
        Ok(Body::PrivateDnsZoneGroup(PrivateDnsZoneGroup { configs, written: plan.records.clone() }))
    }
}

impl ResourceType for PrivateEndpoint {
    fn build(w: &World, put: &Put<'_>, fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, location, existing, .. } = *put;
        let props = put.properties_or_empty();
        w.build_private_endpoint(id, &props, location.unwrap_or_default(), existing, fx)
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let pe = self;
        {
            let c = &pe.connection;
            let scope_state = w.store.get(c.scope_connection.key()).and_then(|pec| match &pec.body {
                Body::PrivateEndpointConnection(x) => {
                    Some((x.status, x.description.clone(), x.actions_required.clone()))
                }
                _ => None,
            });
            let (status, description, actions) = connection_state(scope_state);
            let mut cprops = json!({
                "provisioningState": "Succeeded",
                "privateLinkServiceId": c.scope.to_string(),
                "groupIds": c.group_ids,
                "privateLinkServiceConnectionState": {
                    "status": status.as_str(),
                    "description": description,
                    "actionsRequired": actions,
                },
            });
            if let Some(m) = &c.request_message {
                cprops["requestMessage"] = json!(m);
            }
            let list = if c.manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
            let conn = json!([{
                "id": format!("{}/{list}/{}", r.id, c.name),
                "name": c.name,
                "type": format!("Microsoft.Network/privateEndpoints/{list}"),
                "etag": etag_of(r),
                "properties": cprops,
            }]);
            let (auto, manual) = if c.manual { (json!([]), conn) } else { (conn, json!([])) };
            json!({
                "provisioningState": state,
                "resourceGuid": pe.resource_guid,
                "subnet": { "id": pe.subnet.to_string() },
                "privateLinkServiceConnections": auto,
                "manualPrivateLinkServiceConnections": manual,
                "customNetworkInterfaceName": pe.custom_network_interface_name.clone().unwrap_or_default(),
                "networkInterfaces": [{ "id": pe.network_interface.to_string() }],
                "ipConfigurations": pe.ip_configurations.iter().map(|c| json!({
                    "name": c.name,
                    "properties": {
                        "groupId": c.group_id,
                        "memberName": c.member_name,
                        "privateIPAddress": c.private_ip.to_string(),
                    },
                })).collect::<Vec<_>>(),
                "applicationSecurityGroups": [],
                "customDnsConfigs": pe.dns.iter().map(|(fqdn, ip)| json!({ "fqdn": fqdn, "ipAddresses": [ip.to_string()] })).collect::<Vec<_>>(),
            })
        }
    }

    fn index(&self, _r: &Resource, out: &mut Vec<IndexEntry>) {
        let addresses: Vec<Ipv4Addr> = self.dns.iter().map(|(_, ip)| *ip).collect();
        out.extend(addresses.iter().map(|ip| IndexEntry::EndpointAddress(*ip)));
        let mut in_subnet = addresses;
        in_subnet.extend(self.ip_configurations.iter().map(|c| c.private_ip));
        out.push(IndexEntry::InSubnet { subnet: self.subnet.key().to_string(), addresses: in_subnet });
        if let Some(vnet) = self.subnet.parent() {
            out.push(IndexEntry::EndpointToScope {
                vnet: vnet.key().to_string(),
                scope: self.connection.scope.key().to_string(),
            });
        }
    }

    /// Deleting an endpoint deletes its connection on the scope side.
    fn on_delete(&self, _r: &Resource, fx: &mut Effects) {
        fx.remove.push(self.connection.scope_connection.clone());
    }
}

impl ResourceType for PrivateDnsZoneGroup {
    fn build(w: &World, put: &Put<'_>, fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        w.build_zone_group(id, &props, fx)
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let g = self;
        {
            let configs: Vec<Value> = g
                .configs
                .iter()
                .map(|cfg| {
                    let zone_name = cfg.zone.name().to_ascii_lowercase();
                    let records: Vec<Value> = g
                        .written
                        .iter()
                        .filter(|(rs, _)| rs.parent().as_ref() == Some(&cfg.zone))
                        .map(|(rs, ip)| {
                            let ttl = match w.store.get(rs.key()).map(|x| &x.body) {
                                Some(Body::ARecordSet(s)) => s.ttl,
                                _ => 10,
                            };
                            json!({
                                "recordType": "A",
                                "recordSetName": rs.name(),
                                "fqdn": format!("{}.{zone_name}", rs.name()),
                                "ttl": ttl,
                                "ipAddresses": [ip.to_string()],
                                "provisioningState": "Succeeded",
                            })
                        })
                        .collect();
                    json!({
                        "name": cfg.name,
                        "properties": { "privateDnsZoneId": cfg.zone.to_string(), "recordSets": records },
                    })
                })
                .collect();
            json!({ "provisioningState": state, "privateDnsZoneConfigs": configs })
        }
    }

    /// Deleting (or replacing) a zone group removes the A records it wrote.
    fn on_delete(&self, _r: &Resource, fx: &mut Effects) {
        fx.unwrite_records.extend(self.written.iter().cloned());
    }
}
