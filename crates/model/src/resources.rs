//! Typed state of each resource type, the request bodies that create it, and its ARM
//! JSON rendering. Property names follow the Azure REST API specs.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

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
    /// `identity.type` values accepted by the emulated types.
    IdentityType { SystemAssigned, None }
);

/// Tags, as ARM stores them (insertion order not preserved, like ARM).
pub type Tags = BTreeMap<String, String>;

/// `systemData` of a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemData {
    pub created_at: String,
    pub created_by: String,
    pub last_modified_at: String,
    pub last_modified_by: String,
}

impl SystemData {
    pub fn to_json(&self) -> Value {
        json!({
            "createdBy": self.created_by,
            "createdByType": "User",
            "createdAt": self.created_at,
            "lastModifiedBy": self.last_modified_by,
            "lastModifiedByType": "User",
            "lastModifiedAt": self.last_modified_at,
        })
    }
}

/// A managed identity as stored (principal and tenant are generated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub kind: IdentityType,
    pub principal_id: Option<String>,
    pub tenant_id: Option<String>,
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
    #[serde(default)]
    pub properties: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct IdentityInput {
    #[serde(rename = "type")]
    pub kind: IdentityType,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateLinkScopeInput {
    pub public_network_access: Option<PublicNetworkAccess>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedClusterInput {
    pub agent_public_key_certificate: Option<String>,
    pub kubernetes_version: Option<String>,
    pub total_node_count: Option<i64>,
    pub total_core_count: Option<i64>,
    pub agent_version: Option<String>,
    pub distribution: Option<String>,
    pub distribution_version: Option<String>,
    pub infrastructure: Option<String>,
    pub private_link_state: Option<PrivateLinkState>,
    pub private_link_scope_resource_id: Option<String>,
    pub azure_hybrid_benefit: Option<String>,
    /// Writable properties the emulator does not interpret; echoed back unchanged.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionInput {
    pub extension_type: Option<String>,
    pub auto_upgrade_minor_version: Option<bool>,
    pub release_train: Option<String>,
    pub version: Option<String>,
    pub scope: Option<Value>,
    pub configuration_settings: Option<BTreeMap<String, String>>,
    pub configuration_protected_settings: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomLocationInput {
    pub host_resource_id: Option<String>,
    pub namespace: Option<String>,
    pub host_type: Option<String>,
    pub display_name: Option<String>,
    pub cluster_extension_ids: Option<Vec<String>>,
    pub authentication: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStateInput {
    pub status: Option<ConnectionStatus>,
    pub description: Option<String>,
    pub actions_required: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointConnectionInput {
    pub private_link_service_connection_state: Option<ConnectionStateInput>,
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

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateLinkScope {
    pub public_network_access: PublicNetworkAccess,
    /// The scope's GUID, used by agents to name the scope they belong to.
    pub private_link_scope_id: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateEndpointConnection {
    pub private_endpoint_id: String,
    pub status: ConnectionStatus,
    pub description: String,
    pub actions_required: String,
    pub group_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConnectedCluster {
    pub agent_public_key_certificate: String,
    pub kubernetes_version: Option<String>,
    pub total_node_count: Option<i64>,
    pub total_core_count: Option<i64>,
    pub agent_version: Option<String>,
    pub distribution: Option<String>,
    pub distribution_version: Option<String>,
    pub infrastructure: Option<String>,
    pub private_link_state: PrivateLinkState,
    /// As the caller spelled it; `None` when not associated.
    pub private_link_scope_resource_id: Option<ResourceId>,
    pub azure_hybrid_benefit: Option<String>,
    pub connectivity_status: ConnectivityStatus,
    pub last_connectivity_time: Option<String>,
    pub other: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterExtension {
    pub extension_type: String,
    pub auto_upgrade_minor_version: bool,
    pub release_train: String,
    pub version: Option<String>,
    pub scope: Option<Value>,
    pub configuration_settings: BTreeMap<String, String>,
    /// Only the keys are kept and shown, like ARM (values are secrets).
    pub configuration_protected_setting_keys: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomLocation {
    pub host_resource_id: ResourceId,
    pub namespace: String,
    pub host_type: String,
    pub display_name: Option<String>,
    pub cluster_extension_ids: Vec<String>,
    pub authentication: Option<Value>,
}

/// Type-specific state.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    PrivateLinkScope(PrivateLinkScope),
    PrivateEndpointConnection(PrivateEndpointConnection),
    ConnectedCluster(ConnectedCluster),
    ClusterExtension(ClusterExtension),
    CustomLocation(CustomLocation),
    /// Networking types (see [`crate::net`]).
    Net(crate::net::NetBody),
}

impl Body {
    pub fn kind(&self) -> ResourceKind {
        match self {
            Body::PrivateLinkScope(_) => ResourceKind::PrivateLinkScope,
            Body::PrivateEndpointConnection(_) => ResourceKind::PrivateEndpointConnection,
            Body::ConnectedCluster(_) => ResourceKind::ConnectedCluster,
            Body::ClusterExtension(_) => ResourceKind::ClusterExtension,
            Body::CustomLocation(_) => ResourceKind::CustomLocation,
            Body::Net(n) => n.kind(),
        }
    }
}

/// A stored ARM resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub id: ResourceId,
    /// Canonical region name for tracked types.
    pub location: Option<&'static str>,
    pub tags: Tags,
    pub identity: Option<Identity>,
    pub kind_field: Option<String>,
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

    /// `properties` of the Arc types. `connections` are a scope's endpoint connections
    /// (embedded in its properties); ignored for other types.
    pub fn arc_properties(&self, connections: &[&Resource]) -> Value {
        let state = self.provisioning_state.as_str();
        match &self.body {
            Body::PrivateLinkScope(s) => json!({
                "publicNetworkAccess": s.public_network_access.as_str(),
                "provisioningState": state,
                "privateLinkScopeId": s.private_link_scope_id,
                "privateEndpointConnections": connections.iter().map(|c| c.to_json(c.arc_properties(&[]))).collect::<Vec<_>>(),
            }),
            Body::PrivateEndpointConnection(c) => json!({
                "privateEndpoint": { "id": c.private_endpoint_id },
                "privateLinkServiceConnectionState": {
                    "status": c.status.as_str(),
                    "description": c.description,
                    "actionsRequired": c.actions_required,
                },
                "provisioningState": state,
                "groupIds": c.group_ids,
            }),
            Body::ConnectedCluster(c) => {
                let mut p = c.other.clone();
                let mut put = |k: &str, v: Value| {
                    if !v.is_null() {
                        p.insert(k.to_string(), v);
                    }
                };
                put("agentPublicKeyCertificate", json!(c.agent_public_key_certificate));
                put("kubernetesVersion", json!(c.kubernetes_version));
                put("totalNodeCount", json!(c.total_node_count));
                put("totalCoreCount", json!(c.total_core_count));
                put("agentVersion", json!(c.agent_version));
                put("distribution", json!(c.distribution));
                put("distributionVersion", json!(c.distribution_version));
                put("infrastructure", json!(c.infrastructure));
                put("provisioningState", json!(state));
                put("connectivityStatus", json!(c.connectivity_status.as_str()));
                put("lastConnectivityTime", json!(c.last_connectivity_time));
                put("privateLinkState", json!(c.private_link_state.as_str()));
                put(
                    "privateLinkScopeResourceId",
                    json!(c.private_link_scope_resource_id.as_ref().map(|i| i.to_string())),
                );
                put("azureHybridBenefit", json!(c.azure_hybrid_benefit));
                Value::Object(p)
            }
            Body::ClusterExtension(e) => {
                let protected: Map<String, Value> =
                    e.configuration_protected_setting_keys.iter().map(|k| (k.clone(), Value::Null)).collect();
                let mut p = json!({
                    "extensionType": e.extension_type,
                    "autoUpgradeMinorVersion": e.auto_upgrade_minor_version,
                    "releaseTrain": e.release_train,
                    "configurationSettings": e.configuration_settings,
                    "configurationProtectedSettings": protected,
                    "provisioningState": state,
                    "statuses": [],
                    "isSystemExtension": false,
                });
                if let Some(v) = &e.version {
                    p["version"] = json!(v);
                    p["currentVersion"] = json!(v);
                }
                if let Some(s) = &e.scope {
                    p["scope"] = s.clone();
                }
                p
            }
            Body::Net(_) => Value::Null,
            Body::CustomLocation(c) => {
                let mut p = json!({
                    "hostResourceId": c.host_resource_id.to_string(),
                    "namespace": c.namespace,
                    "hostType": c.host_type,
                    "clusterExtensionIds": c.cluster_extension_ids,
                    "provisioningState": state,
                });
                if let Some(d) = &c.display_name {
                    p["displayName"] = json!(d);
                }
                if let Some(a) = &c.authentication {
                    p["authentication"] = a.clone();
                }
                p
            }
        }
    }
}
