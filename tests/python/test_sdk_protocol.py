"""ARM protocol refusals (no catalogue rule) as the real SDK sees them, and the protocol
facts the SDK depends on (default api-versions accepted, request ids, the HTTPS transport)."""

from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError
from azure.mgmt.hybridcompute import HybridComputeManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from arcemu_sdk import (
    AGENT_CERT,
    ARM_SCOPE,
    SUB,
    assert_refused,
    client_kwargs,
    cluster_body,
    create_cluster,
    create_scope,
    put_cluster,
    uniq,
)


def test_get_missing_scope_is_resource_not_found(hc, rg):
    name = uniq("missing")
    with pytest.raises(ResourceNotFoundError) as ei:
        hc.private_link_scopes.get(rg, name)
    e = assert_refused(ei, 404, "ResourceNotFound")
    assert name in e.error.message


def test_get_missing_cluster_is_resource_not_found(k8s, rg):
    with pytest.raises(ResourceNotFoundError) as ei:
        k8s.connected_cluster.get(rg, uniq("missing"))
    assert_refused(ei, 404, "ResourceNotFound")


def test_missing_resource_group(resources_client, hc, k8s):
    rg = uniq("no-such-rg")
    with pytest.raises(ResourceNotFoundError) as ei:
        resources_client.resource_groups.get(rg)
    e = assert_refused(ei, 404, "ResourceGroupNotFound")
    assert rg in e.error.message
    with pytest.raises(ResourceNotFoundError) as ei:
        hc.private_link_scopes.get(rg, "anything")
    assert_refused(ei, 404, "ResourceGroupNotFound")
    with pytest.raises(HttpResponseError) as ei:
        create_scope(hc, rg)
    assert_refused(ei, 404, "ResourceGroupNotFound")
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg)
    assert_refused(ei, 404, "ResourceGroupNotFound")


@pytest.mark.parametrize("bad", ["-bad-", "bad-", "has space", "x" * 64])
def test_invalid_cluster_name(k8s, rg, bad):
    with pytest.raises(HttpResponseError) as ei:
        put_cluster(k8s, rg, bad, cluster_body())
    assert_refused(ei, 400, "InvalidResourceName")


def test_missing_location(k8s, hc, rg):
    body = {"identity": {"type": "SystemAssigned"}, "properties": {"agentPublicKeyCertificate": AGENT_CERT}}
    with pytest.raises(HttpResponseError) as ei:
        put_cluster(k8s, rg, uniq("cc"), body)
    assert_refused(ei, 400, "LocationRequired")
    with pytest.raises(HttpResponseError) as ei:
        hc.private_link_scopes.create_or_update(rg, uniq("pls"), {"properties": {"publicNetworkAccess": "Disabled"}})
    assert_refused(ei, 400, "LocationRequired")


def test_unknown_location(k8s, hc, resources_client, rg):
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, location="marsnorth")
    e = assert_refused(ei, 400, "LocationNotAvailableForResourceType")
    assert "marsnorth" in e.error.message
    with pytest.raises(HttpResponseError) as ei:
        create_scope(hc, rg, location="marsnorth")
    assert_refused(ei, 400, "LocationNotAvailableForResourceType")


def test_display_name_location_is_normalised(k8s, rg):
    cluster = create_cluster(k8s, rg, location="East US 2")
    assert cluster.location == "eastus2"


def test_cluster_without_agent_certificate(k8s, rg):
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, cert=None)
    e = assert_refused(ei, 400, "InvalidRequestContent")
    assert "agentPublicKeyCertificate" in e.error.message


def test_cluster_without_identity(k8s, rg):
    body = {"location": "eastus", "properties": {"agentPublicKeyCertificate": AGENT_CERT}}
    with pytest.raises(HttpResponseError) as ei:
        put_cluster(k8s, rg, uniq("cc"), body)
    e = assert_refused(ei, 400, "InvalidRequestContent")
    assert "identity" in e.error.message


def test_unsupported_api_version(arm_url, credential, rg):
    client = ResourceManagementClient(credential, SUB, api_version="2099-01-01", **client_kwargs(arm_url))
    with pytest.raises(HttpResponseError) as ei:
        client.resource_groups.get(rg)
    e = assert_refused(ei, 400, "InvalidApiVersionParameter")
    assert "2099-01-01" in e.error.message
    assert "2025-04-01" in e.error.message, "ARM names the supported versions"


def test_sdk_default_api_versions_and_request_ids(sdk, rg):
    """The SDKs send their own default api-versions, and the emulator accepts them."""
    seen = []

    def record(response):
        seen.append((response.http_request.url, response.http_response.headers))

    scope = create_scope(sdk.hc, rg)
    cluster = create_cluster(sdk.k8s, rg)
    sdk.resources.resource_groups.get(rg, raw_response_hook=record)
    sdk.hc.private_link_scopes.get(rg, scope.name, raw_response_hook=record)
    sdk.k8s.connected_cluster.get(rg, cluster.name, raw_response_hook=record)
    list(sdk.cl.custom_locations.list_by_resource_group(rg, raw_response_hook=record))
    urls = [u for u, _ in seen]
    assert "api-version=2025-04-01" in urls[0]
    assert "api-version=2026-07-15" in urls[1]
    assert "api-version=2026-05-01" in urls[2]
    assert "api-version=2021-08-15" in urls[3]
    for _, headers in seen:
        assert headers.get("x-ms-request-id"), headers
        assert headers.get("x-ms-correlation-request-id"), headers


def readme_sdk_snippet() -> str:
    """The Python block of the README's "From the Azure SDK for Python" section."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### From the Azure SDK for Python", 1)[1].split("\n### ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_readme_sdk_snippet_runs_as_written(emulator, capsys):
    """A new user's copy of the README snippet: no policy, no option, only the emulator's CA
    trusted (REQUESTS_CA_BUNDLE, as the README says); only the port is the session's."""
    snippet = readme_sdk_snippet()
    assert "https://127.0.0.1:8491" in snippet and "enforce_https" not in snippet and "polic" not in snippet
    namespace: dict = {}
    exec(compile(snippet.replace("https://127.0.0.1:8491", emulator.arm_url), "README.md", "exec"), namespace)
    assert capsys.readouterr().out.startswith("[")
    assert isinstance(namespace["client"], HybridComputeManagementClient)


def test_plain_http_is_refused_by_the_sdk_itself(emulator, credential):
    """Why HTTPS: azure-core will not send a bearer token to an http:// URL (the emulator's
    HTTP listener stays for curl and the admin API)."""
    plain = {"base_url": emulator.http_url, "credential_scopes": [ARM_SCOPE], "retry_total": 0}
    client = HybridComputeManagementClient(credential, SUB, enforce_https=False, **plain)
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        list(client.private_link_scopes.list())


def test_long_running_operations_are_polled_over_https(sdk, rg):
    """The HTTPS listener names itself in the URLs it returns, so the SDK polls over TLS."""
    seen = []
    body = cluster_body()
    sdk.k8s.connected_cluster.begin_create_or_replace(
        rg, uniq("cc"), body, polling_interval=0, raw_response_hook=lambda r: seen.append({k.lower(): v for k, v in r.http_response.headers.items()})
    ).result()
    polled = [h["azure-asyncoperation"] for h in seen if "azure-asyncoperation" in h]
    assert polled and all(u.startswith("https://") for u in polled), seen
