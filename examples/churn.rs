//! The churn driver of `scripts/bench-churn.sh` (BENCHMARKS.md, "Long runs"): clients create
//! and delete a resource group with a VNet, an NSG, a Private Link Scope and a connected cluster
//! (long-running PUT/DELETEs among them) and a lab site, round after round, against a running
//! `arcemu serve`; it reads the server's RSS (`/proc/PID/status`) after a warm-up and every 10 s
//! of the measured churn, and prints a table row per sample.
//!
//! Usage: churn --arm http://127.0.0.1:PORT --pid PID [--warmup SECS] [--seconds SECS] [--clients N]
//! Only the given (loopback) ARM address is contacted; every phase is bounded in time.

use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

struct Args {
    arm: String,
    pid: u32,
    warmup: u64,
    seconds: u64,
    clients: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args { arm: String::new(), pid: 0, warmup: 15, seconds: 60, clients: 4 };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().ok_or(format!("{k} needs a value"))?;
        let num = |v: &str| v.parse::<u64>().map_err(|e| format!("{k}: {e}"));
        match k.as_str() {
            "--arm" => a.arm = v.trim_end_matches('/').to_string(),
            "--pid" => a.pid = num(&v)? as u32,
            "--warmup" => a.warmup = num(&v)?,
            "--seconds" => a.seconds = num(&v)?,
            "--clients" => a.clients = num(&v)?.max(1) as usize,
            _ => return Err(format!("unknown argument {k}")),
        }
    }
    if !a.arm.starts_with("http://127.") || a.pid == 0 {
        return Err(
            "usage: churn --arm http://127.0.0.1:PORT --pid PID [--warmup S] [--seconds S] [--clients N]".into()
        );
    }
    Ok(a)
}

/// `VmRSS` and `VmHWM` of `pid`, in KiB.
fn rss(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<u16, String> {
        let mut rb = self.http.request(method, format!("{}{path}", self.base)).bearer_auth("churn");
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        resp.bytes().await.map_err(|e| e.to_string())?;
        if status >= 400 {
            return Err(format!("{path}: {status}"));
        }
        Ok(status)
    }
    async fn put(&self, path: &str, body: Value) -> Result<u16, String> {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }
    async fn delete(&self, path: &str) -> Result<u16, String> {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

/// One round: create everything, delete everything.
async fn round(c: &Client, name: &str) -> Result<(), String> {
    let rg = format!("/subscriptions/{SUB}/resourceGroups/{name}");
    c.put(&format!("{rg}?api-version=2025-04-01"), json!({"location": "eastus"})).await?;
    let net = |t: &str, n: &str| format!("{rg}/providers/Microsoft.Network/{t}/{n}?api-version=2024-07-01");
    let vnet = net("virtualNetworks", "v");
    c.put(
        &vnet,
        json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
               "subnets": [{"name": "s", "properties": {"addressPrefix": "10.1.1.0/24"}}]}}),
    )
    .await?;
    let nsg = net("networkSecurityGroups", "n");
    c.put(&nsg, json!({"location": "eastus"})).await?;
    let scope = format!("{rg}/providers/Microsoft.HybridCompute/privateLinkScopes/pls?api-version=2026-07-15");
    c.put(&scope, json!({"location": "eastus", "properties": {"publicNetworkAccess": "Disabled"}})).await?;
    let cluster = format!("{rg}/providers/Microsoft.Kubernetes/connectedClusters/c?api-version=2026-05-01");
    c.put(
        &cluster,
        json!({"location": "eastus", "identity": {"type": "SystemAssigned"},
               "properties": {"agentPublicKeyCertificate": "MIIC-churn", "privateLinkState": "Disabled"}}),
    )
    .await?;
    let site = format!("/_emulator/sites/{name}");
    c.put(&site, json!({"addressSpace": ["192.168.0.0/24"]})).await?;
    c.delete(&cluster).await?;
    c.delete(&scope).await?;
    c.delete(&nsg).await?;
    c.delete(&vnet).await?;
    c.delete(&site).await?;
    c.delete(&format!("{rg}?api-version=2025-04-01")).await?;
    Ok(())
}

/// Runs the churn for `secs` with `clients` clients; returns rounds and errors.
async fn churn(a: &Args, label: &str, secs: u64) -> (u64, u64) {
    let rounds = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for i in 0..a.clients {
        let c = Client {
            http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client"),
            base: a.arm.clone(),
        };
        let (rounds, errors, label) = (rounds.clone(), errors.clone(), label.to_string());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < end {
                if let Err(e) = round(&c, &format!("churn-{label}-{i}-{n}")).await
                    && errors.fetch_add(1, Ordering::Relaxed) < 3
                {
                    eprintln!("churn: {e}");
                }
                n += 1;
                rounds.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (rounds.load(Ordering::Relaxed), errors.load(Ordering::Relaxed))
}

/// `operations` from `/_emulator/stats` when the server has it.
async fn kept_operations(base: &str) -> String {
    let http = reqwest::Client::new();
    match http.get(format!("{base}/_emulator/stats")).timeout(Duration::from_secs(5)).send().await {
        Ok(r) if r.status().is_success() => {
            let v: Value = r.json().await.unwrap_or_default();
            v["operations"].to_string()
        }
        _ => "n/a".to_string(),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (idle, _) = rss(a.pid);
    println!("| point | seconds of churn | rounds | errors | VmRSS MiB | VmHWM MiB | operations kept |");
    println!("|---|---|---|---|---|---|---|");
    let mib = |kib: u64| format!("{:.1}", kib as f64 / 1024.0);
    println!("| idle | 0 | 0 | 0 | {} | | {} |", mib(idle), kept_operations(&a.arm).await);
    let (r, e) = churn(&a, "w", a.warmup).await;
    let (warm, hwm) = rss(a.pid);
    println!(
        "| after warm-up | {} | {r} | {e} | {} | {} | {} |",
        a.warmup,
        mib(warm),
        mib(hwm),
        kept_operations(&a.arm).await
    );
    let mut done = 0;
    let mut total = (0, 0);
    let mut last = warm;
    while done < a.seconds {
        let step = 10.min(a.seconds - done);
        let (r, e) = churn(&a, &format!("m{done}"), step).await;
        total = (total.0 + r, total.1 + e);
        done += step;
        let (now, hwm) = rss(a.pid);
        last = now;
        println!(
            "| churn | {} | {} | {} | {} | {} | {} |",
            a.warmup + done,
            total.0,
            total.1,
            mib(now),
            mib(hwm),
            kept_operations(&a.arm).await
        );
    }
    let growth = (last as f64 - warm as f64) / warm.max(1) as f64 * 100.0;
    println!("\nRSS after {done} s of churn vs after warm-up: {growth:+.1}%");
    std::process::ExitCode::SUCCESS
}
