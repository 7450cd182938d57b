//! A scope's private endpoint connections: created by private endpoints, approved or
//! rejected on the scope side (PLS-012 decides which transitions are allowed).

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::Body;
use crate::resources::*;
use crate::rules;
use crate::world::{World, not_found};
use serde::Deserialize;
use serde_json::{Value, json};

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

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateEndpointConnection {
    pub private_endpoint_id: String,
    pub status: ConnectionStatus,
    pub description: String,
    pub actions_required: String,
    pub group_ids: Vec<String>,
}

impl World {
    pub(crate) fn build_connection(
        &self,
        id: &ResourceId,
        props: &Value,
        existing: Option<&Resource>,
    ) -> ArmResult<Body> {
        // Connections are created by private endpoints; ARM only updates their state.
        let Some(Body::PrivateEndpointConnection(current)) = existing.map(|r| &r.body) else {
            return Err(not_found(id));
        };
        let input: PrivateEndpointConnectionInput = parse_input(props, "properties")?;
        let state = input.private_link_service_connection_state.ok_or_else(|| {
            ArmError::invalid_property(
                "properties.privateLinkServiceConnectionState",
                "The property 'properties.privateLinkServiceConnectionState' is required.",
            )
        })?;
        let path = "properties.privateLinkServiceConnectionState";
        let status = state.status.ok_or_else(|| {
            ArmError::invalid_property(&format!("{path}.status"), format!("The property '{path}.status' is required."))
        })?;
        let description = state.description.ok_or_else(|| {
            ArmError::invalid_property(
                &format!("{path}.description"),
                format!("The property '{path}.description' is required."),
            )
        })?;
        rules::pls_012_connection_transition(current.status, status)?;
        Ok(Body::PrivateEndpointConnection(PrivateEndpointConnection {
            status,
            description,
            actions_required: state.actions_required.unwrap_or_else(|| "None".to_string()),
            ..current.clone()
        }))
    }
}

impl ResourceType for PrivateEndpointConnection {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        w.build_connection(put.id, put.properties, put.existing)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let c = self;
        json!({
            "privateEndpoint": { "id": c.private_endpoint_id },
            "privateLinkServiceConnectionState": {
                "status": c.status.as_str(),
                "description": c.description,
                "actionsRequired": c.actions_required,
            },
            "provisioningState": state,
            "groupIds": c.group_ids,
        })
    }
}
