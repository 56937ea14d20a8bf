//! The `google` backend: Cloud Translation Basic (v2),
//! `POST /language/translate/v2` with the key in the `X-goog-api-key` header (never
//! in the URL, which would leak into logs and error messages).
//!
//! Tags: a batch with tags is sent with `format=html`, tags converted to
//! `<span id="gN">`/`<img id="xN">` and back, entities decoded ([`super::html`]);
//! a batch without tags is sent with `format=text`, so nothing is entity-encoded.

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
pub const KEY_VAR: &str = "GOOGLE_API_KEY";
const LANGUAGES: &str = "af am ar az be bg bn bs ca ceb co cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha haw he hi hmn hr ht hu hy id ig is it ja jv ka kk km kn ko ku ky la lb lo lt lv mg mi mk ml mn mr ms mt my ne nl no ny or pa pl ps pt ro ru rw sd si sk sl sm sn so sq sr st su sv sw ta te tg th tk tl tr tt ug uk ur uz vi xh yi yo zh zu";

/// A `google` table takes only the common keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {}

/// Google Cloud Translation v2; see the module docs.
#[derive(Debug)]
pub struct Google {
    url: String,
    http: Http,
}

#[async_trait]
impl Protocol for Google {
    type Options = Options;

    fn meter(&self) -> Option<Arc<Meter>> {
        Some(self.http.meter())
    }

    // 128 `q` at most; Google recommends at most 5,000 code points per request.
    const LIMITS: Limits = Limits {
        max_segments: 128,
        max_chars: 5_000,
        keeps_tags: true,
        accepts_context: false,
    };
    const SOURCE_CODE: Builtin = code;

    /// # Errors
    /// [`BackendError::Config`] when the key variable is unset.
    fn new(
        name: &str,
        config: &BackendConfig,
        _options: Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError> {
        let http = context.http(name, config, KEY_VAR, true)?;
        Ok(Google {
            url: format!(
                "{}/language/translate/v2",
                base_url(config, "https://translation.googleapis.com")
            ),
            http,
        })
    }

    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError> {
        let batch = call.batch;
        let html = batch.segments.iter().any(|s| markup::has_tags(&s.text));
        let q: Vec<String> = batch
            .segments
            .iter()
            .map(|s| {
                if html {
                    to_html(&s.text)
                } else {
                    s.text.to_string()
                }
            })
            .collect();
        let body = json!({
            "q": q, "source": call.source, "target": call.target,
            "format": if html { "html" } else { "text" },
        });
        let body = JsonBody::new(call.backend, &body, JsonBody::size_hint(batch))?;
        let key = self.http.key().unwrap_or_default();
        let answer = self
            .http
            .send(
                Charge::text(batch.chars(), &batch.target),
                &|c| body.attach(c.post(&self.url).header("X-goog-api-key", key)),
                &|s, b, r| self.classify(call.backend, s, b, r),
            )
            .await?;
        let answer: Answer = parse_json(call.backend, &answer)?;
        Ok(answer
            .data
            .translations
            .into_iter()
            .map(|t| {
                if html {
                    from_html(&t.translated_text)
                } else {
                    t.translated_text
                }
            })
            .collect())
    }
}

fn code(lang: &Lang) -> Option<String> {
    match chinese_traditional(lang) {
        Some(true) => Some("zh-TW".to_owned()),
        Some(false) => Some("zh-CN".to_owned()),
        None => known_language(lang, LANGUAGES),
    }
}

#[derive(Deserialize)]
struct Answer {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    translations: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Text {
    translated_text: String,
}

/// The `reason`s in a v2 error body.
fn reasons(body: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    value["error"]["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["reason"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Google {
    fn classify(
        &self,
        name: &str,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        let backend = name.to_owned();
        let reasons = reasons(body);
        let has = |r: &str| reasons.iter().any(|x| x == r);
        if has("dailyLimitExceeded") || has("quotaExceeded") || has("billingNotEnabled") {
            return BackendError::Quota {
                backend,
                message: format!(
                    "{} (the daily quota resets at midnight Pacific time; raise it or enable billing in the Google Cloud console)",
                    service_message(body)
                ),
            };
        }
        if has("userRateLimitExceeded") || has("rateLimitExceeded") {
            return BackendError::RateLimited {
                backend,
                retry_after,
            };
        }
        if status == 400 && (has("keyInvalid") || body.contains("API key not valid")) {
            return classify_common(name, 401, body, None, self.http.key_var());
        }
        classify_common(name, status, body, retry_after, self.http.key_var())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_unknown_codes() {
        assert_eq!(code(&Lang::parse("zh-Hans").unwrap()).unwrap(), "zh-CN");
        assert_eq!(code(&Lang::parse("zh-Hant").unwrap()).unwrap(), "zh-TW");
        assert_eq!(code(&Lang::parse("ko").unwrap()).unwrap(), "ko");
        assert!(code(&Lang::parse("tlh").unwrap()).is_none());
    }

    #[test]
    fn reasons_are_read_from_v2_errors() {
        let body = r#"{"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"reason":"dailyLimitExceeded"}]}}"#;
        assert_eq!(reasons(body), ["dailyLimitExceeded"]);
    }
}
