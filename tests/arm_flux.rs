//! Flux (GitOps) configurations on a connected cluster over real HTTP: the REST API spec's
//! create example, defaults, PATCH, list, refusals, long-running delete, and deletion with the
//! cluster.

mod common;
use common::*;
use serde_json::json;

const FLUX_API: &str = "2025-04-01";

/// The request body of `CreateFluxConfiguration.json` (fluxConfigurations, stable/2025-04-01).
fn spec_example_body() -> serde_json::Value {
    json!({ "properties": {
        "scope": "cluster",
        "namespace": "srs-namespace",
        "sourceKind": "GitRepository",
        "suspend": false,
        "gitRepository": {
            "url": "https://github.com/Azure/arc-k8s-demo",
            "timeoutInSeconds": 600,
            "syncIntervalInSeconds": 600,
            "repositoryRef": { "branch": "master" },
            "httpsCACert": "ZXhhbXBsZWNlcnRpZmljYXRl"
        },
        "kustomizations": {
            "srs-kustomization1": { "path": "./test/path", "dependsOn": [], "timeoutInSeconds": 600, "syncIntervalInSeconds": 600, "wait": true },
            "srs-kustomization2": { "path": "./other/test/path", "dependsOn": ["srs-kustomization1"], "retryIntervalInSeconds": 600, "prune": false, "wait": false }
        },
        "waitForReconciliation": true,
        "reconciliationWaitDuration": "PT30M"
    }})
}

async fn setup() -> (Arm, String) {
    let arm = start().await;
    arm.group(SUB, "arc", "eastus").await;
    let r = arm.put_cluster(SUB, "arc", "c1", "eastus", None).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let flux = format!(
        "{}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/srs-fluxconfig",
        cluster_id(SUB, "arc", "c1")
    );
    (arm, flux)
}

#[tokio::test]
async fn the_spec_example_creates_a_flux_configuration_shaped_as_azure_answers() {
    let (arm, flux) = setup().await;
    let r = arm.put(&format!("{flux}?api-version={FLUX_API}"), spec_example_body()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.header("azure-asyncoperation").contains("/operationStatuses/"), "{:?}", r.headers);
    assert_eq!(r.body["type"], "Microsoft.KubernetesConfiguration/fluxConfigurations");
    assert_eq!(r.body["id"], flux);
    let p = &r.body["properties"];
    assert_eq!(
        p["gitRepository"]["repositoryRef"],
        json!({"branch": "master", "tag": null, "semver": null, "commit": null})
    );
    assert_eq!(p["kustomizations"]["srs-kustomization1"]["name"], "srs-kustomization1");
    // The service's defaults fill what the second kustomization left out.
    assert_eq!(p["kustomizations"]["srs-kustomization2"]["timeoutInSeconds"], 600);
    assert_eq!(p["kustomizations"]["srs-kustomization2"]["syncIntervalInSeconds"], 600);
    assert_eq!(p["complianceState"], "Pending");
    assert_eq!(p["statuses"], json!([]));
    assert!(r.body.get("location").is_none() && r.body.get("tags").is_none(), "a proxy resource: {}", r.body);

    let got = arm.get(&format!("{flux}?api-version={FLUX_API}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["properties"]["provisioningState"], "Succeeded");
    let list = arm
        .get(&format!(
            "{}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations?api-version={FLUX_API}",
            cluster_id(SUB, "arc", "c1")
        ))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1), "{}", list.body);
}

#[tokio::test]
async fn patch_merges_and_bad_bodies_are_refused_with_the_property_named() {
    let (arm, flux) = setup().await;
    let url = format!("{flux}?api-version={FLUX_API}");
    assert_eq!(arm.put(&url, spec_example_body()).await.status, 201);
    let r = arm
        .send(
            "PATCH",
            &url,
            Some(json!({"properties": {"suspend": true, "gitRepository": {"url": "https://example.com/other"}}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["suspend"], true);
    assert_eq!(r.body["properties"]["gitRepository"]["url"], "https://example.com/other");
    assert_eq!(r.body["properties"]["gitRepository"]["repositoryRef"]["branch"], "master", "merged, not replaced");

    let mut bad = spec_example_body();
    bad["properties"]["sourceKind"] = json!("Svn");
    let r = arm.put(&url, bad).await;
    r.refused(400, "InvalidRequestContent", None);
    assert!(r.body["error"]["message"].as_str().unwrap_or("").contains("GitRepository"), "{}", r.body);
    let r = arm.put(&url, json!({"properties": {"sourceKind": "Bucket"}})).await;
    r.refused(400, "InvalidRequestContent", None);
    assert_eq!(r.body["error"]["target"], "properties.bucket", "{}", r.body);
    let r = arm
        .put(&format!("{}/Bad_Name?api-version={FLUX_API}", flux.rsplit_once('/').unwrap().0), spec_example_body())
        .await;
    r.refused(400, "InvalidResourceName", None);
    let r = arm.put(&format!("{flux}?api-version=2021-09-01"), spec_example_body()).await;
    assert_eq!(r.status, 400, "an extensions-only api-version: {}", r.body);
}

#[tokio::test]
async fn delete_is_long_running_and_the_cluster_takes_its_configurations_with_it() {
    let (arm, flux) = setup().await;
    let url = format!("{flux}?api-version={FLUX_API}");
    assert_eq!(arm.put(&url, spec_example_body()).await.status, 201);
    let r = arm.delete(&url).await;
    assert_eq!(r.status, 202, "{}", r.body);
    arm.get(&url).await.refused(404, "ResourceNotFound", None);

    assert_eq!(arm.put(&url, spec_example_body()).await.status, 201);
    let cluster = format!("{}?api-version={K8S_API}", cluster_id(SUB, "arc", "c1"));
    assert_eq!(arm.delete(&cluster).await.status, 202);
    arm.get(&url).await.refused(404, "ResourceNotFound", None);
}
