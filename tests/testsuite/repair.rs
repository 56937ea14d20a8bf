//! Answers that lose their tags are repaired, not failed (issue 9): against a DeepL
//! that always drops the tags it was sent, every article completes with its links and
//! emphasis in place.

use crate::mock::Deepl;
use crate::support::Project;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_drops_every_tag_still_yields_complete_articles() {
    let server = Deepl::dropping_tags().await;
    let project = Project::sample();
    project.write("config.toml", &server.config(2, 20));
    project.write(
        "content/lien-ket.md",
        "+++\ntitle = \"Liên kết\"\n+++\n\nXem [báo cáo](https://example.vn/bao-cao) của **UBND tỉnh** tại `/tai-lieu`.\n",
    );

    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    // The text between the tags went in requests of their own: the summary counts
    // every request the server received, not the batches (issue 10).
    assert_eq!(summary["requests"].as_u64(), Some(server.count() as u64));
    let repaired = summary["segments_repaired"].as_u64().unwrap_or(0);
    assert!(repaired >= 3, "repairs are counted: {summary}");
    assert_eq!(
        summary["languages"]["en"]["segments_repaired"].as_u64(),
        Some(repaired / 3),
        "{summary}"
    );
    let english = project.read("content/lien-ket.en.md");
    assert!(
        english.contains("](https://example.vn/bao-cao)"),
        "the link survives: {english}"
    );
    assert!(english.contains("**"), "the emphasis survives: {english}");
    assert!(
        english.contains("`/tai-lieu`"),
        "inline code survives: {english}"
    );
    // Every translation of the sample exists: no article failed for a lost tag.
    let written: Vec<String> = project
        .translations()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(written.len(), 12, "{written:?}");

    let again = project.translate_json(&[]);
    assert_eq!(
        again["segments_sent"], 0,
        "the repaired text is remembered: {again}"
    );
}
