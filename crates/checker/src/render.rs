//! The report for people (text, coloured on a terminal) and for CI (JUnit XML: one test case
//! per expectation, plus one for the command). JSON is the report's own serialization.

use crate::{Finding, Report, Severity};
use std::fmt::Write;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn red(&self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("1;32", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

fn finding_lines(o: &mut String, p: &Paint, f: &Finding) {
    let sev = match f.severity {
        Severity::Error => p.red("ERROR  "),
        Severity::Warning => p.yellow("WARNING"),
    };
    let rule = f.rule.as_deref().map(|r| format!("[{r}] ")).unwrap_or_default();
    let _ = writeln!(o, "  {sev} {rule}{}", f.resource);
    let _ = writeln!(o, "          {}", f.what);
    if !f.fix.is_empty() {
        let _ = writeln!(o, "          fix: {}", f.fix);
    }
    if let Some(s) = &f.seed_section {
        let _ = writeln!(o, "          {}", p.dim(&format!("seed: \"{s}\"")));
    }
}

/// The human report, grouped: the command, each expectation with its findings, the rest.
/// `color`: ANSI colours (the caller decides: a terminal, and no `NO_COLOR`).
pub fn text(report: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut o = String::new();
    let failed = report.expectations.iter().filter(|e| !e.holds).count();
    let verdict = if report.passed { p.green("PASSED") } else { p.red("FAILED") };
    let tool = if report.command.is_some() { "arcemu verify" } else { "arcemu check" };
    let _ = writeln!(
        o,
        "{tool}: {verdict} ({} of {} expectations hold)",
        report.expectations.len() - failed,
        report.expectations.len()
    );
    if let Some(c) = &report.command {
        let _ = writeln!(o);
        let mark = if c.succeeded() { p.green("ok    ") } else { p.red("FAILED") };
        let _ = writeln!(o, "{mark} command: {} ({})", c.command.join(" "), c.describe());
        if !c.succeeded() && !c.output_tail.is_empty() {
            let _ = writeln!(o, "  last output:");
            for l in &c.output_tail {
                let _ = writeln!(o, "    | {l}");
            }
        }
    }
    for e in &report.expectations {
        let _ = writeln!(o);
        let mark = if e.holds { p.green("ok    ") } else { p.red("FAILED") };
        let status = e.status.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
        let _ = writeln!(o, "{mark} {}{status}: {}", e.name, e.summary);
        for f in &e.findings {
            finding_lines(&mut o, &p, f);
        }
    }
    if !report.findings.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Requests refused while the command ran:");
        for f in &report.findings {
            finding_lines(&mut o, &p, f);
        }
    }
    o
}

/// XML text with the five special characters escaped, and characters XML 1.0 cannot carry dropped.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}

fn finding_text(f: &Finding) -> String {
    let rule = f.rule.as_deref().map(|r| format!("[{r}] ")).unwrap_or_default();
    let seed = f.seed_section.as_deref().map(|s| format!("\n  seed: \"{s}\"")).unwrap_or_default();
    format!("{:?} {rule}{}\n  {}\n  fix: {}{seed}\n", f.severity, f.resource, f.what, f.fix)
}

/// JUnit XML (the Ant/Jenkins dialect GitHub Actions reporters, GitLab, Jenkins and Azure
/// Pipelines read): one test suite, one test case per expectation, and one for the command.
pub fn junit(report: &Report) -> String {
    struct Case {
        name: String,
        classname: &'static str,
        time: f64,
        failure: Option<(String, String)>,
        out: String,
    }
    let mut cases = Vec::new();
    if let Some(c) = &report.command {
        let tail = c.output_tail.join("\n");
        let failure = (!c.succeeded()).then(|| (format!("the command failed: {}", c.describe()), tail.clone()));
        cases.push(Case {
            name: format!("command: {}", c.command.join(" ")),
            classname: "arcemu.verify",
            time: c.seconds,
            failure,
            out: tail,
        });
    }
    for e in &report.expectations {
        let (errors, warnings): (Vec<&Finding>, Vec<&Finding>) =
            e.findings.iter().partition(|f| f.severity == Severity::Error);
        let failure = (!e.holds).then(|| {
            let first = errors
                .first()
                .map(|f| format!("{}{}", f.rule.as_deref().map(|r| format!("[{r}] ")).unwrap_or_default(), f.what));
            (first.unwrap_or_else(|| e.summary.clone()), errors.iter().map(|f| finding_text(f)).collect::<String>())
        });
        cases.push(Case {
            name: e.name.clone(),
            classname: "arcemu.expectations",
            time: 0.0,
            failure,
            out: warnings.iter().map(|f| finding_text(f)).collect(),
        });
    }
    if !report.findings.is_empty() {
        let failed = report.findings.iter().any(|f| f.severity == Severity::Error);
        let body: String = report.findings.iter().map(finding_text).collect();
        cases.push(Case {
            name: "requests refused while the command ran".into(),
            classname: "arcemu.verify",
            time: 0.0,
            failure: failed.then(|| (format!("{} request(s) refused", report.findings.len()), body.clone())),
            out: if failed { String::new() } else { body },
        });
    }
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let time: f64 = cases.iter().map(|c| c.time).sum();
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<testsuites name=\"arcemu\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">",
        cases.len()
    );
    let _ = writeln!(
        o,
        "  <testsuite name=\"arcemu verify\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time:.3}\">",
        cases.len()
    );
    for c in &cases {
        let _ =
            write!(o, "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\">", esc(&c.name), c.classname, c.time);
        if let Some((message, body)) = &c.failure {
            let _ = write!(o, "\n      <failure message=\"{}\" type=\"arcemu\">{}</failure>", esc(message), esc(body));
        }
        if !c.out.is_empty() {
            let _ = write!(o, "\n      <system-out>{}</system-out>", esc(&c.out));
        }
        let _ = writeln!(o, "\n    </testcase>");
    }
    let _ = writeln!(o, "  </testsuite>\n</testsuites>");
    o
}
