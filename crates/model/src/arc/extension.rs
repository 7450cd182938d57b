//! Cluster extensions (Microsoft.KubernetesConfiguration/extensions on a connected cluster);
//! whether one works over private link is the data plane's PLS-009/NET-003.

use crate::error::{ArmError, ArmResult};
use crate::kinds::Body;
use crate::resources::*;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

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

fn build_extension(props: &Value) -> ArmResult<Body> {
    if props.is_null() {
        return Err(ArmError::invalid_property("properties", "The property 'properties' is required."));
    }
    let input: ExtensionInput = parse_input(props, "properties")?;
    let extension_type = input.extension_type.filter(|t| !t.is_empty()).ok_or_else(|| {
        ArmError::invalid_property("properties.extensionType", "The property 'properties.extensionType' is required.")
    })?;
    Ok(Body::ClusterExtension(ClusterExtension {
        extension_type,
        auto_upgrade_minor_version: input.auto_upgrade_minor_version.unwrap_or(true),
        release_train: input.release_train.unwrap_or_else(|| "Stable".to_string()),
        version: input.version,
        scope: input.scope,
        configuration_settings: input.configuration_settings.unwrap_or_default(),
        configuration_protected_setting_keys: input
            .configuration_protected_settings
            .unwrap_or_default()
            .into_keys()
            .collect(),
    }))
}

impl ResourceType for ClusterExtension {
    fn build(_w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        build_extension(put.properties)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let e = self;
        {
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
    }

    /// The extensions PATCH (`PatchExtension`).
    fn patch(&mut self, props: &Value) -> ArmResult<()> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ExtensionPatch {
            auto_upgrade_minor_version: Option<bool>,
            release_train: Option<String>,
            version: Option<String>,
            configuration_settings: Option<BTreeMap<String, String>>,
        }
        let p: ExtensionPatch = parse_input(props, "properties")?;
        self.auto_upgrade_minor_version = p.auto_upgrade_minor_version.unwrap_or(self.auto_upgrade_minor_version);
        self.release_train = p.release_train.unwrap_or(self.release_train.clone());
        self.version = p.version.or(self.version.take());
        self.configuration_settings.extend(p.configuration_settings.unwrap_or_default());
        Ok(())
    }
}
