//! Every failure the fuzz targets found, as a named test with its minimized input, run through
//! the same checks as the target that found it. Each also has its input in the target's corpus
//! (`tests/fuzz-corpus/<target>/`), replayed first by every run.

use crate::app::App;
use crate::dns;
use crate::harness::{self, Data};
use serde_json::json;

const ZONE: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/privateDnsZones/corp.example";
const HUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/virtualNetworks/hub";

/// Found by `dns_message_handler` (seed 222625795): a CNAME record set whose target is no DNS
/// name (four 63-character labels: 264 bytes) was stored, and every query reaching it answered
/// SERVFAIL with "the model answered a name that is not a DNS name" logged as an error. The
/// record set is now refused (400, naming `properties.cnameRecord.cname`), and the query gets
/// an answer.
#[test]
fn a_cname_to_a_name_dns_cannot_carry_is_refused() {
    harness::watch_errors();
    let app = App::new(0);
    let put = |target: &str, body: serde_json::Value| {
        let a = app
            .checked("PUT", &format!("{target}?api-version=2024-06-01"), Some(&body))
            .unwrap_or_else(|e| panic!("{e}"));
        (a.status, a.json())
    };
    assert_eq!(put(ZONE, json!({"location": "global"})).0, 201);
    let link = json!({"location": "global", "properties": {"virtualNetwork": {"id": HUB}}});
    assert_eq!(put(&format!("{ZONE}/virtualNetworkLinks/hub"), link).0 / 100, 2);
    let label = "x".repeat(63);
    let long = format!("{label}.{label}.{label}.{label}.example");
    let (status, body) =
        put(&format!("{ZONE}/CNAME/www"), json!({"properties": {"ttl": 10, "cnameRecord": {"cname": long}}}));
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "InvalidRequestContent", "{body}");
    assert_eq!(body["error"]["target"], "properties.cnameRecord.cname", "{body}");
    // A valid target is taken, and answered.
    let (status, _) = put(
        &format!("{ZONE}/CNAME/www"),
        json!({"properties": {"ttl": 10, "cnameRecord": {"cname": "gbl.his.arc.azure.com"}}}),
    );
    assert_eq!(status, 201);
    // The minimized query of the failure: `www.corp.example A` from inside the hub.
    let query = harness::from_hex("0000010000010000000000000377777704636f7270076578616d706c650000010001");
    let case = dns::DnsCase::Query { vantage: format!("vnet:{HUB}"), datagram: Data(query) };
    let rt = dns::runtime();
    let got = dns::exec_one(&rt, &app.world, &case).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got, "NoError");
}

/// Found by `dns_message_handler` (seed 222625795): a question whose name is a compression
/// pointer (here to offset 0, the query's header) was echoed byte for byte, so the pointer in
/// the response pointed into the response's header and the response did not parse ("unrecognized
/// label code"). Such a question is now written out again in full.
#[test]
fn a_question_compressed_with_a_pointer_gets_an_answer_that_parses() {
    harness::watch_errors();
    let rt = dns::runtime();
    let app = App::new(0);
    for (vantage, hex) in [
        ("public", "010001000001000000000000c00000010001"),
        // A pointer to the question itself, after a label: a name that loops.
        ("public", "0002010000010000000000000367626cc00c00010001"),
        // A pointer into the question, from inside the hub.
        (
            "vnet:/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/virtualNetworks/hub",
            "000301000001000000000000c00c00010001",
        ),
    ] {
        let case = dns::DnsCase::Query { vantage: vantage.to_string(), datagram: Data(harness::from_hex(hex)) };
        dns::exec_one(&rt, &app.world, &case).unwrap_or_else(|e| panic!("{hex}: {e}"));
    }
}

/// Found by `dns_message_handler` (seeds 1, 2, 3): `@.dp.kubernetesconfiguration.azure.com` (a
/// first label that is `@` itself) was taken for the zone's apex: the public view answered it
/// with the apex's CNAME, owned by a name the DNS face cannot write (SERVFAIL, error logged). It
/// is now a name like any other that does not exist (NXDOMAIN), from every vantage point.
#[test]
fn a_name_whose_first_label_is_at_is_not_the_apex() {
    harness::watch_errors();
    let rt = dns::runtime();
    let app = App::new(0);
    let query = "0000010000010000000000000140026470176b756265726e65746573636f6e66696775726174696f6e05617a75726503636f6d0000010001";
    for vantage in ["public".to_string(), format!("vnet:{HUB}"), "site:hq".to_string()] {
        let case = dns::DnsCase::Query { vantage: vantage.clone(), datagram: Data(harness::from_hex(query)) };
        let got = dns::exec_one(&rt, &app.world, &case).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, "NXDomain", "from {vantage}");
    }
    // `@.privatelink.his.arc.azure.com` inside the hub is not the zone's apex record set either.
    let apex = json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.10.1.99"}]}});
    let zone = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/privateDnsZones/privatelink.his.arc.azure.com";
    let a = app
        .checked("PUT", &format!("{zone}/A/@?api-version=2024-06-01"), Some(&apex))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.status, 201);
    let answer = app.world.read(|w| {
        let hub = arcemu_model::dns::Vantage::parse(&format!("vnet:{HUB}")).expect("a vantage");
        w.resolve(&hub, "@.privatelink.his.arc.azure.com", 1)
    });
    assert_eq!((answer.rcode, answer.answers.len()), (arcemu_model::dns::Rcode::NxDomain, 0), "{answer:?}");
}

/// Found by `dns_message_handler`: record sets named `a*b` or `-x` (a wildcard inside a label,
/// a label starting with '-') were stored in a private zone, and site records likewise in a
/// site's zone; a query for them was answered SERVFAIL with an error logged (the DNS face cannot
/// write such an owner name). Record set names now take '*' only as a whole first label and
/// no label starting or ending with '-' (400 `InvalidResourceName`); site record names must be
/// DNS names (400 naming `dns.zones[0].records`). Wildcard names keep working.
#[test]
fn record_names_the_dns_face_cannot_write_are_refused() {
    harness::watch_errors();
    let app = App::new(0);
    let zone = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/privateDnsZones/privatelink.his.arc.azure.com";
    let body = json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.10.1.99"}]}});
    for name in ["a*b", "-x", "x-", "*x"] {
        let a = app
            .checked("PUT", &format!("{zone}/A/{name}?api-version=2024-06-01"), Some(&body))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.status, a.json()["error"]["code"].as_str()), (400, Some("InvalidResourceName")), "{name}");
    }
    for name in ["*", "*.apps", "_x"] {
        let a = app
            .checked("PUT", &format!("{zone}/A/{name}?api-version=2024-06-01"), Some(&body))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.status, 201, "{name}: {}", String::from_utf8_lossy(&a.body));
    }
    for key in ["a*b", "-x", "a(b", "@x", "a b"] {
        let site = json!({"addressSpace": ["192.168.10.0/24"], "dns": {"zones": [{"zone": "corp.example", "records": {key: ["192.168.10.5"]}}]}});
        let a = app.checked("PUT", "/_emulator/sites/hq", Some(&site)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.status, 400, "{key}: {}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.json()["error"]["target"], "dns.zones[0].records", "{key}");
    }
    // The minimized queries of the failures now meet no such record: each gets an answer.
    let rt = dns::runtime();
    for (vantage, query) in [
        (
            format!("vnet:{HUB}"),
            "00000100000100000000000003612a620b707269766174656c696e6b036869730361726305617a75726503636f6d0000010001",
        ),
        (
            format!("vnet:{HUB}"),
            "000001000001000000000000022d780b707269766174656c696e6b036869730361726305617a75726503636f6d0000010001",
        ),
        ("site:hq".to_string(), "00000100000100000000000003612a6204636f7270076578616d706c650000010001"),
    ] {
        let case = dns::DnsCase::Query { vantage, datagram: Data(harness::from_hex(query)) };
        dns::exec_one(&rt, &app.world, &case).unwrap_or_else(|e| panic!("{e}"));
    }
}
