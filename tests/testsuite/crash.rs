//! Crashes, Ctrl-C and an unreliable service, against a mock DeepL (issues 4 and 5):
//! finished work is kept, nothing is half-written, nothing is paid for twice.

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use dich::lang::Lang;

use crate::mock::Deepl;
use crate::support::{Project, TEST_KEY};

/// The sample project configured for `server`.
fn project_for(server: &Deepl, concurrency: usize, batch: usize) -> Project {
    let project = Project::sample();
    project.write("config.toml", &server.config(concurrency, batch));
    project
}

fn translated_segments(summary: &serde_json::Value) -> u64 {
    summary["segments_sent"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_several_points_then_resume_gives_the_same_files() {
    let reference_server = Deepl::start(Duration::from_millis(60), None).await;
    let reference = project_for(&reference_server, 2, 8);
    let summary = reference.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    let uninterrupted = reference_server.count();
    let expected = reference.translations();
    assert_eq!(expected.len(), 9);

    let server = Deepl::start(Duration::from_millis(60), None).await;
    let project = project_for(&server, 2, 8);
    let mut kills = 0;
    for delay in [300, 700] {
        let mut child = project
            .command(&["translate"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("reap");
    }
    // A run that finished before its kill would make this test prove nothing.
    assert!(
        kills > 0,
        "no run was killed: each finished before its SIGKILL"
    );
    project.run(&["translate"]).expect_code(0);
    assert_eq!(
        project.translations(),
        expected,
        "same files as an uninterrupted run"
    );
    // Each kill can waste at most the requests in flight (concurrency 2).
    assert!(
        server.count() <= uninterrupted + 2 * kills,
        "{} requests, uninterrupted run made {uninterrupted}, {kills} kills",
        server.count()
    );
    let leftovers: Vec<_> = walk_names(&project.path("content"))
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn walk_names(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            out.extend(walk_names(&entry.path()));
        } else {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_keeps_finished_work_and_exits_130() {
    let server = Deepl::start(Duration::from_millis(150), None).await;
    let project = project_for(&server, 1, 4);
    let child = project
        .command(&["translate", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Interrupt once the run is under way (its first request reached the server, so
    // the Ctrl-C handler is installed), not after a fixed delay: on a loaded CI
    // machine the process may still be starting after any fixed delay.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while server.count() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(server.count() > 0, "the run never reached the server");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    assert_eq!(summary["interrupted"], true);
    let before = server.count();
    assert!(before > 0);
    // Resuming sends only what was not finished.
    let resumed = project.translate_json(&[]);
    assert_eq!(resumed["failed"], 0, "{resumed}");
    let total = translated_segments(&resumed) + translated_segments(&summary);
    assert!(total <= 285 + 8, "segments sent overall: {total}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flaky_service_still_translates_everything_without_double_billing() {
    let server = Deepl::start(Duration::from_millis(5), Some((4, 503))).await;
    let project = project_for(&server, 2, 20);
    let run = project.run(&["translate", "--json"]).expect_code(0);
    let summary = run.json();
    assert_eq!(summary["failed"], 0, "{summary}");
    // `requests` is what the server received, retries included (issue 10).
    let requests = summary["requests"].as_u64().unwrap_or(0) as usize;
    assert_eq!(requests, server.count(), "{summary}");
    let retries = summary["retries"].as_u64().unwrap_or(0) as usize;
    assert!(
        retries > 0,
        "some requests failed and were retried: {summary}"
    );
    assert_eq!(
        retries,
        server.count() / 4,
        "every fourth failed: {summary}"
    );
    assert_eq!(project.translations().len(), 9);
    // Every segment billed once: the memory makes a second run free.
    let again = project.translate_json(&[]);
    assert_eq!(again["segments_sent"], 0);
    let english = project.read("content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.en.md");
    assert!(
        english.contains("EN-US:") || english.contains("EN:"),
        "{english}"
    );
}

/// DeepL's answer to a wrong key.
fn wrong_key() -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(serde_json::json!({"message": "Wrong key"}))
}

/// Runs `dich translate --json` with four request slots against `server`, which
/// refuses the key: the run fails saying so, without printing the key. Gives the
/// server back, and the summary.
async fn translate_with_a_refused_key(
    server: wiremock::MockServer,
) -> (wiremock::MockServer, serde_json::Value) {
    let deepl = Deepl {
        server,
        requests: Default::default(),
        most_in_flight: Default::default(),
        sent: Default::default(),
    };
    let project = project_for(&deepl, 4, 5);
    let run = project.run(&["translate", "--json"]).expect_code(1);
    let all = format!("{}{}", run.stdout(), run.stderr());
    assert!(all.contains("authentication failed"), "{all}");
    assert!(!all.contains(TEST_KEY), "the key leaked: {all}");
    let summary = serde_json::from_str(&run.stdout()).expect("a JSON summary");
    (deepl.server, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_stops_the_run_after_one_request_without_printing_the_key() {
    let server = wiremock::MockServer::start().await;
    // No usage endpoint (a proxy): the key is not checked first, and of four request
    // slots only the first sends its batch.
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .respond_with(wrong_key())
        .expect(1)
        .mount(&server)
        .await;
    let (_, summary) = translate_with_a_refused_key(server).await;
    assert_eq!(summary["requests"], 1, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_refused_by_the_usage_check_stops_the_run_before_any_translation() {
    let server = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/usage"))
        .respond_with(wrong_key())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let (server, summary) = translate_with_a_refused_key(server).await;
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1, "one request in all: {received:?}");
    // Nothing was sent for translation, and the summary says so.
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert_eq!(summary["requests"], 0, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_the_same_project_fails_clearly_instead_of_paying_twice() {
    let server = Deepl::start(Duration::from_millis(200), None).await;
    let project = project_for(&server, 1, 4);
    let mut first = project
        .command(&["translate"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = project.run(&["translate"]).expect_code(1);
    assert!(
        second.stderr().contains("another dich process"),
        "{}",
        second.stderr()
    );
    first.kill().expect("kill");
    first.wait().expect("reap");
}

/// A project with one article whose body is one long sentence of twelve clauses (no
/// sentence punctuation), for `server`, with requests of at most 60 characters and
/// one text each: the sentence goes in parts, one per request.
fn long_sentence_project(base_url: &str) -> Project {
    let clauses: Vec<String> = (1..=12)
        .map(|n| format!("điều khoản số {n} quy định việc nộp hồ sơ trực tuyến"))
        .collect();
    let project = Project::with_config(&format!(
        "[project]\nsource = \"vi\"\ntargets = [\"en\"]\n\n[qa]\nenabled = false\n\n[backend]\nkind = \"deepl\"\nbase_url = \"{base_url}\"\napi_key_env = \"DICH_TEST_DEEPL_KEY\"\nconcurrency = 1\nmax_segments_per_request = 1\nmax_chars_per_request = 60\nmax_retries = 0\n"
    ));
    project.write(
        "content/dai.md",
        &format!("+++\ntitle = \"Tin\"\n+++\n\n{}\n", clauses.join(", ")),
    );
    project
}

/// Issue 10, item 14: the parts of a sentence too long for one request are entries of
/// the memory of their own. A run stopped after some parts were answered (here the
/// quota runs out: DeepL answers 456) resumes with the parts not yet translated, and
/// pays for none twice; a run after that sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_resumes_a_long_sentence_after_the_parts_already_answered() {
    let reference_server = Deepl::start(Duration::ZERO, None).await;
    let reference = long_sentence_project(&reference_server.server.uri());
    let summary = reference.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    let uninterrupted = reference_server.count();
    // The title and at least ten parts of the sentence, each within the limit.
    assert!(uninterrupted >= 11, "{uninterrupted} requests");
    for text in reference_server.sent() {
        let text = text.split_once(':').map_or("", |(_, text)| text);
        assert!(text.chars().count() <= 60, "{text:?}");
    }

    // The first service answers three requests (the title and two parts), then its
    // quota is exhausted.
    let quota = wiremock::MockServer::start().await;
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&answered);
    Mock::given(method("POST"))
        .and(path("/v2/translate"))
        .respond_with(move |request: &wiremock::Request| {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let mut log = log.lock().expect("log");
            if log.len() >= 3 {
                return ResponseTemplate::new(456)
                    .set_body_json(serde_json::json!({"message": "Quota exceeded"}));
            }
            let target = body["target_lang"].as_str().unwrap_or("?");
            let text = format!("{target}:{}", body["text"][0].as_str().unwrap_or_default());
            log.push(text.clone());
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "translations": [{"detected_source_language": "VI", "text": text}]
            }))
        })
        .mount(&quota)
        .await;
    let project = long_sentence_project(&quota.uri());
    project.run(&["translate"]).expect_code(1);
    let answered = answered.lock().expect("answered").clone();
    assert_eq!(answered.len(), 3);
    assert!(
        project.translations().is_empty(),
        "a half-translated file was written"
    );

    let server = Deepl::start(Duration::ZERO, None).await;
    let config = project
        .read("config.toml")
        .replace(&quota.uri(), &server.server.uri());
    project.write("config.toml", &config);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(
        server.count(),
        uninterrupted - 3,
        "only the parts not answered before are sent: {:?}",
        server.sent()
    );
    let resent: Vec<String> = server
        .sent()
        .into_iter()
        .filter(|text| answered.contains(text))
        .collect();
    assert!(resent.is_empty(), "paid twice: {resent:?}");
    assert_eq!(project.translations(), reference.translations());

    project.run(&["translate"]).expect_code(0);
    assert_eq!(
        server.count(),
        uninterrupted - 3,
        "a run after that sends nothing"
    );
}

/// A journal as a run killed after its slots had `kept + torn` English answers
/// (taken from the memory of `reference`, a finished run) would leave: one record
/// per answer, the last torn in the middle of its write (issue 15).
pub(crate) fn journal_of(reference: &Project, kept: usize, torn: usize) -> String {
    let memory = dich::memory::Memory::open(&reference.path(".dich/memory.db")).expect("memory");
    let (vi, en) = (Lang::parse("vi").unwrap(), Lang::parse("en").unwrap());
    let english = memory.entries(&vi, &en).expect("entries");
    assert!(english.len() >= kept + torn, "{} entries", english.len());
    let record = |e: &dich::memory::StoredSegment| {
        let entries = [[&e.source, &e.translation, &e.backend]];
        serde_json::json!({"source": "vi", "target": "en", "entries": entries}).to_string()
    };
    let mut journal: String = english[..kept].iter().map(|e| record(e) + "\n").collect();
    let last: String = english[kept..kept + torn]
        .iter()
        .map(|e| record(e) + "\n")
        .collect();
    // Torn: the last record lacks its end.
    journal.push_str(&last[..last.len() - 5]);
    journal
}

/// Issue 15: a slot journals its answer and goes on before the memory commits it.
/// The next run stores what a killed run journalled before planning and sends none
/// of it again; the segments of a torn last record are sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_journalled_by_a_killed_run_are_kept_and_a_torn_one_is_sent_again() {
    let reference_server = Deepl::start(Duration::ZERO, None).await;
    let reference = project_for(&reference_server, 2, 8);
    let summary = reference.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    let all = translated_segments(&summary);

    let server = Deepl::start(Duration::ZERO, None).await;
    let project = project_for(&server, 2, 8);
    // Ten answers complete, the eleventh torn (one segment each).
    project.write(".dich/memory.journal-2", &journal_of(&reference, 10, 1));
    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(
        translated_segments(&summary),
        all - 10,
        "the ten journalled answers are not sent again, the torn one is: {summary}"
    );
    assert_eq!(project.translations(), reference.translations());
    for journal in ["memory.journal-1", "memory.journal-2"] {
        assert!(
            !project.path(".dich").join(journal).exists(),
            "{journal} left after a clean run"
        );
    }
}
