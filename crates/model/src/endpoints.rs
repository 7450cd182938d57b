//! The Azure Arc endpoints a private endpoint of a Private Link Scope serves, per region:
//! the FQDNs that get a private IP each, and the `privatelink.*` zones that hold them
//! (DESIGN.md, "DNS facts"). Shared by the private endpoint (customDnsConfigs), zone
//! groups (A records), and later the DNS and data-plane simulations.

use crate::region::{self, Cloud};

/// The DNS suffix of Arc endpoints in a cloud.
pub fn cloud_suffix(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => "azure.com",
        Cloud::China => "azure.cn",
        Cloud::UsGovernment => "azure.us",
    }
}

/// One Arc endpoint: its FQDN, the public zone it lives in, and the record name in that zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArcEndpoint {
    pub fqdn: String,
    /// e.g. `his.arc.azure.com`; the private zone is `privatelink.` + this.
    pub public_zone: String,
    /// Relative name in the zone, e.g. `gbl`.
    pub record: String,
}

impl ArcEndpoint {
    pub fn private_zone(&self) -> String {
        format!("privatelink.{}", self.public_zone)
    }
}

/// The three public zones of group id `hybridcompute` in a cloud.
pub fn public_zones(cloud: Cloud) -> [String; 3] {
    let s = cloud_suffix(cloud);
    [format!("his.arc.{s}"), format!("guestconfiguration.{s}"), format!("dp.kubernetesconfiguration.{s}")]
}

/// The endpoints one private endpoint of a scope in `scope_region` gets, in a fixed order.
/// `None` for an unknown region.
pub fn arc_endpoints(scope_region: &str) -> Option<Vec<ArcEndpoint>> {
    let r = region::lookup(scope_region)?;
    let [his, gc, dp] = public_zones(r.cloud);
    let ep = |record: String, zone: &str| ArcEndpoint {
        fqdn: format!("{record}.{zone}"),
        public_zone: zone.to_string(),
        record,
    };
    Some(vec![
        ep("gbl".to_string(), &his),
        ep(r.short.to_string(), &his),
        ep("agentserviceapi".to_string(), &gc),
        ep(format!("{}-gas", r.name), &gc),
        ep(r.name.to_string(), &dp),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eastus2_endpoints_match_the_design_table() {
        let fqdns: Vec<String> = arc_endpoints("eastus2").unwrap().into_iter().map(|e| e.fqdn).collect();
        assert_eq!(
            fqdns,
            [
                "gbl.his.arc.azure.com",
                "eus2.his.arc.azure.com",
                "agentserviceapi.guestconfiguration.azure.com",
                "eastus2-gas.guestconfiguration.azure.com",
                "eastus2.dp.kubernetesconfiguration.azure.com",
            ]
        );
        assert_eq!(arc_endpoints("eastus2").unwrap()[0].private_zone(), "privatelink.his.arc.azure.com");
    }

    #[test]
    fn sovereign_clouds_use_their_suffix() {
        assert!(arc_endpoints("chinaeast2").unwrap().iter().all(|e| e.fqdn.ends_with(".azure.cn")));
        assert!(arc_endpoints("usgovvirginia").unwrap().iter().all(|e| e.fqdn.ends_with(".azure.us")));
        assert!(arc_endpoints("atlantis").is_none());
    }
}
