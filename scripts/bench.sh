#!/usr/bin/env bash
# The arcemu benchmark: cold start to the first answered request, in-process start, RSS, and
# GET requests/s against a trivial axum handler measured side by side in the same run.
# See BENCHMARKS.md. Results: bench-results/summary.json, bench-results/summary.md (printed too).
#
# Usage: scripts/bench.sh [all|cold-start|in-process|throughput]
# Knobs (environment): BENCH_COLD_N (20), BENCH_ROUNDS (3), BENCH_WRK_DURATION (10s),
#   BENCH_WRK_THREADS (2), BENCH_WRK_CONNECTIONS (32), BENCH_DIAG (1: also run the diagnostic
#   cluster-sized trivial handler), BENCH_RETRIES (2: re-measure runs disturbed by other load),
#   BENCH_OUT (bench-results), ARCEMU_BIN (the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"

if [[ "$mode" == all || "$mode" == throughput ]] && ! command -v wrk >/dev/null 2>&1; then
    if [[ -x scripts/ensure-deps.sh ]]; then
        scripts/ensure-deps.sh wrk
    elif [[ "$(id -u)" == 0 ]]; then
        echo "bench.sh: installing wrk (Debian package)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
    else
        echo "bench.sh: wrk is missing; install it (apt-get install wrk) and rerun" >&2
        exit 1
    fi
fi

# Builds the release binary (the bench profile inherits release) and the bench itself.
cargo build --release --locked --bins
cargo bench --locked --bench arm --no-run

# The bench spawns target/release/arcemu (or $ARCEMU_BIN) and, for the baseline, itself in
# mode `trivial-server`. Nothing else should load the machine while it runs.
cargo bench --locked --bench arm -- "$mode"
