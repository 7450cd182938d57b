//! The `arcemu` command: `arcemu serve` runs the emulator until Ctrl-C or SIGTERM; `check` and
//! `verify` are the conformance gate (`cli/check.rs`). Exit codes: `cli/exit.rs`.

use arcemu::{DEFAULT_ARM_LISTEN, DEFAULT_DNS_LISTEN, Emulator, EmulatorConfig, RegionProfile, SubscriptionConfig};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

mod cli;
mod health;
mod log_writer;
use cli::exit;

/// mimalloc: allocation is a large share of a GET's CPU (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives the memory freed on this thread back to the system (pages mimalloc would keep for
/// reuse): after a world is loaded or replaced.
fn collect_memory() {
    // SAFETY: `mi_collect` has no preconditions; it only walks mimalloc's own free lists.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[derive(Parser)]
#[command(
    name = "arcemu",
    version,
    about = "Emulated Azure control plane for Azure Arc-enabled Kubernetes private connectivity"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines on stderr as text (coloured on a terminal only; NO_COLOR turns colours off)
    /// or as JSON, one object per line. Which lines: ARCEMU_LOG (e.g. `debug`, `warn`,
    /// `arcemu::request=off`); `info` by default, one line per request.
    #[arg(long, global = true, env = "ARCEMU_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Logs to stderr: `ARCEMU_LOG` picks what (default `info`, hickory's own lines from `warn`).
/// The lines are written by a thread of their own (`log_writer.rs`); keep the returned
/// [`log_writer::LogFlush`] until the end of `main`: `finish` writes what is left.
fn init_logging(format: LogFormat) -> log_writer::LogFlush {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ARCEMU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,hickory_server=warn,hickory_proto=warn"));
    let (pipe, flush) = log_writer::start(std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(pipe);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => {
            let colours = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            builder.with_ansi(colours).init()
        }
    }
    flush
}

#[derive(Subcommand)]
enum Command {
    /// Run the fake ARM (with the admin API under /_emulator/) until Ctrl-C or SIGTERM.
    Serve(Box<ServeArgs>),
    /// Ask a running emulator how a name resolves from a vantage point, and why.
    Nslookup(NslookupArgs),
    /// Ask a running emulator whether a lab cluster's Arc agents get through, endpoint by endpoint, and why.
    Explain(ExplainArgs),
    /// Play a narrated teaching scenario, each against a fresh in-process emulator (no NAME: list them).
    Demo(DemoArgs),
    /// Ask a running emulator whether it is ready (GET /_emulator/health): exit 0 if so, 1 if not.
    Health(health::HealthArgs),
    /// Check a world (a running emulator's, or a snapshot file) against expectations; exit 0 only when all hold.
    Check(cli::check::CheckArgs),
    /// Start an emulator on free loopback ports, run COMMAND against it, then check what it built.
    Verify(cli::check::VerifyArgs),
    /// Save a running emulator's world to a file (a world file), or load one into it (replacing its world).
    Snapshot(cli::snapshot::SnapshotArgs),
}

#[derive(clap::Args)]
struct DemoArgs {
    /// The scenario to play; without it, the list.
    name: Option<String>,
    /// Play every scenario.
    #[arg(long, conflicts_with = "name")]
    all: bool,
    /// Play against an already-running emulator instead (it must have a fresh world, and subscription
    /// 11111111-1111-1111-1111-111111111111 for the scenarios that use a second one).
    #[arg(long, conflicts_with = "all")]
    arm: Option<String>,
    /// The running emulator's admin token (sent as the bearer token of every request).
    #[arg(long, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// The lab cluster's name (see GET /_emulator/clusters).
    cluster: String,
    /// Base URL of the running emulator's ARM listener.
    #[arg(long, env = "ARCEMU_ARM", default_value = "http://127.0.0.1:8490")]
    arm: String,
    /// Print the admin API's JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// The running emulator's admin token, if it was started with one.
    #[arg(long, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
}

#[derive(clap::Args)]
struct NslookupArgs {
    /// The name to resolve, e.g. gbl.his.arc.azure.com.
    name: String,
    /// The vantage point: `public`, `vnet:<virtual network id>` (or the bare id), `site:<name>`.
    #[arg(long, default_value = "public")]
    from: String,
    /// Record type: A, AAAA, CNAME, ... or a number.
    #[arg(long = "type", default_value = "A")]
    qtype: String,
    /// Base URL of the running emulator's ARM listener (its admin API is under /_emulator/).
    #[arg(long, env = "ARCEMU_ARM", default_value = "http://127.0.0.1:8490")]
    arm: String,
    /// Print the admin API's JSON answer instead of text.
    #[arg(long)]
    json: bool,
    /// The running emulator's admin token, if it was started with one.
    #[arg(long, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address of the ARM listener (loopback unless --allow-remote; port 0 picks a free one).
    #[arg(long, env = "ARCEMU_ARM_LISTEN", default_value = DEFAULT_ARM_LISTEN)]
    arm_listen: SocketAddr,
    /// Address of the public DNS view (UDP and TCP); the other vantage points listen on the same
    /// IP address, each on an ephemeral port (`GET /_emulator/dns/listeners` lists them).
    #[arg(long, env = "ARCEMU_DNS_LISTEN", default_value = DEFAULT_DNS_LISTEN)]
    dns_listen: SocketAddr,
    /// Region profile: `default` (cluster = scope region) or `strict-regions` (VNet = scope region too).
    #[arg(long, env = "ARCEMU_REGION_PROFILE", default_value = "default", value_parser = parse_profile)]
    region_profile: RegionProfile,
    /// Extra subscription (all providers registered); repeatable. Append `:unregistered` for none.
    #[arg(long = "subscription", env = "ARCEMU_SUBSCRIPTIONS", value_delimiter = ',')]
    subscriptions: Vec<String>,
    /// How long long-running operations stay in progress, in milliseconds.
    #[arg(long, env = "ARCEMU_LRO_DELAY_MS", default_value_t = 0)]
    lro_delay_ms: u64,
    /// Seed of every generated id (same seed and requests: same ids).
    #[arg(long, env = "ARCEMU_SEED", default_value_t = 0)]
    seed: u64,
    /// Accept requests without an Authorization header.
    #[arg(long)]
    no_auth: bool,
    /// A world file (YAML or JSON) to load before serving: ARM resources, sites, forwarders, clusters.
    #[arg(long, env = "ARCEMU_WORLD")]
    world: Option<std::path::PathBuf>,
    /// Keep the world in this directory across restarts (every acknowledged write survives a crash);
    /// a directory that already holds a world wins over --world. Without it the world is in memory only.
    #[arg(long, env = "ARCEMU_DATA_DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// Give each VNet's and site's DNS listener a port in START-END (on --dns-listen's address),
    /// chosen from its id: the same world gets the same ports at every start, and a container
    /// publishes the range. Without it, any free port.
    #[arg(long, env = "ARCEMU_DNS_PORT_RANGE", value_parser = parse_port_range)]
    dns_port_range: Option<std::ops::RangeInclusive<u16>>,
    /// Allow listening on non-loopback addresses (--arm-listen, --dns-listen): anyone who can reach
    /// them can change the world. Consider --admin-token, and --allow-host for the names clients use.
    #[arg(long, env = "ARCEMU_ALLOW_REMOTE", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    allow_remote: bool,
    /// A host name (or address) to accept in the Host header besides loopback and the listener's own
    /// address; repeatable; `*` accepts any (turns off the DNS-rebinding defence).
    #[arg(long = "allow-host", env = "ARCEMU_ALLOW_HOSTS", value_delimiter = ',')]
    allow_hosts: Vec<String>,
    /// Require `Authorization: Bearer TOKEN` on every admin request (/_emulator/).
    #[arg(long, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// The base URL the emulator names itself by in the URLs it returns (Azure-AsyncOperation,
    /// Location, nextLink), e.g. behind a proxy; default: http://<ARM listener address>.
    #[arg(long, env = "ARCEMU_PUBLIC_URL", value_parser = arcemu::access::parse_public_url)]
    public_url: Option<String>,
    /// Also serve ARM, the admin API and the Entra ID face over HTTPS on this address (e.g.
    /// 127.0.0.1:8491), with a certificate from a local CA (its file is printed at start).
    #[arg(long, env = "ARCEMU_HTTPS_LISTEN")]
    https_listen: Option<SocketAddr>,
    /// Where the local CA (ca.pem, what clients trust; ca-key.pem) is kept, made at first start;
    /// default: DATA_DIR/tls with --data-dir, else $XDG_DATA_HOME/arcemu/tls or ~/.local/share/arcemu/tls.
    #[arg(long, env = "ARCEMU_TLS_DIR")]
    tls_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    bounds: BoundsArgs,
}

/// What keeps a long run bounded (README, "Bounds").
#[derive(clap::Args)]
struct BoundsArgs {
    /// Time a request's head may take from its first byte, in milliseconds (then the connection is closed).
    #[arg(long, env = "ARCEMU_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    header_timeout_ms: u64,
    /// Time a request's body may take after its head, in milliseconds (then 408).
    #[arg(long, env = "ARCEMU_BODY_TIMEOUT_MS", default_value_t = 30_000)]
    body_timeout_ms: u64,
    /// A connection with nothing in progress and no byte moving this long is closed, in milliseconds.
    #[arg(long, env = "ARCEMU_IDLE_TIMEOUT_MS", default_value_t = 60_000)]
    idle_timeout_ms: u64,
    /// Open ARM connections at most; one more is answered 429 and closed.
    #[arg(long, env = "ARCEMU_MAX_CONNECTIONS", default_value_t = arcemu::ArmConfig::default().max_connections)]
    max_connections: usize,
    /// DNS vantage points at most besides the public one (VNets and sites: each has a listener).
    #[arg(long, env = "ARCEMU_MAX_DNS_LISTENERS", default_value_t = arcemu::WorldConfig::default().max_dns_vantages)]
    max_dns_listeners: usize,
    /// Named worlds (`/worlds/{name}/...`) at most besides the default one; one more is refused 409.
    #[arg(long, env = "ARCEMU_MAX_WORLDS", default_value_t = arcemu::worlds::DEFAULT_MAX_WORLDS)]
    max_worlds: usize,
    /// How long an ended operation's status stays readable, in seconds (then 404).
    #[arg(long, env = "ARCEMU_OPERATION_RETENTION_SECS", default_value_t = 300)]
    operation_retention_secs: u32,
    /// Ended operations kept at most (the oldest go first).
    #[arg(long, env = "ARCEMU_MAX_FINISHED_OPERATIONS", default_value_t = arcemu::WorldConfig::default().max_finished_operations)]
    max_finished_operations: usize,
    /// A list page ends before this many bytes of items (and after 100 items), with a nextLink.
    #[arg(long, env = "ARCEMU_PAGE_MAX_BYTES", default_value_t = arcemu::ArmConfig::default().page_max_bytes)]
    page_max_bytes: usize,
}

impl BoundsArgs {
    fn apply(&self, config: &mut EmulatorConfig) {
        use std::time::Duration;
        config.arm.header_read_timeout = Duration::from_millis(self.header_timeout_ms.max(1));
        config.arm.body_read_timeout = Duration::from_millis(self.body_timeout_ms.max(1));
        config.arm.idle_timeout = Duration::from_millis(self.idle_timeout_ms.max(1));
        config.arm.max_connections = self.max_connections.max(1);
        config.arm.page_max_bytes = self.page_max_bytes.max(1);
        config.world.max_dns_vantages = self.max_dns_listeners;
        config.max_named_worlds = self.max_worlds;
        config.world.operation_retention = time::Duration::seconds(i64::from(self.operation_retention_secs));
        config.world.max_finished_operations = self.max_finished_operations;
    }
}

fn parse_port_range(s: &str) -> Result<std::ops::RangeInclusive<u16>, String> {
    let bad = || format!("'{s}' is not a port range: use START-END, e.g. 20000-20199");
    let (start, end) = s.split_once('-').ok_or_else(bad)?;
    let start: u16 = start.trim().parse().map_err(|_| bad())?;
    let end: u16 = end.trim().parse().map_err(|_| bad())?;
    if start == 0 || start > end {
        return Err(bad());
    }
    Ok(start..=end)
}

fn parse_profile(s: &str) -> Result<RegionProfile, String> {
    RegionProfile::parse(s).ok_or_else(|| format!("unknown region profile '{s}' (use 'default' or 'strict-regions')"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_flush = init_logging(cli.log_format);
    arcemu::set_memory_release(collect_memory);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcemu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match cli.command {
        Command::Serve(args) => runtime.block_on(serve(*args)),
        Command::Nslookup(args) => runtime.block_on(nslookup(args)),
        Command::Explain(args) => runtime.block_on(explain(args)),
        Command::Demo(args) => runtime.block_on(demo(args)),
        Command::Health(args) => runtime.block_on(health::health(args)),
        Command::Check(args) => runtime.block_on(cli::check::check(args)),
        Command::Verify(args) => runtime.block_on(cli::check::verify(args)),
        Command::Snapshot(args) => runtime.block_on(cli::snapshot::snapshot(args)),
    };
    // The runtime's tasks may still log while it stops; then every line is written.
    drop(runtime);
    log_flush.finish();
    code
}

/// `arcemu demo`: the list, or the transcript of each scenario played (exit 1 if an
/// expectation did not hold or the name is unknown).
async fn demo(args: DemoArgs) -> ExitCode {
    use arcemu_scenarios::{client::Client, demo};
    let scenarios = match (&args.name, args.all) {
        (_, true) => demo::catalogue(),
        (None, false) => {
            print!("{}", demo::list());
            return ExitCode::SUCCESS;
        }
        (Some(name), false) => match demo::find(name) {
            Some(s) => vec![s],
            None => {
                eprintln!("arcemu demo: no scenario named '{name}'.\n{}", demo::list());
                return ExitCode::FAILURE;
            }
        },
    };
    let mut all_held = true;
    for (i, scenario) in scenarios.iter().enumerate() {
        let transcript = if let Some(base) = &args.arm {
            let client = match &args.admin_token {
                Some(token) => Client::new(base).with_bearer(token),
                None => Client::new(base),
            };
            demo::run(&client, scenario).await
        } else {
            let mut config = EmulatorConfig::default();
            let second = SubscriptionConfig::registered(demo::SECOND_SUBSCRIPTION, "arcemu demo second subscription");
            config.world.subscriptions.push(second);
            let emu = match Emulator::start(config).await {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("arcemu demo: cannot start an emulator: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let t = demo::run(&Client::new(&emu.arm_endpoint()), scenario).await;
            emu.stop().await;
            t
        };
        print!("{}{transcript}", if i > 0 { "\n" } else { "" });
        for failure in transcript.failures() {
            all_held = false;
            eprintln!("arcemu demo {}: {failure}", scenario.name);
        }
        all_held &= transcript.passed();
    }
    if all_held { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let mut config =
        EmulatorConfig { arm_listen: args.arm_listen, data_dir: args.data_dir.clone(), ..EmulatorConfig::default() };
    config.dns.public_listen = args.dns_listen;
    config.dns.vantage_ip = args.dns_listen.ip();
    config.dns.vantage_ports = args.dns_port_range.clone();
    config.world.region_profile = args.region_profile;
    config.world.seed = args.seed;
    config.world.lro_delay = time::Duration::milliseconds(args.lro_delay_ms.min(i64::MAX as u64) as i64);
    config.arm.require_auth = !args.no_auth;
    config.access = arcemu::AccessConfig {
        allow_remote: args.allow_remote,
        allow_hosts: args.allow_hosts.clone(),
        admin_token: args.admin_token.clone().filter(|t| !t.is_empty()),
        public_url: args.public_url.clone(),
    };
    let listeners = [(args.arm_listen, "--arm-listen"), (args.dns_listen, "--dns-listen")];
    for (addr, flag) in listeners {
        if let Err(e) = config.access.check_listen(addr, flag) {
            eprintln!("arcemu: {e}");
            return ExitCode::FAILURE;
        }
    }
    if args.allow_remote && config.access.admin_token.is_none() {
        eprintln!(
            "arcemu: warning: --allow-remote without --admin-token: anyone who can reach the listeners can change the world"
        );
    }
    args.bounds.apply(&mut config);
    if let Some(listen) = args.https_listen {
        let Some(dir) = args.tls_dir.clone().or_else(|| arcemu::tls::default_dir(args.data_dir.as_deref())) else {
            eprintln!("arcemu: --https-listen needs --tls-dir (no --data-dir, HOME or XDG_DATA_HOME to put the CA in)");
            return ExitCode::FAILURE;
        };
        config.https = Some(arcemu::HttpsConfig { listen, dir });
    }
    // Read (and refused with its reason) by `Emulator::start`.
    config.initial_world_file = args.world.clone();
    for s in &args.subscriptions {
        let (id, unregistered) = match s.split_once(':') {
            Some((id, flag)) if flag.eq_ignore_ascii_case("unregistered") => (id, true),
            _ => (s.as_str(), false),
        };
        let name = format!("arcemu subscription {id}");
        config.world.subscriptions.push(if unregistered {
            SubscriptionConfig::unregistered(id, &name)
        } else {
            SubscriptionConfig::registered(id, &name)
        });
    }
    let subscriptions: Vec<String> = config.world.subscriptions.iter().map(|s| s.id.clone()).collect();
    let emu = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            eprintln!("arcemu: the world file was refused: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("arcemu: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            let https = args.https_listen.map(|a| format!(" or {a} (HTTPS)")).unwrap_or_default();
            eprintln!("arcemu: cannot listen on {} (ARM) or {} (DNS){https}: {e}", args.arm_listen, args.dns_listen);
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "arcemu {} (region profile: {}, seed {})",
        env!("CARGO_PKG_VERSION"),
        args.region_profile.as_str(),
        args.seed
    );
    let _ = writeln!(out, "  ARM:   {}", emu.arm_endpoint());
    let _ = writeln!(out, "  admin: {}", emu.admin_endpoint());
    if let (Some(url), Some(ca)) = (emu.https_endpoint(), emu.ca_file()) {
        let _ = writeln!(out, "  HTTPS: {url} (ARM, admin API, Entra ID at {url}/{{tenant}})");
        let _ = writeln!(out, "  CA:    {} (trust it: REQUESTS_CA_BUNDLE / SSL_CERT_FILE)", ca.display());
    }
    for (vantage, addr) in emu.dns_listeners() {
        if vantage == "public" {
            let _ = writeln!(out, "  DNS:   {addr} (public)");
        }
    }
    for (vantage, addr) in emu.dns_listeners() {
        if vantage != "public" {
            let _ = writeln!(out, "  DNS:   {addr} ({vantage})");
        }
    }
    let _ = writeln!(out, "  subscriptions: {}", subscriptions.join(", "));
    let _ = writeln!(out, "arcemu ready");
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    eprintln!("arcemu: shutting down");
    emu.stop().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `arcemu nslookup`: asks the admin API (`GET /_emulator/dns/resolve`) and prints the answer
/// and the trace of why, one step per line with its rule id.
async fn nslookup(args: NslookupArgs) -> ExitCode {
    let base = args.arm.trim_end_matches('/');
    let url = format!("{base}/_emulator/dns/resolve");
    let client = reqwest::Client::new();
    let mut request = client
        .get(&url)
        .query(&[("name", args.name.as_str()), ("from", args.from.as_str()), ("type", args.qtype.as_str())])
        .timeout(std::time::Duration::from_secs(10));
    if let Some(token) = &args.admin_token {
        request = request.bearer_auth(token);
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcemu nslookup: cannot reach the emulator at {base}: {e}");
            return exit::code(exit::CANNOT_CHECK);
        }
    };
    let status = response.status();
    let body: serde_json::Value = match response.json().await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("arcemu nslookup: unexpected answer from {url} ({status}): {e}");
            return exit::code(exit::CANNOT_CHECK);
        }
    };
    if !status.is_success() {
        let msg = body["error"]["message"].as_str().unwrap_or("request refused");
        eprintln!("arcemu nslookup: {msg}");
        // A vantage point or record type the emulator does not know is a usage error.
        return exit::code(if status == reqwest::StatusCode::BAD_REQUEST { exit::USAGE } else { exit::CANNOT_CHECK });
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&body).unwrap_or_default());
    } else {
        let _ = write!(out, "{}", render_answer(&body));
    }
    let _ = out.flush();
    exit::code(exit::of_answer(&body))
}

/// `arcemu explain`: asks the admin API for a lab cluster's report and prints it.
async fn explain(args: ExplainArgs) -> ExitCode {
    let base = args.arm.trim_end_matches('/');
    let url = format!("{base}/_emulator/clusters/{}/explain", args.cluster);
    let mut request = reqwest::Client::new().get(&url).timeout(std::time::Duration::from_secs(10));
    if let Some(token) = &args.admin_token {
        request = request.bearer_auth(token);
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcemu explain: cannot reach the emulator at {base}: {e}");
            return exit::code(exit::CANNOT_CHECK);
        }
    };
    let status = response.status();
    let body: serde_json::Value = match response.json().await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("arcemu explain: unexpected answer from {url} ({status}): {e}");
            return exit::code(exit::CANNOT_CHECK);
        }
    };
    if !status.is_success() {
        eprintln!("arcemu explain: {}", body["error"]["message"].as_str().unwrap_or("request refused"));
        return exit::code(exit::CANNOT_CHECK);
    }
    let mut out = std::io::stdout().lock();
    let text = if args.json {
        serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
    } else {
        arcemu::explain::render(&body)
    };
    let _ = write!(out, "{text}");
    let _ = out.flush();
    exit::code(exit::of_explain(&body))
}

/// The admin API's resolve answer as text, in the spirit of nslookup's output.
fn render_answer(body: &serde_json::Value) -> String {
    use std::fmt::Write as _;
    let answer = &body["answer"];
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut t = String::new();
    let _ = writeln!(t, "Server:  arcemu ({})", s(&body["from"]));
    let _ = writeln!(t, "Query:   {} {}", s(&body["name"]), s(&body["type"]));
    let rcode = match s(&answer["rcode"]).as_str() {
        "NoError" => "NOERROR",
        "NxDomain" => "NXDOMAIN",
        "ServFail" => "SERVFAIL",
        "Refused" => "REFUSED",
        other => other,
    }
    .to_string();
    let aa = if answer["authoritative"].as_bool().unwrap_or(false) { "authoritative" } else { "non-authoritative" };
    let _ = writeln!(t, "Status:  {rcode} ({aa} answer)");
    let records = answer["answers"].as_array().cloned().unwrap_or_default();
    if records.is_empty() {
        let _ = writeln!(t, "\n(no records)");
    } else {
        let _ = writeln!(t);
    }
    for r in &records {
        let kind = s(&r["data"]["type"]);
        let value = match &r["data"]["value"] {
            serde_json::Value::String(v) => v.clone(),
            other => other.to_string(),
        };
        match kind.as_str() {
            "CNAME" => {
                let _ = writeln!(t, "{}\tcanonical name = {}", s(&r["name"]), value);
            }
            _ => {
                let _ = writeln!(t, "Name:\t{}\nAddress: {}", s(&r["name"]), value);
            }
        }
    }
    if let Some(soa) = answer["soa"].as_object() {
        let zone = soa.get("zone").and_then(|z| z.as_str()).unwrap_or("");
        let _ = writeln!(t, "Authority: SOA of {zone}");
    }
    let trace = answer["trace"].as_array().cloned().unwrap_or_default();
    if !trace.is_empty() {
        let _ = writeln!(t, "\nWhy:");
        for step in &trace {
            let rule = step["rule"].as_str().map(|r| format!("[{r}] ")).unwrap_or_default();
            let _ = writeln!(t, "  {rule}{}: {}", s(&step["at"]), s(&step["text"]));
        }
    }
    t
}
