//! The shared PostgreSQL memory end to end (issue 16): clones of one portal translate
//! at once and pay each sentence once, a reviewer's correction travels, a killed
//! run's claims are taken over, and a SQLite memory moves to PostgreSQL. Each test is
//! skipped with a visible SKIPPED line without a server (`DICH_TEST_POSTGRES_URL`;
//! `.ci/run` starts one) and fails instead under CI.

use std::collections::HashSet;
use std::time::Duration;

use dich::memory::testing::schema_url;

use crate::crash::journal_of;
use crate::mock::Deepl;
use crate::support::Project;

/// A clone of the sample portal, translating with `server` into the shared memory
/// `url` as the repository `portal`.
fn clone_of(server: &Deepl, url: &str, extra: &str) -> Project {
    let project = Project::sample();
    project.write(
        "config.toml",
        &format!(
            "{}\n[memory]\nurl = \"{url}\"\nrepository = \"portal\"\n{extra}",
            server.config(2, 8)
        ),
    );
    project
}

/// The texts sent more than once.
fn repeated(sent: &[String]) -> Vec<&String> {
    let mut seen = HashSet::new();
    sent.iter().filter(|t| !seen.insert(*t)).collect()
}

/// How many translations the shared memory at `url` holds.
fn stored_segments(url: &str) -> usize {
    // The synchronous client runs a runtime of its own: not on a tokio worker.
    let url = url.to_owned();
    let count = std::thread::spawn(move || -> Result<i64, postgres::Error> {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
        Ok(client
            .query_one("SELECT count(*) FROM segments", &[])?
            .get(0))
    })
    .join()
    .expect("the query thread")
    .expect("count the segments");
    usize::try_from(count).expect("a count")
}

/// What `read` returns once it stops changing (read every 50 ms, 1 s at most).
fn settled<T: PartialEq>(read: impl Fn() -> T) -> T {
    let mut last = read();
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(50));
        let now = read();
        if now == last {
            break;
        }
        last = now;
    }
    last
}

/// What one run alone sends and writes (SQLite), to compare with.
async fn reference() -> (HashSet<String>, Vec<(String, String)>) {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = Project::sample();
    project.write("config.toml", &server.config(2, 8));
    project.run(&["translate"]).expect_code(0);
    (server.sent().into_iter().collect(), project.translations())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clones_at_once_pay_each_sentence_once_and_end_with_identical_files() {
    let Some(url) = schema_url("postgres::two_clones_at_once") else {
        return;
    };
    let (unique, expected) = reference().await;
    let server = Deepl::start(Duration::from_millis(80), None).await;
    let (a, b) = (clone_of(&server, &url, ""), clone_of(&server, &url, ""));
    let runs: Vec<_> = [&a, &b]
        .into_iter()
        .map(|clone| {
            // To a file, not a pipe: a run must never wait for the test to read it.
            let log = std::fs::File::create(clone.path("run.log")).expect("log");
            let run = clone
                .command(&["translate"])
                .stdout(std::process::Stdio::null())
                .stderr(log)
                .spawn()
                .expect("spawn");
            (clone, run)
        })
        .collect();
    for (clone, mut run) in runs {
        let status = run.wait().expect("wait");
        assert!(
            status.success(),
            "a run failed ({status}):\n{}",
            clone.read("run.log")
        );
    }
    let sent = server.sent();
    let twice = repeated(&sent);
    assert!(
        twice.is_empty(),
        "{} texts sent twice, e.g. {:?}",
        twice.len(),
        twice.iter().take(3).collect::<Vec<_>>()
    );
    assert_eq!(sent.into_iter().collect::<HashSet<_>>(), unique);
    assert_eq!(a.translations(), expected);
    assert_eq!(b.translations(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_made_in_one_clone_is_reused_by_the_next_run_of_another() {
    let Some(url) = schema_url("postgres::correction_travels") else {
        return;
    };
    let server = Deepl::start(Duration::ZERO, None).await;
    let a = clone_of(&server, &url, "");
    a.run(&["translate"]).expect_code(0);
    let file = a
        .translations()
        .into_iter()
        .find(|(rel, _)| rel.ends_with(".en.md"))
        .map(|(rel, _)| format!("content/{rel}"))
        .expect("an English translation");
    let text = a.read(&file);
    let line = text
        .lines()
        .find(|l| l.starts_with("EN-US:") || l.starts_with("EN-GB:") || l.starts_with("EN:"))
        .expect("a translated paragraph")
        .to_owned();
    let corrected = text.replacen(&line, "A reviewer's own sentence.", 1);
    a.write(&file, &corrected);
    // A's next run learns the correction into the shared memory.
    a.run(&["translate"]).expect_code(0);

    let b = clone_of(&server, &url, "");
    let before = server.sent().len();
    b.run(&["translate"]).expect_code(0);
    assert_eq!(
        server.sent().len(),
        before,
        "B paid for what A had translated"
    );
    assert!(
        b.read(&file).contains("A reviewer's own sentence."),
        "{}",
        b.read(&file)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runs_claims_expire_and_are_taken_over() {
    let Some(url) = schema_url("postgres::killed_run") else {
        return;
    };
    let (unique, expected) = reference().await;
    let server = Deepl::start(Duration::from_millis(400), None).await;
    let lease = "lease_seconds = 1\n";
    let (a, b) = (
        clone_of(&server, &url, lease),
        clone_of(&server, &url, lease),
    );
    let mut killed = a
        .command(&["translate"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let was_running = killed.try_wait().expect("wait").is_none();
    killed.kill().expect("SIGKILL");
    killed.wait().expect("reap");
    assert!(was_running, "the run finished before it could be killed");
    // Both once they stop changing: a request or a commit the killed run had sent
    // may still be on its way.
    let (paid_by_a, stored_by_a) = settled(|| (server.sent().len(), stored_segments(&url)));
    // B waits for A's claims to expire, takes them over and completes everything.
    b.run(&["translate"]).expect_code(0);
    assert_eq!(b.translations(), expected);
    let sent = server.sent();
    assert_eq!(sent.iter().cloned().collect::<HashSet<_>>(), unique);
    assert_eq!(
        stored_segments(&url),
        unique.len(),
        "a row per text paid for"
    );
    // B paid once for each segment A had not stored: what A had in flight, and what
    // it had answered but not stored yet (how many depends on the machine's load),
    // but nothing A had stored.
    let paid_by_b = &sent[paid_by_a..];
    assert!(repeated(paid_by_b).is_empty(), "{:?}", repeated(paid_by_b));
    assert_eq!(paid_by_b.len(), unique.len() - stored_by_a);
    // A's next run sends nothing: the survivor finished its work.
    let before = server.sent().len();
    a.run(&["translate"]).expect_code(0);
    assert_eq!(server.sent().len(), before);
    assert_eq!(a.translations(), expected);
}

/// Issue 15: the answers a killed run journalled go to the shared memory too, before
/// planning; none is sent again, the torn last one is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_journalled_by_a_killed_run_are_stored_in_the_shared_memory() {
    let Some(url) = schema_url("postgres::journal") else {
        return;
    };
    let reference_server = Deepl::start(Duration::ZERO, None).await;
    let reference = Project::sample();
    reference.write("config.toml", &reference_server.config(2, 8));
    let all = reference.translate_json(&[])["segments_sent"].as_u64();
    let server = Deepl::start(Duration::ZERO, None).await;
    let clone = clone_of(&server, &url, "");
    clone.write(".dich/memory.journal-1", &journal_of(&reference, 10, 1));
    let summary = clone.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(
        summary["segments_sent"].as_u64(),
        all.map(|n| n - 10),
        "{summary}"
    );
    assert_eq!(clone.translations(), reference.translations());
    assert!(!clone.path(".dich/memory.journal-1").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_memory_moves_to_postgres_and_back_and_the_next_run_sends_nothing() {
    let Some(url) = schema_url("postgres::migrate") else {
        return;
    };
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = Project::sample();
    let sqlite_config = server.config(2, 8);
    project.write("config.toml", &sqlite_config);
    project.run(&["translate"]).expect_code(0);
    let expected = project.translations();
    let paid = server.sent().len();

    let first = project
        .run(&["memory", "migrate", "--to", &url, "--json"])
        .expect_code(0)
        .json();
    assert!(first["copied"].as_u64().unwrap_or(0) > 0, "{first}");
    assert_eq!(first["copied"], first["rows"], "{first}");
    let again = project
        .run(&["memory", "migrate", "--to", &url, "--json"])
        .expect_code(0)
        .json();
    assert_eq!(again["copied"], 0, "a second copy adds nothing: {again}");

    project.write(
        "config.toml",
        &format!("{sqlite_config}\n[memory]\nurl = \"{url}\"\n"),
    );
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(server.sent().len(), paid);

    // And back, into a new SQLite file: a clone without the old file sends nothing.
    let human = project
        .run(&["memory", "migrate", "--to", "back.db"])
        .expect_code(0)
        .stdout();
    assert!(human.contains("segments"), "{human}");
    project.write(
        "config.toml",
        &format!("{sqlite_config}\n[memory]\npath = \"back.db\"\n"),
    );
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert_eq!(server.sent().len(), paid);
    assert_eq!(project.translations(), expected);
}

#[test]
fn a_password_in_the_url_is_refused_with_advice() {
    let project = Project::new();
    project.write(
        "config.toml",
        &format!(
            "{}\n[memory]\nurl = \"postgres://dich:hunter2@127.0.0.1:1/x\"\n",
            crate::support::CONFIG
        ),
    );
    let run = project.run(&["translate"]);
    assert_ne!(run.code(), 0);
    let all = format!("{}{}", run.stdout(), run.stderr());
    assert!(all.contains("password_env"), "{all}");
    assert!(!all.contains("hunter2"), "the password leaked: {all}");
}
