//! The documentation stays navigable: every relative link in a `*.md` file of the
//! repository points at a file that exists and, for `file.md#anchor` and `#anchor`, at
//! a heading that exists, with anchors computed the way GitHub computes them.
//!
//! Files are found by walking the repository, so pages added on other branches are
//! checked as soon as they exist; nothing here lists the pages.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

/// Folders whose Markdown is data, not documentation: the sample articles link to the
/// portal's URLs (`/images/…`), and fixtures may hold any Markdown a site might.
const DATA_FOLDERS: &[&str] = &["content", "tests/fixtures"];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// GitHub-flavoured options, without heading attributes (GitHub ignores `{#id}`).
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// The anchor GitHub gives a heading: lowercase; every character dropped except
/// letters, marks, numbers, `-`, `_` and spaces; each space becomes `-`.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|&c| {
            c.is_alphanumeric()
                || unicode_normalization::char::is_combining_mark(c)
                || matches!(c, '-' | '_' | ' ')
        })
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a document's headings, in order; a repeated slug gets `-1`, `-2`, …
/// skipping any suffixed slug already taken (as GitHub's `github-slugger` does).
fn anchors(markdown: &str) -> Vec<String> {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for heading in heading_texts(markdown) {
        let base = slug(&heading);
        let mut anchor = base.clone();
        while occurrences.contains_key(&anchor) {
            let n = occurrences.entry(base.clone()).or_default();
            *n += 1;
            anchor = format!("{base}-{n}");
        }
        occurrences.insert(anchor.clone(), 0);
        out.push(anchor);
    }
    out
}

/// The rendered text of every heading: text and inline code, without markup, inline
/// HTML or image alt text (GitHub slugs the heading's text content).
fn heading_texts(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_image = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(text) | Event::Code(text) if in_image == 0 => {
                if let Some(heading) = current.as_mut() {
                    heading.push_str(&text);
                }
            }
            _ => {}
        }
    }
    out
}

/// Every link and image destination with its 1-based line, except e-mail autolinks.
fn links(markdown: &str) -> Vec<(String, usize)> {
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => None,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let line = markdown[..range.start].matches('\n').count() + 1;
                Some((dest_url.into_string(), line))
            }
            _ => None,
        })
        .collect()
}

/// `http:`, `https:`, `mailto:` and any other scheme, and `//host/…`.
fn is_absolute(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    dest.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The problems with the relative links of `file` (inside `root`), one line each.
fn broken_links(root: &Path, file: &Path) -> Vec<String> {
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    let Ok(text) = std::fs::read_to_string(file) else {
        return vec![format!("{shown}: not readable as UTF-8")];
    };
    let mut problems = Vec::new();
    for (dest, line) in links(&text) {
        if dest.is_empty() || is_absolute(&dest) {
            continue;
        }
        let (path, fragment) = dest.split_once('#').unwrap_or((&dest, ""));
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let target = if path.is_empty() {
            file.to_owned()
        } else if let Some(from_root) = path.strip_prefix('/') {
            root.join(from_root)
        } else {
            file.parent().unwrap_or(root).join(path)
        };
        if !target.exists() {
            problems.push(format!("{shown}:{line}: `{dest}`: no such file"));
            continue;
        }
        // Anchors are checked in Markdown targets only (`src/x.rs#L10` is GitHub's).
        let is_markdown = target.extension().is_some_and(|e| e == "md");
        if fragment.is_empty() || !is_markdown {
            continue;
        }
        let target_text = std::fs::read_to_string(&target).unwrap_or_default();
        if !anchors(&target_text).iter().any(|a| a == fragment) {
            problems.push(format!(
                "{shown}:{line}: `{dest}`: no heading `#{fragment}`"
            ));
        }
    }
    problems
}

/// Every `*.md` under `root`, skipping `target/`, hidden folders and [`DATA_FOLDERS`].
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let skipped: HashSet<PathBuf> = DATA_FOLDERS.iter().map(|d| root.join(d)).collect();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(entry.file_type().is_dir()
                    && (name.starts_with('.')
                        || name == "target"
                        || skipped.contains(entry.path())))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

#[test]
fn every_relative_link_in_the_repository_resolves() {
    let root = repo_root();
    let files = markdown_files(&root);
    assert!(
        files.iter().any(|f| f.ends_with("README.md")),
        "the walk found no README.md under {}",
        root.display()
    );
    let problems: Vec<String> = files.iter().flat_map(|f| broken_links(&root, f)).collect();
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_missing_file_and_a_missing_heading_are_both_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "docs/guide.md",
        "# Guide\n\n## Cấu hình\n\nSee [a](#cấu-hình), [b](../README.md#start), \
         [c](other.md), [d](#nowhere), [e](https://example.com/x.md), \
         [f](mailto:a@b.c), <a@b.c>, [g](/README.md#start), [h](../README.md#gone).\n",
    );
    write("README.md", "# Start\n\n## Start\n\n[dup](#start-1)\n");
    let problems = broken_links(dir.path(), &dir.path().join("docs/guide.md"));
    assert_eq!(
        problems,
        [
            "docs/guide.md:5: `other.md`: no such file",
            "docs/guide.md:5: `#nowhere`: no heading `#nowhere`",
            "docs/guide.md:5: `../README.md#gone`: no heading `#gone`",
        ]
    );
    assert!(broken_links(dir.path(), &dir.path().join("README.md")).is_empty());
}

#[test]
fn the_walk_skips_target_hidden_and_data_folders() {
    let dir = tempfile::tempdir().expect("temp dir");
    for rel in [
        "README.md",
        "docs/a.md",
        "target/doc/x.md",
        ".git/y.md",
        "content/tin/bai.md",
        "tests/fixtures/site/z.md",
        "tests/README.md",
    ] {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, "# x\n").expect("write");
    }
    let found: Vec<String> = markdown_files(dir.path())
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(found, ["README.md", "docs/a.md", "tests/README.md"]);
}

#[test]
fn anchors_are_computed_as_github_does() {
    assert_eq!(slug("Keys every backend takes"), "keys-every-backend-takes");
    assert_eq!(
        slug("Retries, rate limits, circuit breaker"),
        "retries-rate-limits-circuit-breaker"
    );
    assert_eq!(slug("UI strings (Fluent)"), "ui-strings-fluent");
    assert_eq!(slug("snake_case & kebab-case"), "snake_case--kebab-case");
    assert_eq!(slug("🚀 Launch"), "-launch");
    // Vietnamese letters are kept (and lowercased), in NFC and in NFD.
    assert_eq!(
        slug("Tách câu tiếng Việt: ĐÀ NẴNG, 2024!"),
        "tách-câu-tiếng-việt-đà-nẵng-2024"
    );
    assert_eq!(slug("Vie\u{302}\u{323}t"), "vie\u{302}\u{323}t");
    // Inline code keeps its text; emphasis and links lose their markup.
    assert_eq!(
        anchors("## `dich check`\n### `--json`\n## *Front* [matter](x.md)\n"),
        ["dich-check", "--json", "front-matter"]
    );
}

#[test]
fn repeated_headings_get_numbered_anchors() {
    assert_eq!(
        anchors("# Notes\n## Notes\n## Notes\n"),
        ["notes", "notes-1", "notes-2"]
    );
    // A heading that already looks numbered is not taken twice.
    assert_eq!(anchors("# a\n# a-1\n# a\n"), ["a", "a-1", "a-2"]);
}

#[test]
fn docs_fluent_lists_every_check_code() {
    let page = std::fs::read_to_string(repo_root().join("docs/fluent.md")).expect("docs/fluent.md");
    for code in dich::fluent::codes() {
        assert!(
            page.contains(&format!("| `{code}` |")),
            "docs/fluent.md has no table row for `{code}`"
        );
    }
}

/// `.ci/run` runs "the README's test command, exactly": the front page must open with
/// the command that translates the sample and the one that runs the tests.
#[test]
fn the_readme_opens_with_the_two_set_up_commands() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let mut events = Parser::new_ext(&readme, options()).skip_while(|e| {
        !matches!(
            e,
            Event::Start(Tag::CodeBlock(_)) | Event::Start(Tag::Paragraph)
        )
    });
    assert!(
        matches!(events.next(), Some(Event::Start(Tag::CodeBlock(_)))),
        "README.md must open (after its title) with a code block"
    );
    let mut block = String::new();
    for event in events {
        match event {
            Event::Text(text) => block.push_str(&text),
            _ => break,
        }
    }
    let commands: Vec<&str> = block
        .lines()
        .map(|line| {
            line.split_once('#')
                .map_or(line, |(command, _)| command)
                .trim()
        })
        .collect();
    assert_eq!(
        commands,
        ["cargo run --release -- translate", "cargo test --locked"]
    );
}
