//! The `arcemu` command: `arcemu serve` runs the emulator until Ctrl-C or SIGTERM.

use arcemu::{DEFAULT_ARM_LISTEN, Emulator, EmulatorConfig, RegionProfile, SubscriptionConfig};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "arcemu",
    version,
    about = "Emulated Azure control plane for Azure Arc-enabled Kubernetes private connectivity"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the fake ARM (with the admin API under /_emulator/) until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address of the ARM listener (loopback recommended; port 0 picks a free one).
    #[arg(long, env = "ARCEMU_ARM_LISTEN", default_value = DEFAULT_ARM_LISTEN)]
    arm_listen: SocketAddr,
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
}

fn parse_profile(s: &str) -> Result<RegionProfile, String> {
    RegionProfile::parse(s).ok_or_else(|| format!("unknown region profile '{s}' (use 'default' or 'strict-regions')"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("ARCEMU_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcemu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let mut config = EmulatorConfig { arm_listen: args.arm_listen, ..EmulatorConfig::default() };
    config.world.region_profile = args.region_profile;
    config.world.seed = args.seed;
    config.world.lro_delay = time::Duration::milliseconds(args.lro_delay_ms.min(i64::MAX as u64) as i64);
    config.arm.require_auth = !args.no_auth;
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
        Err(e) => {
            eprintln!("arcemu: cannot listen on {}: {e}", args.arm_listen);
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
