//! Backends that talk to a translation service. Each such backend file implements
//! [`Protocol`]: its options, its language codes, its default limits, and how to ask
//! its service for one batch. [`ServiceBackend`] implements [`Translator`] once for all
//! of them: it splits a batch to the service's limits, halves a request the service
//! found too large (413), and checks every answer, asking once more when it is unusable.
//!
//! Invariant: the outputs are one per segment, in order, or the batch fails. Bad
//! segments in an otherwise good answer (empty, broken tags) are passed on after the
//! second try so that [`super::Chain`] fails them alone.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::{BoxFuture, FutureExt as _, try_join_all};
use serde::de::DeserializeOwned;

use super::codes::{Builtin, Codes};
use super::http::BuildContext;
use super::meter::Meter;
use super::{BackendError, Batch, Billing, KeyCheck, Limits, Translator, Usage, wrong_count};
use crate::config::BackendConfig;
use crate::lang::Lang;
use crate::markup;
use crate::qa::Glossary;

/// How one kind of backend talks to its service: what a backend file writes.
#[async_trait]
pub trait Protocol: Send + Sync + fmt::Debug + Sized + 'static {
    /// The kind's own keys in its config table (`#[serde(deny_unknown_fields)]`).
    type Options: DeserializeOwned;

    /// What one request may carry; `max_segments_per_request` and
    /// `max_chars_per_request` in config can only lower it.
    const LIMITS: Limits;

    /// The service's code for a source language (`None`: the service lacks it).
    const SOURCE_CODE: Builtin;

    /// The service's code for a target language.
    const TARGET_CODE: Builtin = Self::SOURCE_CODE;

    /// Sets up the protocol of backend `name` (keys, address, program).
    ///
    /// # Errors
    /// [`BackendError::Config`] for a backend that cannot be set up (an unset key
    /// variable, a missing option).
    fn new(
        name: &str,
        config: &BackendConfig,
        options: Self::Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError>;

    /// Sends one request: the batch is within the limits and its languages are known
    /// to the service.
    ///
    /// # Errors
    /// Any [`BackendError`].
    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError>;

    /// How backend `name` is recorded in provenance and summaries.
    fn label(&self, name: &str) -> String {
        name.to_owned()
    }

    /// What the service bills for.
    fn billing(&self) -> Billing {
        Billing::Characters
    }

    /// The account's usage, when the service reports it; `None` on any failure.
    async fn usage(&self, _backend: &str) -> Option<Usage> {
        None
    }

    /// Checks the key of backend `name`; see [`Translator::check_key`].
    async fn check_key(&self, _name: &str) -> KeyCheck {
        KeyCheck::Unknown
    }

    /// Keeps the run's glossary when the service enforces terms itself; see
    /// [`Translator::adopt_glossary`].
    fn adopt_glossary(&self, _glossary: &Arc<Glossary>) -> bool {
        false
    }

    /// What the service saw; see [`Translator::meter`].
    fn meter(&self) -> Option<Arc<Meter>> {
        None
    }
}

/// One request as [`Protocol::request`] receives it.
#[derive(Debug)]
pub struct Call<'a> {
    /// The configured name of the backend, for errors.
    pub backend: &'a str,
    /// The segments, within [`Call::limits`].
    pub batch: &'a Batch,
    /// The service's code of the source language.
    pub source: String,
    /// The service's code of the target language.
    pub target: String,
    /// The backend's per-request limits.
    pub limits: Limits,
}

/// A backend that talks to its service through the protocol `P`.
#[derive(Debug)]
pub struct ServiceBackend<P> {
    name: String,
    codes: Codes,
    limits: Limits,
    price: Option<f64>,
    protocol: P,
}

/// Builds backend `name` of protocol `P` from its config: the registry's entry for
/// every service kind.
///
/// # Errors
/// [`BackendError::Config`] for options the kind does not take, or a protocol that
/// cannot be set up.
pub fn build<P: Protocol>(
    name: &str,
    config: &BackendConfig,
    context: &BuildContext,
) -> Result<Arc<dyn Translator>, BackendError> {
    let options = config
        .table
        .read::<P::Options>()
        .map_err(|e| BackendError::Config {
            backend: name.to_owned(),
            message: e.to_string(),
        })?;
    let protocol = P::new(name, config, options, context)?;
    Ok(Arc::new(ServiceBackend {
        name: name.to_owned(),
        codes: Codes::new(name, config, P::SOURCE_CODE, P::TARGET_CODE),
        limits: P::LIMITS.lowered_by(config),
        price: config.price_per_million,
        protocol,
    }))
}

#[async_trait]
impl<P: Protocol> Translator for ServiceBackend<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn label(&self) -> String {
        self.protocol.label(&self.name)
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn check_pair(&self, source: &Lang, target: &Lang) -> Result<(), BackendError> {
        self.codes.pair(source, target).map(drop)
    }

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        let parts = split(batch, self.limits);
        let answers = try_join_all(parts.into_iter().map(|part| self.halving(part))).await?;
        Ok(answers.into_iter().flatten().collect())
    }

    fn billing(&self) -> Billing {
        self.protocol.billing()
    }

    fn price_per_million(&self) -> Option<f64> {
        self.price
    }

    async fn usage(&self) -> Option<Usage> {
        self.protocol.usage(&self.name).await
    }

    async fn check_key(&self) -> KeyCheck {
        self.protocol.check_key(&self.name).await
    }

    fn adopt_glossary(&self, glossary: &Arc<Glossary>) -> bool {
        self.protocol.adopt_glossary(glossary)
    }

    fn meter(&self) -> Option<Arc<Meter>> {
        self.protocol.meter()
    }
}

/// Consecutive parts of `batch` within `limits` (a segment longer than the character
/// limit travels alone; the service decides).
pub fn split(batch: &Batch, limits: Limits) -> Vec<Batch> {
    let mut parts: Vec<Batch> = Vec::new();
    let mut chars = 0;
    for segment in &batch.segments {
        let len = segment.text.chars().count();
        let fits = parts.last().is_some_and(|p| {
            p.segments.len() < limits.max_segments.max(1) && chars + len <= limits.max_chars
        });
        if !fits {
            parts.push(Batch {
                source: batch.source.clone(),
                target: batch.target.clone(),
                segments: Vec::new(),
            });
            chars = 0;
        }
        chars += len;
        if let Some(part) = parts.last_mut() {
            part.segments.push(segment.clone());
        }
    }
    parts
}

impl<P: Protocol> ServiceBackend<P> {
    /// Sends `batch`; on 413 sends each half instead.
    fn halving(&self, batch: Batch) -> BoxFuture<'_, Result<Vec<String>, BackendError>> {
        async move {
            match self.checked(&batch).await {
                Err(BackendError::TooLarge { .. }) if batch.segments.len() > 1 => {
                    tracing::debug!(backend = self.name, "413: splitting the batch");
                    let mut first = batch.clone();
                    let second = Batch {
                        segments: first.segments.split_off(batch.segments.len() / 2),
                        ..batch
                    };
                    let mut out = self.halving(first).await?;
                    out.extend(self.halving(second).await?);
                    Ok(out)
                }
                other => other,
            }
        }
        .boxed()
    }

    /// One request, checked; an unusable answer is asked for once more.
    async fn checked(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        match self.request(batch).await {
            Ok(outputs) if segments_ok(batch, &outputs) => Ok(outputs),
            Ok(_) | Err(BackendError::InvalidResponse { .. }) => {
                tracing::debug!(backend = self.name, "unusable answer: asking once more");
                self.request(batch).await
            }
            Err(e) => Err(e),
        }
    }

    /// One request through the protocol, with the service's codes; an answer with the
    /// wrong number of outputs is an error.
    async fn request(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        let (source, target) = self.codes.pair(&batch.source, &batch.target)?;
        let call = Call {
            backend: &self.name,
            batch,
            source,
            target,
            limits: self.limits,
        };
        let outputs = self.protocol.request(&call).await?;
        if outputs.len() == batch.segments.len() {
            Ok(outputs)
        } else {
            Err(wrong_count(&self.name, batch.segments.len(), outputs.len()))
        }
    }
}

/// Every output non-empty (for a non-empty source) with the source's tags.
fn segments_ok(batch: &Batch, outputs: &[String]) -> bool {
    batch.segments.iter().zip(outputs).all(|(s, o)| {
        (s.text.trim().is_empty() || !o.trim().is_empty())
            && markup::check_same_tags(&s.text, o).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn batch(texts: &[&str]) -> Batch {
        Batch::of_texts(
            Lang::parse("vi").unwrap(),
            Lang::parse("en").unwrap(),
            texts,
        )
    }

    #[test]
    fn split_respects_count_and_chars() {
        let limits = Limits {
            max_segments: 2,
            max_chars: 5,
            keeps_tags: true,
            accepts_context: false,
        };
        let parts = split(&batch(&["ab", "cd", "ef", "ghijkl", "m"]), limits);
        let sizes: Vec<usize> = parts.iter().map(|p| p.segments.len()).collect();
        assert_eq!(sizes, [2, 1, 1, 1]);
    }
}
