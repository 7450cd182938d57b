//! Request bodies read with a size limit, shared by the ARM face and the admin API.

use arcemu_model::ArmError;
use axum::body::{Body, Bytes};
use http_body_util::BodyExt;
use std::time::Duration;

/// How much of an oversized body is still read (and dropped) before answering 413, and for how
/// long: a client still sending when the server closes gets a reset connection instead of the
/// answer, so the rest is drained first, within these bounds.
const DRAIN_MAX_BYTES: usize = 64 * 1024 * 1024;
const DRAIN_MAX_TIME: Duration = Duration::from_secs(5);

/// The whole body within `timeout`, or: 413 `RequestEntityTooLarge` at once when the declared
/// length (`Content-Length`) is over `limit` and too large to drain (a client announcing 10 GB
/// and sending 2 bytes gets its answer now, not after a wait), or once the bytes read pass
/// `limit` (after draining the rest, within bounds, so that the client reads the refusal instead
/// of a reset connection); 408 `RequestTimeout` when the body stalls (this timeout, or the
/// listener's `DeadlineBody`).
pub async fn read_limited(
    body: Body,
    declared: Option<u64>,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ArmError> {
    // Too large to drain: answer at once (a body that size could not be read within bounds anyway).
    if declared.is_some_and(|n| n > limit as u64 && n > DRAIN_MAX_BYTES as u64) {
        return Err(ArmError::request_entity_too_large(limit));
    }
    let timed_out = || ArmError::request_timeout(timeout.as_secs_f64());
    tokio::time::timeout(timeout, read_all(body, limit, timed_out)).await.unwrap_or_else(|_| Err(timed_out()))
}

async fn read_all(mut body: Body, limit: usize, timed_out: impl Fn() -> ArmError) -> Result<Bytes, ArmError> {
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(f) => f,
            Err(e) if crate::is_body_timeout(&e) => return Err(timed_out()),
            Err(e) => return Err(ArmError::invalid_request_content(e)),
        };
        let Ok(data) = frame.into_data() else { continue };
        if buf.len().saturating_add(data.len()) > limit {
            drain(body).await;
            return Err(ArmError::request_entity_too_large(limit));
        }
        buf.extend_from_slice(&data);
    }
    Ok(Bytes::from(buf))
}

async fn drain(mut body: Body) {
    let _ = tokio::time::timeout(DRAIN_MAX_TIME, async move {
        let mut read = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            read = read.saturating_add(frame.data_ref().map_or(0, Bytes::len));
            if read > DRAIN_MAX_BYTES {
                break;
            }
        }
    })
    .await;
}
