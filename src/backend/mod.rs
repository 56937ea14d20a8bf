//! Translation backends: the [`Translator`] trait, the registry that builds them from
//! config, and the [`Chain`] that validates answers and falls back to the next backend.
//!
//! Invariant: a backend gets a batch of segments and answers with exactly one
//! translation per segment, in order. Anything else is an error of the backend, never
//! a shifted or missing translation in an article.

use std::sync::Arc;

use async_trait::async_trait;

use crate::config::BackendConfig;
use crate::error::BackendError;
use crate::lang::Lang;
use crate::markup;

pub mod pseudo;

/// One sentence to translate, with inline markup as numbered tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The NFC-normalised, tagged source text.
    pub text: String,
    /// Neighbouring sentences, for backends that accept context (never billed as
    /// translated text).
    pub context: Option<String>,
}

/// Segments for one language pair, sent in one request.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Source language.
    pub source: Lang,
    /// Target language.
    pub target: Lang,
    /// The segments, in order.
    pub segments: Vec<Segment>,
}

impl Batch {
    /// Characters (Unicode scalar values) of the segments, as services bill them.
    pub fn chars(&self) -> usize {
        self.segments.iter().map(|s| s.text.chars().count()).sum()
    }
}

/// What a backend can take in one request, and how it treats markup and context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most segments in one request.
    pub max_segments: usize,
    /// Most characters in one request.
    pub max_chars: usize,
    /// The backend returns `<g1>`/`<x2/>` tags intact.
    pub keeps_tags: bool,
    /// The backend uses [`Segment::context`].
    pub accepts_context: bool,
}

/// A machine translation service.
#[async_trait]
pub trait Translator: Send + Sync + std::fmt::Debug {
    /// The configured name (`pseudo`, `deepl`, or a `[backends.<name>]` key).
    fn name(&self) -> &str;

    /// How the backend is recorded in provenance and summaries.
    fn label(&self) -> String {
        self.name().to_owned()
    }

    /// True for pseudo-translation, which must never be mistaken for a translation.
    fn is_pseudo(&self) -> bool {
        false
    }

    /// Request limits and capabilities.
    fn limits(&self) -> Limits;

    /// Refuses a language pair the service cannot translate, before any call.
    ///
    /// # Errors
    /// [`BackendError::UnsupportedPair`].
    fn check_pair(&self, _source: &Lang, _target: &Lang) -> Result<(), BackendError> {
        Ok(())
    }

    /// Translates a batch: exactly one output per segment, in order.
    ///
    /// # Errors
    /// A [`BackendError`] for the whole batch.
    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError>;
}

/// Builds a backend from its config; `name` is how the config refers to it.
type Factory = fn(name: &str, config: &BackendConfig) -> Result<Arc<dyn Translator>, BackendError>;

/// Every backend kind: adding a backend is one file and one line here.
const REGISTRY: &[(&str, Factory)] = &[("pseudo", pseudo::create)];

/// The valid values of `kind`.
pub fn kinds() -> Vec<&'static str> {
    REGISTRY.iter().map(|(kind, _)| *kind).collect()
}

/// Builds the backend `name` configured by `config`.
///
/// # Errors
/// [`BackendError::Config`] for an unknown kind (listing the valid ones) or a backend
/// that cannot be set up (e.g. its key variable is unset).
pub fn create(name: &str, config: &BackendConfig) -> Result<Arc<dyn Translator>, BackendError> {
    let factory = REGISTRY
        .iter()
        .find(|(kind, _)| *kind == config.kind)
        .map(|(_, factory)| factory)
        .ok_or_else(|| BackendError::Config {
            backend: name.to_owned(),
            message: format!(
                "unknown backend kind `{}`; valid kinds are: {}",
                config.kind,
                kinds().join(", ")
            ),
        })?;
    factory(name, config)
}

/// A translated segment and the backend that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The tagged translation.
    pub text: String,
    /// [`Translator::label`] of the backend.
    pub backend: String,
}

/// Backends tried in order: segments the first cannot translate (failed batch, bad
/// answer) go to the next.
#[derive(Debug, Clone)]
pub struct Chain {
    members: Vec<Arc<dyn Translator>>,
}

impl Chain {
    /// A chain of one or more backends; the first is the primary.
    pub fn new(members: Vec<Arc<dyn Translator>>) -> Self {
        Chain { members }
    }

    /// The primary backend.
    pub fn primary(&self) -> Option<&Arc<dyn Translator>> {
        self.members.first()
    }

    /// All backends, in order.
    pub fn members(&self) -> &[Arc<dyn Translator>] {
        &self.members
    }

    /// The tightest limits of the chain, so a batch fits every member.
    pub fn limits(&self) -> Limits {
        let mut limits = Limits {
            max_segments: usize::MAX,
            max_chars: usize::MAX,
            keeps_tags: true,
            accepts_context: true,
        };
        for member in &self.members {
            let l = member.limits();
            limits.max_segments = limits.max_segments.min(l.max_segments);
            limits.max_chars = limits.max_chars.min(l.max_chars);
            limits.keeps_tags &= l.keeps_tags;
            limits.accepts_context &= l.accepts_context;
        }
        limits
    }

    /// Translates a batch through the chain. Each segment gets its translation or the
    /// reason it failed with every backend.
    ///
    /// # Errors
    /// A fatal [`BackendError`] (authentication, quota, …) that ends the run.
    pub async fn translate(
        &self,
        batch: &Batch,
    ) -> Result<Vec<Result<Translated, String>>, BackendError> {
        let mut results: Vec<Result<Translated, String>> =
            vec![Err("no backend configured".to_owned()); batch.segments.len()];
        for member in &self.members {
            let pending: Vec<usize> = (0..results.len())
                .filter(|&i| results[i].is_err())
                .collect();
            if pending.is_empty() {
                break;
            }
            if let Err(e) = member.check_pair(&batch.source, &batch.target) {
                for &i in &pending {
                    results[i] = Err(e.to_string());
                }
                continue;
            }
            let sub = Batch {
                source: batch.source.clone(),
                target: batch.target.clone(),
                segments: pending.iter().map(|&i| batch.segments[i].clone()).collect(),
            };
            match member.translate(&sub).await {
                Ok(outputs) if outputs.len() == sub.segments.len() => {
                    for (&i, output) in pending.iter().zip(outputs) {
                        results[i] = check_segment(&batch.segments[i], output, member.as_ref());
                    }
                }
                Ok(outputs) => {
                    let e = wrong_count(member.name(), sub.segments.len(), outputs.len());
                    for &i in &pending {
                        results[i] = Err(e.to_string());
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => {
                    for &i in &pending {
                        results[i] = Err(e.to_string());
                    }
                }
            }
        }
        Ok(results)
    }
}

/// The error for an answer with the wrong number of translations.
pub fn wrong_count(backend: &str, expected: usize, got: usize) -> BackendError {
    BackendError::InvalidResponse {
        backend: backend.to_owned(),
        message: format!("expected {expected} translations, got {got}"),
    }
}

/// Quality gate for one translated segment: not empty when the source is not, and
/// carrying exactly the source's tags.
fn check_segment(
    segment: &Segment,
    output: String,
    backend: &dyn Translator,
) -> Result<Translated, String> {
    if output.trim().is_empty() && !segment.text.trim().is_empty() {
        return Err(format!("{}: empty translation", backend.name()));
    }
    markup::check_same_tags(&segment.text, &output)
        .map_err(|e| format!("{}: {e} (in \"{}\")", backend.name(), segment.text))?;
    Ok(Translated {
        text: output,
        backend: backend.label(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers with a fixed list, whatever it is asked.
    #[derive(Debug)]
    struct Canned(Vec<String>, &'static str);

    #[async_trait]
    impl Translator for Canned {
        fn name(&self) -> &str {
            self.1
        }
        fn limits(&self) -> Limits {
            Limits {
                max_segments: 10,
                max_chars: 1000,
                keeps_tags: true,
                accepts_context: false,
            }
        }
        async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
            Ok(self.0.iter().take(batch.segments.len()).cloned().collect())
        }
    }

    fn batch(texts: &[&str]) -> Batch {
        Batch {
            source: Lang::parse("vi").unwrap(),
            target: Lang::parse("en").unwrap(),
            segments: texts
                .iter()
                .map(|t| Segment {
                    text: (*t).to_owned(),
                    context: None,
                })
                .collect(),
        }
    }

    #[tokio::test]
    async fn broken_tags_fall_back_to_the_next_backend() {
        let first = Arc::new(Canned(vec!["Hello".into(), "lost tag".into()], "first"));
        let second = Arc::new(Canned(vec!["<g1>Hanoi</g1>".into()], "second"));
        let chain = Chain::new(vec![first, second]);
        let results = chain
            .translate(&batch(&["Xin chào", "<g1>Hà Nội</g1>"]))
            .await
            .unwrap();
        assert_eq!(results[0].as_ref().unwrap().backend, "first");
        assert_eq!(results[1].as_ref().unwrap().text, "<g1>Hanoi</g1>");
        assert_eq!(results[1].as_ref().unwrap().backend, "second");
    }

    #[tokio::test]
    async fn wrong_count_fails_every_segment_of_the_batch() {
        let chain = Chain::new(vec![Arc::new(Canned(vec!["one".into()], "short"))]);
        let results = chain.translate(&batch(&["một", "hai"])).await.unwrap();
        assert!(results.iter().all(Result::is_err));
        assert!(results[0].as_ref().unwrap_err().contains("expected 2"));
    }

    #[test]
    fn unknown_kind_lists_valid_kinds() {
        let config = BackendConfig {
            kind: "babelfish".into(),
            ..BackendConfig::default()
        };
        let err = create("babelfish", &config).unwrap_err().to_string();
        assert!(err.contains("pseudo"), "{err}");
    }
}
