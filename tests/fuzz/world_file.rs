//! Target 4: the world-file loader. YAML and JSON texts through `arcemu::world_file::parse`,
//! then `apply` into a fresh world (what `arcemu serve --world FILE` does). Texts come from the
//! seed's world file, edited (entries dropped, swapped, repeated, replaced; resources of every
//! type, sites, forwarder VMs and lab clusters added from the grammars; JSON mutations), written
//! as YAML or JSON, then maybe mutated as text (YAML's anchors and aliases, merge keys, tags,
//! several documents, duplicate keys, tabs, deep nesting, bytes); and hand-written hostile YAML
//! (alias bombs, deep nesting).
//!
//! Invariants: no panic; a text that does not parse is refused with a message saying so; one
//! that parses is applied, or refused with a message naming the entry (`resources[3]`,
//! `sites.hq`, `forwarders.vm1`, `clusters.edge`) that exists in the file; either way, the world
//! it leaves renders every resource, explains every lab cluster without panicking, and every
//! DNS answer it gives from every vantage point names only names DNS can carry.

use crate::app::{SUB, SUB2, SUB3};
use crate::grammar::{self, ByteMut, JsonMut, byte_mut, json_mut, mutate_bytes, mutate_json, valid_body};
use crate::harness::{self, History, Target};
use arcemu::{SubscriptionConfig, World, WorldConfig};
use arcemu_model::ResourceKind;
use arcemu_model::clock::ManualClock;
use arcemu_model::dns::RecordData;
use hickory_resolver::proto::rr::Name;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeMap;

pub const TARGET: Target = Target {
    name: "world-file",
    default_seed: 0x0003_F11E_0004,
    regressions: "tests/fuzz/world_file.proptest-regressions",
};

/// One input: the text of a world file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorldText {
    pub text: String,
}

fn seed_world() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-world.yaml"))
        .expect("the seed world");
    serde_norway::from_str(&text).expect("the seed world is YAML")
}

/// An edit of the seed world (as a JSON value).
#[derive(Clone, Debug)]
enum Edit {
    Drop(usize),
    Swap(usize, usize),
    Repeat(usize),
    AddResource(usize, String, Value),
    AddLab(&'static str, String, Value),
    DropLab(&'static str, String),
}

fn add_resource() -> BoxedStrategy<(String, Value)> {
    let kinds: Vec<(u32, BoxedStrategy<(String, Value)>)> = ResourceKind::ALL
        .iter()
        .map(|k| {
            let strict = prop_oneof![3 => (grammar::pool_id(*k), valid_body(*k, true)), 1 => (grammar::some_id(*k), valid_body(*k, false))];
            (1, strict.boxed())
        })
        .collect();
    let group = (grammar::pool_group(), grammar::group_body()).boxed();
    prop_oneof![12 => Union::new_weighted(kinds), 1 => group].boxed()
}

fn edit() -> BoxedStrategy<Edit> {
    let lab_name = || prop_oneof![8 => select(&["hq", "branch", "edge", "edge2", "vm1"][..]).prop_map(str::to_string), 1 => grammar::odd_text()];
    prop_oneof![
        3 => any::<usize>().prop_map(Edit::Drop),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        1 => any::<usize>().prop_map(Edit::Repeat),
        6 => (any::<usize>(), add_resource()).prop_map(|(at, (id, body))| Edit::AddResource(at, id, body)),
        2 => (lab_name(), crate::admin::site_body()).prop_map(|(n, b)| Edit::AddLab("sites", n, b)),
        2 => (lab_name(), crate::admin::cluster_body()).prop_map(|(n, b)| Edit::AddLab("clusters", n, b)),
        1 => (lab_name(), crate::admin::forwarder_body()).prop_map(|(n, b)| Edit::AddLab("forwarders", n, b)),
        1 => (select(&["sites", "clusters", "forwarders"][..]), lab_name()).prop_map(|(w, n)| Edit::DropLab(w, n)),
    ]
    .boxed()
}

fn apply_edits(mut doc: Value, edits: &[Edit]) -> Value {
    for e in edits {
        let resources = doc["resources"].as_array_mut();
        match (e, resources) {
            (Edit::Drop(i), Some(r)) if !r.is_empty() => {
                let i = i % r.len();
                r.remove(i);
            }
            (Edit::Swap(a, b), Some(r)) if !r.is_empty() => {
                let n = r.len();
                r.swap(a % n, b % n);
            }
            (Edit::Repeat(i), Some(r)) if !r.is_empty() => {
                let x = r[i % r.len()].clone();
                r.push(x);
            }
            (Edit::AddResource(at, id, body), Some(r)) => {
                let at = at % (r.len() + 1);
                r.insert(at, json!({"id": id, "body": body}));
            }
            (Edit::AddLab(what, name, body), _) => {
                if !doc[*what].is_object() {
                    doc[*what] = json!({});
                }
                doc[*what][name.as_str()] = body.clone();
            }
            (Edit::DropLab(what, name), _) => {
                if let Some(m) = doc[*what].as_object_mut() {
                    m.remove(name.as_str());
                }
            }
            _ => {}
        }
    }
    doc
}

#[derive(Clone, Copy, Debug)]
enum Format {
    Yaml,
    Json,
    JsonPretty,
}

/// Text spliced into a world file: YAML's features and its traps.
const SNIPPETS: &[&str] = &[
    "\n&a x: *a\n",
    "*a",
    "&a ",
    "<<: *a\n",
    "!!binary aGk=",
    "!Custom ",
    "!!str ",
    "!!int ",
    "!!float .nan",
    "\n---\n",
    "\n...\n",
    "%YAML 1.1\n---\n",
    "? [a, b]\n: c\n",
    "\t",
    "\u{feff}",
    "\r\n",
    "\u{0}",
    "~",
    "null",
    "{",
    "}",
    "[",
    "]",
    ",",
    ": ",
    "- ",
    "#",
    "'",
    "\"",
    "|\n  x\n",
    ">-\n  y\n",
    "1e400",
    "0x7fffffffffffffffffff",
    ".inf",
    "-.inf",
    "é",
    "\\u0000",
    "\nresources: []\n",
    "\nsites: {}\n",
    "\nsites: []\n",
    "\nresources:\n  - id: /subscriptions\n",
    "\nfirewal: []\n",
    "\nclusters: ~\n",
    "\nresources: {id: x}\n",
    "   ",
    "\n",
];

#[derive(Clone, Debug)]
enum TextMut {
    Splice(usize, &'static str),
    Bytes(ByteMut),
}

/// Hand-written hostile documents.
fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        // An alias bomb: nine times nine times ... of the same list.
        (3usize..10).prop_map(|levels| {
            let mut t = String::from("x0: &x0 [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]\n");
            for i in 1..levels {
                let p = i - 1;
                t.push_str(&format!("x{i}: &x{i} [*x{p},*x{p},*x{p},*x{p},*x{p},*x{p},*x{p},*x{p},*x{p}]\n"));
            }
            format!("sites:\n  hq:\n    addressSpace: *x{}\n{}", levels - 1, t.replace('\n', "\n    "))
        }),
        (3usize..10).prop_map(|levels| {
            let mut t = String::from("sites:\n  hq: &s0 {addressSpace: [192.168.10.0/24]}\n");
            for i in 1..levels {
                t.push_str(&format!("  s{i}: &s{i} {{a: *s{}, b: *s{}}}\n", i - 1, i - 1));
            }
            t
        }),
        select(&[10usize, 100, 127, 128, 129, 1000][..]).prop_map(|n| format!("resources: {}{}", "[".repeat(n), "]".repeat(n))),
        select(&[10usize, 100, 127, 128, 129, 500][..]).prop_map(|n| {
            let mut t = String::from("sites:\n  hq:\n");
            for i in 0..n {
                t.push_str(&format!("{}a:\n", "  ".repeat(i + 2)));
            }
            t
        }),
        select(&[100usize, 1_000, 20_000][..]).prop_map(|n| format!("sites:\n  {}: {{}}\n", "x".repeat(n))),
        Just("sites: &a {hq: *a}\n".to_string()),
        Just("resources:\n  - &r {id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg, body: {location: eastus}}\n  - *r\n  - *r\n".to_string()),
        Just("resources:\n  - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg\n    body: &b {location: eastus, tags: *b}\n".to_string()),
        Just("sites:\n  hq: {addressSpace: [192.168.10.0/24]}\n  hq: {addressSpace: [192.168.11.0/24]}\n".to_string()),
        Just(String::new()),
        Just("---\n---\n".to_string()),
        Just("[]".to_string()),
        Just("resources: !!binary aGk=\n".to_string()),
        Just("sites: {hq: {addressSpace: [192.168.10.0/24], firewall: [{destination: AzureCloud, port: 1e400}]}}\n".to_string()),
        Just("clusters: {edge: {site: hq, connectedCluster: 18446744073709551616}}\n".to_string()),
    ]
    .boxed()
}

fn case() -> BoxedStrategy<WorldText> {
    let base = seed_world();
    let format = prop_oneof![2 => Just(Format::Yaml), 4 => Just(Format::Json), 1 => Just(Format::JsonPretty)];
    let text_mut = prop_oneof![
        2 => (any::<usize>(), select(SNIPPETS)).prop_map(|(a, s)| TextMut::Splice(a, s)),
        1 => byte_mut().prop_map(TextMut::Bytes),
    ];
    let edited = (
        // The seed's first resources (all of them a fifth of the time), so that texts are of
        // every length and entries often miss what they refer to.
        prop_oneof![1 => Just(usize::MAX), 4 => 0usize..20],
        prop::collection::vec(edit(), 0..4),
        prop_oneof![6 => Just(Vec::<JsonMut>::new()), 1 => prop::collection::vec(json_mut(), 1..3)],
        format,
        prop_oneof![6 => Just(Vec::<TextMut>::new()), 2 => prop::collection::vec(text_mut, 1..4)],
    )
        .prop_map(move |(keep, edits, jm, format, tm)| {
            let mut doc = base.clone();
            if let Some(r) = doc["resources"].as_array_mut() {
                r.truncate(keep);
            }
            let doc = apply_edits(doc, &edits);
            let text = match format {
                Format::Yaml => serde_norway::to_string(&doc).unwrap_or_default(),
                Format::Json if jm.is_empty() => serde_json::to_string(&doc).unwrap_or_default(),
                Format::Json | Format::JsonPretty if !jm.is_empty() => mutate_json(doc, &jm),
                _ => serde_json::to_string_pretty(&doc).unwrap_or_default(),
            };
            let mut bytes = text.into_bytes();
            for m in &tm {
                bytes = match m {
                    TextMut::Splice(at, s) => {
                        let at = at % (bytes.len() + 1);
                        let mut b = bytes;
                        b.splice(at..at, s.bytes());
                        b
                    }
                    TextMut::Bytes(bm) => mutate_bytes(bytes, std::slice::from_ref(bm)),
                };
            }
            WorldText { text: String::from_utf8_lossy(&bytes).into_owned() }
        });
    prop_oneof![10 => edited, 1 => hostile().prop_map(|text| WorldText { text })].boxed()
}

/// Three subscriptions (the third with no provider registered), two-second operations, `seed`
/// for every id: the world every fuzz target starts from.
pub(crate) fn config(seed: u64) -> WorldConfig {
    WorldConfig {
        seed,
        lro_delay: time::Duration::seconds(2),
        subscriptions: vec![
            SubscriptionConfig::registered(SUB, "default"),
            SubscriptionConfig::registered(SUB2, "second"),
            SubscriptionConfig::unregistered(SUB3, "unregistered"),
        ],
        ..WorldConfig::default()
    }
}

/// Names every vantage point is asked for.
const ASKED: &[&str] = &["gbl.his.arc.azure.com", "www.corp.example"];

/// Loads one text into a fresh world and checks it; what happened (for the statistics).
pub fn exec_one(seed: u64, input: &WorldText) -> Result<&'static str, String> {
    let file = match arcemu::world_file::parse(&input.text) {
        Ok(f) => f,
        Err(e) if e.starts_with("the world file is not valid") => return Ok("not parsed"),
        Err(e) => return Err(format!("a parse error that does not say so: {e}")),
    };
    let mut world = World::new(config(seed));
    let entries = file.resources.len() + file.sites.len() + file.forwarders.len() + file.clusters.len();
    let outcome = match arcemu::world_file::apply(&mut world, &file, ManualClock::DEFAULT_START) {
        Ok(n) if n == entries => "applied",
        Ok(n) => return Err(format!("applied {n} entries of {entries}")),
        Err(e) => {
            let named = match e.strip_prefix("resources[") {
                Some(rest) => rest
                    .split(']')
                    .next()
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| i < file.resources.len()),
                None => [("sites", &file.sites), ("forwarders", &file.forwarders), ("clusters", &file.clusters)]
                    .iter()
                    .any(|(what, m)| m.keys().any(|k| e.starts_with(&format!("{what}.{k}")))),
            };
            if !named {
                return Err(format!("a refusal that names no entry of the file: {e}"));
            }
            "refused"
        }
    };
    // The world the file left: every resource renders, every lab cluster explains itself (or
    // says why not), every DNS answer names only DNS names.
    for r in world.store().under("") {
        world.render(&r.id).map_err(|e| format!("{} is stored but does not render: {} {}", r.id, e.code, e.message))?;
    }
    let clusters: Vec<String> = world.lab_clusters().map(|c| c.name.clone()).collect();
    for c in clusters {
        let _ = world.explain_cluster(&c);
    }
    for v in world.dns_vantages() {
        for name in ASKED {
            let answer = world.resolve(&v, name, 1);
            for r in &answer.answers {
                let mut names = vec![r.name.as_str()];
                if let RecordData::Cname(t) = &r.data {
                    names.push(t);
                }
                for n in names {
                    if Name::from_ascii(n).is_err() || n.len() > 253 {
                        return Err(format!("{name} from {}: the answer names {n:?}, which DNS cannot carry", v.id()));
                    }
                }
            }
        }
    }
    Ok(outcome)
}

#[test]
fn world_file_loader() {
    harness::watch_errors();
    let settings = harness::Settings::from_env(TARGET.default_seed);
    let history: History<WorldText> = History::default();
    let stats: RefCell<BTreeMap<&'static str, u64>> = RefCell::default();
    let corpus = harness::corpus(TARGET.name, |path, bytes| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        if path.extension().is_some_and(|e| e == "inputs") {
            harness::json_inputs::<WorldText>(bytes)
        } else {
            Ok(vec![WorldText { text }])
        }
    });
    let seed = settings.seed;
    let exec = |input: &WorldText| {
        history.record(input);
        let before = harness::error_count();
        let what = exec_one(seed, input)?;
        harness::no_errors_since(before)?;
        *stats.borrow_mut().entry(what).or_default() += 1;
        Ok(())
    };
    let summary = harness::run(&TARGET, case(), corpus, exec, || Ok(()), || history.save(TARGET.name));
    let stats: Vec<String> = stats.borrow().iter().map(|(k, v)| format!("{k} x{v}")).collect();
    summary.report(
        TARGET.name,
        "no panic, every refusal names its entry, every world renders and resolves",
        &stats.join(", "),
    );
}
