//! The rule catalogue: every documented rule of Azure Arc Private Link for Kubernetes,
//! one function each, named after its stable id. A rule function decides and returns a
//! typed refusal ([`ArmError`] with `rule` set); it never touches the store, so callers pass
//! in the facts it needs (looked up through the store's indexes).
//!
//! Rules from DESIGN.md that belong to later bricks (endpoints, DNS, data plane) are listed
//! in [`CATALOGUE`] so that every face can name them, and get their functions when their
//! resources arrive.

use crate::error::{ArmError, ArmResult, Rule, SOURCE_ARM, SOURCE_CONNECTEDK8S};
use crate::id::ResourceId;
use crate::resources::{ConnectionStatus, PrivateLinkState};
use serde::Serialize;

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

const LIMITATIONS: &str = "Current limitations";

pub const PLS_001: Rule = Rule {
    id: "PLS-001",
    seed_section: LIMITATIONS,
    summary: "A virtual network has at most one Azure Arc Private Link Scope.",
};
pub const PLS_002: Rule = Rule {
    id: "PLS-002",
    seed_section: LIMITATIONS,
    summary: "A connected cluster connects to at most one Azure Arc Private Link Scope.",
};
pub const PLS_003: Rule = Rule {
    id: "PLS-003",
    seed_section: LIMITATIONS,
    summary: "A connected cluster and its Private Link Scope are in the same region.",
};
pub const PLS_004: Rule = Rule {
    id: "PLS-004",
    seed_section: LIMITATIONS,
    summary: "A private endpoint is in its virtual network's region (which may differ from the scope's).",
};
pub const PLS_005: Rule = Rule {
    id: "PLS-005",
    seed_section: "Create an Azure Arc Private Link Scope",
    summary: "During the preview, virtual networks and clusters are in the scope's subscription.",
};
pub const PLS_006: Rule = Rule {
    id: "PLS-006",
    seed_section: "Create an Azure Arc Private Link Scope",
    summary: "With public network access disabled, associated clusters must come through a private endpoint.",
};
pub const PLS_007: Rule = Rule {
    id: "PLS-007",
    seed_section: "Manual DNS server configuration",
    summary: "A cluster that resolves the private endpoint must be associated with its scope, or is refused.",
};
pub const PLS_008: Rule = Rule {
    id: "PLS-008",
    seed_section: "Current limitations (Note: Cluster Connect and Custom Locations)",
    summary: "Cluster Connect and Custom Locations are not supported on private-link clusters.",
};
pub const PLS_009: Rule = Rule {
    id: "PLS-009",
    seed_section: "Cluster extensions that support network connectivity through private links",
    summary: "Only extensions documented for private link work end to end.",
};
pub const PLS_010: Rule = Rule {
    id: "PLS-010",
    seed_section: "Configure private links",
    summary: "privateLinkState Enabled needs an existing scope id; a scope id without Enabled is a conflict.",
};
pub const PLS_011: Rule = Rule {
    id: "PLS-011",
    seed_section: "Configure private links",
    summary: "A scope's 'add resources' list offers only clusters of its subscription and region.",
};
pub const PLS_012: Rule = Rule {
    id: "PLS-012",
    seed_section: "Create a private endpoint",
    summary: "Only Approved endpoint connections carry traffic.",
};
pub const PLS_013: Rule = Rule {
    id: "PLS-013",
    seed_section: "Create a private endpoint",
    summary: "A private endpoint to an Arc Private Link Scope uses group id 'hybridcompute'.",
};
pub const PLS_014: Rule = Rule {
    id: "PLS-014",
    seed_section: LIMITATIONS,
    summary: "Resources with and without private link cannot share a virtual network or DNS zone.",
};
pub const PLS_015: Rule = Rule {
    id: "PLS-015",
    seed_section: "Create an Azure Arc Private Link Scope",
    summary: "The subscription must have the resource providers registered.",
};

/// Every rule of the catalogue, in id order (DNS-/NET- rules join with their bricks).
pub const CATALOGUE: &[Rule] = &[
    PLS_001, PLS_002, PLS_003, PLS_004, PLS_005, PLS_006, PLS_007, PLS_008, PLS_009, PLS_010, PLS_011, PLS_012,
    PLS_013, PLS_014, PLS_015, NET_002,
];

/// Looks a rule up by id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// PLS-002: a cluster already associated with scope A cannot be moved straight to scope B;
/// it must leave A first (privateLinkState Disabled, no scope id), so that it never belongs
/// to two scopes during the change. The real service's text is not published.
pub fn pls_002_one_scope_per_cluster(
    cluster: &ResourceId,
    current_scope: Option<&ResourceId>,
    requested_scope: Option<&ResourceId>,
) -> ArmResult<()> {
    match (current_scope, requested_scope) {
        (Some(cur), Some(req)) if cur != req => Err(ArmError::rule(
            &PLS_002,
            409,
            "PrivateLinkScopeAssociationConflict",
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
    Err(ArmError::rule(
        &PLS_003,
        400,
        "PrivateLinkScopeLocationMismatch",
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
    Err(ArmError::rule(
        &PLS_005,
        400,
        "PrivateLinkScopeSubscriptionMismatch",
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
    Err(ArmError::rule(
        &PLS_008,
        400,
        "FeatureNotSupportedWithPrivateLink",
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
    ArmError::rule(&PLS_008, 400, "FeatureNotSupportedWithPrivateLink", message).with_verified_text(SOURCE_CONNECTEDK8S)
}

/// PLS-010 (shape): `Enabled` needs a scope id, and a scope id needs `Enabled`.
/// Texts: the connectedk8s CLI's validation of the same pair of parameters.
pub fn pls_010_state_and_scope_agree(state: PrivateLinkState, scope_id: Option<&str>) -> ArmResult<()> {
    match (state, scope_id) {
        (PrivateLinkState::Enabled, None) => Err(ArmError::rule(
            &PLS_010,
            400,
            "InvalidPrivateLinkConfiguration",
            "The parameter '--private-link-scope-resource-id' was not provided. It is mandatory to pass this \
             parameter for enabling private link on the connected cluster resource. \
             (properties.privateLinkState is 'Enabled' but properties.privateLinkScopeResourceId is empty)",
        )
        .with_target("properties.privateLinkScopeResourceId")
        .with_verified_text(SOURCE_CONNECTEDK8S)),
        (PrivateLinkState::Disabled, Some(id)) => Err(ArmError::rule(
            &PLS_010,
            400,
            "InvalidPrivateLinkConfiguration",
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
    Err(ArmError::rule(
        &PLS_010,
        400,
        "PrivateLinkScopeNotFound",
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
    Err(ArmError::rule(
        &PLS_011,
        400,
        "ClusterNotEligibleForPrivateLinkScope",
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
    Err(ArmError::rule(
        &PLS_015,
        409,
        "MissingSubscriptionRegistration",
        format!(
            "The subscription is not registered to use namespace '{namespace}'. See https://aka.ms/rps-not-found \
             for how to register subscriptions."
        ),
    )
    .with_target(namespace)
    .with_verified_text(SOURCE_ARM))
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
    Err(ArmError::rule(
        &PLS_001,
        400,
        "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope",
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
        return Err(ArmError::rule(
            &PLS_004,
            400,
            "InvalidResourceReference",
            format!(
                "Resource {subnet} referenced by resource {endpoint} was not found. Please make sure that the \
                 referenced resource exists, and that both resources are in the same region. (private endpoint in \
                 '{endpoint_location}', virtual network in '{vnet_location}'; region profile '{}')",
                profile.as_str()
            ),
        )
        .with_target("properties.subnet.id")
        .with_verified_text(SOURCE_ARM));
    }
    if profile == RegionProfile::StrictRegions && !vnet_location.eq_ignore_ascii_case(scope_location) {
        return Err(ArmError::rule(
            &PLS_004,
            400,
            "PrivateLinkScopeLocationMismatch",
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
    Err(ArmError::rule(
        &PLS_012,
        400,
        "InvalidPrivateEndpointConnectionStateTransition",
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
        return Err(ArmError::rule(
            &PLS_013,
            400,
            "MissingParameterOnPrivateLinkServiceConnection",
            format!("Private link service connection {connection} is missing required parameter 'group Id'."),
        )
        .with_target(path)
        .with_verified_text(SOURCE_ARM));
    }
    Err(ArmError::rule(
        &PLS_013,
        400,
        "PrivateEndpointInvalidGroupId",
        format!(
            "Group id(s) [{}] are not valid for Microsoft.HybridCompute/privateLinkScopes: the only private link \
             resource of an Azure Arc Private Link Scope is 'hybridcompute'.",
            group_ids.join(", ")
        ),
    )
    .with_target(path))
}

pub const NET_002: Rule = Rule {
    id: "NET-002",
    seed_section: "Network configuration",
    summary: "Outbound TCP 443 to Entra ID, Resource Manager, the container registry and (both ways) Front Door must be allowed.",
};

/// NET-002 at onboarding: `az connectedk8s connect` from a cluster whose network blocks a
/// required service fails before the agents are installed (the CLI's pre-onboarding checks).
/// `blocked` lists the service tags the cluster cannot reach. Text is ours.
pub fn net_002_onboarding_reaches_required_services(cluster: &ResourceId, blocked: &[&str]) -> ArmResult<()> {
    if blocked.is_empty() {
        return Ok(());
    }
    Err(ArmError::rule(
        &NET_002,
        400,
        "OnboardingNetworkCheckFailed",
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

#[cfg(test)]
mod tests {
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
        }
        assert!(find("PLS-999").is_none());
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
