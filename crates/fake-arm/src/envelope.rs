//! Renders the model's refusals as ARM error envelopes:
//! `{"error": {"code", "message", "target"?, "details": [], "additionalInfo": [...]}}`.
//!
//! `additionalInfo` carries one `ArcEmulator` entry with the rule id, the seed section and
//! the fidelity tag, so a client can tell a documented rule from a protocol error and a
//! verified text from an inferred one.

use arcemu_model::ArmError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Rides on a refusal's response as an extension, so the request log can name the refusal
/// without parsing the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusalInfo {
    pub code: String,
    pub rule: Option<&'static str>,
    pub message: String,
}

impl RefusalInfo {
    pub fn of(e: &ArmError) -> Self {
        RefusalInfo { code: e.code.to_string(), rule: e.rule.map(|r| r.id), message: e.message.clone() }
    }
}

/// A refusal as a response: the envelope, its status, and a [`RefusalInfo`] extension.
pub fn response(e: &ArmError) -> Response {
    let mut r = (status(e), axum::Json(error_body(e))).into_response();
    r.extensions_mut().insert(RefusalInfo::of(e));
    r
}

/// The JSON body of an error response.
pub fn error_body(e: &ArmError) -> Value {
    let mut info = json!({ "fidelity": e.fidelity.as_str() });
    if let Some(src) = e.fidelity_source {
        info["fidelitySource"] = json!(src);
    }
    if let Some(rule) = &e.rule {
        info["ruleId"] = json!(rule.id);
        info["seedSection"] = json!(rule.seed_section);
        info["ruleSummary"] = json!(rule.summary);
    }
    let mut err = json!({
        "code": e.code,
        "message": e.message,
        "details": [],
        "additionalInfo": [{ "type": "ArcEmulator", "info": info }],
    });
    if let Some(t) = &e.target {
        err["target"] = json!(t);
    }
    json!({ "error": err })
}

/// The HTTP status of a refusal (never 5xx for a client's mistake: anything odd maps to 400).
pub fn status(e: &ArmError) -> StatusCode {
    StatusCode::from_u16(e.status).ok().filter(|s| s.is_client_error()).unwrap_or(StatusCode::BAD_REQUEST)
}
