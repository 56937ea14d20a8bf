//! What stands between a backend and its service ([`Guard`]): bounded concurrency,
//! request and character rate limits (`governor`), retries with backoff, and the
//! circuit breaker. HTTP backends and the `command` backend go through the same guard.
//!
//! Invariant: once the breaker is open every further request fails at once with
//! [`BackendError::CircuitOpen`], so a dead service ends the run after N requests
//! instead of after every batch has used up its retries.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::BackendError;
use super::meter::{Charge, Meter};
use super::retry::{Backoff, MAX_RETRY_AFTER, clamped_secs};
use crate::config::{BackendConfig, LONGEST_WAIT};

/// One backend's guard: every request waits for a concurrency slot and the rate
/// limits, is retried after a retryable failure, and counts for the circuit breaker.
#[derive(Debug)]
pub struct Guard {
    name: String,
    max_retries: u32,
    backoff: Backoff,
    limiter: Limiter,
    breaker: Breaker,
    meter: Arc<Meter>,
}

impl Guard {
    /// The guard of backend `name`, from its common config keys.
    pub fn new(name: &str, config: &BackendConfig, backoff: Backoff) -> Self {
        Guard {
            name: name.to_owned(),
            max_retries: config.max_retries,
            backoff,
            limiter: Limiter::from_config(config),
            breaker: Breaker::new(config.circuit_breaker_failures),
            meter: Arc::default(),
        }
    }

    /// What the service saw through this guard: requests, retries, characters.
    pub fn meter(&self) -> Arc<Meter> {
        Arc::clone(&self.meter)
    }

    /// Runs `attempt` (called again for each retry), billing `charge.chars` characters
    /// to the rate limit; each attempt the service receives is counted in the
    /// [`Meter`], and the characters once it succeeds.
    ///
    /// # Errors
    /// The [`BackendError`] of the last attempt, or [`BackendError::CircuitOpen`].
    pub async fn run<T, F, Fut>(&self, charge: Charge<'_>, attempt: F) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, BackendError>>,
    {
        let _slot = self.limiter.admit(charge.chars).await;
        let mut retry = 0;
        loop {
            self.breaker.check(&self.name)?;
            self.limiter.pace().await;
            let result = {
                let _in_flight = self.meter.start();
                attempt().await
            };
            // A connection that never opened reached no server: nothing to count.
            if !matches!(result, Err(BackendError::Connection { .. })) {
                self.meter.received(retry > 0);
            }
            let error = match result {
                Ok(answer) => {
                    self.breaker.success();
                    self.meter.translated(charge);
                    return Ok(answer);
                }
                Err(e) => e,
            };
            if trips_breaker(&error)
                && let Some(open) = self.breaker.failure(&self.name)
            {
                tracing::warn!(backend = %self.name, "{open}");
                return Err(open);
            }
            let Some(wait) = self.retry_wait(&error, retry) else {
                return Err(error);
            };
            tracing::debug!(backend = %self.name, retry, ?wait, "retrying: {error}");
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// How long to wait before retrying after `error`, or `None` to give up.
    fn retry_wait(&self, error: &BackendError, retry: u32) -> Option<Duration> {
        if !error.is_retryable() || retry >= self.max_retries {
            return None;
        }
        match error {
            BackendError::RateLimited {
                retry_after: Some(wait),
                ..
            } => (*wait <= MAX_RETRY_AFTER).then_some(*wait),
            _ => Some(self.backoff.delay(retry)),
        }
    }
}

/// Failures that suggest the service is down (not rate limits or bad requests).
fn trips_breaker(error: &BackendError) -> bool {
    matches!(
        error,
        BackendError::Server { .. }
            | BackendError::Timeout { .. }
            | BackendError::Connection { .. }
    )
}

/// Concurrency and rate limits of one backend.
#[derive(Debug)]
pub struct Limiter {
    slots: Semaphore,
    requests: Option<DefaultDirectRateLimiter>,
    chars: Option<(DefaultDirectRateLimiter, NonZeroU32)>,
}

impl Limiter {
    /// Limits from `concurrency`, `requests_per_second` and `characters_per_minute`.
    pub fn from_config(config: &BackendConfig) -> Self {
        let requests = config
            .requests_per_second
            .filter(|rps| rps.is_finite() && *rps > 0.0)
            // The config file refuses a rate slower than one request a day; a config
            // built in code is clamped to it.
            .and_then(|rps| Quota::with_period(clamped_secs(1.0 / rps, LONGEST_WAIT)?))
            .map(RateLimiter::direct);
        let chars = config
            .characters_per_minute
            .and_then(NonZeroU32::new)
            .map(|cpm| (RateLimiter::direct(Quota::per_minute(cpm)), cpm));
        Limiter {
            slots: Semaphore::new(config.concurrency.max(1)),
            requests,
            chars,
        }
    }

    /// Waits for a concurrency slot and for `chars` characters of the per-minute budget.
    /// The slot is held until the returned permit is dropped.
    pub async fn admit(&self, chars: usize) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed, so `acquire` cannot fail; `ok()` keeps the
        // code free of unwraps anyway.
        let permit = self.slots.acquire().await.ok();
        if let Some((limiter, burst)) = &self.chars {
            // A request larger than a minute's budget waits for a full minute's worth.
            let n = u32::try_from(chars).unwrap_or(u32::MAX).min(burst.get());
            if let Some(n) = NonZeroU32::new(n) {
                let _ = limiter.until_n_ready(n).await;
            }
        }
        permit
    }

    /// Waits until the request rate allows one more request (each attempt counts).
    pub async fn pace(&self) {
        if let Some(limiter) = &self.requests {
            limiter.until_ready().await;
        }
    }
}

/// Counts consecutive failed requests; opens after `threshold` of them.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    failures: AtomicU32,
}

impl Breaker {
    /// A breaker that opens after `threshold` failures in a row (0 = never).
    pub fn new(threshold: u32) -> Self {
        Breaker {
            threshold,
            failures: AtomicU32::new(0),
        }
    }

    /// Fails when the breaker is open.
    ///
    /// # Errors
    /// [`BackendError::CircuitOpen`].
    pub fn check(&self, backend: &str) -> Result<(), BackendError> {
        let failures = self.failures.load(Ordering::SeqCst);
        if self.threshold > 0 && failures >= self.threshold {
            return Err(self.open(backend, failures));
        }
        Ok(())
    }

    /// Records a successful request.
    pub fn success(&self) {
        self.failures.store(0, Ordering::SeqCst);
    }

    /// Records a failed request; returns the open-circuit error when this one tripped it.
    pub fn failure(&self, backend: &str) -> Option<BackendError> {
        let failures = self.failures.fetch_add(1, Ordering::SeqCst) + 1;
        (self.threshold > 0 && failures >= self.threshold).then(|| self.open(backend, failures))
    }

    fn open(&self, backend: &str, failures: u32) -> BackendError {
        BackendError::CircuitOpen {
            backend: backend.to_owned(),
            failures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_after_threshold_and_resets_on_success() {
        let b = Breaker::new(3);
        assert!(b.failure("x").is_none());
        b.success();
        assert!(b.failure("x").is_none());
        assert!(b.failure("x").is_none());
        assert!(matches!(
            b.failure("x"),
            Some(BackendError::CircuitOpen { failures: 3, .. })
        ));
        assert!(b.check("x").is_err());
    }

    /// Issue 10: a tiny rate made `Duration::from_secs_f64(1/rps)` panic; a config built
    /// in code bypasses the config file's checks, so the limiter clamps the period.
    #[tokio::test]
    async fn a_tiny_request_rate_is_clamped_not_a_panic() {
        for rps in [1e-30, f64::MIN_POSITIVE] {
            let config = BackendConfig {
                requests_per_second: Some(rps),
                ..BackendConfig::default()
            };
            let limiter = Limiter::from_config(&config);
            assert!(limiter.requests.is_some(), "{rps}: still rate limited");
            // The first request is free; only the next ones wait.
            limiter.pace().await;
        }
    }

    #[tokio::test]
    async fn request_rate_is_paced() {
        let config = BackendConfig {
            requests_per_second: Some(20.0),
            ..BackendConfig::default()
        };
        let limiter = Limiter::from_config(&config);
        // `governor` keeps its own clock (not tokio's), so paused time cannot drive it:
        // the wall clock is measured, and only the lower bound is asserted, which a
        // busy machine cannot break (it only makes the wait longer).
        let start = std::time::Instant::now();
        for _ in 0..5 {
            limiter.pace().await;
        }
        // 5 requests at 20/s: the first is free, the next four wait 50 ms each.
        assert!(
            start.elapsed() >= Duration::from_millis(180),
            "{:?}",
            start.elapsed()
        );
    }
}
