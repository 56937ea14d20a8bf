//! A backend for tests elsewhere in the crate: each segment comes back as it was
//! sent (after a prefix, if any), after an optional delay standing for a service's
//! latency, with no price.

use std::time::Duration;

use async_trait::async_trait;

use super::{BackendError, Batch, Limits, Translator};

/// Gives each segment back behind `prefix`, after `delay` when there is one, in
/// batches of `max_segments` at most.
#[derive(Debug)]
pub(crate) struct Echo {
    pub(crate) prefix: &'static str,
    pub(crate) delay: Option<Duration>,
    pub(crate) max_segments: usize,
}

impl Default for Echo {
    fn default() -> Self {
        Echo {
            prefix: "",
            delay: None,
            max_segments: 50,
        }
    }
}

#[async_trait]
impl Translator for Echo {
    fn name(&self) -> &str {
        "echo"
    }

    fn limits(&self) -> Limits {
        Limits {
            max_segments: self.max_segments,
            max_chars: 10_000,
            keeps_tags: true,
            accepts_context: false,
        }
    }

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        let echo = |text: &str| format!("{}{text}", self.prefix);
        Ok(batch.segments.iter().map(|s| echo(&s.text)).collect())
    }
}
