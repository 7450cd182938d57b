//! Target 1: the ARM request path. Method, path (ids of every served type and ARM's own routes,
//! then mutated: case, odd and long segments, percent-encoding, non-ASCII), query
//! (`api-version` valid or not, `$skipToken`), headers (`Host`, `Authorization`,
//! `Content-Type`, `Origin`, ...) and body (a valid one per type, mutated, or garbage) through the
//! listener's whole router, against one world that accumulates what the inputs create. Some
//! inputs follow a URL the emulator returned (operation status, `nextLink`).
//!
//! Every answer: below 500; an error is an ARM envelope; nothing is logged at ERROR. After every
//! batch of 500 inputs and at the end, the world is swept (`App::sweep`): whatever it holds or
//! lists answers a GET with 200.

use crate::app::{App, HttpInput, check_answer};
use crate::grammar::{self, body_from, odd_text, sendable_target, some_id, valid_body};
use crate::harness::{self, Data, History, Target};
use arcemu_model::ResourceKind;
use arcemu_model::api_versions::RESOURCES;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

pub const TARGET: Target =
    Target { name: "arm", default_seed: 0xA11_0001, regressions: "tests/fuzz/arm.proptest-regressions" };

/// One generated input: a request, or (`follow`) the same request sent to a URL the emulator
/// returned earlier.
#[derive(Clone, Debug)]
pub struct ArmCase {
    pub input: HttpInput,
    pub follow: Option<usize>,
    /// What the input addresses, for the statistics (`ARCEMU_FUZZ_VERBOSE=1`).
    pub label: &'static str,
}

/// What a path addresses, with the api-versions valid there and a body for it.
#[derive(Clone, Debug)]
struct Shape {
    path: String,
    versions: &'static [&'static str],
    body: Vec<u8>,
    /// What the path names (for the statistics).
    label: &'static str,
    method: String,
}

impl Shape {
    fn new(path: String, versions: &'static [&'static str], body: Vec<u8>, label: &'static str) -> Shape {
        Shape { path, versions, body, label, method: String::new() }
    }
}

/// Methods for a resource (or a group): reads and writes, deletes now and then.
fn resource_method() -> BoxedStrategy<String> {
    prop_oneof![8 => Just("GET"), 10 => Just("PUT"), 2 => Just("PATCH"), 2 => Just("DELETE"), 1 => Just("POST"), 1 => Just("HEAD")]
        .prop_map(str::to_string)
        .boxed()
}

/// A client in good standing mostly writes and reads, and deletes now and then.
fn clean_method() -> BoxedStrategy<String> {
    prop_oneof![6 => Just("GET"), 14 => Just("PUT"), 1 => Just("PATCH"), 1 => Just("DELETE")]
        .prop_map(str::to_string)
        .boxed()
}

/// Methods for anything else: mostly reads.
fn read_method() -> BoxedStrategy<String> {
    prop_oneof![
        12 => Just("GET"),
        2 => Just("PUT"),
        1 => Just("PATCH"),
        1 => Just("DELETE"),
        3 => Just("POST"),
        1 => Just("HEAD"),
        1 => Just("OPTIONS"),
        1 => select(&["get", "FOO", "TRACE", "CONNECT", "PROPFIND", "M-SEARCH"][..]),
    ]
    .prop_map(str::to_string)
    .boxed()
}

fn with_method(shape: impl Strategy<Value = Shape> + 'static, method: BoxedStrategy<String>) -> BoxedStrategy<Shape> {
    (shape, method).prop_map(|(s, method)| Shape { method, ..s }).boxed()
}

fn resource_shape(kind: ResourceKind, clean: bool) -> BoxedStrategy<Shape> {
    let id = if clean { grammar::pool_id(kind) } else { some_id(kind) };
    let body = if clean {
        valid_body(kind, true).prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()).boxed()
    } else {
        body_from(valid_body(kind, false))
    };
    let label = kind.arm_type();
    let shape = (id, body).prop_map(move |(path, body)| {
        // A strict subnet gets the prefix its name has in the seed's hub.
        let body = match grammar::STRICT_SUBNETS
            .iter()
            .find(|(n, _)| clean && kind == ResourceKind::Subnet && path.ends_with(&format!("/{n}")))
        {
            Some((_, prefix)) => {
                serde_json::to_vec(&serde_json::json!({"properties": {"addressPrefix": prefix}})).unwrap_or_default()
            }
            None => body,
        };
        Shape::new(path, kind.api_versions(), body, label)
    });
    with_method(shape, if clean { clean_method() } else { resource_method() })
}

fn collection_shape(kind: ResourceKind) -> BoxedStrategy<Shape> {
    let versions = kind.api_versions();
    match kind.parent() {
        None => (grammar::subscription(), grammar::resource_group(), any::<bool>())
            .prop_map(move |(s, g, in_group)| {
                let path = if in_group {
                    format!("/subscriptions/{s}/resourceGroups/{g}/providers/{}", kind.arm_type())
                } else {
                    format!("/subscriptions/{s}/providers/{}", kind.arm_type())
                };
                Shape::new(path, versions, Vec::new(), "collection")
            })
            .boxed(),
        Some(parent) => some_id(parent)
            .prop_map(move |p| {
                let path = if kind.is_extension_resource() {
                    format!("{p}/providers/{}", kind.arm_type())
                } else {
                    format!("{p}/{}", kind.arm_type().rsplit('/').next().unwrap_or_default())
                };
                Shape::new(path, versions, Vec::new(), "collection")
            })
            .boxed(),
    }
}

fn arm_own_shape() -> BoxedStrategy<Shape> {
    let ns = || {
        prop_oneof![
            8 => select(arcemu_model::kinds::PROVIDER_NAMESPACES).prop_map(str::to_string),
            1 => Just("microsoft.network".to_string()),
            1 => Just("Contoso.Widgets".to_string()),
            1 => odd_text(),
        ]
    };
    let group = with_method(
        (grammar::subscription(), grammar::resource_group(), body_from(grammar::group_body())).prop_map(
            |(s, g, body)| Shape::new(format!("/subscriptions/{s}/resourceGroups/{g}"), RESOURCES, body, "group"),
        ),
        resource_method(),
    );
    let simple = (grammar::subscription(), grammar::resource_group(), ns(), 0usize..7).prop_map(|(s, g, ns, which)| {
        let path = match which {
            0 => "/subscriptions".to_string(),
            1 => format!("/subscriptions/{s}"),
            2 => format!("/subscriptions/{s}/resourcegroups"),
            3 => format!("/subscriptions/{s}/providers"),
            4 => format!("/subscriptions/{s}/providers/{ns}"),
            5 => format!("/subscriptions/{s}/resources"),
            _ => format!("/subscriptions/{s}/resourceGroups/{g}/resources"),
        };
        Shape::new(path, RESOURCES, Vec::new(), "arm")
    });
    let register = (grammar::subscription(), ns(), prop::bool::weighted(0.8)).prop_map(|(s, ns, reg)| Shape {
        method: "POST".to_string(),
        ..Shape::new(
            format!("/subscriptions/{s}/providers/{ns}/{}", if reg { "register" } else { "unregister" }),
            RESOURCES,
            Vec::new(),
            "register",
        )
    });
    let operation = (grammar::subscription(), ns(), grammar::location(), odd_text(), any::<bool>()).prop_map(
        |(s, ns, l, op, results)| {
            let kind = if results { "operationResults" } else { "operationStatuses" };
            Shape::new(
                format!("/subscriptions/{s}/providers/{ns}/locations/{l}/{kind}/{op}"),
                RESOURCES,
                Vec::new(),
                "operation",
            )
        },
    );
    let special = (0usize..6, odd_text()).prop_map(|(which, name)| {
        use ResourceKind as K;
        let (path, versions) = match which {
            0 => (format!("{}/ALL", grammar::seed_id(K::PrivateDnsZone)), K::PrivateDnsZone.api_versions()),
            1 => (format!("{}/recordsets", grammar::seed_id(K::PrivateDnsZone)), K::PrivateDnsZone.api_versions()),
            2 => (format!("{}/SOA/@", grammar::seed_id(K::PrivateDnsZone)), K::PrivateDnsZone.api_versions()),
            3 => (
                format!(
                    "{}/defaultSecurityRules/{name}",
                    grammar::id_of(K::NetworkSecurityGroup, crate::app::SUB, "arc", &["nsg".into()])
                ),
                K::NetworkSecurityGroup.api_versions(),
            ),
            4 => (
                format!("{}/privateLinkResources", grammar::seed_id(K::PrivateLinkScope)),
                K::PrivateLinkScope.api_versions(),
            ),
            _ => (
                format!("{}/privateLinkResources/{name}", grammar::seed_id(K::PrivateLinkScope)),
                K::PrivateLinkScope.api_versions(),
            ),
        };
        Shape::new(path, versions, Vec::new(), "special")
    });
    let elsewhere = select(
        &[
            "/",
            "/favicon.ico",
            "//subscriptions",
            "/subscriptions/",
            "/providers",
            "/tenants",
            "/subscriptions//resourceGroups/rg",
            "/_emulator",
            "/_emulator/nope",
            "/%2e%2e/subscriptions",
            "/subscriptions/%2F",
        ][..],
    )
    .prop_map(|p| Shape::new(p.to_string(), RESOURCES, Vec::new(), "elsewhere"));
    prop_oneof![
        6 => group,
        4 => with_method(simple, read_method()),
        1 => register,
        1 => with_method(operation, read_method()),
        3 => with_method(special, read_method()),
        1 => with_method(elsewhere, read_method()),
    ]
    .boxed()
}

fn resources(clean: bool) -> BoxedStrategy<Shape> {
    let all: Vec<(u32, BoxedStrategy<Shape>)> = ResourceKind::ALL
        .iter()
        .map(|k| (if k.parent().is_none() { 4 } else { 3 }, resource_shape(*k, clean)))
        .collect();
    Union::new_weighted(all).boxed()
}

/// What a hostile input addresses: anything.
fn shape() -> BoxedStrategy<Shape> {
    let collections: Vec<(u32, BoxedStrategy<Shape>)> =
        ResourceKind::ALL.iter().map(|k| (1, with_method(collection_shape(*k), read_method()))).collect();
    prop_oneof![
        14 => resources(false),
        3 => Union::new_weighted(collections),
        4 => arm_own_shape(),
    ]
    .boxed()
}

/// A change to a path's segments.
#[derive(Clone, Debug)]
enum PathMut {
    Upper,
    Lower,
    Trailing,
    DoubleSlash(usize),
    Insert(usize, String),
    Remove(usize),
    Replace(usize, String),
    Encode(usize),
    DotDot(usize),
}

fn path_mut() -> BoxedStrategy<PathMut> {
    prop_oneof![
        2 => Just(PathMut::Upper),
        2 => Just(PathMut::Lower),
        1 => Just(PathMut::Trailing),
        1 => any::<usize>().prop_map(PathMut::DoubleSlash),
        2 => (any::<usize>(), odd_text()).prop_map(|(a, s)| PathMut::Insert(a, s)),
        2 => any::<usize>().prop_map(PathMut::Remove),
        3 => (any::<usize>(), odd_text()).prop_map(|(a, s)| PathMut::Replace(a, s)),
        2 => any::<usize>().prop_map(PathMut::Encode),
        1 => any::<usize>().prop_map(PathMut::DotDot),
    ]
    .boxed()
}

fn mutate_path(path: &str, muts: &[PathMut]) -> String {
    let mut segs: Vec<String> = path.split('/').skip(1).map(str::to_string).collect();
    let mut trailing = false;
    for m in muts {
        let n = segs.len().max(1);
        match m {
            PathMut::Upper => segs.iter_mut().for_each(|s| *s = s.to_uppercase()),
            PathMut::Lower => segs.iter_mut().for_each(|s| *s = s.to_lowercase()),
            PathMut::Trailing => trailing = true,
            PathMut::DoubleSlash(at) => segs.insert(at % (n + 1).min(segs.len() + 1), String::new()),
            PathMut::Insert(at, s) => segs.insert(at % (segs.len() + 1), s.clone()),
            PathMut::Remove(at) if !segs.is_empty() => {
                segs.remove(at % segs.len());
            }
            PathMut::Replace(at, s) if !segs.is_empty() => {
                let i = at % segs.len();
                segs[i] = s.clone();
            }
            PathMut::Encode(at) if !segs.is_empty() => {
                let i = at % segs.len();
                segs[i] = segs[i].bytes().map(|b| format!("%{b:02x}")).collect();
            }
            PathMut::DotDot(at) => segs.insert(at % (segs.len() + 1), "..".to_string()),
            _ => {}
        }
    }
    let mut out = format!("/{}", segs.join("/"));
    if trailing {
        out.push('/');
    }
    out
}

/// How the query's api-version is chosen: an index into the valid ones, or something else.
#[derive(Clone, Debug)]
enum Api {
    Valid(usize),
    Missing,
    Text(String),
}

fn api() -> BoxedStrategy<Api> {
    prop_oneof![
        20 => any::<usize>().prop_map(Api::Valid),
        1 => Just(Api::Missing),
        2 => prop_oneof![
            select(&["2099-01-01", "", "garbage", "2021-01-01-preview", "2025-04-01%20", "%ZZ", "2025-04-01&api-version=2099-01-01",
                     "2016-06-01", "%32%30%32%35-04-01", "é", "2025-04-01#frag"][..]).prop_map(str::to_string),
            odd_text().prop_map(|s| crate::app::encode_path(&s)),
        ].prop_map(Api::Text),
    ]
    .boxed()
}

fn extra_query() -> BoxedStrategy<String> {
    prop_oneof![
        20 => Just(String::new()),
        1 => odd_text().prop_map(|s| format!("&$skipToken={}", crate::app::encode_path(&s))),
        1 => select(&["&$top=5", "&%ZZ=1", "&a=%", "&API-VERSION=2099-01-01", "&$filter=name eq 'x'", "&&&", "&=", "&$skipToken="][..])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// Headers of a client in good standing, mostly; odd ones sometimes.
pub fn headers() -> BoxedStrategy<Vec<(String, Data)>> {
    let host = prop_oneof![
        30 => select(&["localhost:8490", "127.0.0.1:8490", "[::1]:8490", "LOCALHOST", "127.0.0.2"][..]).prop_map(str::to_string),
        1 => select(&["evil.example", "", "127.0.0.1:8490.evil.example", "localhost:", "localhost:99999", "[::1", "a:b:c",
                      "localhost.", " localhost ", "127.0.0.1:8490,evil.example", "0x7f.1"][..]).prop_map(str::to_string),
        1 => odd_text(),
    ];
    let auth = prop_oneof![
        30 => Just(Some("Bearer fuzz".to_string())),
        1 => Just(None),
        1 => select(&["Bearer", "Bearer ", "Basic YTpi", "bearer  x ", "Token x", "Bearerx"][..]).prop_map(|s| Some(s.to_string())),
        1 => odd_text().prop_map(|s| Some(format!("Bearer {s}"))),
    ];
    let content_type = prop_oneof![
        30 => Just(Some("application/json".to_string())),
        2 => Just(None),
        1 => select(&["application/json; charset=utf-8", "text/plain", "application/merge-patch+json", "", "APPLICATION/JSON",
                      "application/x-www-form-urlencoded", "text/json", "application/jsonx", "multipart/form-data; boundary=x"][..])
            .prop_map(|s| Some(s.to_string())),
        1 => odd_text().prop_map(Some),
    ];
    let origin = prop_oneof![
        30 => Just(None),
        1 => select(&["http://localhost:8490", "http://evil.example", "null", "http://127.0.0.1:8490", "HTTP://LOCALHOST:8490", ""][..])
            .prop_map(|s| Some(s.to_string())),
        1 => odd_text().prop_map(Some),
    ];
    let extra = prop_oneof![
        20 => Just(Vec::new()),
        1 => (select(&["x-ms-correlation-request-id", "x-ms-client-request-id", "accept", "x-forwarded-proto", "if-match",
                       "x-http-method-override", "content-length", "transfer-encoding", "cookie"][..]), odd_text())
            .prop_map(|(k, v)| vec![(k.to_string(), v)]),
    ];
    (host, auth, content_type, origin, extra)
        .prop_map(|(host, auth, ct, origin, extra)| {
            let mut h: Vec<(String, String)> = vec![("host".into(), host)];
            if let Some(a) = auth {
                h.push(("authorization".into(), a));
            }
            if let Some(c) = ct {
                h.push(("content-type".into(), c));
            }
            if let Some(o) = origin {
                h.push(("origin".into(), o));
            }
            h.extend(extra);
            h.into_iter()
                .map(|(k, v)| (k, Data(v.into_bytes())))
                .filter(|(_, v)| axum::http::HeaderValue::from_bytes(&v.0).is_ok())
                .collect()
        })
        .boxed()
}

pub fn advance() -> BoxedStrategy<u64> {
    prop_oneof![12 => Just(0u64), 2 => 1u64..2500, 1 => 2000u64..60_000].boxed()
}

/// Half the inputs come from a client in good standing (valid headers, api-version, names from
/// the pools, a valid body), so that the world grows and later inputs meet what earlier ones
/// made; the other half are hostile (odd names, mutated paths, queries, headers and bodies).
pub fn case() -> BoxedStrategy<ArmCase> {
    prop_oneof![1 => clean_case(), 1 => hostile_case()].boxed()
}

fn clean_case() -> BoxedStrategy<ArmCase> {
    let group_method = prop_oneof![10 => Just("GET"), 30 => Just("PUT"), 1 => Just("DELETE")].prop_map(str::to_string);
    let group_body = Just(serde_json::json!({"location": "eastus"}));
    let group = (grammar::pool_group(), group_body, group_method).prop_map(|(id, body, method)| Shape {
        method,
        ..Shape::new(id, RESOURCES, serde_json::to_vec(&body).unwrap_or_default(), "group")
    });
    (prop_oneof![12 => resources(true), 2 => group], any::<usize>(), advance())
        .prop_map(|(shape, v, advance_ms)| {
            let query = format!("?api-version={}", shape.versions[v % shape.versions.len()]);
            let mut input = App::plain(&shape.method, &format!("{}{query}", shape.path), None);
            if matches!(shape.method.as_str(), "PUT" | "PATCH" | "POST") {
                input.headers.push(("content-type".to_string(), Data(b"application/json".to_vec())));
                input.body = Data(shape.body);
            }
            input.target = sendable_target(&input.target);
            input.advance_ms = advance_ms;
            ArmCase { input, follow: None, label: shape.label }
        })
        .boxed()
}

fn hostile_case() -> BoxedStrategy<ArmCase> {
    let mutations = prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(path_mut(), 1..3)];
    let follow = prop_oneof![8 => Just(None), 1 => any::<usize>().prop_map(Some)];
    (shape(), api(), extra_query(), mutations, headers(), advance(), follow)
        .prop_map(|(shape, api, extra, muts, headers, advance_ms, follow)| {
            let path = mutate_path(&shape.path, &muts);
            let query = match api {
                Api::Valid(i) => format!("?api-version={}", shape.versions[i % shape.versions.len()]),
                Api::Missing => String::new(),
                Api::Text(t) => format!("?api-version={t}"),
            };
            let query =
                if query.is_empty() && !extra.is_empty() { format!("?{}", &extra[1..]) } else { query + &extra };
            let method = shape.method;
            let body = if matches!(method.as_str(), "PUT" | "PATCH" | "POST") { shape.body } else { Vec::new() };
            ArmCase {
                input: HttpInput {
                    method,
                    target: sendable_target(&format!("{path}{query}")),
                    headers,
                    body: Data(body),
                    advance_ms,
                },
                follow,
                label: "hostile",
            }
        })
        .boxed()
}

/// The input a case sends, given the URLs the emulator returned so far.
pub fn resolve(app: &App, case: &ArmCase) -> HttpInput {
    let mut input = case.input.clone();
    if let Some(i) = case.follow {
        let links = app.links.borrow();
        if !links.is_empty() {
            input.target = links[i % links.len()].clone();
            input.method = "GET".to_string();
            input.body = Data::default();
        }
    }
    input
}

#[test]
fn arm_request_path() {
    harness::watch_errors();
    let settings = harness::Settings::from_env(TARGET.default_seed);
    let app = App::new(settings.seed);
    let history: History<HttpInput> = History::default();
    let puts_ok = Cell::new(0u64);
    let stats: RefCell<BTreeMap<(&'static str, String), u64>> = RefCell::default();
    let corpus = harness::corpus(TARGET.name, |_, b| harness::json_inputs::<HttpInput>(b))
        .into_iter()
        .map(|(f, input)| (f, ArmCase { input, follow: None, label: "corpus" }))
        .collect();
    let exec = |case: &ArmCase| {
        let input = resolve(&app, case);
        history.record(&input);
        let before = harness::error_count();
        let answer = app.send(&input)?;
        check_answer(&input, &answer)?;
        harness::no_errors_since(before)?;
        if input.method == "PUT" && answer.status < 300 {
            puts_ok.set(puts_ok.get() + 1);
        }
        if input.method == "PUT" && case.label != "hostile" {
            let code = answer.json()["error"]["code"].as_str().unwrap_or("ok").to_string();
            *stats.borrow_mut().entry((case.label, code)).or_insert(0u64) += 1;
        }
        Ok(())
    };
    let summary = harness::run(&TARGET, case(), corpus, exec, || app.sweep(), || history.save(TARGET.name));
    let resources = app.world.read(|w| w.resource_count());
    if std::env::var_os("ARCEMU_FUZZ_VERBOSE").is_some() {
        for ((label, code), n) in stats.borrow().iter() {
            println!("  PUT {label}: {code} x{n}");
        }
    }
    summary.report(
        TARGET.name,
        "no panic, no 5xx, every error an envelope, nothing logged at ERROR, world consistent",
        &format!(
            "{} successful PUTs, {resources} resources at the end; statuses {}",
            puts_ok.get(),
            app.status_report()
        ),
    );
}
