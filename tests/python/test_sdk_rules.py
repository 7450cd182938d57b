"""Every refusal of the rule catalogue (crates/model/src/rules.rs) reaches the real SDK as an
HttpResponseError with the right status, ARM error code and rule id."""

import types

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.core.policies import ARMAutoResourceProviderRegistrationPolicy
from azure.mgmt.core.policies import _base as arm_policies_base
from azure.mgmt.extendedlocation import models as cl_models

from arcemu_sdk import (
    CUSTOM_LOCATIONS_API,
    SUB,
    SUB2,
    assert_admin_refused,
    assert_refused,
    cluster_body,
    cluster_id,
    create_cluster,
    create_scope,
    custom_location_id,
    put_cluster,
    same_id,
    scope_id,
    uniq,
)

NOT_REGISTERED = ("NotRegistered", "Unregistered")


@pytest.fixture
def no_auto_registration(monkeypatch):
    """azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy answers a 409
    MissingSubscriptionRegistration by registering the namespace itself (POST .../register,
    then GET every 10 s until Registered) and replaying the request, so the refusal would
    never reach the caller. Switch it off to see the refusal."""
    monkeypatch.setattr(ARMAutoResourceProviderRegistrationPolicy, "send", lambda self, request: self.next.send(request))


# ------------------------------------------------------------------ PLS-015


def test_pls015_unregistered_kubernetes_provider_refuses_cluster_put(sdk2, make_rg, no_auto_registration):
    providers = sdk2.resources.providers
    unregistered = providers.unregister("Microsoft.Kubernetes")
    assert unregistered.namespace.lower() == "microsoft.kubernetes"
    assert providers.get("Microsoft.Kubernetes").registration_state in NOT_REGISTERED

    rg = make_rg(SUB2)  # resource groups need no provider registration
    name = uniq("cc")
    with pytest.raises(HttpResponseError) as ei:
        put_cluster(sdk2.k8s, rg, name, cluster_body())
    e = assert_refused(ei, 409, "MissingSubscriptionRegistration", "PLS-015", "verified")
    assert "'Microsoft.Kubernetes'" in e.error.message
    with pytest.raises(HttpResponseError) as ei:
        sdk2.k8s.connected_cluster.get(rg, name)
    assert ei.value.status_code == 404, "the refused cluster was not created"

    registered = providers.register("Microsoft.Kubernetes")
    assert registered.registration_state in ("Registered", "Registering")
    assert providers.get("Microsoft.Kubernetes").registration_state == "Registered"
    cluster = put_cluster(sdk2.k8s, rg, name, cluster_body())
    assert cluster.provisioning_state == "Succeeded"
    assert same_id(cluster.id, cluster_id(SUB2, rg, name))


def test_pls015_unregistered_hybridcompute_provider_refuses_scope_put(sdk2, make_rg, no_auto_registration):
    rg = make_rg(SUB2)
    sdk2.resources.providers.unregister("Microsoft.HybridCompute")
    try:
        with pytest.raises(HttpResponseError) as ei:
            create_scope(sdk2.hc, rg)
        e = assert_refused(ei, 409, "MissingSubscriptionRegistration", "PLS-015")
        assert "'Microsoft.HybridCompute'" in e.error.message
    finally:
        sdk2.ensure_registered("Microsoft.HybridCompute")
    assert create_scope(sdk2.hc, rg).properties.provisioning_state == "Succeeded"


def test_pls015_sdk_auto_registration_works_against_the_emulator(sdk2, make_rg, monkeypatch):
    """With the SDK's default pipeline a 409 MissingSubscriptionRegistration makes
    azure-mgmt-core register the namespace itself (POST .../providers/{ns}/register?api-version=
    2016-02-01, then GET until 'Registered') and replay the request. Its 10 s sleep is skipped.

    This only works for operations whose response is read before the policy looks at it: the
    scope PUT (synchronous). The long-running cluster PUT is sent with stream=True, so the policy
    cannot read the body (ResponseNotReadError, swallowed) and the 409 reaches the caller even
    with auto-registration on."""
    monkeypatch.setattr(arm_policies_base, "time", types.SimpleNamespace(sleep=lambda s: None))
    providers = sdk2.resources.providers
    rg = make_rg(SUB2)
    providers.unregister("Microsoft.HybridCompute")
    assert providers.get("Microsoft.HybridCompute").registration_state in NOT_REGISTERED
    try:
        scope = create_scope(sdk2.hc, rg)
        assert scope.properties.provisioning_state == "Succeeded"
        assert providers.get("Microsoft.HybridCompute").registration_state == "Registered"
    finally:
        sdk2.ensure_registered("Microsoft.HybridCompute")

    providers.unregister("Microsoft.Kubernetes")
    try:
        with pytest.raises(HttpResponseError) as ei:
            create_cluster(sdk2.k8s, rg)
        assert_refused(ei, 409, "MissingSubscriptionRegistration", "PLS-015")
    finally:
        sdk2.ensure_registered("Microsoft.Kubernetes")


# ------------------------------------------------------------------ PLS-010


def test_pls010_enabled_without_scope_id(k8s, rg):
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, state="Enabled")
    e = assert_refused(ei, 400, "InvalidPrivateLinkConfiguration", "PLS-010", "verified")
    assert "--private-link-scope-resource-id" in e.error.message


def test_pls010_scope_id_without_enabled(hc, k8s, rg):
    scope = create_scope(hc, rg)
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, state="Disabled", pls_id=scope.id)
    e = assert_refused(ei, 400, "InvalidPrivateLinkConfiguration", "PLS-010", "verified")
    assert e.error.message.startswith("Conflicting private link parameters received.")


def test_pls010_scope_id_that_does_not_exist(k8s, rg):
    missing = scope_id(SUB, rg, uniq("no-such-scope"))
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, state="Enabled", pls_id=missing)
    e = assert_refused(ei, 400, "PrivateLinkScopeNotFound", "PLS-010", "verified")
    assert missing.lower() in e.error.message.lower()


def test_pls010_malformed_scope_id(k8s, rg):
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, state="Enabled", pls_id="not-an-id")
    e = assert_refused(ei, 400, "LinkedInvalidPropertyId")
    assert "not-an-id" in e.error.message


def test_pls010_refused_cluster_is_not_created(k8s, rg):
    name = uniq("cc")
    with pytest.raises(HttpResponseError):
        put_cluster(k8s, rg, name, cluster_body(state="Enabled"))
    assert list(k8s.connected_cluster.list_by_resource_group(rg)) == []


# ------------------------------------------------------------------ PLS-003


def test_pls003_cluster_and_scope_in_different_regions(hc, k8s, rg):
    scope = create_scope(hc, rg, location="eastus")
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(k8s, rg, location="westeurope", state="Enabled", pls_id=scope.id)
    e = assert_refused(ei, 400, "PrivateLinkScopeLocationMismatch", "PLS-003", "verified")
    assert e.error.message.startswith(
        "The location of the private link scope resource does not match the location of connected cluster resource"
    )
    # The same cluster in the scope's region is fine.
    ok = create_cluster(k8s, rg, location="eastus", state="Enabled", pls_id=scope.id)
    assert ok.private_link_state == "Enabled"


# ------------------------------------------------------------------ PLS-005


def test_pls005_cluster_in_another_subscription_than_the_scope(sdk, sdk2, make_rg):
    sdk2.ensure_registered("Microsoft.Kubernetes")
    scope = create_scope(sdk.hc, make_rg(SUB), location="eastus")
    rg2 = make_rg(SUB2, "eastus")
    with pytest.raises(HttpResponseError) as ei:
        create_cluster(sdk2.k8s, rg2, location="eastus", state="Enabled", pls_id=scope.id)
    e = assert_refused(ei, 400, "PrivateLinkScopeSubscriptionMismatch", "PLS-005", "inferred")
    assert SUB in e.error.message and SUB2 in e.error.message


# ------------------------------------------------------------------ PLS-002


def test_pls002_cluster_moves_between_scopes_only_through_disabled(hc, k8s, rg):
    a = create_scope(hc, rg, uniq("pls-a"))
    b = create_scope(hc, rg, uniq("pls-b"))
    name = uniq("cc")
    put_cluster(k8s, rg, name, cluster_body(state="Enabled", pls_id=a.id))

    with pytest.raises(HttpResponseError) as ei:
        put_cluster(k8s, rg, name, cluster_body(state="Enabled", pls_id=b.id))
    assert_refused(ei, 409, "PrivateLinkScopeAssociationConflict", "PLS-002", "inferred")
    still = k8s.connected_cluster.get(rg, name)
    assert same_id(still.private_link_scope_resource_id, a.id), "a refused PUT changes nothing"

    disabled = put_cluster(k8s, rg, name, cluster_body(state="Disabled"))
    assert disabled.private_link_state == "Disabled"
    assert not disabled.private_link_scope_resource_id

    moved = put_cluster(k8s, rg, name, cluster_body(state="Enabled", pls_id=b.id))
    assert moved.private_link_state == "Enabled"
    assert same_id(moved.private_link_scope_resource_id, b.id)
    assert same_id(k8s.connected_cluster.get(rg, name).private_link_scope_resource_id, b.id)


# ------------------------------------------------------------------ PLS-008


def _custom_location(host_id: str, location: str = "eastus"):
    return cl_models.CustomLocation(
        location=location,
        host_resource_id=host_id,
        namespace="arc",
        host_type="Kubernetes",
        cluster_extension_ids=[],
    )


def test_pls008_custom_location_on_private_link_cluster(hc, k8s, cl, resources_client, rg):
    scope = create_scope(hc, rg)
    private = create_cluster(k8s, rg, state="Enabled", pls_id=scope.id)
    name = uniq("cl")
    with pytest.raises(HttpResponseError) as ei:
        cl.custom_locations.begin_create_or_update(rg, name, _custom_location(private.id), polling_interval=0).result()
    e = assert_refused(ei, 400, "FeatureNotSupportedWithPrivateLink", "PLS-008", "verified")
    assert e.error.message.startswith(
        "The features 'cluster-connect' and 'custom-locations' cannot be enabled for a private link enabled "
        "connected cluster."
    )

    # The same refusal through the generic resources API (what IaC tools use).
    with pytest.raises(HttpResponseError) as ei:
        resources_client.resources.begin_create_or_update_by_id(
            custom_location_id(SUB, rg, name),
            {
                "location": "eastus",
                "properties": {
                    "hostResourceId": private.id,
                    "namespace": "arc",
                    "hostType": "Kubernetes",
                    "clusterExtensionIds": [],
                },
            },
            api_version=CUSTOM_LOCATIONS_API,
            polling_interval=0,
        ).result()
    assert_refused(ei, 400, "FeatureNotSupportedWithPrivateLink", "PLS-008")
    assert list(cl.custom_locations.list_by_resource_group(rg)) == []


def test_pls008_private_link_on_cluster_hosting_a_custom_location(hc, k8s, cl, rg):
    scope = create_scope(hc, rg)
    public = create_cluster(k8s, rg)
    name = uniq("cl")
    location = cl.custom_locations.begin_create_or_update(
        rg, name, _custom_location(public.id), polling_interval=0
    ).result()
    assert location.provisioning_state == "Succeeded"
    assert same_id(location.host_resource_id, public.id)
    assert location.namespace == "arc"
    assert same_id(cl.custom_locations.get(rg, name).id, custom_location_id(SUB, rg, name))

    with pytest.raises(HttpResponseError) as ei:
        put_cluster(k8s, rg, public.name, cluster_body(state="Enabled", pls_id=scope.id))
    assert_refused(ei, 400, "FeatureNotSupportedWithPrivateLink", "PLS-008", "inferred")
    assert k8s.connected_cluster.get(rg, public.name).private_link_state in ("Disabled", None)

    # Once the custom location is gone, private link can be enabled.
    cl.custom_locations.begin_delete(rg, name, polling_interval=0).result()
    enabled = put_cluster(k8s, rg, public.name, cluster_body(state="Enabled", pls_id=scope.id))
    assert enabled.private_link_state == "Enabled"


def test_pls008_custom_location_generic_api_on_public_cluster(k8s, resources_client, rg):
    public = create_cluster(k8s, rg)
    cid = custom_location_id(SUB, rg, uniq("cl"))
    created = resources_client.resources.begin_create_or_update_by_id(
        cid,
        {
            "location": "eastus",
            "properties": {"hostResourceId": public.id, "namespace": "arc", "hostType": "Kubernetes", "clusterExtensionIds": []},
        },
        api_version=CUSTOM_LOCATIONS_API,
        polling_interval=0,
    ).result()
    assert same_id(created.id, cid)
    got = resources_client.resources.get_by_id(cid, api_version=CUSTOM_LOCATIONS_API)
    assert same_id(got.properties["hostResourceId"], public.id)
    assert got.properties["provisioningState"] == "Succeeded"


# ------------------------------------------------------------------ PLS-011


def test_pls011_candidates_and_add_resources(sdk, sdk2, make_rg, admin):
    sdk2.ensure_registered("Microsoft.Kubernetes")
    rg = make_rg(SUB, "eastus")
    other_rg = make_rg(SUB, "westus")
    scope = create_scope(sdk.hc, rg, location="eastus")
    same_1 = create_cluster(sdk.k8s, rg, location="eastus")
    same_2 = create_cluster(sdk.k8s, other_rg, location="eastus")  # another resource group is fine
    other_region = create_cluster(sdk.k8s, rg, location="westeurope")
    other_sub = create_cluster(sdk2.k8s, make_rg(SUB2, "eastus"), location="eastus")

    resp = admin.get("private-link-scopes/candidates", scope=scope.id)
    assert resp.status_code == 200, resp.text
    value = resp.json()["value"]
    ids = {c["id"].lower() for c in value}
    assert same_1.id.lower() in ids and same_2.id.lower() in ids
    assert other_region.id.lower() not in ids
    assert other_sub.id.lower() not in ids
    for c in value:
        assert c["location"] == "eastus", c
        assert c["id"].lower().startswith(f"/subscriptions/{SUB}/"), c
        assert c["type"].lower() == "microsoft.kubernetes/connectedclusters", c

    resp = admin.post("private-link-scopes/add-resources", {"scope": scope.id, "clusters": [same_1.id, same_2.id]})
    assert resp.status_code == 200, resp.text
    for rg_name, c in ((rg, same_1), (other_rg, same_2)):
        got = sdk.k8s.connected_cluster.get(rg_name, c.name)
        assert got.private_link_state == "Enabled"
        assert same_id(got.private_link_scope_resource_id, scope.id)

    resp = admin.post("private-link-scopes/add-resources", {"scope": scope.id, "clusters": [other_region.id]})
    assert_admin_refused(resp, 400, "ClusterNotEligibleForPrivateLinkScope", "PLS-011")
    resp = admin.post("private-link-scopes/add-resources", {"scope": scope.id, "clusters": [other_sub.id]})
    assert_admin_refused(resp, 400, "ClusterNotEligibleForPrivateLinkScope", "PLS-011")
    assert sdk.k8s.connected_cluster.get(rg, other_region.name).private_link_state in ("Disabled", None)


def test_pls011_add_resources_is_all_or_nothing(sdk, make_rg, admin):
    rg = make_rg(SUB, "eastus")
    scope = create_scope(sdk.hc, rg, location="eastus")
    eligible = create_cluster(sdk.k8s, rg, location="eastus")
    ineligible = create_cluster(sdk.k8s, rg, location="westeurope")
    resp = admin.post("private-link-scopes/add-resources", {"scope": scope.id, "clusters": [eligible.id, ineligible.id]})
    assert_admin_refused(resp, 400, "ClusterNotEligibleForPrivateLinkScope", "PLS-011")
    got = sdk.k8s.connected_cluster.get(rg, eligible.name)
    assert got.private_link_state in ("Disabled", None)
    assert not got.private_link_scope_resource_id


def test_pls011_add_resources_respects_pls002(sdk, make_rg, admin):
    rg = make_rg(SUB, "eastus")
    a = create_scope(sdk.hc, rg, uniq("pls-a"))
    b = create_scope(sdk.hc, rg, uniq("pls-b"))
    cluster = create_cluster(sdk.k8s, rg, state="Enabled", pls_id=a.id)
    resp = admin.post("private-link-scopes/add-resources", {"scope": b.id, "clusters": [cluster.id]})
    assert_admin_refused(resp, 409, "PrivateLinkScopeAssociationConflict", "PLS-002")
    assert same_id(sdk.k8s.connected_cluster.get(rg, cluster.name).private_link_scope_resource_id, a.id)
