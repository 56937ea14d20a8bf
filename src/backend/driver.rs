//! From a batch to requests: split a batch to the service's limits, halve a request
//! the service found too large (413), and check every answer, asking once more when it
//! is unusable.
//!
//! Invariant: the outputs are one per segment, in order, or the batch fails. Bad
//! segments in an otherwise good answer (empty, broken tags) are passed on after the
//! second try so that [`super::Chain`] fails them alone.

use async_trait::async_trait;
use futures::future::{BoxFuture, FutureExt as _, try_join_all};

use super::codes::Codes;
use super::{Batch, Limits, wrong_count};
use crate::error::BackendError;
use crate::markup;

/// One request to a service: the part each backend writes.
#[async_trait]
pub trait Wire: Send + Sync {
    /// Backend name, for errors.
    fn wire_name(&self) -> &str;

    /// Per-request limits.
    fn request_limits(&self) -> Limits;

    /// Sends one request for a batch within the limits.
    ///
    /// # Errors
    /// Any [`BackendError`].
    async fn request(&self, batch: &Batch) -> Result<Vec<String>, BackendError>;
}

/// What every backend on the driver has: its configured name, language codes, request
/// limits and price.
#[derive(Debug)]
pub struct Basics {
    pub(super) name: String,
    pub(super) codes: Codes,
    pub(super) limits: Limits,
    pub(super) price: Option<f64>,
}

impl Basics {
    /// The basics of backend `name`; the price comes from `config`.
    pub fn new(
        name: &str,
        config: &crate::config::BackendConfig,
        codes: Codes,
        limits: Limits,
    ) -> Self {
        Basics {
            name: name.to_owned(),
            codes,
            limits,
            price: config.price_per_million,
        }
    }
}

/// The [`Translator`](super::Translator) methods every wire backend shares: `name`,
/// `limits`, `check_pair` and `price_per_million`, from its `basics` field. Used inside
/// each backend's `impl Translator` block.
macro_rules! wire_basics {
    () => {
        fn name(&self) -> &str {
            &self.basics.name
        }

        fn limits(&self) -> $crate::backend::Limits {
            self.basics.limits
        }

        fn check_pair(
            &self,
            source: &$crate::lang::Lang,
            target: &$crate::lang::Lang,
        ) -> Result<(), $crate::error::BackendError> {
            self.basics.codes.pair(source, target).map(|_| ())
        }

        fn price_per_million(&self) -> Option<f64> {
            self.basics.price
        }
    };
}
pub(crate) use wire_basics;

/// The [`Wire`] methods every wire backend shares (`wire_name`, `request_limits`, from
/// its `basics` field), for its `impl Wire` block.
macro_rules! wire_identity {
    () => {
        fn wire_name(&self) -> &str {
            &self.basics.name
        }

        fn request_limits(&self) -> $crate::backend::Limits {
            self.basics.limits
        }
    };
}
pub(crate) use wire_identity;

/// A backend's per-request limits: its own, lowered by the config's.
pub fn configured_limits(
    config: &crate::config::BackendConfig,
    max_segments: usize,
    max_chars: usize,
    keeps_tags: bool,
    accepts_context: bool,
) -> Limits {
    Limits {
        max_segments: config
            .max_segments_per_request
            .map_or(max_segments, |n| n.min(max_segments)),
        max_chars: config
            .max_chars_per_request
            .map_or(max_chars, |n| n.min(max_chars)),
        keeps_tags,
        accepts_context,
    }
}

/// Translates a batch of any size through `wire`.
///
/// # Errors
/// The first failing request's error.
pub async fn translate(wire: &dyn Wire, batch: &Batch) -> Result<Vec<String>, BackendError> {
    let parts = split(batch, wire.request_limits());
    let answers = try_join_all(parts.into_iter().map(|part| halving(wire, part))).await?;
    Ok(answers.into_iter().flatten().collect())
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

/// Sends `batch`; on 413 sends each half instead.
fn halving(wire: &dyn Wire, batch: Batch) -> BoxFuture<'_, Result<Vec<String>, BackendError>> {
    async move {
        match checked(wire, &batch).await {
            Err(BackendError::TooLarge { .. }) if batch.segments.len() > 1 => {
                tracing::debug!(backend = wire.wire_name(), "413: splitting the batch");
                let mut second = batch.clone();
                let first_len = batch.segments.len() / 2;
                let tail = second.segments.split_off(first_len);
                let first = Batch {
                    segments: second.segments,
                    ..batch.clone()
                };
                let second = Batch {
                    segments: tail,
                    ..batch
                };
                let mut out = halving(wire, first).await?;
                out.extend(halving(wire, second).await?);
                Ok(out)
            }
            other => other,
        }
    }
    .boxed()
}

/// One request, checked; an unusable answer is asked for once more.
async fn checked(wire: &dyn Wire, batch: &Batch) -> Result<Vec<String>, BackendError> {
    let first = wire
        .request(batch)
        .await
        .and_then(|o| count_ok(wire, batch, o));
    match first {
        Ok(outputs) if segments_ok(batch, &outputs) => Ok(outputs),
        Ok(_) | Err(BackendError::InvalidResponse { .. }) => {
            tracing::debug!(
                backend = wire.wire_name(),
                "unusable answer: asking once more"
            );
            wire.request(batch)
                .await
                .and_then(|o| count_ok(wire, batch, o))
        }
        Err(e) => Err(e),
    }
}

fn count_ok(
    wire: &dyn Wire,
    batch: &Batch,
    outputs: Vec<String>,
) -> Result<Vec<String>, BackendError> {
    if outputs.len() == batch.segments.len() {
        Ok(outputs)
    } else {
        Err(wrong_count(
            wire.wire_name(),
            batch.segments.len(),
            outputs.len(),
        ))
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
