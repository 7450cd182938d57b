//! The request log: `GET /_emulator/requests` names each request's status and refusal (code
//! and rule id); `arcemu serve` writes one line per request, as text without colours when
//! stderr is not a terminal, or as JSON with `--log-format json`.

mod common;
use common::*;
use serde_json::Value;

#[tokio::test]
async fn recent_requests_name_the_refusal_and_its_rule() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let scope = arm.scope(SUB, "rg", "pls", "eastus").await;
    arm.put_cluster(SUB, "rg", "far", "westus2", Some(&scope)).await.refused(
        400,
        "PrivateLinkScopeLocationMismatch",
        Some("PLS-003"),
    );
    let missing = format!("/subscriptions/{SUB}/resourcegroups/missing?api-version={RG_API}");
    assert_eq!(arm.get(&missing).await.status, 404);

    let recent = arm.get("/_emulator/requests?limit=3").await;
    assert_eq!(recent.status, 200, "{}", recent.body);
    let value = recent.body["value"].as_array().expect("a list");
    assert_eq!(value.len(), 3, "{}", recent.body);
    // Newest first: the 404, then the refused PUT, then the scope's PUT.
    assert_eq!(value[0]["method"], "GET");
    assert_eq!(value[0]["path"], missing.as_str());
    assert_eq!(value[0]["status"], 404);
    assert!(value[0]["code"].as_str().is_some_and(|c| !c.is_empty()), "{}", value[0]);
    assert!(value[0].get("ruleId").is_none(), "a protocol error names no rule: {}", value[0]);
    assert_eq!(value[1]["method"], "PUT");
    assert!(
        value[1]["path"].as_str().is_some_and(|p| p.contains("/connectedClusters/far?api-version=")),
        "{}",
        value[1]
    );
    assert_eq!((value[1]["status"].as_u64(), value[1]["ruleId"].as_str()), (Some(400), Some("PLS-003")));
    assert_eq!(value[1]["code"], "PrivateLinkScopeLocationMismatch");
    assert_eq!((value[2]["status"].as_u64(), value[2].get("code")), (Some(201), None));
    assert!(value[0]["seq"].as_u64() > value[1]["seq"].as_u64());
    assert!(value[1]["durationMs"].as_f64().is_some_and(|d| d >= 0.0));
    assert!(value[1]["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{}", value[1]);

    let bad = arm.get("/_emulator/requests?limit=many").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.code(), "InvalidRequestContent");
}

/// Runs `arcemu serve` with `args`, makes a refused request, kills it once the request's line is
/// on stderr (written by the log thread, a few milliseconds later); returns its stderr.
fn serve_and_log(args: &[&str]) -> String {
    let served = serve_binary(args, &[]).expect("arcemu serve starts");
    let status = reqwest::blocking_get(&format!(
        "{}/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/privateLinkScopes/x?api-version={HC_API}",
        served.arm
    ));
    assert_eq!(status, 404, "the resource group does not exist");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !served.stderr().contains("arcemu::request") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    served.kill()
}

mod reqwest {
    /// A GET with a bearer token, outside any async runtime; returns the status.
    pub fn blocking_get(url: &str) -> u16 {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let r = ::reqwest::Client::new().get(url).bearer_auth("t").send().await.expect("answered");
            r.status().as_u16()
        })
    }
}

#[test]
fn serve_logs_each_request_as_text_without_colours_off_a_terminal() {
    let text = serve_and_log(&[]);
    let line =
        text.lines().find(|l| l.contains("arcemu::request")).unwrap_or_else(|| panic!("no request line: {text}"));
    assert!(
        line.contains("method=GET") && line.contains("status=404") && line.contains("code=\"ResourceGroupNotFound\""),
        "{line}"
    );
    assert!(line.contains("privateLinkScopes/x?api-version="), "{line}");
    assert!(!line.contains("rule="), "no rule refused, none named: {line}");
    assert!(!text.contains('\u{1b}'), "no ANSI escapes when stderr is a pipe: {text:?}");
}

#[test]
fn serve_logs_json_lines_with_log_format_json() {
    let text = serve_and_log(&["--log-format", "json"]);
    let lines: Vec<Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(!lines.is_empty() && lines.len() == text.lines().count(), "every line is JSON: {text}");
    let request = lines.iter().find(|l| l["target"] == "arcemu::request").unwrap_or_else(|| panic!("{text}"));
    assert_eq!(request["method"], "GET", "{request}");
    assert_eq!(request["status"], 404, "{request}");
    assert_eq!(request["code"], "ResourceGroupNotFound", "{request}");
    assert!(request["duration_ms"].as_f64().is_some(), "{request}");
}

#[tokio::test]
async fn a_long_path_is_kept_cut() {
    let arm = start().await;
    let long = format!("/subscriptions/{SUB}/resourcegroups/{}?api-version={RG_API}", "x".repeat(3000));
    arm.get(&long).await;
    let recent = arm.get("/_emulator/requests?limit=2").await;
    let path = recent.body["value"][0]["path"].as_str().unwrap_or_default().to_string();
    assert_eq!(path.chars().count(), arcemu::request_log::MAX_PATH, "{path}");
    assert!(long.starts_with(&path));
}
