//! The arcemu image started through testcontainers answers ARM and DNS on its published ports.
//!
//! Needs a Docker engine and the image (`scripts/build-image.sh`, which `scripts/test.sh` runs).
//! Without an engine the test says so and passes, unless `ARCEMU_REQUIRE_DOCKER=1` (set by
//! scripts/test.sh where `docker info` works), where it fails.

use arcemu_testcontainers::{ArcEmu, ArcEmuContainer};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;
use testcontainers::core::ExecCommand;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const SUB2: &str = "11111111-1111-1111-1111-111111111111";
const RG_API: &str = "2025-04-01";
const HC_API: &str = "2026-07-15";

/// Whether a Docker engine answers `GET /_ping` on `DOCKER_HOST` (unix:// or tcp://) or on
/// /var/run/docker.sock; what was tried, for the message.
fn docker_engine() -> (bool, String) {
    let host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let ping = |stream: &mut dyn ReadWrite| -> bool {
        let mut answer = String::new();
        stream.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n").is_ok()
            && stream.read_to_string(&mut answer).is_ok()
            && answer.starts_with("HTTP/1.")
            && answer.contains(" 200 ")
    };
    let timeout = Some(Duration::from_secs(5));
    let answered = if let Some(path) = host.strip_prefix("unix://") {
        std::os::unix::net::UnixStream::connect(path)
            .ok()
            .filter(|s| s.set_read_timeout(timeout).is_ok() && s.set_write_timeout(timeout).is_ok())
            .is_some_and(|mut s| ping(&mut s))
    } else if let Some(addr) = host.strip_prefix("tcp://") {
        std::net::TcpStream::connect(addr)
            .ok()
            .filter(|s| s.set_read_timeout(timeout).is_ok() && s.set_write_timeout(timeout).is_ok())
            .is_some_and(|mut s| ping(&mut s))
    } else {
        false
    };
    (answered, host)
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// The container, or `None` (test skipped) where no Docker engine exists and none is required.
async fn start(image: ArcEmu) -> Option<ArcEmuContainer> {
    let (engine, host) = docker_engine();
    let required = std::env::var("ARCEMU_REQUIRE_DOCKER").is_ok_and(|v| v == "1");
    if !engine {
        assert!(!required, "ARCEMU_REQUIRE_DOCKER=1 but no Docker engine answers at {host}");
        eprintln!("SKIPPED: no Docker engine answers at {host} (set DOCKER_HOST, or ARCEMU_REQUIRE_DOCKER=1 to fail)");
        return None;
    }
    let started = tokio::time::timeout(Duration::from_secs(120), image.start()).await;
    match started {
        Ok(Ok(container)) => Some(container),
        Ok(Err(e)) => panic!("the arcemu container did not start ({e}); build the image with scripts/build-image.sh"),
        Err(_) => panic!("the arcemu container was not ready within 120 s"),
    }
}

async fn send(http: &reqwest::Client, method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = http.request(method, url).bearer_auth("test-token").timeout(Duration::from_secs(10));
    if let Some(b) = body {
        request = request.json(&b);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// `dig` (bind9-dnsutils, installed by scripts/ensure-deps.sh) against `server`, bounded.
async fn dig(server: SocketAddr, name: &str, tcp: bool) -> String {
    let path = ["/usr/bin/dig", "/bin/dig", "/usr/local/bin/dig"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("`dig` is not installed: run scripts/ensure-deps.sh (Debian package bind9-dnsutils)");
    let mut args = vec![
        format!("@{}", server.ip()),
        "-p".into(),
        server.port().to_string(),
        name.into(),
        "A".into(),
        "+time=2".into(),
        "+tries=3".into(),
    ];
    if tcp {
        args.push("+tcp".into());
    }
    let out = tokio::process::Command::new(path).args(&args).output().await.expect("dig runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The single address of the answer section, if the answer is NOERROR with exactly one A record.
fn one_address(dig_output: &str) -> Option<String> {
    if !dig_output.contains("status: NOERROR") {
        return None;
    }
    let addresses: Vec<&str> = dig_output
        .lines()
        .filter(|l| !l.starts_with(';'))
        .filter_map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields.len() == 5 && fields[3] == "A").then(|| fields[4])
        })
        .collect();
    (addresses.len() == 1).then(|| addresses[0].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_container_answers_arm_and_dns_on_its_published_ports() {
    let Some(emulator) = start(ArcEmu::default().with_subscription(SUB2)).await else { return };
    let arm = emulator.arm_url().to_string();
    assert!(arm.starts_with("http://127.0.0.1:"), "{arm}");
    let http = reqwest::Client::new();

    // ARM: a resource group and a private link scope in the second subscription (given to the
    // container as `serve --subscription`), then a GET of the scope.
    let rg = format!("/subscriptions/{SUB2}/resourcegroups/rg-docker");
    let (status, body) = send(
        &http,
        reqwest::Method::PUT,
        &format!("{arm}{rg}?api-version={RG_API}"),
        Some(json!({"location": "eastus"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let scope = format!(
        "/subscriptions/{SUB2}/resourceGroups/rg-docker/providers/Microsoft.HybridCompute/privateLinkScopes/pls-docker"
    );
    let (status, body) = send(
        &http,
        reqwest::Method::PUT,
        &format!("{arm}{scope}?api-version={HC_API}"),
        Some(json!({"location": "eastus", "properties": {"publicNetworkAccess": "Disabled"}})),
    )
    .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let (status, body) = send(&http, reqwest::Method::GET, &format!("{arm}{scope}?api-version={HC_API}"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"].as_str().map(str::to_ascii_lowercase), Some(scope.to_ascii_lowercase()), "{body}");
    assert_eq!(body["properties"]["publicNetworkAccess"], "Disabled", "{body}");
    // A refusal crosses the container too: the same scope in an unknown subscription.
    let elsewhere = scope.replace(SUB2, "22222222-2222-2222-2222-222222222222");
    let (status, body) =
        send(&http, reqwest::Method::GET, &format!("{arm}{elsewhere}?api-version={HC_API}"), None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "SubscriptionNotFound", "{body}");

    // The admin API counts the resources (the scope; resource groups are kept apart), and the
    // default subscription is there besides the one given.
    let (status, body) = send(&http, reqwest::Method::GET, &format!("{arm}/_emulator/health"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resources"], 1, "the scope: {body}");
    let (status, body) = send(
        &http,
        reqwest::Method::GET,
        &format!("{arm}/subscriptions/{SUB}/resourcegroups?api-version={RG_API}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // DNS: the public view on the published port, over UDP and over TCP, answers the Arc
    // endpoint with one public address (the emulated internet, 198.51.100.0/24).
    let udp = dig(emulator.dns_udp(), "gbl.his.arc.azure.com", false).await;
    let address = one_address(&udp).unwrap_or_else(|| panic!("UDP {}:\n{udp}", emulator.dns_udp()));
    assert!(address.starts_with("198.51.100."), "{udp}");
    assert!(udp.contains("gbl.privatelink.his.arc.azure.com"), "the public answer goes through privatelink:\n{udp}");
    let tcp = dig(emulator.dns_tcp(), "gbl.his.arc.azure.com", true).await;
    assert_eq!(one_address(&tcp).as_deref(), Some(address.as_str()), "TCP {}:\n{tcp}", emulator.dns_tcp());
    let nx = dig(emulator.dns_udp(), "no-such-name.his.arc.azure.com", false).await;
    assert!(nx.contains("status: NXDOMAIN") || nx.contains("status: NOERROR"), "an answer, not a timeout:\n{nx}");

    // The image's HEALTHCHECK command, run inside the container (static binary, no shell).
    let mut exec = emulator.container().exec(ExecCommand::new(["/arcemu", "health"])).await.expect("exec runs");
    let out = String::from_utf8_lossy(&exec.stdout_to_vec().await.unwrap_or_default()).into_owned();
    assert_eq!(exec.exit_code().await.ok().flatten(), Some(0), "{out}");
    assert!(out.contains("\"status\":\"ok\""), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returned_urls_name_the_published_port() {
    // Operations stay in progress for a minute, so that they answer with the URLs to poll.
    let Some(emulator) = start(ArcEmu::default().with_env("ARCEMU_LRO_DELAY_MS", "60000")).await else { return };
    let arm = emulator.arm_url().to_string();
    let http = reqwest::Client::new();
    let rg = format!("/subscriptions/{SUB}/resourcegroups/rg-lro");
    let (status, body) = send(
        &http,
        reqwest::Method::PUT,
        &format!("{arm}{rg}?api-version={RG_API}"),
        Some(json!({"location": "eastus"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let scope =
        format!("/subscriptions/{SUB}/resourceGroups/rg-lro/providers/Microsoft.HybridCompute/privateLinkScopes/pls");
    let (status, body) = send(
        &http,
        reqwest::Method::PUT,
        &format!("{arm}{scope}?api-version={HC_API}"),
        Some(json!({"location": "eastus", "properties": {"publicNetworkAccess": "Disabled"}})),
    )
    .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    // A scope's DELETE is long-running: 202 with the URLs to poll.
    let response = http
        .delete(format!("{arm}{scope}?api-version={HC_API}"))
        .bearer_auth("t")
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("DELETE sent");
    let headers = response.headers().clone();
    let status = response.status().as_u16();
    let polled: Vec<String> = ["azure-asyncoperation", "location"]
        .into_iter()
        .filter_map(|h| headers.get(h).and_then(|v| v.to_str().ok()).map(str::to_string))
        .collect();
    assert_eq!(status, 202, "{headers:?}");
    assert_eq!(polled.len(), 2, "Azure-AsyncOperation and Location: {headers:?}");
    for url in polled {
        assert!(url.starts_with(&format!("{arm}/")), "{url} does not name {arm}");
        let (status, body) = send(&http, reqwest::Method::GET, &url, None).await;
        assert!(status == 200 || status == 202, "{url}: {status} {body}");
    }
}

/// Removes a Docker volume (bounded; a leftover volume is only noise).
fn remove_volume(name: &str) {
    let _ = std::process::Command::new("docker").args(["volume", "rm", "-f", name]).output();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_volume_keeps_the_world_and_a_site_keeps_its_published_dns_port() {
    let volume = format!("arcemu-test-data-{}", std::process::id());
    remove_volume(&volume);
    let image = ArcEmu::default().with_data_volume(&volume).with_vantage_dns_ports();
    let Some(first) = start(image.clone()).await else { return };
    let http = reqwest::Client::new();
    let arm = first.arm_url().to_string();
    let rg = format!("{arm}/subscriptions/{SUB}/resourcegroups/kept?api-version={RG_API}");
    let (status, body) = send(&http, reqwest::Method::PUT, &rg, Some(json!({"location": "eastus"}))).await;
    assert_eq!(status, 201, "{body}");
    let site = json!({"addressSpace": ["192.168.0.0/16"], "dns": {"zones": [{"zone": "corp.example", "records": {"www": ["192.168.1.10"]}}]}});
    let (status, body) = send(&http, reqwest::Method::PUT, &format!("{arm}/_emulator/sites/hq"), Some(site)).await;
    assert_eq!(status, 201, "{body}");
    let site_port = |listing: &Value| -> u16 {
        let addr = listing["listeners"]["site:hq"].as_str().unwrap_or_else(|| panic!("{listing}"));
        addr.parse::<SocketAddr>().unwrap_or_else(|e| panic!("{addr}: {e}")).port()
    };
    let listing = wait_for_listener(&http, &arm, "site:hq").await;
    let port = site_port(&listing);
    assert!(arcemu_testcontainers::VANTAGE_PORTS.contains(&port), "{listing}");
    // The site's own DNS view, through its published port: the site's zone answers.
    let (udp, _) = first.vantage_dns(port).await.expect("the vantage port is published");
    let answer = dig(udp, "www.corp.example", false).await;
    assert_eq!(one_address(&answer).as_deref(), Some("192.168.1.10"), "{answer}");
    drop(first);

    // A new container on the same volume: the same world, the site on the same port.
    let Some(second) = start(image).await else { return };
    let arm = second.arm_url().to_string();
    let rg = format!("{arm}/subscriptions/{SUB}/resourcegroups/kept?api-version={RG_API}");
    let (status, body) = send(&http, reqwest::Method::GET, &rg, None).await;
    assert_eq!(status, 200, "the resource group survived the container: {body}");
    let listing = wait_for_listener(&http, &arm, "site:hq").await;
    assert_eq!(site_port(&listing), port, "{listing}");
    drop(second);
    remove_volume(&volume);
}

/// `GET /_emulator/dns/listeners` once `vantage` has its listener (they follow the world within
/// a fraction of a second).
async fn wait_for_listener(http: &reqwest::Client, arm: &str, vantage: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, listing) = send(http, reqwest::Method::GET, &format!("{arm}/_emulator/dns/listeners"), None).await;
        if listing["listeners"][vantage].is_string() || std::time::Instant::now() > deadline {
            return listing;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
