//! Text rendering of a cluster's connectivity report (`arcemu explain`, and
//! `GET /_emulator/clusters/{name}/explain?format=text`), written for a person new to
//! private link: what happened at each endpoint, which rule decided, which section of the
//! product document says so, and what to change.

use serde_json::Value;
use std::fmt::Write;

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn verdict_line(v: &str) -> &'static str {
    match v {
        "Private" => "ADMITTED PRIVATELY",
        "Public" => "ADMITTED OVER THE INTERNET",
        "Refused" => "REFUSED BY THE SERVICE",
        _ => "UNREACHABLE",
    }
}

/// Renders the JSON of a `ClusterReport`.
pub fn render(report: &Value) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Cluster '{}' runs in {}.", s(report, "cluster"), s(report, "runsIn"));
    let _ = writeln!(o, "Connected cluster: {}", s(report, "connectedCluster"));
    let _ = write!(o, "Private link: {}", s(report, "privateLinkState"));
    if let Some(scope) = report.get("scope").and_then(Value::as_str) {
        let _ = write!(o, ", scope {scope} (public network access: {})", s(report, "publicNetworkAccess"));
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Status: {}. {}", s(report, "status"), s(report, "summary"));
    for ep in report.get("endpoints").and_then(Value::as_array).into_iter().flatten() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}  ({})", s(ep, "fqdn"), s(ep, "purpose"));
        let dns_steps = ep.pointer("/dns/trace").and_then(Value::as_array).cloned().unwrap_or_default();
        let steps = ep.get("steps").and_then(Value::as_array).cloned().unwrap_or_default();
        for (i, st) in dns_steps.iter().chain(steps.iter()).enumerate() {
            let rule = st.get("rule").and_then(Value::as_str).map(|r| format!(" [{r}]")).unwrap_or_default();
            let _ = writeln!(o, "  {}. {}{rule}", i + 1, s(st, "text"));
        }
        let _ = write!(o, "  => {}", verdict_line(s(ep, "verdict")));
        if let Some(code) = ep.get("httpStatus").and_then(Value::as_u64) {
            let _ = write!(o, ": {code} \"{}\"", s(ep, "message"));
        }
        if let Some(rule) = ep.get("rule").and_then(Value::as_str) {
            let _ = write!(o, " ({rule}");
            if let Some(sec) = ep.get("seedSection").and_then(Value::as_str) {
                let _ = write!(o, "; seed: \"{sec}\"");
            }
            let _ = write!(o, ")");
        }
        let _ = writeln!(o);
        if let Some(fix) = ep.get("fix").and_then(Value::as_str) {
            let _ = writeln!(o, "  What to change: {fix}");
        }
    }
    let services = report.get("services").and_then(Value::as_array).cloned().unwrap_or_default();
    if !services.is_empty() {
        let _ = writeln!(o);
        let net_002 = &arcemu_model::rules::NET_002;
        let _ = writeln!(o, "Public services the agents need ({}; seed: \"{}\"):", net_002.id, net_002.seed_section);
        for sv in services {
            let ok = sv.get("allowed").and_then(Value::as_bool).unwrap_or(false);
            let _ =
                writeln!(o, "  {} {}: {}", if ok { "ok     " } else { "BLOCKED" }, s(&sv, "serviceTag"), s(&sv, "why"));
        }
    }
    let exts = report.get("extensions").and_then(Value::as_array).cloned().unwrap_or_default();
    if !exts.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Extensions:");
        for e in exts {
            let ok = e.get("worksPrivately").and_then(Value::as_bool).unwrap_or(false);
            let _ = writeln!(
                o,
                "  {} ({}): {} [{}]",
                s(&e, "name"),
                s(&e, "extensionType"),
                if ok { s(&e, "why").to_string() } else { format!("NOT PRIVATE: {}", s(&e, "why")) },
                s(&e, "rule")
            );
        }
    }
    o
}
