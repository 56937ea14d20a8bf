//! Behaviour every HTTP backend shares, run against each: success and batch limits,
//! tags, retries (429 with and without `Retry-After`, 5xx, timeouts), unusable
//! answers, fatal auth and quota errors without the key, and the circuit breaker.

use std::time::{Duration, Instant};

use futures::future::join_all;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::*;
use crate::backend::BackendError;

/// A fresh server per backend, so request counts are per test and backend.
async fn server_for(_kind: &str) -> MockServer {
    MockServer::start().await
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

async fn for_each_kind<F, Fut>(test: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    join_all(HTTP_KINDS.iter().map(|kind| test(kind))).await;
}

#[tokio::test]
async fn success_within_batch_limits() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        Mock::given(method("POST"))
            .and(path(path_of(kind)))
            .respond_with(Echo(kind))
            .expect(3)
            .mount(&server)
            .await;
        let mut config = config(kind, &server.uri());
        config.max_segments_per_request = Some(2);
        let texts = ["một", "hai", "ba", "bốn", "năm"];
        let out = backend(&config).translate(&batch(&texts)).await.unwrap();
        let expected: Vec<String> = texts.iter().map(|t| format!("EN {t}")).collect();
        assert_eq!(out, expected, "{kind}");
        for request in server.received_requests().await.unwrap() {
            assert!(sent_texts(kind, &request.body).len() <= 2, "{kind}");
        }
    })
    .await;
}

#[tokio::test]
async fn character_limit_splits_requests() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        Mock::given(path(path_of(kind)))
            .respond_with(Echo(kind))
            .expect(2)
            .mount(&server)
            .await;
        let mut config = config(kind, &server.uri());
        config.max_chars_per_request = Some(10);
        let out = backend(&config)
            .translate(&batch(&["mười ký tự", "mười ký tự"]))
            .await
            .unwrap();
        assert_eq!(out.len(), 2, "{kind}");
    })
    .await;
}

#[tokio::test]
async fn tags_are_preserved() {
    // DeepL's tag handling has its own tests (it depends on the language list).
    for kind in ["google", "azure", "libretranslate", "openai"] {
        let server = server_for(kind).await;
        mount_echo(&server, kind).await;
        let source = "Xem <g1>báo cáo & số liệu</g1> tại <x2/>.";
        let results = chain(&config(kind, &server.uri()))
            .translate(&batch(&[source]))
            .await
            .unwrap();
        let out = results[0].as_ref().unwrap();
        assert_eq!(out.text, format!("EN {source}"), "{kind}");
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        mount_once(
            &server,
            kind,
            ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        )
        .await;
        mount_echo(&server, kind).await;
        let start = Instant::now();
        let out = backend(&config(kind, &server.uri()))
            .translate(&batch(&["xin chào"]))
            .await
            .unwrap();
        let waited = start.elapsed();
        assert_eq!(out, ["EN xin chào"], "{kind}");
        // Real sockets to wiremock: tokio's paused clock would jump to the request
        // timeout while the answer is on its way, so the wall clock is measured, and
        // only its lower bound, which a busy CI cannot break, is asserted.
        assert!(waited >= Duration::from_secs(1), "{kind} waited {waited:?}");
        assert_eq!(requests(&server).await, 2, "{kind}");
    })
    .await;
}

#[tokio::test]
async fn rate_limit_and_server_errors_are_retried() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        for status in [429, 500, 503] {
            mount_once(&server, kind, ResponseTemplate::new(status)).await;
        }
        mount_echo(&server, kind).await;
        let out = backend(&config(kind, &server.uri()))
            .translate(&batch(&["xin chào"]))
            .await
            .unwrap();
        assert_eq!(out, ["EN xin chào"], "{kind}");
        // Three failures, three retries: the backoff's own bounds are tested in
        // `retry.rs`, without a clock.
        assert_eq!(requests(&server).await, 4, "{kind}");
        let received = server.received_requests().await.unwrap();
        assert!(
            received.windows(2).all(|w| w[0].body == w[1].body),
            "{kind}: every attempt sends the same body"
        );
    })
    .await;
}

#[tokio::test]
async fn a_hanging_request_times_out_and_is_retried() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        mount_once(&server, kind, Echo(kind).delayed()).await;
        mount_echo(&server, kind).await;
        let mut config = config(kind, &server.uri());
        config.timeout_secs = 0.3;
        let out = backend(&config)
            .translate(&batch(&["xin chào"]))
            .await
            .unwrap();
        // Two requests prove the timeout: without it the first, delayed answer would
        // have been taken and no second request made.
        assert_eq!(out, ["EN xin chào"], "{kind}");
        assert_eq!(requests(&server).await, 2, "{kind}");
    })
    .await;
}

#[tokio::test]
async fn timeouts_fail_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(path(path_of("deepl")))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let mut config = config("deepl", &server.uri());
    config.timeout_secs = 0.2;
    config.max_retries = 1;
    let err = backend(&config)
        .translate(&batch(&["a"]))
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Timeout { .. }), "{err}");
    assert_eq!(requests(&server).await, 2);
}

/// Asserts that every backend asks once more when a 2xx answer is `body`, then fails
/// each segment as unusable.
async fn an_unusable_body_is_asked_once_more_then_fails(body: impl Fn(&str) -> Vec<u8> + Copy) {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        Mock::given(path(path_of(kind)))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body(kind), "application/json"))
            .expect(2)
            .mount(&server)
            .await;
        let results = chain(&config(kind, &server.uri()))
            .translate(&batch(&["một", "hai"]))
            .await
            .unwrap();
        for result in &results {
            let reason = result.as_ref().unwrap_err();
            assert!(reason.contains("unusable"), "{kind}: {reason}");
        }
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_asked_once_more_then_fails() {
    an_unusable_body_is_asked_once_more_then_fails(|_| b"{not json".to_vec()).await;
}

/// JSON is UTF-8 (RFC 8259): an answer with bytes that are not is unusable, like
/// malformed JSON, rather than read with replacement characters that would reach a
/// translated file.
#[tokio::test]
async fn an_answer_that_is_not_utf8_is_asked_once_more_then_fails() {
    an_unusable_body_is_asked_once_more_then_fails(|kind| {
        let json = answer(kind, &["một".to_owned(), "MARK".to_owned()]).to_string();
        let at = json.find("MARK").expect("the mark is in the answer");
        let mut bytes = json.replace("MARK", "").into_bytes();
        // A lead byte followed by no continuation byte.
        bytes.splice(at..at, [0xC3, 0x28]);
        bytes
    })
    .await;
}

#[tokio::test]
async fn wrong_number_of_translations_fails_the_batch() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        let one = answer(kind, &["only one".to_owned()]);
        Mock::given(path(path_of(kind)))
            .respond_with(ResponseTemplate::new(200).set_body_json(one))
            .expect(2)
            .mount(&server)
            .await;
        let err = backend(&config(kind, &server.uri()))
            .translate(&batch(&["một", "hai"]))
            .await
            .unwrap_err();
        assert!(
            matches!(err, BackendError::InvalidResponse { .. }),
            "{kind}: {err}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_unusable_answer_is_retried_once() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        let empty = answer(kind, &[String::new()]);
        mount_once(
            &server,
            kind,
            ResponseTemplate::new(200).set_body_json(empty),
        )
        .await;
        mount_echo(&server, kind).await;
        let out = backend(&config(kind, &server.uri()))
            .translate(&batch(&["một"]))
            .await
            .unwrap();
        assert_eq!(out, ["EN một"], "{kind}");
        assert_eq!(requests(&server).await, 2, "{kind}");
    })
    .await;
}

#[tokio::test]
async fn auth_failure_is_fatal_at_once_and_hides_the_key() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        Mock::given(path(path_of(kind)))
            .respond_with(failure(kind, "auth"))
            .expect(1)
            .mount(&server)
            .await;
        let backend = backend(&config(kind, &server.uri()));
        let err = crate::backend::Chain::new(vec![backend.clone()])
            .translate(&batch(&["một"]))
            .await
            .unwrap_err();
        assert!(matches!(err, BackendError::Auth { .. }), "{kind}: {err}");
        assert!(err.is_fatal());
        let message = err.to_string();
        assert!(message.contains(KEY_VAR), "{kind}: {message}");
        assert!(!message.contains(KEY), "{kind}: {message}");
        assert!(!format!("{err:?}").contains(KEY), "{kind}");
        assert!(!format!("{backend:?}").contains(KEY), "{kind}: {backend:?}");
    })
    .await;
}

#[tokio::test]
async fn exhausted_quota_is_fatal_at_once() {
    // LibreTranslate has no quota answer of its own (a 403 is an auth failure).
    for kind in ["deepl", "google", "azure", "openai"] {
        let server = server_for(kind).await;
        Mock::given(path(path_of(kind)))
            .respond_with(failure(kind, "quota"))
            .expect(1)
            .mount(&server)
            .await;
        let err = backend(&config(kind, &server.uri()))
            .translate(&batch(&["một"]))
            .await
            .unwrap_err();
        assert!(matches!(err, BackendError::Quota { .. }), "{kind}: {err}");
        assert!(err.is_fatal(), "{kind}");
    }
}

#[tokio::test]
async fn circuit_breaker_stops_the_run() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        Mock::given(path(path_of(kind)))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let mut config = config(kind, &server.uri());
        config.circuit_breaker_failures = 3;
        config.max_retries = 5;
        let chain = chain(&config);
        for _ in 0..4 {
            let err = chain.translate(&batch(&["một"])).await.unwrap_err();
            assert!(
                matches!(err, BackendError::CircuitOpen { .. }),
                "{kind}: {err}"
            );
        }
        assert_eq!(requests(&server).await, 3, "{kind}");
    })
    .await;
}

#[tokio::test]
async fn too_large_batches_are_halved() {
    for_each_kind(|kind| async move {
        let server = server_for(kind).await;
        mount_once(&server, kind, ResponseTemplate::new(413)).await;
        mount_echo(&server, kind).await;
        let out = backend(&config(kind, &server.uri()))
            .translate(&batch(&["một", "hai", "ba", "bốn"]))
            .await
            .unwrap();
        assert_eq!(out.len(), 4, "{kind}");
        let sizes: Vec<usize> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| sent_texts(kind, &r.body).len())
            .collect();
        assert_eq!(sizes, [4, 2, 2], "{kind}");
    })
    .await;
}
