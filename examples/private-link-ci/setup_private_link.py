"""Private link for Azure Arc-enabled Kubernetes, set up with the Azure SDK for Python: the
automation a team would run against Azure, here run by `arcemu verify` against the emulator.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/setup_private_link.py

It builds the seed's setup ("Planning your Private Link setup"): a Private Link Scope with public
network access disabled; a hub VNet with a private endpoint (group id `hybridcompute`) and a
private DNS zone group writing its records into the three `privatelink.*` zones, each linked to
the VNet; a Private Resolver inbound endpoint the on-premises DNS server forwards to; a
site-to-site VPN to the site; and connected cluster `edge` with private link enabled.

The `wrong_*.py` scripts next to it call `main()` with one thing changed, as a mistake in real
automation would. Where the emulator is comes from the environment `arcemu verify` sets
(ARCEMU_ARM_URL, ARCEMU_ADMIN_URL, ARCEMU_SUBSCRIPTION_ID, ARCEMU_TOKEN).
"""

from __future__ import annotations

import os
import time

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.hybridcompute import HybridComputeManagementClient
from azure.mgmt.hybridcompute import models as hc
from azure.mgmt.hybridkubernetes import ConnectedKubernetesClient
from azure.mgmt.hybridkubernetes import models as k8s
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as net
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.privatedns import models as pdns
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import GenericResource

ARM = os.environ["ARCEMU_ARM_URL"]
ADMIN = os.environ["ARCEMU_ADMIN_URL"]
SUB = os.environ["ARCEMU_SUBSCRIPTION_ID"]
TOKEN = os.environ.get("ARCEMU_TOKEN", "arcemu")

RG = "arc"
LOCATION = "eastus"
ZONES = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
]
AGENT_CERT = "MIIBCgKCAQEA-example"
SITE_FIREWALL = [
    {"destination": "AzureActiveDirectory", "port": 443},
    {"destination": "AzureResourceManager", "port": 443},
    {"destination": "MicrosoftContainerRegistry", "port": 443},
    {"destination": "AzureFrontDoor.FirstParty", "port": 443},
    {"destination": "AzureFrontDoor.FirstParty", "port": 443, "inbound": True},
]


class Token:
    """Any bearer token will do for the emulator."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken(TOKEN, int(time.time()) + 3600)


class AllowHttp(SansIOHTTPPolicy):
    """The SDK's bearer-token policy refuses http:// unless each request says otherwise:
    azure-core reads `enforce_https` from each request's context, so a client keyword is
    ignored. (Over the emulator's HTTPS listener no policy is needed: README, "From the Azure
    SDK for Python".)"""

    def on_request(self, request):
        request.context["enforce_https"] = False


def clients_kwargs() -> dict:
    return {
        "base_url": ARM,
        "credential_scopes": ["https://management.azure.com/.default"],
        "per_retry_policies": [AllowHttp()],
        "polling_interval": 0,
        "retry_total": 0,
    }


def admin_put(path: str, body: dict) -> None:
    """A lab object (site, forwarder VM, lab cluster) through the emulator's admin API."""
    r = requests.put(ADMIN + path, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=20)
    r.raise_for_status()


def main(
    *,
    public_network_access: str = "Disabled",
    group_id: str = "hybridcompute",
    zone_group: bool = True,
    link_zones: bool = True,
    empty_record: str | None = None,
    cluster_location: str = LOCATION,
    site_firewall: list | None = None,
    second_site_forwarder: str | None = None,
) -> None:
    cred = Token()
    rc = ResourceManagementClient(cred, SUB, **clients_kwargs())
    hcc = HybridComputeManagementClient(cred, SUB, **clients_kwargs())
    kc = ConnectedKubernetesClient(cred, SUB, **clients_kwargs())
    nc = NetworkManagementClient(cred, SUB, **clients_kwargs())
    dc = PrivateDnsManagementClient(cred, SUB, **clients_kwargs())

    if site_firewall is not None:  # the lab's firewall, as the team's network people left it
        admin_put("sites/hq", {"addressSpace": ["192.168.10.0/24"], "dns": {"forwarders": forwarders("10.10.3.4")}, "firewall": site_firewall})

    rc.resource_groups.create_or_update(RG, {"location": LOCATION})
    scope = hcc.private_link_scopes.create_or_update(
        RG,
        "arc-pls",
        hc.HybridComputePrivateLinkScope(
            location=LOCATION,
            properties=hc.HybridComputePrivateLinkScopeProperties(public_network_access=public_network_access),
        ),
    )
    print(f"scope {scope.id}")

    vnet = nc.virtual_networks.begin_create_or_update(
        RG,
        "hub",
        net.VirtualNetwork(
            location=LOCATION,
            address_space=net.AddressSpace(address_prefixes=["10.10.0.0/16"]),
            subnets=[
                net.Subnet(name="endpoints", address_prefix="10.10.1.0/24"),
                net.Subnet(name="GatewaySubnet", address_prefix="10.10.2.0/27"),
                net.Subnet(name="dns-inbound", address_prefix="10.10.3.0/28"),
            ],
        ),
    ).result()
    subnet = {s.name: s.id for s in vnet.subnets}

    zone_ids = []
    for zone in ZONES:
        z = dc.private_zones.begin_create_or_update(RG, zone, pdns.PrivateZone(location="global")).result()
        zone_ids.append(z.id)
        if link_zones:
            dc.virtual_network_links.begin_create_or_update(
                RG,
                zone,
                "hub",
                pdns.VirtualNetworkLink(location="global", virtual_network=pdns.SubResource(id=vnet.id), registration_enabled=False),
            ).result()

    endpoint = nc.private_endpoints.begin_create_or_update(
        RG,
        "arc-pe",
        net.PrivateEndpoint(
            location=LOCATION,
            subnet=net.Subnet(id=subnet["endpoints"]),
            private_link_service_connections=[
                net.PrivateLinkServiceConnection(name="arc", private_link_service_id=scope.id, group_ids=[group_id])
            ],
        ),
    ).result()
    print(f"private endpoint {endpoint.id}")
    if zone_group:
        nc.private_dns_zone_groups.begin_create_or_update(
            RG,
            "arc-pe",
            "default",
            net.PrivateDnsZoneGroup(
                private_dns_zone_configs=[
                    net.PrivateDnsZoneConfig(name=z.split("/")[-1].replace(".", "-"), private_dns_zone_id=z) for z in zone_ids
                ]
            ),
        ).result()
    if empty_record:  # "prepared ahead of time": a record set without its address
        dc.record_sets.create_or_update(RG, ZONES[0], "A", empty_record, pdns.RecordSet(ttl=10, a_records=[]))

    # The on-premises DNS server forwards the Arc zones here: a Private Resolver inbound endpoint.
    resolver = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/dnsResolvers/resolver"
    # (azure-mgmt-dnsresolver is not needed: the generic resources client sends the same PUT.)
    rc.resources.begin_create_or_update_by_id(
        resolver,
        GenericResource(location=LOCATION, properties={"virtualNetwork": {"id": vnet.id}}),
        api_version="2022-07-01",
    ).result()
    rc.resources.begin_create_or_update_by_id(
        resolver + "/inboundEndpoints/inbound",
        GenericResource(location=LOCATION, properties={"ipConfigurations": [{"subnet": {"id": subnet["dns-inbound"]}}]}),
        api_version="2022-07-01",
    ).result()

    # Site-to-site VPN between the hub and the on-premises sites (192.168.0.0/16).
    gateway = nc.virtual_network_gateways.begin_create_or_update(
        RG,
        "hub-gw",
        net.VirtualNetworkGateway(
            location=LOCATION,
            gateway_type="Vpn",
            vpn_type="RouteBased",
            ip_configurations=[
                net.VirtualNetworkGatewayIPConfiguration(name="default", subnet=net.SubResource(id=subnet["GatewaySubnet"]))
            ],
        ),
    ).result()
    local = nc.local_network_gateways.begin_create_or_update(
        RG,
        "hq",
        net.LocalNetworkGateway(
            location=LOCATION,
            gateway_ip_address="203.0.113.10",
            local_network_address_space=net.AddressSpace(address_prefixes=["192.168.0.0/16"]),
        ),
    ).result()
    nc.virtual_network_gateway_connections.begin_create_or_update(
        RG,
        "hub-to-hq",
        net.VirtualNetworkGatewayConnection(
            location=LOCATION,
            connection_type="IPsec",
            virtual_network_gateway1=net.VirtualNetworkGateway(id=gateway.id),
            local_network_gateway2=net.LocalNetworkGateway(id=local.id),
            shared_key="example-only",
        ),
    ).result()

    connect_cluster(kc, "edge", scope.id, cluster_location)

    if second_site_forwarder:  # a branch office whose DNS server forwards elsewhere
        admin_put("dns-forwarders/branch-dns", {"virtualNetwork": vnet.id, "address": second_site_forwarder})
        admin_put(
            "sites/branch",
            {"addressSpace": ["192.168.20.0/24"], "dns": {"forwarders": forwarders(second_site_forwarder)}, "firewall": SITE_FIREWALL},
        )
        cluster = connect_cluster(kc, "branch-edge", scope.id, cluster_location)
        admin_put("clusters/branch-edge", {"site": "branch", "connectedCluster": cluster.id})
    print("done")


def forwarders(target: str) -> list:
    return [{"domain": z.removeprefix("privatelink."), "targets": [target]} for z in ZONES]


def connect_cluster(kc, name: str, scope_id: str, location: str):
    """What `az connectedk8s connect --enable-private-link true --private-link-scope-resource-id` does to ARM."""
    cluster = kc.connected_cluster.begin_create_or_replace(
        RG,
        name,
        k8s.ConnectedCluster(
            location=location,
            identity=k8s.ConnectedClusterIdentity(type="SystemAssigned"),
            properties=k8s.ConnectedClusterProperties(
                agent_public_key_certificate=AGENT_CERT,
                private_link_state="Enabled",
                private_link_scope_resource_id=scope_id,
            ),
        ),
    ).result()
    print(f"connected cluster {cluster.id}")
    return cluster


if __name__ == "__main__":
    main()
