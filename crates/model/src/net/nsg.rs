//! Network security groups and their security rules: priorities unique per direction
//! (verified text), address prefixes and service tags, the six default rules.

use super::*;
use crate::error::{ArmError, ArmResult};
use crate::kinds::{Body, ResourceKind};
use crate::resources::{Effects, Put, Resource, ResourceType, parse_input};
use crate::world::World;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SecurityRule {
    pub priority: u16,
    pub direction: Direction,
    pub access: String,
    pub protocol: String,
    pub source_address_prefixes: Vec<String>,
    pub destination_address_prefixes: Vec<String>,
    pub source_port_ranges: Vec<String>,
    pub destination_port_ranges: Vec<String>,
    /// Which of the singular/plural forms were used, to echo them back the same way.
    pub plural: [bool; 4],
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSecurityGroup {
    pub resource_guid: String,
    pub extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NsgInput {
    security_rules: Option<Vec<NamedChild>>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SecurityRuleInput {
    priority: Option<i64>,
    direction: Option<String>,
    access: Option<String>,
    protocol: Option<String>,
    source_address_prefix: Option<String>,
    source_address_prefixes: Option<Vec<String>>,
    destination_address_prefix: Option<String>,
    destination_address_prefixes: Option<Vec<String>>,
    source_port_range: Option<String>,
    source_port_ranges: Option<Vec<String>>,
    destination_port_range: Option<String>,
    destination_port_ranges: Option<Vec<String>>,
    description: Option<String>,
}

/// Service tags accepted as NSG address prefixes (optionally `Tag.Region`).
pub const SERVICE_TAGS: &[&str] = &[
    "ApiManagement",
    "AppService",
    "AzureActiveDirectory",
    "AzureArcInfrastructure",
    "AzureCloud",
    "AzureContainerRegistry",
    "AzureFrontDoor.Backend",
    "AzureFrontDoor.FirstParty",
    "AzureFrontDoor.Frontend",
    "AzureKeyVault",
    "AzureLoadBalancer",
    "AzureMonitor",
    "AzureResourceManager",
    "AzureTrafficManager",
    "EventHub",
    "GatewayManager",
    "GuestAndHybridManagement",
    "Internet",
    "MicrosoftContainerRegistry",
    "ServiceBus",
    "Sql",
    "Storage",
    "VirtualNetwork",
];

/// Canonical spelling of a service tag (`Storage.EastUS` → `Storage.EastUS` if `Storage` is known).
pub fn service_tag(prefix: &str) -> Option<&'static str> {
    SERVICE_TAGS.iter().copied().find(|t| prefix_names_tag(prefix, t))
}

/// Whether an address prefix (of an NSG rule or a site firewall rule) names the service tag
/// `tag`: the tag itself, or, for a tag without a dot, its regional form `Tag.Region` (region:
/// ASCII letters and digits). ASCII case-insensitive. The one matcher of service tags (the
/// rule checks and the data plane share it); it compares bytes and never slices the text, so
/// any input is safe.
pub fn prefix_names_tag(prefix: &str, tag: &str) -> bool {
    let (p, t) = (prefix.as_bytes(), tag.as_bytes());
    if p.eq_ignore_ascii_case(t) {
        return true;
    }
    match (p.get(..t.len()), p.get(t.len()), p.get(t.len() + 1..)) {
        (Some(head), Some(b'.'), Some(region)) => {
            head.eq_ignore_ascii_case(t)
                && !t.contains(&b'.')
                && !region.is_empty()
                && region.iter().all(u8::is_ascii_alphanumeric)
        }
        _ => false,
    }
}

/// `*`, a service tag, an IPv4 address or an IPv4 CIDR: what NSG rules and site firewall rules
/// accept as an address prefix.
pub fn is_address_prefix(p: &str) -> bool {
    p == "*" || service_tag(p).is_some() || p.parse::<Ipv4Addr>().is_ok() || Ipv4Net::parse(p).is_ok()
}

impl World {
    fn rule_priorities(&self, nsg: &ResourceId, except: Option<&ResourceId>) -> Vec<(Direction, u16, String)> {
        self.children_of(nsg, ResourceKind::SecurityRule)
            .filter(|r| Some(&r.id) != except)
            .filter_map(|r| match &r.body {
                Body::SecurityRule(s) => Some((s.direction, s.priority, r.id.name().to_string())),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn build_nsg(&self, id: &ResourceId, props: &Value, plan: &mut Effects) -> ArmResult<Body> {
        let input: NsgInput = parse_input(props, "properties")?;
        let mut taken: Vec<(Direction, u16, String)> = Vec::new();
        let mut keep = BTreeSet::new();
        for (i, child) in input.security_rules.unwrap_or_default().into_iter().enumerate() {
            let path = format!("properties.securityRules[{i}]");
            let name = child.name.filter(|n| !n.is_empty()).ok_or_else(|| required(&format!("{path}.name")))?;
            ResourceKind::SecurityRule.validate_name(&name)?;
            let rid = id.child("securityRules", &name);
            keep.insert(rid.key().to_string());
            let rule_input: SecurityRuleInput = parse_input(&child.properties, &format!("{path}.properties"))?;
            let rule = build_rule(&name, rule_input, &format!("{path}.properties"), &taken)?;
            taken.push((rule.direction, rule.priority, name));
            plan.children.push((rid, Body::SecurityRule(rule)));
        }
        for existing in self.children_of(id, ResourceKind::SecurityRule) {
            if !keep.contains(existing.id.key()) {
                plan.remove_children.push(existing.id.clone());
            }
        }
        Ok(Body::NetworkSecurityGroup(NetworkSecurityGroup {
            resource_guid: match self.body_of(id) {
                Some(Body::NetworkSecurityGroup(n)) => n.resource_guid.clone(),
                _ => self.ids().guid(),
            },
            extra: input.extra,
        }))
    }
}

fn build_rule(
    name: &str,
    input: SecurityRuleInput,
    path: &str,
    taken: &[(Direction, u16, String)],
) -> ArmResult<SecurityRule> {
    let priority = input.priority.ok_or_else(|| required(&format!("{path}.priority")))?;
    if !(100..=4096).contains(&priority) {
        return Err(ArmError::security_rule_invalid_priority(priority, &format!("{path}.priority")));
    }
    let priority = priority as u16;
    let direction = match input.direction.as_deref() {
        Some(d) if d.eq_ignore_ascii_case("Inbound") => Direction::Inbound,
        Some(d) if d.eq_ignore_ascii_case("Outbound") => Direction::Outbound,
        Some(d) => {
            return Err(ArmError::invalid_property(
                &format!("{path}.direction"),
                format!("'{d}' is not a valid direction; allowed values are: Inbound, Outbound."),
            ));
        }
        None => return Err(required(&format!("{path}.direction"))),
    };
    if let Some((_, _, other)) = taken.iter().find(|(d, p, _)| *d == direction && *p == priority) {
        return Err(ArmError::security_rule_conflict(name, other, &format!("{path}.priority")));
    }
    let access = match input.access.as_deref() {
        Some(a) if a.eq_ignore_ascii_case("Allow") => "Allow",
        Some(a) if a.eq_ignore_ascii_case("Deny") => "Deny",
        Some(a) => {
            return Err(ArmError::invalid_property(
                &format!("{path}.access"),
                format!("'{a}' is not a valid access; allowed values are: Allow, Deny."),
            ));
        }
        None => return Err(required(&format!("{path}.access"))),
    };
    let protocol = match input.protocol.as_deref() {
        Some(p) => ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]
            .into_iter()
            .find(|x| x.eq_ignore_ascii_case(p))
            .ok_or_else(|| {
                ArmError::invalid_property(
                    &format!("{path}.protocol"),
                    format!("'{p}' is not a valid protocol; allowed values are: Tcp, Udp, Icmp, Esp, Ah, *."),
                )
            })?,
        None => return Err(required(&format!("{path}.protocol"))),
    };
    let (src, src_plural) = string_list(input.source_address_prefix, input.source_address_prefixes);
    let (dst, dst_plural) = string_list(input.destination_address_prefix, input.destination_address_prefixes);
    let (sport, sport_plural) = string_list(input.source_port_range, input.source_port_ranges);
    let (dport, dport_plural) = string_list(input.destination_port_range, input.destination_port_ranges);
    for (list, field) in [(&src, "sourceAddressPrefix"), (&dst, "destinationAddressPrefix")] {
        if list.is_empty() {
            return Err(required(&format!("{path}.{field}")));
        }
        for p in list {
            check_address_prefix(p, &format!("{path}.{field}"))?;
        }
    }
    for (list, field) in [(&sport, "sourcePortRange"), (&dport, "destinationPortRange")] {
        if list.is_empty() {
            return Err(required(&format!("{path}.{field}")));
        }
        for p in list {
            check_port_range(p, &format!("{path}.{field}"))?;
        }
    }
    Ok(SecurityRule {
        priority,
        direction,
        access: access.to_string(),
        protocol: protocol.to_string(),
        source_address_prefixes: src.iter().map(|p| canonical_prefix(p)).collect(),
        destination_address_prefixes: dst.iter().map(|p| canonical_prefix(p)).collect(),
        source_port_ranges: sport,
        destination_port_ranges: dport,
        plural: [src_plural, dst_plural, sport_plural, dport_plural],
        description: input.description,
    })
}

fn canonical_prefix(p: &str) -> String {
    match service_tag(p) {
        Some(tag) if p.len() == tag.len() => tag.to_string(),
        _ => p.to_string(),
    }
}

fn check_address_prefix(p: &str, path: &str) -> ArmResult<()> {
    if is_address_prefix(p) {
        return Ok(());
    }
    Err(ArmError::security_rule_invalid_address_prefix(p, path))
}

fn check_port_range(p: &str, path: &str) -> ArmResult<()> {
    let port = |s: &str| s.parse::<u16>().is_ok_and(|n| n >= 1);
    let ok = p == "*"
        || port(p)
        || p.split_once('-').is_some_and(|(a, b)| port(a) && port(b) && a.parse::<u16>().ok() <= b.parse::<u16>().ok());
    if ok {
        return Ok(());
    }
    Err(ArmError::security_rule_invalid_port_range(p, path))
}

impl ResourceType for NetworkSecurityGroup {
    fn build(w: &World, put: &Put<'_>, fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        w.build_nsg(id, &props, fx)
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let n = self;
        {
            let rules: Vec<Value> = w.children_of(&r.id, ResourceKind::SecurityRule).map(|s| w.child_json(s)).collect();
            let subnets: Vec<Value> = w.store.nsg_subnets(&r.id).map(|s| json!({ "id": s.id.to_string() })).collect();
            with_extra(
                json!({
                    "provisioningState": state,
                    "resourceGuid": n.resource_guid,
                    "securityRules": rules,
                    "defaultSecurityRules": default_security_rules(&r.id),
                    "subnets": subnets,
                    // Off unless the caller turns it on (`NetworkSecurityGroupCreate` example,
                    // 2025-05-01: `false` in the answer to a body without it); verified.
                    "flushConnection": n.extra.get("flushConnection").cloned().unwrap_or(json!(false)),
                }),
                &n.extra,
            )
        }
    }

    fn check_delete(&self, w: &World, r: &Resource) -> ArmResult<()> {
        match w.store.nsg_subnets(&r.id).next() {
            None => Ok(()),
            Some(subnet) => Err(ArmError::in_use_network_security_group_cannot_be_deleted(&r.id, &subnet.id)),
        }
    }
}

impl ResourceType for SecurityRule {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        Ok({
            let nsg = id.parent().ok_or_else(|| required("id"))?;
            let input: SecurityRuleInput = parse_input(&props, "properties")?;
            let taken = w.rule_priorities(&nsg, Some(id));
            Body::SecurityRule(build_rule(id.name(), input, "properties", &taken)?)
        })
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let s = self;
        {
            let mut p = json!({
                "provisioningState": state,
                "protocol": s.protocol,
                "access": s.access,
                "priority": s.priority,
                "direction": s.direction.as_str(),
                "sourcePortRanges": [], "destinationPortRanges": [], "sourceAddressPrefixes": [], "destinationAddressPrefixes": [],
            });
            let fields = [
                ("sourceAddressPrefix", "sourceAddressPrefixes", &s.source_address_prefixes, s.plural[0]),
                (
                    "destinationAddressPrefix",
                    "destinationAddressPrefixes",
                    &s.destination_address_prefixes,
                    s.plural[1],
                ),
                ("sourcePortRange", "sourcePortRanges", &s.source_port_ranges, s.plural[2]),
                ("destinationPortRange", "destinationPortRanges", &s.destination_port_ranges, s.plural[3]),
            ];
            for (one, many, list, plural) in fields {
                if plural {
                    p[many] = json!(list);
                } else if let Some(first) = list.first() {
                    p[one] = json!(first);
                }
            }
            if let Some(d) = &s.description {
                p["description"] = json!(d);
            }
            p
        }
    }
}
/// The six rules Azure adds to every network security group.
fn default_security_rules(nsg: &ResourceId) -> Vec<Value> {
    let rule = |name: &str, priority: u16, dir: &str, access: &str, src: &str, dst: &str, desc: &str| {
        json!({
            "id": format!("{nsg}/defaultSecurityRules/{name}"),
            "name": name,
            "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
            "properties": {
                "provisioningState": "Succeeded",
                "description": desc,
                "protocol": "*",
                "sourcePortRange": "*",
                "destinationPortRange": "*",
                "sourceAddressPrefix": src,
                "destinationAddressPrefix": dst,
                "access": access,
                "priority": priority,
                "direction": dir,
                "sourcePortRanges": [], "destinationPortRanges": [], "sourceAddressPrefixes": [], "destinationAddressPrefixes": [],
            }
        })
    };
    vec![
        rule(
            "AllowVnetInBound",
            65000,
            "Inbound",
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow inbound traffic from all VMs in VNET",
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            "Inbound",
            "Allow",
            "AzureLoadBalancer",
            "*",
            "Allow inbound traffic from azure load balancer",
        ),
        rule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "Deny all inbound traffic"),
        rule(
            "AllowVnetOutBound",
            65000,
            "Outbound",
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow outbound traffic from all VMs to all VMs in VNET",
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            "Outbound",
            "Allow",
            "*",
            "Internet",
            "Allow outbound traffic from all VMs to Internet",
        ),
        rule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "Deny all outbound traffic"),
    ]
}

impl World {
    /// The six default rules of an existing network security group.
    pub fn default_security_rules(&self, nsg: &ResourceId) -> crate::error::ArmResult<Vec<Value>> {
        match self.resource(nsg)?.kind() {
            ResourceKind::NetworkSecurityGroup => Ok(default_security_rules(nsg)),
            _ => Err(crate::error::ArmError::linked_invalid_property_id(&nsg.to_string(), "id")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_tags_and_their_regional_forms() {
        assert_eq!(service_tag("storage"), Some("Storage"));
        assert_eq!(service_tag("Storage.EastUS"), Some("Storage"));
        assert_eq!(service_tag("AzureFrontDoor.FirstParty"), Some("AzureFrontDoor.FirstParty"));
        assert_eq!(service_tag("AzureFrontDoor.FirstParty.EastUS"), None);
        assert_eq!(service_tag("Storage."), None);
        assert_eq!(service_tag("Storage..x"), None);
        assert_eq!(service_tag("StorageX"), None);
        assert!(prefix_names_tag("azureactivedirectory.westeurope", "AzureActiveDirectory"));
        assert!(!prefix_names_tag("AzureActiveDirectory", "AzureActiveDirectory.EastUS"));
    }

    /// Multi-byte characters at and around every tag's length: no slicing, no panic, no match.
    #[test]
    fn any_text_is_matched_without_slicing_it() {
        let mut texts: Vec<String> = vec!["ééé".into(), "日本語のタグ".into(), "\u{1F600}".into()];
        for n in 0..40 {
            texts.push("é".repeat(n));
            texts.push(format!("a{}", "é".repeat(n)));
        }
        for t in SERVICE_TAGS {
            texts.push(format!("{t}.ééé"));
            texts.push(format!("{t}é"));
            texts.push(format!("{}é", &t[..t.len() - 1]));
        }
        for text in &texts {
            assert_eq!(service_tag(text), None, "{text}");
            assert!(!is_address_prefix(text), "{text}");
            for t in SERVICE_TAGS {
                assert!(!prefix_names_tag(text, t), "{text} {t}");
            }
        }
    }
}
