//! Link and image titles, end to end (issue 14, item 9): translated with their block,
//! and translations written before dich translated titles are upgraded in place.

use crate::support::Project;

const CONFIG: &str = "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"]\n";
const SOURCE: &str = "content/bai.md";
const EN: &str = "content/bai.en.md";
const KO: &str = "content/bai.ko.md";
const BODY: &str = "---\ntitle: \"Bài viết\"\n---\nXem [trang một](/a \"Tựa một\") hôm nay.\n\nẢnh ![Hội nghị](/h.jpg 'Tựa ảnh') và [hai](/b (Tựa hai)).\n\n![Toàn cảnh](/t.jpg \"Tựa toàn cảnh\")\n\nĐoạn cuối.\n";

/// (destination, title) of every link and image of a Markdown text.
fn links(text: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(text)
        .filter_map(|e| match e {
            Event::Start(Tag::Link {
                dest_url, title, ..
            })
            | Event::Start(Tag::Image {
                dest_url, title, ..
            }) => Some((dest_url.to_string(), title.to_string())),
            _ => None,
        })
        .collect()
}

fn destinations(text: &str) -> Vec<String> {
    links(text).into_iter().map(|(d, _)| d).collect()
}

#[test]
fn titles_are_translated_with_their_block() {
    let project = Project::with_config(CONFIG);
    project.write(SOURCE, BODY);
    project.run(&["translate"]).expect_code(0);
    for rel in [EN, KO] {
        let text = project.read(rel);
        assert_eq!(
            destinations(&text),
            ["/a", "/h.jpg", "/b", "/t.jpg"],
            "{text}"
        );
        for (_, title) in links(&text) {
            assert!(!title.is_empty() && !title.contains("Tựa"), "{rel}: {text}");
        }
        assert!(text.contains("link_titles: \"translated\""), "{text}");
    }
}

/// The English translation as dich wrote it before it translated titles: the titles
/// of the source, no marker. The memory is told that dich wrote it, as it was.
fn downgrade(project: &Project, rel: &str) -> String {
    let text = project.read(rel);
    let mut old: String = text
        .lines()
        .filter(|l| !l.contains("link_titles"))
        .map(|l| format!("{l}\n"))
        .collect();
    for ((_, now), (_, was)) in links(&text).into_iter().zip(links(BODY)) {
        old = old.replacen(&now, &was, 1);
    }
    assert_eq!(links(&old), links(BODY));
    project.write(rel, &old);
    let source_hash = dich::content::read_provenance(&old).unwrap().source_hash;
    let mut memory = dich::memory::Memory::open(&project.path(".dich/memory.db")).unwrap();
    memory.record_file(rel, &old, &source_hash, &[]).unwrap();
    old
}

#[test]
fn an_older_translation_gets_its_titles_translated_and_keeps_a_persons_edit() {
    let project = Project::with_config(CONFIG);
    project.write(SOURCE, BODY);
    project.run(&["translate"]).expect_code(0);
    let old_en = downgrade(&project, EN);
    downgrade(&project, KO);
    // A person edits the first block of the old translation, title untouched.
    let first = old_en
        .lines()
        .find(|l| l.contains("(/a "))
        .unwrap()
        .to_owned();
    let mine = "My own words: [the first page](/a \"Tựa một\") today.";
    project.write(EN, &old_en.replacen(&first, mine, 1));
    // Not a conflict and not up to date: the titles wait for their translation.
    assert_eq!(project.state_of(KO), "stale");
    let run = project.run(&["translate"]).expect_code(0);
    assert!(!run.stdout().contains("conflict"), "{}", run.stdout());
    for rel in [EN, KO] {
        let text = project.read(rel);
        assert_eq!(
            destinations(&text),
            ["/a", "/h.jpg", "/b", "/t.jpg"],
            "{text}"
        );
        for (_, title) in links(&text) {
            assert!(!title.contains("Tựa"), "{rel}: {text}");
        }
        assert!(text.contains("link_titles"), "{text}");
    }
    let en = project.read(EN);
    assert!(
        en.contains("My own words: [the first page](/a \""),
        "the person's text is lost: {en}"
    );
    assert!(
        !project.path("content/bai.en.md.bak").exists(),
        "no backup: nothing was in conflict"
    );
    // Done once: the next run writes and sends nothing.
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 0, "{summary}");
    assert_eq!(summary["segments_sent"], 0, "{summary}");
    // A later change elsewhere in the source keeps both the edit and the title.
    let source = project
        .read(SOURCE)
        .replace("Đoạn cuối.", "Đoạn cuối đã sửa.");
    project.write(SOURCE, &source);
    project.run(&["translate"]).expect_code(0);
    let again = project.read(EN);
    assert!(
        again.contains("My own words: [the first page](/a \""),
        "{again}"
    );
    assert_eq!(links(&again), links(&en), "{again}");
}
