//! A GET must never answer from before the last change: after a long-running DELETE is
//! accepted (202), GET shows `provisioningState: Deleting` until the delete completes, then 404.
//! Driven over real HTTP with a manual clock (deterministic: nothing completes until the test
//! moves the clock).
//!
//! EXPECTED ON 51d9bc2 (main before the "one door" redesign): this test FAILS for every type
//! below. The ARM face caches serialized GET bodies per resource while the world's `generation`
//! is unchanged, and the delete paths (`World::delete_resource`, `World::delete_resource_group`)
//! set `Deleting` without bumping it, so the GET after the DELETE returns the body cached by the
//! GET before it (`Succeeded`).

mod common;
use common::*;
use serde_json::json;
use std::sync::Arc;

const DELAY_S: i64 = 30;

struct Case {
    what: &'static str,
    /// GET url of the resource watched.
    get: String,
    /// DELETE url (the resource itself, or its resource group).
    delete: String,
}

#[tokio::test]
async fn get_after_a_long_running_delete_says_deleting_then_not_found() {
    let clock = Arc::new(arcemu_model::clock::ManualClock::default());
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world.lro_delay = time::Duration::seconds(DELAY_S);
    cfg.clock = Some(clock.clone());
    let arm = start_with(cfg).await;
    arm.group(SUB, "rg", "eastus").await;
    arm.group(SUB, "doomed", "eastus").await;

    let cluster = cluster_id(SUB, "rg", "c");
    assert_eq!(arm.put_cluster(SUB, "rg", "c", "eastus", None).await.status, 201);
    let vnet = arm.vnet(SUB, "rg", "v", "eastus", "10.1.0.0/16", &[("s", "10.1.1.0/24")]).await;
    let nsg = net_id(SUB, "rg", "networkSecurityGroups", "n");
    let r = arm.put(&format!("{nsg}?api-version={NET_API}"), json!({"location": "eastus"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let in_group = arm.scope(SUB, "doomed", "inside", "eastus").await;
    // Every create has completed.
    clock.advance(time::Duration::seconds(DELAY_S));

    let cases = [
        Case {
            what: "connected cluster",
            get: format!("{cluster}?api-version={K8S_API}"),
            delete: format!("{cluster}?api-version={K8S_API}"),
        },
        Case {
            what: "virtual network",
            get: format!("{vnet}?api-version={NET_API}"),
            delete: format!("{vnet}?api-version={NET_API}"),
        },
        Case {
            what: "network security group",
            get: format!("{nsg}?api-version={NET_API}"),
            delete: format!("{nsg}?api-version={NET_API}"),
        },
        Case {
            what: "private link scope",
            get: format!("{scope}?api-version={HC_API}"),
            delete: format!("{scope}?api-version={HC_API}"),
        },
        Case {
            what: "private link scope in a resource group being deleted",
            get: format!("{in_group}?api-version={HC_API}"),
            delete: format!("/subscriptions/{SUB}/resourcegroups/doomed?api-version={RG_API}"),
        },
    ];

    let mut stale = Vec::new();
    for c in &cases {
        let before = arm.get(&c.get).await;
        assert_eq!(before.status, 200, "{}: {}", c.what, before.body);
        assert_eq!(before.body["properties"]["provisioningState"], "Succeeded", "{}", c.what);
        let d = arm.delete(&c.delete).await;
        assert_eq!(d.status, 202, "{}: {}", c.what, d.body);
        let during = arm.get(&c.get).await;
        assert_eq!(during.status, 200, "{}: {}", c.what, during.body);
        let state = during.body["properties"]["provisioningState"].as_str().unwrap_or("?").to_string();
        if state != "Deleting" {
            stale.push(format!("{}: GET after DELETE (202) says '{state}', want 'Deleting'", c.what));
        }
    }
    // Nothing completes before its time ...
    clock.advance(time::Duration::seconds(DELAY_S - 1));
    for c in &cases {
        let r = arm.get(&c.get).await;
        assert_eq!(r.status, 200, "{} gone before its delete completed: {}", c.what, r.body);
    }
    // ... and every delete has completed once it is due.
    clock.advance(time::Duration::seconds(1));
    for c in &cases {
        let r = arm.get(&c.get).await;
        assert_eq!(r.status, 404, "{} still there after its delete completed: {}", c.what, r.body);
    }
    assert!(stale.is_empty(), "stale GET answers (served from the GET body cache):\n  {}", stale.join("\n  "));
}
