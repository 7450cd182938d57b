//! `arcemu snapshot save FILE` and `arcemu snapshot load FILE`: a running emulator's world to a
//! file and back. A snapshot is a world file (`GET /_emulator/snapshot`): the resources as PUT
//! bodies in an order that loads, the lab objects and the subscriptions; readable, diffable,
//! and loadable with `arcemu serve --world` too. Loading replaces the world whole or not at all
//! (`POST /_emulator/reset` with `{"world": ...}`).

use crate::cli::check::fetch_snapshot;
use crate::cli::exit;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    action: Action,
    /// Base URL of the running emulator's ARM listener (a named world: `.../worlds/NAME`).
    #[arg(long, global = true, env = "ARCEMU_ARM", default_value = "http://127.0.0.1:8490")]
    arm: String,
    /// The running emulator's admin token, if it was started with one.
    #[arg(long, global = true, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Write the world to FILE (YAML; `-` for stdout).
    Save { file: PathBuf },
    /// Replace the world with FILE's (a snapshot or any world file, YAML or JSON).
    Load { file: PathBuf },
}

pub async fn snapshot(args: SnapshotArgs) -> ExitCode {
    let result = match &args.action {
        Action::Save { file } => save(&args, file).await,
        Action::Load { file } => load(&args, file).await,
    };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            exit::code(exit::OK)
        }
        Err((code, message)) => {
            eprintln!("arcemu: {message}");
            exit::code(code)
        }
    }
}

async fn save(args: &SnapshotArgs, file: &PathBuf) -> Result<String, (u8, String)> {
    let text = fetch_snapshot(&args.arm, args.admin_token.as_deref()).await.map_err(|e| (exit::CANNOT_CHECK, e))?;
    let world = arcemu::world_file::parse(&text).map_err(|e| (exit::CANNOT_CHECK, format!("the snapshot: {e}")))?;
    let yaml = serde_norway::to_string(&world).map_err(|e| (exit::FAILED, e.to_string()))?;
    if file.as_os_str() == "-" {
        print!("{yaml}");
    } else {
        std::fs::write(file, &yaml)
            .map_err(|e| (exit::CANNOT_CHECK, format!("cannot write {}: {e}", file.display())))?;
    }
    Ok(format!(
        "saved {} resources, {} sites, {} forwarders, {} clusters to {}",
        world.resources.len(),
        world.sites.len(),
        world.forwarders.len(),
        world.clusters.len(),
        file.display()
    ))
}

async fn load(args: &SnapshotArgs, file: &PathBuf) -> Result<String, (u8, String)> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| (exit::CANNOT_CHECK, format!("cannot read {}: {e}", file.display())))?;
    let world =
        arcemu::world_file::parse(&text).map_err(|e| (exit::CANNOT_CHECK, format!("{}: {e}", file.display())))?;
    let url = format!("{}/_emulator/reset", args.arm.trim_end_matches('/'));
    let mut request =
        reqwest::Client::new().post(&url).timeout(Duration::from_secs(60)).json(&serde_json::json!({ "world": world }));
    if let Some(t) = &args.admin_token {
        request = request.bearer_auth(t);
    }
    let response = request
        .send()
        .await
        .map_err(|e| (exit::CANNOT_CHECK, format!("cannot reach the emulator at {}: {e}", args.arm)))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        let message = body["error"]["message"].as_str().unwrap_or("no message");
        return Err((exit::FAILED, format!("the world was not loaded ({status}): {message}")));
    }
    Ok(format!("loaded {} entries from {} ({} resources now)", body["entries"], file.display(), body["resources"]))
}
