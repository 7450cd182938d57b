//! Stress: the real `arcemu serve` binary stays responsive while clients race long-running
//! PUT/DELETEs (connected clusters, VNets, NSGs, private link scopes, a resource group) against
//! plain writes (tags PATCH, scope PUT), GETs and lists, admin writes and DNS queries; then it
//! exits promptly on SIGTERM.
//!
//! EXPECTED ON 51d9bc2 (main before the "one door" redesign): this test FAILS. Within a second
//! or two the process freezes: requests to ARM, the admin API (`/_emulator/health`) and DNS
//! stop being answered, and SIGTERM is ignored. Cause: `add_operation_headers`
//! (crates/fake-arm/src/handlers.rs) holds a read guard of the world while `retry_after` takes a
//! second one; a writer queued between the two blocks the second read (std's RwLock prefers
//! waiting writers) and the writer waits for the first: a deadlock that takes both runtime
//! workers with it. The redesign (one lock acquisition per request, never nested) makes it pass.
//!
//! Bounds: ~8 s of traffic; every request, DNS query and health poll is cut at 5 s; the run stops
//! early at the first failure; the process gets 5 s to exit after SIGTERM, then SIGKILL. Worst
//! case ≈ 20 s. Only 127.0.0.1 is contacted (the emulator's own listeners, on ports it picked).

mod common;
use common::{HC_API, K8S_API, NET_API, RG_API, SUB};
use serde_json::{Value, json};
use std::io::BufRead;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the clients race.
const RACE: Duration = Duration::from_secs(8);
/// The longest any single request may take before it counts as a freeze.
const STALL: Duration = Duration::from_secs(5);
/// How long the process may take to exit after SIGTERM.
const EXIT_GRACE: Duration = Duration::from_secs(5);
const LRO_DELAY_MS: &str = "300";
const RG: &str = "stress";

/// The spawned emulator; killed (SIGKILL) and reaped when dropped, so nothing leaks even when
/// an assertion fails first.
struct Served {
    child: Child,
    arm: String,
    dns: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Starts `arcemu serve` on loopback ports the emulator picks itself (port 0) and reads them
/// from its banner.
fn serve() -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arcemu"))
        .args(["serve", "--arm-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0"])
        .args(["--lro-delay-ms", LRO_DELAY_MS, "--seed", "7"])
        .env_remove("ARCEMU_WORLD")
        .env_remove("ARCEMU_SUBSCRIPTIONS")
        .env_remove("ARCEMU_REGION_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("arcemu serve starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    // Drains stdout until the process ends (the banner is all it prints).
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut arm = None;
    let mut dns = None;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut served = Served { child, arm: String::new(), dns: SocketAddr::from(([127, 0, 0, 1], 0)) };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).unwrap_or_else(|e| panic!("no 'arcemu ready' banner within 15 s: {e}"));
        if let Some(url) = line.trim().strip_prefix("ARM:") {
            arm = Some(url.trim().to_string());
        }
        if let Some(rest) = line.trim().strip_prefix("DNS:")
            && rest.contains("(public)")
        {
            dns = rest.split_whitespace().next().and_then(|a| a.parse().ok());
        }
        if line.trim() == "arcemu ready" {
            break;
        }
    }
    served.arm = arm.expect("banner names the ARM endpoint");
    served.dns = dns.expect("banner names the public DNS listener");
    assert!(served.arm.starts_with("http://127.0.0.1:"), "{}", served.arm);
    assert!(served.dns.ip().is_loopback(), "{}", served.dns);
    served
}

/// What the racing clients saw.
#[derive(Default)]
struct Log {
    failures: Vec<String>,
    slowest: Duration,
    slowest_what: String,
}

struct Race {
    start: Instant,
    stop: AtomicBool,
    log: Mutex<Log>,
    answered: AtomicU64,
}

impl Race {
    fn new() -> Self {
        Race { start: Instant::now(), stop: AtomicBool::new(false), log: Mutex::default(), answered: AtomicU64::new(0) }
    }
    fn running(&self) -> bool {
        !self.stop.load(Ordering::Relaxed) && self.start.elapsed() < RACE
    }
    fn fail(&self, what: String) {
        let at = self.start.elapsed().as_secs_f32();
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.failures.push(format!("at {at:.2} s: {what}"));
        self.stop.store(true, Ordering::Relaxed);
    }
    fn took(&self, what: &str, d: Duration) {
        self.answered.fetch_add(1, Ordering::Relaxed);
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if d > log.slowest {
            log.slowest = d;
            log.slowest_what = what.to_string();
        }
    }
}

/// One HTTP request, cut at [`STALL`]: a timeout, a transport error or a 5xx is a failure.
/// Returns the status when answered.
async fn call(race: &Race, http: &reqwest::Client, base: &str, method: &str, path: &str, body: Option<&Value>) -> u16 {
    let what = format!("{method} {path}");
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut rb = http.request(m, format!("{base}{path}")).bearer_auth("x");
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let started = Instant::now();
    let sent = tokio::time::timeout(STALL, async {
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let text = resp.text().await?;
        Ok::<_, reqwest::Error>((status, text))
    })
    .await;
    match sent {
        Err(_) => {
            let sent_at = started.duration_since(race.start).as_secs_f32();
            race.fail(format!("{what}: sent at {sent_at:.2} s, no answer within {} s (freeze)", STALL.as_secs()));
            0
        }
        Ok(Err(e)) => {
            race.fail(format!("{what}: {e}"));
            0
        }
        Ok(Ok((status, text))) => {
            race.took(&what, started.elapsed());
            if status >= 500 {
                race.fail(format!("{what}: {status} {text}"));
            }
            status
        }
    }
}

fn group() -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{RG}")
}
fn arm_id(rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/{ty}/{name}")
}
fn cluster_body() -> Value {
    json!({"location": "eastus", "identity": {"type": "SystemAssigned"},
        "properties": {"agentPublicKeyCertificate": "MIIC-stress", "privateLinkState": "Disabled"}})
}
fn vnet_body(n: u8) -> Value {
    json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": [format!("10.{n}.0.0/16")]},
        "subnets": [{"name": "s", "properties": {"addressPrefix": format!("10.{n}.1.0/24")}}]}})
}
fn nsg_body() -> Value {
    json!({"location": "eastus", "properties": {"securityRules": [{"name": "https", "properties": {
        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}]}})
}
fn scope_body() -> Value {
    json!({"location": "eastus", "properties": {"publicNetworkAccess": "Disabled"}})
}

/// Each client runs its script in a loop until the race ends (or fails).
type Step = (&'static str, String, Option<Value>);

fn scripts() -> Vec<(&'static str, Vec<Step>)> {
    let cluster =
        |n: &str| format!("{}?api-version={K8S_API}", arm_id(RG, "Microsoft.Kubernetes/connectedClusters", n));
    let vnet = |n: &str| format!("{}?api-version={NET_API}", arm_id(RG, "Microsoft.Network/virtualNetworks", n));
    let nsg = |n: &str| format!("{}?api-version={NET_API}", arm_id(RG, "Microsoft.Network/networkSecurityGroups", n));
    let scope =
        |n: &str| format!("{}?api-version={HC_API}", arm_id(RG, "Microsoft.HybridCompute/privateLinkScopes", n));
    let churn = format!("/subscriptions/{SUB}/resourcegroups/churn?api-version={RG_API}");
    let churn_vnet =
        format!("{}?api-version={NET_API}", arm_id("churn", "Microsoft.Network/virtualNetworks", "inside"));
    vec![
        (
            "long-running cluster PUT/DELETE",
            vec![
                ("PUT", cluster("c1"), Some(cluster_body())),
                ("GET", cluster("c1"), None),
                ("PUT", cluster("c2"), Some(cluster_body())),
                ("DELETE", cluster("c1"), None),
                ("GET", cluster("c1"), None),
                ("DELETE", cluster("c2"), None),
            ],
        ),
        (
            "long-running VNet and NSG PUT/DELETE",
            vec![
                ("PUT", vnet("v1"), Some(vnet_body(1))),
                ("PUT", nsg("n1"), Some(nsg_body())),
                ("GET", vnet("v1"), None),
                ("DELETE", vnet("v1"), None),
                ("DELETE", nsg("n1"), None),
                ("PUT", vnet("v2"), Some(vnet_body(2))),
                ("DELETE", vnet("v2"), None),
            ],
        ),
        (
            "scope PUT and long-running scope DELETE",
            vec![
                ("PUT", scope("churn"), Some(scope_body())),
                ("GET", scope("churn"), None),
                ("DELETE", scope("churn"), None),
                ("PUT", cluster("c3"), Some(cluster_body())),
                ("DELETE", cluster("c3"), None),
            ],
        ),
        (
            "resource group PUT and long-running DELETE",
            vec![
                ("PUT", churn.clone(), Some(json!({"location": "eastus"}))),
                ("PUT", churn_vnet, Some(vnet_body(3))),
                ("DELETE", churn.clone(), None),
                ("GET", churn, None),
            ],
        ),
        (
            "plain writes (tags PATCH, scope PUT)",
            vec![
                ("PATCH", scope("steady"), Some(json!({"tags": {"round": "a"}}))),
                ("PUT", scope("steady"), Some(scope_body())),
                ("PATCH", format!("{}?api-version={RG_API}", group()), Some(json!({"tags": {"owner": "stress"}}))),
                ("PATCH", scope("steady"), Some(json!({"tags": {"round": "b"}}))),
            ],
        ),
        (
            "GETs and lists",
            vec![
                ("GET", scope("steady"), None),
                (
                    "GET",
                    format!("{}/providers/Microsoft.Kubernetes/connectedClusters?api-version={K8S_API}", group()),
                    None,
                ),
                ("GET", format!("{}/resources?api-version={RG_API}", group()), None),
                (
                    "GET",
                    format!("/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks?api-version={NET_API}"),
                    None,
                ),
                ("GET", cluster("c1"), None),
                ("GET", format!("/subscriptions/{SUB}/resourcegroups?api-version={RG_API}"), None),
            ],
        ),
        (
            "admin writes and reads",
            vec![
                ("PUT", "/_emulator/sites/x".to_string(), Some(json!({"addressSpace": ["192.168.50.0/24"]}))),
                ("GET", "/_emulator/sites".to_string(), None),
                ("PUT", "/_emulator/sites/x".to_string(), Some(json!({"addressSpace": ["192.168.51.0/24"]}))),
                ("GET", "/_emulator/dns/resolve?name=gbl.his.arc.azure.com&from=public&type=A".to_string(), None),
                ("DELETE", "/_emulator/sites/x".to_string(), None),
            ],
        ),
    ]
}

/// A hickory resolver aimed at one listener only (UDP, TCP on truncation), no cache.
fn resolver(addr: SocketAddr) -> hickory_resolver::TokioResolver {
    use hickory_resolver::Resolver;
    use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    let mut udp = ConnectionConfig::udp();
    udp.port = addr.port();
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = addr.port();
    let config = ResolverConfig::from_parts(None, vec![], vec![NameServerConfig::new(addr.ip(), true, vec![udp, tcp])]);
    let mut builder = Resolver::builder_with_config(config, TokioRuntimeProvider::default());
    let opts = builder.options_mut();
    opts.timeout = Duration::from_secs(4);
    opts.attempts = 1;
    opts.cache_size = 0;
    opts.ndots = 0;
    builder.build().expect("resolver")
}

/// Sends SIGTERM and waits (bounded) for the process to exit; `Err` when it did not.
fn terminate(served: &mut Served) -> Result<Duration, String> {
    let pid = served.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().map_err(|e| format!("cannot run kill: {e}"))?;
    if !sent.success() {
        return Err(format!("kill -TERM {pid} failed: {sent}"));
    }
    let start = Instant::now();
    while start.elapsed() < EXIT_GRACE {
        match served.child.try_wait() {
            Ok(Some(_)) => return Ok(start.elapsed()),
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(format!("waiting for the process: {e}")),
        }
    }
    Err(format!("the process did not exit within {} s of SIGTERM", EXIT_GRACE.as_secs()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_long_running_writes_never_freeze_arm_admin_or_dns() {
    let mut served = serve();
    let base = served.arm.clone();
    let http = reqwest::Client::builder()
        .timeout(STALL + Duration::from_secs(1))
        .connect_timeout(STALL)
        .build()
        .expect("http client");
    // Ready, and the fixed resources the clients use.
    let setup = Race::new();
    assert_eq!(call(&setup, &http, &base, "GET", "/_emulator/health", None).await, 200);
    let rg = format!("{}?api-version={RG_API}", group());
    assert_eq!(call(&setup, &http, &base, "PUT", &rg, Some(&json!({"location": "eastus"}))).await, 201);
    let steady = format!("{}?api-version={HC_API}", arm_id(RG, "Microsoft.HybridCompute/privateLinkScopes", "steady"));
    assert_eq!(call(&setup, &http, &base, "PUT", &steady, Some(&scope_body())).await, 201);
    assert!(setup.log.lock().unwrap_or_else(|p| p.into_inner()).failures.is_empty());

    let race = Arc::new(Race::new());
    let mut tasks = Vec::new();
    for (name, script) in scripts() {
        let (race, http, base) = (race.clone(), http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut rounds = 0u32;
            // Bounded by the race's time (each request is itself bounded by STALL).
            while race.running() && rounds < 100_000 {
                for (method, path, body) in &script {
                    if !race.running() {
                        break;
                    }
                    call(&race, &http, &base, method, path, body.as_ref()).await;
                }
                rounds += 1;
            }
            (name, rounds)
        }));
    }
    // DNS: the public view, over UDP (the DNS face shares the world with ARM).
    {
        let (race, resolver) = (race.clone(), resolver(served.dns));
        tasks.push(tokio::spawn(async move {
            let mut rounds = 0u32;
            while race.running() && rounds < 100_000 {
                for name in ["gbl.his.arc.azure.com.", "eastus.his.arc.azure.com.", "nope.his.arc.azure.com."] {
                    if !race.running() {
                        break;
                    }
                    let started = Instant::now();
                    let sent_at = started.duration_since(race.start).as_secs_f32();
                    let what = format!("DNS A {name}");
                    let r =
                        tokio::time::timeout(STALL, resolver.lookup(name, hickory_resolver::proto::rr::RecordType::A))
                            .await;
                    match r {
                        Err(_) => race.fail(format!(
                            "{what}: sent at {sent_at:.2} s, no answer within {} s (freeze)",
                            STALL.as_secs()
                        )),
                        Ok(Err(e)) if !e.is_nx_domain() && !e.is_no_records_found() => {
                            race.fail(format!("{what}: {e}"))
                        }
                        Ok(_) => race.took(&what, started.elapsed()),
                    }
                }
                rounds += 1;
            }
            ("DNS queries", rounds)
        }));
    }
    // Monitor: the admin API's health endpoint keeps answering.
    {
        let (race, http, base) = (race.clone(), http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut rounds = 0u32;
            while race.running() && rounds < 10_000 {
                let status = call(&race, &http, &base, "GET", "/_emulator/health", None).await;
                if status != 200 && status != 0 {
                    race.fail(format!("GET /_emulator/health answered {status}"));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                rounds += 1;
            }
            ("health monitor", rounds)
        }));
    }
    let mut rounds = Vec::new();
    for t in tasks {
        // Every task ends within RACE + STALL; the extra margin only guards against a bug here.
        match tokio::time::timeout(RACE + STALL + Duration::from_secs(2), t).await {
            Ok(Ok(r)) => rounds.push(r),
            Ok(Err(e)) => race.fail(format!("client task panicked: {e}")),
            Err(_) => race.fail("a client task did not end".to_string()),
        }
    }
    let raced = race.start.elapsed();
    // Still answering once the race is over (tells a freeze from a shutdown that hangs).
    if race.log.lock().unwrap_or_else(|p| p.into_inner()).failures.is_empty() {
        let after = Race::new();
        call(&after, &http, &base, "GET", "/_emulator/health", None).await;
        let failed = after.log.lock().unwrap_or_else(|p| p.into_inner()).failures.clone();
        race.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .failures
            .extend(failed.into_iter().map(|f| format!("after the race: {f}")));
    }
    let terminated = tokio::task::spawn_blocking(move || {
        let r = terminate(&mut served);
        drop(served); // SIGKILL if still running, and reap
        r
    })
    .await
    .expect("terminate task");

    let log = race.log.lock().unwrap_or_else(|p| p.into_inner());
    eprintln!(
        "stress: {} answers in {:.1} s; slowest {:?} ({}); rounds {rounds:?}; SIGTERM: {terminated:?}",
        race.answered.load(Ordering::Relaxed),
        raced.as_secs_f32(),
        log.slowest,
        log.slowest_what,
    );
    let mut problems: Vec<String> = log.failures.iter().take(12).cloned().collect();
    if log.failures.len() > 12 {
        problems.push(format!("... and {} more", log.failures.len() - 12));
    }
    if let Err(e) = &terminated {
        problems.push(e.clone());
    }
    assert!(problems.is_empty(), "the emulator froze or failed under racing requests:\n  {}", problems.join("\n  "));
    for (name, n) in &rounds {
        assert!(*n > 0, "client '{name}' never completed a round");
    }
}
