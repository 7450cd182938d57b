//! `--dns-port-range`: every VNet's and site's DNS listener gets a port in the range, chosen
//! from its id, so the same world gets the same ports at every start (a container publishes
//! the range); the listener answers there; a full range is reported, not silently skipped.

use arcemu::{Emulator, EmulatorConfig, world_file};
use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

const WORLD: &str = r#"
resources:
  - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net
    body: { location: eastus }
  - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub
    body: { location: eastus, properties: { addressSpace: { addressPrefixes: [10.0.0.0/16] } } }
sites:
  hq: { addressSpace: [192.168.0.0/16] }
  branch: { addressSpace: [192.169.0.0/16] }
"#;

/// A range of 40 ports unlikely to be shared with another test process, below Linux's
/// ephemeral range (32768 and up), where any client socket may take a port meanwhile.
fn range() -> std::ops::RangeInclusive<u16> {
    let start = 21000 + (std::process::id() % 250) as u16 * 40;
    start..=start + 39
}

async fn listeners(ports: std::ops::RangeInclusive<u16>) -> BTreeMap<String, SocketAddr> {
    let mut config = EmulatorConfig { initial_world: Some(world_file::parse(WORLD).unwrap()), ..Default::default() };
    config.dns.vantage_ports = Some(ports);
    let emu = Emulator::start(config).await.expect("starts");
    let mut found = emu.dns_sync().await;
    found.remove("public");
    // The site's listener answers on its port (SOA of a zone it does not serve: a real answer).
    let site = found["site:hq"];
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let query = [
        0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0,
        0, 1, 0, 1,
    ];
    socket.send_to(&query, site).unwrap();
    let mut buf = [0u8; 512];
    let (n, _) = socket.recv_from(&mut buf).expect("the site's listener answers on its port");
    assert!(n >= 12 && buf[0] == 0x12 && buf[1] == 0x34, "an answer to our query");
    emu.stop().await;
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_world_gets_the_same_ports_in_the_range_at_every_start() {
    let ports = range();
    let first = listeners(ports.clone()).await;
    assert_eq!(first.len(), 3, "{first:?}");
    for (id, addr) in &first {
        assert!(ports.contains(&addr.port()), "{id} on {addr}, outside {ports:?}");
    }
    let second = listeners(ports.clone()).await;
    assert_eq!(first, second, "a restart moves no listener");
    // Each took its preferred port unless another had it already.
    let preferred: Vec<u16> = first.keys().map(|id| arcemu_fake_dns::preferred_port(id, &ports)).collect();
    let taken: Vec<u16> = first.values().map(|a| a.port()).collect();
    let distinct: std::collections::BTreeSet<u16> = preferred.iter().copied().collect();
    if distinct.len() == preferred.len() {
        assert_eq!(preferred, taken);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_range_is_reported_as_failed_binds() {
    let start = range().start() + 20;
    let mut config = EmulatorConfig { initial_world: Some(world_file::parse(WORLD).unwrap()), ..Default::default() };
    config.dns.vantage_ports = Some(start..=start + 1);
    let emu = Emulator::start(config).await.expect("starts");
    let bound = emu.dns_sync().await;
    assert_eq!(bound.len(), 1 + 2, "two ports for three vantage points: {bound:?}");
    let listing: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/_emulator/dns/listeners", emu.arm_endpoint()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failed = listing["failed"].as_object().expect("failed binds are listed");
    assert_eq!(failed.len(), 1, "{listing}");
    assert!(
        failed.values().all(|e| e.as_str().is_some_and(|e| e.contains("no free port in the DNS port range"))),
        "{listing}"
    );
    emu.stop().await;
}
