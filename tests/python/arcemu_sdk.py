"""Shared helpers for the Azure-SDK-for-Python suite: how the real SDK clients are pointed
at the emulator, request bodies, and the refusal assertion.

The clients talk to the emulator's HTTPS listener exactly as the README shows: a base URL, a
credential, the ARM scope; the emulator's CA is trusted through ``REQUESTS_CA_BUNDLE`` (set by
conftest.py). No policy is needed: azure-core sends bearer tokens over TLS only, and the
emulator's HTTPS listener names itself by its ``https://`` URL in the URLs it returns
(``Azure-AsyncOperation``, ``Location``, ``nextLink``), so polling stays on TLS too.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Optional

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.mgmt.hybridcompute import models as hc_models
from azure.mgmt.hybridkubernetes import models as k8s_models
from azure.mgmt.network import models as net_models

SUB = "00000000-0000-0000-0000-000000000000"
SUB2 = "11111111-1111-1111-1111-111111111111"
ARM_SCOPE = "https://management.azure.com/.default"

# A syntactically plausible base64 agent public key (the emulator only needs it non-empty).
AGENT_CERT = (
    "MIICCgKCAgEAuF6dX2Zt4G3K0cQ8vLrK0mP3xV1m0c1xq3R3b2l4n6H9bqTq3d0f5l0x3m1u8v2Yb7F2mQ1d8vE5yW6oQ=="
)

ZONES = {
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
}
REQUIRED_MEMBERS = {
    "HybridCompute.ServerDP",
    "HybridCompute.K8sConfigurationDP",
    "HybridCompute.GuestConfigDP",
}
CUSTOM_LOCATIONS_API = "2021-08-15"

# The seed's network security group: outbound 443 from the VNet to the service tags an Arc
# agent behind private link still reaches over the internet (name, priority, destination tag).
SEED_NSG_RULES = [
    ("AllowAADOutboundAccess", 150, "AzureActiveDirectory"),
    ("AllowAzOutboundAccess", 151, "AzureResourceManager"),
    ("AllowAzureFrontDoorFirstPartyAccess", 152, "AzureFrontDoor.FirstParty"),
    ("AllowMCROutboundAccess", 153, "MicrosoftContainerRegistry"),
]
DEFAULT_SECURITY_RULES = {
    "AllowVnetInBound",
    "AllowAzureLoadBalancerInBound",
    "DenyAllInBound",
    "AllowVnetOutBound",
    "AllowInternetOutBound",
    "DenyAllOutBound",
}
HIS_ZONE = "privatelink.his.arc.azure.com"
GC_ZONE = "privatelink.guestconfiguration.azure.com"
DP_ZONE = "privatelink.dp.kubernetesconfiguration.azure.com"


def arc_records(region: str = "eastus", short: str = "eus") -> dict:
    """The A records a zone group of an endpoint to a scope in `region` writes:
    {private zone: {record name: public FQDN}}, five in all, in the endpoint's order."""
    return {
        HIS_ZONE: {"gbl": "gbl.his.arc.azure.com", short: f"{short}.his.arc.azure.com"},
        GC_ZONE: {
            "agentserviceapi": "agentserviceapi.guestconfiguration.azure.com",
            f"{region}-gas": f"{region}-gas.guestconfiguration.azure.com",
        },
        DP_ZONE: {region: f"{region}.dp.kubernetesconfiguration.azure.com"},
    }


def arc_fqdns(region: str = "eastus", short: str = "eus") -> list:
    return [fqdn for records in arc_records(region, short).values() for fqdn in records.values()]


class StaticTokenCredential:
    """A TokenCredential that always hands out the same bearer token."""

    def __init__(self, token: str = "arcemu-python-sdk-test-token") -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)


def client_kwargs(arm_url: str) -> dict:
    """The keyword arguments every management client of the suite gets."""
    return {
        "base_url": arm_url,
        "credential_scopes": [ARM_SCOPE],
        "polling_interval": 0,
        # Surface a server error at once instead of after the SDK's back-off retries.
        "retry_total": 0,
        "connection_timeout": 5,
        "read_timeout": 20,
    }


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def same_id(a: Optional[str], b: Optional[str]) -> bool:
    """ARM resource ids compare case-insensitively."""
    return a is not None and b is not None and a.lower().rstrip("/") == b.lower().rstrip("/")


def scope_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.HybridCompute/privateLinkScopes/{name}"


def cluster_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Kubernetes/connectedClusters/{name}"


def custom_location_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ExtendedLocation/customLocations/{name}"


def subnet_id(sub: str, rg: str, vnet: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}"


def zone_id(sub: str, rg: str, zone: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{zone}"


# ---------------------------------------------------------------- bodies


def scope_body(location: str = "eastus", public: Optional[str] = "Disabled", tags: Optional[dict] = None):
    props = hc_models.HybridComputePrivateLinkScopeProperties(public_network_access=public) if public else None
    return hc_models.HybridComputePrivateLinkScope(location=location, tags=tags, properties=props)


def cluster_body(
    location: str = "eastus",
    state: Optional[str] = None,
    pls_id: Optional[str] = None,
    cert: Optional[str] = AGENT_CERT,
    tags: Optional[dict] = None,
):
    props: dict = {}
    if cert is not None:
        props["agent_public_key_certificate"] = cert
    if state is not None:
        props["private_link_state"] = state
    if pls_id is not None:
        props["private_link_scope_resource_id"] = pls_id
    return k8s_models.ConnectedCluster(
        location=location,
        tags=tags,
        identity=k8s_models.ConnectedClusterIdentity(type="SystemAssigned"),
        properties=k8s_models.ConnectedClusterProperties(**props),
    )


def create_scope(hc, rg: str, name: Optional[str] = None, **kw):
    return hc.private_link_scopes.create_or_update(rg, name or uniq("pls"), scope_body(**kw))


def put_cluster(k8s, rg: str, name: str, body):
    """PUT through the SDK's long-running create and wait for it (raises on refusal)."""
    return k8s.connected_cluster.begin_create_or_replace(rg, name, body, polling_interval=0).result()


def create_cluster(k8s, rg: str, name: Optional[str] = None, **kw):
    return put_cluster(k8s, rg, name or uniq("cc"), cluster_body(**kw))


def vnet_body(prefixes, subnets: Optional[dict] = None, location: str = "eastus"):
    """A virtual network with nested subnets ({name: prefix})."""
    return net_models.VirtualNetwork(
        location=location,
        address_space=net_models.AddressSpace(address_prefixes=list(prefixes)),
        subnets=[net_models.Subnet(name=n, address_prefix=p) for n, p in (subnets or {}).items()],
    )


def create_vnet(net, rg: str, name: Optional[str] = None, prefix: str = "10.10.0.0/16", subnets=None, location="eastus"):
    subnets = {"default": "10.10.1.0/24"} if subnets is None else subnets
    body = vnet_body([prefix], subnets, location)
    return net.virtual_networks.begin_create_or_update(rg, name or uniq("vnet"), body).result()


def security_rule(name: str, priority: int, destination: str = "*", direction: str = "Outbound", port: str = "443"):
    return net_models.SecurityRule(
        name=name,
        priority=priority,
        direction=direction,
        access="Allow",
        protocol="Tcp",
        source_address_prefix="VirtualNetwork",
        source_port_range="*",
        destination_address_prefix=destination,
        destination_port_range=port,
    )


def seed_nsg_body(location: str = "eastus"):
    return net_models.NetworkSecurityGroup(
        location=location, security_rules=[security_rule(n, p, tag) for n, p, tag in SEED_NSG_RULES]
    )


def endpoint_body(
    subnet: str,
    scope: str,
    location: str = "eastus",
    group_ids: Optional[list] = ["hybridcompute"],  # noqa: B006 - never mutated
    manual: bool = False,
    connection: str = "arc",
    request_message: Optional[str] = None,
):
    """A private endpoint in `subnet` with one (automatic or manual) connection to `scope`.
    `group_ids=None` leaves the property out of the request."""
    conn = net_models.PrivateLinkServiceConnection(name=connection, private_link_service_id=scope)
    if group_ids is not None:
        conn.group_ids = list(group_ids)
    if request_message is not None:
        conn.request_message = request_message
    kw = {"manual_private_link_service_connections" if manual else "private_link_service_connections": [conn]}
    return net_models.PrivateEndpoint(location=location, subnet=net_models.Subnet(id=subnet), **kw)


def create_endpoint(net, rg: str, subnet: str, scope: str, name: Optional[str] = None, **kw):
    return net.private_endpoints.begin_create_or_update(rg, name or uniq("pe"), endpoint_body(subnet, scope, **kw)).result()


def zone_group_body(zone_ids):
    return net_models.PrivateDnsZoneGroup(
        private_dns_zone_configs=[
            net_models.PrivateDnsZoneConfig(name=z.rsplit("/", 1)[-1].replace(".", "-"), private_dns_zone_id=z)
            for z in zone_ids
        ]
    )


def create_zone(dns, rg: str, zone: str, location: str = "global"):
    return dns.private_zones.begin_create_or_update(rg, zone, {"location": location}).result()


def link_zone(dns, rg: str, zone: str, vnet_id: str, name: Optional[str] = None):
    body = {"location": "global", "properties": {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": False}}
    return dns.virtual_network_links.begin_create_or_update(rg, zone, name or uniq("link"), body).result()


def a_records(dns, rg: str, zone: str) -> dict:
    """{record set name: [addresses]} of a zone's A record sets."""
    return {r.name: [a.ipv4_address for a in (r.a_records or [])] for r in dns.record_sets.list_by_type(rg, zone, "A")}


# ---------------------------------------------------------------- refusals


def arcemu_info(e: HttpResponseError) -> dict:
    """The emulator's `additionalInfo` entry of a refusal.

    When an operation raises HttpResponseError itself (``error_format=ARMErrorFormat``),
    azure-mgmt-core parses `error.additionalInfo` into ``e.error.additional_info``: a list of
    ``TypedErrorInfo`` objects with ``.type`` and ``.info`` attributes (not dicts). Errors the
    generated code maps through its ``error_map`` (404 -> ResourceNotFoundError, 409 ->
    ResourceExistsError, 401 -> ClientAuthenticationError, ...) are built with the plain
    ``ODataV4Format``, which has no ``additional_info``; then only the raw body has it.
    """
    assert e.error is not None, f"the SDK could not parse an ARM error from the body: {body_text(e)!r}"
    raw = e.response.json()["error"].get("additionalInfo", [])
    raw_infos = [i.get("info", {}) for i in raw if i.get("type") == "ArcEmulator"]
    assert len(raw_infos) == 1, f"expected one ArcEmulator additionalInfo entry, got {raw!r}"
    if hasattr(e.error, "additional_info"):
        parsed = [i.info for i in e.error.additional_info if i.type == "ArcEmulator"]
        assert parsed == raw_infos, f"ARMErrorFormat parsed {parsed!r} from {raw!r}"
    return raw_infos[0]


def body_text(e: HttpResponseError) -> str:
    try:
        return e.response.text()
    except Exception:  # pragma: no cover - only used in messages
        return "<no body>"


def assert_refused(
    exc_info, status: int, code: str, rule: Optional[str] = None, fidelity: Optional[str] = None
) -> HttpResponseError:
    """Checks that a refusal reached the SDK as an HttpResponseError with the right
    status, ARM error code, (for catalogue rules) rule id and, when given, fidelity tag;
    returns the exception."""
    e = exc_info.value
    assert isinstance(e, HttpResponseError), f"not an HttpResponseError: {type(e).__name__}: {e}"
    assert e.status_code == status, f"status {e.status_code}, body {body_text(e)}"
    assert e.error is not None and e.error.code == code, f"code {getattr(e.error, 'code', None)}, body {body_text(e)}"
    assert e.error.message, "an ARM error has a message"
    info = arcemu_info(e)
    assert info.get("fidelity") in ("verified", "inferred"), info
    if fidelity is not None:
        assert info["fidelity"] == fidelity, f"fidelity {info['fidelity']!r}, expected {fidelity!r}: {info}"
    if rule is None:
        assert "ruleId" not in info and "seedSection" not in info, f"protocol error carries a rule: {info}"
    else:
        assert info.get("ruleId") == rule, f"ruleId {info.get('ruleId')!r}, expected {rule}: {info}"
        assert info.get("seedSection"), f"rule refusal without seedSection: {info}"
    if info.get("fidelity") == "verified":
        assert info.get("fidelitySource"), f"verified text without fidelitySource: {info}"
    return e


def error_target(e: HttpResponseError) -> Optional[str]:
    """`error.target` of the raw ARM error body (the property the server blames)."""
    return e.response.json()["error"].get("target")


def assert_admin_refused(resp, status: int, code: str, rule: Optional[str] = None) -> dict:
    """The same check for a `requests` response of the admin API."""
    assert resp.status_code == status, f"status {resp.status_code}, body {resp.text}"
    err = resp.json()["error"]
    assert err["code"] == code, resp.text
    assert err["message"], resp.text
    infos = [i["info"] for i in err.get("additionalInfo", []) if i.get("type") == "ArcEmulator"]
    assert len(infos) == 1, resp.text
    if rule is not None:
        assert infos[0].get("ruleId") == rule, resp.text
    return err
