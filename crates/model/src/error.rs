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

/// A rule of the catalogue (DESIGN.md), cited by refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `PLS-003`.
    pub id: &'static str,
    /// Section of the seed document the rule comes from.
    #[serde(rename = "seedSection")]
    pub seed_section: &'static str,
    /// One line: what the rule says.
    pub summary: &'static str,
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

    pub fn invalid_resource_name(name: &str, resource_type: &str, rule_text: &str) -> Self {
        Self::inferred(
            400,
            "InvalidResourceName",
            format!("Resource name '{name}' for type '{resource_type}' is invalid: {rule_text}"),
        )
        .with_target("name")
    }
}
