//! The kind table: the resource types the emulator serves, the Rust type holding each one's
//! state (in its family module, `arc/` or `net/`), and their static facts — ARM type names,
//! namespaces, parents, naming rules, and which operations Azure runs as long-running ones.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::resources::{Effects, Put, Resource, ResourceType};
use crate::store::IndexEntry;
use crate::world::World;
use serde_json::Value;

/// Provider namespaces whose registration state the emulator tracks (PLS-015).
pub const PROVIDER_NAMESPACES: &[&str] = &[
    "Microsoft.ExtendedLocation",
    "Microsoft.HybridCompute",
    "Microsoft.Kubernetes",
    "Microsoft.KubernetesConfiguration",
    "Microsoft.Network",
];

/// The canonical spelling of a tracked namespace, matched case-insensitively.
pub fn canonical_namespace(ns: &str) -> Option<&'static str> {
    PROVIDER_NAMESPACES.iter().copied().find(|n| n.eq_ignore_ascii_case(ns))
}

/// How a type's names are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameRule {
    /// Letters, digits and the given punctuation, within a length; optionally alphanumeric at both ends.
    Chars { max: usize, extra: &'static str, lower_only: bool, alnum_edges: bool },
    /// Microsoft.Network names: 1-80, start alphanumeric, end alphanumeric or '_', middle also '-', '.', '_'.
    Network,
    /// A DNS zone name: dot-separated labels of letters, digits and '-'.
    DnsZone,
    /// A relative record set name: '@' or dot-separated labels (letters, digits, '-', '_', '*').
    RecordSet,
    /// Anything but ARM's forbidden characters.
    Loose { max: usize },
}

/// Static facts about one resource type.
struct KindInfo {
    arm_type: &'static str,
    namespace: &'static str,
    parent: Option<ResourceKind>,
    tracked: bool,
    /// Location must be `global` (private DNS).
    global: bool,
    long_running_put: bool,
    long_running_delete: bool,
    name: NameRule,
}

/// Declares the kind table: each kind with the type that holds its state. Generates
/// [`ResourceKind`] (with `ALL`), [`Body`] (one variant per kind) and the dispatch from a body
/// to its type's [`ResourceType`] methods. Every match is exhaustive, so a new kind does not
/// compile until [`ResourceKind::info`] describes it and its type implements [`ResourceType`].
macro_rules! kind_table {
    ($($kind:ident => $ty:ty),* $(,)?) => {
        /// A resource type the store holds.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ResourceKind { $($kind),* }

        impl ResourceKind {
            /// Every kind, in table order.
            pub const ALL: &'static [ResourceKind] = &[$(ResourceKind::$kind),*];
        }

        /// The typed state of a stored resource.
        #[derive(Clone, Debug, PartialEq)]
        #[allow(clippy::large_enum_variant)] // stored once per resource; boxing would only add indirection
        pub enum Body { $($kind($ty)),* }

        impl Body {
            pub fn kind(&self) -> ResourceKind {
                match self { $(Body::$kind(_) => ResourceKind::$kind),* }
            }

            pub(crate) fn build(w: &World, put: &Put<'_>, fx: &mut Effects) -> ArmResult<Body> {
                match put.kind { $(ResourceKind::$kind => <$ty as ResourceType>::build(w, put, fx)),* }
            }

            pub(crate) fn properties(&self, w: &World, r: &Resource) -> Value {
                match self { $(Body::$kind(b) => b.properties(w, r)),* }
            }

            pub(crate) fn index(&self, r: &Resource, out: &mut Vec<IndexEntry>) {
                match self { $(Body::$kind(b) => b.index(r, out)),* }
            }

            pub(crate) fn check_delete(&self, w: &World, r: &Resource) -> ArmResult<()> {
                match self { $(Body::$kind(b) => b.check_delete(w, r)),* }
            }

            pub(crate) fn on_delete(&self, r: &Resource, fx: &mut Effects) {
                match self { $(Body::$kind(b) => b.on_delete(r, fx)),* }
            }

            pub(crate) fn patch(&mut self, props: &Value) -> ArmResult<()> {
                match self { $(Body::$kind(b) => b.patch(props)),* }
            }
        }
    };
}

kind_table! {
    PrivateLinkScope => crate::arc::scope::PrivateLinkScope,
    PrivateEndpointConnection => crate::arc::connection::PrivateEndpointConnection,
    ConnectedCluster => crate::arc::cluster::ConnectedCluster,
    ClusterExtension => crate::arc::extension::ClusterExtension,
    FluxConfiguration => crate::arc::extension::FluxConfiguration,
    CustomLocation => crate::arc::custom_location::CustomLocation,
    VirtualNetwork => crate::net::vnet::VirtualNetwork,
    Subnet => crate::net::vnet::Subnet,
    NetworkSecurityGroup => crate::net::nsg::NetworkSecurityGroup,
    SecurityRule => crate::net::nsg::SecurityRule,
    PrivateEndpoint => crate::net::endpoint::PrivateEndpoint,
    PrivateDnsZoneGroup => crate::net::endpoint::PrivateDnsZoneGroup,
    PrivateDnsZone => crate::net::private_dns::PrivateDnsZone,
    VirtualNetworkLink => crate::net::private_dns::VirtualNetworkLink,
    ARecordSet => crate::net::private_dns::RecordSet,
    CnameRecordSet => crate::net::private_dns::RecordSet,
    VirtualNetworkGateway => crate::net::hybrid::VirtualNetworkGateway,
    LocalNetworkGateway => crate::net::hybrid::LocalNetworkGateway,
    Connection => crate::net::hybrid::Connection,
    ExpressRouteCircuit => crate::net::hybrid::ExpressRouteCircuit,
    DnsResolver => crate::net::resolver::DnsResolver,
    DnsResolverInboundEndpoint => crate::net::resolver::InboundEndpoint,
    AzureFirewall => crate::net::resolver::AzureFirewall,
}

const HC: &str = "Microsoft.HybridCompute";
const NET: &str = "Microsoft.Network";
const ARC_NAME: NameRule = NameRule::Chars { max: 63, extra: "-_.", lower_only: false, alnum_edges: true };

impl ResourceKind {
    fn info(self) -> KindInfo {
        use ResourceKind as K;
        let tracked = |arm_type, namespace, name| KindInfo {
            arm_type,
            namespace,
            parent: None,
            tracked: true,
            global: false,
            long_running_put: true,
            long_running_delete: true,
            name,
        };
        let child = |arm_type, namespace, parent, name| KindInfo {
            arm_type,
            namespace,
            parent: Some(parent),
            tracked: false,
            global: false,
            long_running_put: true,
            long_running_delete: true,
            name,
        };
        match self {
            // PUT of a scope is synchronous in the REST API; DELETE is long-running.
            K::PrivateLinkScope => KindInfo {
                long_running_put: false,
                ..tracked(
                    "Microsoft.HybridCompute/privateLinkScopes",
                    HC,
                    NameRule::Chars { max: 64, extra: "-_.", lower_only: false, alnum_edges: false },
                )
            },
            K::PrivateEndpointConnection => child(
                "Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections",
                HC,
                K::PrivateLinkScope,
                NameRule::Loose { max: 260 },
            ),
            K::ConnectedCluster => tracked("Microsoft.Kubernetes/connectedClusters", "Microsoft.Kubernetes", ARC_NAME),
            // Extension names keep the caller's capitals (`ClusterMonitor`, `azureVote` in the
            // extensions REST API spec examples, 2024-11-01 and 2025-03-01) and match
            // case-insensitively, like every ARM name (verified: spec examples).
            K::ClusterExtension => child(
                "Microsoft.KubernetesConfiguration/extensions",
                "Microsoft.KubernetesConfiguration",
                K::ConnectedCluster,
                NameRule::Chars { max: 253, extra: "-.", lower_only: false, alnum_edges: true },
            ),
            K::FluxConfiguration => child(
                "Microsoft.KubernetesConfiguration/fluxConfigurations",
                "Microsoft.KubernetesConfiguration",
                K::ConnectedCluster,
                NameRule::Chars { max: 253, extra: "-.", lower_only: true, alnum_edges: true },
            ),
            K::CustomLocation => tracked(
                "Microsoft.ExtendedLocation/customLocations",
                "Microsoft.ExtendedLocation",
                NameRule::Chars { max: 63, extra: "-.", lower_only: false, alnum_edges: true },
            ),
            K::VirtualNetwork => tracked("Microsoft.Network/virtualNetworks", NET, NameRule::Network),
            K::Subnet => child("Microsoft.Network/virtualNetworks/subnets", NET, K::VirtualNetwork, NameRule::Network),
            K::NetworkSecurityGroup => tracked("Microsoft.Network/networkSecurityGroups", NET, NameRule::Network),
            K::SecurityRule => child(
                "Microsoft.Network/networkSecurityGroups/securityRules",
                NET,
                K::NetworkSecurityGroup,
                NameRule::Network,
            ),
            K::PrivateEndpoint => tracked("Microsoft.Network/privateEndpoints", NET, NameRule::Network),
            K::PrivateDnsZoneGroup => child(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                NET,
                K::PrivateEndpoint,
                NameRule::Network,
            ),
            K::PrivateDnsZone => {
                KindInfo { global: true, ..tracked("Microsoft.Network/privateDnsZones", NET, NameRule::DnsZone) }
            }
            K::VirtualNetworkLink => KindInfo {
                global: true,
                parent: Some(K::PrivateDnsZone),
                ..tracked("Microsoft.Network/privateDnsZones/virtualNetworkLinks", NET, NameRule::Network)
            },
            // Record sets are synchronous in the private DNS API.
            K::ARecordSet => KindInfo {
                long_running_put: false,
                long_running_delete: false,
                ..child("Microsoft.Network/privateDnsZones/A", NET, K::PrivateDnsZone, NameRule::RecordSet)
            },
            K::CnameRecordSet => KindInfo {
                long_running_put: false,
                long_running_delete: false,
                ..child("Microsoft.Network/privateDnsZones/CNAME", NET, K::PrivateDnsZone, NameRule::RecordSet)
            },
            K::VirtualNetworkGateway => tracked("Microsoft.Network/virtualNetworkGateways", NET, NameRule::Network),
            K::LocalNetworkGateway => tracked("Microsoft.Network/localNetworkGateways", NET, NameRule::Network),
            K::Connection => tracked("Microsoft.Network/connections", NET, NameRule::Network),
            K::ExpressRouteCircuit => tracked("Microsoft.Network/expressRouteCircuits", NET, NameRule::Network),
            K::DnsResolver => tracked("Microsoft.Network/dnsResolvers", NET, NameRule::Network),
            K::DnsResolverInboundEndpoint => KindInfo {
                parent: Some(K::DnsResolver),
                ..tracked("Microsoft.Network/dnsResolvers/inboundEndpoints", NET, NameRule::Network)
            },
            K::AzureFirewall => tracked("Microsoft.Network/azureFirewalls", NET, NameRule::Network),
        }
    }

    /// The `api-version` values the real service accepts for this type, ascending
    /// ([`crate::api_versions`] says where each list comes from).
    pub fn api_versions(self) -> &'static [&'static str] {
        use crate::api_versions as v;
        match self {
            Self::PrivateLinkScope | Self::PrivateEndpointConnection => v::HYBRIDCOMPUTE_PRIVATE_LINK_SCOPES,
            Self::ConnectedCluster => v::KUBERNETES_CONNECTED_CLUSTERS,
            Self::ClusterExtension => v::KUBERNETES_CONFIGURATION_EXTENSIONS,
            Self::FluxConfiguration => v::KUBERNETES_CONFIGURATION_FLUX,
            Self::CustomLocation => v::EXTENDED_LOCATION_CUSTOM_LOCATIONS,
            Self::PrivateDnsZone | Self::VirtualNetworkLink | Self::ARecordSet | Self::CnameRecordSet => v::PRIVATE_DNS,
            Self::DnsResolver | Self::DnsResolverInboundEndpoint => v::DNS_RESOLVERS,
            Self::VirtualNetwork
            | Self::Subnet
            | Self::NetworkSecurityGroup
            | Self::SecurityRule
            | Self::PrivateEndpoint
            | Self::PrivateDnsZoneGroup
            | Self::VirtualNetworkGateway
            | Self::LocalNetworkGateway
            | Self::Connection
            | Self::ExpressRouteCircuit
            | Self::AzureFirewall => v::NETWORK,
        }
    }

    /// Whether the last page of a list of this type carries `"nextLink": null` rather than no
    /// `nextLink` key. Fidelity: verified from the REST API spec examples — the HybridCompute
    /// (`PrivateLinkScopes_ListByResourceGroup`, `PrivateLinkScopesList`,
    /// `PrivateLinkScopePrivateLinkResource_ListGet`) and KubernetesConfiguration
    /// (`ListExtensions`) examples show `"nextLink": null` on a last page; the Network examples
    /// (`VirtualNetworkList`, `PrivateEndpointList`) show no key. For the private DNS and
    /// connected-cluster lists the examples only show further pages, so the key is kept
    /// (`null`) as their SDKs' paging models read it either way (inferred).
    pub fn last_page_has_null_next_link(self) -> bool {
        use ResourceKind as K;
        match self {
            K::VirtualNetwork
            | K::Subnet
            | K::NetworkSecurityGroup
            | K::SecurityRule
            | K::PrivateEndpoint
            | K::PrivateDnsZoneGroup
            | K::VirtualNetworkGateway
            | K::LocalNetworkGateway
            | K::Connection
            | K::ExpressRouteCircuit
            | K::DnsResolver
            | K::DnsResolverInboundEndpoint
            | K::AzureFirewall => false,
            K::PrivateLinkScope
            | K::PrivateEndpointConnection
            | K::ConnectedCluster
            | K::ClusterExtension
            | K::FluxConfiguration
            | K::CustomLocation
            | K::PrivateDnsZone
            | K::VirtualNetworkLink
            | K::ARecordSet
            | K::CnameRecordSet => true,
        }
    }

    /// The ARM `type` string, as the real service spells it.
    pub fn arm_type(self) -> &'static str {
        self.info().arm_type
    }

    pub fn namespace(self) -> &'static str {
        self.info().namespace
    }

    /// The kind of the resource this one is nested in, if any.
    pub fn parent(self) -> Option<ResourceKind> {
        self.info().parent
    }

    /// Whether the type is tracked (has a location) rather than a proxy resource.
    pub fn tracked(self) -> bool {
        self.info().tracked
    }

    /// Whether the location must be `global` (private DNS zones and their links).
    pub fn global_location(self) -> bool {
        self.info().global
    }

    /// PUT answers with `Azure-AsyncOperation` in Azure (REST API specs: `x-ms-long-running-operation`).
    pub fn long_running_put(self) -> bool {
        self.info().long_running_put
    }

    /// DELETE answers 202 with `Azure-AsyncOperation` in Azure.
    pub fn long_running_delete(self) -> bool {
        self.info().long_running_delete
    }

    /// The `{type}` segments after the namespace, e.g. `["privateLinkScopes", "privateEndpointConnections"]`.
    pub fn type_segments(self) -> Vec<&'static str> {
        self.arm_type().split('/').skip(1).collect()
    }

    /// Which kind an id names, if the emulator serves it. Checks the whole chain of
    /// types, so an extension must sit under a connected cluster.
    pub fn of(id: &ResourceId) -> Option<ResourceKind> {
        // Compares without allocating: this runs for every ARM request.
        let matches = |kind: ResourceKind, g: &crate::id::ProviderGroup<'_>| {
            let mut want = kind.arm_type().split('/');
            let ns = want.next().unwrap_or_default();
            let mut have = g.types();
            g.namespace.eq_ignore_ascii_case(ns)
                && loop {
                    match (have.next(), want.next()) {
                        (None, None) => break true,
                        (Some((t, _)), Some(w)) if t.eq_ignore_ascii_case(w) => {}
                        _ => break false,
                    }
                }
        };
        let mut groups = id.provider_groups();
        match (groups.next(), groups.next(), groups.next()) {
            (Some(g), None, _) => {
                ResourceKind::ALL.iter().copied().find(|k| !k.is_extension_resource() && matches(*k, &g))
            }
            (Some(host), Some(g), None) => ResourceKind::ALL.iter().copied().find(|k| {
                k.is_extension_resource() && k.parent().is_some_and(|p| matches(p, &host)) && matches(*k, &g)
            }),
            _ => None,
        }
    }

    /// An extension resource (`{resource}/providers/{ns}/{type}/{name}`): nested in a
    /// resource of another namespace, like extensions and Flux configurations on a cluster.
    pub fn is_extension_resource(self) -> bool {
        self.parent().is_some_and(|p| p.namespace() != self.namespace())
    }

    /// Refuses names the real service refuses (character set and length per type).
    pub fn validate_name(self, name: &str) -> ArmResult<()> {
        let alnum = |c: char| c.is_ascii_alphanumeric();
        let (ok, rule_text): (bool, String) = match self.info().name {
            NameRule::Chars { max, extra, lower_only, alnum_edges } => {
                let allowed = |c: char| {
                    (c.is_ascii_digit() || (c.is_ascii_alphabetic() && (!lower_only || c.is_ascii_lowercase())))
                        || extra.contains(c)
                };
                let edges =
                    !alnum_edges || (name.chars().next().is_some_and(alnum) && name.chars().last().is_some_and(alnum));
                let case = if lower_only { "lower-case letters" } else { "letters" };
                let edge_text = if alnum_edges { ", starting and ending with a letter or digit" } else { "" };
                (
                    !name.is_empty() && name.len() <= max && name.chars().all(allowed) && edges && !name.ends_with('.'),
                    format!("use 1 to {max} {case}, digits or '{extra}'{edge_text}"),
                )
            }
            NameRule::Network => {
                let middle = |c: char| alnum(c) || matches!(c, '-' | '.' | '_');
                let ok = !name.is_empty()
                    && name.len() <= 80
                    && name.chars().next().is_some_and(alnum)
                    && name.chars().last().is_some_and(|c| alnum(c) || c == '_')
                    && name.chars().all(middle);
                (ok, "use 1 to 80 letters, digits, '-', '.' or '_', starting with a letter or digit and ending with a letter, digit or '_'".to_string())
            }
            NameRule::DnsZone => {
                let label_ok = |l: &str| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.chars().all(|c| alnum(c) || c == '-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                };
                let ok = name.len() <= 253 && name.split('.').count() >= 2 && name.split('.').all(label_ok);
                (ok, "use a DNS name of at least two labels (letters, digits and '-')".to_string())
            }
            NameRule::RecordSet => {
                // Answers name their records, so a record set's name is one the DNS face can
                // write: a wildcard only as a whole first label, no label starting with '-'.
                let name_ok = |n: &str| crate::lab::is_dns_name(n.strip_prefix("*.").unwrap_or(n));
                let ok = name == "@" || name == "*" || (name.len() <= 253 && !name.ends_with('.') && name_ok(name));
                let text = "use '@', or dot-separated labels of letters, digits, '-' or '_' (not starting or ending \
                            with '-'), the first of which may be '*'";
                (ok, text.to_string())
            }
            NameRule::Loose { max } => (
                !name.is_empty()
                    && name.len() <= max
                    && name
                        .chars()
                        .all(|c| !matches!(c, '<' | '>' | '%' | '&' | ':' | '\\' | '?' | '/') && !c.is_control()),
                format!("use 1 to {max} characters other than '<>%&:\\?/'"),
            ),
        };
        if ok { Ok(()) } else { Err(ArmError::invalid_resource_name(name, self.arm_type(), &rule_text)) }
    }
}

/// .NET's `Char.IsLetterOrDigit`, which ARM's naming rules for resource groups cite: a letter
/// (general categories Lu, Ll, Lt, Lm, Lo) or a decimal digit (Nd) — not Rust's broader
/// `is_alphanumeric`, which also admits `½` (No) or `Ⅻ` (Nl).
fn is_letter_or_digit(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
    )
}

/// Resource group names: 1–90 of letters, digits, `-_.()`, not ending in '.'.
pub fn validate_resource_group_name(name: &str) -> ArmResult<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 90
        && name.chars().all(|c| is_letter_or_digit(c) || matches!(c, '-' | '_' | '.' | '(' | ')'))
        && !name.ends_with('.');
    if ok { Ok(()) } else { Err(ArmError::invalid_resource_group_name(name)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_ids() {
        let cc = ResourceId::resource("s", "rg", "microsoft.kubernetes", "CONNECTEDCLUSTERS", "c");
        assert_eq!(ResourceKind::of(&cc), Some(ResourceKind::ConnectedCluster));
        let ext = cc.extension("Microsoft.KubernetesConfiguration", "extensions", "flux");
        assert_eq!(ResourceKind::of(&ext), Some(ResourceKind::ClusterExtension));
        let pls = ResourceId::resource("s", "rg", "Microsoft.HybridCompute", "privateLinkScopes", "p");
        assert_eq!(ResourceKind::of(&pls.extension("Microsoft.KubernetesConfiguration", "extensions", "x")), None);
        assert_eq!(
            ResourceKind::of(&pls.child("privateEndpointConnections", "pe")),
            Some(ResourceKind::PrivateEndpointConnection)
        );
        assert_eq!(ResourceKind::of(&ResourceId::resource("s", "rg", "Microsoft.Compute", "vms", "v")), None);
    }

    #[test]
    fn names_are_checked_per_type() {
        assert!(ResourceKind::ConnectedCluster.validate_name("my-cluster_1").is_ok());
        assert!(ResourceKind::ConnectedCluster.validate_name("-bad").is_err());
        assert!(ResourceKind::ConnectedCluster.validate_name(&"a".repeat(64)).is_err());
        // Extension names keep capitals (spec examples: `ClusterMonitor`); Flux configurations stay lower-case.
        assert!(ResourceKind::ClusterExtension.validate_name("ClusterMonitor").is_ok());
        assert!(ResourceKind::ClusterExtension.validate_name("-flux").is_err());
        assert!(ResourceKind::FluxConfiguration.validate_name("Flux").is_err());
        assert!(ResourceKind::PrivateLinkScope.validate_name("pls.").is_err());
        assert!(ResourceKind::PrivateLinkScope.validate_name("a b").is_err());
        assert!(validate_resource_group_name("rg(1)_x.y").is_ok());
        assert!(validate_resource_group_name("rg.").is_err());
        assert!(validate_resource_group_name("").is_err());
    }

    #[test]
    fn record_set_names_are_names_the_dns_face_can_write() {
        for ok in ["@", "*", "gbl", "eastus-gas", "_sip._tcp", "*.apps", "a.b-c"] {
            assert!(ResourceKind::ARecordSet.validate_name(ok).is_ok(), "{ok}");
        }
        for bad in ["a*b", "*x", "a.*", "-x", "x-", "a..b", "a b", "@.x", "x.", &"a".repeat(64)] {
            assert!(ResourceKind::CnameRecordSet.validate_name(bad).is_err(), "{bad}");
        }
    }
}
