//! Shared helpers for the end-to-end tests: an emulator started in-process and a small
//! ARM client over real HTTP.
#![allow(dead_code)]

use arcemu::{Emulator, EmulatorConfig, SubscriptionConfig};
use serde_json::{Value, json};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";
pub const SUB2: &str = "11111111-1111-1111-1111-111111111111";
pub const RG_API: &str = "2025-04-01";
pub const HC_API: &str = "2026-07-15";
pub const K8S_API: &str = "2026-05-01";
pub const CL_API: &str = "2021-08-15";
pub const EXT_API: &str = "2023-05-01";

pub struct Arm {
    pub emu: Emulator,
    pub base: String,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    pub fn rule(&self) -> &str {
        self.body["error"]["additionalInfo"][0]["info"]["ruleId"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// Asserts a refusal: status, ARM code and (if given) rule id.
    pub fn refused(&self, status: u16, code: &str, rule: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.code(), code, "{}", self.body);
        if let Some(r) = rule {
            assert_eq!(self.rule(), r, "{}", self.body);
        }
        let fidelity = self.body["error"]["additionalInfo"][0]["info"]["fidelity"].as_str().unwrap_or("");
        assert!(fidelity == "verified" || fidelity == "inferred", "{}", self.body);
    }
}

pub async fn start() -> Arm {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(mut cfg: EmulatorConfig) -> Arm {
    cfg.world.subscriptions.push(SubscriptionConfig::registered(SUB2, "second"));
    let emu = Emulator::start(cfg).await.expect("emulator starts");
    let base = emu.arm_endpoint();
    Arm { emu, base, http: reqwest::Client::new() }
}

impl Arm {
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let url = if path.starts_with("http") { path.to_string() } else { format!("{}{}", self.base, path) };
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.http.request(m, url).bearer_auth("test-token");
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    pub async fn group(&self, sub: &str, rg: &str, location: &str) {
        let r = self
            .put(
                &format!("/subscriptions/{sub}/resourcegroups/{rg}?api-version={RG_API}"),
                json!({"location": location}),
            )
            .await;
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
    }

    pub async fn scope(&self, sub: &str, rg: &str, name: &str, location: &str) -> String {
        let id = scope_id(sub, rg, name);
        let r = self
            .put(
                &format!("{id}?api-version={HC_API}"),
                json!({"location": location, "properties": {"publicNetworkAccess": "Disabled"}}),
            )
            .await;
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
        id
    }

    pub async fn put_cluster(&self, sub: &str, rg: &str, name: &str, location: &str, scope: Option<&str>) -> Reply {
        let mut props = json!({"agentPublicKeyCertificate": "MIIC-test", "kubernetesVersion": "1.30.0"});
        if let Some(s) = scope {
            props["privateLinkState"] = json!("Enabled");
            props["privateLinkScopeResourceId"] = json!(s);
        } else {
            props["privateLinkState"] = json!("Disabled");
        }
        let id = cluster_id(sub, rg, name);
        self.put(
            &format!("{id}?api-version={K8S_API}"),
            json!({"location": location, "identity": {"type": "SystemAssigned"}, "properties": props}),
        )
        .await
    }
}

pub fn scope_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.HybridCompute/privateLinkScopes/{name}")
}

pub fn cluster_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Kubernetes/connectedClusters/{name}")
}

pub fn custom_location_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ExtendedLocation/customLocations/{name}")
}

pub const NET_API: &str = "2024-07-01";
pub const DNS_API: &str = "2024-06-01";

pub fn net_id(sub: &str, rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}/{name}")
}

impl Arm {
    /// A VNet with the given subnets (name, prefix).
    pub async fn vnet(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
        location: &str,
        space: &str,
        subnets: &[(&str, &str)],
    ) -> String {
        let id = net_id(sub, rg, "virtualNetworks", name);
        let subnets: Vec<Value> =
            subnets.iter().map(|(n, p)| json!({"name": n, "properties": {"addressPrefix": p}})).collect();
        let r = self
            .put(
                &format!("{id}?api-version={NET_API}"),
                json!({"location": location, "properties": {"addressSpace": {"addressPrefixes": [space]}, "subnets": subnets}}),
            )
            .await;
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
        id
    }

    #[allow(clippy::too_many_arguments)] // test helper: every field of an endpoint, spelled out at call sites
    pub async fn put_endpoint(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
        location: &str,
        subnet: &str,
        scope: &str,
        manual: bool,
    ) -> Reply {
        let list = if manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
        let mut props = json!({"subnet": {"id": subnet}});
        props[list] = json!([{"name": format!("{name}-conn"), "properties": {"privateLinkServiceId": scope, "groupIds": ["hybridcompute"]}}]);
        self.put(
            &format!("{}?api-version={NET_API}", net_id(sub, rg, "privateEndpoints", name)),
            json!({"location": location, "properties": props}),
        )
        .await
    }
}

/// `arcemu serve` (the real binary) on loopback ports it picks itself; killed (SIGKILL) when
/// dropped. Its stderr is drained all along (one log line per request would otherwise fill the
/// pipe and block the emulator) and kept, bounded, for assertions and failure messages.
pub struct ServedBinary {
    pub child: std::process::Child,
    pub arm: String,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ServedBinary {
    /// What it wrote on stderr so far (the first 1 MiB).
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Kills it and returns all it wrote on stderr.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The drain thread sees the pipe close right after.
        std::thread::sleep(std::time::Duration::from_millis(100));
        self.stderr()
    }
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `arcemu serve --arm-listen 127.0.0.1:0 --dns-listen 127.0.0.1:0 ARGS`, with no
/// `ARCEMU_*` variable of the caller's environment, and `env` set; waits for `arcemu ready`.
/// Err: what it wrote on stderr when it was not ready within 20 s (e.g. it refused to start).
pub fn serve_binary(args: &[&str], env: &[(&str, &str)]) -> Result<ServedBinary, String> {
    use std::io::BufRead;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"));
    command.args(["serve", "--arm-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0"]).args(args);
    for (key, _) in std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v))) {
        if key.starts_with("ARCEMU_") || key == "NO_COLOR" {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("arcemu serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let kept = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = kept.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut text) = sink.lock()
                && text.len() < 1 << 20
            {
                text.push_str(&line);
                text.push('\n');
            }
        }
    });
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut served = ServedBinary { child, arm: String::new(), stderr: kept };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
            Ok(line) => {
                if let Some(url) = line.trim().strip_prefix("ARM:") {
                    served.arm = url.trim().to_string();
                }
                if line.trim() == "arcemu ready" {
                    return Ok(served);
                }
            }
            Err(_) => return Err(served.kill()),
        }
    }
}
