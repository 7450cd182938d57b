//! [`ArcEmu`]: the arcemu container image (built by `scripts/build-image.sh`, tag `arcemu:dev`)
//! as a [testcontainers](https://docs.rs/testcontainers) image, so that a test starts the
//! emulator in Docker the way it starts Azurite or LocalStack.
//!
//! ```no_run
//! # async fn example() -> Result<(), testcontainers::TestcontainersError> {
//! let emulator = arcemu_testcontainers::ArcEmu::default().start().await?;
//! let arm = emulator.arm_url(); // e.g. http://127.0.0.1:40123: point the Azure SDK here
//! let dns = emulator.dns_udp(); // the public DNS view: dig @127.0.0.1 -p <port>
//! # let _ = (arm, dns);
//! # Ok(()) }
//! ```
//!
//! The ports are published on 127.0.0.1 only (the emulator lets anyone who reaches it change its
//! world). The ARM port is chosen on the host before the container starts and given to the
//! emulator as its public URL, so the URLs it returns (`Azure-AsyncOperation`, `Location`,
//! `nextLink`) name the port the test reaches, as SDKs that poll them need.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::{ContainerPort, IntoContainerPort, Mount, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, Image, ImageExt, TestcontainersError};

/// The image `scripts/build-image.sh` builds, without its tag.
pub const IMAGE_NAME: &str = "arcemu";
/// The tag `scripts/build-image.sh` gives it by default.
pub const IMAGE_TAG: &str = "dev";
/// The ARM listener's port inside the container (the image's `ARCEMU_ARM_LISTEN`).
pub const ARM_PORT: u16 = 8490;
/// The public DNS view's port inside the container, UDP and TCP (the image's `ARCEMU_DNS_LISTEN`).
pub const DNS_PORT: u16 = 8553;
/// The VNets' and sites' DNS ports inside the container (the image's `ARCEMU_DNS_PORT_RANGE`).
pub const VANTAGE_PORTS: std::ops::RangeInclusive<u16> = 20000..=20031;
/// The image's directory for `--data-dir`, owned by the emulator's user.
pub const DATA_DIR: &str = "/data";
/// What `arcemu serve` prints on stdout once every listener is bound.
pub const READY_LINE: &str = "arcemu ready";

const EXPOSED: [ContainerPort; 3] =
    [ContainerPort::Tcp(ARM_PORT), ContainerPort::Udp(DNS_PORT), ContainerPort::Tcp(DNS_PORT)];

/// The arcemu image and the `arcemu serve` options of its container.
#[derive(Clone, Debug)]
pub struct ArcEmu {
    name: String,
    tag: String,
    env: BTreeMap<String, String>,
    serve_args: Vec<String>,
    publish_vantage_ports: bool,
    data_volume: Option<String>,
}

impl Default for ArcEmu {
    /// `arcemu:dev`, or the image named by `ARCEMU_IMAGE` (`name:tag`), with the image's defaults.
    fn default() -> Self {
        let (name, tag) = match std::env::var("ARCEMU_IMAGE") {
            Ok(image) if !image.trim().is_empty() => split_image(image.trim()),
            _ => (IMAGE_NAME.to_string(), IMAGE_TAG.to_string()),
        };
        ArcEmu {
            name,
            tag,
            env: BTreeMap::new(),
            serve_args: Vec::new(),
            publish_vantage_ports: false,
            data_volume: None,
        }
    }
}

/// `name:tag` (a `:` after the last `/`), else `name` with tag `latest`.
fn split_image(image: &str) -> (String, String) {
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name.to_string(), tag.to_string()),
        _ => (image.to_string(), "latest".to_string()),
    }
}

impl ArcEmu {
    /// Another image, e.g. a release tag.
    pub fn with_image(mut self, name: impl Into<String>, tag: impl Into<String>) -> Self {
        self.name = name.into();
        self.tag = tag.into();
        self
    }

    /// An environment variable of `arcemu serve` (see `arcemu serve --help`), e.g.
    /// `ARCEMU_SEED`, `ARCEMU_LRO_DELAY_MS`, `ARCEMU_REGION_PROFILE`.
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// One more subscription, all providers registered (`--subscription`).
    pub fn with_subscription(self, id: impl Into<String>) -> Self {
        self.with_serve_arg("--subscription").with_serve_arg(id)
    }

    /// Require `Authorization: Bearer TOKEN` on the admin API (`--admin-token`).
    pub fn with_admin_token(self, token: impl Into<String>) -> Self {
        self.with_env("ARCEMU_ADMIN_TOKEN", token)
    }

    /// Also publish the VNets' and sites' DNS ports ([`VANTAGE_PORTS`], UDP and TCP, on
    /// 127.0.0.1), so that a test can query a vantage point's own DNS view
    /// ([`ArcEmuContainer::vantage_dns`]). Off by default: 64 more published ports make the
    /// container slower to start.
    pub fn with_vantage_dns_ports(mut self) -> Self {
        self.publish_vantage_ports = true;
        self
    }

    /// Keep the world in the Docker volume `name` (mounted on the image's `/data`, with
    /// `ARCEMU_DATA_DIR=/data`): a later container with the same volume finds it again.
    pub fn with_data_volume(mut self, name: impl Into<String>) -> Self {
        self.data_volume = Some(name.into());
        self.with_env("ARCEMU_DATA_DIR", DATA_DIR)
    }

    /// One more argument of `arcemu serve`, after the ones already given.
    pub fn with_serve_arg(mut self, arg: impl Into<String>) -> Self {
        self.serve_args.push(arg.into());
        self
    }

    /// Starts the container, waits for `arcemu ready`, and returns its endpoints on the host.
    /// The container is removed when the returned value is dropped.
    pub async fn start(self) -> Result<ArcEmuContainer, TestcontainersError> {
        // The host port is picked here so that the emulator can be told its public URL; another
        // process may take it between the pick and Docker's bind, so a failed start is retried.
        let mut last_error = None;
        for _ in 0..3 {
            let arm_port = free_loopback_port()?;
            let vantages = self.publish_vantage_ports;
            let mut request = self
                .clone()
                .with_env("ARCEMU_PUBLIC_URL", format!("http://127.0.0.1:{arm_port}"))
                .with_host_config_modifier(move |host: &mut HostConfig| publish_on_loopback(host, arm_port, vantages));
            if let Some(volume) = &self.data_volume {
                request = request.with_mount(Mount::volume_mount(volume.clone(), DATA_DIR));
            }
            match request.start().await {
                Ok(container) => return ArcEmuContainer::new(container, arm_port).await,
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| TestcontainersError::other("the container did not start")))
    }
}

/// A port on 127.0.0.1 that nothing listens on right now.
fn free_loopback_port() -> Result<u16, TestcontainersError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(TestcontainersError::other)?;
    Ok(listener.local_addr().map_err(TestcontainersError::other)?.port())
}

/// Publishes the ARM port on 127.0.0.1:`arm_port` and the DNS ports on 127.0.0.1, any port;
/// nothing on other addresses (testcontainers alone would publish on every address).
fn publish_on_loopback(host: &mut HostConfig, arm_port: u16, vantage_ports: bool) {
    let binding = |port: Option<u16>| {
        Some(vec![PortBinding {
            host_ip: Some(Ipv4Addr::LOCALHOST.to_string()),
            host_port: Some(port.map(|p| p.to_string()).unwrap_or_default()),
        }])
    };
    let mut ports = HashMap::new();
    ports.insert(ContainerPort::Tcp(ARM_PORT).to_string(), binding(Some(arm_port)));
    ports.insert(ContainerPort::Udp(DNS_PORT).to_string(), binding(None));
    ports.insert(ContainerPort::Tcp(DNS_PORT).to_string(), binding(None));
    if vantage_ports {
        for port in VANTAGE_PORTS {
            ports.insert(ContainerPort::Udp(port).to_string(), binding(None));
            ports.insert(ContainerPort::Tcp(port).to_string(), binding(None));
        }
    }
    host.port_bindings = Some(ports);
    host.publish_all_ports = Some(false);
}

impl Image for ArcEmu {
    fn name(&self) -> &str {
        &self.name
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        vec![WaitFor::message_on_stdout(READY_LINE)]
    }

    fn env_vars(&self) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn cmd(&self) -> impl IntoIterator<Item = impl Into<Cow<'_, str>>> {
        std::iter::once("serve").chain(self.serve_args.iter().map(String::as_str))
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &EXPOSED
    }
}

/// A running arcemu container and its endpoints on the host; removed when dropped.
pub struct ArcEmuContainer {
    container: ContainerAsync<ArcEmu>,
    arm_url: String,
    dns_udp: SocketAddr,
    dns_tcp: SocketAddr,
}

impl ArcEmuContainer {
    async fn new(container: ContainerAsync<ArcEmu>, arm_port: u16) -> Result<Self, TestcontainersError> {
        let udp = container.get_host_port_ipv4(DNS_PORT.udp()).await?;
        let tcp = container.get_host_port_ipv4(DNS_PORT.tcp()).await?;
        Ok(ArcEmuContainer {
            container,
            arm_url: format!("http://127.0.0.1:{arm_port}"),
            dns_udp: (Ipv4Addr::LOCALHOST, udp).into(),
            dns_tcp: (Ipv4Addr::LOCALHOST, tcp).into(),
        })
    }

    /// The ARM endpoint (and, under `/_emulator/`, the admin API), e.g. `http://127.0.0.1:40123`.
    pub fn arm_url(&self) -> &str {
        &self.arm_url
    }

    /// The public DNS view over UDP.
    pub fn dns_udp(&self) -> SocketAddr {
        self.dns_udp
    }

    /// The public DNS view over TCP.
    pub fn dns_tcp(&self) -> SocketAddr {
        self.dns_tcp
    }

    /// A VNet's or site's DNS view on the host (UDP, TCP), from the container port that
    /// `GET /_emulator/dns/listeners` lists for it (one of [`VANTAGE_PORTS`]); needs
    /// [`ArcEmu::with_vantage_dns_ports`].
    pub async fn vantage_dns(&self, container_port: u16) -> Result<(SocketAddr, SocketAddr), TestcontainersError> {
        let udp = self.container.get_host_port_ipv4(container_port.udp()).await?;
        let tcp = self.container.get_host_port_ipv4(container_port.tcp()).await?;
        Ok(((Ipv4Addr::LOCALHOST, udp).into(), (Ipv4Addr::LOCALHOST, tcp).into()))
    }

    /// The container, e.g. to read its logs or stop it.
    pub fn container(&self) -> &ContainerAsync<ArcEmu> {
        &self.container
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_split_at_the_tag_not_at_a_registry_port() {
        assert_eq!(split_image("arcemu:dev"), ("arcemu".into(), "dev".into()));
        assert_eq!(split_image("registry:5000/arcemu"), ("registry:5000/arcemu".into(), "latest".into()));
        assert_eq!(split_image("registry:5000/arcemu:1.2"), ("registry:5000/arcemu".into(), "1.2".into()));
    }

    #[test]
    fn serve_gets_the_arguments_in_order() {
        let image = ArcEmu::default().with_subscription("s1").with_serve_arg("--no-auth");
        let cmd: Vec<String> = image.cmd().into_iter().map(|a| a.into().into_owned()).collect();
        assert_eq!(cmd, ["serve", "--subscription", "s1", "--no-auth"]);
    }

    #[test]
    fn only_loopback_is_published() {
        let mut host = HostConfig::default();
        publish_on_loopback(&mut host, 41000, false);
        let ports = host.port_bindings.unwrap_or_default();
        assert_eq!(ports.len(), 3);
        for (port, bindings) in &ports {
            let bindings = bindings.clone().unwrap_or_default();
            assert_eq!(bindings.len(), 1, "{port}");
            assert_eq!(bindings[0].host_ip.as_deref(), Some("127.0.0.1"), "{port}");
        }
        let arm = ports["8490/tcp"].clone().unwrap_or_default();
        assert_eq!(arm[0].host_port.as_deref(), Some("41000"));
        assert_eq!(host.publish_all_ports, Some(false));
    }
}
