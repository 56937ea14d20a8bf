//! A backend for tests elsewhere in the crate: each segment comes back as it was
//! sent, after an optional delay standing for a service's latency, with no price.

use std::time::Duration;

use async_trait::async_trait;

use super::{BackendError, Batch, Limits, Translator};

/// Gives each segment back unchanged, after `delay` when there is one.
#[derive(Debug, Default)]
pub(crate) struct Echo {
    pub(crate) delay: Option<Duration>,
}

#[async_trait]
impl Translator for Echo {
    fn name(&self) -> &str {
        "echo"
    }

    fn limits(&self) -> Limits {
        Limits {
            max_segments: 3,
            max_chars: 1000,
            keeps_tags: true,
            accepts_context: false,
        }
    }

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        Ok(batch.segments.iter().map(|s| s.text.to_string()).collect())
    }
}
