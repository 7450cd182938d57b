//! `arcemu health`: asks a running emulator whether it is ready (`GET /_emulator/health`) and
//! exits 0 or 1. The container image's HEALTHCHECK runs it: a `FROM scratch` image has no curl.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// `arcemu health`'s arguments.
#[derive(clap::Args)]
pub struct HealthArgs {
    /// Base URL of the running emulator's ARM listener (use an IP address: a static binary in an
    /// empty image cannot resolve names).
    #[arg(long, env = "ARCEMU_ARM", default_value = "http://127.0.0.1:8490")]
    pub arm: String,
    /// The running emulator's admin token, if it was started with one.
    #[arg(long, env = "ARCEMU_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 3_000)]
    pub timeout_ms: u64,
}

/// Exit 0 when the emulator answers its health endpoint with a success status, 1 otherwise
/// (unreachable, refused, timed out), with one line saying which.
pub async fn health(args: HealthArgs) -> ExitCode {
    let base = args.arm.trim_end_matches('/');
    let url = format!("{base}/_emulator/health");
    let mut request = reqwest::Client::new().get(&url).timeout(Duration::from_millis(args.timeout_ms.max(1)));
    if let Some(token) = args.admin_token.as_deref().filter(|t| !t.is_empty()) {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => {
            let body = response.text().await.unwrap_or_default();
            let _ = writeln!(std::io::stdout().lock(), "arcemu health: ok ({url}): {body}");
            ExitCode::SUCCESS
        }
        Ok(response) => {
            eprintln!("arcemu health: {url} answered {}", response.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("arcemu health: cannot reach the emulator at {base}: {e}");
            ExitCode::FAILURE
        }
    }
}
