//! The publish manifest `translations.json` (issue 12): written by every `dich
//! translate` and by `dich export manifest`, valid against
//! `docs/schema/translations.schema.json`, telling the portal what a person approved,
//! what a machine wrote and what is a pseudo-translation.

use std::time::Duration;

use serde_json::Value;

use crate::mock::Deepl;
use crate::support::Project;

const NEWS: &str = "+++\ntitle = \"Lễ hội \\\"làng\\\"\"\n+++\n\nLàng mở hội vào mùa xuân.\n";
const YAML: &str = "---\ntitle: 'Tin mới'\n---\n\nBài mới.\n";

/// Parses `translations.json` of `project` and validates it against the schema.
fn manifest(project: &Project) -> Value {
    let value: Value =
        serde_json::from_str(&project.read("translations.json")).expect("manifest is JSON");
    let path = format!(
        "{}/docs/schema/translations.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
    value
}

fn article<'a>(manifest: &'a Value, source: &str) -> &'a Value {
    manifest["articles"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["source"] == source))
        .unwrap_or_else(|| panic!("{source} not in {manifest:#}"))
}

#[test]
fn a_pseudo_run_writes_a_valid_manifest_that_marks_every_translation_pseudo() {
    let project = Project::new();
    project.write("content/tin/le-hoi.md", NEWS);
    project.write("content/moi.md", YAML);
    project.write("locales/vi/main.ftl", "hello = Xin chào\nbye = Tạm biệt\n");
    project.run(&["translate"]).expect_code(0);
    let m = manifest(&project);
    assert_eq!(m["version"], 1);
    let news = article(&m, "content/tin/le-hoi.md");
    assert_eq!(news["slug"], "le-hoi");
    assert_eq!(news["titles"]["vi"], "Lễ hội \"làng\"", "{news:#}");
    assert_eq!(article(&m, "content/moi.md")["titles"]["vi"], "Tin mới");
    for lang in ["en", "ko", "zh-Hans"] {
        let t = &news["languages"][lang];
        assert_eq!(t["path"], format!("content/tin/le-hoi.{lang}.md"));
        assert_eq!(t["pseudo"], true, "{t:#}");
        assert_eq!(t["machine_translated"], true, "{t:#}");
        assert_eq!(t["review"]["state"], "pseudo", "{t:#}");
        assert_eq!(t["qa_warnings"], 0);
        assert!(news["titles"][lang].is_string(), "{news:#}");
        let ui = &m["ui"][lang];
        assert_eq!(
            (ui["messages"].as_u64(), ui["present"].as_u64()),
            (Some(2), Some(2))
        );
        assert_eq!(ui["machine_only"], 2, "{ui:#}");
        assert_eq!(ui["reviewed"], 0, "{ui:#}");
    }
    // Output, not input: a hand-edited manifest is rewritten; an unchanged one is not.
    project.write("translations.json", "{ \"edited\": true");
    let again = project.translate_json(&[]);
    assert_eq!(again["files_written"], 0, "{again}");
    assert_eq!(manifest(&project), m);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_says_who_approved_what_and_what_is_missing() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = Project::with_config(&server.config(1, 8));
    project.write("content/tin.md", NEWS);
    project.write("locales/vi/main.ftl", "hello = Xin chào\nbye = Tạm biệt\n");
    project.translate_json(&[]);
    project
        .run(&[
            "review",
            "approve",
            "content/tin.en.md",
            "locales/en/main.ftl",
            "--by",
            "Nguyễn Văn A",
        ])
        .expect_code(0);
    project.write("content/moi.md", YAML);
    let out = project
        .run(&["export", "manifest", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(out["path"], "translations.json", "{out}");
    let m = manifest(&project);
    let news = article(&m, "content/tin.md");
    let en = &news["languages"]["en"];
    assert_eq!(en["review"]["state"], "reviewed", "{en:#}");
    assert_eq!(en["review"]["by"], "Nguyễn Văn A");
    assert_eq!(en["machine_translated"], false);
    assert_eq!(en["pseudo"], false);
    assert!(
        en["backend"].as_str().unwrap_or("").contains("deepl"),
        "{en:#}"
    );
    let ko = &news["languages"]["ko"];
    assert_eq!(
        (
            ko["review"]["state"].as_str(),
            ko["machine_translated"].as_bool()
        ),
        (Some("machine"), Some(true))
    );
    let missing = &article(&m, "content/moi.md")["languages"]["en"];
    assert_eq!(missing["exists"], false, "{missing:#}");
    assert_eq!(missing["translation"], "missing");
    assert!(missing["review"].is_null());
    assert_eq!(m["ui"]["en"]["reviewed"], 2, "{m:#}");
    assert_eq!(m["ui"]["en"]["machine_only"], 0, "{m:#}");
    assert_eq!(m["ui"]["ko"]["machine_only"], 2, "{m:#}");
}

#[test]
fn the_manifest_path_is_configurable_and_a_manifest_that_cannot_be_written_fails_the_run() {
    let project = Project::with_config(&format!(
        "{}[review]\nmanifest = \"public/i18n.json\"\n",
        crate::support::CONFIG
    ));
    project.write("content/tin.md", NEWS);
    project.write("public", "a file where the folder should be");
    let run = project.run(&["translate"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("public/i18n.json"),
        "{}",
        run.stderr()
    );
    // The translations themselves were written.
    assert!(project.path("content/tin.en.md").exists());
    std::fs::remove_file(project.path("public")).expect("rm");
    std::fs::create_dir(project.path("public")).expect("mkdir");
    project.run(&["translate"]).expect_code(0);
    assert!(project.read("public/i18n.json").contains("\"version\": 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_counts_the_qa_warnings_recorded_with_each_translation() {
    let server = Deepl::start(Duration::ZERO, None).await;
    // The mock answers keep the Vietnamese: with those checks at warning level, every
    // translation is written with warnings.
    let config = server.config(1, 8).replace(
        "[qa]\nenabled = false\n",
        "[qa.levels]\nvietnamese-left = \"warning\"\nuntranslated = \"warning\"\nlength-ratio = \"off\"\ncjk-punctuation = \"off\"\n",
    );
    let project = Project::with_config(&config);
    project.write("content/tin.md", NEWS);
    project.write("content/so.md", "2024\n");
    let run = project.translate_json(&[]);
    assert_eq!(run["failed"], 0, "{run}");
    let m = manifest(&project);
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    for lang in ["en", "ko", "zh-Hans"] {
        let path = format!("content/tin.{lang}.md");
        let warned = &article(&m, "content/tin.md")["languages"][lang];
        let recorded = crate::support::entry(&status["articles"], "path", &path);
        assert_eq!(recorded["state"], "needs-review", "{recorded:#}");
        // The title and the paragraph each left Vietnamese in the answer.
        let count = warned["qa_warnings"].as_u64().unwrap_or(0);
        assert!(count >= 2, "{warned:#}");
        assert_eq!(
            recorded["detail"]
                .as_str()
                .unwrap_or("")
                .matches("vietnamese-left")
                .count() as u64,
            count,
            "{recorded:#}"
        );
        // Nothing to translate, nothing to warn about.
        assert_eq!(
            article(&m, "content/so.md")["languages"][lang]["qa_warnings"],
            0
        );
    }
}

/// After `dich translate`, the manifest's articles are made while the run waits for
/// its last answers (issue 15): those finished then go to a spool, the others are
/// made after the run and put in their places. Whatever the split, the file must be
/// exactly what a whole pass writes, failed translations included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_made_beside_the_last_answers_is_the_whole_pass_byte_for_byte() {
    // Slow answers, so that many are on their way when the last is sent; every
    // seventh request is refused for good, so some articles end failed.
    let server = Deepl::start(Duration::from_millis(150), Some((7, 400))).await;
    let project = Project::with_config(&server.config(2, 40));
    // More articles than a step of the pass goes through (64).
    for i in 0..150 {
        project.write(
            &format!("content/bai-{i:03}.md"),
            &format!("+++\ntitle = \"Bài {i}\"\n+++\n\nCâu một của bài {i}. Câu hai của bài {i}.\n\nĐoạn hai của bài {i}.\n"),
        );
    }
    project.write("locales/vi/main.ftl", "hello = Xin chào\n");
    let run = project
        .command(&["translate", "--json"])
        .env("DICH_LOG", "dich::review=debug")
        .output()
        .expect("run dich");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");
    let split = stderr
        .lines()
        .find_map(|line| {
            // "translations.json: N articles made while the last answers came, M left
            // for after the run"
            let (_, counts) = line.split_once("translations.json: ")?;
            let (made, rest) = counts.split_once(" articles made while")?;
            let (_, rest) = rest.split_once(", ")?;
            let (left, _) = rest.split_once(" left for after the run")?;
            Some((made.parse::<usize>().ok()?, left.parse::<usize>().ok()?))
        })
        .unwrap_or_else(|| panic!("no pass beside the last answers:\n{stderr}"));
    assert!(split.0 > 0 && split.1 > 0, "{split:?}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert!(report["failed"].as_u64().unwrap_or(0) > 0, "{report}");
    let after_run = project.read("translations.json");
    manifest(&project);
    project.run(&["export", "manifest"]).expect_code(0);
    assert_eq!(project.read("translations.json"), after_run);
}
