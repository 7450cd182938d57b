//! Azure-side DNS forwarders a site can point at (DNS-004): Azure DNS Private Resolver with
//! its inbound endpoints, and Azure Firewall with its DNS proxy.

use super::*;
use crate::error::{ArmError, ArmResult};
use crate::kinds::Body;
use crate::resources::{Effects, Put, Resource, ResourceType, parse_input};
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct DnsResolver {
    pub virtual_network: ResourceId,
    pub resource_guid: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InboundEndpoint {
    pub subnet: ResourceId,
    pub address: Ipv4Addr,
    pub static_allocation: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AzureFirewall {
    pub subnet: ResourceId,
    pub address: Ipv4Addr,
    pub ip_configuration_name: String,
    pub dns_proxy: bool,
    pub extra: Extra,
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

impl World {
    pub(crate) fn build_inbound_endpoint(
        &self,
        id: &ResourceId,
        props: &Value,
        existing: Option<&Resource>,
    ) -> ArmResult<Body> {
        let input: InboundEndpointInput = parse_input(props, "properties")?;
        let cfg = input.ip_configurations.unwrap_or_default().into_iter().next().unwrap_or_default();
        let path = "properties.ipConfigurations[0].subnet.id";
        let subnet = ref_id(cfg.subnet.and_then(|s| s.id).as_deref(), path)?;
        if self.subnet(&subnet).is_none() {
            return Err(ArmError::invalid_resource_reference(&subnet, id).with_target(path));
        }
        let resolver = id.parent().ok_or_else(|| required("id"))?;
        let Some(Body::DnsResolver(r)) = self.body_of(&resolver) else {
            return Err(ArmError::parent_resource_not_found(&format!(
                "Microsoft.Network/dnsResolvers/{}",
                resolver.name()
            )));
        };
        if subnet.parent().as_ref() != Some(&r.virtual_network) {
            return Err(ArmError::subnet_not_in_resolver_virtual_network(&subnet, &r.virtual_network, path));
        }
        let keep = match existing.map(|e| &e.body) {
            Some(Body::DnsResolverInboundEndpoint(i)) if i.subnet == subnet => Some(i.address),
            _ => None,
        };
        let static_allocation =
            cfg.private_ip_allocation_method.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("Static"));
        let requested = if static_allocation { cfg.private_ip_address.as_deref() } else { None };
        let address = self.allocate_in(&subnet, requested, "properties.ipConfigurations[0].privateIpAddress", keep)?;
        Ok(Body::DnsResolverInboundEndpoint(InboundEndpoint { subnet, address, static_allocation }))
    }

    pub(crate) fn build_firewall(
        &self,
        id: &ResourceId,
        props: &Value,
        existing: Option<&Resource>,
    ) -> ArmResult<Body> {
        let input: FirewallInput = parse_input(props, "properties")?;
        let cfg = input.ip_configurations.unwrap_or_default().into_iter().next();
        let name = cfg.as_ref().and_then(|c| c.name.clone()).unwrap_or_else(|| "ipconfig1".to_string());
        let subnet = self.dedicated_subnet(
            id,
            cfg.map(|c| c.properties),
            "AzureFirewallSubnet",
            ArmError::azure_firewall_subnet_required,
        )?;
        let path = "properties.ipConfigurations[0].properties.subnet.id";
        let keep = match existing.map(|e| &e.body) {
            Some(Body::AzureFirewall(f)) if f.subnet == subnet => Some(f.address),
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
        Ok(Body::AzureFirewall(AzureFirewall { subnet, address, ip_configuration_name: name, dns_proxy, extra }))
    }
}

impl ResourceType for DnsResolver {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, existing, .. } = *put;
        let props = put.properties_or_empty();
        Ok({
            let input: ResolverInput = parse_input(&props, "properties")?;
            let path = "properties.virtualNetwork.id";
            let vnet = ref_id(input.virtual_network.and_then(|v| v.id).as_deref(), path)?;
            if !matches!(w.body_of(&vnet), Some(Body::VirtualNetwork(_))) {
                return Err(ArmError::invalid_resource_reference(&vnet, id).with_target(path));
            }
            Body::DnsResolver(DnsResolver {
                virtual_network: vnet,
                resource_guid: match existing.map(|r| &r.body) {
                    Some(Body::DnsResolver(d)) => d.resource_guid.clone(),
                    _ => w.ids().guid(),
                },
            })
        })
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let d = self;
        json!({
            "virtualNetwork": { "id": d.virtual_network.to_string() },
            "dnsResolverState": "Connected",
            "provisioningState": state,
            "resourceGuid": d.resource_guid,
        })
    }
}

impl ResourceType for InboundEndpoint {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, existing, .. } = *put;
        let props = put.properties_or_empty();
        w.build_inbound_endpoint(id, &props, existing)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let i = self;
        json!({
            "ipConfigurations": [{
                "subnet": { "id": i.subnet.to_string() },
                "privateIpAddress": i.address.to_string(),
                "privateIpAllocationMethod": if i.static_allocation { "Static" } else { "Dynamic" },
            }],
            "provisioningState": state,
        })
    }

    fn index(&self, _r: &Resource, out: &mut Vec<IndexEntry>) {
        out.push(IndexEntry::InSubnet { subnet: self.subnet.key().to_string(), addresses: vec![self.address] });
    }
}

impl ResourceType for AzureFirewall {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, existing, .. } = *put;
        let props = put.properties_or_empty();
        w.build_firewall(id, &props, existing)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let f = self;
        with_extra(
            json!({
                "provisioningState": state,
                "ipConfigurations": [{
                    "name": f.ip_configuration_name,
                    "id": format!("{}/azureFirewallIpConfigurations/{}", r.id, f.ip_configuration_name),
                    "properties": { "subnet": { "id": f.subnet.to_string() }, "privateIPAddress": f.address.to_string(), "provisioningState": "Succeeded" },
                }],
            }),
            &f.extra,
        )
    }

    fn index(&self, _r: &Resource, out: &mut Vec<IndexEntry>) {
        out.push(IndexEntry::InSubnet { subnet: self.subnet.key().to_string(), addresses: vec![self.address] });
    }
}
