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
//!
//! Terminology: the run's glossary becomes one DeepL v2 glossary per language pair
//! (`POST /v2/glossaries`, TSV entries, lower-case base codes), used with `glossary_id`
//! (and `source_lang`, always sent). Its name carries a hash of the pair and its
//! entries, `dich: vi → en 0123456789abcdef`, so the account's list
//! (`GET /v2/glossaries`, read once per run) tells whether it exists: a run reuses it,
//! a changed glossary is created anew and the old one of the same pair deleted, and one
//! deleted on the server (absent from the list, or a 404 on use) is created again.
//! `glossary_name` in config replaces the `dich` prefix, for projects sharing an account.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OnceCell};

use super::codes::{Builtin, chinese_traditional, known_language};
use super::http::{
    BuildContext, Http, JsonBody, base_url, classify_common, json_size_hint, parse_json,
    service_message,
};
use super::meter::{Charge, Meter};
use super::{BackendError, Batch, Billing, Call, KeyCheck, Limits, Protocol, Usage, tag_safe};
use crate::config::BackendConfig;
use crate::lang::Lang;
use crate::markup::{self, Token};
use crate::qa::Glossary;

/// The documented default key variable.
pub const KEY_VAR: &str = "DEEPL_AUTH_KEY";
/// Most context characters sent with one request.
pub const MAX_CONTEXT_CHARS: usize = 4_000;
const LANGUAGES: &str = "ar bg cs da de el en es et fi fr he hu id it ja ko lt lv nb nl pl pt ro ru sk sl sv th tr uk vi zh";

/// The keys of a `deepl` table beyond the common ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Sent as `formality` with every request (`more`, `less`, `prefer_more`, …).
    pub formality: Option<String>,
    /// Whether the service may be sent tags; unset = ask the service per language.
    pub tag_handling: Option<bool>,
    /// The prefix of the names of the glossaries dich creates (default `dich`); give
    /// each project sharing one DeepL account its own, or they replace each other's.
    pub glossary_name: Option<String>,
}

/// DeepL; see the module docs.
#[derive(Debug)]
pub struct DeepL {
    base: String,
    http: Http,
    options: Options,
    /// Lower-case DeepL language codes with the `tag_handling` feature, asked once.
    tag_support: OnceCell<Vec<String>>,
    /// The run's glossary, once the chain hands it over.
    glossary: OnceLock<Arc<Glossary>>,
    /// The DeepL glossaries of this run; locked while one is looked up or created, so
    /// concurrent batches create it once.
    glossaries: Mutex<Glossaries>,
}

/// What a run knows of the account's glossaries.
#[derive(Debug, Default)]
struct Glossaries {
    /// The account's glossaries, listed once per run and kept up to date.
    listed: Option<Vec<GlossaryInfo>>,
    /// Per target language tag, the glossary id to use (`None`: none for that pair).
    ids: HashMap<String, Option<String>>,
}

/// A glossary as `GET /v2/glossaries` and `POST /v2/glossaries` describe it.
#[derive(Debug, Clone, Deserialize)]
struct GlossaryInfo {
    glossary_id: String,
    name: String,
    #[serde(default)]
    source_lang: String,
    #[serde(default)]
    target_lang: String,
}

#[derive(Deserialize)]
struct GlossaryList {
    glossaries: Vec<GlossaryInfo>,
}

/// The glossary a language pair needs: its DeepL name and TSV entries.
struct Wanted {
    /// `dich: vi → en`: what every version of this pair's glossary is named with.
    scope: String,
    /// `scope` and the hash of the pair and entries.
    name: String,
    source: String,
    target: String,
    tsv: String,
}

#[async_trait]
impl Protocol for DeepL {
    type Options = Options;

    fn meter(&self) -> Option<Arc<Meter>> {
        Some(self.http.meter())
    }

    // 30,000 characters stay under 128 KiB even for 3-byte characters + context.
    const LIMITS: Limits = Limits {
        max_segments: 50,
        max_chars: 30_000,
        keeps_tags: true,
        accepts_context: true,
    };
    const SOURCE_CODE: Builtin = source_code;
    const TARGET_CODE: Builtin = target_code;

    /// # Errors
    /// [`BackendError::Config`] when the key variable is unset.
    fn new(
        name: &str,
        config: &BackendConfig,
        options: Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError> {
        let http = context.http(name, config, KEY_VAR, true)?;
        // A Free plan's key ends in `:fx` and only works on its own host.
        let default = if http.key().is_some_and(|k| k.ends_with(":fx")) {
            "https://api-free.deepl.com"
        } else {
            "https://api.deepl.com"
        };
        Ok(DeepL {
            base: base_url(config, default),
            http,
            options,
            tag_support: OnceCell::new(),
            glossary: OnceLock::new(),
            glossaries: Mutex::default(),
        })
    }

    fn adopt_glossary(&self, glossary: &Arc<Glossary>) -> bool {
        // One run, one glossary: a later chain's is ignored.
        let _ = self.glossary.set(Arc::clone(glossary));
        true
    }

    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError> {
        let id = self.glossary_id(call).await?;
        match (self.translate_with(call, id.as_deref()).await, id) {
            (
                Err(BackendError::Rejected {
                    status: Some(404), ..
                }),
                Some(id),
            ) => {
                tracing::info!(backend = %call.backend, "the DeepL glossary {id} was deleted on the server; creating it again");
                self.forget_glossary(call, &id).await;
                let id = self.glossary_id(call).await?;
                self.translate_with(call, id.as_deref()).await
            }
            (result, _) => result,
        }
    }

    async fn usage(&self, backend: &str) -> Option<Usage> {
        let usage = self
            .fetch_usage(backend)
            .await
            .inspect_err(|e| tracing::warn!("cannot read DeepL usage: {e}"))
            .ok()?;
        Some(Usage {
            unit: Billing::Characters,
            used: usage.character_count,
            limit: usage.character_limit,
        })
    }

    /// `GET /v2/usage`: translates and bills nothing, and tells a refused key (403)
    /// and a used-up quota (`character_count` at `character_limit`, which with Cost
    /// Control is its limit) alike, so neither costs a refused batch per slot. The
    /// language list would tell the key only.
    async fn check_key(&self, backend: &str) -> KeyCheck {
        match self.fetch_usage(backend).await {
            Ok(UsageAnswer {
                character_count,
                character_limit: Some(limit),
            }) if limit > 0 && character_count >= limit => KeyCheck::Refused(BackendError::Quota {
                backend: backend.to_owned(),
                message: format!("{character_count} of {limit} characters used ({QUOTA_ADVICE})"),
            }),
            Ok(_) => KeyCheck::Accepted,
            Err(e) if e.retires_backend() => KeyCheck::Refused(e),
            Err(e) => {
                tracing::debug!(backend, "the key could not be checked: {e}");
                KeyCheck::Unknown
            }
        }
    }
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
    /// Present when asked for with `show_billed_characters`.
    billed_characters: Option<usize>,
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

/// What to do about a used-up quota, however it was found (a 456, or the usage).
const QUOTA_ADVICE: &str = "the character quota is used up: wait for the next billing period, raise the Cost Control limit, or upgrade the plan";

impl DeepL {
    fn classify(
        &self,
        backend: &str,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        let name = backend.to_owned();
        match status {
            456 => BackendError::Quota {
                backend: name,
                message: format!("{} ({QUOTA_ADVICE})", service_message(body)),
            },
            403 => BackendError::Auth {
                backend: name,
                message: format!(
                    "{} (check the key in `{}`; a Free key ends in `:fx` and only works on api-free.deepl.com)",
                    service_message(body),
                    self.http.key_var()
                ),
            },
            529 => BackendError::RateLimited {
                backend: name,
                retry_after,
            },
            _ => classify_common(backend, status, body, retry_after, self.http.key_var()),
        }
    }

    /// Translates `call`'s batch, with the DeepL glossary `glossary` when given.
    async fn translate_with(
        &self,
        call: &Call<'_>,
        glossary: Option<&str>,
    ) -> Result<Vec<String>, BackendError> {
        let batch = call.batch;
        let context = joined_context(batch);
        let tagged = batch.segments.iter().any(|s| markup::has_tags(&s.text));
        if tagged && !self.use_tags(call).await {
            return self
                .translate_runs(call, context.as_deref(), glossary)
                .await;
        }
        let texts: Vec<String> = batch.segments.iter().map(|s| to_xml(&s.text)).collect();
        let answers = self
            .post(call, &texts, context.as_deref(), tagged, glossary)
            .await?;
        Ok(answers
            .iter()
            .map(|a| super::html::decode_entities(a))
            .collect())
    }

    /// The glossary this call's language pair needs, when the run has terms for it.
    fn wanted(&self, call: &Call<'_>) -> Option<Wanted> {
        let glossary = self.glossary.get()?;
        let batch = call.batch;
        let tsv = glossary
            .entries(&batch.target)
            .iter()
            .map(|(source, target)| (source.trim(), target.trim()))
            // A tab or line break would corrupt the TSV; no real term has one.
            .filter(|(source, target)| {
                !source.is_empty()
                    && !target.is_empty()
                    && !format!("{source}{target}").contains(['\t', '\n', '\r'])
            })
            .map(|(source, target)| format!("{source}\t{target}"))
            .collect::<Vec<_>>()
            .join("\n");
        if tsv.is_empty() {
            return None;
        }
        // Glossaries take lower-case base codes: `en` serves EN-US and EN-GB.
        let base = |code: &str| {
            code.split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let (source, target) = (base(&call.source), base(&call.target));
        let prefix = self.options.glossary_name.as_deref().unwrap_or("dich");
        let scope = format!("{prefix}: {} → {}", batch.source, batch.target);
        let digest = Sha256::digest(format!("{source}\n{target}\n{tsv}").as_bytes());
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Some(Wanted {
            name: format!("{scope} {hash}"),
            scope,
            source,
            target,
            tsv,
        })
    }

    /// The id of the DeepL glossary for this call's pair: found by name in the
    /// account's list, or created (and the pair's outdated ones deleted). A glossary
    /// the service refuses is logged and the run goes on without it: the terminology
    /// check still holds every answer without its required terms.
    ///
    /// # Errors
    /// A fatal [`BackendError`] (key, quota).
    async fn glossary_id(&self, call: &Call<'_>) -> Result<Option<String>, BackendError> {
        let key = call.batch.target.as_str().to_owned();
        let mut state = self.glossaries.lock().await;
        if let Some(id) = state.ids.get(&key) {
            return Ok(id.clone());
        }
        let id = match self.wanted(call) {
            None => None,
            Some(wanted) => match self.sync(call.backend, &mut state, &wanted).await {
                Ok(id) => Some(id),
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => {
                    tracing::warn!(backend = %call.backend, "cannot set up the DeepL glossary `{}`, translating without it: {e}", wanted.name);
                    None
                }
            },
        };
        state.ids.insert(key, id.clone());
        Ok(id)
    }

    /// Finds or creates `wanted`, then deletes the older glossaries of its scope.
    async fn sync(
        &self,
        backend: &str,
        state: &mut Glossaries,
        wanted: &Wanted,
    ) -> Result<String, BackendError> {
        let mut listed = match state.listed.take() {
            Some(listed) => listed,
            None => self.list_glossaries(backend).await?,
        };
        let found = listed
            .iter()
            .find(|g| {
                g.name == wanted.name
                    && g.source_lang.eq_ignore_ascii_case(&wanted.source)
                    && g.target_lang.eq_ignore_ascii_case(&wanted.target)
            })
            .map(|g| g.glossary_id.clone());
        let id = match found {
            Some(id) => id,
            None => match self.create_glossary(backend, wanted).await {
                Ok(created) => {
                    let id = created.glossary_id.clone();
                    listed.push(created);
                    id
                }
                Err(e) => {
                    state.listed = Some(listed);
                    return Err(e);
                }
            },
        };
        let prefix = format!("{} ", wanted.scope);
        let mut kept = Vec::with_capacity(listed.len());
        for g in listed {
            let outdated = g.glossary_id != id && g.name.starts_with(&prefix);
            if outdated && self.delete_glossary(backend, &g.glossary_id).await {
                continue;
            }
            kept.push(g);
        }
        state.listed = Some(kept);
        Ok(id)
    }

    /// Forgets glossary `id` after the service said it does not exist.
    async fn forget_glossary(&self, call: &Call<'_>, id: &str) {
        let mut state = self.glossaries.lock().await;
        let key = call.batch.target.as_str();
        if state
            .ids
            .get(key)
            .is_some_and(|known| known.as_deref() == Some(id))
        {
            state.ids.remove(key);
        }
        if let Some(listed) = &mut state.listed {
            listed.retain(|g| g.glossary_id != id);
        }
    }

    async fn list_glossaries(&self, backend: &str) -> Result<Vec<GlossaryInfo>, BackendError> {
        let url = format!("{}/v2/glossaries", self.base);
        let auth = self.auth();
        let body = self
            .http
            .send(
                Charge::none(),
                &|c| c.get(&url).header("Authorization", &auth),
                &|s, b, r| self.classify(backend, s, b, r),
            )
            .await?;
        Ok(parse_json::<GlossaryList>(backend, &body)?.glossaries)
    }

    async fn create_glossary(
        &self,
        backend: &str,
        wanted: &Wanted,
    ) -> Result<GlossaryInfo, BackendError> {
        let url = format!("{}/v2/glossaries", self.base);
        let auth = self.auth();
        let body = json!({
            "name": wanted.name, "source_lang": wanted.source, "target_lang": wanted.target,
            "entries": wanted.tsv, "entries_format": "tsv",
        });
        let body = JsonBody::new(backend, &body, wanted.tsv.len() + 256)?;
        tracing::info!(backend, "creating the DeepL glossary `{}`", wanted.name);
        let answer = self
            .http
            .send(
                Charge::none(),
                &|c| body.attach(c.post(&url).header("Authorization", &auth)),
                &|s, b, r| self.classify(backend, s, b, r),
            )
            .await?;
        parse_json(backend, &answer)
    }

    /// Deletes glossary `id`; true when it is gone (a 404 means it already was).
    async fn delete_glossary(&self, backend: &str, id: &str) -> bool {
        let url = format!("{}/v2/glossaries/{id}", self.base);
        let auth = self.auth();
        let result = self
            .http
            .send(
                Charge::none(),
                &|c| c.delete(&url).header("Authorization", &auth),
                &|s, b, r| self.classify(backend, s, b, r),
            )
            .await;
        match result {
            Ok(_)
            | Err(BackendError::Rejected {
                status: Some(404), ..
            }) => true,
            Err(e) => {
                tracing::warn!(
                    backend,
                    "cannot delete the outdated DeepL glossary {id}: {e}"
                );
                false
            }
        }
    }

    fn auth(&self) -> String {
        format!("DeepL-Auth-Key {}", self.http.key().unwrap_or_default())
    }

    /// Whether to send tags with `tag_handling=xml` for this pair.
    async fn use_tags(&self, call: &Call<'_>) -> bool {
        if let Some(configured) = self.options.tag_handling {
            return configured;
        }
        let supported = self
            .tag_support
            .get_or_init(|| async {
                self.fetch_tag_support(call.backend).await.unwrap_or_else(|e| {
                    tracing::warn!(backend = %call.backend, "cannot read the language list, sending text between tags separately: {e}");
                    Vec::new()
                })
            })
            .await;
        let has = |code: &str| {
            let code = code.to_lowercase();
            let base = code.split('-').next().unwrap_or_default().to_owned();
            supported.contains(&code) || supported.contains(&base)
        };
        has(&call.source) && has(&call.target)
    }

    /// `GET /v2/usage`.
    async fn fetch_usage(&self, backend: &str) -> Result<UsageAnswer, BackendError> {
        let url = format!("{}/v2/usage", self.base);
        let auth = self.auth();
        let body = self
            .http
            .send_once(
                &|c| c.get(&url).header("Authorization", &auth),
                &|s, b, r| self.classify(backend, s, b, r),
            )
            .await?;
        parse_json(backend, &body)
    }

    async fn fetch_tag_support(&self, backend: &str) -> Result<Vec<String>, BackendError> {
        let url = format!("{}/v3/languages", self.base);
        let auth = self.auth();
        let body = self
            .http
            .send(
                Charge::none(),
                &|c| {
                    c.get(&url)
                        .query(&[("resource", "translate_text")])
                        .header("Authorization", &auth)
                },
                &|s, b, r| self.classify(backend, s, b, r),
            )
            .await?;
        let list: Vec<LanguageInfo> = parse_json(backend, &body)?;
        Ok(list
            .into_iter()
            .filter(|l| l.features.contains_key("tag_handling"))
            .map(|l| l.lang.to_lowercase())
            .collect())
    }

    /// One `POST /v2/translate`.
    async fn post(
        &self,
        call: &Call<'_>,
        texts: &[String],
        context: Option<&str>,
        xml: bool,
        glossary: Option<&str>,
    ) -> Result<Vec<String>, BackendError> {
        // The summary reports what DeepL bills, not what dich counted (issue 10).
        let request = TranslateRequest {
            text: texts,
            source_lang: &call.source,
            target_lang: &call.target,
            show_billed_characters: true,
            glossary_id: glossary,
            context,
            formality: self.options.formality.as_deref(),
            tag_handling: xml.then_some("xml"),
        };
        let body = JsonBody::new(call.backend, &request, request.size_hint())?;
        let url = format!("{}/v2/translate", self.base);
        let auth = self.auth();
        let chars = texts.iter().map(|t| t.chars().count()).sum();
        let answer = self
            .http
            .send(
                Charge::text(chars, &call.batch.target),
                &|c| body.attach(c.post(&url).header("Authorization", &auth)),
                &|s, b, r| self.classify(call.backend, s, b, r),
            )
            .await?;
        let answer: Answer = parse_json(call.backend, &answer)?;
        if answer.translations.len() != texts.len() {
            return Err(super::wrong_count(
                call.backend,
                texts.len(),
                answer.translations.len(),
            ));
        }
        let billed: Option<usize> = answer
            .translations
            .iter()
            .map(|t| t.billed_characters)
            .sum();
        if let Some(billed) = billed {
            self.http.meter().billed(&call.batch.target, billed);
        }
        Ok(answer.translations.into_iter().map(|t| t.text).collect())
    }

    /// Tag-safe mode: sends the text runs between tags, in requests within the limits.
    async fn translate_runs(
        &self,
        call: &Call<'_>,
        context: Option<&str>,
        glossary: Option<&str>,
    ) -> Result<Vec<String>, BackendError> {
        let (texts, plans) = tag_safe::plan_runs(call.batch.segments.iter().map(|s| &*s.text));
        let mut answers = Vec::with_capacity(texts.len());
        let mut start = 0;
        while start < texts.len() {
            let mut end = start;
            let mut chars = 0;
            while end < texts.len()
                && end - start < call.limits.max_segments
                && (end == start || chars + texts[end].chars().count() <= call.limits.max_chars)
            {
                chars += texts[end].chars().count();
                end += 1;
            }
            answers.extend(
                self.post(call, &texts[start..end], context, false, glossary)
                    .await?,
            );
            start = end;
        }
        Ok(plans.iter().map(|plan| plan.assemble(&answers)).collect())
    }
}

/// The body of `POST /v2/translate`.
#[derive(Serialize)]
struct TranslateRequest<'a> {
    text: &'a [String],
    source_lang: &'a str,
    target_lang: &'a str,
    show_billed_characters: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    glossary_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    formality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag_handling: Option<&'static str>,
}

impl TranslateRequest<'_> {
    /// About the length of its JSON.
    fn size_hint(&self) -> usize {
        json_size_hint(self.text.iter().map(String::as_str).chain(self.context))
    }
}

/// The batch's distinct contexts, joined, within [`MAX_CONTEXT_CHARS`].
///
/// A context seen before is found in a set, and the characters are counted as they
/// are added: a segment's context is its neighbours, different for each segment, and
/// searching the joined text for each (and counting it again) was a tenth of a
/// request slot's work (issue 15).
fn joined_context(batch: &Batch) -> Option<String> {
    let mut out = String::new();
    let mut chars = 0;
    let mut joined = HashSet::new();
    for context in batch.segments.iter().filter_map(|s| s.context.as_deref()) {
        let context = context.trim();
        if context.is_empty() || !joined.insert(context) {
            continue;
        }
        let separator = usize::from(!out.is_empty());
        let context_chars = context.chars().count();
        if chars + separator + context_chars > MAX_CONTEXT_CHARS {
            break;
        }
        if separator > 0 {
            out.push('\n');
        }
        out.push_str(context);
        chars += separator + context_chars;
    }
    (!out.is_empty()).then_some(out)
}

/// Tagged text for XML mode: text escaped, tags kept.
fn to_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for token in markup::tokens(text) {
        // Writing to a `String` cannot fail.
        let _ = match token {
            Token::Text(s) => out.write_str(&super::html::escape(s)),
            Token::Open(id) => write!(out, "<g{id}>"),
            Token::Close(id) => write!(out, "</g{id}>"),
            Token::Standalone(id) => write!(out, "<x{id}/>"),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    fn with_contexts(contexts: &[&str]) -> Batch {
        let texts = vec!["Câu."; contexts.len()];
        let mut batch = Batch::of_texts(lang("vi"), lang("en"), &texts);
        for (segment, context) in batch.segments.iter_mut().zip(contexts) {
            segment.context = Some(Arc::from(*context));
        }
        batch
    }

    #[test]
    fn each_context_is_sent_once_in_order() {
        let batch = with_contexts(&["Đoạn một.", "Đoạn một.", " Đoạn hai. ", "Đoạn một.", ""]);
        assert_eq!(
            joined_context(&batch).as_deref(),
            Some("Đoạn một.\nĐoạn hai.")
        );
    }

    #[test]
    fn the_joined_context_stops_before_the_limit_in_characters() {
        // 1,500 characters, 3,000 bytes each: two fit in 4,000 characters, a third
        // does not (counted in bytes, not even the second would).
        let paragraphs: Vec<String> = (0..3)
            .map(|n| format!("{n}{}", "ạ".repeat(1_499)))
            .collect();
        let contexts: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let joined = joined_context(&with_contexts(&contexts)).unwrap();
        assert_eq!(joined, format!("{}\n{}", paragraphs[0], paragraphs[1]));
        assert!(joined.chars().count() <= MAX_CONTEXT_CHARS);
    }

    #[test]
    fn the_separator_counts_toward_the_limit() {
        // 2,000 + 1 + 1,999 characters fill the limit exactly; one more does not fit.
        let (first, fits, too_long) = ("a".repeat(2_000), "b".repeat(1_999), "c".repeat(2_000));
        let joined = joined_context(&with_contexts(&[&first, &fits])).unwrap();
        assert_eq!(joined.chars().count(), MAX_CONTEXT_CHARS);
        let joined = joined_context(&with_contexts(&[&first, &too_long])).unwrap();
        assert_eq!(joined, first);
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
