//! The requests the emulator refused lately (`GET /_emulator/refusals`): every write (any method
//! but GET/HEAD/OPTIONS) answered 4xx, with its ARM code and the rule the refusal cites. `arcemu
//! verify` reports the ones made while the command under test ran, so a script that stopped at
//! a refusal shows which rule stopped it. Bounded: the last [`MAX_KEPT`].

use arcemu_checker::Refusal;
use arcemu_fake_arm::envelope::RefusalInfo;
use axum::http::Method;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Refusals kept at most (the oldest go first).
pub const MAX_KEPT: usize = 256;

/// See the module docs.
#[derive(Default)]
pub struct RefusalLog {
    kept: Mutex<VecDeque<(u64, Refusal)>>,
    next: std::sync::atomic::AtomicU64,
}

impl RefusalLog {
    fn push(&self, r: Refusal) {
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() == MAX_KEPT {
            kept.pop_front();
        }
        kept.push_back((seq, r));
    }

    /// The sequence number the next refusal will get (a mark for [`RefusalLog::since`]).
    pub fn mark(&self) -> u64 {
        self.next.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The refusals kept from `mark` on, oldest first.
    pub fn since(&self, mark: u64) -> Vec<Refusal> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter().filter(|(seq, _)| *seq >= mark).map(|(_, r)| r.clone()).collect()
    }
}

impl RefusalLog {
    /// Keeps a write's refusal (the request log's layer calls it for every write answered 4xx).
    pub(crate) fn record(&self, method: &Method, path: &str, status: u16, info: Option<&RefusalInfo>) {
        self.push(Refusal {
            method: method.to_string(),
            path: path.to_string(),
            status,
            code: info.map(|i| i.code.clone()).unwrap_or_default(),
            rule_id: info.and_then(|i| i.rule).map(str::to_string),
            message: info.map(|i| i.message.clone()).unwrap_or_default(),
        });
    }
}

/// `GET /_emulator/refusals`: `{"value": [{"method", "path", "status", "code", "ruleId", "message"}]}`, oldest first.
pub fn router(log: Arc<RefusalLog>) -> axum::Router {
    axum::Router::new().route(
        "/_emulator/refusals",
        axum::routing::get(move || {
            let log = log.clone();
            async move { axum::Json(serde_json::json!({ "value": log.since(0) })) }
        }),
    )
}
