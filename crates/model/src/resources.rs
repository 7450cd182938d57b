//! What every resource type shares: the stored [`Resource`] (envelope around a typed
//! [`Body`]), the PUT envelope and input parsing, common property types, and the
//! [`ResourceType`] contract each type's family module fulfils. Property names follow the
//! Azure REST API specs.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use crate::store::IndexEntry;
use crate::world::World;
use std::net::Ipv4Addr;

pub use crate::arc::*;
pub use crate::kinds::Body;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Declares an enum that ARM accepts case-insensitively and prints canonically.
macro_rules! arm_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const VALUES: &'static [&'static str] = &[$(stringify!($variant)),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                $(if s.eq_ignore_ascii_case(stringify!($variant)) { return Some($name::$variant); })+
                None
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!(
                    "'{}' is not a valid value; allowed values are: {}", s, Self::VALUES.join(", "))))
            }
        }
    };
}

arm_enum!(
    /// `properties.publicNetworkAccess` of a Private Link Scope.
    PublicNetworkAccess { Enabled, Disabled, SecuredByPerimeter }
);
arm_enum!(
    /// `properties.privateLinkState` of a connected cluster.
    PrivateLinkState { Enabled, Disabled }
);
arm_enum!(
    /// `properties.provisioningState` as the emulator moves it.
    ProvisioningState { Accepted, Provisioning, Updating, Deleting, Succeeded, Failed, Canceled }
);
arm_enum!(
    /// `privateLinkServiceConnectionState.status` (PLS-012).
    ConnectionStatus { Approved, Pending, Rejected, Disconnected }
);
arm_enum!(
    /// `properties.connectivityStatus` of a connected cluster (driven by the data-plane simulation).
    ConnectivityStatus { Connecting, Connected, Offline, Expired, AgentNotInstalled }
);
arm_enum!(
    /// `identity.type` values accepted by the emulated types (`UserAssigned`: extensions only).
    IdentityType { SystemAssigned, UserAssigned, None }
);

/// Tags, as ARM stores them (insertion order not preserved, like ARM: sorted by name). A
/// sorted boxed slice, not a `BTreeMap`: a map allocates a node with room for 11 tags for the
/// first one, and every resource of a big world carries a few tags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags(Box<[(Box<str>, Box<str>)]>);

impl Tags {
    pub fn new() -> Self {
        Tags::default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(name)).ok().map(|i| &*self.0[i].1)
    }

    /// (name, value) in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }
}

impl From<BTreeMap<String, String>> for Tags {
    fn from(map: BTreeMap<String, String>) -> Self {
        Tags(map.into_iter().map(|(k, v)| (k.into_boxed_str(), v.into_boxed_str())).collect())
    }
}

impl Serialize for Tags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tags {
    /// As a `BTreeMap<String, String>` (same errors, last duplicate wins), then sorted.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(Tags::from)
    }
}

/// `systemData` of a resource. Shared strings: the caller is the same for every resource,
/// and a write's two stamps are one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemData {
    pub created_at: Arc<str>,
    pub created_by: Arc<str>,
    pub last_modified_at: Arc<str>,
    pub last_modified_by: Arc<str>,
}

impl SystemData {
    pub fn to_json(&self) -> Value {
        json!({
            "createdBy": &*self.created_by,
            "createdByType": "User",
            "createdAt": &*self.created_at,
            "lastModifiedBy": &*self.last_modified_by,
            "lastModifiedByType": "User",
            "lastModifiedAt": &*self.last_modified_at,
        })
    }
}

/// A managed identity as stored (principal and tenant are generated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub kind: IdentityType,
    pub principal_id: Option<String>,
    pub tenant_id: Option<String>,
    /// `userAssignedIdentities` as given (resource id → `{}`), for `UserAssigned`.
    pub user_assigned: Option<Map<String, Value>>,
}

impl Identity {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind.as_str()));
        if let Some(p) = &self.principal_id {
            m.insert("principalId".into(), json!(p));
        }
        if let Some(t) = &self.tenant_id {
            m.insert("tenantId".into(), json!(t));
        }
        if let Some(u) = &self.user_assigned {
            m.insert("userAssignedIdentities".into(), Value::Object(u.clone()));
        }
        Value::Object(m)
    }
}

// ---------- request bodies ----------

/// The envelope every PUT body shares.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutEnvelope {
    pub location: Option<String>,
    pub tags: Option<Tags>,
    pub identity: Option<IdentityInput>,
    pub kind: Option<String>,
    /// A marketplace plan (extensions: `CreateExtensionWithPlan`); kept and shown as given.
    pub plan: Option<Plan>,
    #[serde(default)]
    pub properties: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityInput {
    #[serde(rename = "type")]
    pub kind: IdentityType,
    pub user_assigned_identities: Option<Map<String, Value>>,
}

/// The top-level `plan` of a marketplace extension (ARM's `Plan`: name, publisher, product
/// required; promotionCode, version optional).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub name: String,
    pub publisher: String,
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Deserializes `value` into `T`, reporting the JSON path of the first bad property.
pub fn parse_input<T: for<'de> Deserialize<'de>>(value: &Value, base_path: &str) -> ArmResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (base_path, inner.as_str()) {
            ("", p) => p.to_string(),
            (b, ".") => b.to_string(),
            (b, p) => format!("{b}.{p}"),
        };
        ArmError::invalid_property(
            &path,
            format!("The request content was invalid and could not be deserialized: property '{path}': {}.", e.inner()),
        )
    })
}

// ---------- stored state ----------

/// A stored ARM resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub id: ResourceId,
    /// Canonical region name for tracked types.
    pub location: Option<&'static str>,
    pub tags: Tags,
    /// Boxed (like `plan`): most resources have none, and the box keeps `Resource` small.
    pub identity: Option<Box<Identity>>,
    pub kind_field: Option<String>,
    pub plan: Option<Box<Plan>>,
    pub system_data: SystemData,
    pub provisioning_state: ProvisioningState,
    pub body: Body,
    /// `W/"guid"`, for the types that have ETags in Azure; changes on every write.
    pub etag: Option<String>,
}

impl Resource {
    pub fn kind(&self) -> ResourceKind {
        self.body.kind()
    }

    pub fn as_cluster(&self) -> Option<&ConnectedCluster> {
        match &self.body {
            Body::ConnectedCluster(c) => Some(c),
            _ => None,
        }
    }

    pub fn as_scope(&self) -> Option<&PrivateLinkScope> {
        match &self.body {
            Body::PrivateLinkScope(s) => Some(s),
            _ => None,
        }
    }

    /// The ARM JSON of this resource around the given `properties`.
    pub fn to_json(&self, properties: Value) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id.to_string()));
        m.insert("name".into(), json!(self.id.name()));
        m.insert("type".into(), json!(self.kind().arm_type()));
        if let Some(loc) = self.location {
            m.insert("location".into(), json!(loc));
        }
        if self.kind().tracked() {
            m.insert("tags".into(), json!(self.tags));
        }
        if let Some(k) = &self.kind_field {
            m.insert("kind".into(), json!(k));
        }
        if let Some(p) = &self.plan {
            m.insert("plan".into(), json!(p));
        }
        if let Some(i) = &self.identity {
            m.insert("identity".into(), i.to_json());
        }
        if let Some(e) = &self.etag {
            m.insert("etag".into(), json!(e));
        }
        m.insert("systemData".into(), self.system_data.to_json());
        m.insert("properties".into(), properties);
        Value::Object(m)
    }
}

/// A PUT as a type's builder sees it, after the checks every type shares (container,
/// registration, name, parent, location).
pub(crate) struct Put<'a> {
    pub id: &'a ResourceId,
    pub kind: ResourceKind,
    pub envelope: &'a PutEnvelope,
    /// The body's `properties`; `Null` when absent.
    pub properties: &'a Value,
    /// Canonical location for tracked and global types.
    pub location: Option<&'static str>,
    /// The current version, when this PUT replaces one.
    pub existing: Option<&'a Resource>,
}

impl Put<'_> {
    /// `properties`, or an empty object when absent (networking types accept that).
    pub fn properties_or_empty(&self) -> Value {
        if self.properties.is_null() { Value::Object(Map::new()) } else { self.properties.clone() }
    }
}

/// What a write does beyond storing its own resource, applied by the world only once every
/// check has passed: nested children, the scope side of an endpoint, DNS records.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Nested child resources to create or replace (subnets of a VNet, rules of an NSG).
    pub children: Vec<(ResourceId, Body)>,
    /// Nested children the new body no longer lists.
    pub remove_children: Vec<ResourceId>,
    /// The scope-side connection a new private endpoint creates: (scope, name, status, description).
    pub scope_connection: Option<(ResourceId, String, ConnectionStatus, String)>,
    /// A records a zone group writes.
    pub records: Vec<(ResourceId, Ipv4Addr)>,
    /// Resources a delete takes with it outside its own tree.
    pub remove: Vec<ResourceId>,
    /// A records a deleted or replaced zone group had written.
    pub unwrite_records: Vec<(ResourceId, Ipv4Addr)>,
}

/// The contract of a resource type. The kind table (`kinds.rs`) dispatches to it, so a
/// type is whole when its family module implements this.
pub(crate) trait ResourceType {
    /// Parses a PUT and applies the type's rules; reads the world only. Side effects on
    /// other resources go into `fx`.
    fn build(w: &World, put: &Put<'_>, fx: &mut Effects) -> ArmResult<Body>;

    /// The `properties` object ARM returns (may read related resources).
    fn properties(&self, w: &World, r: &Resource) -> Value;

    /// The index entries this resource contributes (added on insert, removed on remove).
    fn index(&self, _r: &Resource, _out: &mut Vec<IndexEntry>) {}

    /// Refuses a delete Azure refuses (the resource is still in use).
    fn check_delete(&self, _w: &World, _r: &Resource) -> ArmResult<()> {
        Ok(())
    }

    /// Effects of deleting this resource on resources outside its tree.
    fn on_delete(&self, _r: &Resource, _fx: &mut Effects) {}

    /// A PATCH of `properties`, for the types whose API has mutable properties.
    fn patch(&mut self, _props: &Value) -> ArmResult<()> {
        Ok(())
    }
}
