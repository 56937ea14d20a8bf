//! The `deepl` backend: DeepL API v2 (`POST /v2/translate`), JSON, with
//! `Authorization: DeepL-Auth-Key`.
//!
//! Tags: DeepL's XML tag handling keeps `<gN>`/`<xN/>` intact, but it must be supported
//! by both languages and Vietnamese lacks it. Unless `tag_handling` is set in config,
//! `GET /v3/languages` is asked once; when either language lacks the feature, the
//! text between tags is sent as separate texts and put back around the tags
//! ("tag-safe" mode: tags can never be lost, at the price of word order across tags).
//!
//! Context: DeepL's `context` applies to the whole request, so the batch's distinct
//! segment contexts are joined (up to [`MAX_CONTEXT_CHARS`]); they are not billed.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::codes::{Codes, chinese_traditional, known_language};
use super::driver::{self, Basics, Wire, configured_limits};
use super::http::{Http, Shared, base_url, classify_common, key_var, parse_json, service_message};
use super::{Batch, Translator, Usage, cost::Billing, tag_safe};
use crate::config::BackendConfig;
use crate::error::BackendError;
use crate::lang::Lang;
use crate::markup::{self, Token};

/// The documented default key variable.
pub const KEY_VAR: &str = "DEEPL_AUTH_KEY";
/// Most context characters sent with one request.
pub const MAX_CONTEXT_CHARS: usize = 4_000;
const LANGUAGES: &str = "ar bg cs da de el en es et fi fr he hu id it ja ko lt lv nb nl pl pt ro ru sk sl sv th tr uk vi zh";

/// DeepL; see the module docs.
#[derive(Debug)]
pub struct DeepL {
    basics: Basics,
    base: String,
    http: Http,
    formality: Option<String>,
    tag_handling: Option<bool>,
    /// Lower-case DeepL language codes with the `tag_handling` feature, asked once.
    tag_support: OnceCell<Vec<String>>,
    key_var: String,
}

/// Registry entry.
///
/// # Errors
/// [`BackendError::Config`] when the key variable is unset.
pub fn create(
    name: &str,
    config: &BackendConfig,
    shared: &Shared,
) -> Result<Arc<dyn Translator>, BackendError> {
    let key = shared.api_key(name, config, KEY_VAR, true)?;
    let free = key.as_ref().is_some_and(|k| {
        use secrecy::ExposeSecret as _;
        k.expose_secret().ends_with(":fx")
    });
    let default = if free {
        "https://api-free.deepl.com"
    } else {
        "https://api.deepl.com"
    };
    Ok(Arc::new(DeepL {
        // 30,000 characters stay under 128 KiB even for 3-byte characters + context.
        basics: Basics::new(
            name,
            config,
            Codes::new(name, config, source_code, target_code),
            configured_limits(config, 50, 30_000, true, true),
        ),
        base: base_url(config, default),
        http: Http::new(name, config, shared, key),
        formality: config.formality.clone(),
        tag_handling: config.tag_handling,
        tag_support: OnceCell::new(),
        key_var: key_var(config, KEY_VAR).to_owned(),
    }))
}

fn source_code(lang: &Lang) -> Option<String> {
    known_language(lang, LANGUAGES).map(|c| c.to_uppercase())
}

fn target_code(lang: &Lang) -> Option<String> {
    let base = known_language(lang, LANGUAGES)?;
    Some(match (base.as_str(), lang.region()) {
        ("en", Some("GB")) => "EN-GB".to_owned(),
        ("en", _) => "EN-US".to_owned(),
        ("pt", Some("PT")) => "PT-PT".to_owned(),
        ("pt", _) => "PT-BR".to_owned(),
        ("zh", _) if chinese_traditional(lang) == Some(true) => "ZH-HANT".to_owned(),
        ("zh", _) => "ZH-HANS".to_owned(),
        (other, _) => other.to_uppercase(),
    })
}

#[derive(Deserialize)]
struct Answer {
    translations: Vec<Text>,
}

#[derive(Deserialize)]
struct Text {
    text: String,
}

#[derive(Deserialize)]
struct LanguageInfo {
    lang: String,
    #[serde(default)]
    features: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct UsageAnswer {
    character_count: u64,
    character_limit: Option<u64>,
}

impl DeepL {
    fn classify(
        &self,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        let backend = self.basics.name.clone();
        match status {
            456 => BackendError::Quota {
                backend,
                message: format!(
                    "{} (the character quota is used up: wait for the next billing period, raise the Cost Control limit, or upgrade the plan)",
                    service_message(body)
                ),
            },
            403 => BackendError::Auth {
                backend,
                message: format!(
                    "{} (check the key in `{}`; a Free key ends in `:fx` and only works on api-free.deepl.com)",
                    service_message(body),
                    self.key_var
                ),
            },
            529 => BackendError::RateLimited {
                backend,
                retry_after,
            },
            _ => classify_common(&self.basics.name, status, body, retry_after, &self.key_var),
        }
    }

    fn auth(&self) -> String {
        format!("DeepL-Auth-Key {}", self.http.key().unwrap_or_default())
    }

    /// Whether to send tags with `tag_handling=xml` for this pair.
    async fn use_tags(&self, source: &str, target: &str) -> bool {
        if let Some(configured) = self.tag_handling {
            return configured;
        }
        let supported = self
            .tag_support
            .get_or_init(|| async {
                self.fetch_tag_support().await.unwrap_or_else(|e| {
                    tracing::warn!(backend = %self.basics.name, "cannot read the language list, sending text between tags separately: {e}");
                    Vec::new()
                })
            })
            .await;
        let has = |code: &str| {
            let code = code.to_lowercase();
            let base = code.split('-').next().unwrap_or_default().to_owned();
            supported.contains(&code) || supported.contains(&base)
        };
        has(source) && has(target)
    }

    async fn fetch_tag_support(&self) -> Result<Vec<String>, BackendError> {
        let url = format!("{}/v3/languages", self.base);
        let auth = self.auth();
        let body = self
            .http
            .send(
                0,
                &|c| {
                    c.get(&url)
                        .query(&[("resource", "translate_text")])
                        .header("Authorization", &auth)
                },
                &|s, b, r| self.classify(s, b, r),
            )
            .await?;
        let list: Vec<LanguageInfo> = parse_json(&self.basics.name, &body)?;
        Ok(list
            .into_iter()
            .filter(|l| l.features.contains_key("tag_handling"))
            .map(|l| l.lang.to_lowercase())
            .collect())
    }

    /// One `POST /v2/translate`.
    async fn post(
        &self,
        texts: &[String],
        codes: &(String, String),
        context: Option<&str>,
        xml: bool,
    ) -> Result<Vec<String>, BackendError> {
        let mut body = json!({"text": texts, "source_lang": codes.0, "target_lang": codes.1});
        if let Some(context) = context {
            body["context"] = json!(context);
        }
        if let Some(formality) = &self.formality {
            body["formality"] = json!(formality);
        }
        if xml {
            body["tag_handling"] = json!("xml");
        }
        let url = format!("{}/v2/translate", self.base);
        let auth = self.auth();
        let chars = texts.iter().map(|t| t.chars().count()).sum();
        let answer = self
            .http
            .send(
                chars,
                &|c| c.post(&url).header("Authorization", &auth).json(&body),
                &|s, b, r| self.classify(s, b, r),
            )
            .await?;
        let answer: Answer = parse_json(&self.basics.name, &answer)?;
        if answer.translations.len() != texts.len() {
            return Err(super::wrong_count(
                &self.basics.name,
                texts.len(),
                answer.translations.len(),
            ));
        }
        Ok(answer.translations.into_iter().map(|t| t.text).collect())
    }

    /// Tag-safe mode: sends the text runs between tags, in requests within the limits.
    async fn translate_runs(
        &self,
        batch: &Batch,
        codes: &(String, String),
        context: Option<&str>,
    ) -> Result<Vec<String>, BackendError> {
        let (texts, plans) = tag_safe::plan_runs(batch.segments.iter().map(|s| s.text.as_str()));
        let mut answers = Vec::with_capacity(texts.len());
        let mut start = 0;
        while start < texts.len() {
            let mut end = start;
            let mut chars = 0;
            while end < texts.len()
                && end - start < self.basics.limits.max_segments
                && (end == start
                    || chars + texts[end].chars().count() <= self.basics.limits.max_chars)
            {
                chars += texts[end].chars().count();
                end += 1;
            }
            answers.extend(self.post(&texts[start..end], codes, context, false).await?);
            start = end;
        }
        Ok(plans.iter().map(|plan| plan.assemble(&answers)).collect())
    }
}

/// The batch's distinct contexts, joined, within [`MAX_CONTEXT_CHARS`].
fn joined_context(batch: &Batch) -> Option<String> {
    let mut out = String::new();
    for context in batch.segments.iter().filter_map(|s| s.context.as_deref()) {
        let context = context.trim();
        if context.is_empty() || out.contains(context) {
            continue;
        }
        if out.chars().count() + context.chars().count() > MAX_CONTEXT_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(context);
    }
    (!out.is_empty()).then_some(out)
}

/// Tagged text for XML mode: text escaped, tags kept.
fn to_xml(text: &str) -> String {
    markup::tokens(text)
        .into_iter()
        .map(|t| match t {
            Token::Text(s) => super::html::escape(s),
            Token::Open(id) => format!("<g{id}>"),
            Token::Close(id) => format!("</g{id}>"),
            Token::Standalone(id) => format!("<x{id}/>"),
        })
        .collect()
}

#[async_trait]
impl Wire for DeepL {
    super::driver::wire_identity!();

    async fn request(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        let codes = self.basics.codes.pair(&batch.source, &batch.target)?;
        let context = joined_context(batch);
        let tagged = batch.segments.iter().any(|s| markup::has_tags(&s.text));
        if tagged && !self.use_tags(&codes.0, &codes.1).await {
            return self.translate_runs(batch, &codes, context.as_deref()).await;
        }
        let texts: Vec<String> = batch.segments.iter().map(|s| to_xml(&s.text)).collect();
        let answers = self
            .post(&texts, &codes, context.as_deref(), tagged)
            .await?;
        Ok(answers
            .iter()
            .map(|a| super::html::decode_entities(a))
            .collect())
    }
}

#[async_trait]
impl Translator for DeepL {
    super::driver::wire_basics!();

    async fn translate(&self, batch: &Batch) -> Result<Vec<String>, BackendError> {
        driver::translate(self, batch).await
    }

    fn billing(&self) -> Billing {
        Billing::Characters
    }

    async fn usage(&self) -> Option<Usage> {
        let url = format!("{}/v2/usage", self.base);
        let auth = self.auth();
        let body = self
            .http
            .send_once(
                &|c| c.get(&url).header("Authorization", &auth),
                &|s, b, r| self.classify(s, b, r),
            )
            .await
            .inspect_err(|e| tracing::warn!("cannot read DeepL usage: {e}"))
            .ok()?;
        let usage: UsageAnswer = parse_json(&self.basics.name, &body).ok()?;
        Some(Usage {
            unit: Billing::Characters,
            used: usage.character_count,
            limit: usage.character_limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    #[test]
    fn codes_follow_deepl() {
        assert_eq!(target_code(&lang("zh-Hans")).unwrap(), "ZH-HANS");
        assert_eq!(source_code(&lang("zh-Hans")).unwrap(), "ZH");
        assert_eq!(target_code(&lang("en")).unwrap(), "EN-US");
        assert_eq!(target_code(&lang("en-GB")).unwrap(), "EN-GB");
        assert_eq!(target_code(&lang("ko")).unwrap(), "KO");
        assert!(target_code(&lang("km")).is_none());
    }
}
