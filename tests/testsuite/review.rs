//! `dich review` (issue 12): review states per article and language and per Fluent
//! file, approvals by a named person that cover the exact source and translation,
//! mirrored in the files so deleting `.dich/` loses none, and the CI gate
//! `dich status --check --require reviewed`.

use std::time::Duration;

use serde_json::Value;

use crate::mock::Deepl;
use crate::support::Project;

const NEWS: &str = "+++\ntitle = \"Lễ hội làng\"\n+++\n\nLàng mở hội vào mùa xuân. Mọi người đều vui.\n\nĐoạn thứ hai.\n";
const REVIEWER: &str = "Nguyễn Văn A";

/// A project on the mock DeepL with one article and one Fluent file, translated.
async fn translated(server: &Deepl) -> Project {
    let project = Project::with_config(&server.config(1, 8));
    project.write("content/tin.md", NEWS);
    project.write("locales/vi/main.ftl", "hello = Xin chào\n");
    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    project
}

/// `review list --json`: path → review state.
fn states(project: &Project) -> Vec<(String, String)> {
    let list = project
        .run(&["review", "list", "--json"])
        .expect_code(0)
        .json();
    list["entries"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    let state = e["review"]["state"].as_str().unwrap_or("none");
                    (
                        e["path"].as_str().unwrap_or("").to_owned(),
                        state.to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn state_of(project: &Project, path: &str) -> String {
    states(project)
        .into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("{path} not listed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_turns_reviewed_survives_losing_the_memory_and_lapses_on_a_source_edit() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    let all = states(&project);
    assert_eq!(all.len(), 6, "3 articles + 3 UI files: {all:?}");
    assert!(all.iter().all(|(_, s)| s == "machine"), "{all:?}");
    let gate = project
        .run(&["status", "--check", "--require", "reviewed"])
        .expect_code(1)
        .stdout();
    // The last line agrees with the exit code and says why.
    assert!(
        gate.trim_end().ends_with("6 not reviewed — check failed"),
        "{gate}"
    );
    assert!(gate.contains("up-to-date    machine      en"), "{gate}");

    let out = project
        .run(&["review", "approve", "content/tin.md", "--by", REVIEWER])
        .expect_code(0)
        .stdout();
    assert!(out.contains("3 approved by Nguyễn Văn A"), "{out}");
    for lang in ["en", "ko", "zh-Hans"] {
        let path = format!("content/tin.{lang}.md");
        assert_eq!(state_of(&project, &path), "reviewed");
        assert!(
            project
                .read(&path)
                .contains("reviewed_by = \"Nguyễn Văn A\"")
        );
    }
    // The mirror in the provenance is not a human edit, and changes nothing to do.
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    assert_eq!(status["articles"][0]["state"], "up-to-date", "{status:#}");
    assert_eq!(
        status["articles"][0]["review"]["by"], REVIEWER,
        "{status:#}"
    );
    let before = server.count();
    let again = project.translate_json(&[]);
    assert_eq!(again["files_written"], 0, "{again}");
    assert_eq!(server.count(), before);

    // The UI files, by their reference file; then nothing is left unapproved.
    project
        .run(&["review", "approve", "locales/vi/main.ftl", "--by", REVIEWER])
        .expect_code(0);
    assert!(
        project
            .read("locales/en/main.ftl")
            .starts_with("### dich-review: ")
    );
    project
        .run(&["status", "--check", "--require", "reviewed"])
        .expect_code(0);

    // The files are the truth: without the memory the approvals stay.
    std::fs::remove_dir_all(project.path(".dich")).expect("rm .dich");
    assert!(states(&project).iter().all(|(_, s)| s == "reviewed"));

    // Editing one sentence of the source: the next run makes it needs-review.
    project.write(
        "content/tin.md",
        &NEWS.replace("Đoạn thứ hai.", "Đoạn thứ ba."),
    );
    project.translate_json(&[]);
    assert_eq!(state_of(&project, "content/tin.en.md"), "needs-review");
    // The UI file did not change: its approval stands.
    assert_eq!(state_of(&project, "locales/en/main.ftl"), "reviewed");
    project
        .run(&["status", "--check", "--require", "reviewed"])
        .expect_code(1);
    // Approving again settles it.
    project
        .run(&[
            "review", "approve", "content", "--lang", "en", "--by", REVIEWER,
        ])
        .expect_code(0);
    assert_eq!(state_of(&project, "content/tin.en.md"), "reviewed");
    assert_eq!(state_of(&project, "content/tin.ko.md"), "needs-review");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_translation_needs_review_again_and_a_rejection_holds_until_it_changes() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    let en = "content/tin.en.md";
    project
        .run(&["review", "approve", en, "--by", REVIEWER])
        .expect_code(0);
    let text = project.read(en);
    project.write(en, &text.replace("Đoạn thứ hai.", "The second paragraph."));
    assert_eq!(state_of(&project, en), "needs-review");

    let ko = "content/tin.ko.md";
    let out = project
        .run(&[
            "review",
            "reject",
            ko,
            "--by",
            "Lê B",
            "--reason",
            "tên riêng sai",
        ])
        .expect_code(0)
        .stdout();
    assert!(out.contains("1 rejected by Lê B"), "{out}");
    let list = project
        .run(&["review", "list", "--state", "held"])
        .expect_code(0)
        .stdout();
    assert!(list.contains("rejected by Lê B: tên riêng sai"), "{list}");
    assert!(list.contains(ko) && !list.contains(en), "{list}");
    // A person fixes it: no longer held, waiting for a review.
    let text = project.read(ko);
    project.write(ko, &text.replace("Đoạn thứ hai.", "두 번째 단락."));
    assert_eq!(state_of(&project, ko), "needs-review");
}

#[test]
fn pseudo_translations_are_marked_and_never_approved() {
    let project = Project::new();
    project.write("content/tin.md", NEWS);
    project.run(&["translate"]).expect_code(0);
    assert_eq!(state_of(&project, "content/tin.en.md"), "pseudo");
    let run = project
        .run(&["review", "approve", "content/tin.en.md", "--by", REVIEWER])
        .expect_code(1);
    assert!(
        run.stdout().contains("pseudo-translation"),
        "{}",
        run.stdout()
    );
    assert_eq!(state_of(&project, "content/tin.en.md"), "pseudo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_what_is_missing_stale_or_unknown_is_refused_with_the_reason() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    project.write(
        "content/tin.md",
        &NEWS.replace("Đoạn thứ hai.", "Đoạn khác."),
    );
    project.write("content/moi.md", "Bài mới.\n");
    let json: Value = project
        .run(&[
            "review", "approve", "content", "nope.md", "--by", REVIEWER, "--json",
        ])
        .expect_code(1)
        .json();
    let refused = |path: &str| -> String {
        json["outcomes"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["path"] == path))
            .and_then(|o| o["refused"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    assert!(refused("content/tin.en.md").contains("stale"), "{json:#}");
    assert!(
        refused("content/moi.en.md").contains("no translation yet"),
        "{json:#}"
    );
    assert!(refused("nope.md").contains("no such file"), "{json:#}");
    assert_eq!(json["failed"], 7, "{json:#}");
    assert_eq!(state_of(&project, "content/tin.en.md"), "machine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reviewer_comes_from_the_environment_and_no_name_is_refused() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    let nameless = |args: &[&str]| {
        let mut command = project.command(args);
        command
            .env_remove("DICH_REVIEWER")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", project.path(""));
        command
    };
    let output = nameless(&["review", "approve", "content/tin.en.md"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--by"));
    assert_eq!(state_of(&project, "content/tin.en.md"), "machine");
    let output = nameless(&["review", "approve", "content/tin.en.md"])
        .env("DICH_REVIEWER", "Trần C")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        project
            .read("content/tin.en.md")
            .contains("reviewed_by = \"Trần C\"")
    );
}

/// `review show --json` for `path`, validated against its schema: its blocks with
/// pending proposals.
fn shown(project: &Project, path: &str) -> Vec<Value> {
    let json = project
        .run(&["review", "show", path, "--json"])
        .expect_code(0)
        .json();
    let schema = format!(
        "{}/docs/schema/review-show.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema).expect("schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{json:#}");
    json["files"][0]["blocks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The reviewer rewrites the first sentence of the first paragraph in English; a
/// run learns it. Returns the machine's prefix for English (`EN-US:` or the like).
async fn reviewer_rewrites_first_sentence(project: &Project) -> String {
    let en = "content/tin.en.md";
    let text = project.read(en);
    let at = text.find("Làng mở hội").expect("machine sentence");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = text[line_start..at].to_owned();
    let machine = format!("{prefix}Làng mở hội vào mùa xuân.");
    project.write(
        en,
        &text.replace(&machine, "The village holds its festival in spring."),
    );
    let run = project.translate_json(&[]);
    assert_eq!(run["failed"], 0, "{run}");
    prefix
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewers_sentence_survives_a_change_to_the_other_sentence_of_its_paragraph() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    let en = "content/tin.en.md";
    let prefix = reviewer_rewrites_first_sentence(&project).await;
    project.write(
        "content/tin.md",
        &NEWS.replace("Mọi người đều vui.", "Mọi người đều rất vui."),
    );
    let before = server.count();
    let run = project.translate_json(&[]);
    assert_eq!(run["failed"], 0, "{run}");
    // Only the changed sentence was sent (once per language).
    assert_eq!(run["segments_sent"], 3, "{run}");
    assert!(server.count() > before);
    let text = project.read(en);
    assert!(
        text.contains(&format!(
            "The village holds its festival in spring. {prefix}Mọi người đều rất vui."
        )),
        "{text}"
    );
    assert_eq!(state_of(&project, en), "needs-review");

    // `review show` says what changed and what the machine proposes.
    let blocks = shown(&project, en);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let block = &blocks[0];
    assert_eq!(block["block"], 2, "{block:#}");
    assert_eq!(
        block["old_source"],
        "Làng mở hội vào mùa xuân. Mọi người đều vui."
    );
    assert_eq!(
        block["new_source"],
        "Làng mở hội vào mùa xuân. Mọi người đều rất vui."
    );
    assert!(
        block["diff"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["op"] == "insert" && p["text"] == "rất "),
        "{block:#}"
    );
    assert_eq!(
        block["person"],
        format!("The village holds its festival in spring. {prefix}Mọi người đều vui.")
    );
    assert_eq!(block["in_file"], true);
    let human = project
        .run(&["review", "show", "content/tin.md", "--lang", "en"])
        .expect_code(0)
        .stdout();
    assert!(human.contains("{+rất +}"), "{human}");
    assert!(human.contains("1 pending proposal(s)"), "{human}");

    // A later change elsewhere keeps the person's sentence again.
    project.write(
        "content/tin.md",
        &NEWS
            .replace("Mọi người đều vui.", "Mọi người đều rất vui.")
            .replace("Đoạn thứ hai.", "Đoạn thứ ba."),
    );
    project.translate_json(&[]);
    assert!(
        project
            .read(en)
            .contains("The village holds its festival in spring."),
        "{}",
        project.read(en)
    );

    // Approving clears needs-review and settles the proposal.
    project
        .run(&["review", "approve", en, "--by", REVIEWER])
        .expect_code(0);
    assert_eq!(state_of(&project, en), "reviewed");
    assert!(shown(&project, en).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_structural_change_keeps_the_persons_block_beside_the_proposal_until_accepted() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    let en = "content/tin.en.md";
    let prefix = reviewer_rewrites_first_sentence(&project).await;
    let person = format!("The village holds its festival in spring. {prefix}Mọi người đều vui.");
    // The paragraph gains a sentence: the sentences no longer line up.
    project.write(
        "content/tin.md",
        &NEWS.replace("Mọi người đều vui.", "Mọi người đều vui. Trời đẹp."),
    );
    let run = project.translate_json(&[]);
    assert_eq!(run["failed"], 0, "{run}");
    assert!(project.read(en).contains(&person), "{}", project.read(en));
    assert_eq!(state_of(&project, en), "needs-review");
    let blocks = shown(&project, en);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let proposal =
        format!("{prefix}Làng mở hội vào mùa xuân. {prefix}Mọi người đều vui. {prefix}Trời đẹp.");
    assert_eq!(blocks[0]["proposal"], proposal.as_str(), "{:#}", blocks[0]);
    assert_eq!(blocks[0]["person"], person.as_str());
    assert_eq!(blocks[0]["in_file"], false);

    // Asking for a block without a proposal changes nothing and says so.
    project
        .run(&[
            "review",
            "accept-proposal",
            en,
            "--block",
            "1",
            "--by",
            REVIEWER,
        ])
        .expect_code(1);
    assert!(project.read(en).contains(&person));
    let out = project
        .run(&["review", "accept-proposal", en, "--all", "--by", REVIEWER])
        .expect_code(0)
        .stdout();
    assert!(out.contains("1 proposal(s) accepted"), "{out}");
    let text = project.read(en);
    assert!(text.contains(&proposal), "{text}");
    assert!(!text.contains("The village holds"), "{text}");
    assert!(shown(&project, en).is_empty());
    assert_eq!(state_of(&project, en), "machine");
    // The machine's text is not taken for a person's edit, and nothing is left to do.
    let again = project.translate_json(&[]);
    assert_eq!(again["files_written"], 0, "{again}");
}

/// The issue's own steps: the reviewer's edit and the source change reach dich in the
/// same run; the source the edit was made against is remembered from the last write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_and_a_source_change_in_one_step_still_keep_the_reviewers_sentence() {
    let server = Deepl::start(Duration::ZERO, None).await;
    let project = translated(&server).await;
    let en = "content/tin.en.md";
    let text = project.read(en);
    let at = text.find("Làng mở hội").expect("machine sentence");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = text[line_start..at].to_owned();
    project.write(
        en,
        &text.replace(
            &format!("{prefix}Làng mở hội vào mùa xuân."),
            "The village holds its festival in spring.",
        ),
    );
    project.write(
        "content/tin.md",
        &NEWS.replace("Mọi người đều vui.", "Mọi người đều rất vui."),
    );
    let run = project.translate_json(&[]);
    assert_eq!(run["failed"], 0, "{run}");
    assert!(
        project.read(en).contains(&format!(
            "The village holds its festival in spring. {prefix}Mọi người đều rất vui."
        )),
        "{}",
        project.read(en)
    );
    assert_eq!(state_of(&project, en), "needs-review");
    let blocks = shown(&project, en);
    assert_eq!(
        blocks[0]["old_source"], "Làng mở hội vào mùa xuân. Mọi người đều vui.",
        "{blocks:?}"
    );
}
