//! The data-plane simulation through the admin API and the `arcemu explain` CLI: every
//! verdict (private, public, refused, unreachable) with the rule that decided it, the
//! connected cluster's `connectivityStatus` following the world, and insta snapshots of the
//! explanations a person reads.

mod common;
use common::*;
use serde_json::{Value, json};

const ZONES: [&str; 3] = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
];
const PUBLIC_ZONES: [&str; 3] =
    ["his.arc.azure.com", "guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"];
const INBOUND: &str = "10.10.3.4";

/// The seed's setup: scope (public access off), hub VNet with a private endpoint and DNS
/// integration, a Private Resolver inbound endpoint, a site-to-site VPN to site 'hq' whose
/// DNS forwards the Arc zones to the resolver and whose firewall allows the four services.
async fn seed_world(arm: &Arm, manual: bool) -> (String, String) {
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let vnet = arm
        .vnet(
            SUB,
            "rg",
            "hub",
            "eastus",
            "10.10.0.0/16",
            &[("pe", "10.10.1.0/24"), ("GatewaySubnet", "10.10.2.0/27"), ("inbound", "10.10.3.0/28")],
        )
        .await;
    for z in ZONES {
        let zid = net_id(SUB, "rg", "privateDnsZones", z);
        assert_eq!(arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "global"})).await.status, 201);
        let l = json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}}});
        assert_eq!(arm.put(&format!("{zid}/virtualNetworkLinks/hub?api-version={DNS_API}"), l).await.status, 201);
    }
    let r = arm.put_endpoint(SUB, "rg", "pe", "eastus", &format!("{vnet}/subnets/pe"), &scope, manual).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let configs: Vec<Value> = ZONES
        .iter()
        .map(|z| json!({"name": z.replace('.', "-"), "properties": {"privateDnsZoneId": net_id(SUB, "rg", "privateDnsZones", z)}}))
        .collect();
    let zg =
        format!("{}/privateDnsZoneGroups/default?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe"));
    assert_eq!(arm.put(&zg, json!({"properties": {"privateDnsZoneConfigs": configs}})).await.status, 201);
    let res = net_id(SUB, "rg", "dnsResolvers", "resolver");
    assert_eq!(
        arm.put(
            &format!("{res}?api-version=2022-07-01"),
            json!({"location": "eastus", "properties": {"virtualNetwork": {"id": vnet}}})
        )
        .await
        .status,
        201
    );
    let r = arm
        .put(
            &format!("{res}/inboundEndpoints/in?api-version=2022-07-01"),
            json!({"location": "eastus", "properties": {"ipConfigurations": [
            {"subnet": {"id": format!("{vnet}/subnets/inbound")}}]}}),
        )
        .await;
    assert_eq!(r.body["properties"]["ipConfigurations"][0]["privateIpAddress"], INBOUND);
    let gw = net_id(SUB, "rg", "virtualNetworkGateways", "gw");
    arm.put(&format!("{gw}?api-version={NET_API}"), json!({"location": "eastus", "properties": {"gatewayType": "Vpn",
        "ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": format!("{vnet}/subnets/GatewaySubnet")}}}]}}))
        .await;
    let lng = net_id(SUB, "rg", "localNetworkGateways", "hq");
    arm.put(
        &format!("{lng}?api-version={NET_API}"),
        json!({"location": "eastus", "properties": {"gatewayIpAddress": "203.0.113.10",
        "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}),
    )
    .await;
    vpn(arm, true).await;
    put_site(arm, "hq", forwarding_dns(), full_firewall()).await;
    (scope, vnet)
}

async fn vpn(arm: &Arm, on: bool) {
    let conn = format!("{}?api-version={NET_API}", net_id(SUB, "rg", "connections", "s2s"));
    if on {
        let r = arm
            .put(
                &conn,
                json!({"location": "eastus", "properties": {"connectionType": "IPsec",
                "virtualNetworkGateway1": {"id": net_id(SUB, "rg", "virtualNetworkGateways", "gw")},
                "localNetworkGateway2": {"id": net_id(SUB, "rg", "localNetworkGateways", "hq")}, "sharedKey": "k"}}),
            )
            .await;
        assert!(r.status / 100 == 2, "{}", r.body);
    } else {
        assert_eq!(arm.delete(&conn).await.status, 202);
    }
}

fn forwarding_dns() -> Value {
    json!({"forwarders": PUBLIC_ZONES.iter().map(|z| json!({"domain": z, "targets": [INBOUND]})).collect::<Vec<_>>()})
}

fn full_firewall() -> Value {
    json!([
        {"destination": "AzureActiveDirectory", "port": 443},
        {"destination": "AzureResourceManager", "port": 443},
        {"destination": "MicrosoftContainerRegistry", "port": 443},
        {"destination": "AzureFrontDoor.FirstParty", "port": 443},
        {"destination": "AzureFrontDoor.FirstParty", "port": 443, "inbound": true},
        {"destination": "AzureArcInfrastructure", "port": 443},
        {"destination": "GuestAndHybridManagement", "port": 443},
    ])
}

async fn put_site(arm: &Arm, name: &str, dns: Value, firewall: Value) {
    let r = arm
        .send(
            "PUT",
            &format!("/_emulator/sites/{name}"),
            Some(json!({"addressSpace": ["192.168.10.0/24"], "dns": dns, "firewall": firewall})),
        )
        .await;
    assert!(r.status / 100 == 2, "{}", r.body);
}

async fn put_lab(arm: &Arm, name: &str, placement: Value, cluster: &str) {
    let mut body = placement;
    body["connectedCluster"] = json!(cluster_id(SUB, "rg", cluster));
    let r = arm.send("PUT", &format!("/_emulator/clusters/{name}"), Some(body)).await;
    assert!(r.status / 100 == 2, "{}", r.body);
}

async fn explain(arm: &Arm, name: &str) -> Value {
    let r = arm.get(&format!("/_emulator/clusters/{name}/explain")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["verdict"].as_str().unwrap().to_string(), e["rule"].as_str().unwrap_or("-").to_string()))
        .collect()
}

fn all(verdict: &str, rule: &str) -> Vec<(String, String)> {
    vec![(verdict.to_string(), rule.to_string()); 5]
}

async fn status(arm: &Arm, cluster: &str) -> String {
    arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", cluster))).await.body["properties"]["connectivityStatus"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Exit codes of `arcemu explain` (README, "Exit codes").
const PRIVATE: i32 = 0;
const PUBLIC: i32 = 10;
const NOT_CONNECTED: i32 = 11;

/// The text the CLI prints, from the real binary against the running emulator, which exits with
/// `code` (its verdict).
fn cli_explain(arm: &Arm, cluster: &str, code: i32) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"))
        .args(["explain", cluster, "--arm", &arm.base])
        .output()
        .expect("arcemu runs");
    assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_success_and_status_flips_with_the_vpn() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await.status, 201);
    assert_eq!(status(&arm, "c1").await, "Connecting", "no agents before a lab cluster runs them");
    put_lab(&arm, "edge", json!({"site": "hq"}), "c1").await;
    let report = explain(&arm, "edge").await;
    assert_eq!(verdicts(&report), all("Private", "PLS-007"));
    assert_eq!(report["status"], "Connected");
    assert_eq!(status(&arm, "c1").await, "Connected");
    let cc = arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c1"))).await.body;
    assert!(cc["properties"]["lastConnectivityTime"].is_string());
    let text = cli_explain(&arm, "edge", PRIVATE);
    assert!(text.contains("ADMITTED PRIVATELY"), "{text}");
    insta::assert_snapshot!("private_success", text);
    // Cutting the VPN: the forwarder becomes unreachable, the cluster goes Offline.
    vpn(&arm, false).await;
    let report = explain(&arm, "edge").await;
    assert_eq!(verdicts(&report), all("Unreachable", "NET-001"));
    assert_eq!(status(&arm, "c1").await, "Offline");
    insta::assert_snapshot!("missing_vpn_forwarding", cli_explain(&arm, "edge", NOT_CONNECTED));
    vpn(&arm, true).await;
    assert_eq!(status(&arm, "c1").await, "Connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_vpn_with_manual_records_is_unreachable_on_the_private_path() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await;
    let pe = arm.get(&format!("{}?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe"))).await.body;
    // Manual zones matching the endpoint's DNS configuration (DNS-005).
    let mut zones: Vec<Value> = Vec::new();
    for z in PUBLIC_ZONES {
        let mut records = serde_json::Map::new();
        for c in pe["properties"]["customDnsConfigs"].as_array().unwrap() {
            let fqdn = c["fqdn"].as_str().unwrap();
            if let Some(rel) = fqdn.strip_suffix(&format!(".{z}")) {
                records.insert(rel.to_string(), c["ipAddresses"].clone());
            }
        }
        zones.push(json!({"zone": z, "records": records}));
    }
    put_site(&arm, "hq", json!({"zones": zones}), full_firewall()).await;
    put_lab(&arm, "edge", json!({"site": "hq"}), "c1").await;
    assert_eq!(verdicts(&explain(&arm, "edge").await), all("Private", "PLS-007"));
    vpn(&arm, false).await;
    let report = explain(&arm, "edge").await;
    assert_eq!(verdicts(&report), all("Unreachable", "NET-001"));
    insta::assert_snapshot!("missing_vpn_manual_records", cli_explain(&arm, "edge", NOT_CONNECTED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_success_with_public_access_enabled() {
    let arm = start().await;
    let (_, _) = seed_world(&arm, false).await;
    let open = arm.scope(SUB, "rg", "pls-open", "eastus").await;
    let r = arm
        .put(
            &format!("{open}?api-version={HC_API}"),
            json!({"location": "eastus", "properties": {"publicNetworkAccess": "Enabled"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&open)).await.status, 201);
    put_site(&arm, "branch", json!({}), full_firewall()).await;
    put_lab(&arm, "edge", json!({"site": "branch"}), "c1").await;
    let report = explain(&arm, "edge").await;
    assert_eq!(verdicts(&report), all("Public", "-"));
    assert_eq!(status(&arm, "c1").await, "Connected");
    insta::assert_snapshot!("public_success", cli_explain(&arm, "edge", PUBLIC));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_path_refused_when_public_access_is_disabled() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await;
    put_site(&arm, "branch", json!({}), full_firewall()).await;
    put_lab(&arm, "edge", json!({"site": "branch"}), "c1").await;
    let report = explain(&arm, "edge").await;
    assert_eq!(verdicts(&report), all("Refused", "PLS-006"));
    assert_eq!(report["endpoints"][0]["httpStatus"], 403);
    assert_eq!(status(&arm, "c1").await, "Connecting");
    insta::assert_snapshot!("public_refused", cli_explain(&arm, "edge", NOT_CONNECTED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clusters_not_associated_with_the_scope_are_refused_on_the_private_path() {
    let arm = start().await;
    let (_, _) = seed_world(&arm, false).await;
    // Without private link, but behind DNS that resolves the private endpoint (PLS-014).
    arm.put_cluster(SUB, "rg", "plain", "eastus", None).await;
    put_lab(&arm, "plain", json!({"site": "hq"}), "plain").await;
    let report = explain(&arm, "plain").await;
    assert_eq!(verdicts(&report), all("Refused", "PLS-014"));
    assert_eq!(report["endpoints"][0]["message"], "This traffic is not authorized.");
    insta::assert_snapshot!("unassociated_cluster", cli_explain(&arm, "plain", NOT_CONNECTED));
    // Associated with another scope (PLS-007).
    let other = arm.scope(SUB, "rg", "pls-other", "eastus").await;
    arm.put_cluster(SUB, "rg", "stray", "eastus", Some(&other)).await;
    put_lab(&arm, "stray", json!({"site": "hq"}), "stray").await;
    assert_eq!(verdicts(&explain(&arm, "stray").await), all("Refused", "PLS-007"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_and_rejected_connections_carry_no_traffic() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, true).await;
    arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await;
    put_lab(&arm, "edge", json!({"site": "hq"}), "c1").await;
    assert_eq!(verdicts(&explain(&arm, "edge").await), all("Unreachable", "PLS-012"));
    insta::assert_snapshot!("pending_connection", cli_explain(&arm, "edge", NOT_CONNECTED));
    let pec = arm.get(&format!("{scope}/privateEndpointConnections?api-version={HC_API}")).await.body["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let set = |s: &str| json!({"properties": {"privateLinkServiceConnectionState": {"status": s, "description": "t"}}});
    arm.put(&format!("{pec}?api-version={HC_API}"), set("Approved")).await;
    assert_eq!(verdicts(&explain(&arm, "edge").await), all("Private", "PLS-007"));
    assert_eq!(status(&arm, "c1").await, "Connected");
    arm.put(&format!("{pec}?api-version={HC_API}"), set("Rejected")).await;
    assert_eq!(verdicts(&explain(&arm, "edge").await), all("Unreachable", "PLS-012"));
    assert_eq!(status(&arm, "c1").await, "Offline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firewall_missing_each_required_service_blocks_the_agents() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await;
    put_lab(&arm, "edge", json!({"site": "hq"}), "c1").await;
    for tag in
        ["AzureActiveDirectory", "AzureResourceManager", "MicrosoftContainerRegistry", "AzureFrontDoor.FirstParty"]
    {
        let rules: Vec<Value> =
            full_firewall().as_array().unwrap().iter().filter(|r| r["destination"] != tag).cloned().collect();
        put_site(&arm, "hq", forwarding_dns(), json!(rules)).await;
        let report = explain(&arm, "edge").await;
        let blocked: Vec<&str> = report["services"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["allowed"] == false)
            .map(|s| s["serviceTag"].as_str().unwrap())
            .collect();
        assert_eq!(blocked, [tag]);
        assert_eq!(report["status"], "Offline", "was connected before");
        assert_eq!(status(&arm, "c1").await, "Offline", "{tag}");
        if tag == "MicrosoftContainerRegistry" {
            insta::assert_snapshot!("firewall_missing_mcr", cli_explain(&arm, "edge", NOT_CONNECTED));
        }
    }
    // AzureFrontDoor.FirstParty needs both directions.
    let rules: Vec<Value> =
        full_firewall().as_array().unwrap().iter().filter(|r| r["inbound"] != true).cloned().collect();
    put_site(&arm, "hq", forwarding_dns(), json!(rules)).await;
    let report = explain(&arm, "edge").await;
    assert_eq!(report["services"][3]["allowed"], false);
    put_site(&arm, "hq", forwarding_dns(), full_firewall()).await;
    assert_eq!(status(&arm, "c1").await, "Connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_private_cluster_in_a_private_link_vnet_is_refused() {
    let arm = start().await;
    let (scope, vnet) = seed_world(&arm, false).await;
    arm.put(
        &format!("{vnet}/subnets/workload?api-version={NET_API}"),
        json!({"properties": {"addressPrefix": "10.10.8.0/24"}}),
    )
    .await;
    arm.put_cluster(SUB, "rg", "mixed", "eastus", None).await;
    put_lab(&arm, "in-vnet", json!({"subnet": format!("{vnet}/subnets/workload")}), "mixed").await;
    let report = explain(&arm, "in-vnet").await;
    assert_eq!(verdicts(&report), all("Refused", "PLS-014"));
    insta::assert_snapshot!("mixed_vnet", cli_explain(&arm, "in-vnet", NOT_CONNECTED));
    // The same cluster with private link in the scope gets through; an NSG that blocks the
    // internet before allowing Entra ID blocks its agents (NET-002).
    arm.put_cluster(SUB, "rg", "mixed", "eastus", None).await;
    assert_eq!(arm.put_cluster(SUB, "rg", "mixed", "eastus", Some(&scope)).await.status, 200);
    assert_eq!(verdicts(&explain(&arm, "in-vnet").await), all("Private", "PLS-007"));
    let rule = |name: &str, prio: u16, tag: &str, access: &str| {
        json!({"name": name, "properties": {"protocol": "*", "sourceAddressPrefix": "VirtualNetwork",
        "sourcePortRange": "*", "destinationAddressPrefix": tag, "destinationPortRange": "*", "access": access, "priority": prio, "direction": "Outbound"}})
    };
    let nsg = net_id(SUB, "rg", "networkSecurityGroups", "nsg");
    arm.put(
        &format!("{nsg}?api-version={NET_API}"),
        json!({"location": "eastus", "properties": {"securityRules": [
        rule("DenyInternet", 140, "Internet", "Deny"), rule("AllowAAD", 150, "AzureActiveDirectory", "Allow")]}}),
    )
    .await;
    arm.put(
        &format!("{vnet}/subnets/workload?api-version={NET_API}"),
        json!({"properties": {"addressPrefix": "10.10.8.0/24", "networkSecurityGroup": {"id": nsg}}}),
    )
    .await;
    let report = explain(&arm, "in-vnet").await;
    assert_eq!(report["services"][0]["allowed"], false);
    assert!(report["services"][0]["why"].as_str().unwrap().contains("DenyInternet"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extensions_outside_the_documented_list_are_flagged() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await;
    put_lab(&arm, "edge", json!({"site": "hq"}), "c1").await;
    for (name, ty) in [
        ("flux", "microsoft.flux"),
        ("monitor", "Microsoft.AzureMonitor.Containers"),
        ("policy", "Microsoft.PolicyInsights"),
    ] {
        let url = format!(
            "{}/providers/Microsoft.KubernetesConfiguration/extensions/{name}?api-version={EXT_API}",
            cluster_id(SUB, "rg", "c1")
        );
        assert_eq!(
            arm.put(&url, json!({"properties": {"extensionType": ty}})).await.status,
            201,
            "ARM accepts every extension"
        );
    }
    let report = explain(&arm, "edge").await;
    let ext: Vec<(String, bool, String)> = report["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["worksPrivately"].as_bool().unwrap(),
                e["rule"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        ext,
        [
            ("flux".into(), true, "PLS-009".into()),
            ("monitor".into(), false, "NET-003".into()),
            ("policy".into(), false, "PLS-009".into())
        ]
    );
    let r = arm.get("/_emulator/clusters/nope/explain").await;
    r.refused(404, "ClusterNotFound", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_world_file_serves_a_connected_private_cluster() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-world.yaml")).unwrap();
    let cfg =
        arcemu::EmulatorConfig { initial_world: Some(arcemu::world_file::parse(&text).unwrap()), ..Default::default() };
    let arm = start_with(cfg).await;
    let report = explain(&arm, "edge").await;
    assert_eq!(verdicts(&report), all("Private", "PLS-007"));
    let cc = arm.get(&format!("/subscriptions/{SUB}/resourceGroups/arc/providers/Microsoft.Kubernetes/connectedClusters/edge?api-version={K8S_API}")).await;
    assert_eq!(cc.body["properties"]["connectivityStatus"], "Connected");
    // A refused entry names itself.
    let bad = text.replace("location: eastus, properties: { publicNetworkAccess: Disabled }", "location: atlantis");
    let err = arcemu::world_file::apply(
        &mut arcemu::World::new(Default::default()),
        &arcemu::world_file::parse(&bad).unwrap(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap_err();
    assert!(err.starts_with("resources[1]") && err.contains("LocationNotAvailableForResourceType"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_fails_when_the_site_blocks_a_required_service() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    let rules: Vec<Value> = full_firewall()
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["destination"] != "AzureActiveDirectory")
        .cloned()
        .collect();
    put_site(&arm, "hq", forwarding_dns(), json!(rules)).await;
    // The cluster exists in the lab before it is onboarded.
    put_lab(&arm, "edge", json!({"site": "hq"}), "c1").await;
    let report = explain(&arm, "edge").await;
    assert_eq!(report["status"], "AgentNotInstalled");
    let r = arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await;
    r.refused(400, "OnboardingNetworkCheckFailed", Some("NET-002"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("AzureActiveDirectory"));
    put_site(&arm, "hq", forwarding_dns(), full_firewall()).await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c1", "eastus", Some(&scope)).await.status, 201);
    assert_eq!(status(&arm, "c1").await, "Connected");
}

/// A connected cluster created with the body of Microsoft's AKS Arc docs and templates
/// (`kind: ProvisionedCluster`, `"agentPublicKeyCertificate": ""`, an AAD profile), then
/// associated with a scope and run by lab agents: created, associated, explained, and showing
/// what its agents report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aks_arc_provisioned_cluster_end_to_end() {
    let arm = start().await;
    let (scope, _) = seed_world(&arm, false).await;
    let url = format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "aksarc"));
    let mut body = json!({
        "location": "eastus",
        "identity": {"type": "SystemAssigned"},
        "kind": "ProvisionedCluster",
        "properties": {
            "agentPublicKeyCertificate": "",
            "aadProfile": {"enableAzureRBAC": false, "adminGroupObjectIDs": ["00000000-0000-0000-0000-00000000000a"]}
        }
    });
    let r = arm.put(&url, body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["kind"], "ProvisionedCluster");
    assert_eq!(r.body["properties"]["agentPublicKeyCertificate"], "");
    assert_eq!(r.body["properties"]["aadProfile"]["enableAzureRBAC"], false);
    assert!(r.body["properties"].get("kubernetesVersion").is_none(), "no agent has reported yet: {}", r.body);

    body["properties"]["privateLinkState"] = json!("Enabled");
    body["properties"]["privateLinkScopeResourceId"] = json!(scope);
    let r = arm.put(&url, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["privateLinkScopeResourceId"], json!(scope));

    let r = arm
        .send(
            "PUT",
            "/_emulator/clusters/aksarc",
            Some(json!({"site": "hq", "connectedCluster": cluster_id(SUB, "rg", "aksarc"),
                "kubernetesVersion": "1.29.4", "nodeCount": 3, "coreCount": 12, "agentVersion": "1.18.3"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let report = explain(&arm, "aksarc").await;
    assert_eq!(verdicts(&report), all("Private", "PLS-007"));
    assert_eq!(status(&arm, "aksarc").await, "Connected");
    let p = arm.get(&url).await.body["properties"].clone();
    assert_eq!(p["kubernetesVersion"], "1.29.4");
    assert_eq!(p["totalNodeCount"], 3);
    assert_eq!(p["totalCoreCount"], 12);
    assert_eq!(p["agentVersion"], "1.18.3");
    assert_eq!(p["arcAgentProfile"]["agentState"], "Succeeded");
    assert!(cli_explain(&arm, "aksarc", 0).contains("ADMITTED PRIVATELY"));
}
