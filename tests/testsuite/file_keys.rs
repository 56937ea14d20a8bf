//! File keys (issue 14): translations named with the site generator's language key,
//! renamed with their memory when the key changes, and a real Hugo build that links
//! every translation to its source.

use std::ops::Not as _;
use std::path::Path;

use crate::support::Project;

const ARTICLE: &str = "content/du-lich/cam-nang-hoi-lim-2024";

/// The sample project with `file_keys` set in `[project]`.
fn sample_with_keys(preset: &str) -> Project {
    let project = Project::sample();
    let config = project.read("config.toml");
    let config = config.replace(
        "[project]\n",
        &format!("[project]\nfile_keys = \"{preset}\"\n"),
    );
    project.write("config.toml", &config);
    project
}

#[test]
fn a_changed_key_renames_the_files_and_the_memory_follows() {
    let project = Project::sample();
    project.translate_json(&[]);
    let old = format!("{ARTICLE}.zh-Hans.md");
    let new = format!("{ARTICLE}.zh-hans.md");
    let text = project.read(&old);
    // Switch to Hugo's keys: the next run renames, sends nothing, rewrites nothing.
    let config = project.read("config.toml");
    project.write(
        "config.toml",
        &config.replace("[project]\n", "[project]\nfile_keys = \"hugo\"\n"),
    );
    let run = project.run(&["translate"]).expect_code(0);
    assert!(
        run.stderr().contains(&format!("{old}: renamed to {new}")),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("written").not(), "{}", run.stderr());
    assert!(!project.path(&old).exists());
    assert_eq!(project.read(&new), text);
    // The memory knows the file under its new name: up to date, not a stranger.
    assert_eq!(project.state_of(&new), "up-to-date");
    let summary = project.translate_json(&[]);
    assert_eq!(summary["segments_sent"], 0, "{summary:#}");
    assert_eq!(summary["files_written"], 0, "{summary:#}");
}

#[test]
fn an_override_names_the_files() {
    let project = sample_with_keys("hugo");
    let config = project.read("config.toml");
    project.write(
        "config.toml",
        &format!("{config}\n[file_keys]\nzh-Hans = \"zh\"\n"),
    );
    project.translate_json(&[]);
    assert!(project.path(&format!("{ARTICLE}.zh.md")).exists());
    assert!(project.path(&format!("{ARTICLE}.en.md")).exists());
    assert!(!project.path(&format!("{ARTICLE}.zh-Hans.md")).exists());
    project.run(&["status", "--check"]).expect_code(0);
}

/// Builds the translated sample with the real Hugo: every article is a page of the
/// default language linked to its three translations, and no translation is
/// published as a page of the default language (the `<slug>.zh-Hans.md` bug).
#[test]
fn hugo_links_every_translation_to_its_source() {
    if std::process::Command::new("hugo")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED hugo_links_every_translation_to_its_source: `hugo` is not installed (apt-get install hugo)"
        );
        return;
    }
    let project = sample_with_keys("hugo");
    project.translate_json(&[]);
    project.write(
        "hugo.toml",
        "baseURL = \"https://example.org/\"\n\
         defaultContentLanguage = \"vi\"\n\
         disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\", \"home\", \"section\"]\n\
         [languages.vi]\nweight = 1\n[languages.en]\nweight = 2\n[languages.ko]\nweight = 3\n\
         [languages.zh-hans]\nweight = 4\n",
    );
    project.write(
        "layouts/_default/single.html",
        "PAGE {{ .Lang }} {{ .File.Path }} [{{ range .Translations }}{{ .Lang }} {{ end }}]\n",
    );
    let out = std::process::Command::new("hugo")
        .args(["--destination", "public", "--quiet"])
        .current_dir(project.path(""))
        .output()
        .expect("run hugo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(project.path("public")) {
        let entry = entry.expect("walk public/");
        if entry.file_name() == "index.html" {
            let html = std::fs::read_to_string(entry.path()).unwrap_or_default();
            pages.extend(
                html.lines()
                    .filter(|l| l.starts_with("PAGE "))
                    .map(str::to_owned),
            );
        }
    }
    let sources: Vec<String> = walkdir::WalkDir::new(project.path("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.ends_with(".md") && name.matches('.').count() == 1
        })
        .map(|e| {
            e.path()
                .strip_prefix(project.path("content"))
                .unwrap_or(Path::new(""))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    let vi: Vec<&String> = pages.iter().filter(|p| p.starts_with("PAGE vi ")).collect();
    assert_eq!(
        vi.len(),
        sources.len(),
        "no translation published as Vietnamese: {pages:#?}"
    );
    for source in &sources {
        let page = format!("PAGE vi {source} [en ko zh-hans ]");
        assert!(pages.contains(&page), "{page} in {pages:#?}");
    }
    for lang in ["en", "ko", "zh-hans"] {
        let count = pages
            .iter()
            .filter(|p| p.starts_with(&format!("PAGE {lang} ")))
            .count();
        assert_eq!(count, sources.len(), "{lang}: {pages:#?}");
    }
}
