//! The conformance gate through the real binary and the admin API: `GET /_emulator/snapshot`
//! reloads into the same world; `GET /_emulator/refusals` records refused writes; `arcemu check`
//! (live and from a snapshot) and `arcemu verify` exit with their documented codes. The example
//! scripts with the Azure SDK for Python are in tests/python/test_verify_examples.py.

mod common;
use common::*;
use serde_json::Value;
use std::process::Command;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-world.yaml");
const ZONE: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/privateDnsZones/privatelink.his.arc.azure.com";

async fn seed() -> Arm {
    let text = std::fs::read_to_string(SEED).unwrap();
    let world = arcemu::world_file::parse(&text).unwrap();
    start_with(arcemu::EmulatorConfig { initial_world: Some(world), ..Default::default() }).await
}

/// Runs the binary; (exit code, stdout).
async fn arcemu(args: Vec<String>) -> (i32, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_arcemu")).args(&args).env("NO_COLOR", "1").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code().unwrap_or(-1), text + &String::from_utf8_lossy(&out.stderr))
    })
    .await
    .unwrap()
}

fn json_of(out: &str) -> Value {
    let end = out.rfind('}').map_or(0, |i| i + 1);
    serde_json::from_str(&out[..end]).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn rules(report: &Value) -> Vec<String> {
    let mut all: Vec<&Value> = report["findings"].as_array().unwrap().iter().collect();
    for e in report["expectations"].as_array().unwrap() {
        all.extend(e["findings"].as_array().unwrap());
    }
    all.iter().filter_map(|f| f["rule"].as_str().map(str::to_string)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_reloads_into_a_world_that_explains_the_same() {
    let arm = seed().await;
    let snapshot = arm.get("/_emulator/snapshot").await;
    assert_eq!(snapshot.status, 200, "{}", snapshot.body);
    let file: arcemu::world_file::WorldFile = serde_json::from_value(snapshot.body.clone()).unwrap();
    assert_eq!(file.clusters.len(), 1);
    let again = start_with(arcemu::EmulatorConfig { initial_world: Some(file), ..Default::default() }).await;
    let before = arm.get("/_emulator/clusters/edge/explain").await.body;
    let after = again.get("/_emulator/clusters/edge/explain").await.body;
    assert_eq!(before["status"], "Connected", "{before}");
    assert_eq!(before, after);
    // And the reloaded world's snapshot lists the same resources, in the same order.
    let ids = |v: &Value| v["resources"].as_array().unwrap().iter().map(|r| r["id"].clone()).collect::<Vec<_>>();
    let second = again.get("/_emulator/snapshot").await.body;
    assert_eq!(ids(&snapshot.body).len(), ids(&second).len());
    assert_eq!(ids(&snapshot.body)[..14], ids(&second)[..14], "connections get new names; the rest keep theirs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_writes_are_recorded_with_their_rule() {
    let arm = seed().await;
    assert_eq!(arm.get("/_emulator/refusals").await.body["value"], serde_json::json!([]));
    let other = arm.put_cluster(SUB, "arc", "far", "westeurope", Some(&scope_id(SUB, "arc", "arc-pls"))).await;
    other.refused(400, "PrivateLinkScopeLocationMismatch", Some("PLS-003"));
    assert_eq!(
        arm.get("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/nope?api-version=2025-04-01")
            .await
            .status,
        404
    );
    let log = arm.get("/_emulator/refusals").await.body;
    let v = log["value"].as_array().unwrap();
    assert_eq!(v.len(), 1, "reads are not refusals: {log}");
    assert_eq!((v[0]["method"].as_str(), v[0]["status"].as_u64()), (Some("PUT"), Some(400)));
    assert_eq!(
        (v[0]["code"].as_str(), v[0]["ruleId"].as_str()),
        (Some("PrivateLinkScopeLocationMismatch"), Some("PLS-003"))
    );
    assert!(v[0]["path"].as_str().unwrap().ends_with("/connectedClusters/far"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_a_running_emulator_and_a_snapshot_file() {
    let arm = seed().await;
    let (code, out) = arcemu(vec!["check".into(), "--arm".into(), arm.base.clone()]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("arcemu check: PASSED (1 of 1 expectations hold)") && out.contains("ok     private: edge"),
        "{out}"
    );
    // Unlinking one zone from the hub: the checker names DNS-002 for its two names.
    let r = arm.delete(&format!("{ZONE}/virtualNetworkLinks/hub?api-version=2024-06-01")).await;
    assert!(r.status < 300, "{}", r.body);
    let dir = std::env::temp_dir().join(format!("arcemu-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let snap = dir.join("snapshot.json");
    std::fs::write(&snap, serde_json::to_vec(&arm.get("/_emulator/snapshot").await.body).unwrap()).unwrap();
    let junit = dir.join("out/junit.xml");
    let (code, out) = arcemu(vec![
        "check".into(),
        "--snapshot".into(),
        snap.display().to_string(),
        "--format".into(),
        "json".into(),
        "--junit".into(),
        junit.display().to_string(),
    ])
    .await;
    assert_eq!(code, 1, "{out}");
    let report = json_of(&out);
    assert_eq!(rules(&report).iter().filter(|r| *r == "DNS-002").count(), 2, "{report:#}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"<testcase name="private: edge" classname="arcemu.expectations""#)
            && xml.contains("<failure message=\"[DNS-002]"),
        "{xml}"
    );
    // The live check agrees with the snapshot's.
    let (code, live) =
        arcemu(vec!["check".into(), "--arm".into(), arm.base.clone(), "--format".into(), "json".into()]).await;
    assert_eq!((code, rules(&json_of(&live))), (1, rules(&report)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_of_check_and_verify() {
    let (code, out) = arcemu(vec!["check".into(), "--expect".into(), "public".into()]).await;
    assert_eq!(code, 2, "a usage error: {out}");
    let (code, out) = arcemu(vec!["check".into(), "--arm".into(), "http://127.0.0.1:9".into()]).await;
    assert_eq!(code, 4, "no emulator there: {out}");
    let (code, out) = arcemu(vec!["verify".into(), "--world".into(), SEED.into(), "--".into(), "true".into()]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = arcemu(vec!["verify".into(), "--world".into(), SEED.into(), "--".into(), "false".into()]).await;
    assert_eq!(code, 3, "the command failed: {out}");
    assert!(out.contains("FAILED command: false (exit 1"), "{out}");
    let (code, out) =
        arcemu(vec!["verify".into(), "--world".into(), SEED.into(), "--".into(), "/nonexistent/tool".into()]).await;
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("could not start '/nonexistent/tool'"), "{out}");
    let (code, out) = arcemu(vec!["verify".into(), "--".into(), "true".into()]).await;
    assert_eq!(code, 1, "nothing to check is no pass: {out}");
    // The command sees where the emulator is, and can ask it (here with arcemu itself).
    let script = format!(
        "test -n \"$ARCEMU_DNS_SITE_HQ\" && test \"$AZURE_SUBSCRIPTION_ID\" = {SUB} && {} explain edge >/dev/null",
        env!("CARGO_BIN_EXE_arcemu")
    );
    let (code, out) =
        arcemu(vec!["verify".into(), "--world".into(), SEED.into(), "--".into(), "sh".into(), "-c".into(), script])
            .await;
    assert_eq!(code, 0, "{out}");
    // ... and over HTTPS, trusting the CA of the run (here with Python's own TLS client).
    let script = r#"python3 -c 'import os, ssl, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["ARCEMU_CA_FILE"])
r = urllib.request.urlopen(os.environ["ARCEMU_ARM_HTTPS_URL"] + "/_emulator/health", context=ctx, timeout=10)
assert r.status == 200'"#
        .to_string();
    let (code, out) =
        arcemu(vec!["verify".into(), "--world".into(), SEED.into(), "--".into(), "sh".into(), "-c".into(), script])
            .await;
    assert_eq!(code, 0, "{out}");
}

/// DNS-006 and PLS-006 through `arcemu check`: a second site forwarding to another resolver
/// fails both clusters of the scope; enabling public access fails `private-only` but not `private`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_forwarder_per_scope_and_private_only() {
    let arm = seed().await;
    let hub = net_id(SUB, "arc", "virtualNetworks", "hub");
    let r = arm
        .put(
            "/_emulator/dns-forwarders/branch-dns",
            serde_json::json!({"virtualNetwork": hub, "address": "10.10.1.10"}),
        )
        .await;
    assert!(r.status < 300, "{}", r.body);
    let forward = |target: &str| {
        ["his.arc.azure.com", "guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"]
            .map(|d| serde_json::json!({"domain": d, "targets": [target]}))
    };
    let site = serde_json::json!({"addressSpace": ["192.168.20.0/24"], "dns": {"forwarders": forward("10.10.1.10")}});
    assert!(arm.put("/_emulator/sites/branch", site).await.status < 300);
    let scope = scope_id(SUB, "arc", "arc-pls");
    assert_eq!(arm.put_cluster(SUB, "arc", "branch-edge", "eastus", Some(&scope)).await.status, 201);
    let lab = serde_json::json!({"site": "branch", "connectedCluster": cluster_id(SUB, "arc", "branch-edge")});
    assert!(arm.put("/_emulator/clusters/branch-edge", lab).await.status < 300);
    let check = |expect: &'static str| {
        let base = arm.base.clone();
        async move {
            let mut args = vec!["check".to_string(), "--arm".into(), base, "--format".into(), "json".into()];
            if !expect.is_empty() {
                args.extend(["--expect".to_string(), expect.to_string()]);
            }
            let (code, out) = arcemu(args).await;
            (code, json_of(&out))
        }
    };
    let (code, report) = check("").await;
    assert_eq!(code, 1, "{report:#}");
    for e in report["expectations"].as_array().unwrap() {
        assert!(!e["holds"].as_bool().unwrap(), "{e:#}");
        assert_eq!(e["status"], "Connected", "each cluster reaches the endpoint: {e:#}");
        assert_eq!(rules(&serde_json::json!({"findings": [], "expectations": [e]})), ["DNS-006"], "{e:#}");
    }
    // The same forwarder for both sites: DNS-006 holds.
    let site = serde_json::json!({"addressSpace": ["192.168.20.0/24"], "dns": {"forwarders": forward("10.10.3.4")}});
    assert!(arm.put("/_emulator/sites/branch", site).await.status < 300);
    assert_eq!(check("").await.0, 0);
    // Public access enabled: private, but not private-only.
    let body = serde_json::json!({"location": "eastus", "properties": {"publicNetworkAccess": "Enabled"}});
    assert!(arm.put(&format!("{scope}?api-version={HC_API}"), body).await.status < 300);
    assert_eq!(check("private:edge").await.0, 0);
    let (code, report) = check("private-only:edge").await;
    assert_eq!((code, rules(&report)), (1, vec!["PLS-006".to_string()]), "{report:#}");
}

/// Connection states survive a snapshot although the connections' names do not: each is matched
/// by its private endpoint (a Pending and a Rejected manual connection beside the approved one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_keeps_each_endpoint_connection_state() {
    let arm = seed().await;
    let scope = scope_id(SUB, "arc", "arc-pls");
    let subnet = format!("{}/subnets/endpoints", net_id(SUB, "arc", "virtualNetworks", "hub"));
    for pe in ["waiting", "refused"] {
        let r = arm.put_endpoint(SUB, "arc", pe, "eastus", &subnet, &scope, true).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let states = |arm: &Arm| {
        let url = format!("{}{scope}/privateEndpointConnections?api-version={HC_API}", arm.base);
        let http = arm.http.clone();
        async move {
            let v: Value = http.get(url).bearer_auth("t").send().await.unwrap().json().await.unwrap();
            let mut s: Vec<(String, String)> = v["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let pe = c["properties"]["privateEndpoint"]["id"].as_str().unwrap().rsplit('/').next().unwrap();
                    let st = c["properties"]["privateLinkServiceConnectionState"]["status"].as_str().unwrap();
                    (pe.to_string(), st.to_string())
                })
                .collect();
            s.sort();
            s
        }
    };
    let refused = states(&arm).await;
    let id = arm.get(&format!("{scope}/privateEndpointConnections?api-version={HC_API}")).await.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["properties"]["privateEndpoint"]["id"].as_str().unwrap().ends_with("/refused"))
        .map(|c| c["id"].as_str().unwrap().to_string())
        .unwrap();
    let reject = serde_json::json!({"properties": {"privateLinkServiceConnectionState": {"status": "Rejected", "description": "no"}}});
    assert_eq!(arm.put(&format!("{id}?api-version={HC_API}"), reject).await.status, 200);
    let before = states(&arm).await;
    assert_ne!(before, refused);
    assert_eq!(
        before,
        [("arc-pe", "Approved"), ("refused", "Rejected"), ("waiting", "Pending")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let file: arcemu::world_file::WorldFile =
        serde_json::from_value(arm.get("/_emulator/snapshot").await.body).unwrap();
    let again = start_with(arcemu::EmulatorConfig { initial_world: Some(file), ..Default::default() }).await;
    assert_eq!(states(&again).await, before);
}

/// A snapshot names its subscriptions, so a world using a second one loads without flags.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_carries_its_subscriptions() {
    let arm = seed().await;
    arm.group(SUB2, "elsewhere", "westus").await;
    let body = arm.get("/_emulator/snapshot").await.body;
    assert_eq!(body["subscriptions"], serde_json::json!([SUB, SUB2]), "{body}");
    let path = std::env::temp_dir().join(format!("arcemu-snapshot-subs-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(&body).unwrap()).unwrap();
    let (code, out) = arcemu(vec!["check".into(), "--snapshot".into(), path.display().to_string()]).await;
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 0, "{out}");
}
