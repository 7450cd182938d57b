//! The rule catalogue: every documented rule of Azure Arc Private Link for Kubernetes
//! (DESIGN.md: PLS-001..015, NET-001..003, DNS-001..006), one [`Rule`] value each in
//! [`CATALOGUE`], and one function per decision, named after its id. A rule function
//! takes the facts it needs (looked up through the store's indexes by its caller) and
//! never touches the store.
//!
//! - Control-plane rules return `ArmResult<()>`: a typed refusal ([`ArmError`] citing the rule)
//!   that the ARM face shows as an error envelope. They are applied in `world.rs` and
//!   `net/build.rs`.
//! - Data-plane and DNS rules are predicates (or small decisions) that `dataplane.rs` and
//!   `dns.rs` call at the point where they decide; the trace step and the verdict cite the
//!   same [`Rule`].
//! - DNS-006 (one forwarder for all on-premises clusters of a scope) is a finding of the checker
//!   (`crates/checker`), decided by [`dns_006_same_forwarder`] over the facts
//!   `dataplane.rs::World::dns_006_scope_forwarding` gathers.

use crate::error::{ArmError, ArmResult, Rule, SOURCE_ARM, SOURCE_CONNECTEDK8S};
use crate::id::ResourceId;
use crate::lab::ConditionalForwarder;
use crate::net::ResolutionPolicy;
use crate::net::cidr::Ipv4Net;
use crate::resources::{ConnectionStatus, PrivateLinkState, PublicNetworkAccess};
use serde::Serialize;
use std::net::Ipv4Addr;

/// How strictly the seed's self-contradictory region sentence is read (see DESIGN.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegionProfile {
    /// cluster = scope region (PLS-003); endpoint = VNet region (PLS-004); VNet region free.
    #[default]
    Default,
    /// Additionally the VNet must be in the scope's region.
    StrictRegions,
}

impl RegionProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionProfile::Default => "default",
            RegionProfile::StrictRegions => "strict-regions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Some(RegionProfile::Default),
            "strict-regions" | "strict" => Some(RegionProfile::StrictRegions),
            _ => None,
        }
    }
}

// ---- The seed's sections (titles as the seed writes them) ----

const LIMITATIONS: &str = "Current limitations";
const PLANNING: &str = "Planning your Private Link setup";
const NETWORK: &str = "Network configuration";
const CREATE_SCOPE: &str = "Create an Azure Arc Private Link Scope";
const CREATE_ENDPOINT: &str = "Create a private endpoint";
const AZURE_DNS_ZONES: &str = "DNS configuration using Azure-integrated private DNS zones";
const MANUAL_DNS: &str = "Manual DNS server configuration";
const CONFIGURE_LINKS: &str = "Configure private links";
const EXTENSIONS: &str = "Cluster extensions that support network connectivity through private links";

// ---- The catalogue ----

pub const PLS_001: Rule =
    Rule::inferred("PLS-001", LIMITATIONS, "A virtual network has at most one Azure Arc Private Link Scope.");
pub const PLS_002: Rule =
    Rule::inferred("PLS-002", LIMITATIONS, "A connected cluster connects to at most one Azure Arc Private Link Scope.");
/// Verified: the message is the connectedk8s CLI's own check (the ARM code is ours).
pub const PLS_003: Rule = Rule::verified(
    "PLS-003",
    LIMITATIONS,
    "A connected cluster and its Private Link Scope are in the same region.",
    SOURCE_CONNECTEDK8S,
);
/// Verified for the default profile (ARM's text for a subnet of another region); the
/// `strict-regions` refusal is ours.
pub const PLS_004: Rule = Rule::verified(
    "PLS-004",
    LIMITATIONS,
    "A private endpoint is in its virtual network's region (which may differ from the scope's).",
    "Azure Resource Manager responses, for the endpoint/network region refusal; the strict-regions refusal is ours",
);
pub const PLS_005: Rule = Rule::inferred(
    "PLS-005",
    CREATE_SCOPE,
    "During the preview, virtual networks and clusters are in the scope's subscription.",
);
/// The agent's refusal (403 "This traffic is not authorized.") comes from DESIGN.md, with no
/// published source: inferred.
pub const PLS_006: Rule = Rule::inferred(
    "PLS-006",
    CREATE_SCOPE,
    "With public network access disabled, associated clusters must come through a private endpoint.",
);
pub const PLS_007: Rule = Rule::inferred(
    "PLS-007",
    MANUAL_DNS,
    "A cluster that resolves the private endpoint must be associated with its scope, or is refused.",
);
/// Verified for the custom location side (the connectedk8s CLI's refusal); refusing private link
/// on a cluster that hosts custom locations is ours.
pub const PLS_008: Rule = Rule::verified(
    "PLS-008",
    "Current limitations (Note: Cluster Connect and Custom Locations)",
    "Cluster Connect and Custom Locations are not supported on private-link clusters.",
    "azure-cli-extensions connectedk8s (client-side validation text), for the custom location refusal; refusing \
     private link on a cluster that hosts custom locations is ours",
);
pub const PLS_009: Rule =
    Rule::inferred("PLS-009", EXTENSIONS, "Only extensions documented for private link work end to end.");
pub const PLS_010: Rule = Rule::verified(
    "PLS-010",
    CONFIGURE_LINKS,
    "privateLinkState Enabled needs an existing scope id; a scope id without Enabled is a conflict.",
    SOURCE_CONNECTEDK8S,
);
pub const PLS_011: Rule = Rule::inferred(
    "PLS-011",
    CONFIGURE_LINKS,
    "A scope's 'add resources' list offers only clusters of its subscription and region.",
);
pub const PLS_012: Rule =
    Rule::inferred("PLS-012", CREATE_ENDPOINT, "Only Approved endpoint connections carry traffic.");
/// Verified for a connection without a group id (ARM's text); the refusal of another group id is ours.
pub const PLS_013: Rule = Rule::verified(
    "PLS-013",
    CREATE_ENDPOINT,
    "A private endpoint to an Arc Private Link Scope uses group id 'hybridcompute'.",
    "Azure Resource Manager responses, for a connection without a group id; the refusal of another group id is ours",
);
pub const PLS_014: Rule = Rule::inferred(
    "PLS-014",
    LIMITATIONS,
    "Resources with and without private link cannot share a virtual network or DNS zone.",
);
/// Verified: `MissingSubscriptionRegistration` is ARM's own code and text.
pub const PLS_015: Rule = Rule::verified(
    "PLS-015",
    CREATE_SCOPE,
    "The subscription must have the resource providers registered.",
    SOURCE_ARM,
);
pub const NET_001: Rule =
    Rule::inferred("NET-001", PLANNING, "On-premises reaches the VNet only over a site-to-site VPN or ExpressRoute.");
pub const NET_002: Rule = Rule::inferred(
    "NET-002",
    NETWORK,
    "Outbound TCP 443 to Entra ID, Resource Manager, the container registry and (both ways) Front Door must be allowed.",
);
pub const NET_003: Rule =
    Rule::inferred("NET-003", LIMITATIONS, "Other services (Azure Monitor) need their own private endpoints.");
pub const DNS_001: Rule = Rule::inferred(
    "DNS-001",
    AZURE_DNS_ZONES,
    "On the internet an Arc name is a CNAME to its privatelink name, which has a public address.",
);
pub const DNS_002: Rule = Rule::inferred(
    "DNS-002",
    AZURE_DNS_ZONES,
    "A VNet linked to a privatelink zone resolves the Arc names, through Azure DNS, to the zone's A records.",
);
pub const DNS_003: Rule = Rule::inferred(
    "DNS-003",
    CREATE_ENDPOINT,
    "A linked private zone without a record for a name answers NXDOMAIN: empty records break resolution.",
);
pub const DNS_004: Rule = Rule::inferred(
    "DNS-004",
    AZURE_DNS_ZONES,
    "On-premises DNS sees private addresses only by forwarding to a forwarder inside a linked VNet.",
);
pub const DNS_005: Rule = Rule::inferred(
    "DNS-005",
    MANUAL_DNS,
    "Manual on-premises records must match the private endpoint's DNS configuration (FQDN and IP).",
);
pub const DNS_006: Rule = Rule::inferred(
    "DNS-006",
    LIMITATIONS,
    "All on-premises clusters of a scope resolve the same private endpoint through the same forwarder.",
);

/// Every rule of DESIGN.md, in id order.
pub const CATALOGUE: &[Rule] = &[
    DNS_001, DNS_002, DNS_003, DNS_004, DNS_005, DNS_006, NET_001, NET_002, NET_003, PLS_001, PLS_002, PLS_003,
    PLS_004, PLS_005, PLS_006, PLS_007, PLS_008, PLS_009, PLS_010, PLS_011, PLS_012, PLS_013, PLS_014, PLS_015,
];

/// Looks a rule up by id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

// ---- Control plane: refusals of ARM requests ----

/// PLS-002: a cluster already associated with scope A cannot be moved straight to scope B;
/// it must leave A first (privateLinkState Disabled, no scope id), so that it never belongs
/// to two scopes during the change. The real service's text is not published.
pub fn pls_002_one_scope_per_cluster(
    cluster: &ResourceId,
    current_scope: Option<&ResourceId>,
    requested_scope: Option<&ResourceId>,
) -> ArmResult<()> {
    match (current_scope, requested_scope) {
        (Some(cur), Some(req)) if cur != req => Err(ArmError::private_link_scope_association_conflict(
            &PLS_002,
            format!(
                "Connected cluster '{}' is already associated with Azure Arc Private Link Scope '{cur}'. A cluster \
                 can connect to only one Private Link Scope: disable private link on the cluster (privateLinkState \
                 'Disabled', no privateLinkScopeResourceId) before associating it with '{req}'.",
                cluster.name()
            ),
        )
        .with_target("properties.privateLinkScopeResourceId")),
        _ => Ok(()),
    }
}

/// PLS-003: the cluster's region equals the scope's region (both region profiles).
/// The message is the connectedk8s CLI's own check; the ARM code is ours.
pub fn pls_003_cluster_in_scope_region(
    profile: RegionProfile,
    cluster_location: &str,
    scope_location: &str,
) -> ArmResult<()> {
    if cluster_location.eq_ignore_ascii_case(scope_location) {
        return Ok(());
    }
    Err(ArmError::private_link_scope_location_mismatch(
        &PLS_003,
        format!(
            "The location of the private link scope resource does not match the location of connected cluster \
             resource. Please ensure that both the resources are in the same azure location. (cluster: \
             '{cluster_location}', scope: '{scope_location}'; region profile '{}')",
            profile.as_str()
        ),
    )
    .with_target("location")
    .with_verified_text(SOURCE_CONNECTEDK8S))
}

/// PLS-005: during the preview, a resource joining a scope (cluster now, VNet with the
/// networking brick) is in the scope's subscription.
pub fn pls_005_same_subscription(what: &str, resource: &ResourceId, scope: &ResourceId, target: &str) -> ArmResult<()> {
    if resource.subscription().eq_ignore_ascii_case(scope.subscription()) {
        return Ok(());
    }
    Err(ArmError::private_link_scope_subscription_mismatch(
        &PLS_005,
        format!(
            "The {what} '{}' is in subscription '{}' but Azure Arc Private Link Scope '{}' is in subscription '{}'. \
             During the preview, virtual networks and Azure Arc-enabled Kubernetes clusters must be in the same \
             subscription as the Private Link Scope.",
            resource.name(),
            resource.subscription(),
            scope.name(),
            scope.subscription()
        ),
    )
    .with_target(target))
}

/// PLS-008 (custom location side): a custom location cannot be hosted on a cluster with
/// private link enabled. Text: the connectedk8s CLI's refusal of these features.
pub fn pls_008_no_custom_location_on_private_link_cluster(
    host_cluster: &ResourceId,
    host_state: PrivateLinkState,
) -> ArmResult<()> {
    if host_state != PrivateLinkState::Enabled {
        return Ok(());
    }
    Err(pls_008_refusal(format!(
        "The features 'cluster-connect' and 'custom-locations' cannot be enabled for a private link enabled \
         connected cluster. (host cluster: '{host_cluster}')"
    ))
    .with_target("properties.hostResourceId"))
}

/// PLS-008 (cluster side): private link cannot be enabled on a cluster that already hosts
/// custom locations (they would stop working). Our text.
pub fn pls_008_no_private_link_with_custom_locations(
    cluster: &ResourceId,
    state: PrivateLinkState,
    hosted_custom_locations: usize,
) -> ArmResult<()> {
    if state != PrivateLinkState::Enabled || hosted_custom_locations == 0 {
        return Ok(());
    }
    Err(ArmError::feature_not_supported_with_private_link(
        &PLS_008,
        format!(
            "Private link cannot be enabled on connected cluster '{}': it hosts {hosted_custom_locations} custom \
             location(s), and Cluster Connect and Custom Locations are not supported on clusters with private \
             connectivity. Delete the custom locations first.",
            cluster.name()
        ),
    )
    .with_target("properties.privateLinkState"))
}

fn pls_008_refusal(message: String) -> ArmError {
    ArmError::feature_not_supported_with_private_link(&PLS_008, message).with_verified_text(SOURCE_CONNECTEDK8S)
}

/// PLS-010 (shape): `Enabled` needs a scope id, and a scope id needs `Enabled`.
/// Texts: the connectedk8s CLI's validation of the same pair of parameters.
pub fn pls_010_state_and_scope_agree(state: PrivateLinkState, scope_id: Option<&str>) -> ArmResult<()> {
    match (state, scope_id) {
        (PrivateLinkState::Enabled, None) => Err(ArmError::invalid_private_link_configuration(
            &PLS_010,
            "The parameter '--private-link-scope-resource-id' was not provided. It is mandatory to pass this \
             parameter for enabling private link on the connected cluster resource. \
             (properties.privateLinkState is 'Enabled' but properties.privateLinkScopeResourceId is empty)",
        )
        .with_target("properties.privateLinkScopeResourceId")
        .with_verified_text(SOURCE_CONNECTEDK8S)),
        (PrivateLinkState::Disabled, Some(id)) => Err(ArmError::invalid_private_link_configuration(
            &PLS_010,
            format!(
                "Conflicting private link parameters received. The parameter '--private-link-scope-resource-id' \
                 should not be set if '--enable-private-link' is passed as null or False. \
                 (properties.privateLinkScopeResourceId is '{id}' but properties.privateLinkState is not 'Enabled')"
            ),
        )
        .with_target("properties.privateLinkState")
        .with_verified_text(SOURCE_CONNECTEDK8S)),
        _ => Ok(()),
    }
}

/// PLS-010 (existence): the scope id names an existing Private Link Scope.
pub fn pls_010_scope_exists(scope_id: &str, exists: bool) -> ArmResult<()> {
    if exists {
        return Ok(());
    }
    Err(ArmError::private_link_scope_not_found(
        &PLS_010,
        format!(
            "The private link scope resource '{scope_id}' does not exist. Please ensure that you pass a valid ARM \
             Resource Id."
        ),
    )
    .with_target("properties.privateLinkScopeResourceId")
    .with_verified_text(SOURCE_CONNECTEDK8S))
}

/// PLS-011: a cluster is offered by the scope's "add resources" list only when it is in
/// the scope's subscription and region.
pub fn pls_011_candidate_for_scope(
    cluster: &ResourceId,
    cluster_location: &str,
    scope: &ResourceId,
    scope_location: &str,
) -> ArmResult<()> {
    let same_sub = cluster.subscription().eq_ignore_ascii_case(scope.subscription());
    let same_region = cluster_location.eq_ignore_ascii_case(scope_location);
    if same_sub && same_region {
        return Ok(());
    }
    let mut why = Vec::new();
    if !same_sub {
        why.push(format!("subscription '{}' is not the scope's '{}'", cluster.subscription(), scope.subscription()));
    }
    if !same_region {
        why.push(format!("region '{cluster_location}' is not the scope's '{scope_location}'"));
    }
    Err(ArmError::cluster_not_eligible_for_private_link_scope(
        &PLS_011,
        format!(
            "Connected cluster '{}' cannot be added to Azure Arc Private Link Scope '{}': {}. The list only shows \
             clusters within the same subscription and region as the Private Link Scope.",
            cluster.name(),
            scope.name(),
            why.join("; ")
        ),
    )
    .with_target("clusters"))
}

/// PLS-015: writes to a namespace need the subscription registered for it.
/// Code and message are ARM's (verified).
pub fn pls_015_provider_registered(namespace: &str, registered: bool) -> ArmResult<()> {
    if registered {
        return Ok(());
    }
    Err(ArmError::missing_subscription_registration(namespace).with_rule(&PLS_015))
}

/// PLS-001: a virtual network reaches at most one Private Link Scope. `other_scopes` are the
/// scopes the network's existing private endpoints (other than the one being written) target.
pub fn pls_001_one_scope_per_virtual_network(
    vnet: &ResourceId,
    requested_scope: &ResourceId,
    other_scopes: &[&str],
) -> ArmResult<()> {
    let Some(existing) = other_scopes.iter().find(|s| !s.eq_ignore_ascii_case(requested_scope.key())) else {
        return Ok(());
    };
    Err(ArmError::virtual_network_already_linked_to_another_private_link_scope(
        &PLS_001,
        format!(
            "Virtual network '{}' already has a private endpoint to Azure Arc Private Link Scope '{existing}'. You can \
             associate at most one Azure Arc Private Link Scope with a virtual network; use that scope, or another \
             virtual network for '{requested_scope}'.",
            vnet.name()
        ),
    )
    .with_target("properties.privateLinkServiceConnections[0].properties.privateLinkServiceId"))
}

/// PLS-004: a private endpoint is in its virtual network's region. Under the `strict-regions`
/// profile the network must also be in the scope's region. The default-profile text is ARM's
/// own for a subnet referenced from another region.
pub fn pls_004_endpoint_in_network_region(
    profile: RegionProfile,
    endpoint: &ResourceId,
    endpoint_location: &str,
    subnet: &ResourceId,
    vnet_location: &str,
    scope_location: &str,
) -> ArmResult<()> {
    if !endpoint_location.eq_ignore_ascii_case(vnet_location) {
        return Err(ArmError::invalid_resource_reference(subnet, endpoint)
            .with_note(format_args!(
                "private endpoint in '{endpoint_location}', virtual network in '{vnet_location}'; region profile '{}'",
                profile.as_str()
            ))
            .with_rule(&PLS_004)
            .with_target("properties.subnet.id"));
    }
    if profile == RegionProfile::StrictRegions && !vnet_location.eq_ignore_ascii_case(scope_location) {
        return Err(ArmError::private_link_scope_location_mismatch(
            &PLS_004,
            format!(
                "Virtual network of subnet '{subnet}' is in '{vnet_location}' but the Azure Arc Private Link Scope is \
                 in '{scope_location}'. The region profile 'strict-regions' requires the cluster, the scope and the \
                 virtual network in the same region."
            ),
        )
        .with_target("properties.subnet.id"));
    }
    Ok(())
}

/// Whether an endpoint connection in this state carries traffic (PLS-012).
pub fn pls_012_carries_traffic(status: ConnectionStatus) -> bool {
    status == ConnectionStatus::Approved
}

/// PLS-012: allowed changes of an endpoint connection's state from the scope side. A
/// rejected or disconnected connection cannot be brought back: the endpoint must be
/// recreated.
pub fn pls_012_connection_transition(from: ConnectionStatus, to: ConnectionStatus) -> ArmResult<()> {
    use ConnectionStatus::*;
    let ok = from == to || matches!((from, to), (Pending, Approved | Rejected) | (Approved, Rejected));
    if ok {
        return Ok(());
    }
    Err(ArmError::invalid_private_endpoint_connection_state_transition(
        &PLS_012,
        format!(
            "A private endpoint connection in state '{}' cannot be set to '{}'. Only Approved connections carry \
             traffic; a Rejected or Disconnected connection cannot be approved again: delete and recreate the \
             private endpoint.",
            from.as_str(),
            to.as_str()
        ),
    )
    .with_target("properties.privateLinkServiceConnectionState.status"))
}

/// PLS-013: a private endpoint to an Arc Private Link Scope asks for group id `hybridcompute`.
pub fn pls_013_group_id(group_ids: &[String], connection: &str, path: &str) -> ArmResult<()> {
    if group_ids.len() == 1 && group_ids[0].eq_ignore_ascii_case("hybridcompute") {
        return Ok(());
    }
    if group_ids.is_empty() {
        return Err(ArmError::missing_group_id(connection).with_rule(&PLS_013).with_target(path));
    }
    Err(ArmError::private_endpoint_invalid_group_id(
        &PLS_013,
        format!(
            "Group id(s) [{}] are not valid for Microsoft.HybridCompute/privateLinkScopes: the only private link \
             resource of an Azure Arc Private Link Scope is 'hybridcompute'.",
            group_ids.join(", ")
        ),
    )
    .with_target(path))
}

/// NET-002 at onboarding: `az connectedk8s connect` from a cluster whose network blocks a
/// required service fails before the agents are installed (the CLI's pre-onboarding checks).
/// `blocked` lists the service tags the cluster cannot reach. Text is ours.
pub fn net_002_onboarding_reaches_required_services(cluster: &ResourceId, blocked: &[&str]) -> ArmResult<()> {
    if blocked.is_empty() {
        return Ok(());
    }
    Err(ArmError::onboarding_network_check_failed(
        &NET_002,
        format!(
            "Onboarding of connected cluster '{}' failed: the cluster's network does not allow outbound TCP 443 to {}. \
             Allow Microsoft Entra ID (AzureActiveDirectory), Azure Resource Manager (AzureResourceManager), \
             Microsoft Container Registry (MicrosoftContainerRegistry) and, in both directions, \
             AzureFrontDoor.FirstParty, at priorities below any rule that blocks internet access.",
            cluster.name(),
            blocked.join(", ")
        ),
    ))
}

// ---- Data plane: would an agent's traffic be let in (dataplane.rs) ----

/// PLS-006: with public network access disabled on its scope, a cluster associated with the
/// scope (private link enabled) is refused on the public path; it must come through a private
/// endpoint. `scope_public_access` is the scope's setting, `None` when the scope does not exist.
pub fn pls_006_public_path_allowed(state: PrivateLinkState, scope_public_access: Option<PublicNetworkAccess>) -> bool {
    state != PrivateLinkState::Enabled || scope_public_access.is_none_or(|p| p == PublicNetworkAccess::Enabled)
}

/// PLS-007: a cluster whose DNS resolves a private endpoint is admitted through it only when it
/// is associated with the endpoint's scope (private link enabled, that scope's id); otherwise
/// the service refuses it ("This traffic is not authorized.").
pub fn pls_007_associated_with_endpoint_scope(
    state: PrivateLinkState,
    cluster_scope: Option<&ResourceId>,
    endpoint_scope: &ResourceId,
) -> bool {
    state == PrivateLinkState::Enabled && cluster_scope == Some(endpoint_scope)
}

/// PLS-014: resources with and without private link cannot share a virtual network or DNS: a
/// cluster without private link whose DNS resolves a private endpoint is refused by the
/// service. Whether a cluster may come through a private endpoint at all.
pub fn pls_014_may_use_private_endpoint(state: PrivateLinkState) -> bool {
    state == PrivateLinkState::Enabled
}

/// DNS-005: the private address an Arc name resolves to must belong to a private endpoint
/// (a manual record with another address leads nowhere). `owners` are the endpoints at it.
pub fn dns_005_address_owned_by_endpoint(owners: &[ResourceId]) -> bool {
    !owners.is_empty()
}

/// DNS-005: ...and be the address that endpoint's DNS configuration lists for the name
/// (`listed`; `None` when the endpoint does not serve that name).
pub fn dns_005_address_matches_endpoint(listed: Option<Ipv4Addr>, resolved: Ipv4Addr) -> bool {
    listed == Some(resolved)
}

/// How a connection of a gateway in a virtual network reaches on-premises (NET-001).
#[derive(Clone, Copy, Debug)]
pub enum OnPremisesLink<'a> {
    /// A site-to-site VPN to a local network gateway with these address prefixes.
    SiteToSiteVpn { local_prefixes: &'a [Ipv4Net] },
    /// An ExpressRoute connection to this circuit.
    ExpressRoute { circuit: &'a ResourceId },
}

/// NET-001: on-premises reaches a virtual network only over a site-to-site VPN or ExpressRoute
/// connection of a gateway in that network: a VPN whose local network gateway covers some of
/// the site's addresses, or the ExpressRoute circuit the site is attached to.
pub fn net_001_link_reaches_site(
    site_prefixes: &[Ipv4Net],
    site_circuit: Option<&ResourceId>,
    link: OnPremisesLink<'_>,
) -> bool {
    match link {
        OnPremisesLink::SiteToSiteVpn { local_prefixes } => {
            site_prefixes.iter().any(|p| local_prefixes.iter().any(|lp| lp.overlaps(p)))
        }
        OnPremisesLink::ExpressRoute { circuit } => site_circuit == Some(circuit),
    }
}

/// The services every Arc agent needs over the internet during the preview (NET-002, the
/// seed's NSG table): service tag, what for, and whether inbound is needed too.
pub const NET_002_REQUIRED_SERVICES: &[(&str, &str, bool)] = &[
    ("AzureActiveDirectory", "Microsoft Entra ID: agent and managed identity tokens", false),
    ("AzureResourceManager", "Azure Resource Manager: the connected cluster resource", false),
    ("MicrosoftContainerRegistry", "Microsoft Container Registry: agent images and Helm charts", false),
    ("AzureFrontDoor.FirstParty", "Azure Front Door (first party): precursor of the container registry", true),
];

/// NET-002: a service the agents need is reachable when outbound TCP 443 to it is allowed and,
/// for a service needed in both directions (AzureFrontDoor.FirstParty), inbound too.
pub fn net_002_service_allowed(outbound_allowed: bool, both_directions: bool, inbound_allowed: bool) -> bool {
    outbound_allowed && (!both_directions || inbound_allowed)
}

/// Extension types documented to work end to end over private link (PLS-009; the seed's
/// "Cluster extensions that support network connectivity through private links").
pub const PLS_009_PRIVATE_LINK_EXTENSIONS: &[&str] = &["microsoft.flux", "microsoft.azuremonitor.containers"];

/// PLS-009: on a private-link cluster, only extensions documented for private link work end to
/// end (their traffic reaches Azure privately).
pub fn pls_009_extension_documented(extension_type: &str) -> bool {
    PLS_009_PRIVATE_LINK_EXTENSIONS.iter().any(|d| d.eq_ignore_ascii_case(extension_type))
}

/// NET-003: other services need their own private endpoints. Azure Monitor's extension reaches
/// its service privately only through an Azure Monitor Private Link Scope endpoint in the
/// VNet, which the Arc endpoint is not (and the emulator does not provide).
pub fn net_003_needs_own_private_endpoint(extension_type: &str) -> bool {
    extension_type.eq_ignore_ascii_case("microsoft.azuremonitor.containers")
}

// ---- DNS: what each vantage point answers (dns.rs) ----

/// What the internet says about a name under a public Arc zone (DNS-001).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicArcName {
    /// `X.<zone>`: a CNAME to this `X.privatelink.<zone>`.
    PrivatelinkAlias(String),
    /// `X.privatelink.<zone>`: the service's public address.
    PublicAddress,
    /// No such endpoint: NXDOMAIN.
    NoSuchName,
}

/// DNS-001: on the internet, `X.<arc zone>` is a CNAME to `X.privatelink.<arc zone>`, which has
/// a public address. `relative` is the name relative to `zone` (not its apex); `label_exists`
/// says whether `X` is an endpoint label of the zone.
pub fn dns_001_public_answer(relative: &str, zone: &str, label_exists: impl Fn(&str) -> bool) -> PublicArcName {
    if let Some(label) = relative.strip_suffix(".privatelink") {
        if label_exists(label) { PublicArcName::PublicAddress } else { PublicArcName::NoSuchName }
    } else if label_exists(relative) {
        PublicArcName::PrivatelinkAlias(format!("{relative}.privatelink.{zone}"))
    } else {
        PublicArcName::NoSuchName
    }
}

/// DNS-002: inside a VNet, Azure DNS answers a name from a private zone linked to the VNet
/// when the name is in that zone (the most specific such zone wins), instead of the internet.
pub fn dns_002_linked_zone_answers(name: &str, zone: &str) -> bool {
    crate::dns::in_zone(name, zone)
}

/// DNS-003: a record set answers only when it has records; an empty one (prepared ahead of
/// time, as the seed warns against) is no answer at all.
pub fn dns_003_record_set_answers(a_records: &[Ipv4Addr]) -> bool {
    !a_records.is_empty()
}

/// DNS-003: a linked private zone with no answer for a name says NXDOMAIN, unless the link
/// falls back to internet resolution (`resolutionPolicy: NxDomainRedirect`).
pub fn dns_003_falls_back_to_internet(policy: ResolutionPolicy) -> bool {
    policy == ResolutionPolicy::NxDomainRedirect
}

/// DNS-004: on-premises DNS reaches private addresses only by forwarding to a forwarder inside
/// a VNet. The conditional forwarder of a site that takes `name`: the most specific domain
/// containing it; `.` takes everything else.
pub fn dns_004_forwarder_for<'a>(
    forwarders: &'a [ConditionalForwarder],
    name: &str,
) -> Option<&'a ConditionalForwarder> {
    forwarders
        .iter()
        .filter(|f| f.domain == "." || crate::dns::in_zone(name, &crate::dns::normalize_name(&f.domain)))
        .max_by_key(|f| if f.domain == "." { 0 } else { f.domain.len() })
}

/// DNS-006: all on-premises clusters of a scope resolve the private endpoint through the same
/// forwarder. `paths` holds, per on-premises cluster, what its site's DNS server hands the Arc
/// zones to (forwarder addresses, or its own manual zone); the rule holds when they all agree.
pub fn dns_006_same_forwarder<T: PartialEq>(paths: &[T]) -> bool {
    paths.windows(2).all(|w| w[0] == w[1])
}

/// DNS-002: Azure DNS of a VNet answers a `privatelink.*` name privately only when a private
/// zone of that name is linked to the VNet. `linked_zones` are the names of the zones linked to it.
pub fn dns_002_zone_linked(private_zone: &str, linked_zones: &[String]) -> bool {
    linked_zones.iter().any(|z| z.eq_ignore_ascii_case(private_zone))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dns_006_needs_one_forwarder_for_all() {
        assert!(dns_006_same_forwarder::<u8>(&[]));
        assert!(dns_006_same_forwarder(&["10.0.0.4", "10.0.0.4"]));
        assert!(!dns_006_same_forwarder(&["10.0.0.4", "10.1.0.4"]));
    }

    #[test]
    fn dns_002_zone_linked_by_name() {
        let linked = vec!["privatelink.his.arc.azure.com".to_string()];
        assert!(dns_002_zone_linked("PrivateLink.his.arc.azure.com", &linked));
        assert!(!dns_002_zone_linked("privatelink.guestconfiguration.azure.com", &linked));
    }

    use super::*;
    use crate::error::Fidelity;

    fn scope(sub: &str, name: &str) -> ResourceId {
        ResourceId::resource(sub, "rg", "Microsoft.HybridCompute", "privateLinkScopes", name)
    }
    fn cluster(sub: &str) -> ResourceId {
        ResourceId::resource(sub, "rg", "Microsoft.Kubernetes", "connectedClusters", "c1")
    }

    #[test]
    fn pls_002_allows_same_scope_and_refuses_a_direct_move() {
        let (a, b) = (scope("s", "a"), scope("s", "b"));
        assert!(pls_002_one_scope_per_cluster(&cluster("s"), Some(&a), Some(&a)).is_ok());
        assert!(pls_002_one_scope_per_cluster(&cluster("s"), None, Some(&b)).is_ok());
        assert!(pls_002_one_scope_per_cluster(&cluster("s"), Some(&a), None).is_ok());
        let e = pls_002_one_scope_per_cluster(&cluster("s"), Some(&a), Some(&b)).unwrap_err();
        assert_eq!((e.status, e.rule.unwrap().id), (409, "PLS-002"));
        assert_eq!(e.fidelity, Fidelity::Inferred);
    }

    #[test]
    fn pls_003_compares_regions_in_both_profiles() {
        for p in [RegionProfile::Default, RegionProfile::StrictRegions] {
            assert!(pls_003_cluster_in_scope_region(p, "eastus", "EastUS").is_ok());
            let e = pls_003_cluster_in_scope_region(p, "eastus", "westeurope").unwrap_err();
            assert_eq!(e.rule.unwrap().id, "PLS-003");
            assert!(e.message.starts_with("The location of the private link scope resource does not match"));
            assert!(e.message.contains(p.as_str()));
            assert_eq!(e.fidelity, Fidelity::Verified);
        }
    }

    #[test]
    fn pls_005_needs_the_scope_subscription() {
        assert!(pls_005_same_subscription("cluster", &cluster("S"), &scope("s", "a"), "x").is_ok());
        let e = pls_005_same_subscription("cluster", &cluster("t"), &scope("s", "a"), "x").unwrap_err();
        assert_eq!(e.rule.unwrap().id, "PLS-005");
    }

    #[test]
    fn pls_008_both_directions() {
        assert!(pls_008_no_custom_location_on_private_link_cluster(&cluster("s"), PrivateLinkState::Disabled).is_ok());
        let e =
            pls_008_no_custom_location_on_private_link_cluster(&cluster("s"), PrivateLinkState::Enabled).unwrap_err();
        assert!(e.message.starts_with("The features 'cluster-connect' and 'custom-locations' cannot be enabled"));
        assert!(pls_008_no_private_link_with_custom_locations(&cluster("s"), PrivateLinkState::Enabled, 0).is_ok());
        assert!(pls_008_no_private_link_with_custom_locations(&cluster("s"), PrivateLinkState::Disabled, 2).is_ok());
        let e = pls_008_no_private_link_with_custom_locations(&cluster("s"), PrivateLinkState::Enabled, 1).unwrap_err();
        assert_eq!(e.rule.unwrap().id, "PLS-008");
    }

    #[test]
    fn pls_010_state_and_scope() {
        assert!(pls_010_state_and_scope_agree(PrivateLinkState::Enabled, Some("/x")).is_ok());
        assert!(pls_010_state_and_scope_agree(PrivateLinkState::Disabled, None).is_ok());
        let e = pls_010_state_and_scope_agree(PrivateLinkState::Enabled, None).unwrap_err();
        assert!(e.message.contains("It is mandatory to pass this parameter"));
        let e = pls_010_state_and_scope_agree(PrivateLinkState::Disabled, Some("/x")).unwrap_err();
        assert!(e.message.starts_with("Conflicting private link parameters received."));
        assert!(pls_010_scope_exists("/x", true).is_ok());
        assert_eq!(pls_010_scope_exists("/x", false).unwrap_err().code, "PrivateLinkScopeNotFound");
    }

    #[test]
    fn pls_011_same_subscription_and_region() {
        assert!(pls_011_candidate_for_scope(&cluster("s"), "eastus", &scope("s", "a"), "eastus").is_ok());
        let e = pls_011_candidate_for_scope(&cluster("t"), "westus", &scope("s", "a"), "eastus").unwrap_err();
        assert!(e.message.contains("subscription 't'") && e.message.contains("region 'westus'"));
    }

    #[test]
    fn pls_015_registration() {
        assert!(pls_015_provider_registered("Microsoft.Kubernetes", true).is_ok());
        let e = pls_015_provider_registered("Microsoft.Kubernetes", false).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (409, "MissingSubscriptionRegistration"));
        assert_eq!(e.fidelity, Fidelity::Verified);
    }

    #[test]
    fn catalogue_ids_are_unique_and_findable() {
        for r in CATALOGUE {
            assert_eq!(find(r.id), Some(r));
            assert_eq!(find(&r.id.to_ascii_lowercase()), Some(r));
        }
        assert!(find("PLS-999").is_none());
    }

    /// DESIGN.md's rule table, every id once, in id order.
    #[test]
    fn catalogue_is_design_md_in_id_order() {
        let design: Vec<String> = (1..=15)
            .map(|n| format!("PLS-{n:03}"))
            .chain((1..=3).map(|n| format!("NET-{n:03}")))
            .chain((1..=6).map(|n| format!("DNS-{n:03}")))
            .collect();
        let mut sorted = design.clone();
        sorted.sort();
        let ids: Vec<&str> = CATALOGUE.iter().map(|r| r.id).collect();
        assert_eq!(ids, sorted);
        assert_eq!(CATALOGUE.len(), 24);
    }

    /// Every seed section is one of the seed's headings (PLS-008 adds which note of it).
    #[test]
    fn seed_sections_are_headings_of_the_seed() {
        const SEED_HEADINGS: &[&str] = &[
            "Current limitations",
            "Cluster extensions that support network connectivity through private links",
            "Planning your Private Link setup",
            "Network configuration",
            "Create an Azure Arc Private Link Scope",
            "Create a private endpoint",
            "Configure on-premises DNS forwarding",
            "DNS configuration using Azure-integrated private DNS zones",
            "Manual DNS server configuration",
            "Configure private links",
            "Troubleshooting",
        ];
        for r in CATALOGUE {
            let heading = r.seed_section.split(" (Note:").next().unwrap_or_default();
            assert!(SEED_HEADINGS.contains(&heading), "{}: {}", r.id, r.seed_section);
            assert!(!r.summary.is_empty() && r.summary.ends_with('.'), "{}", r.id);
        }
    }

    /// A rule tagged verified names its source; an inferred one does not.
    #[test]
    fn fidelity_tags_are_consistent() {
        for r in CATALOGUE {
            assert_eq!(r.fidelity == Fidelity::Verified, r.fidelity_source.is_some(), "{}", r.id);
        }
        let verified: Vec<&str> = CATALOGUE.iter().filter(|r| r.fidelity == Fidelity::Verified).map(|r| r.id).collect();
        assert_eq!(verified, ["PLS-003", "PLS-004", "PLS-008", "PLS-010", "PLS-013", "PLS-015"]);
    }

    /// A rule tagged verified has a refusal with verified text from the source it names; an
    /// inferred rule has none.
    #[test]
    fn verified_rules_have_verified_refusals() {
        let (a, b) = (scope("s", "a"), scope("s", "b"));
        let pe = ResourceId::resource("s", "rg", "Microsoft.Network", "privateEndpoints", "pe");
        let sn = ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v").child("subnets", "s");
        let (d, st) = (RegionProfile::Default, RegionProfile::StrictRegions);
        let refusals = [
            pls_001_one_scope_per_virtual_network(&sn, &b, &[a.key()]),
            pls_002_one_scope_per_cluster(&cluster("s"), Some(&a), Some(&b)),
            pls_003_cluster_in_scope_region(d, "eastus", "westus"),
            pls_004_endpoint_in_network_region(d, &pe, "eastus", &sn, "westus", "eastus"),
            pls_004_endpoint_in_network_region(st, &pe, "westus", &sn, "westus", "eastus"),
            pls_005_same_subscription("cluster", &cluster("t"), &a, "x"),
            pls_008_no_custom_location_on_private_link_cluster(&cluster("s"), PrivateLinkState::Enabled),
            pls_008_no_private_link_with_custom_locations(&cluster("s"), PrivateLinkState::Enabled, 1),
            pls_010_state_and_scope_agree(PrivateLinkState::Enabled, None),
            pls_010_state_and_scope_agree(PrivateLinkState::Disabled, Some("/x")),
            pls_010_scope_exists("/x", false),
            pls_011_candidate_for_scope(&cluster("t"), "westus", &a, "eastus"),
            pls_012_connection_transition(ConnectionStatus::Rejected, ConnectionStatus::Approved),
            pls_013_group_id(&[], "c", "g"),
            pls_013_group_id(&["blob".to_string()], "c", "g"),
            pls_015_provider_registered("Microsoft.Kubernetes", false),
            net_002_onboarding_reaches_required_services(&cluster("s"), &["AzureActiveDirectory"]),
        ]
        .map(Result::unwrap_err);
        for rule in CATALOGUE {
            let verified: Vec<&ArmError> =
                refusals.iter().filter(|e| e.rule == Some(rule) && e.fidelity == Fidelity::Verified).collect();
            match rule.fidelity_source {
                Some(source) => assert!(
                    verified.iter().any(|e| e.fidelity_source.is_some_and(|s| source.starts_with(s))),
                    "{}",
                    rule.id
                ),
                None => assert!(verified.is_empty(), "{}", rule.id),
            }
        }
    }

    #[test]
    fn rules_serialize_with_their_fidelity() {
        let v = serde_json::to_value(PLS_015).unwrap();
        assert_eq!(v["id"], "PLS-015");
        assert_eq!(v["seedSection"], "Create an Azure Arc Private Link Scope");
        assert_eq!((v["fidelity"].as_str(), v["fidelitySource"].as_str()), (Some("verified"), Some(SOURCE_ARM)));
        let v = serde_json::to_value(DNS_003).unwrap();
        assert_eq!(v["fidelity"], "inferred");
        assert!(v.get("fidelitySource").is_none());
    }

    // ---- data-plane and DNS predicates: one admitted and one refused case each ----

    #[test]
    fn pls_006_public_path_needs_public_access_for_private_link_clusters() {
        use PrivateLinkState::{Disabled, Enabled};
        assert!(pls_006_public_path_allowed(Enabled, Some(PublicNetworkAccess::Enabled)));
        assert!(pls_006_public_path_allowed(Disabled, Some(PublicNetworkAccess::Disabled)));
        assert!(pls_006_public_path_allowed(Enabled, None));
        assert!(!pls_006_public_path_allowed(Enabled, Some(PublicNetworkAccess::Disabled)));
    }

    #[test]
    fn pls_007_only_the_endpoint_scope_clusters_are_admitted() {
        let (a, b) = (scope("s", "a"), scope("s", "b"));
        assert!(pls_007_associated_with_endpoint_scope(PrivateLinkState::Enabled, Some(&a), &a));
        assert!(!pls_007_associated_with_endpoint_scope(PrivateLinkState::Enabled, Some(&b), &a));
        assert!(!pls_007_associated_with_endpoint_scope(PrivateLinkState::Disabled, Some(&a), &a));
    }

    #[test]
    fn pls_014_clusters_without_private_link_cannot_use_an_endpoint() {
        assert!(pls_014_may_use_private_endpoint(PrivateLinkState::Enabled));
        assert!(!pls_014_may_use_private_endpoint(PrivateLinkState::Disabled));
    }

    #[test]
    fn dns_005_address_must_be_the_endpoints() {
        let pe = ResourceId::resource("s", "rg", "Microsoft.Network", "privateEndpoints", "pe");
        assert!(dns_005_address_owned_by_endpoint(std::slice::from_ref(&pe)));
        assert!(!dns_005_address_owned_by_endpoint(&[]));
        let ip = Ipv4Addr::new(10, 0, 1, 4);
        assert!(dns_005_address_matches_endpoint(Some(ip), ip));
        assert!(!dns_005_address_matches_endpoint(Some(Ipv4Addr::new(10, 0, 1, 5)), ip));
        assert!(!dns_005_address_matches_endpoint(None, ip));
    }

    #[test]
    fn net_001_only_vpn_or_express_route_reach_the_site() {
        let site = [Ipv4Net::parse("192.168.0.0/16").unwrap()];
        let covering = [Ipv4Net::parse("192.168.10.0/24").unwrap()];
        let elsewhere = [Ipv4Net::parse("172.16.0.0/16").unwrap()];
        let vpn = |p| OnPremisesLink::SiteToSiteVpn { local_prefixes: p };
        assert!(net_001_link_reaches_site(&site, None, vpn(&covering)));
        assert!(!net_001_link_reaches_site(&site, None, vpn(&elsewhere)));
        let er = ResourceId::resource("s", "rg", "Microsoft.Network", "expressRouteCircuits", "er");
        let other = ResourceId::resource("s", "rg", "Microsoft.Network", "expressRouteCircuits", "other");
        assert!(net_001_link_reaches_site(&site, Some(&er), OnPremisesLink::ExpressRoute { circuit: &er }));
        assert!(!net_001_link_reaches_site(&site, Some(&other), OnPremisesLink::ExpressRoute { circuit: &er }));
        assert!(!net_001_link_reaches_site(&site, None, OnPremisesLink::ExpressRoute { circuit: &er }));
    }

    #[test]
    fn net_002_front_door_needs_both_directions() {
        assert!(net_002_service_allowed(true, false, false));
        assert!(net_002_service_allowed(true, true, true));
        assert!(!net_002_service_allowed(false, false, true));
        assert!(!net_002_service_allowed(true, true, false));
        let tags: Vec<&str> = NET_002_REQUIRED_SERVICES.iter().map(|(t, ..)| *t).collect();
        assert_eq!(
            tags,
            ["AzureActiveDirectory", "AzureResourceManager", "MicrosoftContainerRegistry", "AzureFrontDoor.FirstParty"]
        );
    }

    #[test]
    fn pls_009_and_net_003_extensions() {
        assert!(pls_009_extension_documented("Microsoft.Flux"));
        assert!(!pls_009_extension_documented("microsoft.dapr"));
        assert!(net_003_needs_own_private_endpoint("microsoft.azuremonitor.containers"));
        assert!(!net_003_needs_own_private_endpoint("microsoft.flux"));
    }

    #[test]
    fn dns_001_public_names_alias_their_privatelink_names() {
        let known = |l: &str| l == "gbl";
        let zone = "his.arc.azure.com";
        assert_eq!(
            dns_001_public_answer("gbl", zone, known),
            PublicArcName::PrivatelinkAlias("gbl.privatelink.his.arc.azure.com".into())
        );
        assert_eq!(dns_001_public_answer("gbl.privatelink", zone, known), PublicArcName::PublicAddress);
        assert_eq!(dns_001_public_answer("nope", zone, known), PublicArcName::NoSuchName);
        assert_eq!(dns_001_public_answer("nope.privatelink", zone, known), PublicArcName::NoSuchName);
    }

    #[test]
    fn dns_002_linked_zone_answers_for_its_names() {
        let zone = "privatelink.his.arc.azure.com";
        assert!(dns_002_linked_zone_answers("gbl.privatelink.his.arc.azure.com", zone));
        assert!(dns_002_linked_zone_answers(zone, zone));
        assert!(!dns_002_linked_zone_answers("gbl.his.arc.azure.com", zone));
        assert!(!dns_002_linked_zone_answers("xprivatelink.his.arc.azure.com", zone));
    }

    #[test]
    fn dns_003_empty_records_and_fallback() {
        assert!(dns_003_record_set_answers(&[Ipv4Addr::new(10, 0, 1, 4)]));
        assert!(!dns_003_record_set_answers(&[]));
        assert!(dns_003_falls_back_to_internet(ResolutionPolicy::NxDomainRedirect));
        assert!(!dns_003_falls_back_to_internet(ResolutionPolicy::Default));
    }

    #[test]
    fn dns_004_most_specific_forwarder_wins() {
        let fwd = |d: &str| ConditionalForwarder { domain: d.into(), targets: vec![Ipv4Addr::new(10, 0, 0, 4)] };
        let all = [fwd("."), fwd("arc.azure.com"), fwd("his.arc.azure.com")];
        assert_eq!(
            dns_004_forwarder_for(&all, "gbl.his.arc.azure.com").map(|f| f.domain.as_str()),
            Some("his.arc.azure.com")
        );
        assert_eq!(dns_004_forwarder_for(&all, "example.org").map(|f| f.domain.as_str()), Some("."));
        assert!(dns_004_forwarder_for(&all[1..], "example.org").is_none());
    }

    #[test]
    fn pls_001_one_scope_per_vnet() {
        let v = ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v");
        let (a, b) = (scope("s", "a"), scope("s", "b"));
        assert!(pls_001_one_scope_per_virtual_network(&v, &a, &[]).is_ok());
        assert!(pls_001_one_scope_per_virtual_network(&v, &a, &[a.key()]).is_ok());
        let e = pls_001_one_scope_per_virtual_network(&v, &b, &[a.key()]).unwrap_err();
        assert_eq!(e.rule.unwrap().id, "PLS-001");
    }

    #[test]
    fn pls_004_regions_per_profile() {
        let pe = ResourceId::resource("s", "rg", "Microsoft.Network", "privateEndpoints", "pe");
        let sn = ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v").child("subnets", "s");
        let d = RegionProfile::Default;
        assert!(pls_004_endpoint_in_network_region(d, &pe, "westus", &sn, "westus", "eastus").is_ok());
        let e = pls_004_endpoint_in_network_region(d, &pe, "eastus", &sn, "westus", "eastus").unwrap_err();
        assert_eq!((e.rule.unwrap().id, e.code.as_ref()), ("PLS-004", "InvalidResourceReference"));
        let st = RegionProfile::StrictRegions;
        assert!(pls_004_endpoint_in_network_region(st, &pe, "eastus", &sn, "eastus", "eastus").is_ok());
        let e = pls_004_endpoint_in_network_region(st, &pe, "westus", &sn, "westus", "eastus").unwrap_err();
        assert!(e.message.contains("strict-regions"));
    }

    #[test]
    fn pls_012_transitions_and_traffic() {
        use ConnectionStatus::*;
        assert!(pls_012_carries_traffic(Approved));
        assert!(!pls_012_carries_traffic(Pending) && !pls_012_carries_traffic(Rejected));
        assert!(pls_012_connection_transition(Pending, Approved).is_ok());
        assert!(pls_012_connection_transition(Approved, Rejected).is_ok());
        let e = pls_012_connection_transition(Rejected, Approved).unwrap_err();
        assert_eq!(e.rule.unwrap().id, "PLS-012");
        assert!(pls_012_connection_transition(Disconnected, Approved).is_err());
    }

    #[test]
    fn pls_013_only_hybridcompute() {
        assert!(pls_013_group_id(&["HybridCompute".to_string()], "c", "g").is_ok());
        assert_eq!(
            pls_013_group_id(&["blob".to_string()], "c", "g").unwrap_err().code,
            "PrivateEndpointInvalidGroupId"
        );
        assert_eq!(pls_013_group_id(&[], "c", "g").unwrap_err().code, "MissingParameterOnPrivateLinkServiceConnection");
    }

    #[test]
    fn net_002_onboarding_needs_the_four_services() {
        assert!(net_002_onboarding_reaches_required_services(&cluster("s"), &[]).is_ok());
        let e =
            net_002_onboarding_reaches_required_services(&cluster("s"), &["MicrosoftContainerRegistry"]).unwrap_err();
        assert_eq!((e.rule.unwrap().id, e.code.as_ref()), ("NET-002", "OnboardingNetworkCheckFailed"));
        assert!(e.message.contains("MicrosoftContainerRegistry"));
    }
}
