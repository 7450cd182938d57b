//! The web view: a page at `/` that draws the world (topology, cluster verdicts, refusals, DNS
//! answers, demo steps) from the admin API. No build step: the HTML, CSS and JavaScript are
//! embedded with `include_str!` and served as separate files so that the Content-Security-Policy
//! can forbid inline scripts. The page's assets are outside `/_emulator/` (a browser cannot send
//! the admin token for a `<script>` tag); the data it reads is admin API, token and all.
//!
//! Two admin reads exist for the page: `GET /_emulator/topology` (the world in one read, shaped
//! for the picture: rendered resources, sites, forwarders, clusters with their admission reports)
//! and `GET /_emulator/demo/scenarios` (the teaching scenarios as data; the page plays their
//! steps itself, one request per click). Neither decides anything: they copy what the model says.

use arcemu_fake_arm::ArmState;
use arcemu_model::World;
use arcemu_scenarios::demo::{self, Check, Want};
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

const INDEX_HTML: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");
const APP_CSS: &str = include_str!("web/app.css");

/// What the page may load and call: itself only (no inline scripts or styles, no frames).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page (`/`, `/ui/app.js`, `/ui/app.css`) and its two admin reads.
pub fn router(state: ArmState) -> Router {
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route("/ui/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/ui/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/_emulator/topology", get(topology))
        .route("/_emulator/demo/scenarios", get(scenarios))
        .with_state(state)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn topology(axum::extract::State(st): axum::extract::State<ArmState>) -> Response {
    axum::Json(st.read(topology_of)).into_response()
}

/// The world in one read, for the picture: every resource as ARM renders it (so private
/// endpoints carry their IPs and connection states, clusters their `connectivityStatus`), the
/// sites, the forwarder VMs, and each lab cluster with its admission report (`explain`).
pub fn topology_of(world: &World) -> Value {
    let json = |v: Result<Value, serde_json::Error>| v.unwrap_or_default();
    let groups: Vec<Value> = world
        .store()
        .groups_under("")
        .map(|g| json!({ "id": g.id.to_string(), "location": g.location.to_string() }))
        .collect();
    let resources: Vec<Value> = world
        .store()
        .under("")
        .filter_map(|r| world.render(&r.id).ok().map(|body| json!({ "id": r.id.to_string(), "body": body })))
        .collect();
    let clusters: Vec<Value> = world
        .lab_clusters()
        .map(|c| {
            let report = match world.explain_cluster(&c.name) {
                Ok(r) => json!(r),
                Err(e) => json!({ "error": { "code": e.code, "message": e.message } }),
            };
            json!({ "cluster": json(serde_json::to_value(c)), "report": report })
        })
        .collect();
    json!({
        "generation": world.generation(),
        "subscriptions": world.store().subscriptions().map(|s| s.id.clone()).collect::<Vec<_>>(),
        "groups": groups,
        "resources": resources,
        "sites": world.sites().map(|s| json(serde_json::to_value(s))).collect::<Vec<_>>(),
        "forwarders": world.forwarder_vms().map(|f| json(serde_json::to_value(f))).collect::<Vec<_>>(),
        "clusters": clusters,
    })
}

async fn scenarios() -> Response {
    axum::Json(json!({ "value": demo::catalogue().iter().map(scenario_json).collect::<Vec<_>>() })).into_response()
}

/// A scenario as data for the page's demo mode: its steps' requests, narration and expectation.
fn scenario_json(s: &demo::Scenario) -> Value {
    let steps: Vec<Value> = s
        .steps
        .iter()
        .map(|step| {
            let want = match &step.want {
                Want::Ok => json!({ "status": "2xx" }),
                Want::Status(code) => json!({ "status": code }),
                Want::Refused { status, code, rule } => {
                    json!({ "status": status, "code": code, "rule": rule.map(|r| r.id) })
                }
            };
            let checks: Vec<String> = step.checks.iter().map(describe_check).collect();
            json!({
                "narration": step.narration,
                "label": step.label,
                "method": step.method,
                "path": step.path,
                "body": step.body,
                "want": want,
                "checks": checks,
                "capture": step.capture.map(|(var, pointer)| json!({ "var": var, "pointer": pointer })),
            })
        })
        .collect();
    json!({
        "name": s.name,
        "title": s.title,
        "summary": s.summary,
        "rule": s.rule.map(|r| r.id),
        "seedSection": s.seed_section(),
        "steps": steps,
    })
}

fn describe_check(c: &Check) -> String {
    match c {
        Check::Equals(pointer, value) => format!("{pointer} = {value}"),
        Check::Names(pointer, names) => format!("{pointer} names {}", names.join(", ")),
        Check::AllEndpoints(verdict, rule) => {
            format!("every Arc endpoint {verdict}{}", rule.map(|r| format!(" ({})", r.id)).unwrap_or_default())
        }
        Check::Endpoint(fqdn, verdict, rule) => {
            format!("{fqdn} {verdict}{}", rule.map(|r| format!(" ({})", r.id)).unwrap_or_default())
        }
        Check::Rcode(rcode) => format!("DNS answer {rcode}"),
        Check::Addresses(addrs) => format!("A records {}", addrs.join(", ")),
        Check::PublicAddress => "A records are public addresses".to_string(),
    }
}
