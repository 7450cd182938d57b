//! The emulator in-process, for the HTTP targets: a world (loaded from the seed's world file) on
//! a manual clock, and the listener's whole router (`arcemu::app::router`), driven with
//! `tower::ServiceExt::oneshot` — no socket for the requests. The admin API's DNS routes need a
//! DNS face: it runs on loopback, polled rarely, and only binds listeners when
//! `/_emulator/dns/listeners` asks for them.

use crate::harness::Data;
use arcemu::{AccessConfig, ArmConfig, DnsConfig, SharedWorld, World};
use arcemu_fake_arm::ArmState;
use arcemu_fake_dns::DnsServer;
use arcemu_model::clock::{Clock, ManualClock};
use arcemu_model::{ResourceId, ResourceKind};
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";
pub const SUB2: &str = "11111111-1111-1111-1111-111111111111";
/// A subscription with no provider registered (PLS-015).
pub const SUB3: &str = "22222222-2222-2222-2222-222222222222";
/// The address the listener is told it has (requests never reach a socket).
pub const BOUND: &str = "127.0.0.1:8490";
pub const BASE: &str = "http://127.0.0.1:8490";
/// Smaller than the default 4 MiB, so that the 413 path is reached cheaply.
pub const MAX_BODY: usize = 64 * 1024;
/// Small pages, so that `nextLink` paging is exercised.
pub const PAGE: usize = 3;

/// One HTTP request, as sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HttpInput {
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    #[serde(default)]
    pub headers: Vec<(String, Data)>,
    #[serde(default)]
    pub body: Data,
    /// Milliseconds the clock moves before the request (long-running operations come due).
    #[serde(default)]
    pub advance_ms: u64,
}

/// One answer.
pub struct Answer {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn describe(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let cut: String = text.chars().take(800).collect();
        format!("{} {cut}", self.status)
    }
}

pub struct App {
    pub rt: tokio::runtime::Runtime,
    pub world: Arc<SharedWorld>,
    pub clock: Arc<ManualClock>,
    router: axum::Router,
    _dns: DnsServer,
    /// URLs the emulator returned (`Azure-AsyncOperation`, `Location`, `nextLink`), newest last,
    /// as path and query: later inputs follow them.
    pub links: RefCell<VecDeque<String>>,
    /// Answers by status, for the report.
    pub statuses: RefCell<BTreeMap<u16, u64>>,
}

impl App {
    /// The seed's world (`examples/seed-world.yaml`), three subscriptions (the third with no
    /// provider registered), operations that take two seconds, `seed` for every id.
    pub fn new(seed: u64) -> App {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        let config = crate::world_file::config(seed);
        let clock = Arc::new(ManualClock::default());
        let mut world = World::new(config);
        let seed_world = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-world.yaml"))
            .expect("the seed world file");
        let file = arcemu::world_file::parse(&seed_world).expect("the seed world parses");
        arcemu::world_file::apply(&mut world, &file, clock.now()).expect("the seed world applies");
        let world = Arc::new(SharedWorld::new(world, clock.clone()));
        let dns_config = DnsConfig { poll_interval: std::time::Duration::from_secs(3600), ..DnsConfig::default() };
        let dns = rt.block_on(DnsServer::start(world.clone(), dns_config)).expect("the DNS face starts on loopback");
        let arm = ArmState::new(
            world.clone(),
            ArmConfig { page_size: PAGE, max_body_bytes: MAX_BODY, require_auth: true, ..ArmConfig::default() },
            seed,
            BASE,
        );
        let bound: SocketAddr = BOUND.parse().expect("an address");
        let router = arcemu::app::router(
            arm,
            dns.handle(),
            Default::default(),
            Default::default(),
            &AccessConfig::default(),
            bound,
        );
        App { rt, world, clock, router, _dns: dns, links: RefCell::default(), statuses: RefCell::default() }
    }

    /// Sends one request through the router. `Err` when the request cannot even be built
    /// (an input the generators never make: a method or target a client cannot send).
    pub fn send(&self, input: &HttpInput) -> Result<Answer, String> {
        if input.advance_ms > 0 {
            self.clock.advance(time::Duration::milliseconds(input.advance_ms.min(3_600_000) as i64));
        }
        let method = Method::from_bytes(input.method.as_bytes()).map_err(|e| format!("method: {e}"))?;
        let uri: Uri = input.target.parse().map_err(|e| format!("target {:?}: {e}", input.target))?;
        let mut req = Request::builder().method(method).uri(uri);
        for (name, value) in &input.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header name: {e}"))?;
            let value = HeaderValue::from_bytes(&value.0).map_err(|e| format!("header value: {e}"))?;
            req = req.header(name, value);
        }
        let req = req.body(axum::body::Body::from(input.body.0.clone())).map_err(|e| e.to_string())?;
        let router = self.router.clone();
        let answer = self.rt.block_on(async move {
            let resp = router.oneshot(req).await.map_err(|e| format!("the router failed: {e}"))?;
            let (parts, body) = resp.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.map_err(|e| format!("the body failed: {e}"))?;
            Ok::<_, String>(Answer { status: parts.status.as_u16(), headers: parts.headers, body: body.to_vec() })
        })?;
        *self.statuses.borrow_mut().entry(answer.status).or_default() += 1;
        self.remember_links(&answer);
        Ok(answer)
    }

    fn remember_links(&self, answer: &Answer) {
        let mut found: Vec<String> = ["azure-asyncoperation", "location"]
            .iter()
            .filter_map(|h| answer.headers.get(*h).and_then(|v| v.to_str().ok()).map(str::to_string))
            .collect();
        if answer.body.len() < 64 * 1024
            && let Some(next) = answer.json().get("nextLink").and_then(Value::as_str)
        {
            found.push(next.to_string());
        }
        let mut links = self.links.borrow_mut();
        for url in found {
            if let Some(rest) = url.strip_prefix(BASE) {
                links.push_back(rest.to_string());
                if links.len() > 32 {
                    links.pop_front();
                }
            }
        }
    }

    /// A well-formed request from a client in good standing.
    pub fn plain(method: &str, target: &str, body: Option<&Value>) -> HttpInput {
        let mut headers = vec![
            ("host".to_string(), Data(b"localhost:8490".to_vec())),
            ("authorization".to_string(), Data(b"Bearer fuzz".to_vec())),
        ];
        if body.is_some() {
            headers.push(("content-type".to_string(), Data(b"application/json".to_vec())));
        }
        HttpInput {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body: Data(body.map(|b| serde_json::to_vec(b).unwrap_or_default()).unwrap_or_default()),
            advance_ms: 0,
        }
    }

    /// Sends a well-formed request and checks its answer.
    pub fn checked(&self, method: &str, target: &str, body: Option<&Value>) -> Result<Answer, String> {
        let input = App::plain(method, target, body);
        let answer = self.send(&input)?;
        check_answer(&input, &answer)?;
        Ok(answer)
    }

    /// The world is consistent as seen over HTTP: every resource and group it holds answers a
    /// GET with 200 and its own id; every resource a list names does too (paging included);
    /// every lab site and cluster listed answers GET, and every lab cluster explains itself (or
    /// says that its site or subnet is gone).
    pub fn sweep(&self) -> Result<(), String> {
        let (resources, groups, subscriptions) = self.world.read(|w| {
            let rs: Vec<(String, ResourceKind)> = w.store().under("").map(|r| (r.id.to_string(), r.kind())).collect();
            let gs: Vec<String> = w.store().groups_under("").map(|g| g.id.to_string()).collect();
            let ss: Vec<String> = w.store().subscriptions().map(|s| s.id.clone()).collect();
            (rs, gs, ss)
        });
        let rg_api = latest(arcemu_model::api_versions::RESOURCES);
        for (id, kind) in &resources {
            self.get_is_200(id, latest(kind.api_versions()))?;
        }
        for id in &groups {
            self.get_is_200(id, rg_api)?;
        }
        for sub in &subscriptions {
            let mut next = Some(format!("/subscriptions/{sub}/resources?api-version={rg_api}"));
            let mut pages = 0;
            while let Some(target) = next.take() {
                pages += 1;
                if pages > 1000 {
                    return Err(format!("{sub}: more than 1000 pages of resources"));
                }
                let a = self.checked("GET", &target, None)?;
                if a.status != 200 {
                    return Err(format!("GET {target}: {}", a.describe()));
                }
                let page = a.json();
                for item in page["value"].as_array().into_iter().flatten() {
                    let id = item["id"].as_str().ok_or_else(|| format!("GET {target}: an item without id: {item}"))?;
                    let kind = ResourceId::parse(id).ok().and_then(|i| ResourceKind::of(&i));
                    let kind = kind.ok_or_else(|| format!("GET {target}: listed {id}, which is no served type"))?;
                    self.get_is_200(id, latest(kind.api_versions()))?;
                }
                next = page["nextLink"].as_str().map(|n| n.strip_prefix(BASE).unwrap_or(n).to_string());
            }
        }
        for (list, item) in [("/_emulator/sites", "/_emulator/sites/"), ("/_emulator/clusters", "/_emulator/clusters/")]
        {
            let a = self.checked("GET", list, None)?;
            for x in a.json()["value"].as_array().into_iter().flatten() {
                let name = x["name"].as_str().unwrap_or_default();
                let path = format!("{item}{}", encode_path(name));
                let got = self.checked("GET", &path, None)?;
                if got.status != 200 {
                    return Err(format!("GET {path} (listed): {}", got.describe()));
                }
                // A lab cluster explains itself, or says why it cannot (its site or subnet is
                // gone: 409); it is never unknown.
                if list.ends_with("clusters") {
                    let got = self.checked("GET", &format!("{path}/explain"), None)?;
                    if got.status != 200 && got.status != 409 {
                        return Err(format!("GET {path}/explain (listed): {}", got.describe()));
                    }
                }
            }
        }
        Ok(())
    }

    fn get_is_200(&self, id: &str, api: &str) -> Result<(), String> {
        let target = format!("{}?api-version={api}", encode_path(id));
        let a = self.checked("GET", &target, None)?;
        if a.status != 200 {
            return Err(format!("GET {target}: the world holds it, yet: {}", a.describe()));
        }
        let got = a.json()["id"].as_str().unwrap_or_default().to_string();
        if !got.eq_ignore_ascii_case(id) {
            return Err(format!("GET {target}: answered the id {got:?}"));
        }
        Ok(())
    }

    pub fn status_report(&self) -> String {
        let s = self.statuses.borrow();
        s.iter().map(|(k, v)| format!("{k}x{v}")).collect::<Vec<_>>().join(" ")
    }
}

fn latest(list: &'static [&'static str]) -> &'static str {
    list.iter().rev().find(|v| !v.contains("preview")).or(list.last()).copied().unwrap_or("2025-04-01")
}

/// Percent-encodes what a path may not hold as it is (`/` kept).
pub fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The invariants of every answer: no 5xx; an error (but to HEAD) is an ARM envelope with a
/// code and a message; a JSON answer is JSON.
pub fn check_answer(input: &HttpInput, a: &Answer) -> Result<(), String> {
    let what = || format!("{} {}", input.method, input.target);
    if a.status >= 500 {
        return Err(format!("{}: a 5xx: {}", what(), a.describe()));
    }
    let json_type = a
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    if a.status >= 400 && input.method != "HEAD" {
        let v: Value = serde_json::from_slice(&a.body)
            .map_err(|e| format!("{}: an error that is not JSON ({e}): {}", what(), a.describe()))?;
        let code = v["error"]["code"].as_str().unwrap_or_default();
        if code.is_empty() || !v["error"]["message"].is_string() {
            return Err(format!("{}: an error without an ARM envelope: {}", what(), a.describe()));
        }
        if !json_type {
            return Err(format!("{}: an error envelope not typed application/json", what()));
        }
    } else if json_type && !a.body.is_empty() && serde_json::from_slice::<Value>(&a.body).is_err() {
        return Err(format!("{}: typed JSON, but is not: {}", what(), a.describe()));
    }
    Ok(())
}
