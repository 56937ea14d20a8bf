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

use super::codes::{Builtin, chinese_traditional, known_language};
use super::html::{from_html, to_html};
use super::http::{
    BuildContext, Http, JsonBody, base_url, classify_common, parse_json, service_message,
};
use super::meter::{Charge, Meter};
use super::{BackendError, Call, Limits, Protocol};
use crate::config::BackendConfig;
use crate::lang::Lang;

/// The documented default key variable (optional).
pub const KEY_VAR: &str = "LIBRETRANSLATE_API_KEY";
const LANGUAGES: &str = "ar az bg bn ca cs da de el en eo es et eu fa fi fr ga gl he hi hu id it ja ko lt lv ms nb nl pl pt ro ru sk sl sq sv th tl tr uk ur vi zh";

/// A `libretranslate` table takes only the common keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {}

/// LibreTranslate; see the module docs.
#[derive(Debug)]
pub struct LibreTranslate {
    url: String,
    http: Http,
}

#[async_trait]
impl Protocol for LibreTranslate {
    type Options = Options;

    fn meter(&self) -> Option<Arc<Meter>> {
        Some(self.http.meter())
    }

    // Servers set their own `--batch-limit`/`--char-limit`; lower these in config.
    const LIMITS: Limits = Limits {
        max_segments: 50,
        max_chars: 10_000,
        keeps_tags: true,
        accepts_context: false,
    };
    const SOURCE_CODE: Builtin = code;

    /// # Errors
    /// Only when `api_key_env` names an unset variable (the key is optional).
    fn new(
        name: &str,
        config: &BackendConfig,
        _options: Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError> {
        let http = context.http(name, config, KEY_VAR, config.api_key_env.is_some())?;
        Ok(LibreTranslate {
            url: format!("{}/translate", base_url(config, "http://127.0.0.1:5000")),
            http,
        })
    }

    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError> {
        let batch = call.batch;
        let q: Vec<String> = batch.segments.iter().map(|s| to_html(&s.text)).collect();
        let mut body =
            json!({"q": q, "source": call.source, "target": call.target, "format": "html"});
        if let Some(key) = self.http.key() {
            body["api_key"] = json!(key);
        }
        let body = JsonBody::new(call.backend, &body, JsonBody::size_hint(batch))?;
        let answer = self
            .http
            .send(
                Charge::text(batch.chars(), &batch.target),
                &|c| body.attach(c.post(&self.url)),
                &|s, b, r| self.classify(call.backend, s, b, r),
            )
            .await?;
        let answer: Answer = parse_json(call.backend, &answer)?;
        Ok(answer
            .translated_text
            .iter()
            .map(|t| from_html(t))
            .collect())
    }
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
        name: &str,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        match status {
            403 => BackendError::Auth {
                backend: name.to_owned(),
                message: format!(
                    "{} (the server refused the API key, or banned this client: check `{}`)",
                    service_message(body),
                    self.http.key_var()
                ),
            },
            _ => classify_common(name, status, body, retry_after, self.http.key_var()),
        }
    }
}
