//! Retry timing: exponential backoff with full jitter, and `Retry-After` parsing.
//!
//! Invariant: a wait the service asked for (`Retry-After`, `retry-after-ms`) is
//! honoured as given; only our own backoff is randomised and scaled.

use std::time::Duration;

use rand::Rng as _;
use reqwest::header::HeaderMap;

use crate::config::LONGEST_WAIT;

/// The longest `Retry-After` we wait for; beyond it the request fails instead of
/// stalling the run (a service asking for an hour is effectively down).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// `secs` as a duration, at most `max`; `None` for NaN and negative numbers.
/// `Duration::from_secs_f64` panics on what does not fit (`Retry-After: 1e20`, a
/// `timeout_secs = inf` in a config built in code), and servers can send anything.
pub fn clamped_secs(secs: f64, max: Duration) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).map_or(max, |d| d.min(max)))
}

/// A configured timeout: at least a millisecond, at most [`LONGEST_WAIT`] (the config
/// file refuses more; a config built in code is clamped).
pub fn timeout(secs: f64) -> Duration {
    // `f64::max` ignores NaN, so this is never `None`.
    clamped_secs(secs.max(0.001), LONGEST_WAIT).unwrap_or(LONGEST_WAIT)
}

/// Exponential backoff with full jitter: attempt `n` waits a random time in
/// `[0, min(max, base × 2ⁿ)]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The cap of the first wait.
    pub base: Duration,
    /// The cap of any wait.
    pub max: Duration,
}

impl Default for Backoff {
    /// One second, doubling, at most a minute (close to DeepL's and OpenAI's clients).
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let cap = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.max);
        // Full jitter spreads retries of concurrent requests so they do not hit the
        // recovering service together.
        let secs = rand::rng().random_range(0.0..=cap.as_secs_f64());
        Duration::from_secs_f64(secs)
    }
}

/// The wait a response asks for: `retry-after-ms` (OpenAI), else `Retry-After` as
/// seconds or as an HTTP date.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return duration_from_secs(ms / 1000.0);
    }
    let value = text("retry-after")?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return duration_from_secs(secs);
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    // A date in the past means "now".
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// A wait a server sent: any finite, non-negative number of seconds; one beyond
/// [`MAX_RETRY_AFTER`] makes the request fail rather than wait.
fn duration_from_secs(secs: f64) -> Option<Duration> {
    clamped_secs(secs, Duration::MAX).filter(|_| secs.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_seconds_and_milliseconds() {
        assert_eq!(
            parse_retry_after(&headers("retry-after", "3")),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after(&headers("retry-after-ms", "250")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse_retry_after(&headers("retry-after", "soon")), None);
        assert_eq!(parse_retry_after(&headers("retry-after", "-1")), None);
    }

    /// Issue 10: `Duration::from_secs_f64` panicked on a wait that does not fit.
    #[test]
    fn a_huge_retry_after_is_clamped_not_a_panic() {
        for (name, value) in [
            ("retry-after", "1e20"),
            ("retry-after", "18446744073709551616"),
            ("retry-after-ms", "1e300"),
        ] {
            let wait = parse_retry_after(&headers(name, value)).unwrap();
            assert!(wait > MAX_RETRY_AFTER, "{name}: {value} → {wait:?}");
        }
        assert_eq!(parse_retry_after(&headers("retry-after", "inf")), None);
    }

    #[test]
    fn retry_after_http_date() {
        let future = chrono::Utc::now() + chrono::Duration::seconds(30);
        let value = future.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let wait = parse_retry_after(&headers("retry-after", &value)).unwrap();
        assert!((25..=30).contains(&wait.as_secs()), "{wait:?}");
        let past = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            parse_retry_after(&headers("retry-after", past)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(300),
        };
        for attempt in 0..10 {
            assert!(b.delay(attempt) <= Duration::from_millis(300));
        }
        assert!(b.delay(0) <= Duration::from_millis(100));
    }

    /// Issue 10, item 13: upper bounds alone pass a backoff that never waits. Full
    /// jitter draws from `0..=cap`, so one draw may be near 0; over 1000 draws the
    /// largest is above half the cap and the mean above a quarter of it (each fails by
    /// chance with a probability far below 2⁻¹⁰⁰), and the cap doubles per attempt.
    #[test]
    fn backoff_waits_up_to_its_cap_not_zero() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(1000),
        };
        for (attempt, cap) in [(0, 100), (1, 200), (2, 400), (3, 800), (9, 1000)] {
            let cap = Duration::from_millis(cap);
            let draws: Vec<Duration> = (0..1000).map(|_| b.delay(attempt)).collect();
            let largest = draws.iter().copied().max().unwrap_or_default();
            let mean = draws.iter().sum::<Duration>() / 1000;
            assert!(largest > cap / 2, "attempt {attempt}: largest {largest:?}");
            assert!(largest <= cap, "attempt {attempt}: largest {largest:?}");
            assert!(mean > cap / 4, "attempt {attempt}: mean {mean:?}");
        }
    }
}
