"""`arcemu verify` as a CI step: each script of examples/private-link-ci/ (the Azure SDK for
Python, run by verify against its own in-process emulator) passes, or fails with the finding
its mistake deserves; the JUnit report validates against the JUnit schema CI systems read
(schemas/junit.xsd); a failing or hanging command is never a pass.

Each test starts its own `arcemu verify` (its own emulator on free loopback ports), so the
session emulator of conftest.py is not used here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "private-link-ci"
LAB = EXAMPLES / "lab.yaml"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "junit.xsd")))

# Exit codes (README, "Exit codes").
OK, FAILED, COMMAND_FAILED = 0, 1, 3


def binary() -> str:
    b = os.environ.get("ARCEMU_BIN") or str(REPO / "target" / "debug" / "arcemu")
    if not Path(b).is_file():
        pytest.fail(f"emulator binary not found at {b} (build it, or set ARCEMU_BIN)")
    return b


def verify(tmp_path: Path, command: list, *extra: str, timeout: int = 120) -> tuple:
    """Runs `arcemu verify --format json --junit ...`; returns (exit code, report, JUnit tree)."""
    junit = tmp_path / "junit.xml"
    args = [binary(), "verify", "--world", str(LAB), "--format", "json", "--junit", str(junit), *extra, "--", *command]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"verify printed no JSON report (exit {done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    tree = etree.parse(str(junit))
    assert SCHEMA.validate(tree), f"JUnit report invalid: {SCHEMA.error_log}\n{junit.read_text()}"
    return done.returncode, report, tree


def script(name: str) -> list:
    return [sys.executable, str(EXAMPLES / name)]


def rules_of(report: dict) -> set:
    found = [f for e in report["expectations"] for f in e["findings"]] + report["findings"]
    return {f["rule"] for f in found if f["severity"] == "error"}


def failed_cases(tree) -> list:
    return [c.get("name") for c in tree.iter("testcase") if c.find("failure") is not None]


def test_the_correct_setup_passes(tmp_path):
    code, report, tree = verify(tmp_path, script("setup_private_link.py"), "--expect", "private-only")
    assert code == OK, json.dumps(report, indent=1)
    assert report["passed"] and report["command"]["exitCode"] == 0
    assert [e["name"] for e in report["expectations"]] == ["private-only: edge"]
    assert report["expectations"][0]["status"] == "Connected"
    assert failed_cases(tree) == []
    names = [c.get("name") for c in tree.iter("testcase")]
    assert names[1:] == ["private-only: edge"], names


# (script, extra verify arguments, exit code, the rule the finding must cite, failed JUnit case)
WRONG = [
    ("wrong_zone_group_missing.py", [], FAILED, "DNS-003", "private: edge"),
    ("wrong_record_set_empty.py", [], FAILED, "DNS-003", "private: edge"),
    ("wrong_zone_not_linked.py", [], FAILED, "DNS-002", "private: edge"),
    ("wrong_group_id.py", [], COMMAND_FAILED, "PLS-013", "requests refused while the command ran"),
    ("wrong_public_access.py", ["--expect", "private-only"], FAILED, "PLS-006", "private-only: edge"),
    ("wrong_firewall_missing_mcr.py", [], COMMAND_FAILED, "NET-002", "private: edge"),
    ("wrong_cluster_region.py", [], COMMAND_FAILED, "PLS-003", "requests refused while the command ran"),
    ("wrong_two_forwarders.py", [], FAILED, "DNS-006", "private: edge"),
]


@pytest.mark.parametrize("name,extra,exit_code,rule,case", WRONG, ids=[w[0] for w in WRONG])
def test_a_subtly_wrong_setup_fails_with_its_finding(tmp_path, name, extra, exit_code, rule, case):
    code, report, tree = verify(tmp_path, script(name), *extra)
    assert code == exit_code, json.dumps(report, indent=1)
    assert not report["passed"]
    assert rule in rules_of(report), f"{rule} not among {rules_of(report)}: {json.dumps(report, indent=1)}"
    assert case in failed_cases(tree), failed_cases(tree)
    finding = next(
        f for f in [f for e in report["expectations"] for f in e["findings"]] + report["findings"] if f["rule"] == rule
    )
    assert finding["seedSection"] and finding["what"] and finding["fix"], finding


def test_public_access_is_fine_when_only_private_is_expected(tmp_path):
    """The same script passes the default expectation: private-only is what it misses."""
    code, report, _ = verify(tmp_path, script("wrong_public_access.py"))
    assert code == OK, json.dumps(report, indent=1)


def test_a_hanging_command_is_killed_and_fails(tmp_path):
    marker = tmp_path / "still-running"
    hang = tmp_path / "hang.py"
    grandchild = "import time; time.sleep(3); open(%r, 'w')" % str(marker)
    hang.write_text(
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', %r])\n"
        "print('working', flush=True)\n"
        "time.sleep(60)\n" % grandchild
    )
    code, report, tree = verify(tmp_path, [sys.executable, str(hang)], "--timeout", "2")
    assert code == COMMAND_FAILED, json.dumps(report, indent=1)
    command = report["command"]
    assert command["timedOut"] and command["exitCode"] is None and command["seconds"] < 30, command
    assert "working" in command["outputTail"]
    assert any(c.startswith("command: ") for c in failed_cases(tree))
    # The process group went too: the grandchild never gets to write its file.
    time.sleep(3.5)
    assert not marker.exists(), "a process the command started outlived the timeout"


def test_a_failing_command_is_never_a_pass(tmp_path):
    """Even when the world it leaves would pass: the command's own failure decides."""
    fail_after = f"import runpy, sys; sys.argv = [{str(EXAMPLES / 'setup_private_link.py')!r}]; runpy.run_path(sys.argv[0], run_name='__main__'); print('oops', file=sys.stderr); sys.exit(7)"
    code, report, tree = verify(tmp_path, [sys.executable, "-c", fail_after])
    assert code == COMMAND_FAILED, json.dumps(report, indent=1)
    assert report["command"]["exitCode"] == 7 and "oops" in report["command"]["outputTail"]
    assert report["expectations"][0]["holds"], "the world itself is right"
    assert failed_cases(tree) == [f"command: {sys.executable} -c {fail_after}"]


def test_the_schema_refuses_what_ci_would_refuse():
    """The validation above can fail: a test case without a name is not JUnit."""
    bad = etree.fromstring(b'<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>')
    assert not SCHEMA.validate(bad)
    good = etree.fromstring(b'<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c"/></testsuite></testsuites>')
    assert SCHEMA.validate(good)
