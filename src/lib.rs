//! # arcemu
//!
//! An emulated Azure control plane for Azure Arc-enabled Kubernetes private connectivity
//! (Azure Arc Private Link Scope). This crate wires the faces to the model and runs them in
//! one process: [`Emulator::start`] starts everything on loopback inside the caller's tokio
//! runtime and returns its endpoints; dropping or [`Emulator::stop`]ping it shuts it down.
//! The `arcemu` binary is a thin wrapper over the same API.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = arcemu::Emulator::start(arcemu::EmulatorConfig::default()).await?;
//! println!("ARM at {}", emu.arm_endpoint());
//! emu.stop().await;
//! # Ok(()) }
//! ```

pub mod access;
pub mod admin;
pub mod answers;
pub mod app;
pub mod clock;
pub mod entra;
pub mod explain;
pub mod persist;
pub mod refusals;
pub mod request_log;
pub mod server;
pub mod stats;
pub mod tls;
pub mod web;
pub mod world_file;
pub mod worlds;

pub use access::AccessConfig;
pub use arcemu_fake_arm::ArmConfig;
pub use arcemu_fake_dns::{DEFAULT_DNS_LISTEN, DnsConfig, DnsHandle};
pub use arcemu_model::world::{SubscriptionConfig, WorldConfig};
pub use arcemu_model::{RegionProfile, SharedWorld, World};

use arcemu_fake_arm::ArmState;
use arcemu_fake_dns::DnsServer;
use arcemu_model::clock::Clock;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The default address of `arcemu serve`'s ARM listener.
pub const DEFAULT_ARM_LISTEN: &str = "127.0.0.1:8490";

/// Everything [`Emulator::start`] needs.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Where the ARM (and admin) listener binds; port 0 picks a free one.
    pub arm_listen: SocketAddr,
    pub world: WorldConfig,
    pub arm: ArmConfig,
    /// The DNS face: the public view's address (port 0 picks a free one) and the address of
    /// the other vantage points' listeners (each on an ephemeral port).
    pub dns: DnsConfig,
    /// A world to load before serving, given in memory (kept for resets).
    pub initial_world: Option<world_file::WorldFile>,
    /// A world file to load before serving (`arcemu serve --world FILE`): read at start, and
    /// read again for a reset to the baseline or a new named world (refused if it changed).
    /// Not both this and `initial_world`.
    pub initial_world_file: Option<std::path::PathBuf>,
    /// The clock; the system clock when `None`.
    pub clock: Option<Arc<dyn Clock>>,
    /// Who may talk to it (remote listeners, `Host` names, the admin token) and the base URL
    /// it names itself by.
    pub access: AccessConfig,
    /// Where the world is kept across restarts (`arcemu serve --data-dir DIR`); in memory only
    /// when `None`. A directory that already holds a world wins over `initial_world`.
    pub data_dir: Option<std::path::PathBuf>,
    /// Named worlds (`/worlds/{name}/...`) at most, besides the default one.
    pub max_named_worlds: usize,
    /// An HTTPS listener beside the HTTP one (same routes, same bounds), if any.
    pub https: Option<HttpsConfig>,
}

/// The HTTPS listener: where it binds and where its certificate authority is kept.
#[derive(Clone, Debug)]
pub struct HttpsConfig {
    /// Port 0 picks a free one.
    pub listen: SocketAddr,
    /// The TLS directory ([`tls::CA_FILE`] is what clients trust); made at first start.
    pub dir: std::path::PathBuf,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            arm_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            world: WorldConfig::default(),
            arm: ArmConfig::default(),
            dns: DnsConfig::default(),
            clock: None,
            initial_world: None,
            initial_world_file: None,
            access: AccessConfig::default(),
            data_dir: None,
            max_named_worlds: worlds::DEFAULT_MAX_WORLDS,
            https: None,
        }
    }
}

/// A running emulator. Stops when dropped.
pub struct Emulator {
    arm_addr: SocketAddr,
    world: Arc<SharedWorld>,
    dns: Option<DnsServer>,
    dns_public: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    connections: Arc<server::ConnectionStats>,
    worlds: Arc<worlds::Worlds>,
    logs: request_log::Logs,
    https: Option<RunningHttps>,
}

struct RunningHttps {
    addr: SocketAddr,
    ca_file: std::path::PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// What gives the memory a big change freed back to the system (the binary's allocator
/// keeps freed pages for reuse otherwise): set once by the binary, called after a world is
/// loaded or replaced. The library does not assume an allocator.
static RELEASE_MEMORY: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what [`release_memory`] calls (the binary: its allocator's collection).
pub fn set_memory_release(release: fn()) {
    let _ = RELEASE_MEMORY.set(release);
}

/// After a world was built or replaced: give its loading's memory back.
pub(crate) fn release_memory() {
    if let Some(release) = RELEASE_MEMORY.get() {
        release();
    }
}

/// The default world (and each named world): built from the world source, or replayed from
/// the data directory (which wins when it holds a world; a new one records the world file
/// like any change). Returns it with the signal its changes give the DNS face.
pub(crate) fn build_world(
    config: &WorldConfig,
    clock: &Arc<dyn Clock>,
    source: Option<&world_file::WorldSource>,
    data_dir: Option<&std::path::Path>,
) -> std::io::Result<(Arc<SharedWorld>, Arc<tokio::sync::Notify>)> {
    let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    let unusable = |e: world_file::SourceError| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
    let loaded = source.map(world_file::WorldSource::load).transpose().map_err(unusable)?;
    // A world file may name subscriptions of its own; they are part of the world's settings.
    let mut config = config.clone();
    let entries = loaded.map(|(subscriptions, entries)| {
        world_file::add_subscription_ids(&mut config, &subscriptions);
        entries
    });
    let config = &config;
    let data_dir = match data_dir {
        Some(dir) => Some(persist::open(dir, config).map_err(invalid)?),
        None => None,
    };
    let mut initial = World::new(config.clone());
    let replayed = data_dir.as_ref().is_some_and(|d| !d.records.is_empty());
    if let Some(d) = &data_dir {
        persist::replay(&mut initial, &d.records).map_err(invalid)?;
        if replayed {
            tracing::info!("data directory {}: {} changes replayed", d.path.display(), d.records.len());
        }
    }
    // Every change of the world (whichever face made it) wakes the DNS face's listener sync.
    let world_changed = Arc::new(tokio::sync::Notify::new());
    let notify = world_changed.clone();
    let mut shared = SharedWorld::new(initial, clock.clone()).on_change(Box::new(move || notify.notify_waiters()));
    if let Some(source) = source {
        shared = shared.with_baseline(Box::new(source.clone()));
    }
    if let Some(d) = data_dir {
        shared = shared.with_journal(Box::new(d.journal));
    }
    if let (false, Some(entries)) = (replayed, entries) {
        let entries = entries.prefetched();
        shared.reset(&*entries).map_err(|(i, e)| invalid(entries.describe(i, &e)))?;
    }
    release_memory();
    Ok((Arc::new(shared), world_changed))
}

impl Emulator {
    /// Binds the listeners and starts serving; returns once requests can be answered.
    ///
    /// Refuses (`PermissionDenied`) a listener on a non-loopback address unless
    /// `config.access.allow_remote` is set, and (`InvalidInput`) a malformed `public_url`.
    pub async fn start(mut config: EmulatorConfig) -> std::io::Result<Emulator> {
        let access = &config.access;
        access.check_listen(config.arm_listen, "ARM and admin API")?;
        access.check_listen(config.dns.public_listen, "DNS")?;
        access.check_listen(SocketAddr::new(config.dns.vantage_ip, 0), "DNS vantage points")?;
        if let Some(h) = &config.https {
            access.check_listen(h.listen, "HTTPS")?;
        }
        let public_url = match &access.public_url {
            Some(u) => Some(
                access::parse_public_url(u)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("public URL: {e}")))?,
            ),
            None => None,
        };
        let clock = config.clock.unwrap_or_else(|| Arc::new(clock::SystemClock));
        let seed = config.world.seed;
        let source = match (config.initial_world.take(), config.initial_world_file.take()) {
            (Some(_), Some(_)) => {
                let both = "give the world in memory (initial_world) or as a file (initial_world_file), not both";
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, both));
            }
            (Some(file), None) => Some(world_file::WorldSource::Inline(Arc::new(file))),
            (None, Some(path)) => Some(world_file::WorldSource::file(path)),
            (None, None) => None,
        };
        let (world, world_changed) = build_world(&config.world, &clock, source.as_ref(), config.data_dir.as_deref())?;
        let dns_config = DnsConfig { world_changed: Some(world_changed), ..config.dns.clone() };
        let dns = DnsServer::start(world.clone(), dns_config).await?;
        let connections = Arc::new(server::ConnectionStats::default());
        let listener = tokio::net::TcpListener::bind(config.arm_listen).await?;
        let arm_addr = listener.local_addr()?;
        // The URLs the emulator returns name its own address (or public URL), never `Host`.
        let arm_state =
            ArmState::new(world.clone(), config.arm.clone(), seed, &access::base_url(public_url.as_deref(), arm_addr));
        let base_url = access::base_url(public_url.as_deref(), arm_addr);
        let worlds = Arc::new(worlds::Worlds::new(worlds::WorldsConfig {
            world: config.world.clone(),
            arm: config.arm.clone(),
            dns: DnsConfig {
                public_listen: SocketAddr::new(config.dns.vantage_ip, 0),
                vantage_ports: None,
                ..config.dns
            },
            clock: clock.clone(),
            source,
            data_dir: config.data_dir.clone(),
            base_url,
            max_worlds: config.max_named_worlds,
            connections: connections.clone(),
        }));
        let access = access::AccessConfig { public_url, ..config.access };
        let logs = request_log::Logs::default();
        let https = match &config.https {
            Some(h) => {
                let shared = Shared { dns: dns.handle(), connections: &connections, worlds: &worlds, logs: &logs };
                Some(start_https(h, &access, &arm_state, shared, &config.arm).await?)
            }
            None => None,
        };
        let app = app::router_with_worlds(
            arm_state,
            dns.handle(),
            connections.clone(),
            &access,
            arm_addr,
            worlds.clone(),
            logs.clone(),
        );
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(listener, app, config.arm, connections.clone(), rx, None));
        let dns_public = dns.public_addr();
        Ok(Emulator {
            arm_addr,
            world,
            dns: Some(dns),
            dns_public,
            shutdown: Some(tx),
            server: Some(server),
            connections,
            worlds,
            logs,
            https,
        })
    }

    /// Base URL of the HTTPS listener (ARM, admin API, Entra ID), e.g. `https://127.0.0.1:8491`.
    pub fn https_endpoint(&self) -> Option<String> {
        self.https.as_ref().map(|h| format!("https://{}", h.addr))
    }

    /// The CA certificate clients trust to talk to the HTTPS listener.
    pub fn ca_file(&self) -> Option<&std::path::Path> {
        self.https.as_ref().map(|h| h.ca_file.as_path())
    }

    /// Socket address of the ARM listener.
    pub fn arm_addr(&self) -> SocketAddr {
        self.arm_addr
    }

    /// Base URL of the fake ARM, e.g. `http://127.0.0.1:8490`.
    pub fn arm_endpoint(&self) -> String {
        format!("http://{}", self.arm_addr)
    }

    /// Base URL of the admin API (`/_emulator/` on the ARM listener).
    pub fn admin_endpoint(&self) -> String {
        format!("http://{}/_emulator/", self.arm_addr)
    }

    /// Address of each DNS vantage point's listener (UDP and TCP), by vantage id: `public`,
    /// `vnet:<virtual network id>`, `site:<name>`. Listeners follow the world within a
    /// fraction of a second; [`Emulator::dns_sync`] brings them in step at once.
    pub fn dns_listeners(&self) -> BTreeMap<String, SocketAddr> {
        self.dns.as_ref().map(|d| d.listeners()).unwrap_or_default()
    }

    /// Brings the DNS listeners in step with the world now and returns them.
    pub async fn dns_sync(&self) -> BTreeMap<String, SocketAddr> {
        match &self.dns {
            Some(d) => d.sync().await,
            None => BTreeMap::new(),
        }
    }

    /// Address of the public DNS view (UDP and TCP).
    pub fn dns_public_addr(&self) -> SocketAddr {
        self.dns_public
    }

    /// Counts of the ARM listener's connections (open now, refused, timed out).
    pub fn connections(&self) -> &server::ConnectionStats {
        &self.connections
    }

    /// The writes the emulator answered 4xx lately (`GET /_emulator/refusals`).
    pub fn refusals(&self) -> &Arc<refusals::RefusalLog> {
        &self.logs.refusals
    }

    /// The world's door, for in-process inspection (`read`) and changes (`apply`) by tests.
    pub fn world(&self) -> &Arc<SharedWorld> {
        &self.world
    }

    /// Stops accepting, lets in-flight requests finish (at most [`server::SHUTDOWN_GRACE`]), and
    /// waits for the server to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(mut h) = self.https.take() {
            if let Some(tx) = h.shutdown.take() {
                let _ = tx.send(());
            }
            if let Some(server) = h.server.take() {
                let _ = server.await;
            }
        }
        if let Some(dns) = self.dns.take() {
            dns.stop().await;
        }
        self.worlds.stop_all().await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.https.as_mut().and_then(|h| h.shutdown.take()) {
            let _ = tx.send(());
        }
    }
}

/// What both listeners share: the DNS face, the connection counts, the named worlds, the logs.
struct Shared<'a> {
    dns: DnsHandle,
    connections: &'a Arc<server::ConnectionStats>,
    worlds: &'a Arc<worlds::Worlds>,
    logs: &'a request_log::Logs,
}

/// Binds the HTTPS listener and serves the same routes as the HTTP one, naming itself by its
/// `https://` address (or the public URL) in the URLs it returns, so a client that came over TLS
/// is sent on over TLS. The certificate covers loopback, the `--allow-host` names and the public
/// URL's host.
async fn start_https(
    config: &HttpsConfig,
    access: &AccessConfig,
    arm: &ArmState,
    shared: Shared<'_>,
    arm_config: &ArmConfig,
) -> std::io::Result<RunningHttps> {
    let Shared { dns, connections, worlds, logs } = shared;
    let mut names = access.allow_hosts.clone();
    if let Some(host) = access.public_url.as_deref().and_then(url_host) {
        names.push(host);
    }
    let certificates = tls::certificates(&config.dir, &names)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("HTTPS certificates: {e}")))?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base_url = match access.public_url.as_deref() {
        Some(u) if u.starts_with("https://") => u.to_string(),
        _ => access::base_url(None, addr).replacen("http://", "https://", 1),
    };
    let arm = arm.with_base_url(&base_url);
    worlds.set_https_base_url(&base_url);
    let app = app::router_with_worlds(arm, dns, connections.clone(), access, addr, worlds.clone(), logs.clone());
    let acceptor = tokio_rustls::TlsAcceptor::from(certificates.server_config);
    let (tx, rx) = oneshot::channel::<()>();
    let server =
        tokio::spawn(server::serve(listener, app, arm_config.clone(), connections.clone(), rx, Some(acceptor)));
    Ok(RunningHttps { addr, ca_file: certificates.ca_file, shutdown: Some(tx), server: Some(server) })
}

/// The host of `scheme://host[:port]/...` (brackets of an IPv6 address removed).
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    (!host.is_empty()).then(|| host.to_string())
}
