//! # arcemu-scenarios
//!
//! How arcemu proves that it enforces every documented rule in every order of operations,
//! and how people learn the limitations by watching them happen:
//!
//! - [`reference`]: a small reference model written independently of `arcemu-model`
//!   (no shared rule code) that predicts outcomes;
//! - [`machine`]: the operations of the property-based state machine, applied to the
//!   reference and, over the wire, to a live emulator (see `tests/state_machine.rs`);
//! - [`demo`]: named teaching scenarios, narrated step by step (`arcemu demo`).
//!
//! Everything here talks to the emulator over HTTP ([`client`]), never through the model.

pub mod client;
pub mod demo;
pub mod machine;
pub mod reference;
