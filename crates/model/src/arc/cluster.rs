//! Connected clusters: onboarding (NET-002), association with a scope (PLS-002, PLS-003,
//! PLS-005, PLS-010), custom locations on private-link clusters (PLS-008), and the
//! `connectivityStatus` the data plane keeps in step.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::{Body, ResourceKind};
use crate::resources::*;
use crate::rules;
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Map, Value, json};

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

impl World {
    pub(crate) fn build_cluster(
        &self,
        id: &ResourceId,
        location: &str,
        envelope: &PutEnvelope,
        existing: Option<&Resource>,
    ) -> ArmResult<Body> {
        let props = envelope
            .properties
            .as_ref()
            .filter(|p| !p.is_null())
            .ok_or_else(|| ArmError::invalid_property("properties", "The property 'properties' is required."))?;
        let mut input: ConnectedClusterInput = parse_input(props, "properties")?;
        for read_only in [
            "provisioningState",
            "connectivityStatus",
            "lastConnectivityTime",
            "managedIdentityCertificateExpirationTime",
            "offering",
        ] {
            input.other.remove(read_only);
        }
        let cert = input.agent_public_key_certificate.clone().unwrap_or_default();
        if cert.is_empty() {
            return Err(ArmError::invalid_property(
                "properties.agentPublicKeyCertificate",
                "The property 'properties.agentPublicKeyCertificate' is required.",
            ));
        }
        let state = input.private_link_state.unwrap_or(PrivateLinkState::Disabled);
        let scope_text = input.private_link_scope_resource_id.clone().filter(|s| !s.trim().is_empty());
        rules::pls_010_state_and_scope_agree(state, scope_text.as_deref())?;
        let scope_id = match &scope_text {
            None => None,
            Some(text) => {
                let path = "properties.privateLinkScopeResourceId";
                let sid = ResourceId::parse(text).map_err(|_| ArmError::linked_invalid_property_id(text, path))?;
                let scope = self.store.get(sid.key()).filter(|r| {
                    r.kind() == ResourceKind::PrivateLinkScope && r.provisioning_state != ProvisioningState::Deleting
                });
                rules::pls_010_scope_exists(text, scope.is_some())?;
                let scope_location = scope.and_then(|s| s.location).unwrap_or_default();
                rules::pls_005_same_subscription("connected cluster", id, &sid, path)?;
                rules::pls_003_cluster_in_scope_region(self.config.region_profile, location, scope_location)?;
                Some(sid)
            }
        };
        if existing.is_none() {
            rules::net_002_onboarding_reaches_required_services(id, &self.onboarding_blocked_services(id))?;
        }
        let current = existing.and_then(|r| r.as_cluster());
        let current_scope = current
            .filter(|c| c.private_link_state == PrivateLinkState::Enabled)
            .and_then(|c| c.private_link_scope_resource_id.as_ref());
        rules::pls_002_one_scope_per_cluster(id, current_scope, scope_id.as_ref())?;
        let hosted = self.store.custom_locations_on(id);
        rules::pls_008_no_private_link_with_custom_locations(id, state, hosted)?;
        Ok(Body::ConnectedCluster(ConnectedCluster {
            agent_public_key_certificate: cert,
            kubernetes_version: input.kubernetes_version,
            total_node_count: input.total_node_count,
            total_core_count: input.total_core_count,
            agent_version: input.agent_version,
            distribution: input.distribution,
            distribution_version: input.distribution_version,
            infrastructure: input.infrastructure,
            private_link_state: state,
            private_link_scope_resource_id: scope_id,
            azure_hybrid_benefit: input.azure_hybrid_benefit,
            connectivity_status: current.map_or(ConnectivityStatus::Connecting, |c| c.connectivity_status),
            last_connectivity_time: current.and_then(|c| c.last_connectivity_time.clone()),
            other: input.other,
        }))
    }
}

impl ResourceType for ConnectedCluster {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        w.build_cluster(put.id, put.location.unwrap_or_default(), put.envelope, put.existing)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let c = self;
        {
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
            put("privateLinkScopeResourceId", json!(c.private_link_scope_resource_id.as_ref().map(|i| i.to_string())));
            put("azureHybridBenefit", json!(c.azure_hybrid_benefit));
            Value::Object(p)
        }
    }

    fn index(&self, r: &Resource, out: &mut Vec<IndexEntry>) {
        if let Some(s) = &self.private_link_scope_resource_id {
            out.push(IndexEntry::ClusterOfScope(s.key().to_string()));
        }
        if let Some(loc) = r.location {
            out.push(IndexEntry::ClusterInRegion(r.id.subscription().to_ascii_lowercase(), loc));
        }
    }

    /// The connectedClusters PATCH (`ConnectedClusterPatch`): a few mutable properties.
    fn patch(&mut self, props: &Value) -> ArmResult<()> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ClusterPatch {
            distribution: Option<String>,
            distribution_version: Option<String>,
            azure_hybrid_benefit: Option<String>,
        }
        let p: ClusterPatch = parse_input(props, "properties")?;
        self.distribution = p.distribution.or(self.distribution.take());
        self.distribution_version = p.distribution_version.or(self.distribution_version.take());
        self.azure_hybrid_benefit = p.azure_hybrid_benefit.or(self.azure_hybrid_benefit.take());
        Ok(())
    }
}
