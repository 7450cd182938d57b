//! The wire-fidelity changes the spec examples called for, each checked for what it decides
//! (the conformance suite checks shapes only): names keep their casing, refusals stay refusals,
//! written values come back, and addresses are reserved.

mod common;
use common::*;
use serde_json::json;

const EXT: &str = "2025-03-01";

async fn cluster(arm: &Arm) -> String {
    arm.group(SUB, "rg", "eastus").await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", None).await.status, 201);
    cluster_id(SUB, "rg", "c")
}

#[tokio::test]
async fn extension_names_keep_their_capitals_and_match_case_insensitively() {
    let arm = start().await;
    let c = cluster(&arm).await;
    let ext = format!("{c}/providers/Microsoft.KubernetesConfiguration/extensions");
    let r = arm
        .put(
            &format!("{ext}/ClusterMonitor?api-version={EXT}"),
            json!({"plan": {"name": "p", "publisher": "Microsoft", "product": "o"},
                "properties": {"extensionType": "microsoft.azuremonitor.containers", "autoUpgradeMode": "compatible"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let got = arm.get(&format!("{ext}/clustermonitor?api-version={EXT}")).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["name"], "ClusterMonitor");
    assert_eq!(got.body["plan"]["publisher"], "Microsoft");
    assert_eq!(got.body["properties"]["autoUpgradeMode"], "compatible");
    // A second PUT with other casing is the same extension, not a new one.
    let again = arm
        .put(
            &format!("{ext}/CLUSTERMONITOR?api-version={EXT}"),
            json!({"properties": {"extensionType": "microsoft.azuremonitor.containers"}}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(arm.get(&format!("{ext}?api-version={EXT}")).await.body["value"].as_array().map(Vec::len), Some(1));
    // A plan without its required parts is refused.
    let r = arm
        .put(
            &format!("{ext}/other?api-version={EXT}"),
            json!({"plan": {"name": "p"}, "properties": {"extensionType": "x"}}),
        )
        .await;
    r.refused(400, "InvalidRequestContent", None);
}

#[tokio::test]
async fn user_assigned_identities_are_for_extensions_only() {
    let arm = start().await;
    let c = cluster(&arm).await;
    let mi = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi";
    let ext = format!("{c}/providers/Microsoft.KubernetesConfiguration/extensions/mon?api-version={EXT}");
    let r = arm
        .put(
            &ext,
            json!({"identity": {"type": "UserAssigned", "userAssignedIdentities": {mi: {}}},
                "properties": {"extensionType": "microsoft.azuremonitor.containers"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["identity"]["type"], "UserAssigned");
    assert!(r.body["identity"]["userAssignedIdentities"][mi].is_object(), "{}", r.body);
    let r = arm.put(&ext, json!({"identity": {"type": "UserAssigned"}, "properties": {"extensionType": "x"}})).await;
    r.refused(400, "InvalidRequestContent", None);
    let r = arm
        .put(
            &format!("{c}?api-version={K8S_API}"),
            json!({"location": "eastus", "identity": {"type": "UserAssigned", "userAssignedIdentities": {mi: {}}},
                "properties": {"agentPublicKeyCertificate": ""}}),
        )
        .await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(r.body["error"]["target"], "identity.type");
}

#[tokio::test]
async fn a_cluster_needs_the_certificate_property_but_not_a_value() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let url = format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"));
    let r =
        arm.put(&url, json!({"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {}})).await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(r.body["error"]["target"], "properties.agentPublicKeyCertificate");
    let r = arm
        .put(
            &url,
            json!({"location": "eastus", "identity": {"type": "SystemAssigned"}, "kind": "Rancher",
                "properties": {"agentPublicKeyCertificate": ""}}),
        )
        .await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(r.body["error"]["target"], "kind");
    // Agent-reported properties in a request are not the caller's to set.
    let r = arm
        .put(
            &url,
            json!({"location": "eastus", "identity": {"type": "SystemAssigned"}, "kind": "provisionedcluster",
                "properties": {"agentPublicKeyCertificate": "", "kubernetesVersion": "9.9.9", "totalNodeCount": 99}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["kind"], "ProvisionedCluster", "canonical spelling");
    assert!(r.body["properties"].get("kubernetesVersion").is_none(), "{}", r.body);
    assert!(r.body["properties"].get("totalNodeCount").is_none(), "{}", r.body);
    // PATCH (2026-03-01) keeps a writable profile it is given.
    let r = arm
        .send(
            "PATCH",
            &format!("{}?api-version=2026-03-01", cluster_id(SUB, "rg", "c")),
            Some(json!({"properties": {"gateway": {"enabled": true}, "kubernetesVersion": "1.0"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["gateway"]["enabled"], true);
    assert!(r.body["properties"].get("kubernetesVersion").is_none(), "{}", r.body);
}

#[tokio::test]
async fn lab_clusters_check_what_their_agents_report() {
    let arm = start().await;
    let site = arm.send("PUT", "/_emulator/sites/s", Some(json!({"addressSpace": ["192.168.1.0/24"]}))).await;
    assert_eq!(site.status, 201, "{}", site.body);
    let cc = cluster_id(SUB, "rg", "c");
    for bad in [json!({"nodeCount": 0}), json!({"kubernetesVersion": "latest"}), json!({"agentVersion": ""})] {
        let mut body = json!({"site": "s", "connectedCluster": cc});
        for (k, v) in bad.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = arm.send("PUT", "/_emulator/clusters/lab", Some(body)).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
}

#[tokio::test]
async fn the_soa_record_set_takes_put_and_patch_but_keeps_its_host() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let zone = net_id(SUB, "rg", "privateDnsZones", "contoso.internal");
    assert_eq!(arm.put(&format!("{zone}?api-version={DNS_API}"), json!({"location": "global"})).await.status, 201);
    let soa = format!("{zone}/SOA/@?api-version={DNS_API}");
    let r = arm
        .send("PATCH", &soa, Some(json!({"properties": {"metadata": {"k": "v"}, "soaRecord": {"minimumTtl": 60}}})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = arm.get(&soa).await.body;
    assert_eq!(got["properties"]["metadata"]["k"], "v");
    assert_eq!(got["properties"]["soaRecord"]["minimumTtl"], 60);
    assert_eq!(got["properties"]["soaRecord"]["refreshTime"], 3600, "a PATCH keeps what it does not name");
    // A PUT replaces: what it leaves out returns to the default.
    let r = arm.put(&soa, json!({"properties": {"ttl": 120}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["ttl"], 120);
    assert_eq!(r.body["properties"]["soaRecord"]["minimumTtl"], 10);
    assert_eq!(r.body["properties"]["metadata"], json!({}));
    let r = arm.put(&soa, json!({"properties": {"soaRecord": {"host": "ns.example.com"}}})).await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(arm.send("DELETE", &soa, None).await.status, 405);
}

#[tokio::test]
async fn static_endpoint_addresses_are_checked_shown_and_reserved() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "v", "eastus", "10.1.0.0/16", &[("pe", "10.1.1.0/24")]).await;
    let put = |name: &str, ip: &str, member: &str| {
        let body = json!({"location": "eastus", "properties": {
            "subnet": {"id": format!("{vnet}/subnets/pe")},
            "privateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": scope, "groupIds": ["hybridcompute"]}}],
            "ipConfigurations": [{"name": "static", "properties": {"groupId": "hybridcompute", "memberName": member, "privateIPAddress": ip}}]}});
        (format!("{}?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", name)), body)
    };
    let (url, body) = put("outside", "10.9.9.9", "HybridCompute.ServerDP");
    arm.put(&url, body).await.refused(400, "InvalidRequestContent", None);
    let (url, body) = put("member", "10.1.1.100", "file");
    arm.put(&url, body).await.refused(400, "InvalidRequestContent", None);
    let (url, body) = put("pe1", "10.1.1.100", "HybridCompute.ServerDP");
    let r = arm.put(&url, body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"], "10.1.1.100");
    let dynamic: Vec<&str> = r.body["properties"]["customDnsConfigs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ipAddresses"][0].as_str().unwrap())
        .collect();
    assert!(!dynamic.contains(&"10.1.1.100"), "{dynamic:?}");
    let (url, body) = put("pe2", "10.1.1.100", "HybridCompute.ServerDP");
    arm.put(&url, body).await.refused(400, "InvalidRequestContent", None);
}

#[tokio::test]
async fn get_validation_finds_a_scope_by_its_guid() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let guid = arm.get(&format!("{scope}?api-version={HC_API}")).await.body["properties"]["privateLinkScopeId"]
        .as_str()
        .unwrap()
        .to_string();
    let vnet = arm.vnet(SUB, "rg", "v", "eastus", "10.1.0.0/16", &[("pe", "10.1.1.0/24")]).await;
    let r = arm.put_endpoint(SUB, "rg", "pe", "eastus", &format!("{vnet}/subnets/pe"), &scope, false).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let url = |loc: &str, id: &str| {
        format!(
            "/subscriptions/{SUB}/providers/Microsoft.HybridCompute/locations/{loc}/privateLinkScopes/{id}?api-version=2025-01-13"
        )
    };
    let r = arm.get(&url("eus", &guid.to_uppercase())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], json!(scope));
    assert_eq!(r.body["publicNetworkAccess"], "Disabled");
    let details = r.body["connectionDetails"].as_array().unwrap();
    assert_eq!(details.len(), 5, "one address per Arc endpoint: {}", r.body);
    assert!(
        details
            .iter()
            .all(|d| d["groupId"] == "hybridcompute" && d["privateIpAddress"].as_str().unwrap().starts_with("10.1.1."))
    );
    arm.get(&url("eastus", "00000000-0000-0000-0000-00000000dead")).await.refused(404, "ResourceNotFound", None);
    arm.get(&url("atlantis", &guid)).await.refused(400, "InvalidLocation", None);
    let wrong = arm.send("POST", &url("eastus", &guid), Some(json!({}))).await;
    assert_eq!(wrong.status, 405, "{}", wrong.body);
}

#[tokio::test]
async fn last_pages_say_next_link_null_where_the_service_does() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    arm.scope(SUB, "rg", "pls", "eastus").await;
    arm.vnet(SUB, "rg", "v", "eastus", "10.1.0.0/16", &[]).await;
    let scopes = arm
        .get(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/privateLinkScopes?api-version={HC_API}"))
        .await;
    assert!(scopes.body.get("nextLink").is_some_and(|n| n.is_null()), "{}", scopes.body);
    let vnets = arm
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks?api-version={NET_API}"
        ))
        .await;
    assert!(vnets.body.get("nextLink").is_none(), "{}", vnets.body);
}
