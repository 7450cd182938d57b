//! Expectations: what the automation under test must achieve, per cluster.

use serde::Serialize;
use std::fmt;

/// What a cluster's agents must achieve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Want {
    /// Every Arc endpoint reached through the private endpoint, and the public services the
    /// agents need (NET-002) allowed.
    Private,
    /// `private`, and the scope refuses the internet path (public network access disabled).
    PrivateOnly,
    /// The agents connect, privately or publicly.
    Connected,
}

impl Want {
    pub fn as_str(self) -> &'static str {
        match self {
            Want::Private => "private",
            Want::PrivateOnly => "private-only",
            Want::Connected => "connected",
        }
    }
}

/// `WANT[:CLUSTER]`: a lab cluster by name, or (no name) every lab cluster whose connected
/// cluster has private link enabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub want: Want,
    pub cluster: Option<String>,
}

impl std::str::FromStr for Expectation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (want, cluster) = match s.split_once(':') {
            Some((w, c)) => (w, Some(c)),
            None => (s, None),
        };
        let want = match want.trim().to_ascii_lowercase().as_str() {
            "private" => Want::Private,
            "private-only" => Want::PrivateOnly,
            "connected" => Want::Connected,
            other => {
                return Err(format!(
                    "'{other}' is not an expectation: use private, private-only or connected, optionally :CLUSTER"
                ));
            }
        };
        match cluster.map(str::trim) {
            Some("") => Err(format!("'{s}': the cluster name after ':' is empty")),
            c => Ok(Expectation { want, cluster: c.map(str::to_string) }),
        }
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cluster {
            Some(c) => write!(f, "{}: {c}", self.want.as_str()),
            None => write!(f, "{}: every cluster with private link enabled", self.want.as_str()),
        }
    }
}
