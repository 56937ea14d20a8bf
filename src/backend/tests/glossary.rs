//! Terminology on every backend: placeholders for the services without a glossary
//! feature (google, libretranslate, pseudo, …), the prompt for OpenAI-compatible
//! servers, DeepL's glossary API.

use std::sync::Arc;

use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::*;
use crate::backend::{Chain, create};
use crate::config::BackendConfig;
use crate::qa::Glossary;

pub(super) const GLOSSARY: &str = r#"
[[term]]
vi = ["UBND tỉnh", "Ủy ban nhân dân tỉnh"]
en = "Provincial People's Committee"
ko = "성 인민위원회"
zh-Hans = "省人民委员会"

[[term]]
vi = "Sở Thông tin và Truyền thông"
en = "Department of Information and Communications"
ko = "정보통신국"
zh-Hans = "信息和传媒厅"

[[term]]
vi = "Viettel"
translate = false
"#;

pub(super) fn glossary(text: &str) -> Arc<Glossary> {
    Arc::new(Glossary::parse(text, std::path::Path::new("glossary.toml")).unwrap())
}

fn chain_with_glossary(config: &BackendConfig) -> Chain {
    Chain::new(vec![backend(config)]).with_glossary(glossary(GLOSSARY))
}

#[tokio::test]
async fn google_gets_placeholders_and_the_answer_has_the_required_forms() {
    let server = MockServer::start().await;
    // The terms travel as placeholder tags (HTML `<img>` for Google), never as text,
    // numbered after the segment's own tag.
    Mock::given(method("POST"))
        .and(path("/language/translate/v2"))
        .and(body_partial_json(json!({
            "q": ["<img id=\"x2\"> ký kết với <img id=\"x3\"> tại <span id=\"g1\">Bắc Ninh</span>."],
            "format": "html",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"translations": [
            {"translatedText": "<img id=\"x2\"> signed with <img id=\"x3\"> in <span id=\"g1\">Bac Ninh</span>."}
        ]}})))
        .expect(1)
        .mount(&server)
        .await;
    let chain = chain_with_glossary(&config("google", &server.uri()));
    let results = chain
        .translate(&batch(&[
            "UBND tỉnh ký kết với Viettel tại <g1>Bắc Ninh</g1>.",
        ]))
        .await
        .unwrap();
    assert_eq!(
        results[0].as_ref().unwrap().text,
        "Provincial People's Committee signed with Viettel in <g1>Bac Ninh</g1>."
    );
}

#[tokio::test]
async fn libretranslate_keeps_the_required_forms_and_names_byte_for_byte() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/translate"))
        .and(body_partial_json(json!({
            "q": ["<img id=\"x1\"> của <img id=\"x2\"> gặp <img id=\"x3\">."],
            "target": "ko",
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"translatedText": [
                "<img id=\"x2\">의 <img id=\"x1\">이 <img id=\"x3\">와 만났다."
            ]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let chain = chain_with_glossary(&config("libretranslate", &server.uri()));
    let results = chain
        .translate(&batch_to(
            "ko",
            &["Sở Thông tin và Truyền thông của Ủy ban nhân dân tỉnh gặp Viettel."],
        ))
        .await
        .unwrap();
    assert_eq!(
        results[0].as_ref().unwrap().text,
        "성 인민위원회의 정보통신국이 Viettel와 만났다."
    );
}

#[tokio::test]
async fn a_lost_placeholder_is_repaired_never_published_without_the_term() {
    let server = MockServer::start().await;
    // The first answer drops the placeholder; the repair translates the text around it.
    Mock::given(path("/translate"))
        .and(body_partial_json(json!({"q": ["<img id=\"x1\"> họp."]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"translatedText": ["The committee met."]})),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/translate"))
        .and(body_partial_json(json!({"q": ["họp."]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"translatedText": ["met."]})))
        .expect(1)
        .mount(&server)
        .await;
    let chain = chain_with_glossary(&config("libretranslate", &server.uri()));
    let results = chain.translate(&batch(&["UBND tỉnh họp."])).await.unwrap();
    let repaired = results[0].as_ref().unwrap();
    assert_eq!(repaired.text, "Provincial People's Committee met.");
    assert!(repaired.repaired);
}

#[tokio::test]
async fn pseudo_keeps_the_required_forms() {
    let config = BackendConfig {
        kind: "pseudo".into(),
        ..BackendConfig::default()
    };
    let chain = Chain::new(vec![create("pseudo", &config, &context()).unwrap()])
        .with_glossary(glossary(GLOSSARY));
    for (target, required) in [
        ("en", "Provincial People's Committee"),
        ("ko", "성 인민위원회"),
        ("zh-Hans", "省人民委员会"),
    ] {
        let results = chain
            .translate(&batch_to(target, &["UBND tỉnh và Viettel họp."]))
            .await
            .unwrap();
        let text = &results[0].as_ref().unwrap().text;
        assert!(text.contains(required), "{target}: {text}");
        assert!(text.contains("Viettel"), "{target}: {text}");
        assert!(!text.contains("<x"), "{target}: {text}");
    }
    // Without the glossary pseudo mangles the term like any other text.
    let plain = Chain::new(vec![create("pseudo", &config, &context()).unwrap()]);
    let results = plain.translate(&batch(&["UBND tỉnh họp."])).await.unwrap();
    assert!(!results[0].as_ref().unwrap().text.contains("Provincial"));
}

/// The system prompt of an OpenAI-compatible request.
fn system_prompt(request: &wiremock::Request) -> String {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn openai_gets_the_terms_of_the_batch_in_its_prompt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(|request: &wiremock::Request| {
            let prompt = system_prompt(request);
            prompt.contains("\n- UBND tỉnh → 성 인민위원회")
                && prompt.contains("\n- Viettel → Viettel")
                // Only the terms present: the rest of the glossary stays out.
                && !prompt.contains("정보통신국")
                && !prompt.contains("Ủy ban nhân dân tỉnh")
        })
        .and(body_partial_json(
            json!({"messages": [{"role": "system"}, {"role": "user"}]}),
        ))
        .respond_with(Echo("openai"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(|request: &wiremock::Request| !system_prompt(request).contains("Glossary"))
        .respond_with(Echo("openai"))
        .expect(1)
        .mount(&server)
        .await;
    let chain = chain_with_glossary(&config("openai", &server.uri()));
    // The source text is sent as it is (no placeholders): the model sees the term.
    let results = chain
        .translate(&batch_to(
            "ko",
            &["UBND tỉnh họp.", "Viettel mở rộng mạng."],
        ))
        .await
        .unwrap();
    assert_eq!(results[0].as_ref().unwrap().text, "EN UBND tỉnh họp.");
    // A batch without terms gets no glossary section.
    chain
        .translate(&batch_to("ko", &["Trời đẹp."]))
        .await
        .unwrap();
}
