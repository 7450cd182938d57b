#!/usr/bin/env bash
# The arcemu benchmark command (see BENCHMARKS.md). Not a test: it reports figures, each measured
# side by side with its baseline in the same run, and fails only when something answers wrongly.
#
# Usage: scripts/bench.sh [all|cold-start|in-process|throughput|writes|scale|seed-setup|dns]
#   all (default): every part below, then bench-results/report.json and report.md (every goal
#   with its figure, the machine beside it).
#   cold-start, in-process, throughput, writes: benches/arm.rs (start, GET/PUT against a trivial
#     axum handler returning the same bytes, writes and the data directory)
#   scale, seed-setup: benches/world.rs (100k clusters: load, memory, GET/PUT/DNS latency at
#     1k/10k/100k; the seed's whole setup over the wire)
#   dns: scripts/bench-dns.sh (the DNS face against NSD with dnsperf)
# Knobs (environment): see BENCHMARKS.md; BENCH_OUT (bench-results), ARCEMU_BIN (the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"
export BENCH_OUT="${BENCH_OUT:-$PWD/bench-results}"
mkdir -p "$BENCH_OUT"

case "$mode" in
  all | cold-start | in-process | throughput | writes | scale | seed-setup | dns) ;;
  *) echo "bench.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac

if [[ "$mode" == all || "$mode" == throughput ]] && ! command -v wrk >/dev/null 2>&1; then
    scripts/ensure-deps.sh wrk
fi

# One release build of the binary and both benches, reused by every part.
cargo build --release --locked --bins
cargo bench --locked --bench arm --bench world --no-run
export ARCEMU_BIN="${ARCEMU_BIN:-$PWD/target/release/arcemu}"

# The DNS bench's listeners go on ports free now (another emulator may hold its defaults).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dns_bench() {
    EMU_ARM_PORT="${EMU_ARM_PORT:-$(free_port)}" EMU_DNS_PORT="${EMU_DNS_PORT:-$(free_port)}" \
        NSD_PORT="${NSD_PORT:-$(free_port)}" ROUNDS="${ROUNDS:-3}" scripts/bench-dns.sh
}

# Nothing else should load the machine while it runs.
case "$mode" in
  cold-start | in-process | throughput | writes) cargo bench --locked --bench arm -- "$mode" ;;
  scale | seed-setup) cargo bench --locked --bench world -- "$mode" ;;
  dns) dns_bench ;;
  all)
    cargo bench --locked --bench arm -- all
    cargo bench --locked --bench world -- all
    dns_bench
    python3 scripts/bench-report.py "$BENCH_OUT"
    ;;
esac
