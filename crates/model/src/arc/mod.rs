//! Azure Arc resources, one module per type: Private Link Scopes and their endpoint
//! connections, connected clusters, cluster extensions, custom locations. Each module holds
//! the type's state, request parsing, builder (with its rules), rendering and index
//! contributions.

pub mod cluster;
pub mod connection;
pub mod custom_location;
pub mod extension;
pub mod scope;

pub use cluster::{ConnectedCluster, ConnectedClusterInput};
pub use connection::{ConnectionStateInput, PrivateEndpointConnection, PrivateEndpointConnectionInput};
pub use custom_location::{CustomLocation, CustomLocationInput};
pub use extension::{ClusterExtension, ExtensionInput};
pub use scope::{PrivateLinkScope, PrivateLinkScopeInput};
