//! Every failure the fuzz targets found, as a named test with its minimized input, run through
//! the same checks as the target that found it. Each also has its input in the target's corpus
//! (`tests/fuzz-corpus/<target>/`), replayed first by every run.

use crate::app::App;
use crate::dns;
use crate::harness::{self, Data};
use serde_json::json;

const ZONE: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/privateDnsZones/corp.example";
const HUB: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/virtualNetworks/hub";

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
        let a = app.checked("PUT", &format!("{target}?api-version=2024-06-01"), Some(&body)).unwrap_or_else(|e| panic!("{e}"));
        (a.status, a.json())
    };
    assert_eq!(put(ZONE, json!({"location": "global"})).0, 201);
    let link = json!({"location": "global", "properties": {"virtualNetwork": {"id": HUB}}});
    assert_eq!(put(&format!("{ZONE}/virtualNetworkLinks/hub"), link).0 / 100, 2);
    let label = "x".repeat(63);
    let long = format!("{label}.{label}.{label}.{label}.example");
    let (status, body) = put(&format!("{ZONE}/CNAME/www"), json!({"properties": {"ttl": 10, "cnameRecord": {"cname": long}}}));
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "InvalidRequestContent", "{body}");
    assert_eq!(body["error"]["target"], "properties.cnameRecord.cname", "{body}");
    // A valid target is taken, and answered.
    let (status, _) = put(&format!("{ZONE}/CNAME/www"), json!({"properties": {"ttl": 10, "cnameRecord": {"cname": "gbl.his.arc.azure.com"}}}));
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
        ("vnet:/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/arc/providers/Microsoft.Network/virtualNetworks/hub", "000301000001000000000000c00c00010001"),
    ] {
        let case = dns::DnsCase::Query { vantage: vantage.to_string(), datagram: Data(harness::from_hex(hex)) };
        dns::exec_one(&rt, &app.world, &case).unwrap_or_else(|e| panic!("{hex}: {e}"));
    }
}
