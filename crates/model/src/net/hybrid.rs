//! How on-premises reaches Azure, simplified: virtual network gateways (VPN or ExpressRoute,
//! in a `GatewaySubnet`), local network gateways, connections, ExpressRoute circuits (NET-001).

use super::*;
use crate::error::{ArmError, ArmResult};
use crate::kinds::Body;
use crate::resources::{Effects, Put, Resource, ResourceType, parse_input};
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayType {
    Vpn,
    ExpressRoute,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualNetworkGateway {
    pub gateway_type: GatewayType,
    /// The `GatewaySubnet` it sits in.
    pub subnet: ResourceId,
    pub extra: Extra,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LocalNetworkGateway {
    pub address_prefixes: Vec<Ipv4Net>,
    pub extra: Extra,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub connection_type: String,
    pub gateway: ResourceId,
    /// Local network gateway (IPsec) or ExpressRoute circuit.
    pub peer: Option<ResourceId>,
    pub extra: Extra,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpressRouteCircuit {
    pub extra: Extra,
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

impl World {
    pub(crate) fn build_gateway(&self, id: &ResourceId, props: &Value) -> ArmResult<Body> {
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
        let subnet =
            self.dedicated_subnet(id, cfg.map(|c| c.properties), "GatewaySubnet", ArmError::invalid_gateway_subnet)?;
        Ok(Body::VirtualNetworkGateway(VirtualNetworkGateway { gateway_type, subnet, extra: input.extra }))
    }

    pub(crate) fn build_site_connection(&self, id: &ResourceId, props: &Value) -> ArmResult<Body> {
        let input: ConnectionInput = parse_input(props, "properties")?;
        let connection_type = input.connection_type.ok_or_else(|| required("properties.connectionType"))?;
        let gpath = "properties.virtualNetworkGateway1.id";
        let gateway = ref_id(input.virtual_network_gateway1.and_then(|g| g.id).as_deref(), gpath)?;
        if !matches!(self.body_of(&gateway), Some(Body::VirtualNetworkGateway(_))) {
            return Err(ArmError::invalid_resource_reference(&gateway, id).with_target(gpath));
        }
        let peer = if connection_type.eq_ignore_ascii_case("IPsec") {
            let p = "properties.localNetworkGateway2.id";
            let l = ref_id(input.local_network_gateway2.and_then(|g| g.id).as_deref(), p)?;
            if !matches!(self.body_of(&l), Some(Body::LocalNetworkGateway(_))) {
                return Err(ArmError::invalid_resource_reference(&l, id).with_target(p));
            }
            Some(l)
        } else if connection_type.eq_ignore_ascii_case("ExpressRoute") {
            let p = "properties.peer.id";
            let c = ref_id(input.peer.and_then(|g| g.id).as_deref(), p)?;
            if !matches!(self.body_of(&c), Some(Body::ExpressRouteCircuit(_))) {
                return Err(ArmError::invalid_resource_reference(&c, id).with_target(p));
            }
            Some(c)
        } else {
            return Err(ArmError::invalid_property(
                "properties.connectionType",
                format!("'{connection_type}' is not emulated; use IPsec (site-to-site VPN) or ExpressRoute."),
            ));
        };
        Ok(Body::Connection(Connection { connection_type, gateway, peer, extra: input.extra }))
    }
}

impl ResourceType for VirtualNetworkGateway {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        w.build_gateway(id, &props)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let g = self;
        with_extra(
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
        )
    }

    fn index(&self, _r: &Resource, out: &mut Vec<IndexEntry>) {
        out.push(IndexEntry::InSubnet { subnet: self.subnet.key().to_string(), addresses: Vec::new() });
    }
}

impl ResourceType for LocalNetworkGateway {
    fn build(_w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        Ok({
            let input: LocalGatewayInput = parse_input(&props, "properties")?;
            let prefixes = input.local_network_address_space.and_then(|a| a.address_prefixes).unwrap_or_default();
            let address_prefixes = prefixes
                .iter()
                .enumerate()
                .map(|(i, p)| parse_prefix(p, &format!("properties.localNetworkAddressSpace.addressPrefixes[{i}]"), id))
                .collect::<ArmResult<Vec<_>>>()?;
            Body::LocalNetworkGateway(LocalNetworkGateway { address_prefixes, extra: input.extra })
        })
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let l = self;
        with_extra(
            json!({
                "provisioningState": state,
                "localNetworkAddressSpace": { "addressPrefixes": l.address_prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>() },
            }),
            &l.extra,
        )
    }
}

impl ResourceType for Connection {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        w.build_site_connection(id, &props)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let c = self;
        {
            let mut p = json!({
                "provisioningState": state,
                "connectionType": c.connection_type,
                "virtualNetworkGateway1": { "id": c.gateway.to_string() },
                "connectionStatus": "Connected",
            });
            if let Some(peer) = &c.peer {
                let key = if c.connection_type.eq_ignore_ascii_case("IPsec") { "localNetworkGateway2" } else { "peer" };
                p[key] = json!({ "id": peer.to_string() });
            }
            let mut extra = c.extra.clone();
            extra.remove("sharedKey");
            with_extra(p, &extra)
        }
    }
}

impl ResourceType for ExpressRouteCircuit {
    fn build(_w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let props = put.properties_or_empty();
        Ok(Body::ExpressRouteCircuit(ExpressRouteCircuit { extra: props.as_object().cloned().unwrap_or_default() }))
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let c = self;
        with_extra(
            json!({
                "provisioningState": state,
                "circuitProvisioningState": "Enabled",
                "serviceProviderProvisioningState": "Provisioned",
            }),
            &c.extra,
        )
    }
}
