//! The QA gate in `dich translate` (issue 11): an answer with an error-level fault is
//! asked again, then from the fallback; if none passes the article is held, never
//! written, with the reason in the summary and `dich status`. Warnings are written and
//! the article needs review.

use crate::support::{CONFIG, Project, entry};

/// A `command` backend. `python3 mt.py good` translates the sample sentences;
/// `python3 mt.py bad` changes a number, truncates a sentence and returns another
/// untranslated. Every segment it is asked is appended to `calls-<mode>.log`.
const SCRIPT: &str = r#"import json, sys
mode = sys.argv[1]
good = {
    "Tỉnh có 1.676 trường học.": "The province has 1,676 schools.",
    "Hội nghị diễn ra tốt đẹp.": "The conference went well.",
    "Dự án kéo dài đến năm 2030.": "The project runs until 2030.",
    "Chúc mừng năm mới.": "Happy New Year.",
}
bad = {
    "Tỉnh có 1.676 trường học.": "The province has 1,767 schools.",
    "Dự án kéo dài đến năm 2030.": "The project runs until",
    "Chúc mừng năm mới.": "Chúc mừng năm mới.",
    "Huyện có 25 xã.": "The district has 52 communes.",
}
for line in sys.stdin:
    request = json.loads(line)
    texts = [s["text"] for s in request["segments"]]
    with open("calls-" + mode + ".log", "a", encoding="utf-8") as log:
        for text in texts:
            log.write(text + "\n")
    table = bad if mode == "bad" else {}
    out = [table.get(t, good.get(t, "")) for t in texts]
    print(json.dumps({"translations": out}), flush=True)
"#;

const ARTICLES: [(&str, &str); 4] = [
    ("content/so.md", "Tỉnh có 1.676 trường học.\n"),
    ("content/tot.md", "Hội nghị diễn ra tốt đẹp.\n"),
    ("content/cat.md", "Dự án kéo dài đến năm 2030.\n"),
    ("content/nguyen.md", "Chúc mừng năm mới.\n"),
];

fn project(extra: &str) -> Project {
    let mut config = CONFIG.replace("[\"en\", \"ko\", \"zh-Hans\"]", "[\"en\"]");
    config.push_str("[backend]\nkind = \"command\"\ncommand = [\"python3\", \"mt.py\", \"bad\"]\n");
    config.push_str(extra);
    let project = Project::with_config(&config);
    project.write("mt.py", SCRIPT);
    for (path, text) in ARTICLES {
        project.write(path, text);
    }
    project
}

/// No translated file anywhere holds one of the bad answers.
fn assert_no_bad_answer_written(project: &Project) {
    for (path, text) in project.translations() {
        for bad in ["1,767", "runs until\n", "Chúc mừng"] {
            assert!(!text.contains(bad), "{path} holds a bad answer: {text}");
        }
    }
}

#[test]
fn faulty_answers_are_asked_again_then_held_with_their_reasons() {
    let project = project("");
    let summary = project.run(&["translate", "--json"]).expect_code(1).json();
    assert_no_bad_answer_written(&project);
    assert!(
        project
            .read("content/tot.en.md")
            .contains("The conference went well."),
        "a clean article is written"
    );
    for held in [
        "content/so.en.md",
        "content/cat.en.md",
        "content/nguyen.en.md",
    ] {
        assert!(
            !project.path(held).exists(),
            "{held} was written: {summary}"
        );
    }
    assert_eq!(summary["failed"], 3, "{summary}");
    let failure = |path: &str| entry(&summary["failures"], "path", path);
    let number = failure("content/so.md");
    assert_eq!(number["code"], "number-mismatch", "{summary}");
    let message = number["message"].as_str().unwrap_or_default();
    // What a person needs: the number, the segment and the answer.
    assert!(
        message.contains("1.676") || message.contains("1676"),
        "{message}"
    );
    assert!(message.contains("Tỉnh có 1.676 trường học."), "{message}");
    assert!(
        message.contains("The province has 1,767 schools."),
        "{message}"
    );
    assert_eq!(
        failure("content/nguyen.md")["code"],
        "untranslated",
        "{summary}"
    );
    let truncated = failure("content/cat.md")["code"].clone();
    assert!(
        truncated == "truncated" || truncated == "number-mismatch",
        "{summary}"
    );
    // The same backend was asked once more for each faulty segment, not more.
    let calls = project.read("calls-bad.log");
    assert_eq!(
        calls.matches("Tỉnh có 1.676 trường học.").count(),
        2,
        "{calls}"
    );
    assert_eq!(
        calls.matches("Hội nghị diễn ra tốt đẹp.").count(),
        1,
        "{calls}"
    );

    let status = project.run(&["status", "--json"]).expect_code(0).json();
    assert_valid("status", &status);
    let so = entry(&status["articles"], "source", "content/so.md");
    assert_eq!(so["state"], "held", "{status}");
    assert!(
        so["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("number-mismatch"),
        "{status}"
    );
    project.run(&["status", "--check"]).expect_code(1);
}

#[test]
fn the_fallback_backend_replaces_faulty_answers() {
    let project = project(
        "fallback = [\"good\"]\n\n[backends.good]\nkind = \"command\"\ncommand = [\"python3\", \"mt.py\", \"good\"]\n",
    );
    let summary = project.run(&["translate", "--json"]).expect_code(0).json();
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_no_bad_answer_written(&project);
    assert!(project.read("content/so.en.md").contains("1,676 schools"));
    assert!(project.read("content/cat.en.md").contains("until 2030."));
    assert!(
        project
            .read("content/nguyen.en.md")
            .contains("Happy New Year.")
    );
    let status = project.run(&["status", "--check"]).expect_code(0).stdout();
    assert!(!status.contains("held"), "{status}");
}

#[test]
fn a_held_article_keeps_its_previous_translation() {
    let fallback = "fallback = [\"good\"]\n\n[backends.good]\nkind = \"command\"\ncommand = [\"python3\", \"mt.py\", \"good\"]\n";
    let project = project(fallback);
    project.run(&["translate"]).expect_code(0);
    let before = project.read("content/so.en.md");
    // The fallback is gone and the source changed to a sentence the primary mangles.
    let config = project.read("config.toml").replace(fallback, "");
    project.write("config.toml", &config);
    project.write("content/so.md", "Huyện có 25 xã.\n");
    project.run(&["translate"]).expect_code(1);
    assert_eq!(project.read("content/so.en.md"), before, "left as it was");
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    let so = entry(&status["articles"], "source", "content/so.md");
    assert_eq!(so["state"], "held", "{status}");
    let detail = so["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("52 communes"), "{detail}");
    assert!(detail.contains("stale"), "says what is in place: {detail}");
}

/// A person's text is reported, never blocked: an imported translation with a wrong
/// number is written, and the article needs review.
#[test]
fn an_imported_translation_is_checked_as_a_warning_only() {
    let project = project("");
    project.write(
        "seed.tmx",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n<header creationtool=\"t\" creationtoolversion=\"1\" datatype=\"plaintext\" segtype=\"sentence\" adminlang=\"en\" srclang=\"vi\" o-tmf=\"t\"/>\n<body>\n<tu><tuv xml:lang=\"vi\"><seg>Tỉnh có 1.676 trường học.</seg></tuv><tuv xml:lang=\"en\"><seg>The province has 1,767 schools.</seg></tuv></tu>\n</body>\n</tmx>\n",
    );
    project
        .run(&["memory", "import", "seed.tmx"])
        .expect_code(0);
    project
        .run(&["translate", "--only", "content/so.md"])
        .expect_code(0);
    assert!(project.read("content/so.en.md").contains("1,767 schools"));
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    let so = entry(&status["articles"], "source", "content/so.md");
    assert_eq!(so["state"], "needs-review", "{status}");
    assert!(
        so["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("number-mismatch"),
        "{status}"
    );
}

/// A faulty machine translation already in the memory (stored with the gate off) is
/// not reused: it is sent again, and the fallback's answer is written.
#[test]
fn a_faulty_memory_entry_is_sent_again_not_reused() {
    let fallback = "fallback = [\"good\"]\n\n[backends.good]\nkind = \"command\"\ncommand = [\"python3\", \"mt.py\", \"good\"]\n";
    let project = project(&format!("{fallback}\n[qa]\nenabled = false\n"));
    project
        .run(&["translate", "--only", "content/so.md"])
        .expect_code(0);
    assert!(
        project.read("content/so.en.md").contains("1,767"),
        "gate off"
    );
    let config = project
        .read("config.toml")
        .replace("[qa]\nenabled = false\n", "");
    project.write("config.toml", &config);
    project.write("content/so2.md", "Tỉnh có 1.676 trường học.\n");
    project
        .run(&["translate", "--only", "content/so2.md"])
        .expect_code(0);
    assert!(project.read("content/so2.en.md").contains("1,676 schools"));
}

#[test]
fn a_warning_level_fault_is_written_and_needs_review() {
    let project = project(
        "\n[qa.levels]\nnumber-mismatch = \"warning\"\ntruncated = \"off\"\nuntranslated = \"warning\"\nvietnamese-left = \"warning\"\n",
    );
    project.run(&["translate"]).expect_code(0);
    assert!(project.read("content/so.en.md").contains("1,767"));
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    let state = |source: &str| entry(&status["articles"], "source", source);
    let so = state("content/so.md");
    assert_eq!(so["state"], "needs-review", "{status}");
    assert!(
        so["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("number-mismatch"),
        "{status}"
    );
    assert_eq!(state("content/tot.md")["state"], "up-to-date", "{status}");
}

/// Validates `value` against `docs/schema/qa.schema.json`.
fn assert_valid_qa_json(value: &serde_json::Value) {
    assert_valid("qa", value);
}

/// Validates `value` against `docs/schema/NAME.schema.json`.
fn assert_valid(name: &str, value: &serde_json::Value) {
    let path = format!(
        "{}/docs/schema/{name}.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
}

#[test]
fn dich_qa_passes_on_the_sample_translated_with_pseudo() {
    let project = Project::sample();
    project.run(&["translate"]).expect_code(0);
    let run = project.run(&["qa", "--format", "json"]).expect_code(0);
    let report = run.json();
    assert_valid_qa_json(&report);
    assert_eq!(report["summary"]["errors"], 0, "{report}");
    assert!(report["summary"]["files"].as_u64() > Some(0), "{report}");
}

#[test]
fn dich_qa_flags_a_hand_edited_wrong_number_with_file_and_line() {
    let project = project(
        "fallback = [\"good\"]\n\n[backends.good]\nkind = \"command\"\ncommand = [\"python3\", \"mt.py\", \"good\"]\n",
    );
    project.run(&["translate"]).expect_code(0);
    project.run(&["qa"]).expect_code(0);
    let english = project.read("content/so.en.md");
    let edited = english.replace("1,676 schools", "1,667 schools");
    assert_ne!(edited, english);
    project.write("content/so.en.md", &edited);
    let line = edited
        .lines()
        .position(|l| l.contains("1,667"))
        .map(|i| i + 1)
        .expect("edited line");

    let human = project.run(&["qa"]).expect_code(1).stdout();
    let location = format!("content/so.en.md:{line}: error[number-mismatch]");
    assert!(human.contains(&location), "{human}");
    assert!(human.contains("1,667 schools"), "{human}");

    let report = project
        .run(&["qa", "--format", "json"])
        .expect_code(1)
        .json();
    assert_valid_qa_json(&report);
    let issues = report["issues"].as_array().cloned().unwrap_or_default();
    assert_eq!(issues.len(), 1, "only the edited sentence: {report}");
    assert_eq!(issues[0]["path"], "content/so.en.md", "{report}");
    assert_eq!(issues[0]["line"], line, "{report}");
    assert_eq!(issues[0]["code"], "number-mismatch", "{report}");

    let github = project
        .run(&["qa", "--format", "github"])
        .expect_code(1)
        .stdout();
    assert!(
        github.starts_with(&format!(
            "::error file=content/so.en.md,line={line},title=number-mismatch::"
        )),
        "{github}"
    );
    // The edit can be let through as a warning: exit 0, unless --strict.
    let config = project.read("config.toml");
    project.write(
        "config.toml",
        &format!("{config}\n[qa.levels]\nnumber-mismatch = \"warning\"\n"),
    );
    project.run(&["qa"]).expect_code(0);
    project.run(&["qa", "--strict"]).expect_code(1);
    project
        .run(&["qa", "--only", "content/tot.md", "--strict"])
        .expect_code(0);
}

/// Line and column (1-based, characters) of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

#[test]
fn dich_qa_passes_on_the_sample_locales() {
    let project = Project::sample();
    let report = project
        .run(&["qa", "--only", "locales/vi", "--format", "json", "--strict"])
        .expect_code(0)
        .json();
    assert_valid_qa_json(&report);
    // main.ftl and article/comments.ftl in en, ko and zh-Hans.
    assert_eq!(report["summary"]["files"], 6, "{report}");
    assert!(
        report["summary"]["checked"].as_u64() > Some(150),
        "{report}"
    );
    assert_eq!(report["issues"], serde_json::json!([]), "{report}");
}

#[test]
fn dich_qa_flags_a_hand_edited_ui_string_with_a_wrong_number() {
    let project = Project::sample();
    let korean = project.read("locales/ko/main.ftl");
    let edited = korean.replace("푸동티엔브엉로 10번지", "푸동티엔브엉로 12번지");
    assert_ne!(edited, korean);
    project.write("locales/ko/main.ftl", &edited);
    let (line, column) = position(&edited, "박닌시 수오이호아동");

    let human = project.run(&["qa"]).expect_code(1).stdout();
    let location = format!("locales/ko/main.ftl:{line}:{column}: error[number-mismatch]: [ko]");
    assert!(human.contains(&location), "{human}");
    assert!(human.contains("12번지"), "{human}");

    let scoped = ["qa", "--only", "locales/vi/main.ftl", "--lang", "ko"];
    let report = project
        .run(&[&scoped[..], &["--format", "json"]].concat())
        .expect_code(1)
        .json();
    assert_valid_qa_json(&report);
    let issues = report["issues"].as_array().cloned().unwrap_or_default();
    assert_eq!(issues.len(), 1, "only the edited message: {report}");
    assert_eq!(issues[0]["path"], "locales/ko/main.ftl", "{report}");
    assert_eq!(issues[0]["line"], line, "{report}");
    assert_eq!(issues[0]["column"], column, "{report}");
    assert_eq!(issues[0]["code"], "number-mismatch", "{report}");
    assert_eq!(issues[0]["source"], "locales/vi/main.ftl", "{report}");
    assert_eq!(report["summary"]["files"], 1, "{report}");

    let github = project
        .run(&[&scoped[..], &["--format", "github"]].concat())
        .expect_code(1)
        .stdout();
    assert!(
        github.starts_with(&format!(
            "::error file=locales/ko/main.ftl,line={line},col={column},title=number-mismatch::"
        )),
        "{github}"
    );
    // Other languages and files are not concerned.
    project
        .run(&[
            "qa",
            "--only",
            "locales/vi/main.ftl",
            "--lang",
            "en,zh-Hans",
        ])
        .expect_code(0);
    project
        .run(&["qa", "--only", "locales/vi/article", "--lang", "ko"])
        .expect_code(0);
    // As a warning it passes, unless --strict.
    let config = project.read("config.toml");
    project.write(
        "config.toml",
        &format!("{config}\n[qa.levels]\nnumber-mismatch = \"warning\"\n"),
    );
    project.run(&scoped).expect_code(0);
    project
        .run(&[&scoped[..], &["--strict"]].concat())
        .expect_code(1);
}

#[test]
fn dich_qa_checks_machine_ui_strings_and_each_variant_but_not_pseudo_ones() {
    let project = Project::with_config(CONFIG);
    project.write(
        "locales/vi/main.ftl",
        "views =\n    { $count ->\n        [0] Chưa có lượt xem\n       *[other] { $count } lượt xem\n    }\n\
         limit = Tối đa 500 ký tự.\nnote = Hạn chót là ngày 30/9/2019.\n",
    );
    // `views[one]`, which Vietnamese lacks, is checked against the default variant;
    // a machine answer is judged; a pseudo one is not.
    project.write(
        "locales/en/main.ftl",
        "views =\n    { $count ->\n        [0] No views yet\n        [one] { $count } view lượt\n       *[other] { $count } views\n    }\n\
         # dich: machine (deepl, 2026-11-30) ref:0123456789ab\nlimit = At most 50 characters.\n\
         # dich: machine (pseudo, 2026-11-30) ref:0123456789ab\nnote = [Ｈạｎ ｃｈóｔ ３０/９/２０１９]\n",
    );
    let report = project
        .run(&["qa", "--format", "json", "--lang", "en"])
        .expect_code(1)
        .json();
    assert_valid_qa_json(&report);
    let found: Vec<(String, u64, String)> = report["issues"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap_or_default().to_owned(),
                i["line"].as_u64().unwrap_or_default(),
                i["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let ftl = "locales/en/main.ftl".to_owned();
    assert_eq!(
        found,
        vec![
            (ftl.clone(), 4, "vietnamese-left".to_owned()),
            (ftl, 8, "number-mismatch".to_owned()),
        ],
        "{report}"
    );
    assert_eq!(report["summary"]["pseudo_messages"], 1, "{report}");
}
