"""Networking for Azure Arc private link through the real SDKs (azure-mgmt-network,
azure-mgmt-privatedns, azure-mgmt-hybridcompute): the seed's whole setup, the manual
approval of an endpoint connection, the rules that bind networks to Private Link Scopes
(PLS-001, PLS-004, PLS-005, PLS-012, PLS-013), bad input, and the side effects of deletes.

The server-side contract: crates/model/src/net/{build,render}.rs, crates/model/src/rules.rs
and crates/model/src/world.rs."""

import ipaddress
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.hybridcompute import models as hc_models
from azure.mgmt.network import models as net_models
from azure.mgmt.privatedns import models as dns_models

from arcemu_sdk import (
    DEFAULT_SECURITY_RULES,
    DP_ZONE,
    GC_ZONE,
    HIS_ZONE,
    SEED_NSG_RULES,
    SUB,
    SUB2,
    a_records,
    arc_fqdns,
    arc_records,
    assert_refused,
    create_endpoint,
    create_scope,
    create_vnet,
    create_zone,
    endpoint_body,
    error_target,
    link_zone,
    same_id,
    scope_id,
    security_rule,
    seed_nsg_body,
    subnet_id,
    uniq,
    vnet_body,
    zone_group_body,
    zone_id,
)

SEED_ZONES = [HIS_ZONE, GC_ZONE, DP_ZONE]
CONN_TARGET = "properties.privateLinkServiceConnections[0].properties"


def endpoint_ips(pe) -> dict:
    """{fqdn: [addresses]} of an endpoint's customDnsConfigs."""
    return {c.fqdn: list(c.ip_addresses) for c in pe.custom_dns_configs}


def connection_state(pe):
    conns = list(pe.private_link_service_connections or []) + list(pe.manual_private_link_service_connections or [])
    assert len(conns) == 1, pe.as_dict()
    return conns[0].private_link_service_connection_state


def scope_connections(hc, rg: str, scope_name: str) -> list:
    return list(hc.private_endpoint_connections.list_by_private_link_scope(rg, scope_name))


def connection_of(hc, rg: str, scope_name: str, pe):
    mine = [c for c in scope_connections(hc, rg, scope_name) if same_id(c.properties.private_endpoint.id, pe.id)]
    assert len(mine) == 1, f"scope {scope_name} has {len(mine)} connections of {pe.id}"
    return mine[0]


def set_connection_state(hc, rg: str, scope_name: str, name: str, status: str, description: str):
    body = hc_models.PrivateEndpointConnection(
        properties=hc_models.PrivateEndpointConnectionProperties(
            private_link_service_connection_state=hc_models.PrivateLinkServiceConnectionStateProperty(
                status=status, description=description
            )
        )
    )
    return hc.private_endpoint_connections.begin_create_or_update(rg, scope_name, name, body).result()


def seed_setup(sdk, rg: str) -> dict:
    """The seed, step by step: VNet and subnet, scope, zones linked to the VNet, private
    endpoint, zone group, NSG on the subnet. Returns what the tests read back."""
    net, dns, hc = sdk.net, sdk.dns, sdk.hc
    vnet = create_vnet(net, rg, uniq("vnet"), "10.10.0.0/16", {"pe-subnet": "10.10.1.0/24"})
    scope = create_scope(hc, rg, uniq("pls"), location="eastus", public="Disabled")
    links = {}
    for zone in SEED_ZONES:
        created = create_zone(dns, rg, zone)
        assert created.location == "global"
        links[zone] = link_zone(dns, rg, zone, vnet.id)
    sid = subnet_id(SUB, rg, vnet.name, "pe-subnet")
    pe = create_endpoint(net, rg, sid, scope.id, uniq("pe"))
    group = net.private_dns_zone_groups.begin_create_or_update(
        rg, pe.name, "default", zone_group_body([zone_id(SUB, rg, z) for z in SEED_ZONES])
    ).result()
    nsg = net.network_security_groups.begin_create_or_update(rg, uniq("nsg"), seed_nsg_body()).result()
    subnet = net.subnets.begin_create_or_update(
        rg,
        vnet.name,
        "pe-subnet",
        net_models.Subnet(address_prefix="10.10.1.0/24", network_security_group=net_models.NetworkSecurityGroup(id=nsg.id)),
    ).result()
    return {"vnet": vnet, "scope": scope, "links": links, "pe": pe, "group": group, "nsg": nsg, "subnet": subnet}


# ------------------------------------------------------------------ the seed's setup


def test_seed_setup_through_the_sdk(sdk, rg):
    s = seed_setup(sdk, rg)
    net, dns, hc = sdk.net, sdk.dns, sdk.hc
    vnet, scope, pe, nsg = s["vnet"], s["scope"], s["pe"], s["nsg"]

    assert vnet.provisioning_state == "Succeeded"
    assert vnet.address_space.address_prefixes == ["10.10.0.0/16"]
    assert [(sn.name, sn.address_prefix) for sn in vnet.subnets] == [("pe-subnet", "10.10.1.0/24")]
    assert scope.properties.public_network_access == "Disabled"
    for zone, link in s["links"].items():
        assert link.registration_enabled is False
        assert same_id(link.virtual_network.id, vnet.id)
        assert link.virtual_network_link_state == "Completed"
        assert dns.private_zones.get(rg, zone).number_of_virtual_network_links == 1

    # The endpoint: one private IP per Arc FQDN, from the subnet's first usable address on.
    got = net.private_endpoints.get(rg, pe.name)
    assert got.provisioning_state == "Succeeded"
    assert same_id(got.subnet.id, subnet_id(SUB, rg, vnet.name, "pe-subnet"))
    assert len(got.custom_dns_configs) == 5
    ips = endpoint_ips(got)
    assert list(ips) == arc_fqdns("eastus", "eus")
    assert all(len(v) == 1 for v in ips.values()), ips
    addresses = [v[0] for v in ips.values()]
    assert len(set(addresses)) == 5, addresses
    subnet_net = ipaddress.ip_network("10.10.1.0/24")
    assert all(ipaddress.ip_address(a) in subnet_net for a in addresses), addresses
    assert min(addresses, key=ipaddress.ip_address) == "10.10.1.4"
    assert addresses == [f"10.10.1.{i}" for i in range(4, 9)]
    assert got.manual_private_link_service_connections == []
    conn = got.private_link_service_connections[0]
    assert same_id(conn.private_link_service_id, scope.id)
    assert conn.group_ids == ["hybridcompute"]
    assert connection_state(got).status == "Approved"
    assert got.network_interfaces and got.network_interfaces[0].id

    # The scope lists the connection, named <endpoint>.<guid>, approved.
    listed = connection_of(hc, rg, scope.name, got)
    prefix, _, guid = listed.name.partition(".")
    assert prefix == pe.name and uuid.UUID(guid)
    assert listed.properties.private_link_service_connection_state.status == "Approved"
    assert listed.properties.group_ids == ["hybridcompute"]
    assert same_id(hc.private_endpoint_connections.get(rg, scope.name, listed.name).id, listed.id)
    in_scope = hc.private_link_scopes.get(rg, scope.name).properties.private_endpoint_connections
    assert [c.id.lower() for c in in_scope] == [listed.id.lower()]

    # The zone group wrote one A record per FQDN, with the endpoint's addresses, TTL 10.
    by_fqdn = {fqdn: v[0] for fqdn, v in ips.items()}
    for zone, records in arc_records("eastus", "eus").items():
        expected = {name: [by_fqdn[fqdn]] for name, fqdn in records.items()}
        assert a_records(dns, rg, zone) == expected, zone
        for name in records:
            rs = dns.record_sets.get(rg, zone, "A", name)
            assert rs.ttl == 10
            assert rs.fqdn == f"{name}.{zone}."
        listed_all = {r.name for r in dns.record_sets.list(rg, zone) if r.type.lower().endswith("/a")}
        assert listed_all == set(records)
    group = net.private_dns_zone_groups.get(rg, pe.name, "default")
    assert group.provisioning_state == "Succeeded"
    assert sorted(c.private_dns_zone_id.lower() for c in group.private_dns_zone_configs) == sorted(
        zone_id(SUB, rg, z).lower() for z in SEED_ZONES
    )
    written = {
        rs.fqdn: list(rs.ip_addresses) for c in group.private_dns_zone_configs for rs in (c.record_sets or [])
    }
    assert written == {f"{name}.{zone}": [by_fqdn[fqdn]] for zone, r in arc_records().items() for name, fqdn in r.items()}

    # The NSG: the seed's four outbound rules plus Azure's six defaults, on the subnet.
    got_nsg = net.network_security_groups.get(rg, nsg.name)
    rules = {r.name: r for r in got_nsg.security_rules}
    assert set(rules) == {n for n, _, _ in SEED_NSG_RULES}
    for name, priority, tag in SEED_NSG_RULES:
        r = rules[name]
        assert (r.priority, r.direction, r.access, r.protocol) == (priority, "Outbound", "Allow", "Tcp"), name
        assert (r.source_address_prefix, r.destination_address_prefix) == ("VirtualNetwork", tag), name
        assert (r.source_port_range, r.destination_port_range) == ("*", "443"), name
    assert {r.name for r in got_nsg.default_security_rules} == DEFAULT_SECURITY_RULES
    assert [sn.id.lower() for sn in got_nsg.subnets] == [subnet_id(SUB, rg, vnet.name, "pe-subnet").lower()]
    assert {r.name for r in net.security_rules.list(rg, nsg.name)} == set(rules)
    assert net.security_rules.get(rg, nsg.name, "AllowMCROutboundAccess").priority == 153
    sn = net.subnets.get(rg, vnet.name, "pe-subnet")
    assert same_id(sn.network_security_group.id, nsg.id)
    assert [e.id.lower() for e in sn.private_endpoints] == [pe.id.lower()]
    in_vnet = net.virtual_networks.get(rg, vnet.name).subnets
    assert len(in_vnet) == 1 and same_id(in_vnet[0].network_security_group.id, nsg.id)


def test_second_endpoint_takes_the_next_addresses(sdk, rg):
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg, uniq("vnet"), "10.10.0.0/16", {"pe-subnet": "10.10.1.0/24"})
    scope = create_scope(hc, rg)
    sid = subnet_id(SUB, rg, vnet.name, "pe-subnet")
    first = create_endpoint(net, rg, sid, scope.id)
    second = create_endpoint(net, rg, sid, scope.id)
    a = [v[0] for v in endpoint_ips(first).values()]
    b = [v[0] for v in endpoint_ips(second).values()]
    assert a == [f"10.10.1.{i}" for i in range(4, 9)]
    assert b == [f"10.10.1.{i}" for i in range(9, 14)]
    assert len(scope_connections(hc, rg, scope.name)) == 2


def test_endpoint_re_put_keeps_addresses_and_connection(sdk, rg):
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg)
    scope = create_scope(hc, rg)
    sid = subnet_id(SUB, rg, vnet.name, "default")
    pe = create_endpoint(net, rg, sid, scope.id)
    conn = connection_of(hc, rg, scope.name, pe)
    statuses = []
    again = net.private_endpoints.begin_create_or_update(
        rg, pe.name, endpoint_body(sid, scope.id), raw_response_hook=lambda r: statuses.append(r.http_response.status_code)
    ).result()
    assert statuses[0] == 200, "PUT of an existing endpoint answers 200"
    assert endpoint_ips(again) == endpoint_ips(pe)
    assert [n.id for n in again.network_interfaces] == [n.id for n in pe.network_interfaces]
    assert [c.name for c in scope_connections(hc, rg, scope.name)] == [conn.name]

    # Moving an existing endpoint to another subnet is refused (Azure recreates endpoints).
    net.subnets.begin_create_or_update(rg, vnet.name, "other", net_models.Subnet(address_prefix="10.10.2.0/24")).result()
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "other"), scope.id, pe.name)
    e = assert_refused(ei, 400, "PropertyChangeNotAllowed")
    assert error_target(e) == "properties.subnet.id"


def test_subnet_too_small_for_another_endpoint(sdk, rg):
    """An Arc endpoint takes five addresses; a /28 has 11 usable ones (Azure keeps the first
    four and the last), so two endpoints fit and the third does not."""
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg, subnets={"small": "10.10.2.0/28", "tiny": "10.10.3.0/29"})
    scope = create_scope(hc, rg)
    small = subnet_id(SUB, rg, vnet.name, "small")
    create_endpoint(net, rg, small, scope.id)
    second = create_endpoint(net, rg, small, scope.id)
    assert [v[0] for v in endpoint_ips(second).values()] == [f"10.10.2.{i}" for i in range(9, 14)]
    for sid in (small, subnet_id(SUB, rg, vnet.name, "tiny")):
        with pytest.raises(HttpResponseError) as ei:
            create_endpoint(net, rg, sid, scope.id)
        e = assert_refused(ei, 400, "SubnetIsFull")
        assert error_target(e) == "properties.subnet.id"
    assert len(scope_connections(hc, rg, scope.name)) == 2


def test_addresses_of_a_deleted_endpoint_are_reused(sdk, rg):
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg)
    scope = create_scope(hc, rg)
    sid = subnet_id(SUB, rg, vnet.name, "default")
    first = create_endpoint(net, rg, sid, scope.id)
    create_endpoint(net, rg, sid, scope.id)
    net.private_endpoints.begin_delete(rg, first.name).result()
    third = create_endpoint(net, rg, sid, scope.id)
    assert [v[0] for v in endpoint_ips(third).values()] == [f"10.10.1.{i}" for i in range(4, 9)]


# ------------------------------------------------------------------ deletes


def test_deleting_the_endpoint_removes_records_and_scope_connection(sdk, rg):
    s = seed_setup(sdk, rg)
    net, dns, hc = sdk.net, sdk.dns, sdk.hc
    pe, scope = s["pe"], s["scope"]
    conn = connection_of(hc, rg, scope.name, pe)
    assert all(a_records(dns, rg, z) for z in SEED_ZONES)

    net.private_endpoints.begin_delete(rg, pe.name).result()

    with pytest.raises(ResourceNotFoundError):
        net.private_endpoints.get(rg, pe.name)
    with pytest.raises(ResourceNotFoundError):
        net.private_dns_zone_groups.get(rg, pe.name, "default")
    for zone in SEED_ZONES:
        assert a_records(dns, rg, zone) == {}, zone
        assert dns.private_zones.get(rg, zone).number_of_virtual_network_links == 1, "links stay"
    assert scope_connections(hc, rg, scope.name) == []
    with pytest.raises(ResourceNotFoundError):
        hc.private_endpoint_connections.get(rg, scope.name, conn.name)
    assert not hc.private_link_scopes.get(rg, scope.name).properties.private_endpoint_connections
    assert not net.subnets.get(rg, s["vnet"].name, "pe-subnet").private_endpoints

    # The subnet is free again: it can be deleted now.
    net.subnets.begin_delete(rg, s["vnet"].name, "pe-subnet").result()
    assert net.virtual_networks.get(rg, s["vnet"].name).subnets == []


def test_deleting_the_zone_group_removes_only_its_records(sdk, rg):
    s = seed_setup(sdk, rg)
    net, dns, hc = sdk.net, sdk.dns, sdk.hc
    net.private_dns_zone_groups.begin_delete(rg, s["pe"].name, "default").result()
    for zone in SEED_ZONES:
        assert a_records(dns, rg, zone) == {}, zone
    assert len(net.private_endpoints.get(rg, s["pe"].name).custom_dns_configs) == 5
    assert connection_of(hc, rg, s["scope"].name, s["pe"]).properties.private_link_service_connection_state.status == (
        "Approved"
    )


def test_zone_group_re_put_with_fewer_zones_drops_the_other_records(sdk, rg):
    s = seed_setup(sdk, rg)
    net, dns = sdk.net, sdk.dns
    net.private_dns_zone_groups.begin_create_or_update(
        rg, s["pe"].name, "default", zone_group_body([zone_id(SUB, rg, HIS_ZONE)])
    ).result()
    assert set(a_records(dns, rg, HIS_ZONE)) == {"gbl", "eus"}
    assert a_records(dns, rg, GC_ZONE) == {}
    assert a_records(dns, rg, DP_ZONE) == {}


def test_connection_deleted_on_the_scope_side_shows_disconnected(sdk, rg):
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg)
    scope = create_scope(hc, rg)
    pe = create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id)
    conn = connection_of(hc, rg, scope.name, pe)
    hc.private_endpoint_connections.begin_delete(rg, scope.name, conn.name).result()
    assert scope_connections(hc, rg, scope.name) == []
    assert connection_state(net.private_endpoints.get(rg, pe.name)).status == "Disconnected"
    net.private_endpoints.begin_delete(rg, pe.name).result()


def test_resources_in_use_cannot_be_deleted(sdk, rg):
    s = seed_setup(sdk, rg)
    net, dns = sdk.net, sdk.dns
    with pytest.raises(HttpResponseError) as ei:
        net.virtual_networks.begin_delete(rg, s["vnet"].name).result()
    assert_refused(ei, 400, "InUseSubnetCannotBeDeleted")
    with pytest.raises(HttpResponseError) as ei:
        net.network_security_groups.begin_delete(rg, s["nsg"].name).result()
    e = assert_refused(ei, 400, "InUseNetworkSecurityGroupCannotBeDeleted")
    assert "pe-subnet" in e.error.message
    with pytest.raises(HttpResponseError) as ei:
        dns.private_zones.begin_delete(rg, HIS_ZONE).result()
    assert_refused(ei, 409, "CannotDeleteResource")
    assert net.virtual_networks.get(rg, s["vnet"].name).subnets[0].name == "pe-subnet"
    assert dns.private_zones.get(rg, HIS_ZONE).name == HIS_ZONE


# ------------------------------------------------------------------ PLS-012 (manual approval)


def test_pls012_manual_connection_approve_reject_and_no_way_back(sdk, rg):
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg)
    scope = create_scope(hc, rg)
    sid = subnet_id(SUB, rg, vnet.name, "default")
    pe = create_endpoint(net, rg, sid, scope.id, manual=True, request_message="please approve")
    assert pe.private_link_service_connections == []
    assert len(pe.manual_private_link_service_connections) == 1
    assert pe.manual_private_link_service_connections[0].request_message == "please approve"
    assert connection_state(pe).status == "Pending"
    assert len(pe.custom_dns_configs) == 5, "a pending endpoint has its addresses already"

    conn = connection_of(hc, rg, scope.name, pe)
    assert conn.name.startswith(pe.name + ".")
    assert conn.properties.private_link_service_connection_state.status == "Pending"

    approved = set_connection_state(hc, rg, scope.name, conn.name, "Approved", "approved by the test")
    assert approved.properties.private_link_service_connection_state.status == "Approved"
    assert approved.properties.private_link_service_connection_state.description == "approved by the test"
    got = net.private_endpoints.get(rg, pe.name)
    assert connection_state(got).status == "Approved"
    assert connection_state(got).description == "approved by the test"

    rejected = set_connection_state(hc, rg, scope.name, conn.name, "Rejected", "no longer wanted")
    assert rejected.properties.private_link_service_connection_state.status == "Rejected"
    assert connection_state(net.private_endpoints.get(rg, pe.name)).status == "Rejected"

    with pytest.raises(HttpResponseError) as ei:
        set_connection_state(hc, rg, scope.name, conn.name, "Approved", "try again")
    e = assert_refused(ei, 400, "InvalidPrivateEndpointConnectionStateTransition", "PLS-012")
    assert error_target(e) == "properties.privateLinkServiceConnectionState.status"
    assert "Rejected" in e.error.message
    assert connection_state(net.private_endpoints.get(rg, pe.name)).status == "Rejected", "a refusal changes nothing"


def test_pls012_manual_connection_rejected_while_pending(sdk, rg):
    net, hc = sdk.net, sdk.hc
    vnet = create_vnet(net, rg)
    scope = create_scope(hc, rg)
    pe = create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id, manual=True)
    conn = connection_of(hc, rg, scope.name, pe)
    set_connection_state(hc, rg, scope.name, conn.name, "Rejected", "no")
    assert connection_state(net.private_endpoints.get(rg, pe.name)).status == "Rejected"
    with pytest.raises(HttpResponseError) as ei:
        set_connection_state(hc, rg, scope.name, conn.name, "Pending", "back to pending")
    assert_refused(ei, 400, "InvalidPrivateEndpointConnectionStateTransition", "PLS-012")


# ------------------------------------------------------------------ PLS-001


def test_pls001_one_scope_per_virtual_network(sdk, rg):
    net, hc = sdk.net, sdk.hc
    a = create_scope(hc, rg, uniq("pls-a"))
    b = create_scope(hc, rg, uniq("pls-b"))
    vnet = create_vnet(net, rg, uniq("vnet"), "10.20.0.0/16", {"one": "10.20.1.0/24", "two": "10.20.2.0/24"})
    one = subnet_id(SUB, rg, vnet.name, "one")
    two = subnet_id(SUB, rg, vnet.name, "two")
    to_a = create_endpoint(net, rg, one, a.id)
    assert connection_state(to_a).status == "Approved"

    name = uniq("pe-b")
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, two, b.id, name)
    e = assert_refused(ei, 400, "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope", "PLS-001")
    assert error_target(e) == f"{CONN_TARGET}.privateLinkServiceId"
    assert a.name in e.error.message
    with pytest.raises(ResourceNotFoundError):
        net.private_endpoints.get(rg, name)
    assert scope_connections(hc, rg, b.name) == []

    again = create_endpoint(net, rg, two, a.id)
    assert connection_state(again).status == "Approved"
    assert len(scope_connections(hc, rg, a.name)) == 2

    # Another virtual network can use scope B.
    other = create_vnet(net, rg, uniq("vnet"), "10.30.0.0/16", {"default": "10.30.1.0/24"})
    create_endpoint(net, rg, subnet_id(SUB, rg, other.name, "default"), b.id)


def test_pls001_virtual_network_is_free_again_once_its_endpoints_are_gone(sdk, rg):
    net, hc = sdk.net, sdk.hc
    a = create_scope(hc, rg, uniq("pls-a"))
    b = create_scope(hc, rg, uniq("pls-b"))
    vnet = create_vnet(net, rg)
    sid = subnet_id(SUB, rg, vnet.name, "default")
    pe = create_endpoint(net, rg, sid, a.id)
    net.private_endpoints.begin_delete(rg, pe.name).result()
    assert connection_state(create_endpoint(net, rg, sid, b.id)).status == "Approved"


def test_pls001_message_names_the_other_scope_as_created(sdk, rg):
    net, hc = sdk.net, sdk.hc
    a = create_scope(hc, rg, uniq("Pls-A"))
    b = create_scope(hc, rg, uniq("Pls-B"))
    vnet = create_vnet(net, rg, subnets={"one": "10.10.1.0/24", "two": "10.10.2.0/24"})
    create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "one"), a.id)
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "two"), b.id)
    e = assert_refused(ei, 400, "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope", "PLS-001")
    assert a.id in e.error.message


# ------------------------------------------------------------------ PLS-004


def test_pls004_endpoint_in_another_region_than_its_network(sdk, rg):
    net, hc = sdk.net, sdk.hc
    scope = create_scope(hc, rg, location="eastus")
    vnet = create_vnet(net, rg, location="eastus")
    name = uniq("pe")
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id, name, location="westus2")
    e = assert_refused(ei, 400, "InvalidResourceReference", "PLS-004", "verified")
    assert error_target(e) == "properties.subnet.id"
    assert "same region" in e.error.message
    with pytest.raises(ResourceNotFoundError):
        net.private_endpoints.get(rg, name)


def test_pls004_network_and_endpoint_in_another_region_than_the_scope(sdk, make_rg):
    """Default region profile: the endpoint follows its network's region, which may differ
    from the scope's. The FQDNs are those of the scope's region."""
    net, hc = sdk.net, sdk.hc
    rg = make_rg(SUB, "westus2")
    scope = create_scope(hc, rg, location="eastus")
    vnet = create_vnet(net, rg, location="westus2")
    pe = create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id, location="westus2")
    assert pe.location == "westus2"
    assert connection_state(pe).status == "Approved"
    assert list(endpoint_ips(pe)) == arc_fqdns("eastus", "eus")


# ------------------------------------------------------------------ PLS-005


def test_pls005_network_in_another_subscription_than_the_scope(sdk, sdk2, make_rg):
    sdk2.ensure_registered("Microsoft.Network")
    rg1 = make_rg(SUB)
    scope = create_scope(sdk.hc, rg1, location="eastus")
    rg2 = make_rg(SUB2, "eastus")
    vnet = create_vnet(sdk2.net, rg2)
    name = uniq("pe")
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(sdk2.net, rg2, subnet_id(SUB2, rg2, vnet.name, "default"), scope.id, name)
    e = assert_refused(ei, 400, "PrivateLinkScopeSubscriptionMismatch", "PLS-005", "inferred")
    assert error_target(e) == "properties.subnet.id"
    assert SUB in e.error.message and SUB2 in e.error.message
    with pytest.raises(ResourceNotFoundError):
        sdk2.net.private_endpoints.get(rg2, name)
    assert scope_connections(sdk.hc, rg1, scope.name) == []


# ------------------------------------------------------------------ PLS-013


@pytest.mark.parametrize("manual", [False, True], ids=["automatic", "manual"])
def test_pls013_wrong_group_id(sdk, rg, manual):
    net, hc = sdk.net, sdk.hc
    scope = create_scope(hc, rg)
    vnet = create_vnet(net, rg)
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id, group_ids=["blob"], manual=manual)
    e = assert_refused(ei, 400, "PrivateEndpointInvalidGroupId", "PLS-013")
    lst = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    assert error_target(e) == f"properties.{lst}[0].properties.groupIds"
    assert "blob" in e.error.message and "hybridcompute" in e.error.message
    assert scope_connections(hc, rg, scope.name) == []


@pytest.mark.parametrize("group_ids", [[], None], ids=["empty", "missing"])
def test_pls013_missing_group_id(sdk, rg, group_ids):
    net, hc = sdk.net, sdk.hc
    scope = create_scope(hc, rg)
    vnet = create_vnet(net, rg)
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id, group_ids=group_ids)
    e = assert_refused(ei, 400, "MissingParameterOnPrivateLinkServiceConnection", "PLS-013", "verified")
    assert error_target(e) == f"{CONN_TARGET}.groupIds"
    assert "group Id" in e.error.message


# ------------------------------------------------------------------ bad input


def test_nested_subnets_overlap(net, rg):
    with pytest.raises(HttpResponseError) as ei:
        net.virtual_networks.begin_create_or_update(
            rg, uniq("vnet"), vnet_body(["10.10.0.0/16"], {"a": "10.10.1.0/24", "b": "10.10.1.128/25"})
        ).result()
    e = assert_refused(ei, 400, "NetcfgSubnetRangesOverlap")
    assert error_target(e) == "properties.subnets[1].properties.addressPrefix"


def test_standalone_subnet_overlaps_a_sibling(net, rg):
    vnet = create_vnet(net, rg)
    with pytest.raises(HttpResponseError) as ei:
        net.subnets.begin_create_or_update(rg, vnet.name, "other", net_models.Subnet(address_prefix="10.10.1.0/25")).result()
    e = assert_refused(ei, 400, "NetcfgSubnetRangesOverlap")
    assert error_target(e) == "properties.addressPrefix"
    assert "other" in e.error.message
    assert [s.name for s in net.virtual_networks.get(rg, vnet.name).subnets] == ["default"]


def test_subnet_outside_the_address_space(net, rg):
    with pytest.raises(HttpResponseError) as ei:
        net.virtual_networks.begin_create_or_update(
            rg, uniq("vnet"), vnet_body(["10.10.0.0/16"], {"ok": "10.10.1.0/24", "out": "10.11.1.0/24"})
        ).result()
    e = assert_refused(ei, 400, "NetcfgSubnetRangeOutsideVnet")
    assert error_target(e) == "properties.subnets[1].properties.addressPrefix"

    vnet = create_vnet(net, rg)
    with pytest.raises(HttpResponseError) as ei:
        net.subnets.begin_create_or_update(rg, vnet.name, "out", net_models.Subnet(address_prefix="192.168.0.0/24")).result()
    e = assert_refused(ei, 400, "NetcfgSubnetRangeOutsideVnet")
    assert error_target(e) == "properties.addressPrefix"


def test_prefix_with_host_bits_set(net, rg):
    with pytest.raises(HttpResponseError) as ei:
        net.virtual_networks.begin_create_or_update(rg, uniq("vnet"), vnet_body(["10.10.0.1/16"])).result()
    e = assert_refused(ei, 400, "InvalidCIDRNotation")
    assert error_target(e) == "properties.addressSpace.addressPrefixes[0]"
    assert "10.10.0.0/16" in e.error.message

    with pytest.raises(HttpResponseError) as ei:
        net.virtual_networks.begin_create_or_update(
            rg, uniq("vnet"), vnet_body(["10.10.0.0/16"], {"default": "10.10.1.5/24"})
        ).result()
    e = assert_refused(ei, 400, "InvalidCIDRNotation")
    assert error_target(e) == "properties.subnets[0].properties.addressPrefix"
    assert "10.10.1.0/24" in e.error.message


@pytest.mark.parametrize("priority", [99, 4097])
def test_security_rule_priority_out_of_range(net, rg, priority):
    with pytest.raises(HttpResponseError) as ei:
        net.network_security_groups.begin_create_or_update(
            rg,
            uniq("nsg"),
            net_models.NetworkSecurityGroup(location="eastus", security_rules=[security_rule("r", priority)]),
        ).result()
    e = assert_refused(ei, 400, "SecurityRuleInvalidPriority")
    assert error_target(e) == "properties.securityRules[0].properties.priority"
    assert str(priority) in e.error.message

    nsg = net.network_security_groups.begin_create_or_update(rg, uniq("nsg"), seed_nsg_body()).result()
    with pytest.raises(HttpResponseError) as ei:
        net.security_rules.begin_create_or_update(rg, nsg.name, "r", security_rule("r", priority)).result()
    e = assert_refused(ei, 400, "SecurityRuleInvalidPriority")
    assert error_target(e) == "properties.priority"


def test_security_rule_priority_bounds_are_inclusive(net, rg):
    nsg = net.network_security_groups.begin_create_or_update(
        rg,
        uniq("nsg"),
        net_models.NetworkSecurityGroup(location="eastus", security_rules=[security_rule("lo", 100), security_rule("hi", 4096)]),
    ).result()
    assert sorted(r.priority for r in nsg.security_rules) == [100, 4096]


def test_security_rule_duplicate_priority_in_one_direction(net, rg):
    rules = [security_rule("first", 200), security_rule("second", 200)]
    with pytest.raises(HttpResponseError) as ei:
        net.network_security_groups.begin_create_or_update(
            rg, uniq("nsg"), net_models.NetworkSecurityGroup(location="eastus", security_rules=rules)
        ).result()
    e = assert_refused(ei, 400, "SecurityRuleConflict")
    assert error_target(e) == "properties.securityRules[1].properties.priority"
    assert "first" in e.error.message and "second" in e.error.message

    # The same priority in the other direction is fine.
    both = [security_rule("out", 200), security_rule("in", 200, direction="Inbound")]
    nsg = net.network_security_groups.begin_create_or_update(
        rg, uniq("nsg"), net_models.NetworkSecurityGroup(location="eastus", security_rules=both)
    ).result()
    assert len(nsg.security_rules) == 2

    # A standalone rule that takes an existing rule's priority and direction.
    with pytest.raises(HttpResponseError) as ei:
        net.security_rules.begin_create_or_update(rg, nsg.name, "third", security_rule("third", 200)).result()
    e = assert_refused(ei, 400, "SecurityRuleConflict")
    assert error_target(e) == "properties.priority"
    assert {r.name for r in net.security_rules.list(rg, nsg.name)} == {"out", "in"}


def test_endpoint_to_a_missing_scope(net, rg):
    vnet = create_vnet(net, rg)
    missing = scope_id(SUB, rg, uniq("no-such-scope"))
    with pytest.raises(HttpResponseError) as ei:
        create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), missing)
    e = assert_refused(ei, 400, "PrivateLinkServiceNotFound")
    assert error_target(e) == f"{CONN_TARGET}.privateLinkServiceId"
    assert missing.lower() in e.error.message.lower()


def test_endpoint_to_a_missing_subnet(sdk, rg):
    net, hc = sdk.net, sdk.hc
    scope = create_scope(hc, rg)
    vnet = create_vnet(net, rg)
    for missing in (subnet_id(SUB, rg, vnet.name, "nope"), subnet_id(SUB, rg, uniq("no-vnet"), "default")):
        with pytest.raises(HttpResponseError) as ei:
            create_endpoint(net, rg, missing, scope.id)
        e = assert_refused(ei, 400, "InvalidResourceReference", fidelity="verified")
        assert error_target(e) == "properties.subnet.id"
        assert missing.lower() in e.error.message.lower()


def test_second_link_of_one_network_to_a_zone(sdk, rg):
    net, dns = sdk.net, sdk.dns
    vnet = create_vnet(net, rg)
    create_zone(dns, rg, HIS_ZONE)
    first = link_zone(dns, rg, HIS_ZONE, vnet.id, "first")
    with pytest.raises(HttpResponseError) as ei:
        link_zone(dns, rg, HIS_ZONE, vnet.id, "second")
    e = assert_refused(ei, 409, "Conflict")
    assert error_target(e) == "properties.virtualNetwork.id"
    assert [link.name for link in dns.virtual_network_links.list(rg, HIS_ZONE)] == [first.name]
    # Re-PUT of the same link is an update, not a conflict.
    assert link_zone(dns, rg, HIS_ZONE, vnet.id, "first").name == "first"


def test_private_zone_outside_global(dns, rg):
    with pytest.raises(HttpResponseError) as ei:
        create_zone(dns, rg, HIS_ZONE, location="eastus")
    e = assert_refused(ei, 400, "LocationNotAvailableForResourceType")
    assert error_target(e) == "location"
    assert "global" in e.error.message
    with pytest.raises(ResourceNotFoundError):
        dns.private_zones.get(rg, HIS_ZONE)


def test_deleting_a_subnet_used_by_an_endpoint(sdk, rg):
    net, hc = sdk.net, sdk.hc
    scope = create_scope(hc, rg)
    vnet = create_vnet(net, rg)
    pe = create_endpoint(net, rg, subnet_id(SUB, rg, vnet.name, "default"), scope.id)

    with pytest.raises(HttpResponseError) as ei:
        net.subnets.begin_delete(rg, vnet.name, "default").result()
    e = assert_refused(ei, 400, "InUseSubnetCannotBeDeleted", fidelity="verified")
    assert pe.name in e.error.message

    # Dropping the subnet from the VNet's list is the same delete.
    with pytest.raises(HttpResponseError) as ei:
        net.virtual_networks.begin_create_or_update(rg, vnet.name, vnet_body(["10.10.0.0/16"], {})).result()
    assert_refused(ei, 400, "InUseSubnetCannotBeDeleted")
    assert [s.name for s in net.virtual_networks.get(rg, vnet.name).subnets] == ["default"]
    assert len(net.private_endpoints.get(rg, pe.name).custom_dns_configs) == 5


# ------------------------------------------------------------------ private DNS records by hand


def test_cname_record_set_by_hand(sdk, rg):
    dns = sdk.dns
    create_zone(dns, rg, HIS_ZONE)
    rs = dns.record_sets.create_or_update(
        rg, HIS_ZONE, "CNAME", "alias", dns_models.RecordSet(ttl=300, cname_record=dns_models.CnameRecord(cname="gbl.his.arc.azure.com"))
    )
    assert rs.cname_record.cname == "gbl.his.arc.azure.com"
    assert rs.ttl == 300
    assert dns.record_sets.get(rg, HIS_ZONE, "CNAME", "alias").fqdn == f"alias.{HIS_ZONE}."


def test_a_record_set_by_hand(sdk, rg):
    """The seed's manual DNS configuration: A records written by hand, not by a zone group."""
    dns = sdk.dns
    create_zone(dns, rg, HIS_ZONE)
    rs = dns.record_sets.create_or_update(
        rg, HIS_ZONE, "A", "gbl", dns_models.RecordSet(ttl=3600, a_records=[dns_models.ARecord(ipv4_address="10.10.1.4")])
    )
    assert [a.ipv4_address for a in rs.a_records] == ["10.10.1.4"]
    assert a_records(dns, rg, HIS_ZONE) == {"gbl": ["10.10.1.4"]}


def test_zone_lists_its_soa_record_set(sdk, rg):
    dns = sdk.dns
    create_zone(dns, rg, HIS_ZONE)
    listed = list(dns.record_sets.list(rg, HIS_ZONE))
    assert dns.private_zones.get(rg, HIS_ZONE).number_of_record_sets == len(listed)
    assert [(r.name, r.type.rsplit("/", 1)[-1].upper()) for r in listed] == [("@", "SOA")]
    assert dns.record_sets.get(rg, HIS_ZONE, "SOA", "@").soa_record is not None


def test_record_set_patch_updates_ttl_and_metadata(sdk, rg):
    dns = sdk.dns
    create_zone(dns, rg, HIS_ZONE)
    dns.record_sets.create_or_update(
        rg, HIS_ZONE, "CNAME", "alias", dns_models.RecordSet(ttl=300, cname_record=dns_models.CnameRecord(cname="x.example.com"))
    )
    patched = dns.record_sets.update(rg, HIS_ZONE, "CNAME", "alias", dns_models.RecordSet(ttl=60, metadata={"k": "v"}))
    assert (patched.ttl, patched.metadata) == (60, {"k": "v"})
    assert patched.cname_record.cname == "x.example.com"


def test_link_patch_updates_registration(sdk, rg):
    net, dns = sdk.net, sdk.dns
    vnet = create_vnet(net, rg)
    create_zone(dns, rg, HIS_ZONE)
    link_zone(dns, rg, HIS_ZONE, vnet.id, "l1")
    patched = dns.virtual_network_links.begin_update(
        rg, HIS_ZONE, "l1", dns_models.VirtualNetworkLink(registration_enabled=True)
    ).result()
    assert patched.registration_enabled is True
    assert dns.private_zones.get(rg, HIS_ZONE).number_of_virtual_network_links_with_registration == 1
