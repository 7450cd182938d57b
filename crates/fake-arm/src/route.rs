//! ARM paths → routes. Segments are matched case-insensitively, as ARM does; resource ids
//! are handed to the model unchanged (it keeps the caller's spelling).

use arcemu_model::{ResourceId, ResourceKind};

/// What a path addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Subscriptions,
    Subscription(String),
    Providers(String),
    Provider {
        subscription: String,
        namespace: String,
    },
    ProviderAction {
        subscription: String,
        namespace: String,
        register: bool,
    },
    /// `.../providers/{ns}/locations/{loc}/operationStatuses/{op}` (or `operationResults`).
    Operation {
        subscription: String,
        op: String,
        results: bool,
    },
    /// `/subscriptions/{s}/providers/Microsoft.HybridCompute/locations/{region}/privateLinkScopes/{scopeId}`
    /// (GetValidation: a scope by its GUID).
    ScopeValidation {
        subscription: String,
        location: String,
        scope_id: String,
    },
    /// `/subscriptions/{s}/operationresults/{op}` (resource group deletes).
    GroupOperation {
        subscription: String,
        op: String,
    },
    ResourceGroups(String),
    ResourceGroup {
        subscription: String,
        name: String,
    },
    /// Generic `.../resources` lists (all top-level resources).
    GenericList {
        subscription: String,
        resource_group: Option<String>,
    },
    /// A list of one type: under a subscription, a resource group, or a parent resource.
    Collection {
        scope: CollectionScope,
        kind: ResourceKind,
    },
    /// `{zone}/ALL` or `{zone}/recordsets`: every record set of a private DNS zone.
    AllRecordSets {
        zone: ResourceId,
    },
    /// `{zone}/SOA/@`: the zone's SOA record set.
    ZoneSoa {
        zone: ResourceId,
    },
    /// `{nsg}/defaultSecurityRules[/{name}]`.
    DefaultSecurityRules {
        nsg: ResourceId,
        name: Option<String>,
    },
    /// `{scope}/privateLinkResources[/{name}]`.
    PrivateLinkResources {
        scope: ResourceId,
        name: Option<String>,
    },
    Resource {
        id: ResourceId,
        kind: ResourceKind,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CollectionScope {
    Subscription(String),
    ResourceGroup(ResourceId),
    Parent(ResourceId),
}

/// Why a path is not routable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteError {
    /// Not an ARM path at all.
    NotFound,
    /// An unknown provider namespace.
    UnknownNamespace(String),
    /// A known namespace, unknown type.
    UnknownType { namespace: String, type_path: String },
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Routes a path (already percent-decoded, without the query).
pub fn route(path: &str) -> Result<Route, RouteError> {
    let trimmed = path.trim_end_matches('/');
    let mut segs: Vec<&str> = trimmed.split('/').skip(1).collect();
    // The generic resources API (`az resource create`, azure-mgmt-resource) puts an empty parent
    // resource path between the namespace and the type: `providers/{namespace}//{type}/{name}`,
    // which ARM accepts.
    for i in (2..segs.len().saturating_sub(1)).rev() {
        if segs[i].is_empty() && eq(segs[i - 2], "providers") {
            segs.remove(i);
        }
    }
    if segs.is_empty() || !eq(segs[0], "subscriptions") || segs.iter().any(|s| s.is_empty()) {
        return Err(RouteError::NotFound);
    }
    let sub = || segs[1].to_string();
    match segs.len() {
        1 => return Ok(Route::Subscriptions),
        2 => return Ok(Route::Subscription(sub())),
        3 if eq(segs[2], "providers") => return Ok(Route::Providers(sub())),
        3 if eq(segs[2], "resourcegroups") => return Ok(Route::ResourceGroups(sub())),
        3 if eq(segs[2], "resources") => return Ok(Route::GenericList { subscription: sub(), resource_group: None }),
        4 if eq(segs[2], "providers") => {
            return Ok(Route::Provider { subscription: sub(), namespace: segs[3].to_string() });
        }
        4 if eq(segs[2], "operationresults") => {
            return Ok(Route::GroupOperation { subscription: sub(), op: segs[3].to_string() });
        }
        4 if eq(segs[2], "resourcegroups") => {
            return Ok(Route::ResourceGroup { subscription: sub(), name: segs[3].to_string() });
        }
        5 if eq(segs[2], "resourcegroups") && eq(segs[4], "resources") => {
            return Ok(Route::GenericList { subscription: sub(), resource_group: Some(segs[3].to_string()) });
        }
        5 if eq(segs[2], "providers") && (eq(segs[4], "register") || eq(segs[4], "unregister")) => {
            return Ok(Route::ProviderAction {
                subscription: sub(),
                namespace: segs[3].to_string(),
                register: eq(segs[4], "register"),
            });
        }
        8 if eq(segs[2], "providers")
            && eq(segs[3], "Microsoft.HybridCompute")
            && eq(segs[4], "locations")
            && eq(segs[6], "privateLinkScopes") =>
        {
            return Ok(Route::ScopeValidation {
                subscription: sub(),
                location: segs[5].to_string(),
                scope_id: segs[7].to_string(),
            });
        }
        8 if eq(segs[2], "providers")
            && eq(segs[4], "locations")
            && (eq(segs[6], "operationStatuses") || eq(segs[6], "operationResults")) =>
        {
            return Ok(Route::Operation {
                subscription: sub(),
                op: segs[7].to_string(),
                results: eq(segs[6], "operationResults"),
            });
        }
        _ => {}
    }
    // Subscription-level list of one type: /subscriptions/{s}/providers/{ns}/{type}
    if segs.len() == 5 && eq(segs[2], "providers") {
        let probe = ResourceId::resource("s", "rg", segs[3], segs[4], "probe");
        return match ResourceKind::of(&probe) {
            Some(kind) if kind.parent().is_none() => {
                Ok(Route::Collection { scope: CollectionScope::Subscription(sub()), kind })
            }
            _ => Err(unknown(segs[3], segs[4])),
        };
    }
    if segs.len() < 6 || !eq(segs[2], "resourcegroups") || !eq(segs[4], "providers") {
        return Err(RouteError::NotFound);
    }
    // A resource id: the whole path parses.
    let normalized = format!("/{}", segs.join("/"));
    if let Ok(id) = ResourceId::parse(&normalized) {
        if let Some(kind) = ResourceKind::of(&id) {
            return Ok(Route::Resource { id, kind });
        }
        if let Some(parent) = id.parent() {
            let parent_kind = ResourceKind::of(&parent);
            let tail = tail_type(&id);
            if parent_kind == Some(ResourceKind::PrivateDnsZone) && eq(&tail, "SOA") && id.name() == "@" {
                return Ok(Route::ZoneSoa { zone: parent });
            }
            if parent_kind == Some(ResourceKind::NetworkSecurityGroup) && eq(&tail, "defaultSecurityRules") {
                return Ok(Route::DefaultSecurityRules { nsg: parent, name: Some(id.name().to_string()) });
            }
        }
        // {scope}/privateLinkResources/{name}
        if let Some(parent) = id.parent()
            && is_scope(&parent)
            && eq(&tail_type(&id), "privateLinkResources")
        {
            return Ok(Route::PrivateLinkResources { scope: parent, name: Some(id.name().to_string()) });
        }
        let g = id.namespace().unwrap_or_default().to_string();
        return Err(unknown(&g, &id.resource_type()));
    }
    // A collection: the path minus its last segment (child type) or minus
    // `providers/{ns}/{type}` (top-level list in a group, extension list of a resource).
    let last = segs[segs.len() - 1];
    let parent_path = format!("/{}", segs[..segs.len() - 1].join("/"));
    if let Ok(parent) = ResourceId::parse(&parent_path) {
        if !parent.has_providers() {
            return Err(RouteError::NotFound);
        }
        if is_scope(&parent) && eq(last, "privateLinkResources") {
            return Ok(Route::PrivateLinkResources { scope: parent, name: None });
        }
        if ResourceKind::of(&parent) == Some(ResourceKind::PrivateDnsZone)
            && (eq(last, "ALL") || eq(last, "recordsets"))
        {
            return Ok(Route::AllRecordSets { zone: parent });
        }
        let probe = parent.child(last, "probe");
        return match ResourceKind::of(&probe) {
            Some(kind) => Ok(Route::Collection { scope: CollectionScope::Parent(parent), kind }),
            None => Err(unknown(parent.namespace().unwrap_or_default(), &probe.resource_type())),
        };
    }
    if segs.len() >= 3 && eq(segs[segs.len() - 3], "providers") {
        let base_path = format!("/{}", segs[..segs.len() - 3].join("/"));
        let (ns, ty) = (segs[segs.len() - 2], last);
        if let Ok(base) = ResourceId::parse(&base_path) {
            let probe = base.extension(ns, ty, "probe");
            return match (ResourceKind::of(&probe), base.is_resource_group()) {
                (Some(kind), true) => Ok(Route::Collection { scope: CollectionScope::ResourceGroup(base), kind }),
                (Some(kind), false) => Ok(Route::Collection { scope: CollectionScope::Parent(base), kind }),
                (None, _) => Err(unknown(ns, &format!("{ns}/{ty}"))),
            };
        }
    }
    Err(RouteError::NotFound)
}

fn is_scope(id: &ResourceId) -> bool {
    ResourceKind::of(id) == Some(ResourceKind::PrivateLinkScope)
}

fn tail_type(id: &ResourceId) -> String {
    id.last_type().unwrap_or_default().to_string()
}

fn unknown(namespace: &str, type_path: &str) -> RouteError {
    match arcemu_model::kinds::canonical_namespace(namespace) {
        Some(ns) => RouteError::UnknownType { namespace: ns.to_string(), type_path: type_path.to_string() },
        None => RouteError::UnknownNamespace(namespace.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RG: &str = "/subscriptions/s/resourceGroups/rg";

    #[test]
    fn arm_owned_routes() {
        assert_eq!(route("/subscriptions"), Ok(Route::Subscriptions));
        assert_eq!(
            route("/SUBSCRIPTIONS/s/resourcegroups/rg"),
            Ok(Route::ResourceGroup { subscription: "s".into(), name: "rg".into() })
        );
        assert_eq!(
            route("/subscriptions/s/providers/Microsoft.Kubernetes/register"),
            Ok(Route::ProviderAction {
                subscription: "s".into(),
                namespace: "Microsoft.Kubernetes".into(),
                register: true
            })
        );
        assert!(matches!(
            route("/subscriptions/s/providers/Microsoft.Kubernetes/locations/eastus/operationStatuses/abc"),
            Ok(Route::Operation { results: false, .. })
        ));
    }

    #[test]
    fn resources_and_collections() {
        let pls = format!("{RG}/providers/Microsoft.HybridCompute/privateLinkScopes/p");
        assert!(matches!(route(&pls), Ok(Route::Resource { kind: ResourceKind::PrivateLinkScope, .. })));
        assert!(matches!(
            route(&format!("{RG}/providers/Microsoft.HybridCompute/privateLinkScopes")),
            Ok(Route::Collection { scope: CollectionScope::ResourceGroup(_), kind: ResourceKind::PrivateLinkScope })
        ));
        assert!(matches!(
            route("/subscriptions/s/providers/Microsoft.Kubernetes/connectedClusters"),
            Ok(Route::Collection { scope: CollectionScope::Subscription(_), kind: ResourceKind::ConnectedCluster })
        ));
        assert!(matches!(
            route(&format!("{pls}/privateEndpointConnections")),
            Ok(Route::Collection { scope: CollectionScope::Parent(_), kind: ResourceKind::PrivateEndpointConnection })
        ));
        assert!(matches!(
            route(&format!("{pls}/privateLinkResources")),
            Ok(Route::PrivateLinkResources { name: None, .. })
        ));
        assert!(matches!(
            route(&format!("{pls}/privateLinkResources/hybridcompute")),
            Ok(Route::PrivateLinkResources { name: Some(_), .. })
        ));
        let cc = format!("{RG}/providers/Microsoft.Kubernetes/connectedClusters/c");
        assert!(matches!(
            route(&format!("{cc}/providers/Microsoft.KubernetesConfiguration/extensions")),
            Ok(Route::Collection { scope: CollectionScope::Parent(_), kind: ResourceKind::ClusterExtension })
        ));
        assert!(matches!(
            route(&format!("{cc}/providers/Microsoft.KubernetesConfiguration/extensions/flux")),
            Ok(Route::Resource { kind: ResourceKind::ClusterExtension, .. })
        ));
    }

    #[test]
    fn scope_validation_by_guid() {
        assert_eq!(
            route("/subscriptions/s/providers/microsoft.hybridcompute/locations/wus2/privateLinkScopes/f5dc51d3"),
            Ok(Route::ScopeValidation {
                subscription: "s".into(),
                location: "wus2".into(),
                scope_id: "f5dc51d3".into()
            })
        );
    }

    #[test]
    fn unknown_types_and_paths() {
        assert!(matches!(
            route(&format!("{RG}/providers/Microsoft.HybridCompute/machines/m")),
            Err(RouteError::UnknownType { .. })
        ));
        assert!(matches!(
            route(&format!("{RG}/providers/Contoso.Widgets/widgets/w")),
            Err(RouteError::UnknownNamespace(_))
        ));
        assert_eq!(route("/"), Err(RouteError::NotFound));
        assert_eq!(route("/foo/bar"), Err(RouteError::NotFound));
        assert_eq!(route("/subscriptions/s//resourceGroups"), Err(RouteError::NotFound));
        let r = route(&format!("{RG}/providers/Microsoft.HybridCompute//privateLinkScopes/p"));
        assert!(matches!(r, Ok(Route::Resource { kind: ResourceKind::PrivateLinkScope, .. })), "{r:?}");
    }
}
