//! Typed refusals. Every "no" the emulator says — a documented rule or an ARM protocol
//! error — is an [`ArmError`]: HTTP status, ARM error code and message, the offending
//! property (`target`), a fidelity tag, and for catalogue rules the rule id and the seed
//! section it enforces. Faces translate it (ARM error envelope, CLI text, checker finding);
//! they never invent their own.
//!
//! Each refusal has one named constructor here (`ArmError::subnet_ranges_overlap`, ...),
//! grouped by area, which fixes its status, code, message and fidelity tag; the model and the
//! faces call those and never spell a code themselves (the building blocks `verified`,
//! `inferred` and `rule` are private to this module).

use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Display;

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
    /// A protocol error whose text matches ARM's: the building block of the verified named
    /// constructors below.
    fn verified(status: u16, code: &'static str, message: impl Into<String>) -> Self {
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

    /// A protocol error whose text is ours: the building block of the inferred named
    /// constructors below.
    fn inferred(status: u16, code: &'static str, message: impl Into<String>) -> Self {
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
    fn rule(rule: &'static Rule, status: u16, code: &'static str, message: impl Into<String>) -> Self {
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

    // ---- ARM protocol errors (no rule id): what ARM checks on any resource request ----

    /// 404 `ResourceNotFound`: a request on a resource that does not exist (ARM's text).
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

    /// 404 `ResourceNotFound`: GetValidation of a scope id no scope of the subscription has
    /// (inferred text: the service's answer is not published).
    pub fn private_link_scope_id_not_found(scope_id: &str, location: &str) -> Self {
        Self::inferred(
            404,
            "ResourceNotFound",
            format!("No Azure Arc Private Link Scope with id '{scope_id}' was found in location '{location}'."),
        )
    }

    /// 400 `LocationNotAvailableForResourceType`-like refusal of a location the emulator does not
    /// know in a provider-level path (inferred text).
    pub fn unknown_location(location: &str) -> Self {
        Self::inferred(400, "InvalidLocation", format!("The location '{location}' is not a known Azure region."))
    }

    /// 404 `ResourceGroupNotFound`: a request under a resource group that does not exist (ARM's text).
    pub fn resource_group_not_found(name: &str) -> Self {
        Self::verified(404, "ResourceGroupNotFound", format!("Resource group '{name}' could not be found."))
    }

    /// 404 `SubscriptionNotFound`: a request under a subscription the emulator does not have
    /// (ARM's text).
    pub fn subscription_not_found(subscription: &str) -> Self {
        Self::verified(404, "SubscriptionNotFound", format!("The subscription '{subscription}' could not be found."))
    }

    /// 404 `ParentResourceNotFound`: a child resource whose parent does not exist (ARM's text).
    pub fn parent_resource_not_found(parent: &str) -> Self {
        Self::verified(
            404,
            "ParentResourceNotFound",
            format!("Can not perform requested operation on nested resource. Parent resource '{parent}' not found."),
        )
    }

    /// 400 `InvalidRequestContent`: a body that is empty or not JSON, or a query the admin API
    /// cannot read (ARM's text).
    pub fn invalid_request_content(detail: impl std::fmt::Display) -> Self {
        Self::verified(
            400,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    /// 400 `InvalidRequestContent`: a property is missing or has a value the type does not accept.
    pub fn invalid_property(path: &str, message: impl Into<String>) -> Self {
        Self::inferred(400, "InvalidRequestContent", message).with_target(path)
    }

    /// 400 `LinkedInvalidPropertyId`: a property that should hold a resource id and does not
    /// (ARM's text).
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

    /// 400 `LocationRequired`: a tracked resource or group PUT without `location` (ARM's text).
    pub fn location_required() -> Self {
        Self::verified(400, "LocationRequired", "The location property is required for this definition.")
            .with_target("location")
    }

    /// 400 `LocationNotAvailableForResourceType`: a location the emulator does not know (ARM's text).
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

    /// 409 `InvalidResourceLocation`: a PUT that would move an existing resource to another
    /// location (ARM's text).
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

    /// 400 `InvalidResourceReference`: a reference to a resource that does not exist, or is in another
    /// region (ARM's text). Callers name the referencing property with [`ArmError::with_target`].
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

    /// 409 `MissingSubscriptionRegistration`: writes to a namespace the subscription is not
    /// registered for (ARM's text).
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

    /// 400 `MissingParameterOnPrivateLinkServiceConnection`: a private link service connection
    /// without `groupIds` (ARM's text).
    pub fn missing_group_id(connection: &str) -> Self {
        Self::verified(
            400,
            "MissingParameterOnPrivateLinkServiceConnection",
            format!("Private link service connection {connection} is missing required parameter 'group Id'."),
        )
    }

    /// 400 `InvalidResourceName`: a name the resource type's naming rule refuses.
    pub fn invalid_resource_name(name: &str, resource_type: &str, rule_text: &str) -> Self {
        Self::inferred(
            400,
            "InvalidResourceName",
            format!("Resource name '{name}' for type '{resource_type}' is invalid: {rule_text}"),
        )
        .with_target("name")
    }

    /// 400 `InvalidResourceGroupName`: a resource group name ARM's naming rule refuses.
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

    // ---- The ARM front door: authentication, request shape, routing, api-version ----

    /// 401 `AuthenticationFailed`: a request without an `Authorization` header (ARM's text).
    pub fn authentication_failed() -> Self {
        Self::verified(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
    }

    /// 401 `InvalidAuthenticationToken`: an `Authorization` header that is not `Bearer <token>`
    /// (ARM's text).
    pub fn invalid_authentication_token() -> Self {
        Self::verified(
            401,
            "InvalidAuthenticationToken",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        )
    }

    /// 415 `UnsupportedMediaType`: a body whose `Content-Type` is not JSON (ARM's text).
    pub fn unsupported_media_type(media: &str) -> Self {
        Self::verified(
            415,
            "UnsupportedMediaType",
            format!("The content media type '{media}' is not supported. Only 'application/json' is supported."),
        )
    }

    /// 413 `RequestEntityTooLarge`: a body over the emulator's size limit of `limit` bytes.
    pub fn request_entity_too_large(limit: usize) -> Self {
        Self::inferred(
            413,
            "RequestEntityTooLarge",
            format!(
                "The request content is larger than the {limit} bytes the emulator accepts (as ARM, it limits request size)."
            ),
        )
    }

    /// 415 `UnsupportedMediaType`: an admin write with a body but no `Content-Type` (the admin
    /// API takes `application/json` only, so that a web page cannot send it a form or text).
    pub fn missing_content_type() -> Self {
        Self::inferred(
            415,
            "UnsupportedMediaType",
            "The request has no Content-Type. The emulator's admin API accepts writes as 'application/json' only.",
        )
    }

    /// 400 `InvalidRequestUri`: a path segment that is not valid (not UTF-8 once decoded).
    pub fn invalid_request_uri(detail: impl Display) -> Self {
        Self::inferred(400, "InvalidRequestUri", format!("The request URI is invalid: {detail}."))
    }

    /// 400 `HostNotAllowed`: a `Host` header naming neither loopback, the emulator's own address,
    /// nor a name it was told to accept (a defence against DNS rebinding). The status follows the
    /// `400 Invalid Hostname` of Azure's front ends; code and text are ours.
    pub fn host_not_allowed(host: &str) -> Self {
        let shown = if host.is_empty() { "(none)".to_string() } else { format!("'{host}'") };
        Self::inferred(
            400,
            "HostNotAllowed",
            format!(
                "The Host {shown} is not one the emulator answers to: it accepts loopback names and addresses, its own \
                 listening address, its --public-url, and names given with --allow-host (ARCEMU_ALLOW_HOSTS)."
            ),
        )
    }

    /// 408 `RequestTimeout`: a request body that did not arrive within the listener's body read
    /// timeout (`timeout_secs`).
    pub fn request_timeout(timeout_secs: f64) -> Self {
        Self::inferred(
            408,
            "RequestTimeout",
            format!(
                "The request body did not arrive within {timeout_secs} seconds (the emulator's body read timeout)."
            ),
        )
    }

    /// 403 `ForeignOriginRefused`: a write whose `Origin` is not the emulator's own (a web page
    /// the user opened, trying to change the world: cross-site request forgery).
    pub fn foreign_origin_refused(origin: &str) -> Self {
        Self::inferred(
            403,
            "ForeignOriginRefused",
            format!(
                "Writes from the web origin '{origin}' are refused: the emulator only accepts writes without an \
                 Origin header (SDKs, scripts, curl) or from its own origin."
            ),
        )
    }

    /// 401 `AdminTokenRequired`: the emulator was started with an admin token and the admin
    /// request does not carry it.
    pub fn admin_token_required() -> Self {
        Self::inferred(
            401,
            "AdminTokenRequired",
            "The admin API needs 'Authorization: Bearer <token>' with the token the emulator was started with \
             (--admin-token / ARCEMU_ADMIN_TOKEN).",
        )
    }

    /// 429 `TooManyRequests`: a connection over the listener's cap of `limit` open connections
    /// (answered at once and closed; retry after a second).
    pub fn too_many_connections(limit: usize) -> Self {
        Self::inferred(
            429,
            "TooManyRequests",
            format!("The emulator already has {limit} open connections (its --max-connections); retry after 1 second."),
        )
    }

    /// 404 `NotFound`: a path that is not an ARM path the emulator serves.
    pub fn arm_path_not_found() -> Self {
        Self::inferred(404, "NotFound", "The requested path is not an Azure Resource Manager path the emulator serves.")
    }

    /// 400 `InvalidResourceNamespace`: a request path under a provider namespace the emulator
    /// does not serve (ARM's text).
    pub fn invalid_resource_namespace(namespace: &str) -> Self {
        Self::verified(400, "InvalidResourceNamespace", format!("The resource namespace '{namespace}' is invalid."))
    }

    /// 400 `InvalidResourceType`: a request path or resource id whose type (`type_name`, without
    /// the namespace) the namespace does not have (ARM's text).
    pub fn invalid_resource_type(type_name: &str, namespace: &str) -> Self {
        Self::verified(
            400,
            "InvalidResourceType",
            format!("The resource type '{type_name}' could not be found in the namespace '{namespace}'."),
        )
    }

    /// 405 `MethodNotAllowed`: an HTTP method the path does not support.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::inferred(
            405,
            "MethodNotAllowed",
            format!("The requested resource does not support http method '{method}'."),
        )
    }

    /// 404 `OperationNotFound`: an operation status or result URL naming no operation of the
    /// subscription, or one whose record expired (`retention_secs` after it ended).
    pub fn operation_not_found(operation: &str, retention_secs: i64) -> Self {
        Self::inferred(
            404,
            "OperationNotFound",
            format!(
                "The operation '{operation}' could not be found. The emulator keeps an operation's status for \
                 {retention_secs} seconds after it ends."
            ),
        )
    }

    /// 400 `MissingApiVersionParameter`: a request without `api-version` (ARM's text).
    pub fn missing_api_version_parameter() -> Self {
        Self::verified(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    /// 400 `InvalidApiVersionParameter`: an `api-version` ARM's own routes (subscriptions,
    /// resource groups, providers) do not accept; `supported` is the list as ARM prints it
    /// (ARM's text).
    pub fn invalid_api_version_parameter(given: &str, supported: &str) -> Self {
        Self::verified(
            400,
            "InvalidApiVersionParameter",
            format!("The api-version '{given}' is invalid. The supported versions are '{supported}'."),
        )
    }

    /// 400 `NoRegisteredProviderFound`: an `api-version` a provider resource type does not
    /// accept; `versions` and `locations` are the lists as ARM prints them (ARM's text).
    pub fn no_registered_provider_found(
        location: &str,
        given: &str,
        type_name: &str,
        versions: &str,
        locations: &str,
    ) -> Self {
        Self::verified(
            400,
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location '{location}' and API version '{given}' for type \
                 '{type_name}'. The supported api-versions are '{versions}'. The supported locations are '{locations}'."
            ),
        )
    }

    // ---- Subscriptions, providers and resource groups ----

    /// 404 `InvalidResourceNamespace`: registering or unregistering a namespace the emulator does
    /// not know (ARM's text). Same code and text as [`ArmError::invalid_resource_namespace`], but
    /// the emulator has always answered 404 here and 400 on a request path.
    pub fn invalid_resource_namespace_to_register(namespace: &str) -> Self {
        Self::verified(404, "InvalidResourceNamespace", format!("The resource namespace '{namespace}' is invalid."))
    }

    /// 409 `ResourceGroupBeingDeleted`: a PUT of a resource group that is being deleted (ARM's text).
    pub fn resource_group_being_deleted(name: &str) -> Self {
        Self::verified(
            409,
            "ResourceGroupBeingDeleted",
            format!("The resource group '{name}' is in deprovisioning state and cannot perform this operation."),
        )
    }

    /// 409 `InvalidResourceGroupLocation`: a PUT that would move an existing resource group to
    /// another location (ARM's text).
    pub fn invalid_resource_group_location(location: &str, existing: &str) -> Self {
        Self::verified(
            409,
            "InvalidResourceGroupLocation",
            format!(
                "Invalid resource group location '{location}'. The Resource group already exists in \
                 location '{existing}'."
            ),
        )
        .with_target("location")
    }

    // ---- Resources in general ----

    /// 409 `AnotherOperationInProgress`: a PUT of a resource whose delete has not finished.
    pub fn another_operation_in_progress(name: &str) -> Self {
        Self::inferred(
            409,
            "AnotherOperationInProgress",
            format!("The resource '{name}' is being deleted; retry when the delete has finished."),
        )
    }

    /// 500 `InternalServerError`: the emulator failed to render its own state (a bug, never a
    /// refusal of the request). The only 5xx constructor.
    pub fn internal_server_error(detail: impl Display) -> Self {
        Self::inferred(500, "InternalServerError", detail.to_string())
    }

    /// 409 `WorldLimitReached`: one named world more than `--max-worlds` (the emulator's own limit).
    pub fn world_limit_reached(max: usize) -> Self {
        Self::inferred(
            409,
            "WorldLimitReached",
            format!(
                "The emulator holds {max} named worlds already, its limit: delete one (DELETE /_emulator/worlds/{{name}}) or raise --max-worlds."
            ),
        )
    }

    /// 404 `WorldNotFound`: no named world of that name.
    pub fn world_not_found(name: &str) -> Self {
        Self::inferred(
            404,
            "WorldNotFound",
            format!("There is no world named '{name}' (GET /_emulator/worlds lists them)."),
        )
    }

    /// 503 `WorldNotStarted`: a named world could not be built (its data directory, its DNS listeners).
    pub fn world_not_started(name: &str, detail: impl Display) -> Self {
        Self::inferred(503, "WorldNotStarted", format!("The world '{name}' could not be started: {detail}"))
    }

    /// 409 `BaselineUnavailable`: a reset to the baseline (or a new named world) needs the world
    /// file the emulator started from, and it changed or cannot be read any more (the
    /// emulator's own condition; Azure has no such answer).
    pub fn baseline_unavailable(detail: impl Display) -> Self {
        Self::inferred(
            409,
            "BaselineUnavailable",
            format!(
                "The world file the emulator started from is needed again and {detail}. Restart the emulator to \
                 start from the file as it is now, or load it with POST /_emulator/reset {{\"world\": ...}}."
            ),
        )
    }

    /// 503 `JournalWriteFailed`: the change could not be recorded in the data directory, so it
    /// was not made (the emulator's own condition; Azure has no such answer).
    pub fn journal_write_failed(detail: impl Display) -> Self {
        Self::inferred(
            503,
            "JournalWriteFailed",
            format!("The change was not made: it could not be recorded in the emulator's data directory ({detail})."),
        )
    }

    // ---- Networking: address prefixes, virtual networks and subnets ----

    /// 400 `InvalidAddressPrefixFormat`: an address prefix that is not CIDR (ARM's text).
    pub fn invalid_address_prefix_format(prefix: &str, resource: impl Display, path: &str) -> Self {
        Self::verified(
            400,
            "InvalidAddressPrefixFormat",
            format!(
                "Address prefix {prefix} of resource {resource} is not formatted correctly. It should follow CIDR \
                 notation, for example 10.0.0.0/24."
            ),
        )
        .with_target(path)
    }

    /// 400 `InvalidCIDRNotation`: an address prefix with host bits set; `canonical` is the prefix
    /// it should be (ARM's text).
    pub fn invalid_cidr_notation(prefix: &str, resource: impl Display, canonical: impl Display, path: &str) -> Self {
        Self::verified(
            400,
            "InvalidCIDRNotation",
            format!(
                "The address prefix {prefix} in resource {resource} has an invalid CIDR notation. For the given prefix \
                 length, the address prefix should be {canonical}."
            ),
        )
        .with_target(path)
    }

    /// 400 `InvalidAddressSpace`: a virtual network address space overlapping a range Azure
    /// reserves (`range`, for the reason `why`).
    pub fn invalid_address_space(prefix: impl Display, vnet: &str, range: &str, why: &str, path: &str) -> Self {
        Self::inferred(
            400,
            "InvalidAddressSpace",
            format!(
                "Address space {prefix} of virtual network '{vnet}' overlaps {range} ({why}), which Azure reserves."
            ),
        )
        .with_target(path)
    }

    /// 400 `VnetAddressSpacesOverlap`: two address spaces of one virtual network overlap.
    pub fn vnet_address_spaces_overlap(vnet: &str, prefix: impl Display, other: impl Display, path: &str) -> Self {
        Self::inferred(
            400,
            "VnetAddressSpacesOverlap",
            format!("Cannot create or update virtual network '{vnet}'. Address space {prefix} overlaps with {other}."),
        )
        .with_target(path)
    }

    /// 400 `DuplicateResourceName`: a subnet listed twice in a virtual network PUT.
    pub fn duplicate_subnet_name(name: &str, path: &str) -> Self {
        Self::inferred(400, "DuplicateResourceName", format!("Subnet '{name}' is listed twice.")).with_target(path)
    }

    /// 400 `NetcfgSubnetRangeOutsideVnet`: a subnet prefix outside its virtual network's address
    /// space (ARM's text).
    pub fn subnet_range_outside_vnet(subnet: &str, vnet: &str, path: &str) -> Self {
        Self::verified(
            400,
            "NetcfgSubnetRangeOutsideVnet",
            format!(
                "Subnet '{subnet}' is not valid because its IP address range is outside the IP address range of virtual \
                 network '{vnet}'."
            ),
        )
        .with_target(path)
    }

    /// 400 `NetcfgSubnetRangesOverlap`: a subnet prefix overlapping a sibling subnet's (ARM's text).
    pub fn subnet_ranges_overlap(subnet: &str, vnet: &str, path: &str) -> Self {
        Self::verified(
            400,
            "NetcfgSubnetRangesOverlap",
            format!(
                "Subnet '{subnet}' is not valid because its IP address range overlaps with that of an existing subnet \
                 in virtual network '{vnet}'."
            ),
        )
        .with_target(path)
    }

    /// 400 `InUseSubnetCannotBeUpdated`: a new prefix for a subnet with `used` private addresses
    /// taken.
    pub fn in_use_subnet_cannot_be_updated(
        subnet: &str,
        used: usize,
        from: impl Display,
        to: impl Display,
        path: &str,
    ) -> Self {
        Self::inferred(
            400,
            "InUseSubnetCannotBeUpdated",
            format!(
                "Subnet '{subnet}' has {used} private address(es) in use; its address prefix cannot change from {from} to {to}."
            ),
        )
        .with_target(path)
    }

    /// 400 `InUseSubnetCannotBeDeleted`: deleting a subnet that `user` (a resource id) still
    /// occupies (ARM's text).
    pub fn in_use_subnet_cannot_be_deleted(subnet: &str, user: &str) -> Self {
        Self::verified(
            400,
            "InUseSubnetCannotBeDeleted",
            format!(
                "Subnet {subnet} is in use by {user} and cannot be deleted. In order to delete the subnet, delete \
                 all the resources within the subnet. See aka.ms/deletesubnet."
            ),
        )
    }

    /// 400 `InvalidGatewaySubnet`: a virtual network gateway outside the subnet named
    /// `GatewaySubnet`; `subnet` is the name it used.
    pub fn invalid_gateway_subnet(subnet: &str, path: &str) -> Self {
        Self::inferred(
            400,
            "InvalidGatewaySubnet",
            format!("A virtual network gateway must use the subnet named 'GatewaySubnet', not '{subnet}'."),
        )
        .with_target(path)
    }

    /// 400 `AzureFirewallSubnetRequired`: an Azure Firewall outside the subnet named
    /// `AzureFirewallSubnet`; `subnet` is the name it used.
    pub fn azure_firewall_subnet_required(subnet: &str, path: &str) -> Self {
        Self::inferred(
            400,
            "AzureFirewallSubnetRequired",
            format!("An Azure Firewall must use the subnet named 'AzureFirewallSubnet', not '{subnet}'."),
        )
        .with_target(path)
    }

    /// 400 `PrivateIPAddressNotAvailable`: a requested static private address outside the
    /// subnet's usable range or already taken.
    pub fn private_ip_address_not_available(ip: impl Display, subnet: &str, prefix: impl Display, path: &str) -> Self {
        Self::inferred(
            400,
            "PrivateIPAddressNotAvailable",
            format!("Private address {ip} is not available in subnet '{subnet}' ({prefix})."),
        )
        .with_target(path)
    }

    /// 400 `SubnetIsFull`: no free private address left in the subnet; `for_what` (e.g.
    /// `"private endpoint"`) names what wanted one, when the message says so.
    pub fn subnet_is_full(subnet: &str, for_what: Option<&str>, path: &str) -> Self {
        let message = match for_what {
            Some(what) => format!("Subnet '{subnet}' has no free private address left for the {what}."),
            None => format!("Subnet '{subnet}' has no free private address left."),
        };
        Self::inferred(400, "SubnetIsFull", message).with_target(path)
    }

    // ---- Networking: network security groups ----

    /// 400 `SecurityRuleInvalidPriority`: a security rule priority outside 100–4096 (ARM's text).
    pub fn security_rule_invalid_priority(priority: i64, path: &str) -> Self {
        Self::verified(
            400,
            "SecurityRuleInvalidPriority",
            format!("Security rule has invalid Priority. Value provided: {priority} Allowed range 100-4096."),
        )
        .with_target(path)
    }

    /// 400 `SecurityRuleConflict`: two security rules with the same priority and direction
    /// (ARM's text).
    pub fn security_rule_conflict(rule: &str, other: &str, path: &str) -> Self {
        Self::verified(
            400,
            "SecurityRuleConflict",
            format!(
                "Security rule {rule} conflicts with rule {other}. Rules cannot have the same Priority and Direction."
            ),
        )
        .with_target(path)
    }

    /// 400 `SecurityRuleInvalidAddressPrefix`: a security rule address that is not `*`, an IPv4
    /// address or CIDR, or a service tag.
    pub fn security_rule_invalid_address_prefix(value: &str, path: &str) -> Self {
        Self::inferred(
            400,
            "SecurityRuleInvalidAddressPrefix",
            format!(
                "Security rule has invalid Address prefix. Value provided: {value}. Use '*', an IPv4 address or CIDR, or a service tag."
            ),
        )
        .with_target(path)
    }

    /// 400 `SecurityRuleInvalidPortRange`: a security rule port that is not `*`, a port or a
    /// range.
    pub fn security_rule_invalid_port_range(value: &str, path: &str) -> Self {
        Self::inferred(
            400,
            "SecurityRuleInvalidPortRange",
            format!(
                "Security rule has invalid Port range. Value provided: {value}. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535."
            ),
        )
        .with_target(path)
    }

    /// 400 `InUseNetworkSecurityGroupCannotBeDeleted`: deleting a network security group a
    /// subnet still uses.
    pub fn in_use_network_security_group_cannot_be_deleted(nsg: impl Display, subnet: impl Display) -> Self {
        Self::inferred(
            400,
            "InUseNetworkSecurityGroupCannotBeDeleted",
            format!(
                "Network security group {nsg} cannot be deleted because it is in use by the following \
                 resources: {subnet}. In order to delete the network security group, remove the association with the \
                 resource(s)."
            ),
        )
    }

    // ---- Networking: private endpoints ----

    /// 400 `PrivateEndpointCanHaveOnlyOneConnection`: a private endpoint with more than one
    /// private link service connection.
    pub fn private_endpoint_can_have_only_one_connection() -> Self {
        Self::inferred(
            400,
            "PrivateEndpointCanHaveOnlyOneConnection",
            "A private endpoint has exactly one private link service connection (automatic or manual).",
        )
        .with_target("properties.privateLinkServiceConnections")
    }

    /// 400 `PrivateLinkServiceNotFound`: a private endpoint whose target is not an existing Azure
    /// Arc Private Link Scope.
    pub fn private_link_service_not_found(target: impl Display, path: &str) -> Self {
        Self::inferred(
            400,
            "PrivateLinkServiceNotFound",
            format!(
                "Private link resource '{target}' does not exist or is not an Azure Arc Private Link Scope \
                 (Microsoft.HybridCompute/privateLinkScopes), the only private link resource the emulator serves."
            ),
        )
        .with_target(path)
    }

    /// 400 `PropertyChangeNotAllowed`: a PUT that would move an existing private endpoint to
    /// another subnet or target.
    pub fn private_endpoint_property_change_not_allowed(path: &str) -> Self {
        Self::inferred(
            400,
            "PropertyChangeNotAllowed",
            "The subnet and the private link service connection of an existing private endpoint cannot change; \
             create a new private endpoint.",
        )
        .with_target(path)
    }

    // ---- Networking: private DNS zones and DNS resolvers ----

    /// 409 `Conflict`: a second link from one private DNS zone to the same virtual network
    /// (ARM's text; Azure reports it when the link's operation is polled).
    pub fn private_zone_already_linked(zone: &str, vnet: impl Display, path: &str) -> Self {
        Self::verified(
            409,
            "Conflict",
            format!("Private zone '{zone}' is already linked to the virtual network '{vnet}'."),
        )
        .with_target(path)
    }

    /// 409 `CannotDeleteResource`: deleting a private DNS zone that still has virtual network links.
    pub fn private_dns_zone_has_links(zone: &str, link: &str) -> Self {
        Self::inferred(
            409,
            "CannotDeleteResource",
            format!(
                "The private DNS zone '{zone}' cannot be deleted because it has virtual network link '{link}'. Delete \
                 the virtual network links first."
            ),
        )
    }

    /// 400 `SubnetNotInResolverVirtualNetwork`: a DNS resolver inbound endpoint in a subnet of
    /// another virtual network.
    pub fn subnet_not_in_resolver_virtual_network(subnet: impl Display, vnet: impl Display, path: &str) -> Self {
        Self::inferred(
            400,
            "SubnetNotInResolverVirtualNetwork",
            format!("Subnet '{subnet}' is not in the DNS resolver's virtual network '{vnet}'."),
        )
        .with_target(path)
    }

    // ---- Azure Arc ----

    /// 400 `InvalidHostResourceId`: a custom location whose host is not an existing connected
    /// cluster.
    pub fn invalid_host_resource_id(host: &str, path: &str) -> Self {
        Self::inferred(
            400,
            "InvalidHostResourceId",
            format!("The host resource '{host}' does not exist or is not a connected cluster."),
        )
        .with_target(path)
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

    /// 409 `DnsListenerLimitReached`: one more virtual network or site would pass the emulator's
    /// cap on DNS vantage points (each has its own DNS listener; `--max-dns-listeners`).
    pub fn dns_listener_limit_reached(limit: usize, what: &str) -> Self {
        Self::inferred(
            409,
            "DnsListenerLimitReached",
            format!(
                "The emulator serves at most {limit} DNS vantage points besides the public one (virtual networks \
                 and sites together, each with its own DNS listener); this {what} would be one more. Delete a \
                 virtual network or a site, or start arcemu with a larger --max-dns-listeners."
            ),
        )
    }

    /// 400 `InvalidResourceReference`: a lab forwarder VM in a virtual network that does not exist
    /// (our text, unlike ARM's [`ArmError::invalid_resource_reference`]).
    pub fn lab_virtual_network_not_found(vnet: impl Display) -> Self {
        Self::inferred(400, "InvalidResourceReference", format!("Virtual network '{vnet}' does not exist."))
            .with_target("virtualNetwork")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    static R: Rule = Rule::inferred("TST-000", "test", "test");

    /// Statuses above 499 that a constructor may use, each documented on its constructor.
    /// The emulator's own failures (never a client's mistake): a bug, a data directory that
    /// cannot be written, a named world that cannot be started.
    const DOCUMENTED_5XX: &[(&str, u16)] =
        &[("internal_server_error", 500), ("journal_write_failed", 503), ("world_not_started", 503)];

    /// Every named constructor, called once: `(name, refusal)`.
    macro_rules! every {
        ($($name:ident($($arg:expr),*)),* $(,)?) => {
            vec![$((stringify!($name), ArmError::$name($($arg),*))),*]
        };
    }

    fn every_constructor() -> Vec<(&'static str, ArmError)> {
        every![
            // catalogue rules
            private_link_scope_association_conflict(&R, "m"),
            private_link_scope_location_mismatch(&R, "m"),
            private_link_scope_subscription_mismatch(&R, "m"),
            feature_not_supported_with_private_link(&R, "m"),
            invalid_private_link_configuration(&R, "m"),
            private_link_scope_not_found(&R, "m"),
            cluster_not_eligible_for_private_link_scope(&R, "m"),
            virtual_network_already_linked_to_another_private_link_scope(&R, "m"),
            invalid_private_endpoint_connection_state_transition(&R, "m"),
            private_endpoint_invalid_group_id(&R, "m"),
            onboarding_network_check_failed(&R, "m"),
            // ARM protocol errors
            resource_not_found("Microsoft.Network/virtualNetworks", "v", "rg"),
            resource_group_not_found("rg"),
            subscription_not_found("s"),
            parent_resource_not_found("p"),
            invalid_request_content("d"),
            invalid_property("properties.x", "m"),
            linked_invalid_property_id("v", "properties.x"),
            location_required(),
            location_not_available("mars", "t", "eastus"),
            invalid_resource_location("t/n", "eastus", "rg", "westus"),
            invalid_resource_reference("/a", "/b"),
            missing_subscription_registration("Microsoft.Network"),
            missing_group_id("c"),
            invalid_resource_name("n", "t", "r"),
            invalid_resource_group_name("rg."),
            // the ARM front door
            authentication_failed(),
            invalid_authentication_token(),
            unsupported_media_type("text/plain"),
            missing_content_type(),
            invalid_request_uri("d"),
            host_not_allowed("evil.example"),
            foreign_origin_refused("http://evil.example"),
            admin_token_required(),
            request_entity_too_large(1),
            request_timeout(1.5),
            too_many_connections(1),
            arm_path_not_found(),
            invalid_resource_namespace("Microsoft.Foo"),
            invalid_resource_type("bars", "Microsoft.Foo"),
            method_not_allowed("PATCH"),
            operation_not_found("op", 300),
            missing_api_version_parameter(),
            invalid_api_version_parameter("1", "2"),
            no_registered_provider_found("eastus", "1", "t", "2", "East US"),
            // subscriptions, providers, resource groups
            invalid_resource_namespace_to_register("Microsoft.Foo"),
            resource_group_being_deleted("rg"),
            invalid_resource_group_location("westus", "eastus"),
            // resources in general
            another_operation_in_progress("n"),
            internal_server_error("e"),
            journal_write_failed("disk full"),
            baseline_unavailable("it changed since"),
            world_limit_reached(64),
            world_not_found("w"),
            world_not_started("w", "no descriptors"),
            // networking
            invalid_address_prefix_format("x", "/r", "p"),
            invalid_cidr_notation("10.0.0.1/24", "/r", "10.0.0.0/24", "p"),
            invalid_address_space("168.63.129.0/24", "v", "168.63.129.16/32", "why", "p"),
            vnet_address_spaces_overlap("v", "10.0.0.0/16", "10.0.0.0/8", "p"),
            duplicate_subnet_name("s", "p"),
            subnet_range_outside_vnet("s", "v", "p"),
            subnet_ranges_overlap("s", "v", "p"),
            in_use_subnet_cannot_be_updated("s", 1, "10.0.0.0/24", "10.0.1.0/24", "p"),
            in_use_subnet_cannot_be_deleted("s", "/u"),
            invalid_gateway_subnet("s", "p"),
            azure_firewall_subnet_required("s", "p"),
            private_ip_address_not_available("10.0.0.4", "s", "10.0.0.0/24", "p"),
            subnet_is_full("s", None, "p"),
            security_rule_invalid_priority(1, "p"),
            security_rule_conflict("a", "b", "p"),
            security_rule_invalid_address_prefix("x", "p"),
            security_rule_invalid_port_range("x", "p"),
            in_use_network_security_group_cannot_be_deleted("/n", "/s"),
            private_endpoint_can_have_only_one_connection(),
            private_link_service_not_found("/t", "p"),
            private_endpoint_property_change_not_allowed("p"),
            private_zone_already_linked("z", "/v", "p"),
            private_dns_zone_has_links("z", "l"),
            subnet_not_in_resolver_virtual_network("/s", "/v", "p"),
            // Azure Arc
            invalid_host_resource_id("/h", "p"),
            private_link_scope_id_not_found("g", "l"),
            unknown_location("l"),
            // lab objects and the admin API
            admin_endpoint_not_found(),
            site_not_found("s"),
            lab_cluster_not_found("c"),
            connected_cluster_already_bound("/c", "other"),
            cluster_placement_gone("why"),
            not_a_connected_cluster(),
            lab_virtual_network_not_found("/v"),
            dns_listener_limit_reached(1, "site"),
        ]
    }

    /// The unnamed building blocks the named constructors are made of.
    const BASE: &[&str] = &["verified", "inferred", "rule"];

    /// The named constructors `impl ArmError` declares: its public `fn`s other than [`BASE`]
    /// and the `with_*` builders.
    fn declared_constructors() -> BTreeSet<&'static str> {
        let src = include_str!("error.rs");
        let start = src.find("\nimpl ArmError {").expect("impl ArmError");
        let end = start + src[start..].find("\n}\n").expect("end of impl ArmError");
        src[start..end]
            .lines()
            .filter_map(|l| l.strip_prefix("    pub fn "))
            .map(|l| &l[..l.find(['(', '<']).expect("fn name")])
            .filter(|name| !name.starts_with("with_") && !BASE.contains(name))
            .collect()
    }

    #[test]
    fn the_test_calls_every_constructor() {
        let called: BTreeSet<&str> = every_constructor().iter().map(|(name, _)| *name).collect();
        assert_eq!(called.len(), every_constructor().len(), "a constructor is listed twice");
        assert_eq!(called, declared_constructors(), "every_constructor() must list each named constructor");
    }

    #[test]
    fn every_constructor_has_a_pascal_case_code_a_client_error_status_and_consistent_fidelity() {
        for (name, e) in every_constructor() {
            let code = e.code.as_ref();
            assert!(
                code.starts_with(|c: char| c.is_ascii_uppercase()) && code.chars().all(|c| c.is_ascii_alphanumeric()),
                "{name}: code {code:?} is not PascalCase"
            );
            let documented = DOCUMENTED_5XX.contains(&(name, e.status));
            assert!((400..500).contains(&e.status) || documented, "{name}: status {} is not 4xx", e.status);
            assert!(!e.message.is_empty(), "{name}: empty message");
            match e.fidelity {
                Fidelity::Verified => assert!(e.fidelity_source.is_some(), "{name}: verified without a source"),
                Fidelity::Inferred => assert!(e.fidelity_source.is_none(), "{name}: inferred with a source"),
            }
        }
    }
}
