//! The request log: one line per request through `tracing` (target `arcemu::request`: method,
//! path, status, the refusal's code and rule id, duration), and the most recent requests kept
//! in memory for `GET /_emulator/requests`, so a test that failed can ask what the emulator
//! saw. Headers and bodies are never logged (they carry tokens); paths are cut at
//! [`MAX_PATH`] characters.

use crate::answers;
use crate::refusals::RefusalLog;
use arcemu_fake_arm::envelope::RefusalInfo;
use arcemu_model::ArmError;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// How many requests `GET /_emulator/requests` can show.
pub const DEFAULT_CAPACITY: usize = 1000;
/// Longest path (with query) kept.
pub const MAX_PATH: usize = 512;

/// One request as kept (formatted only when asked for: the log is written on every request).
#[derive(Clone, Debug)]
struct Kept {
    seq: u64,
    at: std::time::SystemTime,
    method: axum::http::Method,
    /// Path and query as shown (cut at [`MAX_PATH`]). A copy: keeping the request's `Uri`
    /// would keep hyper's whole read buffer it points into, one per kept request, and make
    /// hyper allocate a new one for every request.
    path: Box<str>,
    status: u16,
    refusal: Option<RefusalInfo>,
    duration: std::time::Duration,
}

/// One request as `GET /_emulator/requests` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Logged {
    /// Position since start (1, 2, ...).
    pub seq: u64,
    /// When the answer was ready, RFC 3339.
    pub time: String,
    pub method: String,
    /// Path and query, as sent (cut at [`MAX_PATH`]).
    pub path: String,
    pub status: u16,
    /// The refusal's ARM error code, for an error answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The refusal's rule id, when a documented rule refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<&'static str>,
    pub duration_ms: f64,
}

/// The most recent requests, newest last.
pub struct RequestLog {
    capacity: usize,
    recent: Mutex<(u64, VecDeque<Kept>)>,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        RequestLog { capacity, recent: Mutex::new((0, VecDeque::with_capacity(capacity.min(4096)))) }
    }

    fn push(&self, mut entry: Kept) {
        let mut guard = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0 += 1;
        entry.seq = guard.0;
        if self.capacity == 0 {
            return;
        }
        if guard.1.len() == self.capacity {
            guard.1.pop_front();
        }
        guard.1.push_back(entry);
    }

    /// The last `limit` requests, newest first.
    pub fn recent(&self, limit: usize) -> Vec<Logged> {
        let kept: Vec<Kept> = {
            let guard = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            guard.1.iter().rev().take(limit).cloned().collect()
        };
        kept.into_iter()
            .map(|k| Logged {
                seq: k.seq,
                time: time::OffsetDateTime::from(k.at)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                method: k.method.to_string(),
                path: k.path.into(),
                status: k.status,
                code: k.refusal.as_ref().map(|r| r.code.clone()),
                rule_id: k.refusal.as_ref().and_then(|r| r.rule),
                duration_ms: k.duration.as_secs_f64() * 1000.0,
            })
            .collect()
    }
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// What the listener keeps of its requests: the recent ones, and the writes it refused.
#[derive(Clone, Default)]
pub struct Logs {
    pub requests: Arc<RequestLog>,
    pub refusals: Arc<RefusalLog>,
}

/// Logs one answered request (the listener's front layer calls it, `start` being when the
/// request came in): the log line, the kept requests, and a refused write.
pub(crate) fn record(logs: &Logs, start: Instant, method: Method, uri: &axum::http::Uri, response: &Response) {
    let status = response.status().as_u16();
    let refusal = response.extensions().get::<RefusalInfo>().cloned();
    let duration = start.elapsed();
    if tracing::enabled!(target: "arcemu::request", tracing::Level::INFO) {
        tracing::info!(
            target: "arcemu::request",
            method = %method,
            path = %ShownPath(uri),
            status,
            code = refusal.as_ref().map(|r| r.code.as_str()),
            rule = refusal.as_ref().and_then(|r| r.rule),
            duration_ms = (duration.as_secs_f64() * 1e6).round() / 1000.0,
        );
    }
    let is_write = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if is_write && (400..500).contains(&status) {
        logs.refusals.record(&method, uri.path(), status, refusal.as_ref());
    }
    // A long URI is kept cut, so that the kept requests stay small whatever clients send.
    let path = ShownPath(uri).as_str().into();
    logs.requests.push(Kept { seq: 0, at: std::time::SystemTime::now(), method, path, status, refusal, duration });
}

/// Path and query as sent, cut at [`MAX_PATH`] characters (borrowed: the log line is written
/// for every request).
struct ShownPath<'a>(&'a axum::http::Uri);

impl<'a> ShownPath<'a> {
    fn as_str(&self) -> &'a str {
        let text = self.0.path_and_query().map_or("/", |p| p.as_str());
        // No more bytes than MAX_PATH: no more characters either.
        let cut = if text.len() <= MAX_PATH {
            text
        } else {
            text.char_indices().nth(MAX_PATH).map_or(text, |(i, _)| &text[..i])
        };
        if cut.is_empty() { "/" } else { cut }
    }
}

impl std::fmt::Display for ShownPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecentQuery {
    limit: Option<usize>,
}

/// `GET /_emulator/requests?limit=N`: the last N requests (default 100), newest first.
pub fn router(log: Arc<RequestLog>) -> Router {
    Router::new().route("/_emulator/requests", get(recent)).with_state(log)
}

async fn recent(
    State(log): State<Arc<RequestLog>>,
    query: Result<Query<RecentQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match query {
        Ok(Query(q)) => {
            let limit = q.limit.unwrap_or(100);
            axum::Json(serde_json::json!({ "value": log.recent(limit) })).into_response()
        }
        Err(e) => answers::refusal(&ArmError::invalid_request_content(e.body_text())),
    }
}
