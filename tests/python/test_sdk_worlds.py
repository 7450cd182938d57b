"""Named worlds through the real SDK: two clients whose base URL names two worlds
(`{arm}/worlds/{name}`) do not see each other's resources, long-running operations are polled
through the world's own URLs, and a world resets on its own."""

from __future__ import annotations

import json
import urllib.request

import pytest

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from arcemu_sdk import SUB, client_kwargs, uniq


def _clients(arm_url: str, credential, world: str):
    base = f"{arm_url}/worlds/{world}"
    return (
        ResourceManagementClient(credential, SUB, **client_kwargs(base)),
        NetworkManagementClient(credential, SUB, **client_kwargs(base)),
    )


def test_two_worlds_through_the_sdk_do_not_see_each_other(arm_url, credential):
    world_a, world_b = uniq("py-a"), uniq("py-b")
    res_a, net_a = _clients(arm_url, credential, world_a)
    res_b, net_b = _clients(arm_url, credential, world_b)

    res_a.resource_groups.create_or_update("rg", {"location": "eastus"})
    res_b.resource_groups.create_or_update("other", {"location": "westus"})
    assert [g.name for g in res_a.resource_groups.list()] == ["rg"]
    assert [g.name for g in res_b.resource_groups.list()] == ["other"]

    # A long-running PUT, polled by the SDK through the URLs the world gave it.
    vnet = net_a.virtual_networks.begin_create_or_update(
        "rg", "hub", {"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    ).result()
    assert vnet.provisioning_state == "Succeeded"
    with pytest.raises(ResourceNotFoundError):
        net_b.virtual_networks.get("rg", "hub")

    # One world's reset leaves the other alone.
    request = urllib.request.Request(
        f"{arm_url}/worlds/{world_a}/_emulator/reset",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer)["reset"] == "baseline"
    assert list(res_a.resource_groups.list()) == []
    assert [g.name for g in res_b.resource_groups.list()] == ["other"]
