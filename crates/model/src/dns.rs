//! DNS resolution as each vantage point sees it (DESIGN.md "DNS facts", rules DNS-001..006).
//! Pure: given the world, a vantage point and a question, the answer with the whole chain
//! and a trace of why. The DNS face (crates/fake-dns) only translates it to packets.
//!
//! - `public`: the internet. `X.<arc zone>` is a CNAME to `X.privatelink.<arc zone>`, which
//!   has a public address (DNS-001). Emulated public addresses come from 198.51.100.0/24
//!   (TEST-NET-2), so they are never real destinations.
//! - `vnet:<id>`: Azure DNS (168.63.129.16) inside that VNet: private zones linked to the
//!   VNet answer for their names (DNS-002); a name missing from a linked zone is NXDOMAIN
//!   unless the link falls back to the internet (DNS-003).
//! - `site:<name>`: an on-premises DNS server: its own zones (DNS-005), then conditional
//!   forwarders to a forwarder inside a VNet reachable over VPN/ExpressRoute (DNS-004,
//!   NET-001), then the internet.
//!
//! The decisions are the catalogue's functions (`rules::dns_001_public_answer`,
//! `rules::dns_002_linked_zone_answers`, `rules::dns_003_*`, `rules::dns_004_forwarder_for`,
//! `rules::net_001_link_reaches_site`); every trace step cites its [`Rule`].

use crate::endpoints::public_zones;
use crate::error::{ArmError, ArmResult, Rule, cite};
use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use crate::lab::Site;
use crate::net::ResolutionPolicy;
use crate::region::{self, Cloud, REGIONS};
use crate::resources::Body;
use crate::rules::{self, DNS_001, DNS_002, DNS_003, DNS_004, DNS_005, NET_001, OnPremisesLink, PublicArcName};
use crate::world::World;
use serde::Serialize;
use std::net::Ipv4Addr;

pub const QTYPE_A: u16 = 1;
pub const QTYPE_CNAME: u16 = 5;
pub const QTYPE_ANY: u16 = 255;

/// The longest CNAME chain followed before answering SERVFAIL (loops end here too).
const MAX_CHAIN: usize = 12;

/// Where a query is asked from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vantage {
    Public,
    VirtualNetwork(ResourceId),
    Site(String),
}

impl Vantage {
    pub fn id(&self) -> String {
        match self {
            Vantage::Public => "public".to_string(),
            Vantage::VirtualNetwork(v) => format!("vnet:{v}"),
            Vantage::Site(s) => format!("site:{s}"),
        }
    }

    pub fn parse(s: &str) -> Option<Vantage> {
        if s.eq_ignore_ascii_case("public") {
            return Some(Vantage::Public);
        }
        if let Some(v) = s.strip_prefix("vnet:") {
            return ResourceId::parse(v).ok().map(Vantage::VirtualNetwork);
        }
        s.strip_prefix("site:").filter(|n| !n.is_empty()).map(|n| Vantage::Site(n.to_string()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum RecordData {
    A(Ipv4Addr),
    #[serde(rename = "CNAME")]
    Cname(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DnsRecord {
    /// Lower-case FQDN without the trailing dot.
    pub name: String,
    pub ttl: u32,
    pub data: RecordData,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Rcode {
    NoError,
    NxDomain,
    ServFail,
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Soa {
    pub zone: String,
    pub mname: String,
    pub rname: String,
    pub serial: u32,
    pub refresh: i32,
    pub retry: i32,
    pub expire: i32,
    pub minimum: u32,
    pub ttl: u32,
}

impl Soa {
    /// The SOA Azure Private DNS serves for a private zone.
    pub fn private(zone: &str) -> Soa {
        Soa {
            zone: zone.to_string(),
            mname: "azureprivatedns.net".into(),
            rname: "azureprivatedns-host.microsoft.com".into(),
            serial: 1,
            refresh: 3600,
            retry: 300,
            expire: 2_419_200,
            minimum: 10,
            ttl: 3600,
        }
    }

    fn public(zone: &str) -> Soa {
        Soa {
            zone: zone.to_string(),
            mname: "ns1-01.azure-dns.com".into(),
            rname: "azuredns-hostmaster.microsoft.com".into(),
            serial: 1,
            refresh: 3600,
            retry: 300,
            expire: 2_419_200,
            minimum: 300,
            ttl: 3600,
        }
    }

    fn site(zone: &str, site: &str) -> Soa {
        Soa {
            zone: zone.to_string(),
            mname: format!("dns.{site}.onprem"),
            rname: format!("hostmaster.{site}.onprem"),
            serial: 1,
            refresh: 3600,
            retry: 600,
            expire: 86_400,
            minimum: 60,
            ttl: 3600,
        }
    }
}

/// One fact on the way to an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceStep {
    /// The rule that decided this step (DNS-00x, NET-001), if any; JSON: its id.
    #[serde(serialize_with = "cite::opt_id")]
    pub rule: Option<&'static Rule>,
    /// The vantage point that took the step.
    pub at: String,
    pub text: String,
}

/// The answer to one question, with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DnsAnswer {
    pub rcode: Rcode,
    /// Whether the final answer came from a zone that is authoritative for it.
    pub authoritative: bool,
    /// The chain: CNAMEs in order, then the A records.
    pub answers: Vec<DnsRecord>,
    /// The zone's SOA for negative answers (authority section).
    pub soa: Option<Soa>,
    pub trace: Vec<TraceStep>,
}

impl DnsAnswer {
    /// The addresses at the end of the chain.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        self.answers
            .iter()
            .filter_map(|r| match r.data {
                RecordData::A(ip) => Some(ip),
                _ => None,
            })
            .collect()
    }
}

/// What one name looks like from one vantage point (one hop of the chain).
enum Hop {
    Addresses {
        ips: Vec<Ipv4Addr>,
        ttl: u32,
        authoritative: bool,
        soa: Soa,
    },
    Cname {
        target: String,
        ttl: u32,
        authoritative: bool,
        soa: Soa,
    },
    NxDomain {
        authoritative: bool,
        soa: Soa,
    },
    /// The name exists but has no data (e.g. a zone apex).
    NoData {
        authoritative: bool,
        soa: Soa,
    },
    /// The vantage handed the rest of the question to another (a forwarder).
    Delegate(Vantage),
    ServFail,
    Refused,
}

/// Lower-case, no trailing dot.
pub fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `name` is `zone` or below it.
pub(crate) fn in_zone(name: &str, zone: &str) -> bool {
    name == zone || name.strip_suffix(zone).is_some_and(|head| head.ends_with('.'))
}

/// The relative name of `name` in `zone` (`@` for the apex, or when `name` is not in it). A
/// name whose first label is itself `@` (`@.zone`: a query can ask for it) is not the apex: its
/// relative name is written as the DNS face writes odd bytes (`\064`), which names no record.
fn relative(name: &str, zone: &str) -> String {
    if name == zone {
        return "@".to_string();
    }
    match name.strip_suffix(zone).and_then(|head| head.strip_suffix('.')) {
        Some("@") => "\\064".to_string(),
        Some(head) => head.to_string(),
        None => "@".to_string(),
    }
}

/// A stable emulated public address for a name (TEST-NET-2).
fn public_address(name: &str) -> Ipv4Addr {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    Ipv4Addr::new(198, 51, 100, 10 + (h % 240) as u8)
}

fn cloud_default_region(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => "eastus",
        Cloud::China => "chinaeast2",
        Cloud::UsGovernment => "usgovvirginia",
    }
}

impl World {
    /// Every vantage point: the public view, one per VNet, one per site (stable order).
    pub fn dns_vantages(&self) -> Vec<Vantage> {
        let mut v = vec![Vantage::Public];
        v.extend(self.store.of_kind(ResourceKind::VirtualNetwork).map(|r| Vantage::VirtualNetwork(r.id.clone())));
        v.extend(self.store.sites().map(|s| Vantage::Site(s.name.clone())));
        v
    }

    /// Refuses a new vantage point (a virtual network or a site: `what`) once there are
    /// [`WorldConfig::max_dns_vantages`](crate::world::WorldConfig::max_dns_vantages) of them, so
    /// that every one the world holds gets its DNS listener (never a 201 with a listener missing).
    pub(crate) fn check_room_for_vantage(&self, what: &str) -> ArmResult<()> {
        let limit = self.config.max_dns_vantages;
        let vnets = self.store.of_kind(ResourceKind::VirtualNetwork).take(limit).count();
        let sites = self.store.sites().take(limit).count();
        if vnets + sites >= limit { Err(ArmError::dns_listener_limit_reached(limit, what)) } else { Ok(()) }
    }

    /// Resolves `qname`/`qtype` from `vantage`.
    pub fn resolve(&self, vantage: &Vantage, qname: &str, qtype: u16) -> DnsAnswer {
        let mut out = DnsAnswer {
            rcode: Rcode::NoError,
            authoritative: false,
            answers: Vec::new(),
            soa: None,
            trace: Vec::new(),
        };
        let name = normalize_name(qname);
        if let Err(why) = self.vantage_exists(vantage) {
            out.rcode = Rcode::Refused;
            out.trace.push(TraceStep { rule: None, at: vantage.id(), text: why });
            return out;
        }
        self.chain(vantage, name, qtype, &mut out);
        out
    }

    fn vantage_exists(&self, vantage: &Vantage) -> Result<(), String> {
        match vantage {
            Vantage::Public => Ok(()),
            Vantage::VirtualNetwork(v) => match self.store.get(v.key()).map(|r| r.kind()) {
                Some(ResourceKind::VirtualNetwork) => Ok(()),
                _ => Err(format!("virtual network '{v}' does not exist")),
            },
            Vantage::Site(s) => {
                if self.store.site(s).is_some() {
                    Ok(())
                } else {
                    Err(format!("site '{s}' does not exist"))
                }
            }
        }
    }

    /// Follows the chain from `vantage`, appending to `out`.
    fn chain(&self, vantage: &Vantage, mut name: String, qtype: u16, out: &mut DnsAnswer) {
        let mut vantage = vantage.clone();
        let mut hops = 0;
        loop {
            hops += 1;
            if hops > MAX_CHAIN {
                out.rcode = Rcode::ServFail;
                out.trace.push(TraceStep {
                    rule: None,
                    at: vantage.id(),
                    text: format!("gave up after {MAX_CHAIN} steps: the CNAME chain loops or is too long"),
                });
                return;
            }
            match self.hop(&vantage, &name, &mut out.trace) {
                Hop::Delegate(to) => {
                    vantage = to;
                    hops -= 1;
                }
                Hop::Cname { target, ttl, authoritative, soa } => {
                    out.answers.push(DnsRecord { name: name.clone(), ttl, data: RecordData::Cname(target.clone()) });
                    out.authoritative = authoritative;
                    if qtype == QTYPE_CNAME {
                        return;
                    }
                    if out.answers.iter().filter(|r| r.name == target).count() > 0 {
                        out.rcode = Rcode::ServFail;
                        out.soa = Some(soa);
                        out.trace.push(TraceStep {
                            rule: None,
                            at: vantage.id(),
                            text: format!("CNAME loop at {target}"),
                        });
                        return;
                    }
                    name = target;
                }
                Hop::Addresses { ips, ttl, authoritative, soa } => {
                    out.authoritative = authoritative;
                    if qtype == QTYPE_A || qtype == QTYPE_ANY {
                        out.answers.extend(ips.into_iter().map(|ip| DnsRecord {
                            name: name.clone(),
                            ttl,
                            data: RecordData::A(ip),
                        }));
                    } else {
                        out.soa = Some(soa);
                        out.trace.push(TraceStep {
                            rule: None,
                            at: vantage.id(),
                            text: format!("{name} has only A records: no data of type {qtype} (NOERROR, empty answer)"),
                        });
                    }
                    return;
                }
                Hop::NxDomain { authoritative, soa } => {
                    out.rcode = Rcode::NxDomain;
                    out.authoritative = authoritative;
                    out.soa = Some(soa);
                    return;
                }
                Hop::NoData { authoritative, soa } => {
                    out.authoritative = authoritative;
                    out.soa = Some(soa);
                    return;
                }
                Hop::ServFail => {
                    out.rcode = Rcode::ServFail;
                    return;
                }
                Hop::Refused => {
                    out.rcode = Rcode::Refused;
                    return;
                }
            }
        }
    }

    fn hop(&self, vantage: &Vantage, name: &str, trace: &mut Vec<TraceStep>) -> Hop {
        match vantage {
            Vantage::Public => self.public_hop(name, None, vantage, trace),
            Vantage::VirtualNetwork(v) => self.vnet_hop(v, name, trace),
            Vantage::Site(s) => match self.store.site(s) {
                Some(site) => self.site_hop(site, name, trace),
                None => Hop::Refused,
            },
        }
    }

    /// The internet's view of the Arc zones (DNS-001).
    fn public_hop(&self, name: &str, geo: Option<&'static str>, at: &Vantage, trace: &mut Vec<TraceStep>) -> Hop {
        for pz in public_namespace() {
            let (cloud, zone, labels) = (pz.cloud, pz.zone.as_str(), &pz.labels);
            if !in_zone(name, zone) {
                continue;
            }
            let rel = relative(name, zone);
            let soa = Soa::public(zone);
            if rel == "@" {
                if zone.starts_with("dp.") {
                    // The seed's troubleshooting lookup names the data-plane zone itself; arcemu
                    // routes it like a geo-routed name to the nearest region's endpoint (inferred).
                    let region = geo
                        .filter(|g| region::lookup(g).is_some_and(|r| r.cloud == cloud))
                        .unwrap_or(cloud_default_region(cloud));
                    let target = format!("{region}.{zone}");
                    trace.push(TraceStep {
                        rule: Some(&DNS_001),
                        at: at.id(),
                        text: format!(
                            "{name} is geo-routed to the nearest regional data-plane endpoint {target} (inferred)"
                        ),
                    });
                    return Hop::Cname { target, ttl: 300, authoritative: false, soa };
                }
                return Hop::NoData { authoritative: false, soa };
            }
            match rules::dns_001_public_answer(&rel, zone, |label| labels.contains(label)) {
                PublicArcName::PublicAddress => {
                    let ip = public_address(name);
                    trace.push(TraceStep {
                        rule: Some(&DNS_001),
                        at: at.id(),
                        text: format!("public DNS answers {name} with the service's public address {ip}"),
                    });
                    return Hop::Addresses { ips: vec![ip], ttl: 60, authoritative: false, soa };
                }
                PublicArcName::PrivatelinkAlias(target) => {
                    trace.push(TraceStep {
                        rule: Some(&DNS_001),
                        at: at.id(),
                        text: format!("public DNS: {name} is a CNAME to {target}"),
                    });
                    return Hop::Cname { target, ttl: 300, authoritative: false, soa };
                }
                PublicArcName::NoSuchName => {}
            }
            trace.push(TraceStep {
                rule: Some(&DNS_001),
                at: at.id(),
                text: format!("public DNS: {name} does not exist in {zone}"),
            });
            return Hop::NxDomain { authoritative: false, soa };
        }
        trace.push(TraceStep {
            rule: None,
            at: at.id(),
            text: format!("{name} is outside the Azure Arc names the emulator serves publicly (refused)"),
        });
        Hop::Refused
    }

    /// Azure DNS inside a VNet (DNS-002, DNS-003).
    fn vnet_hop(&self, vnet: &ResourceId, name: &str, trace: &mut Vec<TraceStep>) -> Hop {
        let at = Vantage::VirtualNetwork(vnet.clone()).id();
        let mut best: Option<(String, ResourceId, ResolutionPolicy, String)> = None;
        for link in self.store.links_of_vnet(vnet) {
            let Body::VirtualNetworkLink(l) = &link.body else { continue };
            let Some(zone) = link.id.parent() else { continue };
            let zone_name = zone.name().to_ascii_lowercase();
            if rules::dns_002_linked_zone_answers(name, &zone_name)
                && best.as_ref().is_none_or(|(z, ..)| z.len() < zone_name.len())
            {
                best = Some((zone_name, zone, l.resolution_policy, link.id.name().to_string()));
            }
        }
        let vnet_region = self.store.get(vnet.key()).and_then(|r| r.location);
        let Some((zone_name, zone, policy, link_name)) = best else {
            return self.public_hop(name, vnet_region, &Vantage::VirtualNetwork(vnet.clone()), trace);
        };
        let rel = relative(name, &zone_name);
        let soa = match self.store.get(zone.key()).map(|r| &r.body) {
            Some(Body::PrivateDnsZone(z)) => z.soa.to_dns(&zone_name),
            _ => Soa::private(&zone_name),
        };
        let a = self.store.get(zone.child("A", &rel).key());
        let cname = self.store.get(zone.child("CNAME", &rel).key());
        if let Some(Body::CnameRecordSet(c)) = cname.map(|r| &r.body)
            && let Some(target) = &c.cname
        {
            trace.push(TraceStep {
                rule: Some(&DNS_002),
                at: at.clone(),
                text: format!("private zone {zone_name} (linked by '{link_name}') has CNAME {rel} -> {target}"),
            });
            return Hop::Cname { target: normalize_name(target), ttl: c.ttl, authoritative: true, soa };
        }
        if let Some(Body::ARecordSet(s)) = a.map(|r| &r.body)
            && rules::dns_003_record_set_answers(&s.a_records)
        {
            trace.push(TraceStep {
                rule: Some(&DNS_002),
                at: at.clone(),
                text: format!(
                    "private zone {zone_name} (linked by '{link_name}') answers {name} with {}",
                    s.a_records.iter().map(|ip| ip.to_string()).collect::<Vec<_>>().join(", ")
                ),
            });
            return Hop::Addresses { ips: s.a_records.clone(), ttl: s.ttl, authoritative: true, soa };
        }
        let what = if a.is_some() { "an empty record set" } else { "no record" };
        if rules::dns_003_falls_back_to_internet(policy) {
            trace.push(TraceStep {
                rule: Some(&DNS_003),
                at: at.clone(),
                text: format!(
                    "private zone {zone_name} has {what} for {rel}; link '{link_name}' falls back to the internet"
                ),
            });
            return self.public_hop(name, vnet_region, &Vantage::VirtualNetwork(vnet.clone()), trace);
        }
        let advice = if a.is_some() {
            "an empty record set hides the public answer: do not create empty records in a linked zone"
        } else {
            "a linked zone answers for all names under it: add the record the private endpoint lists"
        };
        trace.push(TraceStep {
            rule: Some(&DNS_003),
            at,
            text: format!(
                "private zone {zone_name} (linked by '{link_name}') has {what} for {rel}: NXDOMAIN ({advice})"
            ),
        });
        Hop::NxDomain { authoritative: true, soa }
    }

    /// An on-premises DNS server (DNS-004, DNS-005, NET-001).
    fn site_hop(&self, site: &Site, name: &str, trace: &mut Vec<TraceStep>) -> Hop {
        let at = Vantage::Site(site.name.clone()).id();
        if let Some(z) =
            site.dns.zones.iter().filter(|z| in_zone(name, &normalize_name(&z.zone))).max_by_key(|z| z.zone.len())
        {
            let zone = normalize_name(&z.zone);
            let rel = relative(name, &zone);
            let soa = Soa::site(&zone, &site.name);
            let ips =
                z.records.iter().find(|(k, _)| normalize_name(k) == rel).map(|(_, v)| v.clone()).unwrap_or_default();
            if ips.is_empty() {
                trace.push(TraceStep {
                    rule: Some(&DNS_005),
                    at,
                    text: format!("the site's own zone {zone} has no record for {rel}: NXDOMAIN"),
                });
                return Hop::NxDomain { authoritative: true, soa };
            }
            trace.push(TraceStep {
                rule: Some(&DNS_005),
                at,
                text: format!(
                    "the site's own zone {zone} answers {name} with {} (manual records must match the private endpoint's DNS configuration)",
                    ips.iter().map(|ip| ip.to_string()).collect::<Vec<_>>().join(", ")
                ),
            });
            return Hop::Addresses { ips, ttl: 3600, authoritative: true, soa };
        }
        if let Some(f) = rules::dns_004_forwarder_for(&site.dns.forwarders, name) {
            for target in &f.targets {
                let candidates = self.forwarders_at(*target);
                if candidates.is_empty() {
                    trace.push(TraceStep {
                        rule: Some(&DNS_004),
                        at: at.clone(),
                        text: format!(
                            "conditional forwarder for {} points at {target}, where no DNS forwarder exists",
                            f.domain
                        ),
                    });
                    continue;
                }
                for (vnet, what) in candidates {
                    match self.site_reaches_vnet(site, &vnet) {
                        Ok(how) => {
                            trace.push(TraceStep {
                                rule: Some(&DNS_004),
                                at: at.clone(),
                                text: format!(
                                    "conditional forwarder for {} sends {name} to {what} at {target} in VNet '{}' over {how}; it asks Azure DNS as seen from that VNet",
                                    f.domain,
                                    vnet.name()
                                ),
                            });
                            return Hop::Delegate(Vantage::VirtualNetwork(vnet));
                        }
                        Err(why) => trace.push(TraceStep { rule: Some(&NET_001), at: at.clone(), text: why }),
                    }
                }
            }
            trace.push(TraceStep {
                rule: Some(&DNS_004),
                at,
                text: format!("no forwarder for {} could be reached: SERVFAIL", f.domain),
            });
            return Hop::ServFail;
        }
        if site.dns.public_fallback {
            trace.push(TraceStep {
                rule: Some(&DNS_004),
                at: at.clone(),
                text: format!("no zone or conditional forwarder on the site covers {name}: resolved on the internet"),
            });
            return self.public_hop(name, None, &Vantage::Site(site.name.clone()), trace);
        }
        trace.push(TraceStep {
            rule: Some(&DNS_004),
            at,
            text: format!("the site's DNS server cannot resolve {name}: SERVFAIL"),
        });
        Hop::ServFail
    }

    /// DNS forwarders listening at `ip`: (their VNet, what they are).
    pub fn forwarders_at(&self, ip: Ipv4Addr) -> Vec<(ResourceId, String)> {
        let mut out = Vec::new();
        for r in self.store.of_kind(ResourceKind::DnsResolverInboundEndpoint) {
            if let Body::DnsResolverInboundEndpoint(e) = &r.body
                && e.address == ip
                && let Some(vnet) = e.subnet.parent()
            {
                out.push((vnet, format!("Private Resolver inbound endpoint '{}'", r.id.name())));
            }
        }
        for r in self.store.of_kind(ResourceKind::AzureFirewall) {
            if let Body::AzureFirewall(f) = &r.body
                && f.address == ip
                && f.dns_proxy
                && let Some(vnet) = f.subnet.parent()
            {
                out.push((vnet, format!("Azure Firewall '{}' (DNS proxy)", r.id.name())));
            }
        }
        for vm in self.store.forwarder_vms() {
            if vm.address == ip
                && let Ok(vnet) = ResourceId::parse(&vm.virtual_network)
            {
                out.push((vnet, format!("forwarder VM '{}'", vm.name)));
            }
        }
        out
    }

    /// NET-001: on-premises reaches a VNet only over site-to-site VPN or ExpressRoute, through
    /// a gateway in that VNet (each connection judged by [`rules::net_001_link_reaches_site`]).
    /// `Ok` says how; `Err` says why not.
    pub fn site_reaches_vnet(&self, site: &Site, vnet: &ResourceId) -> Result<String, String> {
        let prefixes = site.prefixes();
        let circuit = site.express_route_circuit.as_deref().and_then(|c| ResourceId::parse(c).ok());
        for r in self.store.of_kind(ResourceKind::Connection) {
            let Body::Connection(c) = &r.body else { continue };
            let Some(Body::VirtualNetworkGateway(g)) = self.store.get(c.gateway.key()).map(|g| &g.body) else {
                continue;
            };
            if g.subnet.parent().as_ref() != Some(vnet) {
                continue;
            }
            let Some(peer) = &c.peer else { continue };
            let (link, how) = match self.store.get(peer.key()).map(|p| &p.body) {
                Some(Body::LocalNetworkGateway(l)) => {
                    (OnPremisesLink::SiteToSiteVpn { local_prefixes: &l.address_prefixes }, "site-to-site VPN")
                }
                Some(Body::ExpressRouteCircuit(_)) => (OnPremisesLink::ExpressRoute { circuit: peer }, "ExpressRoute"),
                _ => continue,
            };
            if rules::net_001_link_reaches_site(&prefixes, circuit.as_ref(), link) {
                return Ok(format!("{how} connection '{}'", r.id.name()));
            }
        }
        Err(format!(
            "site '{}' has no site-to-site VPN or ExpressRoute connection to VNet '{}': on-premises reaches a virtual network only through a gateway in it",
            site.name,
            vnet.name()
        ))
    }
}

/// One public Arc zone and the endpoint labels that exist in it.
struct PublicZone {
    cloud: Cloud,
    zone: String,
    labels: std::collections::HashSet<String>,
}

/// The public Arc namespace of every cloud, built once (it depends on nothing but the region table).
fn public_namespace() -> &'static [PublicZone] {
    static NAMESPACE: std::sync::OnceLock<Vec<PublicZone>> = std::sync::OnceLock::new();
    NAMESPACE.get_or_init(|| {
        [Cloud::Public, Cloud::China, Cloud::UsGovernment]
            .into_iter()
            .flat_map(|cloud| {
                public_zones(cloud).into_iter().map(move |zone| PublicZone {
                    cloud,
                    labels: known_labels(cloud, &zone).into_iter().collect(),
                    zone,
                })
            })
            .collect()
    })
}

/// Endpoint labels that exist in a public Arc zone of a cloud.
fn known_labels(cloud: Cloud, zone: &str) -> Vec<String> {
    let regions = REGIONS.iter().filter(|r| r.cloud == cloud);
    if zone.starts_with("his.") {
        std::iter::once("gbl".to_string()).chain(regions.map(|r| r.short.to_string())).collect()
    } else if zone.starts_with("guestconfiguration.") {
        std::iter::once("agentserviceapi".to_string()).chain(regions.map(|r| format!("{}-gas", r.name))).collect()
    } else {
        regions.map(|r| r.name.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnets_and_sites_share_the_cap_on_dns_vantage_points() {
        use crate::door::Change;
        use crate::world::{DEFAULT_SUBSCRIPTION, WorldConfig};
        use serde_json::json;
        let now = crate::clock::ManualClock::DEFAULT_START;
        let mut w = World::new(WorldConfig { max_dns_vantages: 2, ..WorldConfig::default() });
        let rg = json!({"location": "eastus"});
        w.apply(now, Change::PutResourceGroup { subscription: DEFAULT_SUBSCRIPTION, name: "rg", body: &rg }).unwrap();
        let vnet =
            |n: &str| ResourceId::resource(DEFAULT_SUBSCRIPTION, "rg", "Microsoft.Network", "virtualNetworks", n);
        let body = json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
        let site = json!({"addressSpace": ["192.168.0.0/24"]});
        w.apply(now, Change::PutResource { id: &vnet("a"), body: &body }).unwrap();
        w.apply(now, Change::PutSite { name: "hq", body: &site }).unwrap();
        let generation = w.generation();
        let e = w.apply(now, Change::PutResource { id: &vnet("b"), body: &body }).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (409, "DnsListenerLimitReached"), "{e:?}");
        let e = w.apply(now, Change::PutSite { name: "branch", body: &site }).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (409, "DnsListenerLimitReached"), "{e:?}");
        assert_eq!((w.generation(), w.dns_vantages().len()), (generation, 3), "nothing changed");
        // Replacing is no new vantage point.
        w.apply(now, Change::PutResource { id: &vnet("a"), body: &body }).unwrap();
        w.apply(now, Change::PutSite { name: "hq", body: &site }).unwrap();
        w.apply(now, Change::DeleteSite { name: "hq" }).unwrap();
        w.apply(now, Change::PutResource { id: &vnet("b"), body: &body }).unwrap();
        assert_eq!(w.dns_vantages().len(), 3);
    }

    #[test]
    fn a_private_zone_answers_with_the_soa_its_record_set_was_given() {
        use crate::door::Change;
        use crate::world::{DEFAULT_SUBSCRIPTION, WorldConfig};
        use serde_json::json;
        let now = crate::clock::ManualClock::DEFAULT_START;
        let mut w = World::new(WorldConfig::default());
        let rg = json!({"location": "eastus"});
        w.apply(now, Change::PutResourceGroup { subscription: DEFAULT_SUBSCRIPTION, name: "rg", body: &rg }).unwrap();
        let net =
            |ty: &str, name: &str| ResourceId::resource(DEFAULT_SUBSCRIPTION, "rg", "Microsoft.Network", ty, name);
        let vnet = net("virtualNetworks", "v");
        let body = json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
        w.apply(now, Change::PutResource { id: &vnet, body: &body }).unwrap();
        let zone = net("privateDnsZones", "contoso.internal");
        w.apply(now, Change::PutResource { id: &zone, body: &json!({"location": "global"}) }).unwrap();
        let link = json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet.to_string()}}});
        w.apply(now, Change::PutResource { id: &zone.child("virtualNetworkLinks", "l"), body: &link }).unwrap();
        let from = Vantage::VirtualNetwork(vnet);
        let before = w.resolve(&from, "missing.contoso.internal", QTYPE_A);
        assert_eq!(before.rcode, Rcode::NxDomain);
        assert_eq!(before.soa.as_ref().map(|s| s.minimum), Some(10));
        let soa = json!({"properties": {"soaRecord": {"minimumTtl": 60, "email": "dns-admin.contoso.internal"}}});
        w.apply(now, Change::WriteZoneSoa { zone: &zone, body: &soa, merge: true }).unwrap();
        let after = w.resolve(&from, "missing.contoso.internal", QTYPE_A);
        let got = after.soa.expect("an NXDOMAIN carries the zone's SOA");
        assert_eq!((got.minimum, got.rname.as_str()), (60, "dns-admin.contoso.internal"));
    }

    #[test]
    fn vantage_ids_round_trip() {
        let v = Vantage::VirtualNetwork(ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v"));
        for x in [Vantage::Public, v, Vantage::Site("hq".into())] {
            assert_eq!(Vantage::parse(&x.id()), Some(x));
        }
        assert_eq!(Vantage::parse("site:"), None);
        assert_eq!(Vantage::parse("mars"), None);
    }

    #[test]
    fn public_view_follows_the_privatelink_cname() {
        let w = World::new(Default::default());
        let a = w.resolve(&Vantage::Public, "GBL.his.arc.azure.com.", QTYPE_A);
        assert_eq!(a.rcode, Rcode::NoError);
        assert_eq!(a.answers[0].data, RecordData::Cname("gbl.privatelink.his.arc.azure.com".into()));
        let ip = a.addresses()[0];
        assert_eq!(ip.octets()[..3], [198, 51, 100]);
        assert!(!a.authoritative);
        let cn = w.resolve(&Vantage::Public, "dp.kubernetesconfiguration.azure.cn", QTYPE_A);
        assert_eq!(cn.answers[0].data, RecordData::Cname("chinaeast2.dp.kubernetesconfiguration.azure.cn".into()));
        assert_eq!(cn.addresses().len(), 1);
        assert_eq!(w.resolve(&Vantage::Public, "nope.his.arc.azure.com", QTYPE_A).rcode, Rcode::NxDomain);
        assert_eq!(w.resolve(&Vantage::Public, "example.org", QTYPE_A).rcode, Rcode::Refused);
        let aaaa = w.resolve(&Vantage::Public, "gbl.his.arc.azure.com", 28);
        assert_eq!((aaaa.rcode, aaaa.addresses().len(), aaaa.answers.len()), (Rcode::NoError, 0, 1));
        assert_eq!(w.resolve(&Vantage::Site("nowhere".into()), "gbl.his.arc.azure.com", QTYPE_A).rcode, Rcode::Refused);
    }

    #[test]
    fn a_name_whose_label_is_at_is_not_the_apex() {
        assert_eq!(relative("dp.example", "dp.example"), "@");
        assert_eq!(relative("x.dp.example", "dp.example"), "x");
        assert_eq!(relative("@.dp.example", "dp.example"), "\\064");
        let w = World::new(Default::default());
        // The data-plane zone itself is geo-routed; `@.` below it is no name at all.
        let apex = w.resolve(&Vantage::Public, "dp.kubernetesconfiguration.azure.com", QTYPE_A);
        assert_eq!(apex.answers[0].data, RecordData::Cname("eastus.dp.kubernetesconfiguration.azure.com".into()));
        let at = w.resolve(&Vantage::Public, "@.dp.kubernetesconfiguration.azure.com", QTYPE_A);
        assert_eq!((at.rcode, at.answers.len()), (Rcode::NxDomain, 0));
    }
}
