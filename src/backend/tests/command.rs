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

/// Crashes before answering the first time it is started (a marker file says so),
/// then echoes.
const CRASHES_ONCE: &str = r#"
import json, sys, os
marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "started")
if not os.path.exists(marker):
    open(marker, "w").close()
    sys.exit(3)
for line in sys.stdin:
    req = json.loads(line)
    print(json.dumps({"translations": ["EN " + s["text"] for s in req["segments"]]}), flush=True)
"#;

/// Issue 10: the `command` backend retries a program that died, like every backend.
#[tokio::test]
async fn a_program_that_dies_is_restarted_and_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let out = backend(&program(&dir, CRASHES_ONCE))
        .translate(&batch(&["một"]))
        .await
        .unwrap();
    assert_eq!(out, ["EN một"]);
}

/// Issue 10: a program that keeps dying opens the circuit breaker.
#[tokio::test]
async fn a_program_that_keeps_dying_opens_the_circuit() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = program(&dir, "import sys\nsys.exit(3)\n");
    config.circuit_breaker_failures = 2;
    config.max_retries = 5;
    let err = backend(&config)
        .translate(&batch(&["một"]))
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::CircuitOpen { .. }), "{err}");
}
