//! The requests the emulator refused lately (`GET /_emulator/refusals`): every write (any method
//! but GET/HEAD/OPTIONS) answered 4xx, with its ARM code and the rule the refusal cites. `arcemu
//! verify` reports the ones made while the command under test ran, so a script that stopped at
//! a refusal shows which rule stopped it. Bounded: the last [`MAX_KEPT`].

use arcemu_checker::Refusal;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Refusals kept at most (the oldest go first).
pub const MAX_KEPT: usize = 256;
/// A refusal's body is read this far to find its code and rule (envelopes are far smaller).
const MAX_BODY: usize = 64 * 1024;

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

/// Records a write's 4xx answer (after the envelope layer gave it an envelope).
pub(crate) async fn record(log: Arc<RefusalLog>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status();
    if !status.is_client_error() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let e = &v["error"];
    let rule_id = e["additionalInfo"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["type"] == "ArcEmulator")
        .find_map(|i| i["info"]["ruleId"].as_str())
        .map(str::to_string);
    log.push(Refusal {
        method: method.to_string(),
        path,
        status: status.as_u16(),
        code: e["code"].as_str().unwrap_or_default().to_string(),
        rule_id,
        message: e["message"].as_str().unwrap_or_default().to_string(),
    });
    Response::from_parts(parts, axum::body::Body::from(bytes))
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
