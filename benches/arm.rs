//! The arcemu benchmark (a benchmark, not a timed test: it reports, it never fails on a figure).
//!
//! `cargo bench --bench arm` (or `scripts/bench.sh`, which also installs `wrk`) measures:
//!
//! * **cold start**: spawn `arcemu serve --arm-listen 127.0.0.1:PORT` N times and time the wall
//!   clock from `spawn()` to the first `200` of `GET /_emulator/health` (polled with TCP connect +
//!   a tiny HTTP/1.1 request every ~100 µs); the same for the trivial baseline server, side by side;
//! * **in-process start**: `arcemu::Emulator::start(EmulatorConfig::default())` to the first
//!   answered health request, N times in one tokio runtime;
//! * **RSS** of the `arcemu serve` process (`VmRSS`/`VmHWM` from `/proc/PID/status`): idle after
//!   start, after seeding, after the GET load; and of the baseline process;
//! * **GET throughput** with `wrk -t2 -c32 -d10s` (issue 16): arcemu is started and seeded, the
//!   exact bodies (and content type) of its GET of a connected cluster and of a Private Link
//!   Scope are fetched, and a trivial axum 0.8 handler (this same binary in mode
//!   `trivial-server`, its own process, multi-thread tokio runtime, like arcemu) answers those
//!   same bytes from memory (`Bytes::clone` per request): one baseline per target. Interleaved
//!   (same bytes of the cluster, arcemu cluster, same bytes of the scope, arcemu scope, the
//!   small-JSON diagnostic, arcemu PUT) for R rounds; ratio = arcemu / its baseline run just
//!   before it; the median ratio is reported against the goal (0.9). The diagnostic (not a
//!   goal) is the earlier baseline: a small JSON object through `axum::Json`. The **PUT** run
//!   sends `PUT` of one resource group (a tag, keep-alive, a wrk Lua script) to the same arcemu.
//!   Per run it also records the server's CPU time per request (`/proc/PID/stat`) and the CPU
//!   that other processes used meanwhile (`/proc/stat`); a run disturbed by more than 0.1 core
//!   is measured again (up to `BENCH_RETRIES` times) and flagged in the summary if still so.
//!
//! * **writes** (mode `writes`): PUT of a resource group from `BENCH_WRITE_CLIENTS` (4) keep-alive
//!   clients for `BENCH_WRITE_SECONDS` (5) against `arcemu serve` in memory, then with
//!   `--data-dir` (one fsync per write); then GET of it with the request log on (the default,
//!   stderr to /dev/null) and off (`ARCEMU_LOG=warn`): requests/s and p50/p99 latency, side by side.
//!
//! Results: `bench-results/summary.json` (machine-readable), `bench-results/summary.md` (the
//! table, also printed), `bench-results/wrk-*.txt` (raw wrk output).
//!
//! Modes (first non-flag argument): `all` (default under `cargo bench`), `cold-start`,
//! `in-process`, `throughput`, `writes`, `trivial-server ADDR [NAME=FILE ...]` (each FILE's
//! bytes at `/same/NAME`, content type from `FILE.type`). Run without `--bench` and without a mode
//! (as `cargo test --benches` does) it only prints how to run it.
//!
//! Knobs (environment): `ARCEMU_BIN` (default: the `arcemu` binary cargo built beside this bench),
//! `BENCH_COLD_N` (20), `BENCH_ROUNDS` (3), `BENCH_WRK_DURATION` (`10s`), `BENCH_WRK_THREADS` (2),
//! `BENCH_WRK_CONNECTIONS` (32), `BENCH_DIAG` (1; 0 skips the small-JSON diagnostic run), `BENCH_RETRIES`
//! (2), `BENCH_OUT` (`bench-results` in the package root).

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const RG_API: &str = "2025-04-01";
const SCOPE_API: &str = "2026-07-15";
const CLUSTER_API: &str = "2026-05-01";
#[path = "support/mod.rs"]
mod support;
use support::{
    AUTH, KeepAlive, arcemu_bin, cpu_seconds, env_or, free_port, machine, median, out_dir, pct, round3, rss_kib,
    utc_now,
};
const HEALTH: &str = "/_emulator/health";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let under_cargo_bench = args.iter().any(|a| a == "--bench");
    let positional: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with("--")).collect();
    let mode = positional.first().copied().unwrap_or(if under_cargo_bench { "all" } else { "help" });
    let result = match mode {
        "trivial-server" => {
            let addr = positional.get(1).copied().unwrap_or("127.0.0.1:0");
            trivial_server(addr, positional.get(2..).unwrap_or_default())
        }
        "cold-start" | "in-process" | "throughput" | "writes" | "all" => run(mode),
        "help" => {
            println!(
                "arm bench: run `cargo bench --bench arm` or `scripts/bench.sh` (modes: all, cold-start, in-process, throughput, trivial-server ADDR)"
            );
            Ok(())
        }
        other => Err(format!("unknown mode '{other}'")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("arm bench: {e}");
            ExitCode::FAILURE
        }
    }
}

// ============================== the trivial baseline ==============================

/// A trivial axum 0.8 server on a multi-thread tokio runtime (default worker count, as
/// `arcemu serve`), in its own process. Prints `trivial ready http://ADDR` once listening.
///
/// * `GET /same/NAME`, for each `NAME=PATH` in `same`: the bytes of the file PATH, read once at
///   start, with the content type in `PATH.type`; each request clones the `Bytes` (no copy).
///   This is the goal's baseline: the very body arcemu answers, from memory.
/// * `GET /thing`: a small JSON object through `axum::Json` (the earlier baseline, now a
///   diagnostic).
fn trivial_server(addr: &str, same: &[&str]) -> Result<(), String> {
    use axum::body::Bytes;
    use axum::http::{HeaderValue, header};
    let addr: SocketAddr = addr.parse().map_err(|e| format!("bad address '{addr}': {e}"))?;
    let mut app = axum::Router::new();
    for spec in same {
        let (name, path) = spec.split_once('=').ok_or_else(|| format!("'{spec}' is not NAME=PATH"))?;
        let body = Bytes::from(std::fs::read(path).map_err(|e| format!("{path}: {e}"))?);
        let content_type = std::fs::read_to_string(format!("{path}.type")).map_err(|e| format!("{path}.type: {e}"))?;
        let content_type = HeaderValue::from_str(content_type.trim()).map_err(|e| e.to_string())?;
        app = app.route(
            &format!("/same/{name}"),
            axum::routing::get(move || {
                let (content_type, body) = (content_type.clone(), body.clone());
                async move { ([(header::CONTENT_TYPE, content_type)], body) }
            }),
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        async fn get_thing() -> axum::Json<Value> {
            axum::Json(
                json!({ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1", "name": "x" }),
            )
        }
        async fn health() -> axum::Json<Value> {
            axum::Json(json!({ "status": "ok" }))
        }
        let app = app.route("/thing", axum::routing::get(get_thing)).route(HEALTH, axum::routing::get(health));
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| e.to_string())?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!("trivial ready http://{local}");
        let _ = std::io::stdout().flush();
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    })
}

// ============================== small helpers ==============================

/// One HTTP/1.1 exchange on a fresh connection (`Connection: close`): returns (status, body).
fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{AUTH}\r\nConnection: close\r\n");
    if let Some(b) = body {
        req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// Polls `GET /_emulator/health` until a 200, as tightly as is reasonable (connect refusals are
/// retried after ~100 µs). Returns the instant the 200 was read.
fn wait_health(addr: SocketAddr, child: &mut Child, deadline: Duration) -> Result<Instant, String> {
    let start = Instant::now();
    loop {
        if let Ok((200, _)) = http(addr, "GET", HEALTH, None) {
            return Ok(Instant::now());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("server exited early ({status})"));
        }
        if start.elapsed() > deadline {
            return Err(format!("no 200 from {addr}{HEALTH} within {deadline:?}"));
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

fn spawn_arcemu(port: u16) -> Result<Child, String> {
    let bin = arcemu_bin();
    Command::new(&bin)
        .args(["serve", "--arm-listen", &format!("127.0.0.1:{port}")])
        .env_remove("ARCEMU_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {} ({e}); build it with `cargo build --release --bins`", bin.display()))
}

fn spawn_trivial(port: u16) -> Result<Child, String> {
    spawn_trivial_with(port, &[])
}

/// The trivial server, also answering `GET /same/NAME` with each `NAME=PATH` file's bytes.
fn spawn_trivial_with(port: u16, same: &[String]) -> Result<Child, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    Command::new(me)
        .args(["trivial-server", &format!("127.0.0.1:{port}")])
        .args(same)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the trivial server: {e}"))
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn stats(mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    json!({
        "n": ms.len(),
        "min_ms": round3(ms.first().copied().unwrap_or(f64::NAN)),
        "median_ms": round3(median(&ms)),
        "p90_ms": round3(pct(&ms, 90.0)),
        "max_ms": round3(ms.last().copied().unwrap_or(f64::NAN)),
        "samples_ms": ms.iter().map(|x| round3(*x)).collect::<Vec<_>>(),
    })
}

// ============================== the measurements ==============================

/// Spawn-to-first-200, `n` times (plus one unrecorded warm-up spawn).
fn cold_start(n: usize, spawn: fn(u16) -> Result<Child, String>) -> Result<Vec<f64>, String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..=n {
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let t0 = Instant::now();
        let mut child = spawn(port)?;
        let r = wait_health(addr, &mut child, Duration::from_secs(10));
        stop(child);
        let t1 = r?;
        if i > 0 {
            out.push((t1 - t0).as_secs_f64() * 1000.0);
        }
    }
    Ok(out)
}

/// `Emulator::start` to the first answered health request, `n` times in one runtime.
fn in_process(n: usize) -> Result<Vec<f64>, String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let mut out = Vec::with_capacity(n);
        for i in 0..=n {
            let t0 = Instant::now();
            let emu = arcemu::Emulator::start(arcemu::EmulatorConfig::default()).await.map_err(|e| e.to_string())?;
            let addr = emu.arm_addr();
            let status = tokio::task::spawn_blocking(move || http(addr, "GET", HEALTH, None))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?
                .0;
            let dt = t0.elapsed().as_secs_f64() * 1000.0;
            emu.stop().await;
            if status != 200 {
                return Err(format!("in-process health answered {status}"));
            }
            if i > 0 {
                out.push(dt);
            }
        }
        Ok(out)
    })
}

/// Seeds arcemu with a resource group, a Private Link Scope and a connected cluster in it;
/// returns the scope and cluster paths (with api-version).
fn seed(addr: SocketAddr) -> Result<(String, String), String> {
    let rg = format!("/subscriptions/{SUB}/resourceGroups/bench-rg");
    let scope_id = format!("{rg}/providers/Microsoft.HybridCompute/privateLinkScopes/bench-pls");
    let cluster_id = format!("{rg}/providers/Microsoft.Kubernetes/connectedClusters/bench-cluster");
    let puts = [
        (format!("{rg}?api-version={RG_API}"), json!({ "location": "eastus" })),
        (
            format!("{scope_id}?api-version={SCOPE_API}"),
            json!({ "location": "eastus", "properties": { "publicNetworkAccess": "Disabled" } }),
        ),
        (
            format!("{cluster_id}?api-version={CLUSTER_API}"),
            json!({
                "location": "eastus",
                "identity": { "type": "SystemAssigned" },
                "properties": {
                    "agentPublicKeyCertificate": "abc",
                    "privateLinkState": "Enabled",
                    "privateLinkScopeResourceId": scope_id,
                }
            }),
        ),
    ];
    for (path, body) in &puts {
        let (status, text) =
            http(addr, "PUT", path, Some(&body.to_string())).map_err(|e| format!("PUT {path}: {e}"))?;
        if !(200..300).contains(&status) {
            return Err(format!("seeding PUT {path} answered {status}: {text}"));
        }
    }
    let scope = format!("{scope_id}?api-version={SCOPE_API}");
    let cluster = format!("{cluster_id}?api-version={CLUSTER_API}");
    // Wait for the cluster's long-running PUT to settle (LRO delay 0), and check both GETs.
    for p in [&scope, &cluster] {
        let (status, text) = http(addr, "GET", p, None).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("GET {p} answered {status}: {text}"));
        }
    }
    Ok((scope, cluster))
}

struct WrkRun {
    label: String,
    rps: f64,
    requests: u64,
    non_2xx: u64,
    socket_errors: String,
    latency_avg: String,
    latency_p50: String,
    latency_p99: String,
    bytes_per_response: f64,
    server_cpu_us_per_request: f64,
    /// CPU used meanwhile by other processes on the machine, in cores: a disturbed run.
    other_cpu_cores: f64,
    attempts: usize,
}

impl WrkRun {
    fn to_json(&self) -> Value {
        json!({
            "target": self.label,
            "requests_per_sec": (self.rps * 100.0).round() / 100.0,
            "requests": self.requests,
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "latency_avg": self.latency_avg,
            "latency_p50": self.latency_p50,
            "latency_p99": self.latency_p99,
            "bytes_per_response": self.bytes_per_response.round(),
            "server_cpu_us_per_request": (self.server_cpu_us_per_request * 100.0).round() / 100.0,
            "other_cpu_cores": round3(self.other_cpu_cores),
            "attempts": self.attempts,
        })
    }
}

fn parse_size(s: &str) -> f64 {
    let s = s.trim();
    let (num, mult) = if let Some(x) = s.strip_suffix("GB") {
        (x, 1024.0 * 1024.0 * 1024.0)
    } else if let Some(x) = s.strip_suffix("MB") {
        (x, 1024.0 * 1024.0)
    } else if let Some(x) = s.strip_suffix("KB") {
        (x, 1024.0)
    } else {
        (s.strip_suffix('B').unwrap_or(s), 1.0)
    };
    num.parse::<f64>().map(|n| n * mult).unwrap_or(f64::NAN)
}

/// Busy CPU time of the whole machine so far (all cores, from `/proc/stat`), in seconds.
fn machine_busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> =
        stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    let total: f64 = f.iter().take(8).sum();
    let idle = f.get(3).copied().unwrap_or(0.0) + f.get(4).copied().unwrap_or(0.0);
    (total - idle) / 100.0
}

/// CPU time of this process plus its waited-for children (wrk), in seconds.
fn self_and_children_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime stime cutime cstime: fields 14-17 of the line (1-based), i.e. 11-14 after the name.
    (11..15).map(|i| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)).sum::<f64>() / 100.0
}

/// Watches how much CPU other processes use while something is measured.
struct OtherLoad {
    busy0: f64,
    mine0: f64,
    wall0: Instant,
}

impl OtherLoad {
    fn start() -> Self {
        Self { busy0: machine_busy_seconds(), mine0: self_and_children_seconds(), wall0: Instant::now() }
    }

    /// CPU used since `start` by anything but this bench, its waited-for children and
    /// `accounted` seconds (e.g. a server still running), in cores (≈ 0.05 is noise).
    fn cores(&self, accounted: f64) -> f64 {
        let busy = machine_busy_seconds() - self.busy0;
        let mine = self_and_children_seconds() - self.mine0;
        ((busy - mine - accounted) / self.wall0.elapsed().as_secs_f64()).max(0.0)
    }
}

/// Runs wrk against `url`; `pid` is the server's, whose CPU time per request is recorded.
/// [`wrk_once`], repeated (up to `BENCH_RETRIES` times, default 2, after a pause) while other
/// processes used more than 0.1 core during the run: the figures of a disturbed run are not
/// comparable. The last attempt is kept either way (and flagged by its `other_cpu_cores`).
fn wrk(
    label: &str,
    url: &str,
    out: &Path,
    tag: &str,
    dur: &str,
    pid: u32,
    script: Option<&Path>,
) -> Result<WrkRun, String> {
    let retries: usize = env_or("BENCH_RETRIES", 2);
    let mut attempt = 0;
    loop {
        let mut run = wrk_once(label, url, out, tag, dur, pid, script)?;
        run.attempts = attempt + 1;
        if run.other_cpu_cores <= 0.1 || attempt >= retries {
            return Ok(run);
        }
        attempt += 1;
        eprintln!(
            "  ({label}: other processes used {:.2} cores meanwhile; pausing, then measuring again)",
            run.other_cpu_cores
        );
        std::thread::sleep(Duration::from_secs(5));
    }
}

/// One wrk run; `script` is a wrk Lua script (`-s`), e.g. the PUT's.
fn wrk_once(
    label: &str,
    url: &str,
    out: &Path,
    tag: &str,
    dur: &str,
    pid: u32,
    script: Option<&Path>,
) -> Result<WrkRun, String> {
    let threads: String = env_or("BENCH_WRK_THREADS", "2".to_string());
    let conns: String = env_or("BENCH_WRK_CONNECTIONS", "32".to_string());
    let script_args: Vec<String> = script.map(|p| vec!["-s".to_string(), p.display().to_string()]).unwrap_or_default();
    let cpu0 = cpu_seconds(pid);
    let load = OtherLoad::start();
    let o = Command::new("wrk")
        .args([&format!("-t{threads}"), &format!("-c{conns}"), &format!("-d{dur}"), "--latency", "-H", AUTH])
        .args(&script_args)
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run wrk ({e}); install it (`apt-get install -y wrk`) or use scripts/bench.sh"))?;
    let server_cpu = cpu_seconds(pid) - cpu0;
    let other_cores = load.cores(server_cpu);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let _ = std::fs::write(
        out.join(format!("wrk-{tag}.txt")),
        format!("$ wrk -t{threads} -c{conns} -d{dur} --latency -H '{AUTH}' {} {url}\n{text}", script_args.join(" ")),
    );
    if !o.status.success() {
        return Err(format!("wrk failed: {}", String::from_utf8_lossy(&o.stderr)));
    }
    let line_after = |prefix: &str| -> Option<String> {
        text.lines().map(str::trim).find(|l| l.starts_with(prefix)).map(|l| l[prefix.len()..].trim().to_string())
    };
    let rps = line_after("Requests/sec:").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let mut requests = 0;
    let mut bytes = f64::NAN;
    for l in text.lines() {
        // "  1234567 requests in 10.00s, 123.45MB read"
        if let Some((n, rest)) = l.trim().split_once(" requests in ") {
            requests = n.trim().parse().unwrap_or(0);
            if let Some(read) = rest.split(", ").nth(1).and_then(|r| r.strip_suffix(" read")) {
                bytes = parse_size(read);
            }
        }
    }
    let latency = text.lines().map(str::trim).find(|l| l.starts_with("Latency ")).unwrap_or_default().to_string();
    let latency_avg = latency.split_whitespace().nth(1).unwrap_or_default().to_string();
    let dist = |p: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(p) && l.split_whitespace().count() == 2)
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_default()
            .to_string()
    };
    Ok(WrkRun {
        label: label.to_string(),
        rps,
        requests,
        non_2xx: line_after("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0),
        socket_errors: line_after("Socket errors:").unwrap_or_else(|| "none".to_string()),
        latency_avg,
        latency_p50: dist("50%"),
        latency_p99: dist("99%"),
        bytes_per_response: if requests > 0 { bytes / requests as f64 } else { f64::NAN },
        server_cpu_us_per_request: if requests > 0 { server_cpu * 1e6 / requests as f64 } else { f64::NAN },
        other_cpu_cores: other_cores,
        attempts: 1,
    })
}

/// One `GET` on a fresh connection, read exactly (by `Content-Length`): (content type, body).
fn fetch_exact(addr: SocketAddr, path: &str) -> Result<(String, Vec<u8>), String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{AUTH}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of head")?;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    if head.get(9..12) != Some("200") {
        return Err(format!("GET {path}: {}", head.lines().next().unwrap_or_default()));
    }
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).ok_or("no content-length")?;
    let body = buf.get(end + 4..end + 4 + length).ok_or("short body")?.to_vec();
    Ok((header("content-type").unwrap_or_default(), body))
}

/// A wrk Lua script that sends `PUT path` with `body` (JSON) on every request.
fn put_script(out: &Path, path: &str, body: &str) -> Result<PathBuf, String> {
    let file = out.join("put.lua");
    let lua = format!(
        "wrk.method = \"PUT\"\nwrk.path = {path:?}\nwrk.body = {body:?}\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
    std::fs::write(&file, lua).map_err(|e| e.to_string())?;
    Ok(file)
}

/// GET throughput against the same bytes from a trivial handler, and PUT throughput beside it.
///
/// arcemu is started and seeded first; the exact bodies (and content type) of its two GETs are
/// then fetched and handed to the trivial server, which answers them from memory. Each round:
/// same-bytes baseline (cluster), arcemu GET cluster, same-bytes baseline (scope), arcemu GET
/// scope, the small-body diagnostic, arcemu PUT of a resource group (a tag change, keep-alive).
fn throughput(out: &Path) -> Result<Value, String> {
    let rounds: usize = env_or("BENCH_ROUNDS", 3);
    let goal: f64 = GET_RATIO_GOAL;
    let aport = free_port()?;
    let aaddr = SocketAddr::from(([127, 0, 0, 1], aport));
    let mut arcemu = spawn_arcemu(aport)?;
    let mut trivial: Option<Child> = None;
    let result = (|| -> Result<Value, String> {
        wait_health(aaddr, &mut arcemu, Duration::from_secs(10))?;
        std::thread::sleep(Duration::from_millis(300));
        let apid = arcemu.id();
        let arcemu_idle = rss_kib(apid);
        let (scope, cluster) = seed(aaddr)?;
        let arcemu_seeded = rss_kib(apid);
        let mut same = Vec::new();
        let mut body_bytes = json!({});
        for (name, path) in [("cluster", &cluster), ("scope", &scope)] {
            let (content_type, body) = fetch_exact(aaddr, path)?;
            let file = out.join(format!("same-{name}.body"));
            std::fs::write(&file, &body).map_err(|e| e.to_string())?;
            std::fs::write(out.join(format!("same-{name}.body.type")), &content_type).map_err(|e| e.to_string())?;
            body_bytes[name] = json!(body.len());
            same.push(format!("{name}={}", file.display()));
        }
        let tport = free_port()?;
        let taddr = SocketAddr::from(([127, 0, 0, 1], tport));
        let t = trivial.insert(spawn_trivial_with(tport, &same)?);
        wait_health(taddr, t, Duration::from_secs(10))?;
        let tpid = t.id();
        let trivial_idle = rss_kib(tpid);
        // The baseline answers exactly what arcemu does.
        for name in ["cluster", "scope"] {
            let path = if name == "cluster" { &cluster } else { &scope };
            if fetch_exact(taddr, &format!("/same/{name}"))? != fetch_exact(aaddr, path)? {
                return Err(format!("the trivial server's {name} body differs from arcemu's"));
            }
        }
        let small_url = format!("http://{taddr}/thing");
        let same_cluster_url = format!("http://{taddr}/same/cluster");
        let same_scope_url = format!("http://{taddr}/same/scope");
        let cluster_url = format!("http://{aaddr}{cluster}");
        let scope_url = format!("http://{aaddr}{scope}");
        let put_path = format!("/subscriptions/{SUB}/resourcegroups/bench-put?api-version={RG_API}");
        let put_body = r#"{"location":"eastus","tags":{"bench":"put"}}"#;
        let lua = put_script(out, &put_path, put_body)?;
        let put_url = format!("http://{aaddr}{put_path}");
        // Warm-up (not recorded): let both servers allocate their connection state.
        wrk_once("warm-up", &same_cluster_url, out, "warmup-baseline", "2s", tpid, None)?;
        wrk_once("warm-up", &cluster_url, out, "warmup-cluster", "2s", apid, None)?;
        eprintln!(
            "throughput: {rounds} rounds of (same-bytes baseline, GET cluster, same-bytes baseline, GET scope, diagnostic, PUT), wrk {}",
            env_or("BENCH_WRK_DURATION", "10s".to_string())
        );
        let mut runs = Vec::new();
        let mut ratios_cluster = Vec::new();
        let mut ratios_scope = Vec::new();
        let diag = env_or("BENCH_DIAG", 1) != 0;
        let dur: String = env_or("BENCH_WRK_DURATION", "10s".to_string());
        let mut table_rows = Vec::new();
        for r in 1..=rounds {
            let b1 = wrk(BASE_CLUSTER, &same_cluster_url, out, &format!("r{r}-1-baseline-cluster"), &dur, tpid, None)?;
            let c = wrk(GET_CLUSTER, &cluster_url, out, &format!("r{r}-2-cluster"), &dur, apid, None)?;
            let b2 = wrk(BASE_SCOPE, &same_scope_url, out, &format!("r{r}-3-baseline-scope"), &dur, tpid, None)?;
            let s = wrk(GET_SCOPE, &scope_url, out, &format!("r{r}-4-scope"), &dur, apid, None)?;
            let small = if diag {
                Some(wrk(BASE_SMALL, &small_url, out, &format!("r{r}-5-diagnostic-small"), &dur, tpid, None)?)
            } else {
                None
            };
            let p = wrk(PUT_GROUP, &put_url, out, &format!("r{r}-6-put"), &dur, apid, Some(&lua))?;
            for run in [&b1, &c, &b2, &s, &p].into_iter().chain(small.as_ref()) {
                if run.non_2xx > 0 || run.requests == 0 {
                    return Err(format!(
                        "{} had {} non-2xx answers of {} (see {})",
                        run.label,
                        run.non_2xx,
                        run.requests,
                        out.display()
                    ));
                }
            }
            let other =
                [&b1, &c, &b2, &s, &p].into_iter().chain(small.as_ref()).map(|r| r.other_cpu_cores).fold(0.0, f64::max);
            let rc = c.rps / b1.rps;
            let rs = s.rps / b2.rps;
            eprintln!(
                "  round {r}: same bytes {:.0}, GET cluster {:.0} ({rc:.2}x); same bytes {:.0}, GET scope {:.0} ({rs:.2}x); PUT {:.0}; other load ≤ {other:.2} cores",
                b1.rps, c.rps, b2.rps, s.rps, p.rps
            );
            ratios_cluster.push(rc);
            ratios_scope.push(rs);
            let mut row = json!({
                "round": r,
                "baseline_cluster_rps": b1.rps.round(), "cluster_rps": c.rps.round(), "cluster_ratio": round3(rc),
                "baseline_scope_rps": b2.rps.round(), "scope_rps": s.rps.round(), "scope_ratio": round3(rs),
                "put_rps": p.rps.round(),
                "max_other_cpu_cores": round3(other),
            });
            runs.extend([b1.to_json(), c.to_json(), b2.to_json(), s.to_json()]);
            if let Some(d) = small {
                row["diagnostic_small_rps"] = json!(d.rps.round());
                runs.push(d.to_json());
            }
            runs.push(p.to_json());
            table_rows.push(row);
        }
        let arcemu_after = rss_kib(apid);
        let trivial_after = rss_kib(tpid);
        let of = |t: &str, key: &str| -> Vec<f64> {
            runs.iter().filter(|r| r["target"] == t).filter_map(|r| r[key].as_f64()).collect()
        };
        let target = |label: &str, baseline: &str, ratios: &[f64], body: &Value| {
            let m = median(ratios);
            json!({
                "baseline": baseline,
                "ratios": ratios.iter().map(|x| round3(*x)).collect::<Vec<_>>(),
                "median_ratio": round3(m),
                "met": m >= goal,
                "median_rps": median(&of(label, "requests_per_sec")).round(),
                "baseline_median_rps": median(&of(baseline, "requests_per_sec")).round(),
                "server_cpu_us_per_request": round3(median(&of(label, "server_cpu_us_per_request"))),
                "baseline_server_cpu_us_per_request": round3(median(&of(baseline, "server_cpu_us_per_request"))),
                "bytes_per_response": median(&of(label, "bytes_per_response")).round(),
                "baseline_bytes_per_response": median(&of(baseline, "bytes_per_response")).round(),
                "body_bytes": body,
            })
        };
        let kib = |(rss, hwm): (u64, u64)| json!({ "vm_rss_kib": rss, "vm_hwm_kib": hwm });
        Ok(json!({
            "wrk": {
                "threads": env_or("BENCH_WRK_THREADS", 2),
                "connections": env_or("BENCH_WRK_CONNECTIONS", 32),
                "duration": env_or("BENCH_WRK_DURATION", "10s".to_string()),
            },
            "baseline": "a trivial axum 0.8 handler answering the exact body and content type arcemu answers for the same GET, pre-built in memory (Bytes::clone per request), fetched from arcemu at the start of the run",
            "disturbed_runs": runs.iter().filter(|r| r["other_cpu_cores"].as_f64().unwrap_or(0.0) > 0.1).count(),
            "rounds": table_rows,
            "runs": runs,
            "targets": {
                "cluster": target(GET_CLUSTER, BASE_CLUSTER, &ratios_cluster, &body_bytes["cluster"]),
                "scope": target(GET_SCOPE, BASE_SCOPE, &ratios_scope, &body_bytes["scope"]),
            },
            "median_ratio": { "cluster": round3(median(&ratios_cluster)), "scope": round3(median(&ratios_scope)) },
            "put": {
                "what": "PUT of one resource group (the same tag, keep-alive, wrk Lua script) against the same arcemu process, in memory",
                "path": put_path,
                "body": put_body,
                "median_rps": median(&of(PUT_GROUP, "requests_per_sec")).round(),
                "server_cpu_us_per_request": round3(median(&of(PUT_GROUP, "server_cpu_us_per_request"))),
                "bytes_per_response": median(&of(PUT_GROUP, "bytes_per_response")).round(),
            },
            "diagnostic": {
                "what": "trivial axum handler answering a small JSON object through axum::Json (the earlier baseline; not a goal)",
                "median_rps_small": median(&of(BASE_SMALL, "requests_per_sec")).round(),
                "server_cpu_us_per_request": round3(median(&of(BASE_SMALL, "server_cpu_us_per_request"))),
            },
            "rss": {
                "arcemu_idle": kib(arcemu_idle),
                "arcemu_seeded": kib(arcemu_seeded),
                "arcemu_after_load": kib(arcemu_after),
                "trivial_idle": kib(trivial_idle),
                "trivial_after_load": kib(trivial_after),
            },
            "paths": { "cluster": cluster, "scope": scope },
        }))
    })();
    stop(arcemu);
    if let Some(t) = trivial {
        stop(t);
    }
    result
}

/// The goal of issue 16: arcemu's GET at least this fraction of the same-bytes trivial handler.
const GET_RATIO_GOAL: f64 = 0.9;
const BASE_CLUSTER: &str = "trivial-same-bytes-cluster";
const BASE_SCOPE: &str = "trivial-same-bytes-scope";
const BASE_SMALL: &str = "trivial-small-json";
const GET_CLUSTER: &str = "arcemu-get-cluster";
const GET_SCOPE: &str = "arcemu-get-scope";
const PUT_GROUP: &str = "arcemu-put-group";

/// Records a start phase's length and, when it lasted long enough for the kernel's 10 ms
/// accounting ticks to mean something (≥ 1 s), the CPU other processes used meanwhile.
fn other_load_of_phase(v: &mut Value, load: &OtherLoad) {
    let secs = load.wall0.elapsed().as_secs_f64();
    v["phase_seconds"] = json!(round3(secs));
    v["other_cpu_cores"] = if secs >= 1.0 { json!(round3(load.cores(0.0))) } else { Value::Null };
}

fn run(mode: &str) -> Result<(), String> {
    let out = out_dir();
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let n: usize = env_or("BENCH_COLD_N", 20);
    let mut summary = json!({
        "date_utc": utc_now(),
        "machine": machine(),
        "arcemu_bin": arcemu_bin().display().to_string(),
        "goals": { "cold_start_median_ms_below": 50.0, "get_ratio_at_least": GET_RATIO_GOAL, "get_baseline": "same bytes" },
    });
    if matches!(mode, "all" | "cold-start") {
        eprintln!("cold start: {n} spawns of arcemu serve, then of the trivial server");
        let load = OtherLoad::start();
        summary["cold_start_arcemu"] = stats(cold_start(n, spawn_arcemu)?);
        other_load_of_phase(&mut summary["cold_start_arcemu"], &load);
        let load = OtherLoad::start();
        summary["cold_start_trivial"] = stats(cold_start(n, spawn_trivial)?);
        other_load_of_phase(&mut summary["cold_start_trivial"], &load);
    }
    if matches!(mode, "all" | "in-process") {
        eprintln!("in-process: {n} x Emulator::start");
        let load = OtherLoad::start();
        summary["in_process_start"] = stats(in_process(n)?);
        other_load_of_phase(&mut summary["in_process_start"], &load);
    }
    if matches!(mode, "all" | "throughput") {
        summary["throughput"] = throughput(&out)?;
    }
    if matches!(mode, "all" | "writes") {
        summary["writes"] = writes()?;
    }
    let mut verdict = json!({});
    if let Some(m) = summary["cold_start_arcemu"]["median_ms"].as_f64() {
        verdict["cold_start_met"] = json!(m < 50.0);
    }
    if let Some(r) = summary["throughput"]["median_ratio"]["cluster"].as_f64() {
        verdict["get_cluster_ratio_met"] = json!(r >= GET_RATIO_GOAL);
    }
    if let Some(r) = summary["throughput"]["median_ratio"]["scope"].as_f64() {
        verdict["get_scope_ratio_met"] = json!(r >= GET_RATIO_GOAL);
    }
    summary["verdict"] = verdict;
    let md = markdown(&summary);
    let pretty = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.json"), pretty + "\n").map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.md"), &md).map_err(|e| e.to_string())?;
    println!("{md}");
    println!("(written: {}/summary.json, summary.md, wrk-*.txt)", out.display());
    Ok(())
}

fn markdown(s: &Value) -> String {
    let mut md = String::new();
    let met = |v: &Value| match v.as_bool() {
        Some(true) => "met",
        Some(false) => "NOT met",
        None => "n/a",
    };
    md.push_str(&format!(
        "arcemu benchmark, {} ({})\n\n",
        s["date_utc"].as_str().unwrap_or("?"),
        s["machine"]["summary"].as_str().unwrap_or("?")
    ));
    if s.get("cold_start_arcemu").is_some() || s.get("in_process_start").is_some() {
        md.push_str("| start (to first 200 of GET /_emulator/health) | n | min ms | median ms | p90 ms | max ms |\n|---|---|---|---|---|---|\n");
        for (label, key) in [
            ("`arcemu serve` process, cold start", "cold_start_arcemu"),
            ("trivial axum process (baseline)", "cold_start_trivial"),
            ("in-process `Emulator::start`", "in_process_start"),
        ] {
            let v = &s[key];
            if v.is_null() {
                continue;
            }
            md.push_str(&format!(
                "| {label} | {} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
                v["n"],
                v["min_ms"].as_f64().unwrap_or(f64::NAN),
                v["median_ms"].as_f64().unwrap_or(f64::NAN),
                v["p90_ms"].as_f64().unwrap_or(f64::NAN),
                v["max_ms"].as_f64().unwrap_or(f64::NAN)
            ));
        }
        md.push('\n');
    }
    let t = &s["throughput"];
    if !t.is_null() {
        md.push_str(&format!(
            "GET throughput against a trivial axum handler answering the same bytes from memory, and PUT beside it; \
             `wrk -t{} -c{} -d{}` (wrk and server share the 2 cores), interleaved:\n\n",
            t["wrk"]["threads"],
            t["wrk"]["connections"],
            t["wrk"]["duration"].as_str().unwrap_or("?")
        ));
        let n0 = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.0}"));
        let n1 = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.1}"));
        let n2 = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.2}"));
        md.push_str(
            "| round | same bytes (cluster) req/s | arcemu GET cluster req/s | ratio | same bytes (scope) req/s | arcemu GET scope req/s | ratio | arcemu PUT group req/s | diag: trivial small JSON req/s | other load (cores, max) |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
        );
        for r in t["rounds"].as_array().into_iter().flatten() {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r["round"],
                n0(&r["baseline_cluster_rps"]),
                n0(&r["cluster_rps"]),
                n2(&r["cluster_ratio"]),
                n0(&r["baseline_scope_rps"]),
                n0(&r["scope_rps"]),
                n2(&r["scope_ratio"]),
                n0(&r["put_rps"]),
                n0(&r["diagnostic_small_rps"]),
                n2(&r["max_other_cpu_cores"])
            ));
        }
        let (c, sc, p) = (&t["targets"]["cluster"], &t["targets"]["scope"], &t["put"]);
        md.push_str(&format!(
            "| **median** | {} | {} | **{}** | {} | {} | **{}** | {} | {} | |\n\n",
            n0(&c["baseline_median_rps"]),
            n0(&c["median_rps"]),
            n2(&c["median_ratio"]),
            n0(&sc["baseline_median_rps"]),
            n0(&sc["median_rps"]),
            n2(&sc["median_ratio"]),
            n0(&p["median_rps"]),
            n0(&t["diagnostic"]["median_rps_small"])
        ));
        if t["disturbed_runs"].as_u64().unwrap_or(0) > 0 {
            md.push_str(&format!(
                "**Warning**: {} wrk run(s) shared the machine with other load (> 0.1 core); rerun on a quiet machine.\n\n",
                t["disturbed_runs"]
            ));
        }
        md.push_str(
            "| target | body bytes | bytes per response (headers + body) | server CPU µs per request (median) | its baseline: bytes per response | its baseline: server CPU µs |\n|---|---|---|---|---|---|\n",
        );
        for (label, v) in [("arcemu GET cluster", c), ("arcemu GET scope", sc)] {
            md.push_str(&format!(
                "| {label} | {} | {} | {} | {} | {} |\n",
                n0(&v["body_bytes"]),
                n0(&v["bytes_per_response"]),
                n1(&v["server_cpu_us_per_request"]),
                n0(&v["baseline_bytes_per_response"]),
                n1(&v["baseline_server_cpu_us_per_request"])
            ));
        }
        md.push_str(&format!(
            "| arcemu PUT resource group | – | {} | {} | – | – |\n| diag: trivial small JSON | – | – | {} | – | – |\n\n",
            n0(&p["bytes_per_response"]),
            n1(&p["server_cpu_us_per_request"]),
            n1(&t["diagnostic"]["server_cpu_us_per_request"])
        ));
        let rss = &t["rss"];
        let mib = |v: &Value| v.as_f64().map_or("?".to_string(), |k| format!("{:.1}", k / 1024.0));
        md.push_str("| RSS (MiB) | VmRSS | VmHWM (peak) |\n|---|---|---|\n");
        for (label, key) in [
            ("arcemu idle (after start)", "arcemu_idle"),
            ("arcemu after seeding", "arcemu_seeded"),
            ("arcemu after the GET load", "arcemu_after_load"),
            ("trivial axum idle", "trivial_idle"),
            ("trivial axum after load", "trivial_after_load"),
        ] {
            md.push_str(&format!(
                "| {label} | {} | {} |\n",
                mib(&rss[key]["vm_rss_kib"]),
                mib(&rss[key]["vm_hwm_kib"])
            ));
        }
        md.push('\n');
    }
    if let Some(w) = s.get("writes").filter(|w| !w.is_null()) {
        md.push_str(&format!(
            "| {} clients, {} s each, keep-alive | requests/s | p50 ms | p99 ms |\n|---|---|---|---|\n",
            w["clients"], w["seconds"]
        ));
        for (label, key) in [
            ("PUT resource group, in memory", "put_memory"),
            ("PUT resource group, `--data-dir` (fsync per write)", "put_data_dir"),
            ("GET resource group, request log on (default `info`, stderr to /dev/null)", "get_log_on"),
            ("GET resource group, request log off (`ARCEMU_LOG=warn`)", "get_log_off"),
        ] {
            let r = &w[key];
            md.push_str(&format!(
                "| {label} | {:.0} | {:.3} | {:.3} |\n",
                r["per_second"].as_f64().unwrap_or(0.0),
                r["p50_ms"].as_f64().unwrap_or(0.0),
                r["p99_ms"].as_f64().unwrap_or(0.0)
            ));
        }
        md.push('\n');
    }
    let v = &s["verdict"];
    md.push_str(&format!(
        "Goals: cold start median < 50 ms: {}; GET ≥ {GET_RATIO_GOAL}× the same-bytes trivial handler: cluster {}, scope {}.\n",
        met(&v["cold_start_met"]),
        met(&v["get_cluster_ratio_met"]),
        met(&v["get_scope_ratio_met"])
    ));
    md
}

/// `clients` threads, each on its own keep-alive connection, send `request(thread, i)` for
/// `seconds`; every answer must be 2xx. Returns requests per second and latency percentiles.
fn load(
    addr: SocketAddr,
    clients: usize,
    seconds: f64,
    request: fn(usize, u64) -> (&'static str, String, Option<String>),
) -> Result<Value, String> {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            std::thread::spawn(move || -> Result<Vec<f64>, String> {
                let mut c = KeepAlive::connect(addr).map_err(|e| e.to_string())?;
                let mut ms = Vec::new();
                let mut i = 0u64;
                while Instant::now() < until {
                    let (method, path, body) = request(t, i);
                    let t0 = Instant::now();
                    let status =
                        c.send(method, &path, body.as_deref().map(str::as_bytes)).map_err(|e| e.to_string())?.status;
                    ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                    if !(200..300).contains(&status) {
                        return Err(format!("{method} {path}: {status}"));
                    }
                    i += 1;
                }
                Ok(ms)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in threads {
        all.extend(t.join().map_err(|_| "a load thread panicked".to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Ok(json!({
        "requests": all.len(),
        "per_second": round3(all.len() as f64 / elapsed),
        "p50_ms": round3(pct(&all, 50.0)),
        "p99_ms": round3(pct(&all, 99.0)),
    }))
}

fn put_group(t: usize, i: u64) -> (&'static str, String, Option<String>) {
    let path = format!("/subscriptions/{SUB}/resourcegroups/w{t}-{}?api-version={RG_API}", i % 50);
    ("PUT", path, Some(format!("{{\"location\":\"eastus\",\"tags\":{{\"n\":\"{i}\"}}}}")))
}

fn get_group(_: usize, _: u64) -> (&'static str, String, Option<String>) {
    ("GET", format!("/subscriptions/{SUB}/resourcegroups/w0-0?api-version={RG_API}"), None)
}

/// Writes: PUT throughput in memory and with `--data-dir`; and what the request log costs a
/// GET (default `info` against `ARCEMU_LOG=warn`). Each pair runs side by side in this run.
fn writes() -> Result<Value, String> {
    let clients: usize = env_or("BENCH_WRITE_CLIENTS", 4);
    let seconds: f64 = env_or("BENCH_WRITE_SECONDS", 5.0);
    let dir = std::env::temp_dir().join(format!("arcemu-bench-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |extra: &[&str], log: Option<&str>, request: fn(usize, u64) -> (&'static str, String, Option<String>)| {
        let port = free_port()?;
        let mut cmd = Command::new(arcemu_bin());
        cmd.args(["serve", "--arm-listen", &format!("127.0.0.1:{port}"), "--dns-listen", "127.0.0.1:0"])
            .args(extra)
            .env_remove("ARCEMU_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(l) = log {
            cmd.env("ARCEMU_LOG", l);
        }
        let mut child = cmd.spawn().map_err(|e| e.to_string())?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let result = wait_health(addr, &mut child, Duration::from_secs(10)).and_then(|_| {
            // Something to GET.
            let (method, path, body) = put_group(0, 0);
            http(addr, method, &path, body.as_deref()).map_err(|e| e.to_string())?;
            load(addr, clients, seconds, request)
        });
        stop(child);
        result
    };
    eprintln!(
        "writes: PUT in memory, PUT with --data-dir, GET with and without the request log ({clients} clients, {seconds} s each)"
    );
    let dir_arg = dir.display().to_string();
    let put_memory = run(&[], None, put_group)?;
    let put_data_dir = run(&["--data-dir", &dir_arg], None, put_group)?;
    let get_log_on = run(&[], None, get_group)?;
    let get_log_off = run(&[], Some("warn"), get_group)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(json!({
        "clients": clients,
        "seconds": seconds,
        "put_memory": put_memory,
        "put_data_dir": put_data_dir,
        "get_log_on": get_log_on,
        "get_log_off": get_log_off,
    }))
}
