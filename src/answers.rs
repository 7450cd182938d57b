//! The outer layers of the HTTP listener: every answer is ARM-shaped. A refusal renders as the
//! ARM error envelope; an error answer that a face or axum produced without one (plain text, an
//! empty body) is given one; a handler that panics answers 500 instead of dropping the
//! connection.

use arcemu_fake_arm::envelope;
use arcemu_model::ArmError;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A refusal as an ARM error envelope (`WWW-Authenticate` on 401).
pub fn refusal(e: &ArmError) -> Response {
    let mut r = envelope::response(e);
    if e.status == 401 {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"arcemu\""));
    }
    r
}

fn is_json(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// Largest error text kept from a body that is not an envelope.
const MAX_TEXT: usize = 1024;

/// What [`with_envelope`] needs to know of the request (taken before it is handed on).
pub(crate) struct Asked {
    pub method: Method,
    pub admin: bool,
    /// A HeaderValue clone shares its bytes: nothing is copied on the (common) success path.
    pub media: Option<HeaderValue>,
}

impl Asked {
    pub(crate) fn of(req: &Request) -> Self {
        Asked {
            method: req.method().clone(),
            admin: crate::access::is_admin(req.uri().path()),
            media: req.headers().get(header::CONTENT_TYPE).cloned(),
        }
    }
}

/// Gives an envelope to any error answer (4xx, 5xx) that has none, keeping its status and
/// headers (`Allow`, ...). `max_body_bytes` names the limit in a 413.
pub(crate) async fn with_envelope(max_body_bytes: usize, asked: &Asked, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) || asked.method == Method::HEAD {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_TEXT * 4).await {
        Ok(b) => String::from_utf8_lossy(&b).chars().take(MAX_TEXT).collect::<String>(),
        Err(_) => String::new(),
    };
    let text = if text.trim().is_empty() { status.canonical_reason().unwrap_or("error").to_string() } else { text };
    let e = match status.as_u16() {
        404 if asked.admin => ArmError::admin_endpoint_not_found(),
        404 => ArmError::arm_path_not_found(),
        405 => ArmError::method_not_allowed(asked.method.as_str()),
        413 => ArmError::request_entity_too_large(max_body_bytes),
        415 => match &asked.media {
            Some(m) => ArmError::unsupported_media_type(&String::from_utf8_lossy(m.as_bytes())),
            None => ArmError::missing_content_type(),
        },
        s if s >= 500 => ArmError::internal_server_error(text.trim()),
        _ => ArmError::invalid_request_content(text.trim()),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.extensions.insert(envelope::RefusalInfo::of(&e));
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = serde_json::to_vec(&envelope::error_body(&e)).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The 500 (an envelope) answering a request whose handler panicked, instead of dropping the
/// connection. A panic is a bug: the tests treat any 5xx as a failure; this only keeps the
/// emulator answering.
pub(crate) fn panicked(path: &str, panic: Box<dyn std::any::Any + Send>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    tracing::error!("request {path} panicked: {what}");
    refusal(&ArmError::internal_server_error(format!("The emulator failed on this request (a bug): {what}")))
}

/// A future that turns a panic while polling its inner future into `Err` (`F`: e.g. a
/// `Pin<&mut _>` of a future pinned on the stack, so nothing is boxed).
pub(crate) struct CatchUnwind<F>(pub F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = Pin::new(&mut self.0);
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
