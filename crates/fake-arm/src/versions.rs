//! The `api-version` check: each resource type accepts the versions the real service lists
//! ([`crate::api_versions`]); ARM's own routes (subscriptions, resource groups, providers)
//! accept ARM's list. Refusals use ARM's texts: `MissingApiVersionParameter`,
//! `InvalidApiVersionParameter` for ARM's routes, `NoRegisteredProviderFound` for
//! provider types (both verified against real responses).

use arcemu_model::api_versions as v;
use arcemu_model::{ArmError, ResourceKind};

/// The versions a resource type accepts, ascending (from the kind table).
pub fn supported(kind: ResourceKind) -> &'static [&'static str] {
    kind.api_versions()
}

/// Versions of a namespace's provider document (any of its types).
pub fn supported_for_namespace(ns: &str) -> &'static [&'static str] {
    match ns.to_ascii_lowercase().as_str() {
        "microsoft.hybridcompute" => v::HYBRIDCOMPUTE_PRIVATE_LINK_SCOPES,
        "microsoft.kubernetes" => v::KUBERNETES_CONNECTED_CLUSTERS,
        "microsoft.kubernetesconfiguration" => v::KUBERNETES_CONFIGURATION_EXTENSIONS,
        "microsoft.extendedlocation" => v::EXTENDED_LOCATION_CUSTOM_LOCATIONS,
        "microsoft.network" => v::NETWORK,
        _ => v::RESOURCES,
    }
}

/// Checks the version of a route ARM serves itself.
pub fn check_arm_route(api_version: Option<&str>) -> Result<&str, ArmError> {
    let given = api_version.ok_or_else(ArmError::missing_api_version_parameter)?;
    if v::RESOURCES.contains(&given) {
        return Ok(given);
    }
    let newest_first: Vec<&str> = v::RESOURCES.iter().rev().copied().collect();
    Err(ArmError::invalid_api_version_parameter(given, &newest_first.join(",")))
}

/// Checks the version of a request to a provider resource type.
pub fn check_resource<'a>(
    api_version: Option<&'a str>,
    kind: ResourceKind,
    location: &str,
) -> Result<&'a str, ArmError> {
    let given = api_version.ok_or_else(ArmError::missing_api_version_parameter)?;
    let list = supported(kind);
    if list.contains(&given) {
        return Ok(given);
    }
    let type_name = kind.arm_type().split_once('/').map_or(kind.arm_type(), |(_, t)| t);
    let locations = if kind.tracked() {
        arcemu_model::region::REGIONS.iter().map(|r| r.display_name).collect::<Vec<_>>().join(", ")
    } else {
        String::new()
    };
    Err(ArmError::no_registered_provider_found(location, given, type_name, &list.join(", "), &locations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_defaults_are_accepted() {
        assert!(check_resource(Some("2026-07-15"), ResourceKind::PrivateLinkScope, "eastus").is_ok());
        assert!(check_resource(Some("2026-05-01"), ResourceKind::ConnectedCluster, "eastus").is_ok());
        assert!(check_resource(Some("2024-01-01"), ResourceKind::ConnectedCluster, "eastus").is_ok());
        assert!(check_arm_route(Some("2025-04-01")).is_ok());
    }

    #[test]
    fn unknown_and_missing_versions_are_refused_with_arm_codes() {
        let e = check_resource(Some("2099-01-01"), ResourceKind::ConnectedCluster, "eastus").unwrap_err();
        assert_eq!(e.code, "NoRegisteredProviderFound");
        assert!(e.message.contains("2026-05-01") && e.message.contains("'connectedClusters'"));
        let e = check_arm_route(Some("2099-01-01")).unwrap_err();
        assert_eq!(e.code, "InvalidApiVersionParameter");
        assert!(
            e.message.starts_with("The api-version '2099-01-01' is invalid. The supported versions are '2025-04-01,")
        );
        assert_eq!(check_arm_route(None).unwrap_err().code, "MissingApiVersionParameter");
    }

    #[test]
    fn every_list_is_sorted_and_unique() {
        for list in [
            v::HYBRIDCOMPUTE_PRIVATE_LINK_SCOPES,
            v::KUBERNETES_CONNECTED_CLUSTERS,
            v::RESOURCES,
            v::NETWORK,
            v::KUBERNETES_CONFIGURATION_EXTENSIONS,
            v::EXTENDED_LOCATION_CUSTOM_LOCATIONS,
            v::PRIVATE_DNS,
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }
}
