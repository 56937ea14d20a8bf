//! Handler tests in process (`tower::ServiceExt::oneshot`): what a browser sees and
//! what each change does to the files, the memory and the manifest.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use secrecy::SecretString;
use tower::ServiceExt as _;

use crate::backend::Chain;
use crate::backend::echo::Echo;
use crate::pipeline::{NoProgress, Options, Project};

use super::super::auth::{Access, Reviewer};
use super::routes;

const HOST: &str = "127.0.0.1:7000";
const ORIGIN: &str = "http://127.0.0.1:7000";
const CSRF: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const ARTICLE: &str = "content/tin.en.md";
const NEWS: &str =
    "+++\ntitle = \"Lễ hội làng\"\n+++\n\nLàng mở hội vào mùa xuân. Mọi người đều vui.\n";

/// A translated project and its app.
struct App {
    dir: tempfile::TempDir,
    router: axum::Router,
}

async fn app_with(access: impl FnOnce(&Project) -> Access) -> App {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("config.toml"),
        "[project]\nsource = \"vi\"\ntargets = [\"en\"]\n\n[qa]\nenabled = false\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("content/tin.md"), NEWS).unwrap();
    std::fs::create_dir_all(root.join("locales/vi")).unwrap();
    std::fs::write(
        root.join("locales/vi/main.ftl"),
        "hello = Xin chào { $name }\nbye = Tạm biệt\n",
    )
    .unwrap();
    let project = Project::load(&root.join("config.toml")).unwrap();
    let report = project
        .translate(
            // "Translates" by prefixing `EN `, keeping the tags.
            &Chain::new(vec![Arc::new(Echo {
                prefix: "EN ",
                ..Echo::default()
            })]),
            &Options::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let project = Project::load(&root.join("config.toml")).unwrap();
    let access = access(&project);
    App {
        router: routes(super::super::state(project, access)),
        dir,
    }
}

async fn app() -> App {
    app_with(|_| Access::Open { default_name: None }).await
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl App {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap()
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, uri: &str, cookie: &str, accept_language: &str) -> Answer {
        let request = Request::get(uri)
            .header(header::HOST, HOST)
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT_LANGUAGE, accept_language)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    async fn post(&self, uri: &str, form: &[(&str, &str)], cookie: &str, origin: &str) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = Request::post(uri)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT_LANGUAGE, "en")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// The article page's hash field (what an edit form carries).
    async fn article_hash(&self) -> String {
        let page = self
            .get(
                &format!("/article?path={}", super::encode(ARTICLE)),
                &csrf_cookie(),
                "en",
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let at = page.body.find("name=\"hash\" value=\"").unwrap() + 19;
        page.body[at..at + 64].to_owned()
    }

    async fn edit(&self, sentence: &str, text: &str, hash: &str) -> Answer {
        let form = [
            ("path", ARTICLE),
            ("unit", "1"),
            ("sentence", sentence),
            ("text", text),
            ("hash", hash),
            ("csrf", CSRF),
        ];
        self.post("/article/edit", &form, &csrf_cookie(), ORIGIN)
            .await
    }
}

fn csrf_cookie() -> String {
    format!("dich_csrf={CSRF}")
}

#[tokio::test]
async fn the_overview_lists_each_translation_with_both_states_and_sets_the_csrf_cookie() {
    let app = app().await;
    let page = app.get("/", "", "en-GB,en;q=0.9").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(ARTICLE), "{}", page.body);
    assert!(page.body.contains("up-to-date"), "{}", page.body);
    assert!(page.body.contains("machine"), "{}", page.body);
    assert!(page.body.contains("locales/en/main.ftl"), "{}", page.body);
    let cookie = page.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("dich_csrf="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    // Filters: a state nobody is in shows no row; a title search finds the article.
    let none = app.get("/?state=held", "", "en").await;
    assert!(!none.body.contains(ARTICLE));
    let found = app.get("/?q=l%E1%BB%85+h%E1%BB%99i", "", "en").await;
    assert!(found.body.contains(ARTICLE), "{}", found.body);
    let missed = app.get("/?q=football", "", "en").await;
    assert!(!missed.body.contains(ARTICLE));
}

#[tokio::test]
async fn pages_speak_the_language_the_browser_asks_for() {
    let app = app().await;
    let vi = app.get("/", "", "vi-VN,vi;q=0.9").await;
    assert!(vi.body.contains("Tổng quan"), "{}", vi.body);
    assert!(vi.body.contains("<html lang=\"vi\""));
    let en = app.get("/", "", "fr-FR").await;
    assert!(en.body.contains("Overview"), "{}", en.body);
}

#[tokio::test]
async fn the_article_page_aligns_sentences_with_their_origin_and_escapes_them() {
    let app = app().await;
    let page = app
        .get(
            &format!("/article?path={}", super::encode(ARTICLE)),
            "",
            "en",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "Làng mở hội vào mùa xuân.",
        "EN Làng mở hội vào mùa xuân.",
        "EN Mọi người đều vui.",
        "machine: echo",
        "<p>EN Làng mở hội",
    ] {
        assert!(page.body.contains(text), "{text}\n{}", page.body);
    }
}

#[tokio::test]
async fn an_edit_is_saved_in_the_file_and_the_memory_and_a_stale_form_is_refused() {
    let app = app().await;
    let hash = app.article_hash().await;
    let saved = app.edit("1", "Everyone was happy.", &hash).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let text = app.read(ARTICLE);
    assert!(
        text.contains("EN Làng mở hội vào mùa xuân. Everyone was happy.\n"),
        "{text}"
    );
    // The page now says a person wrote that block.
    let page = app
        .get(
            &format!("/article?path={}", super::encode(ARTICLE)),
            "",
            "en",
        )
        .await;
    assert!(page.body.contains(">human<"), "{}", page.body);
    // A second tab with the old page cannot overwrite the fix.
    let stale = app.edit("1", "Old tab text.", &hash).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.body.contains("Someone changed this file"),
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("Old tab text."),
        "the typed text is kept"
    );
    assert_eq!(app.read(ARTICLE), text);
    // The memory holds the person's block, as `dich translate` learns it.
    let memory = crate::memory::Memory::open(&app.dir.path().join(".dich/memory.db")).unwrap();
    let vi = crate::lang::Lang::parse("vi").unwrap();
    let en = crate::lang::Lang::parse("en").unwrap();
    assert!(memory.has_human_units(&vi, &en).unwrap());
}

#[tokio::test]
async fn an_edit_that_breaks_the_structure_or_comes_without_csrf_is_refused() {
    let app = app().await;
    let before = app.read(ARTICLE);
    let hash = app.article_hash().await;
    let broken = app.edit("1", "Happy.\n\nA new paragraph.", &hash).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = [
        ("path", ARTICLE),
        ("unit", "1"),
        ("sentence", "1"),
        ("text", "Forged."),
        ("hash", hash.as_str()),
        ("csrf", CSRF),
    ];
    let cross = app
        .post(
            "/article/edit",
            &form,
            &csrf_cookie(),
            "http://evil.example",
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let no_cookie = app.post("/article/edit", &form, "", ORIGIN).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert_eq!(app.read(ARTICLE), before);
}

#[tokio::test]
async fn paths_outside_the_content_and_locales_folders_are_refused() {
    let app = app().await;
    for path in [
        "../etc/passwd",
        "config.toml",
        "content/../config.toml",
        "/etc/passwd",
    ] {
        let page = app
            .get(&format!("/article?path={}", super::encode(path)), "", "en")
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let form = [
            ("path", path),
            ("verdict", "approve"),
            ("name", "A"),
            ("csrf", CSRF),
        ];
        let post = app.post("/review", &form, &csrf_cookie(), ORIGIN).await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{path}");
    }
    let ui = [
        ("lang", "en"),
        ("file", "../../config.toml"),
        ("id", "hello"),
        ("value", "x"),
        ("hash", ""),
        ("csrf", CSRF),
    ];
    let post = app.post("/ui/edit", &ui, &csrf_cookie(), ORIGIN).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN, "{}", post.body);
}

#[tokio::test]
async fn an_edit_waits_for_no_translate_run_it_is_refused_while_one_holds_the_lock() {
    let app = app().await;
    let hash = app.article_hash().await;
    let project = Project::load(&app.dir.path().join("config.toml")).unwrap();
    let lock = project.run_lock().unwrap();
    let refused = app.edit("1", "Everyone was happy.", &hash).await;
    assert_eq!(refused.status, StatusCode::LOCKED, "{}", refused.body);
    assert!(refused.body.contains("dich translate"), "{}", refused.body);
    drop(lock);
    let saved = app.edit("1", "Everyone was happy.", &hash).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn approving_records_the_name_in_the_memory_the_file_and_the_manifest() {
    let app = app().await;
    let form = [
        ("path", ARTICLE),
        ("verdict", "approve"),
        ("name", "Nguyễn Văn A"),
        ("csrf", CSRF),
    ];
    let done = app.post("/review", &form, &csrf_cookie(), ORIGIN).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let manifest: serde_json::Value = serde_json::from_str(&app.read("translations.json")).unwrap();
    let review = &manifest["articles"][0]["languages"]["en"]["review"];
    assert_eq!(review["state"], "reviewed", "{manifest}");
    assert_eq!(review["by"], "Nguyễn Văn A");
    // A rejection needs a reason, a verdict needs a name.
    let form = [
        ("path", ARTICLE),
        ("verdict", "reject"),
        ("name", "A"),
        ("csrf", CSRF),
    ];
    let refused = app.post("/review", &form, &csrf_cookie(), ORIGIN).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = [
        ("path", ARTICLE),
        ("verdict", "approve"),
        ("name", " "),
        ("csrf", CSRF),
    ];
    let refused = app.post("/review", &form, &csrf_cookie(), ORIGIN).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn with_tokens_pages_need_a_sign_in_and_verdicts_carry_the_signed_in_name() {
    let app = app_with(|_| Access::Tokens {
        reviewers: vec![Reviewer {
            name: "Trần Thị B".into(),
            token: SecretString::from("s3cret-token-of-b"),
        }],
        sessions: Mutex::default(),
    })
    .await;
    let page = app.get("/", "", "en").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers[header::LOCATION], "/login");
    let wrong = [("token", "guess"), ("csrf", CSRF)];
    let refused = app.post("/login", &wrong, &csrf_cookie(), ORIGIN).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let right = [("token", "s3cret-token-of-b"), ("csrf", CSRF)];
    let signed = app.post("/login", &right, &csrf_cookie(), ORIGIN).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let session = signed.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let cookies = format!("{session}; {}", csrf_cookie());
    let page = app.get("/", &cookies, "en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Trần Thị B"));
    // The name typed in a forged field is ignored: the session says who it is.
    let form = [
        ("path", ARTICLE),
        ("verdict", "approve"),
        ("name", "Somebody Else"),
        ("csrf", CSRF),
    ];
    let done = app.post("/review", &form, &cookies, ORIGIN).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(app.read(ARTICLE).contains("Trần Thị B"));
    // Without the session, a change is refused.
    let anonymous = app.post("/review", &form, &csrf_cookie(), ORIGIN).await;
    assert_eq!(anonymous.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_fluent_edit_keeps_its_placeables_and_loses_the_machine_marker() {
    let app = app().await;
    let page = app.get("/ui?lang=en", "", "en").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<span class=\"ph\">{ $name }</span>"),
        "{}",
        page.body
    );
    let at = page.body.find("name=\"hash\" value=\"").unwrap() + 19;
    let hash = page.body[at..at + 64].to_owned();
    let before = app.read("locales/en/main.ftl");
    assert!(before.contains("# dich: machine"), "{before}");
    let edit = |value: &'static str, hash: String| {
        let form = vec![
            ("lang", "en".to_owned()),
            ("file", "main.ftl".to_owned()),
            ("id", "hello".to_owned()),
            ("value", value.to_owned()),
            ("hash", hash),
            ("csrf", CSRF.to_owned()),
        ];
        form
    };
    let dropped = edit("Hello there", hash.clone());
    let dropped: Vec<(&str, &str)> = dropped.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = app.post("/ui/edit", &dropped, &csrf_cookie(), ORIGIN).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("placeables"), "{}", refused.body);
    assert_eq!(app.read("locales/en/main.ftl"), before);
    let kept = edit("Hello, { $name }!", hash);
    let kept: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.post("/ui/edit", &kept, &csrf_cookie(), ORIGIN).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = app.read("locales/en/main.ftl");
    assert!(after.contains("hello = Hello, { $name }!\n"), "{after}");
    // The same form again is stale now: refused, the file as the first save left it.
    let stale = app.post("/ui/edit", &kept, &csrf_cookie(), ORIGIN).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(app.read("locales/en/main.ftl"), after);
    let hello_marker = after
        .lines()
        .zip(after.lines().skip(1))
        .any(|(a, b)| a.contains("dich: machine") && b.starts_with("hello"));
    assert!(!hello_marker, "{after}");
    assert!(after.contains("bye = "), "the other message stays: {after}");
}
