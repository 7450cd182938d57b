//! IPv4 prefixes as Azure virtual networks use them: parse, contain, overlap, and the
//! deterministic allocation of private addresses inside a subnet (Azure reserves the first
//! four addresses and the last one of every subnet).

use std::collections::BTreeSet;
use std::fmt;
use std::net::Ipv4Addr;

/// An IPv4 prefix such as `10.0.0.0/16`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Net {
    base: u32,
    len: u8,
}

/// Why a prefix does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CidrError {
    /// Not `a.b.c.d/n` with n in 0..=32.
    Malformed,
    /// Host bits set (`10.0.0.1/24`): Azure wants the network address.
    HostBitsSet { canonical: String },
}

impl Ipv4Net {
    pub fn parse(s: &str) -> Result<Self, CidrError> {
        let (addr, len) = s.trim().split_once('/').ok_or(CidrError::Malformed)?;
        let addr: Ipv4Addr = addr.parse().map_err(|_| CidrError::Malformed)?;
        let len: u8 = len.parse().map_err(|_| CidrError::Malformed)?;
        if len > 32 {
            return Err(CidrError::Malformed);
        }
        let raw = u32::from(addr);
        let net = Ipv4Net { base: raw & mask(len), len };
        if net.base != raw {
            return Err(CidrError::HostBitsSet { canonical: net.to_string() });
        }
        Ok(net)
    }

    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    pub fn first(&self) -> u32 {
        self.base
    }

    pub fn last(&self) -> u32 {
        self.base | !mask(self.len)
    }

    /// Number of addresses in the prefix.
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.len))
    }

    pub fn contains_net(&self, other: &Ipv4Net) -> bool {
        self.len <= other.len && (other.base & mask(self.len)) == self.base
    }

    pub fn contains_addr(&self, addr: Ipv4Addr) -> bool {
        (u32::from(addr) & mask(self.len)) == self.base
    }

    pub fn overlaps(&self, other: &Ipv4Net) -> bool {
        self.contains_net(other) || other.contains_net(self)
    }

    /// The lowest address not in `used`, skipping Azure's reserved addresses (first four, last).
    pub fn allocate(&self, used: &BTreeSet<u32>) -> Option<Ipv4Addr> {
        if self.size() < 8 {
            return None;
        }
        (self.first() + 4..self.last()).find(|a| !used.contains(a)).map(Ipv4Addr::from)
    }
}

fn mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.len)
    }
}

/// Ranges Azure refuses in a virtual network's address space, with why.
pub const FORBIDDEN_RANGES: &[(&str, &str)] = &[
    ("127.0.0.0/8", "loopback"),
    ("168.63.129.16/32", "the Azure platform address (Azure DNS, health probes)"),
    ("169.254.0.0/16", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
];

/// The forbidden range `net` overlaps, if any.
pub fn forbidden_overlap(net: &Ipv4Net) -> Option<(&'static str, &'static str)> {
    FORBIDDEN_RANGES.iter().copied().find(|(r, _)| Ipv4Net::parse(r).is_ok_and(|f| f.overlaps(net)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Ipv4Net {
        Ipv4Net::parse(s).unwrap()
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(n("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert_eq!(Ipv4Net::parse("10.0.0.1/24"), Err(CidrError::HostBitsSet { canonical: "10.0.0.0/24".into() }));
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "x/8", "10.0.0.0/-1", ""] {
            assert_eq!(Ipv4Net::parse(bad), Err(CidrError::Malformed), "{bad}");
        }
    }

    #[test]
    fn containment_and_overlap() {
        assert!(n("10.0.0.0/16").contains_net(&n("10.0.1.0/24")));
        assert!(!n("10.0.1.0/24").contains_net(&n("10.0.0.0/16")));
        assert!(n("10.0.1.0/24").overlaps(&n("10.0.0.0/16")));
        assert!(!n("10.0.1.0/24").overlaps(&n("10.0.2.0/24")));
        assert!(n("0.0.0.0/0").contains_addr(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(forbidden_overlap(&n("168.63.128.0/22")).map(|f| f.0), Some("168.63.129.16/32"));
        assert_eq!(forbidden_overlap(&n("10.0.0.0/8")), None);
    }

    #[test]
    fn allocation_skips_azure_reserved_addresses() {
        let s = n("10.0.1.0/29");
        let mut used = BTreeSet::new();
        let mut got = Vec::new();
        while let Some(ip) = s.allocate(&used) {
            used.insert(u32::from(ip));
            got.push(ip.to_string());
        }
        assert_eq!(got, ["10.0.1.4", "10.0.1.5", "10.0.1.6"]);
        assert_eq!(n("10.0.0.0/30").allocate(&BTreeSet::new()), None);
    }
}
