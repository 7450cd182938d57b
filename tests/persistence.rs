//! `arcemu serve --data-dir`: the world survives a restart and `kill -9`, a data directory
//! made with other settings is refused, and `POST /_emulator/reset` goes back to the world
//! file (or to nothing), also across a restart. Each test runs the real binary.

mod common;
use common::{SUB, ServedBinary, serve_binary};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn serve(args: &[&str]) -> Result<ServedBinary, String> {
    serve_binary(args, &[])
}

fn data_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("persistence-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

async fn send(http: &reqwest::Client, method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut req = http.request(method, url).bearer_auth("test");
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("answered");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn rg(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}

const API: &str = "api-version=2021-04-01";

/// A small setup of several kinds, ARM and lab, with a long-running PUT among them.
async fn build_world(arm: &str, http: &reqwest::Client) -> Vec<String> {
    use reqwest::Method;
    let scope = format!("{}/providers/Microsoft.HybridCompute/privateLinkScopes/pls", rg("net"));
    let vnet = format!("{}/providers/Microsoft.Network/virtualNetworks/hub", rg("net"));
    let cluster = format!("{}/providers/Microsoft.Kubernetes/connectedClusters/c1", rg("net"));
    let puts = [
        (format!("{}?{API}", rg("net")), json!({"location": "eastus", "tags": {"team": "a"}})),
        (
            format!("{scope}?api-version=2023-10-03-preview"),
            json!({"location": "eastus", "properties": {"publicNetworkAccess": "Disabled"}}),
        ),
        (
            format!("{vnet}?api-version=2024-05-01"),
            json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
        ),
        (
            format!("{cluster}?api-version=2024-01-01"),
            json!({"location": "eastus", "identity": {"type": "SystemAssigned"},
                "properties": {"agentPublicKeyCertificate": "MIIBCgKCAQEA", "privateLinkState": "Enabled", "privateLinkScopeResourceId": scope}}),
        ),
    ];
    for (url, body) in puts {
        let (status, answer) = send(http, Method::PUT, format!("{arm}{url}"), Some(body)).await;
        assert!(status == 200 || status == 201, "{url}: {status} {answer}");
    }
    let (status, answer) =
        send(http, Method::PUT, format!("{arm}/_emulator/sites/hq"), Some(json!({"addressSpace": ["192.168.0.0/16"]})))
            .await;
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = send(
        http,
        Method::PUT,
        format!("{arm}/_emulator/clusters/edge"),
        Some(json!({"site": "hq", "connectedCluster": cluster})),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    vec![
        format!("{}?{API}", rg("net")),
        format!("{scope}?api-version=2023-10-03-preview"),
        format!("{vnet}?api-version=2024-05-01"),
        format!("{cluster}?api-version=2024-01-01"),
        "/_emulator/sites/hq".to_string(),
        "/_emulator/clusters/edge".to_string(),
    ]
}

async fn snapshot(arm: &str, http: &reqwest::Client, paths: &[String]) -> Vec<(u16, Value)> {
    let mut out = Vec::new();
    for p in paths {
        out.push(send(http, reqwest::Method::GET, format!("{arm}{p}"), None).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_the_data_dir_keeps_the_whole_world() {
    let dir = data_dir("restart");
    let dir_arg = dir.to_str().unwrap();
    let http = client();
    let (paths, before) = {
        let served = serve(&["--data-dir", dir_arg, "--lro-delay-ms", "0"]).unwrap();
        let paths = build_world(&served.arm, &http).await;
        let before = snapshot(&served.arm, &http, &paths).await;
        (paths, before)
    };
    assert!(before.iter().all(|(s, _)| *s == 200), "{before:?}");
    // Same flags: the same world, down to ETags, ids and timestamps.
    let served = serve(&["--data-dir", dir_arg, "--lro-delay-ms", "0"]).unwrap();
    let after = snapshot(&served.arm, &http, &paths).await;
    assert_eq!(before, after);
    // And it goes on from there: a new write after the restart, kept by the next one.
    let (status, _) = send(
        &http,
        reqwest::Method::PUT,
        format!("{}{}?{API}", served.arm, rg("later")),
        Some(json!({"location": "westeurope"})),
    )
    .await;
    assert_eq!(status, 201);
    drop(served);
    let served = serve(&["--data-dir", dir_arg, "--lro-delay-ms", "0"]).unwrap();
    let (status, body) = send(&http, reqwest::Method::GET, format!("{}{}?{API}", served.arm, rg("later")), None).await;
    assert_eq!((status, body["location"].as_str()), (200, Some("westeurope")));
    assert_eq!(snapshot(&served.arm, &http, &paths).await, before);
    drop(served);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_stream_of_writes_loses_no_acknowledged_write() {
    let dir = data_dir("kill9");
    let dir_arg = dir.to_str().unwrap();
    let served = serve(&["--data-dir", dir_arg]).unwrap();
    let arm = served.arm.clone();
    // Three writers, each PUTting its own groups with a counter tag, until the process dies.
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..3 {
        let arm = arm.clone();
        writers.spawn(async move {
            let http = client();
            let mut acknowledged: Vec<(String, u64)> = Vec::new();
            for i in 0u64.. {
                let name = format!("w{w}-g{}", i % 40);
                let url = format!("{arm}{}?{API}", rg(&name));
                let body = json!({"location": "eastus", "tags": {"n": i.to_string()}});
                match http.put(url).bearer_auth("t").json(&body).send().await {
                    Ok(r) if r.status().is_success() => acknowledged.push((name, i)),
                    Ok(r) => panic!("a write was refused: {}", r.status()),
                    Err(_) => break, // the process is gone: this one was never acknowledged
                }
            }
            acknowledged
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(served); // SIGKILL, mid-stream
    let mut last: std::collections::BTreeMap<String, u64> = Default::default();
    let mut count = 0;
    while let Some(acks) = writers.join_next().await {
        for (name, i) in acks.unwrap() {
            count += 1;
            last.insert(name, i);
        }
    }
    assert!(count > 20, "the writers got going before the kill: {count}");
    let served = serve(&["--data-dir", dir_arg]).unwrap();
    let http = client();
    for (name, i) in &last {
        let (status, body) = send(&http, reqwest::Method::GET, format!("{}{}?{API}", served.arm, rg(name)), None).await;
        assert_eq!(status, 200, "{name} was acknowledged and is gone");
        // The last acknowledged value, or a later one that was written but never answered.
        let n: u64 = body["tags"]["n"].as_str().and_then(|n| n.parse().ok()).unwrap_or_default();
        assert!(n >= *i, "{name}: acknowledged n={i}, found {n}");
    }
    println!("kill -9: {count} acknowledged writes, {} groups, all there after the restart", last.len());
    drop(served);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_dir_made_with_other_settings_is_refused_not_replayed() {
    let dir = data_dir("settings");
    let dir_arg = dir.to_str().unwrap();
    {
        let served = serve(&["--data-dir", dir_arg, "--seed", "1"]).unwrap();
        let (status, _) = send(
            &client(),
            reqwest::Method::PUT,
            format!("{}{}?{API}", served.arm, rg("a")),
            Some(json!({"location": "eastus"})),
        )
        .await;
        assert_eq!(status, 201);
    }
    let refused = serve(&["--data-dir", dir_arg, "--seed", "2"]).err().expect("another seed is refused");
    assert!(refused.contains("other settings") && refused.contains("--data-dir"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_goes_back_to_the_world_file_or_to_nothing_and_a_restart_agrees() {
    let dir = data_dir("reset");
    let dir_arg = dir.to_str().unwrap();
    let world = dir.with_extension("world.yaml");
    std::fs::write(
        &world,
        format!("resources:\n  - id: {}\n    body: {{ location: eastus }}\nsites:\n  hq: {{ addressSpace: [192.168.0.0/16] }}\n", rg("from-file")),
    )
    .unwrap();
    let world_arg = world.to_str().unwrap();
    let http = client();
    let get = |arm: &str, path: String| send(&http, reqwest::Method::GET, format!("{arm}{path}"), None);
    let admin_post =
        |arm: &str, body: Value| http.post(format!("{arm}/_emulator/reset")).bearer_auth("t").json(&body).send();
    {
        let served = serve(&["--data-dir", dir_arg, "--world", world_arg]).unwrap();
        let (status, _) = send(
            &http,
            reqwest::Method::PUT,
            format!("{}{}?{API}", served.arm, rg("extra")),
            Some(json!({"location": "eastus"})),
        )
        .await;
        assert_eq!(status, 201);
        let r = admin_post(&served.arm, json!({})).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            get(&served.arm, format!("{}?{API}", rg("extra"))).await.0,
            404,
            "reset drops what came after the file"
        );
        assert_eq!(get(&served.arm, format!("{}?{API}", rg("from-file"))).await.0, 200, "and keeps the file's world");
        let r = admin_post(&served.arm, json!({"to": "nowhere"})).await.unwrap();
        assert_eq!(r.status(), 400);
        let r = admin_post(&served.arm, json!({"to": "empty"})).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(get(&served.arm, format!("{}?{API}", rg("from-file"))).await.0, 404);
        assert_eq!(get(&served.arm, "/_emulator/sites/hq".into()).await.0, 404);
    }
    // The empty world was kept: the data directory wins over --world once it holds a world
    // (an empty one after a reset included).
    let served = serve(&["--data-dir", dir_arg, "--world", world_arg]).unwrap();
    assert_eq!(get(&served.arm, format!("{}?{API}", rg("from-file"))).await.0, 404);
    drop(served);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&world);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_world_loads_whole_or_not_at_all() {
    let served = serve(&[]).unwrap();
    let http = client();
    let post = |body: Value| http.post(format!("{}/_emulator/reset", served.arm)).json(&body).send();
    let (status, _) = send(
        &http,
        reqwest::Method::PUT,
        format!("{}{}?{API}", served.arm, rg("before")),
        Some(json!({"location": "eastus"})),
    )
    .await;
    assert_eq!(status, 201);
    let good = json!({"world": {
        "resources": [{"id": rg("loaded"), "body": {"location": "westeurope"}}],
        "sites": {"hq": {"addressSpace": ["192.168.0.0/16"]}},
    }});
    let r = post(good).await.unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!((answer["reset"].as_str(), answer["entries"].as_u64()), (Some("world"), Some(2)), "{answer}");
    let get = |path: String| send(&http, reqwest::Method::GET, format!("{}{path}", served.arm), None);
    assert_eq!(get(format!("{}?{API}", rg("loaded"))).await.0, 200);
    assert_eq!(get("/_emulator/sites/hq".into()).await.0, 200);
    assert_eq!(get(format!("{}?{API}", rg("before"))).await.0, 404, "a load replaces the world");

    // The second entry is refused (a site with a misspelt field): nothing changes.
    let bad = json!({"world": {
        "resources": [{"id": rg("never"), "body": {"location": "eastus"}}],
        "sites": {"branch": {"addressSpace": ["10.9.0.0/16"], "firewal": []}},
    }});
    let r = post(bad).await.unwrap();
    assert_eq!(r.status(), 400);
    let answer: Value = r.json().await.unwrap();
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nothing changed") && message.contains("sites.branch"), "{answer}");
    assert_eq!(get(format!("{}?{API}", rg("never"))).await.0, 404);
    assert_eq!(get(format!("{}?{API}", rg("loaded"))).await.0, 200, "the world is as it was");
}

/// `arcemu snapshot save FILE` then `load FILE` through the CLI: the world comes back (the same
/// resources, lab objects and connectivity), after it was emptied in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_save_and_load_round_trip_through_the_cli() {
    let served = serve(&[]).unwrap();
    let http = client();
    let paths = build_world(&served.arm, &http).await;
    let before = snapshot(&served.arm, &http, &paths).await;
    let file = data_dir("snapshot").with_extension("yaml");
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"))
            .args(args)
            .args(["--arm", &served.arm])
            .env_remove("ARCEMU_ADMIN_TOKEN")
            .output()
            .expect("arcemu runs")
    };
    let saved = cli(&["snapshot", "save", file.to_str().unwrap()]);
    assert!(saved.status.success(), "{}", String::from_utf8_lossy(&saved.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("connectedClusters/c1") && text.contains("hq"), "{text}");

    let r = http.post(format!("{}/_emulator/reset", served.arm)).json(&json!({"to": "empty"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(send(&http, reqwest::Method::GET, format!("{}{}", served.arm, paths[3]), None).await.0, 404);

    let loaded = cli(&["snapshot", "load", file.to_str().unwrap()]);
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    let after = snapshot(&served.arm, &http, &paths).await;
    for ((s1, b1), (s2, b2)) in before.iter().zip(&after) {
        assert_eq!((s1, s2), (&200, &200));
        for key in ["location", "tags", "kind"] {
            assert_eq!(b1.get(key), b2.get(key), "{key}: {b1} vs {b2}");
        }
    }
    // The cluster is still explained as connected privately (the lab and the network came back).
    let cluster = |b: &Value| b["properties"]["connectivityStatus"].clone();
    assert_eq!(cluster(&before[3].1), cluster(&after[3].1), "{} vs {}", before[3].1, after[3].1);

    // A file that does not load is refused with a non-zero exit and the world stays.
    std::fs::write(&file, "sites:\n  bad: { addressSpace: [nope] }\n").unwrap();
    let refused = cli(&["snapshot", "load", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(send(&http, reqwest::Method::GET, format!("{}{}", served.arm, paths[3]), None).await.0, 200);
    let _ = std::fs::remove_file(&file);
}

/// A JSON world file big enough to be read lazily (parsed entry by entry on a second thread):
/// `n` resource groups.
fn big_json_world(n: usize) -> String {
    let resources: Vec<Value> = (0..n)
        .map(|i| json!({"id": rg(&format!("g{i}")), "body": {"location": "eastus", "tags": {"n": i.to_string()}}}))
        .collect();
    json!({ "resources": resources }).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_world_file_is_read_again_for_a_reset_and_refused_once_it_changed() {
    let dir = data_dir("world-source");
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.json");
    std::fs::write(&world, big_json_world(2000)).unwrap();
    let served = serve(&["--world", world.to_str().unwrap()]).unwrap();
    let http = client();
    let admin_post = |body: Value| http.post(format!("{}/_emulator/reset", served.arm)).json(&body).send();
    // Loaded whole, tags and all (the lazy JSON path: entries parsed as they are applied).
    let (status, body) = send(&http, reqwest::Method::GET, format!("{}{}?{API}", served.arm, rg("g1999")), None).await;
    assert_eq!((status, body["tags"]["n"].as_str()), (200, Some("1999")), "{body}");
    // A change, then a reset: the file is read again and the change is gone.
    let (status, _) = send(&http, reqwest::Method::DELETE, format!("{}{}?{API}", served.arm, rg("g7")), None).await;
    assert!(status == 200 || status == 202, "{status}");
    let r = admin_post(json!({})).await.unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["reset"], "baseline", "{answer}");
    assert_eq!(send(&http, reqwest::Method::GET, format!("{}{}?{API}", served.arm, rg("g7")), None).await.0, 200);
    // The file changes under the running emulator: a reset to it is refused, the world stays.
    std::fs::write(&world, big_json_world(3)).unwrap();
    let r = admin_post(json!({"to": "baseline"})).await.unwrap();
    assert_eq!(r.status(), 409);
    let refusal: Value = r.json().await.unwrap();
    assert_eq!(refusal["error"]["code"], "BaselineUnavailable", "{refusal}");
    let message = refusal["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("changed since") && message.contains("world.json"), "{message}");
    assert_eq!(send(&http, reqwest::Method::GET, format!("{}{}?{API}", served.arm, rg("g1999")), None).await.0, 200);
    // Gone altogether: refused too. A reset to an empty world needs no file.
    std::fs::remove_file(&world).unwrap();
    assert_eq!(admin_post(json!({})).await.unwrap().status(), 409);
    assert_eq!(admin_post(json!({"to": "empty"})).await.unwrap().status(), 200);
    assert_eq!(send(&http, reqwest::Method::GET, format!("{}{}?{API}", served.arm, rg("g1999")), None).await.0, 404);
    drop(served);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_entry_deep_in_a_big_json_world_file_is_named_and_nothing_starts() {
    let dir = data_dir("bad-json-world");
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.json");
    let mut file: Value = serde_json::from_str(&big_json_world(3000)).unwrap();
    // Entry 2500: a location that does not exist (refused when applied, after 2499 others).
    file["resources"][2500]["body"]["location"] = json!("moon");
    std::fs::write(&world, file.to_string()).unwrap();
    let refused = match serve(&["--world", world.to_str().unwrap()]) {
        Ok(served) => panic!("started with a bad world file: {}", served.stderr()),
        Err(e) => e,
    };
    assert!(refused.contains("resources[2500]") && refused.contains("g2500"), "{refused}");
    // A malformed entry (an unknown field) is refused before anything is applied.
    file["resources"][2500] = json!({"id": rg("g2500"), "bdy": {}});
    std::fs::write(&world, file.to_string()).unwrap();
    let refused = serve(&["--world", world.to_str().unwrap()]).err().unwrap_or_default();
    assert!(refused.contains("resources[2500]") && refused.contains("bdy"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}
