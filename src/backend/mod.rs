//! Translation backends: the [`Translator`] trait, the registry that builds them from
//! config, and the [`Chain`] that validates answers and falls back to the next backend.
//!
//! Invariant: a backend gets a batch of segments and answers with exactly one
//! translation per segment, in order. Anything else is an error of the backend, never
//! a shifted or missing translation in an article.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use crate::config::{BackendConfig, BackendTable, Config, ConfigError};
use crate::lang::Lang;
use crate::markup;
use crate::qa::{Glossary, Protected};

pub mod azure;
pub mod codes;
pub mod command;
pub mod cost;
pub mod deepl;
mod error;
pub mod google;
pub mod html;
pub mod http;
pub mod libretranslate;
pub mod limit;
pub mod meter;
pub mod openai;
pub mod pseudo;
pub mod retry;
pub mod service;
pub mod tag_safe;

#[cfg(test)]
pub(crate) mod echo;
#[cfg(test)]
#[path = "tests/mod.rs"]
mod service_tests;

pub use cost::{Billing, Estimate, EstimateLine, Usage, estimate, unpriced};
pub use error::BackendError;
pub use http::BuildContext;
pub use meter::{Charge, LangMetered, Meter, Metered};
pub use retry::Backoff;
pub use service::{Call, Protocol, ServiceBackend};

/// One sentence to translate, with inline markup as numbered tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The NFC-normalised, tagged source text. Shared with the run that planned it
    /// (its memory key), so a sentence is held once however many lists name it
    /// (issue 10, item 14: a paragraph of megabytes in parts).
    pub text: Arc<str>,
    /// Neighbouring sentences, for backends that accept context (never billed as
    /// translated text). Shared: a batch handed to each member of a chain is copied.
    pub context: Option<Arc<str>>,
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
    /// A batch of plain segments without context.
    pub fn of_texts(source: Lang, target: Lang, texts: &[&str]) -> Self {
        Batch {
            source,
            target,
            segments: texts
                .iter()
                .map(|t| Segment {
                    text: Arc::from(*t),
                    context: None,
                })
                .collect(),
        }
    }

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

impl Limits {
    /// These limits, lowered (never raised) by `max_segments_per_request` and
    /// `max_chars_per_request` in `config`.
    pub fn lowered_by(self, config: &BackendConfig) -> Limits {
        Limits {
            max_segments: config
                .max_segments_per_request
                .map_or(self.max_segments, |n| n.min(self.max_segments)),
            max_chars: config
                .max_chars_per_request
                .map_or(self.max_chars, |n| n.min(self.max_chars)),
            ..self
        }
    }
}

/// How long a run waits for a backend's check of its key ([`Chain::check_key`])
/// before it sends its first batch alone instead. DeepL answers its usage in well
/// under a second.
pub(crate) const KEY_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What a backend's check of its key before a run's first batch found
/// ([`Translator::check_key`]).
#[derive(Debug, Clone)]
pub enum KeyCheck {
    /// The service accepted the key, and the account can translate.
    Accepted,
    /// The service refused it: the error the first batch would have met.
    Refused(BackendError),
    /// The backend has no such check, or it told nothing (the service did not answer
    /// it, or does not offer it).
    Unknown,
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

    /// What the service bills for (characters unless said otherwise).
    fn billing(&self) -> Billing {
        Billing::Characters
    }

    /// The configured price per million billed units, for estimates.
    fn price_per_million(&self) -> Option<f64> {
        None
    }

    /// The account's usage, when the service reports it (DeepL). Failures are logged
    /// and give `None`: an estimate must not stop on them.
    async fn usage(&self) -> Option<Usage> {
        None
    }

    /// Checks the key with a request that translates nothing, before a run's first
    /// batch: accepted, the run's request slots all start at once instead of waiting
    /// for a first batch sent alone (see [`Chain::check_key`]). The default has no
    /// such request.
    async fn check_key(&self) -> KeyCheck {
        KeyCheck::Unknown
    }

    /// Hands the backend the run's glossary. A backend with a terminology feature of
    /// its own (DeepL's glossary API, the terms in an LLM's prompt) keeps it and returns
    /// true; the chain then sends it the source text as it is. The default returns
    /// false: the chain replaces each term by a placeholder tag before sending and puts
    /// the required form back after ([`crate::qa::protect`]).
    fn adopt_glossary(&self, _glossary: &Arc<Glossary>) -> bool {
        false
    }

    /// What the service saw from this backend: HTTP requests, retries, characters
    /// sent and billed ([`Meter`]). `None` for a backend that does not count them; a
    /// run whose backends all answer `None` reports its batches instead.
    fn meter(&self) -> Option<Arc<Meter>> {
        None
    }
}

/// Builds a backend from its config; `name` is how the config refers to it.
type Build = fn(
    name: &str,
    config: &BackendConfig,
    context: &BuildContext,
) -> Result<Arc<dyn Translator>, BackendError>;

/// One kind of backend: its `kind` value, how to check its own options, how to build it.
struct Kind {
    name: &'static str,
    check: fn(&BackendTable) -> Result<(), ConfigError>,
    build: Build,
}

impl Kind {
    /// A kind that talks to a service through protocol `P`.
    const fn service<P: Protocol>(name: &'static str) -> Kind {
        Kind {
            name,
            check: check_options::<P::Options>,
            build: service::build::<P>,
        }
    }
}

/// Every backend kind: adding a backend is one file and one line here.
const KINDS: &[Kind] = &[
    Kind {
        name: "pseudo",
        check: check_options::<pseudo::Options>,
        build: pseudo::build,
    },
    Kind::service::<deepl::DeepL>("deepl"),
    Kind::service::<google::Google>("google"),
    Kind::service::<azure::Azure>("azure"),
    Kind::service::<libretranslate::LibreTranslate>("libretranslate"),
    Kind::service::<openai::OpenAi>("openai"),
    Kind::service::<command::Command>("command"),
];

/// Reads a kind's options struct only to check it.
fn check_options<O: DeserializeOwned>(table: &BackendTable) -> Result<(), ConfigError> {
    table.read::<O>().map(drop)
}

/// The valid values of `kind`.
pub fn kinds() -> Vec<&'static str> {
    KINDS.iter().map(|kind| kind.name).collect()
}

fn kind_of(config: &BackendConfig) -> Option<&'static Kind> {
    KINDS.iter().find(|kind| kind.name == config.kind)
}

fn unknown_kind(kind: &str) -> String {
    format!(
        "unknown backend kind `{kind}`; valid kinds are: {}",
        kinds().join(", ")
    )
}

/// Checks every backend table of `config` (`[backend]` and each `[backends.<name>]`):
/// a known `kind`, and only options that kind takes, with values of the right type.
/// `dich check` and `dich translate` run it before anything else.
///
/// # Errors
/// [`ConfigError::Invalid`] at the unknown kind (listing the valid ones), the unknown
/// key, or the wrong value.
pub fn check_config(config: &Config) -> Result<(), ConfigError> {
    for backend in std::iter::once(&config.backend).chain(config.backends.values()) {
        let kind = kind_of(backend)
            .ok_or_else(|| backend.table.kind_error(unknown_kind(&backend.kind)))?;
        (kind.check)(&backend.table)?;
    }
    Ok(())
}

/// Builds the backend `name` configured by `config`.
///
/// # Errors
/// [`BackendError::Config`] for an unknown kind (listing the valid ones), options the
/// kind does not take, or a backend that cannot be set up (e.g. its key variable is
/// unset).
pub fn create(
    name: &str,
    config: &BackendConfig,
    context: &BuildContext,
) -> Result<Arc<dyn Translator>, BackendError> {
    let kind = kind_of(config).ok_or_else(|| BackendError::Config {
        backend: name.to_owned(),
        message: unknown_kind(&config.kind),
    })?;
    (kind.build)(name, config, context)
}

/// Builds the chain for a run: the primary backend (`[backend]`, or
/// `[backends.<name>]` for `--backend NAME`) followed by its `fallback` list, each
/// backend once. One HTTP client serves them all.
///
/// # Errors
/// [`BackendError::Config`] for an undefined backend name, a fallback cycle is not an
/// error (repeats are skipped), and any error of [`create`].
pub fn chain_from_config(
    config: &Config,
    backend_name: Option<&str>,
) -> Result<Chain, BackendError> {
    let connect = chain_configs(config, backend_name)?
        .iter()
        .map(|(_, c)| c.connect_timeout_secs)
        .fold(f64::INFINITY, f64::min);
    let connect = if connect.is_finite() && connect > 0.0 {
        connect
    } else {
        10.0
    };
    let context = BuildContext::new(retry::timeout(connect))?;
    chain_with(config, backend_name, &context)
}

/// [`chain_from_config`] in a given [`BuildContext`] (tests use scaled-down backoff).
///
/// # Errors
/// As [`chain_from_config`].
pub fn chain_with(
    config: &Config,
    backend_name: Option<&str>,
    context: &BuildContext,
) -> Result<Chain, BackendError> {
    let configs = chain_configs(config, backend_name)?;
    let concurrency = configs.first().map(|(_, c)| c.concurrency);
    let members = configs
        .into_iter()
        .map(|(name, c)| create(&name, c, context))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = Chain::new(members);
    Ok(match concurrency {
        Some(n) => chain.with_concurrency(n),
        None => chain,
    })
}

/// The primary's name and config, then its fallbacks', without repeats.
fn chain_configs<'a>(
    config: &'a Config,
    backend_name: Option<&str>,
) -> Result<Vec<(String, &'a BackendConfig)>, BackendError> {
    let undefined = |name: &str| BackendError::Config {
        backend: name.to_owned(),
        message: format!(
            "no backend named `{name}` in {}; define a [backends.{name}] table",
            config.path.display()
        ),
    };
    let (primary_name, primary) = match backend_name {
        Some(name) => (
            name,
            config.backend_named(name).ok_or_else(|| undefined(name))?,
        ),
        None => (config.backend.kind.as_str(), &config.backend),
    };
    let mut out = vec![(primary_name.to_owned(), primary)];
    for fallback in &primary.fallback {
        if out.iter().any(|(n, _)| n == fallback) {
            continue;
        }
        let c = config
            .backend_named(fallback)
            .ok_or_else(|| undefined(fallback))?;
        out.push((fallback.clone(), c));
    }
    Ok(out)
}

/// A translated segment and the backend that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The tagged translation.
    pub text: String,
    /// [`Translator::label`] of the backend.
    pub backend: String,
    /// The backend's answer lost, duplicated or mis-nested tags and the text between
    /// the tags was translated piece by piece instead (see [`tag_safe`]).
    pub repaired: bool,
}

/// Backends tried in order: segments the first cannot translate (failed batch, bad
/// answer) go to the next. A backend that can serve nothing more this run (its key
/// rejected, its quota used up, its circuit open) is retired once, logged, and its
/// segments go to the next; the run stops only when no backend is left.
#[derive(Debug, Clone)]
pub struct Chain {
    members: Vec<Arc<dyn Translator>>,
    /// Why each member was retired, if it was; shared by the clones that run batches
    /// concurrently, so a retirement holds for the whole run.
    retired: Arc<[OnceLock<BackendError>]>,
    /// The run's glossary, and per member whether it enforces it itself (else the
    /// chain protects the terms as placeholders for it).
    glossary: Option<(Arc<Glossary>, Arc<[bool]>)>,
    /// The primary's `concurrency`, when the chain was built from config: it sizes the
    /// run's request slots (`--backend NAME` must use NAME's, not `[backend]`'s).
    concurrency: Option<usize>,
}

/// A backend the chain stopped using during the run, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handover {
    /// [`Translator::name`] of the retired backend.
    pub backend: String,
    /// The error that retired it.
    pub reason: String,
}

impl Chain {
    /// A chain of one or more backends; the first is the primary.
    pub fn new(members: Vec<Arc<dyn Translator>>) -> Self {
        let retired = members.iter().map(|_| OnceLock::new()).collect();
        Chain {
            members,
            retired,
            glossary: None,
            concurrency: None,
        }
    }

    /// The same chain, with the requests its primary takes at once.
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = Some(concurrency);
        self
    }

    /// The requests the primary takes at once, when the chain was built from config.
    pub fn concurrency(&self) -> Option<usize> {
        self.concurrency
    }

    /// Enforces `glossary` on every member: each is offered it
    /// ([`Translator::adopt_glossary`]); for the members that have no terminology
    /// feature, the chain protects each term as a placeholder and substitutes its
    /// required form in the answer, byte for byte. An empty glossary changes nothing.
    pub fn with_glossary(mut self, glossary: Arc<Glossary>) -> Self {
        if glossary.terms().is_empty() {
            self.glossary = None;
            return self;
        }
        let native = self
            .members
            .iter()
            .map(|m| m.adopt_glossary(&glossary))
            .collect();
        self.glossary = Some((glossary, native));
        self
    }

    /// A chain of `member` alone (one of this chain's), keeping how this chain enforces
    /// the glossary for it: a second attempt must protect terms as the first did.
    pub fn single(&self, member: &Arc<dyn Translator>) -> Chain {
        let mut chain = Chain::new(vec![Arc::clone(member)]);
        let index = self.members.iter().position(|m| Arc::ptr_eq(m, member));
        if let (Some((glossary, native)), Some(index)) = (&self.glossary, index) {
            let native: Arc<[bool]> = Arc::from(vec![native.get(index).copied().unwrap_or(true)]);
            chain.glossary = Some((Arc::clone(glossary), native));
        }
        chain
    }

    /// The placeholder protection of member `index` for `segment` into `target`, when
    /// the chain protects terms for that member.
    fn protection(&self, index: usize, segment: &Segment, target: &Lang) -> Option<Protected> {
        let (glossary, native) = self.glossary.as_ref()?;
        if native.get(index).copied().unwrap_or(true) {
            return None;
        }
        let protected = crate::qa::protect(glossary, &segment.text, target);
        (!protected.slots.is_empty()).then_some(protected)
    }

    /// The primary backend.
    pub fn primary(&self) -> Option<&Arc<dyn Translator>> {
        self.members.first()
    }

    /// All backends, in order.
    pub fn members(&self) -> &[Arc<dyn Translator>] {
        &self.members
    }

    /// What the services of the chain saw so far, summed over its members; `None`
    /// when no member counts ([`Translator::meter`]).
    pub fn metered(&self) -> Option<Metered> {
        let mut total: Option<Metered> = None;
        for meter in self.members.iter().filter_map(|m| m.meter()) {
            total.get_or_insert_default().add(&meter.snapshot());
        }
        total
    }

    /// Requests of the chain's members on their way now.
    pub fn in_flight(&self) -> usize {
        self.members
            .iter()
            .filter_map(|m| m.meter())
            .map(|m| m.in_flight())
            .sum()
    }

    /// The backends retired so far, in chain order: for the run's summary.
    pub fn handovers(&self) -> Vec<Handover> {
        self.members
            .iter()
            .zip(self.retired.iter())
            .filter_map(|(member, retired)| {
                Some(Handover {
                    backend: member.name().to_owned(),
                    reason: retired.get()?.to_string(),
                })
            })
            .collect()
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
    /// A fatal [`BackendError`] (authentication, quota, …) of the last backend still in
    /// service: the run ends.
    pub async fn translate(
        &self,
        batch: &Batch,
    ) -> Result<Vec<Result<Translated, String>>, BackendError> {
        if let Some(last) = self.exhausted() {
            return Err(last);
        }
        // Each replaced by the member that answers, or by why none did: a message only
        // when there is no member at all (not one copy per segment of every request).
        let none = if self.members.is_empty() {
            "no backend configured".to_owned()
        } else {
            String::new()
        };
        let mut results: Vec<Result<Translated, String>> = vec![Err(none); batch.segments.len()];
        for (index, member) in self.members.iter().enumerate() {
            let pending: Vec<usize> = (0..results.len())
                .filter(|&i| results[i].is_err())
                .collect();
            if pending.is_empty() {
                break;
            }
            let fail_pending = |results: &mut Vec<Result<Translated, String>>, e: &BackendError| {
                for &i in &pending {
                    results[i] = Err(e.to_string());
                }
            };
            if let Some(reason) = self.retired[index].get() {
                fail_pending(&mut results, reason);
                continue;
            }
            if let Err(e) = member.check_pair(&batch.source, &batch.target) {
                fail_pending(&mut results, &e);
                continue;
            }
            // What the member is sent: the segment, or its terms as placeholders.
            let protections: Vec<Option<Protected>> = pending
                .iter()
                .map(|&i| self.protection(index, &batch.segments[i], &batch.target))
                .collect();
            let sent: Vec<Segment> = pending
                .iter()
                .zip(&protections)
                .map(|(&i, protection)| match protection {
                    Some(p) => Segment {
                        text: Arc::from(p.text.as_str()),
                        context: batch.segments[i].context.clone(),
                    },
                    None => batch.segments[i].clone(),
                })
                .collect();
            let sub = Batch {
                source: batch.source.clone(),
                target: batch.target.clone(),
                segments: sent,
            };
            match member.translate(&sub).await {
                Ok(outputs) if outputs.len() == sub.segments.len() => {
                    let mut broken = Vec::new();
                    for (n, (&i, output)) in pending.iter().zip(outputs).enumerate() {
                        results[i] = check_segment(&sub.segments[n], output, member.as_ref())
                            .map_err(|fault| {
                                if fault.tags_broken {
                                    broken.push(n);
                                }
                                fault.message
                            });
                    }
                    // Taken, not copied: each is put back below.
                    let mut sub_results: Vec<Result<Translated, String>> = pending
                        .iter()
                        .map(|&i| std::mem::replace(&mut results[i], Err(String::new())))
                        .collect();
                    repair_tags(member.as_ref(), &sub, &broken, &mut sub_results).await?;
                    for ((&i, result), protection) in
                        pending.iter().zip(sub_results).zip(&protections)
                    {
                        results[i] = match protection {
                            Some(p) => result.and_then(|t| restore(p, t, member.as_ref())),
                            None => result,
                        };
                    }
                }
                Ok(outputs) => {
                    let e = wrong_count(member.name(), sub.segments.len(), outputs.len());
                    fail_pending(&mut results, &e);
                }
                Err(e) if e.retires_backend() && self.others_in_service(index) => {
                    self.retire(index, &e);
                    fail_pending(&mut results, &e);
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => fail_pending(&mut results, &e),
            }
        }
        Ok(results)
    }

    /// Checks the key of the first member still in service before the run's first
    /// batch ([`Translator::check_key`]). `Ok(true)`: accepted, every request slot may
    /// start. `Ok(false)`: unknown, or refused and handed over to the next member (as
    /// a refused first batch is); the first batch then goes alone, so a key nothing
    /// checked still costs one request, not one per slot. A refusal with no member
    /// left to take over ends the run, after that one request.
    ///
    /// # Errors
    /// The refusal, when no member is left to take over.
    pub async fn check_key(&self) -> Result<bool, BackendError> {
        if let Some(last) = self.exhausted() {
            return Err(last);
        }
        // Not exhausted: one is in service (or was retired by a batch just now).
        let Some(index) = self.retired.iter().position(|r| r.get().is_none()) else {
            return Ok(false);
        };
        // A check that hangs (a proxy that never answers the endpoint) must not hold
        // the run up for the whole request timeout: past this, it told nothing.
        let check = self.members[index].check_key();
        let Ok(check) = tokio::time::timeout(KEY_CHECK_WAIT, check).await else {
            return Ok(false);
        };
        match check {
            KeyCheck::Accepted => Ok(true),
            KeyCheck::Unknown => Ok(false),
            KeyCheck::Refused(e) if self.others_in_service(index) => {
                self.retire(index, &e);
                Ok(false)
            }
            KeyCheck::Refused(e) => Err(e),
        }
    }

    /// Whether a member other than `index` is still in service.
    fn others_in_service(&self, index: usize) -> bool {
        self.retired
            .iter()
            .enumerate()
            .any(|(i, retired)| i != index && retired.get().is_none())
    }

    /// The last member's retirement when every member is retired: the chain is
    /// exhausted and the run must stop.
    fn exhausted(&self) -> Option<BackendError> {
        let mut last = None;
        for retired in self.retired.iter() {
            last = Some(retired.get()?.clone());
        }
        last
    }

    /// Retires member `index` for the rest of the run; the first of concurrent batches
    /// to see the error logs it.
    fn retire(&self, index: usize, error: &BackendError) {
        if self.retired[index].set(error.clone()).is_ok() {
            tracing::warn!(
                backend = self.members[index].name(),
                "{error}; the next backend of the chain takes its segments for the rest of the run"
            );
        }
    }
}

/// The error for an answer with the wrong number of translations.
pub fn wrong_count(backend: &str, expected: usize, got: usize) -> BackendError {
    BackendError::InvalidResponse {
        backend: backend.to_owned(),
        message: format!("expected {expected} translations, got {got}"),
    }
}

/// Puts the required forms of the glossary terms in place of their placeholders.
fn restore(
    protection: &Protected,
    translated: Translated,
    backend: &dyn Translator,
) -> Result<Translated, String> {
    // The tag check passed, so each placeholder is there once; this error is a guard.
    let text = protection
        .restore(&translated.text)
        .map_err(|e| format!("{}: {e}", backend.name()))?;
    Ok(Translated { text, ..translated })
}

/// Why an answer for one segment was refused.
struct Fault {
    message: String,
    /// The answer lost, duplicated or mis-nested tags: [`repair_tags`] can help.
    tags_broken: bool,
}

/// Quality gate for one translated segment: not empty when the source is not, and
/// carrying exactly the source's tags.
fn check_segment(
    segment: &Segment,
    output: String,
    backend: &dyn Translator,
) -> Result<Translated, Fault> {
    if output.trim().is_empty() && !segment.text.trim().is_empty() {
        return Err(Fault {
            message: format!("{}: empty translation", backend.name()),
            tags_broken: false,
        });
    }
    markup::check_same_tags(&segment.text, &output).map_err(|e| Fault {
        message: format!("{}: {e} (in \"{}\")", backend.name(), segment.text),
        tags_broken: true,
    })?;
    Ok(Translated {
        text: output,
        backend: backend.label(),
        repaired: false,
    })
}

/// Repairs the answers of `broken` segments that lost, duplicated or mis-nested their
/// tags: the same backend translates the text between the tags piece by piece and the
/// tags are put back. A segment whose pieces fail too keeps its error, for the next
/// backend of the chain.
///
/// # Errors
/// A fatal [`BackendError`] (authentication, quota, …).
async fn repair_tags(
    member: &dyn Translator,
    batch: &Batch,
    broken: &[usize],
    results: &mut [Result<Translated, String>],
) -> Result<(), BackendError> {
    if broken.is_empty() {
        return Ok(());
    }
    let (runs, plans) = tag_safe::plan_runs(broken.iter().map(|&i| &*batch.segments[i].text));
    tracing::debug!(
        backend = member.name(),
        segments = broken.len(),
        "answers lost their tags: translating the text between them separately"
    );
    let answers = if runs.is_empty() {
        Ok(Vec::new())
    } else {
        let pieces = Batch::of_texts(
            batch.source.clone(),
            batch.target.clone(),
            &runs.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        match member.translate(&pieces).await {
            Ok(answers) if answers.len() == runs.len() => Ok(answers),
            Ok(answers) => Err(wrong_count(member.name(), runs.len(), answers.len()).to_string()),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => Err(e.to_string()),
        }
    };
    for (&i, plan) in broken.iter().zip(&plans) {
        let Err(original) = &results[i] else { continue };
        let repaired = match &answers {
            Ok(answers) if plan.runs().all(|n| !answers[n].trim().is_empty()) => Ok(Translated {
                text: plan.assemble(answers),
                backend: member.label(),
                repaired: true,
            }),
            Ok(_) => Err(format!(
                "{original}; translating the text between the tags separately gave an empty piece"
            )),
            Err(e) => Err(format!(
                "{original}; translating the text between the tags separately failed: {e}"
            )),
        };
        results[i] = repaired;
    }
    Ok(())
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
        Batch::of_texts(
            Lang::parse("vi").unwrap(),
            Lang::parse("en").unwrap(),
            texts,
        )
    }

    /// Answers every segment without its tags, as DeepL's mock server does.
    #[derive(Debug)]
    struct DropsTags;

    #[async_trait]
    impl Translator for DropsTags {
        fn name(&self) -> &str {
            "drops-tags"
        }
        fn limits(&self) -> Limits {
            Limits {
                max_segments: 50,
                max_chars: 10_000,
                keeps_tags: true,
                accepts_context: false,
            }
        }
        async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
            Ok(batch
                .segments
                .iter()
                .map(|s| markup::strip_tags(&s.text).to_uppercase())
                .collect())
        }
    }

    #[tokio::test]
    async fn lost_tags_are_repaired_by_translating_between_them() {
        let chain = Chain::new(vec![Arc::new(DropsTags)]);
        let results = chain
            .translate(&batch(&[
                "Xem <g1>báo cáo</g1> tại <x2/>.",
                "Không có thẻ.",
            ]))
            .await
            .unwrap();
        let repaired = results[0].as_ref().unwrap();
        assert_eq!(repaired.text, "XEM <g1>BÁO CÁO</g1> TẠI <x2/>.");
        assert!(repaired.repaired);
        assert_eq!(repaired.backend, "drops-tags");
        let plain = results[1].as_ref().unwrap();
        assert_eq!(plain.text, "KHÔNG CÓ THẺ.");
        assert!(!plain.repaired);
    }

    /// Answers each call with the next list of a script (nothing once it runs out).
    #[derive(Debug)]
    struct Scripted(
        std::sync::Mutex<std::collections::VecDeque<Vec<&'static str>>>,
        &'static str,
    );

    impl Scripted {
        fn new(name: &'static str, calls: &[&[&'static str]]) -> Arc<Self> {
            Arc::new(Scripted(
                std::sync::Mutex::new(calls.iter().map(|c| c.to_vec()).collect()),
                name,
            ))
        }
    }

    #[async_trait]
    impl Translator for Scripted {
        fn name(&self) -> &str {
            self.1
        }
        fn limits(&self) -> Limits {
            DropsTags.limits()
        }
        async fn translate(&self, _: &Batch) -> Result<Vec<String>, BackendError> {
            let next = self.0.lock().map(|mut q| q.pop_front()).ok().flatten();
            Ok(next
                .unwrap_or_default()
                .into_iter()
                .map(String::from)
                .collect())
        }
    }

    #[tokio::test]
    async fn a_failed_repair_leaves_the_segment_to_the_next_backend() {
        // The batch loses the tag; its one piece comes back empty.
        let first = Scripted::new("first", &[&["Hello", "lost tag"], &[""]]);
        let second = Scripted::new("second", &[&["<g1>Hanoi</g1>"]]);
        let chain = Chain::new(vec![first, second]);
        let results = chain
            .translate(&batch(&["Xin chào", "<g1>Hà Nội</g1>"]))
            .await
            .unwrap();
        assert_eq!(results[0].as_ref().unwrap().backend, "first");
        let fallback = results[1].as_ref().unwrap();
        assert_eq!(fallback.text, "<g1>Hanoi</g1>");
        assert_eq!(fallback.backend, "second");
        assert!(!fallback.repaired);
    }

    #[tokio::test]
    async fn a_failed_repair_with_no_next_backend_says_what_was_tried() {
        let chain = Chain::new(vec![Scripted::new("only", &[&["lost"], &[""]])]);
        let results = chain.translate(&batch(&["<g1>Hà Nội</g1>"])).await.unwrap();
        let error = results[0].as_ref().unwrap_err();
        assert!(
            error.contains("<g1>") && error.contains("separately"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn wrong_count_fails_every_segment_of_the_batch() {
        let chain = Chain::new(vec![Arc::new(Canned(vec!["one".into()], "short"))]);
        let results = chain.translate(&batch(&["một", "hai"])).await.unwrap();
        assert!(results.iter().all(Result::is_err));
        assert!(results[0].as_ref().unwrap_err().contains("expected 2"));
    }

    fn project(extra: &str) -> Config {
        let text = format!("[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"]\n{extra}");
        Config::parse(&text, std::path::Path::new("config.toml")).unwrap()
    }

    #[test]
    fn chain_from_config_follows_fallbacks() {
        let config = project(
            "[backend]\nkind = \"pseudo\"\nfallback = [\"local\"]\n\n[backends.local]\nkind = \"command\"\ncommand = [\"true\"]\nfallback = [\"local\"]\n",
        );
        let chain = chain_from_config(&config, None).unwrap();
        let names: Vec<&str> = chain.members().iter().map(|m| m.name()).collect();
        assert_eq!(names, ["pseudo", "local"]);
        let chain = chain_from_config(&config, Some("local")).unwrap();
        assert_eq!(chain.members().len(), 1);
        let err = chain_from_config(&config, Some("nope")).unwrap_err();
        assert!(err.to_string().contains("[backends.nope]"), "{err}");
    }

    #[test]
    fn estimate_prices_the_primary_per_language() {
        let config = project(
            "[backend]\nkind = \"command\"\ncommand = [\"true\"]\nprice_per_million = 20.0\n",
        );
        let chain = chain_from_config(&config, None).unwrap();
        let langs = [
            (Lang::parse("en").unwrap(), 500_000),
            (Lang::parse("ko").unwrap(), 250_000),
        ];
        let e = estimate(&chain, &langs);
        assert_eq!(e.lines.len(), 2);
        assert_eq!(e.lines[1].units, 250_000);
        assert!((e.total_cost - 15.0).abs() < 1e-9, "{}", e.total_cost);
        assert!(e.complete && e.exceeds(10.0) && !e.exceeds(15.0));
    }

    const MINIMAL: &str = "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\", \"zh-hans\"]\n";

    /// The error `check_config` reports for `text`.
    fn config_error(text: &str) -> String {
        let config = Config::parse(text, std::path::Path::new("site/config.toml")).unwrap();
        check_config(&config).unwrap_err().to_string()
    }

    #[test]
    fn unknown_keys_are_rejected_with_position() {
        let message = config_error(&format!(
            "{MINIMAL}[backend]\nkind = \"pseudo\"\nconcurency = 3\n"
        ));
        assert!(message.contains("concurency"), "{message}");
        assert!(message.starts_with("site/config.toml:6:1:"), "{message}");
    }

    #[test]
    fn unknown_backend_kind_lists_valid_ones() {
        let message = config_error(&format!("{MINIMAL}[backend]\nkind = \"babelfish\"\n"));
        assert!(message.contains("babelfish"), "{message}");
        assert!(message.contains("pseudo"), "{message}");
        assert!(message.starts_with("site/config.toml:5:"), "{message}");
    }

    #[test]
    fn an_option_of_another_kind_is_rejected_at_its_value() {
        let message = config_error(&format!(
            "{MINIMAL}[backends.local]\nkind = \"command\"\ncommand = [\"mt\"]\nmodel = \"x\"\n\n[backends.gpt]\nkind = \"openai\"\nmodel = 4\n"
        ));
        assert!(message.starts_with("site/config.toml:11:9:"), "{message}");
        assert!(message.contains("invalid type"), "{message}");
        let message = config_error(&format!(
            "{MINIMAL}[backends.local]\nkind = \"command\"\ncommand = [\"mt\"]\nmodel = \"x\"\n"
        ));
        assert!(message.starts_with("site/config.toml:7:1:"), "{message}");
        assert!(message.contains("unknown field `model`"), "{message}");
    }

    #[test]
    fn unknown_kind_lists_valid_kinds() {
        let config = BackendConfig {
            kind: "babelfish".into(),
            ..BackendConfig::default()
        };
        let context = BuildContext::new(std::time::Duration::from_secs(1)).unwrap();
        let err = create("babelfish", &config, &context)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pseudo"), "{err}");
    }
}
