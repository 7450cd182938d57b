//! Text of a transcript: numbered steps, the narration, the request, the answer (refusal with
//! rule and seed section, DNS answer, data-plane verdicts) and whether the expectation held.
//! Deterministic: subscription ids print as `{sub}`/`{sub2}`, other GUIDs as `{guid}`.

use super::{SECOND_SUBSCRIPTION, SUBSCRIPTION, StepRecord, Transcript};
use crate::client::Reply;
use serde_json::Value;
use std::fmt::Write;

const WIDTH: usize = 100;

/// Replaces subscription ids and other GUIDs with placeholders.
pub fn scrub(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i + 36 <= b.len() {
        if is_guid(&b[i..i + 36])
            && (i == 0 || !b[i - 1].is_ascii_hexdigit())
            && (i + 36 == b.len() || !b[i + 36].is_ascii_hexdigit())
        {
            let g = &text[i..i + 36];
            out.push_str(&text[last..i]);
            out.push_str(if g.eq_ignore_ascii_case(SUBSCRIPTION) {
                "{sub}"
            } else if g.eq_ignore_ascii_case(SECOND_SUBSCRIPTION) {
                "{sub2}"
            } else {
                "{guid}"
            });
            i += 36;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

fn is_guid(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// The reason phrase of the statuses the emulator answers with.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        0 => "(no answer)",
        _ => "",
    }
}

/// `400 PrivateLinkScopeLocationMismatch [PLS-003]`, `201 Created`.
pub fn status_line(reply: &Reply) -> String {
    if reply.status == 0 {
        return format!("no answer ({})", reply.body.as_str().unwrap_or(""));
    }
    if !reply.code().is_empty() {
        return match reply.rule() {
            Some(r) => format!("{} {} [{r}]", reply.status, reply.code()),
            None => format!("{} {}", reply.status, reply.code()),
        };
    }
    format!("{} {}", reply.status, reason(reply.status)).trim_end().to_string()
}

/// `/properties/connectivityStatus` as `properties.connectivityStatus`, `/value/0/id` as `value[0].id`.
pub fn pointer_text(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.trim_start_matches('/').split('/') {
        if !seg.is_empty() && seg.bytes().all(|c| c.is_ascii_digit()) {
            let _ = write!(out, "[{seg}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}

/// A DNS response code as dig prints it.
pub fn rcode(code: &str) -> String {
    match code {
        "NoError" => "NOERROR".into(),
        "NxDomain" => "NXDOMAIN".into(),
        "ServFail" => "SERVFAIL".into(),
        "Refused" => "REFUSED".into(),
        other => other.to_string(),
    }
}

/// The A records of a DNS answer (`/_emulator/dns/resolve`).
pub fn a_records(body: &Value) -> Vec<String> {
    body["answer"]["answers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["data"]["type"] == "A")
                .filter_map(|r| r["data"]["value"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Word-wraps `text` to [`WIDTH`] columns; every line starts with `indent`, the first with `first`.
fn wrap(out: &mut String, first: &str, indent: &str, text: &str) {
    let mut line = first.to_string();
    let mut empty = first.is_empty();
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// The whole transcript.
pub fn transcript(t: &Transcript) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "arcemu demo {}: {}", t.name, t.title);
    match t.rule {
        Some(rule) => wrap(&mut o, &format!("Rule:  {}:", rule.id), "       ", rule.summary),
        None => {
            let _ = writeln!(o, "Rule:  none (the whole setup, every rule satisfied)");
        }
    }
    let _ = writeln!(o, "Seed:  \"{}\"", t.seed_section);
    wrap(&mut o, "", "", t.summary);
    let mut i = 0;
    while i < t.steps.len() {
        let step = &t.steps[i];
        if step.number.is_none() {
            let run = t.steps[i..].iter().take_while(|s| s.number.is_none()).count();
            let _ = writeln!(o);
            let _ = writeln!(o, "Setup ({run} request{}, not narrated):", if run == 1 { "" } else { "s" });
            let mut j = i;
            while j < i + run {
                let s = &t.steps[j];
                let group = match s.label {
                    Some(l) => t.steps[j..i + run].iter().take_while(|x| x.label == Some(l)).count(),
                    None => 1,
                };
                match s.label {
                    Some(l) if group > 1 => {
                        let members = &t.steps[j..j + group];
                        let failed = members.iter().filter(|m| !m.failures.is_empty()).count();
                        let mark = if failed == 0 { "all answered as expected ✓" } else { "NOT all as expected:" };
                        wrap(&mut o, "  ·", "    ", &format!("{l} ({group} requests, {mark})"));
                        for m in members.iter().filter(|m| !m.failures.is_empty()) {
                            setup_line(&mut o, m);
                        }
                    }
                    _ => setup_line(&mut o, s),
                }
                j += group;
            }
            i += run;
            continue;
        }
        let _ = writeln!(o);
        narrated(&mut o, step);
        i += 1;
    }
    let _ = writeln!(o);
    let total = t.steps.len();
    let failed = t.steps.iter().filter(|s| !s.failures.is_empty()).count();
    if t.stopped {
        let _ = writeln!(o, "Outcome: STOPPED, a setup request failed; the steps after it were not run.");
    } else if failed == 0 {
        let _ = writeln!(o, "Outcome: all {total} requests answered as expected.");
    } else {
        let _ = writeln!(o, "Outcome: {failed} of {total} requests NOT answered as expected.");
    }
    o
}

fn request_path(s: &StepRecord) -> String {
    scrub(&s.path)
}

fn setup_line(o: &mut String, s: &StepRecord) {
    let path = request_path(s);
    let path = path.split('?').next().unwrap_or("");
    let mark =
        if s.failures.is_empty() { "✓".to_string() } else { format!("✗ expected {}", s.failures.join("; ")) };
    let _ = writeln!(o, "  · {} {path} → {} {mark}", s.method, status_line(&s.reply));
}

fn narrated(o: &mut String, s: &StepRecord) {
    let n = s.number.unwrap_or(0);
    wrap(o, &format!("{n:>2}."), "    ", s.narration.as_deref().unwrap_or(""));
    let _ = writeln!(o, "    > {} {}", s.method, request_path(s));
    if let Some(b) = &s.body {
        let _ = writeln!(o, "      {}", scrub(&b.to_string()));
    }
    answer(o, s);
    if let Some((var, value)) = &s.captured {
        let _ = writeln!(o, "      (remembered as {{{var}}}: {})", scrub(value));
    }
    if s.failures.is_empty() {
        wrap(o, "    ✓", "      ", &s.expected);
    } else {
        for f in &s.failures {
            wrap(o, "    ✗ expected", "      ", f);
        }
    }
}

fn answer(o: &mut String, step: &StepRecord) {
    let r = &step.reply;
    if r.status == 0 {
        let _ = writeln!(o, "    < {}", status_line(r));
        return;
    }
    let err = &r.body["error"];
    if err.is_object() {
        let target = err["target"].as_str().map(|t| format!(" (target: {t})")).unwrap_or_default();
        let _ = writeln!(o, "    < {} {}{target}", r.status, s_or(err, "code"));
        wrap(o, "     ", "      ", &scrub(s_or(err, "message")));
        let info = err["additionalInfo"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["type"] == "ArcEmulator"))
            .map(|i| &i["info"]);
        if let Some(info) = info {
            let mut line = String::new();
            if let Some(rule) = info["ruleId"].as_str() {
                let _ = write!(line, "rule {rule}, seed \"{}\"; ", s(info, "seedSection"));
            }
            let _ = write!(line, "fidelity {}", s(info, "fidelity"));
            if let Some(src) = info["fidelitySource"].as_str() {
                let _ = write!(line, " ({src})");
            }
            wrap(o, "     ", "      ", &line);
        }
        return;
    }
    let path = step.path.as_str();
    if path.contains("/explain") && r.ok() {
        explain(o, &r.body);
    } else if path.starts_with("/_emulator/dns/resolve") && r.ok() {
        dns(o, &r.body);
    } else {
        let _ = writeln!(o, "    < {}", status_line(r));
    }
    for p in &step.show {
        match r.body.pointer(p).cloned().unwrap_or(Value::Null) {
            Value::Array(items) => {
                let _ = writeln!(o, "      {}:", pointer_text(p));
                for item in items {
                    let _ = writeln!(o, "        {}", scrub(&item.to_string()));
                }
            }
            Value::String(t) => wrap(o, &format!("      {} =", pointer_text(p)), "        ", &scrub(&t)),
            other => wrap(o, &format!("      {} =", pointer_text(p)), "        ", &scrub(&other.to_string())),
        }
    }
}

fn s_or<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or("")
}

fn dns(o: &mut String, body: &Value) {
    let a = &body["answer"];
    let auth = if a["authoritative"].as_bool().unwrap_or(false) { "authoritative" } else { "non-authoritative" };
    let soa = a["soa"]["zone"].as_str().map(|z| format!(", SOA of {z}")).unwrap_or_default();
    let _ = writeln!(o, "    < 200 {} ({auth}){soa}", rcode(s(a, "rcode")));
    for rec in a["answers"].as_array().into_iter().flatten() {
        let value = match &rec["data"]["value"] {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(o, "      {}  {}  {value}", s(rec, "name"), s(&rec["data"], "type"));
    }
    let trace = a["trace"].as_array().cloned().unwrap_or_default();
    for (i, step) in trace.iter().enumerate() {
        let rule = step["rule"].as_str().map(|r| format!("[{r}] ")).unwrap_or_default();
        let text = scrub(&format!("{rule}{}: {}", short_vantage(s(step, "at")), s(step, "text")));
        wrap(o, if i == 0 { "      why:" } else { "          " }, "            ", &text);
    }
}

/// `vnet:/subscriptions/.../virtualNetworks/hub` as `vnet:hub`.
fn short_vantage(at: &str) -> String {
    match at.strip_prefix("vnet:") {
        Some(id) => format!("vnet:{}", id.rsplit('/').next().unwrap_or(id)),
        None => at.to_string(),
    }
}

fn explain(o: &mut String, report: &Value) {
    wrap(
        o,
        "    <",
        "      ",
        &format!("200 OK: cluster '{}' is {}. {}", s(report, "cluster"), s(report, "status"), s(report, "summary")),
    );
    let eps = report["endpoints"].as_array().cloned().unwrap_or_default();
    let width = eps.iter().map(|e| s(e, "fqdn").len()).max().unwrap_or(0);
    for e in &eps {
        let mut verdict = s(e, "verdict").to_string();
        if let Some(code) = e["httpStatus"].as_u64() {
            let _ = write!(verdict, " {code} \"{}\"", s(e, "message"));
        }
        if let Some(rule) = e["rule"].as_str() {
            let _ = write!(verdict, " [{rule}]");
        }
        let _ = writeln!(o, "      {:width$}  {verdict}", s(e, "fqdn"));
    }
    // Why, once per distinct outcome: the step that decided, the rule's seed section, the fix.
    let mut seen: Vec<(String, String)> = Vec::new();
    for e in &eps {
        let key = (s(e, "verdict").to_string(), s(e, "rule").to_string());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let steps = e["steps"].as_array().cloned().unwrap_or_default();
        let dns_steps = e.pointer("/dns/trace").and_then(Value::as_array).cloned().unwrap_or_default();
        let rule = e["rule"].as_str();
        let matches = |st: &&Value| rule.is_some() && st["rule"].as_str() == rule;
        let decisive = steps
            .iter()
            .rev()
            .find(matches)
            .or_else(|| dns_steps.iter().rev().find(matches))
            .or_else(|| steps.last())
            .or_else(|| dns_steps.last());
        let mut head = format!("why ({}", s(e, "fqdn"));
        if let Some(r) = rule {
            let _ = write!(head, ", {r}");
        }
        if let Some(sec) = e["seedSection"].as_str() {
            let _ = write!(head, ", seed \"{sec}\"");
        }
        head.push_str("):");
        if let Some(st) = decisive {
            wrap(o, &format!("      {head}"), "        ", &scrub(s(st, "text")));
        }
        if let Some(fix) = e["fix"].as_str() {
            wrap(o, "      what to change:", "        ", &scrub(fix));
        }
    }
    let services = report["services"].as_array().cloned().unwrap_or_default();
    let blocked: Vec<&Value> = services.iter().filter(|sv| sv["allowed"] == false).collect();
    if !services.is_empty() && blocked.is_empty() {
        let _ = writeln!(o, "      public services the agents need: all {} allowed [NET-002]", services.len());
    }
    for sv in blocked {
        wrap(
            o,
            &format!("      BLOCKED {}:", s(sv, "serviceTag")),
            "        ",
            &format!("{} [NET-002]", scrub(s(sv, "why"))),
        );
    }
    for e in report["extensions"].as_array().into_iter().flatten() {
        let ok = e["worksPrivately"].as_bool().unwrap_or(false);
        wrap(
            o,
            &format!("      extension {} ({}):", s(e, "name"), s(e, "extensionType")),
            "        ",
            &format!(
                "{}: {} [{}]",
                if ok { "works privately" } else { "NOT PRIVATE" },
                scrub(s(e, "why")),
                s(e, "rule")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_subscriptions_and_guids() {
        let t = "/subscriptions/00000000-0000-0000-0000-000000000000/x/11111111-1111-1111-1111-111111111111 pe.0a1b2c3d-0000-4000-8000-00000000abcd end";
        assert_eq!(scrub(t), "/subscriptions/{sub}/x/{sub2} pe.{guid} end");
        assert_eq!(scrub("no guid here"), "no guid here");
    }

    #[test]
    fn pointers_read_as_properties() {
        assert_eq!(pointer_text("/properties/connectivityStatus"), "properties.connectivityStatus");
        assert_eq!(pointer_text("/value/0/id"), "value[0].id");
    }

    #[test]
    fn wrap_keeps_lines_short() {
        let mut o = String::new();
        wrap(&mut o, "1.", "   ", &"word ".repeat(60));
        assert!(o.lines().all(|l| l.chars().count() <= WIDTH));
        assert!(o.lines().skip(1).all(|l| l.starts_with("   ")));
    }
}
