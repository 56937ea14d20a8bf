//! The HTTP layer: one `reqwest` client for every backend (in the [`BuildContext`]
//! backends are built in), and per backend ([`Http`]) the timeout, pacing, retries with
//! backoff, and the circuit breaker.
//!
//! Invariants: an API key leaves a [`SecretString`] only to build a request header;
//! error messages never carry a URL (Google-style query keys) or an echoed key; only
//! rate limits, 5xx, timeouts and dropped connections are retried.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, RequestBuilder};
use secrecy::{ExposeSecret as _, SecretString};

use super::BackendError;
use super::limit::Guard;
use super::meter::{Charge, Meter};
use super::retry::{Backoff, parse_retry_after};
use crate::config::BackendConfig;

/// What every backend of a run is built with: the one HTTP client, the backoff timing,
/// and where API keys are read from.
#[derive(Clone)]
pub struct BuildContext {
    client: Client,
    backoff: Backoff,
    env: Option<HashMap<String, String>>,
}

impl fmt::Debug for BuildContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the environment override: it holds keys.
        f.debug_struct("BuildContext")
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

impl BuildContext {
    /// One client (rustls, `User-Agent: dich/<version>`) with this connect timeout;
    /// request timeouts are set per backend.
    ///
    /// # Errors
    /// [`BackendError::Config`] when the TLS backend cannot be initialised.
    pub fn new(connect_timeout: Duration) -> Result<BuildContext, BackendError> {
        let client = Client::builder()
            .user_agent(concat!("dich/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(connect_timeout)
            // Small JSON requests must not wait for Nagle's algorithm (tens of ms each).
            .tcp_nodelay(true)
            .build()
            .map_err(|e| BackendError::Config {
                backend: "http".to_owned(),
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(BuildContext {
            client,
            backoff: Backoff::default(),
            env: None,
        })
    }

    /// Replaces the retry backoff (tests scale it down; the default is 1 s doubling to 60 s).
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Reads API keys from `vars` instead of the process environment (tests, embedding).
    pub fn with_env(mut self, vars: HashMap<String, String>) -> Self {
        self.env = Some(vars);
        self
    }

    /// The shared client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The retry backoff every backend uses.
    pub fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// Reads the API key of `backend` from the variable named by `api_key_env`, or
    /// `default_var`. A missing key is an error only when `required`.
    ///
    /// # Errors
    /// [`BackendError::Config`] naming the variable (never a value).
    pub fn api_key(
        &self,
        backend: &str,
        config: &BackendConfig,
        default_var: &str,
        required: bool,
    ) -> Result<Option<SecretString>, BackendError> {
        let var = key_var(config, default_var);
        let value = match &self.env {
            Some(env) => env.get(var).cloned(),
            None => std::env::var(var).ok(),
        };
        match value.filter(|v| !v.trim().is_empty()) {
            Some(v) => Ok(Some(SecretString::from(v.trim().to_owned()))),
            None if required => Err(BackendError::Config {
                backend: backend.to_owned(),
                message: format!(
                    "the environment variable `{var}` holding the API key is not set; export it, or name another variable with `api_key_env`"
                ),
            }),
            None => Ok(None),
        }
    }

    /// The connection of backend `name` to its service, with its API key read from the
    /// variable named by `api_key_env`, or `default_var` (an error only when `required`).
    ///
    /// # Errors
    /// As [`BuildContext::api_key`].
    pub fn http(
        &self,
        name: &str,
        config: &BackendConfig,
        default_var: &str,
        required: bool,
    ) -> Result<Http, BackendError> {
        let key = self.api_key(name, config, default_var, required)?;
        Ok(Http::new(
            name,
            config,
            self,
            key,
            key_var(config, default_var),
        ))
    }
}

/// The name of the key variable: `api_key_env`, else the documented default.
fn key_var<'a>(config: &'a BackendConfig, default_var: &'a str) -> &'a str {
    config.api_key_env.as_deref().unwrap_or(default_var)
}

/// How a backend turns a failed response (status, body with any key removed,
/// `Retry-After`) into an error.
pub type Classify<'a> = &'a (dyn Fn(u16, &str, Option<Duration>) -> BackendError + Sync);

/// One backend's connection to its service.
pub struct Http {
    name: String,
    client: Client,
    timeout: Duration,
    guard: Guard,
    key: Option<SecretString>,
    key_var: String,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .field("guard", &self.guard)
            .field("key", &self.key.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl Http {
    /// The layer for backend `name`, with its key kept for redaction and the name of
    /// the variable it came from for error messages.
    fn new(
        name: &str,
        config: &BackendConfig,
        context: &BuildContext,
        key: Option<SecretString>,
        key_var: &str,
    ) -> Self {
        Http {
            name: name.to_owned(),
            client: context.client.clone(),
            timeout: super::retry::timeout(config.timeout_secs),
            guard: Guard::new(name, config, context.backoff),
            key,
            key_var: key_var.to_owned(),
        }
    }

    /// The name of the variable holding the key, for "check the key in `…`" messages.
    pub fn key_var(&self) -> &str {
        &self.key_var
    }

    /// The API key, for building the auth header only.
    pub fn key(&self) -> Option<&str> {
        self.key.as_ref().map(|k| k.expose_secret())
    }

    /// The shared client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends the request made by `build` (called again for each attempt) through the
    /// backend's [`Guard`], charging `charge` to the rate limit and the [`Meter`], and
    /// returns the body of the 2xx answer, as the bytes that came: JSON is parsed from
    /// them ([`parse_json`]), not from a copy checked as text first (a copy of 20–40
    /// KB and a scan per answer on the request slots, issue 15).
    ///
    /// # Errors
    /// The [`BackendError`] of the last attempt, or [`BackendError::CircuitOpen`].
    pub async fn send(
        &self,
        charge: Charge<'_>,
        build: &(dyn Fn(&Client) -> RequestBuilder + Sync),
        classify: Classify<'_>,
    ) -> Result<Vec<u8>, BackendError> {
        self.guard
            .run(charge, || self.attempt(build, classify))
            .await
    }

    /// What the service saw from this backend (requests, characters, billing).
    pub fn meter(&self) -> Arc<Meter> {
        self.guard.meter()
    }

    /// One attempt, no retry, outside the concurrency and rate limits: for
    /// informational calls (account usage in `--dry-run`) that must not hold up a run
    /// when the service is unreachable.
    ///
    /// # Errors
    /// The [`BackendError`] of the attempt.
    pub async fn send_once(
        &self,
        build: &(dyn Fn(&Client) -> RequestBuilder + Sync),
        classify: Classify<'_>,
    ) -> Result<Vec<u8>, BackendError> {
        self.attempt(build, classify).await
    }

    async fn attempt(
        &self,
        build: &(dyn Fn(&Client) -> RequestBuilder + Sync),
        classify: Classify<'_>,
    ) -> Result<Vec<u8>, BackendError> {
        let response = build(&self.client)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let retry_after = parse_retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        if (200..300).contains(&status) {
            // The buffer itself when the answer came in one piece.
            return Ok(body.into());
        }
        let text = String::from_utf8_lossy(&body);
        Err(classify(status, &self.redact(&text), retry_after))
    }

    /// Maps a transport failure; drops the URL, which may carry a key in its query.
    fn transport_error(&self, error: reqwest::Error) -> BackendError {
        if error.is_timeout() {
            return BackendError::Timeout {
                backend: self.name.clone(),
                after: self.timeout,
            };
        }
        let error = error.without_url();
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        BackendError::Connection {
            backend: self.name.clone(),
            message: self.redact(&message),
        }
    }

    /// `text` with the key replaced, in case a service echoes it.
    pub fn redact(&self, text: &str) -> String {
        match self.key() {
            Some(key) if !key.is_empty() => text.replace(key, "[REDACTED]"),
            _ => text.to_owned(),
        }
    }
}

/// The human-readable message in an error body: `message`, `error.message`, `error`
/// (a string), or `errorMessage`; else the start of the body.
pub fn service_message(body: &str) -> String {
    let text = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let pick = |v: &serde_json::Value| v.as_str().map(str::to_owned);
            pick(&v["error"]["message"])
                .or_else(|| pick(&v["message"]))
                .or_else(|| pick(&v["error"]))
                .or_else(|| pick(&v["errorMessage"]))
        })
        .unwrap_or_else(|| body.trim().to_owned());
    let mut short: String = text.chars().take(300).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    if short.is_empty() {
        short.push_str("no details in the response");
    }
    short
}

/// The usual mapping of a failed status; backends handle their special codes first.
pub fn classify_common(
    backend: &str,
    status: u16,
    body: &str,
    retry_after: Option<Duration>,
    key_var: &str,
) -> BackendError {
    let backend = backend.to_owned();
    let message = service_message(body);
    match status {
        401 | 403 => BackendError::Auth {
            backend,
            message: format!("{message} (check the key in `{key_var}`)"),
        },
        408 | 500..=599 => BackendError::Server {
            backend,
            status: Some(status),
            message,
        },
        413 => BackendError::TooLarge { backend },
        429 => BackendError::RateLimited {
            backend,
            retry_after,
        },
        _ => BackendError::Rejected {
            backend,
            status: Some(status),
            message,
        },
    }
}

/// A JSON request body, serialized once for every attempt of its request.
///
/// `RequestBuilder::json` serializes its value again on every attempt, into a buffer
/// grown by doubling: for a batch of 50 sentences, two or three reallocations of tens
/// of kilobytes per request on the runtime's workers, whose time between an answer and
/// the next request shows in every round of a run (issue 15, `docs/benchmarks.md`).
/// Here the body is written once, into a buffer sized from `size_hint`, and each
/// attempt shares it.
#[derive(Debug, Clone)]
pub struct JsonBody(bytes::Bytes);

impl JsonBody {
    /// `value` as JSON, for `backend`; `size_hint` is the length it is expected to
    /// take.
    ///
    /// # Errors
    /// [`BackendError::Config`] if `value` cannot be serialized (a map with keys that
    /// are not strings: no request of dich's).
    pub fn new(
        backend: &str,
        value: &impl serde::Serialize,
        size_hint: usize,
    ) -> Result<JsonBody, BackendError> {
        let mut body = Vec::with_capacity(size_hint);
        serde_json::to_writer(&mut body, value).map_err(|e| BackendError::Config {
            backend: backend.to_owned(),
            message: format!("cannot write the request's JSON: {e}"),
        })?;
        Ok(JsonBody(bytes::Bytes::from(body)))
    }

    /// The length to expect of a body that carries the texts of `batch`.
    pub fn size_hint(batch: &super::Batch) -> usize {
        json_size_hint(batch.segments.iter().map(|s| &*s.text))
    }

    /// `request` with this body, as `RequestBuilder::json` would set it.
    pub fn attach(&self, request: RequestBuilder) -> RequestBuilder {
        request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.0.clone())
    }
}

/// About the length of a JSON document that carries `texts` as strings: their bytes,
/// with room for quotes, escapes and separators, and for the fields around them. A
/// buffer of this size is written without growing in the usual case.
pub fn json_size_hint<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    texts
        .into_iter()
        .map(|text| text.len() + text.len() / 8 + 16)
        .sum::<usize>()
        + 256
}

/// Parses a JSON success body.
///
/// # Errors
/// [`BackendError::InvalidResponse`] with the parse error.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    backend: &str,
    body: &[u8],
) -> Result<T, BackendError> {
    // Checked as a whole first: `serde_json::from_slice` checks each string with
    // `std::str::from_utf8`, which was 70 % of parsing an answer.
    let body = simdutf8::basic::from_utf8(body).map_err(|_| BackendError::InvalidResponse {
        backend: backend.to_owned(),
        message: "the answer is not UTF-8".to_owned(),
    })?;
    parse_json_text(backend, body)
}

/// Parses a JSON success body that is text already (not checked again).
///
/// # Errors
/// [`BackendError::InvalidResponse`] with the parse error.
pub fn parse_json_text<T: serde::de::DeserializeOwned>(
    backend: &str,
    body: &str,
) -> Result<T, BackendError> {
    serde_json::from_str(body).map_err(|e| BackendError::InvalidResponse {
        backend: backend.to_owned(),
        message: format!("malformed JSON: {e}"),
    })
}

/// `base` without a trailing slash, or `default`.
pub fn base_url(config: &BackendConfig, default: &str) -> String {
    config
        .base_url
        .as_deref()
        .unwrap_or(default)
        .trim_end_matches('/')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_of_news_sentences_fits_its_size_hint() {
        // Vietnamese text, quotes and tags to escape, a control character.
        let texts = [
            "Ngày 15/3, UBND tỉnh Bắc Ninh tổ chức hội nghị \"tổng kết\" công tác.",
            "<g1>Ông Nguyễn Văn A</g1> phát biểu tại <x2/> hội nghị.",
            "Tab\there, and a backslash \\ too.",
        ];
        // A batch of 150: the per-text room, not the fixed part, must cover them.
        let batch: Vec<&str> = texts.iter().copied().cycle().take(150).collect();
        let body = JsonBody::new("deepl", &serde_json::json!({ "text": batch }), 0).unwrap();
        let hint = json_size_hint(batch.iter().copied());
        assert!(body.0.len() <= hint, "{} > {hint}", body.0.len());
    }

    #[test]
    fn service_message_reads_the_common_shapes() {
        assert_eq!(service_message(r#"{"message":"Bad"}"#), "Bad");
        assert_eq!(service_message(r#"{"error":{"message":"Nope"}}"#), "Nope");
        assert_eq!(service_message(r#"{"error":"Slowdown"}"#), "Slowdown");
        assert_eq!(service_message("plain text"), "plain text");
        assert_eq!(service_message(""), "no details in the response");
    }

    /// Issue 10: `timeout_secs = inf` (or 1e20) in a config built in code panicked in
    /// `Duration::from_secs_f64`.
    #[test]
    fn an_endless_timeout_is_clamped_not_a_panic() {
        let context = BuildContext::new(Duration::from_secs(1)).unwrap();
        for timeout_secs in [f64::INFINITY, 1e20, f64::NAN] {
            let config = BackendConfig {
                timeout_secs,
                ..BackendConfig::default()
            };
            let http = context.http("x", &config, "X_KEY", false).unwrap();
            assert!(
                http.timeout <= Duration::from_secs(86_400),
                "{timeout_secs}"
            );
            assert!(http.timeout > Duration::ZERO, "{timeout_secs}");
        }
    }

    #[test]
    fn missing_key_names_the_variable() {
        let context = BuildContext::new(Duration::from_secs(1))
            .unwrap()
            .with_env(HashMap::new());
        let err = context
            .api_key("deepl", &BackendConfig::default(), "DEEPL_AUTH_KEY", true)
            .unwrap_err();
        assert!(matches!(err, BackendError::Config { .. }));
        assert!(err.to_string().contains("DEEPL_AUTH_KEY"), "{err}");
        let optional = context.api_key("lt", &BackendConfig::default(), "LT_KEY", false);
        assert!(optional.unwrap().is_none());
    }
}
