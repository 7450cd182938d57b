//! Typed refusals. Every "no" the emulator says — a documented rule or an ARM protocol
//! error — is an [`ArmError`]: HTTP status, ARM error code and message, the offending
//! property (`target`), a fidelity tag, and for catalogue rules the rule id and the seed
//! section it enforces. Faces translate it (ARM error envelope, CLI text, checker finding);
//! they never invent their own.

use serde::Serialize;
use std::borrow::Cow;

/// Whether the code and message are known to match the real service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fidelity {
    /// The real service's (or its official client's) text is known; `source` says where from.
    Verified,
    /// Ours: the real text is not published. Shape and status are our best inference.
    Inferred,
}

impl Fidelity {
    pub fn as_str(self) -> &'static str {
        match self {
            Fidelity::Verified => "verified",
            Fidelity::Inferred => "inferred",
        }
    }
}

/// A rule of the catalogue (DESIGN.md), cited by refusals, DNS traces and data-plane verdicts.
/// The catalogue itself is [`crate::rules::CATALOGUE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Stable id, e.g. `PLS-003`.
    pub id: &'static str,
    /// Section of the seed document the rule comes from.
    pub seed_section: &'static str,
    /// One line: what the rule says.
    pub summary: &'static str,
    /// Whether the text the emulator gives when this rule says no is the real service's (or its
    /// official client's): `verified` when it is known, `inferred` when it is ours. Each refusal
    /// carries its own tag too ([`ArmError::fidelity`]); a rule whose refusals differ says which
    /// one is verified in [`Rule::fidelity_source`].
    pub fidelity: Fidelity,
    /// Where verified text comes from; `None` for inferred rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fidelity_source: Option<&'static str>,
}

impl Rule {
    /// A rule whose refusal text is ours (the real one is not published, or there is none).
    pub const fn inferred(id: &'static str, seed_section: &'static str, summary: &'static str) -> Rule {
        Rule { id, seed_section, summary, fidelity: Fidelity::Inferred, fidelity_source: None }
    }

    /// A rule whose refusal text is known, from `source`.
    pub const fn verified(
        id: &'static str,
        seed_section: &'static str,
        summary: &'static str,
        source: &'static str,
    ) -> Rule {
        Rule { id, seed_section, summary, fidelity: Fidelity::Verified, fidelity_source: Some(source) }
    }
}

/// Serde helpers for fields that cite a rule: they serialize as the rule's id (and, where a
/// report shows it, its seed section), so the JSON names rules the way the ARM envelope does.
pub mod cite {
    use super::Rule;
    use serde::Serializer;
    use serde::ser::SerializeMap;

    /// `"PLS-007"`.
    pub fn id<S: Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(rule.id)
    }

    /// `"PLS-007"` or `null`.
    pub fn opt_id<S: Serializer>(rule: &Option<&'static Rule>, s: S) -> Result<S::Ok, S::Error> {
        match rule {
            Some(r) => s.serialize_some(r.id),
            None => s.serialize_none(),
        }
    }

    /// For a flattened field: `"rule": "PLS-007", "seedSection": "Manual DNS server
    /// configuration"` (both `null` when no rule decided).
    pub fn id_and_seed_section<S: Serializer>(rule: &Option<&'static Rule>, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("rule", &rule.map(|r| r.id))?;
        m.serialize_entry("seedSection", &rule.map(|r| r.seed_section))?;
        m.end()
    }
}

/// A refusal, ready to be shown by any face.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub fidelity: Fidelity,
    /// Where verified text comes from (service, CLI, SDK); `None` for inferred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fidelity_source: Option<&'static str>,
    /// The catalogue rule this enforces; `None` for ARM protocol errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static Rule>,
}

pub type ArmResult<T> = Result<T, ArmError>;

/// Source tag for texts taken from Azure Resource Manager's own responses.
pub const SOURCE_ARM: &str = "Azure Resource Manager responses";
/// Source tag for texts taken from the connectedk8s Azure CLI extension.
pub const SOURCE_CONNECTEDK8S: &str = "azure-cli-extensions connectedk8s (client-side validation text)";

impl ArmError {
    /// A protocol error whose text matches ARM's.
    pub fn verified(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            target: None,
            fidelity: Fidelity::Verified,
            fidelity_source: Some(SOURCE_ARM),
            rule: None,
        }
    }

    /// A protocol error whose text is ours.
    pub fn inferred(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            target: None,
            fidelity: Fidelity::Inferred,
            fidelity_source: None,
            rule: None,
        }
    }

    /// A refusal by a catalogue rule.
    pub fn rule(rule: &'static Rule, status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { rule: Some(rule), ..Self::inferred(status, code, message) }
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Marks the message as known text from `source`.
    pub fn with_verified_text(mut self, source: &'static str) -> Self {
        self.fidelity = Fidelity::Verified;
        self.fidelity_source = Some(source);
        self
    }

    /// Cites the catalogue rule this refusal enforces.
    pub fn with_rule(mut self, rule: &'static Rule) -> Self {
        self.rule = Some(rule);
        self
    }

    /// Appends ` (note)` to the message: the emulator's explanation after a known text.
    pub fn with_note(mut self, note: impl std::fmt::Display) -> Self {
        self.message = format!("{} ({note})", self.message);
        self
    }

    // ---- Refusals of catalogue rules: status and code here, message from the rule (rules.rs) ----

    /// 409 `PrivateLinkScopeAssociationConflict` (PLS-002).
    pub fn private_link_scope_association_conflict(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 409, "PrivateLinkScopeAssociationConflict", message)
    }

    /// 400 `PrivateLinkScopeLocationMismatch` (PLS-003, PLS-004 under `strict-regions`).
    pub fn private_link_scope_location_mismatch(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "PrivateLinkScopeLocationMismatch", message)
    }

    /// 400 `PrivateLinkScopeSubscriptionMismatch` (PLS-005).
    pub fn private_link_scope_subscription_mismatch(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "PrivateLinkScopeSubscriptionMismatch", message)
    }

    /// 400 `FeatureNotSupportedWithPrivateLink` (PLS-008).
    pub fn feature_not_supported_with_private_link(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "FeatureNotSupportedWithPrivateLink", message)
    }

    /// 400 `InvalidPrivateLinkConfiguration` (PLS-010).
    pub fn invalid_private_link_configuration(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "InvalidPrivateLinkConfiguration", message)
    }

    /// 400 `PrivateLinkScopeNotFound` (PLS-010).
    pub fn private_link_scope_not_found(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "PrivateLinkScopeNotFound", message)
    }

    /// 400 `ClusterNotEligibleForPrivateLinkScope` (PLS-011).
    pub fn cluster_not_eligible_for_private_link_scope(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "ClusterNotEligibleForPrivateLinkScope", message)
    }

    /// 400 `VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope` (PLS-001).
    pub fn virtual_network_already_linked_to_another_private_link_scope(
        rule: &'static Rule,
        message: impl Into<String>,
    ) -> Self {
        Self::rule(rule, 400, "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope", message)
    }

    /// 400 `InvalidPrivateEndpointConnectionStateTransition` (PLS-012).
    pub fn invalid_private_endpoint_connection_state_transition(
        rule: &'static Rule,
        message: impl Into<String>,
    ) -> Self {
        Self::rule(rule, 400, "InvalidPrivateEndpointConnectionStateTransition", message)
    }

    /// 400 `PrivateEndpointInvalidGroupId` (PLS-013).
    pub fn private_endpoint_invalid_group_id(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "PrivateEndpointInvalidGroupId", message)
    }

    /// 400 `OnboardingNetworkCheckFailed` (NET-002).
    pub fn onboarding_network_check_failed(rule: &'static Rule, message: impl Into<String>) -> Self {
        Self::rule(rule, 400, "OnboardingNetworkCheckFailed", message)
    }

    // ---- ARM protocol errors (no rule id) ----

    pub fn resource_not_found(resource_type: &str, name: &str, resource_group: &str) -> Self {
        Self::verified(
            404,
            "ResourceNotFound",
            format!(
                "The Resource '{resource_type}/{name}' under resource group '{resource_group}' was not found. \
                 For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    pub fn resource_group_not_found(name: &str) -> Self {
        Self::verified(404, "ResourceGroupNotFound", format!("Resource group '{name}' could not be found."))
    }

    pub fn subscription_not_found(subscription: &str) -> Self {
        Self::verified(404, "SubscriptionNotFound", format!("The subscription '{subscription}' could not be found."))
    }

    pub fn parent_resource_not_found(parent: &str) -> Self {
        Self::verified(
            404,
            "ParentResourceNotFound",
            format!("Can not perform requested operation on nested resource. Parent resource '{parent}' not found."),
        )
    }

    pub fn invalid_request_content(detail: impl std::fmt::Display) -> Self {
        Self::verified(
            400,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    /// A property is missing or has a value the type does not accept.
    pub fn invalid_property(path: &str, message: impl Into<String>) -> Self {
        Self::inferred(400, "InvalidRequestContent", message).with_target(path)
    }

    pub fn linked_invalid_property_id(value: &str, path: &str) -> Self {
        Self::verified(
            400,
            "LinkedInvalidPropertyId",
            format!(
                "Property id '{value}' at path '{path}' is invalid. Expect fully qualified resource Id that start \
                 with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'."
            ),
        )
        .with_target(path)
    }

    pub fn location_required() -> Self {
        Self::verified(400, "LocationRequired", "The location property is required for this definition.")
            .with_target("location")
    }

    pub fn location_not_available(location: &str, resource_type: &str, available: &str) -> Self {
        Self::verified(
            400,
            "LocationNotAvailableForResourceType",
            format!(
                "The provided location '{location}' is not available for resource type '{resource_type}'. \
                 List of available regions for the resource type is '{available}'."
            ),
        )
        .with_target("location")
    }

    pub fn invalid_resource_location(id_name: &str, existing: &str, rg: &str, wanted: &str) -> Self {
        Self::verified(
            409,
            "InvalidResourceLocation",
            format!(
                "The resource '{id_name}' already exists in location '{existing}' in resource group '{rg}'. \
                 A resource with the same name cannot be created in location '{wanted}'. Please select a new resource name."
            ),
        )
        .with_target("location")
    }

    /// A reference to a resource that does not exist, or is in another region (ARM's text).
    pub fn invalid_resource_reference(referenced: impl std::fmt::Display, by: impl std::fmt::Display) -> Self {
        Self::verified(
            400,
            "InvalidResourceReference",
            format!(
                "Resource {referenced} referenced by resource {by} was not found. Please make sure that the referenced \
                 resource exists, and that both resources are in the same region."
            ),
        )
    }

    /// Writes to a namespace the subscription is not registered for (ARM's text).
    pub fn missing_subscription_registration(namespace: &str) -> Self {
        Self::verified(
            409,
            "MissingSubscriptionRegistration",
            format!(
                "The subscription is not registered to use namespace '{namespace}'. See https://aka.ms/rps-not-found \
                 for how to register subscriptions."
            ),
        )
        .with_target(namespace)
    }

    /// A private link service connection without `groupIds` (ARM's text).
    pub fn missing_group_id(connection: &str) -> Self {
        Self::verified(
            400,
            "MissingParameterOnPrivateLinkServiceConnection",
            format!("Private link service connection {connection} is missing required parameter 'group Id'."),
        )
    }

    pub fn invalid_resource_name(name: &str, resource_type: &str, rule_text: &str) -> Self {
        Self::inferred(
            400,
            "InvalidResourceName",
            format!("Resource name '{name}' for type '{resource_type}' is invalid: {rule_text}"),
        )
        .with_target("name")
    }

    pub fn invalid_resource_group_name(name: &str) -> Self {
        Self::inferred(
            400,
            "InvalidResourceGroupName",
            format!(
                "Resource group name '{name}' is invalid. It can be 1 to 90 characters: letters, digits, \
                 underscores, parentheses, hyphens and periods, and cannot end with a period."
            ),
        )
        .with_target("resourceGroupName")
    }

    // ---- Lab objects and the admin API (emulator-only: no ARM equivalent, texts ours) ----

    /// 404 `NotFound`: no such admin endpoint.
    pub fn admin_endpoint_not_found() -> Self {
        Self::inferred(404, "NotFound", "No such admin endpoint; GET /_emulator/ lists them.")
    }

    /// 404 `SiteNotFound`.
    pub fn site_not_found(name: &str) -> Self {
        Self::inferred(404, "SiteNotFound", format!("Site '{name}' does not exist."))
    }

    /// 404 `ClusterNotFound`: no lab cluster of that name.
    pub fn lab_cluster_not_found(name: &str) -> Self {
        Self::inferred(404, "ClusterNotFound", format!("Lab cluster '{name}' does not exist."))
    }

    /// 409 `ConnectedClusterAlreadyBound`: another lab cluster runs that connected cluster's agents.
    pub fn connected_cluster_already_bound(connected_cluster: impl std::fmt::Display, other: &str) -> Self {
        Self::inferred(
            409,
            "ConnectedClusterAlreadyBound",
            format!("Connected cluster '{connected_cluster}' is already bound to lab cluster '{other}'."),
        )
        .with_target("connectedCluster")
    }

    /// 409 `ClusterPlacementGone`: the site or subnet a lab cluster runs in was deleted.
    pub fn cluster_placement_gone(why: impl Into<String>) -> Self {
        Self::inferred(409, "ClusterPlacementGone", why)
    }

    /// 409 `NotACluster`: a lab cluster bound to something that is not a connected cluster.
    pub fn not_a_connected_cluster() -> Self {
        Self::inferred(409, "NotACluster", "not a connected cluster")
    }
}
