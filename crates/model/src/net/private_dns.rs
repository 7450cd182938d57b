//! Private DNS zones, their virtual network links (one per zone and VNet; resolution
//! policy for DNS-003's exception) and their A and CNAME record sets, plus the SOA record set
//! Azure creates with every zone.

use super::*;
use crate::error::{ArmError, ArmResult};
use crate::kinds::{Body, ResourceKind};
use crate::resources::{Effects, ProvisioningState, Put, Resource, ResourceType, parse_input};
use crate::store::IndexEntry;
use crate::world::World;
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct PrivateDnsZone {
    pub internal_id: String,
    /// The zone's SOA record set (`{zone}/SOA/@`), which Azure creates with the zone and
    /// which a PUT or PATCH of the record set edits.
    pub soa: SoaSettings,
}

/// The editable parts of a zone's SOA record set. Defaults: what Azure Private DNS serves for
/// a new zone (the DNS face answers with the same record, `dns::Soa::private`); the spec
/// examples show `azureprivatedns-hostmaster` and a minimum TTL of 300, public DNS's values,
/// so the emulator keeps the private ones (inferred). The host is not editable ("The Host
/// field in the SOA record isn't editable", Azure Private DNS records docs; verified).
#[derive(Clone, Debug, PartialEq)]
pub struct SoaSettings {
    pub ttl: u32,
    pub metadata: Map<String, Value>,
    pub email: String,
    pub refresh_time: u32,
    pub retry_time: u32,
    pub expire_time: u32,
    pub minimum_ttl: u32,
}

impl Default for SoaSettings {
    fn default() -> Self {
        let d = crate::dns::Soa::private("");
        Self {
            ttl: d.ttl,
            metadata: Map::new(),
            email: d.rname,
            refresh_time: u32::try_from(d.refresh).unwrap_or(3600),
            retry_time: u32::try_from(d.retry).unwrap_or(300),
            expire_time: u32::try_from(d.expire).unwrap_or(2_419_200),
            minimum_ttl: d.minimum,
        }
    }
}

impl SoaSettings {
    /// The DNS SOA record of `zone_name` with these settings.
    pub fn to_dns(&self, zone_name: &str) -> crate::dns::Soa {
        let mut soa = crate::dns::Soa::private(zone_name);
        soa.rname = self.email.clone();
        soa.refresh = i32::try_from(self.refresh_time).unwrap_or(i32::MAX);
        soa.retry = i32::try_from(self.retry_time).unwrap_or(i32::MAX);
        soa.expire = i32::try_from(self.expire_time).unwrap_or(i32::MAX);
        soa.minimum = self.minimum_ttl;
        soa.ttl = self.ttl;
        soa
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SoaRecordSetInput {
    ttl: Option<u32>,
    metadata: Option<Map<String, Value>>,
    soa_record: Option<SoaRecordInput>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SoaRecordInput {
    host: Option<String>,
    email: Option<String>,
    #[allow(dead_code)] // read-only: Azure keeps the serial number
    serial_number: Option<u64>,
    refresh_time: Option<u32>,
    retry_time: Option<u32>,
    expire_time: Option<u32>,
    // RecordSetSOAPut (2024-06-01) sends `minimumTTL`; the model's name is `minimumTtl`.
    #[serde(alias = "minimumTTL")]
    minimum_ttl: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolutionPolicy {
    Default,
    /// Fall back to internet resolution on NXDOMAIN (DNS-003 exception).
    NxDomainRedirect,
}

impl ResolutionPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionPolicy::Default => "Default",
            ResolutionPolicy::NxDomainRedirect => "NxDomainRedirect",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualNetworkLink {
    pub virtual_network: ResourceId,
    pub registration_enabled: bool,
    pub resolution_policy: ResolutionPolicy,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordSet {
    pub ttl: u32,
    pub a_records: Vec<Ipv4Addr>,
    pub cname: Option<String>,
    pub metadata: Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LinkInput {
    virtual_network: Option<IdRef>,
    registration_enabled: Option<bool>,
    resolution_policy: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ARecordInput {
    ipv4_address: Option<String>,
}

#[derive(Deserialize)]
struct CnameInput {
    cname: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RecordSetInput {
    ttl: Option<i64>,
    a_records: Option<Vec<Value>>,
    cname_record: Option<Value>,
    metadata: Option<Map<String, Value>>,
}

impl World {
    pub(crate) fn build_link(&self, id: &ResourceId, props: &Value) -> ArmResult<Body> {
        let input: LinkInput = parse_input(props, "properties")?;
        let path = "properties.virtualNetwork.id";
        let vnet = ref_id(input.virtual_network.and_then(|v| v.id).as_deref(), path)?;
        if !matches!(self.body_of(&vnet), Some(Body::VirtualNetwork(_))) {
            return Err(ArmError::invalid_resource_reference(&vnet, id).with_target(path));
        }
        let zone = id.parent().ok_or_else(|| required("id"))?;
        // Azure reports this when polling the link's operation; the emulator refuses the PUT itself.
        if self.store.zone_link(&zone, &vnet).is_some_and(|other| other != id.key()) {
            return Err(ArmError::private_zone_already_linked(zone.name(), &vnet, path));
        }
        let resolution_policy = match input.resolution_policy.as_deref() {
            None => ResolutionPolicy::Default,
            Some(p) if p.eq_ignore_ascii_case("Default") => ResolutionPolicy::Default,
            Some(p) if p.eq_ignore_ascii_case("NxDomainRedirect") => ResolutionPolicy::NxDomainRedirect,
            Some(p) => {
                return Err(ArmError::invalid_property(
                    "properties.resolutionPolicy",
                    format!("'{p}' is not a valid resolutionPolicy; allowed values are: Default, NxDomainRedirect."),
                ));
            }
        };
        Ok(Body::VirtualNetworkLink(VirtualNetworkLink {
            virtual_network: vnet,
            registration_enabled: input.registration_enabled.unwrap_or(false),
            resolution_policy,
        }))
    }
}

fn build_record_set(kind: ResourceKind, props: &Value) -> ArmResult<Body> {
    let input: RecordSetInput = parse_input(props, "properties")?;
    let ttl = input.ttl.unwrap_or(3600);
    if !(0..=2_147_483_647).contains(&ttl) {
        return Err(ArmError::invalid_property("properties.ttl", "The TTL must be between 0 and 2147483647."));
    }
    let mut set =
        RecordSet { ttl: ttl as u32, a_records: Vec::new(), cname: None, metadata: input.metadata.unwrap_or_default() };
    if kind == ResourceKind::ARecordSet {
        for (i, v) in input.a_records.unwrap_or_default().into_iter().enumerate() {
            let path = format!("properties.aRecords[{i}].ipv4Address");
            let r: ARecordInput = parse_input(&v, &format!("properties.aRecords[{i}]"))?;
            let text = r.ipv4_address.ok_or_else(|| required(&path))?;
            let ip = text
                .parse::<Ipv4Addr>()
                .map_err(|_| ArmError::invalid_property(&path, format!("'{text}' is not a valid IPv4 address.")))?;
            set.a_records.push(ip);
        }
        // Empty record sets are allowed: they break resolution later (DNS-003), as in Azure.
        Ok(Body::ARecordSet(set))
    } else {
        if let Some(v) = input.cname_record {
            let c: CnameInput = parse_input(&v, "properties.cnameRecord")?;
            set.cname = c.cname.filter(|c| !c.is_empty());
            // The DNS face answers with this name: one it cannot encode would be a SERVFAIL.
            if let Some(c) = &set.cname
                && !crate::lab::is_dns_name(c)
            {
                return Err(ArmError::invalid_property(
                    "properties.cnameRecord.cname",
                    format!(
                        "'{c}' is not a valid domain name: use labels of 1 to 63 letters, digits, '-' or '_' (not \
                         starting or ending with '-'), \
                         253 characters at most."
                    ),
                ));
            }
        }
        Ok(Body::CnameRecordSet(set))
    }
}

impl ResourceType for PrivateDnsZone {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { existing, .. } = *put;
        // A zone PUT leaves its SOA record set as it was.
        Ok(Body::PrivateDnsZone(match existing.map(|r| &r.body) {
            Some(Body::PrivateDnsZone(z)) => z.clone(),
            _ => PrivateDnsZone { internal_id: w.ids().guid(), soa: SoaSettings::default() },
        }))
    }

    fn properties(&self, w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let z = self;
        {
            let records = w.children_of(&r.id, ResourceKind::ARecordSet).count()
                + w.children_of(&r.id, ResourceKind::CnameRecordSet).count();
            let links: Vec<&Resource> = w.children_of(&r.id, ResourceKind::VirtualNetworkLink).collect();
            let with_registration = links
                .iter()
                .filter(|l| matches!(&l.body, Body::VirtualNetworkLink(x) if x.registration_enabled))
                .count();
            json!({
                "maxNumberOfRecordSets": 25000,
                "maxNumberOfVirtualNetworkLinks": 1000,
                "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                // Azure counts the zone's SOA record set too.
                "numberOfRecordSets": records + 1,
                "numberOfVirtualNetworkLinks": links.len(),
                "numberOfVirtualNetworkLinksWithRegistration": with_registration,
                "provisioningState": state,
                "internalId": z.internal_id,
            })
        }
    }

    fn check_delete(&self, w: &World, r: &Resource) -> ArmResult<()> {
        match w.children_of(&r.id, ResourceKind::VirtualNetworkLink).next() {
            None => Ok(()),
            Some(link) => Err(ArmError::private_dns_zone_has_links(r.id.name(), link.id.name())),
        }
    }
}

impl ResourceType for VirtualNetworkLink {
    fn build(w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { id, .. } = *put;
        let props = put.properties_or_empty();
        w.build_link(id, &props)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let state = r.provisioning_state.as_str();
        let l = self;
        json!({
            "virtualNetwork": { "id": l.virtual_network.to_string() },
            "registrationEnabled": l.registration_enabled,
            "resolutionPolicy": l.resolution_policy.as_str(),
            "virtualNetworkLinkState": if r.provisioning_state == ProvisioningState::Succeeded { "Completed" } else { "InProgress" },
            "provisioningState": state,
        })
    }

    fn index(&self, r: &Resource, out: &mut Vec<IndexEntry>) {
        if let Some(zone) = r.id.parent() {
            out.push(IndexEntry::ZoneLink {
                zone: zone.key().to_string(),
                vnet: self.virtual_network.key().to_string(),
            });
        }
    }
}

impl ResourceType for RecordSet {
    fn build(_w: &World, put: &Put<'_>, _fx: &mut Effects) -> ArmResult<Body> {
        let Put { kind, .. } = *put;
        let props = put.properties_or_empty();
        build_record_set(kind, &props)
    }

    fn properties(&self, _w: &World, r: &Resource) -> Value {
        let s = self;
        {
            let zone = r.id.parent().map(|z| z.name().to_ascii_lowercase()).unwrap_or_default();
            let name = r.id.name();
            let fqdn = if name == "@" { format!("{zone}.") } else { format!("{name}.{zone}.") };
            let mut p = json!({ "metadata": s.metadata, "ttl": s.ttl, "fqdn": fqdn, "isAutoRegistered": false });
            if r.kind() == ResourceKind::ARecordSet {
                p["aRecords"] =
                    json!(s.a_records.iter().map(|ip| json!({ "ipv4Address": ip.to_string() })).collect::<Vec<_>>());
            } else if let Some(c) = &s.cname {
                p["cnameRecord"] = json!({ "cname": c });
            }
            p
        }
    }
}
impl World {
    /// The SOA record set (`@`) Azure creates with every private DNS zone.
    pub fn zone_soa_record_set(&self, zone: &ResourceId) -> crate::error::ArmResult<Value> {
        let r = self.resource(zone)?;
        let Body::PrivateDnsZone(z) = &r.body else {
            return Err(crate::error::ArmError::linked_invalid_property_id(&zone.to_string(), "id"));
        };
        let name = zone.name().to_ascii_lowercase();
        let soa = &z.soa;
        let dns = soa.to_dns(&name);
        Ok(json!({
            "id": format!("{zone}/SOA/@"),
            "name": "@",
            "type": "Microsoft.Network/privateDnsZones/SOA",
            "etag": r.etag.clone().unwrap_or_default(),
            "properties": {
                "metadata": soa.metadata,
                "ttl": soa.ttl,
                "fqdn": format!("{name}."),
                "isAutoRegistered": false,
                "soaRecord": {
                    "host": dns.mname,
                    "email": soa.email,
                    "serialNumber": dns.serial,
                    "refreshTime": soa.refresh_time,
                    "retryTime": soa.retry_time,
                    "expireTime": soa.expire_time,
                    "minimumTtl": soa.minimum_ttl,
                },
            },
        }))
    }

    /// `PUT` (`merge: false`: what the body leaves out returns to the default) or `PATCH`
    /// (`merge: true`) of a zone's SOA record set (RecordSetSOAPatch example, 2024-06-01).
    pub(crate) fn write_zone_soa(
        &mut self,
        zone: &ResourceId,
        body: &Value,
        merge: bool,
    ) -> crate::error::ArmResult<Value> {
        let r = self.resource(zone)?;
        let Body::PrivateDnsZone(z) = &r.body else {
            return Err(crate::error::ArmError::linked_invalid_property_id(&zone.to_string(), "id"));
        };
        if !body.is_object() {
            return Err(ArmError::invalid_request_content("The request content must be a JSON object."));
        }
        let props = body.get("properties").cloned().unwrap_or(Value::Null);
        let input: SoaRecordSetInput =
            if props.is_null() { SoaRecordSetInput::default() } else { parse_input(&props, "properties")? };
        let base = if merge { z.soa.clone() } else { SoaSettings::default() };
        let record = input.soa_record.unwrap_or_default();
        let host = crate::dns::Soa::private("").mname;
        if let Some(h) = record.host.filter(|h| !h.eq_ignore_ascii_case(&host)) {
            return Err(ArmError::invalid_property(
                "properties.soaRecord.host",
                format!("The host of a SOA record cannot be changed (it is '{host}', not '{h}')."),
            ));
        }
        let soa = SoaSettings {
            ttl: input.ttl.unwrap_or(base.ttl),
            metadata: input.metadata.unwrap_or(base.metadata),
            email: record.email.filter(|e| !e.is_empty()).unwrap_or(base.email),
            refresh_time: record.refresh_time.unwrap_or(base.refresh_time),
            retry_time: record.retry_time.unwrap_or(base.retry_time),
            expire_time: record.expire_time.unwrap_or(base.expire_time),
            minimum_ttl: record.minimum_ttl.unwrap_or(base.minimum_ttl),
        };
        self.store.update(zone.key(), |r| {
            if let Body::PrivateDnsZone(z) = &mut r.body {
                z.soa = soa;
            }
        });
        self.zone_soa_record_set(zone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cname_target_is_a_name_dns_can_carry() {
        let is_name = crate::lab::is_dns_name;
        for ok in
            ["gbl.privatelink.his.arc.azure.com", "www.example.com.", "localhost", "_sip._tcp.example", &"a".repeat(63)]
        {
            assert!(is_name(ok), "{ok}");
        }
        let long = format!("{0}.{0}.{0}.{0}.example", "x".repeat(63));
        for bad in [
            "",
            ".",
            "a..b",
            "é.example",
            "a b.example",
            &"a".repeat(64),
            &long,
            "x.example ",
            "a/b",
            "-x.example",
            "@.example",
        ] {
            assert!(!is_name(bad), "{bad}");
        }
        let body = |c: &str| json!({"cnameRecord": {"cname": c}});
        assert!(build_record_set(ResourceKind::CnameRecordSet, &body("www.example.com")).is_ok());
        let e = build_record_set(ResourceKind::CnameRecordSet, &body(&long)).unwrap_err();
        assert_eq!(
            (e.status, e.code.as_ref(), e.target.as_deref()),
            (400, "InvalidRequestContent", Some("properties.cnameRecord.cname"))
        );
    }
}
