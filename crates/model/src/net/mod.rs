//! Azure networking for private link: virtual networks and subnets, network security
//! groups, private endpoints and their DNS zone groups, private DNS zones with links and
//! record sets, and the simplified on-premises connectivity (VPN/ExpressRoute) and Azure-side
//! DNS forwarders (Private Resolver inbound endpoints, Firewall DNS proxy).
//!
//! Typed state here ([`NetBody`]); request parsing and the rules that bind these resources
//! to Private Link Scopes live in [`build`]; JSON rendering in [`render`].

pub mod build;
pub mod cidr;
pub mod render;

use crate::id::ResourceId;
use crate::resources::ConnectionStatus;
use cidr::Ipv4Net;
use serde_json::{Map, Value};
use std::net::Ipv4Addr;

/// Properties the emulator keeps but does not interpret (echoed back as sent).
pub type Extra = Map<String, Value>;

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualNetwork {
    pub address_prefixes: Vec<Ipv4Net>,
    pub dns_servers: Vec<String>,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SecurityRule {
    pub priority: u16,
    pub direction: Direction,
    pub access: String,
    pub protocol: String,
    pub source_address_prefixes: Vec<String>,
    pub destination_address_prefixes: Vec<String>,
    pub source_port_ranges: Vec<String>,
    pub destination_port_ranges: Vec<String>,
    /// Which of the singular/plural forms were used, to echo them back the same way.
    pub plural: [bool; 4],
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSecurityGroup {
    pub resource_guid: String,
    pub extra: Extra,
}

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

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateDnsZone {
    pub internal_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolutionPolicy {
    Default,
    /// Fall back to internet resolution on NXDOMAIN (DNS-003 exception).
    NxDomainRedirect,
}

impl ResolutionPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionPolicy::Default => "Default",
            ResolutionPolicy::NxDomainRedirect => "NxDomainRedirect",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualNetworkLink {
    pub virtual_network: ResourceId,
    pub registration_enabled: bool,
    pub resolution_policy: ResolutionPolicy,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordSet {
    pub ttl: u32,
    pub a_records: Vec<Ipv4Addr>,
    pub cname: Option<String>,
    pub metadata: Map<String, Value>,
}

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

/// Type-specific state of a networking resource.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // stored once per resource; boxing would only add indirection
pub enum NetBody {
    VirtualNetwork(VirtualNetwork),
    Subnet(Subnet),
    NetworkSecurityGroup(NetworkSecurityGroup),
    SecurityRule(SecurityRule),
    PrivateEndpoint(PrivateEndpoint),
    PrivateDnsZoneGroup(PrivateDnsZoneGroup),
    PrivateDnsZone(PrivateDnsZone),
    VirtualNetworkLink(VirtualNetworkLink),
    ARecordSet(RecordSet),
    CnameRecordSet(RecordSet),
    VirtualNetworkGateway(VirtualNetworkGateway),
    LocalNetworkGateway(LocalNetworkGateway),
    Connection(Connection),
    ExpressRouteCircuit(ExpressRouteCircuit),
    DnsResolver(DnsResolver),
    InboundEndpoint(InboundEndpoint),
    AzureFirewall(AzureFirewall),
}

impl NetBody {
    pub fn kind(&self) -> crate::kinds::ResourceKind {
        use crate::kinds::ResourceKind as K;
        match self {
            NetBody::VirtualNetwork(_) => K::VirtualNetwork,
            NetBody::Subnet(_) => K::Subnet,
            NetBody::NetworkSecurityGroup(_) => K::NetworkSecurityGroup,
            NetBody::SecurityRule(_) => K::SecurityRule,
            NetBody::PrivateEndpoint(_) => K::PrivateEndpoint,
            NetBody::PrivateDnsZoneGroup(_) => K::PrivateDnsZoneGroup,
            NetBody::PrivateDnsZone(_) => K::PrivateDnsZone,
            NetBody::VirtualNetworkLink(_) => K::VirtualNetworkLink,
            NetBody::ARecordSet(_) => K::ARecordSet,
            NetBody::CnameRecordSet(_) => K::CnameRecordSet,
            NetBody::VirtualNetworkGateway(_) => K::VirtualNetworkGateway,
            NetBody::LocalNetworkGateway(_) => K::LocalNetworkGateway,
            NetBody::Connection(_) => K::Connection,
            NetBody::ExpressRouteCircuit(_) => K::ExpressRouteCircuit,
            NetBody::DnsResolver(_) => K::DnsResolver,
            NetBody::InboundEndpoint(_) => K::DnsResolverInboundEndpoint,
            NetBody::AzureFirewall(_) => K::AzureFirewall,
        }
    }

    /// Subnets this resource occupies (a subnet in use cannot be deleted).
    pub fn subnets_used(&self) -> Vec<&ResourceId> {
        match self {
            NetBody::PrivateEndpoint(p) => vec![&p.subnet],
            NetBody::VirtualNetworkGateway(g) => vec![&g.subnet],
            NetBody::InboundEndpoint(i) => vec![&i.subnet],
            NetBody::AzureFirewall(f) => vec![&f.subnet],
            _ => Vec::new(),
        }
    }

    /// Private addresses this resource holds in its subnet.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        match self {
            NetBody::PrivateEndpoint(p) => p.dns.iter().map(|(_, ip)| *ip).collect(),
            NetBody::InboundEndpoint(i) => vec![i.address],
            NetBody::AzureFirewall(f) => vec![f.address],
            _ => Vec::new(),
        }
    }
}

/// The scope-side connection state seen from an endpoint (`Disconnected` when the scope
/// side deleted it).
pub fn connection_state(status: Option<(ConnectionStatus, String, String)>) -> (ConnectionStatus, String, String) {
    status.unwrap_or((
        ConnectionStatus::Disconnected,
        "Deleted on the Private Link Scope".to_string(),
        "None".to_string(),
    ))
}
