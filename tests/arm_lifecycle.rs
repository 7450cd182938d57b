//! Writes racing deletes, over real HTTP with a manual clock: the three bugs the state machine
//! found once it had long-running operations and non-ASCII names.

mod common;
use common::*;
use serde_json::json;
use std::sync::Arc;

const DELAY_S: i64 = 10;

async fn start_slow() -> (Arm, Arc<arcemu_model::clock::ManualClock>) {
    let clock = Arc::new(arcemu_model::clock::ManualClock::default());
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world.lro_delay = time::Duration::seconds(DELAY_S);
    cfg.clock = Some(clock.clone());
    (start_with(cfg).await, clock)
}

fn group_url(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourcegroups/{}?api-version={RG_API}",
        name.replace('½', "%C2%BD").replace('é', "%C3%A9")
    )
}

/// ARM allows letters and digits as .NET's `Char.IsLetterOrDigit` defines them: `é` is a
/// letter, `½` (a vulgar fraction, category No) is neither.
#[tokio::test]
async fn resource_group_names_take_letters_and_digits_as_dotnet_defines_them() {
    let arm = start().await;
    let r = arm.put(&group_url("rg-café"), json!({"location": "eastus"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = arm.put(&group_url("rg-½"), json!({"location": "eastus"})).await;
    r.refused(400, "InvalidResourceGroupName", None);
}

#[tokio::test]
async fn a_put_into_a_resource_group_being_deleted_is_refused() {
    let (arm, clock) = start_slow().await;
    arm.group(SUB, "doomed", "eastus").await;
    let r = arm.delete(&group_url("doomed")).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let scope = scope_id(SUB, "doomed", "pls");
    let r = arm.put(&format!("{scope}?api-version={HC_API}"), json!({"location": "eastus"})).await;
    r.refused(409, "ResourceGroupBeingDeleted", None);
    clock.advance(time::Duration::seconds(DELAY_S));
    arm.get(&format!("{scope}?api-version={HC_API}")).await.refused(404, "ResourceGroupNotFound", None);
}

/// A second DELETE while the first is pending joins it (same operation); it must never
/// delete a resource created again after the first one completed.
#[tokio::test]
async fn a_second_delete_joins_the_pending_one_and_spares_a_recreated_resource() {
    let (arm, clock) = start_slow().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    let url = format!("{scope}?api-version={HC_API}");
    let first = arm.delete(&url).await;
    assert_eq!(first.status, 202, "{}", first.body);
    clock.advance(time::Duration::seconds(DELAY_S / 2));
    let second = arm.delete(&url).await;
    assert_eq!(second.status, 202, "{}", second.body);
    assert_eq!(second.header("azure-asyncoperation"), first.header("azure-asyncoperation"), "the same operation");
    clock.advance(time::Duration::seconds(DELAY_S / 2));
    arm.get(&url).await.refused(404, "ResourceNotFound", None);
    let again = arm.put(&url, json!({"location": "eastus"})).await;
    assert_eq!(again.status, 201, "{}", again.body);
    clock.advance(time::Duration::seconds(DELAY_S));
    let got = arm.get(&url).await;
    assert_eq!(got.status, 200, "the scope created again survives: {}", got.body);

    // The same for a resource group.
    arm.group(SUB, "g2", "eastus").await;
    let first = arm.delete(&group_url("g2")).await;
    let second = arm.delete(&group_url("g2")).await;
    assert_eq!(second.header("location"), first.header("location"), "the same operation");
}
