//! Unit tests of the parts that need no world: expectations, rendering, escaping.

use super::*;

fn finding(sev: Severity) -> Finding {
    Finding {
        rule: Some("DNS-003".into()),
        severity: sev,
        resource: "cluster 'edge': gbl.his.arc.azure.com <&>".into(),
        what: "NXDOMAIN \"quoted\" \u{1}".into(),
        fix: "add the record".into(),
        seed_section: Some("Manual DNS server configuration".into()),
    }
}

fn report(holds: bool) -> Report {
    Report {
        passed: holds,
        command: None,
        expectations: vec![ExpectationResult {
            name: "private: edge".into(),
            want: Want::Private,
            cluster: Some("edge".into()),
            holds,
            status: Some("Connecting".into()),
            summary: "s".into(),
            findings: if holds { vec![finding(Severity::Warning)] } else { vec![finding(Severity::Error)] },
        }],
        findings: Vec::new(),
    }
}

#[test]
fn expectations_parse_and_print() {
    let e: Expectation = "private-only:edge".parse().unwrap();
    assert_eq!(e, Expectation { want: Want::PrivateOnly, cluster: Some("edge".into()) });
    assert_eq!(e.to_string(), "private-only: edge");
    assert_eq!("Connected".parse::<Expectation>().unwrap().cluster, None);
    assert!("public".parse::<Expectation>().is_err());
    assert!("private:".parse::<Expectation>().is_err());
}

#[test]
fn junit_has_one_case_per_expectation_and_escapes() {
    let x = junit(&report(false));
    assert!(x.contains(r#"<testcase name="private: edge" classname="arcemu.expectations""#), "{x}");
    assert!(x.contains("failures=\"1\""), "{x}");
    assert!(x.contains("&lt;&amp;&gt;") && x.contains("&quot;quoted&quot;") && !x.contains('\u{1}'), "{x}");
    let ok = junit(&report(true));
    assert!(ok.contains("failures=\"0\"") && !ok.contains("<failure") && ok.contains("<system-out>"), "{ok}");
}

#[test]
fn a_failed_command_fails_the_report_and_its_refusals_are_errors() {
    let outcome = CommandOutcome { command: vec!["false".into()], exit_code: Some(1), ..Default::default() };
    let refusal = Refusal {
        method: "PUT".into(),
        path: "/x".into(),
        status: 400,
        code: "PrivateLinkScopeLocationMismatch".into(),
        rule_id: Some("PLS-003".into()),
        message: "m".into(),
    };
    let r = report(true).with_command(outcome, &[refusal]);
    assert!(!r.passed);
    let f = &r.findings[0];
    assert_eq!((f.rule.as_deref(), f.severity), (Some("PLS-003"), Severity::Error));
    assert_eq!(f.seed_section.as_deref(), Some("Current limitations"));
    let timed_out = CommandOutcome { timed_out: true, exit_code: None, ..Default::default() };
    assert!(!timed_out.succeeded() && timed_out.describe().starts_with("timed out"));
}

#[test]
fn text_is_coloured_only_when_asked() {
    let plain = text(&report(false), false);
    assert!(plain.contains("FAILED") && plain.contains("[DNS-003]") && !plain.contains('\x1b'), "{plain}");
    assert!(text(&report(false), true).contains("\x1b[1;31m"));
}

#[test]
fn an_empty_world_fails_the_default_expectation() {
    let w = World::new(Default::default());
    let r = check(&w, &[]);
    assert!(!r.passed);
    assert_eq!(r.expectations[0].findings[0].rule.as_deref(), Some("PLS-010"));
}
