"""Starts one emulator for the session and hands out real Azure SDK clients pointed at it.

Run from the repository root:
    ARCEMU_BIN=target/debug/arcemu python -m pytest -q tests/python
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.mgmt.extendedlocation import CustomLocations
from azure.mgmt.hybridcompute import HybridComputeManagementClient
from azure.mgmt.hybridkubernetes import ConnectedKubernetesClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from arcemu_process import drain
from arcemu_process import stop as _stop
from arcemu_sdk import SUB, SUB2, StaticTokenCredential, client_kwargs, uniq

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 20.0
ARM_LINE = re.compile(r"^  ARM:\s+(\S+)\s*$")
HTTPS_LINE = re.compile(r"^  HTTPS:\s+(\S+)")
CA_LINE = re.compile(r"^  CA:\s+(\S+)")


@dataclass
class Emulator:
    """The emulator of the session; `arm_url` is its HTTPS listener (the SDK as documented:
    bearer tokens over TLS, the emulator's CA trusted through REQUESTS_CA_BUNDLE)."""

    arm_url: str
    process: subprocess.Popen
    stdout_lines: List[str]
    stderr_path: str
    http_url: str = ""

    @property
    def admin_url(self) -> str:
        return self.arm_url + "/_emulator/"

    def output(self) -> str:
        try:
            err = Path(self.stderr_path).read_text(errors="replace")[-4000:]
        except OSError:
            err = ""
        return "stdout:\n" + "".join(self.stdout_lines[-50:]) + "\nstderr (tail):\n" + err


@pytest.fixture(scope="session")
def emulator():
    binary = os.environ.get("ARCEMU_BIN") or str(REPO / "target" / "debug" / "arcemu")
    if not Path(binary).is_file():
        pytest.fail(f"emulator binary not found at {binary} (build it, or set ARCEMU_BIN)")
    stderr_file = tempfile.NamedTemporaryFile(prefix="arcemu-pytest-", suffix=".stderr", delete=False)
    tls_dir = tempfile.mkdtemp(prefix="arcemu-pytest-tls-")
    cmd = [
        # Every listener on a free port: a fixed one (the DNS default, 8553) collides with any
        # other emulator on the machine, e.g. a parallel CI job's.
        binary, "serve", "--arm-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0", "--subscription", SUB2,
        "--https-listen", "127.0.0.1:0", "--tls-dir", tls_dir,
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file, text=True, bufsize=1
    )
    lines: List[str] = []
    q = drain(proc, lines.append)  # keeps draining stdout for the whole session
    emu = Emulator("", proc, lines, stderr_file.name)
    deadline = time.monotonic() + READY_TIMEOUT_S
    arm_url = https_url = ca_file = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no 'arcemu ready' within {READY_TIMEOUT_S}s")
            try:
                line = q.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"emulator exited early with status {proc.wait()}")
            m, h, c = (r.match(line.rstrip("\n")) for r in (ARM_LINE, HTTPS_LINE, CA_LINE))
            if m:
                arm_url = m.group(1).rstrip("/")
            elif h:
                https_url = h.group(1).rstrip("/")
            elif c:
                ca_file = c.group(1)
            elif line.strip() == "arcemu ready":
                if arm_url is None or https_url is None or ca_file is None:
                    raise RuntimeError("'arcemu ready' came before the '  ARM:', '  HTTPS:' and '  CA:' lines")
                break
    except Exception as e:
        _stop(proc)
        pytest.fail(f"{' '.join(cmd)}: {e}\n{emu.output()}")
    emu.arm_url, emu.http_url = https_url, arm_url
    # What a user does: trust the emulator's CA (requests, and so azure-core, read the first;
    # Python's ssl module, urllib included, the second).
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
    os.environ["SSL_CERT_FILE"] = ca_file
    yield emu
    _stop(proc)
    os.unlink(stderr_file.name)
    shutil.rmtree(tls_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def arm_url(emulator) -> str:
    return emulator.arm_url


@pytest.fixture(scope="session")
def credential():
    return StaticTokenCredential()


class SdkClients:
    """The real SDK clients for one subscription."""

    def __init__(self, arm_url: str, credential, subscription: str) -> None:
        self.subscription = subscription
        self.resources = ResourceManagementClient(credential, subscription, **client_kwargs(arm_url))
        self.hc = HybridComputeManagementClient(credential, subscription, **client_kwargs(arm_url))
        self.k8s = ConnectedKubernetesClient(credential, subscription, **client_kwargs(arm_url))
        self.cl = CustomLocations(credential, subscription, **client_kwargs(arm_url))
        self.net = NetworkManagementClient(credential, subscription, **client_kwargs(arm_url))
        self.dns = PrivateDnsManagementClient(credential, subscription, **client_kwargs(arm_url))

    def ensure_registered(self, namespace: str) -> None:
        self.resources.providers.register(namespace)
        state = self.resources.providers.get(namespace).registration_state
        assert state == "Registered", f"{namespace} in {self.subscription}: {state}"


@pytest.fixture(scope="session")
def sdk(arm_url, credential) -> SdkClients:
    """Clients for the default subscription 00000000-...."""
    return SdkClients(arm_url, credential, SUB)


@pytest.fixture(scope="session")
def sdk2(arm_url, credential) -> SdkClients:
    """Clients for the second subscription 11111111-... (registration tests live here)."""
    return SdkClients(arm_url, credential, SUB2)


@pytest.fixture
def resources_client(sdk) -> ResourceManagementClient:
    return sdk.resources


@pytest.fixture
def hc(sdk) -> HybridComputeManagementClient:
    return sdk.hc


@pytest.fixture
def k8s(sdk) -> ConnectedKubernetesClient:
    return sdk.k8s


@pytest.fixture
def cl(sdk) -> CustomLocations:
    return sdk.cl


@pytest.fixture
def net(sdk) -> NetworkManagementClient:
    return sdk.net


@pytest.fixture
def dns(sdk) -> PrivateDnsManagementClient:
    return sdk.dns


@pytest.fixture
def make_rg(sdk, sdk2) -> Callable[..., str]:
    """Creates uniquely named resource groups (through the SDK) and deletes them afterwards."""
    created = []

    def make(subscription: str = SUB, location: str = "eastus") -> str:
        clients = sdk if subscription == SUB else sdk2
        name = uniq("arcemu-py")
        rg = clients.resources.resource_groups.create_or_update(name, {"location": location})
        assert rg.name == name
        created.append((clients, name))
        return name

    yield make
    for clients, name in created:
        try:
            clients.resources.resource_groups.begin_delete(name, polling_interval=0).result()
        except HttpResponseError:
            pass  # the test deleted it itself


@pytest.fixture
def rg(make_rg) -> str:
    """A fresh resource group in the default subscription, eastus."""
    return make_rg()


class Admin:
    """The emulator's admin API (`<ARM URL>/_emulator/`), over plain `requests`."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer arcemu-python-sdk-test-token"

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def get(self, path: str, **params) -> requests.Response:
        return self.http.get(self.url(path), params=params, timeout=20)

    def post(self, path: str, body) -> requests.Response:
        return self.http.post(self.url(path), json=body, timeout=20)


@pytest.fixture(scope="session")
def admin(emulator) -> Admin:
    return Admin(emulator.admin_url)
