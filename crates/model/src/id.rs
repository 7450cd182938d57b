//! ARM resource ids: parse, print, compare case-insensitively, walk to parents.
//!
//! ARM ids are paths such as
//! `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]...`
//! and may nest a further `/providers/{ns}/{type}/{name}` (extension resources such as
//! `Microsoft.KubernetesConfiguration/extensions` under a connected cluster).
//! Segments keep the caller's spelling for printing; equality, hashing and ordering use
//! the lower-cased form, as ARM does.
//!
//! An id is two shared strings (its text and its lower-cased key) and four offsets into the
//! text: cloning one allocates nothing, and the store's indexes share the key. A world of 100k
//! resources names each several times (its own id, the indexes, the ids its properties hold).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

const SUBSCRIPTIONS: &str = "/subscriptions/";
const RESOURCE_GROUPS: &str = "/resourceGroups/";
const PROVIDERS: &str = "/providers/";

/// One `providers/{namespace}/{type}/{name}[/{type}/{name}]...` group of an id.
#[derive(Clone, Copy, Debug)]
pub struct ProviderGroup<'a> {
    pub namespace: &'a str,
    /// `{type}/{name}[/{type}/{name}]...`
    types: &'a str,
}

impl<'a> ProviderGroup<'a> {
    /// `(type, name)` pairs, outermost first.
    pub fn types(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let mut segs = self.types.split('/');
        std::iter::from_fn(move || Some((segs.next()?, segs.next()?)))
    }
}

/// A parsed ARM resource id (subscription, resource group, or provider resource).
#[derive(Clone)]
pub struct ResourceId {
    /// `/subscriptions/{s}[/resourceGroups/{g}][/providers/{ns}/{type}/{name}...]...`: the
    /// keywords in their canonical spelling, every other segment as the caller spelled it.
    text: Arc<str>,
    /// Lower-cased `text`, used for Eq/Hash/Ord; shared (not copied) by clones and by the
    /// store's indexes.
    key: Arc<str>,
    /// End of the subscription segment.
    sub_end: u32,
    /// End of the resource group's name (`sub_end` when there is none): the provider groups follow.
    base_end: u32,
    /// Start of the innermost provider group (its `/providers/`); `base_end` when there is none.
    last_group: u32,
    /// Start of the last segment (the resource's own name).
    name_start: u32,
}

/// Why a path is not an ARM resource id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{path}' is not a valid Azure resource id: {reason}")]
pub struct IdParseError {
    pub path: String,
    pub reason: &'static str,
}

/// Builds an id's text segment by segment, keeping the offsets.
struct Builder {
    text: String,
    sub_end: usize,
    base_end: usize,
    last_group: usize,
    name_start: usize,
}

impl Builder {
    fn new(subscription: &str, resource_group: Option<&str>) -> Self {
        let mut text = String::with_capacity(160);
        text.push_str(SUBSCRIPTIONS);
        let mut name_start = text.len();
        text.push_str(subscription);
        let sub_end = text.len();
        if let Some(rg) = resource_group {
            text.push_str(RESOURCE_GROUPS);
            name_start = text.len();
            text.push_str(rg);
        }
        let base_end = text.len();
        Builder { text, sub_end, base_end, last_group: base_end, name_start }
    }

    fn group(&mut self, namespace: &str) {
        self.last_group = self.text.len();
        self.text.push_str(PROVIDERS);
        self.text.push_str(namespace);
    }

    fn pair(&mut self, ty: &str, name: &str) {
        self.text.push('/');
        self.text.push_str(ty);
        self.text.push('/');
        self.name_start = self.text.len();
        self.text.push_str(name);
    }

    fn finish(self) -> ResourceId {
        let key: Arc<str> = self.text.to_ascii_lowercase().into();
        // Ids without capitals (subscription ids) keep one string for both.
        let text = if *key == *self.text { key.clone() } else { self.text.into() };
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        ResourceId {
            text,
            key,
            sub_end: n(self.sub_end),
            base_end: n(self.base_end),
            last_group: n(self.last_group),
            name_start: n(self.name_start),
        }
    }
}

impl ResourceId {
    /// Parses an id. A trailing slash is tolerated; empty segments are not.
    pub fn parse(path: &str) -> Result<Self, IdParseError> {
        let err = |reason| IdParseError { path: path.to_string(), reason };
        if u32::try_from(path.len()).is_err() {
            return Err(err("it is too long"));
        }
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        let rest = trimmed.strip_prefix('/').ok_or_else(|| err("it must start with '/'"))?;
        let segs: Vec<&str> = rest.split('/').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return Err(err("it has an empty segment"));
        }
        if segs.len() < 2 || !segs[0].eq_ignore_ascii_case("subscriptions") {
            return Err(err("it must start with '/subscriptions/{subscriptionId}'"));
        }
        let mut i = 2;
        let mut resource_group = None;
        if i < segs.len() && segs[i].eq_ignore_ascii_case("resourceGroups") {
            let name = segs.get(i + 1).ok_or_else(|| err("'resourceGroups' needs a name"))?;
            resource_group = Some(*name);
            i += 2;
        }
        let mut b = Builder::new(segs[1], resource_group);
        while i < segs.len() {
            if !segs[i].eq_ignore_ascii_case("providers") {
                return Err(err("expected 'providers' segment"));
            }
            let namespace = segs.get(i + 1).ok_or_else(|| err("'providers' needs a namespace"))?;
            b.group(namespace);
            i += 2;
            let mut types = 0;
            while i < segs.len() && !segs[i].eq_ignore_ascii_case("providers") {
                let name = segs.get(i + 1).ok_or_else(|| err("a resource type needs a name"))?;
                b.pair(segs[i], name);
                types += 1;
                i += 2;
            }
            if types == 0 {
                return Err(err("a provider namespace needs a resource type and name"));
            }
        }
        if resource_group.is_none() && b.base_end < b.text.len() {
            return Err(err("subscription-level provider resources are not modelled"));
        }
        Ok(b.finish())
    }

    /// `/subscriptions/{sub}`.
    pub fn subscription_id(subscription: &str) -> Self {
        Builder::new(subscription, None).finish()
    }

    /// `/subscriptions/{sub}/resourceGroups/{rg}`.
    pub fn resource_group_id(subscription: &str, resource_group: &str) -> Self {
        Builder::new(subscription, Some(resource_group)).finish()
    }

    /// A top-level resource `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`.
    pub fn resource(subscription: &str, resource_group: &str, namespace: &str, ty: &str, name: &str) -> Self {
        let mut b = Builder::new(subscription, Some(resource_group));
        b.group(namespace);
        b.pair(ty, name);
        b.finish()
    }

    /// Continues this id's text (offsets kept).
    fn extend(&self) -> Builder {
        Builder {
            text: self.text.to_string(),
            sub_end: self.sub_end as usize,
            base_end: self.base_end as usize,
            last_group: self.last_group as usize,
            name_start: self.name_start as usize,
        }
    }

    /// A child `{self}/{ty}/{name}` in the same provider namespace (an id without provider
    /// groups has no children: itself).
    pub fn child(&self, ty: &str, name: &str) -> Self {
        if !self.has_providers() {
            return self.clone();
        }
        let mut b = self.extend();
        b.pair(ty, name);
        b.finish()
    }

    /// An extension resource `{self}/providers/{ns}/{ty}/{name}`.
    pub fn extension(&self, namespace: &str, ty: &str, name: &str) -> Self {
        let mut b = self.extend();
        b.group(namespace);
        b.pair(ty, name);
        b.finish()
    }

    pub fn subscription(&self) -> &str {
        &self.text[SUBSCRIPTIONS.len()..self.sub_end as usize]
    }

    pub fn resource_group(&self) -> Option<&str> {
        (self.base_end > self.sub_end)
            .then(|| &self.text[self.sub_end as usize + RESOURCE_GROUPS.len()..self.base_end as usize])
    }

    pub fn is_subscription(&self) -> bool {
        self.base_end == self.sub_end
    }

    pub fn is_resource_group(&self) -> bool {
        self.base_end > self.sub_end && !self.has_providers()
    }

    /// Whether it has a `/providers/...` group (a resource, not a subscription or group).
    pub fn has_providers(&self) -> bool {
        self.text.len() > self.base_end as usize
    }

    /// The `providers/...` groups, outermost first (two for an extension resource).
    pub fn provider_groups(&self) -> impl Iterator<Item = ProviderGroup<'_>> + '_ {
        let mut rest = &self.text[self.base_end as usize..];
        std::iter::from_fn(move || {
            let body = rest.strip_prefix(PROVIDERS)?;
            let (namespace, after) = body.split_once('/')?;
            // Pairs follow until a type segment is the `providers` keyword (names are
            // positional, so a resource named "providers" is still a name).
            let mut end = 0;
            let mut segs = after.split('/');
            loop {
                match segs.next() {
                    Some(t) if t != "providers" => {
                        let Some(n) = segs.next() else { break };
                        end += t.len() + 1 + n.len() + 1;
                    }
                    _ => break,
                }
            }
            let types = &after[..end.saturating_sub(1).min(after.len())];
            rest = &after[(types.len()).min(after.len())..];
            Some(ProviderGroup { namespace, types })
        })
    }

    /// The innermost provider group.
    fn last_group(&self) -> Option<ProviderGroup<'_>> {
        if !self.has_providers() {
            return None;
        }
        let body = self.text[self.last_group as usize..].strip_prefix(PROVIDERS)?;
        let (namespace, types) = body.split_once('/')?;
        Some(ProviderGroup { namespace, types })
    }

    /// The namespace that owns this resource (of the innermost provider group).
    pub fn namespace(&self) -> Option<&str> {
        self.last_group().map(|g| g.namespace)
    }

    /// The type of the innermost segment pair (`subnets`, `connectedClusters`).
    pub fn last_type(&self) -> Option<&str> {
        self.last_group().and_then(|g| g.types().last()).map(|(t, _)| t)
    }

    /// The ARM type, e.g. `Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections`.
    pub fn resource_type(&self) -> String {
        match self.last_group() {
            None if self.base_end > self.sub_end => "Microsoft.Resources/resourceGroups".to_string(),
            None => "Microsoft.Resources/subscriptions".to_string(),
            Some(g) => {
                let mut s = g.namespace.to_string();
                for (t, _) in g.types() {
                    s.push('/');
                    s.push_str(t);
                }
                s
            }
        }
    }

    /// The resource's own name (last segment).
    pub fn name(&self) -> &str {
        &self.text[self.name_start as usize..]
    }

    /// The enclosing resource: child → parent, extension → extended resource,
    /// top-level resource → resource group, resource group → subscription.
    pub fn parent(&self) -> Option<ResourceId> {
        let Some(group) = self.last_group() else {
            return (self.base_end > self.sub_end).then(|| Self::subscription_id(self.subscription()));
        };
        let end = if group.types().nth(1).is_none() {
            // The group's only pair: the group goes with it.
            self.last_group as usize
        } else {
            // Drop `/{type}/{name}`.
            let ty = self.last_type().map_or(0, str::len);
            self.name_start as usize - 2 - ty
        };
        ResourceId::parse(&self.text[..end]).ok()
    }

    /// The id of the resource group this resource lives in, if any.
    pub fn resource_group_resource_id(&self) -> Option<ResourceId> {
        self.resource_group().map(|rg| Self::resource_group_id(self.subscription(), rg))
    }

    /// Lower-cased canonical form (what equality compares).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// [`ResourceId::key`] as the shared string the store indexes by.
    pub fn shared_key(&self) -> &Arc<str> {
        &self.key
    }

    /// The id as printed (what `to_string` gives), without allocating.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResourceId").field(&&*self.text).finish()
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
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
        s.serialize_str(&self.text)
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

    #[test]
    fn offsets_walk_nested_and_extension_ids() {
        let ext = "/subscriptions/S/resourceGroups/G/providers/Microsoft.Kubernetes/connectedClusters/C/providers/Microsoft.KubernetesConfiguration/extensions/providers";
        let id = ResourceId::parse(ext).unwrap();
        assert_eq!(id.to_string(), ext);
        assert_eq!(id.name(), "providers");
        let groups: Vec<_> = id.provider_groups().map(|g| (g.namespace, g.types().collect::<Vec<_>>())).collect();
        assert_eq!(
            groups,
            vec![
                ("Microsoft.Kubernetes", vec![("connectedClusters", "C")]),
                ("Microsoft.KubernetesConfiguration", vec![("extensions", "providers")])
            ]
        );
        assert_eq!(
            id.parent().unwrap().to_string(),
            "/subscriptions/S/resourceGroups/G/providers/Microsoft.Kubernetes/connectedClusters/C"
        );
        let nested = ResourceId::parse("/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/Ns/a/x/b/y/").unwrap();
        assert_eq!(nested.to_string(), "/subscriptions/S/resourceGroups/G/providers/Ns/a/x/b/y");
        assert_eq!(nested.resource_type(), "Ns/a/b");
        assert_eq!(nested.last_type(), Some("b"));
        assert_eq!(nested.parent().unwrap().to_string(), "/subscriptions/S/resourceGroups/G/providers/Ns/a/x");
        assert_eq!(nested.parent().unwrap().parent().unwrap().to_string(), "/subscriptions/S/resourceGroups/G");
        assert_eq!(nested.resource_group(), Some("G"));
        assert_eq!(nested.subscription(), "S");
        let lower = ResourceId::subscription_id("s");
        assert!(Arc::ptr_eq(&lower.text, &lower.key), "an id without capitals keeps one string");
        let copy = nested.clone();
        assert!(Arc::ptr_eq(&copy.key, &nested.key), "a clone shares the key");
    }
}
