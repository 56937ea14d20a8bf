//! The error every backend returns, and how callers branch on it: retry, stop the
//! whole run (authentication, quota, configuration), or fail just the segments concerned.

use std::time::Duration;

/// A translation backend failed. The pipeline branches on the kind: retry, stop the
/// whole run (authentication, quota), or fail just the segments concerned.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// 429 or an equivalent: slow down and try again.
    #[error("{backend}: rate limited{}", retry_after.map(|d| format!(" (retry after {:.1}s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// Backend name.
        backend: String,
        /// How long the service asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The key was refused. Never retried; stops the run.
    #[error("{backend}: authentication failed: {message}")]
    Auth {
        /// Backend name.
        backend: String,
        /// What the service said, with what to do (no secret ever).
        message: String,
    },
    /// The account's quota or credit is used up. Never retried; stops the run.
    #[error("{backend}: quota exhausted: {message}")]
    Quota {
        /// Backend name.
        backend: String,
        /// What the service said, with what to do.
        message: String,
    },
    /// A 5xx or another transient server failure.
    #[error("{backend}: server error{}: {message}", status.map(|s| format!(" {s}")).unwrap_or_default())]
    Server {
        /// Backend name.
        backend: String,
        /// HTTP status, when there was one.
        status: Option<u16>,
        /// What the service said.
        message: String,
    },
    /// No answer in time.
    #[error("{backend}: request timed out after {:.1}s", after.as_secs_f64())]
    Timeout {
        /// Backend name.
        backend: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection failed.
    #[error("{backend}: connection failed: {message}")]
    Connection {
        /// Backend name.
        backend: String,
        /// Why.
        message: String,
    },
    /// The request was too large (413): split the batch.
    #[error("{backend}: request too large")]
    TooLarge {
        /// Backend name.
        backend: String,
    },
    /// The request was refused as invalid (a 4xx other than the above).
    #[error("{backend}: request rejected{}: {message}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    Rejected {
        /// Backend name.
        backend: String,
        /// HTTP status, when there was one.
        status: Option<u16>,
        /// What the service said.
        message: String,
    },
    /// The answer could not be used (malformed body, wrong count, empty text, broken tags).
    #[error("{backend}: unusable response: {message}")]
    InvalidResponse {
        /// Backend name.
        backend: String,
        /// What was wrong with it.
        message: String,
    },
    /// The backend cannot translate this language pair.
    #[error("{backend} cannot translate {source_lang} → {target_lang}{}", hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    UnsupportedPair {
        /// Backend name.
        backend: String,
        /// Source language.
        source_lang: String,
        /// Target language.
        target_lang: String,
        /// What to do (e.g. add a language override in config).
        hint: Option<String>,
    },
    /// The backend is misconfigured (missing key variable, bad option).
    #[error("{backend}: {message}")]
    Config {
        /// Backend name.
        backend: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The circuit breaker is open: the backend failed too often in a row.
    #[error(
        "{backend}: stopped after {failures} failures in a row (the service looks down; try again later)"
    )]
    CircuitOpen {
        /// Backend name.
        backend: String,
        /// Consecutive failures seen.
        failures: u32,
    },
}

impl BackendError {
    /// Worth trying again after a pause: rate limits, server errors, timeouts, dropped
    /// connections, and unusable answers (a second answer is often fine).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            BackendError::RateLimited { .. }
                | BackendError::Server { .. }
                | BackendError::Timeout { .. }
                | BackendError::Connection { .. }
        )
    }

    /// The backend can serve nothing more this run (its key rejected, its quota used
    /// up, its circuit open): a [`super::Chain`] hands its segments to the next backend.
    pub fn retires_backend(&self) -> bool {
        matches!(
            self,
            BackendError::Auth { .. }
                | BackendError::Quota { .. }
                | BackendError::CircuitOpen { .. }
        )
    }

    /// Ends the whole run at once when no backend is left to take over: every further
    /// request would fail the same way.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            BackendError::Auth { .. }
                | BackendError::Quota { .. }
                | BackendError::Config { .. }
                | BackendError::CircuitOpen { .. }
        )
    }
}
