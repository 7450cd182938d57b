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

/// Properties the service computes or the agents report: a PUT may carry them (a GET's body
/// sent back) but they are not the caller's to set (connectedClusters spec: `readOnly`).
const READ_ONLY_PROPERTIES: &[&str] = &[
    "provisioningState",
    "connectivityStatus",
    "lastConnectivityTime",
    "managedIdentityCertificateExpirationTime",
    "offering",
    "miscellaneousProperties",
];

/// Drops what the agents report from a writable object (`arcAgentProfile.agentState`,
/// `agentErrors`, each system component's `currentVersion`; `oidcIssuerProfile.issuerUrl`).
fn strip_agent_reports(other: &mut Map<String, Value>) {
    if let Some(Value::Object(profile)) = other.get_mut("arcAgentProfile") {
        profile.remove("agentState");
        profile.remove("agentErrors");
        if let Some(Value::Array(components)) = profile.get_mut("systemComponents") {
            for c in components.iter_mut().filter_map(Value::as_object_mut) {
                c.remove("currentVersion");
            }
        }
    }
    if let Some(Value::Object(oidc)) = other.get_mut("oidcIssuerProfile") {
        oidc.remove("issuerUrl");
    }
}

/// The envelope's `kind` (`ConnectedClusterKind`: `ProvisionedCluster`, `AWS`), canonically spelt.
pub(crate) fn cluster_kind(kind: Option<&str>) -> ArmResult<Option<&'static str>> {
    match kind {
        None | Some("") => Ok(None),
        Some(k) => {
            ["ProvisionedCluster", "AWS"].into_iter().find(|c| c.eq_ignore_ascii_case(k)).map(Some).ok_or_else(|| {
                ArmError::invalid_property(
                    "kind",
                    format!("'{k}' is not a valid value; allowed values are: ProvisionedCluster, AWS."),
                )
            })
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedClusterInput {
    pub agent_public_key_certificate: Option<String>,
    // Read-only (agent-reported): type-checked, then ignored; a bound lab cluster supplies them.
    #[allow(dead_code)]
    pub kubernetes_version: Option<String>,
    #[allow(dead_code)]
    pub total_node_count: Option<i64>,
    #[allow(dead_code)]
    pub total_core_count: Option<i64>,
    #[allow(dead_code)]
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
        props: &Value,
        existing: Option<&Resource>,
    ) -> ArmResult<Body> {
        if props.is_null() {
            return Err(ArmError::invalid_property("properties", "The property 'properties' is required."));
        }
        let mut input: ConnectedClusterInput = parse_input(props, "properties")?;
        for read_only in READ_ONLY_PROPERTIES {
            input.other.remove(*read_only);
        }
        strip_agent_reports(&mut input.other);
        cluster_kind(envelope.kind.as_deref())?;
        // The certificate must be present but may be empty: the 2026-05-01
        // `CreateCluster_KindExample` (`kind: ProvisionedCluster`), Microsoft's AKS Arc docs and
        // templates send `"agentPublicKeyCertificate": ""` (verified: spec example; DESIGN.md,
        // "Facts from the Azure REST API specs").
        let cert = input.agent_public_key_certificate.clone().ok_or_else(|| {
            ArmError::invalid_property(
                "properties.agentPublicKeyCertificate",
                "The property 'properties.agentPublicKeyCertificate' is required.",
            )
        })?;
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
                Some(self.store.shared_id(sid))
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
        w.build_cluster(put.id, put.location.unwrap_or_default(), put.envelope, put.properties, put.existing)
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let c = self;
        {
            let mut p = c.other.clone();
            fn put_in(p: &mut Map<String, Value>, k: &str, v: Value) {
                if !v.is_null() {
                    p.insert(k.to_string(), v);
                }
            }
            put_in(&mut p, "agentPublicKeyCertificate", json!(c.agent_public_key_certificate));
            // What the agents report, once a lab cluster's agents act for this cluster and
            // have reached Azure (inferred: Azure shows these after the agents' first report).
            if let Some(lab) = w.store.lab_of_connected_cluster(&r.id).filter(|_| c.last_connectivity_time.is_some()) {
                put_in(&mut p, "kubernetesVersion", json!(lab.kubernetes_version));
                put_in(&mut p, "totalNodeCount", json!(lab.node_count));
                put_in(&mut p, "totalCoreCount", json!(lab.core_count));
                put_in(&mut p, "agentVersion", json!(lab.agent_version));
                let profile = p.entry("arcAgentProfile").or_insert_with(|| json!({}));
                if let Value::Object(profile) = profile {
                    profile.insert("agentState".into(), json!("Succeeded"));
                    if let Some(Value::Array(components)) = profile.get_mut("systemComponents") {
                        for comp in components.iter_mut().filter_map(Value::as_object_mut) {
                            let installed = comp.get("userSpecifiedVersion").cloned().unwrap_or(Value::Null);
                            comp.insert("currentVersion".into(), installed);
                        }
                    }
                }
            }
            put_in(&mut p, "distribution", json!(c.distribution));
            put_in(&mut p, "distributionVersion", json!(c.distribution_version));
            put_in(&mut p, "infrastructure", json!(c.infrastructure));
            put_in(&mut p, "provisioningState", json!(state));
            put_in(&mut p, "connectivityStatus", json!(c.connectivity_status.as_str()));
            put_in(&mut p, "lastConnectivityTime", json!(c.last_connectivity_time));
            put_in(&mut p, "privateLinkState", json!(c.private_link_state.as_str()));
            put_in(
                &mut p,
                "privateLinkScopeResourceId",
                json!(c.private_link_scope_resource_id.as_ref().map(|i| i.to_string())),
            );
            put_in(&mut p, "azureHybridBenefit", json!(c.azure_hybrid_benefit));
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

    /// The connectedClusters PATCH (`ConnectedClusterPatch`): its mutable properties
    /// (`azureHybridBenefit`, `distribution`, `distributionVersion`, and from 2024 on the
    /// profiles, e.g. `gateway` in UpdateClusterByPatchExample, 2026-03-01) merge into the
    /// cluster; read-only ones are ignored.
    fn patch(&mut self, props: &Value) -> ArmResult<()> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ClusterPatch {
            distribution: Option<String>,
            distribution_version: Option<String>,
            azure_hybrid_benefit: Option<String>,
            #[serde(flatten)]
            other: Map<String, Value>,
        }
        let mut p: ClusterPatch = parse_input(props, "properties")?;
        self.distribution = p.distribution.or(self.distribution.take());
        self.distribution_version = p.distribution_version.or(self.distribution_version.take());
        self.azure_hybrid_benefit = p.azure_hybrid_benefit.or(self.azure_hybrid_benefit.take());
        for key in READ_ONLY_PROPERTIES.iter().chain(&[
            "agentPublicKeyCertificate",
            "kubernetesVersion",
            "totalNodeCount",
            "totalCoreCount",
            "agentVersion",
            "privateLinkState",
            "privateLinkScopeResourceId",
            "infrastructure",
        ]) {
            p.other.remove(*key);
        }
        strip_agent_reports(&mut p.other);
        for (k, v) in p.other {
            self.other.insert(k, v);
        }
        Ok(())
    }
}
