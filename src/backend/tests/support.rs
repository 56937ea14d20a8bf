//! Test support: configs pointing at a mock server, a fast [`BuildContext`], and an
//! echo responder that answers each backend in its own format.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::backend::{Backoff, Batch, BuildContext, Chain, Translator, create};
use crate::config::{BackendConfig, BackendTable};
use crate::lang::Lang;

/// The test key; no error message or `Debug` output may contain it.
pub(super) const KEY: &str = "sekret-KEY-0123456789:fx";
pub(super) const KEY_VAR: &str = "DICH_TEST_KEY";

/// The HTTP backends under test.
pub(super) const HTTP_KINDS: &[&str] = &["deepl", "google", "azure", "libretranslate", "openai"];

/// Where each backend posts translations.
pub(super) fn path_of(kind: &str) -> &'static str {
    match kind {
        "deepl" => "/v2/translate",
        "google" => "/language/translate/v2",
        "openai" => "/chat/completions",
        _ => "/translate",
    }
}

pub(super) fn config(kind: &str, uri: &str) -> BackendConfig {
    BackendConfig {
        kind: kind.to_owned(),
        base_url: Some(uri.to_owned()),
        api_key_env: Some(KEY_VAR.to_owned()),
        timeout_secs: 2.0,
        max_retries: 3,
        circuit_breaker_failures: 10,
        table: options(match kind {
            "openai" => "model = \"test-model\"",
            "azure" => "region = \"southeastasia\"",
            _ => "",
        }),
        ..BackendConfig::default()
    }
}

/// A backend's own options, written as in its config table.
pub(super) fn options(toml: &str) -> BackendTable {
    toml.parse::<toml::Table>().unwrap().into()
}

pub(super) fn context() -> BuildContext {
    let env = HashMap::from([(KEY_VAR.to_owned(), KEY.to_owned())]);
    BuildContext::new(Duration::from_secs(2))
        .unwrap()
        .with_backoff(Backoff {
            base: Duration::from_millis(5),
            max: Duration::from_millis(20),
        })
        .with_env(env)
}

pub(super) fn backend(config: &BackendConfig) -> Arc<dyn Translator> {
    create(&config.kind, config, &context()).unwrap()
}

pub(super) fn chain(config: &BackendConfig) -> Chain {
    Chain::new(vec![backend(config)])
}

pub(super) fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap()
}

pub(super) fn batch_to(target: &str, texts: &[&str]) -> Batch {
    Batch::of_texts(lang("vi"), lang(target), texts)
}

pub(super) fn batch(texts: &[&str]) -> Batch {
    batch_to("en", texts)
}

/// The texts a backend sent in a request body.
pub(super) fn sent_texts(kind: &str, body: &[u8]) -> Vec<String> {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    match kind {
        "deepl" => strings(&v["text"]),
        "google" | "libretranslate" => strings(&v["q"]),
        "azure" => v
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|o| o["Text"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        "openai" => {
            let content = v["messages"][1]["content"].as_str().unwrap_or_default();
            let inner: Value = serde_json::from_str(content).unwrap_or_default();
            inner["segments"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|s| s["text"].as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// A success body of `kind` carrying `translations`.
pub(super) fn answer(kind: &str, translations: &[String]) -> Value {
    match kind {
        "deepl" => {
            json!({"translations": translations.iter().map(|t| json!({"detected_source_language": "VI", "text": t})).collect::<Vec<_>>()})
        }
        "google" => {
            json!({"data": {"translations": translations.iter().map(|t| json!({"translatedText": t})).collect::<Vec<_>>()}})
        }
        "azure" => Value::Array(
            translations
                .iter()
                .map(|t| json!({"translations": [{"text": t, "to": "en"}]}))
                .collect(),
        ),
        "libretranslate" => json!({"translatedText": translations}),
        "openai" => {
            let items: Vec<Value> = translations
                .iter()
                .enumerate()
                .map(|(id, t)| json!({"id": id, "text": t}))
                .collect();
            let content = json!({"translations": items}).to_string();
            json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
        }
        _ => Value::Null,
    }
}

/// Answers every text with `EN ` + the text (tags and HTML kept), in the backend's format.
pub(super) struct Echo(pub(super) &'static str);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let texts: Vec<String> = sent_texts(self.0, &request.body)
            .iter()
            .map(|t| format!("EN {t}"))
            .collect();
        ResponseTemplate::new(200).set_body_json(answer(self.0, &texts))
    }
}

/// A failure body of `kind` for `status` (auth or quota), echoing the key where a
/// careless service might.
pub(super) fn failure(kind: &str, what: &str) -> ResponseTemplate {
    let echo = format!("Invalid key {KEY}");
    let (status, body) = match (kind, what) {
        ("deepl", "auth") => (403, json!({"message": echo})),
        ("deepl", _) => (456, json!({"message": "Quota Exceeded"})),
        ("google", "auth") => (
            403,
            json!({"error": {"code": 403, "message": echo, "errors": [{"reason": "forbidden"}]}}),
        ),
        ("google", _) => (
            403,
            json!({"error": {"code": 403, "message": "Daily Limit Exceeded", "errors": [{"reason": "dailyLimitExceeded"}]}}),
        ),
        ("azure", "auth") => (401, json!({"error": {"code": 401_000, "message": echo}})),
        ("azure", _) => (
            403,
            json!({"error": {"code": 403_001, "message": "Out of quota"}}),
        ),
        ("libretranslate", _) => (403, json!({"error": echo})),
        ("openai", "auth") => (
            401,
            json!({"error": {"message": echo, "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
        ),
        _ => (
            429,
            json!({"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}),
        ),
    };
    ResponseTemplate::new(status).set_body_json(body)
}

/// An [`Echo`] that answers after 2 s (past the tests' short timeouts).
pub(super) struct Delayed(&'static str);

impl Echo {
    pub(super) fn delayed(self) -> Delayed {
        Delayed(self.0)
    }
}

impl Respond for Delayed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        Echo(self.0)
            .respond(request)
            .set_delay(Duration::from_secs(2))
    }
}

/// Mounts `responder` for the first request to the kind's path only.
pub(super) async fn mount_once<R: Respond + 'static>(
    server: &MockServer,
    kind: &str,
    responder: R,
) {
    Mock::given(path(path_of(kind)))
        .respond_with(responder)
        .up_to_n_times(1)
        .mount(server)
        .await;
}

/// Mounts the echo translation for every request to the kind's path.
pub(super) async fn mount_echo(server: &MockServer, kind: &'static str) {
    Mock::given(path(path_of(kind)))
        .respond_with(Echo(kind))
        .mount(server)
        .await;
}
