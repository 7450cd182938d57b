//! `arcemu health`: asks a running emulator whether it is ready (`GET /_emulator/health`) and
//! exits 0 or 1. The container image's HEALTHCHECK runs it: a `FROM scratch` image has no curl.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// `arcemu health`'s arguments.
#[derive(clap::Args)]
pub struct HealthArgs {
    /// Base URL of the running emulator's ARM listener (use an IP address: a static binary in an
    /// empty image cannot resolve names). Default: the port of ARCEMU_ARM_LISTEN on loopback, so
    /// that a container's HEALTHCHECK follows a changed listener; else http://127.0.0.1:8490.
    #[arg(long, env = "ARCEMU_ARM")]
    pub arm: Option<String>,
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
    let base = match &args.arm {
        Some(arm) => arm.trim_end_matches('/').to_string(),
        None => default_base(std::env::var("ARCEMU_ARM_LISTEN").ok().as_deref()),
    };
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

/// Where `arcemu serve` listens when started with the same environment: `ARCEMU_ARM_LISTEN`
/// (every address: asked on loopback), else its default.
fn default_base(arm_listen: Option<&str>) -> String {
    let listen = arm_listen
        .and_then(|l| l.trim().parse::<std::net::SocketAddr>().ok())
        .or_else(|| arcemu::DEFAULT_ARM_LISTEN.parse().ok());
    match listen {
        Some(addr) => arcemu::access::base_url(None, addr),
        None => "http://127.0.0.1:8490".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::default_base;

    #[test]
    fn the_default_follows_the_listener() {
        assert_eq!(default_base(None), "http://127.0.0.1:8490");
        assert_eq!(default_base(Some("0.0.0.0:9000")), "http://127.0.0.1:9000");
        assert_eq!(default_base(Some("127.0.0.2:9001")), "http://127.0.0.2:9001");
        assert_eq!(default_base(Some("[::]:9002")), "http://[::1]:9002");
        assert_eq!(default_base(Some("not an address")), "http://127.0.0.1:8490");
    }
}
