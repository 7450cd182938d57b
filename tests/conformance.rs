//! Wire fidelity: the official Azure REST API spec examples, replayed against the emulator.
//!
//! `tests/conformance/specification/` holds examples vendored from Azure/azure-rest-api-specs
//! (MIT, see `tests/conformance/LICENSE` and `README.md`), under their upstream paths. Each
//! example is one request (`parameters`) and the answers Azure gives (`responses`). For every
//! example this suite starts a fresh in-process emulator, creates what the example presumes
//! (resource group, parents, the resources its body and its answer refer to), sends the request
//! and compares: the status (one the example lists), the body's shape (every property name and
//! nesting the example shows, JSON types, the casing of enum-like values), the long-running
//! operation headers the example shows, and the GET afterwards (same shape after a PUT or PATCH,
//! 404 after a DELETE). Values that are data (names, ids, times, GUIDs) are not compared.
//!
//! What the suite changes in an example is in [`substitute`] (one place, with reasons); the
//! examples that cannot pass are in [`EXCLUDED`] (one place, with reasons). It prints the counts
//! per resource type (pass / excluded / fail) and fails on any failure.

mod common;

use common::{Arm, SUB};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/specification");

/// Examples that cannot pass, by file name, with the reason. Keep this short and honest.
const EXCLUDED: &[(&str, &str)] = &[];

/// Examples that fail today and are still to be fixed: the suite passes while they fail, and
/// fails once one passes (so that it is removed). Empty: every example passes or is excluded.
const KNOWN_FAILURES: &[&str] = &[];

/// Properties an example shows that may come back empty or absent, by example and property
/// path, with the reason (data the emulator cannot have after the substitutions, properties of
/// another host type, or an example that contradicts its own request).
const TOLERATED: &[(&str, &str, &str)] = &[
    (
        "RecordSetSOAPut",
        "properties.soaRecord.minimumTTL",
        "the example's request and 200 answer spell `minimumTTL`; the spec's SoaRecord model, the same example's 201 \
         answer and the other SOA examples spell `minimumTtl`, which the emulator answers (and it reads both)",
    ),
    (
        "PrivateEndpointList",
        "value[1].properties.ipConfigurations",
        "the example's two endpoints sit in two subnets of one VNet with static addresses from one /29 \
         (192.168.0.8-.11); Azure's smallest subnet is a /29, so no two subnets can hold them: the second endpoint \
         gets dynamic addresses",
    ),
    (
        "*Cluster*",
        "properties.miscellaneousProperties",
        "the service's own bookkeeping for a connected cluster (createCorrelationId, infrastructureVersion), set by \
         Azure's onboarding pipeline, which the emulator does not run",
    ),
    (
        "*Cluster*",
        "properties.oidcIssuerProfile.issuerUrl",
        "issued by Azure's OIDC discovery service once the agents publish the cluster's signing keys; the emulator \
         runs no issuer, so it shows none rather than a URL nobody serves",
    ),
    (
        "GetClusterExample",
        "properties.arcAgentProfile.agentErrors",
        "the example shows a failed agent upgrade; the emulated agents report no errors",
    ),
    (
        "CreateClusterPrivateLinkExample",
        "properties.kubernetesVersion",
        "agent-reported: over private link the agents reach Azure only through a private endpoint and DNS, which \
         this example does not create (so they have not reported yet); tests/dataplane.rs \
         aks_arc_provisioned_cluster_end_to_end covers the private path",
    ),
    (
        "*GetClustersBy*",
        "properties.kubernetesVersion",
        "agent-reported, as in CreateClusterPrivateLinkExample: the lists hold a private-link cluster whose agents \
         have no private path in this replay",
    ),
    ("*GetClustersBy*", "properties.totalNodeCount", "agent-reported, as properties.kubernetesVersion"),
    ("*GetClustersBy*", "properties.agentVersion", "agent-reported, as properties.kubernetesVersion"),
    ("CreateClusterPrivateLinkExample", "properties.totalNodeCount", "agent-reported, as properties.kubernetesVersion"),
    ("CreateClusterPrivateLinkExample", "properties.agentVersion", "agent-reported, as properties.kubernetesVersion"),
    (
        "CreateExtensionWithIdentity",
        "properties.aksAssignedIdentity",
        "the identity AKS assigns to an extension on a managed (AKS) cluster; the example's cluster is a connected \
         cluster, which has none (extensions spec: 'Identity of the Extension resource in an AKS cluster')",
    ),
    (
        "PrivateEndpointCreateForManualApproval",
        "properties.privateLinkServiceConnections",
        "the request asks for manual approval (manualPrivateLinkServiceConnections); the example's answer shows an \
         auto-approved connection instead, contradicting its own request",
    ),
    (
        "PrivateEndpointDnsZoneGroupCreate",
        "properties.privateDnsZoneConfigs[0].properties.recordSets",
        "a zone group writes the endpoint's FQDNs that fall under the zone; the example's zone `zone1.com` holds \
         none of a Private Link Scope's FQDNs (the privateLinkServices target is substituted by a scope)",
    ),
    (
        "PrivateEndpointDnsZoneGroupGet",
        "properties.privateDnsZoneConfigs[0].properties.recordSets",
        "as PrivateEndpointDnsZoneGroupCreate: `zone1.com` holds none of the scope's FQDNs",
    ),
    (
        "PrivateEndpointDnsZoneGroupGet",
        "properties.privateDnsZoneConfigs[1].properties.recordSets",
        "as PrivateEndpointDnsZoneGroupCreate: `zone2.com` holds none of the scope's FQDNs",
    ),
];

// ---------------------------------------------------------------------------------------------
// Substitutions: everything the suite changes in an example before replaying it.
// ---------------------------------------------------------------------------------------------

/// Rewrites an example's request and path parameters for the emulator. Each change, and why:
/// - every subscription id → the emulator's registered subscription [`SUB`]: examples use
///   placeholders (`subid`, `subId1`, GUIDs of Microsoft's test subscriptions) that a real
///   tenant would not have either;
/// - a private endpoint's `privateLinkServiceId` naming a `Microsoft.Network/privateLinkServices`
///   target → a Private Link Scope in the same group, and `groupIds` → `["hybridcompute"]`: the
///   emulator serves Azure Arc's private link targets only (the network examples use a generic
///   Private Link Service);
/// - a custom location's `hostResourceId` naming an AKS `managedClusters` → a connected cluster,
///   and placeholder `clusterExtensionIds` (`{subscriptionId}` templates) → an extension of that
///   cluster: the emulator serves Arc-enabled Kubernetes hosts;
/// - a scope's `privateEndpointConnections/{name}` → the connection the emulator created for an
///   endpoint (Azure names it `{endpoint}.{guid}`, so the example's name cannot exist);
/// - a private endpoint's static `ipConfigurations`: `groupId` → `hybridcompute` and
///   `memberName` → a member of that group ([`MEMBERS`]), for the same reason;
/// - the canary region `eastus2euap` → `eastus`: the emulator lists the public regions only;
/// - GetValidation's `privateLinkScopeId` → the `privateLinkScopeId` of a scope created first
///   (the example's GUID names a scope of Microsoft's test subscription) — done in [`replay_on`];
/// - list items of a list-by-group example that name another group (the connected-cluster lists
///   ask for `k8sc-rg` and answer items of `akkeshar`) → items of the listed group, and an item
///   id a list repeats (`connectedCluster1` twice) → a numbered name — done in [`replay_on`];
/// - a subnet the harness creates for an endpoint with static addresses gets the `/24` around
///   them (`static_ip_prefix`), since the example's VNet is not part of the example.
///
/// The renames happen here or where marked; nothing else in a request is changed.
fn substitute(v: &mut Value, rg: &str) {
    match v {
        Value::String(s) => {
            if s == "eastus2euap" {
                *s = "eastus".to_string();
            }
            if let Some(rest) = s.strip_prefix("/subscriptions/") {
                let tail = rest.split_once('/').map_or("", |(_, t)| t);
                *s = if tail.is_empty() {
                    format!("/subscriptions/{SUB}")
                } else {
                    format!("/subscriptions/{SUB}/{tail}")
                };
                if s.to_ascii_lowercase().contains("/providers/microsoft.network/privatelinkservices/") {
                    *s = scope_path(rg, "conformance-scope");
                }
                if s.to_ascii_lowercase().contains("/providers/microsoft.containerservice/managedclusters/") {
                    *s = cluster_path(rg, "conformance-host");
                }
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "groupIds" {
                    *x = json!(["hybridcompute"]);
                } else if k == "ipConfigurations"
                    && let Value::Array(configs) = x
                {
                    for (i, c) in configs.iter_mut().enumerate() {
                        c["properties"]["groupId"] = json!("hybridcompute");
                        c["properties"]["memberName"] = json!(MEMBERS[i % MEMBERS.len()]);
                    }
                } else if k == "clusterExtensionIds" {
                    *x = json!([format!(
                        "{}/providers/Microsoft.KubernetesConfiguration/extensions/conformance-ext",
                        cluster_path(rg, "conformance-host")
                    )]);
                } else {
                    substitute(x, rg);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, rg)),
        _ => {}
    }
}

/// The members of a Private Link Scope's group `hybridcompute`.
const MEMBERS: [&str; 3] =
    ["HybridCompute.ServerDP", "HybridCompute.K8sConfigurationDP", "HybridCompute.GuestConfigDP"];

/// A subnet prefix holding the static addresses a body asks for (`/24` around the first).
fn static_ip_prefix(v: &Value) -> Option<String> {
    let ip = v["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"].as_str()?;
    let octets: Vec<&str> = ip.split('.').collect();
    (octets.len() == 4).then(|| format!("{}.{}.{}.0/24", octets[0], octets[1], octets[2]))
}

fn scope_path(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.HybridCompute/privateLinkScopes/{name}")
}

fn cluster_path(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Kubernetes/connectedClusters/{name}")
}

// ---------------------------------------------------------------------------------------------
// The request an example describes.
// ---------------------------------------------------------------------------------------------

struct Example {
    /// Path under `specification/`.
    rel: String,
    stem: String,
    params: Map<String, Value>,
    responses: Map<String, Value>,
}

impl Example {
    fn param(&self, k: &str) -> Option<&str> {
        self.params.get(k).and_then(Value::as_str)
    }

    /// The request body: the object parameter (`parameters` when there are several).
    fn body(&self) -> Option<Value> {
        let objects: Vec<(&String, &Value)> = self.params.iter().filter(|(_, v)| v.is_object()).collect();
        match objects.as_slice() {
            [] => None,
            [(_, v)] => Some((*v).clone()),
            many => many.iter().find(|(k, _)| *k == "parameters").map(|(_, v)| (*v).clone()),
        }
    }

    fn method(&self) -> &'static str {
        let s = self.stem.as_str();
        if s.contains("Delete") {
            "DELETE"
        } else if self.body().is_none() {
            "GET"
        } else if s.contains("Patch") || s.contains("UpdateTags") || s.starts_with("UpdateCluster") {
            "PATCH"
        } else {
            "PUT"
        }
    }

    /// The resource type this example is about, for the counts.
    fn type_label(&self) -> String {
        let p = |k| self.params.contains_key(k);
        let s = self.stem.as_str();
        let label = if p("extensionName") || s.contains("Extension") {
            "Microsoft.KubernetesConfiguration/extensions"
        } else if p("clusterName") || s.contains("Cluster") {
            "Microsoft.Kubernetes/connectedClusters"
        } else if p("privateEndpointConnectionName") || s.starts_with("PrivateEndpointConnection") {
            "Microsoft.HybridCompute/privateLinkScopes/privateEndpointConnections"
        } else if p("groupName") || s.contains("PrivateLinkResource") {
            "Microsoft.HybridCompute/privateLinkScopes/privateLinkResources"
        } else if s.starts_with("PrivateLinkScope") {
            "Microsoft.HybridCompute/privateLinkScopes"
        } else if s.starts_with("CustomLocation") {
            "Microsoft.ExtendedLocation/customLocations"
        } else if p("subnetName") || s.starts_with("Subnet") {
            "Microsoft.Network/virtualNetworks/subnets"
        } else if p("defaultSecurityRuleName") {
            "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"
        } else if p("securityRuleName") || s.starts_with("SecurityRule") {
            "Microsoft.Network/networkSecurityGroups/securityRules"
        } else if s.starts_with("VirtualNetworkLink") {
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
        } else if s.starts_with("VirtualNetwork") {
            "Microsoft.Network/virtualNetworks"
        } else if s.starts_with("NetworkSecurityGroup") {
            "Microsoft.Network/networkSecurityGroups"
        } else if p("privateDnsZoneGroupName") {
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
        } else if s.starts_with("PrivateEndpoint") {
            "Microsoft.Network/privateEndpoints"
        } else if s.starts_with("RecordSet") {
            "Microsoft.Network/privateDnsZones/{recordType}"
        } else if s.starts_with("PrivateZone") {
            "Microsoft.Network/privateDnsZones"
        } else {
            "other"
        };
        label.to_string()
    }

    /// The request path (with the subscription substituted).
    fn path(&self) -> String {
        let rg = self.param("resourceGroupName").unwrap_or("rg");
        let g = format!("/subscriptions/{SUB}/resourceGroups/{rg}");
        let s = self.stem.as_str();
        let p = |k: &str| self.param(k).unwrap_or_default().to_string();
        let has = |k: &str| self.params.contains_key(k);
        if has("clusterRp") {
            let cluster = format!("{g}/providers/{}/{}/{}", p("clusterRp"), p("clusterResourceName"), p("clusterName"));
            let list = format!("{cluster}/providers/Microsoft.KubernetesConfiguration/extensions");
            return if has("extensionName") { format!("{list}/{}", p("extensionName")) } else { list };
        }
        if has("privateLinkScopeId") {
            return format!(
                "/subscriptions/{SUB}/providers/Microsoft.HybridCompute/locations/{}/privateLinkScopes/{}",
                p("location"),
                p("privateLinkScopeId")
            );
        }
        if self.rel.starts_with("hybridkubernetes/") {
            if !has("resourceGroupName") {
                return format!("/subscriptions/{SUB}/providers/Microsoft.Kubernetes/connectedClusters");
            }
            let list = format!("{g}/providers/Microsoft.Kubernetes/connectedClusters");
            return if has("clusterName") { format!("{list}/{}", p("clusterName")) } else { list };
        }
        if self.rel.starts_with("hybridcompute/") {
            if !has("resourceGroupName") {
                return format!("/subscriptions/{SUB}/providers/Microsoft.HybridCompute/privateLinkScopes");
            }
            let list = format!("{g}/providers/Microsoft.HybridCompute/privateLinkScopes");
            if !has("scopeName") {
                return list;
            }
            let scope = format!("{list}/{}", p("scopeName"));
            return if has("privateEndpointConnectionName") {
                format!("{scope}/privateEndpointConnections/{}", p("privateEndpointConnectionName"))
            } else if s.starts_with("PrivateEndpointConnection") {
                format!("{scope}/privateEndpointConnections")
            } else if has("groupName") {
                format!("{scope}/privateLinkResources/{}", p("groupName"))
            } else if s.contains("PrivateLinkResource") {
                format!("{scope}/privateLinkResources")
            } else {
                scope
            };
        }
        if self.rel.starts_with("extendedlocation/") {
            let list = format!("{g}/providers/Microsoft.ExtendedLocation/customLocations");
            return if has("resourceName") { format!("{list}/{}", p("resourceName")) } else { list };
        }
        if self.rel.starts_with("privatedns/") {
            if !has("resourceGroupName") {
                return format!("/subscriptions/{SUB}/providers/Microsoft.Network/privateDnsZones");
            }
            let list = format!("{g}/providers/Microsoft.Network/privateDnsZones");
            if !has("privateZoneName") {
                return list;
            }
            let zone = format!("{list}/{}", p("privateZoneName"));
            return if has("virtualNetworkLinkName") {
                format!("{zone}/virtualNetworkLinks/{}", p("virtualNetworkLinkName"))
            } else if s.starts_with("VirtualNetworkLink") {
                format!("{zone}/virtualNetworkLinks")
            } else if has("relativeRecordSetName") {
                format!("{zone}/{}/{}", p("recordType"), p("relativeRecordSetName"))
            } else if has("recordType") {
                format!("{zone}/{}", p("recordType"))
            } else if s.contains("ALLList") {
                format!("{zone}/ALL")
            } else {
                zone
            };
        }
        // Microsoft.Network
        let net = format!("{g}/providers/Microsoft.Network");
        if has("defaultSecurityRuleName") {
            return format!(
                "{net}/networkSecurityGroups/{}/defaultSecurityRules/{}",
                p("networkSecurityGroupName"),
                p("defaultSecurityRuleName")
            );
        }
        for (parent, child, parent_type, child_type) in [
            ("virtualNetworkName", "subnetName", "virtualNetworks", "subnets"),
            ("networkSecurityGroupName", "securityRuleName", "networkSecurityGroups", "securityRules"),
            ("privateEndpointName", "privateDnsZoneGroupName", "privateEndpoints", "privateDnsZoneGroups"),
        ] {
            if has(parent) {
                let base = format!("{net}/{parent_type}/{}", p(parent));
                return if has(child) {
                    format!("{base}/{child_type}/{}", p(child))
                } else if s.contains("List") || (s.starts_with("Subnet") && self.method() == "GET") {
                    format!("{base}/{child_type}")
                } else {
                    base
                };
            }
        }
        let ty = if s.starts_with("VirtualNetwork") {
            "virtualNetworks"
        } else if s.starts_with("NetworkSecurityGroup") {
            "networkSecurityGroups"
        } else {
            "privateEndpoints"
        };
        format!("{net}/{ty}")
    }

    fn is_list(&self) -> bool {
        self.method() == "GET"
            && self
                .responses
                .get("200")
                .and_then(|r| r.get("body"))
                .is_some_and(|b| b.get("value").is_some_and(Value::is_array))
    }
}

fn load_examples() -> Vec<Example> {
    let mut files = Vec::new();
    walk(Path::new(ROOT), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("example readable");
            let v: Value = serde_json::from_str(&text).expect("example is JSON");
            let rel = f.strip_prefix(ROOT).expect("under root").to_string_lossy().trim_start_matches('/').to_string();
            let stem = f.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            Example {
                rel,
                stem,
                params: v["parameters"].as_object().cloned().unwrap_or_default(),
                responses: v["responses"].as_object().cloned().unwrap_or_default(),
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("examples directory").flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Prerequisites: each resource an example presumes, created with a minimal body.
// ---------------------------------------------------------------------------------------------

/// API versions the suite uses for prerequisites (any version the emulator accepts would do).
fn api_for(path: &str) -> &'static str {
    let l = path.to_ascii_lowercase();
    if l.contains("microsoft.kubernetesconfiguration") {
        common::EXT_API
    } else if l.contains("/privatednszones/") {
        common::DNS_API
    } else if l.contains("microsoft.network") {
        common::NET_API
    } else if l.contains("microsoft.hybridcompute") {
        common::HC_API
    } else if l.contains("microsoft.extendedlocation") {
        common::CL_API
    } else if l.contains("microsoft.kubernetes/") {
        common::K8S_API
    } else {
        common::RG_API
    }
}

struct Prereqs<'a> {
    arm: &'a Arm,
    location: String,
    subnet_counter: u32,
    /// The prefix the next subnet gets (static addresses of the body being prepared).
    subnet_hint: Option<String>,
    /// Example ids the suite had to rename (the scope connection's generated name).
    renamed: BTreeMap<String, String>,
}

impl Prereqs<'_> {
    async fn exists(&self, path: &str) -> bool {
        self.arm.get(&format!("{path}?api-version={}", api_for(path))).await.status == 200
    }

    async fn put(&self, path: &str, body: Value) -> Result<(), String> {
        let r = self.arm.put(&format!("{path}?api-version={}", api_for(path)), body).await;
        if r.status == 200 || r.status == 201 || r.status == 202 {
            Ok(())
        } else {
            Err(format!("prerequisite {path}: {} {}", r.status, r.body))
        }
    }

    /// Makes sure the resource at `path` (our subscription) exists, made in the image of `seed`
    /// (the example's answer for it) when that is accepted, else with a minimal body; returns
    /// the path to use (a scope's connection gets the name the emulator gives it).
    async fn ensure_seeded(&mut self, path: &str, seed: Option<&Value>) -> Result<String, String> {
        let lower = path.to_ascii_lowercase();
        let seedable = !["/privateendpointconnections/", "/privatelinkresources/", "/soa/", "/locations/"]
            .iter()
            .any(|s| lower.contains(s));
        if let Some(seed) = seed
            && seedable
            && path.split('/').count() >= 9
            && !self.exists(path).await
        {
            self.ensure_group(path).await?;
            let body = seed_body(seed);
            self.subnet_hint = static_ip_prefix(&body);
            if is_connected_cluster(path) {
                self.bind_lab_cluster(path, seed).await?;
            }
            let mut refs = Vec::new();
            ids_in(&body, &mut refs);
            for r in refs.into_iter().filter(|r| !r.to_ascii_lowercase().starts_with(&lower)) {
                Box::pin(self.ensure(&r)).await?;
            }
            if let Some(parent) = parent_path(path) {
                Box::pin(self.ensure(&parent)).await?;
            }
            let mut put = self.put(path, body.clone()).await;
            if put.is_err() && !body["properties"]["ipConfigurations"].is_null() {
                // Static addresses the harness could not give a subnet for (see TOLERATED).
                let mut dynamic = body.clone();
                dynamic["properties"].as_object_mut().map(|p| p.remove("ipConfigurations"));
                put = self.put(path, dynamic).await;
            }
            if let Err(e) = &put {
                println!("    (seeding {path} from the example's answer was refused, a minimal body is used: {e})");
            }
            if put.is_ok() {
                if shows_connections(Some(seed)) {
                    let pec = format!("{path}/privateEndpointConnections/any");
                    Box::pin(self.ensure(&pec)).await?;
                }
                return Ok(path.to_string());
            }
        }
        self.ensure(path).await
    }

    /// A lab cluster whose agents act for the connected cluster at `path`, reporting what the
    /// example's answer shows (Kubernetes version, node count, agent version).
    async fn bind_lab_cluster(&mut self, path: &str, answer: &Value) -> Result<(), String> {
        let admin = self.arm.emu.admin_endpoint();
        let site = self
            .arm
            .http
            .put(format!("{admin}sites/conformance-site"))
            .json(&json!({"addressSpace": ["192.168.100.0/24"]}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !site.status().is_success() {
            return Err(format!("lab site: {}", site.status()));
        }
        let p = &answer["properties"];
        let mut lab = json!({"site": "conformance-site", "connectedCluster": path});
        for (from, to) in [
            ("kubernetesVersion", "kubernetesVersion"),
            ("totalNodeCount", "nodeCount"),
            ("totalCoreCount", "coreCount"),
            ("agentVersion", "agentVersion"),
        ] {
            if !p[from].is_null() {
                lab[to] = p[from].clone();
            }
        }
        let segs: Vec<&str> = path.split('/').collect();
        let (rg, cluster) = (segs.get(4).copied().unwrap_or("rg"), segs.last().copied().unwrap_or("c"));
        let name: String =
            format!("{rg}-{cluster}").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(63).collect();
        let r =
            self.arm.http.put(format!("{admin}clusters/{name}")).json(&lab).send().await.map_err(|e| e.to_string())?;
        let status = r.status();
        if !status.is_success() {
            return Err(format!("lab cluster: {status} {}", r.text().await.unwrap_or_default()));
        }
        Ok(())
    }

    /// The resource group of `path` (created in eastus when missing); returns its id.
    async fn ensure_group(&self, path: &str) -> Result<String, String> {
        let rg = path.split('/').nth(4).unwrap_or("conformance-rg");
        let group = format!("/subscriptions/{SUB}/resourceGroups/{rg}");
        if self.arm.get(&format!("{group}?api-version={}", common::RG_API)).await.status != 200 {
            self.put(&group, json!({"location": "eastus"})).await?;
        }
        Ok(group)
    }

    async fn ensure(&mut self, path: &str) -> Result<String, String> {
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        if segs.len() < 4 || !segs[2].eq_ignore_ascii_case("resourceGroups") {
            return Ok(path.to_string());
        }
        let rg = segs[3];
        let group = self.ensure_group(path).await?;
        if segs.len() < 8 {
            return Ok(path.to_string());
        }
        if self.exists(path).await {
            return Ok(path.to_string());
        }
        let ns = segs[5].to_ascii_lowercase();
        let types: Vec<String> = segs[6..].iter().step_by(2).map(|t| t.to_ascii_lowercase()).collect();
        let last = types.last().cloned().unwrap_or_default();
        let parent = segs[..segs.len() - 2].join("/");
        let parent = format!("/{parent}");
        let loc = self.location.clone();
        match (ns.as_str(), last.as_str()) {
            ("microsoft.hybridcompute", "privatelinkscopes") => {
                self.put(path, json!({"location": loc, "properties": {"publicNetworkAccess": "Disabled"}})).await?
            }
            ("microsoft.hybridcompute", "privateendpointconnections") => {
                let scope = Box::pin(self.ensure(&parent)).await?;
                let scope_name = scope.rsplit('/').next().unwrap_or("scope").to_string();
                // One VNet per scope: a VNet has at most one Private Link Scope (PLS-001).
                let vnet = format!("{group}/providers/Microsoft.Network/virtualNetworks/pe-vnet-{scope_name}");
                let subnet = Box::pin(self.ensure(&format!("{vnet}/subnets/endpoints"))).await?;
                let pe = format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-{scope_name}");
                self.put(
                    &pe,
                    json!({"location": loc, "properties": {"subnet": {"id": subnet},
                        "manualPrivateLinkServiceConnections": [{"name": "conformance-pe", "properties":
                            {"privateLinkServiceId": scope, "groupIds": ["hybridcompute"]}}]}}),
                )
                .await?;
                let list = self
                    .arm
                    .get(&format!("{scope}/privateEndpointConnections?api-version={}", common::HC_API))
                    .await;
                let id = list.body["value"][0]["id"].as_str().ok_or("no scope connection was created")?.to_string();
                self.renamed.insert(path.to_string(), id.clone());
                return Ok(id);
            }
            ("microsoft.kubernetes", "connectedclusters") => {
                self.put(
                    path,
                    json!({"location": loc, "identity": {"type": "SystemAssigned"},
                        "properties": {"agentPublicKeyCertificate": "MIICconformance", "privateLinkState": "Disabled"}}),
                )
                .await?
            }
            ("microsoft.kubernetesconfiguration", "extensions") => {
                Box::pin(self.ensure(&parent_of_extension(path))).await?;
                self.put(path, json!({"properties": {"extensionType": "microsoft.azuremonitor.containers"}})).await?
            }
            ("microsoft.extendedlocation", "customlocations") => {
                let host = cluster_path(rg, "conformance-host");
                Box::pin(self.ensure(&host)).await?;
                self.put(
                    path,
                    json!({"location": loc, "properties": {"hostResourceId": host, "namespace": "conformance",
                        "clusterExtensionIds": []}}),
                )
                .await?
            }
            ("microsoft.network", "virtualnetworks") => {
                self.put(path, json!({"location": loc, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/8", "192.168.0.0/16"]}}}))
                    .await?
            }
            ("microsoft.network", "subnets") => {
                Box::pin(self.ensure(&parent)).await?;
                self.subnet_counter += 1;
                let counted = format!("10.{}.0.0/24", 200 + self.subnet_counter);
                let hinted = match self.subnet_hint.take() {
                    Some(hint) => self.put(path, json!({"properties": {"addressPrefix": hint}})).await.is_ok(),
                    None => false,
                };
                if !hinted {
                    self.put(path, json!({"properties": {"addressPrefix": counted}})).await?
                }
            }
            ("microsoft.network", "networksecuritygroups") => {
                self.put(path, json!({"location": loc, "properties": {}})).await?
            }
            ("microsoft.network", "securityrules") => {
                Box::pin(self.ensure(&parent)).await?;
                self.put(
                    path,
                    json!({"properties": {"protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
                        "access": "Allow", "direction": "Inbound", "priority": 130, "sourcePortRange": "*",
                        "destinationPortRange": "80"}}),
                )
                .await?
            }
            ("microsoft.network", "privateendpoints") => {
                let scope = Box::pin(self.ensure(&scope_path(rg, "conformance-scope"))).await?;
                let vnet = format!("{group}/providers/Microsoft.Network/virtualNetworks/conformance-pe-vnet");
                let subnet = Box::pin(self.ensure(&format!("{vnet}/subnets/endpoints"))).await?;
                self.put(
                    path,
                    json!({"location": loc, "properties": {"subnet": {"id": subnet},
                        "privateLinkServiceConnections": [{"name": "conn", "properties":
                            {"privateLinkServiceId": scope, "groupIds": ["hybridcompute"]}}]}}),
                )
                .await?
            }
            ("microsoft.network", "privatednszonegroups") => {
                Box::pin(self.ensure(&parent)).await?;
                let zone = format!("{group}/providers/Microsoft.Network/privateDnsZones/privatelink.his.arc.azure.com");
                Box::pin(self.ensure(&zone)).await?;
                self.put(
                    path,
                    json!({"properties": {"privateDnsZoneConfigs": [{"name": "his", "properties": {"privateDnsZoneId": zone}}]}}),
                )
                .await?
            }
            ("microsoft.network", "privatednszones") => self.put(path, json!({"location": "global"})).await?,
            ("microsoft.network", "virtualnetworklinks") => {
                Box::pin(self.ensure(&parent)).await?;
                let vnet = format!("{group}/providers/Microsoft.Network/virtualNetworks/conformance-link-vnet");
                Box::pin(self.ensure(&vnet)).await?;
                self.put(
                    path,
                    json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
                )
                .await?
            }
            ("microsoft.network", "a") => {
                Box::pin(self.ensure(&parent)).await?;
                self.put(path, json!({"properties": {"ttl": 3600, "aRecords": [{"ipv4Address": "10.1.2.3"}]}})).await?
            }
            ("microsoft.network", "cname") => {
                Box::pin(self.ensure(&parent)).await?;
                self.put(path, json!({"properties": {"ttl": 3600, "cnameRecord": {"cname": "contoso.com"}}})).await?
            }
            // Types the emulator does not serve, or what a parent creates (SOA, private link
            // resources): the parent only.
            _ => {
                if let Some(parent) = parent_path(path) {
                    Box::pin(self.ensure(&parent)).await?;
                }
            }
        }
        Ok(path.to_string())
    }
}

/// `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}` → `{cluster}`.
fn parent_of_extension(path: &str) -> String {
    let l = path.to_ascii_lowercase();
    match l.find("/providers/microsoft.kubernetesconfiguration/") {
        Some(i) => path[..i].to_string(),
        None => path.to_string(),
    }
}

/// Whether an answer shows a scope with private endpoint connections (made by an endpoint first).
fn shows_connections(answer: Option<&Value>) -> bool {
    answer.and_then(|a| a["properties"]["privateEndpointConnections"].as_array()).is_some_and(|c| !c.is_empty())
}

fn is_connected_cluster(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    l.contains("/providers/microsoft.kubernetes/connectedclusters/") && !l.contains("microsoft.kubernetesconfiguration")
}

/// A PUT body in the image of an answer: the envelope's writable parts and the properties
/// without the ones every type computes.
fn seed_body(answer: &Value) -> Value {
    let mut body = json!({});
    for k in ["location", "tags", "kind", "plan", "sku", "etag"] {
        if let Some(v) = answer.get(k) {
            body[k] = v.clone();
        }
    }
    if let Some(t) = answer["identity"]["type"].as_str() {
        body["identity"] = json!({"type": t});
        if let Some(u) = answer["identity"].get("userAssignedIdentities") {
            body["identity"]["userAssignedIdentities"] = u.clone();
        }
    }
    if let Some(Value::Object(p)) = answer.get("properties") {
        let mut p = p.clone();
        for k in ["provisioningState", "privateEndpointConnections", "resourceGuid", "networkInterfaces"] {
            p.remove(k);
        }
        body["properties"] = Value::Object(p);
    }
    body
}

/// The parent resource of a child or extension resource; `None` for a top-level one.
fn parent_path(path: &str) -> Option<String> {
    let mut segs: Vec<&str> = path.split('/').collect();
    segs.truncate(segs.len().saturating_sub(2));
    if segs.len() >= 2 && segs[segs.len() - 2].eq_ignore_ascii_case("providers") {
        segs.truncate(segs.len() - 2);
    }
    // `/subscriptions/{s}/resourceGroups/{rg}` is 5 pieces with the leading empty one.
    (segs.len() > 5).then(|| segs.join("/"))
}

/// Every ARM id (our subscription) in a value.
fn ids_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with(&format!("/subscriptions/{SUB}/resourceGroups/")) => out.push(s.clone()),
        Value::Object(m) => m.values().for_each(|x| ids_in(x, out)),
        Value::Array(a) => a.iter().for_each(|x| ids_in(x, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison.
// ---------------------------------------------------------------------------------------------

/// Properties whose keys are data (tags, settings by name), not shape.
const DATA_MAPS: &[&str] = &[
    "tags",
    "configurationSettings",
    "configurationProtectedSettings",
    "userAssignedIdentities",
    "miscellaneousProperties",
    "additionalProperties",
    "metadata",
];

/// `pattern` names an example, or (`*Cluster*`) every example whose name contains the middle.
fn example_matches(pattern: &str, example: &str) -> bool {
    match pattern.strip_prefix('*').and_then(|p| p.strip_suffix('*')) {
        Some(middle) => example.contains(middle),
        None => pattern == example,
    }
}

/// Compares the shape of `actual` with `expected` (see the module docs); appends differences.
fn shape(ex: &str, expected: &Value, actual: &Value, path: &str, diffs: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Null, _) => {}
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                if k == "_note" {
                    continue;
                }
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match a.get(k) {
                    None if TOLERATED.iter().any(|(x, t, _)| example_matches(x, ex) && p.ends_with(t)) => {}
                    None => diffs.push(format!("missing {p}")),
                    Some(_) if DATA_MAPS.contains(&k.as_str()) => {}
                    Some(av) => shape(ex, ev, av, &p, diffs),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if a.is_empty() {
                if !e.is_empty() && !TOLERATED.iter().any(|(x, p, _)| example_matches(x, ex) && path.ends_with(p)) {
                    diffs.push(format!("{path}: empty, the example shows {} item(s)", e.len()));
                }
                return;
            }
            for (i, ev) in e.iter().enumerate() {
                if !ev.is_object() {
                    // Scalars: the type only (values are data).
                    if let Some(av) = a.first() {
                        shape_scalar(ev, av, &format!("{path}[]"), diffs);
                    }
                    continue;
                }
                let best = a
                    .iter()
                    .map(|av| {
                        let mut d = Vec::new();
                        shape(ex, ev, av, &format!("{path}[{i}]"), &mut d);
                        d
                    })
                    .min_by_key(Vec::len)
                    .unwrap_or_default();
                diffs.extend(best);
            }
        }
        (e, a) => shape_scalar(e, a, path, diffs),
    }
}

fn shape_scalar(e: &Value, a: &Value, path: &str, diffs: &mut Vec<String>) {
    // An example captured with a further page shows a link; a replay with one page has none.
    if path == "nextLink" && a.is_null() {
        return;
    }
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if kind(e) != kind(a) {
        diffs.push(format!("{path}: {} expected, got {} ({a})", kind(e), kind(a)));
        return;
    }
    // Enum-like values: same word, same casing.
    if let (Value::String(e), Value::String(a)) = (e, a)
        && e != a
        && e.eq_ignore_ascii_case(a)
        && e.chars().all(|c| c.is_ascii_alphanumeric())
        && !path.ends_with("name")
    {
        diffs.push(format!("{path}: casing '{a}', the example has '{e}'"));
    }
}

/// Header names a response of the example carries that the replay must carry too.
const LRO_HEADERS: &[&str] = &["Azure-AsyncOperation", "Location"];

// ---------------------------------------------------------------------------------------------
// Replay.
// ---------------------------------------------------------------------------------------------

async fn replay(ex: &Example) -> Result<(), String> {
    let arm = common::start().await;
    let result = replay_on(&arm, ex).await;
    let Arm { emu, .. } = arm;
    emu.stop().await;
    result
}

async fn replay_on(arm: &Arm, ex: &Example) -> Result<(), String> {
    let rg = ex.param("resourceGroupName").unwrap_or("conformance-rg").to_string();
    let mut body = ex.body();
    if let Some(b) = body.as_mut() {
        substitute(b, &rg);
    }
    let location = body
        .as_ref()
        .and_then(|b| b["location"].as_str())
        .filter(|l| !l.eq_ignore_ascii_case("global"))
        .unwrap_or("eastus")
        .to_string();
    let mut pre = Prereqs { arm, location, subnet_counter: 0, subnet_hint: None, renamed: BTreeMap::new() };
    let method = ex.method();
    let mut path = ex.path();
    let group = format!("/subscriptions/{SUB}/resourceGroups/{rg}");
    pre.ensure(&group).await?;

    // What the answer refers to (list items, the resource itself), then what the body refers to.
    let mut responses = ex.responses.clone();
    for r in responses.values_mut() {
        if let Some(b) = r.get_mut("body") {
            substitute(b, &rg);
        }
    }
    // A list by resource group whose example items name another group (the connected-cluster
    // examples list `k8sc-rg` and answer items of `akkeshar`): the items move into the listed group.
    if ex.is_list() && ex.params.contains_key("resourceGroupName") {
        for r in responses.values_mut() {
            if let Some(Value::Array(items)) = r.get_mut("body").and_then(|b| b.get_mut("value")) {
                for it in items.iter_mut() {
                    if let Some(id) = it["id"].as_str() {
                        let mut segs: Vec<String> = id.split('/').map(str::to_string).collect();
                        if segs.len() > 4 && segs[3].eq_ignore_ascii_case("resourceGroups") {
                            segs[4] = rg.clone();
                        }
                        it["id"] = json!(segs.join("/"));
                    }
                }
            }
        }
    }
    // A list whose example repeats an item's id (both connected-cluster lists show
    // `connectedCluster1` twice, once with private link): the repeat gets a numbered name.
    for r in responses.values_mut() {
        if let Some(Value::Array(items)) = r.get_mut("body").and_then(|b| b.get_mut("value")) {
            let mut seen = std::collections::BTreeSet::new();
            for (i, it) in items.iter_mut().enumerate() {
                let Some(id) = it["id"].as_str().map(str::to_string) else { continue };
                if !seen.insert(id.to_ascii_lowercase()) {
                    let renamed = format!("{id}-{i}");
                    it["name"] = json!(renamed.rsplit('/').next().unwrap_or_default());
                    it["id"] = json!(renamed);
                }
            }
        }
    }
    let answer = ["200", "201"].iter().find_map(|c| responses.get(*c).and_then(|r| r.get("body"))).cloned();
    let mut wanted: Vec<(String, Option<Value>)> = Vec::new();
    if let Some(items) = answer.as_ref().and_then(|a| a.get("value")).and_then(Value::as_array) {
        for it in items {
            if let Some(id) = it.get("id").and_then(Value::as_str) {
                wanted.push((id.to_string(), Some(it.clone())));
            }
        }
    }
    if method != "PUT" && !ex.is_list() {
        wanted.push((path.clone(), answer.clone()));
    }
    if method == "PUT"
        && (path.to_ascii_lowercase().contains("/privateendpointconnections/") || shows_connections(answer.as_ref()))
    {
        // An update of what exists: a scope's connection, or a scope whose answer shows one.
        wanted.push((path.clone(), answer.clone()));
    }
    if method == "PUT" {
        if let Some(parent) = parent_path(&path) {
            wanted.push((parent, None));
        }
        if is_connected_cluster(&path)
            && let Some(a) = &answer
        {
            pre.bind_lab_cluster(&path, a).await?;
        }
    }
    if let Some(b) = &body {
        pre.subnet_hint = static_ip_prefix(b);
        let mut refs = Vec::new();
        ids_in(b, &mut refs);
        let lower = path.to_ascii_lowercase();
        wanted.extend(refs.into_iter().filter(|r| !r.to_ascii_lowercase().starts_with(&lower)).map(|r| (r, None)));
    }
    if ex.params.contains_key("privateLinkScopeId") {
        let scope = pre.ensure(&scope_path("conformance-rg", "conformance-scope")).await?;
        // An approved endpoint, so that the answer has connection details.
        let pe = format!(
            "/subscriptions/{SUB}/resourceGroups/conformance-rg/providers/Microsoft.Network/privateEndpoints/pe"
        );
        pre.ensure(&pe).await?;
        let r = arm.get(&format!("{scope}?api-version={}", common::HC_API)).await;
        let guid = r.body["properties"]["privateLinkScopeId"].as_str().ok_or("scope without privateLinkScopeId")?;
        path = path.replace(ex.param("privateLinkScopeId").unwrap_or_default(), guid);
    }
    for (w, seed) in &wanted {
        pre.ensure_seeded(w, seed.as_ref()).await?;
    }
    if let Some(renamed) = pre.renamed.get(&path) {
        path = renamed.clone();
    }
    // List items of types the emulator does not serve (an MX record set) are not expected.
    for r in responses.values_mut() {
        if let Some(Value::Array(items)) = r.get_mut("body").and_then(|b| b.get_mut("value")) {
            let mut kept = Vec::new();
            for it in items.drain(..) {
                let id = it["id"].as_str().unwrap_or_default().to_string();
                if id.is_empty() || pre.exists(&id).await {
                    kept.push(it);
                }
            }
            *items = kept;
        }
    }

    let url = format!("{path}?api-version={}", ex.param("api-version").unwrap_or_default());
    let reply = arm.send(method, &url, body.clone()).await;
    let status = reply.status.to_string();
    let Some(expected) = responses.get(&status) else {
        let listed: Vec<&String> = responses.keys().collect();
        return Err(format!("{method} {path}: status {status}, the example lists {listed:?}: {}", reply.body));
    };
    let mut diffs = Vec::new();
    if let Some(eb) = expected.get("body") {
        shape(&ex.stem, eb, &reply.body, "", &mut diffs);
    }
    if let Some(Value::Object(h)) = expected.get("headers") {
        for name in LRO_HEADERS {
            if h.keys().any(|k| k.eq_ignore_ascii_case(name)) && reply.header(name).is_empty() {
                diffs.push(format!("header {name} missing"));
            }
        }
    }
    // The GET afterwards.
    let get = arm.get(&format!("{path}?api-version={}", ex.param("api-version").unwrap_or_default())).await;
    match method {
        "DELETE" if get.status != 404 && get.body["properties"]["provisioningState"] != "Deleting" => {
            diffs.push(format!("GET after DELETE: {} {}", get.status, get.body));
        }
        "PUT" | "PATCH" => {
            let model = responses.get("200").or_else(|| responses.get("201")).and_then(|r| r.get("body"));
            if get.status != 200 {
                diffs.push(format!("GET after {method}: {} {}", get.status, get.body));
            } else if let Some(eb) = model {
                let mut d = Vec::new();
                shape(&ex.stem, eb, &get.body, "", &mut d);
                diffs.extend(d.into_iter().map(|x| format!("GET after {method}: {x}")));
            }
        }
        _ => {}
    }
    // CONFORMANCE_DEBUG=1 prints the answer of a failing example.
    if !diffs.is_empty() && std::env::var("CONFORMANCE_DEBUG").is_ok() {
        println!("{}", reply.body);
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(format!("{method} {path} ({status}):\n      {}", diffs.join("\n      ")))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_examples_replay() {
    let examples = load_examples();
    assert!(examples.len() >= 78, "vendored examples missing: {}", examples.len());
    let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    for ex in &examples {
        let c = counts.entry(ex.type_label()).or_default();
        if let Some((_, reason)) = EXCLUDED.iter().find(|(f, _)| *f == ex.stem) {
            c[1] += 1;
            println!("EXCLUDED {}: {reason}", ex.rel);
            continue;
        }
        let known = KNOWN_FAILURES.contains(&ex.stem.as_str());
        match tokio::time::timeout(std::time::Duration::from_secs(30), replay(ex)).await {
            Ok(Ok(())) => {
                c[0] += 1;
                if known {
                    fixed.push(ex.stem.clone());
                }
            }
            outcome => {
                c[2] += 1;
                let why = match outcome {
                    Ok(Err(e)) => e,
                    _ => "timed out".to_string(),
                };
                failures.push(format!("FAIL {}\n    {why}", ex.rel));
                if !known {
                    unexpected.push(ex.stem.clone());
                }
            }
        }
    }
    println!("\n{:<72} {:>5} {:>9} {:>5}", "resource type", "pass", "excluded", "fail");
    let mut total = [0usize; 3];
    for (t, c) in &counts {
        println!("{t:<72} {:>5} {:>9} {:>5}", c[0], c[1], c[2]);
        for i in 0..3 {
            total[i] += c[i];
        }
    }
    println!("{:<72} {:>5} {:>9} {:>5}\n", "total", total[0], total[1], total[2]);
    for f in &failures {
        println!("{f}");
    }
    assert!(unexpected.is_empty(), "examples failing that are not known failures: {unexpected:?}");
    assert!(fixed.is_empty(), "known failures that pass now (remove them from KNOWN_FAILURES): {fixed:?}");
}
