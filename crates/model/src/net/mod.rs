//! Azure networking for private link, one module per resource family, each with its typed
//! state, request parsing, builder (with its rules), rendering and index contributions side
//! by side: [`vnet`] (virtual networks, subnets), [`nsg`] (security groups and rules),
//! [`endpoint`] (private endpoints, DNS zone groups), [`private_dns`] (zones, links, record
//! sets), [`hybrid`] (gateways, connections, ExpressRoute), [`resolver`] (Private Resolver,
//! Azure Firewall DNS proxy). This module holds what the families share.

pub mod cidr;
pub mod endpoint;
pub mod hybrid;
pub mod nsg;
pub mod private_dns;
pub mod resolver;
pub mod vnet;

pub use endpoint::{EndpointConnection, PrivateDnsZoneGroup, PrivateEndpoint, ZoneConfig};
pub use hybrid::{Connection, ExpressRouteCircuit, GatewayType, LocalNetworkGateway, VirtualNetworkGateway};
pub use nsg::{
    Direction, NetworkSecurityGroup, SERVICE_TAGS, SecurityRule, is_address_prefix, prefix_names_tag, service_tag,
};
pub use private_dns::{PrivateDnsZone, RecordSet, ResolutionPolicy, VirtualNetworkLink};
pub use resolver::{AzureFirewall, DnsResolver, InboundEndpoint};
pub use vnet::{Subnet, VirtualNetwork};

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::Body;
use crate::resources::{ConnectionStatus, Resource, parse_input};
use crate::world::World;
use cidr::{CidrError, Ipv4Net};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Properties the emulator keeps but does not interpret (echoed back as sent).
pub type Extra = Map<String, Value>;

/// The scope-side connection state seen from an endpoint (`Disconnected` when the scope
/// side deleted it).
pub fn connection_state(status: Option<(ConnectionStatus, String, String)>) -> (ConnectionStatus, String, String) {
    status.unwrap_or((
        ConnectionStatus::Disconnected,
        "Deleted on the Private Link Scope".to_string(),
        "None".to_string(),
    ))
}

pub(crate) fn with_extra(mut v: Value, extra: &Extra) -> Value {
    if let Some(obj) = v.as_object_mut() {
        for (k, x) in extra {
            obj.entry(k.clone()).or_insert_with(|| x.clone());
        }
    }
    v
}

pub(crate) fn etag_of(r: &Resource) -> Value {
    json!(r.etag.clone().unwrap_or_default())
}

impl World {
    /// Full JSON (envelope included) of a child rendered inside its parent.
    pub(crate) fn child_json(&self, r: &Resource) -> Value {
        let mut v = json!({ "id": r.id.to_string(), "name": r.id.name(), "type": r.kind().arm_type() });
        if r.etag.is_some() {
            v["etag"] = etag_of(r);
        }
        v["properties"] = r.body.properties(self, r);
        v
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddressSpace {
    pub(crate) address_prefixes: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IpConfigurationInput {
    pub(crate) subnet: Option<IdRef>,
    pub(crate) private_ip_address: Option<String>,
    pub(crate) private_ip_allocation_method: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct IdRef {
    pub(crate) id: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct NamedChild {
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) properties: Value,
}

pub(crate) fn required(path: &str) -> ArmError {
    ArmError::invalid_property(path, format!("The property '{path}' is required."))
}

/// Parses a reference to another resource, refusing ids that are not ids.
pub(crate) fn ref_id(value: Option<&str>, path: &str) -> ArmResult<ResourceId> {
    let text = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| required(path))?;
    ResourceId::parse(text).map_err(|_| ArmError::linked_invalid_property_id(text, path))
}

pub(crate) fn parse_prefix(text: &str, path: &str, resource: &ResourceId) -> ArmResult<Ipv4Net> {
    Ipv4Net::parse(text).map_err(|e| match e {
        CidrError::Malformed => ArmError::invalid_address_prefix_format(text, resource, path),
        CidrError::HostBitsSet { canonical } => ArmError::invalid_cidr_notation(text, resource, canonical, path),
    })
}

pub(crate) fn string_list(single: Option<String>, list: Option<Vec<String>>) -> (Vec<String>, bool) {
    match (single, list) {
        (_, Some(l)) if !l.is_empty() => (l, true),
        (Some(s), _) => (vec![s], false),
        _ => (Vec::new(), false),
    }
}

impl World {
    /// The state of the resource `id` names, if it exists.
    pub(crate) fn body_of(&self, id: &ResourceId) -> Option<&Body> {
        self.store.get(id.key()).map(|r| &r.body)
    }

    pub(crate) fn subnet(&self, id: &ResourceId) -> Option<(&Resource, &Subnet)> {
        let r = self.store.get(id.key())?;
        match &r.body {
            Body::Subnet(s) => Some((r, s)),
            _ => None,
        }
    }

    /// The existing subnet of a resource's first `ipConfiguration`, which Azure requires to carry
    /// a dedicated name (`GatewaySubnet`, `AzureFirewallSubnet`); `refuse` is the refusal for a
    /// subnet of another name, given that name and the property path.
    pub(crate) fn dedicated_subnet(
        &self,
        id: &ResourceId,
        config: Option<Value>,
        required_name: &str,
        refuse: fn(&str, &str) -> ArmError,
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
            return Err(ArmError::invalid_resource_reference(&subnet, id).with_target(path));
        }
        if !subnet.name().eq_ignore_ascii_case(required_name) {
            return Err(refuse(subnet.name(), path));
        }
        Ok(subnet)
    }

    pub(crate) fn allocate_in(
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
                return Err(ArmError::private_ip_address_not_available(
                    ip,
                    subnet_id.name(),
                    subnet.address_prefix,
                    path,
                ));
            }
            return Ok(ip);
        }
        if let Some(k) = keep {
            return Ok(k);
        }
        subnet.address_prefix.allocate(&used).ok_or_else(|| ArmError::subnet_is_full(subnet_id.name(), None, path))
    }
}
