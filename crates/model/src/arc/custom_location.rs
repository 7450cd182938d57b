//! Custom locations on connected clusters (not on private-link clusters: PLS-008).

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::Body;
use crate::resources::*;
use crate::rules;
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Value, json};

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

#[derive(Clone, Debug, PartialEq)]
pub struct CustomLocation {
    pub host_resource_id: ResourceId,
    pub namespace: String,
    pub host_type: String,
    pub display_name: Option<String>,
    pub cluster_extension_ids: Vec<String>,
    pub authentication: Option<Value>,
}

impl World {
    pub(crate) fn build_custom_location(&self, props: &Value) -> ArmResult<Body> {
        if props.is_null() {
            return Err(ArmError::invalid_property("properties", "The property 'properties' is required."));
        }
        let input: CustomLocationInput = parse_input(props, "properties")?;
        let path = "properties.hostResourceId";
        let host_text = input
            .host_resource_id
            .ok_or_else(|| ArmError::invalid_property(path, format!("The property '{path}' is required.")))?;
        let host = ResourceId::parse(&host_text).map_err(|_| ArmError::linked_invalid_property_id(&host_text, path))?;
        let cluster = self
            .store
            .get(host.key())
            .and_then(|r| r.as_cluster())
            .ok_or_else(|| ArmError::invalid_host_resource_id(&host_text, path))?;
        rules::pls_008_no_custom_location_on_private_link_cluster(&host, cluster.private_link_state)?;
        let namespace = input.namespace.filter(|n| !n.is_empty()).ok_or_else(|| {
            ArmError::invalid_property("properties.namespace", "The property 'properties.namespace' is required.")
        })?;
        let ext_ids = input.cluster_extension_ids.unwrap_or_default();
        for (i, e) in ext_ids.iter().enumerate() {
            ResourceId::parse(e).map_err(|_| {
                ArmError::linked_invalid_property_id(e, &format!("properties.clusterExtensionIds[{i}]"))
            })?;
        }
        Ok(Body::CustomLocation(CustomLocation {
            host_resource_id: host,
            namespace,
            host_type: input.host_type.unwrap_or_else(|| "Kubernetes".to_string()),
            display_name: input.display_name,
            cluster_extension_ids: ext_ids,
            // `authentication.value` (the kubeconfig) is a secret ARM never returns; the type is
            // shown (`{"type": "KubeConfig"}` in CustomLocationsCreate_Update, 2021-08-15; verified).
            authentication: input.authentication.map(|a| match a.get("type") {
                Some(t) if !t.is_null() => json!({ "type": t }),
                _ => json!({}),
            }),
        }))
    }
}

impl ResourceType for CustomLocation {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        w.build_custom_location(put.properties)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let c = self;
        {
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

    fn index(&self, _r: &Resource, out: &mut Vec<IndexEntry>) {
        out.push(IndexEntry::CustomLocationOnHost(self.host_resource_id.key().to_string()));
    }
}
