//! Exit codes of every subcommand (README, "Exit codes"). 2 is clap's usage error.

use std::process::ExitCode;

/// Everything held: the check passed, the answer is private, the scenario held.
pub const OK: u8 = 0;
/// `check`/`verify`: at least one expectation does not hold. `serve`/`demo`: failure.
pub const FAILED: u8 = 1;
/// A usage error (clap's own code).
pub const USAGE: u8 = 2;
/// `verify`: the command failed (non-zero exit, signal, could not start) or timed out.
pub const COMMAND_FAILED: u8 = 3;
/// The question could not be asked: no emulator at the URL, an unreadable snapshot or world
/// file, a report file that cannot be written, an unknown cluster.
pub const CANNOT_CHECK: u8 = 4;
/// `explain`: the agents connect, some endpoints over the internet. `nslookup`: a public address.
pub const PUBLIC: u8 = 10;
/// `explain`: the agents cannot connect (an endpoint refused or unreachable, a required service
/// blocked). `nslookup`: NOERROR without records (NODATA; for A and AAAA, no address at the end).
pub const NOT_CONNECTED: u8 = 11;
/// `explain`: the connected cluster resource does not exist yet.
pub const NOT_ONBOARDED: u8 = 12;
/// `nslookup`: NXDOMAIN.
pub const NXDOMAIN: u8 = 20;
/// `nslookup`: SERVFAIL.
pub const SERVFAIL: u8 = 21;
/// `nslookup`: REFUSED.
pub const REFUSED: u8 = 22;

pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}

/// `explain`'s code for a cluster report (the admin API's JSON).
pub fn of_explain(report: &serde_json::Value) -> u8 {
    let verdicts: Vec<&str> =
        report["endpoints"].as_array().into_iter().flatten().filter_map(|e| e["verdict"].as_str()).collect();
    let blocked = report["services"].as_array().into_iter().flatten().any(|s| s["allowed"] == false);
    if report["status"] == "AgentNotInstalled" {
        NOT_ONBOARDED
    } else if blocked || verdicts.is_empty() || verdicts.iter().any(|v| !matches!(*v, "Private" | "Public")) {
        NOT_CONNECTED
    } else if verdicts.contains(&"Public") {
        PUBLIC
    } else {
        OK
    }
}

/// `nslookup`'s code for a resolve answer (the admin API's JSON).
pub fn of_answer(body: &serde_json::Value) -> u8 {
    let answer = &body["answer"];
    match answer["rcode"].as_str().unwrap_or("") {
        "NoError" => {}
        "NxDomain" => return NXDOMAIN,
        "Refused" => return REFUSED,
        _ => return SERVFAIL,
    }
    let records = answer["answers"].as_array().cloned().unwrap_or_default();
    // An address query answered with a CNAME chain that ends without an address is NODATA too.
    let address_query = matches!(body["type"].as_str(), Some("A" | "AAAA"));
    let ends_in_address = records.last().is_some_and(|r| matches!(r["data"]["type"].as_str(), Some("A" | "AAAA")));
    if records.is_empty() || (address_query && !ends_in_address) {
        return NOT_CONNECTED;
    }
    let addresses: Vec<std::net::Ipv4Addr> = records
        .iter()
        .filter(|r| r["data"]["type"] == "A")
        .filter_map(|r| r["data"]["value"].as_str()?.parse().ok())
        .collect();
    match addresses.last() {
        Some(ip) if !arcemu_model::dataplane::is_private(*ip) => PUBLIC,
        _ => OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_map_to_codes() {
        let a = |rcode: &str, answers: serde_json::Value| json!({"type": "A", "answer": {"rcode": rcode, "answers": answers}});
        let rec = |ip: &str| json!([{"data": {"type": "A", "value": ip}}]);
        assert_eq!(of_answer(&a("NoError", rec("10.10.1.4"))), OK);
        assert_eq!(of_answer(&a("NoError", rec("198.51.100.7"))), PUBLIC);
        assert_eq!(of_answer(&a("NoError", json!([]))), NOT_CONNECTED);
        assert_eq!(of_answer(&a("NxDomain", json!([]))), NXDOMAIN);
        assert_eq!(of_answer(&a("ServFail", json!([]))), SERVFAIL);
        assert_eq!(of_answer(&a("Refused", json!([]))), REFUSED);
        let cname = json!([{"data": {"type": "CNAME", "value": "x.privatelink.his.arc.azure.com"}}]);
        assert_eq!(
            of_answer(&json!({"type": "AAAA", "answer": {"rcode": "NoError", "answers": cname}})),
            NOT_CONNECTED
        );
        assert_eq!(of_answer(&json!({"type": "CNAME", "answer": {"rcode": "NoError", "answers": cname}})), OK);
    }

    #[test]
    fn reports_map_to_codes() {
        let r = |v: &[&str], allowed: bool| {
            json!({"status": "Connecting", "endpoints": v.iter().map(|x| json!({"verdict": x})).collect::<Vec<_>>(),
                   "services": [{"allowed": allowed}]})
        };
        assert_eq!(of_explain(&r(&["Private", "Private"], true)), OK);
        assert_eq!(of_explain(&r(&["Private", "Public"], true)), PUBLIC);
        assert_eq!(of_explain(&r(&["Private", "Refused"], true)), NOT_CONNECTED);
        assert_eq!(of_explain(&r(&["Private"], false)), NOT_CONNECTED);
        assert_eq!(of_explain(&json!({"status": "AgentNotInstalled", "endpoints": []})), NOT_ONBOARDED);
    }
}
