//! Hostile input over real HTTP (issue 11, part A): no input makes a handler panic or the
//! connection drop; every answer is a success or an ARM error envelope with a 4xx status, and
//! the emulator keeps answering afterwards. Misspelt lab fields are refused, naming the field,
//! instead of being ignored.

mod common;
use common::*;
use serde_json::{Value, json};

/// Sends a request and returns the answer, or `Err` when the connection dropped without one
/// (what a panicking handler does).
async fn try_send(arm: &Arm, method: &str, path: &str, body: Option<Value>) -> Result<Reply, String> {
    let url = if path.starts_with("http") { path.to_string() } else { format!("{}{}", arm.base, path) };
    let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut rb = arm.http.request(m, url).bearer_auth("test-token").timeout(std::time::Duration::from_secs(20));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let resp = rb.send().await.map_err(|e| format!("{method} {path}: no answer: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.map_err(|e| format!("{method} {path}: body cut: {e}"))?;
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Ok(Reply { status, headers, body })
}

/// The request was answered: 2xx, or 4xx with an ARM error envelope (code and fidelity).
async fn answered(arm: &Arm, method: &str, path: &str, body: Option<Value>) -> Reply {
    let r = try_send(arm, method, path, body).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status < 500, "{method} {path}: {} {}", r.status, r.body);
    if r.status >= 400 {
        assert!(!r.code().is_empty(), "{method} {path}: {} without an ARM envelope: {}", r.status, r.body);
        let fidelity = r.body["error"]["additionalInfo"][0]["info"]["fidelity"].as_str().unwrap_or("");
        assert!(fidelity == "verified" || fidelity == "inferred", "{method} {path}: {}", r.body);
    }
    r
}

async fn still_answering(arm: &Arm) {
    let r = try_send(arm, "GET", "/_emulator/health", None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status, 200, "{}", r.body);
    // A write that refreshes connectivity (every change does) answers too.
    let r = answered(arm, "PUT", &format!("/subscriptions/{SUB}/resourcegroups/alive?api-version={RG_API}"), {
        Some(json!({"location": "eastus"}))
    })
    .await;
    assert!(r.status == 200 || r.status == 201, "{}", r.body);
}

fn security_rule(dst: &str, src: &str) -> Value {
    json!({"protocol": "Tcp", "sourceAddressPrefix": src, "sourcePortRange": "*",
           "destinationAddressPrefix": dst, "destinationPortRange": "443", "access": "Allow",
           "priority": 100, "direction": "Outbound"})
}

const NON_ASCII: &[&str] =
    &["ééé", "éééééééééééééééééééééééééééééééééééééé", "aéééééééééééééééééééééééé", "日本語のタグ", "Storage.é"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_nsg_rule_with_non_ascii_address_prefixes_is_refused_not_dropped() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let nsg = net_id(SUB, "rg", "networkSecurityGroups", "nsg");
    for text in NON_ASCII {
        for (dst, src) in [(*text, "*"), ("*", *text)] {
            let body = json!({"location": "eastus", "properties": {"securityRules": [
                {"name": "r", "properties": security_rule(dst, src)}]}});
            let r = answered(&arm, "PUT", &format!("{nsg}?api-version={NET_API}"), Some(body)).await;
            r.refused(400, "SecurityRuleInvalidAddressPrefix", None);
            let r = answered(
                &arm,
                "PUT",
                &format!("{nsg}/securityRules/r?api-version={NET_API}"),
                Some(json!({"properties": security_rule(dst, src)})),
            )
            .await;
            assert!(r.status == 400 || r.status == 404, "{}", r.body);
        }
    }
    still_answering(&arm).await;
}

/// `AzureActiveDirectory.ééé` passed the address prefix check (a known tag, a dot) and was
/// stored; the data plane then sliced it mid-character on every connectivity refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regional_service_tag_with_a_non_ascii_region_does_not_break_later_writes() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "hub", "eastus", "10.10.0.0/16", &[("workload", "10.10.8.0/24")]).await;
    let nsg = net_id(SUB, "rg", "networkSecurityGroups", "nsg");
    let prefix = "AzureActiveDirectory.ééé";
    let body = json!({"location": "eastus", "properties": {"securityRules": [
        {"name": "r", "properties": security_rule(prefix, "VirtualNetwork")}]}});
    let r = answered(&arm, "PUT", &format!("{nsg}?api-version={NET_API}"), Some(body)).await;
    if r.status >= 400 {
        // Refused: put the NSG without the rule, then try the rule on its own.
        r.refused(400, "SecurityRuleInvalidAddressPrefix", None);
        let body = json!({"location": "eastus", "properties": {"securityRules": []}});
        assert_eq!(answered(&arm, "PUT", &format!("{nsg}?api-version={NET_API}"), Some(body)).await.status, 201);
        let rule = json!({"properties": security_rule(prefix, "VirtualNetwork")});
        let r = answered(&arm, "PUT", &format!("{nsg}/securityRules/r?api-version={NET_API}"), Some(rule)).await;
        r.refused(400, "SecurityRuleInvalidAddressPrefix", None);
    }
    let subnet = json!({"properties": {"addressPrefix": "10.10.8.0/24", "networkSecurityGroup": {"id": nsg}}});
    answered(&arm, "PUT", &format!("{vnet}/subnets/workload?api-version={NET_API}"), Some(subnet)).await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c1", "eastus", None).await.status, 201);
    let lab = json!({"subnet": format!("{vnet}/subnets/workload"), "connectedCluster": cluster_id(SUB, "rg", "c1")});
    answered(&arm, "PUT", "/_emulator/clusters/edge", Some(lab)).await;
    answered(&arm, "GET", "/_emulator/clusters/edge/explain", None).await;
    still_answering(&arm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_firewall_with_a_non_ascii_destination_then_a_lab_cluster_gets_answers() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    assert_eq!(arm.put_cluster(SUB, "rg", "c1", "eastus", None).await.status, 201);
    for (i, text) in NON_ASCII.iter().chain(&["AzureActiveDirectory.ééé"]).enumerate() {
        let site = json!({"addressSpace": ["192.168.10.0/24"], "firewall": [{"destination": text, "port": 443}]});
        let r = answered(&arm, "PUT", "/_emulator/sites/x", Some(site)).await;
        if r.status >= 400 {
            assert_eq!(r.body["error"]["target"], "firewall[0].destination", "{}", r.body);
            // The site without the odd rule, so that the lab cluster still has somewhere to run.
            let site = json!({"addressSpace": ["192.168.10.0/24"], "firewall": []});
            assert_eq!(answered(&arm, "PUT", "/_emulator/sites/x", Some(site)).await.status / 100, 2);
        }
        let lab = json!({"site": "x", "connectedCluster": cluster_id(SUB, "rg", "c1")});
        let r = answered(&arm, "PUT", &format!("/_emulator/clusters/edge{i}"), Some(lab)).await;
        assert_eq!(r.status / 100, 2, "{}", r.body);
        answered(&arm, "GET", &format!("/_emulator/clusters/edge{i}/explain"), None).await;
        answered(&arm, "DELETE", &format!("/_emulator/clusters/edge{i}"), None).await;
    }
    still_answering(&arm).await;
}

/// Every lab field is checked: a misspelt one is refused (400, envelope) and named, rather
/// than ignored (a site whose `firewal` was dropped would allow everything).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelt_lab_fields_are_refused_and_named() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "hub", "eastus", "10.10.0.0/16", &[("s", "10.10.1.0/24")]).await;
    let space = json!(["192.168.10.0/24"]);
    let cases = [
        ("/_emulator/sites/hq", json!({"addressSpace": space, "firewal": []}), "firewal"),
        ("/_emulator/sites/hq", json!({"addressSpace": space, "dns": {"zone": []}}), "dns.zone"),
        (
            "/_emulator/sites/hq",
            json!({"addressSpace": space, "dns": {"zones": [{"zone": "corp.example", "record": {}}]}}),
            "dns.zones[0].record",
        ),
        (
            "/_emulator/sites/hq",
            json!({"addressSpace": space, "dns": {"forwarders": [{"domain": "x", "target": ["10.0.0.1"]}]}}),
            "dns.forwarders[0].target",
        ),
        (
            "/_emulator/sites/hq",
            json!({"addressSpace": space, "firewall": [{"destination": "AzureCloud", "prot": 443}]}),
            "firewall[0].prot",
        ),
        ("/_emulator/clusters/edge", json!({"sit": "hq", "connectedCluster": cluster_id(SUB, "rg", "c")}), "sit"),
        (
            "/_emulator/dns-forwarders/vm",
            json!({"virtualNetwork": vnet, "address": "10.10.1.4", "adress": "10.10.1.5"}),
            "adress",
        ),
    ];
    for (path, body, field) in cases {
        let r = answered(&arm, "PUT", path, Some(body)).await;
        r.refused(400, "InvalidRequestContent", None);
        assert_eq!(r.body["error"]["target"], field, "{path}: {}", r.body);
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        let last = field.rsplit('.').next().unwrap_or(field);
        let last = last.split('[').next().unwrap_or(last);
        assert!(message.contains(last), "{path}: the message names '{last}': {message}");
    }
    // Nothing was created by the refused requests.
    assert_eq!(answered(&arm, "GET", "/_emulator/sites", None).await.body["value"], json!([]));
    // What GET returns is accepted back as it is (the `name` field included).
    let site = json!({"addressSpace": space, "firewall": [{"destination": "AzureCloud", "port": 443}],
                      "dns": {"zones": [{"zone": "corp.example", "records": {"@": ["192.168.10.5"]}}]}});
    assert_eq!(answered(&arm, "PUT", "/_emulator/sites/hq", Some(site)).await.status, 201);
    let got = answered(&arm, "GET", "/_emulator/sites/hq", None).await.body;
    assert_eq!(answered(&arm, "PUT", "/_emulator/sites/hq", Some(got)).await.status, 200);
}

/// A world file's lab entries are checked the same way, and the error names the entry and the
/// field (`sites.hq.firewal`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelt_world_file_fields_are_refused_naming_the_entry() {
    let cases = [
        ("sites:\n  hq: { addressSpace: [192.168.0.0/16], firewal: [] }\n", "sites.hq.firewal"),
        (
            "sites:\n  hq: { addressSpace: [192.168.0.0/16], dns: { forwarders: [{ domain: x, targetz: [10.0.0.1] }] } }\n",
            "sites.hq.dns.forwarders[0].targetz",
        ),
        ("forwarders:\n  vm: { virtualNetwork: /subscriptions/x, adress: 10.0.0.1 }\n", "forwarders.vm.adress"),
        ("clusters:\n  edge: { sit: hq, connectedCluster: /subscriptions/x }\n", "clusters.edge.sit"),
    ];
    for (text, named) in cases {
        let file = arcemu::world_file::parse(text).expect("the file's shape is valid");
        let cfg = arcemu::EmulatorConfig { initial_world: Some(file), ..Default::default() };
        let err = match arcemu::Emulator::start(cfg).await {
            Ok(_) => panic!("{text}: accepted"),
            Err(e) => e.to_string(),
        };
        assert!(err.starts_with(&format!("{named}: ")), "{text}: {err}");
    }
}

/// A sweep of odd strings through every kind of field a request carries: each is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_strings_anywhere_get_an_answer() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "hub", "eastus", "10.10.0.0/16", &[("s", "10.10.1.0/24")]).await;
    let long = "é".repeat(3000);
    let odd: Vec<&str> = vec![
        "ééé",
        "é",
        "a\u{0301}",
        "日本語",
        "\u{1F600}",
        "\u{202E}abc",
        "a.é",
        ".",
        "..",
        "-",
        "*",
        "%",
        "%ff",
        "",
        " ",
        "\t",
        "0",
        "-1",
        "65536",
        "1-",
        "-1-2",
        "4294967296",
        "1.2.3.4/33",
        "1.2.3.4/-1",
        "300.1.1.1",
        "10.0.0.0/8é",
        "AzureActiveDirectory.",
        "AzureActiveDirectory.é",
        "Storage..x",
        &long,
    ];
    for s in &odd {
        let enc: String = s.bytes().map(|b| format!("%{b:02X}")).collect();
        // NSG rule fields.
        for field in [
            "destinationAddressPrefix",
            "sourceAddressPrefix",
            "destinationPortRange",
            "sourcePortRange",
            "protocol",
            "direction",
            "access",
        ] {
            let mut rule = security_rule("*", "*");
            rule[field] = json!(s);
            let body =
                json!({"location": "eastus", "properties": {"securityRules": [{"name": "r", "properties": rule}]}});
            let nsg = net_id(SUB, "rg", "networkSecurityGroups", "nsg");
            answered(&arm, "PUT", &format!("{nsg}?api-version={NET_API}"), Some(body)).await;
        }
        // Names in paths and bodies.
        answered(
            &arm,
            "PUT",
            &format!("{}?api-version={NET_API}", net_id(SUB, "rg", "networkSecurityGroups", &enc)),
            Some(json!({"location": "eastus"})),
        )
        .await;
        answered(&arm, "GET", &format!("/subscriptions/{enc}/resourcegroups/{enc}?api-version={RG_API}"), None).await;
        answered(&arm, "PUT", &format!("/subscriptions/{SUB}/resourcegroups/{enc}?api-version={RG_API}"), {
            Some(json!({"location": s}))
        })
        .await;
        answered(&arm, "GET", &format!("/subscriptions/{SUB}/providers/{enc}?api-version={RG_API}"), None).await;
        answered(&arm, "PUT", &format!("{vnet}/subnets/s?api-version={NET_API}"), {
            Some(json!({"properties": {"addressPrefix": s}}))
        })
        .await;
        // Lab objects.
        answered(&arm, "PUT", &format!("/_emulator/sites/{enc}"), Some(json!({"addressSpace": ["192.168.1.0/24"]})))
            .await;
        let sites = [
            json!({"addressSpace": [s]}),
            json!({"addressSpace": ["192.168.1.0/24"], "firewall": [{"destination": s}]}),
            json!({"addressSpace": ["192.168.1.0/24"], "dns": {"zones": [{"zone": s, "records": {(*s): ["192.168.1.1"]}}]}}),
            json!({"addressSpace": ["192.168.1.0/24"], "dns": {"forwarders": [{"domain": s, "targets": ["10.0.0.1"]}]}}),
            json!({"addressSpace": ["192.168.1.0/24"], "expressRouteCircuit": s}),
        ];
        for site in sites {
            answered(&arm, "PUT", "/_emulator/sites/odd", Some(site)).await;
        }
        answered(&arm, "PUT", "/_emulator/clusters/c", Some(json!({"site": s, "connectedCluster": s}))).await;
        answered(&arm, "PUT", "/_emulator/clusters/c", Some(json!({"subnet": s, "connectedCluster": s}))).await;
        answered(&arm, "PUT", "/_emulator/dns-forwarders/f", Some(json!({"virtualNetwork": s, "address": s}))).await;
        answered(&arm, "GET", &format!("/_emulator/clusters/{enc}/explain"), None).await;
        answered(&arm, "GET", &format!("/_emulator/dns/resolve?name={enc}&from={enc}&type={enc}"), None).await;
        answered(&arm, "GET", &format!("/_emulator/dns/resolve?name={enc}&from=site:odd"), None).await;
        answered(&arm, "GET", &format!("/_emulator/private-link-scopes/candidates?scope={enc}"), None).await;
        answered(
            &arm,
            "POST",
            "/_emulator/private-link-scopes/add-resources",
            Some(json!({"scope": s, "clusters": [s]})),
        )
        .await;
    }
    still_answering(&arm).await;
}
