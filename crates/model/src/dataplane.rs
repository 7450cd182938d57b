//! Data-plane admission: would this cluster's Arc agents reach Azure Arc, privately,
//! publicly, or not at all — and why. Pure functions over the world (DESIGN.md rules
//! PLS-006, PLS-007, PLS-009, PLS-012, PLS-014, NET-001, NET-002, NET-003).
//!
//! For each Arc endpoint of the cluster's region the agent resolves the name from where the
//! cluster runs (its site's DNS server, or Azure DNS of its VNet), then the path is decided
//! by the address: a private endpoint's address means the private path (reachability over
//! VPN/ExpressRoute, the endpoint's connection state, the cluster's association with the
//! endpoint's scope); a public address means the public path (the firewall, and the scope's
//! public network access). Entra ID, Resource Manager, the container registry and Front Door
//! are always reached publicly (NET-002).
//!
//! Each decision is a function of the catalogue in `rules.rs` (`pls_006_public_path_allowed`,
//! `dns_005_address_owned_by_endpoint`, `dns_005_address_matches_endpoint`,
//! `pls_012_carries_traffic`, `pls_014_may_use_private_endpoint`,
//! `pls_007_associated_with_endpoint_scope`, `net_002_service_allowed`,
//! `pls_009_extension_documented`, `net_003_needs_own_private_endpoint`); the verdict and its
//! trace step cite the same [`Rule`], whose seed section the report shows.

use crate::dns::{DnsAnswer, Rcode, TraceStep, Vantage};
use crate::endpoints::{self, ArcEndpoint};
use crate::error::{ArmError, ArmResult, Rule, cite};
use crate::id::ResourceId;
use crate::kinds::ResourceKind;
use crate::lab::{LabCluster, Site};
use crate::net::cidr::Ipv4Net;
use crate::resources::{Body, ConnectionStatus, ConnectivityStatus, PrivateLinkState, Resource};
use crate::rules::{
    self, DNS_001, DNS_002, DNS_003, DNS_004, DNS_005, NET_001, NET_002, NET_003, PLS_006, PLS_007, PLS_009, PLS_012,
    PLS_014,
};
use crate::world::World;
use serde::Serialize;
use std::net::Ipv4Addr;

/// How an agent's request ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// Admitted through a private endpoint.
    Private,
    /// Admitted over the internet.
    Public,
    /// Reached the service, which refused it.
    Refused,
    /// Never reached the service (DNS or network).
    Unreachable,
}

/// One endpoint's story.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointTrace {
    pub fqdn: String,
    /// What the agents use it for.
    pub purpose: &'static str,
    pub dns: DnsAnswer,
    pub steps: Vec<TraceStep>,
    pub verdict: Verdict,
    /// The rule that decided the verdict. JSON: `rule` (its id) and `seedSection` (its
    /// section of the seed), both `null` when no rule decided.
    #[serde(flatten, serialize_with = "cite::id_and_seed_section")]
    pub rule: Option<&'static Rule>,
    /// The service's HTTP answer when it refused (403 for PLS-007).
    pub http_status: Option<u16>,
    pub message: Option<String>,
    /// What to change, for a person new to private link.
    pub fix: Option<String>,
}

/// A public service the agents need (NET-002).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCheck {
    pub service_tag: &'static str,
    pub purpose: &'static str,
    pub allowed: bool,
    pub why: String,
    #[serde(serialize_with = "cite::id")]
    pub rule: &'static Rule,
}

/// An extension's fate over private link (PLS-009, NET-003).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionCheck {
    pub name: String,
    pub extension_type: String,
    pub works_privately: bool,
    pub why: String,
    #[serde(serialize_with = "cite::id")]
    pub rule: &'static Rule,
}

/// Everything about one lab cluster's connectivity.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterReport {
    pub cluster: String,
    pub runs_in: String,
    pub connected_cluster: String,
    pub private_link_state: String,
    pub scope: Option<String>,
    pub public_network_access: Option<String>,
    pub endpoints: Vec<EndpointTrace>,
    pub services: Vec<ServiceCheck>,
    pub extensions: Vec<ExtensionCheck>,
    pub status: ConnectivityStatus,
    pub summary: String,
}

/// The services every Arc agent needs over the internet during the preview (NET-002).
pub use rules::NET_002_REQUIRED_SERVICES as REQUIRED_SERVICES;
/// Extension types documented to work end to end over private link (PLS-009).
pub use rules::PLS_009_PRIVATE_LINK_EXTENSIONS as PRIVATE_LINK_EXTENSIONS;

fn purpose(ep: &ArcEndpoint) -> &'static str {
    if ep.public_zone.starts_with("his.") {
        "Hybrid Identity Service: agent identity and heartbeat"
    } else if ep.public_zone.starts_with("guestconfiguration.") {
        "Guest configuration: agent configuration and notifications"
    } else {
        "Kubernetes configuration data plane: cluster configuration and extensions"
    }
}

/// The service tag covering an Arc endpoint's public addresses.
fn public_tag(ep: &ArcEndpoint) -> &'static str {
    if ep.public_zone.starts_with("guestconfiguration.") {
        "GuestAndHybridManagement"
    } else {
        "AzureArcInfrastructure"
    }
}

/// Where a lab cluster runs, resolved.
enum Placement<'a> {
    Site(&'a Site),
    Subnet { subnet: ResourceId, vnet: ResourceId },
}

impl World {
    fn placement<'a>(&'a self, c: &LabCluster) -> Result<Placement<'a>, String> {
        if let Some(s) = &c.site {
            return self.store.site(s).map(Placement::Site).ok_or_else(|| format!("site '{s}' no longer exists"));
        }
        let sn = c.subnet.as_deref().unwrap_or_default();
        let subnet = ResourceId::parse(sn).map_err(|_| format!("'{sn}' is not a subnet id"))?;
        let vnet = subnet
            .parent()
            .filter(|_| self.subnet(&subnet).is_some())
            .ok_or_else(|| format!("subnet '{sn}' no longer exists"))?;
        Ok(Placement::Subnet { subnet, vnet })
    }

    /// The full connectivity report of a lab cluster.
    pub fn explain_cluster(&self, name: &str) -> ArmResult<ClusterReport> {
        let c = self.store.lab_cluster(name).ok_or_else(|| ArmError::lab_cluster_not_found(name))?;
        let placement = self.placement(c).map_err(ArmError::cluster_placement_gone)?;
        let (runs_in, vantage) = match &placement {
            Placement::Site(s) => (format!("site '{}'", s.name), Vantage::Site(s.name.clone())),
            Placement::Subnet { subnet, vnet } => {
                (format!("subnet '{}' of VNet '{}'", subnet.name(), vnet.name()), Vantage::VirtualNetwork(vnet.clone()))
            }
        };
        let cc_id = c
            .connected_cluster_id()
            .ok_or_else(|| ArmError::linked_invalid_property_id(&c.connected_cluster, "connectedCluster"))?;
        let cc_res = self.store.get(cc_id.key()).filter(|r| r.kind() == ResourceKind::ConnectedCluster);
        let services = self.required_services(&placement);
        let Some(cc_res) = cc_res else {
            return Ok(ClusterReport {
                cluster: name.to_string(),
                runs_in,
                connected_cluster: c.connected_cluster.clone(),
                private_link_state: "n/a".into(),
                scope: None,
                public_network_access: None,
                endpoints: Vec::new(),
                services,
                extensions: Vec::new(),
                status: ConnectivityStatus::AgentNotInstalled,
                summary: format!(
                    "The connected cluster resource '{}' does not exist yet: onboard the cluster (az connectedk8s connect) first.",
                    cc_id.name()
                ),
            });
        };
        let cc = cc_res.as_cluster().cloned().ok_or_else(ArmError::not_a_connected_cluster)?;
        let scope = cc.private_link_scope_resource_id.as_ref().and_then(|s| self.store.get(s.key()));
        let region = cc_res.location.unwrap_or("eastus");
        let arc = endpoints::arc_endpoints(region).unwrap_or_default();
        let endpoints: Vec<EndpointTrace> =
            arc.iter().map(|ep| self.admit(&placement, &vantage, cc_res, scope, ep)).collect();
        let extensions = self.extension_checks(cc_res);
        // A cluster that was connected before and is not now is Offline, as its resource says.
        let status = match connectivity(&endpoints, &services) {
            ConnectivityStatus::Connected => ConnectivityStatus::Connected,
            _ if matches!(cc.connectivity_status, ConnectivityStatus::Connected | ConnectivityStatus::Offline) => {
                ConnectivityStatus::Offline
            }
            other => other,
        };
        let private = endpoints.iter().filter(|e| e.verdict == Verdict::Private).count();
        let public = endpoints.iter().filter(|e| e.verdict == Verdict::Public).count();
        let blocked_services: Vec<&str> = services.iter().filter(|s| !s.allowed).map(|s| s.service_tag).collect();
        let summary = if !blocked_services.is_empty() {
            format!(
                "Agents cannot run: {} blocked (NET-002). Arc endpoints: {private} private, {public} public, {} failing.",
                blocked_services.join(", "),
                endpoints.len() - private - public
            )
        } else if private == endpoints.len() {
            "All Arc endpoints are reached privately through the private endpoint.".to_string()
        } else if private + public == endpoints.len() {
            format!("All Arc endpoints are reached: {private} privately, {public} publicly.")
        } else {
            format!(
                "{} of {} Arc endpoints fail; the agents cannot connect.",
                endpoints.len() - private - public,
                endpoints.len()
            )
        };
        Ok(ClusterReport {
            cluster: name.to_string(),
            runs_in,
            connected_cluster: cc_id.to_string(),
            private_link_state: cc.private_link_state.as_str().to_string(),
            scope: scope.map(|s| s.id.to_string()),
            public_network_access: scope
                .and_then(|s| s.as_scope())
                .map(|s| s.public_network_access.as_str().to_string()),
            endpoints,
            services,
            extensions,
            status,
            summary,
        })
    }

    /// Admission of one endpoint for a cluster.
    fn admit(
        &self,
        placement: &Placement<'_>,
        vantage: &Vantage,
        cc: &Resource,
        scope: Option<&Resource>,
        ep: &ArcEndpoint,
    ) -> EndpointTrace {
        let dns = self.resolve(vantage, &ep.fqdn, crate::dns::QTYPE_A);
        let mut t = EndpointTrace {
            fqdn: ep.fqdn.clone(),
            purpose: purpose(ep),
            dns: dns.clone(),
            steps: Vec::new(),
            verdict: Verdict::Unreachable,
            rule: None,
            http_status: None,
            message: None,
            fix: None,
        };
        let at = vantage.id();
        let step = |rule: Option<&'static Rule>, text: String| TraceStep { rule, at: at.clone(), text };
        let Some(ip) = dns.addresses().first().copied() else {
            // A forwarder that cannot be reached is a network problem first (NET-001).
            let rule = if dns.trace.iter().any(|s| s.rule == Some(&NET_001)) {
                Some(&NET_001)
            } else {
                dns.trace.iter().rev().find_map(|s| s.rule)
            };
            t.steps
                .push(step(rule, format!("{} does not resolve ({:?}): the agent cannot connect", ep.fqdn, dns.rcode)));
            t.rule = rule.or(Some(&DNS_004));
            t.fix = Some(match dns.rcode {
                _ if rule == Some(&NET_001) => "Connect the site to the forwarder's VNet with a site-to-site VPN or ExpressRoute (a gateway in that VNet and a connection).".to_string(),
                Rcode::NxDomain => format!(
                    "Add the record for {} to the zone that answered (or remove the empty record set), matching the private endpoint's DNS configuration.",
                    ep.fqdn
                ),
                _ => "Point the DNS server at a forwarder in a VNet you reach over VPN/ExpressRoute (conditional forwarders for the Arc zones).".to_string(),
            });
            return t;
        };
        let cc_cluster = cc.as_cluster();
        let state = cc_cluster.map_or(PrivateLinkState::Disabled, |c| c.private_link_state);
        if !is_private(ip) {
            // Public path.
            t.steps.push(step(
                Some(&DNS_001),
                format!("{} resolves to the public address {ip}: the public path", ep.fqdn),
            ));
            let tag = public_tag(ep);
            if let Err(why) = self.egress_allowed(placement, tag, false) {
                // Not one of the seed's four services: the public Arc endpoints themselves. The
                // seed does not list them because private link keeps them off the internet.
                t.steps.push(step(None, format!("{why} (the public Arc endpoints are behind the {tag} service tag)")));
                t.verdict = Verdict::Unreachable;
                t.rule = None;
                t.fix =
                    Some(format!("Allow outbound TCP 443 to the {tag} service tag, or resolve {} privately.", ep.fqdn));
                return t;
            }
            let public_access = scope.and_then(|s| s.as_scope()).map(|s| s.public_network_access);
            if let Some(access) = public_access
                && !rules::pls_006_public_path_allowed(state, public_access)
            {
                let scope_name = scope.map(|x| x.id.name().to_string()).unwrap_or_default();
                t.steps.push(step(
                    Some(&PLS_006),
                    format!("scope '{scope_name}' has public network access {}: its clusters must come through a private endpoint", access.as_str()),
                ));
                t.verdict = Verdict::Refused;
                t.rule = Some(&PLS_006);
                t.http_status = Some(403);
                t.message = Some("This traffic is not authorized.".into());
                t.fix = Some(format!(
                    "Make {} resolve to the private endpoint from where the cluster runs (DNS forwarding or manual records), or enable public network access on scope '{scope_name}'.",
                    ep.fqdn
                ));
                return t;
            }
            t.steps.push(step(None, "the service admits the agent over the internet".into()));
            t.verdict = Verdict::Public;
            return t;
        }
        // Private address: which private endpoint owns it, reachable from here?
        let owners = self.endpoints_at(ip);
        if !rules::dns_005_address_owned_by_endpoint(&owners) {
            t.steps.push(step(Some(&DNS_005), format!("{} resolves to {ip}, which no private endpoint owns", ep.fqdn)));
            t.rule = Some(&DNS_005);
            t.fix = Some(format!(
                "Correct the record for {}: it must carry the address the private endpoint lists for it.",
                ep.fqdn
            ));
            return t;
        }
        let mut why_unreachable = Vec::new();
        let mut chosen = None;
        for pe in owners {
            let Some(Body::PrivateEndpoint(p)) = self.store.get(pe.key()).map(|r| &r.body) else {
                continue;
            };
            let Some(pe_vnet) = p.subnet.parent() else { continue };
            match placement {
                Placement::Subnet { vnet, .. } if *vnet == pe_vnet => {
                    chosen = Some((pe.clone(), p.clone(), "its own VNet".to_string()));
                    break;
                }
                Placement::Subnet { vnet, .. } => why_unreachable.push(format!(
                    "VNet '{}' is not VNet '{}' (peering is not emulated)",
                    vnet.name(),
                    pe_vnet.name()
                )),
                Placement::Site(site) => match self.site_reaches_vnet(site, &pe_vnet) {
                    Ok(how) => {
                        chosen = Some((pe.clone(), p.clone(), how));
                        break;
                    }
                    Err(why) => why_unreachable.push(why),
                },
            }
        }
        let Some((pe_id, pe, how)) = chosen else {
            t.steps.push(step(
                Some(&NET_001),
                format!("{ip} is a private endpoint address, but: {}", why_unreachable.join("; ")),
            ));
            t.rule = Some(&NET_001);
            t.fix = Some("Connect the site to the private endpoint's VNet with a site-to-site VPN or ExpressRoute (a gateway in that VNet and a connection).".into());
            return t;
        };
        t.steps.push(step(
            Some(&NET_001),
            format!("{ip} belongs to private endpoint '{}'; the cluster reaches it through {how}", pe_id.name()),
        ));
        // DNS-005: the address must be the one the endpoint assigned to this FQDN.
        let listed = pe.dns.iter().find(|(fqdn, _)| fqdn.eq_ignore_ascii_case(&ep.fqdn)).map(|(_, w)| *w);
        if !rules::dns_005_address_matches_endpoint(listed, ip) {
            let expected =
                listed.map(|w| w.to_string()).unwrap_or_else(|| "none (the endpoint does not serve this name)".into());
            t.steps.push(step(
                Some(&DNS_005),
                format!(
                    "{ip} is not the address private endpoint '{}' assigned to {} (expected {expected}): the connection reaches another service and fails",
                    pe_id.name(),
                    ep.fqdn
                ),
            ));
            t.verdict = Verdict::Unreachable;
            t.rule = Some(&DNS_005);
            t.fix = Some(format!("Make {} resolve to {expected}, as the endpoint's DNS configuration lists.", ep.fqdn));
            return t;
        }
        // PLS-012: the connection must be approved.
        let status = match self.store.get(pe.connection.scope_connection.key()).map(|r| &r.body) {
            Some(Body::PrivateEndpointConnection(c)) => c.status,
            _ => ConnectionStatus::Disconnected,
        };
        if !rules::pls_012_carries_traffic(status) {
            t.steps.push(step(
                Some(&PLS_012),
                format!("the endpoint's connection to its scope is {}: it carries no traffic", status.as_str()),
            ));
            t.verdict = Verdict::Unreachable;
            t.rule = Some(&PLS_012);
            t.fix = Some(match status {
                ConnectionStatus::Pending => {
                    "Approve the private endpoint connection on the Private Link Scope.".into()
                }
                _ => "Recreate the private endpoint: a rejected or disconnected connection cannot be approved again."
                    .into(),
            });
            return t;
        }
        // PLS-014 / PLS-007: only clusters associated with the endpoint's scope are let in.
        let target_scope = &pe.connection.scope;
        let cluster_scope = cc_cluster.and_then(|c| c.private_link_scope_resource_id.as_ref());
        let refusal = if !rules::pls_014_may_use_private_endpoint(state) {
            Some((&PLS_014, "the cluster does not use private link, yet its DNS resolves the private endpoint (resources with and without private link share this DNS)".to_string()))
        } else if !rules::pls_007_associated_with_endpoint_scope(state, cluster_scope, target_scope) {
            Some((&PLS_007, format!("the cluster is associated with another scope, not '{}'", target_scope.name())))
        } else {
            None
        };
        if let Some((rule, why)) = refusal {
            t.steps.push(step(
                Some(rule),
                format!("{why}: the service refuses the agent (403 \"This traffic is not authorized.\")"),
            ));
            t.verdict = Verdict::Refused;
            t.rule = Some(rule);
            t.http_status = Some(403);
            t.message = Some("This traffic is not authorized.".into());
            t.fix = Some(format!(
                "Associate the cluster with scope '{}' (privateLinkState Enabled, privateLinkScopeResourceId), or give clusters without private link a DNS server that resolves the public addresses.",
                target_scope.name()
            ));
            return t;
        }
        t.steps.push(step(
            Some(&PLS_007),
            format!("the cluster is associated with scope '{}': admitted privately", target_scope.name()),
        ));
        t.verdict = Verdict::Private;
        t.rule = Some(&PLS_007);
        t
    }

    /// Service tags a lab cluster bound to `cc` cannot reach (NET-002); empty when no lab
    /// cluster runs its agents.
    pub(crate) fn onboarding_blocked_services(&self, cc: &ResourceId) -> Vec<&'static str> {
        let Some(c) = self.store.lab_of_connected_cluster(cc) else { return Vec::new() };
        let Ok(placement) = self.placement(c) else { return Vec::new() };
        self.required_services(&placement).into_iter().filter(|s| !s.allowed).map(|s| s.service_tag).collect()
    }

    /// NET-002 checks of the public services every agent needs.
    fn required_services(&self, placement: &Placement<'_>) -> Vec<ServiceCheck> {
        REQUIRED_SERVICES
            .iter()
            .map(|(tag, purpose, both)| {
                let out = self.egress_allowed(placement, tag, false);
                let inn = if *both { self.egress_allowed(placement, tag, true) } else { Ok(String::new()) };
                let allowed = rules::net_002_service_allowed(out.is_ok(), *both, inn.is_ok());
                let why = match (out, inn) {
                    (Ok(a), Ok(b)) => {
                        if b.is_empty() {
                            a
                        } else {
                            format!("{a}; {b}")
                        }
                    }
                    (Err(e), _) | (_, Err(e)) => e,
                };
                ServiceCheck { service_tag: tag, purpose, allowed, why, rule: &NET_002 }
            })
            .collect()
    }

    /// Whether TCP 443 to (or, `inbound`, from) a service tag passes the site firewall or the
    /// subnet's NSG.
    fn egress_allowed(&self, placement: &Placement<'_>, tag: &str, inbound: bool) -> Result<String, String> {
        let dir = if inbound { "inbound" } else { "outbound" };
        match placement {
            Placement::Site(site) => match &site.firewall {
                None => Ok(format!("site '{}' firewall allows all traffic", site.name)),
                Some(rules) => rules
                    .iter()
                    .find(|r| {
                        r.inbound == inbound && (r.port == 443 || r.port == 0) && tag_matches(&r.destination, tag)
                    })
                    .map(|r| format!("site '{}' firewall allows {dir} {} on {}", site.name, r.destination, r.port))
                    .ok_or_else(|| format!("site '{}' firewall has no {dir} TCP 443 allow rule for {tag}", site.name)),
            },
            Placement::Subnet { subnet, .. } => {
                let Some((_, sn)) = self.subnet(subnet) else { return Err("the subnet is gone".into()) };
                let Some(nsg) = &sn.network_security_group else {
                    return Ok(format!("subnet '{}' has no network security group", subnet.name()));
                };
                let mut rules: Vec<(u16, String, &crate::net::SecurityRule)> = self
                    .children_of(nsg, ResourceKind::SecurityRule)
                    .filter_map(|r| match &r.body {
                        Body::SecurityRule(s) if (s.direction == crate::net::Direction::Inbound) == inbound => {
                            Some((s.priority, r.id.name().to_string(), s))
                        }
                        _ => None,
                    })
                    .collect();
                rules.sort_by_key(|(p, ..)| *p);
                for (prio, name, r) in rules {
                    let peer = if inbound { &r.source_address_prefixes } else { &r.destination_address_prefixes };
                    let ports_ok = r.destination_port_ranges.iter().any(|p| port_matches(p, 443));
                    let proto_ok = r.protocol == "Tcp" || r.protocol == "*";
                    if ports_ok && proto_ok && peer.iter().any(|p| tag_matches(p, tag)) {
                        return if r.access == "Allow" {
                            Ok(format!("NSG '{}' rule '{name}' (priority {prio}) allows {dir} {tag}", nsg.name()))
                        } else {
                            Err(format!(
                                "NSG '{}' rule '{name}' (priority {prio}) denies {dir} {tag}; allow rules must have a lower priority number than any rule that blocks internet access",
                                nsg.name()
                            ))
                        };
                    }
                }
                if inbound {
                    Err(format!("NSG '{}' has no inbound allow rule for {tag} (default DenyAllInBound)", nsg.name()))
                } else {
                    Ok(format!("NSG '{}' default rule AllowInternetOutBound allows {tag}", nsg.name()))
                }
            }
        }
    }

    fn extension_checks(&self, cc: &Resource) -> Vec<ExtensionCheck> {
        let private = cc.as_cluster().is_some_and(|c| c.private_link_state == PrivateLinkState::Enabled);
        self.children_of(&cc.id, ResourceKind::ClusterExtension)
            .filter_map(|r| match &r.body {
                Body::ClusterExtension(e) => Some((r.id.name().to_string(), e.extension_type.clone())),
                _ => None,
            })
            .map(|(name, ty)| {
                let (works, why, rule) = if !private {
                    (true, "the cluster does not use private link".to_string(), &PLS_009)
                } else if rules::net_003_needs_own_private_endpoint(&ty) {
                    (false, "Azure Monitor is supported over private link but needs its own private endpoint (Azure Monitor Private Link Scope) in the VNet, which the emulator does not provide".to_string(), &NET_003)
                } else if rules::pls_009_extension_documented(&ty) {
                    (true, "documented to work end to end over private link".to_string(), &PLS_009)
                } else {
                    (false, "not documented to work over private link: its traffic will not reach Azure privately".to_string(), &PLS_009)
                };
                ExtensionCheck { name, extension_type: ty, works_privately: works, why, rule }
            })
            .collect()
    }

    /// Private endpoints that own `ip` (index lookup).
    fn endpoints_at(&self, ip: Ipv4Addr) -> Vec<ResourceId> {
        self.store.endpoints_at(ip).map(|r| r.id.clone()).collect()
    }

    /// Recomputes every bound connected cluster's `connectivityStatus` (and
    /// `lastConnectivityTime` when connected). Bounded by the number of lab clusters.
    pub(crate) fn refresh_connectivity(&mut self, now: time::OffsetDateTime) {
        let names: Vec<String> = self.store.lab_clusters().map(|c| c.name.clone()).collect();
        for name in names {
            let Ok(report) = self.explain_cluster(&name) else { continue };
            let Some(cc) = self.store.lab_cluster(&name).and_then(|c| c.connected_cluster_id()) else { continue };
            let Some(Body::ConnectedCluster(c)) = self.store.get(cc.key()).map(|r| &r.body) else { continue };
            let previous = c.connectivity_status;
            let next = match report.status {
                ConnectivityStatus::Connected => ConnectivityStatus::Connected,
                _ if previous == ConnectivityStatus::Connected || previous == ConnectivityStatus::Offline => {
                    ConnectivityStatus::Offline
                }
                other => other,
            };
            let stamp = (next == ConnectivityStatus::Connected).then(|| crate::clock::format_arm_time(now));
            let changed = next != previous || (stamp.is_some() && stamp != c.last_connectivity_time);
            if changed {
                self.store.update(cc.key(), |r| {
                    if let Body::ConnectedCluster(c) = &mut r.body {
                        c.connectivity_status = next;
                        if stamp.is_some() {
                            c.last_connectivity_time = stamp;
                        }
                    }
                });
            }
        }
    }
}

/// Why an endpoint a private-link cluster resolves is not answered with a private address
/// (the seed's troubleshooting lookups: "If they resolve public IP addresses, double check ...
/// DNS configuration"): the rule that was missed, what is wrong and what to change.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsGap {
    pub fqdn: String,
    #[serde(serialize_with = "cite::id")]
    pub rule: &'static Rule,
    /// The vantage point whose DNS gave the public answer.
    pub at: String,
    pub what: String,
    pub fix: String,
}

/// What one on-premises cluster of a scope resolves the Arc zones through (DNS-006).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnPremisesResolution {
    pub cluster: String,
    pub site: String,
    /// Per Arc zone: where the site's DNS server hands it (`forwarder 10.10.3.4`, `own zone`,
    /// `internet`), in the order of the zones.
    pub path: Vec<String>,
}

/// DNS-006 over one scope: its on-premises clusters and whether they agree.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeForwarding {
    pub scope: String,
    pub clusters: Vec<OnPremisesResolution>,
    pub holds: bool,
}

impl World {
    /// DNS-002/003/004: for an endpoint a lab cluster with private link enabled resolves to a
    /// public address, the gap in its private DNS. `None` when the cluster does not use private
    /// link or the name resolves to a private address.
    pub fn private_dns_gap(&self, cluster: &str, trace: &EndpointTrace) -> Option<PrivateDnsGap> {
        let c = self.store.lab_cluster(cluster)?;
        let cc = c.connected_cluster_id().and_then(|id| self.store.get(id.key()))?;
        if cc.as_cluster().map(|x| x.private_link_state) != Some(PrivateLinkState::Enabled) {
            return None;
        }
        let ip = trace.dns.addresses().first().copied()?;
        if is_private(ip) {
            return None;
        }
        let region = cc.location.unwrap_or("eastus");
        let ep = endpoints::arc_endpoints(region).unwrap_or_default().into_iter().find(|e| e.fqdn == trace.fqdn)?;
        let zone = ep.private_zone();
        // The VNet whose Azure DNS answered: the last hop taken inside a VNet.
        let vnet = trace
            .dns
            .trace
            .iter()
            .rev()
            .find_map(|s| s.at.strip_prefix("vnet:").and_then(|v| ResourceId::parse(v).ok()));
        let Some(vnet) = vnet else {
            let at = trace.dns.trace.first().map(|s| s.at.clone()).unwrap_or_default();
            return Some(PrivateDnsGap {
                fqdn: trace.fqdn.clone(),
                rule: &DNS_004,
                at: at.clone(),
                what: format!(
                    "{at} resolves {} on the internet: no conditional forwarder sends {} to a DNS forwarder in a VNet",
                    trace.fqdn, ep.public_zone
                ),
                fix: format!(
                    "Add a conditional forwarder for {} to a Private Resolver inbound endpoint, Firewall DNS proxy or forwarder VM in the VNet linked to zone {zone}.",
                    ep.public_zone
                ),
            });
        };
        let linked: Vec<String> =
            self.store.links_of_vnet(&vnet).filter_map(|l| l.id.parent().map(|z| z.name().to_string())).collect();
        let at = Vantage::VirtualNetwork(vnet.clone()).id();
        if !rules::dns_002_zone_linked(&zone, &linked) {
            return Some(PrivateDnsGap {
                fqdn: trace.fqdn.clone(),
                rule: &DNS_002,
                at,
                what: format!(
                    "no private DNS zone {zone} is linked to VNet '{}', so its Azure DNS answers {} from the internet",
                    vnet.name(),
                    trace.fqdn
                ),
                fix: format!(
                    "Link private DNS zone {zone} to VNet '{}' (a virtualNetworkLinks child of the zone).",
                    vnet.name()
                ),
            });
        }
        Some(PrivateDnsGap {
            fqdn: trace.fqdn.clone(),
            rule: &DNS_003,
            at,
            what: format!(
                "zone {zone} is linked to VNet '{}' but has no address for {}; the link falls back to the internet",
                vnet.name(),
                trace.fqdn
            ),
            fix: format!(
                "Add the private endpoint's record {} to zone {zone} (a private DNS zone group does it).",
                ep.record
            ),
        })
    }

    /// DNS-006: for every scope, what each of its on-premises lab clusters resolves the Arc
    /// zones through, and whether they all agree ([`rules::dns_006_same_forwarder`]).
    pub fn dns_006_scope_forwarding(&self) -> Vec<ScopeForwarding> {
        let mut out = Vec::new();
        for scope in self.store.of_kind(ResourceKind::PrivateLinkScope) {
            let cloud_zones = endpoints::arc_endpoints(scope.location.unwrap_or("eastus")).unwrap_or_default();
            let mut zones: Vec<&str> = cloud_zones.iter().map(|e| e.public_zone.as_str()).collect();
            zones.dedup();
            let mut clusters = Vec::new();
            for c in self.store.lab_clusters() {
                let Some(site) = c.site.as_deref().and_then(|s| self.store.site(s)) else { continue };
                let associated = c
                    .connected_cluster_id()
                    .and_then(|id| self.store.get(id.key()))
                    .and_then(|r| r.as_cluster())
                    .and_then(|x| x.private_link_scope_resource_id.as_ref())
                    .is_some_and(|s| *s == scope.id);
                if !associated {
                    continue;
                }
                let path = zones
                    .iter()
                    .map(|zone| {
                        let probe = format!("gbl.{zone}");
                        if site
                            .dns
                            .zones
                            .iter()
                            .any(|z| crate::dns::in_zone(&probe, &crate::dns::normalize_name(&z.zone)))
                        {
                            format!("own zone on site '{}'", site.name)
                        } else if let Some(f) = rules::dns_004_forwarder_for(&site.dns.forwarders, &probe) {
                            let targets: Vec<String> = f.targets.iter().map(|t| t.to_string()).collect();
                            format!("forwarder {}", targets.join(", "))
                        } else {
                            "internet".to_string()
                        }
                    })
                    .collect();
                clusters.push(OnPremisesResolution { cluster: c.name.clone(), site: site.name.clone(), path });
            }
            let paths: Vec<&Vec<String>> = clusters.iter().map(|c| &c.path).collect();
            let holds = rules::dns_006_same_forwarder(&paths);
            out.push(ScopeForwarding { scope: scope.id.to_string(), clusters, holds });
        }
        out
    }
}

/// Connected when every required service and every Arc endpoint is admitted.
fn connectivity(endpoints: &[EndpointTrace], services: &[ServiceCheck]) -> ConnectivityStatus {
    let ok = services.iter().all(|s| s.allowed)
        && endpoints.iter().all(|e| matches!(e.verdict, Verdict::Private | Verdict::Public));
    if ok { ConnectivityStatus::Connected } else { ConnectivityStatus::Connecting }
}

/// RFC 1918 (and 100.64/10 shared) addresses are private.
pub fn is_private(ip: Ipv4Addr) -> bool {
    ip.is_private() || Ipv4Net::parse("100.64.0.0/10").is_ok_and(|n| n.contains_addr(ip))
}

/// Whether a rule's address prefix covers a public service tag: `*`, `Internet`, or the tag
/// (regional forms included; the NSG module's matcher decides).
fn tag_matches(rule: &str, tag: &str) -> bool {
    rule == "*" || rule.eq_ignore_ascii_case("Internet") || crate::net::prefix_names_tag(rule, tag)
}

fn port_matches(range: &str, port: u16) -> bool {
    if range == "*" {
        return true;
    }
    match range.split_once('-') {
        Some((a, b)) => a.parse::<u16>().is_ok_and(|a| a <= port) && b.parse::<u16>().is_ok_and(|b| port <= b),
        None => range.parse::<u16>() == Ok(port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trace cites a rule by id, with its seed section, in the same JSON as before rules were values.
    #[test]
    fn traces_serialize_rules_as_ids() {
        let step = TraceStep { rule: Some(&PLS_007), at: "site:hq".into(), text: "t".into() };
        let mut t = EndpointTrace {
            fqdn: "gbl.his.arc.azure.com".into(),
            purpose: "p",
            dns: DnsAnswer { rcode: Rcode::NoError, authoritative: false, answers: vec![], soa: None, trace: vec![] },
            steps: vec![step],
            verdict: Verdict::Private,
            rule: Some(&PLS_007),
            http_status: None,
            message: None,
            fix: None,
        };
        let text = serde_json::to_string(&t).unwrap();
        assert!(
            text.contains(r#""steps":[{"rule":"PLS-007","at":"site:hq","text":"t"}],"verdict":"Private","rule":"PLS-007","seedSection":"Manual DNS server configuration","httpStatus":null"#),
            "{text}"
        );
        t.rule = None;
        let text = serde_json::to_string(&t).unwrap();
        assert!(text.contains(r#""verdict":"Private","rule":null,"seedSection":null,"httpStatus""#), "{text}");
        let check = ServiceCheck { service_tag: "x", purpose: "p", allowed: true, why: "w".into(), rule: &NET_002 };
        assert_eq!(serde_json::to_value(check).unwrap()["rule"], "NET-002");
    }

    #[test]
    fn tags_and_ports() {
        assert!(tag_matches("Internet", "AzureActiveDirectory"));
        assert!(tag_matches("azureactivedirectory", "AzureActiveDirectory"));
        assert!(tag_matches("AzureActiveDirectory.EastUS", "AzureActiveDirectory"));
        assert!(!tag_matches("AzureResourceManager", "AzureActiveDirectory"));
        assert!(!tag_matches("AzureFrontDoor.Backend", "AzureFrontDoor.FirstParty"));
        // Any text, sliced nowhere: multi-byte characters around every tag length.
        for rule in ["ééé", &"é".repeat(40), &format!("a{}", "é".repeat(40)), "AzureActiveDirectory.ééé", "日本語"]
        {
            for (tag, ..) in REQUIRED_SERVICES {
                assert!(!tag_matches(rule, tag), "{rule} {tag}");
            }
        }
        assert!(port_matches("400-500", 443) && port_matches("*", 443) && !port_matches("80", 443));
        assert!(is_private(Ipv4Addr::new(10, 1, 2, 3)) && !is_private(Ipv4Addr::new(198, 51, 100, 7)));
    }
}
