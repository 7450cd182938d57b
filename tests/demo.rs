//! The teaching scenarios of `arcemu demo`: each one played against a fresh in-process
//! emulator, every expectation checked, and its transcript pinned (insta snapshots, reviewed
//! by reading: they are what a trainer shows).

use arcemu::{Emulator, EmulatorConfig, SubscriptionConfig};
use arcemu_scenarios::client::Client;
use arcemu_scenarios::demo;

async fn play(name: &str) -> demo::Transcript {
    let scenario = demo::find(name).unwrap_or_else(|| panic!("no scenario '{name}'"));
    let mut config = EmulatorConfig::default();
    config.world.subscriptions.push(SubscriptionConfig::registered(demo::SECOND_SUBSCRIPTION, "second"));
    let emu = Emulator::start(config).await.expect("emulator starts");
    let started = std::time::Instant::now();
    let transcript = demo::run(&Client::new(&emu.arm_endpoint()), &scenario).await;
    let took = started.elapsed();
    emu.stop().await;
    assert!(transcript.passed(), "{}\n{}", transcript.failures().join("\n"), transcript);
    assert!(took < std::time::Duration::from_secs(2), "scenario {name} took {took:?}");
    transcript
}

macro_rules! scenarios {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let t = play($name).await;
                insta::assert_snapshot!($name, t.to_string());
            }
        )*
        /// The scenarios tested here, in catalogue order.
        const TESTED: &[&str] = &[$($name),*];
    };
}

scenarios! {
    happy_path => "happy-path",
    pls_001 => "one-scope-per-vnet",
    pls_002 => "one-scope-per-cluster",
    pls_003 => "cluster-region",
    pls_004 => "endpoint-region",
    pls_005 => "same-subscription",
    pls_006 => "public-access-disabled",
    pls_007 => "unassociated-cluster",
    pls_008 => "custom-locations",
    pls_009 => "extensions",
    pls_010 => "private-link-parameters",
    pls_011 => "add-resources",
    pls_012 => "connection-approval",
    pls_013 => "group-id",
    pls_014 => "mixed-network",
    pls_015 => "provider-registration",
    net_002 => "firewall-onboarding",
    dns_001 => "public-dns",
    dns_002 => "vnet-private-zone",
    dns_003 => "empty-record-set",
    dns_004 => "on-prem-forwarder",
    dns_005 => "manual-records",
    net_001 => "missing-vpn",
    net_003 => "monitor-endpoint",
}

#[test]
fn every_scenario_is_tested_here() {
    let names: Vec<&str> = demo::catalogue().iter().map(|s| s.name).collect();
    assert_eq!(names, TESTED);
}

/// Every rule of the catalogue (but those no scenario shows yet) has a scenario that expects it
/// to decide: a refusal or a verdict citing it or, for the DNS rules (shown through DNS
/// answers), an answer whose trace cites it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_rule_has_a_scenario() {
    let scenarios = demo::catalogue();
    for rule in arcemu_model::rules::CATALOGUE.iter().filter(|r| !demo::NO_SCENARIO_YET.contains(r)) {
        let s = scenarios.iter().find(|s| s.rule == Some(rule));
        let s = s.unwrap_or_else(|| panic!("no scenario shows {}", rule.id));
        let expects = s.steps.iter().any(|st| match &st.want {
            demo::Want::Refused { rule: Some(r), .. } => r.id == rule.id,
            _ => st.checks.iter().any(|c| {
                matches!(c,
                demo::Check::AllEndpoints(_, Some(r)) | demo::Check::Endpoint(_, _, Some(r)) if r.id == rule.id)
                    || matches!(c, demo::Check::Equals(_, v) if v == rule.id)
            }),
        });
        if expects {
            continue;
        }
        let t = play(s.name).await;
        let traced = t.steps.iter().any(|st| {
            st.number.is_some()
                && st.reply.body["answer"]["trace"].as_array().is_some_and(|tr| tr.iter().any(|x| x["rule"] == rule.id))
        });
        assert!(traced, "scenario {} never shows rule {} deciding", s.name, rule.id);
    }
}

/// `arcemu demo` lists, `arcemu demo NAME` plays and exits 0, an unknown name exits 1 with the list.
#[test]
fn the_cli_lists_plays_and_refuses_unknown_names() {
    let arcemu = env!("CARGO_BIN_EXE_arcemu");
    let out = std::process::Command::new(arcemu).arg("demo").output().expect("arcemu runs");
    assert!(out.status.success());
    let list = String::from_utf8_lossy(&out.stdout);
    for s in demo::catalogue() {
        assert!(list.contains(s.name) && list.contains(s.rule.map_or("-", |r| r.id)), "{list}");
    }
    let out = std::process::Command::new(arcemu).args(["demo", "cluster-region"]).output().expect("arcemu runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("arcemu demo cluster-region:") && text.contains("Outcome: all 5 requests"), "{text}");
    let out = std::process::Command::new(arcemu).args(["demo", "no-such-thing"]).output().expect("arcemu runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no scenario named 'no-such-thing'") && err.contains("happy-path"), "{err}");
}

/// `--arm URL` plays against an emulator that is already running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_plays_against_a_running_emulator() {
    let emu = Emulator::start(EmulatorConfig::default()).await.expect("emulator starts");
    let base = emu.arm_endpoint();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"))
            .args(["demo", "one-scope-per-cluster", "--arm", &base])
            .output()
            .expect("arcemu runs")
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The same world, played again: the scope and cluster exist, so the first PUT is an update.
    let base = emu.arm_endpoint();
    let again = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_arcemu"))
            .args(["demo", "one-scope-per-cluster", "--arm", &base])
            .output()
            .expect("arcemu runs")
    })
    .await
    .unwrap();
    assert_eq!(again.status.code(), Some(1), "a used world does not answer as a fresh one");
    assert!(String::from_utf8_lossy(&again.stderr).contains("expected 201"));
    emu.stop().await;
}
