//! A wiremock server that speaks DeepL's `/v2/translate` as documented, echoing each
//! text with a marker, after a delay, failing every n-th request if asked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Translates `text` to `EN:text` (tags untouched, since they are inside `text`).
pub(crate) struct DeeplEcho {
    delay: Duration,
    fail_every: Option<(usize, u16)>,
    /// Answer without the XML tags that were sent, as DeepL's own mock server does.
    drop_tags: bool,
    /// Add `billed_characters` (the text's length, tags included) to each
    /// translation, as DeepL does when asked with `show_billed_characters`.
    billed: bool,
    requests: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
    /// Every text received, as `TARGET:text`, to count what was paid for.
    sent: Arc<Mutex<Vec<String>>>,
}

impl Respond for DeeplEcho {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        // Requests in flight: counted on arrival, uncounted a little before the delayed
        // answer leaves (a thread, since `respond` cannot await), so that a client
        // sending one at a time is never counted twice.
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let in_flight = Arc::clone(&self.in_flight);
        let leaves = self.delay.saturating_sub(Duration::from_millis(20));
        std::thread::spawn(move || {
            std::thread::sleep(leaves);
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
        if let Some((every, status)) = self.fail_every
            && n.is_multiple_of(every)
        {
            return ResponseTemplate::new(status)
                .set_body_json(serde_json::json!({"message": "Too many requests"}));
        }
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let target = body["target_lang"].as_str().unwrap_or("?").to_owned();
        let translations: Vec<serde_json::Value> = body["text"]
            .as_array()
            .map(|texts| {
                texts
                    .iter()
                    .map(|t| {
                        let text = t.as_str().unwrap_or_default();
                        if let Ok(mut sent) = self.sent.lock() {
                            sent.push(format!("{target}:{text}"));
                        }
                        let text = if self.drop_tags {
                            without_tags(text)
                        } else {
                            text.to_owned()
                        };
                        let mut answer = serde_json::json!({
                            "detected_source_language": "VI",
                            "text": format!("{target}:{text}"),
                        });
                        if self.billed && body["show_billed_characters"] == true {
                            let billed = t.as_str().unwrap_or_default().chars().count();
                            answer["billed_characters"] = billed.into();
                        }
                        answer
                    })
                    .collect()
            })
            .unwrap_or_default();
        ResponseTemplate::new(200)
            .set_delay(self.delay)
            .set_body_json(serde_json::json!({ "translations": translations }))
    }
}

/// `text` without anything between `<` and `>`.
fn without_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        match c {
            '<' => inside = true,
            '>' if inside => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// A running mock DeepL and its request counter (translate requests only).
pub(crate) struct Deepl {
    pub(crate) server: MockServer,
    pub(crate) requests: Arc<AtomicUsize>,
    pub(crate) most_in_flight: Arc<AtomicUsize>,
    pub(crate) sent: Arc<Mutex<Vec<String>>>,
}

impl Deepl {
    /// Starts the server; `fail_every = Some((3, 503))` fails every third request.
    pub(crate) async fn start(delay: Duration, fail_every: Option<(usize, u16)>) -> Self {
        Deepl::start_with(delay, fail_every, false, false).await
    }

    /// A server that reports `billed_characters` when asked, failing every
    /// `fail_every`-th request with 429.
    pub(crate) async fn billing(fail_every: Option<usize>) -> Self {
        Deepl::start_with(Duration::ZERO, fail_every.map(|n| (n, 429)), false, true).await
    }

    /// A server that answers every text without its tags.
    pub(crate) async fn dropping_tags() -> Self {
        Deepl::start_with(Duration::ZERO, None, true, false).await
    }

    async fn start_with(
        delay: Duration,
        fail_every: Option<(usize, u16)>,
        drop_tags: bool,
        billed: bool,
    ) -> Self {
        let server = MockServer::start().await;
        let requests = Arc::new(AtomicUsize::new(0));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(Mutex::new(Vec::new()));
        Mock::given(method("POST"))
            .and(path("/v2/translate"))
            .respond_with(DeeplEcho {
                delay,
                fail_every,
                drop_tags,
                billed,
                requests: Arc::clone(&requests),
                in_flight: Arc::new(AtomicUsize::new(0)),
                most_in_flight: Arc::clone(&most_in_flight),
                sent: Arc::clone(&sent),
            })
            .mount(&server)
            .await;
        // The account, as DeepL documents it: dich checks the key with it before the
        // first batch, and then starts every request slot at once.
        Mock::given(method("GET"))
            .and(path("/v2/usage"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "character_count": 0, "character_limit": 500_000_000
            })))
            .mount(&server)
            .await;
        Deepl {
            server,
            requests,
            most_in_flight,
            sent,
        }
    }

    /// The most translate requests the server was answering at once.
    pub(crate) fn most_in_flight(&self) -> usize {
        self.most_in_flight.load(Ordering::SeqCst)
    }

    /// Every text received so far, as `TARGET:text`, in order of arrival.
    pub(crate) fn sent(&self) -> Vec<String> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Translate requests received so far (including failed ones).
    pub(crate) fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// A config using this server, with XML tag handling (one request per batch) and fast retries.
    /// The QA gate is off: the mock's answers are marked source text, not
    /// translations (QA would hold every one); tests/testsuite/qa.rs tests the gate.
    pub(crate) fn config(&self, concurrency: usize, batch: usize) -> String {
        format!(
            "{}[qa]\nenabled = false\n\n[backend]\nkind = \"deepl\"\nbase_url = \"{}\"\napi_key_env = \"DICH_TEST_DEEPL_KEY\"\ntag_handling = true\nconcurrency = {concurrency}\nmax_segments_per_request = {batch}\nmax_retries = 6\n",
            crate::support::CONFIG,
            self.server.uri()
        )
    }
}
