//! # arcemu-model
//!
//! The world of the arcemu emulator, pure and synchronous: ARM resource ids, the typed
//! resources of Azure Arc Private Link for Kubernetes, the in-memory store with the indexes
//! every rule needs, long-running operations, and the rule catalogue (one function per
//! documented rule, see [`rules`]).
//!
//! No sockets, no real clock (time is passed in), no unseeded randomness ([`ids`]). The
//! ARM, DNS and admin faces depend on this crate; it depends on none of them.

pub mod api_versions;
pub mod arc;
pub mod clock;
pub mod dataplane;
pub mod dns;
pub mod door;
pub mod endpoints;
pub mod error;
pub mod id;
pub mod ids;
pub mod journal;
pub mod kinds;
pub mod lab;
pub mod net;
pub mod operations;
pub mod region;
pub mod resources;
pub mod rules;
pub mod store;
pub mod subscriptions;
pub mod world;

pub use door::{Applied, Change, SharedWorld, Status};
pub use error::{ArmError, ArmResult, Fidelity, Rule};
pub use id::ResourceId;
pub use kinds::ResourceKind;
pub use rules::RegionProfile;
pub use world::{World, WorldConfig};
