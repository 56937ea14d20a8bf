//! What a backend's service saw and billed: HTTP requests (retries counted apart),
//! requests in flight, and per target language the characters of the texts actually
//! sent and the characters the service said it billed (DeepL's `billed_characters`).
//!
//! Counted where requests are made ([`super::limit::Guard`]), not where the pipeline
//! batches segments: one batch can become several requests (split to the limits,
//! halved after a 413, the text between tags sent separately, retried), and text the
//! service never sees (tags in tag-safe mode, context) is not counted.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::lang::Lang;

/// The counters of one backend, shared by every request it makes.
#[derive(Debug, Default)]
pub struct Meter {
    in_flight: AtomicUsize,
    requests: AtomicUsize,
    retries: AtomicUsize,
    langs: Mutex<BTreeMap<String, LangCount>>,
}

/// Counts for one target language.
#[derive(Debug, Default, Clone, Copy)]
struct LangCount {
    characters: usize,
    billed: usize,
    /// Successful requests with text whose billed characters the service did not report.
    unreported: usize,
}

/// What a request is charged with: its characters, and the language they are for
/// (`None` for requests that translate nothing, such as glossary management).
#[derive(Debug, Clone, Copy, Default)]
pub struct Charge<'a> {
    /// Characters of the texts in the request, as the service receives them.
    pub chars: usize,
    /// The target language of those texts.
    pub target: Option<&'a Lang>,
}

impl<'a> Charge<'a> {
    /// A request translating `chars` characters into `target`.
    pub fn text(chars: usize, target: &'a Lang) -> Self {
        Charge {
            chars,
            target: Some(target),
        }
    }

    /// A request that translates nothing (it still counts as a request).
    pub fn none() -> Self {
        Charge::default()
    }
}

/// Decrements the in-flight count when the request ends, however it ends.
#[derive(Debug)]
pub struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Meter {
    /// A request is on its way; it is in flight until the guard is dropped.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    /// Requests on their way now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// The service received a request (an answer came, or it timed out); `retry`
    /// when it repeats an earlier attempt.
    pub fn received(&self, retry: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if retry {
            self.retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A request charged with `charge` was answered successfully: its characters were
    /// translated (and billed, as far as dich can know until the service says more).
    pub fn translated(&self, charge: Charge<'_>) {
        let Some(target) = charge.target.filter(|_| charge.chars > 0) else {
            return;
        };
        self.with_lang(target, |count| {
            count.characters += charge.chars;
            count.unreported += 1;
        });
    }

    /// The service reported billing `billed` characters for a successful request of
    /// `target` (after [`Meter::translated`] recorded it).
    pub fn billed(&self, target: &Lang, billed: usize) {
        self.with_lang(target, |count| {
            count.billed += billed;
            count.unreported = count.unreported.saturating_sub(1);
        });
    }

    fn with_lang(&self, target: &Lang, f: impl FnOnce(&mut LangCount)) {
        // A poisoned lock only means another request panicked mid-count; the counts
        // are still the best there are.
        let mut langs = self
            .langs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(langs.entry(target.to_string()).or_default());
    }

    /// The counts so far.
    pub fn snapshot(&self) -> Metered {
        let langs = self
            .langs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Metered {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            languages: langs
                .iter()
                .map(|(lang, c)| {
                    let metered = LangMetered {
                        characters: c.characters,
                        billed: c.billed,
                        unreported: c.unreported,
                    };
                    (lang.clone(), metered)
                })
                .collect(),
        }
    }
}

/// What one or more backends' services saw, at one moment.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Metered {
    /// HTTP requests the services received (retries included).
    pub requests: usize,
    /// Of those, repeats of a request after a failure (rate limit, 5xx, timeout).
    pub retries: usize,
    /// Per target language.
    pub languages: BTreeMap<String, LangMetered>,
}

/// What the services saw and billed for one target language.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LangMetered {
    /// Characters of the texts sent in successful requests.
    pub characters: usize,
    /// Characters the services reported billing.
    pub billed: usize,
    /// Successful requests whose billed characters were not reported.
    pub unreported: usize,
}

impl LangMetered {
    /// The billed characters, when the service reported them for every request.
    pub fn billed_characters(&self) -> Option<usize> {
        (self.unreported == 0).then_some(self.billed)
    }
}

impl Metered {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Metered) {
        self.requests += other.requests;
        self.retries += other.retries;
        for (lang, m) in &other.languages {
            let mine = self.languages.entry(lang.clone()).or_default();
            mine.characters += m.characters;
            mine.billed += m.billed;
            mine.unreported += m.unreported;
        }
    }

    /// What happened since `before` (a snapshot of the same meters taken earlier).
    pub fn since(&self, before: &Metered) -> Metered {
        let languages = self
            .languages
            .iter()
            .map(|(lang, m)| {
                let b = before.languages.get(lang).copied().unwrap_or_default();
                let delta = LangMetered {
                    characters: m.characters.saturating_sub(b.characters),
                    billed: m.billed.saturating_sub(b.billed),
                    unreported: m.unreported.saturating_sub(b.unreported),
                };
                (lang.clone(), delta)
            })
            .collect();
        Metered {
            requests: self.requests.saturating_sub(before.requests),
            retries: self.retries.saturating_sub(before.retries),
            languages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billed_characters_are_known_only_when_every_request_reported_them() {
        let meter = Meter::default();
        let en = Lang::parse("en").unwrap();
        meter.translated(Charge::text(10, &en));
        meter.billed(&en, 8);
        assert_eq!(
            meter.snapshot().languages["en"].billed_characters(),
            Some(8)
        );
        meter.translated(Charge::text(5, &en));
        let m = meter.snapshot().languages["en"];
        assert_eq!((m.characters, m.billed_characters()), (15, None));
    }

    #[test]
    fn in_flight_falls_back_when_a_request_ends() {
        let meter = Meter::default();
        let a = meter.start();
        let b = meter.start();
        assert_eq!(meter.in_flight(), 2);
        drop(a);
        drop(b);
        assert_eq!(meter.in_flight(), 0);
    }

    #[test]
    fn since_subtracts_an_earlier_snapshot() {
        let meter = Meter::default();
        let ko = Lang::parse("ko").unwrap();
        meter.received(false);
        meter.translated(Charge::text(4, &ko));
        let before = meter.snapshot();
        meter.received(false);
        meter.received(true);
        meter.translated(Charge::text(6, &ko));
        let delta = meter.snapshot().since(&before);
        assert_eq!((delta.requests, delta.retries), (2, 1));
        assert_eq!(delta.languages["ko"].characters, 6);
    }
}
