//! Data-driven tests of `dich check`: every case under `tests/fixtures/ftl/<case>/` is a
//! small project (`config.toml` + `locales/`) with an `expected` file listing the
//! diagnostics, one `severity[code] file:line:col id` per line.
//!
//! To add a case, create the folder with its `config.toml` and `locales/`, then run
//! `DICH_BLESS=1 cargo test --test testsuite check_fixtures` to write its `expected`
//! file; review the diff before committing. The cases call the library (`dich::fluent::
//! check`) rather than the binary: the command-line output is covered by `check.rs`,
//! and two dozen process spawns would only slow the suite down.

use std::path::{Path, PathBuf};

use dich::config::Config;
use dich::fluent::{CheckReport, check};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(config: &Path) -> Config {
    let text = std::fs::read_to_string(config).expect("config.toml");
    Config::parse(&text, config).unwrap_or_else(|e| panic!("{}: {e}", config.display()))
}

fn summary_lines(report: &CheckReport) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}[{}] {}:{}:{} {}\n",
                d.severity,
                d.code,
                d.file.display(),
                d.line,
                d.column,
                d.id.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn sample_locales_check_clean() {
    let config = Config::parse(
        "[project]\nsource = \"vi\"\ntargets = [\"en\", \"ko\", \"zh-Hans\"]\n",
        &manifest_dir().join("config.toml"),
    )
    .expect("config");
    let report = check(&config);
    assert_eq!(
        summary_lines(&report),
        "",
        "{}",
        dich::fluent::report::human(&report)
    );
    assert_eq!(report.summary.files, 8);
}

#[test]
fn fixtures() {
    let root = manifest_dir().join("tests/fixtures/ftl");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/ftl")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("config.toml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let bless = std::env::var_os("DICH_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let report = check(&load(&case.join("config.toml")));
        let actual = summary_lines(&report);
        let expected_path = case.join("expected");
        if bless {
            std::fs::write(&expected_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}{}",
                case.display(),
                dich::fluent::report::human(&report)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every check code that a file can trigger has a fixture case named after it.
#[test]
fn every_code_has_a_fixture() {
    let root = manifest_dir().join("tests/fixtures/ftl");
    for code in dich::fluent::codes() {
        let case = root.join(code.as_str());
        assert!(case.join("config.toml").is_file(), "no fixture for {code}");
        let expected = std::fs::read_to_string(case.join("expected")).unwrap_or_default();
        assert!(
            expected.contains(&format!("[{code}]")),
            "fixture {code} does not trigger {code}"
        );
    }
}
