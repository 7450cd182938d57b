//! ARM resource ids: parse, print, compare case-insensitively, walk to parents.
//!
//! ARM ids are paths such as
//! `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]...`
//! and may nest a further `/providers/{ns}/{type}/{name}` (extension resources such as
//! `Microsoft.KubernetesConfiguration/extensions` under a connected cluster).
//! Segments keep the caller's spelling for printing; equality, hashing and ordering use
//! the lower-cased form, as ARM does.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// One `providers/{namespace}/{type}/{name}[/{type}/{name}]...` group of an id.
#[derive(Clone, Debug)]
pub struct ProviderGroup {
    pub namespace: String,
    /// `(type, name)` pairs, outermost first.
    pub types: Vec<(String, String)>,
}

/// A parsed ARM resource id (subscription, resource group, or provider resource).
#[derive(Clone, Debug)]
pub struct ResourceId {
    subscription: String,
    resource_group: Option<String>,
    providers: Vec<ProviderGroup>,
    /// Lower-cased canonical text, used for Eq/Hash/Ord.
    key: String,
}

/// Why a path is not an ARM resource id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{path}' is not a valid Azure resource id: {reason}")]
pub struct IdParseError {
    pub path: String,
    pub reason: &'static str,
}

impl ResourceId {
    /// Parses an id. A trailing slash is tolerated; empty segments are not.
    pub fn parse(path: &str) -> Result<Self, IdParseError> {
        let err = |reason| IdParseError { path: path.to_string(), reason };
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        let rest = trimmed.strip_prefix('/').ok_or_else(|| err("it must start with '/'"))?;
        let segs: Vec<&str> = rest.split('/').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return Err(err("it has an empty segment"));
        }
        if segs.len() < 2 || !segs[0].eq_ignore_ascii_case("subscriptions") {
            return Err(err("it must start with '/subscriptions/{subscriptionId}'"));
        }
        let subscription = segs[1].to_string();
        let mut i = 2;
        let mut resource_group = None;
        if i < segs.len() && segs[i].eq_ignore_ascii_case("resourceGroups") {
            let name = segs.get(i + 1).ok_or_else(|| err("'resourceGroups' needs a name"))?;
            resource_group = Some((*name).to_string());
            i += 2;
        }
        let mut providers = Vec::new();
        while i < segs.len() {
            if !segs[i].eq_ignore_ascii_case("providers") {
                return Err(err("expected 'providers' segment"));
            }
            let namespace = segs.get(i + 1).ok_or_else(|| err("'providers' needs a namespace"))?;
            i += 2;
            let mut types = Vec::new();
            while i < segs.len() && !segs[i].eq_ignore_ascii_case("providers") {
                let name = segs.get(i + 1).ok_or_else(|| err("a resource type needs a name"))?;
                types.push((segs[i].to_string(), (*name).to_string()));
                i += 2;
            }
            if types.is_empty() {
                return Err(err("a provider namespace needs a resource type and name"));
            }
            providers.push(ProviderGroup { namespace: (*namespace).to_string(), types });
        }
        if resource_group.is_none() && !providers.is_empty() {
            return Err(err("subscription-level provider resources are not modelled"));
        }
        // The validated path differs from the canonical spelling only in case, so its lower-case
        // form is the key (one allocation; parsing runs for every ARM request).
        let key = trimmed.to_ascii_lowercase();
        debug_assert_eq!(key, Self::assemble(subscription.clone(), resource_group.clone(), providers.clone()).key);
        Ok(ResourceId { subscription, resource_group, providers, key })
    }

    fn assemble(subscription: String, resource_group: Option<String>, providers: Vec<ProviderGroup>) -> Self {
        let mut id = ResourceId { subscription, resource_group, providers, key: String::new() };
        id.key = id.to_string().to_ascii_lowercase();
        id
    }

    /// `/subscriptions/{sub}`.
    pub fn subscription_id(subscription: &str) -> Self {
        Self::assemble(subscription.to_string(), None, Vec::new())
    }

    /// `/subscriptions/{sub}/resourceGroups/{rg}`.
    pub fn resource_group_id(subscription: &str, resource_group: &str) -> Self {
        Self::assemble(subscription.to_string(), Some(resource_group.to_string()), Vec::new())
    }

    /// A top-level resource `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`.
    pub fn resource(subscription: &str, resource_group: &str, namespace: &str, ty: &str, name: &str) -> Self {
        Self::assemble(
            subscription.to_string(),
            Some(resource_group.to_string()),
            vec![ProviderGroup { namespace: namespace.to_string(), types: vec![(ty.to_string(), name.to_string())] }],
        )
    }

    /// A child `{self}/{ty}/{name}` in the same provider namespace.
    pub fn child(&self, ty: &str, name: &str) -> Self {
        let mut providers = self.providers.clone();
        if let Some(last) = providers.last_mut() {
            last.types.push((ty.to_string(), name.to_string()));
        }
        Self::assemble(self.subscription.clone(), self.resource_group.clone(), providers)
    }

    /// An extension resource `{self}/providers/{ns}/{ty}/{name}`.
    pub fn extension(&self, namespace: &str, ty: &str, name: &str) -> Self {
        let mut providers = self.providers.clone();
        providers
            .push(ProviderGroup { namespace: namespace.to_string(), types: vec![(ty.to_string(), name.to_string())] });
        Self::assemble(self.subscription.clone(), self.resource_group.clone(), providers)
    }

    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    pub fn resource_group(&self) -> Option<&str> {
        self.resource_group.as_deref()
    }

    pub fn is_subscription(&self) -> bool {
        self.resource_group.is_none()
    }

    pub fn is_resource_group(&self) -> bool {
        self.resource_group.is_some() && self.providers.is_empty()
    }

    pub fn providers(&self) -> &[ProviderGroup] {
        &self.providers
    }

    /// The namespace that owns this resource (of the innermost provider group).
    pub fn namespace(&self) -> Option<&str> {
        self.providers.last().map(|g| g.namespace.as_str())
    }

    /// The ARM type, e.g. `Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections`.
    pub fn resource_type(&self) -> String {
        match self.providers.last() {
            None if self.resource_group.is_some() => "Microsoft.Resources/resourceGroups".to_string(),
            None => "Microsoft.Resources/subscriptions".to_string(),
            Some(g) => {
                let mut s = g.namespace.clone();
                for (t, _) in &g.types {
                    s.push('/');
                    s.push_str(t);
                }
                s
            }
        }
    }

    /// The resource's own name (last segment).
    pub fn name(&self) -> &str {
        match self.providers.last().and_then(|g| g.types.last()) {
            Some((_, n)) => n,
            None => self.resource_group.as_deref().unwrap_or(&self.subscription),
        }
    }

    /// The enclosing resource: child → parent, extension → extended resource,
    /// top-level resource → resource group, resource group → subscription.
    pub fn parent(&self) -> Option<ResourceId> {
        if self.providers.is_empty() {
            return self.resource_group.as_ref().map(|_| Self::subscription_id(&self.subscription));
        }
        let mut providers = self.providers.clone();
        if let Some(last) = providers.last_mut() {
            last.types.pop();
            if last.types.is_empty() {
                providers.pop();
            }
        }
        Some(Self::assemble(self.subscription.clone(), self.resource_group.clone(), providers))
    }

    /// The id of the resource group this resource lives in, if any.
    pub fn resource_group_resource_id(&self) -> Option<ResourceId> {
        self.resource_group.as_ref().map(|rg| Self::resource_group_id(&self.subscription, rg))
    }

    /// Lower-cased canonical form (what equality compares).
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/subscriptions/{}", self.subscription)?;
        if let Some(rg) = &self.resource_group {
            write!(f, "/resourceGroups/{rg}")?;
        }
        for g in &self.providers {
            write!(f, "/providers/{}", g.namespace)?;
            for (t, n) in &g.types {
                write!(f, "/{t}/{n}")?;
            }
        }
        Ok(())
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for ResourceId {}
impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}
impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ResourceId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// As its text (the caller's spelling), so journals and snapshots keep ids as users wrote them.
impl serde::Serialize for ResourceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ResourceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ResourceId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLS: &str = "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.HybridCompute/privateLinkScopes/pls";

    #[test]
    fn parses_and_prints_round_trip() {
        let id = ResourceId::parse(PLS).unwrap();
        assert_eq!(id.to_string(), PLS);
        assert_eq!(id.subscription(), "S1");
        assert_eq!(id.resource_group(), Some("RG"));
        assert_eq!(id.resource_type(), "Microsoft.HybridCompute/privateLinkScopes");
        assert_eq!(id.name(), "pls");
    }

    #[test]
    fn compares_case_insensitively_but_keeps_spelling() {
        let a = ResourceId::parse(PLS).unwrap();
        let b = ResourceId::parse(&PLS.to_uppercase()).unwrap();
        assert_eq!(a, b);
        assert_eq!(b.name(), "PLS");
    }

    #[test]
    fn children_and_extension_resources_walk_back_to_parents() {
        let cc = ResourceId::resource("s", "rg", "Microsoft.Kubernetes", "connectedClusters", "c1");
        let ext = cc.extension("Microsoft.KubernetesConfiguration", "extensions", "flux");
        assert_eq!(ext.resource_type(), "Microsoft.KubernetesConfiguration/extensions");
        assert_eq!(ResourceId::parse(&ext.to_string()).unwrap(), ext);
        assert_eq!(ext.parent().unwrap(), cc);
        let pec = ResourceId::parse(PLS).unwrap().child("privateEndpointConnections", "pe1");
        assert_eq!(pec.resource_type(), "Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections");
        assert_eq!(pec.parent().unwrap(), ResourceId::parse(PLS).unwrap());
        let rg = cc.parent().unwrap();
        assert!(rg.is_resource_group());
        assert!(rg.parent().unwrap().is_subscription());
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "subscriptions/x",
            "/subscriptions",
            "/subscriptions/s/resourceGroups",
            "/subscriptions/s/resourceGroups/rg/providers/Ns",
            "/subscriptions/s/resourceGroups/rg/providers/Ns/t",
            "/subscriptions/s//resourceGroups/rg",
            "/subscriptions/s/foo/bar",
        ] {
            assert!(ResourceId::parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
