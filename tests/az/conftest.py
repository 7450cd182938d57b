"""The Azure CLI (`az`, from tests/az/requirements.txt in .venv-az) against one emulator over HTTPS.

Run from the repository root (scripts/test.sh does):
    ARCEMU_BIN=target/debug/arcemu ARCEMU_AZ=.venv-az/bin/az .venv/bin/python -m pytest -q tests/az

Every `az` call gets its own time limit, a private AZURE_CONFIG_DIR (the user's az config is never
read or written) and a proxy for everything but 127.0.0.1: the proxy is a local trap that records
every connection, so a request to any other host (telemetry, version check, extension index,
login.microsoftonline.com) fails the suite instead of leaving the machine.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

import pytest

# The process helpers the SDK suite uses too (tests/python/arcemu_process.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from arcemu_process import drain  # noqa: E402
from arcemu_process import stop as _stop  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 20.0
AZ_TIMEOUT_S = 120.0
TENANT = "72f988bf-0000-0000-0000-000000000000"
SUB = "00000000-0000-0000-0000-000000000000"


class ProxyTrap:
    """A local TCP listener used as HTTP(S)_PROXY: records the first line of every connection
    (`CONNECT host:443 ...`) and closes it, so nothing goes further."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen: List[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="proxy-trap", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
                except OSError:
                    first = "(nothing read)"
                self.seen.append(first)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@dataclass
class Az:
    """Runs `az` against the emulator with an isolated configuration."""

    binary: str
    env: dict
    https_url: str
    log: List[str] = field(default_factory=list)

    def run(self, *args: str, check: bool = True, timeout: float = AZ_TIMEOUT_S) -> subprocess.CompletedProcess:
        cmd = [self.binary, *args]
        started = time.monotonic()
        proc = subprocess.run(
            cmd, env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
        )
        self.log.append(f"az {' '.join(args)} -> {proc.returncode} ({time.monotonic() - started:.1f}s)")
        if check and proc.returncode != 0:
            raise AssertionError(f"az {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
        return proc

    def json(self, *args: str) -> object:
        out = self.run(*args, "--output", "json").stdout
        return json.loads(out) if out.strip() else None

    def refused(self, *args: str) -> str:
        """Runs a command `az` must fail; returns what it printed (stderr)."""
        proc = self.run(*args, check=False)
        assert proc.returncode != 0, f"az {' '.join(args)} succeeded:\n{proc.stdout}"
        return proc.stderr


def _start_emulator(binary: str, tls_dir: str, stderr_path: str):
    cmd = [
        binary, "serve", "--arm-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0",
        "--https-listen", "127.0.0.1:0", "--tls-dir", tls_dir,
    ]
    stderr = open(stderr_path, "w")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1)
    q = drain(proc)
    https_url = ca_file = None
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _stop(proc)
            raise TimeoutError(f"no 'arcemu ready' within {READY_TIMEOUT_S}s")
        try:
            line = q.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            raise RuntimeError(f"emulator exited early with status {proc.wait()}: {Path(stderr_path).read_text()}")
        if m := re.match(r"^  HTTPS:\s+(\S+)", line):
            https_url = m.group(1).rstrip("/")
        elif m := re.match(r"^  CA:\s+(\S+)", line):
            ca_file = m.group(1)
        elif line.strip() == "arcemu ready":
            break
    if not https_url or not ca_file:
        _stop(proc)
        raise RuntimeError("the emulator printed no HTTPS URL or CA file")
    return proc, https_url, ca_file


def _skip_the_version_lookup(config_dir: str) -> None:
    """A fresh az configuration asks azcliprod.blob.core.windows.net for the latest versions on
    its first run (azure.cli.core.util.handle_version_update); a version cache written now, with
    the pinned version, answers instead."""
    pins = dict(
        line.strip().split("==", 1)
        for line in (REPO / "tests" / "az" / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    version = pins["azure-cli-core"]
    os.makedirs(config_dir, exist_ok=True)
    versions = {name: {"local": version, "pypi": version} for name in ("core", "azure-cli")}
    stamp = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.localtime())
    Path(config_dir, "versionCheck.json").write_text(json.dumps({"versions": versions, "update_time": stamp}))


@pytest.fixture(scope="session")
def trap():
    t = ProxyTrap()
    yield t
    t.close()


@pytest.fixture(scope="session")
def az(trap) -> Az:
    """`az` logged in to the emulator as a service principal, its cloud registered from the
    emulator's metadata endpoint: the README's recipe."""
    binary = os.environ.get("ARCEMU_BIN") or str(REPO / "target" / "debug" / "arcemu")
    az_binary = os.environ.get("ARCEMU_AZ") or str(REPO / ".venv-az" / "bin" / "az")
    for path, what in ((binary, "emulator binary (ARCEMU_BIN)"), (az_binary, "az (ARCEMU_AZ)")):
        if not Path(path).is_file():
            pytest.fail(f"{what} not found at {path}")
    work = tempfile.mkdtemp(prefix="arcemu-az-")
    proc, https_url, ca_file = _start_emulator(binary, os.path.join(work, "tls"), os.path.join(work, "stderr"))
    proxy = f"http://127.0.0.1:{trap.port}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": work,
        "AZURE_CONFIG_DIR": os.path.join(work, "azure"),
        "REQUESTS_CA_BUNDLE": ca_file,
        "SSL_CERT_FILE": ca_file,
        "HTTPS_PROXY": proxy,
        "HTTP_PROXY": proxy,
        "https_proxy": proxy,
        "http_proxy": proxy,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        # No telemetry, no survey, no upgrade or extension lookups, no colour.
        "AZURE_CORE_COLLECT_TELEMETRY": "false",
        "AZURE_CORE_SURVEY_MESSAGE": "false",
        "AZURE_CORE_NO_COLOR": "true",
        "AZURE_CORE_ONLY_SHOW_ERRORS": "true",
        "AZURE_EXTENSION_USE_DYNAMIC_INSTALL": "no",
        "AZURE_EXTENSION_RUN_AFTER_DYNAMIC_INSTALL": "false",
        "AZURE_CORE_DISABLE_PROGRESS_BAR": "true",
        # The emulator is not a host MSAL knows: ask it, not login.microsoftonline.com.
        "AZURE_CORE_INSTANCE_DISCOVERY": "false",
    }
    _skip_the_version_lookup(env["AZURE_CONFIG_DIR"])
    cli = Az(az_binary, env, https_url)
    try:
        cli.run("cloud", "register", "--name", "arcemu", "--endpoint-resource-manager", https_url + "/")
        cli.run("cloud", "set", "--name", "arcemu")
        cli.run("login", "--service-principal", "--username", "arcemu-app", "--password", "any-secret",
                "--tenant", TENANT, "--output", "none")
        yield cli
    finally:
        _stop(proc)
        print("\n".join(cli.log))
        shutil.rmtree(work, ignore_errors=True)
