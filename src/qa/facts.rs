//! What the checks derive from a source segment alone, worked out once per source.
//!
//! A run translates each source segment into every target language (three for the
//! portal), and each answer is checked against the same source: its numbers, its
//! sentence count, its glossary terms and its length were computed three times
//! (issue 11: checking is to add under 5 % to a run). [`SourceCache`] keeps them per
//! source text, each fact computed on first use, so a check that is off costs nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::glossary::TermMatch;
use super::numbers::Number;

/// Sources kept at most. A run checks the languages of one request batch close
/// together, so a few thousand entries cover them; when full, the cache starts over
/// (simpler than an LRU, and a miss only costs the recomputation).
const CAPACITY: usize = 4096;

/// Facts about one source text (tags blanked out), each computed on first use.
#[derive(Debug, Default)]
pub(super) struct SourceFacts {
    /// Its numbers, after URLs, e-mail addresses and phone numbers are blanked out.
    pub(super) numbers: OnceLock<Vec<Number>>,
    /// Its sentence count, `None` when it is one sentence at most.
    pub(super) sentences: OnceLock<Option<usize>>,
    /// The glossary terms it holds.
    pub(super) terms: OnceLock<Vec<TermMatch>>,
    /// Its length in counted characters.
    pub(super) length: OnceLock<usize>,
}

/// A bounded map from source language and source text to its [`SourceFacts`],
/// shared by the clones of a [`super::Checker`] and by the threads of a run.
#[derive(Debug, Default, Clone)]
pub(super) struct SourceCache {
    /// Per source language (one in a run), per source text: looked up by `&str`,
    /// so a hit (most checks) allocates nothing.
    map: Arc<Mutex<HashMap<String, BySource>>>,
}

/// The facts of each source text of one language.
type BySource = HashMap<String, Arc<SourceFacts>>;

impl SourceCache {
    /// The facts of `source` in `language`: those computed before, or a new empty set.
    pub(super) fn get(&self, language: &str, source: &str) -> Arc<SourceFacts> {
        // A poisoned lock only means another thread panicked mid-insert: the map is
        // still a valid cache.
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(facts) = map.get(language).and_then(|texts| texts.get(source)) {
            return Arc::clone(facts);
        }
        if map.values().map(BySource::len).sum::<usize>() >= CAPACITY {
            map.clear();
        }
        let facts = Arc::new(SourceFacts::default());
        map.entry(language.to_owned())
            .or_default()
            .insert(source.to_owned(), Arc::clone(&facts));
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_set_of_facts_per_source_and_language() {
        let cache = SourceCache::default();
        let a = cache.get("vi", "Năm 2024 có 3 dự án.");
        a.length.get_or_init(|| 17);
        // The same source for another target language finds what was worked out.
        assert_eq!(
            cache.get("vi", "Năm 2024 có 3 dự án.").length.get(),
            Some(&17)
        );
        assert!(
            cache
                .get("en", "Năm 2024 có 3 dự án.")
                .length
                .get()
                .is_none()
        );
        assert!(
            cache
                .get("vi", "Năm 2025 có 3 dự án.")
                .length
                .get()
                .is_none()
        );
    }

    #[test]
    fn the_cache_starts_over_when_full() {
        let cache = SourceCache::default();
        cache.get("vi", "đầu").length.get_or_init(|| 1);
        for i in 0..CAPACITY {
            cache.get("vi", &i.to_string());
        }
        assert!(cache.get("vi", "đầu").length.get().is_none());
        let size: usize = cache
            .map
            .lock()
            .map(|m| m.values().map(BySource::len).sum())
            .unwrap_or(0);
        assert!(size <= CAPACITY);
    }
}
