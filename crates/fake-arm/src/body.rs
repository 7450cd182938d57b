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

/// The whole body, or 413 `RequestEntityTooLarge` once it passes `limit` bytes (after draining
/// the rest, within bounds, so that the client reads the refusal).
pub async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, ArmError> {
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(ArmError::invalid_request_content)?;
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
