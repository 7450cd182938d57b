"""The web view in a real browser: headless Chromium (Debian's), driven through chromedriver's
WebDriver HTTP API with plain `requests` (no extra package), against a real emulator binary.

It loads the page, watches cluster 'edge' turn from refused (PLS-014: not associated with the
scope) to private (PLS-007) when the association is written through ARM, opens the cluster's
admission trace, a refusal, and a DNS answer, and saves a screenshot under
target/browser-artifacts/. Every wait is bounded; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import base64
import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from arcemu_process import drain
from arcemu_process import stop as _stop

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "target" / "browser-artifacts"
SUB = "00000000-0000-0000-0000-000000000000"
SUB2 = "11111111-1111-1111-1111-111111111111"
CLUSTER_ID = f"/subscriptions/{SUB}/resourceGroups/arc/providers/Microsoft.Kubernetes/connectedClusters/edge"
SCOPE_ID = f"/subscriptions/{SUB}/resourceGroups/arc/providers/Microsoft.HybridCompute/privateLinkScopes/arc-pls"
K8S_API = "2024-01-01"
WAIT_S = 15.0
ARM_LINE = re.compile(r"^  ARM:\s+(\S+)\s*$")
CHROME_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-first-run",
    "--window-size=1280,800",
    # Belt and braces for "nothing but 127.0.0.1": every other host name fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def _which(*names: str) -> str | None:
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unassociated_seed_world(path: Path) -> None:
    """The seed's world (examples/seed-world.yaml) with connected cluster 'edge' not associated
    with the scope: its agents reach the private endpoint and the scope refuses them."""
    text = (REPO / "examples" / "seed-world.yaml").read_text()
    associated = f"privateLinkState: Enabled\n        privateLinkScopeResourceId: {SCOPE_ID}\n"
    assert associated in text, "examples/seed-world.yaml changed shape: update this test"
    path.write_text(text.replace(associated, "privateLinkState: Disabled\n"))


def _serve(extra_args: list) -> tuple:
    """An `arcemu serve` on free loopback ports; returns (its ARM URL, the process)."""
    binary = os.environ.get("ARCEMU_BIN") or str(REPO / "target" / "debug" / "arcemu")
    cmd = [binary, "serve", "--arm-listen", "127.0.0.1:0", "--dns-listen", f"127.0.0.1:{_free_port()}", *extra_args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = drain(proc)
    url = None
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"emulator exited with {proc.wait()}")
            m = ARM_LINE.match(line.rstrip("\n"))
            if m:
                url = m.group(1).rstrip("/")
            if line.strip() == "arcemu ready":
                break
        else:
            raise TimeoutError("no 'arcemu ready' within 20 s")
        assert url and url.startswith("http://127.0.0.1:"), url
    except Exception:
        _stop(proc)
        raise
    return url, proc


@pytest.fixture(scope="module")
def web_emulator():
    tmp = Path(tempfile.mkdtemp(prefix="arcemu-web-"))
    world = tmp / "world.yaml"
    _unassociated_seed_world(world)
    url, proc = _serve(["--world", str(world)])
    yield url
    _stop(proc)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def token_emulator():
    url, proc = _serve(["--admin-token", "web-view-token"])
    yield url
    _stop(proc)


@pytest.fixture(scope="module")
def demo_emulator():
    """A fresh world with the second subscription the teaching scenarios need."""
    url, proc = _serve(["--subscription", SUB2])
    yield url
    _stop(proc)


class WebDriver:
    """The few WebDriver commands the test needs, over chromedriver's HTTP API."""

    def __init__(self, base: str, session: str) -> None:
        self.base, self.session = base, session

    def cmd(self, method: str, path: str, body: dict | None = None):
        r = requests.request(method, f"{self.base}/session/{self.session}{path}", json=body, timeout=30)
        value = r.json().get("value")
        if r.status_code != 200:
            raise AssertionError(f"WebDriver {method} {path}: {r.status_code} {value}")
        return value

    def script(self, source: str, *args):
        return self.cmd("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find(self, css: str) -> str:
        found = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def click(self, css: str) -> None:
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def wait_for(self, what: str, source: str, *args, timeout: float = WAIT_S):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.script(source, *args)
            if last:
                return last
            time.sleep(0.2)
        raise AssertionError(f"waited {timeout} s for {what}; last: {last!r}")


@pytest.fixture(scope="module")
def browser():
    chromium = _which("chromium", "chromium-browser")
    driver = _which("chromedriver")
    if not chromium or not driver:
        pytest.fail("chromium and chromedriver are needed (scripts/ensure-deps.sh installs them)")
    port = _free_port()
    profile = tempfile.mkdtemp(prefix="arcemu-chromium-")
    proc = subprocess.Popen(
        [driver, f"--port={port}", "--allowed-ips=127.0.0.1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{base}/status", timeout=2).json()["value"]["ready"]:
                break
        except (requests.RequestException, ValueError, KeyError):
            pass
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail("chromedriver did not get ready within 20 s")
        time.sleep(0.2)
    caps = {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": chromium, "args": CHROME_ARGS + [f"--user-data-dir={profile}"]},
        "timeouts": {"script": 10000, "pageLoad": 20000, "implicit": 0},
    }}}
    try:
        r = requests.post(f"{base}/session", json=caps, timeout=60)
        session = r.json()["value"]["sessionId"]
    except Exception as e:
        _stop(proc)
        pytest.fail(f"no browser session: {e}")
    wd = WebDriver(base, session)
    yield wd
    try:
        requests.delete(f"{base}/session/{session}", timeout=20)
    except requests.RequestException:
        pass
    _stop(proc)
    shutil.rmtree(profile, ignore_errors=True)


VERDICT = "const n = document.querySelector('[data-cluster=\"edge\"]'); return n ? n.getAttribute('data-verdict') === arguments[0] : false;"


def test_page_is_served_with_its_content_security_policy(web_emulator):
    r = requests.get(web_emulator + "/", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert '<script src="ui/app.js"' in r.text and "<script>" not in r.text
    assert requests.get(web_emulator + "/ui/app.js", timeout=10).headers["content-type"].startswith("text/javascript")


def test_a_cluster_turns_from_refused_to_private_in_the_browser(web_emulator, browser):
    browser.cmd("POST", "/url", {"url": web_emulator + "/"})
    browser.wait_for("cluster 'edge' drawn as refused", VERDICT, "refused")
    # The page knows why: the trace of the refused cluster names PLS-014.
    browser.click('[data-cluster="edge"]')
    browser.wait_for("the admission trace", "return document.getElementById('details-body').textContent.includes('PLS-014');")

    # The association, written through ARM like `az connectedk8s update` would.
    body = {
        "location": "eastus",
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "agentPublicKeyCertificate": "MIIBCgKCAQEA-example",
            "privateLinkState": "Enabled",
            "privateLinkScopeResourceId": SCOPE_ID,
        },
    }
    r = requests.put(
        f"{web_emulator}{CLUSTER_ID}?api-version={K8S_API}", json=body,
        headers={"Authorization": "Bearer web-view-test"}, timeout=10,
    )
    assert r.status_code in (200, 201), r.text
    browser.wait_for("cluster 'edge' drawn as private", VERDICT, "private")
    browser.wait_for("the trace redrawn with PLS-007",
                     "return document.getElementById('details-body').textContent.includes('PLS-007');")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = base64.b64decode(browser.cmd("GET", "/screenshot"))
    assert png.startswith(b"\x89PNG")
    (ARTIFACTS / "web-view-private.png").write_bytes(png)


def test_refusals_and_dns_panels(web_emulator, browser):
    browser.cmd("POST", "/url", {"url": web_emulator + "/"})
    bad = {"location": "eastus", "properties": {"publicNetworkAccess": "Disabled"}}
    r = requests.put(
        f"{web_emulator}/subscriptions/{SUB}/resourceGroups/nowhere/providers/Microsoft.HybridCompute/privateLinkScopes/x"
        "?api-version=2024-11-10-preview", json=bad, headers={"Authorization": "Bearer web-view-test"}, timeout=10,
    )
    assert r.status_code >= 400, r.text
    code = r.json()["error"]["code"]
    browser.wait_for("the refusal listed", "return document.getElementById('refusals').textContent.includes(arguments[0]);", code)
    browser.click("#refusals button")
    browser.wait_for("the refusal's details", "return document.getElementById('details-body').textContent.includes('request: PUT');")

    # DNS: the seed's forwarder chain from the site, hop by hop with its rules.
    browser.wait_for("the site among the vantage points",
                     "return [...document.querySelectorAll('#dns-from option')].some(o => o.value === 'site:hq');")
    browser.script("document.getElementById('dns-from').value = 'site:hq';")
    browser.click("#dns-form button")
    text = browser.wait_for("the DNS answer", "const t = document.getElementById('dns-answer').textContent; return t.includes('DNS-004') && t;")
    assert "10.10.1.4" in text and "DNS-002" in text, text

    # Keyboard: every cluster and resource of the picture is focusable, with a label.
    unlabelled = browser.script(
        "return [...document.querySelectorAll('#topology .node')].filter(n => n.getAttribute('tabindex') !== '0' || !n.getAttribute('aria-label')).length;")
    assert unlabelled == 0


def test_demo_mode_plays_the_happy_path_step_by_step(demo_emulator, browser):
    browser.cmd("POST", "/url", {"url": demo_emulator + "/"})
    steps = browser.wait_for(
        "the scenarios loaded",
        "const s = document.getElementById('demo-scenario'); return s.value === 'happy-path' && s.options.length > 1 && "
        "document.getElementById('demo-log').textContent.match(/\\((\\d+) steps/);",
    )
    total = int(steps[1])
    assert total > 5
    for n in range(1, total + 1):
        browser.click("#demo-next")
        held = browser.wait_for(f"step {n}", "const e = document.querySelector('#demo-log [data-step=\"' + arguments[0] + '\"]'); "
                                "return e && e.getAttribute('data-held');", str(n))
        if held != "true":
            log = browser.script("return document.getElementById('demo-log').innerText;")
            raise AssertionError(f"step {n} did not answer as the scenario expects:\n{log[:3000]}")
    # The picture followed: the happy path ends with its cluster admitted privately.
    browser.wait_for("a private cluster drawn", "return !!document.querySelector('[data-verdict=\"private\"]');")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "web-view-demo.png").write_bytes(base64.b64decode(browser.cmd("GET", "/screenshot")))


def test_with_an_admin_token_the_page_asks_for_it(token_emulator, browser):
    browser.cmd("POST", "/url", {"url": token_emulator + "/"})
    browser.wait_for("the token form", "return !document.getElementById('token-form').hidden;")
    assert "cannot read" in browser.script("return document.getElementById('status').textContent;")
    token = browser.find("#token-input")
    browser.cmd("POST", f"/element/{token}/value", {"text": "web-view-token"})
    browser.click("#token-form button")
    browser.wait_for("the world read with the token",
                     "return document.getElementById('status').textContent.startsWith('world generation');")
    assert browser.script("return sessionStorage.getItem('arcemu-admin-token');") == "web-view-token"
