#!/usr/bin/env bash
# Long-run memory benchmark (BENCHMARKS.md, "Long runs"): starts `arcemu serve` on loopback,
# runs the churn driver (examples/churn.rs: create/delete rounds of several resource types, a
# lab site and a VNet with its DNS listener, long-running operations among them) for a warm-up,
# then for CHURN_SECS more, and prints the server's VmRSS/VmHWM (/proc/PID/status) after the
# warm-up and every 10 s. A benchmark: it reports figures and never fails because of one.
#
# Usage: scripts/bench-churn.sh [BINARY...]   (default: target/release/arcemu, built here)
#   e.g. scripts/bench-churn.sh /tmp/arcemu-old target/release/arcemu   # before / after side by side
# Knobs (environment): CHURN_WARMUP_SECS (15), CHURN_SECS (60), CHURN_CLIENTS (4).
set -euo pipefail
cd "$(dirname "$0")/.."

warmup="${CHURN_WARMUP_SECS:-15}"
secs="${CHURN_SECS:-60}"
clients="${CHURN_CLIENTS:-4}"

cargo build --release --locked --bin arcemu --example churn
driver=target/release/examples/churn

bins=("$@")
if [[ ${#bins[@]} -eq 0 ]]; then
    bins=(target/release/arcemu)
fi

work="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

for bin in "${bins[@]}"; do
    echo
    echo "## $bin ($("$bin" --version 2>/dev/null || echo '?'); warm-up ${warmup} s, churn ${secs} s, ${clients} clients)"
    echo
    "$bin" serve --arm-listen 127.0.0.1:0 --dns-listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 1 150); do
        grep -q '^arcemu ready' "$work/out" 2>/dev/null && break
        sleep 0.1
    done
    arm="$(sed -n 's/^  ARM: *//p' "$work/out" | head -n1)"
    if [[ -z "$arm" ]]; then
        echo "bench-churn.sh: $bin did not start" >&2
        cat "$work/err" >&2
        exit 1
    fi
    sleep 0.3
    "$driver" --arm "$arm" --pid "$pid" --warmup "$warmup" --seconds "$secs" --clients "$clients"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
done
