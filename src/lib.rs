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
pub mod explain;
pub mod refusals;
pub mod server;
pub mod stats;
pub mod world_file;

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
    /// A world to load before serving (`arcemu serve --world FILE`).
    pub initial_world: Option<world_file::WorldFile>,
    /// The clock; the system clock when `None`.
    pub clock: Option<Arc<dyn Clock>>,
    /// Who may talk to it (remote listeners, `Host` names, the admin token) and the base URL
    /// it names itself by.
    pub access: AccessConfig,
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
            access: AccessConfig::default(),
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
    refusals: Arc<refusals::RefusalLog>,
}

impl Emulator {
    /// Binds the listeners and starts serving; returns once requests can be answered.
    ///
    /// Refuses (`PermissionDenied`) a listener on a non-loopback address unless
    /// `config.access.allow_remote` is set, and (`InvalidInput`) a malformed `public_url`.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let access = &config.access;
        access.check_listen(config.arm_listen, "ARM and admin API")?;
        access.check_listen(config.dns.public_listen, "DNS")?;
        access.check_listen(SocketAddr::new(config.dns.vantage_ip, 0), "DNS vantage points")?;
        let public_url = match &access.public_url {
            Some(u) => Some(
                access::parse_public_url(u)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("public URL: {e}")))?,
            ),
            None => None,
        };
        let clock = config.clock.unwrap_or_else(|| Arc::new(clock::SystemClock));
        let seed = config.world.seed;
        let mut world_config = config.world;
        if let Some(file) = &config.initial_world {
            world_file::add_subscriptions(&mut world_config, file);
        }
        let mut initial = World::new(world_config);
        if let Some(file) = &config.initial_world {
            world_file::apply(&mut initial, file, clock.now())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        }
        // Every change of the world (whichever face made it) wakes the DNS face's listener sync.
        let world_changed = Arc::new(tokio::sync::Notify::new());
        let notify = world_changed.clone();
        let world = Arc::new(SharedWorld::new(initial, clock).on_change(Box::new(move || notify.notify_waiters())));
        let dns_config = DnsConfig { world_changed: Some(world_changed), ..config.dns };
        let dns = DnsServer::start(world.clone(), dns_config).await?;
        let connections = Arc::new(server::ConnectionStats::default());
        let listener = tokio::net::TcpListener::bind(config.arm_listen).await?;
        let arm_addr = listener.local_addr()?;
        // The URLs the emulator returns name its own address (or public URL), never `Host`.
        let arm_state =
            ArmState::new(world.clone(), config.arm.clone(), seed, &access::base_url(public_url.as_deref(), arm_addr));
        let access = access::AccessConfig { public_url, ..config.access };
        let refusals = Arc::new(refusals::RefusalLog::default());
        let app = app::router(arm_state, dns.handle(), connections.clone(), refusals.clone(), &access, arm_addr);
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(server::serve(listener, app, config.arm, connections.clone(), rx));
        let dns_public = dns.public_addr();
        Ok(Emulator {
            arm_addr,
            world,
            dns: Some(dns),
            dns_public,
            shutdown: Some(tx),
            server: Some(server),
            connections,
            refusals,
        })
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
        &self.refusals
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
        if let Some(dns) = self.dns.take() {
            dns.stop().await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
