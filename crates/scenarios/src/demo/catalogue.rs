//! The scenarios: the seed's happy path, then one per rule (PLS-001..015 and NET-002), then the
//! DNS and network rules the data plane decides with. Rules, their seed sections and summaries
//! come from the model's catalogue.

use super::build::*;
use super::{Check, Scenario, Step};
use arcemu_model::rules::{
    DNS_001, DNS_002, DNS_003, DNS_004, DNS_005, NET_001, NET_002, NET_003, PLS_001, PLS_002, PLS_003, PLS_004,
    PLS_005, PLS_006, PLS_007, PLS_008, PLS_009, PLS_010, PLS_011, PLS_012, PLS_013, PLS_014, PLS_015,
};
use serde_json::{Value, json};

/// Every scenario, the happy path first.
pub fn catalogue() -> Vec<Scenario> {
    vec![
        happy_path(),
        pls_001(),
        pls_002(),
        pls_003(),
        pls_004(),
        pls_005(),
        pls_006(),
        pls_007(),
        pls_008(),
        pls_009(),
        pls_010(),
        pls_011(),
        pls_012(),
        pls_013(),
        pls_014(),
        pls_015(),
        net_002(),
        dns_001(),
        dns_002(),
        dns_003(),
        dns_004(),
        dns_005(),
        net_001(),
        net_003(),
    ]
}

fn setup(steps: &mut Vec<Step>, more: impl IntoIterator<Item = Step>) {
    steps.extend(more);
}

const GBL: &str = "gbl.his.arc.azure.com";

fn from_hub() -> String {
    format!("vnet:{}", vnet_id("hub"))
}

fn custom_location(name: &str, host: &str) -> Step {
    Step::put(
        format!("{}?api-version={CL_API}", id_in(SUB, "Microsoft.ExtendedLocation/customLocations", name)),
        json!({"location": REGION, "properties": {"hostResourceId": cluster_id(host), "namespace": "arc", "hostType": "Kubernetes"}}),
    )
}

fn extension(cluster: &str, name: &str, ty: &str) -> Step {
    Step::put(
        format!(
            "{}/providers/Microsoft.KubernetesConfiguration/extensions/{name}?api-version={EXT_API}",
            cluster_id(cluster)
        ),
        json!({"properties": {"extensionType": ty}}),
    )
}

fn connection_state(status: &str) -> Step {
    Step::put(
        format!("{{connection}}?api-version={HC_API}"),
        json!({"properties": {"privateLinkServiceConnectionState": {"status": status, "description": "arcemu demo"}}}),
    )
}

fn add_resources(clusters: &[String]) -> Step {
    Step::post(
        "/_emulator/private-link-scopes/add-resources",
        Some(json!({"scope": scope_id("arc-pls"), "clusters": clusters})),
    )
}

/// A site DNS server with manual zones: (FQDN, address) records under the three public zones.
fn manual_dns(records: &[(&str, &str)]) -> Value {
    let zones: Vec<Value> = PUBLIC_ZONES
        .iter()
        .map(|z| {
            let mut map = serde_json::Map::new();
            for (fqdn, ip) in records {
                if let Some(rel) = fqdn.strip_suffix(&format!(".{z}")) {
                    map.insert(rel.to_string(), json!([ip]));
                }
            }
            json!({"zone": z, "records": map})
        })
        .collect();
    json!({"zones": zones})
}

/// The seed's network, connected cluster `edge` associated with `arc-pls`, and lab cluster
/// `edge` in site `hq` running its agents. All setup.
fn seed_with_edge(manual: bool) -> Vec<Step> {
    let mut s = seed_network(manual);
    s.push(cluster("edge", Some("arc-pls")));
    s.push(lab_cluster("edge", "hq", "edge"));
    s
}

fn happy_path() -> Scenario {
    let mut steps = vec![
        group().says("Create resource group 'arc' in eastus; everything of the setup goes in it.").status(201),
        scope("arc-pls", REGION, "Disabled")
            .says(
                "Create the Azure Arc Private Link Scope 'arc-pls'. Public network access is disabled, so the \
                 clusters associated with it may only come in through a private endpoint.",
            )
            .status(201)
            .equals("/properties/publicNetworkAccess", "Disabled"),
        hub()
            .says(
                "Create the hub VNet: a subnet for the private endpoint, the GatewaySubnet for the VPN gateway, \
                 and a small subnet for the DNS resolver's inbound endpoint.",
            )
            .status(201),
    ];
    for (i, z) in PRIVATE_ZONES.iter().enumerate() {
        let what = ["agent identity and heartbeat", "guest configuration", "cluster configuration and extensions"][i];
        steps.push(zone(z).says(format!("Create the private DNS zone {z} ({what}).")).status(201));
        steps.push(
            zone_link(z, "hub", None)
                .says(format!("Link {z} to the hub VNet, so that Azure DNS inside the hub answers from it."))
                .status(201),
        );
    }
    steps.extend([
        endpoint("arc-pe", "hub", "endpoints", "arc-pls")
            .says(
                "Create private endpoint 'arc-pe' in the hub's 'endpoints' subnet, to the scope, group id \
                 'hybridcompute'. Same subscription: the connection is approved at once. Its DNS configuration \
                 lists the five Arc names and the private address each one gets.",
            )
            .status(201)
            .equals(
                "/properties/privateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status",
                "Approved",
            )
            .show("/properties/customDnsConfigs"),
        zone_group("arc-pe")
            .says("Integrate the endpoint with the private DNS zones: its zone group writes the A records.")
            .status(201),
        resolve(GBL, &from_hub())
            .says("Check from inside the hub: Azure DNS now answers the global Arc name with the endpoint's address.")
            .check(Check::Rcode("NoError"))
            .check(Check::Addresses(vec!["10.10.1.4"])),
        resolver()
            .says("On-premises DNS cannot ask Azure DNS directly: create a DNS Private Resolver in the hub...")
            .status(201),
        inbound()
            .says("...with an inbound endpoint in 'dns-inbound'; its address is where on-premises DNS will forward.")
            .status(201)
            .equals("/properties/ipConfigurations/0/privateIpAddress", INBOUND_IP),
        gateway().says("Create the VPN gateway in the hub's GatewaySubnet.").status(201),
        local_gateway().says("Describe the on-premises side 'hq' (its public gateway and its prefixes).").status(201),
        connection()
            .says("Connect the two with a site-to-site VPN: on-premises can now reach the hub's private addresses.")
            .status(201)
            .equals("/properties/connectionStatus", "Connected"),
        site("hq", forwarding_dns(), full_firewall())
            .says(
                "Configure the on-premises site 'hq' (a lab object): its DNS server forwards the three Arc zones \
                 to the resolver's inbound endpoint, and its firewall lets out Entra ID, Resource Manager, the \
                 container registry and Front Door.",
            )
            .status(201),
        resolve(GBL, "site:hq")
            .says(
                "The seed's troubleshooting lookup, from the site: the global Arc name resolves to the private \
                 endpoint's address, through the forwarder.",
            )
            .check(Check::Rcode("NoError"))
            .check(Check::Addresses(vec!["10.10.1.4"])),
        lab_cluster("edge", "hq", "edge")
            .says(
                "A Kubernetes cluster 'edge' runs in site 'hq'; its Arc agents will act for connected cluster 'edge'.",
            )
            .status(201),
        cluster("edge", Some("arc-pls"))
            .says(
                "Onboard it with private link (az connectedk8s connect --enable-private-link true \
                 --private-link-scope-resource-id ...): same region and subscription as the scope.",
            )
            .status(201)
            .equals("/properties/privateLinkState", "Enabled"),
        explain("edge")
            .says("Ask where the agents get: every Arc endpoint is reached through the private endpoint.")
            .check(Check::AllEndpoints("Private", Some(&PLS_007)))
            .equals("/status", "Connected"),
        get_cluster("edge")
            .says("Azure sees the cluster connected.")
            .equals("/properties/connectivityStatus", "Connected"),
    ]);
    Scenario {
        name: "happy-path",
        title: "The seed's whole setup, ending with a cluster connected privately",
        rule: None,
        summary: "Scope, private endpoint, private DNS, resolver, VPN, site DNS and firewall, then the cluster: \
                  every Arc endpoint is reached privately.",
        steps,
    }
}

fn pls_001() -> Scenario {
    let mut steps = Vec::new();
    setup(&mut steps, [group(), scope("arc-pls", REGION, "Disabled"), scope("other-pls", REGION, "Disabled"), hub()]);
    steps.extend([
        endpoint("arc-pe", "hub", "endpoints", "arc-pls")
            .says("Connect the hub VNet to scope 'arc-pls' with a private endpoint.")
            .status(201),
        endpoint("other-pe", "hub", "endpoints", "other-pls")
            .says(
                "A second team wants scope 'other-pls' in the same VNet and creates an endpoint to it. The VNet \
                 already belongs to 'arc-pls': refused.",
            )
            .refused(400, "VirtualNetworkAlreadyLinkedToAnotherPrivateLinkScope", Some(&PLS_001)),
        endpoint("arc-pe-2", "hub", "endpoints", "arc-pls")
            .says("More endpoints to the same scope in this VNet are fine.")
            .status(201),
        vnet_in(SUB, "spoke", REGION, "10.20.0.0/16", &[("endpoints", "10.20.1.0/24")])
            .says("The second team gets its own VNet...")
            .status(201),
        endpoint("other-pe", "spoke", "endpoints", "other-pls")
            .says("...and its endpoint to 'other-pls' there is accepted.")
            .status(201),
    ]);
    Scenario {
        name: "one-scope-per-vnet",
        title: "A virtual network has at most one Private Link Scope",
        rule: Some(&PLS_001),
        summary: "An endpoint to a second scope in a VNet that already has one is refused.",
        steps,
    }
}

fn pls_002() -> Scenario {
    let mut steps = Vec::new();
    setup(&mut steps, [group(), scope("arc-pls", REGION, "Disabled"), scope("other-pls", REGION, "Disabled")]);
    steps.extend([
        cluster("edge", Some("arc-pls"))
            .says("Onboard cluster 'edge' with private link to scope 'arc-pls'.")
            .status(201),
        cluster("edge", Some("other-pls"))
            .says("Point it straight at scope 'other-pls': a cluster connects to one scope only, refused.")
            .refused(409, "PrivateLinkScopeAssociationConflict", Some(&PLS_002)),
        cluster("edge", None)
            .says("Leave 'arc-pls' first: private link disabled, no scope id.")
            .status(200)
            .equals("/properties/privateLinkState", "Disabled"),
        cluster("edge", Some("other-pls"))
            .says("Now the cluster can join 'other-pls'.")
            .status(200)
            .equals("/properties/privateLinkScopeResourceId", scope_id("other-pls")),
    ]);
    Scenario {
        name: "one-scope-per-cluster",
        title: "A cluster connects to at most one Private Link Scope",
        rule: Some(&PLS_002),
        summary: "Moving a cluster from one scope straight to another is refused; leave the first one, then join.",
        steps,
    }
}

fn pls_003() -> Scenario {
    let mut steps = Vec::new();
    setup(&mut steps, [group(), scope("arc-pls", REGION, "Disabled")]);
    steps.extend([
        cluster_in(SUB, "edge", "westeurope", Some("arc-pls"))
            .says("Onboard cluster 'edge' in westeurope with private link to scope 'arc-pls', which is in eastus.")
            .refused(400, "PrivateLinkScopeLocationMismatch", Some(&PLS_003)),
        get_cluster("edge").says("The refused request left nothing behind.").refused(404, "ResourceNotFound", None),
        cluster("edge", Some("arc-pls")).says("Onboard it in eastus, the scope's region: accepted.").status(201),
    ]);
    Scenario {
        name: "cluster-region",
        title: "A cluster must be in its scope's region",
        rule: Some(&PLS_003),
        summary: "A cluster in westeurope cannot join a scope in eastus.",
        steps,
    }
}

fn pls_004() -> Scenario {
    let mut steps = Vec::new();
    setup(
        &mut steps,
        [
            group(),
            scope("arc-pls", REGION, "Disabled"),
            vnet_in(SUB, "west", "westus2", "10.30.0.0/16", &[("endpoints", "10.30.1.0/24")]),
        ],
    );
    steps.extend([
        endpoint_full(SUB, "arc-pe", REGION, "west", "endpoints", "arc-pls", false, json!(["hybridcompute"]))
            .says("Create a private endpoint in eastus (the scope's region) in VNet 'west', which is in westus2.")
            .refused(400, "InvalidResourceReference", Some(&PLS_004)),
        endpoint_full(SUB, "arc-pe", "westus2", "west", "endpoints", "arc-pls", false, json!(["hybridcompute"]))
            .says(
                "Create it in westus2, the VNet's region: accepted, although the scope is in eastus. Its names \
                 still follow the scope's region (eus, eastus).",
            )
            .status(201)
            .equals("/properties/customDnsConfigs/1/fqdn", "eus.his.arc.azure.com"),
    ]);
    Scenario {
        name: "endpoint-region",
        title: "A private endpoint is in its VNet's region",
        rule: Some(&PLS_004),
        summary: "An endpoint outside its VNet's region is refused; the VNet may be in another region than the scope.",
        steps,
    }
}

fn pls_005() -> Scenario {
    let mut steps = Vec::new();
    setup(
        &mut steps,
        [
            group(),
            group_in(SUB2, REGION),
            scope("arc-pls", REGION, "Disabled"),
            vnet_in(SUB2, "hub2", REGION, "10.40.0.0/16", &[("endpoints", "10.40.1.0/24")]),
        ],
    );
    steps.extend([
        cluster_in(SUB2, "edge", REGION, Some("arc-pls"))
            .says("Onboard a cluster of the second subscription with private link to scope 'arc-pls' of the first.")
            .refused(400, "PrivateLinkScopeSubscriptionMismatch", Some(&PLS_005)),
        endpoint_full(SUB2, "pe2", REGION, "hub2", "endpoints", "arc-pls", false, json!(["hybridcompute"]))
            .says("Connect a VNet of the second subscription to the scope with a private endpoint: refused too.")
            .refused(400, "PrivateLinkScopeSubscriptionMismatch", Some(&PLS_005)),
        cluster("edge", Some("arc-pls")).says("A cluster in the scope's own subscription is accepted.").status(201),
    ]);
    Scenario {
        name: "same-subscription",
        title: "During the preview, VNets and clusters are in the scope's subscription",
        rule: Some(&PLS_005),
        summary: "A cluster or a VNet of another subscription cannot join the scope.",
        steps,
    }
}

fn pls_006() -> Scenario {
    let mut steps = seed_network(false);
    steps.push(site("branch", json!({}), public_firewall()));
    steps.extend([
        cluster("edge", Some("arc-pls"))
            .says("Onboard cluster 'edge' with private link to scope 'arc-pls'.")
            .status(201),
        lab_cluster("edge", "branch", "edge")
            .says(
                "But the cluster runs in site 'branch', whose DNS server resolves everything on the internet (no \
                 forwarding, no private records) and whose firewall lets the agents out to Arc's public endpoints.",
            )
            .status(201),
        resolve(GBL, "site:branch")
            .says("From 'branch', the Arc names resolve to public addresses.")
            .check(Check::PublicAddress),
        explain("edge")
            .says("The agents go to the public addresses; the scope refuses them: public network access is disabled.")
            .check(Check::AllEndpoints("Refused", Some(&PLS_006)))
            .equals("/endpoints/0/httpStatus", 403),
        scope("arc-pls", REGION, "Enabled")
            .says("Enable public network access on the scope (the other way out: fix the site's DNS).")
            .status(200),
        explain("edge")
            .says("Now the same agents are admitted over the internet.")
            .check(Check::AllEndpoints("Public", None))
            .equals("/status", "Connected"),
    ]);
    Scenario {
        name: "public-access-disabled",
        title: "With public network access disabled, clusters must come through the private endpoint",
        rule: Some(&PLS_006),
        summary: "A cluster of the scope whose DNS gives public addresses is refused until public access is enabled.",
        steps,
    }
}

fn pls_007() -> Scenario {
    let mut steps = seed_network(false);
    steps.push(scope("other-pls", REGION, "Disabled"));
    steps.extend([
        cluster("stray", Some("other-pls"))
            .says("Onboard cluster 'stray' with private link to another scope, 'other-pls'.")
            .status(201),
        lab_cluster("stray", "hq", "stray")
            .says("It runs in site 'hq', whose DNS resolves the Arc names to the private endpoint of 'arc-pls'.")
            .status(201),
        explain("stray")
            .says("Its agents reach the private endpoint of 'arc-pls', which does not know the cluster: refused.")
            .check(Check::AllEndpoints("Refused", Some(&PLS_007)))
            .equals("/endpoints/0/message", "This traffic is not authorized."),
        cluster("stray", None).says("Leave 'other-pls'...").status(200),
        cluster("stray", Some("arc-pls")).says("...and join 'arc-pls', the scope this DNS leads to.").status(200),
        explain("stray")
            .says("Now the agents are admitted privately.")
            .check(Check::AllEndpoints("Private", Some(&PLS_007))),
    ]);
    Scenario {
        name: "unassociated-cluster",
        title: "A cluster that resolves the private endpoint must be associated with its scope",
        rule: Some(&PLS_007),
        summary: "A cluster of another scope behind the site's DNS reaches this scope's endpoint and is refused.",
        steps,
    }
}

fn pls_008() -> Scenario {
    let mut steps = Vec::new();
    setup(&mut steps, [group(), scope("arc-pls", REGION, "Disabled")]);
    steps.extend([
        cluster("private", Some("arc-pls")).says("Onboard cluster 'private' with private link.").status(201),
        custom_location("cl-private", "private")
            .says(
                "Create a custom location on it: Custom Locations (and Cluster Connect) do not work with private link.",
            )
            .refused(400, "FeatureNotSupportedWithPrivateLink", Some(&PLS_008)),
        cluster("public", None).says("Onboard cluster 'public' without private link.").status(201),
        custom_location("cl-public", "public").says("A custom location on it is fine.").status(201),
        cluster("public", Some("arc-pls"))
            .says("Enable private link on 'public' while it hosts the custom location: refused.")
            .refused(400, "FeatureNotSupportedWithPrivateLink", Some(&PLS_008)),
        Step::delete(format!(
            "{}?api-version={CL_API}",
            id_in(SUB, "Microsoft.ExtendedLocation/customLocations", "cl-public")
        ))
        .says("Delete the custom location...")
        .status(202),
        cluster("public", Some("arc-pls")).says("...then private link can be enabled.").status(200),
    ]);
    Scenario {
        name: "custom-locations",
        title: "Cluster Connect and Custom Locations are not supported with private link",
        rule: Some(&PLS_008),
        summary: "No custom location on a private-link cluster, and no private link on a cluster hosting one.",
        steps,
    }
}

fn pls_009() -> Scenario {
    let mut steps = seed_with_edge(false);
    steps.extend([
        extension("edge", "flux", "microsoft.flux")
            .says("Install GitOps (Flux), an extension documented to work over private link.")
            .status(201),
        extension("edge", "policy", "Microsoft.PolicyInsights")
            .says("Install Azure Policy, which is not in the documented list. Resource Manager accepts it anyway.")
            .status(201),
        explain("edge")
            .says(
                "The agents connect privately, but only Flux's traffic works end to end; the policy extension's \
                 will not reach Azure privately.",
            )
            .check(Check::AllEndpoints("Private", Some(&PLS_007)))
            .equals("/extensions/0/worksPrivately", true)
            .equals("/extensions/1/worksPrivately", false)
            .equals("/extensions/1/rule", PLS_009.id),
    ]);
    Scenario {
        name: "extensions",
        title: "Only the extensions documented for private link work end to end",
        rule: Some(&PLS_009),
        summary: "Flux works over private link; an extension outside the documented list is flagged.",
        steps,
    }
}

fn pls_010() -> Scenario {
    let cert = "MIIBCgKCAQEA-example";
    let mut steps = vec![group()];
    steps.extend([
        cluster_with(SUB, "edge", REGION, json!({"agentPublicKeyCertificate": cert, "privateLinkState": "Enabled"}))
            .says("Onboard with private link enabled but no scope id.")
            .refused(400, "InvalidPrivateLinkConfiguration", Some(&PLS_010)),
        cluster_with(
            SUB,
            "edge",
            REGION,
            json!({"agentPublicKeyCertificate": cert, "privateLinkState": "Disabled", "privateLinkScopeResourceId": scope_id("arc-pls")}),
        )
        .says("Give a scope id but leave private link disabled: conflicting parameters.")
        .refused(400, "InvalidPrivateLinkConfiguration", Some(&PLS_010)),
        cluster("edge", Some("arc-pls"))
            .says("Both right, but the scope 'arc-pls' has not been created yet.")
            .refused(400, "PrivateLinkScopeNotFound", Some(&PLS_010)),
        scope("arc-pls", REGION, "Disabled").says("Create the scope...").status(201),
        cluster("edge", Some("arc-pls")).says("...and onboard again: accepted.").status(201),
    ]);
    Scenario {
        name: "private-link-parameters",
        title: "Private link needs an existing scope id, and a scope id needs private link",
        rule: Some(&PLS_010),
        summary: "Enabled without a scope, a scope without Enabled, and a scope that does not exist are refused.",
        steps,
    }
}

fn pls_011() -> Scenario {
    let mut steps = Vec::new();
    setup(
        &mut steps,
        [
            group(),
            group_in(SUB2, REGION),
            scope("arc-pls", REGION, "Disabled"),
            cluster("near", None),
            cluster_in(SUB, "far", "westus", None),
            cluster_in(SUB2, "other-sub", REGION, None),
        ],
    );
    steps.extend([
        Step::get(format!("/_emulator/private-link-scopes/candidates?scope={}", scope_id("arc-pls")))
            .says(
                "Open the scope's 'Azure Arc resources' and select Add. Of the three clusters (eastus; westus; \
                 another subscription), the list offers only the one in the scope's subscription and region.",
            )
            .check(Check::Names("/value", vec!["near"])),
        add_resources(&[cluster_id("far")]).says("Try to add 'far' (westus) anyway.").refused(
            400,
            "ClusterNotEligibleForPrivateLinkScope",
            Some(&PLS_011),
        ),
        add_resources(&[cluster_id_in(SUB2, "other-sub")]).says("Try 'other-sub' (another subscription).").refused(
            400,
            "ClusterNotEligibleForPrivateLinkScope",
            Some(&PLS_011),
        ),
        add_resources(&[cluster_id("near")]).says("Add 'near'.").status(200),
        get_cluster("near")
            .says("Its private link is now enabled, with the scope.")
            .equals("/properties/privateLinkState", "Enabled")
            .equals("/properties/privateLinkScopeResourceId", scope_id("arc-pls")),
    ]);
    Scenario {
        name: "add-resources",
        title: "The portal's 'add resources' list offers only clusters of the scope's subscription and region",
        rule: Some(&PLS_011),
        summary: "Clusters in another region or subscription are not offered and cannot be added.",
        steps,
    }
}

fn pls_012() -> Scenario {
    let mut steps = seed_with_edge(true);
    let state = "/properties/manualPrivateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status";
    steps.extend([
        Step::get(format!("{}?api-version={NET_API}", net_id("privateEndpoints", "arc-pe")))
            .says(
                "The endpoint was created with a manual connection request (as when the scope is in a subscription \
                 the requester cannot approve): it waits for approval.",
            )
            .equals(state, "Pending"),
        explain("edge")
            .says("A pending connection carries no traffic: the agents do not get through.")
            .check(Check::AllEndpoints("Unreachable", Some(&PLS_012))),
        Step::get(format!("{}/privateEndpointConnections?api-version={HC_API}", scope_id("arc-pls")))
            .says("The scope owner opens the scope's private endpoint connections.")
            .equals("/value/0/properties/privateLinkServiceConnectionState/status", "Pending")
            .capture("connection", "/value/0/id"),
        connection_state("Approved").says("...and approves the connection.").status(200),
        explain("edge")
            .says("Approved: the agents are admitted privately.")
            .check(Check::AllEndpoints("Private", Some(&PLS_007)))
            .equals("/status", "Connected"),
        connection_state("Rejected").says("The owner rejects the connection.").status(200),
        explain("edge").says("Traffic stops.").check(Check::AllEndpoints("Unreachable", Some(&PLS_012))),
        connection_state("Approved")
            .says("Approve it again: a rejected connection cannot come back; the endpoint must be recreated.")
            .refused(400, "InvalidPrivateEndpointConnectionStateTransition", Some(&PLS_012)),
    ]);
    Scenario {
        name: "connection-approval",
        title: "Only approved endpoint connections carry traffic",
        rule: Some(&PLS_012),
        summary: "Pending and rejected connections carry nothing; a rejected one cannot be approved again.",
        steps,
    }
}

fn pls_013() -> Scenario {
    let mut steps = Vec::new();
    setup(&mut steps, [group(), scope("arc-pls", REGION, "Disabled"), hub()]);
    let pe = |groups: Value| endpoint_full(SUB, "arc-pe", REGION, "hub", "endpoints", "arc-pls", false, groups);
    steps.extend([
        Step::get(format!("{}/privateLinkResources?api-version={HC_API}", scope_id("arc-pls")))
            .says("Ask the scope which private link resource it offers: one, group id 'hybridcompute'.")
            .equals("/value/0/properties/groupId", "hybridcompute"),
        pe(json!(["blob"])).says("Create an endpoint asking for group id 'blob' (a storage account's).").refused(
            400,
            "PrivateEndpointInvalidGroupId",
            Some(&PLS_013),
        ),
        pe(json!([])).says("Create it without a group id.").refused(
            400,
            "MissingParameterOnPrivateLinkServiceConnection",
            Some(&PLS_013),
        ),
        pe(json!(["hybridcompute"])).says("Ask for 'hybridcompute': accepted.").status(201),
    ]);
    Scenario {
        name: "group-id",
        title: "An endpoint to an Arc Private Link Scope uses group id 'hybridcompute'",
        rule: Some(&PLS_013),
        summary: "An endpoint asking for another group id than 'hybridcompute', or none, is refused.",
        steps,
    }
}

fn pls_014() -> Scenario {
    let mut steps = seed_network(false);
    steps.extend([
        cluster("plain", None).says("Onboard cluster 'plain' without private link.").status(201),
        lab_cluster("plain", "hq", "plain")
            .says("It runs in site 'hq', next to the private-link clusters, and uses the same DNS server.")
            .status(201),
        explain("plain")
            .says(
                "That DNS resolves the Arc names to the private endpoint; the scope does not know 'plain': \
                 refused. Clusters with and without private link cannot share the DNS.",
            )
            .check(Check::AllEndpoints("Refused", Some(&PLS_014))),
        cluster("plain", Some("arc-pls")).says("Enable private link on 'plain' with the scope.").status(200),
        explain("plain").says("Admitted privately.").check(Check::AllEndpoints("Private", Some(&PLS_007))),
    ]);
    Scenario {
        name: "mixed-network",
        title: "Resources with and without private link cannot share a VNet or DNS",
        rule: Some(&PLS_014),
        summary: "A cluster without private link behind the private DNS reaches the endpoint and is refused.",
        steps,
    }
}

fn pls_015() -> Scenario {
    let provider =
        |action: &str| format!("/subscriptions/{SUB}/providers/Microsoft.Kubernetes{action}?api-version={RG_API}");
    let mut steps = vec![group()];
    steps.extend([
        Step::post(provider("/unregister"), None)
            .says("Start from a subscription where Microsoft.Kubernetes is not registered (unregister it).")
            .status(200),
        cluster("edge", None).says("Onboard a cluster.").refused(
            409,
            "MissingSubscriptionRegistration",
            Some(&PLS_015),
        ),
        Step::get(provider("")).says("The provider's state.").equals("/registrationState", "NotRegistered"),
        Step::post(provider("/register"), None)
            .says("Register the provider.")
            .status(200)
            .equals("/registrationState", "Registered"),
        cluster("edge", None).says("Onboard again: accepted.").status(201),
    ]);
    Scenario {
        name: "provider-registration",
        title: "The subscription must have the resource providers registered",
        rule: Some(&PLS_015),
        summary: "Writes in a namespace whose provider is not registered are refused until it is.",
        steps,
    }
}

fn net_002() -> Scenario {
    let mut steps = seed_network(false);
    steps.extend([
        site("hq", forwarding_dns(), firewall_without(&["AzureActiveDirectory"]))
            .says("The site's firewall lets out Resource Manager, the registry and Front Door, but not Entra ID.")
            .status(200),
        lab_cluster("edge", "hq", "edge").says("Kubernetes cluster 'edge' runs in site 'hq'.").status(201),
        explain("edge")
            .says("Before onboarding: no agents yet, and Entra ID is blocked.")
            .equals("/status", "AgentNotInstalled"),
        cluster("edge", Some("arc-pls")).says("Onboard it: the pre-onboarding network check fails.").refused(
            400,
            "OnboardingNetworkCheckFailed",
            Some(&NET_002),
        ),
        site("hq", forwarding_dns(), full_firewall()).says("Open the firewall to Entra ID.").status(200),
        cluster("edge", Some("arc-pls")).says("Onboard again: accepted.").status(201),
        explain("edge")
            .says("The agents reach Arc privately.")
            .check(Check::AllEndpoints("Private", Some(&PLS_007)))
            .equals("/status", "Connected"),
    ]);
    Scenario {
        name: "firewall-onboarding",
        title: "The firewall must let out Entra ID, Resource Manager, the registry and Front Door",
        rule: Some(&NET_002),
        summary: "Onboarding from a site whose firewall blocks Entra ID fails until it is allowed.",
        steps,
    }
}

fn dns_001() -> Scenario {
    Scenario {
        name: "public-dns",
        title: "On the internet, Arc names lead to public addresses",
        rule: Some(&DNS_001),
        summary: "An Arc name is a CNAME to its privatelink name, which the internet answers with a public address.",
        steps: vec![
            resolve(GBL, "public")
                .says("Resolve the global Arc name on the internet.")
                .check(Check::Rcode("NoError"))
                .check(Check::PublicAddress),
            resolve("gbl.his.arc.azure.cn", "public")
                .says("The seed's lookup in Azure operated by 21Vianet (azure.cn): the same shape.")
                .check(Check::Rcode("NoError"))
                .check(Check::PublicAddress),
        ],
    }
}

fn dns_002() -> Scenario {
    let mut steps = Vec::new();
    setup(
        &mut steps,
        [group(), scope("arc-pls", REGION, "Disabled"), hub(), endpoint("arc-pe", "hub", "endpoints", "arc-pls")],
    );
    steps.push(
        resolve(GBL, &from_hub())
            .says("The hub has a private endpoint, but no private DNS zone yet: Azure DNS in the hub answers publicly.")
            .check(Check::PublicAddress),
    );
    for z in PRIVATE_ZONES {
        steps.push(zone(z));
        steps.push(zone_link(z, "hub", None));
    }
    steps.extend([
        zone_group("arc-pe")
            .says("With the three private zones created and linked to the hub, the endpoint's zone group fills them.")
            .status(201),
        resolve(GBL, &from_hub())
            .says("Now Azure DNS in the hub answers from the linked zone: the endpoint's address.")
            .check(Check::Rcode("NoError"))
            .check(Check::Addresses(vec!["10.10.1.4"])),
        resolve("eastus.dp.kubernetesconfiguration.azure.com", &from_hub())
            .says("The regional configuration name too.")
            .check(Check::Addresses(vec!["10.10.1.8"])),
        resolve(GBL, "public").says("The internet still gets the public address.").check(Check::PublicAddress),
    ]);
    Scenario {
        name: "vnet-private-zone",
        title: "A VNet linked to the privatelink zones resolves Arc names privately",
        rule: Some(&DNS_002),
        summary: "Azure DNS inside a linked VNet answers with the endpoint's addresses; elsewhere, public ones.",
        steps,
    }
}

fn dns_003() -> Scenario {
    let record = |ips: &[&str]| {
        let records: Vec<Value> = ips.iter().map(|ip| json!({"ipv4Address": ip})).collect();
        Step::put(
            format!("{}/A/gbl?api-version={DNS_API}", zone_id(PRIVATE_ZONES[0])),
            json!({"properties": {"ttl": 3600, "aRecords": records}}),
        )
    };
    let mut steps = Vec::new();
    setup(&mut steps, [group(), hub()]);
    steps.extend([
        resolve(GBL, &from_hub())
            .says("From the hub, before any private zone: a public address.")
            .check(Check::PublicAddress),
        zone(PRIVATE_ZONES[0])
            .says("Prepare the private zone privatelink.his.arc.azure.com ahead of time...")
            .status(201),
        zone_link(PRIVATE_ZONES[0], "hub", None).says("...and link it to the hub.").status(201),
        resolve(GBL, &from_hub())
            .says("The zone now owns the name for the hub, and has no record for it: NXDOMAIN.")
            .check(Check::Rcode("NxDomain")),
        record(&[])
            .says("Create the record set 'gbl' empty, as preparation (what the seed warns against).")
            .status(201),
        resolve(GBL, &from_hub())
            .says("Still NXDOMAIN: an empty record breaks resolution.")
            .check(Check::Rcode("NxDomain")),
        record(&["10.10.1.4"]).says("Fill it with the endpoint's address.").status(200),
        resolve(GBL, &from_hub()).says("Resolves privately.").check(Check::Addresses(vec!["10.10.1.4"])),
    ]);
    Scenario {
        name: "empty-record-set",
        title: "A linked zone without the record answers NXDOMAIN",
        rule: Some(&DNS_003),
        summary: "Empty records prepared ahead of time break resolution of the Arc names.",
        steps,
    }
}

fn dns_004() -> Scenario {
    let mut steps = seed_network(false);
    steps.extend([
        site("hq", json!({}), full_firewall())
            .says("Site 'hq' whose DNS server has no conditional forwarders: it resolves on the internet.")
            .status(200),
        resolve(GBL, "site:hq").says("The seed's troubleshooting lookup gives a public address.").check(Check::PublicAddress),
        site("hq", forwarding_dns(), full_firewall())
            .says("Forward the three Arc zones to the Private Resolver's inbound endpoint in the hub.")
            .status(200),
        resolve(GBL, "site:hq")
            .says("Now the answer comes from Azure DNS as the hub sees it: the private address.")
            .check(Check::Addresses(vec!["10.10.1.4"])),
        site(
            "hq",
            json!({"forwarders": PUBLIC_ZONES.iter().map(|z| json!({"domain": z, "targets": ["10.10.3.9"]})).collect::<Vec<_>>()}),
            full_firewall(),
        )
        .says("A typo in the forwarder address (10.10.3.9, where nothing listens)...")
        .status(200),
        resolve(GBL, "site:hq").says("...and resolution fails.").check(Check::Rcode("ServFail")),
    ]);
    Scenario {
        name: "on-prem-forwarder",
        title: "On-premises DNS sees private addresses only through a forwarder in the VNet",
        rule: Some(&DNS_004),
        summary: "Without conditional forwarders the site gets public addresses; with them, private ones.",
        steps,
    }
}

fn dns_005() -> Scenario {
    let right = [
        ("gbl.his.arc.azure.com", "10.10.1.4"),
        ("eus.his.arc.azure.com", "10.10.1.5"),
        ("agentserviceapi.guestconfiguration.azure.com", "10.10.1.6"),
        ("eastus-gas.guestconfiguration.azure.com", "10.10.1.7"),
        ("eastus.dp.kubernetesconfiguration.azure.com", "10.10.1.8"),
    ];
    let mut swapped = right;
    swapped[0].1 = "10.10.1.5";
    swapped[1].1 = "10.10.1.4";
    let mut steps = seed_with_edge(false);
    steps.extend([
        Step::get(format!("{}?api-version={NET_API}", net_id("privateEndpoints", "arc-pe")))
            .says("Open the private endpoint's DNS configuration: the names and addresses to copy by hand.")
            .show("/properties/customDnsConfigs"),
        site("hq", manual_dns(&swapped), full_firewall())
            .says("The site's DNS gets manual zones instead of forwarding, with the first two addresses swapped.")
            .status(200),
        explain("edge")
            .says("The two swapped names lead to the wrong endpoint address: the connections fail. The others get through.")
            .check(Check::Endpoint("gbl.his.arc.azure.com", "Unreachable", Some(&DNS_005)))
            .check(Check::Endpoint("eus.his.arc.azure.com", "Unreachable", Some(&DNS_005)))
            .check(Check::Endpoint("agentserviceapi.guestconfiguration.azure.com", "Private", Some(&PLS_007))),
        site("hq", manual_dns(&right), full_firewall()).says("Correct the records.").status(200),
        explain("edge")
            .says("Every endpoint is admitted privately.")
            .check(Check::AllEndpoints("Private", Some(&PLS_007))),
    ]);
    Scenario {
        name: "manual-records",
        title: "Manual DNS records must match the endpoint's DNS configuration",
        rule: Some(&DNS_005),
        summary: "Manual records with the wrong addresses send agents to the wrong place.",
        steps,
    }
}

fn net_001() -> Scenario {
    let mut steps = seed_with_edge(false);
    steps.extend([
        explain("edge")
            .says("The seed's setup: cluster 'edge' in site 'hq' reaches Arc privately.")
            .check(Check::AllEndpoints("Private", Some(&PLS_007))),
        Step::delete(connection_path()).says("The site-to-site VPN connection is deleted.").status(202),
        explain("edge")
            .says("The site cannot reach the forwarder nor the endpoint any more.")
            .check(Check::AllEndpoints("Unreachable", Some(&NET_001))),
        get_cluster("edge").says("Azure sees the cluster offline.").equals("/properties/connectivityStatus", "Offline"),
        connection().says("Reconnect the VPN.").status(201),
        explain("edge").says("Private again.").check(Check::AllEndpoints("Private", Some(&PLS_007))),
    ]);
    Scenario {
        name: "missing-vpn",
        title: "On-premises reaches the VNet only over VPN or ExpressRoute",
        rule: Some(&NET_001),
        summary: "Without the site-to-site VPN, the forwarder and the endpoint are unreachable: the cluster goes offline.",
        steps,
    }
}

fn net_003() -> Scenario {
    let mut steps = seed_with_edge(false);
    steps.extend([
        extension("edge", "monitor", "Microsoft.AzureMonitor.Containers")
            .says("Install the Azure Monitor extension on the private cluster.")
            .status(201),
        explain("edge")
            .says(
                "The Arc agents connect privately, but Monitor's data goes to its own service, which needs its \
                 own private endpoint (an Azure Monitor Private Link Scope) in the VNet.",
            )
            .check(Check::AllEndpoints("Private", Some(&PLS_007)))
            .equals("/extensions/0/worksPrivately", false)
            .equals("/extensions/0/rule", NET_003.id),
    ]);
    Scenario {
        name: "monitor-endpoint",
        title: "Other services need their own private endpoints",
        rule: Some(&NET_003),
        summary: "Azure Monitor over private link needs its own private endpoint, not the Arc one.",
        steps,
    }
}
