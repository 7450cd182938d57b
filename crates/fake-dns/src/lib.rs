//! # arcemu-fake-dns
//!
//! The DNS face of the emulator: one DNS server (UDP and TCP on the same port, loopback) per
//! vantage point of the world — `public`, one per virtual network (Azure DNS as seen from
//! inside it), one per on-premises site (the site's DNS server). Each query is answered by
//! [`World::resolve`] against the world as it is at that moment; this crate only translates
//! the model's answer into DNS (flags, rcode, SOA in the authority section for negative
//! answers, truncation over UDP). Over UDP, an answer is encoded once per world generation
//! and sent again for the same query bytes (see `udp.rs`): a change of the world, by a write
//! or by an operation completing, is a new generation and the next query is resolved again.
//!
//! [`DnsServer`] keeps the set of listeners in step with [`World::dns_vantages`]: it re-syncs
//! when the world's generation changes (woken by a [`Notify`] the ARM face signals after each
//! write, with a light periodic check as a fallback), starting listeners for new vantage
//! points and stopping those whose vantage point disappeared.

mod handler;
mod udp;

use arcemu_model::SharedWorld;
use arcemu_model::dns::Vantage;
use hickory_server::Server;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify, oneshot};
use tokio::task::JoinHandle;

/// The default address of `arcemu serve`'s public DNS listener.
pub const DEFAULT_DNS_LISTEN: &str = "127.0.0.1:8553";

/// The id of the public vantage point (always served, on [`DnsConfig::public_listen`]).
pub const PUBLIC: &str = "public";

/// Everything [`DnsServer::start`] needs.
#[derive(Clone)]
pub struct DnsConfig {
    /// Where the public view listens (UDP and TCP); port 0 picks a free one.
    pub public_listen: SocketAddr,
    /// The address every other vantage point listens on, each on its own ephemeral port.
    pub vantage_ip: IpAddr,
    /// How often the listeners are re-synced with the world when no change was signalled.
    pub poll_interval: Duration,
    /// Idle time after which a TCP connection is closed.
    pub tcp_timeout: Duration,
    /// Receive loops (threads) per UDP socket: the kernel hands each datagram to one that waits.
    pub udp_workers: usize,
    /// Signalled after each change of the world; wakes the re-sync at once.
    pub world_changed: Option<Arc<Notify>>,
    /// File descriptors a new vantage point's listener must leave free for the rest of the
    /// process (the ARM face accepts one per connection): without them, listeners could take
    /// the last descriptor and the ARM face would stop answering.
    pub descriptor_reserve: u64,
    /// Where the other vantage points listen: `None`, any free port; a range, a port chosen
    /// from the vantage id (see [`preferred_port`]), so the same world gets the same ports at
    /// every start and a container can publish the range.
    pub vantage_ports: Option<std::ops::RangeInclusive<u16>>,
}

/// The default [`DnsConfig::descriptor_reserve`].
pub const DEFAULT_DESCRIPTOR_RESERVE: u64 = 64;

impl Default for DnsConfig {
    fn default() -> Self {
        Self {
            public_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            vantage_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            poll_interval: Duration::from_millis(200),
            tcp_timeout: Duration::from_secs(10),
            udp_workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
            world_changed: None,
            descriptor_reserve: DEFAULT_DESCRIPTOR_RESERVE,
            vantage_ports: None,
        }
    }
}

impl fmt::Debug for DnsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsConfig")
            .field("public_listen", &self.public_listen)
            .field("vantage_ip", &self.vantage_ip)
            .field("poll_interval", &self.poll_interval)
            .field("tcp_timeout", &self.tcp_timeout)
            .field("udp_workers", &self.udp_workers)
            .field("world_changed", &self.world_changed.is_some())
            .field("descriptor_reserve", &self.descriptor_reserve)
            .field("vantage_ports", &self.vantage_ports)
            .finish()
    }
}

/// A listener (UDP + TCP on one port) serving one vantage point. Dropping it aborts its tasks.
struct Listener {
    addr: SocketAddr,
    /// TCP: hickory's server.
    tcp: Server<handler::VantageHandler>,
    /// UDP: our receive loops on one socket (see [`udp`]); they end when dropped.
    udp: udp::UdpLoops,
}

impl Listener {
    async fn stop(self) {
        let Listener { addr, mut tcp, udp } = self;
        udp.stop().await;
        if let Err(e) = tcp.shutdown_gracefully().await {
            tracing::debug!("DNS listener {addr} stopped with: {e}");
        }
    }
}

#[derive(Default)]
struct Listeners {
    by_vantage: BTreeMap<String, Listener>,
    /// Vantage points whose listener could not be bound (out of descriptors, ...), with why;
    /// retried at every sync until it works or the vantage point goes.
    failed: BTreeMap<String, String>,
    /// The world generation the listeners were last synced with (`None`: retry at next check).
    synced: Option<u64>,
    /// Set once the server is stopped: no listener is started any more.
    stopped: bool,
}

struct Shared {
    world: Arc<SharedWorld>,
    config: DnsConfig,
    listeners: Mutex<Listeners>,
    /// Snapshot of the addresses, readable without awaiting.
    addrs: RwLock<BTreeMap<String, SocketAddr>>,
    /// Snapshot of the failed binds (vantage id → error), readable without awaiting.
    failed: RwLock<BTreeMap<String, String>>,
    public_addr: SocketAddr,
}

/// A cloneable handle on a running [`DnsServer`]: its listeners, and a way to re-sync now.
#[derive(Clone)]
pub struct DnsHandle {
    shared: Arc<Shared>,
}

impl DnsHandle {
    /// Address of each vantage point's listener, by vantage id (`public`, `vnet:<id>`, `site:<name>`).
    pub fn listeners(&self) -> BTreeMap<String, SocketAddr> {
        self.shared.addrs.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Address of the public view's listener.
    pub fn public_addr(&self) -> SocketAddr {
        self.shared.public_addr
    }

    /// Vantage points of the world that have no listener because binding one failed (vantage
    /// id → the error). Each is retried at every sync (at least every poll interval).
    pub fn failures(&self) -> BTreeMap<String, String> {
        self.shared.failed.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Re-syncs the listeners with the world now (if it changed) and returns them.
    pub async fn sync(&self) -> BTreeMap<String, SocketAddr> {
        self.shared.sync().await;
        self.listeners()
    }
}

/// Answers one DNS query datagram as the UDP listener of `vantage` does, without a socket: the
/// response's bytes (cut to the client's payload size, TC set), or `None` when the listener
/// sends nothing back (fewer bytes than a header, or a message that is not a query). The
/// listeners answer through the same code; tests and the fuzz target call this.
pub async fn answer_datagram(world: Arc<SharedWorld>, vantage: Vantage, datagram: &[u8]) -> Option<Vec<u8>> {
    let handler = handler::VantageHandler::new(world, vantage);
    udp::answer(&handler, datagram, SocketAddr::from((Ipv4Addr::LOCALHOST, 53535))).await
}

/// The DNS face: one listener per vantage point, kept in step with the world. Stops when
/// dropped (listeners close with the supervisor task) or with [`DnsServer::stop`].
pub struct DnsServer {
    handle: DnsHandle,
    stop: Option<oneshot::Sender<()>>,
    supervisor: Option<JoinHandle<()>>,
}

impl DnsServer {
    /// Binds the public listener and one per current vantage point, then keeps them in step
    /// with the world. Fails if the public address cannot be bound.
    pub async fn start(world: Arc<SharedWorld>, config: DnsConfig) -> io::Result<DnsServer> {
        let public = bind(&world, &config, Vantage::Public, config.public_listen).await?;
        let public_addr = public.addr;
        let mut listeners = Listeners::default();
        listeners.by_vantage.insert(PUBLIC.to_string(), public);
        let shared = Arc::new(Shared {
            world,
            config,
            listeners: Mutex::new(listeners),
            addrs: RwLock::new(BTreeMap::from([(PUBLIC.to_string(), public_addr)])),
            failed: RwLock::default(),
            public_addr,
        });
        shared.sync().await;
        let (tx, mut rx) = oneshot::channel::<()>();
        let sup = shared.clone();
        let supervisor = tokio::spawn(async move {
            let notify = sup.config.world_changed.clone().unwrap_or_default();
            loop {
                // Registered before the sync, so that a change signalled during it is not missed
                // (whether the writer uses `notify_one` or `notify_waiters`).
                let notified = notify.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                sup.sync().await;
                tokio::select! {
                    _ = &mut rx => break,
                    _ = notified => {}
                    _ = tokio::time::sleep(sup.config.poll_interval) => {}
                }
            }
            let all = {
                let mut l = sup.listeners.lock().await;
                l.stopped = true;
                std::mem::take(&mut l.by_vantage)
            };
            sup.addrs.write().unwrap_or_else(|p| p.into_inner()).clear();
            sup.failed.write().unwrap_or_else(|p| p.into_inner()).clear();
            for (_, l) in all {
                l.stop().await;
            }
        });
        Ok(DnsServer { handle: DnsHandle { shared }, stop: Some(tx), supervisor: Some(supervisor) })
    }

    /// A cloneable handle (for the admin API).
    pub fn handle(&self) -> DnsHandle {
        self.handle.clone()
    }

    /// Address of each vantage point's listener, by vantage id.
    pub fn listeners(&self) -> BTreeMap<String, SocketAddr> {
        self.handle.listeners()
    }

    /// Address of the public view's listener.
    pub fn public_addr(&self) -> SocketAddr {
        self.handle.public_addr()
    }

    /// Re-syncs the listeners with the world now and returns them.
    pub async fn sync(&self) -> BTreeMap<String, SocketAddr> {
        self.handle.sync().await
    }

    /// Stops every listener and waits until they are closed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.supervisor.take() {
            let _ = s.await;
        }
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Shared {
    /// Brings the listeners in step with the world's vantage points if the world changed.
    async fn sync(&self) {
        let mut l = self.listeners.lock().await;
        if l.stopped {
            return;
        }
        if l.synced == Some(self.world.generation()) {
            return;
        }
        let (generation, vantages) = self.world.read(|w| (w.generation(), w.dns_vantages()));
        let wanted: BTreeMap<String, Vantage> = vantages.into_iter().map(|v| (v.id(), v)).collect();
        let gone: Vec<String> =
            l.by_vantage.keys().filter(|id| *id != PUBLIC && !wanted.contains_key(*id)).cloned().collect();
        for id in gone {
            if let Some(listener) = l.by_vantage.remove(&id) {
                tracing::info!("DNS: stopping {id} on {}", listener.addr);
                listener.stop().await;
            }
        }
        l.failed.retain(|id, _| wanted.contains_key(id));
        for (id, vantage) in wanted {
            if l.by_vantage.contains_key(&id) {
                continue;
            }
            let bound = match descriptors_short_of(self.config.descriptor_reserve) {
                Some(short) => Err(short),
                None => match &self.config.vantage_ports {
                    None => bind(&self.world, &self.config, vantage, SocketAddr::new(self.config.vantage_ip, 0)).await,
                    Some(range) => {
                        let taken: Vec<u16> = l.by_vantage.values().map(|x| x.addr.port()).collect();
                        self.bind_in_range(&id, vantage, range, &taken).await
                    }
                },
            };
            match bound {
                Ok(listener) => {
                    tracing::info!("DNS: serving {id} on {}", listener.addr);
                    l.failed.remove(&id);
                    l.by_vantage.insert(id, listener);
                }
                Err(e) => {
                    if !l.failed.contains_key(&id) {
                        tracing::error!("DNS: cannot listen for {id}: {e} (retried at every sync)");
                    }
                    l.failed.insert(id, e.to_string());
                }
            }
        }
        // With a failed bind, the next check retries (it does not wait for a change).
        l.synced = l.failed.is_empty().then_some(generation);
        let addrs = l.by_vantage.iter().map(|(id, x)| (id.clone(), x.addr)).collect();
        *self.addrs.write().unwrap_or_else(|p| p.into_inner()) = addrs;
        *self.failed.write().unwrap_or_else(|p| p.into_inner()) = l.failed.clone();
    }
}

impl Shared {
    /// Binds a vantage point in `range`: its preferred port first, then the next ones (around
    /// the range), skipping the ports of the other listeners.
    async fn bind_in_range(
        &self,
        id: &str,
        vantage: Vantage,
        range: &std::ops::RangeInclusive<u16>,
        taken: &[u16],
    ) -> io::Result<Listener> {
        let (first, len) = (u32::from(*range.start()), u32::from(*range.end()) - u32::from(*range.start()) + 1);
        let preferred = u32::from(preferred_port(id, range)) - first;
        let mut last = None;
        for step in 0..len {
            let Ok(port) = u16::try_from(first + (preferred + step) % len) else { continue };
            if taken.contains(&port) {
                continue;
            }
            let addr = SocketAddr::new(self.config.vantage_ip, port);
            match bind(&self.world, &self.config, vantage.clone(), addr).await {
                Ok(listener) => return Ok(listener),
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "no free port in the DNS port range {}-{}{}",
                range.start(),
                range.end(),
                last.map(|e| format!(" (last: {e})")).unwrap_or_default()
            ),
        ))
    }
}

/// The port a vantage point asks for first in `range`: FNV-1a of its id, so it depends on
/// nothing but the id (the same at every start, on every machine). Two ids may prefer the
/// same port; the one bound first keeps it and the other takes the next free one.
pub fn preferred_port(id: &str, range: &std::ops::RangeInclusive<u16>) -> u16 {
    let hash =
        id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    let len = u64::from(*range.end()).saturating_sub(u64::from(*range.start())) + 1;
    let offset = u16::try_from(hash % len).unwrap_or(0);
    range.start().saturating_add(offset)
}

/// Starts one vantage point's server on UDP and TCP, same port (an ephemeral one when `addr`'s port is 0).
async fn bind(
    world: &Arc<SharedWorld>,
    config: &DnsConfig,
    vantage: Vantage,
    addr: SocketAddr,
) -> io::Result<Listener> {
    let (udp, tcp) = bind_pair(addr).await?;
    let addr = udp.local_addr()?;
    let handler = handler::VantageHandler::new(world.clone(), vantage);
    let udp = udp::UdpLoops::start(udp, &handler, config.udp_workers)?;
    let mut server = Server::new(handler);
    server.register_listener(tcp, config.tcp_timeout, 64);
    Ok(Listener { addr, tcp: server, udp })
}

/// Descriptors one listener takes (a UDP socket and a TCP listening socket).
const DESCRIPTORS_PER_LISTENER: u64 = 2;

/// Why a new listener must not be bound now, if the process is short of file descriptors: it
/// would leave fewer than `reserve` free. Reads Linux's `/proc/self`; elsewhere (or when it
/// cannot be read) the bind is simply tried.
fn descriptors_short_of(reserve: u64) -> Option<io::Error> {
    let limit = open_files_limit()?;
    let open = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
    let free = limit.saturating_sub(open);
    (free < reserve + DESCRIPTORS_PER_LISTENER).then(|| {
        io::Error::other(format!(
            "file descriptors short: {free} of {limit} free, {reserve} kept for the rest of the emulator"
        ))
    })
}

/// The soft limit on open files (`ulimit -n`), from `/proc/self/limits`.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

/// Receive buffer asked for each UDP socket (the kernel caps it at net.core.rmem_max): a
/// burst of queries from many clients then waits in the socket instead of being dropped.
const UDP_RECV_BUFFER: usize = 4 << 20;

/// A blocking UDP socket: its receive loops are threads that wait in the kernel.
fn bind_udp(addr: SocketAddr) -> io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(e) = socket.set_recv_buffer_size(UDP_RECV_BUFFER) {
        tracing::debug!("DNS: cannot enlarge the UDP receive buffer: {e}");
    }
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

async fn bind_pair(addr: SocketAddr) -> io::Result<(std::net::UdpSocket, TcpListener)> {
    if addr.port() != 0 {
        let udp = bind_udp(addr)?;
        let tcp = TcpListener::bind(addr).await?;
        return Ok((udp, tcp));
    }
    // An ephemeral UDP port may be taken for TCP: try a few.
    let mut last = None;
    for _ in 0..32 {
        let udp = bind_udp(addr)?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port for UDP and TCP")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arcemu_model::clock::ManualClock;
    use arcemu_model::{World, WorldConfig};

    fn world() -> Arc<SharedWorld> {
        Arc::new(SharedWorld::new(World::new(WorldConfig::default()), Arc::new(ManualClock::default())))
    }

    #[tokio::test]
    async fn starts_with_the_public_view_and_stops_cleanly() {
        let server = DnsServer::start(world(), DnsConfig::default()).await.unwrap();
        let listeners = server.listeners();
        assert_eq!(listeners.keys().collect::<Vec<_>>(), vec![PUBLIC]);
        let addr = server.public_addr();
        assert_eq!(listeners[PUBLIC], addr);
        assert!(addr.ip().is_loopback() && addr.port() != 0);
        // UDP and TCP share the port.
        assert!(std::net::TcpStream::connect(addr).is_ok());
        server.stop().await;
        assert!(std::net::TcpStream::connect(addr).is_err(), "the TCP listener is closed");
        // The port is free again.
        let again = DnsServer::start(world(), DnsConfig { public_listen: addr, ..DnsConfig::default() }).await.unwrap();
        assert_eq!(again.public_addr(), addr);
    }

    #[tokio::test]
    async fn a_taken_public_address_is_an_error() {
        let first = DnsServer::start(world(), DnsConfig::default()).await.unwrap();
        let taken = DnsConfig { public_listen: first.public_addr(), ..DnsConfig::default() };
        assert!(DnsServer::start(world(), taken).await.is_err());
    }

    #[test]
    fn config_debug_names_its_hooks_without_printing_them() {
        let text = format!("{:?}", DnsConfig::default());
        assert!(text.contains("world_changed: false") && text.contains("public_listen: 127.0.0.1:0"), "{text}");
    }
}
