//! The DNS face with real clients: `dig` and `nslookup` (Debian's bind9-dnsutils; install
//! with scripts/ensure-deps.sh) and hickory-resolver, against the listeners of an in-process
//! emulator whose world is built over real HTTP (ARM requests and admin site PUTs).
//!
//! Every client call is bounded (`+time=2 +tries=1`, socket timeouts), everything binds to
//! 127.0.0.1 only.

mod common;
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Real clients

/// What `dig` printed, parsed.
#[derive(Debug, Default)]
struct Dig {
    status: String,
    flags: Vec<String>,
    /// (owner name without trailing dot, type, data without trailing dot)
    answers: Vec<(String, String, String)>,
    authority: Vec<(String, String, String)>,
    /// "UDP" or "TCP": how the final answer came.
    transport: String,
    raw: String,
}

impl Dig {
    fn addresses(&self) -> Vec<Ipv4Addr> {
        self.answers.iter().filter(|(_, t, _)| t == "A").filter_map(|(_, _, d)| d.parse().ok()).collect()
    }
    fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
    fn cnames(&self) -> Vec<(String, String)> {
        self.answers.iter().filter(|(_, t, _)| t == "CNAME").map(|(n, _, d)| (n.clone(), d.clone())).collect()
    }
}

fn tool(name: &str) -> String {
    for dir in ["/usr/bin", "/bin", "/usr/local/bin"] {
        let p = format!("{dir}/{name}");
        if std::path::Path::new(&p).exists() {
            return p;
        }
    }
    panic!("`{name}` is not installed: run scripts/ensure-deps.sh (Debian package bind9-dnsutils)");
}

fn parse_record(line: &str) -> Option<(String, String, String)> {
    // owner TTL class type data...
    let mut it = line.split_whitespace();
    let owner = it.next()?.trim_end_matches('.').to_string();
    let _ttl = it.next()?;
    let _class = it.next()?;
    let ty = it.next()?.to_string();
    let data = it.collect::<Vec<_>>().join(" ").trim_end_matches('.').to_string();
    Some((owner, ty, data))
}

fn parse_dig(raw: String) -> Dig {
    let mut d = Dig { raw: raw.clone(), ..Dig::default() };
    let mut section = "";
    for line in raw.lines() {
        if let Some(i) = line.find("status: ") {
            d.status = line[i + 8..].split(',').next().unwrap_or("").trim().to_string();
        }
        if let Some(rest) = line.strip_prefix(";; flags: ") {
            d.flags = rest.split(';').next().unwrap_or("").split_whitespace().map(str::to_string).collect();
        }
        if line.starts_with(";; SERVER:") {
            d.transport = if line.contains("(TCP)") { "TCP".into() } else { "UDP".into() };
        }
        if line.contains("connection timed out") || line.contains("no servers could be reached") {
            d.status = "TIMEOUT".into();
        }
        if line.starts_with(";; ANSWER SECTION:") {
            section = "answer";
            continue;
        }
        if line.starts_with(";; AUTHORITY SECTION:") {
            section = "authority";
            continue;
        }
        if line.trim().is_empty() || line.starts_with(';') {
            section = "";
            continue;
        }
        if let Some(r) = parse_record(line) {
            match section {
                "answer" => d.answers.push(r),
                "authority" => d.authority.push(r),
                _ => {}
            }
        }
    }
    d
}

/// `dig @127.0.0.1 -p PORT NAME TYPE +tries=1 +time=2 [extra...]`, off the async runtime.
async fn dig(addr: SocketAddr, name: &str, qtype: &str, extra: &[&str]) -> Dig {
    let mut args = vec![
        format!("@{}", addr.ip()),
        "-p".to_string(),
        addr.port().to_string(),
        name.to_string(),
        qtype.to_string(),
        "+tries=1".to_string(),
        "+time=2".to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let bin = tool("dig");
    let out = tokio::task::spawn_blocking(move || Command::new(bin).args(&args).output())
        .await
        .expect("dig task")
        .expect("dig runs");
    parse_dig(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What `nslookup` printed: the addresses it found, whether it said NXDOMAIN, and the text.
#[derive(Debug)]
struct Nslookup {
    addresses: Vec<Ipv4Addr>,
    nxdomain: bool,
    authoritative: bool,
    raw: String,
}

async fn nslookup(addr: SocketAddr, name: &str) -> Nslookup {
    let args = vec![
        format!("-port={}", addr.port()),
        "-timeout=2".to_string(),
        "-retry=1".to_string(),
        "-type=A".to_string(),
        name.to_string(),
        addr.ip().to_string(),
    ];
    let bin = tool("nslookup");
    let out = tokio::task::spawn_blocking(move || Command::new(bin).args(&args).output())
        .await
        .expect("nslookup task")
        .expect("nslookup runs");
    let raw = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut addresses = Vec::new();
    let mut after_name = false;
    for line in raw.lines() {
        if line.starts_with("Name:") {
            after_name = true;
        }
        if after_name
            && let Some(a) = line.strip_prefix("Address:")
            && let Ok(ip) = a.trim().parse()
        {
            addresses.push(ip);
        }
    }
    Nslookup {
        addresses,
        nxdomain: raw.contains("NXDOMAIN"),
        authoritative: !raw.contains("Non-authoritative answer") && raw.contains("Name:"),
        raw,
    }
}

// ---------------------------------------------------------------------------------------------
// Building the world over the wire

const API_RESOLVER: &str = "2022-07-01";

/// The names of one cloud: suffix, the three private zones, the three forwarding domains.
struct Cloud {
    suffix: &'static str,
}

impl Cloud {
    fn private_zones(&self) -> [String; 3] {
        let s = self.suffix;
        [
            format!("privatelink.his.arc.{s}"),
            format!("privatelink.guestconfiguration.{s}"),
            format!("privatelink.dp.kubernetesconfiguration.{s}"),
        ]
    }
    fn public_zones(&self) -> [String; 3] {
        self.private_zones().map(|z| z.trim_start_matches("privatelink.").to_string())
    }
    /// The seed's three troubleshooting lookups.
    fn seed_lookups(&self) -> [String; 3] {
        let s = self.suffix;
        [
            format!("gbl.his.arc.{s}"),
            format!("agentserviceapi.guestconfiguration.{s}"),
            format!("dp.kubernetesconfiguration.{s}"),
        ]
    }
}

const PUBLIC_CLOUD: Cloud = Cloud { suffix: "azure.com" };
const CHINA: Cloud = Cloud { suffix: "azure.cn" };

/// A correctly configured private-link lab: a hub VNet with the private endpoint, the three
/// zones linked to it, a Private Resolver inbound endpoint, and a site-to-site VPN to the
/// on-premises site `onprem` whose DNS server forwards the three zones to that endpoint. A
/// second site, `plain`, resolves everything on the internet.
struct Lab {
    hub: String,
    /// FQDN (as in the endpoint's customDnsConfigs) → private address.
    private: BTreeMap<String, Ipv4Addr>,
    inbound_ip: Ipv4Addr,
}

fn ok(r: &Reply) {
    assert!(r.status == 200 || r.status == 201 || r.status == 202, "{} {}", r.status, r.body);
}

async fn put_site(arm: &Arm, name: &str, body: Value) {
    let url = format!("{}/_emulator/sites/{name}", arm.base);
    let r = arm.put(&url, body).await;
    ok(&r);
}

async fn lab(arm: &Arm, region: &str, cloud: &Cloud) -> Lab {
    arm.group(SUB, "rg", region).await;
    let scope = arm.scope(SUB, "rg", "pls", region).await;
    let hub = arm
        .vnet(
            SUB,
            "rg",
            "hub",
            region,
            "10.50.0.0/16",
            &[("GatewaySubnet", "10.50.0.0/27"), ("pe", "10.50.1.0/24"), ("inbound", "10.50.2.0/28")],
        )
        .await;
    for z in cloud.private_zones() {
        let zid = net_id(SUB, "rg", "privateDnsZones", &z);
        ok(&arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "global"})).await);
        ok(&arm
            .put(
                &format!("{zid}/virtualNetworkLinks/hub-link?api-version={DNS_API}"),
                json!({"location": "global", "properties": {"virtualNetwork": {"id": hub}, "registrationEnabled": false}}),
            )
            .await);
    }
    let r = arm.put_endpoint(SUB, "rg", "pe", region, &format!("{hub}/subnets/pe"), &scope, false).await;
    ok(&r);
    let pe = net_id(SUB, "rg", "privateEndpoints", "pe");
    let configs: Vec<Value> = cloud
        .private_zones()
        .iter()
        .map(|z| json!({"name": z.replace('.', "-"), "properties": {"privateDnsZoneId": net_id(SUB, "rg", "privateDnsZones", z)}}))
        .collect();
    ok(&arm
        .put(
            &format!("{pe}/privateDnsZoneGroups/default?api-version={NET_API}"),
            json!({"properties": {"privateDnsZoneConfigs": configs}}),
        )
        .await);
    let pe_body = arm.get(&format!("{pe}?api-version={NET_API}")).await.body;
    let private = pe_body["properties"]["customDnsConfigs"]
        .as_array()
        .expect("customDnsConfigs")
        .iter()
        .map(|c| {
            (
                c["fqdn"].as_str().unwrap().to_string(),
                c["ipAddresses"][0].as_str().unwrap().parse::<Ipv4Addr>().unwrap(),
            )
        })
        .collect::<BTreeMap<_, _>>();
    assert_eq!(private.len(), 5, "{pe_body}");
    // Site-to-site VPN: gateway in the hub, local network gateway for the site's prefixes.
    let gw = net_id(SUB, "rg", "virtualNetworkGateways", "gw");
    ok(&arm
        .put(&format!("{gw}?api-version={NET_API}"), json!({"location": region, "properties": {"gatewayType": "Vpn", "vpnType": "RouteBased",
            "ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": format!("{hub}/subnets/GatewaySubnet")}}}]}}))
        .await);
    let lng = net_id(SUB, "rg", "localNetworkGateways", "onprem");
    ok(&arm
        .put(
            &format!("{lng}?api-version={NET_API}"),
            json!({"location": region, "properties": {"gatewayIpAddress": "203.0.113.10",
            "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}),
        )
        .await);
    ok(&arm
        .put(
            &format!("{}?api-version={NET_API}", net_id(SUB, "rg", "connections", "s2s")),
            json!({"location": region, "properties": {"connectionType": "IPsec", "virtualNetworkGateway1": {"id": gw},
            "localNetworkGateway2": {"id": lng}, "sharedKey": "secret"}}),
        )
        .await);
    // Private Resolver inbound endpoint in the hub.
    let res = net_id(SUB, "rg", "dnsResolvers", "resolver");
    ok(&arm
        .put(
            &format!("{res}?api-version={API_RESOLVER}"),
            json!({"location": region, "properties": {"virtualNetwork": {"id": hub}}}),
        )
        .await);
    let r = arm
        .put(
            &format!("{res}/inboundEndpoints/in?api-version={API_RESOLVER}"),
            json!({"location": region, "properties": {"ipConfigurations": [
            {"subnet": {"id": format!("{hub}/subnets/inbound")}, "privateIpAllocationMethod": "Dynamic"}]}}),
        )
        .await;
    ok(&r);
    let inbound_ip: Ipv4Addr =
        r.body["properties"]["ipConfigurations"][0]["privateIpAddress"].as_str().unwrap().parse().unwrap();
    // The sites.
    put_site(arm, "onprem", onprem_site(cloud, &[inbound_ip])).await;
    put_site(arm, "plain", json!({"addressSpace": ["172.16.0.0/16"], "dns": {"publicFallback": true}})).await;
    Lab { hub, private, inbound_ip }
}

fn onprem_site(cloud: &Cloud, targets: &[Ipv4Addr]) -> Value {
    let forwarders: Vec<Value> = if targets.is_empty() {
        Vec::new()
    } else {
        cloud.public_zones().iter().map(|z| json!({"domain": z, "targets": targets})).collect()
    };
    json!({"addressSpace": ["192.168.0.0/16"], "dns": {"forwarders": forwarders, "publicFallback": true}, "expressRouteCircuit": null})
}

/// The listener of a vantage point (ids compared case-insensitively), after a re-sync.
async fn listener(arm: &Arm, vantage: &str) -> SocketAddr {
    let all = arm.emu.dns_sync().await;
    all.iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(vantage))
        .map(|(_, a)| *a)
        .unwrap_or_else(|| panic!("no DNS listener for {vantage}; have {all:?}"))
}

fn is_public(ip: &Ipv4Addr) -> bool {
    ip.octets()[..3] == [198, 51, 100]
}

/// The private address the seed's lookup of `name` should give from a correctly configured view.
fn expected_private(lab: &Lab, name: &str, region: &str, cloud: &Cloud) -> Ipv4Addr {
    let key = if name.starts_with("dp.") {
        format!("{region}.dp.kubernetesconfiguration.{}", cloud.suffix)
    } else {
        name.to_string()
    };
    *lab.private.get(&key).unwrap_or_else(|| panic!("no private record for {key} in {:?}", lab.private))
}

// ---------------------------------------------------------------------------------------------
// The seed's troubleshooting lookups

async fn seed_lookups(region: &str, cloud: &Cloud) {
    let arm = start().await;
    let lab = lab(&arm, region, cloud).await;
    let public = arm.emu.dns_public_addr();
    let hub = listener(&arm, &format!("vnet:{}", lab.hub)).await;
    let onprem = listener(&arm, "site:onprem").await;
    let plain = listener(&arm, "site:plain").await;
    assert_eq!(public, listener(&arm, "public").await);
    for name in cloud.seed_lookups() {
        let want = expected_private(&lab, &name, region, cloud);
        // From the correctly configured site (conditional forwarder → inbound endpoint over VPN)
        // and from the linked VNet: the private address, answered by the private zone (AA).
        for (view, addr) in [("site:onprem", onprem), ("vnet:hub", hub)] {
            let d = dig(addr, &name, "A", &[]).await;
            assert_eq!(d.status, "NOERROR", "{view} {name}\n{}", d.raw);
            assert_eq!(d.addresses(), vec![want], "{view} {name}\n{}", d.raw);
            assert!(d.has_flag("aa"), "private answers are authoritative: {view} {name}\n{}", d.raw);
            assert!(d.has_flag("ra") && d.has_flag("rd"), "{}", d.raw);
            // The chain passes through the privatelink name (DNS-001 CNAME, answered privately).
            assert!(d.cnames().iter().any(|(_, t)| t.contains(".privatelink.")), "{view} {name}\n{}", d.raw);
            let n = nslookup(addr, &name).await;
            assert_eq!(n.addresses, vec![want], "nslookup {view} {name}\n{}", n.raw);
        }
        // From the internet and from a site without forwarding: the public address.
        for (view, addr) in [("public", public), ("site:plain", plain)] {
            let d = dig(addr, &name, "A", &[]).await;
            assert_eq!(d.status, "NOERROR", "{view} {name}\n{}", d.raw);
            let ips = d.addresses();
            assert_eq!(ips.len(), 1, "{view} {name}\n{}", d.raw);
            assert!(is_public(&ips[0]), "{view} {name} gave {ips:?}\n{}", d.raw);
            assert!(!d.has_flag("aa"), "public answers are not authoritative here\n{}", d.raw);
            assert!(d.cnames().iter().any(|(_, t)| t.contains(".privatelink.")), "{view} {name}\n{}", d.raw);
            let n = nslookup(addr, &name).await;
            assert_eq!(n.addresses, ips, "nslookup {view} {name}\n{}", n.raw);
            assert!(!n.authoritative, "{}", n.raw);
        }
    }
    // The endpoint's other names too, from the site.
    for (fqdn, ip) in &lab.private {
        let d = dig(onprem, fqdn, "A", &[]).await;
        assert_eq!(d.addresses(), vec![*ip], "{fqdn}\n{}", d.raw);
    }
    assert_eq!(lab.inbound_ip, Ipv4Addr::new(10, 50, 2, 4));
}

#[tokio::test]
async fn seed_lookups_china_private_from_site_and_linked_vnet_public_otherwise() {
    seed_lookups("chinaeast2", &CHINA).await;
}

#[tokio::test]
async fn seed_lookups_public_cloud_private_from_site_and_linked_vnet_public_otherwise() {
    seed_lookups("eastus", &PUBLIC_CLOUD).await;
}

// ---------------------------------------------------------------------------------------------
// Answers follow the world

#[tokio::test]
async fn linked_zone_without_the_record_or_with_an_empty_record_set_is_nxdomain() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "spoke", "eastus", "10.60.0.0/16", &[("a", "10.60.1.0/24")]).await;
    let addr = listener(&arm, &format!("vnet:{vnet}")).await;
    let name = "gbl.his.arc.azure.com";
    // Not linked yet: the VNet sees the public answer.
    let d = dig(addr, name, "A", &[]).await;
    assert!(d.addresses().iter().all(is_public) && d.addresses().len() == 1, "{}", d.raw);
    // Linked zone, no record for gbl: NXDOMAIN with the zone's SOA (DNS-003).
    let zid = net_id(SUB, "rg", "privateDnsZones", "privatelink.his.arc.azure.com");
    ok(&arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "global"})).await);
    let link = format!("{zid}/virtualNetworkLinks/spoke?api-version={DNS_API}");
    ok(&arm
        .put(
            &link,
            json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
        )
        .await);
    let d = dig(addr, name, "A", &[]).await;
    assert_eq!(d.status, "NXDOMAIN", "{}", d.raw);
    assert!(d.has_flag("aa"), "{}", d.raw);
    assert!(
        d.authority.iter().any(|(n, t, _)| t == "SOA" && n == "privatelink.his.arc.azure.com"),
        "negative answers carry the zone's SOA\n{}",
        d.raw
    );
    let n = nslookup(addr, name).await;
    assert!(n.nxdomain && n.addresses.is_empty(), "{}", n.raw);
    // The link falls back to the internet: the public answer again.
    ok(&arm
        .put(&link, json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false, "resolutionPolicy": "NxDomainRedirect"}}))
        .await);
    let d = dig(addr, name, "A", &[]).await;
    assert_eq!(d.status, "NOERROR", "{}", d.raw);
    assert!(d.addresses().len() == 1 && is_public(&d.addresses()[0]), "{}", d.raw);
    // Back to the default policy, then an empty record set: NXDOMAIN (why the seed warns against them).
    ok(&arm
        .put(&link, json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false, "resolutionPolicy": "Default"}}))
        .await);
    ok(&arm
        .put(&format!("{zid}/A/gbl?api-version={DNS_API}"), json!({"properties": {"ttl": 10, "aRecords": []}}))
        .await);
    let d = dig(addr, name, "A", &[]).await;
    assert_eq!(d.status, "NXDOMAIN", "{}", d.raw);
    // Filling the record set answers privately.
    ok(&arm
        .put(
            &format!("{zid}/A/gbl?api-version={DNS_API}"),
            json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.60.1.4"}]}}),
        )
        .await);
    let d = dig(addr, name, "A", &[]).await;
    assert_eq!(d.addresses(), vec![Ipv4Addr::new(10, 60, 1, 4)], "{}", d.raw);
    assert!(d.has_flag("aa"), "{}", d.raw);
    // Other VNets and the public view are not affected.
    let d = dig(arm.emu.dns_public_addr(), name, "A", &[]).await;
    assert!(d.addresses().len() == 1 && is_public(&d.addresses()[0]), "{}", d.raw);
}

#[tokio::test]
async fn answers_change_when_a_zone_link_or_a_forwarder_is_removed() {
    let arm = start().await;
    let lab = lab(&arm, "eastus", &PUBLIC_CLOUD).await;
    let hub = listener(&arm, &format!("vnet:{}", lab.hub)).await;
    let onprem = listener(&arm, "site:onprem").await;
    let name = "gbl.his.arc.azure.com";
    let private = lab.private[name];
    assert_eq!(dig(onprem, name, "A", &[]).await.addresses(), vec![private]);
    // Remove the his zone's link to the hub: the hub (and the site forwarding to it) get the public answer.
    let zid = net_id(SUB, "rg", "privateDnsZones", "privatelink.his.arc.azure.com");
    let link = format!("{zid}/virtualNetworkLinks/hub-link?api-version={DNS_API}");
    ok(&arm.delete(&link).await);
    for addr in [hub, onprem] {
        let d = dig(addr, name, "A", &[]).await;
        assert_eq!(d.status, "NOERROR", "{}", d.raw);
        assert!(d.addresses().len() == 1 && is_public(&d.addresses()[0]), "{}", d.raw);
        assert!(!d.has_flag("aa"), "{}", d.raw);
    }
    // The other zones are still linked.
    let gc = "agentserviceapi.guestconfiguration.azure.com";
    assert_eq!(dig(onprem, gc, "A", &[]).await.addresses(), vec![lab.private[gc]]);
    // Link it again: private again.
    ok(&arm
        .put(&link, json!({"location": "global", "properties": {"virtualNetwork": {"id": lab.hub}, "registrationEnabled": false}}))
        .await);
    assert_eq!(dig(onprem, name, "A", &[]).await.addresses(), vec![private]);
    // Remove the site's conditional forwarders: the site resolves on the internet.
    put_site(&arm, "onprem", onprem_site(&PUBLIC_CLOUD, &[])).await;
    let d = dig(onprem, name, "A", &[]).await;
    assert!(d.addresses().len() == 1 && is_public(&d.addresses()[0]), "{}", d.raw);
    // Forward to an address where no forwarder listens: SERVFAIL, not a wrong answer.
    put_site(&arm, "onprem", onprem_site(&PUBLIC_CLOUD, &[Ipv4Addr::new(10, 50, 2, 9)])).await;
    let d = dig(onprem, name, "A", &[]).await;
    assert_eq!(d.status, "SERVFAIL", "{}", d.raw);
    // Back to the inbound endpoint, then cut the VPN: the forwarder is unreachable (NET-001).
    put_site(&arm, "onprem", onprem_site(&PUBLIC_CLOUD, &[lab.inbound_ip])).await;
    assert_eq!(dig(onprem, name, "A", &[]).await.addresses(), vec![private]);
    ok(&arm.delete(&format!("{}?api-version={NET_API}", net_id(SUB, "rg", "connections", "s2s"))).await);
    let d = dig(onprem, name, "A", &[]).await;
    assert_eq!(d.status, "SERVFAIL", "{}", d.raw);
}

/// The same query, byte for byte but its id (`+nocookie`: dig's cookie would differ per run),
/// asked again after each change: an ARM write, an admin write, and an operation that
/// completes with time alone (no request in between). The face may keep encoded answers, but
/// never past a change of the world.
#[tokio::test]
async fn the_same_query_again_sees_every_change_of_the_world() {
    let clock = Arc::new(arcemu_model::clock::ManualClock::default());
    let mut cfg = arcemu::EmulatorConfig::default();
    cfg.world.lro_delay = time::Duration::seconds(10);
    cfg.clock = Some(clock.clone());
    // One receive loop per listener: every query then meets the answers the earlier ones left.
    cfg.dns.udp_workers = 1;
    let arm = start_with(cfg).await;
    arm.group(SUB, "rg", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "spoke", "eastus", "10.60.0.0/16", &[("a", "10.60.1.0/24")]).await;
    clock.advance(time::Duration::seconds(11));
    let addr = listener(&arm, &format!("vnet:{vnet}")).await;
    let name = "gbl.his.arc.azure.com";
    let ask = || dig(addr, name, "A", &["+nocookie"]);
    let public = |d: &Dig| d.status == "NOERROR" && d.addresses().len() == 1 && is_public(&d.addresses()[0]);
    for _ in 0..3 {
        let d = ask().await;
        assert!(public(&d), "{}", d.raw);
    }
    // ARM: a linked zone with the record answers privately.
    let zid = net_id(SUB, "rg", "privateDnsZones", "privatelink.his.arc.azure.com");
    ok(&arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "global"})).await);
    ok(&arm
        .put(
            &format!("{zid}/A/gbl?api-version={DNS_API}"),
            json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.60.1.4"}]}}),
        )
        .await);
    let link = format!("{zid}/virtualNetworkLinks/spoke?api-version={DNS_API}");
    ok(&arm
        .put(
            &link,
            json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
        )
        .await);
    clock.advance(time::Duration::seconds(11));
    for _ in 0..3 {
        assert_eq!(ask().await.addresses(), vec![Ipv4Addr::new(10, 60, 1, 4)]);
    }
    // Time alone: the link's deletion is accepted, then completes 10 s later with no request
    // to ARM in between; the next query sees the link gone.
    ok(&arm.delete(&link).await);
    assert_eq!(ask().await.addresses(), vec![Ipv4Addr::new(10, 60, 1, 4)], "the deletion is still pending");
    clock.advance(time::Duration::seconds(11));
    let d = ask().await;
    assert!(public(&d), "the deleted link no longer answers\n{}", d.raw);
    // Admin: a site that forwards the zone to an address where no forwarder listens (SERVFAIL),
    // then does not forward it (the public answer).
    put_site(&arm, "onprem", onprem_site(&PUBLIC_CLOUD, &[Ipv4Addr::new(10, 60, 1, 9)])).await;
    let site = listener(&arm, "site:onprem").await;
    let ask_site = || dig(site, name, "A", &["+nocookie"]);
    for _ in 0..2 {
        let d = ask_site().await;
        assert_eq!(d.status, "SERVFAIL", "{}", d.raw);
    }
    put_site(&arm, "onprem", onprem_site(&PUBLIC_CLOUD, &[])).await;
    let d = ask_site().await;
    assert!(public(&d), "{}", d.raw);
}

#[tokio::test]
async fn aaaa_and_other_types_are_noerror_without_addresses() {
    let arm = start().await;
    let lab = lab(&arm, "eastus", &PUBLIC_CLOUD).await;
    let name = "gbl.his.arc.azure.com";
    for addr in [
        arm.emu.dns_public_addr(),
        listener(&arm, "site:onprem").await,
        listener(&arm, &format!("vnet:{}", lab.hub)).await,
    ] {
        for qtype in ["AAAA", "TXT", "MX"] {
            let d = dig(addr, name, qtype, &[]).await;
            assert_eq!(d.status, "NOERROR", "{qtype}\n{}", d.raw);
            assert!(d.answers.iter().all(|(_, t, _)| t == "CNAME"), "{qtype}: no data of that type\n{}", d.raw);
        }
        // A CNAME query gets just the CNAME.
        let d = dig(addr, name, "CNAME", &[]).await;
        assert_eq!(d.status, "NOERROR", "{}", d.raw);
        assert_eq!(d.cnames(), vec![(name.to_string(), "gbl.privatelink.his.arc.azure.com".to_string())], "{}", d.raw);
    }
}

// ---------------------------------------------------------------------------------------------
// Protocol: truncation and TCP, malformed input, listeners

#[tokio::test]
async fn a_large_answer_is_truncated_over_udp_and_complete_over_tcp() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let vnet = arm.vnet(SUB, "rg", "v", "eastus", "10.70.0.0/16", &[("a", "10.70.1.0/24")]).await;
    let zid = net_id(SUB, "rg", "privateDnsZones", "privatelink.his.arc.azure.com");
    ok(&arm.put(&format!("{zid}?api-version={DNS_API}"), json!({"location": "global"})).await);
    ok(&arm
        .put(
            &format!("{zid}/virtualNetworkLinks/v?api-version={DNS_API}"),
            json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
        )
        .await);
    let records: Vec<Value> = (0..60).map(|i| json!({"ipv4Address": format!("10.70.1.{}", 10 + i)})).collect();
    ok(&arm
        .put(&format!("{zid}/A/big?api-version={DNS_API}"), json!({"properties": {"ttl": 60, "aRecords": records}}))
        .await);
    let addr = listener(&arm, &format!("vnet:{vnet}")).await;
    let name = "big.privatelink.his.arc.azure.com";
    // Without EDNS (512 bytes) over UDP only: truncated, TC set.
    let d = dig(addr, name, "A", &["+noedns", "+notcp", "+ignore"]).await;
    assert!(d.has_flag("tc"), "{}", d.raw);
    assert!(d.addresses().len() < 60, "{}", d.raw);
    // With a 512-byte EDNS buffer: truncated too.
    let d = dig(addr, name, "A", &["+bufsize=512", "+notcp", "+ignore"]).await;
    assert!(d.has_flag("tc"), "{}", d.raw);
    // dig's default behaviour: it retries over TCP on TC and gets all 60.
    let d = dig(addr, name, "A", &["+noedns"]).await;
    assert_eq!(d.transport, "TCP", "{}", d.raw);
    assert!(!d.has_flag("tc"), "{}", d.raw);
    assert_eq!(d.addresses().len(), 60, "{}", d.raw);
    // TCP directly.
    let d = dig(addr, name, "A", &["+tcp"]).await;
    assert_eq!(d.addresses().len(), 60, "{}", d.raw);
    // A 4096-byte EDNS buffer holds it over UDP.
    let d = dig(addr, name, "A", &["+bufsize=4096", "+notcp", "+ignore"]).await;
    assert!(!d.has_flag("tc") && d.addresses().len() == 60, "{}", d.raw);
    // hickory-resolver without EDNS: truncated over UDP, retried over TCP by the client.
    let ips = resolve_with_hickory(addr, name, false).await.expect("hickory resolves the large answer");
    assert_eq!(ips.len(), 60);
}

/// Looks `name` up with hickory-resolver against one listener (UDP, then TCP on truncation).
async fn resolve_with_hickory(addr: SocketAddr, name: &str, tcp_only: bool) -> Result<Vec<Ipv4Addr>, String> {
    use hickory_resolver::Resolver;
    use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    use hickory_resolver::proto::rr::{RData, RecordType};
    let mut conns = Vec::new();
    if !tcp_only {
        let mut udp = ConnectionConfig::udp();
        udp.port = addr.port();
        conns.push(udp);
    }
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = addr.port();
    conns.push(tcp);
    let config = ResolverConfig::from_parts(None, vec![], vec![NameServerConfig::new(addr.ip(), true, conns)]);
    let mut builder = Resolver::builder_with_config(config, TokioRuntimeProvider::default());
    let opts = builder.options_mut();
    opts.timeout = Duration::from_secs(2);
    opts.attempts = 1;
    opts.cache_size = 0;
    opts.edns0 = false;
    opts.ndots = 0;
    let resolver = builder.build().map_err(|e| e.to_string())?;
    let fqdn = format!("{name}.");
    let lookup = tokio::time::timeout(Duration::from_secs(10), resolver.lookup(fqdn.as_str(), RecordType::A))
        .await
        .map_err(|_| "hickory-resolver timed out".to_string())?
        .map_err(|e| if e.is_nx_domain() { "NXDOMAIN".to_string() } else { e.to_string() })?;
    Ok(lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.0),
            _ => None,
        })
        .collect())
}

#[tokio::test]
async fn hickory_resolver_over_udp_and_tcp() {
    let arm = start().await;
    let lab = lab(&arm, "chinaeast2", &CHINA).await;
    let onprem = listener(&arm, "site:onprem").await;
    let public = arm.emu.dns_public_addr();
    for name in CHINA.seed_lookups() {
        let want = expected_private(&lab, &name, "chinaeast2", &CHINA);
        for tcp_only in [false, true] {
            assert_eq!(
                resolve_with_hickory(onprem, &name, tcp_only).await,
                Ok(vec![want]),
                "{name} tcp_only={tcp_only}"
            );
            let ips = resolve_with_hickory(public, &name, tcp_only).await.expect("public answer");
            assert!(ips.len() == 1 && is_public(&ips[0]), "{name}: {ips:?}");
        }
    }
    assert_eq!(resolve_with_hickory(public, "nope.his.arc.azure.cn", false).await, Err("NXDOMAIN".to_string()));
}

/// A DNS query packet built by hand.
fn packet(id: u16, flags: u16, questions: &[(&str, u16, u16)], qdcount: Option<u16>) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&flags.to_be_bytes());
    p.extend_from_slice(&qdcount.unwrap_or(questions.len() as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    for (name, qtype, class) in questions {
        for label in name.split('.') {
            p.push(label.len() as u8);
            p.extend_from_slice(label.as_bytes());
        }
        p.push(0);
        p.extend_from_slice(&qtype.to_be_bytes());
        p.extend_from_slice(&class.to_be_bytes());
    }
    p
}

/// Sends one datagram and returns the reply, if any within 1 s.
fn udp_exchange(addr: SocketAddr, payload: &[u8]) -> Option<Vec<u8>> {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    s.send_to(payload, addr).unwrap();
    let mut buf = [0u8; 4096];
    match s.recv_from(&mut buf) {
        Ok((n, _)) => Some(buf[..n].to_vec()),
        Err(_) => None,
    }
}

fn rcode(reply: &[u8]) -> u8 {
    reply[3] & 0x0f
}

#[tokio::test]
async fn malformed_and_odd_packets_never_crash_the_server() {
    let arm = start().await;
    let addr = arm.emu.dns_public_addr();
    let check = tokio::task::spawn_blocking(move || {
        let mut garbage: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0xff; 3],
            vec![0; 12],
            (0..512u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
            vec![0xff; 1500],
        ];
        // A header that promises a question that is not there.
        garbage.push(packet(7, 0x0100, &[], Some(1)));
        // A name with a compression pointer to itself.
        let mut looped = packet(8, 0x0100, &[], Some(1));
        looped.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
        garbage.push(looped);
        // A label longer than the packet.
        let mut long = packet(9, 0x0100, &[], Some(1));
        long.extend_from_slice(&[63, b'a', b'b']);
        garbage.push(long);
        for g in &garbage {
            if let Some(reply) = udp_exchange(addr, g) {
                // Whatever answers garbage says FORMERR (or refuses); never a real answer.
                assert!(reply.len() >= 12, "{reply:?}");
                assert!(matches!(rcode(&reply), 1 | 5), "rcode {} for {g:?}", rcode(&reply));
            }
        }
        // A response (QR set) is not answered (no reflection).
        let mut resp = packet(10, 0x8100, &[("gbl.his.arc.azure.com", 1, 1)], None);
        assert_eq!(udp_exchange(addr, &resp), None);
        // Two questions: FORMERR. Opcode UPDATE: NOTIMP. Class CHAOS: REFUSED. All echo the id.
        let two = packet(11, 0x0100, &[("gbl.his.arc.azure.com", 1, 1), ("eus.his.arc.azure.com", 1, 1)], None);
        let r = udp_exchange(addr, &two).expect("reply to two questions");
        assert_eq!((r[0], r[1], rcode(&r)), (0, 11, 1));
        let update = packet(12, 0x2800, &[("his.arc.azure.com", 6, 1)], None);
        let r = udp_exchange(addr, &update).expect("reply to an update");
        assert_eq!((r[1], rcode(&r)), (12, 4));
        let chaos = packet(13, 0x0100, &[("version.bind", 16, 3)], None);
        let r = udp_exchange(addr, &chaos).expect("reply to CHAOS");
        assert_eq!((r[1], rcode(&r)), (13, 5));
        // A good query still answers, with the id echoed and QR, RD, RA set.
        let good = packet(14, 0x0100, &[("gbl.his.arc.azure.com", 1, 1)], None);
        let r = udp_exchange(addr, &good).expect("reply to a good query");
        assert_eq!((r[1], r[2] & 0x80, r[2] & 0x01, r[3] & 0x80, rcode(&r)), (14, 0x80, 1, 0x80, 0));
        // TCP: garbage behind a length prefix, a prefix promising more than is sent, a bare close.
        for payload in [vec![0, 5, 1, 2, 3, 4, 5], vec![0xff, 0xff, 1, 2], vec![], vec![0, 12, 0, 0, 0, 0]] {
            if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                use std::io::Write;
                s.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
                let _ = s.write_all(&payload);
            }
        }
        // A good query over TCP.
        use std::io::{Read, Write};
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).expect("TCP connect");
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut framed = (good.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&good);
        s.write_all(&framed).unwrap();
        let mut len = [0u8; 2];
        s.read_exact(&mut len).expect("TCP reply length");
        let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
        s.read_exact(&mut body).expect("TCP reply");
        assert_eq!((body[1], rcode(&body)), (14, 0));
        resp.clear();
    });
    tokio::time::timeout(Duration::from_secs(60), check).await.expect("bounded").expect("checks pass");
    // And real clients still get answers.
    let d = dig(addr, "gbl.his.arc.azure.com", "A", &[]).await;
    assert_eq!(d.status, "NOERROR", "{}", d.raw);
    let d = dig(addr, "gbl.his.arc.azure.com", "A", &["+tcp"]).await;
    assert_eq!(d.status, "NOERROR", "{}", d.raw);
}

#[tokio::test]
async fn listeners_follow_vnets_and_sites_and_the_admin_api_lists_them() {
    let arm = start().await;
    arm.group(SUB, "rg", "eastus").await;
    let before = arm.emu.dns_sync().await;
    assert_eq!(before.keys().cloned().collect::<Vec<_>>(), vec!["public".to_string()]);
    let vnet = arm.vnet(SUB, "rg", "v1", "eastus", "10.80.0.0/16", &[("a", "10.80.1.0/24")]).await;
    put_site(&arm, "branch", json!({"addressSpace": ["192.168.10.0/24"]})).await;
    // Without an explicit sync: the ARM write wakes the DNS face (or its periodic check does).
    let mut listeners = BTreeMap::new();
    for _ in 0..50 {
        listeners = arm.emu.dns_listeners();
        if listeners.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(listeners.len(), 3, "{listeners:?}");
    let v = listener(&arm, &format!("vnet:{vnet}")).await;
    let site = listener(&arm, "site:branch").await;
    assert_ne!(v.port(), site.port());
    assert!(v.ip().is_loopback() && site.ip().is_loopback());
    // The admin API lists the same.
    let r = arm.get(&format!("{}/_emulator/dns/listeners", arm.base)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let listed = r.body["listeners"].as_object().unwrap();
    assert_eq!(listed.len(), 3, "{}", r.body);
    assert_eq!(listed["public"], arm.emu.dns_public_addr().to_string());
    assert_eq!(listed["site:branch"], site.to_string());
    // Each answers (UDP and TCP on the same port).
    for addr in [v, site] {
        assert_eq!(dig(addr, "gbl.his.arc.azure.com", "A", &[]).await.status, "NOERROR");
        assert_eq!(dig(addr, "gbl.his.arc.azure.com", "A", &["+tcp"]).await.status, "NOERROR");
    }
    // Deleting the VNet and the site stops their listeners.
    ok(&arm.delete(&format!("{vnet}?api-version={NET_API}")).await);
    let r = arm.delete(&format!("{}/_emulator/sites/branch", arm.base)).await;
    assert!(r.status == 200 || r.status == 204, "{}", r.body);
    let after = arm.emu.dns_sync().await;
    assert_eq!(after.keys().cloned().collect::<Vec<_>>(), vec!["public".to_string()], "{after:?}");
    let d = dig(site, "gbl.his.arc.azure.com", "A", &[]).await;
    assert_ne!(d.status, "NOERROR", "a stopped listener does not answer\n{}", d.raw);
}

// ---------------------------------------------------------------------------------------------
// Why: the admin API and `arcemu nslookup`

#[tokio::test]
async fn admin_resolve_and_arcemu_nslookup_explain_the_answer() {
    let arm = start().await;
    let lab = lab(&arm, "chinaeast2", &CHINA).await;
    let url = format!("{}/_emulator/dns/resolve?name=gbl.his.arc.azure.cn&from=site:onprem&type=A", arm.base);
    let r = arm.get(&url).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = &r.body["answer"];
    assert_eq!(answer["rcode"], "NoError", "{}", r.body);
    assert_eq!(answer["authoritative"], true);
    let last = answer["answers"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["data"]["value"], lab.private["gbl.his.arc.azure.cn"].to_string(), "{}", r.body);
    let rules: Vec<&str> = answer["trace"].as_array().unwrap().iter().filter_map(|s| s["rule"].as_str()).collect();
    assert!(rules.contains(&"DNS-004") && rules.contains(&"DNS-002"), "{rules:?}");
    // Bad input is named.
    let r = arm.get(&format!("{}/_emulator/dns/resolve?name=x&from=mars", arm.base)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = arm.get(&format!("{}/_emulator/dns/resolve?name=x&type=BOGUS", arm.base)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = arm.get(&format!("{}/_emulator/dns/resolve?from=public", arm.base)).await;
    assert_eq!(r.status, 400, "{}", r.body);
    // The CLI prints the answer and why (each step with its rule id).
    let base = arm.base.clone();
    let hub = lab.hub.clone();
    let (site_out, vnet_out) = tokio::task::spawn_blocking(move || {
        // The exit code follows the answer (README, "Exit codes"): 0 a private address, 11 NODATA.
        let run = |args: &[&str], code: i32| {
            let out = Command::new(env!("CARGO_BIN_EXE_arcemu"))
                .arg("nslookup")
                .args(args)
                .args(["--arm", &base])
                .output()
                .expect("arcemu runs");
            assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        (
            run(&["dp.kubernetesconfiguration.azure.cn", "--from", "site:onprem"], 0),
            run(&["gbl.his.arc.azure.cn", "--from", &hub, "--type", "AAAA"], 11),
        )
    })
    .await
    .unwrap();
    let want = lab.private["chinaeast2.dp.kubernetesconfiguration.azure.cn"].to_string();
    assert!(site_out.contains(&format!("Address: {want}")), "{site_out}");
    assert!(site_out.contains("[DNS-004]") && site_out.contains("[DNS-002]"), "{site_out}");
    assert!(site_out.contains("Status:  NOERROR (authoritative answer)"), "{site_out}");
    assert!(vnet_out.contains("Status:  NOERROR") && !vnet_out.contains("Address:"), "{vnet_out}");
}
