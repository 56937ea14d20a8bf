//! `dich translate` end to end with the pseudo backend.

use std::time::SystemTime;

use crate::support::Project;

const ARTICLE_A: &str = "+++\ntitle = \"Bắc Ninh đón khách quốc tế\"\ndate = 2019-11-12T20:14:00+07:00\n+++\n\nNgày 12-11, tỉnh tổ chức hội nghị. Giá vé giảm 3,5%.\n\nXin cảm ơn quý độc giả.\n";
const ARTICLE_B: &str =
    "---\ntitle: Lễ hội Lim\n---\n\nLễ hội diễn ra vào mùa xuân.\n\nXin cảm ơn quý độc giả.\n";

fn two_articles() -> Project {
    let project = Project::new();
    project.write("content/tin/a.md", ARTICLE_A);
    project.write("content/b.md", ARTICLE_B);
    project
}

fn mtime(project: &Project, rel: &str) -> SystemTime {
    std::fs::metadata(project.path(rel))
        .and_then(|m| m.modified())
        .expect("mtime")
}

#[test]
fn translates_every_article_into_every_target() {
    let project = two_articles();
    let summary = project.translate_json(&[]);
    assert_eq!(summary["articles"], 2);
    assert_eq!(summary["files_written"], 6);
    assert_eq!(summary["failed"], 0);
    for lang in ["en", "ko", "zh-Hans"] {
        assert_eq!(summary["languages"][lang]["files_written"], 2, "{summary}");
        let text = project.read(&format!("content/tin/a.{lang}.md"));
        assert!(
            text.contains(&format!("[{lang}]")) || text.contains(&format!("［{lang}］")),
            "{text}"
        );
        assert!(text.contains("date = 2019-11-12T20:14:00+07:00"), "{text}");
        assert!(
            text.contains("pseudo-translation"),
            "provenance names pseudo: {text}"
        );
    }
}

#[test]
fn a_sentence_shared_by_articles_is_sent_once_per_language() {
    let project = two_articles();
    let summary = project.translate_json(&["--lang", "en"]);
    // a: title, 2 body sentences, thanks; b: title, 1 body sentence; thanks is shared.
    assert_eq!(summary["languages"]["en"]["segments_sent"], 6, "{summary}");
}

#[test]
fn second_run_sends_nothing_and_rewrites_nothing() {
    let project = two_articles();
    project.run(&["translate"]).expect_code(0);
    let before = mtime(&project, "content/tin/a.en.md");
    let bytes = project.read("content/tin/a.en.md");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(mtime(&project, "content/tin/a.en.md"), before);
    assert_eq!(project.read("content/tin/a.en.md"), bytes);
}

#[test]
fn editing_one_sentence_resends_only_that_sentence() {
    let project = two_articles();
    project.run(&["translate"]).expect_code(0);
    project.write(
        "content/tin/a.md",
        &ARTICLE_A.replace("Giá vé giảm 3,5%.", "Giá vé giảm 5%."),
    );
    let summary = project.translate_json(&[]);
    for lang in ["en", "ko", "zh-Hans"] {
        assert_eq!(summary["languages"][lang]["segments_sent"], 1, "{summary}");
        assert_eq!(summary["languages"][lang]["files_written"], 1, "{summary}");
    }
    assert!(
        project
            .read("content/tin/a.en.md")
            .contains("Gia ve giam 5%")
    );
}

#[test]
fn dry_run_counts_and_writes_nothing() {
    let project = two_articles();
    let summary = project.translate_json(&["--dry-run"]);
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["languages"]["ko"]["segments_sent"], 6, "{summary}");
    assert!(summary["characters_sent"].as_u64().unwrap_or(0) > 100);
    assert_eq!(summary["files_written"], 0);
    assert!(!project.path("content/tin/a.ko.md").exists());
    assert!(
        !project.path(".dich").exists(),
        "a dry run creates no memory"
    );
}

#[test]
fn lang_and_only_narrow_the_run() {
    let project = two_articles();
    project
        .run(&["translate", "--lang", "ko", "--only", "content/tin"])
        .expect_code(0);
    assert!(project.path("content/tin/a.ko.md").exists());
    assert!(!project.path("content/tin/a.en.md").exists());
    assert!(!project.path("content/b.ko.md").exists());
}

/// Issue 14: `--only` with a translation, a translated locale or a path outside the
/// project's folders did nothing, silently; now it is a usage error saying what to
/// pass instead.
#[test]
fn only_refuses_what_is_not_a_source_and_says_what_to_pass() {
    let project = two_articles();
    project.write("content/tin/a.en.md", "old");
    project.write("locales/vi/main.ftl", "hello = Xin chào\n");
    project.write("locales/en/main.ftl", "hello = Hello\n");
    project.write("notes/x.md", "x");
    for (only, expected) in [
        (
            "content/tin/a.en.md",
            "pass the source instead (`--only content/tin/a.md`), with `--lang en`",
        ),
        (
            "locales/en/main.ftl",
            "pass the source instead (`--only locales/vi/main.ftl`), with `--lang en`",
        ),
        (
            "notes/x.md",
            "outside the content folder `content` and the locales folder `locales`",
        ),
    ] {
        for command in [
            &["translate", "--only", only][..],
            &["status", "--only", only],
        ] {
            let run = project.run(command).expect_code(2);
            assert!(run.stderr().contains(expected), "{only}: {}", run.stderr());
        }
    }
    assert_eq!(
        std::fs::read_to_string(project.path("content/tin/a.en.md")).unwrap_or_default(),
        "old"
    );
    // Sources are still fine, as files and folders.
    project
        .run(&["translate", "--lang", "ko", "--only", "content/tin/a.md"])
        .expect_code(0);
    assert!(project.path("content/tin/a.ko.md").exists());
    project
        .run(&["status", "--only", "locales/vi"])
        .expect_code(0);
}

#[test]
fn a_broken_article_fails_alone_with_its_path() {
    let project = two_articles();
    project.write_bytes(
        "content/hong.md",
        b"+++\ntitle = \"ok\"\n+++\n\nXin ch\xff\xfe.\n",
    );
    project.write(
        "content/sai.md",
        "+++\ntitle = \"thiếu ngoặc\n+++\n\nNội dung.\n",
    );
    let run = project.run(&["translate", "--json"]).expect_code(1);
    let summary = run.json();
    let failures = summary["failures"].as_array().expect("failures").clone();
    let text = serde_json::to_string(&failures).unwrap_or_default();
    assert!(text.contains("content/hong.md"), "{text}");
    assert!(text.contains("content/sai.md"), "{text}");
    let sai = failures
        .iter()
        .find(|f| f["path"] == "content/sai.md")
        .expect("content/sai.md failed");
    assert_eq!(sai["line"], 2, "line of the bad front matter: {text}");
    assert!(
        project.path("content/tin/a.en.md").exists(),
        "good articles still translated"
    );
    assert!(project.path("content/b.zh-Hans.md").exists());
}

#[test]
fn a_translation_in_an_unconfigured_language_is_reported() {
    let project = two_articles();
    project.write("content/b.ja.md", "Tiếng Nhật.\n");
    let run = project.run(&["translate", "--json"]).expect_code(1);
    let text = run.stdout();
    assert!(text.contains("content/b.ja.md"), "{text}");
    assert!(project.path("content/b.en.md").exists());
}

#[test]
fn human_summary_names_pseudo_and_counts() {
    let project = two_articles();
    let run = project.run(&["translate"]).expect_code(0);
    let out = run.stdout();
    assert!(out.contains("PSEUDO-TRANSLATION"), "{out}");
    assert!(out.contains("zh-Hans"), "{out}");
    assert!(out.contains("2 articles and 0 UI files in scope"), "{out}");
    let total = out
        .lines()
        .find(|l| l.trim_start().starts_with("total "))
        .unwrap_or_default();
    assert_eq!(
        total.split_whitespace().nth(1),
        Some("6"),
        "6 files written: {out}"
    );
}

/// A DeepL backend at an address nothing listens on: any request would fail.
fn priced_config(budget: &str) -> String {
    format!(
        "{}[backend]\nkind = \"deepl\"\nbase_url = \"http://127.0.0.1:9\"\napi_key_env = \"DICH_TEST_DEEPL_KEY\"\nprice_per_million = 20.0\n{budget}",
        crate::support::CONFIG
    )
}

#[test]
fn a_run_over_the_budget_is_refused_before_any_request() {
    // About 150 characters × 3 languages at 20 per million: about 0.009.
    for (budget, flag) in [
        ("\n[budget]\nmax_cost = 0.001\n", None),
        ("", Some("0.001")),
    ] {
        let project = Project::with_config(&priced_config(budget));
        project.write("content/a.md", ARTICLE_A);
        let mut args = vec!["translate"];
        if let Some(max) = flag {
            args.extend(["--max-cost", max]);
        }
        let run = project.run(&args).expect_code(1);
        assert!(
            run.stderr().contains("exceeds the budget 0.00"),
            "{}",
            run.stderr()
        );
        assert!(!project.path("content/a.en.md").exists());
    }
}

/// Issue 10, item 4: with no price the estimate was 0 and the budget never bound.
#[test]
fn a_budget_with_an_unpriced_backend_is_refused_naming_it() {
    let unpriced = priced_config("").replace("price_per_million = 20.0\n", "");
    for (budget, flag) in [("\n[budget]\nmax_cost = 5\n", None), ("", Some("5"))] {
        let project = Project::with_config(&format!("{unpriced}{budget}"));
        project.write("content/a.md", ARTICLE_A);
        let mut args = vec!["translate"];
        if let Some(max) = flag {
            args.extend(["--max-cost", max]);
        }
        let run = project.run(&args).expect_code(2);
        assert!(
            run.stderr().contains("`deepl` has no price")
                && run.stderr().contains("price_per_million"),
            "{}",
            run.stderr()
        );
        assert!(!project.path("content/a.en.md").exists());
    }
}

/// A limit of 0, below 0 or not finite is a mistake, refused where it is written.
#[test]
fn a_budget_that_is_not_a_positive_number_is_refused() {
    for value in ["0", "-1.5", "inf", "nan"] {
        let project =
            Project::with_config(&priced_config(&format!("\n[budget]\nmax_cost = {value}\n")));
        let run = project.run(&["translate"]).expect_code(2);
        assert!(
            run.stderr().contains("config.toml:11:12") && run.stderr().contains("max_cost"),
            "{value}: {}",
            run.stderr()
        );
        let run = Project::with_config(&priced_config(""))
            .run(&["translate", &format!("--max-cost={value}")])
            .expect_code(2);
        assert!(
            run.stderr().contains("--max-cost"),
            "{value}: {}",
            run.stderr()
        );
    }
}

#[test]
fn dry_run_prints_the_cost_per_language() {
    let project = Project::with_config(&priced_config(""));
    project.write("content/a.md", ARTICLE_A);
    let run = project.run(&["translate", "--dry-run"]).expect_code(0);
    let out = run.stdout();
    assert!(out.contains("Cost estimate"), "{out}");
    for lang in ["en", "ko", "zh-Hans"] {
        assert!(
            out.lines()
                .any(|l| l.contains("deepl") && l.contains(lang) && l.contains("characters")),
            "{out}"
        );
    }
    let summary = project.translate_json(&["--dry-run"]);
    let total = summary["estimate"]["total_cost"].as_f64().unwrap_or(-1.0);
    let chars = summary["characters_sent"].as_f64().unwrap_or(0.0);
    assert!((total - chars * 20.0 / 1e6).abs() < 1e-9, "{summary}");
}

/// Issue 10, item 7: `--backend NAME` sized the request slots from `[backend]`'s
/// `concurrency` (1 here), so the named backend's 3 were never used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_flag_uses_that_backends_concurrency() {
    // A long answer time: the third request must go out while the first is still
    // unanswered, and on a loaded 2-core CI planning it took more than 300 ms once.
    let server = crate::mock::Deepl::start(std::time::Duration::from_millis(1500), None).await;
    let project = Project::with_config(&format!(
        "{}[backend]\nkind = \"pseudo\"\nconcurrency = 1\n\n[backends.fast]\nkind = \"deepl\"\nbase_url = \"{}\"\napi_key_env = \"DICH_TEST_DEEPL_KEY\"\nconcurrency = 3\nmax_segments_per_request = 1\n\n[qa]\nenabled = false\n",
        // The mock's answers (`EN-US:<source>`) are not translations: the QA gate
        // would rightly hold them, and this test is about concurrency.
        crate::support::CONFIG,
        server.server.uri()
    ));
    project.write("content/a.md", ARTICLE_A);
    project
        .run(&["translate", "--backend", "fast", "--lang", "en"])
        .expect_code(0);
    assert!(server.count() >= 3, "{} requests", server.count());
    assert_eq!(server.most_in_flight(), 3, "requests in flight at once");
}

/// Issue 10, item 12: the summary says what the bill says. Against a DeepL that
/// refuses every third request (429) and reports `billed_characters`, `requests` is
/// what the server received, retries are counted apart, and the billed characters are
/// DeepL's sum, per language and in total, in JSON and in the human summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_reports_requests_retries_and_billed_characters_as_the_service_saw_them() {
    let server = crate::mock::Deepl::billing(Some(3)).await;
    let project = Project::with_config(&server.config(1, 2));
    project.write("content/a.md", ARTICLE_A);
    project.write("content/b.md", ARTICLE_B);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(
        summary["requests"].as_u64(),
        Some(server.count() as u64),
        "{summary}"
    );
    let retries = summary["retries"].as_u64().unwrap_or(0);
    assert!(
        retries >= 1 && retries == server.count() as u64 / 3,
        "{summary}"
    );
    let billed = summary["characters_billed"]
        .as_u64()
        .expect("billed characters");
    // The mock bills each text's characters as sent, so the two agree.
    assert_eq!(
        Some(billed),
        summary["characters_sent"].as_u64(),
        "{summary}"
    );
    let per_lang: u64 = summary["languages"]
        .as_object()
        .expect("languages")
        .values()
        .map(|l| l["characters_billed"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(per_lang, billed, "{summary}");

    // A service that does not report billing leaves it unknown, never 0.
    let quiet = crate::mock::Deepl::start(std::time::Duration::ZERO, None).await;
    let project = Project::with_config(&quiet.config(1, 2));
    project.write("content/a.md", ARTICLE_A);
    let human = project.run(&["translate"]).expect_code(0).stdout();
    assert!(!human.contains("billed"), "{human}");
    let server_again = crate::mock::Deepl::billing(None).await;
    project.write("config.toml", &server_again.config(1, 2));
    project.write("content/c.md", ARTICLE_B);
    let human = project.run(&["translate"]).expect_code(0).stdout();
    assert!(
        human.contains("billed by the service:"),
        "the human summary shows billing: {human}"
    );
}
