//! The exact request each backend sends (headers, body fields, language codes), and
//! the features only one backend has.

use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::*;
use crate::backend::BackendError;
use crate::backend::Segment;

#[tokio::test]
async fn deepl_request_shape_and_context() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(header(
            "Authorization",
            format!("DeepL-Auth-Key {KEY}").as_str(),
        ))
        .and(header(
            "User-Agent",
            concat!("dich/", env!("CARGO_PKG_VERSION")),
        ))
        .and(header("Content-Type", "application/json"))
        .and(body_partial_json(json!({
            "text": ["Giá xăng giảm."], "source_lang": "VI", "target_lang": "ZH-HANS",
            "context": "Tin kinh tế.", "formality": "prefer_less"
        })))
        .respond_with(Echo("deepl"))
        .expect(1)
        .mount(&server)
        .await;
    let mut config = config("deepl", &server.uri());
    config.table = options("formality = \"prefer_less\"");
    let mut batch = batch_to("zh-Hans", &["Giá xăng giảm."]);
    batch.segments[0].context = Some("Tin kinh tế.".into());
    let out = backend(&config).translate(&batch).await.unwrap();
    assert_eq!(out, ["EN Giá xăng giảm."]);
    // No field for what is not set (no glossary, no tags): no `null` DeepL would read.
    let request = &server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    let mut fields: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "context",
            "formality",
            "show_billed_characters",
            "source_lang",
            "target_lang",
            "text"
        ]
    );
}

fn languages(vi_tags: bool) -> serde_json::Value {
    let features = |tags: bool| {
        if tags {
            json!({"glossary": {}, "tag_handling": {}})
        } else {
            json!({"glossary": {}})
        }
    };
    json!([
        {"lang": "vi", "name": "Vietnamese", "usable_as_source": true, "usable_as_target": true, "features": features(vi_tags)},
        {"lang": "en-US", "name": "English (American)", "usable_as_source": false, "usable_as_target": true, "features": features(true)}
    ])
}

#[tokio::test]
async fn deepl_without_tag_support_sends_text_between_tags() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/languages"))
        .and(query_param("resource", "translate_text"))
        .respond_with(ResponseTemplate::new(200).set_body_json(languages(false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/translate"))
        .and(body_partial_json(
            json!({"text": ["Xem", "báo cáo", "tại"]}),
        ))
        .respond_with(Echo("deepl"))
        .expect(2)
        .mount(&server)
        .await;
    let backend = backend(&config("deepl", &server.uri()));
    for _ in 0..2 {
        let out = backend
            .translate(&batch(&["Xem <g1>báo cáo</g1> tại <x2/>."]))
            .await
            .unwrap();
        assert_eq!(out, ["EN Xem <g1>EN báo cáo</g1> EN tại <x2/>."]);
    }
    let requests = server.received_requests().await.unwrap();
    let posts = requests.iter().filter(|r| r.method.as_str() == "POST");
    assert!(
        posts
            .clone()
            .all(|r| !String::from_utf8_lossy(&r.body).contains("tag_handling"))
    );
}

#[tokio::test]
async fn deepl_with_tag_support_uses_xml() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/languages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(languages(true)))
        .mount(&server)
        .await;
    Mock::given(path("/v2/translate"))
        .and(body_partial_json(
            json!({"tag_handling": "xml", "text": ["<g1>A &amp; B</g1>"]}),
        ))
        .respond_with(Echo("deepl"))
        .expect(1)
        .mount(&server)
        .await;
    let out = backend(&config("deepl", &server.uri()))
        .translate(&batch(&["<g1>A & B</g1>"]))
        .await
        .unwrap();
    assert_eq!(out, ["EN <g1>A & B</g1>"]);
}

#[tokio::test]
async fn deepl_usage_reports_characters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/usage"))
        .and(header(
            "Authorization",
            format!("DeepL-Auth-Key {KEY}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"character_count": 180_118, "character_limit": 500_000})),
        )
        .mount(&server)
        .await;
    let usage = backend(&config("deepl", &server.uri()))
        .usage()
        .await
        .unwrap();
    assert_eq!(usage.left(), Some(319_882));
}

#[tokio::test]
async fn google_request_shape_text_and_html() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/language/translate/v2"))
        .and(header("X-goog-api-key", KEY))
        .and(body_partial_json(
            json!({"q": ["Xin chào"], "source": "vi", "target": "zh-CN", "format": "text"}),
        ))
        .respond_with(Echo("google"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/language/translate/v2"))
        .and(body_partial_json(
            json!({"format": "html", "q": ["<span id=\"g1\">Hà Nội</span> &amp; <img id=\"x2\">"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"translations": [
            {"translatedText": "<span id=\"g1\">Hanoi</span> &amp; it&#39;s <img id=\"x2\">"}]}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let backend = backend(&config("google", &server.uri()));
    let out = backend
        .translate(&batch_to("zh-Hans", &["Xin chào"]))
        .await
        .unwrap();
    assert_eq!(out, ["EN Xin chào"]);
    let out = backend
        .translate(&batch(&["<g1>Hà Nội</g1> & <x2/>"]))
        .await
        .unwrap();
    assert_eq!(out, ["<g1>Hanoi</g1> & it's <x2/>"]);
    // The key travels in a header, never in the URL.
    for r in server.received_requests().await.unwrap() {
        assert!(!r.url.as_str().contains(KEY));
    }
}

#[tokio::test]
async fn google_rate_limit_reason_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/language/translate/v2"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {"code": 403,
            "message": "User Rate Limit Exceeded", "errors": [{"reason": "userRateLimitExceeded"}]}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/language/translate/v2"))
        .respond_with(Echo("google"))
        .mount(&server)
        .await;
    let out = backend(&config("google", &server.uri()))
        .translate(&batch(&["một"]))
        .await
        .unwrap();
    assert_eq!(out, ["EN một"]);
}

#[tokio::test]
async fn azure_request_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/translate"))
        .and(query_param("api-version", "3.0"))
        .and(query_param("from", "vi"))
        .and(query_param("to", "zh-Hans"))
        .and(query_param("textType", "html"))
        .and(header("Ocp-Apim-Subscription-Key", KEY))
        .and(header("Ocp-Apim-Subscription-Region", "southeastasia"))
        .and(body_partial_json(
            json!([{"Text": "<span id=\"g1\">Hà Nội</span>"}]),
        ))
        .respond_with(Echo("azure"))
        .expect(1)
        .mount(&server)
        .await;
    let out = backend(&config("azure", &server.uri()))
        .translate(&batch_to("zh-Hans", &["<g1>Hà Nội</g1>"]))
        .await
        .unwrap();
    assert_eq!(out, ["EN <g1>Hà Nội</g1>"]);
}

#[tokio::test]
async fn libretranslate_request_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/translate"))
        .and(body_partial_json(
            json!({"q": ["Xin chào"], "source": "vi", "target": "zh-Hans",
            "format": "html", "api_key": KEY}),
        ))
        .respond_with(Echo("libretranslate"))
        .expect(1)
        .mount(&server)
        .await;
    let out = backend(&config("libretranslate", &server.uri()))
        .translate(&batch_to("zh-Hans", &["Xin chào"]))
        .await
        .unwrap();
    assert_eq!(out, ["EN Xin chào"]);
}

#[tokio::test]
async fn openai_request_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("Authorization", format!("Bearer {KEY}").as_str()))
        .and(body_partial_json(json!({"model": "test-model",
            "response_format": {"type": "json_schema", "json_schema": {"name": "translations"}}})))
        .respond_with(Echo("openai"))
        .expect(1)
        .mount(&server)
        .await;
    let mut batch = batch_to("ko", &["Xin chào", "Hà Nội"]);
    batch.segments[1] = Segment {
        text: "Hà Nội".into(),
        context: Some("Thời tiết".into()),
    };
    let out = backend(&config("openai", &server.uri()))
        .translate(&batch)
        .await
        .unwrap();
    assert_eq!(out, ["EN Xin chào", "EN Hà Nội"]);
    let request = &server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Vietnamese (vi)") && system.contains("Korean (ko)"),
        "{system}"
    );
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.contains("\"id\":1") && user.contains("Thời tiết"),
        "{user}"
    );
}

#[tokio::test]
async fn openai_falls_back_when_json_schema_is_refused() {
    let server = MockServer::start().await;
    Mock::given(path("/chat/completions"))
        .and(body_partial_json(json!({"response_format": {"type": "json_schema"}})))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            "type": "invalid_request_error", "param": "response_format", "code": null}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_object"}}),
        ))
        .respond_with(Echo("openai"))
        .expect(2)
        .mount(&server)
        .await;
    let backend = backend(&config("openai", &server.uri()));
    for _ in 0..2 {
        let out = backend.translate(&batch(&["một"])).await.unwrap();
        assert_eq!(out, ["EN một"]);
    }
}

#[tokio::test]
async fn openai_truncated_reply_fails_and_rate_limit_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/chat/completions"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": {
            "message": "Rate limit reached", "type": "requests", "param": null, "code": "rate_limit_exceeded"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let mut cut = answer("openai", &["một".to_owned()]);
    cut["choices"][0]["finish_reason"] = json!("length");
    Mock::given(path("/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(cut))
        .expect(2)
        .mount(&server)
        .await;
    let err = backend(&config("openai", &server.uri()))
        .translate(&batch(&["một"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("finish_reason"), "{err}");
}

#[tokio::test]
async fn openai_needs_a_model_and_local_servers_need_no_key() {
    let mut config = config("openai", "http://127.0.0.1:9");
    config.api_key_env = None;
    assert!(crate::backend::create("openai", &config, &context()).is_ok());
    config.table = options("");
    let err = crate::backend::create("openai", &config, &context()).unwrap_err();
    assert!(err.to_string().contains("model"), "{err}");
}

#[tokio::test]
async fn missing_key_and_unsupported_pair_fail_before_any_call() {
    let server = MockServer::start().await;
    let mut config = config("deepl", &server.uri());
    config.api_key_env = Some("DICH_UNSET_VARIABLE".into());
    let err = crate::backend::create("deepl", &config, &context()).unwrap_err();
    assert!(matches!(err, BackendError::Config { .. }));
    assert!(err.to_string().contains("DICH_UNSET_VARIABLE"));

    let backend = backend(&super::support::config("deepl", &server.uri()));
    let err = backend.check_pair(&lang("vi"), &lang("km")).unwrap_err();
    assert!(matches!(err, BackendError::UnsupportedPair { .. }), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

/// A DeepL server answering `primary` (expected `calls` times), then an OpenAI
/// server answering `second` (expected `second_calls` times), and the chain of both;
/// the servers are returned to keep them running.
async fn deepl_then_openai(
    primary: ResponseTemplate,
    calls: u64,
    second: impl wiremock::Respond + 'static,
    second_calls: u64,
) -> (crate::backend::Chain, MockServer, MockServer) {
    let deepl = MockServer::start().await;
    Mock::given(path("/v2/translate"))
        .respond_with(primary)
        .expect(calls)
        .mount(&deepl)
        .await;
    let openai = MockServer::start().await;
    Mock::given(path("/chat/completions"))
        .respond_with(second)
        .expect(second_calls)
        .mount(&openai)
        .await;
    let mut first = config("deepl", &deepl.uri());
    // One failure opens DeepL's circuit (the 503 case below).
    first.circuit_breaker_failures = 1;
    first.max_retries = 0;
    let chain = crate::backend::Chain::new(vec![
        backend(&first),
        backend(&config("openai", &openai.uri())),
    ]);
    (chain, deepl, openai)
}

#[tokio::test]
async fn fallback_takes_over_failed_segments() {
    let bad = ResponseTemplate::new(400).set_body_json(json!({"message": "bad"}));
    let (chain, _deepl, _openai) = deepl_then_openai(bad, 1, Echo("openai"), 1).await;
    let results = chain.translate(&batch(&["một"])).await.unwrap();
    let out = results[0].as_ref().unwrap();
    assert_eq!(out.text, "EN một");
    assert_eq!(out.backend, "openai (test-model)");
}

/// Issue 10: a primary whose key is rejected, whose quota is used up or whose circuit
/// opens is retired once, and the fallback takes every later batch.
#[tokio::test]
async fn a_retired_primary_hands_over_to_the_fallback_once() {
    for what in ["quota", "auth", "circuit"] {
        let answer = match what {
            "circuit" => ResponseTemplate::new(503),
            _ => failure("deepl", what),
        };
        let (chain, _deepl, _openai) = deepl_then_openai(answer, 1, Echo("openai"), 2).await;
        for text in ["một", "hai"] {
            let results = chain.translate(&batch(&[text])).await.unwrap();
            let out = results[0].as_ref().unwrap();
            assert_eq!(out.text, format!("EN {text}"), "{what}");
            assert_eq!(out.backend, "openai (test-model)", "{what}");
        }
        let handovers = chain.handovers();
        assert_eq!(handovers.len(), 1, "{what}: {handovers:?}");
        assert_eq!(handovers[0].backend, "deepl", "{what}");
    }
}

/// Issue 10: the run stops only when the chain is exhausted.
#[tokio::test]
async fn the_run_stops_when_the_last_backend_is_retired_too() {
    let quota = failure("deepl", "quota");
    let (chain, _deepl, _openai) = deepl_then_openai(quota, 1, failure("openai", "auth"), 1).await;
    let err = chain.translate(&batch(&["một"])).await.unwrap_err();
    assert!(matches!(err, BackendError::Auth { .. }), "{err}");
}
