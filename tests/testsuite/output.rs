//! The output convention every reporting command shares (issue 14): `--format
//! human|json|github` with `--json` as its alias, JSON that validates against the
//! schemas in `docs/schema/`, GitHub annotations, an honest summary within 80
//! columns, and logs that say what changed and nothing more.

use serde_json::Value;

use crate::support::Project;

const GOOD: &str = "+++\ntitle = \"Tin tốt\"\n+++\n\nBài viết tốt. Mọi thứ đều ổn.\n";
const BROKEN: &str = "+++\ntitle = \"thiếu ngoặc\n+++\n\nNội dung.\n";

/// Validates `value` against `docs/schema/NAME.schema.json`.
fn assert_valid(name: &str, value: &Value) {
    let path = format!(
        "{}/docs/schema/{name}.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{value:#}");
}

/// A project with a good article, two broken ones and a `.ftl` file with a mistake.
fn project() -> Project {
    let project = Project::new();
    project.write("content/tot.md", GOOD);
    project.write("content/loi/x.md", BROKEN);
    project.write("content/loi/y.md", BROKEN);
    project.write("locales/vi/main.ftl", "hello = Xin chào { $name }\n");
    project.write("locales/en/main.ftl", "hello = Hello { $nmae }\n");
    project
}

fn error_objects(value: &Value) -> Vec<&serde_json::Map<String, Value>> {
    value
        .as_array()
        .expect("an array of errors")
        .iter()
        .map(|e| e.as_object().expect("an error object"))
        .collect()
}

#[test]
fn every_command_gives_json_with_the_same_flag_and_each_validates() {
    let project = project();
    for (command, schema, code) in [
        ("translate", "translate", 1),
        ("status", "status", 0),
        ("check", "check", 1),
    ] {
        let alias = project.run(&[command, "--json"]).expect_code(code).json();
        assert_valid(schema, &alias);
        let format = project
            .run(&[command, "--format", "json"])
            .expect_code(code)
            .json();
        assert_valid(schema, &format);
    }
    let dry = project.run(&["translate", "--dry-run", "--json"]).json();
    assert_valid("translate", &dry);
    assert_eq!(dry["dry_run"], true);
}

#[test]
fn json_errors_carry_path_line_column_code_and_message() {
    let project = project();
    let summary = project.run(&["translate", "--json"]).expect_code(1).json();
    let failures = error_objects(&summary["failures"]);
    assert_eq!(failures.len(), 2, "{summary:#}");
    for failure in failures {
        for key in ["path", "line", "column", "code", "message"] {
            assert!(failure.contains_key(key), "{key} missing: {failure:?}");
        }
        let path = failure["path"].as_str().unwrap_or_default();
        assert!(path.starts_with("content/loi/"), "{failure:?}");
        assert_eq!(failure["line"], 2, "{failure:?}");
        let message = failure["message"].as_str().unwrap_or_default();
        assert!(!message.contains(path), "location repeated: {message}");
    }
    let check = project.run(&["check", "--json"]).expect_code(1).json();
    let diagnostics = error_objects(&check["diagnostics"]);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["path"] == "locales/en/main.ftl" && d["line"] == 1),
        "{check:#}"
    );
}

#[test]
fn the_schemas_reject_an_error_without_its_position_fields() {
    let mut check = project().run(&["check", "--json"]).expect_code(1).json();
    if let Some(d) = check["diagnostics"][0].as_object_mut() {
        d.remove("line");
    }
    let text = std::fs::read_to_string(format!(
        "{}/docs/schema/check.schema.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema");
    assert!(
        !validator.is_valid(&check),
        "a diagnostic without `line` passed"
    );
}

#[test]
fn format_and_json_cannot_disagree() {
    let run = Project::new()
        .run(&["status", "--json", "--format", "human"])
        .expect_code(2);
    assert!(run.stderr().contains("--format"), "{}", run.stderr());
}

#[test]
fn status_annotates_what_fails_the_check_and_its_last_line_agrees_with_the_exit_code() {
    let project = Project::new();
    project.write("content/tot.md", GOOD);
    let github = project
        .run(&["status", "--check", "--format", "github"])
        .expect_code(1)
        .stdout();
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::error file=content/tot.md,title=missing::")),
        "{github}"
    );
    assert!(github.trim_end().ends_with("— check failed"), "{github}");
    project.run(&["translate"]).expect_code(0);
    let human = project.run(&["status", "--check"]).expect_code(0).stdout();
    assert!(human.trim_end().ends_with("— check passed"), "{human}");
    // A UI file that cannot be read fails the check, and the last line says so.
    project.write("locales/vi/main.ftl", "hello = Xin chào\n");
    project.write_bytes("locales/en/main.ftl", b"hello = \xff\n");
    let run = project.run(&["status", "--check"]);
    let last = run.stdout().lines().last().unwrap_or_default().to_owned();
    if run.code() == 1 {
        assert!(last.ends_with("— check failed"), "{}", run.stdout());
    } else {
        assert!(last.ends_with("— check passed"), "{}", run.stdout());
    }
}

#[test]
fn the_summary_adds_up_prints_each_failure_once_and_fits_80_columns() {
    let project = Project::with_config(
        "[project]\nsource = \"vi\"\ntargets = [\"ca-ES-valencia\", \"zh-Hant-HK\", \"en-Latn-GB-oxendict\"]\n",
    );
    project.write("content/tot.md", GOOD);
    project.write("content/loi/x.md", BROKEN);
    project.write("content/loi/y.md", BROKEN);
    // The plan and its cost table first, then the real run.
    let plan = project.run(&["translate", "--dry-run"]).stdout();
    assert!(plan.contains("en-Latn-GB-oxendict"), "{plan}");
    let out = project.run(&["translate"]).expect_code(1).stdout();
    for line in plan.lines().chain(out.lines()) {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line:?}",
            line.chars().count()
        );
    }
    // Rows of the table: `failed` is the last column; the rows add up to `total`.
    let failed = |line: &str| -> usize {
        line.split_whitespace()
            .last()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let rows: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("language"))
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("total"))
        .collect();
    let total = out
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .expect("a total row");
    assert_eq!(
        rows.iter().map(|r| failed(r)).sum::<usize>(),
        failed(total),
        "{out}"
    );
    assert_eq!(failed(total), 2, "{out}");
    for path in ["content/loi/x.md", "content/loi/y.md"] {
        assert_eq!(out.matches(path).count(), 1, "{path} once: {out}");
    }
}

#[test]
fn a_no_op_run_logs_nothing_per_file_and_verbosity_is_adjustable() {
    let project = Project::new();
    project.write("content/tot.md", GOOD);
    let first = project.run(&["translate"]).expect_code(0);
    assert!(first.stderr().contains("written"), "{}", first.stderr());
    let quiet = project.run(&["translate", "-q"]).expect_code(0);
    assert_eq!(quiet.stderr(), "", "-q keeps info lines out");
    let again = project.run(&["translate"]).expect_code(0);
    assert!(
        !again.stderr().contains("up to date"),
        "per-file lines of a no-op run: {}",
        again.stderr()
    );
    assert!(
        again.stdout().contains("total"),
        "the summary is still printed"
    );
    let verbose = project.run(&["-v", "translate"]).expect_code(0);
    assert!(
        verbose.stderr().contains("up to date"),
        "{}",
        verbose.stderr()
    );
}

#[test]
fn memory_import_reports_in_json_too() {
    let project = Project::new();
    let tmx = format!(
        "{}/tests/fixtures/tmx/omegat.tmx",
        env!("CARGO_MANIFEST_DIR")
    );
    let json = project
        .run(&["memory", "import", &tmx, "--json"])
        .expect_code(0)
        .json();
    assert!(json["units"].as_u64().unwrap_or(0) > 0, "{json:#}");
    let skipped = error_objects(&json["skipped"]);
    assert!(!skipped.is_empty(), "{json:#}");
    for skip in skipped {
        assert!(skip["line"].as_u64().is_some(), "{skip:?}");
        assert_eq!(skip["code"], "skipped");
    }
}

#[test]
fn translate_annotates_each_failure_for_github_with_its_position() {
    let project = project();
    for args in [
        &["translate", "--format", "github"][..],
        &["translate", "--dry-run", "--format", "github"],
    ] {
        let out = project.run(args).stdout();
        let annotations: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("::error file=content/loi/"))
            .collect();
        assert_eq!(annotations.len(), 2, "{args:?}: {out}");
        for annotation in annotations {
            assert!(annotation.contains(",line=2,col="), "{annotation}");
        }
    }
}

#[test]
fn a_command_that_cannot_run_still_answers_in_json_and_github() {
    let project = Project::with_config("[project]\nsource = \"vi\"\ntargets = [\"en\", \"kr\"]\n");
    for command in ["translate", "status", "check"] {
        let json = project.run(&[command, "--json"]).expect_code(2).json();
        assert_valid("error", &json);
        let error = &json["error"];
        assert_eq!(error["path"], "config.toml", "{json:#}");
        assert_eq!(error["line"], 3, "{json:#}");
        assert_eq!(error["code"], "config", "{json:#}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("`ko`"),
            "{json:#}"
        );
    }
    let github = project
        .run(&["status", "--format", "github"])
        .expect_code(2)
        .stdout();
    assert!(
        github.starts_with("::error file=config.toml,line=3,col="),
        "{github}"
    );
}

/// Issue 14: a config with three mistakes reports all three at once, in file order,
/// each at its place with a suggestion, in every format; exit code 2.
#[test]
fn every_config_mistake_is_reported_at_once() {
    let project = Project::with_config(
        "[project]\nsource = \"vi\"\ntargets = [\"kr\", \"en\"]\ncontent_dri = \"c\"\n\n[backend]\nkind = \"pseudo\"\nconcurrency = 0\n",
    );
    let json = project.run(&["check", "--json"]).expect_code(2).json();
    assert_valid("error", &json);
    let errors = json["errors"].as_array().expect("errors");
    let places: Vec<(i64, i64)> = errors
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap_or(0),
                e["column"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(places, [(3, 12), (4, 1), (8, 15)], "{json:#}");
    for (error, hint) in errors.iter().zip(["`ko`", "`content_dir`", "at least 1"]) {
        assert_eq!(error["path"], "config.toml", "{json:#}");
        assert_eq!(error["code"], "config", "{json:#}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(hint), "{message}");
    }
    assert_eq!(json["error"], errors[0]);
    let human = project.run(&["translate"]).expect_code(2);
    let stderr = human.stderr();
    let lines = stderr
        .lines()
        .filter(|l| l.starts_with("error: config.toml:"))
        .count();
    assert_eq!(lines, 3, "{stderr}");
    let github = project
        .run(&["status", "--format", "github"])
        .expect_code(2)
        .stdout();
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::error file=config.toml,"))
            .count(),
        3,
        "{github}"
    );
}

#[test]
fn dich_log_directives_apply_on_top_of_the_flags() {
    let project = Project::new();
    project.write("content/tot.md", GOOD);
    let output = project
        .command(&["translate", "-q"])
        .env("DICH_LOG", "info")
        .output()
        .expect("run dich");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("written"),
        "DICH_LOG=info beats -q: {stderr}"
    );
    let output = project
        .command(&["status"])
        .env("DICH_LOG", "dich=loud")
        .output()
        .expect("run dich");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DICH_LOG is ignored"), "{stderr}");
    assert_eq!(output.status.code(), Some(0));
}

/// Issue 14, item 5: `--dry-run` says which files it would write and why, under
/// column headers, and its JSON has exactly the keys of a real run's.
#[test]
fn dry_run_lists_each_file_it_would_write_and_why() {
    let project = Project::with_config(
        "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\"]\n\n[qa]\nenabled = false\n",
    );
    project.write("content/tot.md", GOOD);
    project.write("content/doi.md", GOOD);
    project.write("locales/vi/main.ftl", "hello = Xin chào\n");
    project.run(&["translate"]).expect_code(0);
    // Now: one source changed, one English translation replaced by hand (a
    // conflict, replaced with --force), one UI string added, one article new.
    project.write("content/doi.md", &GOOD.replace("ổn.", "ổn định."));
    project.write("content/tot.en.md", "Written by hand, no provenance.\n");
    project.write("locales/vi/main.ftl", "hello = Xin chào\nbye = Tạm biệt\n");
    project.write("content/moi.md", GOOD);

    let real_keys = |value: &Value| -> Vec<String> {
        value.as_object().expect("object").keys().cloned().collect()
    };
    let dry = project.translate_json(&["--dry-run", "--force"]);
    assert_valid("translate", &dry);
    let reasons: Vec<(String, String)> = dry["files"]
        .as_array()
        .expect("a file list")
        .iter()
        .map(|f| {
            let field = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (field("path"), field("reason"))
        })
        .collect();
    for expected in [
        ("content/doi.en.md", "source-changed"),
        ("content/doi.ko.md", "source-changed"),
        ("content/tot.en.md", "forced"),
        ("content/moi.en.md", "missing"),
        ("content/moi.ko.md", "missing"),
        ("locales/en/main.ftl", "ui-strings-missing"),
    ] {
        assert!(
            reasons.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {reasons:?}"
        );
    }
    assert!(
        !reasons.iter().any(|(path, _)| path == "content/tot.ko.md"),
        "up to date, not listed: {reasons:?}"
    );
    let human = project
        .run(&["translate", "--dry-run", "--force"])
        .expect_code(0)
        .stdout();
    let list: Vec<&str> = human
        .lines()
        .skip_while(|l| !l.starts_with("Files to write"))
        .collect();
    assert!(
        list.get(1)
            .is_some_and(|l| l.split_whitespace().eq(["why", "file"])),
        "column headers: {human}"
    );
    assert!(
        list.iter()
            .any(|l| l.contains("source changed") && l.contains("content/doi.en.md")),
        "{human}"
    );
    assert!(
        list.iter()
            .any(|l| l.contains("locales/en/main.ftl") && l.contains("1 missing")),
        "{human}"
    );
    let cost = human
        .lines()
        .skip_while(|l| !l.starts_with("Cost estimate"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        cost.contains("language") && cost.contains("cost"),
        "{human}"
    );
    for line in human.lines() {
        assert!(line.chars().count() <= 80, "{line:?}");
    }

    let real = project.translate_json(&["--force"]);
    assert_valid("translate", &real);
    assert_eq!(real_keys(&dry), real_keys(&real), "same keys, same order");
    assert_eq!(real["dry_run"], false);
    assert_eq!(real["estimate"], Value::Null);
}
