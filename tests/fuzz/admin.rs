//! Target 2: the admin API (`/_emulator/`). Sites, lab clusters, forwarder VMs, "add
//! resources" and its candidates, DNS answers, explain, and the read-only routes, with JSON
//! bodies from a grammar of the lab objects plus mutations, through the listener's whole router.
//! One input in five is one of target 1's ARM inputs, so that the lab's references (VNets,
//! subnets, connected clusters, scopes) come and go.
//!
//! Invariants as target 1: below 500, errors are envelopes, nothing logged at ERROR, and the
//! world stays consistent (after every batch of 500 inputs: every site and cluster listed answers
//! GET, every lab cluster explains itself; every resource answers GET).

use crate::app::{App, HttpInput, check_answer, encode_path};
use crate::arm::{self, ArmCase};
use crate::grammar::{self, body_from, cidr, ipv4, odd_text, seed_id};
use crate::harness::{self, Data, History, Target};
use arcemu_model::ResourceKind as K;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};
use std::cell::Cell;

pub const TARGET: Target =
    Target { name: "admin", default_seed: 0xAD_0002, regressions: "tests/fuzz/admin.proptest-regressions" };

fn site_name() -> BoxedStrategy<String> {
    prop_oneof![12 => select(&["hq", "branch"][..]).prop_map(str::to_string), 1 => Just("HQ".to_string()), 1 => odd_text()].boxed()
}

fn cluster_name() -> BoxedStrategy<String> {
    prop_oneof![12 => select(&["edge", "edge2"][..]).prop_map(str::to_string), 1 => odd_text()].boxed()
}

fn forwarder_name() -> BoxedStrategy<String> {
    prop_oneof![12 => Just("vm1".to_string()), 1 => odd_text()].boxed()
}

fn domain() -> BoxedStrategy<String> {
    prop_oneof![
        10 => select(&["his.arc.azure.com", "guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com",
                       "privatelink.his.arc.azure.com", "azure.com", "corp.example", "arc.azure.com"][..]).prop_map(str::to_string),
        1 => select(vec!["", ".", "..", "*.azure.com", "HIS.ARC.AZURE.COM.", "a..b", "-x.example"]).prop_map(str::to_string),
        1 => Just(format!("{}.example", "x".repeat(64))),
        1 => odd_text(),
    ]
    .boxed()
}

fn destination() -> BoxedStrategy<String> {
    prop_oneof![
        10 => select(&["AzureActiveDirectory", "AzureResourceManager", "MicrosoftContainerRegistry", "AzureFrontDoor.FirstParty",
                       "AzureArcInfrastructure", "GuestAndHybridManagement", "Storage.EastUS", "*", "10.10.0.0/16", "10.10.1.4",
                       "0.0.0.0/0", "AzureCloud"][..]).prop_map(str::to_string),
        1 => select(&["AzureActiveDirectory.ééé", "Storage.", ".EastUS", "10.0.0.0/33", "", "AzureCloud.日本"][..]).prop_map(str::to_string),
        1 => odd_text(),
    ]
    .boxed()
}

fn port() -> BoxedStrategy<Value> {
    prop_oneof![
        10 => Just(json!(443)),
        2 => select(&[80i64, 53, 0, 65535][..]).prop_map(|p| json!(p)),
        1 => select(vec![json!(70000), json!(-1), json!("443"), json!(4.5), json!(null), json!(18446744073709551615u64)]),
    ]
    .boxed()
}

pub fn site_body() -> BoxedStrategy<Value> {
    let zone = (
        domain(),
        prop::collection::btree_map(
            prop_oneof![4 => select(&["@", "gbl", "eus", "www"][..]).prop_map(str::to_string), 1 => odd_text()],
            prop::collection::vec(ipv4(), 0..3),
            0..3,
        ),
    )
        .prop_map(|(zone, records)| json!({"zone": zone, "records": records}));
    let forwarder = (domain(), prop::collection::vec(
        prop_oneof![4 => select(&["10.10.3.4", "10.10.1.10", "10.10.4.4", "192.168.10.53"][..]).prop_map(str::to_string), 1 => ipv4()], 0..3))
        .prop_map(|(domain, targets)| json!({"domain": domain, "targets": targets}));
    let rule = (destination(), port(), prop::option::of(any::<bool>())).prop_map(|(d, p, inbound)| {
        let mut r = json!({"destination": d, "port": p});
        if let Some(i) = inbound {
            r["inbound"] = json!(i);
        }
        r
    });
    let firewall = prop_oneof![
        4 => prop::collection::vec(rule, 0..6).prop_map(Value::Array),
        1 => Just(Value::Null),
    ];
    let circuit = prop_oneof![
        6 => Just(None),
        2 => Just(Some(json!(seed_id(K::ExpressRouteCircuit)))),
        1 => grammar::ref_id(K::ExpressRouteCircuit).prop_map(|id| Some(json!(id))),
    ];
    (
        prop::collection::vec(prop_oneof![6 => Just("192.168.10.0/24".to_string()), 1 => cidr()], 0..3),
        prop::collection::vec(zone, 0..2),
        prop::collection::vec(forwarder, 0..4),
        prop::option::of(any::<bool>()),
        firewall,
        circuit,
    )
        .prop_map(|(space, zones, forwarders, fallback, firewall, circuit)| {
            let mut dns = json!({"zones": zones, "forwarders": forwarders});
            if let Some(f) = fallback {
                dns["publicFallback"] = json!(f);
            }
            let mut site = json!({"addressSpace": space, "dns": dns, "firewall": firewall});
            if let Some(c) = circuit {
                site["expressRouteCircuit"] = c;
            }
            site
        })
        .boxed()
}

pub fn cluster_body() -> BoxedStrategy<Value> {
    let hub = seed_id(K::VirtualNetwork);
    let place = prop_oneof![
        6 => site_name().prop_map(|s| json!({ "site": s })),
        3 => select(&["workload", "endpoints", "nope"][..]).prop_map(move |s| json!({ "subnet": format!("{hub}/subnets/{s}") })),
        1 => grammar::ref_id(K::Subnet).prop_map(|s| json!({ "subnet": s })),
        1 => Just(json!({"site": "hq", "subnet": format!("{}/subnets/workload", seed_id(K::VirtualNetwork))})),
        1 => Just(json!({})),
    ];
    (place, prop_oneof![6 => Just(seed_id(K::ConnectedCluster)), 2 => grammar::ref_id(K::ConnectedCluster)])
        .prop_map(|(mut place, cc)| {
            place["connectedCluster"] = json!(cc);
            place
        })
        .boxed()
}

pub fn forwarder_body() -> BoxedStrategy<Value> {
    (
        prop_oneof![6 => Just(seed_id(K::VirtualNetwork)), 1 => grammar::ref_id(K::VirtualNetwork)],
        prop_oneof![6 => select(&["10.10.1.10", "10.10.8.53"][..]).prop_map(str::to_string), 1 => ipv4()],
    )
        .prop_map(|(v, a)| json!({"virtualNetwork": v, "address": a}))
        .boxed()
}

fn add_resources_body() -> BoxedStrategy<Value> {
    (
        prop_oneof![6 => Just(seed_id(K::PrivateLinkScope)), 2 => grammar::ref_id(K::PrivateLinkScope)],
        prop::collection::vec(
            prop_oneof![6 => Just(seed_id(K::ConnectedCluster)), 2 => grammar::ref_id(K::ConnectedCluster)],
            0..3,
        ),
    )
        .prop_map(|(scope, clusters)| json!({"scope": scope, "clusters": clusters}))
        .boxed()
}

fn query_value(s: &str) -> String {
    encode_path(s).replace('&', "%26").replace('=', "%3D").replace('+', "%2B").replace('?', "%3F")
}

fn resolve_query() -> BoxedStrategy<String> {
    let hub = seed_id(K::VirtualNetwork);
    let name = prop_oneof![
        10 => select(&["gbl.his.arc.azure.com", "eus.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com",
                       "eastus-gas.guestconfiguration.azure.com", "eastus.dp.kubernetesconfiguration.azure.com",
                       "gbl.privatelink.his.arc.azure.com", "dp.kubernetesconfiguration.azure.com", "management.azure.com",
                       "login.microsoftonline.com", "mcr.microsoft.com", "www.corp.example", "GBL.HIS.ARC.AZURE.COM.",
                       "his.arc.azure.com", "privatelink.his.arc.azure.com"][..]).prop_map(str::to_string),
        2 => odd_text(),
    ];
    let from = prop_oneof![
        10 => select(&["public", "site:hq", "site:branch"][..]).prop_map(str::to_string),
        4 => Just(format!("vnet:{hub}")),
        2 => Just(hub),
        1 => select(&["site:nope", "vnet:/subscriptions/x", "vnet:", "site:", "", "PUBLIC", "internet"][..]).prop_map(str::to_string),
        1 => odd_text(),
    ];
    let qtype = prop_oneof![
        10 => select(&["A", "AAAA", "CNAME", "ANY", "SOA", "a", "1", "28", "65535"][..]).prop_map(str::to_string),
        1 => select(&["65536", "TYPE99", "type0", "-1", "", " A ", "AXFR", "TYPE99999999999"][..]).prop_map(str::to_string),
        1 => odd_text(),
    ];
    (prop::option::weighted(0.95, name), prop::option::weighted(0.8, from), prop::option::weighted(0.7, qtype))
        .prop_map(|(n, f, t)| {
            let mut q = Vec::new();
            if let Some(n) = n {
                q.push(format!("name={}", query_value(&n)));
            }
            if let Some(f) = f {
                q.push(format!("from={}", query_value(&f)));
            }
            if let Some(t) = t {
                q.push(format!("type={}", query_value(&t)));
            }
            format!("/_emulator/dns/resolve?{}", q.join("&"))
        })
        .boxed()
}

/// An admin request: method, target, body.
#[derive(Clone, Debug)]
struct Shape {
    method: String,
    target: String,
    body: Vec<u8>,
}

fn shape(clean: bool) -> BoxedStrategy<Shape> {
    let body = move |valid: BoxedStrategy<Value>| -> BoxedStrategy<Vec<u8>> {
        if clean { valid.prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()).boxed() } else { body_from(valid) }
    };
    let write_method = || {
        prop_oneof![6 => Just("PUT"), 4 => Just("GET"), 1 => Just("DELETE"), 1 => Just("POST"), 1 => Just("PATCH")]
            .prop_map(str::to_string)
    };
    let sites = (write_method(), site_name(), body(site_body())).prop_map(|(method, n, body)| Shape {
        method,
        target: format!("/_emulator/sites/{}", encode_path(&n)),
        body,
    });
    let clusters = (write_method(), cluster_name(), body(cluster_body())).prop_map(|(method, n, body)| Shape {
        method,
        target: format!("/_emulator/clusters/{}", encode_path(&n)),
        body,
    });
    let forwarders = (write_method(), forwarder_name(), body(forwarder_body())).prop_map(|(method, n, body)| Shape {
        method,
        target: format!("/_emulator/dns-forwarders/{}", encode_path(&n)),
        body,
    });
    let add = (prop_oneof![8 => Just("POST"), 1 => Just("GET"), 1 => Just("PUT")], body(add_resources_body()))
        .prop_map(|(m, body)| Shape {
            method: m.to_string(),
            target: "/_emulator/private-link-scopes/add-resources".into(),
            body,
        });
    let explain = (
        cluster_name(),
        prop_oneof![3 => Just(""), 2 => Just("?format=text"), 1 => Just("?format=TEXT"),
        1 => Just("?format=json"), 1 => Just("?format=%ZZ"), 1 => Just("?format=")],
    )
        .prop_map(|(n, q)| Shape {
            method: "GET".into(),
            target: format!("/_emulator/clusters/{}/explain{q}", encode_path(&n)),
            body: Vec::new(),
        });
    let candidates = prop_oneof![4 => Just(seed_id(K::PrivateLinkScope)), 1 => grammar::ref_id(K::PrivateLinkScope)]
        .prop_map(|s| Shape {
            method: "GET".into(),
            target: format!("/_emulator/private-link-scopes/candidates?scope={}", query_value(&s)),
            body: Vec::new(),
        });
    let resolve = resolve_query().prop_map(|target| Shape { method: "GET".into(), target, body: Vec::new() });
    let reads = select(
        &[
            "/_emulator/health",
            "/_emulator/rules",
            "/_emulator/",
            "/_emulator",
            "/_emulator/sites",
            "/_emulator/clusters",
            "/_emulator/dns-forwarders",
            "/_emulator/nope",
            "/_emulator/sites/",
            "/_emulator/clusters/edge/explain/x",
            "/_emulator/private-link-scopes/candidates",
            "/_emulator/dns/resolve",
            "/_emulator/private-link-scopes/candidates?scope=%ZZ",
            "/_emulator/dns/resolve?name=%FF",
            "/_emulator//sites",
            "/_EMULATOR/health",
            "/_emulator/sites/hq/x",
        ][..],
    )
    .prop_map(|t| Shape { method: "GET".into(), target: t.to_string(), body: Vec::new() });
    let listeners = Just(Shape { method: "GET".into(), target: "/_emulator/dns/listeners".into(), body: Vec::new() });
    prop_oneof![
        8 => sites,
        6 => clusters,
        3 => forwarders,
        3 => add,
        4 => explain,
        2 => candidates,
        6 => resolve,
        if clean { 1 } else { 3 } => reads,
        1 => listeners,
    ]
    .boxed()
}

/// An admin input, or an ARM one (target 1's clean inputs) that changes what the lab refers to.
#[derive(Clone, Debug)]
pub enum AdminCase {
    Admin(HttpInput),
    Arm(ArmCase),
}

fn case() -> BoxedStrategy<AdminCase> {
    let clean = (shape(true), arm::advance()).prop_map(|(s, advance_ms)| {
        let body = (!s.body.is_empty() && s.method != "GET")
            .then(|| serde_json::from_slice::<Value>(&s.body).unwrap_or(Value::Null));
        let mut input = App::plain(&s.method, &s.target, body.as_ref());
        input.advance_ms = advance_ms;
        AdminCase::Admin(input)
    });
    let hostile = (shape(false), arm::headers(), arm::advance()).prop_map(|(s, headers, advance_ms)| {
        AdminCase::Admin(HttpInput {
            method: s.method,
            target: grammar::sendable_target(&s.target),
            headers,
            body: Data(s.body),
            advance_ms,
        })
    });
    prop_oneof![4 => clean, 4 => hostile, 2 => arm::case().prop_map(AdminCase::Arm)].boxed()
}

#[test]
fn admin_api() {
    harness::watch_errors();
    let settings = harness::Settings::from_env(TARGET.default_seed);
    let app = App::new(settings.seed);
    // The seed's lab objects exist from the start (the seed world has a site and a cluster);
    // a forwarder VM joins them.
    let vm = json!({"virtualNetwork": seed_id(K::VirtualNetwork), "address": "10.10.1.10"});
    let r = app.checked("PUT", "/_emulator/dns-forwarders/vm1", Some(&vm)).expect("a forwarder VM");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let history: History<HttpInput> = History::default();
    let writes_ok = Cell::new(0u64);
    let corpus = harness::corpus(TARGET.name, |_, b| harness::json_inputs::<HttpInput>(b))
        .into_iter()
        .map(|(f, input)| (f, AdminCase::Admin(input)))
        .collect();
    let exec = |case: &AdminCase| {
        let input = match case {
            AdminCase::Admin(i) => i.clone(),
            AdminCase::Arm(c) => arm::resolve(&app, c),
        };
        history.record(&input);
        let before = harness::error_count();
        let answer = app.send(&input)?;
        check_answer(&input, &answer)?;
        harness::no_errors_since(before)?;
        if matches!(case, AdminCase::Admin(_)) && input.method != "GET" && answer.status < 300 {
            writes_ok.set(writes_ok.get() + 1);
        }
        Ok(())
    };
    let summary = harness::run(&TARGET, case(), corpus, exec, || app.sweep(), || history.save(TARGET.name));
    let (sites, clusters) = app.world.read(|w| (w.sites().count(), w.lab_clusters().count()));
    summary.report(
        TARGET.name,
        "no panic, no 5xx, every error an envelope, nothing logged at ERROR, world consistent",
        &format!(
            "{} successful admin writes, {sites} sites and {clusters} lab clusters at the end; statuses {}",
            writes_ok.get(),
            app.status_report()
        ),
    );
}
