//! Bounded by design (issue 11): operation records expire, the ARM listener cuts slow and
//! idle clients, DNS listeners are capped (and a failed bind is visible), list pages are
//! bounded in bytes.
//!
//! The four measured cases of the issue, each failing on 51f110f (main before this work):
//! - `expired_operation_status_answers_404_after_the_retention_window`: the status stayed 200 forever.
//! - `huge_content_length_with_a_short_body_is_answered_quickly`: no answer (waited forever).
//! - `a_vnet_over_the_dns_listener_cap_is_refused`: 201, one listener more each time.
//! - `lists_are_paged_by_size_as_well_as_count`: one page holding every item, whatever its size.
//!
//! Every test is bounded in time; only 127.0.0.1 is contacted.

mod common;
use common::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The default window an operation's status stays readable after it ended (README).
const RETENTION_DEFAULT_S: i64 = 300;

#[tokio::test]
async fn expired_operation_status_answers_404_after_the_retention_window() {
    let clock = Arc::new(arcemu_model::clock::ManualClock::default());
    let cfg = arcemu::EmulatorConfig { clock: Some(clock.clone()), ..Default::default() };
    let arm = start_with(cfg).await;
    arm.group(SUB, "rg", "eastus").await;
    let put = arm.put_cluster(SUB, "rg", "c", "eastus", None).await;
    assert_eq!(put.status, 201, "{}", put.body);
    let status_url = put.header("azure-asyncoperation").to_string();
    let result_url = put.header("location").to_string();
    assert!(!status_url.is_empty() && !result_url.is_empty());

    // Done, and readable for the whole window.
    clock.advance(time::Duration::seconds(1));
    let r = arm.get(&status_url).await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("Succeeded")), "{}", r.body);
    clock.advance(time::Duration::seconds(RETENTION_DEFAULT_S - 2));
    assert_eq!(arm.get(&status_url).await.status, 200, "still inside the window");
    assert_eq!(arm.get(&result_url).await.status, 200, "still inside the window");

    // Past the window: gone, with ARM's envelope.
    clock.advance(time::Duration::seconds(2));
    for url in [&status_url, &result_url] {
        let r = arm.get(url).await;
        r.refused(404, "OperationNotFound", None);
        let msg = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("300 seconds"), "the message names the window: {msg}");
    }
    // The resource itself is unaffected.
    assert_eq!(arm.get(&format!("{}?api-version={K8S_API}", cluster_id(SUB, "rg", "c"))).await.status, 200);
}

/// Sends raw bytes on a fresh connection and reads whatever comes back until the server
/// closes or `within` passes. Returns the text read and how long it took.
fn raw_exchange(addr: std::net::SocketAddr, request: &[u8], within: Duration) -> (String, Duration) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(within)).unwrap();
    s.write_all(request).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                // One response is all these tests need.
                if response_complete(&out) {
                    break;
                }
            }
            Err(_) => break,
        }
        if start.elapsed() > within {
            break;
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), start.elapsed())
}

fn response_complete(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
    let len = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    len.is_some_and(|n| body.len() >= n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_content_length_with_a_short_body_is_answered_quickly() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let addr = arm.emu.arm_addr();
    let path = format!("{}?api-version={HC_API}", scope_id(SUB, "rg", "pls"));
    let request = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer x\r\nContent-Type: application/json\r\n\
         Content-Length: 10000000000\r\n\r\n{{}}"
    );
    let (text, took) =
        tokio::task::spawn_blocking(move || raw_exchange(addr, request.as_bytes(), Duration::from_secs(5)))
            .await
            .unwrap();
    assert!(text.starts_with("HTTP/1.1 413"), "an answer within 5 s, not a wait for 10 GB: {text:?} after {took:?}");
    assert!(text.contains("RequestEntityTooLarge"), "{text}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// The default cap on DNS vantage points other than `public` (README: `--max-dns-listeners`).
const MAX_VANTAGES_DEFAULT: usize = 128;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vnet_over_the_dns_listener_cap_is_refused() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    // Sites and VNets share the cap: each has its own DNS listener.
    arm.vnet(SUB, "rg", "v0", "eastus", "10.0.0.0/16", &[]).await;
    for i in 1..MAX_VANTAGES_DEFAULT {
        let r = arm.put(&format!("/_emulator/sites/s{i}"), json!({"addressSpace": [format!("10.{i}.0.0/16")]})).await;
        assert_eq!(r.status, 201, "site {i}: {}", r.body);
    }
    let listeners = arm.get("/_emulator/dns/listeners").await;
    assert_eq!(listeners.body["listeners"].as_object().map(|m| m.len()), Some(MAX_VANTAGES_DEFAULT + 1));

    // One more VNet, or one more site: refused by the model, nothing half-created.
    let id = net_id(SUB, "rg", "virtualNetworks", "over");
    let body = json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.200.0.0/16"]}}});
    let r = arm.put(&format!("{id}?api-version={NET_API}"), body.clone()).await;
    r.refused(409, "DnsListenerLimitReached", None);
    assert!(r.body["error"]["message"].as_str().unwrap_or_default().contains("128"), "{}", r.body);
    assert_eq!(arm.get(&format!("{id}?api-version={NET_API}")).await.status, 404);
    let r = arm.put("/_emulator/sites/over", json!({"addressSpace": ["10.201.0.0/16"]})).await;
    r.refused(409, "DnsListenerLimitReached", None);
    // Replacing an existing one is no new listener: still allowed.
    let r = arm
        .put("/_emulator/sites/s1", json!({"addressSpace": ["10.1.0.0/16"], "dns": {"publicFallback": false}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v0 = net_id(SUB, "rg", "virtualNetworks", "v0");
    let r = arm
        .put(
            &format!("{v0}?api-version={NET_API}"),
            json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Freed: room again.
    assert_eq!(arm.delete("/_emulator/sites/s1").await.status, 200);
    assert_eq!(arm.put(&format!("{id}?api-version={NET_API}"), body).await.status, 201);
    let listeners = arm.get("/_emulator/dns/listeners").await;
    assert_eq!(listeners.body["listeners"].as_object().map(|m| m.len()), Some(MAX_VANTAGES_DEFAULT + 1));
}

/// The default byte budget of a list page (README: `--page-max-bytes`).
const PAGE_BYTES_DEFAULT: usize = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_paged_by_size_as_well_as_count() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    // Ten scopes of ~400 kB each (tags): 4 MB in all, far below the count limit of 100.
    let big = "x".repeat(200);
    let tags: serde_json::Map<String, Value> = (0..2000).map(|i| (format!("t{i:04}"), json!(big))).collect();
    for i in 0..10 {
        let id = scope_id(SUB, "rg", &format!("pls{i}"));
        let r = arm
            .put(
                &format!("{id}?api-version={HC_API}"),
                json!({"location": "eastus", "tags": tags, "properties": {"publicNetworkAccess": "Disabled"}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let item = 2000 * (200 + 12);
    for first in [
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.HybridCompute/privateLinkScopes?api-version={HC_API}"
        ),
        format!("/subscriptions/{SUB}/providers/Microsoft.HybridCompute/privateLinkScopes?api-version={HC_API}"),
        format!("/subscriptions/{SUB}/resourceGroups/rg/resources?api-version={RG_API}"),
        format!("/subscriptions/{SUB}/resources?api-version={RG_API}"),
    ] {
        let mut url = format!("{}{first}", arm.base);
        let mut names = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            assert!(pages <= 20, "{first}: too many pages");
            let resp = arm.http.get(&url).bearer_auth("t").send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
            let bytes = resp.bytes().await.unwrap();
            assert!(
                bytes.len() <= PAGE_BYTES_DEFAULT + item + 4096,
                "{first}: a page of {} bytes (budget {PAGE_BYTES_DEFAULT} + one item)",
                bytes.len()
            );
            let page: Value = serde_json::from_slice(&bytes).unwrap();
            for v in page["value"].as_array().unwrap() {
                names.push(v["name"].as_str().unwrap().to_string());
            }
            match page["nextLink"].as_str() {
                Some(next) => url = next.to_string(),
                None => break,
            }
        }
        names.sort();
        let want: Vec<String> = (0..10).map(|i| format!("pls{i}")).collect();
        assert_eq!(names, want, "{first}: every item once, over {pages} pages");
        assert!(pages >= 3, "{first}: 4 MB in pages of 1 MB: {pages} pages");
    }
}
