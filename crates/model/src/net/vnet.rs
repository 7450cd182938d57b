//! Virtual networks and their subnets: address spaces, subnet prefixes that must fit and not
//! overlap (verified texts), subnets declared inline in a VNet PUT, and the subnet's users
//! (a subnet in use cannot be deleted).

use super::cidr::forbidden_overlap;
use super::*;
use crate::error::{ArmError, ArmResult};
use crate::kinds::{Body, ResourceKind};
use crate::resources::{Effects, Put, Resource, ResourceType, parse_input};
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualNetwork {
    pub address_prefixes: Vec<Ipv4Net>,
    pub dns_servers: Vec<String>,
    /// Whether the caller sent `dhcpOptions` (shown back then, even with no servers:
    /// `VirtualNetworkList` example, 2025-05-01; absent otherwise: `VirtualNetworkGet`).
    pub dhcp_options_given: bool,
    pub resource_guid: String,
    pub extra: Extra,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subnet {
    pub address_prefix: Ipv4Net,
    /// Whether the caller sent `addressPrefixes` (list) rather than `addressPrefix`.
    pub prefix_as_list: bool,
    pub private_endpoint_network_policies: String,
    pub private_link_service_network_policies: String,
    pub network_security_group: Option<ResourceId>,
    pub extra: Extra,
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

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubnetInput {
    address_prefix: Option<String>,
    address_prefixes: Option<Vec<String>>,
    private_endpoint_network_policies: Option<String>,
    private_link_service_network_policies: Option<String>,
    network_security_group: Option<IdRef>,
    #[serde(flatten)]
    extra: Extra,
}

impl World {
    /// Prefixes of the other children of `parent` (subnets of a VNet).
    fn sibling_prefixes(&self, vnet: &ResourceId, kind: ResourceKind, except: &ResourceId) -> Vec<(String, Ipv4Net)> {
        self.children_of(vnet, kind)
            .filter(|r| r.id != *except)
            .filter_map(|r| match &r.body {
                Body::Subnet(s) => Some((r.id.name().to_string(), s.address_prefix)),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn build_vnet(&self, id: &ResourceId, props: &Value, plan: &mut Effects) -> ArmResult<Body> {
        let input: VirtualNetworkInput = parse_input(props, "properties")?;
        if !self.store.contains(id.key()) {
            self.check_room_for_vantage("virtual network")?;
        }
        let texts = input.address_space.and_then(|a| a.address_prefixes).unwrap_or_default();
        if texts.is_empty() {
            return Err(required("properties.addressSpace.addressPrefixes"));
        }
        let mut prefixes: Vec<Ipv4Net> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let path = format!("properties.addressSpace.addressPrefixes[{i}]");
            let p = parse_prefix(t, &path, id)?;
            if let Some((range, why)) = forbidden_overlap(&p) {
                return Err(ArmError::invalid_address_space(p, id.name(), range, why, &path));
            }
            if let Some(other) = prefixes.iter().find(|o| o.overlaps(&p)) {
                return Err(ArmError::vnet_address_spaces_overlap(id.name(), p, other, &path));
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
                return Err(ArmError::duplicate_subnet_name(&name, &format!("{path}.name")));
            }
            let sub_input: SubnetInput = parse_input(&child.properties, &format!("{path}.properties"))?;
            let subnet = self.build_subnet_in(id, &prefixes, &sid, sub_input, &format!("{path}.properties"), &built)?;
            built.push((name, subnet.address_prefix));
            plan.children.push((sid, Body::Subnet(subnet)));
        }
        for existing in self.children_of(id, ResourceKind::Subnet) {
            if !keep.contains(existing.id.key()) {
                self.check_subnet_free(&existing.id)?;
                plan.remove_children.push(existing.id.clone());
            }
        }
        // Subnets kept must fit the (possibly new) address space: checked in build_subnet_in.
        Ok(Body::VirtualNetwork(VirtualNetwork {
            address_prefixes: prefixes,
            dhcp_options_given: input.dhcp_options.is_some(),
            dns_servers: input.dhcp_options.and_then(|d| d.dns_servers).unwrap_or_default(),
            resource_guid: match self.body_of(id) {
                Some(Body::VirtualNetwork(v)) => v.resource_guid.clone(),
                _ => self.ids().guid(),
            },
            extra: input.extra,
        }))
    }

    pub(crate) fn build_subnet(
        &self,
        vnet: &ResourceId,
        id: &ResourceId,
        input: SubnetInput,
        path: &str,
        siblings: &[(String, Ipv4Net)],
    ) -> ArmResult<Subnet> {
        let Some(Body::VirtualNetwork(v)) = self.body_of(vnet) else {
            return Err(ArmError::parent_resource_not_found(&format!(
                "Microsoft.Network/virtualNetworks/{}",
                vnet.name()
            )));
        };
        self.build_subnet_in(vnet, &v.address_prefixes, id, input, path, siblings)
    }

    pub(crate) fn build_subnet_in(
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
            return Err(ArmError::subnet_range_outside_vnet(id.name(), vnet.name(), &ppath));
        }
        if siblings.iter().any(|(_, p)| p.overlaps(&prefix)) {
            return Err(ArmError::subnet_ranges_overlap(id.name(), vnet.name(), &ppath));
        }
        if let Some((_, current)) = self.subnet(id) {
            let used = self.store.subnet_ips(id).map_or(0, BTreeSet::len);
            if current.address_prefix != prefix && used > 0 {
                return Err(ArmError::in_use_subnet_cannot_be_updated(
                    id.name(),
                    used,
                    current.address_prefix,
                    prefix,
                    &ppath,
                ));
            }
        }
        let nsg = match input.network_security_group.and_then(|n| n.id) {
            None => None,
            Some(text) => {
                let p = format!("{path}.networkSecurityGroup.id");
                let nsg = ref_id(Some(&text), &p)?;
                if !matches!(self.body_of(&nsg), Some(Body::NetworkSecurityGroup(_))) {
                    return Err(ArmError::invalid_resource_reference(&nsg, id).with_target(&p));
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
            Some(user) => Err(ArmError::in_use_subnet_cannot_be_deleted(subnet.name(), &user.id.to_string())),
        }
    }
}

impl ResourceType for VirtualNetwork {
    fn build(w: &World, put: &Put<'_>, fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        w.build_vnet(id, &props, fx)
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let v = self;
        {
            let subnets: Vec<Value> = w.children_of(&r.id, ResourceKind::Subnet).map(|s| w.child_json(s)).collect();
            let mut p = json!({
                "provisioningState": state,
                "resourceGuid": v.resource_guid,
                "addressSpace": { "addressPrefixes": v.address_prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>() },
                "subnets": subnets,
                "virtualNetworkPeerings": [],
                "enableDdosProtection": false,
            });
            if v.dhcp_options_given || !v.dns_servers.is_empty() {
                p["dhcpOptions"] = json!({ "dnsServers": v.dns_servers });
            }
            with_extra(p, &v.extra)
        }
    }

    fn check_delete(&self, w: &World, r: &Resource) -> ArmResult<()> {
        w.children_of(&r.id, ResourceKind::Subnet).try_for_each(|s| w.check_subnet_free(&s.id))
    }
}

impl ResourceType for Subnet {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        Ok({
            let vnet = id.parent().ok_or_else(|| required("id"))?;
            let input: SubnetInput = parse_input(&props, "properties")?;
            let siblings = w.sibling_prefixes(&vnet, ResourceKind::Subnet, id);
            Body::Subnet(w.build_subnet(&vnet, id, input, "properties", &siblings)?)
        })
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let s = self;
        {
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
            let endpoints: Vec<Value> = w
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
    }

    fn index(&self, _r: &Resource, out: &mut Vec<IndexEntry>) {
        if let Some(nsg) = &self.network_security_group {
            out.push(IndexEntry::NsgOfSubnet(nsg.key().to_string()));
        }
    }

    fn check_delete(&self, w: &World, r: &Resource) -> ArmResult<()> {
        w.check_subnet_free(&r.id)
    }
}
