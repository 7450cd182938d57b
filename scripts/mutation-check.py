#!/usr/bin/env python3
"""Mutation check of the rule catalogue: does the state machine notice a broken rule?

For each rule function of crates/model/src/rules.rs, a copy of the repository gets that
one function broken — a refusing rule (`-> ArmResult<()>`) accepts everything, a predicate
(`-> bool`) answers the opposite — and the state machine test
(`cargo test -p arcemu-scenarios --test state_machine`) runs against it. A mutant is caught
when the test fails. Prints one line per function (caught or missed, seconds) and a summary.

Usage: scripts/mutation-check.py [--work DIR] [--timeout SECONDS] [NAME_FILTER]
The work directory (default: a sibling of the repository) keeps its target/ between runs, so
each mutant costs an incremental rebuild of the model and the test run until the first mismatch.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = "crates/model/src/rules.rs"
SIG = re.compile(r"^pub fn ((?:pls|net|dns)_\d{3}_\w+)(?:<[^>]*>)?\(", re.M)


def functions(src):
    """(name, body_start, body_end, returns) of every rule function; body excludes braces."""
    out = []
    for m in SIG.finditer(src):
        open_brace = src.index("{\n", m.end())
        header = src[m.start():open_brace]
        depth, i = 1, open_brace + 1
        while depth:
            c = src[i]
            depth += c == "{"
            depth -= c == "}"
            i += 1
        returns = "bool" if re.search(r"->\s*bool\s*$", header.strip()) else (
            "result" if "ArmResult<()>" in header else "other")
        out.append((m.group(1), open_brace + 1, i - 1, returns))
    return out


def mutate(src, fn):
    name, start, end, returns = fn
    body = src[start:end]
    if returns == "result":
        new = "\n    let _original = || -> ArmResult<()> {" + body + "};\n    Ok(())\n"
    elif returns == "bool":
        new = "\n    let original = || -> bool {" + body + "};\n    !original()\n"
    else:
        return None
    return src[:start] + new + src[end:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.path.join(os.path.dirname(REPO), "arcemu-mutants"))
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("filter", nargs="?", default="")
    args = ap.parse_args()
    if not os.path.isdir(args.work):
        subprocess.run(["git", "clone", "-q", REPO, args.work], check=True)
    subprocess.run(["git", "-C", args.work, "fetch", "-q", REPO, "HEAD"], check=True)
    subprocess.run(["git", "-C", args.work, "reset", "-q", "--hard", "FETCH_HEAD"], check=True)
    path = os.path.join(args.work, RULES)
    original = open(path).read()
    env = dict(os.environ, PROPTEST_CASES=os.environ.get("PROPTEST_CASES", "256"))
    cmd = ["cargo", "test", "-q", "-p", "arcemu-scenarios", "--test", "state_machine"]
    # Build once unmutated so that each mutant is an incremental rebuild.
    subprocess.run(["cargo", "test", "-q", "--no-run", "-p", "arcemu-scenarios", "--test", "state_machine"],
                   cwd=args.work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    caught = missed = 0
    for fn in functions(original):
        if args.filter not in fn[0]:
            continue
        mutant = mutate(original, fn)
        if mutant is None:
            print(f"{fn[0]:55} skipped (returns neither ArmResult<()> nor bool)")
            continue
        open(path, "w").write(mutant)
        t0 = time.monotonic()
        try:
            r = subprocess.run(cmd, cwd=args.work, env=env, capture_output=True, text=True, timeout=args.timeout)
            failed = r.returncode != 0
            why = ""
            if failed:
                m = re.search(r"(mismatch[^\n]*|assertion[^\n]*|panicked[^\n]*)", r.stdout + r.stderr)
                why = m.group(1)[:90] if m else f"exit {r.returncode}"
        except subprocess.TimeoutExpired:
            failed, why = False, "timeout"
        dt = time.monotonic() - t0
        caught += failed
        missed += not failed
        print(f"{fn[0]:55} {'CAUGHT' if failed else 'MISSED'} {dt:6.1f}s  {why}", flush=True)
    open(path, "w").write(original)
    print(f"\n{caught} caught, {missed} missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
