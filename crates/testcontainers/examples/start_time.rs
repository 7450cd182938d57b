//! How long `ArcEmu::start()` takes, from the call until it returns a ready container (create,
//! start, `arcemu ready` on stdout, ports looked up), and until the first ARM answer through the
//! published port. A benchmark for BENCHMARKS.md, run by `scripts/bench-image.sh`.
//!
//! Usage: cargo run -p arcemu-testcontainers --example start_time [RUNS]   (the client mostly waits:
//! a debug build measures the same)

use arcemu_testcontainers::ArcEmu;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(11);
    let http = reqwest::Client::new();
    let (mut ready, mut answered) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let started = Instant::now();
        let emulator = ArcEmu::default().start().await?;
        let ready_after = started.elapsed();
        let url = format!("{}/subscriptions?api-version=2025-04-01", emulator.arm_url());
        let status = http.get(&url).bearer_auth("t").timeout(Duration::from_secs(10)).send().await?.status();
        let answered_after = started.elapsed();
        if !status.is_success() {
            return Err(format!("GET {url}: {status}").into());
        }
        println!("run {run}: ready {:.1} ms, first ARM answer {:.1} ms", ms(ready_after), ms(answered_after));
        ready.push(ms(ready_after));
        answered.push(ms(answered_after));
        drop(emulator);
    }
    println!("testcontainers ArcEmu::start() until ready, over {runs} runs: {}", summary(&mut ready));
    println!("testcontainers ArcEmu::start() until the first ARM answer, over {runs} runs: {}", summary(&mut answered));
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    format!("min {:.1} ms, median {median:.1} ms, max {:.1} ms", v[0], v[n - 1])
}
