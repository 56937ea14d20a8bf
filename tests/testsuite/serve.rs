//! `dich serve` (issue 13): the server refuses a network bind without tokens, and a
//! person fixes and approves a translation in a real browser (Chromium, driven through
//! chromedriver over WebDriver), after which the file, `dich status`, `dich review
//! list` and `translations.json` say so.

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt as _;

use crate::mock::Deepl;
use crate::support::Project;

const NEWS: &str =
    "+++\ntitle = \"Lễ hội làng\"\n+++\n\nLàng mở hội vào mùa xuân. Mọi người đều vui.\n";
const ARTICLE: &str = "content/tin.en.md";
const REVIEWER: &str = "Nguyễn Văn A";
const FIX: &str = "Everyone was happy.";

#[test]
fn a_network_bind_without_tokens_is_refused_before_listening() {
    let project = Project::new();
    project.write("content/tin.md", NEWS);
    let run = project
        .run(&["serve", "--bind", "0.0.0.0:0"])
        .expect_code(2);
    let stderr = run.stderr();
    assert!(stderr.contains("refusing to bind 0.0.0.0:0"), "{stderr}");
    assert!(stderr.contains("[[serve.reviewers]]"), "{stderr}");
    assert!(
        run.stdout().is_empty(),
        "no URL is printed: {}",
        run.stdout()
    );
}

#[test]
fn a_reviewer_whose_token_variable_is_unset_stops_the_start_naming_the_variable() {
    let config = format!(
        "{}\n[[serve.reviewers]]\nname = \"An\"\ntoken_env = \"DICH_TEST_TOKEN_UNSET\"\n",
        crate::support::CONFIG
    );
    let project = Project::with_config(&config);
    let run = project
        .run(&["serve", "--bind", "0.0.0.0:0"])
        .expect_code(2);
    assert!(
        run.stderr().contains("DICH_TEST_TOKEN_UNSET"),
        "{}",
        run.stderr()
    );
}

/// A child process killed (by its own handle) when the test ends, pass or fail.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dich serve` on a free loopback port, and the URL it printed.
fn serve(project: &Project) -> (Killed, String) {
    let mut command = project.command(&["serve"]);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = Killed(command.spawn().expect("start dich serve"));
    let stdout = child.0.stdout.take().expect("stdout");
    let mut url = String::new();
    BufReader::new(stdout)
        .read_line(&mut url)
        .expect("read URL");
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (child, url)
}

#[test]
fn serve_prints_a_loopback_url_that_answers() {
    let project = Project::new();
    project.write("content/tin.md", NEWS);
    let (_server, url) = serve(&project);
    let body = get_page(&url);
    assert!(body.contains("<html"), "{body}");
}

#[test]
fn with_reviewer_tokens_a_network_bind_starts_and_asks_to_sign_in() {
    let config = format!(
        "{}\n[[serve.reviewers]]\nname = \"An\"\ntoken_env = \"DICH_TEST_TOKEN_AN\"\n",
        crate::support::CONFIG
    );
    let project = Project::with_config(&config);
    project.write("content/tin.md", NEWS);
    let mut command = project.command(&["serve", "--bind", "0.0.0.0:0"]);
    command
        .env("DICH_TEST_TOKEN_AN", "token-of-an-for-the-test")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Killed(command.spawn().expect("start dich serve"));
    let mut url = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("read URL");
    let port = url
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(url.starts_with("http://0.0.0.0:"), "{url}");
    let page = get_page(&format!("http://127.0.0.1:{port}/"));
    assert!(page.starts_with("HTTP/1.1 303"), "{page}");
    assert!(page.to_lowercase().contains("location: /login"), "{page}");
}

/// GET `url` over a plain TCP stream: enough for one page, and no HTTP client to set
/// up in a synchronous test.
fn get_page(url: &str) -> String {
    {
        use std::io::{Read as _, Write as _};
        let authority = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let mut stream = std::net::TcpStream::connect(&authority).expect("connect");
        write!(
            stream,
            "GET / HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut out = String::new();
        stream.read_to_string(&mut out).expect("read");
        out
    }
}

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless Chromium behind chromedriver on a free port.
struct Browser {
    client: Client,
    _driver: Killed,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// `None` (after saying SKIPPED) when Chromium or chromedriver is not installed;
    /// under CI (`CI` set) their absence fails the test instead.
    async fn start() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the browser test: install chromium and chromium-driver (see .ci/run)"
            );
            eprintln!(
                "SKIPPED serve browser test: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver fonts-noto-cjk)"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Killed(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not listen"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1000,900".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session");
        Some(Browser {
            client,
            _driver: driver,
            _profile: profile,
        })
    }
}

/// Opens the `Edit` of sentence `n` of block `unit`, types `text` over it, saves.
async fn edit_sentence(c: &Client, unit: usize, n: usize, text: &str) {
    let pairs = c
        .find_all(Locator::Css(&format!("#u{unit} .pair")))
        .await
        .expect("sentences");
    let pair = &pairs[n];
    pair.find(Locator::Css("summary"))
        .await
        .expect("edit")
        .click()
        .await
        .expect("open");
    let area = pair.find(Locator::Css("textarea")).await.expect("textarea");
    area.clear().await.expect("clear");
    area.send_keys(text).await.expect("type");
    pair.find(Locator::Css("button"))
        .await
        .expect("save")
        .click()
        .await
        .expect("submit");
}

/// Waits until the browser is at a URL containing `part` (a form's answer loaded).
async fn wait_for_url(c: &Client, part: &str) {
    let started = Instant::now();
    loop {
        let url = c.current_url().await.expect("url");
        if url.as_str().contains(part) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still at {url}, waiting for {part}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of the page's `main`, read again while a navigation replaces it.
async fn page_text(c: &Client) -> String {
    let started = Instant::now();
    loop {
        let text = match c.find(Locator::Css("main")).await {
            Ok(main) => main.text().await,
            Err(e) => Err(e),
        };
        match text {
            Ok(text) => return text,
            Err(e) => assert!(started.elapsed() < Duration::from_secs(30), "{e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_fixes_and_approves_in_a_browser_and_a_stale_tab_cannot_undo_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let outcome = std::panic::AssertUnwindSafe(review_in_browser(&browser.client))
        .catch_unwind()
        .await;
    // Ending the session ends Chromium, also when the test failed (chromedriver itself
    // is killed when `browser` is dropped).
    let _ = browser.client.clone().close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// The review in the browser `c`: open, fix, approve, then the stale tab.
async fn review_in_browser(c: &Client) {
    let deepl = Deepl::start(Duration::ZERO, None).await;
    let project = Project::with_config(&deepl.config(1, 8));
    project.write("content/tin.md", NEWS);
    project.write("locales/vi/main.ftl", "hello = Xin chào\n");
    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    let (_server, url) = serve(&project);

    // The overview lists the article; open its English translation.
    c.goto(&url).await.expect("overview");
    c.find(Locator::Css("a[href*='tin.en.md']"))
        .await
        .expect("article link")
        .click()
        .await
        .expect("open article");
    let article = c.current_url().await.expect("url");
    assert!(page_text(c).await.contains("Mọi người đều vui."));

    // A second tab opens the same page now: it will be stale after the fix.
    let first = c.window().await.expect("window");
    let second = c.new_window(true).await.expect("tab").handle;
    c.switch_to_window(second.clone()).await.expect("tab 2");
    c.goto(article.as_str()).await.expect("article in tab 2");
    c.switch_to_window(first).await.expect("tab 1");

    // Fix the paragraph's second sentence, then approve the article.
    edit_sentence(c, 1, 1, FIX).await;
    wait_for_url(c, "done=saved").await;
    let text = page_text(c).await;
    assert!(text.contains("Saved."), "{text}");
    assert!(text.contains(FIX), "{text}");
    c.find(Locator::Css("input[name=name]"))
        .await
        .expect("name field")
        .send_keys(REVIEWER)
        .await
        .expect("type name");
    c.find(Locator::Css("button[value=approve]"))
        .await
        .expect("approve")
        .click()
        .await
        .expect("submit");
    wait_for_url(c, "done=approved").await;
    let text = page_text(c).await;
    assert!(text.contains("Approved."), "{text}");
    assert!(text.contains(REVIEWER), "{text}");
    let fixed = project.read(ARTICLE);
    assert!(fixed.contains(FIX), "{fixed}");

    // The stale tab's edit of the same sentence is refused; the fix stays.
    c.switch_to_window(second).await.expect("tab 2");
    edit_sentence(c, 1, 1, "An older text.").await;
    wait_for_url(c, "/article/edit").await;
    let text = page_text(c).await;
    assert!(text.contains("Someone changed this file"), "{text}");
    assert_eq!(project.read(ARTICLE), fixed);

    // The file, `dich status`, `dich review list` and the manifest agree.
    let status = project.run(&["status"]).expect_code(0).stdout();
    let line = status
        .lines()
        .find(|l| l.contains(ARTICLE))
        .unwrap_or_else(|| panic!("{status}"));
    assert!(line.contains("reviewed"), "{status}");
    let list = project
        .run(&["review", "list", "--json"])
        .expect_code(0)
        .json();
    let entry = list["entries"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["path"] == ARTICLE))
        .cloned()
        .unwrap_or_default();
    assert_eq!(entry["review"]["state"], "reviewed", "{list}");
    assert_eq!(entry["review"]["by"], REVIEWER, "{list}");
    let manifest: serde_json::Value =
        serde_json::from_str(&project.read("translations.json")).expect("manifest");
    let en = &manifest["articles"][0]["languages"]["en"];
    assert_eq!(en["review"]["state"], "reviewed", "{manifest}");
    assert_eq!(en["review"]["by"], REVIEWER, "{manifest}");
    assert_eq!(en["machine_translated"], false, "{manifest}");
}
