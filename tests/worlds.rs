//! Named worlds: `/worlds/{name}/...` is a whole emulator of its own (ARM, admin API, DNS),
//! built on first use; two of them never see each other nor the default world, each resets on
//! its own, the URLs they return keep the prefix, and the registry refuses bad names and too
//! many worlds.

mod common;
use arcemu::{AccessConfig, EmulatorConfig};
use common::*;
use serde_json::json;

fn rg_url(world: &str, rg: &str) -> String {
    format!("/worlds/{world}/subscriptions/{SUB}/resourcegroups/{rg}?api-version={RG_API}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_worlds_do_not_see_each_other_nor_the_default_one() {
    let arm = start().await;
    assert_eq!(arm.put(&rg_url("job-a", "only-a"), json!({"location": "eastus"})).await.status, 201);
    assert_eq!(arm.put(&rg_url("job-b", "only-b"), json!({"location": "westus"})).await.status, 201);
    assert_eq!(arm.get(&rg_url("job-a", "only-a")).await.status, 200);
    assert_eq!(arm.get(&rg_url("job-b", "only-a")).await.status, 404);
    assert_eq!(arm.get(&rg_url("job-a", "only-b")).await.status, 404);
    assert_eq!(arm.get(&format!("/subscriptions/{SUB}/resourcegroups/only-a?api-version={RG_API}")).await.status, 404);
    let listed = arm.get(&format!("/worlds/job-a/subscriptions/{SUB}/resourcegroups?api-version={RG_API}")).await;
    let names: Vec<&str> = listed.body["value"].as_array().unwrap().iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(names, ["only-a"], "{}", listed.body);

    // Lab objects and DNS are per world too.
    let site = arm.put("/worlds/job-a/_emulator/sites/hq", json!({"addressSpace": ["192.168.0.0/16"]})).await;
    assert_eq!(site.status, 201, "{}", site.body);
    assert_eq!(arm.get("/worlds/job-b/_emulator/sites/hq").await.status, 404);
    assert_eq!(arm.get("/_emulator/sites/hq").await.status, 404);
    let a_dns = arm.get("/worlds/job-a/_emulator/dns/listeners").await.body;
    let b_dns = arm.get("/worlds/job-b/_emulator/dns/listeners").await.body;
    assert!(a_dns["listeners"]["site:hq"].is_string(), "{a_dns}");
    assert!(b_dns["listeners"].get("site:hq").is_none(), "{b_dns}");
    assert_ne!(a_dns["listeners"]["public"], b_dns["listeners"]["public"], "each world has its own DNS listeners");

    // The registry lists both, with their ARM base URLs.
    let worlds = arm.get("/_emulator/worlds").await;
    let listed: Vec<(&str, &str)> = worlds.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["name"].as_str().unwrap(), w["arm"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [("job-a", &*format!("{}/worlds/job-a", arm.base)), ("job-b", &*format!("{}/worlds/job-b", arm.base))]
    );

    // A reset is per world.
    let reset = arm.send("POST", "/worlds/job-a/_emulator/reset", Some(json!({}))).await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(arm.get(&rg_url("job-a", "only-a")).await.status, 404);
    assert_eq!(arm.get(&rg_url("job-b", "only-b")).await.status, 200);

    // Deleting a world forgets it; using the name again starts a new, empty one.
    assert_eq!(arm.delete("/_emulator/worlds/job-b").await.status, 200);
    assert_eq!(arm.get("/_emulator/worlds/job-b").await.code(), "WorldNotFound");
    assert_eq!(arm.get(&rg_url("job-b", "only-b")).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_a_world_returns_keep_its_prefix() {
    let mut config = EmulatorConfig::default();
    config.world.lro_delay = time::Duration::seconds(30);
    let arm = start_with(config).await;
    assert_eq!(arm.put(&rg_url("w1", "rg"), json!({"location": "eastus"})).await.status, 201);
    let deleted = arm.delete(&rg_url("w1", "rg")).await;
    assert_eq!(deleted.status, 202, "{}", deleted.body);
    let prefix = format!("{}/worlds/w1/", arm.base);
    assert!(deleted.header("location").starts_with(&prefix), "{:?}", deleted.headers);
    let status = arm.get(deleted.header("location")).await;
    assert_eq!(status.status, 202, "the operation is found through its URL: {}", status.body);
    // The default world knows nothing of it.
    let elsewhere = deleted.header("location").replacen("/worlds/w1", "", 1);
    assert_eq!(arm.get(&elsewhere).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_names_too_many_worlds_and_the_admin_token_are_refused() {
    let config = EmulatorConfig {
        max_named_worlds: 2,
        access: AccessConfig { admin_token: Some("s3cret".into()), ..Default::default() },
        ..Default::default()
    };
    let arm = start_with(config).await;
    let bad = arm.put(&rg_url("Not_A_Name", "rg"), json!({"location": "eastus"})).await;
    bad.refused(400, "InvalidRequestContent", None);
    for w in ["one", "two"] {
        assert_eq!(arm.put(&rg_url(w, "rg"), json!({"location": "eastus"})).await.status, 201);
    }
    arm.put(&rg_url("three", "rg"), json!({"location": "eastus"})).await.refused(409, "WorldLimitReached", None);
    // A named world's admin API needs the admin token like the default one's.
    let no_token = arm.put("/worlds/one/_emulator/sites/hq", json!({"addressSpace": ["192.168.0.0/16"]})).await;
    assert_eq!(no_token.status, 401, "{}", no_token.body);
    let with_token = arm
        .http
        .put(format!("{}/worlds/one/_emulator/sites/hq", arm.base))
        .bearer_auth("s3cret")
        .json(&json!({"addressSpace": ["192.168.0.0/16"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 201);
}
