//! The no-op shortcut (issue 15, item 1): a run over an unchanged tree trusts the stat
//! data the memory recorded and reads no file; a change the stat data cannot show
//! (racy timestamps), a touch, a config change and a deleted memory are handled.

use std::time::{Duration, SystemTime};

use crate::support::Project;

const NEWS: &str = "content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md";
const NEWS_EN: &str = "content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.en.md";

fn mtime(project: &Project, rel: &str) -> SystemTime {
    std::fs::metadata(project.path(rel))
        .unwrap()
        .modified()
        .unwrap()
}

fn set_mtime(project: &Project, rel: &str, time: SystemTime) {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(project.path(rel))
        .unwrap();
    file.set_modified(time).unwrap();
}

/// Changes one ASCII letter of the source in place (same size, same inode) and puts
/// the modification time back: only the content differs.
fn change_source_keeping_stat(project: &Project) {
    let before = mtime(project, NEWS);
    let text = project.read(NEWS);
    let changed = text.replacen("Phụ trách", "Phụ tráck", 1);
    assert_ne!(text, changed);
    assert_eq!(text.len(), changed.len());
    std::fs::write(project.path(NEWS), changed).unwrap();
    set_mtime(project, NEWS, before);
}

/// The English title the manifest lists for the sample article.
fn manifest_title(project: &Project) -> String {
    let manifest: serde_json::Value =
        serde_json::from_str(&project.read("translations.json")).unwrap();
    let article = manifest["articles"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["source"] == NEWS))
        .unwrap_or_else(|| panic!("{NEWS} not in {manifest:#}"));
    article["titles"]["en"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A translated sample project whose files all look an hour old, with records that
/// trust them (the second run refreshed the records of the files the first wrote).
fn settled() -> Project {
    let project = Project::sample();
    project.translate_json(&[]);
    let old = SystemTime::now() - Duration::from_secs(3600);
    for rel in [NEWS, NEWS_EN] {
        set_mtime(&project, rel, old);
    }
    for lang in ["ko", "zh-Hans"] {
        set_mtime(
            &project,
            &NEWS_EN.replace(".en.", &format!(".{lang}.")),
            old,
        );
    }
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    project
}

fn sent(summary: &serde_json::Value) -> u64 {
    summary["segments_sent"].as_u64().unwrap_or(u64::MAX)
}

#[test]
fn a_no_op_run_reads_no_file_whose_stat_data_match() {
    let project = settled();
    change_source_keeping_stat(&project);
    // The stat data match and are old: the content is not read, the change unseen.
    let summary = project.translate_json(&[]);
    assert_eq!(sent(&summary), 0, "{summary}");
    assert_eq!(project.state_of(NEWS_EN), "up-to-date");
}

#[test]
fn a_change_within_the_timestamp_granularity_is_seen() {
    let project = Project::sample();
    // A modification time no earlier than the record's own time: the record cannot
    // tell a later change within the same timestamp from none (on a slow machine a
    // real "just now" could be seconds before the record, hence a fixed one).
    set_mtime(&project, NEWS, SystemTime::now() + Duration::from_secs(60));
    project.translate_json(&[]);
    // After the run, with the same size and time.
    change_source_keeping_stat(&project);
    assert_eq!(project.state_of(NEWS_EN), "stale");
    let summary = project.translate_json(&[]);
    assert!(sent(&summary) > 0, "{summary}");
}

#[test]
fn a_touched_file_is_hashed_and_its_record_refreshed() {
    let project = settled();
    let touched = SystemTime::now() - Duration::from_secs(1800);
    set_mtime(&project, NEWS, touched);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(sent(&summary), 0, "{summary}");
    // The record now holds the new time: a same-size change under it goes unread.
    change_source_keeping_stat(&project);
    assert_eq!(sent(&project.translate_json(&[])), 0);
}

#[test]
fn a_hand_edited_translation_is_still_seen() {
    let project = settled();
    let text = project.read(NEWS_EN);
    project.write(NEWS_EN, &format!("{text}\nAdded by an editor.\n"));
    let status = project.run(&["status", "--json"]).json();
    assert!(status.to_string().contains(NEWS_EN), "{status}");
    assert_ne!(project.state_of(NEWS_EN), "up-to-date");
}

#[test]
fn deleting_the_memory_or_changing_the_config_reads_everything_again() {
    let project = settled();
    change_source_keeping_stat(&project);
    let config = project.read("config.toml");
    project.write("config.toml", &format!("{config}\n# changed\n"));
    assert_eq!(project.state_of(NEWS_EN), "stale");

    let project = settled();
    change_source_keeping_stat(&project);
    std::fs::remove_dir_all(project.path(".dich")).unwrap();
    let summary = project.translate_json(&[]);
    assert!(sent(&summary) > 0, "{summary}");
}

#[test]
fn the_manifest_trusts_its_records_and_reads_a_changed_translation_again() {
    let project = settled();
    let title = manifest_title(&project);
    assert!(title.starts_with("[en] "), "{title}");
    // The same size and the same stat data: the manifest pass does not read the file
    // again, it uses what it recorded (proof that the no-op reads nothing)…
    let before = mtime(&project, NEWS_EN);
    let text = project.read(NEWS_EN);
    let retitled = text.replacen("title = \"[en] ", "title = \"[EN] ", 1);
    assert_ne!(text, retitled);
    std::fs::write(project.path(NEWS_EN), &retitled).unwrap();
    set_mtime(&project, NEWS_EN, before);
    project.run(&["export", "manifest"]).expect_code(0);
    assert_eq!(manifest_title(&project), title);
    // …and once the stat data show the change, the recorded facts are stale: the file
    // is read again and the manifest says what it says now.
    set_mtime(&project, NEWS_EN, before + Duration::from_secs(60));
    project.run(&["export", "manifest"]).expect_code(0);
    assert_eq!(
        manifest_title(&project),
        title.replacen("[en] ", "[EN] ", 1)
    );
    // The same holds for `dich translate`, which rewrites the manifest too.
    let text = project.read(NEWS_EN);
    project.write(
        NEWS_EN,
        &text.replacen("title = \"[EN] ", "title = \"[En] ", 1),
    );
    project.translate_json(&[]);
    assert!(manifest_title(&project).starts_with("[En] "));
}

/// The manifest of `project` as JSON.
fn manifest(project: &Project) -> serde_json::Value {
    serde_json::from_str(&project.read("translations.json")).unwrap()
}

/// The manifest's entry of the sample article's English translation.
fn manifest_en(project: &Project) -> serde_json::Value {
    let manifest = manifest(project);
    manifest["articles"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["source"] == NEWS))
        .map(|a| a["languages"]["en"].clone())
        .unwrap_or_else(|| panic!("{NEWS} not in {manifest:#}"))
}

/// A settled project whose manifest is an hour old and recorded as such: the next
/// no-op run keeps it without hashing it again.
fn settled_with_an_old_manifest() -> Project {
    let project = settled();
    set_mtime(
        &project,
        "translations.json",
        SystemTime::now() - Duration::from_secs(3600),
    );
    // The stat data moved, the content did not: the record is refreshed.
    project.translate_json(&[]);
    project
}

/// Edits the manifest in place keeping its size and stat data, and returns it as it
/// was: a run that rebuilds the manifest puts it back, one that keeps it does not.
fn edit_manifest_unseen(project: &Project) -> (String, String) {
    let written = project.read("translations.json");
    let before = mtime(project, "translations.json");
    let edited = written.replacen("\"up-to-date\"", "\"up-to-datE\"", 1);
    assert_ne!(edited, written);
    std::fs::write(project.path("translations.json"), &edited).unwrap();
    set_mtime(project, "translations.json", before);
    (written, edited)
}

#[test]
fn a_no_op_run_keeps_the_manifest_without_a_pass_and_rewrites_a_deleted_one() {
    let project = settled_with_an_old_manifest();
    let (written, edited) = edit_manifest_unseen(&project);
    project.translate_json(&[]);
    assert_eq!(project.read("translations.json"), edited);
    // `dich export manifest` always makes it again.
    project.run(&["export", "manifest"]).expect_code(0);
    assert_eq!(project.read("translations.json"), written);

    std::fs::remove_file(project.path("translations.json")).unwrap();
    project.translate_json(&[]);
    assert_eq!(project.read("translations.json"), written);
}

#[test]
fn a_change_only_in_the_memory_is_in_the_next_no_op_runs_manifest() {
    let project = settled_with_an_old_manifest();
    assert_eq!(manifest_en(&project)["qa_warnings"], 0);
    // Another process records a QA warning: no file changes, only the memory.
    let db = rusqlite::Connection::open(project.path(".dich/memory.db")).unwrap();
    db.execute(
        "INSERT INTO qa_warnings (path, reason, recorded_at) VALUES (?1, 'a number is missing', '2026-12-01T00:00:00Z')",
        [NEWS_EN],
    )
    .unwrap();
    drop(db);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(manifest_en(&project)["qa_warnings"], 1);
}

#[test]
fn a_touched_translation_has_its_new_time_in_the_manifest() {
    let project = settled_with_an_old_manifest();
    let old = manifest_en(&project)["changed_at"].clone();
    set_mtime(
        &project,
        NEWS_EN,
        SystemTime::now() - Duration::from_secs(600),
    );
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    let new = manifest_en(&project)["changed_at"].clone();
    assert!(new.is_string() && new != old, "{old} -> {new}");
}

#[test]
fn a_narrowed_run_or_a_changed_ui_file_rebuilds_the_manifest() {
    let project = settled_with_an_old_manifest();
    // `--lang` and `--only` see part of the project: they prove nothing about the rest.
    let (written, _) = edit_manifest_unseen(&project);
    project.translate_json(&["--lang", "en"]);
    assert_eq!(project.read("translations.json"), written);
    edit_manifest_unseen(&project);
    project.translate_json(&["--only", NEWS]);
    assert_eq!(project.read("translations.json"), written);
    // Two runs narrowed alike prove nothing either: what changed outside them (a
    // Korean translation touched) is in the manifest after the second.
    let news_ko = NEWS_EN.replace(".en.", ".ko.");
    let ko_changed_at = |project: &Project| {
        let manifest = manifest(project);
        manifest["articles"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["source"] == NEWS))
            .map(|a| a["languages"]["ko"]["changed_at"].clone())
            .unwrap_or_default()
    };
    project.translate_json(&["--lang", "en"]);
    let before = ko_changed_at(&project);
    set_mtime(
        &project,
        &news_ko,
        SystemTime::now() - Duration::from_secs(900),
    );
    project.translate_json(&["--lang", "en"]);
    let after = ko_changed_at(&project);
    assert!(after.is_string() && after != before, "{before} -> {after}");
    // A translator edits a UI file: the next run rebuilds it (the run records the edit
    // in the memory, and the digest counts the Fluent files by content as well).
    let (written, _) = edit_manifest_unseen(&project);
    let ui = project.read("locales/en/main.ftl");
    project.write(
        "locales/en/main.ftl",
        &format!("{ui}\n# A translator's note.\n"),
    );
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(project.read("translations.json"), written);
}

#[test]
fn a_translator_taking_over_a_machine_ui_string_is_in_the_next_no_op_runs_manifest() {
    let project = settled_with_an_old_manifest();
    // A new UI string, machine-translated and marked so in each locale.
    let reference = project.read("locales/vi/main.ftl");
    project.write(
        "locales/vi/main.ftl",
        &format!("{reference}\nnew-greeting = Chào mừng bạn.\n"),
    );
    project.translate_json(&[]);
    project.translate_json(&[]);
    let machine_only = |project: &Project| manifest(project)["ui"]["ko"]["machine_only"].clone();
    assert_eq!(machine_only(&project), 1);
    // A translator takes it over: the marker goes, nothing else in the project or the
    // memory changes, and the run writes nothing.
    let ko = project.read("locales/ko/main.ftl");
    let taken: String = ko
        .lines()
        .filter(|line| !line.starts_with("# dich: machine"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_ne!(taken, ko);
    project.write("locales/ko/main.ftl", &taken);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(machine_only(&project), 0);
}
