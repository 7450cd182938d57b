"""ARM protocol refusals (no catalogue rule) as the real SDK sees them, and the protocol
facts the SDK depends on (default api-versions accepted, request ids, http transport)."""

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


def test_http_needs_enforce_https_off(arm_url, credential, rg):
    """What the SDK itself needs to talk to an http:// emulator: a client-level
    enforce_https=False is ignored (the bearer policy reads it from the per-operation
    options), a per-operation enforce_https=False works, and so does the suite's policy."""
    plain = {"base_url": arm_url, "credential_scopes": [ARM_SCOPE], "retry_total": 0}
    client = HybridComputeManagementClient(credential, SUB, enforce_https=False, **plain)
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        list(client.private_link_scopes.list_by_resource_group(rg))
    assert list(client.private_link_scopes.list_by_resource_group(rg, enforce_https=False)) == []
    suite_client = HybridComputeManagementClient(credential, SUB, **client_kwargs(arm_url))
    assert list(suite_client.private_link_scopes.list_by_resource_group(rg)) == []
