//! Who may talk to the emulator, and how it names itself (issue 11, "safe by default").

/// Access settings of [`crate::Emulator::start`] (`arcemu serve`'s `--allow-remote`,
/// `--allow-host`, `--admin-token`, `--public-url`).
#[derive(Clone, Debug, Default)]
pub struct AccessConfig {
    /// Listen on addresses other than loopback. Off: [`crate::Emulator::start`] refuses them.
    pub allow_remote: bool,
    /// Names (or addresses) accepted in the `Host` header besides loopback names and addresses
    /// and the listener's own address; `*` accepts any.
    pub allow_hosts: Vec<String>,
    /// When set, every admin request (`/_emulator/`) needs `Authorization: Bearer <token>`.
    pub admin_token: Option<String>,
    /// The base URL the emulator names itself by in the URLs it returns (`Azure-AsyncOperation`,
    /// `Location`, `nextLink`); `http://<ARM listener address>` when `None`.
    pub public_url: Option<String>,
}

impl AccessConfig {
    /// Refuses a non-loopback listener unless `allow_remote` is set (`what`: which listener).
    pub fn check_listen(&self, addr: std::net::SocketAddr, what: &str) -> std::io::Result<()> {
        if self.allow_remote || addr.ip().is_loopback() {
            return Ok(());
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "refusing to listen on {addr} ({what}): it is not a loopback address, and anyone who can reach it could \
                 change the emulated world. Pass --allow-remote (ARCEMU_ALLOW_REMOTE=true; in-process: \
                 access.allow_remote) to listen there anyway, ideally with --admin-token."
            ),
        ))
    }
}

/// Checks a `--public-url`: `http://` or `https://`, a host, no path, query or fragment.
/// Returns it without a trailing slash.
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let bad = || format!("'{s}' is not a base URL like http://arcemu.example:8490 (scheme and host, no path)");
    let (scheme, authority) = s.split_once("://").ok_or_else(bad)?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        || authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' '])
        || !authority.is_ascii()
    {
        return Err(bad());
    }
    Ok(format!("{}://{authority}", scheme.to_ascii_lowercase()))
}

/// The base URL of the URLs the emulator returns: `public_url` when given, otherwise the ARM
/// listener's address (loopback when it listens on every address).
pub fn base_url(public_url: Option<&str>, bound: std::net::SocketAddr) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_string();
    }
    let mut addr = bound;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// The host part of a `Host` header value or an authority (`name[:port]`, `[v6][:port]`),
/// lower-cased, without a trailing dot.
fn host_part(authority: &str) -> String {
    let authority = authority.trim();
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        }
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The checks every request of the HTTP listener passes before a face sees it.
pub(crate) struct Guard {
    any_host: bool,
    /// Lower-cased names accepted in `Host` besides loopback.
    hosts: Vec<String>,
    /// The listener's own address, when it is a specific one.
    own_ip: Option<std::net::IpAddr>,
    /// The public URL's origin (`scheme://authority`), lower-cased.
    public_origin: Option<String>,
    admin_token: Option<String>,
}

/// Paths of the admin API: the default world's, and each named world's (`/worlds/{name}/_emulator/...`).
pub(crate) fn is_admin(path: &str) -> bool {
    let path = match path.strip_prefix("/worlds/") {
        Some(rest) => rest.find('/').map_or("", |i| &rest[i..]),
        None => path,
    };
    path == "/_emulator" || path.starts_with("/_emulator/")
}

impl Guard {
    pub(crate) fn new(access: &AccessConfig, bound: std::net::SocketAddr) -> Guard {
        let mut hosts: Vec<String> =
            access.allow_hosts.iter().map(|h| host_part(h)).filter(|h| !h.is_empty()).collect();
        let public_origin = access.public_url.as_deref().map(|u| u.trim_end_matches('/').to_ascii_lowercase());
        if let Some(origin) = &public_origin {
            hosts.push(host_part(origin.split_once("://").map_or("", |(_, a)| a)));
        }
        Guard {
            any_host: access.allow_hosts.iter().any(|h| h.trim() == "*"),
            hosts,
            own_ip: Some(bound.ip()).filter(|ip| !ip.is_unspecified()),
            public_origin,
            admin_token: access.admin_token.clone().filter(|t| !t.is_empty()),
        }
    }

    /// Loopback names and addresses, the listener's own address, the public URL's host, and the
    /// names given; anything with `*`.
    fn host_allowed(&self, authority: &str) -> bool {
        let host = host_part(authority);
        if self.any_host || host == "localhost" || self.hosts.contains(&host) {
            return true;
        }
        match host.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.is_loopback() || Some(ip) == self.own_ip,
            Err(_) => false,
        }
    }

    /// The emulator's own origins: `http://<Host of this request>` (the Host already passed the
    /// allow-list) and the public URL's.
    fn own_origin(&self, origin: &str, authority: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        origin == format!("http://{}", authority.trim().to_ascii_lowercase())
            || self.public_origin.as_deref() == Some(&origin)
    }

    fn token_ok(&self, headers: &axum::http::HeaderMap) -> bool {
        let Some(expected) = &self.admin_token else { return true };
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .unwrap_or_default();
        constant_time_eq(given.as_bytes(), expected.as_bytes())
    }

    /// The refusal of a request, if it is refused: a `Host` outside the allow-list; an admin
    /// request without the admin token; a write from a foreign `Origin`; an admin write that is
    /// not `application/json`.
    pub(crate) fn check(&self, req: &axum::extract::Request) -> Result<(), arcemu_model::ArmError> {
        use arcemu_model::ArmError;
        use axum::http::{Method, header};
        let headers = req.headers();
        let authority = match headers.get(header::HOST) {
            Some(h) => h.to_str().unwrap_or_default(),
            None => req.uri().authority().map(|a| a.as_str()).unwrap_or_default(),
        };
        if authority.is_empty() || !self.host_allowed(authority) {
            return Err(ArmError::host_not_allowed(&String::from_utf8_lossy(
                headers.get(header::HOST).map(|h| h.as_bytes()).unwrap_or_default(),
            )));
        }
        let admin = is_admin(req.uri().path());
        if admin && !self.token_ok(headers) {
            return Err(ArmError::admin_token_required());
        }
        let method = req.method();
        let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !write {
            return Ok(());
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = String::from_utf8_lossy(origin.as_bytes());
            if !self.own_origin(&origin, authority) {
                return Err(ArmError::foreign_origin_refused(&origin));
            }
        }
        if admin {
            let media = headers.get(header::CONTENT_TYPE).map(|v| {
                String::from_utf8_lossy(v.as_bytes()).split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
            });
            match (media, *method == Method::DELETE) {
                (Some(m), _) if m == "application/json" => {}
                (None, true) => {}
                (None, false) => return Err(ArmError::missing_content_type()),
                (Some(m), _) => return Err(ArmError::unsupported_media_type(&m)),
            }
        }
        Ok(())
    }
}

/// Compares without stopping at the first difference (the admin token).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_public_urls() {
        assert_eq!(host_part("LocalHost:8490"), "localhost");
        assert_eq!(host_part("[::1]:8490"), "::1");
        assert_eq!(host_part("example.com."), "example.com");
        assert_eq!(host_part("é:80"), "é");
        let bound = "127.0.0.1:8490".parse().unwrap();
        let g = Guard::new(&AccessConfig { allow_hosts: vec!["Arcemu.Test".into()], ..Default::default() }, bound);
        for ok in ["localhost", "127.0.0.1:1", "127.9.9.9", "[::1]:8490", "arcemu.test:8490", "ARCEMU.TEST"] {
            assert!(g.host_allowed(ok), "{ok}");
        }
        for no in ["evil.example", "10.0.0.1", "[::2]", "localhost.evil", "", "é", "arcemu.test.evil"] {
            assert!(!g.host_allowed(no), "{no}");
        }
        let g = Guard::new(&AccessConfig::default(), "10.1.2.3:8490".parse().unwrap());
        assert!(g.host_allowed("10.1.2.3:8490") && !g.host_allowed("10.1.2.4"));
        let g = Guard::new(&AccessConfig { allow_hosts: vec!["*".into()], ..Default::default() }, bound);
        assert!(g.host_allowed("anything.example"));
        assert_eq!(parse_public_url("HTTPS://arcemu.example:8443/").as_deref(), Ok("https://arcemu.example:8443"));
        for bad in ["arcemu.example", "ftp://x", "http://", "http://x/path", "http://x?q", "http://é"] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
        assert_eq!(base_url(None, "0.0.0.0:8490".parse().unwrap()), "http://127.0.0.1:8490");
        assert_eq!(base_url(None, "[::]:8490".parse().unwrap()), "http://[::1]:8490");
        assert_eq!(base_url(Some("https://x.example/"), bound), "https://x.example");
        assert!(
            constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"ab", b"abc")
        );
    }
}
