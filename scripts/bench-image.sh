#!/usr/bin/env bash
# The container image's figures for BENCHMARKS.md: its size, and the container's start-to-ready
# time: from `docker run` (create + start + attach, as a user types it) until `arcemu ready`
# arrives on its stdout, i.e. every listener is bound. A benchmark: it reports, never fails on a figure.
#
# Also ArcEmu::start() of crates/testcontainers (examples/start_time.rs).
#
# Usage: scripts/bench-image.sh [RUNS]     (default 11; the image: $ARCEMU_IMAGE or arcemu:dev)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-11}
tag=$(scripts/build-image.sh "${ARCEMU_IMAGE:-arcemu:dev}" | tail -1)

size=$(docker image inspect --format '{{.Size}}' "$tag")
binary=$(docker run --rm --entrypoint /arcemu "$tag" --version)
echo "image $tag: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f MiB", s / 1048576 }')), $binary"

# Milliseconds from now until a line equal to $1 (or, with "", any line) arrives on stdin; then
# runs the rest of the arguments (e.g. to remove the container) and drains stdin.
ms_until_line() {
  local want=$1 start line
  shift
  start=$(date +%s%N)
  while IFS= read -r -t 30 line; do
    if [ -z "$want" ] || [ "$line" = "$want" ]; then
      awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
      "$@" >/dev/null 2>&1 || true
      cat >/dev/null
      return 0
    fi
  done
  "$@" >/dev/null 2>&1 || true
  echo "no '${want:-line}' within 30 s" >&2
  return 1
}

# The clock starts in the reader, which the shell starts with `docker run` (same pipeline).
times=()
for i in $(seq 1 "$runs"); do
  name="arcemu-bench-$$-$i"
  ms=$(docker run --rm --name "$name" -p 127.0.0.1::8490 -p 127.0.0.1::8553/udp "$tag" 2>/dev/null |
    ms_until_line "arcemu ready" docker rm -f "$name") || true # docker run exits non-zero: removed
  [ -n "$ms" ] || { echo "run $i: no 'arcemu ready'" >&2; exit 1; }
  times+=("$ms")
  echo "run $i: $ms ms"
done

# Baseline: what Docker itself costs: the same image's `arcemu --version`, until its line arrives
# (a process that prints at once; same published ports; the removal afterwards is not counted).
baseline=()
for i in $(seq 1 "$runs"); do
  ms=$(docker run --rm -p 127.0.0.1::8490 -p 127.0.0.1::8553/udp --entrypoint /arcemu "$tag" --version 2>/dev/null | ms_until_line "") || true
  [ -n "$ms" ] || { echo "baseline $i: no line" >&2; exit 1; }
  baseline+=("$ms")
  echo "baseline $i: $ms ms"
done

summary() {
  sort -n | awk -v what="$1" '
  { t[NR] = $1 }
  END {
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%s over %d runs: min %.1f ms, median %.1f ms, max %.1f ms\n", what, NR, t[1], m, t[NR]
  }'
}
printf '%s\n' "${times[@]}" | summary "start-to-ready (docker run until 'arcemu ready')"
printf '%s\n' "${baseline[@]}" | summary "baseline (docker run until 'arcemu --version' prints)"

# The same through testcontainers, as a test starts it (the client waits on Docker: debug build).
cargo run --quiet --locked -p arcemu-testcontainers --example start_time "$runs" | tail -2
