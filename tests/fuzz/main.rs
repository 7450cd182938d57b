//! Fuzzing in the test command (issue 11, part 4), on stable Rust: proptest generators (grammars
//! of valid inputs plus mutations of them) drive the emulator in-process, without sockets, and
//! every answer is checked. Four targets, each a test of this binary:
//!
//! - `arm_request_path`: method, path, query, headers and body through the listener's whole
//!   router (`arcemu::app::router`: access checks, envelopes, panic guard, admin API, ARM face);
//! - `admin_api`: the same router under `/_emulator/` (sites, clusters, forwarders, add-resources,
//!   DNS answers, explain), with some ARM writes in between so that the lab has things to refer to;
//! - `dns_message_handler`: raw datagrams through `arcemu_fake_dns::answer_datagram`, the code the
//!   UDP listeners answer with, from every vantage point;
//! - `world_file_loader`: YAML and JSON texts through `world_file::parse` and `apply`.
//!
//! Each target first replays its corpus (`tests/fuzz-corpus/<target>/`), then runs
//! `ARCEMU_FUZZ_INPUTS` (default 10,000) generated inputs from a fixed seed (`ARCEMU_FUZZ_SEED`
//! draws others), stops early after `ARCEMU_FUZZ_SECONDS` (default 300), and fails if fewer than
//! `ARCEMU_FUZZ_MIN_INPUTS` (default 10,000, or `ARCEMU_FUZZ_INPUTS` when lower) ran. A failure
//! is shrunk by proptest, its seed saved in `tests/fuzz/<target>.proptest-regressions` (commit
//! it), and every input the target ran written to `target/fuzz-failures/<target>.json`, which
//! `ARCEMU_FUZZ_REPLAY=<file>` replays. See README.md, "Fuzzing".

mod admin;
mod app;
mod arm;
mod dns;
mod grammar;
mod harness;
mod regressions;
mod world_file;
