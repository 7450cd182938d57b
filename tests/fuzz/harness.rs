//! The driver every target shares: settings from the environment, the corpus replayed first,
//! then proptest's runner over the target's generator in batches (so that the run stops at its
//! time bound), the report, and what a failure leaves behind.

use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config, FailurePersistence, FileFailurePersistence, PersistedSeed, RngAlgorithm, TestCaseError, TestError, TestRng,
    TestRunner,
};
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Floor on the inputs a target must run in one test-command run (issue 11's acceptance).
pub const REQUIRED_INPUTS: u64 = 10_000;

/// How many generated inputs one proptest runner is given; the time bound is checked between
/// batches (and, within one, inputs past it are skipped).
const BATCH: u32 = 500;

/// What a run does, from the environment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Generated inputs to run (`ARCEMU_FUZZ_INPUTS`, default 10,000).
    pub inputs: u64,
    /// Fewer inputs than this fails the test (`ARCEMU_FUZZ_MIN_INPUTS`; default 10,000, or
    /// `inputs` when that is set lower).
    pub min_inputs: u64,
    /// Stop generating after this long (`ARCEMU_FUZZ_SECONDS`, default 300).
    pub time_bound: Duration,
    /// Seed of the generators (`ARCEMU_FUZZ_SEED`; fixed per target by default, so that CI is
    /// reproducible).
    pub seed: u64,
    /// A file of inputs to replay instead of fuzzing (`ARCEMU_FUZZ_REPLAY`).
    pub replay: Option<PathBuf>,
}

impl Settings {
    pub fn from_env(default_seed: u64) -> Settings {
        let num = |k: &str| std::env::var(k).ok().and_then(|v| v.trim().parse::<u64>().ok());
        let inputs = num("ARCEMU_FUZZ_INPUTS").unwrap_or(REQUIRED_INPUTS);
        Settings {
            inputs,
            min_inputs: num("ARCEMU_FUZZ_MIN_INPUTS").unwrap_or(REQUIRED_INPUTS.min(inputs)),
            time_bound: Duration::from_secs(num("ARCEMU_FUZZ_SECONDS").unwrap_or(300)),
            seed: num("ARCEMU_FUZZ_SEED").unwrap_or(default_seed),
            replay: std::env::var_os("ARCEMU_FUZZ_REPLAY").map(PathBuf::from),
        }
    }
}

/// One target: its name (also the corpus folder and the failure file), its default seed, and
/// where proptest keeps the seeds of its failures.
pub struct Target {
    pub name: &'static str,
    pub default_seed: u64,
    pub regressions: &'static str,
}

/// How a run went.
pub struct Summary {
    pub corpus: u64,
    pub generated: u64,
    pub elapsed: Duration,
    pub settings: Settings,
}

/// Runs a target: its corpus, then generated inputs, each through `exec`, which runs one input
/// and checks every invariant (an `Err` or a panic is a failure; proptest shrinks it). `exec`
/// also records the input in the target's history (see [`History`]). `checkpoint` checks what
/// no single input answers for (the state the inputs left) after the corpus, after every batch
/// and at the end. Panics on a failure, with the minimal input; `on_failure` saves the history.
pub fn run<S>(
    target: &Target,
    strategy: S,
    corpus: Vec<(String, S::Value)>,
    exec: impl Fn(&S::Value) -> Result<(), String>,
    checkpoint: impl Fn() -> Result<(), String>,
    on_failure: impl Fn() -> Option<PathBuf>,
) -> Summary
where
    S: Strategy,
    S::Value: Debug,
{
    let settings = Settings::from_env(target.default_seed);
    let started = Instant::now();
    let seed = settings.seed;
    let fail = |what: String| -> ! {
        let saved = on_failure().map(|p| format!("\nevery input this run ran: {}", p.display())).unwrap_or_default();
        panic!("fuzz target {}: {what}{saved}\n(seed {seed})", target.name)
    };
    let mut corpus_count = 0u64;
    for (file, input) in &corpus {
        if let Err(e) = guarded(|| exec(input)) {
            fail(format!("corpus input {file} fails: {e}\ninput: {input:?}"));
        }
        corpus_count += 1;
    }
    let check = |when: &str| {
        if let Err(e) = guarded(&checkpoint) {
            fail(format!("{when}, the state is inconsistent: {e}"));
        }
    };
    check("after the corpus");
    if settings.replay.is_some() {
        return Summary { corpus: corpus_count, generated: 0, elapsed: started.elapsed(), settings };
    }
    let generated = Cell::new(0u64);
    let deadline = started + settings.time_bound;
    let mut batch = 0u64;
    while generated.get() < settings.inputs && Instant::now() < deadline {
        let cases = (settings.inputs - generated.get()).min(u64::from(BATCH)) as u32;
        let config = Config {
            cases,
            failure_persistence: Some(Box::new(Persistence { replay: batch == 0, file: target.regressions })),
            rng_algorithm: RngAlgorithm::ChaCha,
            max_shrink_iters: 1024,
            max_shrink_time: 60_000,
            max_global_rejects: u32::MAX,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(
            config,
            TestRng::from_seed(RngAlgorithm::ChaCha, &batch_seed(&settings, target, batch)),
        );
        let result = runner.run(&strategy, |input| {
            if Instant::now() >= deadline {
                return Ok(());
            }
            generated.set(generated.get() + 1);
            exec(&input).map_err(TestCaseError::fail)
        });
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, minimal)) => {
                fail(format!("{reason}\nminimal input (shrunk by proptest): {minimal:#?}"))
            }
            Err(TestError::Abort(reason)) => fail(format!("proptest aborted: {reason}")),
        }
        check(&format!("after {} generated inputs", generated.get()));
        batch += 1;
    }
    let summary = Summary { corpus: corpus_count, generated: generated.get(), elapsed: started.elapsed(), settings };
    if summary.total() < summary.settings.min_inputs {
        fail(format!(
            "only {} inputs ran within {:?} (at least {} are required; ARCEMU_FUZZ_MIN_INPUTS lowers the floor)",
            summary.total(),
            summary.settings.time_bound,
            summary.settings.min_inputs
        ));
    }
    summary
}

impl Summary {
    pub fn total(&self) -> u64 {
        self.corpus + self.generated
    }

    /// The line the test prints (nextest shows it: `.config/nextest.toml`); `held` says which
    /// invariants held.
    pub fn report(&self, name: &str, held: &str, details: &str) {
        let secs = self.elapsed.as_secs_f64();
        println!(
            "fuzz {name}: {} inputs ({} corpus + {} generated, seed {}) in {secs:.1}s ({:.0}/s): {held}; {details}",
            self.total(),
            self.corpus,
            self.generated,
            self.settings.seed,
            self.total() as f64 / secs.max(0.001),
        );
    }
}

/// Runs `f`, turning a panic into an `Err` (the corpus is replayed outside proptest's runner).
fn guarded(f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(format!("panicked: {}", panic_text(&*p))),
    }
}

pub fn panic_text(p: &(dyn Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// The ChaCha seed of one batch: the run's seed, the batch number and the target's name.
fn batch_seed(settings: &Settings, target: &Target, batch: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&settings.seed.to_le_bytes());
    s[8..16].copy_from_slice(&batch.to_le_bytes());
    for (i, b) in target.name.bytes().take(16).enumerate() {
        s[16 + i] = b;
    }
    s
}

/// proptest's file of failure seeds: every failure is saved; the saved ones are replayed by the
/// first batch only (each batch has its own runner).
#[derive(Debug, Clone, PartialEq)]
struct Persistence {
    replay: bool,
    file: &'static str,
}

impl FailurePersistence for Persistence {
    fn load_persisted_failures2(&self, source_file: Option<&'static str>) -> Vec<PersistedSeed> {
        if self.replay {
            FileFailurePersistence::Direct(self.file).load_persisted_failures2(source_file)
        } else {
            Vec::new()
        }
    }

    fn save_persisted_failure2(
        &mut self,
        source_file: Option<&'static str>,
        seed: PersistedSeed,
        shrunken: &dyn Debug,
    ) {
        FileFailurePersistence::Direct(self.file).save_persisted_failure2(source_file, seed, shrunken)
    }

    fn box_clone(&self) -> Box<dyn FailurePersistence> {
        Box::new(self.clone())
    }

    fn eq(&self, other: &dyn FailurePersistence) -> bool {
        other.as_any().downcast_ref::<Self>().is_some_and(|o| o == self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

// ---- the corpus and the history ----

/// The corpus of a target: every file of `tests/fuzz-corpus/<name>/` in name order, each read by
/// `read` into one or more inputs; or, with `ARCEMU_FUZZ_REPLAY`, that one file.
pub fn corpus<V>(name: &str, read: impl Fn(&Path, &[u8]) -> Result<Vec<V>, String>) -> Vec<(String, V)> {
    let files: Vec<PathBuf> = match std::env::var_os("ARCEMU_FUZZ_REPLAY") {
        Some(f) => vec![PathBuf::from(f)],
        None => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus").join(name);
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
                .unwrap_or_default();
            files.sort();
            files
        }
    };
    let mut out = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("corpus file {}: {e}", file.display()));
        let inputs = read(&file, &bytes).unwrap_or_else(|e| panic!("corpus file {}: {e}", file.display()));
        let label = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for (i, input) in inputs.into_iter().enumerate() {
            out.push((format!("{label}#{i}"), input));
        }
    }
    out
}

/// A JSON corpus file: one input or an array of them (a sequence, run in order).
pub fn json_inputs<V: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<Vec<V>, String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    match v {
        serde_json::Value::Array(items) => {
            items.into_iter().map(|i| serde_json::from_value(i).map_err(|e| e.to_string())).collect()
        }
        one => Ok(vec![serde_json::from_value(one).map_err(|e| e.to_string())?]),
    }
}

/// Every input a target ran, in order, so that a failure that depends on the state earlier
/// inputs left can be replayed (`ARCEMU_FUZZ_REPLAY=target/fuzz-failures/<target>.json`).
pub struct History<V> {
    inputs: RefCell<Vec<V>>,
}

impl<V> Default for History<V> {
    fn default() -> Self {
        Self { inputs: RefCell::new(Vec::new()) }
    }
}

impl<V: Serialize + Clone> History<V> {
    pub fn record(&self, input: &V) {
        self.inputs.borrow_mut().push(input.clone());
    }

    /// Writes the history to `target/fuzz-failures/<name>.json`.
    pub fn save(&self, name: &str) -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-failures");
        std::fs::create_dir_all(&dir).ok()?;
        let path = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&*self.inputs.borrow()).ok()?;
        std::fs::write(&path, text).ok()?;
        Some(path)
    }
}

// ---- bytes that are text when they can be ----

/// Bytes that serialize as a JSON string when they are UTF-8, `{"hex": "..."}` otherwise.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "BytesRepr", into = "BytesRepr")]
pub struct Data(pub Vec<u8>);

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum BytesRepr {
    Text(String),
    Hex { hex: String },
}

impl From<BytesRepr> for Data {
    fn from(r: BytesRepr) -> Data {
        match r {
            BytesRepr::Text(s) => Data(s.into_bytes()),
            BytesRepr::Hex { hex } => Data(from_hex(&hex)),
        }
    }
}

impl From<Data> for BytesRepr {
    fn from(d: Data) -> BytesRepr {
        match String::from_utf8(d.0) {
            Ok(s) => BytesRepr::Text(s),
            Err(e) => BytesRepr::Hex { hex: to_hex(e.as_bytes()) },
        }
    }
}

impl Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOWN: usize = 600;
        match std::str::from_utf8(&self.0) {
            Ok(s) if s.len() <= SHOWN => write!(f, "{s:?}"),
            Ok(s) => {
                let cut = (0..=SHOWN).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                write!(f, "{:?}... ({} bytes)", &s[..cut], s.len())
            }
            Err(_) if self.0.len() <= SHOWN => write!(f, "hex:{}", to_hex(&self.0)),
            Err(_) => write!(f, "hex:{}... ({} bytes)", to_hex(&self.0[..SHOWN]), self.0.len()),
        }
    }
}

pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn from_hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits.chunks(2).filter_map(|c| std::str::from_utf8(c).ok().and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

// ---- errors logged while a target runs ----

/// ERROR events logged by the emulator while a target runs: each one is a bug there (a handler
/// that panicked, a DNS answer that could not be encoded, a name the model made up).
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static ERROR_COUNT: AtomicUsize = AtomicUsize::new(0);

struct ErrorLayer;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ErrorLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::ERROR {
            struct Text(String);
            impl tracing::field::Visit for Text {
                fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn Debug) {
                    self.0.push_str(&format!("{}={value:?} ", field.name()));
                }
            }
            let mut text = Text(format!("{}: ", event.metadata().target()));
            event.record(&mut text);
            ERROR_COUNT.fetch_add(1, Ordering::SeqCst);
            ERRORS.lock().unwrap_or_else(|p| p.into_inner()).push(text.0);
        }
    }
}

/// Installs the layer that collects ERROR events (once per process).
pub fn watch_errors() {
    use tracing_subscriber::layer::SubscriberExt;
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(ErrorLayer));
}

/// How many ERROR events were logged so far.
pub fn error_count() -> usize {
    ERROR_COUNT.load(Ordering::SeqCst)
}

/// `Err` with the ERROR events logged since `before`.
pub fn no_errors_since(before: usize) -> Result<(), String> {
    if error_count() == before {
        return Ok(());
    }
    let all = ERRORS.lock().unwrap_or_else(|p| p.into_inner());
    Err(format!("the emulator logged errors: {:?}", all.iter().skip(before).collect::<Vec<_>>()))
}
