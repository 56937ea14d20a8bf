//! The `libretranslate` backend: `POST /translate` with `q` as an array,
//! `format: "html"` and the optional `api_key` in the body (the protocol has no
//! header). Defaults to a self-hosted server at `http://127.0.0.1:5000`.
//!
//! Tags: always HTML mode, tags converted to `<span id="gN">`/`<img id="xN">` and back,
//! text escaped and entities decoded ([`super::html`]).

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use super::codes::{Codes, chinese_traditional, known_language};
use super::driver::{self, Basics, Wire, configured_limits};
use super::html::{from_html, to_html};
use super::http::{Http, Shared, base_url, classify_common, key_var, parse_json, service_message};
use super::{Batch, Translator};
use crate::config::BackendConfig;
use crate::error::BackendError;
use crate::lang::Lang;

/// The documented default key variable (optional).
pub const KEY_VAR: &str = "LIBRETRANSLATE_API_KEY";
const LANGUAGES: &str = "ar az bg bn ca cs da de el en eo es et eu fa fi fr ga gl he hi hu id it ja ko lt lv ms nb nl pl pt ro ru sk sl sq sv th tl tr uk ur vi zh";

/// LibreTranslate; see the module docs.
#[derive(Debug)]
pub struct LibreTranslate {
    basics: Basics,
    url: String,
    http: Http,
    key_var: String,
}

/// Registry entry.
///
/// # Errors
/// Never for a missing key (it is optional); the signature is the registry's.
pub fn create(
    name: &str,
    config: &BackendConfig,
    shared: &Shared,
) -> Result<Arc<dyn Translator>, BackendError> {
    let key = shared.api_key(name, config, KEY_VAR, config.api_key_env.is_some())?;
    Ok(Arc::new(LibreTranslate {
        // Servers set their own `--batch-limit`/`--char-limit`; lower these in config.
        basics: Basics::new(
            name,
            config,
            Codes::new(name, config, code, code),
            configured_limits(config, 50, 10_000, true, false),
        ),
        url: format!("{}/translate", base_url(config, "http://127.0.0.1:5000")),
        http: Http::new(name, config, shared, key),
        key_var: key_var(config, KEY_VAR).to_owned(),
    }))
}

fn code(lang: &Lang) -> Option<String> {
    match chinese_traditional(lang) {
        Some(true) => Some("zh-Hant".to_owned()),
        Some(false) => Some("zh-Hans".to_owned()),
        None => known_language(lang, LANGUAGES),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    translated_text: Vec<String>,
}

impl LibreTranslate {
    fn classify(
        &self,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        match status {
            403 => BackendError::Auth {
                backend: self.basics.name.clone(),
                message: format!(
                    "{} (the server refused the API key, or banned this client: check `{}`)",
                    service_message(body),
                    self.key_var
                ),
            },
            _ => classify_common(&self.basics.name, status, body, retry_after, &self.key_var),
        }
    }
}

#[async_trait]
impl Wire for LibreTranslate {
    super::driver::wire_identity!();

    async fn request(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        let (source, target) = self.basics.codes.pair(&batch.source, &batch.target)?;
        let q: Vec<String> = batch.segments.iter().map(|s| to_html(&s.text)).collect();
        let mut body = json!({"q": q, "source": source, "target": target, "format": "html"});
        if let Some(key) = self.http.key() {
            body["api_key"] = json!(key);
        }
        let answer = self
            .http
            .send(
                batch.chars(),
                &|c| c.post(&self.url).json(&body),
                &|s, b, r| self.classify(s, b, r),
            )
            .await?;
        let answer: Answer = parse_json(&self.basics.name, &answer)?;
        Ok(answer
            .translated_text
            .iter()
            .map(|t| from_html(t))
            .collect())
    }
}

#[async_trait]
impl Translator for LibreTranslate {
    super::driver::wire_basics!();

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        driver::translate(self, batch).await
    }
}
