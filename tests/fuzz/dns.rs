//! Target 3: the DNS message handler. Raw datagrams through `arcemu_fake_dns::answer_datagram`
//! (the code every UDP listener answers with, without its socket), from every vantage point
//! (the public view, the hub VNet, the sites, and ones that do not exist). Datagrams are valid
//! queries from a grammar (the Arc endpoints' names and odd labels, every type and class, flags,
//! opcodes, EDNS with options, counts that lie, compression pointers, extra records), then
//! maybe mutated byte by byte. One input in twelve changes the world instead (through the
//! door: record sets, zone links, sites, the VPN, CNAME chains and loops, very long names), so
//! that queries meet many states.
//!
//! Invariants: no panic, nothing logged at ERROR; a datagram with a readable header that is a
//! query gets an answer (never nothing): a DNS response with the query's id, which parses,
//! fits the client's payload size, and either repeats the question with NOERROR, NXDOMAIN,
//! SERVFAIL or REFUSED, or says FORMERR, NOTIMP or BADVERS.

use crate::grammar::{ByteMut, byte_mut, mutate_bytes};
use crate::harness::{self, Data, History, Target};
use arcemu::{SharedWorld, SubscriptionConfig, World, WorldConfig};
use arcemu_model::clock::{Clock, ManualClock};
use arcemu_model::dns::Vantage;
use arcemu_model::{Change, ResourceId};
use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use proptest::prelude::*;
use proptest::sample::select;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const TARGET: Target =
    Target { name: "dns", default_seed: 0xD45_0003, regressions: "tests/fuzz/dns.proptest-regressions" };

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc";

fn hub() -> String {
    format!("{RG}/providers/Microsoft.Network/virtualNetworks/hub")
}

/// One input: a datagram to a vantage point, or a change of the world (`World::apply`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DnsCase {
    Query {
        vantage: String,
        datagram: Data,
    },
    /// One of [`world_steps`].
    World {
        step: usize,
    },
    /// A site from the admin API's grammar.
    Site {
        name: String,
        body: Value,
    },
    /// A record set from the ARM grammar, in a private zone linked to the hub.
    Record {
        zone: String,
        kind: String,
        name: String,
        body: Value,
    },
}

// ---- queries ----

/// A query, before encoding.
#[derive(Clone, Debug)]
struct Query {
    id: u16,
    /// QR, opcode, AA, TC, RD (high byte); RA, Z, AD, CD, RCODE (low byte).
    flags: u16,
    questions: Vec<(NameForm, u16, u16)>,
    /// Counts to write instead of the true ones.
    counts: Option<[u16; 4]>,
    /// Records in the answer and authority sections (a query has none).
    extra_records: Vec<Vec<u8>>,
    edns: Option<Edns>,
}

#[derive(Clone, Debug)]
enum NameForm {
    Labels(Vec<Vec<u8>>),
    /// A pointer to an offset (12 is the first question's name).
    Pointer(u16),
    /// Labels, then a pointer.
    LabelsThenPointer(Vec<Vec<u8>>, u16),
}

#[derive(Clone, Debug)]
struct Edns {
    payload: u16,
    ext_rcode: u8,
    version: u8,
    flags: u16,
    options: Vec<(u16, Vec<u8>)>,
    /// The owner name must be the root; sometimes it is not.
    owner: Vec<Vec<u8>>,
}

const ARC_NAMES: &[&str] = &[
    "gbl.his.arc.azure.com",
    "eus.his.arc.azure.com",
    "agentserviceapi.guestconfiguration.azure.com",
    "eastus-gas.guestconfiguration.azure.com",
    "eastus.dp.kubernetesconfiguration.azure.com",
    "dp.kubernetesconfiguration.azure.com",
    "gbl.privatelink.his.arc.azure.com",
    "eus.privatelink.his.arc.azure.com",
    "privatelink.his.arc.azure.com",
    "his.arc.azure.com",
    "management.azure.com",
    "login.microsoftonline.com",
    "mcr.microsoft.com",
    "www.corp.example",
    "a.corp.example",
    "corp.example",
    "GBL.His.Arc.Azure.COM",
    "gbl.his.arc.azure.cn",
    "westus.his.arc.azure.us",
    "",
];

fn labels_of(name: &str) -> Vec<Vec<u8>> {
    name.split('.').filter(|l| !l.is_empty()).map(|l| l.as_bytes().to_vec()).collect()
}

const ODD_LABELS: &[&[u8]] = &[
    b"*",
    b"-",
    b"a b",
    b"a.b",
    b"\\",
    b"\x00",
    b"\xff\xfe",
    b"\xc3\xa9",
    b"xn--bcher-kva",
    b"_dns",
    b"@",
    b"-x",
    b"x-",
    b"a*b",
    b"a(b",
    b"www",
    b"a",
    b"b",
    b"gbl",
];

fn name_labels() -> BoxedStrategy<Vec<Vec<u8>>> {
    let odd_label = prop_oneof![
        3 => select(ODD_LABELS).prop_map(|l| l.to_vec()),
        2 => select(&[63usize, 64, 1][..]).prop_map(|n| vec![b'x'; n]),
        2 => prop::collection::vec(any::<u8>(), 1..20),
    ];
    prop_oneof![
        12 => select(ARC_NAMES).prop_map(labels_of),
        // The names the record sets and site records the inputs put have.
        8 => (record_name(), select(&["privatelink.his.arc.azure.com", "corp.example"][..]))
            .prop_map(|(r, z)| labels_of(&format!("{r}.{z}"))),
        2 => (select(ARC_NAMES), odd_label.clone(), any::<usize>()).prop_map(|(n, l, at)| {
            let mut ls = labels_of(n);
            let at = at % (ls.len() + 1);
            ls.insert(at, l);
            ls
        }),
        1 => (select(ARC_NAMES), 5usize..60).prop_map(|(n, k)| {
            // Longer than 255 bytes in all.
            let mut ls: Vec<Vec<u8>> = (0..k).map(|_| b"abcdefgh".to_vec()).collect();
            ls.extend(labels_of(n));
            ls
        }),
        1 => prop::collection::vec(odd_label, 0..4),
    ]
    .boxed()
}

fn name_form() -> BoxedStrategy<NameForm> {
    prop_oneof![
        20 => name_labels().prop_map(NameForm::Labels),
        1 => select(&[12u16, 0, 11, 13, 200, 16383][..]).prop_map(NameForm::Pointer),
        1 => (name_labels(), select(&[12u16, 0, 14, 300][..])).prop_map(|(l, p)| NameForm::LabelsThenPointer(l, p)),
    ]
    .boxed()
}

fn qtype() -> BoxedStrategy<u16> {
    prop_oneof![
        12 => Just(1u16),
        3 => Just(28u16),
        2 => Just(5u16),
        1 => select(&[255u16, 6, 2, 16, 15, 12, 33, 65, 251, 252, 0, 41, 65535][..]),
        1 => any::<u16>(),
    ]
    .boxed()
}

fn qclass() -> BoxedStrategy<u16> {
    prop_oneof![20 => Just(1u16), 1 => select(&[3u16, 4, 254, 255, 0, 65535][..]), 1 => any::<u16>()].boxed()
}

fn edns() -> BoxedStrategy<Edns> {
    let option = prop_oneof![
        3 => Just((10u16, vec![1, 2, 3, 4, 5, 6, 7, 8])),
        2 => Just((8u16, vec![0, 1, 24, 0, 10, 0, 0])),
        1 => Just((12u16, vec![0; 40])),
        1 => (any::<u16>(), prop::collection::vec(any::<u8>(), 0..16)),
    ];
    (
        prop_oneof![6 => select(&[1232u16, 4096, 512, 1400][..]), 1 => select(&[0u16, 1, 511, 65535, 8192][..])],
        prop_oneof![10 => Just(0u8), 1 => any::<u8>()],
        prop_oneof![10 => Just(0u8), 1 => Just(1u8), 1 => any::<u8>()],
        prop_oneof![6 => Just(0u16), 3 => Just(0x8000u16), 1 => any::<u16>()],
        prop::collection::vec(option, 0..3),
        prop_oneof![20 => Just(Vec::new()), 1 => Just(vec![b"x".to_vec()])],
    )
        .prop_map(|(payload, ext_rcode, version, flags, options, owner)| Edns {
            payload,
            ext_rcode,
            version,
            flags,
            options,
            owner,
        })
        .boxed()
}

fn flags() -> BoxedStrategy<u16> {
    prop_oneof![
        10 => Just(0x0100u16),            // RD
        3 => Just(0x0000u16),
        1 => Just(0x0120u16),             // RD, AD
        1 => Just(0x0110u16),             // RD, CD
        1 => Just(0x8180u16),             // a response
        1 => select(&[1u16, 2, 4, 5, 6, 15][..]).prop_map(|op| 0x0100 | (op << 11)), // other opcodes
        1 => any::<u16>(),
    ]
    .boxed()
}

fn query() -> BoxedStrategy<Query> {
    (
        any::<u16>(),
        flags(),
        prop_oneof![20 => prop::collection::vec((name_form(), qtype(), qclass()), 1..=1), 1 => prop::collection::vec((name_form(), qtype(), qclass()), 0..4)],
        prop_oneof![20 => Just(None), 1 => any::<[u16; 4]>().prop_map(Some), 1 => Just(Some([1, 0, 0, 65535]))],
        prop_oneof![20 => Just(Vec::new()), 1 => prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 1..3)],
        prop::option::weighted(0.5, edns()),
    )
        .prop_map(|(id, flags, questions, counts, extra_records, edns)| Query { id, flags, questions, counts, extra_records, edns })
        .boxed()
}

fn put_name(out: &mut Vec<u8>, form: &NameForm) {
    let labels = |out: &mut Vec<u8>, ls: &[Vec<u8>]| {
        for l in ls {
            out.push(l.len().min(255) as u8);
            out.extend_from_slice(&l[..l.len().min(255)]);
        }
    };
    match form {
        NameForm::Labels(ls) => {
            labels(out, ls);
            out.push(0);
        }
        NameForm::Pointer(p) => out.extend_from_slice(&(0xC000 | (p & 0x3FFF)).to_be_bytes()),
        NameForm::LabelsThenPointer(ls, p) => {
            labels(out, ls);
            out.extend_from_slice(&(0xC000 | (p & 0x3FFF)).to_be_bytes());
        }
    }
}

fn encode(q: &Query) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&q.id.to_be_bytes());
    out.extend_from_slice(&q.flags.to_be_bytes());
    let true_counts = [q.questions.len() as u16, 0, q.extra_records.len() as u16, u16::from(q.edns.is_some())];
    for c in q.counts.unwrap_or(true_counts) {
        out.extend_from_slice(&c.to_be_bytes());
    }
    for (name, t, c) in &q.questions {
        put_name(&mut out, name);
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(&c.to_be_bytes());
    }
    for r in &q.extra_records {
        out.extend_from_slice(r);
    }
    if let Some(e) = &q.edns {
        put_name(&mut out, &NameForm::Labels(e.owner.clone()));
        out.extend_from_slice(&41u16.to_be_bytes());
        out.extend_from_slice(&e.payload.to_be_bytes());
        out.push(e.ext_rcode);
        out.push(e.version);
        out.extend_from_slice(&e.flags.to_be_bytes());
        let rdata: Vec<u8> = e
            .options
            .iter()
            .flat_map(|(code, data)| {
                let mut o = code.to_be_bytes().to_vec();
                o.extend_from_slice(&(data.len() as u16).to_be_bytes());
                o.extend_from_slice(data);
                o
            })
            .collect();
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(&rdata);
    }
    out
}

fn vantage() -> BoxedStrategy<String> {
    prop_oneof![
        8 => Just("public".to_string()),
        6 => Just(format!("vnet:{}", hub())),
        6 => Just("site:hq".to_string()),
        2 => Just("site:branch".to_string()),
        1 => Just(format!("vnet:{RG}/providers/Microsoft.Network/virtualNetworks/spoke")),
        1 => Just("site:nope".to_string()),
    ]
    .boxed()
}

/// Record names: the ones queries ask for, and odd ones.
fn record_name() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(&["www", "a", "b", "gbl", "eus", "@", "*", "*.apps"][..]).prop_map(str::to_string),
        4 => select(&["@x", "-x", "x-", "a*b", "a(b", "_dns", "a.b", "*x"][..]).prop_map(str::to_string),
        1 => crate::grammar::odd_text(),
    ]
    .boxed()
}

fn site_change() -> BoxedStrategy<DnsCase> {
    let zone = |records: BTreeMap<String, Vec<String>>| json!({"zone": "corp.example", "records": records});
    let seed_site = json!({"addressSpace": ["192.168.10.0/24"], "dns": {"forwarders": [
        {"domain": "his.arc.azure.com", "targets": ["10.10.3.4"]}]}});
    let body = (
        prop_oneof![2 => Just(seed_site), 1 => crate::admin::site_body()],
        prop::option::weighted(
            0.5,
            prop::collection::btree_map(record_name(), prop::collection::vec(crate::grammar::ipv4(), 0..2), 1..3),
        ),
    )
        .prop_map(move |(mut b, records)| {
            if let Some(r) = records {
                b["dns"]["zones"] = json!([zone(r)]);
            }
            b
        });
    (prop_oneof![4 => Just("hq"), 1 => Just("branch")], body)
        .prop_map(|(n, body)| DnsCase::Site { name: n.to_string(), body })
        .boxed()
}

fn record_change() -> BoxedStrategy<DnsCase> {
    use arcemu_model::ResourceKind as K;
    (
        select(&["privatelink.his.arc.azure.com", "corp.example"][..]),
        any::<bool>(),
        record_name(),
        crate::grammar::valid_body(K::ARecordSet, false),
        crate::grammar::valid_body(K::CnameRecordSet, false),
    )
        .prop_map(|(zone, a, name, ab, cb)| DnsCase::Record {
            zone: zone.to_string(),
            kind: if a { "A" } else { "CNAME" }.to_string(),
            name,
            body: if a { ab } else { cb },
        })
        .boxed()
}

fn case() -> BoxedStrategy<DnsCase> {
    let datagram = prop_oneof![
        12 => query().prop_map(|q| encode(&q)),
        4 => (query(), prop::collection::vec(byte_mut(), 1..4)).prop_map(|(q, m): (Query, Vec<ByteMut>)| mutate_bytes(encode(&q), &m)),
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => select(&[0usize, 1, 11, 12, 13][..]).prop_map(|n| vec![0u8; n]),
    ];
    prop_oneof![
        24 => (vantage(), datagram).prop_map(|(vantage, d)| DnsCase::Query { vantage, datagram: Data(d) }),
        2 => any::<usize>().prop_map(|s| DnsCase::World { step: s % world_steps().len() }),
        2 => site_change(),
        2 => record_change(),
    ]
    .boxed()
}

// ---- world changes ----

fn zone(name: &str) -> ResourceId {
    ResourceId::parse(&format!("{RG}/providers/Microsoft.Network/privateDnsZones/{name}")).expect("a zone id")
}

/// The changes a world step makes, in order (each through `World::apply`).
enum Step {
    Put(String, Value),
    Delete(String),
    Site(&'static str, Value),
    DeleteSite(&'static str),
}

/// The step that creates `corp.example` and links it to the hub.
const CORP_ZONE_STEP: usize = 13;

fn world_steps() -> Vec<Vec<Step>> {
    let his = zone("privatelink.his.arc.azure.com").to_string();
    let corp = zone("corp.example").to_string();
    let link = |z: &str, policy: &str| {
        Step::Put(
            format!("{z}/virtualNetworkLinks/hub"),
            json!({"location": "global", "properties": {"virtualNetwork": {"id": hub()}, "resolutionPolicy": policy}}),
        )
    };
    let a = |z: &str, n: &str, ips: &[&str]| {
        let recs: Vec<Value> = ips.iter().map(|ip| json!({ "ipv4Address": ip })).collect();
        Step::Put(format!("{z}/A/{n}"), json!({"properties": {"ttl": 10, "aRecords": recs}}))
    };
    let cname = |z: &str, n: &str, target: &str| {
        Step::Put(format!("{z}/CNAME/{n}"), json!({"properties": {"ttl": 10, "cnameRecord": {"cname": target}}}))
    };
    let seed_site = json!({"addressSpace": ["192.168.10.0/24"], "dns": {"forwarders": [
        {"domain": "his.arc.azure.com", "targets": ["10.10.3.4"]},
        {"domain": "guestconfiguration.azure.com", "targets": ["10.10.3.4"]},
        {"domain": "dp.kubernetesconfiguration.azure.com", "targets": ["10.10.3.4"]}]}});
    let connection = format!("{RG}/providers/Microsoft.Network/connections/hub-to-hq");
    let long_label = "x".repeat(63);
    vec![
        vec![Step::Delete(format!("{his}/A/gbl"))],
        vec![a(&his, "gbl", &["10.10.1.4"])],
        vec![a(&his, "eus", &[])],
        vec![a(&his, "eus", &["10.10.1.5", "10.10.1.6", "10.10.1.7", "10.10.1.8"])],
        vec![Step::Delete(format!("{his}/virtualNetworkLinks/hub"))],
        vec![link(&his, "NxDomainRedirect")],
        vec![link(&his, "Default")],
        vec![Step::Site("hq", json!({"addressSpace": ["192.168.10.0/24"], "dns": {"publicFallback": false}}))],
        vec![Step::Site("hq", seed_site.clone())],
        vec![Step::Site(
            "branch",
            json!({"addressSpace": ["192.168.20.0/24"], "dns": {
            "zones": [{"zone": "corp.example", "records": {"@": ["192.168.20.5"], "www": ["192.168.20.6"]}}],
            "forwarders": [{"domain": "azure.com", "targets": ["10.10.3.4"]}, {"domain": "", "targets": ["192.168.10.53"]}]}}),
        )],
        vec![Step::DeleteSite("branch")],
        vec![Step::Delete(connection.clone())],
        vec![Step::Put(
            connection,
            json!({"location": "eastus", "properties": {"connectionType": "IPsec",
            "virtualNetworkGateway1": {"id": format!("{RG}/providers/Microsoft.Network/virtualNetworkGateways/hub-gw")},
            "localNetworkGateway2": {"id": format!("{RG}/providers/Microsoft.Network/localNetworkGateways/hq")}, "sharedKey": "x"}}),
        )],
        vec![
            Step::Put(corp.clone(), json!({"location": "global"})),
            link(&corp, "Default"),
            cname(&corp, "www", "gbl.his.arc.azure.com"),
        ],
        vec![cname(&corp, "a", "b.corp.example"), cname(&corp, "b", "a.corp.example")],
        vec![cname(&corp, "www", &format!("{long_label}.{long_label}.{long_label}.{long_label}.example"))],
        vec![a(&corp, &format!("{long_label}.{long_label}.{long_label}"), &["10.10.1.9"])],
        vec![cname(&his, "gbl", "gbl.his.arc.azure.com")],
        vec![Step::Delete(format!("{his}/CNAME/gbl")), a(&his, "gbl", &["10.10.1.4"])],
        vec![Step::Delete(corp)],
    ]
}

fn apply_step(world: &SharedWorld, step: usize) {
    let steps = world_steps();
    for change in &steps[step % steps.len()] {
        // Refusals are fine here (a record whose zone is gone, ...): the queries that follow
        // meet whatever state there is.
        let _ = match change {
            Step::Put(id, body) => match ResourceId::parse(id) {
                Ok(id) => world.apply(Change::PutResource { id: &id, body }),
                Err(_) => continue,
            },
            Step::Delete(id) => match ResourceId::parse(id) {
                Ok(id) => world.apply(Change::DeleteResource { id: &id }),
                Err(_) => continue,
            },
            Step::Site(name, body) => world.apply(Change::PutSite { name, body }),
            Step::DeleteSite(name) => world.apply(Change::DeleteSite { name }),
        };
    }
}

// ---- the invariants ----

/// The answer the UDP listener sends for `datagram`, checked; its rcode (for the statistics).
pub fn check(datagram: &[u8], answer: Option<&[u8]>) -> Result<String, String> {
    let header_ok = datagram.len() >= 12;
    let is_query = header_ok && datagram[2] & 0x80 == 0;
    let Some(resp) = answer else {
        return if is_query {
            Err(format!("a query got no answer: {}", harness::to_hex(datagram)))
        } else {
            Ok("no answer".to_string())
        };
    };
    if !is_query {
        return Err(format!("answered what is not a query: {}", harness::to_hex(datagram)));
    }
    let m =
        Message::from_vec(resp).map_err(|e| format!("the answer does not parse ({e}): {}", harness::to_hex(resp)))?;
    if m.metadata.message_type != MessageType::Response {
        return Err("the answer is not a response".into());
    }
    let id = u16::from_be_bytes([datagram[0], datagram[1]]);
    if m.metadata.id != id {
        return Err(format!("the answer's id {} is not the query's {id}", m.metadata.id));
    }
    let code = m.metadata.response_code;
    // 16 is BADVERS in an answer with EDNS (the parser may name it BADSIG: the same number).
    if u16::from(code) == 16 {
        return Ok("BADVERS".to_string());
    }
    if matches!(code, ResponseCode::FormErr | ResponseCode::NotImp) {
        return Ok(format!("{code:?}"));
    }
    if !matches!(code, ResponseCode::NoError | ResponseCode::NXDomain | ResponseCode::ServFail | ResponseCode::Refused)
    {
        return Err(format!("the answer's rcode {code:?} is none a handler gives"));
    }
    // An answer to a question: the query parses, and its question is repeated.
    let q = Message::from_vec(datagram).map_err(|e| {
        format!("answered {code:?} to a query that does not parse ({e}): {}", harness::to_hex(datagram))
    })?;
    if q.queries != m.queries {
        return Err(format!("the answer's question {:?} is not the query's {:?}", m.queries, q.queries));
    }
    let limit = q.edns.as_ref().map_or(512, |e| usize::from(e.max_payload().clamp(512, 4096)));
    if resp.len() > limit {
        return Err(format!("an answer of {} bytes to a client that takes {limit}", resp.len()));
    }
    Ok(format!("{code:?}"))
}

fn new_world(seed: u64) -> Arc<SharedWorld> {
    let clock = Arc::new(ManualClock::default());
    let config = WorldConfig {
        seed,
        subscriptions: vec![SubscriptionConfig::registered("00000000-0000-0000-0000-000000000000", "default")],
        ..WorldConfig::default()
    };
    let mut world = World::new(config);
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/seed-world.yaml"))
        .expect("the seed world");
    let file = arcemu::world_file::parse(&text).expect("the seed world parses");
    arcemu::world_file::apply(&mut world, &file, clock.now()).expect("the seed world applies");
    let world = Arc::new(SharedWorld::new(world, clock));
    // A second private zone linked to the hub, for the record sets the inputs put.
    apply_step(&world, CORP_ZONE_STEP);
    world
}

/// Runs one case against `world`; what the answer was (for the statistics).
pub fn exec_one(rt: &tokio::runtime::Runtime, world: &Arc<SharedWorld>, case: &DnsCase) -> Result<String, String> {
    match case {
        DnsCase::World { step } => {
            let before = harness::error_count();
            apply_step(world, *step);
            harness::no_errors_since(before).map(|()| "world step".to_string())
        }
        DnsCase::Site { name, body } => {
            let before = harness::error_count();
            let r = world.apply(Change::PutSite { name, body });
            harness::no_errors_since(before).map(|()| if r.is_ok() { "site put" } else { "site refused" }.to_string())
        }
        DnsCase::Record { zone: z, kind, name, body } => {
            let before = harness::error_count();
            let r = match ResourceId::parse(&format!("{}/{kind}/{name}", zone(z))) {
                Ok(id) => world.apply(Change::PutResource { id: &id, body }).is_ok(),
                Err(_) => false,
            };
            harness::no_errors_since(before).map(|()| if r { "record put" } else { "record refused" }.to_string())
        }
        DnsCase::Query { vantage, datagram } => {
            let v = Vantage::parse(vantage).ok_or_else(|| format!("not a vantage point: {vantage}"))?;
            let before = harness::error_count();
            let answer = rt.block_on(arcemu_fake_dns::answer_datagram(world.clone(), v, &datagram.0));
            let what = check(&datagram.0, answer.as_deref()).map_err(|e| format!("from {vantage}: {e}"))?;
            harness::no_errors_since(before)
                .map_err(|e| format!("from {vantage}, query {}: {e}", harness::to_hex(&datagram.0)))?;
            Ok(what)
        }
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

#[test]
fn dns_message_handler() {
    harness::watch_errors();
    let settings = harness::Settings::from_env(TARGET.default_seed);
    let rt = runtime();
    let world = new_world(settings.seed);
    let history: History<DnsCase> = History::default();
    let stats = std::cell::RefCell::new(std::collections::BTreeMap::<String, u64>::new());
    let corpus = harness::corpus(TARGET.name, |_, b| harness::json_inputs::<DnsCase>(b));
    let exec = |case: &DnsCase| {
        history.record(case);
        let what = exec_one(&rt, &world, case)?;
        *stats.borrow_mut().entry(what).or_default() += 1;
        Ok(())
    };
    let summary = harness::run(&TARGET, case(), corpus, exec, || Ok(()), || history.save(TARGET.name));
    let stats: Vec<String> = stats.borrow().iter().map(|(k, v)| format!("{k}x{v}")).collect();
    summary.report(
        TARGET.name,
        "no panic, every query answered and parsed, nothing logged at ERROR",
        &format!("answers {}", stats.join(" ")),
    );
}
