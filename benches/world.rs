//! World-scale and end-to-end benchmarks (issue 16). Not a test: it reports figures and never
//! fails because of one (it fails only when the emulator answers wrongly).
//!
//! * **scale** (mode `scale`): a world file of N connected clusters over N/100 Private Link
//!   Scopes (each in its own resource group, every cluster associated with its scope, private
//!   link enabled, its own agent certificate) on top of the seed's world (hub, private endpoint,
//!   zones, resolver, VPN, site `hq`). For N in `BENCH_SCALE_SIZES` (1000,10000,100000):
//!   `arcemu serve --world FILE` from spawn to `arcemu ready` (the load), RSS after it (and the
//!   peak), then on one keep-alive connection the latency of `BENCH_SCALE_GETS` GETs and
//!   `BENCH_SCALE_PUTS` PUTs of clusters picked at random (seeded), and of `BENCH_SCALE_LOOKUPS`
//!   DNS lookups of the seed's three names from the site `hq`, and RSS after all that. With
//!   `BENCH_BASELINE_BIN` the same runs with that binary too, side by side (before/after).
//! * **seed-setup** (mode `seed-setup`): the seed's whole setup over the wire, end to end, on a
//!   running emulator: the `arcemu demo happy-path` requests (ARM and admin API) on one
//!   keep-alive connection, every long-running operation polled to its end as an SDK does,
//!   then the seed's three troubleshooting lookups over UDP from the site (private answers
//!   checked). `BENCH_SEED_RUNS` (20) runs, each after `POST /_emulator/reset {"to":"empty"}`
//!   (not timed); and `BENCH_SEED_COLD_RUNS` (5) more that include starting the process.
//!
//! Results: `$BENCH_OUT/world.json` and `world.md` (default `bench-results/`). Modes:
//! `all` (default under `cargo bench`), `scale`, `seed-setup`.

#[path = "support/mod.rs"]
mod support;

use arcemu_scenarios::demo::{Want, catalogue};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use support::*;

const SUB: &str = "00000000-0000-0000-0000-000000000000";
const CLUSTER_API: &str = "2024-01-01";
/// The seed's troubleshooting lookups (the seed lists the `azure.cn` spelling; the seed world is
/// in the public cloud, so the same three names under `azure.com`).
const LOOKUPS: [&str; 3] =
    ["gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let mode = positional.first().copied().unwrap_or("all");
    let result = match mode {
        "all" | "scale" | "seed-setup" => run(mode),
        other => Err(format!("unknown mode '{other}' (modes: all, scale, seed-setup)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("world bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(mode: &str) -> Result<(), String> {
    let out = out_dir();
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut summary = json!({ "date": utc_now(), "machine": machine() });
    if matches!(mode, "all" | "scale") {
        summary["scale"] = scale()?;
    }
    if matches!(mode, "all" | "seed-setup") {
        summary["seed_setup"] = seed_setup()?;
    }
    let md = markdown(&summary);
    println!("{md}");
    std::fs::write(out.join("world.json"), serde_json::to_string_pretty(&summary).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    std::fs::write(out.join("world.md"), md).map_err(|e| e.to_string())?;
    eprintln!("world bench: results in {}/world.json and world.md", out.display());
    Ok(())
}

// ============================== a running emulator ==============================

/// An `arcemu serve` process on free loopback ports, ready.
struct Server {
    child: Child,
    arm: SocketAddr,
    /// Spawn to the `arcemu ready` line.
    ready_after: Duration,
}

impl Server {
    fn start(bin: &Path, world: Option<&Path>) -> Result<Server, String> {
        let arm: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse().map_err(|e| format!("{e}"))?;
        let dns = format!("127.0.0.1:{}", free_port()?);
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--arm-listen", &arm.to_string(), "--dns-listen", &dns]);
        if let Some(w) = world {
            cmd.arg("--world").arg(w);
        }
        let started = Instant::now();
        let mut child = cmd
            .env_remove("ARCEMU_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {} ({e})", bin.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("arcemu ready") => break,
                Some(Ok(_)) => {}
                _ => {
                    let _ = child.kill();
                    let status = child.wait().map_err(|e| e.to_string())?;
                    return Err(format!("{} exited before it was ready ({status})", bin.display()));
                }
            }
        }
        let ready_after = started.elapsed();
        // Keep draining stdout so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, arm, ready_after })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The DNS listener of a vantage point (`site:hq`), once the DNS face has bound it.
    fn dns_listener(&self, vantage: &str) -> Result<SocketAddr, String> {
        let mut c = KeepAlive::connect(self.arm).map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let a = c.send("GET", "/_emulator/dns/listeners", None).map_err(|e| e.to_string())?;
            let found = a.json()["listeners"].as_object().and_then(|l| {
                l.iter()
                    .find(|(v, _)| v.eq_ignore_ascii_case(vantage))
                    .and_then(|(_, addr)| addr.as_str().and_then(|s| s.parse().ok()))
            });
            if let Some(addr) = found {
                return Ok(addr);
            }
            if Instant::now() > deadline {
                return Err(format!("no DNS listener for {vantage}: {}", String::from_utf8_lossy(&a.body)));
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ============================== scale ==============================

/// A small deterministic generator (no randomness crate, same picks every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn cluster_id(scope: usize, i: usize) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/fleet-{scope:04}/providers/Microsoft.Kubernetes/connectedClusters/edge-{scope:04}-{i:03}"
    )
}

fn scope_id(scope: usize) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/fleet-{scope:04}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-{scope:04}"
    )
}

/// A base64 text of an RSA-2048 public key's length, different for every cluster.
fn certificate(seed: u64) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut g = Lcg(seed.wrapping_mul(2654435761).wrapping_add(7));
    let mut s = String::from("MIIBCgKCAQEA");
    while s.len() < 360 {
        s.push(B64[g.below(64)] as char);
    }
    s.push_str("IDAQAB");
    s
}

fn cluster_body(scope: usize, i: usize, tag: &str) -> Value {
    json!({
        "location": "eastus",
        "identity": { "type": "SystemAssigned" },
        "tags": { "fleet": format!("f{scope}"), "env": tag },
        "properties": {
            "agentPublicKeyCertificate": certificate((scope * 1000 + i) as u64),
            "distribution": "k3s",
            "infrastructure": "generic",
            "privateLinkState": "Enabled",
            "privateLinkScopeResourceId": scope_id(scope),
        }
    })
}

/// The seed's world plus `clusters` connected clusters over `clusters / 100` scopes, as JSON.
fn write_world(path: &Path, clusters: usize) -> Result<(usize, usize), String> {
    let seed_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-world.yaml");
    let text = std::fs::read_to_string(&seed_file).map_err(|e| format!("{}: {e}", seed_file.display()))?;
    let seed = arcemu::world_file::parse(&text)?;
    let mut world = serde_json::to_value(&seed).map_err(|e| e.to_string())?;
    let scopes = clusters.div_ceil(100);
    let resources = world["resources"].as_array_mut().ok_or("the seed world has no resources")?;
    for s in 0..scopes {
        resources.push(json!({ "id": format!("/subscriptions/{SUB}/resourceGroups/fleet-{s:04}"), "body": { "location": "eastus" } }));
        resources.push(json!({ "id": scope_id(s), "body": { "location": "eastus", "properties": { "publicNetworkAccess": "Disabled" } } }));
        for i in 0..(clusters - s * 100).min(100) {
            resources.push(json!({ "id": cluster_id(s, i), "body": cluster_body(s, i, "prod") }));
        }
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut w, &world).map_err(|e| e.to_string())?;
    w.flush().map_err(|e| e.to_string())?;
    Ok((scopes, clusters))
}

fn mib(kib: u64) -> f64 {
    (kib as f64 / 1024.0 * 10.0).round() / 10.0
}

/// One emulator with one world size: load, memory, and GET/PUT/DNS latency.
fn scale_run(bin: &Path, world: &Path, clusters: usize) -> Result<Value, String> {
    let server = Server::start(bin, Some(world))?;
    let load_ms = server.ready_after.as_secs_f64() * 1000.0;
    let (rss_loaded, hwm_loaded) = rss_kib(server.pid());
    let scopes = clusters.div_ceil(100);
    let pick = |g: &mut Lcg| {
        let s = g.below(scopes);
        let i = g.below((clusters - s * 100).min(100));
        (s, i)
    };

    let mut c = KeepAlive::connect(server.arm).map_err(|e| e.to_string())?;
    let mut g = Lcg(42);
    let gets: usize = env_or("BENCH_SCALE_GETS", 5000);
    let mut get_ms = Vec::with_capacity(gets);
    let t = Instant::now();
    for _ in 0..gets {
        let (s, i) = pick(&mut g);
        let path = format!("{}?api-version={CLUSTER_API}", cluster_id(s, i));
        let t0 = Instant::now();
        let a = c.send("GET", &path, None).map_err(|e| e.to_string())?;
        get_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        if a.status != 200 {
            return Err(format!("GET {path}: {} {}", a.status, String::from_utf8_lossy(&a.body)));
        }
    }
    let get_per_second = gets as f64 / t.elapsed().as_secs_f64();

    let puts: usize = env_or("BENCH_SCALE_PUTS", 1000);
    let mut put_ms = Vec::with_capacity(puts);
    for n in 0..puts {
        let (s, i) = pick(&mut g);
        let path = format!("{}?api-version={CLUSTER_API}", cluster_id(s, i));
        let body = serde_json::to_vec(&cluster_body(s, i, &format!("v{n}"))).map_err(|e| e.to_string())?;
        let t0 = Instant::now();
        let a = c.send("PUT", &path, Some(&body)).map_err(|e| e.to_string())?;
        put_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        if !(200..300).contains(&a.status) {
            return Err(format!("PUT {path}: {} {}", a.status, String::from_utf8_lossy(&a.body)));
        }
    }

    let site = server.dns_listener("site:hq")?;
    let mut dns = Dns::connect(site).map_err(|e| e.to_string())?;
    let lookups: usize = env_or("BENCH_SCALE_LOOKUPS", 5000);
    let mut dns_ms = Vec::with_capacity(lookups);
    for n in 0..lookups {
        let name = LOOKUPS[n % LOOKUPS.len()];
        let t0 = Instant::now();
        let a = dns.query(name, 1).map_err(|e| format!("{name} from site:hq: {e}"))?;
        dns_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        if a.rcode != 0 || !a.addresses.iter().all(|ip| ip.is_private()) || a.addresses.is_empty() {
            return Err(format!(
                "{name} from site:hq: rcode {} addresses {:?} (want private ones)",
                a.rcode, a.addresses
            ));
        }
    }
    let (rss_after, hwm_after) = rss_kib(server.pid());
    let cpu = cpu_seconds(server.pid());
    Ok(json!({
        "clusters": clusters,
        "scopes": scopes,
        "load_ms": round3(load_ms),
        "rss_loaded_mib": mib(rss_loaded),
        "peak_loading_mib": mib(hwm_loaded),
        "rss_after_mib": mib(rss_after),
        "peak_mib": mib(hwm_after),
        "get": latency(get_ms),
        "get_per_second_one_connection": get_per_second.round(),
        "put": latency(put_ms),
        "dns": latency(dns_ms),
        "server_cpu_s": round3(cpu),
    }))
}

fn scale() -> Result<Value, String> {
    let sizes: Vec<usize> = std::env::var("BENCH_SCALE_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let work = std::env::temp_dir().join(format!("arcemu-bench-world-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut bins: Vec<(&str, PathBuf)> = vec![("arcemu", arcemu_bin())];
    if let Some(b) = std::env::var_os("BENCH_BASELINE_BIN") {
        bins.push(("baseline", PathBuf::from(b)));
    }
    let mut runs = Vec::new();
    // The same process with the seed's world alone: what a cluster adds is measured above it.
    let mut base_kib = std::collections::BTreeMap::new();
    let result = (|| {
        let seed_only = work.join("world-0.json");
        write_world(&seed_only, 0)?;
        for (label, bin) in &bins {
            let server = Server::start(bin, Some(&seed_only))?;
            base_kib.insert(*label, rss_kib(server.pid()).0);
        }
        for &n in &sizes {
            let file = work.join(format!("world-{n}.json"));
            write_world(&file, n)?;
            let file_bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            for (label, bin) in &bins {
                eprintln!("world bench: scale {n} clusters, {label} ({})", bin.display());
                let mut r = scale_run(bin, &file, n)?;
                let base = base_kib.get(label).copied().unwrap_or(0);
                r["binary"] = json!(label);
                r["rss_seed_world_only_mib"] = json!(mib(base));
                let loaded_kib = (r["rss_loaded_mib"].as_f64().unwrap_or(0.0) * 1024.0) as u64;
                r["bytes_per_cluster"] = json!(loaded_kib.saturating_sub(base) * 1024 / n.max(1) as u64);
                r["world_file_bytes"] = json!(file_bytes);
                eprintln!(
                    "  loaded in {:.0} ms, {} MiB; GET p50 {} ms, PUT p50 {} ms, DNS p50 {} ms",
                    r["load_ms"].as_f64().unwrap_or(0.0),
                    r["rss_loaded_mib"],
                    r["get"]["p50_ms"],
                    r["put"]["p50_ms"],
                    r["dns"]["p50_ms"]
                );
                runs.push(r);
            }
            let _ = std::fs::remove_file(&file);
        }
        Ok::<(), String>(())
    })();
    let _ = std::fs::remove_dir_all(&work);
    result?;
    let biggest = runs.iter().filter(|r| r["binary"] == "arcemu").max_by_key(|r| r["clusters"].as_u64());
    let goal = biggest.map(|r| {
        let rss = r["rss_loaded_mib"].as_f64().unwrap_or(f64::MAX);
        let load = r["load_ms"].as_f64().unwrap_or(f64::MAX);
        json!({
            "clusters": r["clusters"],
            "rss_goal_mib": 300, "rss_mib": rss, "rss_met": rss < 300.0,
            "load_goal_ms": 2000, "load_ms": load, "load_met": load < 2000.0,
        })
    });
    Ok(json!({ "runs": runs, "goal": goal }))
}

// ============================== seed setup ==============================

fn substitute(path: &str, vars: &[(&str, String)]) -> String {
    let mut p = path.to_string();
    for (k, v) in vars {
        p = p.replace(&format!("{{{k}}}"), v);
    }
    p
}

/// Counts of what one setup sent.
#[derive(Default)]
struct Sent {
    arm: usize,
    admin: usize,
    polls: usize,
    lookups: usize,
}

/// The happy path's requests on one connection, each long-running operation polled until it
/// ends, then the three lookups from the site. Fails on any answer the scenario does not expect.
fn setup_once(server: &Server) -> Result<Sent, String> {
    let scenario = catalogue().into_iter().find(|s| s.name == "happy-path").ok_or("no happy-path scenario")?;
    let mut c = KeepAlive::connect(server.arm).map_err(|e| e.to_string())?;
    let mut sent = Sent::default();
    let mut vars: Vec<(&str, String)> = Vec::new();
    for step in &scenario.steps {
        let path = substitute(&step.path, &vars);
        let body = step.body.as_ref().map(|b| serde_json::to_vec(b).unwrap_or_default());
        let a = c.send(step.method, &path, body.as_deref()).map_err(|e| format!("{} {path}: {e}", step.method))?;
        if path.starts_with("/_emulator/") {
            sent.admin += 1;
        } else {
            sent.arm += 1;
        }
        let expected = match &step.want {
            Want::Ok => (200..300).contains(&a.status),
            Want::Status(s) => a.status == *s,
            Want::Refused { status, .. } => a.status == *status,
        };
        if !expected {
            return Err(format!("{} {path}: {} {}", step.method, a.status, String::from_utf8_lossy(&a.body)));
        }
        if let Some((var, pointer)) = step.capture
            && let Some(v) = a.json().pointer(pointer).and_then(Value::as_str)
        {
            vars.push((var, v.to_string()));
        }
        // As an SDK does: follow the operation until it ends.
        if let Some(url) = a.header("azure-asyncoperation").or(a.header("location")) {
            let poll = url.find("/subscriptions/").map(|i| url[i..].to_string()).ok_or("odd operation URL")?;
            loop {
                let p = c.send("GET", &poll, None).map_err(|e| e.to_string())?;
                sent.polls += 1;
                let status = p.json()["status"].as_str().map(str::to_string);
                if p.status == 200 && status.as_deref().is_none_or(|s| s != "InProgress" && s != "Accepted") {
                    break;
                }
                if p.status != 202 && p.status != 200 {
                    return Err(format!("polling {poll}: {}", p.status));
                }
            }
        }
    }
    let site = server.dns_listener("site:hq")?;
    let mut dns = Dns::connect(site).map_err(|e| e.to_string())?;
    for name in LOOKUPS {
        let a = dns.query(name, 1).map_err(|e| format!("{name}: {e}"))?;
        sent.lookups += 1;
        if a.rcode != 0 || a.addresses.is_empty() || !a.addresses.iter().all(|ip| ip.is_private()) {
            return Err(format!(
                "{name} from site:hq: rcode {} addresses {:?} (want private ones)",
                a.rcode, a.addresses
            ));
        }
    }
    Ok(sent)
}

fn seed_setup() -> Result<Value, String> {
    let bin = arcemu_bin();
    let runs: usize = env_or("BENCH_SEED_RUNS", 20);
    let cold_runs: usize = env_or("BENCH_SEED_COLD_RUNS", 5);
    let server = Server::start(&bin, None)?;
    let mut warm_ms = Vec::new();
    let mut sent = Sent::default();
    for _ in 0..runs + 1 {
        let mut c = KeepAlive::connect(server.arm).map_err(|e| e.to_string())?;
        let r = c.send("POST", "/_emulator/reset", Some(br#"{"to":"empty"}"#)).map_err(|e| e.to_string())?;
        if r.status != 200 {
            return Err(format!("reset: {} {}", r.status, String::from_utf8_lossy(&r.body)));
        }
        drop(c);
        let t0 = Instant::now();
        sent = setup_once(&server)?;
        warm_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    warm_ms.remove(0); // the first one warms the caches of this process
    drop(server);
    let mut cold_ms = Vec::new();
    for _ in 0..cold_runs {
        let t0 = Instant::now();
        let server = Server::start(&bin, None)?;
        setup_once(&server)?;
        cold_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    let warm = latency(warm_ms);
    let p50 = warm["p50_ms"].as_f64().unwrap_or(f64::MAX);
    Ok(json!({
        "requests": { "arm": sent.arm, "admin": sent.admin, "operation_polls": sent.polls, "dns_lookups": sent.lookups },
        "running_emulator": warm,
        "including_process_start": latency(cold_ms),
        "goal": { "goal_ms": 50, "median_ms": p50, "met": p50 < 50.0 },
    }))
}

// ============================== report ==============================

fn f(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x}"),
        None => v.to_string(),
    }
}

fn met(v: &Value) -> &'static str {
    if v.as_bool() == Some(true) { "**yes**" } else { "**no**" }
}

fn markdown(s: &Value) -> String {
    let mut md = format!(
        "### World benchmarks ({}, {})\n\n",
        s["date"].as_str().unwrap_or(""),
        s["machine"]["summary"].as_str().unwrap_or("")
    );
    if let Some(runs) = s["scale"]["runs"].as_array() {
        md.push_str("#### Scale: N connected clusters over N/100 scopes, on the seed's world\n\n");
        md.push_str("| binary | clusters | scopes | load ms | RSS loaded MiB | peak MiB | bytes per cluster (above the seed world alone) | GET p50 / p99 ms | GET/s (1 conn) | PUT p50 / p99 ms | DNS p50 / p99 ms | RSS after MiB |\n");
        md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for r in runs {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} / {} | {} | {} / {} | {} / {} | {} |\n",
                r["binary"].as_str().unwrap_or(""),
                f(&r["clusters"]),
                f(&r["scopes"]),
                f(&r["load_ms"]),
                f(&r["rss_loaded_mib"]),
                f(&r["peak_mib"]),
                f(&r["bytes_per_cluster"]),
                f(&r["get"]["p50_ms"]),
                f(&r["get"]["p99_ms"]),
                f(&r["get_per_second_one_connection"]),
                f(&r["put"]["p50_ms"]),
                f(&r["put"]["p99_ms"]),
                f(&r["dns"]["p50_ms"]),
                f(&r["dns"]["p99_ms"]),
                f(&r["rss_after_mib"]),
            ));
        }
        let g = &s["scale"]["goal"];
        if g.is_object() {
            md.push_str(&format!(
                "\n| goal ({} clusters) | figure | met? |\n|---|---|---|\n| RSS loaded < {} MiB | {} MiB | {} |\n| loaded < {} ms | {} ms | {} |\n",
                f(&g["clusters"]),
                f(&g["rss_goal_mib"]),
                f(&g["rss_mib"]),
                met(&g["rss_met"]),
                f(&g["load_goal_ms"]),
                f(&g["load_ms"]),
                met(&g["load_met"]),
            ));
        }
    }
    let seed = &s["seed_setup"];
    if seed.is_object() {
        let r = &seed["requests"];
        md.push_str(&format!(
            "\n#### The seed's whole setup over the wire ({} ARM requests, {} admin requests, {} operation polls, {} DNS lookups)\n\n",
            f(&r["arm"]), f(&r["admin"]), f(&r["operation_polls"]), f(&r["dns_lookups"])
        ));
        md.push_str("| run | n | min ms | median ms | p90 ms | max ms |\n|---|---|---|---|---|---|\n");
        for (label, key) in
            [("running emulator", "running_emulator"), ("including process start", "including_process_start")]
        {
            let x = &seed[key];
            md.push_str(&format!(
                "| {label} | {} | {} | {} | {} | {} |\n",
                f(&x["n"]),
                f(&x["min_ms"]),
                f(&x["p50_ms"]),
                f(&x["p90_ms"]),
                f(&x["max_ms"])
            ));
        }
        md.push_str(&format!(
            "\n| goal | figure | met? |\n|---|---|---|\n| seed setup < 50 ms | median {} ms | {} |\n",
            f(&seed["goal"]["median_ms"]),
            met(&seed["goal"]["met"])
        ));
    }
    md
}
