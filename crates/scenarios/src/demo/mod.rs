//! Named teaching scenarios (`arcemu demo`): one per rule of the catalogue, plus the seed's
//! whole setup ending with a cluster connected privately.
//!
//! A [`Scenario`] is a list of [`Step`]s: each one a request to a running emulator (ARM or
//! admin API, over HTTP through [`Client`]), what a person does and why (the narration), and
//! what the emulator must answer (the expectation). [`run`] plays a scenario and checks every
//! expectation; the [`Transcript`] it returns reads like a lesson: the request, the answer
//! (refusal with its rule and seed section, DNS answer, data-plane verdict), and whether the
//! expectation held.
//!
//! Scenarios assume a fresh world with the default subscription and a second, registered
//! one, [`SECOND_SUBSCRIPTION`] (`arcemu demo` starts such an emulator for each scenario).

mod build;
mod catalogue;
mod render;

pub use catalogue::catalogue;

use crate::client::{Client, Reply};
use arcemu_model::Rule;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The default subscription of every emulator.
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
/// The second subscription the scenarios need (PLS-005, PLS-011): registered, all providers.
pub const SECOND_SUBSCRIPTION: &str = "11111111-1111-1111-1111-111111111111";

/// One teaching scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// What to type: `arcemu demo NAME`.
    pub name: &'static str,
    pub title: &'static str,
    /// The rule it shows (from the model's catalogue); `None` for the happy path.
    pub rule: Option<&'static Rule>,
    /// One line: what happens.
    pub summary: &'static str,
    pub steps: Vec<Step>,
}

/// Rules of the catalogue no scenario shows yet: DNS-006 (one forwarder for all on-premises
/// clusters of a scope) is a checker finding, and the checker is not built yet.
pub const NO_SCENARIO_YET: &[Rule] = &[arcemu_model::rules::DNS_006];

/// The section of the product document the happy path follows: the seed's plan.
const WHOLE_SETUP_SECTION: &str = "Planning your Private Link setup";

impl Scenario {
    /// The section of the product document the scenario follows: its rule's.
    pub fn seed_section(&self) -> &'static str {
        self.rule.map_or(WHOLE_SETUP_SECTION, |r| r.seed_section)
    }
}

/// One request of a scenario, with what it should get.
#[derive(Clone, Debug)]
pub struct Step {
    /// What the person does and why. `None`: a setup request, printed on one line.
    pub narration: Option<String>,
    pub method: &'static str,
    /// Path (and query) on the emulator's ARM listener; `{var}` is a value captured earlier.
    pub path: String,
    pub body: Option<Value>,
    pub want: Want,
    pub checks: Vec<Check>,
    /// Remember a string of the answer (JSON pointer) as `{var}` for later paths.
    pub capture: Option<(&'static str, &'static str)>,
    /// Values of the answer (JSON pointers) to print, for the lesson.
    pub show: Vec<&'static str>,
    /// For setup requests: a group they belong to, printed as one line when all went well.
    pub label: Option<&'static str>,
}

/// The status an answer must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// Any 2xx.
    Ok,
    Status(u16),
    /// An ARM error envelope with this code (and, for a catalogue rule, its id).
    Refused {
        status: u16,
        code: &'static str,
        rule: Option<&'static Rule>,
    },
}

/// Something the answer's body must say.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The value at a JSON pointer.
    Equals(&'static str, Value),
    /// The `name`s of the objects in the array at a JSON pointer, in order.
    Names(&'static str, Vec<&'static str>),
    /// A cluster report (`/_emulator/clusters/{name}/explain`): every Arc endpoint has this
    /// verdict, decided by this rule.
    AllEndpoints(&'static str, Option<&'static Rule>),
    /// A cluster report: the endpoint with this FQDN has this verdict and rule.
    Endpoint(&'static str, &'static str, Option<&'static Rule>),
    /// A DNS answer (`/_emulator/dns/resolve`): its response code (`NoError`, `NxDomain`, ...).
    Rcode(&'static str),
    /// A DNS answer: exactly these A records at the end of the chain.
    Addresses(Vec<&'static str>),
    /// A DNS answer: every A record is a public address (not RFC 1918).
    PublicAddress,
}

impl Step {
    pub fn new(method: &'static str, path: impl Into<String>, body: Option<Value>) -> Step {
        Step {
            narration: None,
            method,
            path: path.into(),
            body,
            want: Want::Ok,
            checks: Vec::new(),
            capture: None,
            show: Vec::new(),
            label: None,
        }
    }
    pub fn get(path: impl Into<String>) -> Step {
        Step::new("GET", path, None)
    }
    pub fn put(path: impl Into<String>, body: Value) -> Step {
        Step::new("PUT", path, Some(body))
    }
    pub fn post(path: impl Into<String>, body: Option<Value>) -> Step {
        Step::new("POST", path, body)
    }
    pub fn delete(path: impl Into<String>) -> Step {
        Step::new("DELETE", path, None)
    }
    /// The narration: what the person does and why.
    pub fn says(mut self, text: impl Into<String>) -> Step {
        self.narration = Some(text.into());
        self
    }
    pub fn status(mut self, status: u16) -> Step {
        self.want = Want::Status(status);
        self
    }
    pub fn refused(mut self, status: u16, code: &'static str, rule: Option<&'static Rule>) -> Step {
        self.want = Want::Refused { status, code, rule };
        self
    }
    pub fn check(mut self, check: Check) -> Step {
        self.checks.push(check);
        self
    }
    pub fn equals(self, pointer: &'static str, value: impl Into<Value>) -> Step {
        self.check(Check::Equals(pointer, value.into()))
    }
    pub fn capture(mut self, var: &'static str, pointer: &'static str) -> Step {
        self.capture = Some((var, pointer));
        self
    }
    pub fn show(mut self, pointer: &'static str) -> Step {
        self.show.push(pointer);
        self
    }
    /// Puts a setup request in a group printed as one line.
    pub fn labelled(mut self, label: &'static str) -> Step {
        self.label = Some(label);
        self
    }

    /// What went wrong with this answer (empty: everything held).
    fn evaluate(&self, reply: &Reply) -> Vec<String> {
        let mut wrong = Vec::new();
        match &self.want {
            Want::Ok if !reply.ok() => wrong.push(format!("a 2xx answer, got {}", render::status_line(reply))),
            Want::Status(s) if reply.status != *s => wrong.push(format!("{s}, got {}", render::status_line(reply))),
            Want::Refused { status, code, rule } => {
                let got_rule = reply.rule();
                if reply.status != *status
                    || reply.code() != *code
                    || (rule.is_some() && got_rule != rule.map(|r| r.id))
                {
                    wrong.push(format!("{}, got {}", self.want.describe(), render::status_line(reply)));
                }
            }
            _ => {}
        }
        for c in &self.checks {
            if let Err(why) = c.evaluate(&reply.body) {
                wrong.push(why);
            }
        }
        wrong
    }
}

impl Want {
    fn describe(&self) -> String {
        match self {
            Want::Ok => "a 2xx answer".to_string(),
            Want::Status(s) => format!("{s} {}", render::reason(*s)),
            Want::Refused { status, code, rule } => match rule {
                Some(r) => format!("{status} {code} [{}]", r.id),
                None => format!("{status} {code}"),
            },
        }
    }
}

fn endpoint_verdict(e: &Value) -> (String, Option<String>) {
    (e["verdict"].as_str().unwrap_or("?").to_string(), e["rule"].as_str().map(str::to_string))
}

fn verdict_text(verdict: &str, rule: Option<&str>) -> String {
    match rule {
        Some(r) => format!("{verdict} [{r}]"),
        None => verdict.to_string(),
    }
}

impl Check {
    fn describe(&self) -> String {
        match self {
            Check::Equals(p, v) => format!("{} = {}", render::pointer_text(p), render::scrub(&v.to_string())),
            Check::Names(p, names) => format!("{} names [{}]", render::pointer_text(p), names.join(", ")),
            Check::AllEndpoints(v, r) => format!("every Arc endpoint {}", verdict_text(v, r.map(|r| r.id))),
            Check::Endpoint(f, v, r) => format!("{f} {}", verdict_text(v, r.map(|r| r.id))),
            Check::Rcode(c) => format!("response code {}", render::rcode(c)),
            Check::Addresses(a) => format!("addresses [{}]", a.join(", ")),
            Check::PublicAddress => "a public address".to_string(),
        }
    }

    fn evaluate(&self, body: &Value) -> Result<(), String> {
        let fail = |got: String| Err(format!("{}, got {}", self.describe(), render::scrub(&got)));
        match self {
            Check::Equals(p, want) => {
                let got = body.pointer(p).cloned().unwrap_or(Value::Null);
                if &got == want { Ok(()) } else { fail(got.to_string()) }
            }
            Check::Names(p, names) => {
                let got: Vec<&str> = body
                    .pointer(p)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|o| o["name"].as_str().unwrap_or("?")).collect())
                    .unwrap_or_default();
                if &got == names { Ok(()) } else { fail(format!("[{}]", got.join(", "))) }
            }
            Check::AllEndpoints(verdict, rule) => {
                let eps = body["endpoints"].as_array().cloned().unwrap_or_default();
                let bad: Vec<String> = eps
                    .iter()
                    .filter(|e| endpoint_verdict(e) != (verdict.to_string(), rule.map(|r| r.id.to_string())))
                    .map(|e| {
                        let (v, r) = endpoint_verdict(e);
                        format!("{} {}", e["fqdn"].as_str().unwrap_or("?"), verdict_text(&v, r.as_deref()))
                    })
                    .collect();
                if !eps.is_empty() && bad.is_empty() {
                    Ok(())
                } else if eps.is_empty() {
                    fail("no endpoints".into())
                } else {
                    fail(bad.join("; "))
                }
            }
            Check::Endpoint(fqdn, verdict, rule) => {
                let eps = body["endpoints"].as_array().cloned().unwrap_or_default();
                match eps.iter().find(|e| e["fqdn"].as_str().is_some_and(|f| f.eq_ignore_ascii_case(fqdn))) {
                    None => fail("no such endpoint".into()),
                    Some(e) => {
                        let (v, r) = endpoint_verdict(e);
                        if (v.as_str(), r.as_deref()) == (*verdict, rule.map(|r| r.id)) {
                            Ok(())
                        } else {
                            fail(verdict_text(&v, r.as_deref()))
                        }
                    }
                }
            }
            Check::Rcode(c) => {
                let got = body["answer"]["rcode"].as_str().unwrap_or("?");
                if got == *c { Ok(()) } else { fail(render::rcode(got)) }
            }
            Check::Addresses(want) => {
                let got = render::a_records(body);
                if got.iter().map(String::as_str).eq(want.iter().copied()) {
                    Ok(())
                } else {
                    fail(format!("[{}]", got.join(", ")))
                }
            }
            Check::PublicAddress => {
                let got = render::a_records(body);
                let private = |a: &str| a.starts_with("10.") || a.starts_with("192.168.") || a.starts_with("172.");
                if !got.is_empty() && !got.iter().any(|a| private(a)) {
                    Ok(())
                } else {
                    fail(format!("[{}]", got.join(", ")))
                }
            }
        }
    }
}

/// Finds a scenario by name (case-insensitive).
pub fn find(name: &str) -> Option<Scenario> {
    catalogue().into_iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The list `arcemu demo` prints: name, rule, one-line summary.
pub fn list() -> String {
    let all = catalogue();
    let width = all.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::from("Teaching scenarios (arcemu demo NAME runs one, arcemu demo --all runs them all):\n\n");
    for s in &all {
        out.push_str(&format!("  {:width$}  {:8}  {}\n", s.name, s.rule.map_or("-", |r| r.id), s.summary));
    }
    out
}

/// What one step did.
#[derive(Clone, Debug)]
pub struct StepRecord {
    /// Its number among the narrated steps; `None` for setup requests.
    pub number: Option<usize>,
    pub narration: Option<String>,
    pub method: &'static str,
    /// The path as written in the scenario (variables unexpanded).
    pub path: String,
    pub body: Option<Value>,
    pub reply: Reply,
    pub expected: String,
    /// What did not hold; empty when the step went as expected.
    pub failures: Vec<String>,
    pub captured: Option<(&'static str, String)>,
    pub show: Vec<&'static str>,
    pub label: Option<&'static str>,
}

/// A played scenario: what happened at each step, renderable as text (`Display`).
#[derive(Clone, Debug)]
pub struct Transcript {
    pub name: &'static str,
    pub title: &'static str,
    pub rule: Option<&'static Rule>,
    pub seed_section: &'static str,
    pub summary: &'static str,
    pub steps: Vec<StepRecord>,
    /// Set when a setup request failed and the scenario stopped there.
    pub stopped: bool,
}

impl Transcript {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        !self.stopped && self.steps.iter().all(|s| s.failures.is_empty())
    }
    /// Each expectation that did not hold, with its step.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.steps {
            for f in &s.failures {
                let at = match s.number {
                    Some(n) => format!("step {n}"),
                    None => "setup".to_string(),
                };
                out.push(format!("{at} ({} {}): expected {f}", s.method, render::scrub(&s.path)));
            }
        }
        out
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render::transcript(self))
    }
}

fn substitute(path: &str, vars: &BTreeMap<&'static str, String>) -> String {
    let mut out = path.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// Plays a scenario against the emulator behind `client`, checking every expectation. A
/// failed setup request stops the scenario (what follows would depend on it).
pub async fn run(client: &Client, scenario: &Scenario) -> Transcript {
    let mut vars: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut steps = Vec::new();
    let mut number = 0;
    let mut stopped = false;
    for step in &scenario.steps {
        let path = substitute(&step.path, &vars);
        let reply = client.send(step.method, &path, step.body.as_ref()).await;
        let mut failures = step.evaluate(&reply);
        let mut captured = None;
        if let Some((var, pointer)) = step.capture {
            match reply.body.pointer(pointer).and_then(Value::as_str) {
                Some(v) => {
                    vars.insert(var, v.to_string());
                    captured = Some((var, v.to_string()));
                }
                None => failures.push(format!("a value at {} to remember as {{{var}}}", render::pointer_text(pointer))),
            }
        }
        let numbered = if step.narration.is_some() {
            number += 1;
            Some(number)
        } else {
            None
        };
        let mut parts = Vec::new();
        if step.want != Want::Ok || step.checks.is_empty() {
            parts.push(step.want.describe());
        }
        parts.extend(step.checks.iter().map(Check::describe));
        let expected = parts.join("; ");
        let setup_failed = numbered.is_none() && !failures.is_empty();
        steps.push(StepRecord {
            number: numbered,
            narration: step.narration.clone(),
            method: step.method,
            path: step.path.clone(),
            body: step.body.clone(),
            reply,
            expected,
            failures,
            captured,
            show: step.show.clone(),
            label: step.label,
        });
        if setup_failed {
            stopped = true;
            break;
        }
    }
    Transcript {
        name: scenario.name,
        title: scenario.title,
        rule: scenario.rule,
        seed_section: scenario.seed_section(),
        summary: scenario.summary,
        steps,
        stopped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let all = catalogue();
        let mut names: Vec<&str> = all.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for s in &all {
            assert!(s.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", s.name);
            assert!(s.steps.iter().any(|st| st.narration.is_some()), "{} narrates nothing", s.name);
            if let Some(r) = s.rule {
                assert_eq!(arcemu_model::rules::find(r.id), Some(r), "{} cites a rule outside the catalogue", s.name);
            }
        }
    }

    #[test]
    fn every_catalogue_rule_has_a_scenario() {
        let all = catalogue();
        for r in arcemu_model::rules::CATALOGUE.iter().filter(|r| !NO_SCENARIO_YET.contains(r)) {
            assert!(all.iter().any(|s| s.rule == Some(r)), "no scenario for {}", r.id);
        }
    }

    #[test]
    fn variables_are_substituted() {
        let mut vars = BTreeMap::new();
        vars.insert("connection", "/x/y".to_string());
        assert_eq!(substitute("{connection}?api-version=1", &vars), "/x/y?api-version=1");
    }
}
