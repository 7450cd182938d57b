//! The resource types the emulator serves: their ARM type names, namespaces, parents,
//! naming rules, and which operations Azure runs as long-running operations.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;

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

/// A resource type the store holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    PrivateLinkScope,
    PrivateEndpointConnection,
    ConnectedCluster,
    ClusterExtension,
    CustomLocation,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 5] = [
        ResourceKind::PrivateLinkScope,
        ResourceKind::PrivateEndpointConnection,
        ResourceKind::ConnectedCluster,
        ResourceKind::ClusterExtension,
        ResourceKind::CustomLocation,
    ];

    /// The ARM `type` string, as the real service spells it.
    pub fn arm_type(self) -> &'static str {
        match self {
            ResourceKind::PrivateLinkScope => "Microsoft.HybridCompute/privateLinkScopes",
            ResourceKind::PrivateEndpointConnection => {
                "Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections"
            }
            ResourceKind::ConnectedCluster => "Microsoft.Kubernetes/connectedClusters",
            ResourceKind::ClusterExtension => "Microsoft.KubernetesConfiguration/extensions",
            ResourceKind::CustomLocation => "Microsoft.ExtendedLocation/customLocations",
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            ResourceKind::PrivateLinkScope | ResourceKind::PrivateEndpointConnection => "Microsoft.HybridCompute",
            ResourceKind::ConnectedCluster => "Microsoft.Kubernetes",
            ResourceKind::ClusterExtension => "Microsoft.KubernetesConfiguration",
            ResourceKind::CustomLocation => "Microsoft.ExtendedLocation",
        }
    }

    /// The kind of the resource this one is nested in, if any.
    pub fn parent(self) -> Option<ResourceKind> {
        match self {
            ResourceKind::PrivateEndpointConnection => Some(ResourceKind::PrivateLinkScope),
            ResourceKind::ClusterExtension => Some(ResourceKind::ConnectedCluster),
            _ => None,
        }
    }

    /// Whether the type is tracked (has a location) rather than a proxy resource.
    pub fn tracked(self) -> bool {
        matches!(self, ResourceKind::PrivateLinkScope | ResourceKind::ConnectedCluster | ResourceKind::CustomLocation)
    }

    /// PUT answers with `Azure-AsyncOperation` in Azure (REST API specs: `x-ms-long-running-operation`).
    pub fn long_running_put(self) -> bool {
        !matches!(self, ResourceKind::PrivateLinkScope)
    }

    /// DELETE is long-running for every type served here.
    pub fn long_running_delete(self) -> bool {
        true
    }

    /// Which kind an id names, if the emulator serves it. Checks the whole chain of
    /// types, so an extension must sit under a connected cluster.
    pub fn of(id: &ResourceId) -> Option<ResourceKind> {
        let groups = id.providers();
        let is = |ns: &str, types: &[&str], g: &crate::id::ProviderGroup| {
            g.namespace.eq_ignore_ascii_case(ns)
                && g.types.len() == types.len()
                && g.types.iter().zip(types).all(|((t, _), want)| t.eq_ignore_ascii_case(want))
        };
        match groups {
            [g] if is("Microsoft.HybridCompute", &["privateLinkScopes"], g) => Some(ResourceKind::PrivateLinkScope),
            [g] if is("Microsoft.HybridCompute", &["privateLinkScopes", "privateEndpointConnections"], g) => {
                Some(ResourceKind::PrivateEndpointConnection)
            }
            [g] if is("Microsoft.Kubernetes", &["connectedClusters"], g) => Some(ResourceKind::ConnectedCluster),
            [g] if is("Microsoft.ExtendedLocation", &["customLocations"], g) => Some(ResourceKind::CustomLocation),
            [host, g]
                if is("Microsoft.Kubernetes", &["connectedClusters"], host)
                    && is("Microsoft.KubernetesConfiguration", &["extensions"], g) =>
            {
                Some(ResourceKind::ClusterExtension)
            }
            _ => None,
        }
    }

    /// Refuses names the real service refuses (character set and length per type).
    pub fn validate_name(self, name: &str) -> ArmResult<()> {
        let (max, rule_text, allowed): (usize, &str, fn(char) -> bool) = match self {
            ResourceKind::PrivateLinkScope => (64, "use 1 to 64 letters, digits, '-', '_' or '.'", |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
            }),
            ResourceKind::ConnectedCluster => {
                (63, "use 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", |c| {
                    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
                })
            }
            ResourceKind::ClusterExtension => (
                253,
                "use 1 to 253 lower-case letters, digits, '-' or '.', starting and ending with a letter or digit",
                |c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'),
            ),
            ResourceKind::CustomLocation => {
                (63, "use 1 to 63 letters, digits, '-' or '.', starting and ending with a letter or digit", |c| {
                    c.is_ascii_alphanumeric() || matches!(c, '-' | '.')
                })
            }
            ResourceKind::PrivateEndpointConnection => (260, "use 1 to 260 characters other than '<>%&:\\?/'", |c| {
                !matches!(c, '<' | '>' | '%' | '&' | ':' | '\\' | '?' | '/') && !c.is_control()
            }),
        };
        let alnum_edges = !matches!(self, ResourceKind::PrivateLinkScope | ResourceKind::PrivateEndpointConnection);
        let edges_ok = !alnum_edges
            || (name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()));
        let ok = !name.is_empty() && name.len() <= max && name.chars().all(allowed) && edges_ok && !name.ends_with('.');
        if ok { Ok(()) } else { Err(ArmError::invalid_resource_name(name, self.arm_type(), rule_text)) }
    }
}

/// Resource group names: 1–90 of letters, digits, `-_.()`, not ending in '.'.
pub fn validate_resource_group_name(name: &str) -> ArmResult<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 90
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
        && !name.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(ArmError::inferred(
            400,
            "InvalidResourceGroupName",
            format!(
                "Resource group name '{name}' is invalid. It can be 1 to 90 characters: letters, digits, \
                 underscores, parentheses, hyphens and periods, and cannot end with a period."
            ),
        )
        .with_target("resourceGroupName"))
    }
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
        assert!(ResourceKind::ClusterExtension.validate_name("Flux").is_err());
        assert!(ResourceKind::PrivateLinkScope.validate_name("pls.").is_err());
        assert!(ResourceKind::PrivateLinkScope.validate_name("a b").is_err());
        assert!(validate_resource_group_name("rg(1)_x.y").is_ok());
        assert!(validate_resource_group_name("rg.").is_err());
        assert!(validate_resource_group_name("").is_err());
    }
}
