//! Subscriptions (with their provider registrations, PLS-015) and resource groups: ARM's
//! own containers, with their create/patch/delete as ARM answers them.

use crate::error::{ArmError, ArmResult};
use crate::id::ResourceId;
use crate::kinds::{PROVIDER_NAMESPACES, canonical_namespace, validate_resource_group_name};
use crate::operations::OperationTarget;
use crate::resources::*;
use crate::world::{World, parse_patch_tags, resolve_location};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A subscription to create at start.
#[derive(Clone, Debug)]
pub struct SubscriptionConfig {
    pub id: String,
    pub display_name: String,
    /// Namespaces registered at start (the rest are `NotRegistered`).
    pub registered: Vec<String>,
}

impl SubscriptionConfig {
    /// A subscription with every tracked provider registered.
    pub fn registered(id: &str, display_name: &str) -> Self {
        Self {
            id: id.to_string(),
            display_name: display_name.to_string(),
            registered: PROVIDER_NAMESPACES.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A subscription with no provider registered (a fresh one, as PLS-015 expects).
    pub fn unregistered(id: &str, display_name: &str) -> Self {
        Self { id: id.to_string(), display_name: display_name.to_string(), registered: Vec::new() }
    }
}

/// Registration state of a provider namespace in a subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    NotRegistered,
    Registered,
}

impl RegistrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::NotRegistered => "NotRegistered",
            RegistrationState::Registered => "Registered",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Subscription {
    pub id: String,
    pub display_name: String,
    pub tenant_id: String,
    pub registrations: BTreeMap<&'static str, RegistrationState>,
}

impl Subscription {
    pub fn to_json(&self) -> Value {
        json!({
            "id": format!("/subscriptions/{}", self.id),
            "subscriptionId": self.id,
            "tenantId": self.tenant_id,
            "displayName": self.display_name,
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "PayAsYouGo_2014-09-01",
                "spendingLimit": "Off",
            },
            "authorizationSource": "RoleBased",
        })
    }

    pub fn is_registered(&self, namespace: &str) -> bool {
        canonical_namespace(namespace)
            .and_then(|ns| self.registrations.get(ns))
            .is_some_and(|s| *s == RegistrationState::Registered)
    }
}

#[derive(Clone, Debug)]
pub struct ResourceGroup {
    pub id: ResourceId,
    pub location: &'static str,
    pub tags: Tags,
    pub managed_by: Option<String>,
    pub provisioning_state: ProvisioningState,
}

impl ResourceGroup {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id.to_string(),
            "name": self.id.name(),
            "type": "Microsoft.Resources/resourceGroups",
            "location": self.location,
            "tags": self.tags,
            "properties": { "provisioningState": self.provisioning_state.as_str() },
        });
        if let Some(m) = &self.managed_by {
            v["managedBy"] = json!(m);
        }
        v
    }
}

impl World {
    // ================= subscriptions and providers =================

    /// Adds (or replaces the registrations of) a subscription.
    pub fn add_subscription(&mut self, cfg: &SubscriptionConfig) {
        let registrations = PROVIDER_NAMESPACES
            .iter()
            .map(|ns| {
                let on = cfg.registered.iter().any(|r| r.eq_ignore_ascii_case(ns));
                (*ns, if on { RegistrationState::Registered } else { RegistrationState::NotRegistered })
            })
            .collect();
        self.store.put_subscription(Subscription {
            id: cfg.id.clone(),
            display_name: cfg.display_name.clone(),
            tenant_id: self.config.tenant_id.clone(),
            registrations,
        });
    }

    pub fn subscription(&self, id: &str) -> ArmResult<&Subscription> {
        self.store.subscription(id).ok_or_else(|| ArmError::subscription_not_found(id))
    }

    pub fn subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.store.subscriptions()
    }

    /// Registers or unregisters a namespace (`POST .../providers/{ns}/register|unregister`).
    pub(crate) fn set_registration(
        &mut self,
        subscription: &str,
        namespace: &str,
        registered: bool,
    ) -> ArmResult<&'static str> {
        let ns = canonical_namespace(namespace)
            .ok_or_else(|| ArmError::invalid_resource_namespace_to_register(namespace))?;
        let state = if registered { RegistrationState::Registered } else { RegistrationState::NotRegistered };
        if !self.store.update_subscription(subscription, |sub| {
            sub.registrations.insert(ns, state);
        }) {
            return Err(ArmError::subscription_not_found(subscription));
        }
        Ok(ns)
    }

    // ================= resource groups =================

    pub fn resource_group(&self, subscription: &str, name: &str) -> ArmResult<&ResourceGroup> {
        self.subscription(subscription)?;
        let key = ResourceId::resource_group_id(subscription, name);
        self.store.group(key.key()).ok_or_else(|| ArmError::resource_group_not_found(name))
    }

    pub fn resource_groups(&self, subscription: &str) -> ArmResult<Vec<&ResourceGroup>> {
        self.subscription(subscription)?;
        let prefix = format!("/subscriptions/{}/", subscription.to_ascii_lowercase());
        Ok(self.store.groups_under(&prefix).collect())
    }

    /// `PUT /subscriptions/{s}/resourcegroups/{rg}`: returns whether it was created.
    pub(crate) fn put_resource_group(
        &mut self,
        subscription: &str,
        name: &str,
        body: &Value,
    ) -> ArmResult<(bool, Value)> {
        self.subscription(subscription)?;
        validate_resource_group_name(name)?;
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct RgInput {
            location: Option<String>,
            tags: Option<Tags>,
            managed_by: Option<String>,
        }
        let input: RgInput = parse_input(body, "")?;
        let location = resolve_location(input.location.as_deref(), "Microsoft.Resources/resourceGroups")?;
        let id = ResourceId::resource_group_id(subscription, name);
        if let Some(existing) = self.store.group(id.key()) {
            if existing.provisioning_state == ProvisioningState::Deleting {
                return Err(ArmError::resource_group_being_deleted(name));
            }
            if existing.location != location {
                return Err(ArmError::invalid_resource_group_location(location, existing.location));
            }
            let mut group = existing.clone();
            group.tags = input.tags.unwrap_or_default();
            group.managed_by = input.managed_by;
            let json = group.to_json();
            self.store.put_group(group);
            return Ok((false, json));
        }
        let group = ResourceGroup {
            id: id.clone(),
            location,
            tags: input.tags.unwrap_or_default(),
            managed_by: input.managed_by,
            provisioning_state: ProvisioningState::Succeeded,
        };
        let json = group.to_json();
        self.store.put_group(group);
        Ok((true, json))
    }

    /// `PATCH` a resource group: tags (and managedBy) only.
    pub(crate) fn patch_resource_group(&mut self, subscription: &str, name: &str, body: &Value) -> ArmResult<Value> {
        let tags = parse_patch_tags(body)?;
        self.resource_group(subscription, name)?;
        let id = ResourceId::resource_group_id(subscription, name);
        if let Some(t) = tags {
            self.store.update_group(id.key(), |g| g.tags = t);
        }
        self.store.group(id.key()).map(ResourceGroup::to_json).ok_or_else(|| ArmError::resource_group_not_found(name))
    }

    /// `DELETE` a resource group: long-running; deletes every resource in it.
    pub(crate) fn delete_resource_group(
        &mut self,
        subscription: &str,
        name: &str,
        now: OffsetDateTime,
    ) -> ArmResult<String> {
        let group = self.resource_group(subscription, name)?;
        let location = group.location.to_string();
        let id = ResourceId::resource_group_id(subscription, name);
        // A DELETE of a group already being deleted joins the pending operation.
        if let Some(op) = self.operations.deleting(id.key()) {
            return Ok(op.to_string());
        }
        self.store.update_group(id.key(), |g| g.provisioning_state = ProvisioningState::Deleting);
        for k in self.store.keys_under(&format!("{}/", id.key())) {
            self.store.update(&k, |r| r.provisioning_state = ProvisioningState::Deleting);
        }
        Ok(self.start_operation(subscription, "Microsoft.Resources", &location, OperationTarget::DeleteGroup(id), now))
    }
}
