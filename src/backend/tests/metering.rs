//! What the summary's `requests`, `characters_sent` and `characters_billed` are made
//! of (issue 10): the HTTP requests the service received, the characters of the texts
//! it was sent, and the characters DeepL says it billed (`show_billed_characters`).

use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::support::*;

/// DeepL answering as documented with `show_billed_characters: true`: each
/// translation carries `billed_characters` (here: its source text's length, minus 1
/// so the test can tell it from dich's own count).
struct Billed;

impl Respond for Billed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let translations: Vec<_> = sent_texts("deepl", &request.body)
            .iter()
            .map(|t| {
                json!({"detected_source_language": "VI", "text": format!("EN {t}"),
                       "billed_characters": t.chars().count() - 1,
                       "model_type_used": "quality_optimized"})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "translations": translations }))
    }
}

#[tokio::test]
async fn deepl_asks_for_billed_characters_and_the_meter_reports_their_sum() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .and(body_partial_json(json!({"show_billed_characters": true})))
        .respond_with(Billed)
        .expect(1)
        .mount(&server)
        .await;
    let deepl = backend(&config("deepl", &server.uri()));
    deepl
        .translate(&batch(&["Giá xăng giảm.", "Hà Nội mưa."]))
        .await
        .unwrap();
    let metered = deepl.meter().expect("DeepL is metered").snapshot();
    assert_eq!((metered.requests, metered.retries), (1, 0));
    let en = metered.languages["en"];
    assert_eq!(en.characters, 14 + 11);
    assert_eq!(en.billed_characters(), Some(13 + 10));
}

#[tokio::test]
async fn deepl_without_billed_characters_in_its_answer_leaves_them_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .respond_with(Echo("deepl"))
        .mount(&server)
        .await;
    let deepl = backend(&config("deepl", &server.uri()));
    deepl.translate(&batch(&["Giá xăng giảm."])).await.unwrap();
    let en = deepl.meter().unwrap().snapshot().languages["en"];
    assert_eq!(en.characters, 14);
    assert_eq!(en.billed_characters(), None);
}

#[tokio::test]
async fn a_retry_and_a_413_split_count_every_request_the_server_saw() {
    for kind in HTTP_KINDS {
        let server = MockServer::start().await;
        // 429 once, then 413 once for the whole batch, then answers for each half.
        Mock::given(method("POST"))
            .and(path(path_of(kind)))
            .respond_with(ResponseTemplate::new(429))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(path_of(kind)))
            .respond_with(ResponseTemplate::new(413))
            .up_to_n_times(1)
            .with_priority(2)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(path_of(kind)))
            .respond_with(Echo(kind))
            .with_priority(3)
            .mount(&server)
            .await;
        let translator = backend(&config(kind, &server.uri()));
        translator
            .translate(&batch(&["Một.", "Hai."]))
            .await
            .unwrap();
        let received = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == path_of(kind))
            .count();
        let metered = translator.meter().unwrap().snapshot();
        assert_eq!(received, 4, "{kind}");
        assert_eq!(metered.requests, 4, "{kind}: {metered:?}");
        assert_eq!(metered.retries, 1, "{kind}: {metered:?}");
        // Only the two answered halves carried translated text.
        assert_eq!(metered.languages["en"].characters, 8, "{kind}: {metered:?}");
    }
}

#[tokio::test]
async fn text_between_tags_sent_separately_is_counted_without_the_tags() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/languages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"lang": "vi", "name": "Vietnamese", "usable_as_source": true, "usable_as_target": true, "features": {}},
            {"lang": "en-US", "name": "English (American)", "usable_as_source": false, "usable_as_target": true, "features": {"tag_handling": {}}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .respond_with(Billed)
        .mount(&server)
        .await;
    let deepl = backend(&config("deepl", &server.uri()));
    deepl
        .translate(&batch(&["Xem <g1>bài viết</g1> này."]))
        .await
        .unwrap();
    let metered = deepl.meter().unwrap().snapshot();
    // `Xem`, `bài viết`, `này.` (the spaces around tags stay with dich): 15
    // characters, where the tagged segment has 29.
    assert_eq!(metered.languages["en"].characters, 3 + 8 + 4);
    // The language list and the translation: two requests.
    assert_eq!(metered.requests, 2);
}
