#!/usr/bin/env bash
# DNS benchmark (not a test): the emulator's public DNS view against NSD serving an
# equivalent static zone, both on loopback, measured side by side with dnsperf.
#
#   scripts/bench-dns.sh            # 2 interleaved rounds of 10 s each per server
#   ROUNDS=3 SECONDS_PER_RUN=10 scripts/bench-dns.sh
#   ARCEMU_BIN=/path/to/arcemu scripts/bench-dns.sh   # an already built binary (no cargo build)
#
# Installs dnsperf, nsd and dig from Debian when missing (scripts/ensure-deps.sh), builds the
# release binary, and prints queries/s of each run, the mean of each server and the ratio.
# The same query file (A queries for Arc names answered by the public view: CNAME to the
# privatelink name, then its public address) goes to both. NSD's answers are taken from the
# emulator's, so both send the same records; NSD runs with 2 server processes,
# `rrl-ratelimit: 0` (Debian's NSD otherwise limits each source to a few hundred queries/s)
# and minimal responses (no NS records in the authority section, as the emulator).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
EMU_DNS_PORT=${EMU_DNS_PORT:-18553}
EMU_ARM_PORT=${EMU_ARM_PORT:-18490}
NSD_PORT=${NSD_PORT:-18554}
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
run() { # label port -> prints qps
  local out
  out=$(dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" "${DNSPERF_ARGS[@]}" 2>&1)
  local qps lost
  qps=$(echo "$out" | awk '/Queries per second:/ {print $4}')
  lost=$(echo "$out" | awk '/Queries lost:/ {print $3}')
  printf '  %-8s %12s queries/s (lost %s)\n' "$1" "$qps" "$lost" >&2
  echo "$qps"
}
emu_all=()
nsd_all=()
echo "dnsperf ${DNSPERF_ARGS[*]} -d <$(wc -l <"$work/queries.txt") A queries>, $ROUNDS rounds, interleaved" >&2
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r" >&2
  emu_all+=("$(run arcemu "$EMU_DNS_PORT")")
  nsd_all+=("$(run nsd "$NSD_PORT")")
done
emu_rss=$(awk '/VmHWM/ {print $2}' "/proc/$emu_pid/status")
mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.0f", s / NR}'; }
emu_mean=$(mean "${emu_all[@]}")
nsd_mean=$(mean "${nsd_all[@]}")
ratio=$(awk -v a="$emu_mean" -v b="$nsd_mean" 'BEGIN {printf "%.2f", a / b}')
echo
echo "machine: $(nproc) cores, $(uname -r); NSD $(/usr/sbin/nsd -v 2>&1 | head -n1 | awk '{print $3}'); $(dnsperf -h 2>&1 | grep -m1 -o 'DNSPerf [0-9.]*' || echo dnsperf)"
echo "arcemu (public view): ${emu_all[*]} -> mean $emu_mean queries/s (peak RSS ${emu_rss} kB)"
echo "NSD (static zones):   ${nsd_all[*]} -> mean $nsd_mean queries/s"
echo "ratio arcemu/NSD: $ratio"
