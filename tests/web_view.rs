//! The web view's HTTP side (the browser side is tests/python/test_web_view.py): the page and
//! its assets are served without the admin token and with a Content-Security-Policy that forbids
//! inline scripts; the data it reads (`/_emulator/topology`, `/_emulator/demo/scenarios`) is
//! admin API, token and all, and copies what the model says.

mod common;
use common::*;
use serde_json::json;
use std::time::Duration;

async fn fetch(arm: &Arm, path: &str, token: Option<&str>) -> (u16, reqwest::header::HeaderMap, String) {
    let mut rb = arm.http.get(format!("{}{}", arm.base, path)).timeout(Duration::from_secs(20));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let resp = rb.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_need_no_token_and_forbid_inline_scripts() {
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.access.admin_token = Some("page-token".into());
    let arm = start_with(cfg).await;
    for (path, content_type) in [("/", "text/html"), ("/ui/app.js", "text/javascript"), ("/ui/app.css", "text/css")] {
        let (status, headers, body) = fetch(&arm, path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(header("content-type").starts_with(content_type), "{path}: {headers:?}");
        let csp = header("content-security-policy");
        assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!body.is_empty());
    }
    let (_, _, html) = fetch(&arm, "/", None).await;
    assert!(html.contains(r#"<script src="ui/app.js""#) && !html.contains("<script>"), "no inline script: {html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing external");
    // The page's data is admin API: the token is needed there.
    for path in ["/_emulator/topology", "/_emulator/demo/scenarios"] {
        assert_eq!(fetch(&arm, path, None).await.0, 401, "{path} without the token");
        assert_eq!(fetch(&arm, path, Some("page-token")).await.0, 200, "{path} with it");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_shows_resources_sites_and_cluster_reports() {
    let arm = start().await;
    let (_, _, empty) = fetch(&arm, "/_emulator/topology", None).await;
    let empty: serde_json::Value = serde_json::from_str(&empty).unwrap();
    assert_eq!(empty["resources"], json!([]));
    assert_eq!(empty["clusters"], json!([]));

    arm.group(SUB, "arc", "eastus").await;
    let scope = arm.scope(SUB, "arc", "arc-pls", "eastus").await;
    let r = arm.put_cluster(SUB, "arc", "edge", "eastus", Some(&scope)).await;
    assert!(r.status < 300, "{}", r.body);
    let cluster_id = r.body["id"].as_str().unwrap().to_string();
    let site = arm.send("PUT", "/_emulator/sites/hq", Some(json!({"addressSpace": ["192.168.10.0/24"]}))).await;
    assert_eq!(site.status, 201, "{}", site.body);
    let lab =
        arm.send("PUT", "/_emulator/clusters/edge", Some(json!({"site": "hq", "connectedCluster": cluster_id}))).await;
    assert!(lab.status < 300, "{}", lab.body);

    let (status, _, text) = fetch(&arm, "/_emulator/topology", None).await;
    assert_eq!(status, 200, "{text}");
    let topo: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(topo["generation"].as_u64().unwrap() > empty["generation"].as_u64().unwrap());
    let ids: Vec<&str> = topo["resources"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&scope.as_str()) && ids.contains(&cluster_id.as_str()), "{ids:?}");
    let rendered = topo["resources"].as_array().unwrap().iter().find(|r| r["id"] == cluster_id.as_str()).unwrap();
    assert!(rendered["body"]["properties"]["connectivityStatus"].is_string(), "rendered as ARM does: {rendered}");
    assert_eq!(topo["sites"][0]["name"], "hq");
    // The report is the one `explain` gives, verdicts and all.
    let report = &topo["clusters"][0]["report"];
    let explain = arm.get("/_emulator/clusters/edge/explain").await;
    assert_eq!(report, &explain.body);
    assert!(report["endpoints"][0]["verdict"].is_string(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_scenarios_are_served_as_steps() {
    let arm = start().await;
    let r = arm.get("/_emulator/demo/scenarios").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let all = r.body["value"].as_array().unwrap();
    assert_eq!(all.len(), arcemu_scenarios::demo::catalogue().len());
    let happy = all.iter().find(|s| s["name"] == "happy-path").expect("the happy path");
    assert_eq!(happy["rule"], serde_json::Value::Null);
    let steps = happy["steps"].as_array().unwrap();
    assert!(steps.len() > 5);
    assert!(steps.iter().all(|s| s["method"].is_string() && s["path"].as_str().unwrap().starts_with('/')));
    let refused = all.iter().find(|s| s["rule"] == "PLS-014").expect("the PLS-014 scenario");
    assert!(refused["seedSection"].is_string());
}
