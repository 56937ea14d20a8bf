//! Translation memory and human edits, end to end (issue 5): re-runs pay only for what
//! changed, and an editor's work is never lost.

use crate::support::Project;

const NEWS: &str = "content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md";
const NEWS_EN: &str = "content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.en.md";
const EDITED: &str =
    "In the past period, the provincial agency was *an adviser* (edited by a human).";

fn sent(summary: &serde_json::Value, lang: &str) -> u64 {
    summary["languages"][lang]["segments_sent"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

/// Replaces the English block that starts with `prefix` by `with`.
fn edit_block(project: &Project, rel: &str, prefix: &str, with: &str) {
    let text = project.read(rel);
    let mut found = false;
    let edited: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with(prefix) {
                found = true;
                with.to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert!(found, "no line starts with {prefix:?} in {rel}");
    project.write(rel, &(edited.join("\n") + "\n"));
}

fn edit_source(project: &Project, from: &str, to: &str) {
    let text = project.read(NEWS);
    assert!(text.contains(from), "{from:?} not in the source");
    project.write(NEWS, &text.replacen(from, to, 1));
}

#[test]
fn editing_one_source_sentence_resends_one_segment_per_language() {
    let project = Project::sample();
    project.translate_json(&[]);
    edit_source(
        &project,
        "Phụ trách UBND tỉnh",
        "phụ trách Ủy ban nhân dân tỉnh",
    );
    let summary = project.translate_json(&[]);
    for lang in ["en", "ko", "zh-Hans"] {
        assert_eq!(sent(&summary, lang), 1, "{summary}");
    }
}

#[test]
fn reordering_paragraphs_resends_nothing() {
    let project = Project::sample();
    project.translate_json(&[]);
    let text = project.read(NEWS);
    let a = "Trong giai đoạn 2021- 2025, Ban chỉ đạo";
    let b = "Phó Bí thư Thường trực Tỉnh ủy Nguyễn Hữu Quất khẳng định";
    let (start_a, start_b) = (text.find(a).unwrap(), text.find(b).unwrap());
    let end_b = start_b + text[start_b..].find("\n\n").unwrap();
    let swapped = format!(
        "{}{}\n\n{}{}",
        &text[..start_a],
        &text[start_b..end_b],
        &text[start_a..start_b - 2],
        &text[end_b..]
    );
    project.write(NEWS, &swapped);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert_eq!(summary["languages"]["en"]["files_written"], 1, "{summary}");
}

#[test]
fn a_human_edit_survives_reruns_and_changes_elsewhere() {
    let project = Project::sample();
    project.translate_json(&[]);
    edit_block(&project, NEWS_EN, "[en] Trong giai doan vua qua", EDITED);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert!(project.read(NEWS_EN).contains(EDITED));
    assert_eq!(project.state_of(NEWS_EN), "human-edited");

    // A different paragraph changes: it is re-translated, the edit stays.
    edit_source(
        &project,
        "Xây dựng hệ thống dữ liệu",
        "Xây dựng mới hệ thống dữ liệu",
    );
    let summary = project.translate_json(&[]);
    assert_eq!(sent(&summary, "en"), 1, "{summary}");
    let english = project.read(NEWS_EN);
    assert!(english.contains(EDITED), "{english}");
    assert!(
        english.contains("Xay dung moi he thong du lieu"),
        "{english}"
    );
    // dich wrote the file last, and a person's block is still in it: the status
    // says so (from the memory's human units, the file's hash being dich's own).
    assert_eq!(project.state_of(NEWS_EN), "human-edited");
    project.translate_json(&[]);
    assert_eq!(project.state_of(NEWS_EN), "human-edited");
}

#[test]
fn a_human_unit_is_reused_in_another_article() {
    let project = Project::new();
    let paragraph = "Hội nghị diễn ra tại Bắc Ninh. Các đại biểu thảo luận sôi nổi.";
    project.write("content/a.md", &format!("Bài A.\n\n{paragraph}\n"));
    project.translate_json(&["--lang", "en"]);
    edit_block(
        &project,
        "content/a.en.md",
        "[en] Hoi nghi",
        "The conference took place in Bac Ninh. Delegates debated.",
    );
    project.translate_json(&["--lang", "en"]);
    project.write("content/b.md", &format!("Bài B.\n\n{paragraph}\n"));
    let summary = project.translate_json(&["--lang", "en"]);
    assert_eq!(
        summary["segments_sent"], 1,
        "only the title of b: {summary}"
    );
    assert!(
        project
            .read("content/b.en.md")
            .contains("Delegates debated.")
    );
}

/// Issue 12 changed this: the person's block is no longer replaced. The edit does
/// not line up with the source's sentences (one sentence for several), so it stays
/// whole and the machine's translation of the new source waits beside it.
#[test]
fn changing_the_source_under_an_edit_keeps_it_proposes_a_retranslation_and_asks_for_review() {
    let project = Project::sample();
    project.translate_json(&[]);
    edit_block(&project, NEWS_EN, "[en] Trong giai doan vua qua", EDITED);
    project.translate_json(&[]);
    edit_source(&project, "Bên cạnh đó, công tác", "Ngoài ra, công tác");
    let summary = project.translate_json(&["--lang", "en"]);
    assert_eq!(sent(&summary, "en"), 1, "{summary}");
    assert!(project.read(NEWS_EN).contains(EDITED));
    assert_eq!(project.state_of(NEWS_EN), "needs-review");
    let shown = project
        .run(&["review", "show", NEWS_EN, "--json"])
        .expect_code(0)
        .json();
    let block = &shown["files"][0]["blocks"][0];
    assert_eq!(block["in_file"], false, "{shown:#}");
    assert!(
        block["proposal"]
            .as_str()
            .unwrap_or("")
            .contains("Ngoai ra, cong tac"),
        "{shown:#}"
    );
}

#[test]
fn a_structural_change_is_a_conflict_and_force_keeps_a_backup() {
    let project = Project::sample();
    project.translate_json(&[]);
    let english = project.read(NEWS_EN);
    project.write(
        NEWS_EN,
        &format!("{english}\nAn extra paragraph added by hand.\n"),
    );
    edit_source(
        &project,
        "Xây dựng hệ thống dữ liệu",
        "Xây dựng mới hệ thống dữ liệu",
    );
    let run = project
        .run(&["translate", "--json", "--lang", "en"])
        .expect_code(1);
    let summary = run.json();
    assert!(
        summary["failures"].to_string().contains("conflict"),
        "{summary}"
    );
    assert!(
        project.read(NEWS_EN).contains("added by hand"),
        "left alone"
    );
    assert_eq!(project.state_of(NEWS_EN), "conflict");
    project
        .run(&["status", "--check", "--lang", "en"])
        .expect_code(1);

    project
        .run(&["translate", "--force", "--lang", "en"])
        .expect_code(0);
    assert!(!project.read(NEWS_EN).contains("added by hand"));
    let backup = format!("{NEWS_EN}.bak");
    assert!(project.read(&backup).contains("added by hand"));
}

#[test]
fn losing_the_store_loses_no_edit_and_resends_only_what_changed() {
    let project = Project::sample();
    project.translate_json(&[]);
    edit_block(&project, NEWS_EN, "[en] Trong giai doan vua qua", EDITED);
    project.translate_json(&[]);
    std::fs::remove_dir_all(project.path(".dich")).expect("remove .dich");
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    assert!(project.read(NEWS_EN).contains(EDITED));
    // Even a source change elsewhere keeps the edit: the file says which block is which.
    edit_source(
        &project,
        "Xây dựng hệ thống dữ liệu",
        "Xây dựng mới hệ thống dữ liệu",
    );
    let summary = project.translate_json(&["--lang", "en"]);
    assert!(
        sent(&summary, "en") <= 6,
        "only the changed paragraph: {summary}"
    );
    assert!(project.read(NEWS_EN).contains(EDITED));
}

#[test]
fn status_reports_missing_stale_and_the_check_gate() {
    let project = Project::sample();
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    assert_eq!(status["counts"]["missing"], 9, "{status}");
    project.run(&["status", "--check"]).expect_code(1);
    project.translate_json(&[]);
    project.run(&["status", "--check"]).expect_code(0);
    edit_source(
        &project,
        "Xây dựng hệ thống dữ liệu",
        "Xây dựng mới hệ thống dữ liệu",
    );
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    assert_eq!(status["counts"]["stale"], 3, "{status}");
    project.run(&["status", "--check"]).expect_code(1);
}

#[test]
fn deleting_an_article_deletes_nothing_from_the_memory() {
    let project = Project::new();
    project.write("content/a.md", "Một câu dùng chung.\n");
    project.translate_json(&[]);
    std::fs::remove_file(project.path("content/a.md")).expect("rm");
    project.translate_json(&[]);
    project.write("content/b.md", "Một câu dùng chung.\n");
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary}");
}

#[test]
fn tmx_export_and_import_seed_another_project() {
    let project = Project::new();
    project.write("content/a.md", "Hà Nội mưa to. Giá xăng giảm nhẹ.\n");
    project.translate_json(&["--lang", "ko"]);
    project
        .run(&["memory", "export", "--lang", "ko", "ko.tmx"])
        .expect_code(0);
    let tmx = project.read("ko.tmx");
    assert!(tmx.contains("<tmx version=\"1.4\">"), "{tmx}");
    assert!(tmx.contains("Giá xăng giảm nhẹ."), "{tmx}");

    let other = Project::new();
    other.write("seed.tmx", &tmx);
    other.write("content/b.md", "Giá xăng giảm nhẹ. Trời nắng.\n");
    other.run(&["memory", "import", "seed.tmx"]).expect_code(0);
    let summary = other.translate_json(&["--lang", "ko"]);
    assert_eq!(
        summary["segments_sent"], 1,
        "imported sentence reused: {summary}"
    );
}

#[test]
fn malformed_tmx_names_the_line() {
    let project = Project::new();
    project.write("bad.tmx", "<?xml version=\"1.0\"?>\n<tmx version=\"1.4\">\n<body>\n<tu><tuv xml:lang=\"vi\"><seg>a</seg></tu>\n</body></tmx>\n");
    let run = project.run(&["memory", "import", "bad.tmx"]).expect_code(1);
    assert!(run.stderr().contains("bad.tmx:4:"), "{}", run.stderr());
}

#[test]
fn status_counts_ui_messages_missing_and_machine_translated() {
    let project = Project::sample();
    let ko = "locales/ko/main.ftl";
    let text = project.read(ko);
    let without: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("nav-news =") && !l.starts_with("nav-home ="))
        .collect();
    assert_eq!(
        without.len(),
        text.lines().count() - 2,
        "two one-line messages removed"
    );
    project.write(ko, &(without.join("\n") + "\n"));
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    let entry = |status: &serde_json::Value| {
        status["ui"]
            .as_array()
            .and_then(|u| u.iter().find(|e| e["path"] == ko).cloned())
            .unwrap_or_default()
    };
    assert_eq!(entry(&status)["missing"], 2, "{status}");
    project.run(&["status", "--check"]).expect_code(1);
    project.translate_json(&["--lang", "ko"]);
    let status = project
        .run(&["status", "--json", "--lang", "ko"])
        .expect_code(0)
        .json();
    assert_eq!(entry(&status)["missing"], 0, "{status}");
    assert_eq!(entry(&status)["machine"], 2, "{status}");
}

#[test]
fn a_changed_reference_message_is_translated_again_and_an_unchanged_one_is_not() {
    let project = Project::new();
    project.write(
        "locales/vi/main.ftl",
        "nav-home = Trang chủ\nnav-news = Tin tức mới\n",
    );
    project.write("locales/en/main.ftl", "nav-home = Home\n");
    let config = crate::support::CONFIG.replace("[\"en\", \"ko\", \"zh-Hans\"]", "[\"en\"]");
    project.write("config.toml", &config);
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 1, "{summary}");
    assert!(
        project
            .read("locales/en/main.ftl")
            .contains("# dich: machine")
    );

    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "unchanged: {summary}");

    project.write(
        "locales/vi/main.ftl",
        "nav-home = Trang chính\nnav-news = Tin tức nóng\n",
    );
    let status = project.run(&["status", "--json"]).expect_code(0).json();
    assert_eq!(status["ui"][0]["stale"], 1, "{status}");
    project.run(&["status", "--check"]).expect_code(1);
    let summary = project.translate_json(&[]);
    assert_eq!(
        summary["segments_sent"], 1,
        "only the machine message: {summary}"
    );
    let english = project.read("locales/en/main.ftl");
    assert!(
        english.contains("nav-home = Home"),
        "the human translation stays: {english}"
    );
    assert!(english.contains("Tin tuc nong"), "{english}");
    assert_eq!(english.matches("nav-news").count(), 1, "{english}");
}
