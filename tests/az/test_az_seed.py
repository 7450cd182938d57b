"""The seed's setup through the Azure CLI, as its reader would type it (seed sections "Network
configuration", "Create an Azure Arc Private Link Scope", "Create a private endpoint",
"Configure private links"), then the rules `az` gets refused with their messages."""

from __future__ import annotations

import json

import pytest

from conftest import SUB, TENANT

RG = "arc-pl"
LOCATION = "eastus"
VNET = "arc-vnet"
SUBNET = "pe-subnet"
NSG = "arc-nsg"
SCOPE = "arc-pls"
ENDPOINT = "arc-pe"
CLUSTER = "arc-cluster"
ZONES = {
    "privatelink.his.arc.azure.com": "his",
    "privatelink.guestconfiguration.azure.com": "gc",
    "privatelink.dp.kubernetesconfiguration.azure.com": "dp",
}
# The seed's NSG table: name, priority, destination service tag (outbound TCP 443 from the VNet).
NSG_RULES = [
    ("AllowAADOutboundAccess", "150", "AzureActiveDirectory"),
    ("AllowAzOutboundAccess", "151", "AzureResourceManager"),
    ("AllowAzureFrontDoorFirstPartyAccess", "152", "AzureFrontDoor.FirstParty"),
    ("AllowMCROutboundAccess", "153", "MicrosoftContainerRegistry"),
]
AGENT_CERT = "MIICCgKCAgEAuF6dX2Zt4G3K0cQ8vLrK0mP3xV1m0c1xq3R3b2l4n6H9bqTq3d0f5l0x3m1u8v2Yb7F2mQ1d8vE5yW6oQ=="
RG_ID = f"/subscriptions/{SUB}/resourceGroups/{RG}"
SCOPE_ID = f"{RG_ID}/providers/Microsoft.HybridCompute/privateLinkScopes/{SCOPE}"
ARC_FQDNS = {
    "gbl.his.arc.azure.com",
    "eus.his.arc.azure.com",
    "agentserviceapi.guestconfiguration.azure.com",
    "eastus-gas.guestconfiguration.azure.com",
    "eastus.dp.kubernetesconfiguration.azure.com",
}


def cluster_body(location: str, **properties) -> str:
    props = {"agentPublicKeyCertificate": AGENT_CERT, **properties}
    return json.dumps({"location": location, "identity": {"type": "SystemAssigned"}, "properties": props})


def create_cluster(az, name: str, location: str, **properties):
    """What `az connectedk8s connect --enable-private-link true --private-link-scope-resource-id`
    sends to ARM, through `az resource create` (the extension also needs a Kubernetes cluster)."""
    return az.run(
        "resource", "create", "--resource-group", RG, "--name", name,
        "--resource-type", "Microsoft.Kubernetes/connectedClusters",
        "--is-full-object", "--properties", cluster_body(location, **properties),
        "--output", "json", check=False,
    )


@pytest.fixture(scope="module")
def seed(az):
    """The seed's whole setup, every step through `az`; each call must succeed."""
    az.run("group", "create", "--name", RG, "--location", LOCATION, "--output", "none")
    az.run("network", "vnet", "create", "--resource-group", RG, "--name", VNET, "--location", LOCATION,
           "--address-prefixes", "10.20.0.0/16", "--subnet-name", SUBNET, "--subnet-prefixes", "10.20.1.0/24",
           "--output", "none")
    az.run("network", "nsg", "create", "--resource-group", RG, "--name", NSG, "--location", LOCATION,
           "--output", "none")
    for name, priority, tag in NSG_RULES:
        az.run("network", "nsg", "rule", "create", "--resource-group", RG, "--nsg-name", NSG, "--name", name,
               "--priority", priority, "--direction", "Outbound", "--access", "Allow", "--protocol", "Tcp",
               "--source-address-prefixes", "VirtualNetwork", "--source-port-ranges", "*",
               "--destination-address-prefixes", tag, "--destination-port-ranges", "443", "--output", "none")
    az.run("network", "vnet", "subnet", "update", "--resource-group", RG, "--vnet-name", VNET, "--name", SUBNET,
           "--network-security-group", NSG, "--private-endpoint-network-policies", "Disabled", "--output", "none")
    az.run("resource", "create", "--resource-group", RG, "--name", SCOPE,
           "--resource-type", "Microsoft.HybridCompute/privateLinkScopes", "--location", LOCATION,
           "--properties", json.dumps({"publicNetworkAccess": "Disabled"}), "--output", "none")
    endpoint = az.json("network", "private-endpoint", "create", "--resource-group", RG, "--name", ENDPOINT,
                       "--location", LOCATION, "--vnet-name", VNET, "--subnet", SUBNET,
                       "--private-connection-resource-id", SCOPE_ID, "--group-id", "hybridcompute",
                       "--connection-name", f"{ENDPOINT}-conn")
    for zone in ZONES:
        az.run("network", "private-dns", "zone", "create", "--resource-group", RG, "--name", zone,
               "--output", "none")
        az.run("network", "private-dns", "link", "vnet", "create", "--resource-group", RG, "--zone-name", zone,
               "--name", f"{VNET}-link", "--virtual-network", VNET, "--registration-enabled", "false",
               "--output", "none")
    for i, (zone, short) in enumerate(ZONES.items()):
        verb = "create" if i == 0 else "add"
        az.run("network", "private-endpoint", "dns-zone-group", verb, "--resource-group", RG,
               "--endpoint-name", ENDPOINT, "--name", "default", "--private-dns-zone", zone, "--zone-name", short,
               "--output", "none")
    created = create_cluster(az, CLUSTER, LOCATION, privateLinkState="Enabled", privateLinkScopeResourceId=SCOPE_ID)
    assert created.returncode == 0, created.stderr
    return {"endpoint": endpoint, "cluster": json.loads(created.stdout)}


def test_the_cloud_and_the_login_are_the_emulators(az):
    account = az.json("account", "show")
    assert account["environmentName"] == "arcemu"
    assert account["id"] == SUB and account["tenantId"] == TENANT
    assert account["user"] == {"name": "arcemu-app", "type": "servicePrincipal"}
    assert SUB in {s["id"] for s in az.json("account", "list")}
    cloud = az.json("cloud", "show", "--name", "arcemu")
    assert cloud["endpoints"]["resourceManager"] == az.https_url + "/"
    assert cloud["endpoints"]["activeDirectory"] == az.https_url + "/"
    assert cloud["suffixes"]["keyvaultDns"] == ".vault.azure.net"
    token = az.json("account", "get-access-token")
    assert token["tenant"] == TENANT and token["accessToken"].count(".") == 2


def test_seed_setup_through_az(az, seed):
    endpoint = seed["endpoint"]
    assert endpoint["provisioningState"] == "Succeeded"
    conn = endpoint["privateLinkServiceConnections"][0]
    assert conn["privateLinkServiceConnectionState"]["status"] == "Approved"
    assert {c["fqdn"] for c in endpoint["customDnsConfigs"]} == ARC_FQDNS
    rules = az.json("network", "nsg", "rule", "list", "--resource-group", RG, "--nsg-name", NSG)
    assert sorted((r["name"], r["priority"], r["destinationAddressPrefix"]) for r in rules) == sorted(
        (n, int(p), t) for n, p, t in NSG_RULES
    )
    subnet = az.json("network", "vnet", "subnet", "show", "--resource-group", RG, "--vnet-name", VNET,
                     "--name", SUBNET)
    assert subnet["networkSecurityGroup"]["id"].lower().endswith(f"/networksecuritygroups/{NSG}".lower())
    assert subnet["privateEndpointNetworkPolicies"] == "Disabled"
    records = {}
    for zone in ZONES:
        for rs in az.json("network", "private-dns", "record-set", "a", "list", "--resource-group", RG,
                          "--zone-name", zone):
            records[f"{rs['name']}.{zone.removeprefix('privatelink.')}"] = rs["aRecords"][0]["ipv4Address"]
    assert set(records) == ARC_FQDNS
    assert all(ip.startswith("10.20.1.") for ip in records.values()), records
    links = az.json("network", "private-dns", "link", "vnet", "list", "--resource-group", RG,
                    "--zone-name", "privatelink.his.arc.azure.com")
    assert [link["virtualNetworkLinkState"] for link in links] == ["Completed"]
    cluster = seed["cluster"]
    assert cluster["properties"]["privateLinkState"] == "Enabled"
    assert cluster["properties"]["privateLinkScopeResourceId"].lower() == SCOPE_ID.lower()
    shown = az.json("rest", "--method", "get", "--url",
                    f"{az.https_url}{RG_ID}/providers/Microsoft.Kubernetes/connectedClusters/{CLUSTER}"
                    "?api-version=2024-01-01")
    assert shown["properties"]["provisioningState"] == "Succeeded"


def test_pls001_a_second_scope_from_the_same_vnet_is_refused(az, seed):
    az.run("resource", "create", "--resource-group", RG, "--name", "other-pls",
           "--resource-type", "Microsoft.HybridCompute/privateLinkScopes", "--location", LOCATION,
           "--properties", "{}", "--output", "none")
    printed = az.refused("network", "private-endpoint", "create", "--resource-group", RG, "--name", "pe-other",
                         "--location", LOCATION, "--vnet-name", VNET, "--subnet", SUBNET,
                         "--private-connection-resource-id", f"{RG_ID}/providers/Microsoft.HybridCompute/privateLinkScopes/other-pls",
                         "--group-id", "hybridcompute", "--connection-name", "c2")
    assert "(VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope)" in printed, printed
    assert "You can associate at most one Azure Arc Private Link Scope with a virtual network" in printed, printed


def test_pls003_a_cluster_in_another_region_than_its_scope_is_refused(az, seed):
    proc = create_cluster(az, "cc-westus", "westus", privateLinkState="Enabled", privateLinkScopeResourceId=SCOPE_ID)
    assert proc.returncode != 0, proc.stdout
    assert '"ruleId": "PLS-003"' in proc.stderr, proc.stderr
    assert "westus" in proc.stderr and "eastus" in proc.stderr, proc.stderr


def test_pls010_private_link_enabled_without_a_scope_is_refused_through_az_rest(az, seed):
    url = f"{az.https_url}{RG_ID}/providers/Microsoft.Kubernetes/connectedClusters/cc-noscope?api-version=2024-01-01"
    printed = az.refused("rest", "--method", "put", "--url", url, "--body", cluster_body(LOCATION, privateLinkState="Enabled"))
    assert "InvalidPrivateLinkConfiguration" in printed, printed
    assert "The parameter '--private-link-scope-resource-id' was not provided" in printed, printed


def test_pls002_a_cluster_moves_to_another_scope_only_through_disabled(az, seed):
    other = f"{RG_ID}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-move"
    az.run("resource", "create", "--resource-group", RG, "--name", "pls-move",
           "--resource-type", "Microsoft.HybridCompute/privateLinkScopes", "--location", LOCATION,
           "--properties", "{}", "--output", "none")
    proc = create_cluster(az, CLUSTER, LOCATION, privateLinkState="Enabled", privateLinkScopeResourceId=other)
    assert proc.returncode != 0, proc.stdout
    assert "(PrivateLinkScopeAssociationConflict)" in proc.stderr, proc.stderr
    assert "A cluster can connect to only one Private Link Scope" in proc.stderr, proc.stderr


def test_no_request_left_the_machine(az, seed, trap):
    """Every az call above went to 127.0.0.1 only: the proxy trap saw no connection."""
    az.run("account", "show", "--output", "none")
    assert trap.seen == [], trap.seen
