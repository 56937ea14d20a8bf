//! `dich check` end to end on a copy of the sample locales: a clean run, one breakage at
//! a time seen in all three formats, `[check.levels]`, and config errors.

use serde_json::Value;

use crate::support::Project;

/// Replaces the one occurrence of `from` in `rel` with `to`.
fn edit(project: &Project, rel: &str, from: &str, to: &str) {
    let text = project.read(rel);
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {rel}");
    project.write(rel, &text.replacen(from, to, 1));
}

/// The 1-based number of the line of `rel` that starts with `start`.
fn line_of(project: &Project, rel: &str, start: &str) -> usize {
    let text = project.read(rel);
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with(start))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(found.len(), 1, "one line starting with `{start}` in {rel}");
    found[0]
}

/// What one diagnostic must look like; `line` 0 is a whole-file diagnostic.
struct Expected<'a> {
    severity: &'a str,
    code: &'a str,
    file: &'a str,
    line: usize,
    col: usize,
    id: Option<&'a str>,
}

impl Expected<'_> {
    fn error<'a>(code: &'a str, file: &'a str, line: usize, col: usize) -> Expected<'a> {
        Expected {
            severity: "error",
            code,
            file,
            line,
            col,
            id: None,
        }
    }

    fn warning<'a>(code: &'a str, file: &'a str, line: usize, col: usize) -> Expected<'a> {
        Expected {
            severity: "warning",
            ..Expected::error(code, file, line, col)
        }
    }

    fn id(self, id: &'static str) -> Self {
        Expected {
            id: Some(id),
            ..self
        }
    }
}

/// Runs `dich check` in all three formats, each expected to exit with `code`, and
/// asserts that each shows `want`. Returns the JSON report.
fn assert_reported(project: &Project, want: &Expected<'_>, code: i32) -> Value {
    let json = project
        .run(&["check", "--format", "json"])
        .expect_code(code)
        .json();
    assert_json(&json, want);
    let human = project.run(&["check"]).expect_code(code).stdout();
    assert_human(&human, want);
    let github = project
        .run(&["check", "--format", "github"])
        .expect_code(code)
        .stdout();
    assert_github(&github, want);
    json
}

fn assert_json(json: &Value, want: &Expected<'_>) {
    let all = json["diagnostics"].as_array().expect("diagnostics");
    let found: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == want.code && d["path"] == want.file)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {} in {}: {json:#}",
        want.code,
        want.file
    );
    let d = found[0];
    assert_eq!(d["severity"], want.severity, "{d:#}");
    // A whole-file finding has no position: `null`, like every unknown field.
    let (line, col) = if want.line == 0 {
        (Value::Null, Value::Null)
    } else {
        (want.line.into(), want.col.into())
    };
    assert_eq!(d["line"], line, "{d:#}");
    assert_eq!(d["column"], col, "{d:#}");
    if let Some(id) = want.id {
        assert_eq!(d["id"], id, "{d:#}");
    }
    if want.line == 0 {
        assert_eq!(d["source_line"], Value::Null, "{d:#}");
    } else {
        assert!(d["source_line"].is_string(), "{d:#}");
    }
}

fn assert_human(human: &str, want: &Expected<'_>) {
    let head = format!("{}[{}]: ", want.severity, want.code);
    let arrow = if want.line == 0 {
        format!("  --> {}", want.file)
    } else {
        format!("  --> {}:{}:{}", want.file, want.line, want.col)
    };
    let blocks: Vec<&str> = human
        .split("\n\n")
        .filter(|b| b.starts_with(&head) && b.lines().any(|l| l == arrow))
        .collect();
    assert_eq!(blocks.len(), 1, "`{head}` with `{arrow}` in:\n{human}");
    if want.line == 0 {
        return;
    }
    // `L | source` then `  | ` + spaces up to the column + `^`.
    let lines: Vec<&str> = blocks[0].lines().collect();
    let source = lines
        .iter()
        .position(|l| l.starts_with(&format!("{} | ", want.line)))
        .unwrap_or_else(|| panic!("source line in:\n{}", blocks[0]));
    let caret = lines.get(source + 1).copied().unwrap_or_default();
    let after_bar = caret.split_once("| ").map(|(_, c)| c).unwrap_or_default();
    // The column counts characters; the caret sits under it by display width (a
    // Hangul or Han character is two terminal columns wide).
    let source_text = lines[source].split_once(" | ").map_or("", |(_, s)| s);
    let before: String = source_text.chars().take(want.col - 1).collect();
    let width = unicode_width::UnicodeWidthStr::width(before.as_str());
    assert_eq!(
        after_bar,
        format!("{}^", " ".repeat(width)),
        "caret under column {}:\n{}",
        want.col,
        blocks[0]
    );
}

fn assert_github(github: &str, want: &Expected<'_>) {
    let prefix = if want.line == 0 {
        format!(
            "::{} file={},title={}::",
            want.severity, want.file, want.code
        )
    } else {
        format!(
            "::{} file={},line={},col={},title={}::",
            want.severity, want.file, want.line, want.col, want.code
        )
    };
    let found = github.lines().filter(|l| l.starts_with(&prefix)).count();
    assert_eq!(found, 1, "`{prefix}` in:\n{github}");
}

/// The JSON report's codes, in order.
fn codes(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const KO: &str = "locales/ko/main.ftl";
const EN: &str = "locales/en/main.ftl";

#[test]
fn the_sample_locales_check_clean_in_every_format() {
    let project = Project::sample();
    let json = project
        .run(&["check", "--format", "json", "--strict"])
        .expect_code(0)
        .json();
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json:#}");
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["warnings"], 0);
    assert_eq!(json["summary"]["files"], 8, "4 locales × 2 files");
    let human = project.run(&["check", "--strict"]).expect_code(0).stdout();
    assert_eq!(human, "ok: 8 files checked, no problems\n");
    let github = project
        .run(&["check", "--format", "github", "--strict"])
        .expect_code(0)
        .stdout();
    assert_eq!(github, "", "no annotation on a clean check");
}

#[test]
fn a_syntax_error_is_reported_at_its_character_column() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "article-print = 기사 인쇄",
        "article-print = 기사 { 인쇄",
    );
    let line = line_of(&project, KO, "article-print");
    // The parser stops at `인`: column 22 in characters (28 in bytes), drawn after 23
    // terminal columns (`기사` is four wide).
    let json = assert_reported(&project, &Expected::error("syntax-error", KO, line, 22), 1);
    let human = project.run(&["check"]).expect_code(1).stdout();
    let gutter = " ".repeat(line.to_string().len());
    let caret = format!("{gutter} | {}^\n", " ".repeat(23));
    assert!(human.contains(&caret), "caret under `인`:\n{human}");
    let source_lines: Vec<&Value> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "syntax-error")
        .map(|d| &d["source_line"])
        .collect();
    assert_eq!(source_lines, ["article-print = 기사 { 인쇄"]);
}

/// Issue 14: an unclosed `{` at the end of a line is reported on that line, where
/// the parser stopped (it was the next line's first column), and the rest of the file
/// is still checked.
#[test]
fn an_unclosed_brace_is_reported_on_its_own_line_and_the_rest_is_checked() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "article-author = 글쓴이: { $author }",
        "article-author = 글쓴이: { $author",
    );
    edit(
        &project,
        KO,
        "article-print = 기사 인쇄",
        "article-print = 기사 { 인쇄",
    );
    let line = line_of(&project, KO, "article-author =");
    let json = project
        .run(&["check", "--format", "json"])
        .expect_code(1)
        .json();
    let places: Vec<(i64, i64)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "syntax-error")
        .map(|d| {
            (
                d["line"].as_i64().unwrap_or(0),
                d["column"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    // `article-author = 글쓴이: { $author` is 31 characters: the parser stopped after them.
    let print = line_of(&project, KO, "article-print =") as i64;
    assert_eq!(places, [(line as i64, 32), (print, 22)], "{json:#}");
}

#[test]
fn an_unknown_variable_is_an_error() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "article-author = 글쓴이: { $author }",
        "article-author = 글쓴이: { $autor }",
    );
    let line = line_of(&project, KO, "article-author =");
    // The column is that of the `$`.
    let json = assert_reported(
        &project,
        &Expected::error("unknown-variable", KO, line, 25).id("article-author"),
        1,
    );
    // The reference variable it replaced is now unused.
    assert!(
        codes(&json).contains(&"missing-variable".to_owned()),
        "{json:#}"
    );
}

/// As compare-locales warns: a brand written out instead of its term no longer follows
/// the brand, and a reference the source does not make is usually a mistake.
#[test]
fn references_are_compared_with_the_reference_message() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "error-500-body = { -portal-short }에서",
        "error-500-body = 포털에서",
    );
    let line = line_of(&project, KO, "error-500-body =");
    let json = assert_reported(
        &project,
        &Expected::warning("missing-reference", KO, line, 1).id("error-500-body"),
        0,
    );
    let message = json["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == "missing-reference"))
        .map(|d| d["message"].to_string())
        .unwrap_or_default();
    assert!(message.contains("{ -portal-short }"), "{message}");

    let project = Project::sample();
    edit(
        &project,
        KO,
        "site-title = { -portal-name }",
        "site-title = { -portal-name } { nav-news }",
    );
    let line = line_of(&project, KO, "site-title =");
    let column = "site-title = { -portal-name } { ".chars().count() + 1;
    assert_reported(
        &project,
        &Expected::warning("obsolete-reference", KO, line, column).id("site-title"),
        0,
    );
}

#[test]
fn a_missing_message_is_a_warning_that_fails_only_with_strict() {
    let project = Project::sample();
    edit(&project, KO, "nav-news = 뉴스\n", "");
    assert_reported(
        &project,
        &Expected::warning("missing-message", KO, 0, 0).id("nav-news"),
        0,
    );
    let human = project.run(&["check", "--strict"]).expect_code(1).stdout();
    assert!(
        human.contains("`nav-news` (locales/vi/main.ftl:12)"),
        "{human}"
    );
    project
        .run(&["check", "--strict", "--format", "github"])
        .expect_code(1);
}

/// Issue 14: the repository decides that warnings fail CI, not each CI script.
#[test]
fn strict_in_config_makes_a_warning_fail_without_the_flag() {
    let project = Project::sample();
    edit(&project, KO, "nav-news = 뉴스\n", "");
    project.run(&["check"]).expect_code(0);
    let config = std::fs::read_to_string(project.path("config.toml")).unwrap_or_default();
    project.write(
        "config.toml",
        &format!("{config}\n[check]\nstrict = true\n"),
    );
    let json = project.run(&["check", "--json"]).expect_code(1).json();
    assert_eq!(json["summary"]["warnings"], 1, "{json:#}");
    project.run(&["check", "--format", "github"]).expect_code(1);
}

#[test]
fn an_obsolete_message_is_a_warning_at_its_line() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "nav-tourism = 관광\n",
        "nav-tourism = 관광\nnav-old = 옛 메뉴\n",
    );
    let line = line_of(&project, KO, "nav-old");
    assert_reported(
        &project,
        &Expected::warning("obsolete-message", KO, line, 1).id("nav-old"),
        0,
    );
}

#[test]
fn an_unresolved_message_reference_is_an_error() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "error-back-home = { nav-home }",
        "error-back-home = { nav-hom }",
    );
    let line = line_of(&project, KO, "error-back-home");
    assert_reported(
        &project,
        &Expected::error("unresolved-reference", KO, line, 21).id("error-back-home"),
        1,
    );
}

#[test]
fn an_unresolved_term_reference_points_at_the_dash() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "error-500-body = { -portal-short }",
        "error-500-body = { -portal-shrt }",
    );
    let line = line_of(&project, KO, "error-500-body");
    assert_reported(
        &project,
        &Expected::error("unresolved-reference", KO, line, 20),
        1,
    );
}

#[test]
fn an_english_plural_without_one_is_a_warning() {
    let project = Project::sample();
    edit(&project, EN, "        [one] { $minutes } minute read\n", "");
    // Reported at the key of the default variant, `other` in `*[other]`.
    let line = line_of(&project, EN, "       *[other] { $minutes } minutes read");
    assert_reported(
        &project,
        &Expected::warning("plural-category-missing", EN, line, 10).id("article-reading-time"),
        0,
    );
}

#[test]
fn a_duplicate_message_id_is_an_error_at_the_second_definition() {
    let project = Project::sample();
    edit(
        &project,
        KO,
        "search-button = 검색\n",
        "search-button = 검색\nnav-home = 처음\n",
    );
    let line = line_of(&project, KO, "nav-home = 처음");
    let json = assert_reported(
        &project,
        &Expected::error("duplicate-message", KO, line, 1).id("nav-home"),
        1,
    );
    let first = line_of(&project, KO, "nav-home = 홈");
    let text = json.to_string();
    assert!(
        text.contains(&format!("already defined at locales/ko/main.ftl:{first}")),
        "{json:#}"
    );
}

#[test]
fn a_configured_target_without_a_folder_is_a_missing_locale() {
    let project = Project::sample();
    std::fs::remove_dir_all(project.path("locales/zh-Hans")).expect("rm");
    let json = assert_reported(
        &project,
        &Expected::warning("missing-locale", "locales/zh-Hans", 0, 0),
        0,
    );
    assert_eq!(codes(&json), ["missing-locale"], "{json:#}");
    assert_eq!(json["summary"]["files"], 6);
}

#[test]
fn an_unconfigured_folder_is_an_unknown_locale() {
    let project = Project::sample();
    project.write("locales/ja/main.ftl", &project.read("locales/vi/main.ftl"));
    let json = assert_reported(
        &project,
        &Expected::warning("unknown-locale", "locales/ja", 0, 0),
        0,
    );
    assert_eq!(codes(&json), ["unknown-locale"], "{json:#}");
}

#[test]
fn a_sub_folder_file_missing_in_a_target_is_a_missing_file() {
    let project = Project::sample();
    std::fs::remove_file(project.path("locales/ko/article/comments.ftl")).expect("rm");
    let json = assert_reported(
        &project,
        &Expected::warning("missing-file", "locales/ko/article/comments.ftl", 0, 0),
        0,
    );
    assert_eq!(
        codes(&json),
        ["missing-file"],
        "no message-level noise: {json:#}"
    );
    project.run(&["check", "--strict"]).expect_code(1);
}

#[test]
fn check_levels_turn_a_code_off_or_into_an_error() {
    let project = Project::sample();
    edit(&project, KO, "nav-news = 뉴스\n", "");
    let config = project.read("config.toml");

    project.write(
        "config.toml",
        &format!("{config}\n[check.levels]\nmissing-message = \"off\"\n"),
    );
    let json = project
        .run(&["check", "--format", "json", "--strict"])
        .expect_code(0)
        .json();
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json:#}");

    project.write(
        "config.toml",
        &format!("{config}\n[check.levels]\nmissing-message = \"error\"\n"),
    );
    assert_reported(
        &project,
        &Expected::error("missing-message", KO, 0, 0).id("nav-news"),
        1,
    );
}

#[test]
fn an_unknown_code_in_check_levels_is_reported() {
    let project = Project::sample();
    let config = project.read("config.toml");
    project.write(
        "config.toml",
        &format!("{config}\n[check.levels]\nmissing-mesage = \"off\"\n"),
    );
    let json = assert_reported(
        &project,
        &Expected::error("unknown-check-code", "config.toml", 0, 0),
        1,
    );
    let message = json["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("`missing-mesage`"), "{message}");
    assert!(
        message.contains("missing-message"),
        "lists the known codes: {message}"
    );
}

#[test]
fn an_invalid_config_exits_2_with_its_position() {
    let project = Project::sample();
    project.write(
        "config.toml",
        "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"\n",
    );
    let run = project.run(&["check"]).expect_code(2);
    assert!(
        run.stderr().contains("config.toml:3:"),
        "file:line:col: {}",
        run.stderr()
    );
    assert_eq!(run.stdout(), "", "no report without a config");

    let project = Project::sample();
    let config = project.read("config.toml");
    project.write(
        "config.toml",
        &format!("{config}\n[check.levels]\nmissing-message = \"loud\"\n"),
    );
    let line = config.lines().count() + 3;
    let run = project.run(&["check", "--format", "json"]).expect_code(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains(&format!("config.toml:{line}:19")),
        "{stderr}"
    );
    assert!(stderr.contains("`off`, `warning`, `error`"), "{stderr}");
}

#[test]
fn github_format_escapes_percent_newline_and_property_separators() {
    let project = Project::sample();
    // An obsolete file whose name needs escaping in the property and in the message.
    project.write("locales/en/a,b:50%.ftl", "extra = Extra\n");
    let github = project
        .run(&["check", "--format", "github"])
        .expect_code(0)
        .stdout();
    let line = github
        .lines()
        .find(|l| l.contains("title=obsolete-file"))
        .unwrap_or_else(|| panic!("obsolete-file in:\n{github}"));
    let (props, message) = line.split_once("::").map_or(("", ""), |(_, rest)| {
        rest.split_once("::").unwrap_or_default()
    });
    assert_eq!(
        props,
        "warning file=locales/en/a%2Cb%3A50%25.ftl,title=obsolete-file"
    );
    assert!(message.contains("`a,b:50%25.ftl`"), "{line}");
    assert!(!message.contains("50%."), "{line}");
}

#[cfg(unix)]
#[test]
fn github_format_keeps_one_annotation_per_line_for_a_newline_in_a_name() {
    let project = Project::sample();
    std::fs::create_dir_all(project.path("locales/10%\nold")).expect("mkdir");
    let github = project
        .run(&["check", "--format", "github"])
        .expect_code(0)
        .stdout();
    assert_eq!(github.lines().count(), 1, "{github}");
    assert!(
        github.starts_with("::warning file=locales/10%25%0Aold,title=unknown-locale::"),
        "{github}"
    );
    assert!(github.contains("`10%25%0Aold`"), "{github}");
}

/// docs/ci.md: the GitHub Actions job is valid YAML, and each `dich` command it runs
/// works on the sample project (with `[check] strict = true`, as the page advises),
/// its JSON reports parsing.
#[test]
fn the_ci_job_in_the_docs_runs_on_the_sample_project() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md"))
        .expect("docs/ci.md");
    let yaml = page
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a yaml block");
    let job: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).expect("valid YAML");
    let steps = job["jobs"]["dich"]["steps"].as_sequence().expect("steps");
    let project = Project::sample();
    let config = std::fs::read_to_string(project.path("config.toml")).unwrap_or_default();
    project.write(
        "config.toml",
        &format!("{config}\n[check]\nstrict = true\n"),
    );
    project.run(&["translate"]).expect_code(0);
    let mut commands = Vec::new();
    for run in steps.iter().filter_map(|s| s["run"].as_str()) {
        for line in run.lines().filter_map(|l| l.trim().strip_prefix("dich ")) {
            let command = line.split(['>', '|']).next().unwrap_or_default();
            commands.push(command.split_whitespace().collect::<Vec<_>>());
        }
    }
    assert_eq!(commands.len(), 4, "{commands:?}");
    for args in &commands {
        let run = project.run(args).expect_code(0);
        if args.contains(&"json") {
            let _: serde_json::Value = run.json();
        }
    }
    let uploads = steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/upload-artifact"))
            && s["with"]["path"].as_str() == Some("reports/")
    });
    assert!(uploads, "the job uploads the reports");
}
