//! Networking over real HTTP: the seed's whole private-link setup, the rules that bind
//! networks to scopes (PLS-001/004/005/012/013), zone groups writing DNS records, and bad
//! input named by property.

mod common;
use common::*;
use serde_json::{Value, json};

const ZONES: [&str; 3] = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
];

async fn base(arm: &Arm) -> (String, String) {
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let vnet = arm
        .vnet(SUB, "rg", "vnet", "eastus", "10.10.0.0/16", &[("pe", "10.10.1.0/24"), ("other", "10.10.2.0/24")])
        .await;
    (scope, vnet)
}

#[tokio::test]
async fn the_seed_setup_end_to_end() {
    let arm = start().await;
    let (scope, vnet) = base(&arm).await;
    let subnet = format!("{vnet}/subnets/pe");
    // Zones linked to the VNet.
    for z in ZONES {
        let zid = net_id(SUB, "rg", "privateDnsZones", z);
        let r = arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "Global"})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["location"], "global");
        let l = arm
            .put(
                &format!("{zid}/virtualNetworkLinks/link?api-version={DNS_API}"),
                json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
            )
            .await;
        assert_eq!(l.status, 201, "{}", l.body);
    }
    // The endpoint.
    let r = arm.put_endpoint(SUB, "rg", "pe1", "eastus", &subnet, &scope, false).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.headers.get("azure-asyncoperation").is_some());
    let pe = arm.get(&format!("{}?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe1"))).await.body;
    let configs = pe["properties"]["customDnsConfigs"].as_array().unwrap().clone();
    let pairs: Vec<(String, String)> = configs
        .iter()
        .map(|c| (c["fqdn"].as_str().unwrap().to_string(), c["ipAddresses"][0].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("gbl.his.arc.azure.com", "10.10.1.4"),
            ("eus.his.arc.azure.com", "10.10.1.5"),
            ("agentserviceapi.guestconfiguration.azure.com", "10.10.1.6"),
            ("eastus-gas.guestconfiguration.azure.com", "10.10.1.7"),
            ("eastus.dp.kubernetesconfiguration.azure.com", "10.10.1.8"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let conn = &pe["properties"]["privateLinkServiceConnections"][0]["properties"];
    assert_eq!(conn["privateLinkServiceConnectionState"]["status"], "Approved");
    assert!(pe["etag"].as_str().unwrap().starts_with("W/\""));
    // The scope mirrors the connection.
    let s = arm.get(&format!("{scope}?api-version={HC_API}")).await.body;
    let pec = &s["properties"]["privateEndpointConnections"][0];
    assert_eq!(pec["properties"]["privateEndpoint"]["id"], net_id(SUB, "rg", "privateEndpoints", "pe1"));
    assert!(pec["name"].as_str().unwrap().starts_with("pe1."));
    // Zone group writes the A records.
    let configs: Vec<Value> = ZONES
        .iter()
        .map(|z| json!({"name": z.replace('.', "-"), "properties": {"privateDnsZoneId": net_id(SUB, "rg", "privateDnsZones", z)}}))
        .collect();
    let zg =
        format!("{}/privateDnsZoneGroups/default?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe1"));
    let r = arm.put(&zg, json!({"properties": {"privateDnsZoneConfigs": configs}})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"].as_array().unwrap().len(),
        2
    );
    let his = net_id(SUB, "rg", "privateDnsZones", ZONES[0]);
    let a = arm.get(&format!("{his}/A/gbl?api-version={DNS_API}")).await;
    assert_eq!(a.body["properties"]["aRecords"], json!([{"ipv4Address": "10.10.1.4"}]));
    assert_eq!(a.body["properties"]["fqdn"], "gbl.privatelink.his.arc.azure.com.");
    let all = arm.get(&format!("{his}/aLL?api-version={DNS_API}")).await;
    let names: Vec<&str> = all.body["value"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["@", "eus", "gbl"]);
    let zone = arm.get(&format!("{his}?api-version={DNS_API}")).await.body;
    assert_eq!(
        (zone["properties"]["numberOfRecordSets"].as_u64(), zone["properties"]["numberOfVirtualNetworkLinks"].as_u64()),
        (Some(3), Some(1))
    );
    // NSG with the seed's four rules, on the subnet.
    let rule = |name: &str, prio: u16, tag: &str| {
        json!({"name": name, "properties": {"protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
            "destinationAddressPrefix": tag, "destinationPortRange": "443", "access": "Allow", "priority": prio, "direction": "Outbound"}})
    };
    let nsg = net_id(SUB, "rg", "networkSecurityGroups", "nsg");
    let r = arm
        .put(
            &format!("{nsg}?api-version={NET_API}"),
            json!({"location": "eastus", "properties": {"securityRules": [
                rule("AllowAADOutboundAccess", 150, "AzureActiveDirectory"),
                rule("AllowAzOutboundAccess", 151, "AzureResourceManager"),
                rule("AllowAzureFrontDoorFirstPartyAccess", 152, "AzureFrontDoor.FirstParty"),
                rule("AllowMCROutboundAccess", 153, "MicrosoftContainerRegistry"),
            ]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["properties"]["securityRules"].as_array().unwrap().len(), 4);
    assert_eq!(r.body["properties"]["defaultSecurityRules"].as_array().unwrap().len(), 6);
    let r = arm
        .put(
            &format!("{subnet}?api-version={NET_API}"),
            json!({"properties": {"addressPrefix": "10.10.1.0/24", "networkSecurityGroup": {"id": nsg}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let n = arm.get(&format!("{nsg}?api-version={NET_API}")).await.body;
    assert_eq!(n["properties"]["subnets"][0]["id"], subnet);
    // The subnet is in use: it cannot go, nor can the NSG.
    arm.delete(&format!("{subnet}?api-version={NET_API}")).await.refused(400, "InUseSubnetCannotBeDeleted", None);
    arm.delete(&format!("{nsg}?api-version={NET_API}")).await.refused(
        400,
        "InUseNetworkSecurityGroupCannotBeDeleted",
        None,
    );
    // Deleting the endpoint removes its records and its scope-side connection.
    let d = arm.delete(&format!("{}?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe1"))).await;
    assert_eq!(d.status, 202);
    assert_eq!(arm.get(&format!("{his}/A/gbl?api-version={DNS_API}")).await.status, 404);
    let s = arm.get(&format!("{scope}?api-version={HC_API}")).await.body;
    assert_eq!(s["properties"]["privateEndpointConnections"], json!([]));
    // Now the subnet is free again; its addresses are reusable.
    let r = arm.put_endpoint(SUB, "rg", "pe2", "eastus", &subnet, &scope, false).await;
    assert_eq!(r.body["properties"]["customDnsConfigs"][0]["ipAddresses"][0], "10.10.1.4");
}

#[tokio::test]
async fn pls_001_one_scope_per_virtual_network() {
    let arm = start().await;
    let (a, vnet) = base(&arm).await;
    let b = arm.scope(SUB, "rg", "pls-b", "eastus").await;
    assert_eq!(
        arm.put_endpoint(SUB, "rg", "pe-a", "eastus", &format!("{vnet}/subnets/pe"), &a, false).await.status,
        201
    );
    let r = arm.put_endpoint(SUB, "rg", "pe-b", "eastus", &format!("{vnet}/subnets/other"), &b, false).await;
    r.refused(400, "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope", Some("PLS-001"));
    assert_eq!(
        arm.put_endpoint(SUB, "rg", "pe-a2", "eastus", &format!("{vnet}/subnets/other"), &a, false).await.status,
        201
    );
    // Another VNet may use scope B.
    let v2 = arm.vnet(SUB, "rg", "vnet2", "eastus", "10.20.0.0/16", &[("pe", "10.20.1.0/24")]).await;
    assert_eq!(arm.put_endpoint(SUB, "rg", "pe-b", "eastus", &format!("{v2}/subnets/pe"), &b, false).await.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pls_001_racing_endpoints_to_two_scopes_never_both_win() {
    let arm = std::sync::Arc::new(start().await);
    arm.group(SUB, "rg", "eastus").await;
    let a = arm.scope(SUB, "rg", "pls-a", "eastus").await;
    let b = arm.scope(SUB, "rg", "pls-b", "eastus").await;
    let mut wins = [0usize; 2];
    for round in 0..40 {
        let vnet = arm
            .vnet(
                SUB,
                "rg",
                &format!("v{round}"),
                "eastus",
                "10.0.0.0/16",
                &[("s1", "10.0.1.0/24"), ("s2", "10.0.2.0/24")],
            )
            .await;
        let mut tasks = Vec::new();
        for (i, scope) in [a.clone(), b.clone()].into_iter().enumerate() {
            let arm = arm.clone();
            let subnet = format!("{vnet}/subnets/s{}", i + 1);
            tasks.push(tokio::spawn(async move {
                arm.put_endpoint(SUB, "rg", &format!("r{round}-{i}"), "eastus", &subnet, &scope, false).await
            }));
        }
        let mut ok = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            let r = t.await.unwrap();
            if r.status == 201 {
                ok.push(i);
            } else {
                r.refused(400, "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope", Some("PLS-001"));
            }
        }
        assert_eq!(ok.len(), 1, "round {round}: exactly one endpoint may win, got {ok:?}");
        wins[ok[0]] += 1;
    }
    assert_eq!(wins[0] + wins[1], 40);
}

#[tokio::test]
async fn pls_004_endpoint_in_its_network_region_and_strict_profile() {
    let arm = start().await;
    let (scope, vnet) = base(&arm).await;
    let r = arm.put_endpoint(SUB, "rg", "pe", "westus2", &format!("{vnet}/subnets/pe"), &scope, false).await;
    r.refused(400, "InvalidResourceReference", Some("PLS-004"));
    // Default profile: VNet and endpoint in westus2, scope in eastus is fine.
    let v2 = arm.vnet(SUB, "rg", "v-west", "westus2", "10.30.0.0/16", &[("pe", "10.30.1.0/24")]).await;
    let r = arm.put_endpoint(SUB, "rg", "pe-west", "westus2", &format!("{v2}/subnets/pe"), &scope, false).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // The endpoint's FQDNs follow the scope's region, not the VNet's.
    assert_eq!(r.body["properties"]["customDnsConfigs"][1]["fqdn"], "eus.his.arc.azure.com");

    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world.region_profile = arcemu::RegionProfile::StrictRegions;
    let strict = start_with(cfg).await;
    strict.group(SUB, "rg", "eastus").await;
    let scope = strict.scope(SUB, "rg", "pls", "eastus").await;
    let v2 = strict.vnet(SUB, "rg", "v-west", "westus2", "10.30.0.0/16", &[("pe", "10.30.1.0/24")]).await;
    let r = strict.put_endpoint(SUB, "rg", "pe-west", "westus2", &format!("{v2}/subnets/pe"), &scope, false).await;
    r.refused(400, "PrivateLinkScopeLocationMismatch", Some("PLS-004"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("strict-regions"));
}

#[tokio::test]
async fn pls_005_network_in_the_scope_subscription() {
    let arm = start().await;
    let (scope, _) = base(&arm).await;
    arm.group(SUB2, "rg2", "eastus").await;
    let v = arm.vnet(SUB2, "rg2", "v", "eastus", "10.40.0.0/16", &[("pe", "10.40.1.0/24")]).await;
    let r = arm.put_endpoint(SUB2, "rg2", "pe", "eastus", &format!("{v}/subnets/pe"), &scope, false).await;
    r.refused(400, "PrivateLinkScopeSubscriptionMismatch", Some("PLS-005"));
}

#[tokio::test]
async fn pls_012_manual_connections_wait_for_approval_and_rejection_is_final() {
    let arm = start().await;
    let (scope, vnet) = base(&arm).await;
    let r = arm.put_endpoint(SUB, "rg", "pe", "eastus", &format!("{vnet}/subnets/pe"), &scope, true).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let state = |b: &Value| {
        b["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]["status"].clone()
    };
    assert_eq!(state(&r.body), "Pending");
    let list = arm.get(&format!("{scope}/privateEndpointConnections?api-version={HC_API}")).await;
    let pec = list.body["value"][0]["id"].as_str().unwrap().to_string();
    let set = |status: &str| json!({"properties": {"privateLinkServiceConnectionState": {"status": status, "description": "by test"}}});
    let pe_url = format!("{}?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe"));
    assert_eq!(arm.put(&format!("{pec}?api-version={HC_API}"), set("Approved")).await.status, 200);
    assert_eq!(state(&arm.get(&pe_url).await.body), "Approved");
    assert_eq!(arm.put(&format!("{pec}?api-version={HC_API}"), set("Rejected")).await.status, 200);
    assert_eq!(state(&arm.get(&pe_url).await.body), "Rejected");
    arm.put(&format!("{pec}?api-version={HC_API}"), set("Approved")).await.refused(
        400,
        "InvalidPrivateEndpointConnectionStateTransition",
        Some("PLS-012"),
    );
    // Deleting the connection on the scope side leaves the endpoint Disconnected.
    assert_eq!(arm.delete(&format!("{pec}?api-version={HC_API}")).await.status, 202);
    assert_eq!(state(&arm.get(&pe_url).await.body), "Disconnected");
}

#[tokio::test]
async fn pls_013_group_id_must_be_hybridcompute() {
    let arm = start().await;
    let (scope, vnet) = base(&arm).await;
    let url = format!("{}?api-version={NET_API}", net_id(SUB, "rg", "privateEndpoints", "pe"));
    let body = |groups: Value| {
        json!({"location": "eastus", "properties": {"subnet": {"id": format!("{vnet}/subnets/pe")},
            "privateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": scope, "groupIds": groups}}]}})
    };
    let r = arm.put(&url, body(json!(["blob"]))).await;
    r.refused(400, "PrivateEndpointInvalidGroupId", Some("PLS-013"));
    assert_eq!(r.body["error"]["target"], "properties.privateLinkServiceConnections[0].properties.groupIds");
    arm.put(&url, body(json!([]))).await.refused(
        400,
        "MissingParameterOnPrivateLinkServiceConnection",
        Some("PLS-013"),
    );
    assert_eq!(arm.put(&url, body(json!(["hybridcompute"]))).await.status, 201);
}

#[tokio::test]
async fn bad_network_input_is_named_by_property() {
    let arm = start().await;
    let (scope, vnet) = base(&arm).await;
    let vurl = format!("{}?api-version={NET_API}", net_id(SUB, "rg", "virtualNetworks", "v"));
    let vbody = |space: &str, subnets: Value| json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": [space]}, "subnets": subnets}});
    let r = arm.put(&vurl, vbody("10.0.0.0/16", json!([{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}, {"name": "b", "properties": {"addressPrefix": "10.0.1.128/25"}}]))).await;
    r.refused(400, "NetcfgSubnetRangesOverlap", None);
    assert_eq!(r.body["error"]["target"], "properties.subnets[1].properties.addressPrefix");
    let r = arm
        .put(&vurl, vbody("10.0.0.0/16", json!([{"name": "a", "properties": {"addressPrefix": "10.1.0.0/24"}}])))
        .await;
    r.refused(400, "NetcfgSubnetRangeOutsideVnet", None);
    arm.put(&vurl, vbody("10.0.0.1/16", json!([]))).await.refused(400, "InvalidCIDRNotation", None);
    arm.put(&vurl, vbody("10.0.0.0/33", json!([]))).await.refused(400, "InvalidAddressPrefixFormat", None);
    let r = arm.put(&vurl, vbody("168.63.128.0/22", json!([]))).await;
    r.refused(400, "InvalidAddressSpace", None);
    assert_eq!(arm.get(&vurl).await.status, 404, "refused writes leave nothing");
    // NSG priorities.
    let nurl = format!("{}?api-version={NET_API}", net_id(SUB, "rg", "networkSecurityGroups", "n"));
    let rule = |name: &str, prio: i64, dir: &str| {
        json!({"name": name, "properties": {"protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
        "destinationAddressPrefix": "Internet", "destinationPortRange": "443", "access": "Deny", "priority": prio, "direction": dir}})
    };
    for p in [99, 4097] {
        let r = arm
            .put(&nurl, json!({"location": "eastus", "properties": {"securityRules": [rule("r", p, "Outbound")]}}))
            .await;
        r.refused(400, "SecurityRuleInvalidPriority", None);
        assert_eq!(r.body["error"]["target"], "properties.securityRules[0].properties.priority");
    }
    let r = arm.put(&nurl, json!({"location": "eastus", "properties": {"securityRules": [rule("r1", 200, "Outbound"), rule("r2", 200, "Outbound")]}})).await;
    r.refused(400, "SecurityRuleConflict", None);
    assert_eq!(
        r.body["error"]["message"],
        "Security rule r2 conflicts with rule r1. Rules cannot have the same Priority and Direction."
    );
    assert_eq!(arm.put(&nurl, json!({"location": "eastus", "properties": {"securityRules": [rule("r1", 200, "Outbound"), rule("r2", 200, "Inbound")]}})).await.status, 201);
    let r = arm
        .put(&nurl, json!({"location": "eastus", "properties": {"securityRules": [rule("r1", 200, "Sideways")]}}))
        .await;
    r.refused(400, "InvalidRequestContent", None);
    // Endpoints to missing things.
    let missing_scope = scope_id(SUB, "rg", "nope");
    let r = arm.put_endpoint(SUB, "rg", "pe", "eastus", &format!("{vnet}/subnets/pe"), &missing_scope, false).await;
    r.refused(400, "PrivateLinkServiceNotFound", None);
    assert_eq!(
        r.body["error"]["target"],
        "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId"
    );
    let r = arm.put_endpoint(SUB, "rg", "pe", "eastus", &format!("{vnet}/subnets/nope"), &scope, false).await;
    r.refused(400, "InvalidResourceReference", None);
    assert_eq!(r.body["error"]["target"], "properties.subnet.id");
    arm.put_endpoint(SUB, "rg", "pe", "eastus", "not-an-id", &scope, false).await.refused(
        400,
        "LinkedInvalidPropertyId",
        None,
    );
    // Private DNS.
    let zid = net_id(SUB, "rg", "privateDnsZones", "privatelink.his.arc.azure.com");
    arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "eastus"})).await.refused(
        400,
        "LocationNotAvailableForResourceType",
        None,
    );
    assert_eq!(arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "global"})).await.status, 201);
    let link = |name: &str| format!("{zid}/virtualNetworkLinks/{name}?api-version={DNS_API}");
    let lbody = json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}}});
    assert_eq!(arm.put(&link("l1"), lbody.clone()).await.status, 201);
    arm.put(&link("l2"), lbody.clone()).await.refused(409, "Conflict", None);
    assert_eq!(arm.put(&link("l1"), lbody).await.status, 200, "re-PUT of the same link is an update");
    arm.delete(&format!("{zid}?api-version={DNS_API}")).await.refused(409, "CannotDeleteResource", None);
    // Record sets: empty ones are allowed (they break resolution later, DNS-003).
    let r = arm.put(&format!("{zid}/A/empty?api-version={DNS_API}"), json!({"properties": {"ttl": 300}})).await;
    assert_eq!((r.status, r.body["properties"]["aRecords"].clone()), (201, json!([])));
    arm.put(
        &format!("{zid}/A/bad?api-version={DNS_API}"),
        json!({"properties": {"aRecords": [{"ipv4Address": "10.0.0.300"}]}}),
    )
    .await
    .refused(400, "InvalidRequestContent", None);
    let missing_zone = net_id(SUB, "rg", "privateDnsZones", "nozone.example.com");
    arm.put(&format!("{missing_zone}/A/x?api-version={DNS_API}"), json!({"properties": {}})).await.refused(
        404,
        "ParentResourceNotFound",
        None,
    );
}

#[tokio::test]
async fn vnet_put_replaces_nested_subnets_and_keeps_used_ones_safe() {
    let arm = start().await;
    let (scope, vnet) = base(&arm).await;
    assert_eq!(
        arm.put_endpoint(SUB, "rg", "pe", "eastus", &format!("{vnet}/subnets/pe"), &scope, false).await.status,
        201
    );
    // Dropping the used subnet from the list is refused; dropping the unused one works.
    let url = format!("{vnet}?api-version={NET_API}");
    let body = |subnets: Value| json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]}, "subnets": subnets}});
    arm.put(&url, body(json!([{"name": "other", "properties": {"addressPrefix": "10.10.2.0/24"}}]))).await.refused(
        400,
        "InUseSubnetCannotBeDeleted",
        None,
    );
    let r = arm.put(&url, body(json!([{"name": "pe", "properties": {"addressPrefix": "10.10.1.0/24"}}]))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let names: Vec<&str> =
        r.body["properties"]["subnets"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["pe"]);
    assert_eq!(
        r.body["properties"]["subnets"][0]["properties"]["privateEndpoints"][0]["id"],
        net_id(SUB, "rg", "privateEndpoints", "pe")
    );
    // Shrinking a used subnet is refused.
    arm.put(&url, body(json!([{"name": "pe", "properties": {"addressPrefix": "10.10.1.0/25"}}]))).await.refused(
        400,
        "InUseSubnetCannotBeUpdated",
        None,
    );
}

#[tokio::test]
async fn connectivity_and_forwarders_reference_real_resources() {
    let arm = start().await;
    let (_, _) = base(&arm).await;
    let hub = arm
        .vnet(
            SUB,
            "rg",
            "hub",
            "eastus",
            "10.50.0.0/16",
            &[("GatewaySubnet", "10.50.0.0/27"), ("AzureFirewallSubnet", "10.50.1.0/26"), ("inbound", "10.50.2.0/28")],
        )
        .await;
    let gw = net_id(SUB, "rg", "virtualNetworkGateways", "gw");
    let r = arm
        .put(&format!("{gw}?api-version={NET_API}"), json!({"location": "eastus", "properties": {"gatewayType": "Vpn", "vpnType": "RouteBased",
            "ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": format!("{hub}/subnets/GatewaySubnet")}}}]}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let lng = net_id(SUB, "rg", "localNetworkGateways", "onprem");
    let r = arm
        .put(
            &format!("{lng}?api-version={NET_API}"),
            json!({"location": "eastus", "properties": {"gatewayIpAddress": "203.0.113.10",
            "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let conn = net_id(SUB, "rg", "connections", "s2s");
    let cbody = |peer: &str| {
        json!({"location": "eastus", "properties": {"connectionType": "IPsec", "virtualNetworkGateway1": {"id": gw},
        "localNetworkGateway2": {"id": peer}, "sharedKey": "secret"}})
    };
    arm.put(&format!("{conn}?api-version={NET_API}"), cbody(&net_id(SUB, "rg", "localNetworkGateways", "nope")))
        .await
        .refused(400, "InvalidResourceReference", None);
    let r = arm.put(&format!("{conn}?api-version={NET_API}"), cbody(&lng)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["properties"]["connectionStatus"], "Connected");
    assert!(r.body["properties"].get("sharedKey").is_none(), "the shared key is not echoed");
    // A Private Resolver inbound endpoint and a Firewall DNS proxy get addresses in their subnets.
    let res = net_id(SUB, "rg", "dnsResolvers", "resolver");
    let r = arm
        .put(
            &format!("{res}?api-version=2022-07-01"),
            json!({"location": "eastus", "properties": {"virtualNetwork": {"id": hub}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = arm
        .put(
            &format!("{res}/inboundEndpoints/in?api-version=2022-07-01"),
            json!({"location": "eastus", "properties": {"ipConfigurations": [
            {"subnet": {"id": format!("{hub}/subnets/inbound")}, "privateIpAllocationMethod": "Dynamic"}]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["properties"]["ipConfigurations"][0]["privateIpAddress"], "10.50.2.4");
    let fw = net_id(SUB, "rg", "azureFirewalls", "fw");
    let r = arm
        .put(&format!("{fw}?api-version={NET_API}"), json!({"location": "eastus", "properties": {"additionalProperties": {"Network.DNS.EnableProxy": "true"},
            "ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": format!("{hub}/subnets/AzureFirewallSubnet")}}}]}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"], "10.50.1.4");
    let r = arm
        .put(
            &format!("{}?api-version={NET_API}", net_id(SUB, "rg", "azureFirewalls", "fw2")),
            json!({"location": "eastus", "properties": {
            "ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": format!("{hub}/subnets/inbound")}}}]}}),
        )
        .await;
    r.refused(400, "AzureFirewallSubnetRequired", None);
}
