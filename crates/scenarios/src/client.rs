//! A small client for a running emulator: ARM requests with a bearer token, the admin API,
//! and the answer of each, as plain JSON. Scenarios and the state machine speak to the
//! emulator only through this (over real HTTP), never through the model.

use serde_json::Value;
use std::time::Duration;

/// The answer to one request.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// `error.code` of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    /// The rule id an error answer carries (`additionalInfo[ArcEmulator].info.ruleId`).
    pub fn rule(&self) -> Option<&str> {
        self.body["error"]["additionalInfo"].as_array()?.iter().find_map(|i| i["info"]["ruleId"].as_str())
    }
}

/// Talks to one emulator.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// The bearer token of every request (ARM accepts any; the admin API may need its token).
    bearer: String,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap_or_default();
        Self { base: base.trim_end_matches('/').to_string(), http, bearer: "arcemu-scenarios".to_string() }
    }

    /// The same client, sending `token` as its bearer token (an emulator started with
    /// `--admin-token` needs it on admin requests).
    pub fn with_bearer(mut self, token: &str) -> Self {
        self.bearer = token.to_string();
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; `path` is relative to the ARM base URL (or absolute).
    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.base) };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut rb = self.http.request(method, url).bearer_auth(&self.bearer);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        match rb.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                let body = if text.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&text).unwrap_or(Value::String(text))
                };
                Reply { status, body }
            }
            Err(e) => Reply { status: 0, body: Value::String(format!("request failed: {e}")) },
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }
}
