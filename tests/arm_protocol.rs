//! ARM protocol conventions over real HTTP: auth, api-versions, the error envelope,
//! 201/200, long-running operations, paging, request ids, and bad input of every kind
//! answered with a 4xx envelope (never a 5xx).

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn missing_or_malformed_bearer_token_is_401_like_arm() {
    let arm = start().await;
    let url = format!("{}/subscriptions/{SUB}?api-version={RG_API}", arm.base);
    let r = arm.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_some());
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
    let r = arm.http.get(&url).header("Authorization", "Basic abc").send().await.unwrap();
    assert_eq!(r.status(), 401);
    // The admin API needs no token.
    assert_eq!(arm.http.get(format!("{}/_emulator/health", arm.base)).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn api_version_is_required_and_checked_per_type() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    arm.get(&format!("/subscriptions/{SUB}/resourcegroups/rg")).await.refused(400, "MissingApiVersionParameter", None);
    let r = arm.get(&format!("/subscriptions/{SUB}/resourcegroups/rg?api-version=2099-01-01")).await;
    r.refused(400, "InvalidApiVersionParameter", None);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("2025-04-01"));
    let scope = scope_id(SUB, "rg", "p");
    let r = arm.put(&format!("{scope}?api-version=2026-05-01"), json!({"location": "eastus"})).await;
    // 2026-05-01 is a connectedClusters version, not a HybridCompute one.
    r.refused(400, "NoRegisteredProviderFound", None);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("for type 'privateLinkScopes'"));
    for v in ["2022-12-27", "2024-07-10", "2025-01-13", "2026-07-15"] {
        assert_eq!(
            arm.put(&format!("{scope}?api-version={v}"), json!({"location": "eastus"})).await.status / 100,
            2,
            "{v}"
        );
    }
    let c = arm.put_cluster(SUB, "rg", "c", "eastus", None).await;
    assert_eq!(c.status, 201);
    for v in ["2021-04-01-preview", "2024-01-01", "2026-05-01"] {
        assert_eq!(arm.get(&format!("{}?api-version={v}", cluster_id(SUB, "rg", "c"))).await.status, 200, "{v}");
    }
}

#[tokio::test]
async fn put_creates_with_201_then_updates_with_200_and_defaults_public_access_to_disabled() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let url = format!("{}?api-version={HC_API}", scope_id(SUB, "rg", "p"));
    let r = arm.put(&url, json!({"location": "eastus", "tags": {"env": "dev"}})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(r.body["properties"]["provisioningState"], "Succeeded");
    let guid = r.body["properties"]["privateLinkScopeId"].as_str().unwrap().to_string();
    assert_eq!(guid.len(), 36);
    let r = arm.put(&url, json!({"location": "eastus", "properties": {"publicNetworkAccess": "enabled"}})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["properties"]["publicNetworkAccess"], "Enabled");
    assert_eq!(r.body["properties"]["privateLinkScopeId"], guid.as_str());
    assert!(r.headers.get("azure-asyncoperation").is_none(), "scope PUT is synchronous");
    // PATCH replaces tags only.
    let r = arm.send("PATCH", &url, Some(json!({"tags": {"team": "arc"}}))).await;
    assert_eq!((r.status, r.body["tags"].clone()), (200, json!({"team": "arc"})));
    assert_eq!(r.body["properties"]["publicNetworkAccess"], "Enabled");
    // Moving a resource to another region by PUT is refused.
    arm.put(&url, json!({"location": "westus"})).await.refused(409, "InvalidResourceLocation", None);
}

#[tokio::test]
async fn long_running_put_and_delete_follow_azure_async_operation() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let r = arm.put_cluster(SUB, "rg", "c", "eastus", None).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["properties"]["provisioningState"], "Accepted");
    assert_eq!(r.header("retry-after"), "0");
    let status_url = r.header("azure-asyncoperation").to_string();
    assert!(status_url.contains("/providers/Microsoft.Kubernetes/locations/eastus/operationStatuses/"), "{status_url}");
    let op = arm.get(&status_url).await;
    assert_eq!((op.status, op.body["status"].as_str()), (200, Some("Succeeded")));
    let result = arm.get(r.header("location")).await;
    assert_eq!(result.body["properties"]["provisioningState"], "Succeeded");
    let cluster = arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"))).await;
    assert_eq!(cluster.body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(cluster.body["properties"]["connectivityStatus"], "Connecting");
    assert_eq!(cluster.body["identity"]["type"], "SystemAssigned");
    let d = arm.delete(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"))).await;
    assert_eq!(d.status, 202);
    assert_eq!(arm.get(d.header("azure-asyncoperation")).await.body["status"], "Succeeded");
    assert_eq!(arm.get(d.header("location")).await.status, 204);
    assert_eq!(arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"))).await.status, 404);
    // Deleting what is not there is 204, as in ARM.
    assert_eq!(arm.delete(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"))).await.status, 204);
}

#[tokio::test]
async fn operations_stay_in_progress_for_the_configured_delay() {
    let clock = std::sync::Arc::new(arcemu_model::clock::ManualClock::default());
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world.lro_delay = time::Duration::seconds(10);
    cfg.clock = Some(clock.clone());
    let arm = start_with(cfg).await;
    arm.group(SUB, "rg", "eastus").await;
    let r = arm.put_cluster(SUB, "rg", "c", "eastus", None).await;
    assert_eq!(r.header("retry-after"), "10");
    assert_eq!(arm.get(r.header("azure-asyncoperation")).await.body["status"], "InProgress");
    assert_eq!(arm.get(r.header("location")).await.status, 202);
    clock.advance(time::Duration::seconds(10));
    let op = arm.get(r.header("azure-asyncoperation")).await;
    assert_eq!(op.body["status"], "Succeeded");
    assert_eq!(op.body["endTime"], "2026-01-01T00:00:10.0000000Z");
}

#[tokio::test]
async fn lists_page_with_next_link_in_id_order() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.arm.page_size = 2;
    let arm = start_with(cfg).await;
    arm.group(SUB, "rg", "eastus").await;
    arm.group(SUB, "rg2", "eastus").await;
    for n in ["e", "a", "d", "b", "c"] {
        arm.scope(SUB, "rg", n, "eastus").await;
    }
    arm.scope(SUB, "rg2", "z", "eastus").await;
    let mut url = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/privateLinkScopes?api-version={HC_API}"
    );
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let r = arm.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.body);
        pages += 1;
        names.extend(r.body["value"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()));
        match r.body["nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!(pages, 3);
    let r = arm
        .get(&format!("/subscriptions/{SUB}/providers/Microsoft.HybridCompute/privateLinkScopes?api-version={HC_API}"))
        .await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 2);
    assert!(r.body["nextLink"].is_string());
}

#[tokio::test]
async fn deleting_a_resource_group_deletes_what_it_holds() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "p", "eastus").await;
    arm.put_cluster(SUB, "rg", "c", "eastus", Some(&scope)).await;
    let ext = format!(
        "{}/providers/Microsoft.KubernetesConfiguration/extensions/flux?api-version={EXT_API}",
        cluster_id(SUB, "rg", "c")
    );
    let e = arm.put(&ext, json!({"properties": {"extensionType": "microsoft.flux"}})).await;
    assert_eq!(e.status, 201, "{}", e.body);
    let r = arm.get(&format!("/subscriptions/{SUB}/resourceGroups/rg/resources?api-version={RG_API}")).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 2);
    let d = arm.delete(&format!("/subscriptions/{SUB}/resourcegroups/rg?api-version={RG_API}")).await;
    assert_eq!(d.status, 202);
    assert_eq!(arm.get(d.header("location")).await.status, 200);
    arm.get(&format!("{scope}?api-version={HC_API}")).await.refused(404, "ResourceGroupNotFound", None);
    arm.get(&format!("/subscriptions/{SUB}/resourcegroups/rg?api-version={RG_API}")).await.refused(
        404,
        "ResourceGroupNotFound",
        None,
    );
    arm.group(SUB, "rg", "eastus").await;
    arm.get(&format!("{scope}?api-version={HC_API}")).await.refused(404, "ResourceNotFound", None);
    assert_eq!(arm.get(&ext).await.status, 404);
}

#[tokio::test]
async fn scope_sub_resources_private_link_resources_and_connections() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "p", "eastus").await;
    let r = arm.get(&format!("{scope}/privateLinkResources?api-version={HC_API}")).await;
    let plr = &r.body["value"][0];
    assert_eq!(plr["properties"]["groupId"], "hybridcompute");
    assert_eq!(
        plr["properties"]["requiredZoneNames"],
        json!([
            "privatelink.his.arc.azure.com",
            "privatelink.guestconfiguration.azure.com",
            "privatelink.dp.kubernetesconfiguration.azure.com"
        ])
    );
    assert_eq!(arm.get(&format!("{scope}/privateLinkResources/hybridcompute?api-version={HC_API}")).await.status, 200);
    assert_eq!(arm.get(&format!("{scope}/privateLinkResources/other?api-version={HC_API}")).await.status, 404);
    let list = arm.get(&format!("{scope}/privateEndpointConnections?api-version={HC_API}")).await;
    assert_eq!(list.body["value"], json!([]));
    // Connections come from private endpoints; ARM cannot create one out of thin air.
    let pec = format!("{scope}/privateEndpointConnections/pe1?api-version={HC_API}");
    let r = arm
        .put(
            &pec,
            json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}}),
        )
        .await;
    r.refused(404, "ResourceNotFound", None);
    // One made the way the networking layer will: approve and reject it over ARM.
    {
        let id = arcemu_model::ResourceId::parse(&scope).unwrap();
        arm.emu
            .world()
            .apply(arcemu_model::Change::UpsertEndpointConnection {
                scope: &id,
                name: "pe1",
                private_endpoint: "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/privateEndpoints/pe1",
                status: arcemu_model::resources::ConnectionStatus::Pending,
            })
            .unwrap();
    }
    let r = arm
        .put(
            &pec,
            json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.headers.get("azure-asyncoperation").is_some());
    arm.put(
        &pec,
        json!({"properties": {"privateLinkServiceConnectionState": {"status": "Maybe", "description": "?"}}}),
    )
    .await
    .refused(400, "InvalidRequestContent", None);
    let s = arm.get(&format!("{scope}?api-version={HC_API}")).await;
    assert_eq!(
        s.body["properties"]["privateEndpointConnections"][0]["properties"]["privateLinkServiceConnectionState"]["status"],
        "Approved"
    );
}

#[tokio::test]
async fn bad_input_gets_a_4xx_envelope_naming_what_is_wrong() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let cluster = format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"));
    // Malformed JSON.
    let r = arm
        .http
        .put(format!("{}{cluster}", arm.base))
        .bearer_auth("t")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "InvalidRequestContent");
    // Empty body.
    let r = arm.http.put(format!("{}{cluster}", arm.base)).bearer_auth("t").send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Known property of the wrong type: names the property.
    let r = arm
        .put(&cluster, json!({"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {"agentPublicKeyCertificate": "x", "totalNodeCount": "three"}}))
        .await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(r.body["error"]["target"], "properties.totalNodeCount");
    // Bad enum value.
    let r = arm
        .put(&cluster, json!({"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {"agentPublicKeyCertificate": "x", "privateLinkState": "Sometimes"}}))
        .await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(r.body["error"]["target"], "properties.privateLinkState");
    // Required pieces.
    arm.put(&cluster, json!({"location": "eastus", "properties": {"agentPublicKeyCertificate": "x"}})).await.refused(
        400,
        "InvalidRequestContent",
        None,
    );
    arm.put(&cluster, json!({"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {}}))
        .await
        .refused(400, "InvalidRequestContent", None);
    arm.put(
        &cluster,
        json!({"identity": {"type": "SystemAssigned"}, "properties": {"agentPublicKeyCertificate": "x"}}),
    )
    .await
    .refused(400, "LocationRequired", None);
    arm.put(&cluster, json!({"location": "atlantis", "identity": {"type": "SystemAssigned"}, "properties": {"agentPublicKeyCertificate": "x"}}))
        .await
        .refused(400, "LocationNotAvailableForResourceType", None);
    // Bad names.
    arm.put(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "-bad-")), json!({})).await.refused(
        400,
        "InvalidResourceName",
        None,
    );
    arm.put(&format!("/subscriptions/{SUB}/resourcegroups/bad.?api-version={RG_API}"), json!({"location": "eastus"}))
        .await
        .refused(400, "InvalidResourceGroupName", None);
    // Oversized body.
    let big = "x".repeat(5 * 1024 * 1024);
    let r = arm
        .http
        .put(format!("{}{cluster}", arm.base))
        .bearer_auth("t")
        .header("content-type", "application/json")
        .body(format!("\"{big}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Wrong media type, wrong verb, unknown type and namespace, unknown path.
    let r = arm
        .http
        .put(format!("{}{cluster}", arm.base))
        .bearer_auth("t")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    arm.send("POST", &cluster, Some(json!({}))).await.refused(405, "MethodNotAllowed", None);
    arm.get(&format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m?api-version={HC_API}"
    ))
    .await
    .refused(400, "InvalidResourceType", None);
    arm.get(&format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Contoso.Widgets/widgets/w?api-version={HC_API}"
    ))
    .await
    .refused(400, "InvalidResourceNamespace", None);
    arm.get("/no/such/path").await.refused(404, "NotFound", None);
    // Missing containers.
    arm.get(&format!("/subscriptions/99999999-9999-9999-9999-999999999999/resourcegroups/rg?api-version={RG_API}"))
        .await
        .refused(404, "SubscriptionNotFound", None);
    arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "nope", "c"))).await.refused(
        404,
        "ResourceGroupNotFound",
        None,
    );
    arm.get(&cluster).await.refused(404, "ResourceNotFound", None);
    // An extension needs its cluster.
    let ext = format!(
        "{}/providers/Microsoft.KubernetesConfiguration/extensions/flux?api-version={EXT_API}",
        cluster_id(SUB, "rg", "c")
    );
    arm.put(&ext, json!({"properties": {"extensionType": "microsoft.flux"}})).await.refused(
        404,
        "ParentResourceNotFound",
        None,
    );
}

#[tokio::test]
async fn every_answer_carries_request_and_correlation_ids() {
    let arm = start().await;
    let r = arm
        .http
        .get(format!("{}/subscriptions?api-version={RG_API}", arm.base))
        .bearer_auth("t")
        .header("x-ms-correlation-request-id", "corr-1")
        .header("x-ms-client-request-id", "client-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-ms-correlation-request-id"], "corr-1");
    assert_eq!(r.headers()["x-ms-client-request-id"], "client-1");
    assert_eq!(r.headers()["x-ms-request-id"].len(), 36);
    let body: serde_json::Value = r.json().await.unwrap();
    let ids: Vec<&str> =
        body["value"].as_array().unwrap().iter().map(|s| s["subscriptionId"].as_str().unwrap()).collect();
    assert_eq!(ids, [SUB, SUB2]);
    let e = arm.get("/subscriptions/x/resourcegroups/y").await;
    assert_eq!(e.header("x-ms-request-id").len(), 36);
}

#[tokio::test]
async fn same_seed_same_ids_and_the_emulator_stops_cleanly() {
    async fn scope_guid(seed: u64) -> (String, std::net::SocketAddr) {
        let mut cfg = arcemu::EmulatorConfig::default();
        cfg.world.seed = seed;
        let arm = start_with(cfg).await;
        arm.group(SUB, "rg", "eastus").await;
        arm.scope(SUB, "rg", "p", "eastus").await;
        let g = arm.get(&format!("{}?api-version={HC_API}", scope_id(SUB, "rg", "p"))).await.body["properties"]["privateLinkScopeId"]
            .as_str()
            .unwrap()
            .to_string();
        let addr = arm.emu.arm_addr();
        arm.emu.stop().await;
        (g, addr)
    }
    let (a, addr) = scope_guid(42).await;
    let (b, _) = scope_guid(42).await;
    let (c, _) = scope_guid(43).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "listener closed after stop");
}
