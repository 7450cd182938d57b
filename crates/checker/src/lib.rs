//! arcemu-checker: the conformance gate. Given a world (the emulator's, live or loaded from a
//! snapshot) and expectations ("every cluster with private link enabled reaches every Arc
//! endpoint privately", by default), it walks the seed's planning checklist for each cluster
//! and reports findings: rule id, severity, resource, what is wrong, how to fix it, and the
//! seed section.
//!
//! Every finding comes from a verdict of the model: the data plane's endpoint traces,
//! service and extension checks (`World::explain_cluster`), the private-DNS diagnosis
//! (`World::private_dns_gap`), DNS-006 (`World::dns_006_scope_forwarding`), PLS-006
//! (`rules::pls_006_public_path_allowed`), the DNS views (`World::resolve`), and the refusals
//! the emulator answered while a command ran. The checker decides no rule itself; it only
//! chooses which verdicts an expectation needs and how to show them.

mod expect;
mod render;

pub use expect::{Expectation, Want};
pub use render::{junit, text};

use arcemu_model::dataplane::{ClusterReport, EndpointTrace, Verdict};
use arcemu_model::dns::{QTYPE_A, Vantage};
use arcemu_model::resources::{ConnectivityStatus, PrivateLinkState};
use arcemu_model::{World, rules};
use serde::{Deserialize, Serialize};

/// How much a finding matters: an error fails the expectation it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One thing wrong, from one verdict of the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The catalogue id (`DNS-003`); `null` when no rule decided (e.g. a resource missing).
    pub rule: Option<String>,
    pub severity: Severity,
    /// What it is about: a cluster and endpoint, a scope, a request.
    pub resource: String,
    pub what: String,
    pub fix: String,
    /// The seed section the rule comes from.
    pub seed_section: Option<String>,
}

impl Finding {
    fn new(
        rule: Option<&'static arcemu_model::Rule>,
        severity: Severity,
        resource: String,
        what: String,
        fix: String,
    ) -> Self {
        Finding {
            rule: rule.map(|r| r.id.to_string()),
            severity,
            resource,
            what,
            fix,
            seed_section: rule.map(|r| r.seed_section.to_string()),
        }
    }
}

/// The outcome of one expectation for one cluster.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationResult {
    /// `private: edge`, as the JUnit test case is named.
    pub name: String,
    pub want: Want,
    pub cluster: Option<String>,
    pub holds: bool,
    /// The cluster's connectivity status as the model computes it.
    pub status: Option<String>,
    pub summary: String,
    pub findings: Vec<Finding>,
}

/// A request the emulator refused while a command ran (`GET /_emulator/refusals`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub code: String,
    #[serde(default)]
    pub rule_id: Option<String>,
    pub message: String,
}

/// How the command `arcemu verify` ran went.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandOutcome {
    pub command: Vec<String>,
    /// The exit code; `null` when it was killed by a signal, timed out or never started.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub seconds: f64,
    /// The last lines it printed (stdout and stderr, interleaved as read).
    pub output_tail: Vec<String>,
    /// Why it could not be started, or the signal that ended it.
    pub error: Option<String>,
}

impl CommandOutcome {
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.error.is_none() && self.exit_code == Some(0)
    }

    /// One line: `exit 1 after 2.3 s`, `timed out after 60.0 s`, ...
    pub fn describe(&self) -> String {
        if self.timed_out {
            format!("timed out after {:.1} s (its process group was killed)", self.seconds)
        } else if let Some(e) = &self.error {
            format!("{e} after {:.1} s", self.seconds)
        } else {
            format!("exit {} after {:.1} s", self.exit_code.unwrap_or(-1), self.seconds)
        }
    }
}

/// Everything a check found.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// True only when the command (if any) succeeded and every expectation holds.
    pub passed: bool,
    pub command: Option<CommandOutcome>,
    pub expectations: Vec<ExpectationResult>,
    /// Findings not tied to one expectation: refused requests, other clusters' warnings.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Adds the command's outcome and the requests refused while it ran.
    pub fn with_command(mut self, outcome: CommandOutcome, refusals: &[Refusal]) -> Self {
        let failed = !outcome.succeeded();
        for r in refusals {
            let rule = r.rule_id.as_deref().and_then(rules::find);
            let fix = match rule {
                Some(rule) => format!("Change the request so that it holds: {}", rule.summary),
                None => "Correct the request (see the message).".to_string(),
            };
            let mut f = Finding::new(
                rule,
                if failed { Severity::Error } else { Severity::Warning },
                format!("{} {}", r.method, r.path),
                format!("refused {} {}: {}", r.status, r.code, r.message),
                fix,
            );
            if rule.is_none() {
                f.rule = r.rule_id.clone();
            }
            self.findings.push(f);
        }
        self.command = Some(outcome);
        self.passed = self.passed && !failed;
        self
    }

    /// Every finding, the expectations' and the others.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.expectations.iter().flat_map(|e| e.findings.iter()).chain(self.findings.iter())
    }
}

/// Checks `expectations` (none: the default, `private` for every lab cluster with private link
/// enabled or not yet onboarded) against the world.
pub fn check(world: &World, expectations: &[Expectation]) -> Report {
    let defaults = [Expectation { want: Want::Private, cluster: None }];
    let expectations = if expectations.is_empty() { &defaults[..] } else { expectations };
    let forwarding = world.dns_006_scope_forwarding();
    let mut results = Vec::new();
    for e in expectations {
        let clusters: Vec<String> = match &e.cluster {
            Some(c) => vec![c.clone()],
            None => private_link_clusters(world),
        };
        if clusters.is_empty() {
            results.push(ExpectationResult {
                name: e.to_string(),
                want: e.want,
                cluster: None,
                holds: false,
                status: None,
                summary: "no lab cluster runs the agents of a connected cluster with private link enabled".into(),
                findings: vec![Finding::new(
                    Some(&rules::PLS_010),
                    Severity::Error,
                    "lab clusters".into(),
                    "nothing to check: no lab cluster's connected cluster has privateLinkState Enabled".into(),
                    "Create the connected cluster with privateLinkState Enabled and privateLinkScopeResourceId, and a lab cluster (site or subnet) running its agents; or name the clusters with --expect.".into(),
                )],
            });
        }
        for cluster in clusters {
            results.push(check_cluster(world, e.want, &cluster, &forwarding));
        }
    }
    let passed = results.iter().all(|r| r.holds);
    Report { passed, command: None, expectations: results, findings: Vec::new() }
}

/// Lab clusters whose connected cluster has private link enabled, by name; and those whose
/// connected cluster does not exist (yet): the lab says a cluster runs there, so the automation
/// under test was to create it.
fn private_link_clusters(world: &World) -> Vec<String> {
    world
        .lab_clusters()
        .filter(|c| {
            let cc = c.connected_cluster_id().and_then(|id| world.store().get(id.key()));
            match cc {
                None => true,
                Some(r) => r.as_cluster().is_some_and(|cc| cc.private_link_state == PrivateLinkState::Enabled),
            }
        })
        .map(|c| c.name.clone())
        .collect()
}

fn check_cluster(
    world: &World,
    want: Want,
    cluster: &str,
    forwarding: &[arcemu_model::dataplane::ScopeForwarding],
) -> ExpectationResult {
    let name = Expectation { want, cluster: Some(cluster.to_string()) }.to_string();
    let report = match world.explain_cluster(cluster) {
        Ok(r) => r,
        Err(e) => {
            let rule = e.rule;
            return ExpectationResult {
                name,
                want,
                cluster: Some(cluster.to_string()),
                holds: false,
                status: None,
                summary: e.message.clone(),
                findings: vec![Finding::new(
                    rule,
                    Severity::Error,
                    format!("lab cluster '{cluster}'"),
                    e.message,
                    "Declare the lab cluster (PUT /_emulator/clusters/{name}, or clusters: in the world file) where the cluster runs.".into(),
                )],
            };
        }
    };
    let mut findings = Vec::new();
    cluster_findings(world, want, cluster, &report, &mut findings);
    for scope in forwarding.iter().filter(|s| !s.holds) {
        if scope.clusters.iter().any(|c| c.cluster == cluster) {
            let how: Vec<String> = scope
                .clusters
                .iter()
                .map(|c| format!("'{}' (site '{}'): {}", c.cluster, c.site, c.path.join("; ")))
                .collect();
            findings.push(Finding::new(
                Some(&rules::DNS_006),
                Severity::Error,
                format!("scope {}", scope.scope),
                format!("the on-premises clusters of this scope resolve the Arc zones through different forwarders: {}", how.join(" | ")),
                "Point every on-premises site's DNS server at the same forwarder (one Private Resolver inbound endpoint, Firewall DNS proxy or forwarder VM) for the Arc zones.".into(),
            ));
        }
    }
    let holds = !findings.iter().any(|f| f.severity == Severity::Error);
    ExpectationResult {
        name,
        want,
        cluster: Some(cluster.to_string()),
        holds,
        status: Some(format!("{:?}", report.status)),
        summary: report.summary.clone(),
        findings,
    }
}

fn cluster_findings(world: &World, want: Want, cluster: &str, report: &ClusterReport, out: &mut Vec<Finding>) {
    let at_cluster = |what: &str| format!("cluster '{cluster}': {what}");
    if report.status == ConnectivityStatus::AgentNotInstalled {
        out.push(Finding::new(
            None,
            Severity::Error,
            at_cluster(&report.connected_cluster),
            report.summary.clone(),
            "Create the connected cluster (az connectedk8s connect, or a PUT of Microsoft.Kubernetes/connectedClusters).".into(),
        ));
        return;
    }
    let private_wanted = matches!(want, Want::Private | Want::PrivateOnly);
    if private_wanted && report.private_link_state != PrivateLinkState::Enabled.as_str() {
        out.push(Finding::new(
            Some(&rules::PLS_010),
            Severity::Error,
            at_cluster(&report.connected_cluster),
            format!("the connected cluster has privateLinkState {}: its agents do not use private link", report.private_link_state),
            "Set privateLinkState Enabled and privateLinkScopeResourceId to the scope (az connectedk8s connect --enable-private-link true --private-link-scope-resource-id ...).".into(),
        ));
    }
    for ep in &report.endpoints {
        let ok = match want {
            Want::Private | Want::PrivateOnly => ep.verdict == Verdict::Private,
            Want::Connected => matches!(ep.verdict, Verdict::Private | Verdict::Public),
        };
        if !ok {
            endpoint_findings(world, cluster, ep, out);
        }
    }
    for s in report.services.iter().filter(|s| !s.allowed) {
        out.push(Finding::new(
            Some(s.rule),
            Severity::Error,
            at_cluster(s.service_tag),
            format!("{} ({}) is blocked: {}", s.service_tag, s.purpose, s.why),
            format!("Allow outbound TCP 443 to the {} service tag (both directions for AzureFrontDoor.FirstParty), at a priority below any rule that blocks internet access.", s.service_tag),
        ));
    }
    for x in report.extensions.iter().filter(|x| !x.works_privately) {
        out.push(Finding::new(
            Some(x.rule),
            Severity::Warning,
            at_cluster(&format!("extension '{}' ({})", x.name, x.extension_type)),
            x.why.clone(),
            "Expect this extension's traffic to leave privately only with its own private endpoint, or remove it."
                .into(),
        ));
    }
    if want == Want::PrivateOnly {
        let scope = report.scope.as_deref().and_then(|s| arcemu_model::ResourceId::parse(s).ok());
        let access = scope
            .as_ref()
            .and_then(|s| world.store().get(s.key()))
            .and_then(|r| r.as_scope())
            .map(|s| s.public_network_access);
        let state = PrivateLinkState::parse(&report.private_link_state).unwrap_or(PrivateLinkState::Disabled);
        if let Some(access) = access
            && rules::pls_006_public_path_allowed(state, Some(access))
        {
            let scope_name = scope.as_ref().map(|s| s.name().to_string()).unwrap_or_default();
            out.push(Finding::new(
                Some(&rules::PLS_006),
                Severity::Error,
                format!("scope '{scope_name}'"),
                format!("public network access is {} on the scope: its clusters' agents are still admitted over the internet, so the setup is not private-only", access.as_str()),
                format!("Set publicNetworkAccess to Disabled on scope '{scope_name}'."),
            ));
        }
    }
    troubleshooting_lookups(world, cluster, report, out);
}

fn endpoint_findings(world: &World, cluster: &str, ep: &EndpointTrace, out: &mut Vec<Finding>) {
    let resource = format!("cluster '{cluster}': {}", ep.fqdn);
    let gap = world.private_dns_gap(cluster, ep);
    if let Some(g) = &gap {
        out.push(Finding::new(
            Some(g.rule),
            Severity::Error,
            format!("{resource} (from {})", g.at),
            g.what.clone(),
            g.fix.clone(),
        ));
    }
    if gap.is_some() && ep.rule.is_none() {
        return;
    }
    let last = ep.steps.last().map(|s| s.text.clone()).unwrap_or_default();
    let what = match (&ep.http_status, &ep.message) {
        (Some(code), Some(m)) => format!("{:?}: {last} ({code} \"{m}\")", ep.verdict),
        _ => format!("{:?}: {last}", ep.verdict),
    };
    let fix = ep.fix.clone().or_else(|| ep.rule.map(|r| r.summary.to_string())).unwrap_or_default();
    out.push(Finding::new(ep.rule, Severity::Error, resource, what, fix));
}

/// The seed's troubleshooting lookups ("should return private IP addresses"): the zone-level
/// name of the configuration data plane is not an agent endpoint, so it is looked up here.
fn troubleshooting_lookups(world: &World, cluster: &str, report: &ClusterReport, out: &mut Vec<Finding>) {
    if report.private_link_state != PrivateLinkState::Enabled.as_str() {
        return;
    }
    let Some(vantage) = report.endpoints.first().and_then(|e| e.dns.trace.first()).and_then(|s| Vantage::parse(&s.at))
    else {
        return;
    };
    let suffix = report.endpoints.first().and_then(|e| e.fqdn.split_once(".his.arc.")).map(|(_, s)| s.to_string());
    let Some(suffix) = suffix else { return };
    let name = format!("dp.kubernetesconfiguration.{suffix}");
    let answer = world.resolve(&vantage, &name, QTYPE_A);
    let addresses = answer.addresses();
    if addresses.first().is_some_and(|ip| arcemu_model::dataplane::is_private(*ip)) {
        return;
    }
    let rule = answer.trace.iter().rev().find_map(|s| s.rule);
    let got = if addresses.is_empty() {
        format!("{:?}", answer.rcode)
    } else {
        addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
    };
    out.push(Finding::new(
        rule,
        Severity::Warning,
        format!("cluster '{cluster}': nslookup {name} from {}", vantage.id()),
        format!("the seed's troubleshooting lookup returns {got}, not a private address"),
        "Check that the site's DNS server forwards the Arc zones to Azure DNS of the VNet linked to the privatelink zones, or holds the right A records.".into(),
    ));
}

#[cfg(test)]
mod tests;
