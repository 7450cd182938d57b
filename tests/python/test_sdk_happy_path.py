"""The happy path, through the real SDK: a resource group, a scope with public access
disabled, and a connected cluster with private link enabled in that scope."""

import uuid

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.hybridcompute import models as hc_models

from arcemu_sdk import (
    REQUIRED_MEMBERS,
    SUB,
    ZONES,
    assert_refused,
    cluster_body,
    create_cluster,
    create_scope,
    put_cluster,
    same_id,
    scope_body,
    scope_id,
    uniq,
)


def _status_recorder():
    statuses = []

    def hook(response):
        statuses.append(response.http_response.status_code)

    return statuses, hook


def test_resource_group_create_get_list_delete(resources_client):
    name = uniq("arcemu-py-rg")
    statuses, hook = _status_recorder()
    created = resources_client.resource_groups.create_or_update(
        name, {"location": "westeurope", "tags": {"team": "platform"}}, raw_response_hook=hook
    )
    assert statuses == [201]
    assert created.name == name
    assert created.location == "westeurope"
    assert created.tags == {"team": "platform"}
    assert created.properties.provisioning_state == "Succeeded"
    assert same_id(created.id, f"/subscriptions/{SUB}/resourceGroups/{name}")

    statuses.clear()
    again = resources_client.resource_groups.create_or_update(
        name, {"location": "westeurope", "tags": {"team": "sre"}}, raw_response_hook=hook
    )
    assert statuses == [200]
    assert again.tags == {"team": "sre"}

    got = resources_client.resource_groups.get(name)
    assert (got.name, got.location, got.tags) == (name, "westeurope", {"team": "sre"})
    assert resources_client.resource_groups.check_existence(name) is True

    names = {g.name for g in resources_client.resource_groups.list()}
    assert name in names

    poller = resources_client.resource_groups.begin_delete(name, polling_interval=0)
    assert poller.result() is None
    assert poller.status() == "Succeeded"
    assert resources_client.resource_groups.check_existence(name) is False
    with pytest.raises(ResourceNotFoundError) as ei:
        resources_client.resource_groups.get(name)
    assert_refused(ei, 404, "ResourceGroupNotFound")
    assert name not in {g.name for g in resources_client.resource_groups.list()}


def test_scope_lifecycle(hc, rg):
    name = uniq("pls")
    statuses, hook = _status_recorder()
    scope = hc.private_link_scopes.create_or_update(
        rg, name, scope_body(public="Disabled", tags={"env": "test"}), raw_response_hook=hook
    )
    assert statuses == [201], "PUT of a new scope answers 201"
    assert scope.name == name
    assert scope.type.lower() == "microsoft.hybridcompute/privatelinkscopes"
    assert same_id(scope.id, scope_id(SUB, rg, name))
    assert scope.location == "eastus"
    assert scope.tags == {"env": "test"}
    assert scope.properties.public_network_access == "Disabled"
    assert scope.properties.provisioning_state == "Succeeded"
    guid = scope.properties.private_link_scope_id
    assert guid and uuid.UUID(guid)

    got = hc.private_link_scopes.get(rg, name)
    assert same_id(got.id, scope.id)
    assert got.properties.public_network_access == "Disabled"
    assert got.properties.private_link_scope_id == guid

    by_rg = list(hc.private_link_scopes.list_by_resource_group(rg))
    assert [s.name for s in by_rg] == [name]
    assert any(same_id(s.id, scope.id) for s in hc.private_link_scopes.list())

    patched = hc.private_link_scopes.update_tags(rg, name, hc_models.TagsResource(tags={"env": "prod", "owner": "me"}))
    assert patched.tags == {"env": "prod", "owner": "me"}
    assert patched.properties.public_network_access == "Disabled", "PATCH changes tags only"
    assert hc.private_link_scopes.get(rg, name).tags == {"env": "prod", "owner": "me"}

    statuses.clear()
    replaced = hc.private_link_scopes.create_or_update(
        rg, name, scope_body(public="Enabled"), raw_response_hook=hook
    )
    assert statuses == [200], "PUT of an existing scope answers 200"
    assert replaced.properties.public_network_access == "Enabled"
    assert replaced.properties.private_link_scope_id == guid, "the scope's GUID survives an update"

    poller = hc.private_link_scopes.begin_delete(rg, name, polling_interval=0)
    assert poller.result() is None
    assert poller.status() == "Succeeded"
    with pytest.raises(ResourceNotFoundError) as ei:
        hc.private_link_scopes.get(rg, name)
    assert_refused(ei, 404, "ResourceNotFound")
    assert list(hc.private_link_scopes.list_by_resource_group(rg)) == []


def test_scope_public_network_access_defaults_to_disabled(hc, rg):
    scope = hc.private_link_scopes.create_or_update(rg, uniq("pls"), scope_body(public=None))
    assert scope.properties.public_network_access == "Disabled"


def test_private_link_resources_of_a_scope(hc, rg):
    scope = create_scope(hc, rg)
    resources = list(hc.private_link_resources.list_by_private_link_scope(rg, scope.name))
    assert len(resources) == 1
    (plr,) = resources
    assert plr.name == "hybridcompute"
    assert same_id(plr.id, scope.id + "/privateLinkResources/hybridcompute")
    assert plr.properties.group_id == "hybridcompute"
    assert set(plr.properties.required_members) == REQUIRED_MEMBERS
    assert set(plr.properties.required_zone_names) == ZONES
    assert len(plr.properties.required_zone_names) == 3

    one = hc.private_link_resources.get(rg, scope.name, "hybridcompute")
    assert one.properties.group_id == "hybridcompute"
    assert set(one.properties.required_zone_names) == ZONES


def test_connected_cluster_with_private_link(hc, k8s, rg):
    scope = create_scope(hc, rg, public="Disabled")
    name = uniq("cc")
    cluster = create_cluster(k8s, rg, name, state="Enabled", pls_id=scope.id, tags={"site": "factory-1"})
    assert cluster.name == name
    assert cluster.type.lower() == "microsoft.kubernetes/connectedclusters"
    assert cluster.location == "eastus"
    assert cluster.provisioning_state == "Succeeded"
    assert cluster.connectivity_status in ("Connecting", "Connected", "Offline", "Expired")
    assert cluster.private_link_state == "Enabled"
    assert same_id(cluster.private_link_scope_resource_id, scope.id)
    assert cluster.identity.type == "SystemAssigned"
    assert cluster.identity.principal_id
    assert cluster.tags == {"site": "factory-1"}

    got = k8s.connected_cluster.get(rg, name)
    assert same_id(got.id, cluster.id)
    assert got.provisioning_state == "Succeeded"
    assert got.private_link_state == "Enabled"
    assert same_id(got.private_link_scope_resource_id, scope.id)
    assert got.agent_public_key_certificate == cluster_body().properties.agent_public_key_certificate

    assert [c.name for c in k8s.connected_cluster.list_by_resource_group(rg)] == [name]
    assert any(same_id(c.id, cluster.id) for c in k8s.connected_cluster.list_by_subscription())

    # Re-PUT with the same scope is an update, not a conflict.
    again = put_cluster(k8s, rg, name, cluster_body(state="Enabled", pls_id=scope.id))
    assert again.provisioning_state == "Succeeded"
    assert again.identity.principal_id == cluster.identity.principal_id

    poller = k8s.connected_cluster.begin_delete(rg, name, polling_interval=0)
    assert poller.result() is None
    assert poller.status() == "Succeeded"
    with pytest.raises(ResourceNotFoundError) as ei:
        k8s.connected_cluster.get(rg, name)
    assert_refused(ei, 404, "ResourceNotFound")
    assert list(k8s.connected_cluster.list_by_resource_group(rg)) == []


def test_connected_cluster_without_private_link(k8s, rg):
    cluster = create_cluster(k8s, rg)
    assert cluster.provisioning_state == "Succeeded"
    assert cluster.private_link_state in ("Disabled", None)
    assert not cluster.private_link_scope_resource_id


def test_deleting_a_resource_group_deletes_its_resources(sdk, make_rg):
    rg = make_rg()
    scope = create_scope(sdk.hc, rg)
    cluster = create_cluster(sdk.k8s, rg, state="Enabled", pls_id=scope.id)
    sdk.resources.resource_groups.begin_delete(rg, polling_interval=0).result()
    with pytest.raises(ResourceNotFoundError) as ei:
        sdk.k8s.connected_cluster.get(rg, cluster.name)
    assert_refused(ei, 404, "ResourceGroupNotFound")
    assert not any(same_id(s.id, scope.id) for s in sdk.hc.private_link_scopes.list())
    assert not any(same_id(c.id, cluster.id) for c in sdk.k8s.connected_cluster.list_by_subscription())


def test_lists_page_with_next_link(hc, rg):
    names = {uniq("pls") for _ in range(105)}
    for n in names:
        create_scope(hc, rg, n)
    pages = [list(p) for p in hc.private_link_scopes.list_by_resource_group(rg).by_page()]
    assert len(pages) >= 2, "more than one page of 100 gives a nextLink"
    listed = [s.name for page in pages for s in page]
    assert len(listed) == len(names)
    assert set(listed) == names


def test_provisioned_cluster_from_the_aks_arc_body(hc, k8s, rg):
    """The body of Microsoft's AKS Arc docs and templates: kind ProvisionedCluster and an empty
    agent certificate (the service makes the agents' key pair), then associated with a scope."""
    from azure.mgmt.hybridkubernetes import models as k8s_models

    scope = create_scope(hc, rg, public="Disabled")
    name = uniq("aksarc")
    body = k8s_models.ConnectedCluster(
        location="eastus",
        kind="ProvisionedCluster",
        identity=k8s_models.ConnectedClusterIdentity(type="SystemAssigned"),
        properties=k8s_models.ConnectedClusterProperties(
            agent_public_key_certificate="", aad_profile=k8s_models.AadProfile(enable_azure_rbac=False)
        ),
    )
    cluster = put_cluster(k8s, rg, name, body)
    assert cluster.kind == "ProvisionedCluster"
    assert cluster.properties.agent_public_key_certificate == ""
    assert cluster.properties.aad_profile.enable_azure_rbac is False
    assert cluster.properties.kubernetes_version is None, "no agent has reported yet"

    body.properties.private_link_state = "Enabled"
    body.properties.private_link_scope_resource_id = scope.id
    again = put_cluster(k8s, rg, name, body)
    assert again.properties.private_link_state == "Enabled"
    assert same_id(again.properties.private_link_scope_resource_id, scope.id)
    assert k8s.connected_cluster.get(rg, name).kind == "ProvisionedCluster"
