//! Generators the targets share: names from small pools (so that later inputs hit what earlier
//! ones created), ARM ids of every served type, a valid body per type (a small grammar after the
//! REST API shapes the model reads), odd text, arbitrary JSON, and mutations of JSON values and
//! of bytes.

use crate::app::{SUB, SUB2, SUB3};
use arcemu_model::ResourceKind;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

// ---- pools ----

pub fn subscription() -> BoxedStrategy<String> {
    prop_oneof![
        12 => Just(SUB.to_string()),
        2 => Just(SUB2.to_string()),
        1 => Just(SUB3.to_string()),
        1 => Just("33333333-3333-3333-3333-333333333333".to_string()),
        1 => odd_text(),
    ]
    .boxed()
}

pub fn resource_group() -> BoxedStrategy<String> {
    prop_oneof![
        8 => Just("arc".to_string()),
        4 => Just("rg".to_string()),
        1 => Just("ARC".to_string()),
        1 => Just("rg2".to_string()),
        1 => odd_text(),
    ]
    .boxed()
}

/// Names a kind's resources get: the seed world's, a second one, and the odd.
pub fn names_of(kind: ResourceKind) -> &'static [&'static str] {
    use ResourceKind as K;
    match kind {
        K::PrivateLinkScope => &["arc-pls", "pls2"],
        K::PrivateEndpointConnection => &["conn", "arc-pe.conn"],
        K::ConnectedCluster => &["edge", "c2"],
        K::ClusterExtension => &["flux", "azuremonitor-containers"],
        K::FluxConfiguration => &["cfg", "apps"],
        K::CustomLocation => &["cl"],
        K::VirtualNetwork => &["hub", "spoke"],
        K::Subnet => &["endpoints", "GatewaySubnet", "dns-inbound", "workload", "AzureFirewallSubnet"],
        K::NetworkSecurityGroup => &["nsg"],
        K::SecurityRule => &["r1", "r2"],
        K::PrivateEndpoint => &["arc-pe", "pe2"],
        K::PrivateDnsZoneGroup => &["default"],
        K::PrivateDnsZone => &[
            "privatelink.his.arc.azure.com",
            "privatelink.guestconfiguration.azure.com",
            "privatelink.dp.kubernetesconfiguration.azure.com",
            "corp.example",
        ],
        K::VirtualNetworkLink => &["hub", "spoke"],
        K::ARecordSet => &["gbl", "eus", "agentserviceapi", "eastus-gas", "eastus", "@"],
        K::CnameRecordSet => &["alias", "www"],
        K::VirtualNetworkGateway => &["hub-gw"],
        K::LocalNetworkGateway => &["hq"],
        K::Connection => &["hub-to-hq", "er"],
        K::ExpressRouteCircuit => &["circuit"],
        K::DnsResolver => &["resolver"],
        K::DnsResolverInboundEndpoint => &["inbound"],
        K::AzureFirewall => &["fw"],
    }
}

pub fn name_of(kind: ResourceKind) -> BoxedStrategy<String> {
    prop_oneof![
        20 => select(names_of(kind)).prop_map(str::to_string),
        1 => odd_text(),
    ]
    .boxed()
}

/// The chain of kinds from the top-level one down to `kind`.
pub fn chain(kind: ResourceKind) -> Vec<ResourceKind> {
    let mut out = vec![kind];
    while let Some(p) = out.last().and_then(|k| k.parent()) {
        out.push(p);
    }
    out.reverse();
    out
}

/// The ARM id of a resource of `kind` whose chain has these names (top-level first).
pub fn id_of(kind: ResourceKind, sub: &str, rg: &str, names: &[String]) -> String {
    let kinds = chain(kind);
    let mut id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    for (i, k) in kinds.iter().enumerate() {
        let name = names.get(i).map(String::as_str).unwrap_or("x");
        if i == 0 || k.is_extension_resource() {
            id.push_str(&format!("/providers/{}/{name}", k.arm_type()));
        } else {
            let last = k.arm_type().rsplit('/').next().unwrap_or_default();
            id.push_str(&format!("/{last}/{name}"));
        }
    }
    id
}

/// The id of the seed world's resource of `kind` (names from the head of the pools).
pub fn seed_id(kind: ResourceKind) -> String {
    let names: Vec<String> = chain(kind).iter().map(|k| names_of(*k)[0].to_string()).collect();
    id_of(kind, SUB, "arc", &names)
}

/// An id of `kind`: mostly from the pools (often existing), sometimes odd.
pub fn some_id(kind: ResourceKind) -> BoxedStrategy<String> {
    let names: Vec<BoxedStrategy<String>> = chain(kind).into_iter().map(name_of).collect();
    (subscription(), resource_group(), names).prop_map(move |(s, g, n)| id_of(kind, &s, &g, &n)).boxed()
}

/// An id of `kind` with names from the pools, in the seed's subscription and groups.
pub fn pool_id(kind: ResourceKind) -> BoxedStrategy<String> {
    let names: Vec<BoxedStrategy<String>> =
        chain(kind).into_iter().map(|k| select(names_of(k)).prop_map(str::to_string).boxed()).collect();
    (prop_oneof![8 => Just(SUB), 1 => Just(SUB2)], prop_oneof![6 => Just("arc"), 1 => Just("rg")], names)
        .prop_map(move |(s, g, n)| id_of(kind, s, g, &n))
        .boxed()
}

/// A resource group id from the pools.
pub fn pool_group() -> BoxedStrategy<String> {
    (
        prop_oneof![8 => Just(SUB), 1 => Just(SUB2), 1 => Just(SUB3)],
        prop_oneof![6 => Just("arc"), 2 => Just("rg"), 1 => Just("rg2")],
    )
        .prop_map(|(s, g)| format!("/subscriptions/{s}/resourceGroups/{g}"))
        .boxed()
}

/// An id to refer to from a body: the seed world's one, one from the pools, or not an id.
pub fn ref_id(kind: ResourceKind) -> BoxedStrategy<String> {
    prop_oneof![
        8 => Just(seed_id(kind)),
        4 => some_id(kind),
        1 => odd_text(),
        1 => Just("/subscriptions/x".to_string()),
    ]
    .boxed()
}

pub fn location() -> BoxedStrategy<String> {
    prop_oneof![
        20 => Just("eastus".to_string()),
        3 => Just("westus".to_string()),
        1 => Just("EastUS".to_string()),
        1 => Just("East US".to_string()),
        1 => Just("global".to_string()),
        1 => Just("chinaeast2".to_string()),
        1 => Just("atlantis".to_string()),
        1 => odd_text(),
    ]
    .boxed()
}

const VALID_CIDRS: &[&str] = &[
    "10.10.0.0/16",
    "10.10.1.0/24",
    "10.10.2.0/27",
    "10.10.3.0/28",
    "10.10.8.0/24",
    "10.20.0.0/16",
    "10.20.1.0/24",
    "192.168.0.0/16",
    "192.168.10.0/24",
    "10.10.4.0/26",
];

const VALID_IPS: &[&str] = &["10.10.1.4", "10.10.3.4", "10.10.1.5", "192.168.10.5", "10.20.1.4", "203.0.113.10"];

pub fn cidr() -> BoxedStrategy<String> {
    prop_oneof![
        10 => select(VALID_CIDRS).prop_map(str::to_string),
        1 => select(&[
            "10.0.0.0/33", "300.1.1.1/8", "::1/128", "10.0.0.1", "", "0.0.0.0/0", "10.10.0.1/16", "10.10.0.0/-1",
            "10.10.0.0/", "/16", "10.10.0.0/16/16", "１０.0.0.0/8",
        ][..]).prop_map(str::to_string),
        1 => odd_text(),
    ]
    .boxed()
}

pub fn ipv4() -> BoxedStrategy<String> {
    prop_oneof![
        10 => select(VALID_IPS).prop_map(str::to_string),
        2 => any::<[u8; 4]>().prop_map(|b| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])),
        1 => select(&["10.0.0.300", "::1", "", "10.0.0", "010.010.001.004", "1.2.3.4.5", "10.0.0.1 "][..])
            .prop_map(str::to_string),
        1 => odd_text(),
    ]
    .boxed()
}

/// Text that has broken something somewhere: empty, non-ASCII, percent signs, separators,
/// control characters, very long.
pub fn odd_text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(&[
            "", " ", "é", "日本語", "🙂", "\u{200b}", "a b", "%", "%00", "%ZZ", "%C3", "%FF%FE", "..", ".", "~", "CON",
            "a?b", "a#b", "a/b", "a\\b", "'\"", "<x>", "\u{0}", "\n", "\t", "-x", "x-", "_", "x.", "UPPER", "a:b",
            "a;b", "a&b=c", "*", "@", "AzureActiveDirectory.ééé", "Storage.é", "ß", "İ", "\u{feff}", "\r\n",
            "null", "true", "0", "-1", "1e999", "NaN", "\u{7f}", "\u{fffd}", "ﬁ",
        ][..]).prop_map(str::to_string),
        2 => (select(&["x", "é", "a-", "日", "%41", "."][..]), select(&[63usize, 64, 65, 80, 90, 254, 256, 261, 1000, 5000][..]))
            .prop_map(|(s, n)| s.repeat(n)),
        3 => "[a-zA-Z0-9éß日🙂%./\\\\_ :?#&=+-]{0,24}",
    ]
    .boxed()
}

// ---- JSON ----

pub fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        (-3i64..70000).prop_map(|n| json!(n)),
        odd_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Keys: the ones the model reads (so that a mutation swaps a known field's type), and others.
pub fn key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(&[
            "location", "properties", "tags", "identity", "kind", "sku", "id", "name", "type", "addressPrefix",
            "addressSpace", "addressPrefixes", "subnets", "subnet", "privateLinkServiceConnections", "groupIds",
            "privateLinkServiceId", "privateLinkState", "privateLinkScopeResourceId", "publicNetworkAccess",
            "virtualNetwork", "securityRules", "priority", "direction", "aRecords", "ipv4Address", "ttl",
            "cnameRecord", "cname", "privateDnsZoneConfigs", "privateDnsZoneId", "gatewayType", "ipConfigurations",
            "connectionType", "virtualNetworkGateway1", "localNetworkGateway2", "peer", "extensionType",
            "sourceKind", "gitRepository", "kustomizations", "hostResourceId", "namespace", "site", "connectedCluster",
            "dns", "zones", "records", "forwarders", "targets", "firewall", "destination", "port", "inbound",
            "expressRouteCircuit", "address", "scope", "clusters", "resources", "body", "sites",
            "privateLinkServiceConnectionState", "status", "resolutionPolicy", "dhcpOptions", "dnsServers",
            "additionalProperties", "Network.DNS.EnableProxy", "networkSecurityGroup", "publicFallback",
        ][..]).prop_map(str::to_string),
        1 => odd_text(),
    ]
    .boxed()
}

/// Raw JSON text that `serde_json::Value` cannot hold, or that is hostile: numbers out of
/// range, deep nesting, lone surrogates, very long strings.
pub fn raw_json() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&[
            "1e400", "-1e400", "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890",
            "1.7976931348623157e309", "1e-400", "NaN", "Infinity", "-0", "01", "1.", ".5", "\"\\ud800\"",
            "\"\\u0000\"", "\"\\udfff\\ud800\"", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "'x'", "\"\\x41\"",
            "{\"location\":\"eastus\",\"location\":\"westus\"}", "9007199254740993", "4294967296", "65536", "-1",
        ][..]).prop_map(str::to_string),
        2 => (select(&[126usize, 127, 128, 129, 1000, 5000][..]), any::<bool>()).prop_map(|(n, arr)| {
            if arr { format!("{}1{}", "[".repeat(n), "]".repeat(n)) } else { format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)) }
        }),
        1 => select(&[1000usize, 70_000][..]).prop_map(|n| format!("\"{}\"", "x".repeat(n))),
    ]
    .boxed()
}

/// One change to a JSON value; `at` picks a node (pre-order, modulo their number).
#[derive(Clone, Debug)]
pub enum JsonMut {
    Replace(usize, Value),
    Remove(usize),
    Insert(usize, String, Value),
    /// Replaces the node with raw text (after serialization).
    Raw(usize, String),
}

pub fn json_mut() -> BoxedStrategy<JsonMut> {
    prop_oneof![
        4 => (any::<usize>(), any_json()).prop_map(|(a, v)| JsonMut::Replace(a, v)),
        2 => any::<usize>().prop_map(JsonMut::Remove),
        2 => (any::<usize>(), key(), any_json()).prop_map(|(a, k, v)| JsonMut::Insert(a, k, v)),
        1 => (any::<usize>(), raw_json()).prop_map(|(a, r)| JsonMut::Raw(a, r)),
    ]
    .boxed()
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Step::Key(k.clone()));
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(Step::Index(i));
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match (s, cur) {
            (Step::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Step::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The JSON text of `v` after the mutations.
pub fn mutate_json(mut v: Value, muts: &[JsonMut]) -> String {
    let mut raws: Vec<String> = Vec::new();
    for m in muts {
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let pick = |at: &usize| all[*at % all.len()].clone();
        match m {
            JsonMut::Replace(at, x) => {
                if let Some(n) = node(&mut v, &pick(at)) {
                    *n = x.clone();
                }
            }
            JsonMut::Remove(at) => {
                let path = pick(at);
                if let Some((last, parent)) = path.split_last()
                    && let Some(p) = node(&mut v, parent)
                {
                    match (last, p) {
                        (Step::Key(k), Value::Object(m)) => {
                            m.remove(k);
                        }
                        (Step::Index(i), Value::Array(a)) if *i < a.len() => {
                            a.remove(*i);
                        }
                        _ => {}
                    }
                }
            }
            JsonMut::Insert(at, k, x) => match node(&mut v, &pick(at)) {
                Some(Value::Object(m)) => {
                    m.insert(k.clone(), x.clone());
                }
                Some(Value::Array(a)) => a.push(x.clone()),
                _ => {}
            },
            JsonMut::Raw(at, raw) => {
                if let Some(n) = node(&mut v, &pick(at)) {
                    *n = Value::String(format!("@@raw{}@@", raws.len()));
                    raws.push(raw.clone());
                }
            }
        }
    }
    let mut text = serde_json::to_string(&v).unwrap_or_default();
    for (i, raw) in raws.iter().enumerate() {
        text = text.replacen(&format!("\"@@raw{i}@@\""), raw, 1);
    }
    text
}

/// One change to bytes; positions are taken modulo the length.
#[derive(Clone, Debug)]
pub enum ByteMut {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
}

const ODD_BYTES: &[&[u8]] =
    &[b"\xff", b"\xc3", b"\x00", b"\"", b"{", b"}", b"[", b",", b"\\", b"\xed\xa0\x80", b"\xef\xbb\xbf"];

pub fn byte_mut() -> BoxedStrategy<ByteMut> {
    prop_oneof![
        2 => any::<usize>().prop_map(ByteMut::Truncate),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(a, b)| ByteMut::Flip(a, b)),
        2 => (any::<usize>(), prop_oneof![
            prop::collection::vec(any::<u8>(), 1..8),
            select(ODD_BYTES).prop_map(|b| b.to_vec()),
        ]).prop_map(|(a, b)| ByteMut::Insert(a, b)),
        1 => (any::<usize>(), 1usize..64).prop_map(|(a, n)| ByteMut::Duplicate(a, n)),
    ]
    .boxed()
}

pub fn mutate_bytes(mut b: Vec<u8>, muts: &[ByteMut]) -> Vec<u8> {
    for m in muts {
        let len = b.len();
        match m {
            ByteMut::Truncate(at) => b.truncate(if len == 0 { 0 } else { at % len }),
            ByteMut::Flip(at, x) if len > 0 => b[at % len] ^= x | 1,
            ByteMut::Flip(..) => {}
            ByteMut::Insert(at, x) => {
                let at = if len == 0 { 0 } else { at % (len + 1) };
                b.splice(at..at, x.iter().copied());
            }
            ByteMut::Duplicate(at, n) if len > 0 => {
                let start = at % len;
                let end = (start + n).min(len);
                let piece = b[start..end].to_vec();
                b.splice(end..end, piece);
            }
            ByteMut::Duplicate(..) => {}
        }
    }
    b
}

/// A body: a valid one, or a mutation of it (JSON-level, then maybe bytes), or garbage.
pub fn body_from(valid: BoxedStrategy<Value>) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        12 => valid.clone().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        6 => (valid.clone(), prop::collection::vec(json_mut(), 1..4)).prop_map(|(v, m)| mutate_json(v, &m).into_bytes()),
        2 => (valid, prop::collection::vec(json_mut(), 0..2), prop::collection::vec(byte_mut(), 1..4))
            .prop_map(|(v, jm, bm)| mutate_bytes(mutate_json(v, &jm).into_bytes(), &bm)),
        1 => any_json().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => raw_json().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => select(&["", " ", "null", "{}", "[]", "\"x\"", "0", "{\"properties\":null}", "{\"properties\":[]}"][..])
            .prop_map(|s| s.as_bytes().to_vec()),
    ]
    .boxed()
}

// ---- valid bodies of every ARM type ----

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<String, Value>>())
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(s: BoxedStrategy<T>) -> BoxedStrategy<Option<T>> {
    prop::option::weighted(0.7, s).boxed()
}

fn idr(strict: bool, kind: ResourceKind) -> BoxedStrategy<Value> {
    refd(strict, kind).prop_map(|id| json!({ "id": id })).boxed()
}

fn refd(strict: bool, kind: ResourceKind) -> BoxedStrategy<String> {
    if strict { Just(seed_id(kind)).boxed() } else { ref_id(kind) }
}

fn loc(strict: bool) -> BoxedStrategy<String> {
    if strict {
        prop_oneof![19 => Just("eastus".to_string()), 1 => Just("westus".to_string())].boxed()
    } else {
        location()
    }
}

fn net(strict: bool) -> BoxedStrategy<String> {
    if strict { select(VALID_CIDRS).prop_map(str::to_string).boxed() } else { cidr() }
}

fn ip(strict: bool) -> BoxedStrategy<String> {
    if strict { select(VALID_IPS).prop_map(str::to_string).boxed() } else { ipv4() }
}

fn txt(strict: bool) -> BoxedStrategy<String> {
    if strict { Just("fuzz".to_string()).boxed() } else { odd_text() }
}

fn tags_s(strict: bool) -> BoxedStrategy<Value> {
    if strict { Just(json!({"env": "test"})).boxed() } else { tags() }
}

/// The seed's hub subnets and their prefixes (a strict VNet body takes some of them).
pub const STRICT_SUBNETS: &[(&str, &str)] = &[
    ("endpoints", "10.10.1.0/24"),
    ("GatewaySubnet", "10.10.2.0/27"),
    ("dns-inbound", "10.10.3.0/28"),
    ("AzureFirewallSubnet", "10.10.4.0/26"),
    ("workload", "10.10.8.0/24"),
];

fn subnet_in(strict: bool, names: &'static [&'static str]) -> BoxedStrategy<Value> {
    let hub = seed_id(ResourceKind::VirtualNetwork);
    if strict {
        return select(names).prop_map(move |n| json!({ "id": format!("{hub}/subnets/{n}") })).boxed();
    }
    prop_oneof![
        6 => select(names).prop_map(move |n| json!({ "id": format!("{hub}/subnets/{n}") })),
        1 => idr(false, ResourceKind::Subnet),
    ]
    .boxed()
}

pub fn tags() -> BoxedStrategy<Value> {
    prop::collection::btree_map(
        prop_oneof![3 => Just("env".to_string()), 1 => odd_text()],
        prop_oneof![3 => Just("test".to_string()), 1 => odd_text()],
        0..3,
    )
    .prop_map(|m: BTreeMap<String, String>| json!(m))
    .boxed()
}

fn security_rule(strict: bool) -> BoxedStrategy<Value> {
    (
        100i64..4200,
        if strict { select(&["Inbound", "Outbound"][..]) } else { select(&["Inbound", "Outbound", "Sideways"][..]) },
        select(&["Allow", "Deny"][..]),
        select(&["Tcp", "Udp", "*", "Icmp"][..]),
        prop_oneof![
            4 => select(&["*", "VirtualNetwork", "AzureActiveDirectory", "AzureResourceManager", "AzureFrontDoor.FirstParty",
                          "MicrosoftContainerRegistry", "Internet", "10.10.0.0/16", "AzureArcInfrastructure", "Storage.EastUS"][..])
                .prop_map(str::to_string),
            if strict { 0 } else { 1 } => odd_text(),
        ],
        if strict { select(&["443", "*", "80-443"][..]) } else { select(&["443", "*", "80-443", "0", "70000", "a"][..]) },
    )
        .prop_map(|(priority, direction, access, protocol, dst, port)| {
            json!({"priority": priority, "direction": direction, "access": access, "protocol": protocol,
                   "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": dst,
                   "destinationPortRange": port})
        })
        .boxed()
}

/// A valid (or nearly valid) PUT body for `kind`, after the REST API's shapes.
pub fn valid_body(kind: ResourceKind, strict: bool) -> BoxedStrategy<Value> {
    use ResourceKind as K;
    let tracked = move |props: BoxedStrategy<Value>| -> BoxedStrategy<Value> {
        (loc(strict), maybe(tags_s(strict)), props)
            .prop_map(|(l, t, p)| {
                let mut v = obj(vec![("location", json!(l)), ("properties", p)]);
                if let Some(t) = t {
                    v["tags"] = t;
                }
                v
            })
            .boxed()
    };
    let global = move |props: BoxedStrategy<Value>| -> BoxedStrategy<Value> {
        (prop_oneof![8 => Just("global".to_string()), 1 => loc(strict)], props)
            .prop_map(|(l, p)| json!({"location": l, "properties": p}))
            .boxed()
    };
    let child = |props: BoxedStrategy<Value>| -> BoxedStrategy<Value> {
        props.prop_map(|p| json!({ "properties": p })).boxed()
    };
    match kind {
        K::PrivateLinkScope => tracked(
            select(&["Enabled", "Disabled", "enabled", "Off"][..]).prop_map(|a| json!({"publicNetworkAccess": a})).boxed(),
        ),
        K::PrivateEndpointConnection => child(
            (select(&["Approved", "Rejected", "Pending", "Disconnected", "Maybe"][..]), txt(strict))
                .prop_map(|(s, d)| json!({"privateLinkServiceConnectionState": {"status": s, "description": d}}))
                .boxed(),
        ),
        K::ConnectedCluster => (
            loc(strict),
            prop_oneof![3 => Just(Some("Enabled")), 3 => Just(Some("Disabled")), 2 => Just(None), 1 => Just(Some("On"))],
            maybe(refd(strict, K::PrivateLinkScope)),
            select(&["SystemAssigned", "None", "UserAssigned"][..]),
        )
            .prop_map(|(l, state, scope, identity)| {
                let mut p = json!({"agentPublicKeyCertificate": "MIIBCgKCAQEA-fuzz", "distribution": "k3s"});
                if let Some(s) = state {
                    p["privateLinkState"] = json!(s);
                }
                if let Some(s) = scope {
                    p["privateLinkScopeResourceId"] = json!(s);
                }
                json!({"location": l, "identity": {"type": identity}, "properties": p})
            })
            .boxed(),
        K::ClusterExtension => child(
            (
                select(&["microsoft.flux", "microsoft.azuremonitor.containers", "microsoft.azuredefender.kubernetes",
                         "Microsoft.PolicyInsights", "contoso.widgets"][..]),
                any::<bool>(),
                maybe(prop::collection::btree_map("[a-z.]{1,8}", txt(strict), 0..3).boxed()),
            )
                .prop_map(|(t, auto, settings)| {
                    let mut p = json!({"extensionType": t, "autoUpgradeMinorVersion": auto, "releaseTrain": "Stable"});
                    if let Some(s) = settings {
                        p["configurationSettings"] = json!(s);
                    }
                    p
                })
                .boxed(),
        ),
        K::FluxConfiguration => child(
            (select(&["cluster", "namespace", "Cluster", "galaxy"][..]), select(&["GitRepository", "Bucket", "AzureBlob", "Svn"][..]), any::<bool>())
                .prop_map(|(scope, kind, with_k)| {
                    let mut p = json!({"scope": scope, "namespace": "flux-system", "sourceKind": kind,
                        "gitRepository": {"url": "https://github.com/Azure/gitops-flux2-kustomize-helm-mt", "repositoryRef": {"branch": "main"}},
                        "bucket": {"url": "https://bucket.example", "bucketName": "b"},
                        "azureBlob": {"url": "https://blob.example", "containerName": "c"}});
                    if with_k {
                        p["kustomizations"] = json!({"infra": {"path": "./infrastructure"}, "apps": {"path": "./apps", "dependsOn": ["infra"]}});
                    }
                    p
                })
                .boxed(),
        ),
        K::CustomLocation => tracked(
            (refd(strict, K::ConnectedCluster), select(&["Kubernetes", "kubernetes", "Other"][..]), maybe(refd(strict, K::ClusterExtension)))
                .prop_map(|(host, ht, ext)| {
                    json!({"hostResourceId": host, "namespace": "arc", "hostType": ht,
                           "clusterExtensionIds": ext.into_iter().collect::<Vec<_>>()})
                })
                .boxed(),
        ),
        K::VirtualNetwork if strict => tracked(
            (select(&["10.10.0.0/16", "10.20.0.0/16"][..]), prop::sample::subsequence(STRICT_SUBNETS, 0..=STRICT_SUBNETS.len()))
                .prop_map(|(space, subnets)| {
                    let subnets: Vec<Value> = subnets
                        .into_iter()
                        .map(|(n, c)| json!({"name": n, "properties": {"addressPrefix": c.replacen("10.10", &space[..5], 1)}}))
                        .collect();
                    json!({"addressSpace": {"addressPrefixes": [space]}, "subnets": subnets})
                })
                .boxed(),
        ),
        K::VirtualNetwork => tracked(
            (
                prop::collection::vec(net(strict), 1..3),
                prop::collection::vec((name_of(K::Subnet), net(strict)), 0..4),
                maybe(prop::collection::vec(ip(strict), 0..3).boxed()),
            )
                .prop_map(|(space, subnets, dns)| {
                    let subnets: Vec<Value> =
                        subnets.into_iter().map(|(n, c)| json!({"name": n, "properties": {"addressPrefix": c}})).collect();
                    let mut p = json!({"addressSpace": {"addressPrefixes": space}, "subnets": subnets});
                    if let Some(d) = dns {
                        p["dhcpOptions"] = json!({ "dnsServers": d });
                    }
                    p
                })
                .boxed(),
        ),
        K::Subnet => child(
            (net(strict), maybe(idr(strict, K::NetworkSecurityGroup)), select(&["Disabled", "Enabled", "NetworkSecurityGroupEnabled"][..]))
                .prop_map(|(c, nsg, pol)| {
                    let mut p = json!({"addressPrefix": c, "privateEndpointNetworkPolicies": pol});
                    if let Some(n) = nsg {
                        p["networkSecurityGroup"] = n;
                    }
                    p
                })
                .boxed(),
        ),
        K::NetworkSecurityGroup => tracked(
            prop::collection::vec((name_of(K::SecurityRule), security_rule(strict)), 0..3)
                .prop_map(|rules| {
                    let rules: Vec<Value> = rules.into_iter().map(|(n, r)| json!({"name": n, "properties": r})).collect();
                    json!({ "securityRules": rules })
                })
                .boxed(),
        ),
        K::SecurityRule => child(security_rule(strict)),
        K::PrivateEndpoint => tracked(
            (
                subnet_in(strict, &["endpoints", "workload", "dns-inbound"]),
                refd(strict, K::PrivateLinkScope),
                prop_oneof![6 => Just(vec!["hybridcompute".to_string()]), 1 => Just(vec![]), 1 => Just(vec!["blob".to_string()]), 1 => prop::collection::vec(txt(strict), 0..3)],
                any::<bool>(),
            )
                .prop_map(|(subnet, scope, groups, manual)| {
                    let conn = json!([{"name": "arc", "properties": {"privateLinkServiceId": scope, "groupIds": groups}}]);
                    let key = if manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
                    let mut p = json!({ "subnet": subnet });
                    p[key] = conn;
                    p
                })
                .boxed(),
        ),
        K::PrivateDnsZoneGroup => child(
            prop::collection::vec((select(&["his", "gc", "dp", "x"][..]), refd(strict, K::PrivateDnsZone)), 0..4)
                .prop_map(|cfgs| {
                    let cfgs: Vec<Value> = cfgs
                        .into_iter()
                        .map(|(n, z)| json!({"name": n, "properties": {"privateDnsZoneId": z}}))
                        .collect();
                    json!({ "privateDnsZoneConfigs": cfgs })
                })
                .boxed(),
        ),
        K::PrivateDnsZone => global(Just(json!({})).boxed()),
        K::VirtualNetworkLink => global(
            (refd(strict, K::VirtualNetwork), any::<bool>(), select(&["Default", "NxDomainRedirect", "Sometimes"][..]))
                .prop_map(|(v, reg, pol)| {
                    json!({"virtualNetwork": {"id": v}, "registrationEnabled": reg, "resolutionPolicy": pol})
                })
                .boxed(),
        ),
        K::ARecordSet => child(
            (prop_oneof![Just(json!(10)), Just(json!(300)), (-1i64..3_000_000_000).prop_map(|n| json!(n))], prop::collection::vec(ip(strict), 0..3))
                .prop_map(|(ttl, ips)| {
                    let recs: Vec<Value> = ips.into_iter().map(|ip| json!({ "ipv4Address": ip })).collect();
                    json!({"ttl": ttl, "aRecords": recs})
                })
                .boxed(),
        ),
        K::CnameRecordSet => child(
            prop_oneof![
                4 => select(&["gbl.privatelink.his.arc.azure.com", "www.example.com", "alias.corp.example"][..]).prop_map(str::to_string),
                1 => txt(strict),
            ]
            .prop_map(|c| json!({"ttl": 300, "cnameRecord": {"cname": c}}))
            .boxed(),
        ),
        K::VirtualNetworkGateway => tracked(
            (select(&["Vpn", "ExpressRoute", "LocalGateway"][..]), subnet_in(strict, &["GatewaySubnet", "endpoints"]))
                .prop_map(|(t, s)| {
                    json!({"gatewayType": t, "vpnType": "RouteBased",
                           "ipConfigurations": [{"name": "default", "properties": {"subnet": s}}]})
                })
                .boxed(),
        ),
        K::LocalNetworkGateway => tracked(
            (ip(strict), prop::collection::vec(net(strict), 0..3))
                .prop_map(|(ip, space)| {
                    json!({"gatewayIpAddress": ip, "localNetworkAddressSpace": {"addressPrefixes": space}})
                })
                .boxed(),
        ),
        K::Connection => tracked(
            (
                select(&["IPsec", "ExpressRoute", "Vnet2Vnet"][..]),
                idr(strict, K::VirtualNetworkGateway),
                idr(strict, K::LocalNetworkGateway),
                idr(strict, K::ExpressRouteCircuit),
            )
                .prop_map(|(t, g, l, c)| {
                    json!({"connectionType": t, "virtualNetworkGateway1": g, "localNetworkGateway2": l, "peer": c,
                           "sharedKey": "fuzz"})
                })
                .boxed(),
        ),
        K::ExpressRouteCircuit => tracked(
            Just(json!({"serviceProviderProperties": {"serviceProviderName": "Equinix", "peeringLocation": "Silicon Valley",
                        "bandwidthInMbps": 200}}))
            .boxed(),
        ),
        K::DnsResolver => tracked(idr(strict, K::VirtualNetwork).prop_map(|v| json!({ "virtualNetwork": v })).boxed()),
        K::DnsResolverInboundEndpoint => tracked(
            (subnet_in(strict, &["dns-inbound", "endpoints"]), maybe(ip(strict)))
                .prop_map(|(s, ip)| {
                    let mut cfg = json!({ "subnet": s });
                    if let Some(ip) = ip {
                        cfg["privateIpAddress"] = json!(ip);
                        cfg["privateIpAllocationMethod"] = json!("Static");
                    }
                    json!({ "ipConfigurations": [cfg] })
                })
                .boxed(),
        ),
        K::AzureFirewall => tracked(
            (subnet_in(strict, &["AzureFirewallSubnet", "endpoints"]), select(&["true", "false", "yes"][..]))
                .prop_map(|(s, proxy)| {
                    json!({"ipConfigurations": [{"name": "fw", "properties": {"subnet": s}}],
                           "additionalProperties": {"Network.DNS.EnableProxy": proxy}})
                })
                .boxed(),
        ),
    }
}

/// A resource group's PUT body.
pub fn group_body() -> BoxedStrategy<Value> {
    (location(), maybe(tags()))
        .prop_map(|(l, t)| {
            let mut v = json!({ "location": l });
            if let Some(t) = t {
                v["tags"] = t;
            }
            v
        })
        .boxed()
}

/// Makes a request target a client could send: characters a URI may not hold are
/// percent-encoded (as clients do); what still does not parse becomes `/` plus its encoding.
pub fn sendable_target(raw: &str) -> String {
    if raw.parse::<axum::http::Uri>().is_ok() && raw.starts_with('/') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}#".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    if out.parse::<axum::http::Uri>().is_ok() { out } else { format!("/{}", crate::app::encode_path(raw)) }
}
