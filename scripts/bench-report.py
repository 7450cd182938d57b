#!/usr/bin/env python3
"""Merges the parts of one `scripts/bench.sh` run into BENCH_OUT/report.json and report.md:
every goal of the benchmark with its figure, its baseline and whether it is met, and the
machine beside it. Reads summary.json (benches/arm.rs), world.json (benches/world.rs) and
dns.json (scripts/bench-dns.sh); a part that is missing is reported as not measured.

Usage: scripts/bench-report.py BENCH_OUT
"""

import json
import sys
from pathlib import Path


def load(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def dig(value, *keys):
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return None
    return value


def num(x, digits=2):
    if isinstance(x, bool) or x is None:
        return "n/a"
    if isinstance(x, (int, float)):
        return f"{x:,.{digits}f}" if isinstance(x, float) and x != int(x) else f"{int(x):,}"
    return str(x)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-results")
    arm = load(out / "summary.json")
    world = load(out / "world.json")
    dns = load(out / "dns.json")
    goals = []

    def goal(name, goal_text, figure, baseline, met, source):
        goals.append(
            {"goal": name, "target": goal_text, "figure": figure, "baseline": baseline, "met": met, "source": source}
        )

    # Scale: 100k clusters over 1k scopes.
    runs = [r for r in (dig(world, "scale", "runs") or []) if r.get("binary") == "arcemu"]
    if runs:
        big = max(runs, key=lambda r: r.get("clusters", 0))
        before = next(
            (
                r
                for r in dig(world, "scale", "runs")
                if r.get("binary") == "baseline" and r.get("clusters") == big.get("clusters")
            ),
            None,
        )
        n = num(big.get("clusters"))
        goal(
            f"memory, {n} clusters + {num(big.get('scopes'))} scopes",
            "< 300 MiB RSS loaded",
            f"{num(big.get('rss_loaded_mib'), 1)} MiB ({num(big.get('bytes_per_cluster'))} bytes per cluster)",
            f"before: {num(before.get('rss_loaded_mib'), 1)} MiB" if before else "",
            (big.get("rss_loaded_mib") or 1e9) < 300,
            "world.json scale",
        )
        goal(
            f"load, {n} clusters (spawn to ready)",
            "< 2000 ms",
            f"{num(big.get('load_ms'), 0)} ms",
            f"before: {num(before.get('load_ms'), 0)} ms" if before else "",
            (big.get("load_ms") or 1e9) < 2000,
            "world.json scale",
        )
        for what in ("get", "put", "dns"):
            curve = " / ".join(f"{num(r.get('clusters'))}: {r[what]['p50_ms']} ms" for r in runs)
            p50s = [r[what]["p50_ms"] for r in runs]
            flat = max(p50s) <= 2 * min(p50s) + 0.05
            goal(
                f"{what.upper()} latency flat from {num(runs[0].get('clusters'))} to {n} clusters (p50, one connection)",
                "flat (largest p50 <= 2x smallest + 0.05 ms)",
                curve,
                "",
                flat,
                "world.json scale",
            )
    # ARM GET against the trivial handler returning the same bytes.
    if arm:
        for target in ("cluster", "scope"):
            t = dig(arm, "throughput", "targets", target)
            if t and t.get("median_ratio") is not None:
                goal(
                    f"ARM GET {target} vs a trivial axum handler returning the same bytes (same run, wrk)",
                    ">= 0.9x",
                    f"{num(t['median_ratio'])}x ({num(t.get('median_rps'), 0)} vs {num(t.get('baseline_median_rps'), 0)} "
                    f"req/s; server CPU {t.get('server_cpu_us_per_request')} vs "
                    f"{t.get('baseline_server_cpu_us_per_request')} us per request)",
                    f"rounds: {', '.join(str(r) for r in t.get('ratios', []))}",
                    bool(t.get("met")),
                    "summary.json throughput.targets",
                )
        put = dig(arm, "throughput", "put")
        if put and put.get("median_rps") is not None:
            goal(
                "ARM PUT throughput, beside the GETs (same run)",
                "reported",
                f"{num(put['median_rps'], 0)} req/s ({put.get('server_cpu_us_per_request')} us server CPU per request)",
                "",
                True,
                "summary.json throughput.put",
            )
        cold = dig(arm, "cold_start_arcemu", "median_ms")
        if cold is not None:
            goal(
                "cold start: `arcemu serve` to the first answered request",
                "< 50 ms",
                f"median {num(cold)} ms",
                f"trivial axum process: {num(dig(arm, 'cold_start_trivial', 'median_ms'))} ms",
                cold < 50,
                "summary.json cold_start_arcemu",
            )
    # DNS against NSD.
    if dns:
        goal(
            "DNS queries/s vs NSD on the same queries (same run, dnsperf)",
            ">= 1.0x",
            f"{num(dns.get('ratio'))}x ({num(dns.get('arcemu_qps_mean'), 0)} vs {num(dns.get('nsd_qps_mean'), 0)} q/s)",
            f"NSD {dns.get('nsd_version', '')}",
            bool(dns.get("goal_met")),
            "dns.json",
        )
    # The seed's setup over the wire.
    seed = dig(world, "seed_setup")
    if seed:
        r = seed.get("requests", {})
        goal(
            f"the seed's whole setup over the wire ({r.get('arm')} ARM + {r.get('admin')} admin requests, "
            f"{r.get('operation_polls')} polls, {r.get('dns_lookups')} lookups)",
            "< 50 ms",
            f"median {num(dig(seed, 'running_emulator', 'p50_ms'))} ms; with process start "
            f"{num(dig(seed, 'including_process_start', 'p50_ms'))} ms",
            "",
            bool(dig(seed, "goal", "met")),
            "world.json seed_setup",
        )
    machine = dig(world, "machine") or dig(arm, "machine") or {}
    report = {"machine": machine, "goals": goals, "parts": {"arm": arm, "world": world, "dns": dns}}
    (out / "report.json").write_text(json.dumps(report, indent=2))
    lines = [
        "# arcemu benchmark report",
        "",
        f"Machine: {machine.get('summary', 'unknown')}",
        "",
        "| goal | target | figure | baseline | met? |",
        "|---|---|---|---|---|",
    ]
    for g in goals:
        lines.append(
            f"| {g['goal']} | {g['target']} | {g['figure']} | {g['baseline']} | {'yes' if g['met'] else '**no**'} |"
        )
    missing = [name for name, part in (("arm", arm), ("world", world), ("dns", dns)) if part is None]
    if missing:
        lines += ["", f"Not measured in this run: {', '.join(missing)}."]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
