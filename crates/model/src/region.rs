//! Azure regions the emulator knows: canonical name, display name and the short code
//! used in regional Arc endpoint names (`<short>.his.arc.azure.com`).
//!
//! ARM accepts a location in either form ("East US 2" or "eastus2") and returns the
//! canonical lower-case form; [`normalize`] does the same.

/// One Azure region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: &'static str,
    pub display_name: &'static str,
    /// Short code used in `<short>.his.arc.azure.com` (e.g. `eus2`). Verified from Microsoft's
    /// published endpoint lists: eus, weu, ae, cc, pn, je, scus, sea; from the Arc quickstart's
    /// region order: wcus, uks, wus2, eus2, ne. The rest are inferred.
    pub short: &'static str,
    pub cloud: Cloud,
}

/// The Azure cloud a region belongs to (decides the DNS suffixes of Arc endpoints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    Public,
    China,
    UsGovernment,
}

macro_rules! regions {
    ($($name:literal, $display:literal, $short:literal, $cloud:ident;)*) => {
        /// Every region the emulator accepts as a location.
        pub const REGIONS: &[Region] = &[$(Region { name: $name, display_name: $display, short: $short, cloud: Cloud::$cloud }),*];
    };
}

regions! {
    "australiaeast", "Australia East", "ae", Public;
    "brazilsouth", "Brazil South", "brs", Public;
    "canadacentral", "Canada Central", "cc", Public;
    "canadaeast", "Canada East", "cne", Public;
    "centralindia", "Central India", "pn", Public;
    "centralus", "Central US", "cus", Public;
    "eastasia", "East Asia", "ea", Public;
    "eastus", "East US", "eus", Public;
    "eastus2", "East US 2", "eus2", Public;
    "francecentral", "France Central", "frc", Public;
    "germanywestcentral", "Germany West Central", "gwc", Public;
    "japaneast", "Japan East", "je", Public;
    "japanwest", "Japan West", "jpw", Public;
    "koreacentral", "Korea Central", "krc", Public;
    "northcentralus", "North Central US", "ncus", Public;
    "northeurope", "North Europe", "ne", Public;
    "norwayeast", "Norway East", "noe", Public;
    "southafricanorth", "South Africa North", "san", Public;
    "southcentralus", "South Central US", "scus", Public;
    "southeastasia", "Southeast Asia", "sea", Public;
    "swedencentral", "Sweden Central", "sdc", Public;
    "switzerlandnorth", "Switzerland North", "szn", Public;
    "uaenorth", "UAE North", "uan", Public;
    "uksouth", "UK South", "uks", Public;
    "ukwest", "UK West", "ukw", Public;
    "westcentralus", "West Central US", "wcus", Public;
    "westeurope", "West Europe", "weu", Public;
    "westus", "West US", "wus", Public;
    "westus2", "West US 2", "wus2", Public;
    "westus3", "West US 3", "wus3", Public;
    "chinaeast2", "China East 2", "sha2", China;
    "chinaeast3", "China East 3", "sha3", China;
    "chinanorth2", "China North 2", "bjb2", China;
    "chinanorth3", "China North 3", "bjb3", China;
    "usgovvirginia", "USGov Virginia", "usgv", UsGovernment;
    "usgovarizona", "USGov Arizona", "usga", UsGovernment;
}

/// Finds a region by canonical or display name, ignoring case and spaces.
pub fn lookup(location: &str) -> Option<&'static Region> {
    let wanted = canonical_form(location);
    REGIONS.iter().find(|r| r.name == wanted)
}

/// A region by its name, display name or short code (`wus2`, as agents and the
/// GetValidation example name regions).
pub fn lookup_name_or_code(location: &str) -> Option<&'static Region> {
    lookup(location).or_else(|| {
        let wanted = canonical_form(location);
        REGIONS.iter().find(|r| r.short == wanted)
    })
}

/// Lower-cased with spaces removed: how ARM compares and returns locations.
pub fn canonical_form(location: &str) -> String {
    location.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Canonical name of a known region, or `None` for an unknown location.
pub fn normalize(location: &str) -> Option<&'static str> {
    lookup(location).map(|r| r.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_and_case_normalize() {
        assert_eq!(normalize("East US 2"), Some("eastus2"));
        assert_eq!(normalize("WESTEUROPE"), Some("westeurope"));
        assert_eq!(normalize("atlantis"), None);
        assert_eq!(lookup("eastus2").unwrap().short, "eus2");
    }

    #[test]
    fn region_names_are_unique_and_canonical() {
        for (i, r) in REGIONS.iter().enumerate() {
            assert_eq!(canonical_form(r.display_name), r.name, "{}", r.display_name);
            assert!(REGIONS[i + 1..].iter().all(|o| o.name != r.name && o.short != r.short), "{}", r.name);
        }
    }
}
