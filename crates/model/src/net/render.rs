//! ARM JSON of the networking types. Rendering reads the world: a VNet shows its subnets,
//! an NSG its rules and subnets, a private endpoint the state of its scope-side connection,
//! a zone its record and link counts.

use super::*;
use crate::kinds::ResourceKind;
use crate::resources::{Body, ProvisioningState, Resource};
use crate::world::World;
use serde_json::json;

fn with_extra(mut v: Value, extra: &Extra) -> Value {
    if let Some(obj) = v.as_object_mut() {
        for (k, x) in extra {
            obj.entry(k.clone()).or_insert_with(|| x.clone());
        }
    }
    v
}

fn etag_of(r: &Resource) -> Value {
    json!(r.etag.clone().unwrap_or_default())
}

/// The six rules Azure adds to every network security group.
fn default_security_rules(nsg: &ResourceId) -> Vec<Value> {
    let rule = |name: &str, priority: u16, dir: &str, access: &str, src: &str, dst: &str, desc: &str| {
        json!({
            "id": format!("{nsg}/defaultSecurityRules/{name}"),
            "name": name,
            "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
            "properties": {
                "provisioningState": "Succeeded",
                "description": desc,
                "protocol": "*",
                "sourcePortRange": "*",
                "destinationPortRange": "*",
                "sourceAddressPrefix": src,
                "destinationAddressPrefix": dst,
                "access": access,
                "priority": priority,
                "direction": dir,
                "sourcePortRanges": [], "destinationPortRanges": [], "sourceAddressPrefixes": [], "destinationAddressPrefixes": [],
            }
        })
    };
    vec![
        rule(
            "AllowVnetInBound",
            65000,
            "Inbound",
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow inbound traffic from all VMs in VNET",
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            "Inbound",
            "Allow",
            "AzureLoadBalancer",
            "*",
            "Allow inbound traffic from azure load balancer",
        ),
        rule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "Deny all inbound traffic"),
        rule(
            "AllowVnetOutBound",
            65000,
            "Outbound",
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow outbound traffic from all VMs to all VMs in VNET",
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            "Outbound",
            "Allow",
            "*",
            "Internet",
            "Allow outbound traffic from all VMs to Internet",
        ),
        rule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "Deny all outbound traffic"),
    ]
}

impl World {
    /// The six default rules of an existing network security group.
    pub fn default_security_rules(&self, nsg: &ResourceId) -> crate::error::ArmResult<Vec<Value>> {
        match self.resource(nsg)?.kind() {
            ResourceKind::NetworkSecurityGroup => Ok(default_security_rules(nsg)),
            _ => Err(crate::error::ArmError::linked_invalid_property_id(&nsg.to_string(), "id")),
        }
    }

    /// The SOA record set (`@`) Azure creates with every private DNS zone.
    pub fn zone_soa_record_set(&self, zone: &ResourceId) -> crate::error::ArmResult<Value> {
        let r = self.resource(zone)?;
        if r.kind() != ResourceKind::PrivateDnsZone {
            return Err(crate::error::ArmError::linked_invalid_property_id(&zone.to_string(), "id"));
        }
        let name = zone.name().to_ascii_lowercase();
        Ok(json!({
            "id": format!("{zone}/SOA/@"),
            "name": "@",
            "type": "Microsoft.Network/privateDnsZones/SOA",
            "etag": r.etag.clone().unwrap_or_default(),
            "properties": {
                "metadata": {},
                "ttl": 3600,
                "fqdn": format!("{name}."),
                "isAutoRegistered": false,
                "soaRecord": {
                    "host": "azureprivatedns.net",
                    "email": "azureprivatedns-host.microsoft.com",
                    "serialNumber": 1,
                    "refreshTime": 3600,
                    "retryTime": 300,
                    "expireTime": 2419200,
                    "minimumTtl": 10,
                },
            },
        }))
    }

    /// Full JSON (envelope included) of a child rendered inside its parent.
    fn child_json(&self, r: &Resource) -> Value {
        let mut v = json!({ "id": r.id.to_string(), "name": r.id.name(), "type": r.kind().arm_type() });
        if r.etag.is_some() {
            v["etag"] = etag_of(r);
        }
        v["properties"] = self.net_properties(r);
        v
    }

    /// `properties` of a networking resource.
    pub(crate) fn net_properties(&self, r: &Resource) -> Value {
        let Body::Net(body) = &r.body else { return Value::Null };
        let state = r.provisioning_state.as_str();
        match body {
            NetBody::VirtualNetwork(v) => {
                let subnets: Vec<Value> =
                    self.children_of(&r.id, ResourceKind::Subnet).map(|s| self.child_json(s)).collect();
                let mut p = json!({
                    "provisioningState": state,
                    "resourceGuid": v.resource_guid,
                    "addressSpace": { "addressPrefixes": v.address_prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>() },
                    "subnets": subnets,
                    "virtualNetworkPeerings": [],
                    "enableDdosProtection": false,
                });
                if !v.dns_servers.is_empty() {
                    p["dhcpOptions"] = json!({ "dnsServers": v.dns_servers });
                }
                with_extra(p, &v.extra)
            }
            NetBody::Subnet(s) => {
                let mut p = json!({
                    "provisioningState": state,
                    "privateEndpointNetworkPolicies": s.private_endpoint_network_policies,
                    "privateLinkServiceNetworkPolicies": s.private_link_service_network_policies,
                });
                if s.prefix_as_list {
                    p["addressPrefixes"] = json!([s.address_prefix.to_string()]);
                } else {
                    p["addressPrefix"] = json!(s.address_prefix.to_string());
                }
                if let Some(n) = &s.network_security_group {
                    p["networkSecurityGroup"] = json!({ "id": n.to_string() });
                }
                let endpoints: Vec<Value> = self
                    .store
                    .subnet_users(&r.id)
                    .filter(|u| u.kind() == ResourceKind::PrivateEndpoint)
                    .map(|u| json!({ "id": u.id.to_string() }))
                    .collect();
                if !endpoints.is_empty() {
                    p["privateEndpoints"] = json!(endpoints);
                }
                with_extra(p, &s.extra)
            }
            NetBody::NetworkSecurityGroup(n) => {
                let rules: Vec<Value> =
                    self.children_of(&r.id, ResourceKind::SecurityRule).map(|s| self.child_json(s)).collect();
                let subnets: Vec<Value> =
                    self.store.nsg_subnets(&r.id).map(|s| json!({ "id": s.id.to_string() })).collect();
                with_extra(
                    json!({
                        "provisioningState": state,
                        "resourceGuid": n.resource_guid,
                        "securityRules": rules,
                        "defaultSecurityRules": default_security_rules(&r.id),
                        "subnets": subnets,
                    }),
                    &n.extra,
                )
            }
            NetBody::SecurityRule(s) => {
                let mut p = json!({
                    "provisioningState": state,
                    "protocol": s.protocol,
                    "access": s.access,
                    "priority": s.priority,
                    "direction": s.direction.as_str(),
                    "sourcePortRanges": [], "destinationPortRanges": [], "sourceAddressPrefixes": [], "destinationAddressPrefixes": [],
                });
                let fields = [
                    ("sourceAddressPrefix", "sourceAddressPrefixes", &s.source_address_prefixes, s.plural[0]),
                    (
                        "destinationAddressPrefix",
                        "destinationAddressPrefixes",
                        &s.destination_address_prefixes,
                        s.plural[1],
                    ),
                    ("sourcePortRange", "sourcePortRanges", &s.source_port_ranges, s.plural[2]),
                    ("destinationPortRange", "destinationPortRanges", &s.destination_port_ranges, s.plural[3]),
                ];
                for (one, many, list, plural) in fields {
                    if plural {
                        p[many] = json!(list);
                    } else if let Some(first) = list.first() {
                        p[one] = json!(first);
                    }
                }
                if let Some(d) = &s.description {
                    p["description"] = json!(d);
                }
                p
            }
            NetBody::PrivateEndpoint(pe) => {
                let c = &pe.connection;
                let scope_state = self.store.get(c.scope_connection.key()).and_then(|pec| match &pec.body {
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
                let list =
                    if c.manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
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
                    "ipConfigurations": [],
                    "applicationSecurityGroups": [],
                    "customDnsConfigs": pe.dns.iter().map(|(fqdn, ip)| json!({ "fqdn": fqdn, "ipAddresses": [ip.to_string()] })).collect::<Vec<_>>(),
                })
            }
            NetBody::PrivateDnsZoneGroup(g) => {
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
                                let ttl = match self.store.get(rs.key()).map(|x| &x.body) {
                                    Some(Body::Net(NetBody::ARecordSet(s))) => s.ttl,
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
            NetBody::PrivateDnsZone(z) => {
                let records = self.children_of(&r.id, ResourceKind::ARecordSet).count()
                    + self.children_of(&r.id, ResourceKind::CnameRecordSet).count();
                let links: Vec<&Resource> = self.children_of(&r.id, ResourceKind::VirtualNetworkLink).collect();
                let with_registration = links
                    .iter()
                    .filter(|l| matches!(&l.body, Body::Net(NetBody::VirtualNetworkLink(x)) if x.registration_enabled))
                    .count();
                json!({
                    "maxNumberOfRecordSets": 25000,
                    "maxNumberOfVirtualNetworkLinks": 1000,
                    "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                    // Azure counts the zone's SOA record set too.
                    "numberOfRecordSets": records + 1,
                    "numberOfVirtualNetworkLinks": links.len(),
                    "numberOfVirtualNetworkLinksWithRegistration": with_registration,
                    "provisioningState": state,
                    "internalId": z.internal_id,
                })
            }
            NetBody::VirtualNetworkLink(l) => json!({
                "virtualNetwork": { "id": l.virtual_network.to_string() },
                "registrationEnabled": l.registration_enabled,
                "resolutionPolicy": l.resolution_policy.as_str(),
                "virtualNetworkLinkState": if r.provisioning_state == ProvisioningState::Succeeded { "Completed" } else { "InProgress" },
                "provisioningState": state,
            }),
            NetBody::ARecordSet(s) | NetBody::CnameRecordSet(s) => {
                let zone = r.id.parent().map(|z| z.name().to_ascii_lowercase()).unwrap_or_default();
                let name = r.id.name();
                let fqdn = if name == "@" { format!("{zone}.") } else { format!("{name}.{zone}.") };
                let mut p = json!({ "metadata": s.metadata, "ttl": s.ttl, "fqdn": fqdn, "isAutoRegistered": false });
                if r.kind() == ResourceKind::ARecordSet {
                    p["aRecords"] = json!(
                        s.a_records.iter().map(|ip| json!({ "ipv4Address": ip.to_string() })).collect::<Vec<_>>()
                    );
                } else if let Some(c) = &s.cname {
                    p["cnameRecord"] = json!({ "cname": c });
                }
                p
            }
            NetBody::VirtualNetworkGateway(g) => with_extra(
                json!({
                    "provisioningState": state,
                    "gatewayType": match g.gateway_type { GatewayType::Vpn => "Vpn", GatewayType::ExpressRoute => "ExpressRoute" },
                    "ipConfigurations": [{
                        "name": "default",
                        "id": format!("{}/ipConfigurations/default", r.id),
                        "properties": { "subnet": { "id": g.subnet.to_string() }, "privateIPAllocationMethod": "Dynamic", "provisioningState": "Succeeded" },
                    }],
                }),
                &g.extra,
            ),
            NetBody::LocalNetworkGateway(l) => with_extra(
                json!({
                    "provisioningState": state,
                    "localNetworkAddressSpace": { "addressPrefixes": l.address_prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>() },
                }),
                &l.extra,
            ),
            NetBody::Connection(c) => {
                let mut p = json!({
                    "provisioningState": state,
                    "connectionType": c.connection_type,
                    "virtualNetworkGateway1": { "id": c.gateway.to_string() },
                    "connectionStatus": "Connected",
                });
                if let Some(peer) = &c.peer {
                    let key =
                        if c.connection_type.eq_ignore_ascii_case("IPsec") { "localNetworkGateway2" } else { "peer" };
                    p[key] = json!({ "id": peer.to_string() });
                }
                let mut extra = c.extra.clone();
                extra.remove("sharedKey");
                with_extra(p, &extra)
            }
            NetBody::ExpressRouteCircuit(c) => with_extra(
                json!({
                    "provisioningState": state,
                    "circuitProvisioningState": "Enabled",
                    "serviceProviderProvisioningState": "Provisioned",
                }),
                &c.extra,
            ),
            NetBody::DnsResolver(d) => json!({
                "virtualNetwork": { "id": d.virtual_network.to_string() },
                "dnsResolverState": "Connected",
                "provisioningState": state,
                "resourceGuid": d.resource_guid,
            }),
            NetBody::InboundEndpoint(i) => json!({
                "ipConfigurations": [{
                    "subnet": { "id": i.subnet.to_string() },
                    "privateIpAddress": i.address.to_string(),
                    "privateIpAllocationMethod": if i.static_allocation { "Static" } else { "Dynamic" },
                }],
                "provisioningState": state,
            }),
            NetBody::AzureFirewall(f) => with_extra(
                json!({
                    "provisioningState": state,
                    "ipConfigurations": [{
                        "name": f.ip_configuration_name,
                        "id": format!("{}/azureFirewallIpConfigurations/{}", r.id, f.ip_configuration_name),
                        "properties": { "subnet": { "id": f.subnet.to_string() }, "privateIPAddress": f.address.to_string(), "provisioningState": "Succeeded" },
                    }],
                }),
                &f.extra,
            ),
        }
    }
}
