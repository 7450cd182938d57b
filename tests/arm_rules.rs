//! Every rule of the foundation refused through the wire (real HTTP against an emulator
//! started in-process), each next to a case the rule lets through.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn pls_003_cluster_must_be_in_the_scope_region() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let r = arm.put_cluster(SUB, "rg", "c-west", "westeurope", Some(&scope)).await;
    r.refused(400, "PrivateLinkScopeLocationMismatch", Some("PLS-003"));
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("The location of the private link scope resource does not match")
    );
    assert_eq!(r.body["error"]["additionalInfo"][0]["info"]["seedSection"], "Current limitations");
    let ok = arm.put_cluster(SUB, "rg", "c-east", "East US", Some(&scope)).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    // A refused write leaves nothing behind.
    assert_eq!(arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c-west"))).await.status, 404);
}

#[tokio::test]
async fn pls_003_holds_in_the_strict_regions_profile_and_names_it() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world.region_profile = arcemu::RegionProfile::StrictRegions;
    let arm = start_with(cfg).await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let r = arm.put_cluster(SUB, "rg", "c", "westus", Some(&scope)).await;
    r.refused(400, "PrivateLinkScopeLocationMismatch", Some("PLS-003"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("strict-regions"));
}

#[tokio::test]
async fn pls_005_cluster_must_be_in_the_scope_subscription() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    arm.group(SUB2, "rg2", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let r = arm.put_cluster(SUB2, "rg2", "c", "eastus", Some(&scope)).await;
    r.refused(400, "PrivateLinkScopeSubscriptionMismatch", Some("PLS-005"));
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", Some(&scope)).await.status, 201);
}

#[tokio::test]
async fn pls_010_state_and_scope_id_must_agree_and_the_scope_must_exist() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let id = cluster_id(SUB, "rg", "c");
    let base = json!({"location": "eastus", "identity": {"type": "SystemAssigned"}});
    let with = |props: serde_json::Value| {
        let mut b = base.clone();
        b["properties"] = props;
        b
    };
    let url = format!("{id}?api-version={K8S_API}");
    let r = arm.put(&url, with(json!({"agentPublicKeyCertificate": "x", "privateLinkState": "Enabled"}))).await;
    r.refused(400, "InvalidPrivateLinkConfiguration", Some("PLS-010"));
    let scope = scope_id(SUB, "rg", "nope");
    let r = arm
        .put(&url, with(json!({"agentPublicKeyCertificate": "x", "privateLinkState": "Disabled", "privateLinkScopeResourceId": scope})))
        .await;
    r.refused(400, "InvalidPrivateLinkConfiguration", Some("PLS-010"));
    let r = arm.put_cluster(SUB, "rg", "c", "eastus", Some(&scope)).await;
    r.refused(400, "PrivateLinkScopeNotFound", Some("PLS-010"));
    let r = arm.put_cluster(SUB, "rg", "c", "eastus", Some("not-an-id")).await;
    r.refused(400, "LinkedInvalidPropertyId", None);
    assert_eq!(r.body["error"]["target"], "properties.privateLinkScopeResourceId");
    let real = arm.scope(SUB, "rg", "pls", "eastus").await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", Some(&real)).await.status, 201);
    // Case-insensitive id match, original spelling kept.
    assert_eq!(arm.put_cluster(SUB, "rg", "c2", "eastus", Some(&real.to_uppercase())).await.status, 201);
}

#[tokio::test]
async fn pls_002_a_cluster_cannot_jump_from_one_scope_to_another() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let a = arm.scope(SUB, "rg", "pls-a", "eastus").await;
    let b = arm.scope(SUB, "rg", "pls-b", "eastus").await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", Some(&a)).await.status, 201);
    arm.put_cluster(SUB, "rg", "c", "eastus", Some(&b)).await.refused(
        409,
        "PrivateLinkScopeAssociationConflict",
        Some("PLS-002"),
    );
    // Re-PUT with the same scope is an update.
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", Some(&a)).await.status, 200);
    // Leave A, then join B.
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", None).await.status, 200);
    let r = arm.put_cluster(SUB, "rg", "c", "eastus", Some(&b)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["privateLinkScopeResourceId"], b);
}

#[tokio::test]
async fn pls_008_custom_locations_and_private_link_exclude_each_other() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    assert_eq!(arm.put_cluster(SUB, "rg", "private", "eastus", Some(&scope)).await.status, 201);
    assert_eq!(arm.put_cluster(SUB, "rg", "public", "eastus", None).await.status, 201);
    let cl = |host: String| json!({"location": "eastus", "properties": {"hostResourceId": host, "namespace": "arc", "hostType": "Kubernetes"}});
    let r = arm
        .put(
            &format!("{}?api-version={CL_API}", custom_location_id(SUB, "rg", "cl1")),
            cl(cluster_id(SUB, "rg", "private")),
        )
        .await;
    r.refused(400, "FeatureNotSupportedWithPrivateLink", Some("PLS-008"));
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("The features 'cluster-connect' and 'custom-locations' cannot be enabled")
    );
    let r = arm
        .put(
            &format!("{}?api-version={CL_API}", custom_location_id(SUB, "rg", "cl2")),
            cl(cluster_id(SUB, "rg", "public")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // The other direction: private link cannot be enabled while a custom location is hosted.
    arm.put_cluster(SUB, "rg", "public", "eastus", Some(&scope)).await.refused(
        400,
        "FeatureNotSupportedWithPrivateLink",
        Some("PLS-008"),
    );
    assert_eq!(arm.delete(&format!("{}?api-version={CL_API}", custom_location_id(SUB, "rg", "cl2"))).await.status, 202);
    assert_eq!(arm.put_cluster(SUB, "rg", "public", "eastus", Some(&scope)).await.status, 200);
}

#[tokio::test]
async fn pls_011_add_resources_offers_only_same_subscription_and_region() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    arm.group(SUB2, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    for (sub, name, loc) in [(SUB, "near", "eastus"), (SUB, "far", "westus"), (SUB2, "other-sub", "eastus")] {
        assert_eq!(arm.put_cluster(sub, "rg", name, loc, None).await.status, 201);
    }
    let r = arm.get(&format!("/_emulator/private-link-scopes/candidates?scope={scope}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let names: Vec<&str> = r.body["value"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["near"]);
    let add = |clusters: Vec<String>| json!({"scope": scope, "clusters": clusters});
    let r = arm
        .send("POST", "/_emulator/private-link-scopes/add-resources", Some(add(vec![cluster_id(SUB, "rg", "far")])))
        .await;
    r.refused(400, "ClusterNotEligibleForPrivateLinkScope", Some("PLS-011"));
    let r = arm
        .send(
            "POST",
            "/_emulator/private-link-scopes/add-resources",
            Some(add(vec![cluster_id(SUB2, "rg", "other-sub")])),
        )
        .await;
    r.refused(400, "ClusterNotEligibleForPrivateLinkScope", Some("PLS-011"));
    let r = arm
        .send("POST", "/_emulator/private-link-scopes/add-resources", Some(add(vec![cluster_id(SUB, "rg", "near")])))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "near"))).await;
    assert_eq!(c.body["properties"]["privateLinkState"], "Enabled");
    assert_eq!(c.body["properties"]["privateLinkScopeResourceId"], scope);
    // PLS-002 through the same door: a cluster of another scope is not taken.
    let other = arm.scope(SUB, "rg", "pls-2", "eastus").await;
    let r = arm
        .send(
            "POST",
            "/_emulator/private-link-scopes/add-resources",
            Some(json!({"scope": other, "clusters": [cluster_id(SUB, "rg", "near")]})),
        )
        .await;
    r.refused(409, "PrivateLinkScopeAssociationConflict", Some("PLS-002"));
}

#[tokio::test]
async fn pls_015_unregistered_provider_refuses_writes_until_registered() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world
        .subscriptions
        .push(arcemu::SubscriptionConfig::unregistered("22222222-2222-2222-2222-222222222222", "fresh"));
    let arm = start_with(cfg).await;
    let sub = "22222222-2222-2222-2222-222222222222";
    arm.group(sub, "rg", "eastus").await;
    let r = arm.put_cluster(sub, "rg", "c", "eastus", None).await;
    r.refused(409, "MissingSubscriptionRegistration", Some("PLS-015"));
    assert!(r.body["error"]["message"].as_str().unwrap().contains("namespace 'Microsoft.Kubernetes'"));
    let p = arm.get(&format!("/subscriptions/{sub}/providers/Microsoft.Kubernetes?api-version={RG_API}")).await;
    assert_eq!(p.body["registrationState"], "NotRegistered");
    let reg = arm
        .send(
            "POST",
            &format!("/subscriptions/{sub}/providers/microsoft.kubernetes/register?api-version={RG_API}"),
            None,
        )
        .await;
    assert_eq!((reg.status, reg.body["registrationState"].as_str()), (200, Some("Registered")));
    assert_eq!(arm.put_cluster(sub, "rg", "c", "eastus", None).await.status, 201);
    // Unregistering again stops writes in that namespace only.
    arm.send(
        "POST",
        &format!("/subscriptions/{sub}/providers/Microsoft.Kubernetes/unregister?api-version={RG_API}"),
        None,
    )
    .await;
    arm.put_cluster(sub, "rg", "c", "eastus", None).await.refused(
        409,
        "MissingSubscriptionRegistration",
        Some("PLS-015"),
    );
}

/// `GET /_emulator/rules`: every rule of DESIGN.md (PLS-001..015, NET-001..003, DNS-001..006),
/// in id order, each with its seed section, summary and fidelity (and a source when verified).
#[tokio::test]
async fn the_admin_api_lists_the_whole_catalogue_with_fidelity() {
    let arm = start().await;
    let r = arm.get("/_emulator/rules").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rules = r.body["value"].as_array().expect("a value array");
    let ids: Vec<&str> = rules.iter().map(|x| x["id"].as_str().unwrap_or("")).collect();
    let mut design: Vec<String> = (1..=15)
        .map(|n| format!("PLS-{n:03}"))
        .chain((1..=3).map(|n| format!("NET-{n:03}")))
        .chain((1..=6).map(|n| format!("DNS-{n:03}")))
        .collect();
    design.sort();
    assert_eq!(ids, design);
    for rule in rules {
        let keys: Vec<&str> = rule.as_object().unwrap().keys().map(String::as_str).collect();
        match rule["fidelity"].as_str() {
            Some("verified") => {
                assert!(rule["fidelitySource"].as_str().is_some_and(|s| !s.is_empty()), "{rule}");
                assert_eq!(keys, ["id", "seedSection", "summary", "fidelity", "fidelitySource"]);
            }
            Some("inferred") => assert_eq!(keys, ["id", "seedSection", "summary", "fidelity"]),
            _ => panic!("no fidelity: {rule}"),
        }
        assert!(rule["seedSection"].as_str().is_some_and(|s| !s.is_empty()), "{rule}");
        assert!(rule["summary"].as_str().is_some_and(|s| !s.is_empty()), "{rule}");
    }
    let pls_015 = rules.iter().find(|x| x["id"] == "PLS-015").unwrap();
    assert_eq!(pls_015["fidelity"], "verified");
    assert_eq!(pls_015["fidelitySource"], "Azure Resource Manager responses");
    let dns_006 = rules.iter().find(|x| x["id"] == "DNS-006").unwrap();
    assert_eq!(dns_006["fidelity"], "inferred");
}
