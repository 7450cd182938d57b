//! Microsoft.KubernetesConfiguration on a connected cluster: cluster extensions (whether one
//! works over private link is the data plane's PLS-009/NET-003) and Flux (GitOps)
//! configurations, which the `microsoft.flux` extension reconciles.

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
    /// `compatible` or `none` (extensions 2025-03-01, `PatchExtension`); kept as given.
    pub auto_upgrade_mode: Option<String>,
    pub release_train: Option<String>,
    pub version: Option<String>,
    pub scope: Option<Value>,
    pub configuration_settings: Option<BTreeMap<String, String>>,
    pub configuration_protected_settings: Option<BTreeMap<String, String>>,
}

/// The version reported for an extension installed without a pinned version (inferred).
pub const DEFAULT_EXTENSION_VERSION: &str = "1.0.0";

#[derive(Clone, Debug, PartialEq)]
pub struct ClusterExtension {
    pub extension_type: String,
    pub auto_upgrade_minor_version: bool,
    pub auto_upgrade_mode: Option<String>,
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
        auto_upgrade_mode: input.auto_upgrade_mode,
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
            // Without a pinned version the service installs the release train's latest and
            // reports it (spec examples CreateExtension*: `version` in the answer although the
            // request had none); the emulator has no catalogue, so it reports a fixed version
            // (inferred). Likewise the scope defaults to the cluster, in `kube-system`
            // (CreateExtensionWithPlan's answer to a request without a scope).
            let version = e.version.clone().unwrap_or_else(|| DEFAULT_EXTENSION_VERSION.to_string());
            p["version"] = json!(version);
            p["currentVersion"] = json!(version);
            p["scope"] = e.scope.clone().unwrap_or_else(|| json!({"cluster": {"releaseNamespace": "kube-system"}}));
            if let Some(m) = &e.auto_upgrade_mode {
                p["autoUpgradeMode"] = json!(m);
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
            auto_upgrade_mode: Option<String>,
            release_train: Option<String>,
            version: Option<String>,
            configuration_settings: Option<BTreeMap<String, String>>,
            configuration_protected_settings: Option<BTreeMap<String, String>>,
        }
        let p: ExtensionPatch = parse_input(props, "properties")?;
        self.auto_upgrade_mode = p.auto_upgrade_mode.or(self.auto_upgrade_mode.take());
        for key in p.configuration_protected_settings.unwrap_or_default().into_keys() {
            if !self.configuration_protected_setting_keys.contains(&key) {
                self.configuration_protected_setting_keys.push(key);
            }
        }
        self.auto_upgrade_minor_version = p.auto_upgrade_minor_version.unwrap_or(self.auto_upgrade_minor_version);
        self.release_train = p.release_train.unwrap_or(self.release_train.clone());
        self.version = p.version.or(self.version.take());
        self.configuration_settings.extend(p.configuration_settings.unwrap_or_default());
        Ok(())
    }
}

/// `properties.sourceKind` of a Flux configuration.
const FLUX_SOURCE_KINDS: &[(&str, &str)] = &[
    ("GitRepository", "gitRepository"),
    ("Bucket", "bucket"),
    ("AzureBlob", "azureBlob"),
    ("OCIRepository", "ociRepository"),
];

/// Defaults the service fills in each kustomization (fluxConfigurations REST API spec).
const KUSTOMIZATION_DEFAULTS: &[(&str, i64)] = &[("timeoutInSeconds", 600), ("syncIntervalInSeconds", 600)];

/// A Flux (GitOps) configuration: a source and the kustomizations applied from it. The
/// writable properties are kept as sent (checked for the shape the spec requires) and echoed
/// back with the service's defaults; the read-only status is `Pending`, since no Flux
/// controller runs in the emulator (inferred: a real cluster reports its reconciliation).
#[derive(Clone, Debug, PartialEq)]
pub struct FluxConfiguration {
    /// Writable properties as stored (defaults applied; protected settings reduced to keys).
    pub spec: Map<String, Value>,
}

impl FluxConfiguration {
    /// Checks and completes writable properties (PUT) or a merge of them (PATCH).
    fn from_properties(mut p: Map<String, Value>) -> ArmResult<Self> {
        let text = |p: &Map<String, Value>, key: &str, default: &str| -> ArmResult<String> {
            match p.get(key) {
                None | Some(Value::Null) => Ok(default.to_string()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(ArmError::invalid_property(
                    &format!("properties.{key}"),
                    format!("The property 'properties.{key}' must be a string."),
                )),
            }
        };
        let scope = text(&p, "scope", "cluster")?;
        let scope = ["cluster", "namespace"].into_iter().find(|s| s.eq_ignore_ascii_case(&scope)).ok_or_else(|| {
            ArmError::invalid_property(
                "properties.scope",
                format!("'{scope}' is not a valid value; allowed values are: cluster, namespace."),
            )
        })?;
        let kind = text(&p, "sourceKind", "GitRepository")?;
        let (kind, source_key) =
            FLUX_SOURCE_KINDS.iter().copied().find(|(k, _)| k.eq_ignore_ascii_case(&kind)).ok_or_else(|| {
                let allowed: Vec<&str> = FLUX_SOURCE_KINDS.iter().map(|(k, _)| *k).collect();
                ArmError::invalid_property(
                    "properties.sourceKind",
                    format!("'{kind}' is not a valid value; allowed values are: {}.", allowed.join(", ")),
                )
            })?;
        if !p.get(source_key).is_some_and(Value::is_object) {
            return Err(ArmError::invalid_property(
                &format!("properties.{source_key}"),
                format!("The property 'properties.{source_key}' is required when sourceKind is {kind}."),
            ));
        }
        let namespace = text(&p, "namespace", "default")?;
        p.insert("scope".into(), json!(scope));
        p.insert("sourceKind".into(), json!(kind));
        p.insert("namespace".into(), json!(namespace));
        p.entry("suspend").or_insert(json!(false));
        if let Some(Value::Object(git)) = p.get_mut("gitRepository")
            && let Some(Value::Object(r)) = git.get_mut("repositoryRef")
        {
            for key in ["branch", "tag", "semver", "commit"] {
                r.entry(key).or_insert(Value::Null);
            }
        }
        match p.get_mut("kustomizations") {
            None | Some(Value::Null) => {}
            Some(Value::Object(ks)) => {
                for (name, k) in ks.iter_mut() {
                    let Value::Object(k) = k else {
                        return Err(ArmError::invalid_property(
                            &format!("properties.kustomizations.{name}"),
                            format!("The kustomization '{name}' must be an object."),
                        ));
                    };
                    k.insert("name".into(), json!(name));
                    for (key, default) in KUSTOMIZATION_DEFAULTS {
                        k.entry(*key).or_insert(json!(default));
                    }
                    k.entry("dependsOn").or_insert(json!([]));
                }
            }
            Some(_) => {
                return Err(ArmError::invalid_property(
                    "properties.kustomizations",
                    "The property 'properties.kustomizations' must be an object of kustomizations by name.",
                ));
            }
        }
        // Secrets are write-only: keep their names, as ARM shows them (values null).
        if let Some(Value::Object(secrets)) = p.get_mut("configurationProtectedSettings") {
            for v in secrets.values_mut() {
                *v = Value::Null;
            }
        }
        for read_only in [
            "statuses",
            "repositoryPublicKey",
            "sourceSyncedCommitId",
            "sourceUpdatedAt",
            "statusUpdatedAt",
            "complianceState",
            "provisioningState",
            "errorMessage",
        ] {
            p.remove(read_only);
        }
        Ok(FluxConfiguration { spec: p })
    }
}

impl ResourceType for FluxConfiguration {
    fn build(_w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Value::Object(props) = put.properties else {
            return Err(ArmError::invalid_property("properties", "The property 'properties' is required."));
        };
        Ok(Body::FluxConfiguration(FluxConfiguration::from_properties(props.clone())?))
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let mut p = self.spec.clone();
        p.insert("statuses".into(), json!([]));
        p.insert("sourceSyncedCommitId".into(), Value::Null);
        p.insert("complianceState".into(), json!("Pending"));
        p.insert("provisioningState".into(), json!(r.provisioning_state.as_str()));
        p.insert("errorMessage".into(), json!(""));
        Value::Object(p)
    }

    /// The fluxConfigurations PATCH (`FluxConfigurationPatch`): a merge of the writable properties.
    fn patch(&mut self, props: &Value) -> ArmResult<()> {
        let Value::Object(changes) = props else {
            return Err(ArmError::invalid_property("properties", "The property 'properties' must be an object."));
        };
        let mut merged = self.spec.clone();
        for (k, v) in changes {
            match (merged.get_mut(k), v) {
                (Some(Value::Object(old)), Value::Object(new)) => {
                    for (nk, nv) in new {
                        old.insert(nk.clone(), nv.clone());
                    }
                }
                _ => {
                    merged.insert(k.clone(), v.clone());
                }
            }
        }
        *self = FluxConfiguration::from_properties(merged)?;
        Ok(())
    }
}
