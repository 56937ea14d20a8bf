//! The `openai` backend: any OpenAI-compatible Chat Completions server
//! (`POST {base}/chat/completions`: OpenAI, Ollama, vLLM, llama.cpp).
//!
//! The system prompt names the languages and the rules (keep tags exactly, translate
//! every segment, no commentary); the user message is a JSON object with the numbered
//! segments and their context. The reply is asked for with a `json_schema`
//! `response_format`; a server that rejects it (400 naming `response_format`) is asked
//! again with `json_object`, then with none, and the working mode is remembered. The
//! reply is parsed defensively (code fences, prose around the JSON) and must carry
//! every id once; `finish_reason: "length"` is a failure.
//!
//! Terminology: the glossary terms found in a request's segments (only those, not the
//! whole glossary) are listed in the system prompt with their required translations;
//! `translate = false` names are listed as themselves.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::codes::Builtin;
use super::http::{
    BuildContext, Http, JsonBody, base_url, classify_common, parse_json, service_message,
};
use super::meter::{Charge, Meter};
use super::{BackendError, Batch, Billing, Call, Limits, Protocol};
use crate::config::BackendConfig;
use crate::lang::Lang;
use crate::qa::Glossary;

/// The documented default key variable (optional for local servers).
pub const KEY_VAR: &str = "OPENAI_API_KEY";
const DEFAULT_BASE: &str = "https://api.openai.com/v1";

/// `response_format` modes, tried in this order.
const JSON_SCHEMA: u8 = 0;
const JSON_OBJECT: u8 = 1;
const PLAIN: u8 = 2;

/// The keys of an `openai` table beyond the common ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The model (required): `gpt-4o-mini`, or the model a local server has loaded.
    pub model: Option<String>,
    /// Sampling temperature (default 0.2).
    pub temperature: Option<f64>,
}

/// OpenAI-compatible chat completions; see the module docs.
#[derive(Debug)]
pub struct OpenAi {
    url: String,
    model: String,
    temperature: f64,
    http: Http,
    format: AtomicU8,
    /// The run's glossary, once the chain hands it over.
    glossary: OnceLock<Arc<Glossary>>,
}

#[async_trait]
impl Protocol for OpenAi {
    type Options = Options;

    fn meter(&self) -> Option<Arc<Meter>> {
        Some(self.http.meter())
    }

    // Small batches keep answers well inside output limits and failures cheap.
    const LIMITS: Limits = Limits {
        max_segments: 40,
        max_chars: 8_000,
        keeps_tags: true,
        accepts_context: true,
    };
    const SOURCE_CODE: Builtin = language_name;

    /// # Errors
    /// [`BackendError::Config`] without `model`, or without a key for api.openai.com.
    fn new(
        name: &str,
        config: &BackendConfig,
        options: Options,
        context: &BuildContext,
    ) -> Result<Self, BackendError> {
        let model = options.model.ok_or_else(|| BackendError::Config {
            backend: name.to_owned(),
            message: "`model` is required (e.g. model = \"gpt-4o-mini\", or the model a local server has loaded)".to_owned(),
        })?;
        let base = base_url(config, DEFAULT_BASE);
        // Local servers usually need no key; OpenAI itself always does.
        let required = config.api_key_env.is_some() || base.contains("api.openai.com");
        let http = context.http(name, config, KEY_VAR, required)?;
        Ok(OpenAi {
            url: format!("{base}/chat/completions"),
            model,
            temperature: options.temperature.unwrap_or(0.2),
            http,
            format: AtomicU8::new(JSON_SCHEMA),
            glossary: OnceLock::new(),
        })
    }

    async fn request(&self, call: &Call<'_>) -> Result<Vec<String>, BackendError> {
        let body = self.post_with_fallback(call).await?;
        let invalid = |message: String| BackendError::InvalidResponse {
            backend: call.backend.to_owned(),
            message,
        };
        let completion: Completion = parse_json(call.backend, &body)?;
        let choice = completion
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| invalid("no choices in the reply".to_owned()))?;
        if choice.finish_reason.as_deref() == Some("length") {
            return Err(invalid(
                "the reply was cut off (finish_reason: length); lower `max_segments_per_request`"
                    .to_owned(),
            ));
        }
        let content = choice.message.content.unwrap_or_default();
        parse_reply(&content, call.batch.segments.len()).map_err(invalid)
    }

    fn label(&self, name: &str) -> String {
        format!("{name} ({})", self.model)
    }

    fn billing(&self) -> Billing {
        Billing::EstimatedTokens
    }

    fn adopt_glossary(&self, glossary: &Arc<Glossary>) -> bool {
        // A second chain's glossary for the same backend object is ignored: one run,
        // one glossary.
        let _ = self.glossary.set(Arc::clone(glossary));
        true
    }
}

/// The glossary terms of `batch`'s segments with their required translations, each
/// once, in order of appearance.
fn terms_of(glossary: &Glossary, batch: &Batch) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for segment in &batch.segments {
        for pair in glossary.required_in(&segment.text, &batch.target) {
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}

/// The language's English name for the prompt; any tag works (an LLM knows it).
fn language_name(lang: &Lang) -> Option<String> {
    let name = match (lang.language(), super::codes::chinese_traditional(lang)) {
        (_, Some(true)) => "Traditional Chinese",
        (_, Some(false)) => "Simplified Chinese",
        ("vi", _) => "Vietnamese",
        ("en", _) => "English",
        ("ko", _) => "Korean",
        ("ja", _) => "Japanese",
        ("fr", _) => "French",
        ("de", _) => "German",
        ("es", _) => "Spanish",
        ("th", _) => "Thai",
        ("ru", _) => "Russian",
        _ => return Some(format!("the language with BCP 47 tag `{lang}`")),
    };
    Some(format!("{name} ({lang})"))
}

/// The system prompt; `glossary` lists the request's terms and their required
/// translations, one `source → target` line each.
fn system_prompt(source: &str, target: &str, glossary: &[(String, String)]) -> String {
    let mut prompt = format!(
        "You translate news text from {source} to {target}.\n\
         Rules:\n\
         - Translate every segment, each on its own; use the context only to understand it.\n\
         - Keep every tag such as <g1>, </g1> and <x2/> exactly as written, around the words it marks.\n\
         - Answer only with JSON: {{\"translations\":[{{\"id\":0,\"text\":\"...\"}}]}}, one entry per segment id, no commentary."
    );
    if !glossary.is_empty() {
        prompt.push_str(
            "\nGlossary: translate each of these terms exactly as given (names given as themselves stay unchanged):",
        );
        for (term, translation) in glossary {
            prompt.push_str(&format!("\n- {term} → {translation}"));
        }
    }
    prompt
}

fn user_message(batch: &Batch) -> String {
    let segments: Vec<Value> = batch
        .segments
        .iter()
        .enumerate()
        .map(|(id, s)| match &s.context {
            Some(context) => json!({"id": id, "text": &*s.text, "context": &**context}),
            None => json!({"id": id, "text": &*s.text}),
        })
        .collect();
    json!({"segments": segments}).to_string()
}

fn schema() -> Value {
    json!({"type": "json_schema", "json_schema": {"name": "translations", "strict": true,
        "schema": {"type": "object", "additionalProperties": false, "required": ["translations"],
            "properties": {"translations": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["id", "text"],
                "properties": {"id": {"type": "integer"}, "text": {"type": "string"}}}}}}}})
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

/// The translations in a reply, by id: tolerant of code fences, prose around the JSON,
/// and a bare array of strings.
fn parse_reply(content: &str, count: usize) -> Result<Vec<String>, String> {
    let start = content.find('{').ok_or("no JSON object in the reply")?;
    let end = content.rfind('}').ok_or("no JSON object in the reply")?;
    let value: Value = serde_json::from_str(content.get(start..=end).unwrap_or_default())
        .map_err(|e| format!("reply is not JSON: {e}"))?;
    let items = value["translations"]
        .as_array()
        .ok_or("reply has no `translations` array")?;
    if items.len() != count {
        return Err(format!(
            "expected {count} translations, got {}",
            items.len()
        ));
    }
    let mut out: Vec<Option<String>> = vec![None; count];
    for (index, item) in items.iter().enumerate() {
        let (id, text) = match item {
            Value::String(text) => (index, text.clone()),
            _ => {
                let id = item["id"].as_u64().ok_or("an entry has no numeric `id`")?;
                let text = item["text"].as_str().ok_or("an entry has no `text`")?;
                (usize::try_from(id).unwrap_or(usize::MAX), text.to_owned())
            }
        };
        let slot = out.get_mut(id).ok_or(format!("unknown id {id}"))?;
        if slot.replace(text).is_some() {
            return Err(format!("id {id} answered twice"));
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(id, t)| t.ok_or(format!("id {id} is missing")))
        .collect()
}

impl OpenAi {
    fn classify(
        &self,
        name: &str,
        status: u16,
        body: &str,
        retry_after: Option<std::time::Duration>,
    ) -> BackendError {
        let value: Value = serde_json::from_str(body).unwrap_or_default();
        let code = |key: &str| value["error"][key].as_str().unwrap_or_default().to_owned();
        let quota = ["insufficient_quota", "credit_balance_exhausted"];
        let is_quota =
            |c: String| quota.contains(&c.as_str()) || c.ends_with("_spend_limit_exceeded");
        if status == 429 && (is_quota(code("code")) || is_quota(code("type"))) {
            return BackendError::Quota {
                backend: name.to_owned(),
                message: format!(
                    "{} (add credit or raise the spend limit in the account's billing settings)",
                    service_message(body)
                ),
            };
        }
        classify_common(name, status, body, retry_after, self.http.key_var())
    }

    fn body(&self, call: &Call<'_>, format: u8) -> Value {
        let terms = self
            .glossary
            .get()
            .map(|g| terms_of(g, call.batch))
            .unwrap_or_default();
        let mut body = json!({
            "model": self.model,
            "temperature": self.temperature,
            "messages": [
                {"role": "system", "content": system_prompt(&call.source, &call.target, &terms)},
                {"role": "user", "content": user_message(call.batch)},
            ],
        });
        match format {
            JSON_SCHEMA => body["response_format"] = schema(),
            JSON_OBJECT => body["response_format"] = json!({"type": "json_object"}),
            _ => {}
        }
        body
    }

    async fn post(&self, call: &Call<'_>, format: u8) -> Result<Vec<u8>, BackendError> {
        let body = self.body(call, format);
        let body = JsonBody::new(call.backend, &body, JsonBody::size_hint(call.batch) + 1024)?;
        let key = self.http.key().map(|k| format!("Bearer {k}"));
        self.http
            .send(
                Charge::text(call.batch.chars(), &call.batch.target),
                &|c| {
                    let request = body.attach(c.post(&self.url));
                    match &key {
                        Some(k) => request.header("Authorization", k),
                        None => request,
                    }
                },
                &|s, b, r| self.classify(call.backend, s, b, r),
            )
            .await
    }

    /// Posts with the remembered `response_format`, stepping down when refused.
    async fn post_with_fallback(&self, call: &Call<'_>) -> Result<Vec<u8>, BackendError> {
        loop {
            let format = self.format.load(Ordering::Relaxed);
            match self.post(call, format).await {
                Err(BackendError::Rejected {
                    status: Some(400),
                    message,
                    ..
                }) if format < PLAIN && message.contains("response_format") => {
                    tracing::info!(backend = %call.backend, "server refused the response format; trying a simpler one");
                    let _ = self.format.compare_exchange(
                        format,
                        format + 1,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_in_fences_with_prose_is_parsed_by_id() {
        let reply = "Sure!\n```json\n{\"translations\":[{\"id\":1,\"text\":\"B\"},{\"id\":0,\"text\":\"A\"}]}\n```";
        assert_eq!(parse_reply(reply, 2).unwrap(), ["A", "B"]);
    }

    #[test]
    fn bad_replies_are_refused() {
        assert!(parse_reply("{\"translations\":[\"A\"]}", 2).is_err());
        assert!(
            parse_reply(
                "{\"translations\":[{\"id\":0,\"text\":\"A\"},{\"id\":0,\"text\":\"B\"}]}",
                2
            )
            .is_err()
        );
        assert!(parse_reply("no json", 1).is_err());
        assert_eq!(parse_reply("{\"translations\":[\"A\"]}", 1).unwrap(), ["A"]);
    }

    #[test]
    fn prompt_names_languages_and_rules() {
        let p = system_prompt("Vietnamese (vi)", "Korean (ko)", &[]);
        assert!(p.contains("Vietnamese (vi) to Korean (ko)") && p.contains("<g1>"));
    }
}
