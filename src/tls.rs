//! The HTTPS listener's certificates: a local certificate authority made at first start and
//! kept in a directory (`ca.pem`, `ca-key.pem`), and a server certificate it signs at every
//! start for the names clients use (loopback, `--allow-host` names, the `--public-url` host).
//! Clients trust the emulator by trusting `ca.pem` (`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, the
//! system store); the server certificate can change between starts without them noticing.
//!
//! Crypto is `ring` (rcgen and rustls both): pure Rust plus assembly built by `cc`, no cmake, so
//! the static `FROM scratch` image builds as before (aws-lc-rs, rustls' default, needs cmake).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The CA certificate's file in the TLS directory (what clients trust).
pub const CA_FILE: &str = "ca.pem";
/// The CA's private key, readable by its owner only.
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The server certificate of the last start, with the CA after it (for inspection).
pub const SERVER_FILE: &str = "server.pem";

/// The default TLS directory: `DATA_DIR/tls` with a data directory, else a per-user one
/// (`$XDG_DATA_HOME/arcemu/tls`, or `$HOME/.local/share/arcemu/tls`).
pub fn default_dir(data_dir: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = data_dir {
        return Some(d.join("tls"));
    }
    let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    from_env("XDG_DATA_HOME")
        .or_else(|| from_env("HOME").map(|h| h.join(".local").join("share")))
        .map(|d| d.join("arcemu").join("tls"))
}

/// The certificates of one start.
pub struct Certificates {
    /// Where `ca.pem` is.
    pub ca_file: PathBuf,
    pub server_config: Arc<rustls::ServerConfig>,
}

fn invalid(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {e}"))
}

/// The CA's parameters; the same at every start, so an issuer rebuilt from them and the kept
/// key signs certificates that chain to the kept `ca.pem` (same name, same key identifier).
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "arcemu local CA");
    name.push(DnType::OrganizationName, "arcemu");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params
}

/// Loads the CA from `dir`, or makes one there (first start).
fn load_or_make_ca(dir: &Path) -> io::Result<(Issuer<'static, KeyPair>, String)> {
    std::fs::create_dir_all(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("TLS directory {}: {e}", dir.display())))?;
    let (ca_file, key_file) = (dir.join(CA_FILE), dir.join(CA_KEY_FILE));
    if ca_file.exists() && key_file.exists() {
        let key = KeyPair::from_pem(&std::fs::read_to_string(&key_file)?)
            .map_err(|e| invalid(&key_file.display().to_string(), e))?;
        let ca_pem = std::fs::read_to_string(&ca_file)?;
        return Ok((Issuer::new(ca_params(), key), ca_pem));
    }
    let key = KeyPair::generate().map_err(|e| invalid("CA key", e))?;
    let params = ca_params();
    let cert = params.self_signed(&key).map_err(|e| invalid("CA certificate", e))?;
    write_private(&key_file, &key.serialize_pem())?;
    std::fs::write(&ca_file, cert.pem())?;
    tracing::info!("TLS: made a new CA in {}", dir.display());
    Ok((Issuer::new(params, key), cert.pem()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    std::fs::write(path, text)
}

/// The names the server certificate covers: loopback (`127.0.0.1`, `::1`, `localhost`) and
/// `names` (host names or addresses; `*` and empty ones are skipped).
pub fn subject_alt_names(names: &[String]) -> Vec<SanType> {
    let mut out: Vec<SanType> = Vec::new();
    let mut push = |san: SanType| {
        if !out.contains(&san) {
            out.push(san);
        }
    };
    let loopback = ["127.0.0.1", "::1", "localhost"].map(String::from);
    for n in loopback.iter().chain(names) {
        let n = n.trim().trim_start_matches('[').trim_end_matches(']');
        if n.is_empty() || n.contains('*') {
            continue;
        }
        match n.parse::<IpAddr>() {
            Ok(ip) => push(SanType::IpAddress(ip)),
            Err(_) => {
                if let Ok(dns) = n.to_ascii_lowercase().try_into() {
                    push(SanType::DnsName(dns));
                }
            }
        }
    }
    out
}

/// The certificates for a start: the CA from `dir` (made there the first time) and a new server
/// certificate for loopback and `names`.
pub fn certificates(dir: &Path, names: &[String]) -> io::Result<Certificates> {
    let (issuer, ca_pem) = load_or_make_ca(dir)?;
    let mut params = CertificateParams::default();
    params.subject_alt_names = subject_alt_names(names);
    params.distinguished_name.push(DnType::CommonName, "arcemu");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    // Made at every start, so a short validity costs nothing (the CA's is rcgen's long default).
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(397);
    let key = KeyPair::generate().map_err(|e| invalid("server key", e))?;
    let cert = params.signed_by(&key, &issuer).map_err(|e| invalid("server certificate", e))?;
    let _ = std::fs::write(dir.join(SERVER_FILE), format!("{}{ca_pem}", cert.pem()));
    let ca_der = rustls::pki_types::pem::PemObject::from_pem_slice(ca_pem.as_bytes())
        .map_err(|e| invalid(&dir.join(CA_FILE).display().to_string(), e))?;
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone(), ca_der];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("TLS", e))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| invalid("TLS", e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Certificates { ca_file: dir.join(CA_FILE), server_config: Arc::new(config) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_and_the_given_hosts_once() {
        let sans = subject_alt_names(&["arcemu.test".into(), "10.1.2.3".into(), "*".into(), "localhost".into()]);
        assert_eq!(sans.len(), 5, "{sans:?}");
        assert!(sans.contains(&SanType::IpAddress("10.1.2.3".parse().unwrap())));
        assert!(sans.contains(&SanType::DnsName("arcemu.test".try_into().unwrap())));
    }

    #[test]
    fn the_ca_is_kept_and_reused() {
        let dir = std::env::temp_dir().join(format!("arcemu-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        certificates(&dir, &[]).unwrap();
        let first = std::fs::read_to_string(dir.join(CA_FILE)).unwrap();
        certificates(&dir, &["x.example".into()]).unwrap();
        assert_eq!(first, std::fs::read_to_string(dir.join(CA_FILE)).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
