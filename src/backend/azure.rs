//! The `azure` backend: Azure AI Translator v3,
//! `POST /translate?api-version=3.0&from=…&to=…`, headers `Ocp-Apim-Subscription-Key`
//! and (when `region` is set) `Ocp-Apim-Subscription-Region`.
//!
//! Tags: a batch with tags is sent with `textType=html`, tags converted to
//! `<span id="gN">`/`<img id="xN">` and back ([`super::html`]); otherwise plain text.

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
use crate::markup;

/// The documented default key variable.
pub const KEY_VAR: &str = "AZURE_TRANSLATOR_KEY";
const LANGUAGES: &str = "af am ar as az ba bg bn bo bs ca cs cy da de dv el en es et eu fa fi fil fj fo fr ga gl gu ha he hi hr ht hu hy id ig is it iu ja ka kk km kn ko ku ky lo lt lv mg mi mk ml mn mr ms mt my nb ne nl or pa pl ps pt ro ru rw sd si sk sl sm sn so sq sr sv sw ta te th ti tk tr tt ty ug uk ur uz vi xh yo yue zu";

/// The keys of an `azure` table beyond the common ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The resource's region, sent as `Ocp-Apim-Subscription-Region` (required by
    /// regional and multi-service resources).
    pub region: Option<String>,
}

/// Azure AI Translator v3; see the module docs.
#[derive(Debug)]
pub struct Azure {
    url: String,
    region: Option<String>,
    http: Http,
}

#[async_trait]
impl Protocol for Azure {
    type Options = Options;

    fn meter(&self) -> Option<Arc<Meter>> {
        Some(self.http.meter())
    }

    const LIMITS: Limits = Limits {
        max_segments: 1_000,
        max_chars: 50_000,
        keeps_tags: true,
        accepts_context: false,
    };
    const SOURCE_CODE: Builtin = code;

    /// # Errors
    /// [`BackendError::Config`] when the key variable is unset.
    fn new(
        name: &str,
        config: &BackendConfig,
        options: Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError> {
        let http = context.http(name, config, KEY_VAR, true)?;
        Ok(Azure {
            url: format!(
                "{}/translate",
                base_url(config, "https://api.cognitive.microsofttranslator.com")
            ),
            region: options.region,
            http,
        })
    }

    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError> {
        let batch = call.batch;
        let html = batch.segments.iter().any(|s| markup::has_tags(&s.text));
        let body: Vec<serde_json::Value> = batch
            .segments
            .iter()
            .map(|s| json!({"Text": if html { to_html(&s.text) } else { s.text.to_string() }}))
            .collect();
        let body = JsonBody::new(call.backend, &body, JsonBody::size_hint(batch))?;
        let query = [
            ("api-version", "3.0"),
            ("from", call.source.as_str()),
            ("to", call.target.as_str()),
            ("textType", if html { "html" } else { "plain" }),
        ];
        let key = self.http.key().unwrap_or_default();
        let answer = self
            .http
            .send(
                Charge::text(batch.chars(), &batch.target),
                &|c| {
                    let mut request = body.attach(
                        c.post(&self.url)
                            .query(&query)
                            .header("Ocp-Apim-Subscription-Key", key),
                    );
                    if let Some(region) = &self.region {
                        request = request.header("Ocp-Apim-Subscription-Region", region);
                    }
                    request
                },
                &|s, b, r| self.classify(call.backend, s, b, r),
            )
            .await?;
        let items: Vec<Item> = parse_json(call.backend, &answer)?;
        items
            .into_iter()
            .map(|item| {
                let text = item.translations.into_iter().next().map(|t| t.text);
                let text = text.ok_or_else(|| BackendError::InvalidResponse {
                    backend: call.backend.to_owned(),
                    message: "an element has no translation".to_owned(),
                })?;
                Ok(if html { from_html(&text) } else { text })
            })
            .collect()
    }
}

fn code(lang: &Lang) -> Option<String> {
    match chinese_traditional(lang) {
        Some(true) => Some("zh-Hant".to_owned()),
        Some(false) => Some("zh-Hans".to_owned()),
        None if lang.language() == "pt" && lang.region() == Some("PT") => Some("pt-pt".to_owned()),
        None => known_language(lang, LANGUAGES),
    }
}

#[derive(Deserialize)]
struct Item {
    translations: Vec<Text>,
}

#[derive(Deserialize)]
struct Text {
    text: String,
}

/// Azure's six-digit error code (`error.code`), when present.
fn error_code(body: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value["error"]["code"].as_u64()
}

impl Azure {
    fn classify(
        &self,
        name: &str,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        let backend = name.to_owned();
        match (status, error_code(body)) {
            (403, Some(403_001)) => BackendError::Quota {
                backend,
                message: format!(
                    "{} (the free tier's quota is used up: wait for it to reset or move to a paid tier)",
                    service_message(body)
                ),
            },
            (401, _) => BackendError::Auth {
                backend,
                message: format!(
                    "{} (check the key in `{}` and the `region` of the resource)",
                    service_message(body),
                    self.http.key_var()
                ),
            },
            (400, Some(400_072 | 400_077)) => BackendError::TooLarge { backend },
            _ => classify_common(name, status, body, retry_after, self.http.key_var()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_error_codes() {
        assert_eq!(code(&Lang::parse("zh-Hans").unwrap()).unwrap(), "zh-Hans");
        assert_eq!(
            error_code(r#"{"error":{"code":403001,"message":"x"}}"#),
            Some(403_001)
        );
    }
}
