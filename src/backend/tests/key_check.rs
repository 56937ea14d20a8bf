//! DeepL's check of the key before a run's first batch (`Translator::check_key`, the
//! usage), and what the chain does with the answer.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::*;
use crate::backend::{BackendError, Chain, KeyCheck};

async fn usage_answering(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/usage"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    // The check translates nothing.
    Mock::given(path("/v2/translate"))
        .respond_with(Echo("deepl"))
        .expect(0)
        .mount(&server)
        .await;
    server
}

/// DeepL's check of the key against a usage endpoint answering `status` and `body`
/// (asked once, and no translation).
async fn check_with_usage(status: u16, body: serde_json::Value) -> KeyCheck {
    let server = usage_answering(status, body).await;
    backend(&config("deepl", &server.uri())).check_key().await
}

#[tokio::test]
async fn a_refused_usage_request_refuses_the_key_without_it_in_the_message() {
    let check = check_with_usage(403, json!({"message": "Wrong key"})).await;
    let KeyCheck::Refused(e @ BackendError::Auth { .. }) = check else {
        panic!("{check:?}");
    };
    assert!(!e.to_string().contains(KEY), "{e}");
}

#[tokio::test]
async fn a_used_up_character_limit_is_a_quota_refusal() {
    let check = check_with_usage(
        200,
        json!({"character_count": 500_000, "character_limit": 500_000}),
    )
    .await;
    let KeyCheck::Refused(e @ BackendError::Quota { .. }) = check else {
        panic!("{check:?}");
    };
    assert!(e.to_string().contains("500000 of 500000"), "{e}");
}

#[tokio::test]
async fn a_usage_endpoint_that_does_not_answer_tells_nothing() {
    // A DeepL-compatible proxy without `/v2/usage`, or a server error: the first batch
    // goes alone, as without a check.
    for status in [404, 503] {
        let check = check_with_usage(status, json!({"message": "no"})).await;
        assert!(matches!(check, KeyCheck::Unknown), "{status}: {check:?}");
    }
}

#[tokio::test]
async fn a_usage_answer_accepts_the_key_without_asking_for_the_language_list() {
    // Tag handling left to DeepL: the language list is asked when a batch has tags,
    // as before; the check is the usage, which also tells the quota.
    let usage = json!({"character_count": 180_118, "character_limit": 500_000});
    let server = usage_answering(200, usage).await;
    Mock::given(path("/v3/languages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(0)
        .mount(&server)
        .await;
    let check = backend(&config("deepl", &server.uri())).check_key().await;
    assert!(matches!(check, KeyCheck::Accepted), "{check:?}");
}

#[tokio::test]
async fn a_chain_hands_a_refused_key_over_to_the_next_backend_and_stops_at_the_last() {
    let refused = usage_answering(403, json!({"message": "Wrong key"})).await;
    let fallback = MockServer::start().await;
    let chain = Chain::new(vec![
        backend(&config("deepl", &refused.uri())),
        backend(&config("libretranslate", &fallback.uri())),
    ]);
    // The next backend has no check: its first batch goes alone.
    assert!(!chain.check_key().await.unwrap());
    let handovers = chain.handovers();
    assert_eq!(handovers.len(), 1, "{handovers:?}");
    assert!(
        handovers[0].reason.contains("authentication"),
        "{handovers:?}"
    );

    let alone = usage_answering(403, json!({"message": "Wrong key"})).await;
    let chain = Chain::new(vec![backend(&config("deepl", &alone.uri()))]);
    assert!(matches!(
        chain.check_key().await,
        Err(BackendError::Auth { .. })
    ));
}
