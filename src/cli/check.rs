//! `arcemu check` (a running emulator's world, or a snapshot file) and `arcemu verify` (an
//! in-process emulator, a command run against it, then the check). Both print the checker's
//! report (text, or JSON), optionally write JUnit XML, and exit with the codes of `exit.rs`.

use super::exit;
use arcemu::{Emulator, EmulatorConfig, SubscriptionConfig, World, WorldConfig};
use arcemu_checker::{CommandOutcome, Expectation, Refusal, Report};
use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// How the report is printed on stdout.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// Grouped, for people; coloured on a terminal unless NO_COLOR is set.
    Text,
    /// The report as JSON.
    Json,
}

/// What both subcommands share.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// What must hold: `private`, `private-only` or `connected`, optionally `:CLUSTER` (a lab
    /// cluster); repeatable. Default: `private` for every cluster with private link enabled.
    #[arg(long = "expect", value_name = "WANT[:CLUSTER]")]
    expect: Vec<Expectation>,
    /// The report on stdout.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also write the report as JUnit XML (one test case per expectation) to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Extra subscription the world's resources live in (all providers registered); repeatable.
    #[arg(long = "subscription", value_delimiter = ',')]
    subscriptions: Vec<String>,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// A snapshot (GET /_emulator/snapshot) or any world file, instead of a running emulator.
    #[arg(long, value_name = "FILE", conflicts_with = "arm")]
    snapshot: Option<PathBuf>,
    /// Base URL of the running emulator's ARM listener.
    #[arg(long, env = "ARCEMU_ARM", default_value = "http://127.0.0.1:8490")]
    arm: String,
    /// The running emulator's admin token, if it was started with one.
    #[arg(long, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    #[command(flatten)]
    report: ReportArgs,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A world file to load before the command runs (sites, forwarders, lab clusters, resources).
    #[arg(long, value_name = "FILE")]
    world: Option<PathBuf>,
    /// Seconds the command may run; then its process group is killed and the run fails.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    timeout: u64,
    /// Lines of the command's output kept for the report.
    #[arg(long, value_name = "LINES", default_value_t = 40)]
    tail: usize,
    #[command(flatten)]
    report: ReportArgs,
    /// The command to run against the emulator, and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
}

fn world_config(subscriptions: &[String]) -> WorldConfig {
    let mut config = WorldConfig::default();
    for id in subscriptions {
        config.subscriptions.push(SubscriptionConfig::registered(id, &format!("arcemu subscription {id}")));
    }
    config
}

/// `arcemu check`: the world of a running emulator (through its snapshot) or of a file.
pub async fn check(args: CheckArgs) -> ExitCode {
    let text = match &args.snapshot {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return cannot(&format!("cannot read {}: {e}", path.display())),
        },
        None => match fetch_snapshot(&args.arm, args.admin_token.as_deref()).await {
            Ok(t) => t,
            Err(e) => return cannot(&e),
        },
    };
    let file = match arcemu::world_file::parse(&text) {
        Ok(f) => f,
        Err(e) => return cannot(&e),
    };
    let mut config = world_config(&args.report.subscriptions);
    arcemu::world_file::add_subscriptions(&mut config, &file);
    let mut world = World::new(config);
    let now = time::OffsetDateTime::now_utc();
    if let Err(e) = arcemu::world_file::apply(&mut world, &file, now) {
        return cannot(&format!("the snapshot does not load: {e}"));
    }
    let report = arcemu_checker::check(&world, &args.report.expect);
    finish(&report, &args.report)
}

pub(crate) async fn fetch_snapshot(arm: &str, token: Option<&str>) -> Result<String, String> {
    let url = format!("{}/_emulator/snapshot", arm.trim_end_matches('/'));
    let mut request = reqwest::Client::new().get(&url).timeout(Duration::from_secs(30));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.map_err(|e| format!("cannot reach the emulator at {arm}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("unreadable answer from {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {text}"));
    }
    Ok(text)
}

fn cannot(message: &str) -> ExitCode {
    eprintln!("arcemu: {message}");
    exit::code(exit::CANNOT_CHECK)
}

/// Prints the report, writes the JUnit file, and picks the exit code.
fn finish(report: &Report, args: &ReportArgs) -> ExitCode {
    if let Some(path) = &args.junit
        && let Err(e) = write_file(path, &arcemu_checker::junit(report))
    {
        return cannot(&format!("cannot write {}: {e}", path.display()));
    }
    let mut out = std::io::stdout().lock();
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Text => arcemu_checker::text(report, use_color()),
    };
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    let command_failed = report.command.as_ref().is_some_and(|c| !c.succeeded());
    exit::code(if command_failed {
        exit::COMMAND_FAILED
    } else if report.passed {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// `arcemu verify`: an emulator on free loopback ports, the command against it, the check.
pub async fn verify(args: VerifyArgs) -> ExitCode {
    let mut config = EmulatorConfig { world: world_config(&args.report.subscriptions), ..Default::default() };
    if let Some(path) = &args.world {
        match std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|t| arcemu::world_file::parse(&t))
        {
            Ok(f) => config.initial_world = Some(f),
            Err(e) => return cannot(&e),
        }
    }
    // HTTPS too, with a certificate authority of this run only (the SDKs and `az` want HTTPS):
    // the command finds the CA in ARCEMU_CA_FILE.
    let tls_dir = std::env::temp_dir().join(format!("arcemu-verify-{}-{}", std::process::id(), unique()));
    config.https = Some(arcemu::HttpsConfig { listen: SocketAddr::from(([127, 0, 0, 1], 0)), dir: tls_dir.clone() });
    let emu = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tls_dir);
            return cannot(&format!("cannot start the emulator: {e}"));
        }
    };
    let env = environment(&emu).await;
    let mark = emu.refusals().mark();
    let outcome = run_command(&args.command, &env, Duration::from_secs(args.timeout.max(1)), args.tail).await;
    let refusals: Vec<Refusal> = emu.refusals().since(mark);
    let expectations = args.report.expect.clone();
    let report = emu.world().read(|w| arcemu_checker::check(w, &expectations)).with_command(outcome, &refusals);
    emu.stop().await;
    let _ = std::fs::remove_dir_all(&tls_dir);
    finish(&report, &args.report)
}

/// Nanoseconds of the clock: two runs of the same process id (a container) get two directories.
fn unique() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// The variables the command gets (README, "Use it in CI").
async fn environment(emu: &Emulator) -> Vec<(String, String)> {
    let arm = emu.arm_endpoint();
    let sub = arcemu_model::world::DEFAULT_SUBSCRIPTION.to_string();
    let mut env = vec![
        ("ARCEMU_ARM_URL".to_string(), arm.clone()),
        // What `arcemu explain`/`nslookup`/`check` read, so the command can call them too.
        ("ARCEMU_ARM".to_string(), arm.clone()),
        ("ARCEMU_ADMIN_URL".to_string(), emu.admin_endpoint()),
        ("ARCEMU_SUBSCRIPTION_ID".to_string(), sub.clone()),
        ("AZURE_SUBSCRIPTION_ID".to_string(), sub),
        // Any bearer token is accepted; SDK credentials can hand out this one.
        ("ARCEMU_TOKEN".to_string(), "arcemu-verify".to_string()),
        ("ARCEMU_ARM_SCOPE".to_string(), "https://management.azure.com/.default".to_string()),
        ("ARCEMU_DNS_LISTENERS_URL".to_string(), format!("{}dns/listeners", emu.admin_endpoint())),
    ];
    if let (Some(https), Some(ca)) = (emu.https_endpoint(), emu.ca_file()) {
        // The same emulator over HTTPS, and the CA to trust for it (REQUESTS_CA_BUNDLE for
        // the Python SDK and `az`; not set for the command: it may reach other hosts too).
        env.push(("ARCEMU_ARM_HTTPS_URL".to_string(), https));
        env.push(("ARCEMU_CA_FILE".to_string(), ca.display().to_string()));
    }
    for (vantage, addr) in emu.dns_sync().await {
        if vantage == "public" {
            env.push(("ARCEMU_DNS".to_string(), addr.to_string()));
        }
        if vantage == "public" || vantage.starts_with("site:") {
            env.push((format!("ARCEMU_DNS_{}", env_name(&vantage)), addr.to_string()));
        }
    }
    env
}

/// `site:hq-1` → `SITE_HQ_1`.
fn env_name(vantage: &str) -> String {
    vantage.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// Runs the command in its own process group, keeps the last `tail` lines of its output (and
/// passes them through to stderr as they come), and kills the group on timeout.
async fn run_command(command: &[String], env: &[(String, String)], timeout: Duration, tail: usize) -> CommandOutcome {
    let started = Instant::now();
    let mut outcome = CommandOutcome { command: command.to_vec(), ..Default::default() };
    let Some((program, rest)) = command.split_first() else {
        outcome.error = Some("no command given".into());
        return outcome;
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(rest)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            outcome.error = Some(format!("could not start '{program}': {e}"));
            return outcome;
        }
    };
    let lines = Arc::new(Mutex::new(VecDeque::new()));
    let readers = [
        child.stdout.take().map(|s| tokio::spawn(pump(s, lines.clone(), tail))),
        child.stderr.take().map(|s| tokio::spawn(pump(s, lines.clone(), tail))),
    ];
    let pid = child.id();
    match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) => {
            outcome.exit_code = status.code();
            #[cfg(unix)]
            if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
                outcome.error = Some(format!("killed by signal {signal}"));
            }
        }
        Ok(Err(e)) => outcome.error = Some(format!("could not wait for it: {e}")),
        Err(_) => outcome.timed_out = true,
    }
    // The group goes too: on timeout, and whatever the command left running in the background
    // (which would otherwise hold its output open).
    if let Some(pid) = pid {
        kill_group(pid);
    }
    if outcome.timed_out {
        let _ = child.kill().await;
    }
    for r in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(Duration::from_secs(2), r).await;
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome.output_tail = lines.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect();
    outcome
}

async fn pump(stream: impl AsyncRead + Unpin, lines: Arc<Mutex<VecDeque<String>>>, tail: usize) {
    let mut reader = BufReader::new(stream).lines();
    while let Ok(Some(line)) = reader.next_line().await {
        eprintln!("{line}");
        let mut kept = lines.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= tail.max(1) {
            kept.pop_front();
        }
        kept.push_back(line);
    }
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: killpg only sends a signal; the group is the child's own (process_group(0)).
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}
