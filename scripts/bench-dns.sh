#!/usr/bin/env bash
# DNS benchmark (not a test): the emulator's public DNS view against NSD serving an
# equivalent static zone, both on loopback, measured side by side with dnsperf.
#
#   scripts/bench-dns.sh            # 2 interleaved rounds of 10 s each per server
#   ROUNDS=3 SECONDS_PER_RUN=10 scripts/bench-dns.sh
#   ARCEMU_BIN=/path/to/arcemu scripts/bench-dns.sh   # an already built binary (no cargo build)
#   BENCH_OUT=dir scripts/bench-dns.sh                 # where dns.json and dns.md go
#
# Installs dnsperf, nsd and dig from Debian when missing (scripts/ensure-deps.sh), builds the
# release binary, and prints queries/s of each run, the mean of each server and the ratio.
# The same query file (A queries for Arc names answered by the public view: CNAME to the
# privatelink name, then its public address) goes to both. NSD's answers are taken from the
# emulator's, so both send the same records; NSD runs with 2 server processes,
# `rrl-ratelimit: 0` (Debian's NSD otherwise limits each source to a few hundred queries/s)
# and minimal responses (no NS records in the authority section, as the emulator).
#
# Results also go to $BENCH_OUT (default bench-results/): dns.md (the tables) and dns.json,
# one flat object (every key at the top level; numbers, strings, or arrays of numbers with one
# element per round):
#   benchmark ("dns"), date (UTC, ISO 8601), machine_cores, machine_cpu, machine_kernel,
#   dnsperf_version, nsd_version, dnsperf_args, queries_in_file, rounds, seconds_per_run,
#   arcemu_qps[], nsd_qps[], arcemu_lost[], nsd_lost[] (queries lost),
#   arcemu_cpu_us_per_query[], nsd_cpu_us_per_query[] (the server's CPU time, user + system,
#   per completed query, from /proc; NSD's counts its server processes),
#   arcemu_qps_mean, nsd_qps_mean, ratio (arcemu_qps_mean / nsd_qps_mean),
#   arcemu_lost_total, nsd_lost_total, arcemu_peak_rss_kb, goal (">= 1.0x NSD"), goal_met.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
EMU_DNS_PORT=${EMU_DNS_PORT:-18553}
EMU_ARM_PORT=${EMU_ARM_PORT:-18490}
NSD_PORT=${NSD_PORT:-18554}
BENCH_OUT=${BENCH_OUT:-bench-results}
GOAL_RATIO=1.0
DNSPERF_ARGS=(-c8 -q200 -T1 -l"$SECONDS_PER_RUN")

scripts/ensure-deps.sh dnsperf nsd bind9-dnsutils
if [ -z "${ARCEMU_BIN:-}" ]; then
  cargo build --release --locked --bin arcemu >&2
  ARCEMU_BIN=target/release/arcemu
fi

work=$(mktemp -d /tmp/arcemu-bench-dns.XXXXXX)
emu_pid=""
nsd_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  [ -n "$nsd_pid" ] && kill "$nsd_pid" 2>/dev/null && wait "$nsd_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the emulator -------------------------------------------------------------------------
"$ARCEMU_BIN" serve --no-auth --arm-listen "127.0.0.1:$EMU_ARM_PORT" \
  --dns-listen "127.0.0.1:$EMU_DNS_PORT" >"$work/arcemu.out" 2>"$work/arcemu.err" &
emu_pid=$!
for _ in $(seq 1 100); do
  grep -q '^arcemu ready' "$work/arcemu.out" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/arcemu.err" >&2; exit 1; }
  sleep 0.05
done
grep -q '^arcemu ready' "$work/arcemu.out" || { echo "arcemu did not start" >&2; exit 1; }

# --- the query file: Arc names of the public cloud, answered by the public view ----------
names=(gbl eus eus2 wus2 weu ne uks sea ae je)
: >"$work/queries.txt"
for n in "${names[@]}"; do echo "$n.his.arc.azure.com A" >>"$work/queries.txt"; done
echo "agentserviceapi.guestconfiguration.azure.com A" >>"$work/queries.txt"
for r in eastus eastus2 westus2 westeurope northeurope; do
  echo "$r-gas.guestconfiguration.azure.com A" >>"$work/queries.txt"
  echo "$r.dp.kubernetesconfiguration.azure.com A" >>"$work/queries.txt"
done
echo "gbl.his.arc.azure.cn A" >>"$work/queries.txt"
echo "agentserviceapi.guestconfiguration.azure.cn A" >>"$work/queries.txt"
echo "chinaeast2.dp.kubernetesconfiguration.azure.cn A" >>"$work/queries.txt"

# --- NSD: the same answers, as static zones ------------------------------------------------
zones=(his.arc.azure.com guestconfiguration.azure.com dp.kubernetesconfiguration.azure.com
  his.arc.azure.cn guestconfiguration.azure.cn dp.kubernetesconfiguration.azure.cn)
for z in "${zones[@]}"; do
  cat >"$work/$z.zone" <<EOF
\$ORIGIN $z.
\$TTL 300
@ IN SOA ns1-01.azure-dns.com. azuredns-hostmaster.microsoft.com. 1 3600 300 2419200 300
@ IN NS ns1-01.azure-dns.com.
EOF
done
while read -r name _; do
  answer=$(dig @127.0.0.1 -p "$EMU_DNS_PORT" "$name" A +noall +answer +tries=1 +time=2)
  [ -n "$answer" ] || { echo "the emulator gave no answer for $name" >&2; exit 1; }
  for z in "${zones[@]}"; do
    case "$name" in *".$z") echo "$answer" >>"$work/$z.zone" ;; esac
  done
done <"$work/queries.txt"

cat >"$work/nsd.conf" <<EOF
server:
  server-count: 2
  ip-address: 127.0.0.1@$NSD_PORT
  port: $NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$work"
  database: ""
  pidfile: "$work/nsd.pid"
  xfrdfile: "$work/xfrd.state"
  zonelistfile: "$work/zone.list"
  logfile: "$work/nsd.log"
  verbosity: 0
  hide-version: yes
  minimal-responses: yes
  rrl-ratelimit: 0
remote-control:
  control-enable: no
EOF
for z in "${zones[@]}"; do
  printf 'zone:\n  name: %s\n  zonefile: "%s.zone"\n' "$z" "$z" >>"$work/nsd.conf"
done
nsd-checkconf "$work/nsd.conf"
/usr/sbin/nsd -d -c "$work/nsd.conf" 2>>"$work/nsd.log" &
nsd_pid=$!
for _ in $(seq 1 100); do
  dig @127.0.0.1 -p "$NSD_PORT" gbl.his.arc.azure.com A +tries=1 +time=1 +short 2>/dev/null | grep -q . && break
  kill -0 "$nsd_pid" 2>/dev/null || { cat "$work/nsd.log" >&2; exit 1; }
  sleep 0.1
done

# Same answers from both (records, ignoring TTLs and flags).
same=0
while read -r name _; do
  a=$(dig @127.0.0.1 -p "$EMU_DNS_PORT" "$name" A +short +tries=1 +time=2)
  b=$(dig @127.0.0.1 -p "$NSD_PORT" "$name" A +short +tries=1 +time=2)
  if [ "$a" != "$b" ]; then echo "answers differ for $name: emulator [$a] NSD [$b]" >&2; exit 1; fi
  same=$((same + 1))
done <"$work/queries.txt"
echo "query file: $same names, identical answers from both servers" >&2

# --- the runs, interleaved ------------------------------------------------------------------
# CPU time (user + system, clock ticks) of a process and its descendants (NSD's server
# processes are its grandchildren).
cpu_ticks() {
  local total=0 p
  [ -r "/proc/$1/stat" ] && total=$(sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}')
  for p in $(pgrep -P "$1" || true); do
    total=$((total + $(cpu_ticks "$p")))
  done
  echo "$total"
}
clk_tck=$(getconf CLK_TCK)
run() { # label port pid -> prints "qps lost cpu_us_per_query"
  local out before after qps lost completed cpu
  before=$(cpu_ticks "$3")
  out=$(dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" "${DNSPERF_ARGS[@]}" 2>&1)
  after=$(cpu_ticks "$3")
  qps=$(echo "$out" | awk '/Queries per second:/ {print $4}')
  lost=$(echo "$out" | awk '/Queries lost:/ {print $3}')
  completed=$(echo "$out" | awk '/Queries completed:/ {print $3}')
  cpu=$(awk -v t=$((after - before)) -v hz="$clk_tck" -v n="$completed" \
    'BEGIN {printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0)}')
  printf '  %-8s %12s queries/s (lost %s), server CPU %s us/query\n' "$1" "$qps" "$lost" "$cpu" >&2
  echo "$qps $lost $cpu"
}
emu_all=() nsd_all=() emu_lost=() nsd_lost=() emu_cpu=() nsd_cpu=()
echo "dnsperf ${DNSPERF_ARGS[*]} -d <$(wc -l <"$work/queries.txt") A queries>, $ROUNDS rounds, interleaved" >&2
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r" >&2
  read -r q l c < <(run arcemu "$EMU_DNS_PORT" "$emu_pid")
  emu_all+=("$q") emu_lost+=("$l") emu_cpu+=("$c")
  read -r q l c < <(run nsd "$NSD_PORT" "$nsd_pid")
  nsd_all+=("$q") nsd_lost+=("$l") nsd_cpu+=("$c")
done
emu_rss=$(awk '/VmHWM/ {print $2}' "/proc/$emu_pid/status")
mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.0f", s / NR}'; }
sum() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%d", s}'; }
emu_mean=$(mean "${emu_all[@]}")
nsd_mean=$(mean "${nsd_all[@]}")
ratio=$(awk -v a="$emu_mean" -v b="$nsd_mean" 'BEGIN {printf "%.2f", a / b}')
met=$(awk -v a="$emu_mean" -v b="$nsd_mean" -v g="$GOAL_RATIO" 'BEGIN {print ((a >= g * b) ? "true" : "false")}')
# Readers that take the whole output: one that stops early would kill the writer with SIGPIPE,
# which pipefail and set -e turn into the end of the script.
nsd_version=$(/usr/sbin/nsd -v 2>&1 | awk 'NR == 1 {print $3}')
dnsperf_version=$(dnsperf -h 2>&1 | awk '/^Version/ && v == "" {v = $2} END {print v}')
cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
kernel=$(uname -r)
cores=$(nproc)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
queries=$(wc -l <"$work/queries.txt")
echo
echo "machine: $cores cores ($cpu_model), $kernel; NSD $nsd_version; dnsperf $dnsperf_version"
echo "arcemu (public view): ${emu_all[*]} -> mean $emu_mean queries/s (peak RSS ${emu_rss} kB)"
echo "NSD (static zones):   ${nsd_all[*]} -> mean $nsd_mean queries/s"
echo "server CPU us/query:  arcemu ${emu_cpu[*]}; NSD ${nsd_cpu[*]}"
echo "ratio arcemu/NSD: $ratio (goal >= ${GOAL_RATIO}x NSD: $met)"

# --- machine-readable results ---------------------------------------------------------------
mkdir -p "$BENCH_OUT"
json_array() { local IFS=,; echo "[$*]"; }
json_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
cat >"$BENCH_OUT/dns.json" <<JSON
{
  "benchmark": "dns",
  "date": "$date",
  "machine_cores": $cores,
  "machine_cpu": $(json_string "$cpu_model"),
  "machine_kernel": $(json_string "$kernel"),
  "dnsperf_version": $(json_string "$dnsperf_version"),
  "nsd_version": $(json_string "$nsd_version"),
  "dnsperf_args": $(json_string "${DNSPERF_ARGS[*]}"),
  "queries_in_file": $queries,
  "rounds": $ROUNDS,
  "seconds_per_run": $SECONDS_PER_RUN,
  "arcemu_qps": $(json_array "${emu_all[@]}"),
  "nsd_qps": $(json_array "${nsd_all[@]}"),
  "arcemu_lost": $(json_array "${emu_lost[@]}"),
  "nsd_lost": $(json_array "${nsd_lost[@]}"),
  "arcemu_cpu_us_per_query": $(json_array "${emu_cpu[@]}"),
  "nsd_cpu_us_per_query": $(json_array "${nsd_cpu[@]}"),
  "arcemu_qps_mean": $emu_mean,
  "nsd_qps_mean": $nsd_mean,
  "ratio": $ratio,
  "arcemu_lost_total": $(sum "${emu_lost[@]}"),
  "nsd_lost_total": $(sum "${nsd_lost[@]}"),
  "arcemu_peak_rss_kb": $emu_rss,
  "goal": ">= ${GOAL_RATIO}x NSD",
  "goal_met": $met
}
JSON
{
  echo "## DNS: arcemu (public view) against NSD $nsd_version"
  echo
  echo "$date, $cores cores ($cpu_model), Linux $kernel; dnsperf $dnsperf_version" \
    "\`${DNSPERF_ARGS[*]}\`, $queries A queries, servers interleaved."
  echo
  echo "| round | arcemu queries/s | NSD queries/s | arcemu CPU µs/query | NSD CPU µs/query | lost (arcemu/NSD) |"
  echo "|---|---|---|---|---|---|"
  for i in "${!emu_all[@]}"; do
    printf '| %d | %.0f | %.0f | %s | %s | %s/%s |\n' $((i + 1)) "${emu_all[$i]}" "${nsd_all[$i]}" \
      "${emu_cpu[$i]}" "${nsd_cpu[$i]}" "${emu_lost[$i]}" "${nsd_lost[$i]}"
  done
  echo "| **mean** | **$emu_mean** | **$nsd_mean** | | | |"
  echo
  echo "| goal | figure | met? |"
  echo "|---|---|---|"
  echo "| >= ${GOAL_RATIO}x NSD | ratio $ratio | **$met** |"
  echo
  echo "arcemu peak RSS: $emu_rss kB."
} >"$BENCH_OUT/dns.md"
echo "results: $BENCH_OUT/dns.json, $BENCH_OUT/dns.md" >&2
