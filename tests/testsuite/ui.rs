//! UI strings (`locales/**/*.ftl`) through `dich translate` with the pseudo backend:
//! missing messages come back marked, placeables intact, the rest of the file untouched.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::Project;

const MARKER: &str = "# dich: machine (";
const VI: &str = "locales/vi/main.ftl";
const KO: &str = "locales/ko/main.ftl";

/// The entry `id` of an `.ftl` text: its first line and the indented lines after it.
fn entry(text: &str, id: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("{id} =")))?;
    let len = 1 + lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with(' '))
        .count();
    Some(lines[start..start + len].concat())
}

/// Deletes the entry `id` from `rel`; returns the file's new text.
fn delete(project: &Project, rel: &str, id: &str) -> String {
    let text = project.read(rel);
    let found = entry(&text, id).unwrap_or_else(|| panic!("{id} in {rel}"));
    let text = text.replacen(&found, "", 1);
    project.write(rel, &text);
    text
}

/// Splits a translated file into the text without the machine-marked entries (marker
/// comment included) and those entries by id.
fn strip_machine(text: &str) -> (String, BTreeMap<String, String>) {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut rest = String::new();
    let mut marked = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with(MARKER) {
            let body = lines.get(i + 1).copied().unwrap_or_default();
            let id = body.split(" =").next().unwrap_or_default().to_owned();
            let entry = entry(&lines[i + 1..].concat(), &id).unwrap_or_default();
            assert!(!entry.is_empty(), "an entry after the marker: {body}");
            i += 1 + entry.split_inclusive('\n').count();
            marked.insert(id, entry);
        } else {
            rest.push_str(lines[i]);
            i += 1;
        }
    }
    (rest, marked)
}

/// The ids of the entries (messages and terms) of an `.ftl` text, in order.
fn ids(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
        .map(|l| l.split(" =").next().unwrap_or_default().to_owned())
        .collect()
}

/// The innermost placeables (`{ $x }`, `{ -term }`, `{ NUMBER($n) }`) and the selector
/// lines (`{ $count ->`) of an entry, sorted: what translation must not change.
fn placeables(entry: &str) -> Vec<String> {
    let mut out: Vec<String> = entry
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with("->"))
        .map(str::to_owned)
        .collect();
    let mut rest = entry;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match (after.find('}'), after.find('{')) {
            (Some(close), next) if next.is_none_or(|n| n > close) => {
                out.push(rest[open..open + 2 + close].to_owned());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out.sort();
    out
}

/// The variant keys of an entry's select (`[0]`, `[one]`, `*[other]`), in order.
fn variant_keys(entry: &str) -> Vec<String> {
    entry
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('[') || l.starts_with("*["))
        .filter_map(|l| l.split_once(']').map(|(key, _)| format!("{key}]")))
        .collect()
}

/// Every `.ftl` file under locales/, by relative path, with its bytes.
fn locale_files(project: &Project) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path).display();
                out.insert(rel.to_string(), std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&project.path("locales"), &project.path("locales"), &mut out);
    out
}

/// The sample project with its locales and no articles, so that the counts of a
/// `dich translate` summary are those of the UI strings.
fn locales_only() -> Project {
    let project = Project::sample();
    let content = project.path("content");
    std::fs::remove_dir_all(&content).expect("rm content");
    std::fs::create_dir(&content).expect("mkdir content");
    project
}

/// Asserts that `dich check --strict` finds nothing at all.
fn assert_checks_clean(project: &Project) {
    let json = project
        .run(&["check", "--format", "json", "--strict"])
        .expect_code(0)
        .json();
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json:#}");
}

#[test]
fn five_deleted_korean_messages_come_back_marked_with_their_placeables() {
    let project = locales_only();
    let original = project.read(KO);
    // `{ $var }`, `{ -term }`, a plural with `NUMBER()`, a gender select, and a message
    // whose value is only a term reference plus an attribute.
    let deleted_ids = [
        "language-current",
        "error-500-body",
        "search-results",
        "article-author-role",
        "site-title",
    ];
    let mut deleted = String::new();
    for id in deleted_ids {
        deleted = delete(&project, KO, id);
    }

    let summary = project.translate_json(&[]);
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["languages"]["ko"]["files_written"], 1, "{summary}");

    let translated = project.read(KO);
    assert_eq!(translated.matches(MARKER).count(), 5, "{translated}");
    let (rest, marked) = strip_machine(&translated);
    let mut want: Vec<&str> = deleted_ids.to_vec();
    want.sort_unstable();
    assert_eq!(marked.keys().collect::<Vec<_>>(), want, "{translated}");
    assert_eq!(rest, deleted, "everything else byte for byte");
    assert_eq!(ids(&translated), ids(&original), "reference order kept");

    let reference = project.read(VI);
    for (id, text) in &marked {
        let vi = entry(&reference, id).unwrap_or_default();
        assert!(!placeables(&vi).is_empty(), "{id} has placeables: {vi}");
        assert_eq!(placeables(text), placeables(&vi), "{id}:\n{text}");
        assert_eq!(variant_keys(text), variant_keys(&vi), "{id}:\n{text}");
    }
    assert_ne!(
        marked["language-current"],
        entry(&reference, "language-current").unwrap_or_default(),
        "the text is translated"
    );
    assert!(
        marked["site-title"].contains("\n    .aria-label = "),
        "{}",
        marked["site-title"]
    );
    assert_checks_clean(&project);
}

#[test]
fn an_english_plural_gets_one_and_other_korean_and_chinese_only_other() {
    let project = locales_only();
    for rel in ["locales/en/main.ftl", KO, "locales/zh-Hans/main.ftl"] {
        delete(&project, rel, "article-views");
    }
    project.run(&["translate"]).expect_code(0);
    let keys = |rel: &str| {
        let text = project.read(rel);
        let (_, marked) = strip_machine(&text);
        variant_keys(marked.get("article-views").map_or("", String::as_str))
    };
    // Vietnamese has `[0]` and `*[other]`; the numeric variant is kept.
    assert_eq!(keys("locales/en/main.ftl"), ["[0]", "[one]", "*[other]"]);
    assert_eq!(keys(KO), ["[0]", "*[other]"]);
    assert_eq!(keys("locales/zh-Hans/main.ftl"), ["[0]", "*[other]"]);
    assert_checks_clean(&project);
}

#[test]
fn a_missing_term_and_an_attribute_only_message_keep_their_shape() {
    let project = locales_only();
    let rel = "locales/ko/article/comments.ftl";
    delete(&project, rel, "-moderator");
    delete(&project, rel, "comments-name");
    project.run(&["translate"]).expect_code(0);

    let (_, marked) = strip_machine(&project.read(rel));
    assert_eq!(marked.len(), 2, "{marked:?}");
    let term = &marked["-moderator"];
    assert!(term.starts_with("-moderator = "), "a term again: {term}");
    assert!(!term.contains('{'), "{term}");
    let name = &marked["comments-name"];
    assert!(
        name.starts_with("comments-name =\n    .placeholder = "),
        "no value, one attribute: {name}"
    );
    assert_eq!(name.lines().count(), 2, "{name}");
    // `comments-pending` references `-moderator`: it resolves again.
    assert_checks_clean(&project);
}

#[test]
fn a_missing_target_file_is_created_and_checks_clean() {
    let project = locales_only();
    let rel = "locales/zh-Hans/article/comments.ftl";
    std::fs::remove_file(project.path(rel)).expect("rm");
    let summary = project.translate_json(&[]);
    assert_eq!(summary["files_written"], 1, "{summary}");
    let created = project.read(rel);
    let reference = project.read("locales/vi/article/comments.ftl");
    assert_eq!(ids(&created), ids(&reference), "{created}");
    let (_, marked) = strip_machine(&created);
    assert_eq!(marked.len(), ids(&reference).len(), "all marked: {created}");
    for (id, text) in &marked {
        let vi = entry(&reference, id).unwrap_or_default();
        assert_eq!(placeables(text), placeables(&vi), "{id}:\n{text}");
    }
    assert_checks_clean(&project);
}

#[test]
fn a_second_translate_changes_nothing() {
    let project = locales_only();
    delete(&project, KO, "language-current");
    std::fs::remove_file(project.path("locales/zh-Hans/article/comments.ftl")).expect("rm");
    let first = project.translate_json(&[]);
    assert_eq!(first["files_written"], 2, "{first}");
    let before = locale_files(&project);

    let second = project.translate_json(&[]);
    assert_eq!(second["segments_sent"], 0, "{second}");
    assert_eq!(second["files_written"], 0, "{second}");
    assert_eq!(second["failed"], 0, "{second}");
    assert!(locale_files(&project) == before, "files byte-identical");
}

#[test]
fn lang_ko_only_touches_korean() {
    let project = locales_only();
    for rel in ["locales/en/main.ftl", KO, "locales/zh-Hans/main.ftl"] {
        delete(&project, rel, "nav-news");
    }
    let before = locale_files(&project);
    let summary = project.translate_json(&["--lang", "ko"]);
    assert_eq!(summary["files_written"], 1, "{summary}");
    let after = locale_files(&project);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(rel, bytes)| before.get(*rel) != Some(*bytes))
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(changed, ["ko/main.ftl"]);
    assert!(entry(&project.read(KO), "nav-news").is_some());
}
