//! The property-based state machine: random sequences of operations run against a live
//! emulator (in-process, over HTTP and the admin API) and against the independent reference
//! model; after every step the outcome, every cluster's verdicts and status, and the hub's
//! DNS answer must agree, and the invariants must hold (one scope per VNet, no dangling
//! connection or DNS record). A failure shrinks to a minimal
//! sequence, printed as a script of operations.
//!
//! Long-running operations take 10 s of a manual clock that only `AdvanceClock` moves,
//! so sequences delete (and PUT again) while operations are pending; after every step each
//! resource the reference knows must show the predicted provisioning state (or be gone), and
//! its GET (which the ARM face may answer from its body cache) must equal the model's fresh
//! render ([`fresh_render`]). Extra resource groups have non-ASCII names (percent-encoded on
//! the wire) and non-ASCII tags.
//!
//! EXPECTED ON 51d9bc2 (main before the "one door" redesign): this test FAILS. First on the
//! stale GET body cache (`PUT scope pls-0`, `DELETE scope pls-0`: the GET still says
//! `Succeeded`; deletes do not bump the world's generation). With that fixed it also finds:
//! a second DELETE of a resource (or group) being deleted starts a second operation that later
//! deletes the resource created again meanwhile; writes into a resource group being deleted
//! are accepted; the resource group name `rg-½` is accepted.
//!
//! `PROPTEST_CASES=2000 cargo test -p arcemu-scenarios --test state_machine -- --nocapture`
//! runs many more cases locally (a progress bar shows when stderr is a terminal and CI is unset);
//! the sequences come from a fixed seed, `ARCEMU_PROPTEST_SEED=N` draws others.

use arcemu_model::clock::ManualClock;
use arcemu_scenarios::client::Client;
use arcemu_scenarios::machine::{self, Advance, Op};
use arcemu_scenarios::reference::{self, GROUPS, LRO_DELAY_MS, Link, Outcome, Region, State, TAG_VALUES};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::Mutex;

/// Rule ids and outcomes seen across all cases (for the coverage report).
static SEEN: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
static PROGRESS: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

struct Reference;

/// Steps aimed at what the state is deleting (see `transitions`).
fn pending_deletes(state: &State) -> Vec<Op> {
    let mut ops = Vec::new();
    for (slot, c) in state.clusters.iter().enumerate() {
        if let Some(c) = c.as_ref().filter(|c| c.prov.is_deleting()) {
            ops.push(Op::DeleteCluster { slot });
            ops.push(Op::PutCluster { slot, region: c.region, link: Link::None });
        }
    }
    for (slot, sc) in state.scopes.iter().enumerate() {
        if let Some(sc) = sc.as_ref().filter(|sc| sc.prov.is_deleting()) {
            ops.push(Op::DeleteScope { slot });
            ops.push(Op::PutScope { slot, region: sc.region, public: sc.public });
        }
    }
    for (slot, e) in state.endpoints.iter().enumerate() {
        if let Some(e) = e.as_ref().filter(|e| e.prov.is_deleting()) {
            let region = reference::VNET_REGION[reference::PE_SLOTS[slot].0];
            ops.push(Op::DeleteEndpoint { slot });
            ops.push(Op::PutEndpoint { slot, scope: e.scope, manual: e.manual, region, group_ok: true });
        }
    }
    for (group, g) in state.groups.iter().enumerate() {
        if let Some(g) = g.as_ref().filter(|g| g.deleting.is_some()) {
            ops.push(Op::DeleteGroup { group });
            ops.push(Op::PutGroup { group, tag: (g.tag + 1) % TAG_VALUES.len() });
            ops.push(Op::PutGroupScope { group, tag: g.tag });
        }
    }
    if !ops.is_empty() {
        ops.push(Op::AdvanceClock { by: Advance::Half });
    }
    ops.extend(state.just_deleted.iter().cloned());
    ops
}

fn valid_group() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0usize), 1 => 1..GROUPS.len() - 1]
}

fn region() -> impl Strategy<Value = Region> {
    prop_oneof![4 => Just(Region::East), 1 => Just(Region::West)]
}

impl ReferenceStateMachine for Reference {
    type State = State;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::new()).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Op> {
        // Slots are weighted toward the first scope, endpoint (hub VNet) and cluster, so that
        // sequences often build a working private setup and then break it.
        let scope_slot = || prop_oneof![3 => Just(0usize), 1 => Just(1usize)];
        let pe_slot = || prop_oneof![4 => Just(0usize), 2 => Just(1usize), 1 => 2..4usize];
        let cluster_slot = || prop_oneof![4 => Just(0usize), 1 => 1..3usize];
        let link = prop_oneof![
            6 => scope_slot().prop_map(Link::Scope),
            2 => Just(Link::None),
            1 => Just(Link::EnabledWithoutId),
            1 => scope_slot().prop_map(Link::IdWithoutEnabled),
        ];
        let main = prop_oneof![
            4 => (scope_slot(), region(), any::<bool>()).prop_map(|(slot, region, public)| Op::PutScope { slot, region, public }),
            1 => scope_slot().prop_map(|slot| Op::DeleteScope { slot }),
            6 => (pe_slot(), scope_slot(), prop::bool::weighted(0.25), region(), prop::bool::weighted(0.9))
                .prop_map(|(slot, scope, manual, region, group_ok)| Op::PutEndpoint { slot, scope, manual, region, group_ok }),
            1 => pe_slot().prop_map(|slot| Op::DeleteEndpoint { slot }),
            4 => pe_slot().prop_map(|slot| Op::ZoneGroup { slot }),
            3 => (pe_slot(), any::<bool>()).prop_map(|(slot, approve)| Op::SetConnection { slot, approve }),
            1 => any::<bool>().prop_map(|on| Op::LinkZones { on }),
            1 => any::<bool>().prop_map(|on| Op::EmptyRecord { on }),
            6 => (cluster_slot(), region(), link).prop_map(|(slot, region, link)| Op::PutCluster { slot, region, link }),
            1 => cluster_slot().prop_map(|slot| Op::DeleteCluster { slot }),
            2 => (0..3usize, any::<bool>()).prop_map(|(slot, create)| Op::CustomLocation { slot, create }),
            2 => (scope_slot(), 0..3usize).prop_map(|(scope, slot)| Op::AddResources { scope, slot }),
            1 => any::<bool>().prop_map(|register| Op::Provider { register }),
            1 => any::<bool>().prop_map(|on| Op::Vpn { on }),
            1 => any::<bool>().prop_map(|block_mcr| Op::Firewall { block_mcr }),
            1 => (cluster_slot(), any::<bool>()).prop_map(|(slot, documented)| Op::PutExtension { slot, documented }),
            1 => any::<bool>().prop_map(|on| Op::ManualDns { on }),
            5 => prop_oneof![1 => Just(Advance::Zero), 3 => Just(Advance::Half), 2 => Just(Advance::Full), 2 => Just(Advance::Double)]
                .prop_map(|by| Op::AdvanceClock { by }),
            // Extra groups: the first one often (so that writes meet its delete), the last name
            // (which Azure refuses) only in PUTs.
            2 => (prop_oneof![4 => Just(0usize), 1 => 1..GROUPS.len()], 0..TAG_VALUES.len())
                .prop_map(|(group, tag)| Op::PutGroup { group, tag }),
            1 => valid_group().prop_map(|group| Op::DeleteGroup { group }),
            2 => (valid_group(), 0..TAG_VALUES.len()).prop_map(|(group, tag)| Op::PutGroupScope { group, tag }),
        ]
        .boxed();
        // While something is being deleted, steps often aim at it: DELETE it again, PUT it again
        // (refused until the delete is done), or let half a delay pass; and right after a delete
        // completes, they often create it again.
        let focus = pending_deletes(state);
        if focus.is_empty() { main } else { prop_oneof![5 => main, 1 => proptest::sample::select(focus)].boxed() }
    }

    fn apply(state: State, op: &Op) -> State {
        reference::apply(state, op)
    }
}

/// The system under test: a fresh emulator per case, on its own runtime, with a manual clock.
struct Sut {
    rt: tokio::runtime::Runtime,
    emu: Option<arcemu::Emulator>,
    clock: Arc<ManualClock>,
    client: Client,
    /// What the previous check saw: the clock, and the ids present (see `check_invariants`).
    checked: Mutex<(Option<u64>, BTreeSet<String>)>,
}

/// The model's own render of a resource (no ARM face, no GET body cache), or the HTTP status of
/// its refusal. The one place this test reaches into the world: the core redesign changes this
/// accessor.
fn fresh_render(emu: &arcemu::Emulator, id: &str) -> Result<Value, u16> {
    let id = arcemu_model::ResourceId::parse(id).map_err(|_| 400u16)?;
    emu.world().read(|w| w.render(&id)).map_err(|e| e.status)
}

/// Where `got` differs from `want`, one `path: got != want` line each (at most 8).
fn json_diff(path: &str, got: &Value, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match (got, want) {
        (Value::Object(a), Value::Object(b)) => {
            for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let (x, y) = (a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null));
                out.extend(json_diff(&format!("{path}.{k}"), x, y));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                out.extend(json_diff(&format!("{path}[{i}]"), x, y));
            }
        }
        _ if got != want => out.push(format!("{path}: GET says {got}, fresh render says {want}")),
        _ => {}
    }
    out.truncate(8);
    out
}

fn count(key: String) {
    *SEEN.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default() += 1;
}

struct EmulatorMachine;

impl StateMachineTest for EmulatorMachine {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(_: &State) -> Sut {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let clock = Arc::new(ManualClock::default());
        let mut cfg = arcemu::EmulatorConfig::default();
        cfg.world.subscriptions.push(arcemu::SubscriptionConfig::registered(machine::SUBS[1], "second"));
        cfg.world.lro_delay = time::Duration::milliseconds(LRO_DELAY_MS as i64);
        cfg.clock = Some(clock.clone());
        let emu = rt.block_on(arcemu::Emulator::start(cfg)).expect("emulator starts");
        let client = Client::new(&emu.arm_endpoint());
        rt.block_on(machine::setup(&client)).expect("universe set up");
        Sut { rt, emu: Some(emu), clock, client, checked: Mutex::default() }
    }

    fn apply(sut: Sut, after: &State, op: Op) -> Sut {
        let got = sut.rt.block_on(machine::execute(&sut.client, &sut.clock, &op));
        let want = after.last.clone().unwrap_or(Outcome::Ok);
        assert_eq!(got, want, "outcome of `{op:?}`");
        let key = match &got {
            Outcome::Ok => "ok".to_string(),
            Outcome::Refused(r) => r.clone(),
        };
        *SEEN.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default() += 1;
        sut
    }

    fn check_invariants(sut: &Sut, state: &State) {
        sut.rt.block_on(async {
            // Every resource the reference knows: its GET equals the model's fresh render (the
            // first GET also completes the operations due since the clock last moved), and shows
            // what the reference predicts. To bound the cost, a resource absent now and at the
            // previous check is skipped, and so are the fixed ones while the clock stands still.
            let emu = sut.emu.as_ref().expect("emulator running");
            let (clock_moved, was_present) = {
                let checked = sut.checked.lock().unwrap_or_else(|p| p.into_inner());
                (checked.0 != Some(state.now), checked.1.clone())
            };
            let mut present = BTreeSet::new();
            let tracked = machine::tracked(state);
            let groups = machine::tracked_groups(state);
            for t in &tracked {
                if t.want.is_some() {
                    present.insert(t.id.clone());
                }
            }
            for (id, want) in &groups {
                if want.is_some() {
                    present.insert(id.clone());
                }
            }
            let worth = |id: &str, fixed: bool| {
                if fixed { clock_moved } else { present.contains(id) || was_present.contains(id) }
            };
            let tracked: Vec<_> = tracked.into_iter().filter(|t| worth(&t.id, t.fixed)).collect();
            let urls = tracked.iter().map(|t| format!("{}?api-version={}", machine::encode_path(&t.id), t.api_version));
            let replies = machine::get_many(&sut.client, urls.collect()).await;
            for (t, got) in tracked.iter().zip(replies) {
                match fresh_render(emu, &t.id) {
                    Ok(fresh) => assert!(
                        got.status == 200 && got.body == fresh,
                        "GET {} (answered {}) is not the model's fresh render:\n  {}",
                        t.id,
                        got.status,
                        json_diff("", &got.body, &fresh).join("\n  ")
                    ),
                    Err(status) => assert_eq!(got.status, status, "GET {}: {}", t.id, got.body),
                }
                match &t.want {
                    None => assert_eq!(got.status, 404, "{} should not exist: {}", t.id, got.body),
                    Some(want) => {
                        assert_eq!(got.status, 200, "{} should exist: {}", t.id, got.body);
                        let prov = got.body["properties"]["provisioningState"].as_str();
                        assert_eq!(prov, *want, "provisioningState of {}", t.id);
                        if let Some(p) = prov {
                            count(format!("state:{p}"));
                        }
                        if let Some(tags) = &t.tags {
                            assert_eq!(got.body["id"], t.id.as_str(), "id of {}", t.id);
                            assert_eq!(&got.body["tags"], tags, "tags of {}", t.id);
                        }
                    }
                }
            }
            for (id, want) in groups.into_iter().filter(|(id, _)| worth(id, false)) {
                let url = format!("{}?api-version=2025-04-01", machine::encode_path(&id));
                let got = sut.client.get(&url).await;
                match want {
                    None => assert_eq!(got.status, 404, "{id} should not exist: {}", got.body),
                    Some((prov, tags)) => {
                        assert_eq!(got.status, 200, "{id} should exist: {}", got.body);
                        assert_eq!(got.body["id"], id.as_str(), "id of {id}");
                        assert_eq!(got.body["properties"]["provisioningState"], prov, "provisioningState of {id}");
                        assert_eq!(got.body["tags"], tags, "tags of {id}");
                    }
                }
            }
            *sut.checked.lock().unwrap_or_else(|p| p.into_inner()) = (Some(state.now), present);
            let c = &sut.client;
            let (c0, c1, c2, hub) = tokio::join!(
                machine::observe_cluster(c, 0),
                machine::observe_cluster(c, 1),
                machine::observe_cluster(c, 2),
                machine::observe_hub_gbl(c)
            );
            for (slot, got) in [c0, c1, c2].into_iter().enumerate() {
                match (&state.clusters[slot], got) {
                    (None, None) => {}
                    (Some(c), Some((verdicts, status, extensions))) => {
                        assert_eq!(verdicts, state.verdicts(slot), "verdicts of c{slot}");
                        assert_eq!(status, c.status, "connectivityStatus of c{slot}");
                        assert_eq!(extensions, state.extension_report(slot), "extensions of c{slot}");
                        for (v, rule) in &verdicts {
                            *SEEN
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .entry(format!("{v}:{rule}"))
                                .or_default() += 1;
                        }
                    }
                    (want, got) => panic!("cluster c{slot}: reference {want:?}, emulator {got:?}"),
                }
            }
            let (rcode, addrs) = hub;
            match state.hub_gbl() {
                Ok(want) if !want.is_empty() => {
                    let want: Vec<String> =
                        want.iter().map(|a| format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])).collect();
                    assert_eq!((rcode.as_str(), addrs), ("NoError", want), "gbl from vnet0");
                }
                Ok(_) => {
                    assert_eq!(rcode, "NoError", "gbl from vnet0 (public)");
                    assert!(
                        addrs.iter().all(|a| a.starts_with("198.51.100.")),
                        "gbl from vnet0 should be public: {addrs:?}"
                    );
                }
                Err(_) => assert_eq!(rcode, "NxDomain", "gbl from vnet0"),
            }
            let dangling = machine::dangling_references(&sut.client).await;
            assert!(dangling.is_empty(), "dangling references: {dangling:?}");
            // Invariants: no VNet with endpoints to two scopes; no cluster in two scopes.
            for v in 0..3 {
                let scopes: std::collections::BTreeSet<usize> = (0..4)
                    .filter(|i| reference::PE_SLOTS[*i].0 == v)
                    .filter_map(|i| state.endpoints[i].as_ref().map(|e| e.scope))
                    .collect();
                assert!(scopes.len() <= 1, "vnet{v} reaches scopes {scopes:?}");
            }
        });
    }

    fn teardown(sut: Sut, _: State) {
        if let Some(pb) = PROGRESS.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            pb.inc(1);
        }
        let Sut { rt, emu, .. } = sut;
        if let Some(emu) = emu {
            rt.block_on(emu.stop());
        }
    }
}

/// The run is deterministic (CI must not flake): `ARCEMU_PROPTEST_SEED=N` explores other sequences.
fn seed() -> proptest::test_runner::RngSeed {
    let n = std::env::var("ARCEMU_PROPTEST_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_261_125);
    proptest::test_runner::RngSeed::Fixed(n)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128)
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(),
        rng_seed: seed(),
        max_shrink_iters: 4096,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))),
        .. Config::default()
    })]

    fn emulator_matches_the_reference(sequential 1..60 => EmulatorMachine);
}

/// Runs the machine, then prints which rule refusals and verdicts the run exercised and
/// fails when one of the rules the operations can break was never refused.
#[test]
fn emulator_matches_the_reference_model() {
    let interactive = std::env::var_os("CI").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    if interactive {
        let pb = indicatif::ProgressBar::new(u64::from(cases()));
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cases ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        *PROGRESS.lock().unwrap_or_else(|p| p.into_inner()) = Some(pb);
    }
    emulator_matches_the_reference();
    let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone();
    eprintln!("state machine coverage ({} cases):", cases());
    for (k, n) in &seen {
        eprintln!("  {k:<40} {n}");
    }
    let missing: Vec<&&str> = machine::RULE_IDS.iter().filter(|r| !seen.contains_key(**r)).collect();
    assert!(missing.is_empty(), "rules never refused by the state machine: {missing:?}");
    // Pending operations were met: writes on resources being deleted, every provisioning state.
    for k in [
        "AnotherOperationInProgress",
        "ResourceGroupBeingDeleted",
        "state:Accepted",
        "state:Updating",
        "state:Deleting",
        "state:Succeeded",
    ] {
        assert!(seen.contains_key(k), "{k} never observed");
    }
    for v in [
        "Private:PLS-007",
        "Public:-",
        "Refused:PLS-006",
        "Refused:PLS-007",
        "Refused:PLS-014",
        "Unreachable:NET-001",
        "Unreachable:DNS-003",
        "Unreachable:PLS-012",
    ] {
        assert!(seen.contains_key(v), "verdict {v} never observed");
    }
}
