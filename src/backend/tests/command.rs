//! The `command` backend against small Python programs written to a temp dir.

use std::io::Write as _;

use super::support::*;
use crate::backend::BackendError;

/// Writes `script` and returns a config running it with python3.
fn program(dir: &tempfile::TempDir, script: &str) -> crate::config::BackendConfig {
    let path = dir.path().join("mt.py");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(script.as_bytes()).unwrap();
    crate::config::BackendConfig {
        kind: "command".into(),
        table: command(&["python3", &path.display().to_string()]),
        timeout_secs: 5.0,
        ..crate::config::BackendConfig::default()
    }
}

/// The `command = [...]` option of a `command` table.
fn command(program: &[&str]) -> crate::config::BackendTable {
    let mut table = toml::Table::new();
    table.insert(
        "command".into(),
        program
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into(),
    );
    table.into()
}

const ECHO: &str = r#"
import json, sys, os
for line in sys.stdin:
    req = json.loads(line)
    out = [f"{req['target']} {os.getpid()} {s['text']}" for s in req["segments"]]
    print(json.dumps({"translations": out}), flush=True)
"#;

#[tokio::test]
async fn command_translates_and_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&program(&dir, ECHO));
    let a = backend
        .translate(&batch_to("zh-Hans", &["<g1>một</g1>", "hai"]))
        .await
        .unwrap();
    let b = backend.translate(&batch(&["ba"])).await.unwrap();
    assert!(
        a[0].starts_with("zh-Hans ") && a[0].ends_with(" <g1>một</g1>"),
        "{a:?}"
    );
    let pid = |s: &str| s.split(' ').nth(1).unwrap().to_owned();
    assert_eq!(pid(&a[0]), pid(&b[0]), "the program is kept running");
}

#[tokio::test]
async fn command_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let script = "import sys\nfor line in sys.stdin:\n    print('{\"error\": \"model not loaded\"}', flush=True)\n";
    let err = backend(&program(&dir, script))
        .translate(&batch(&["một"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("model not loaded"), "{err}");

    let mut config = program(&dir, "");
    config.table = command(&["/nonexistent/dich-mt"]);
    let err = backend(&config)
        .translate(&batch(&["một"]))
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Config { .. }), "{err}");
}
