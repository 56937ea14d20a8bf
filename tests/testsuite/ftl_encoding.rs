//! Target `.ftl` files that are not plain UTF-8 (issue 10, item 5): a translator's
//! editor saved one as UTF-16 or as Windows-1258. dich reads UTF-16 with a byte order
//! mark and UTF-8 with one; anything else is an error naming the file, and the file is
//! never overwritten.

use crate::support::Project;

const VI: &str = "locales/vi/main.ftl";
const EN: &str = "locales/en/main.ftl";
const CONFIG: &str = "[project]\nsource = \"vi\"\ntargets = [\"en\"]\n";
const REFERENCE: &str = "hello = Xin chào\nbye = Tạm biệt\n";
/// A person's translation of `hello`; `bye` is still missing.
const HUMAN: &str = "hello = Hi there, Hà Nội\n";

fn project(target: &[u8]) -> Project {
    let project = Project::with_config(CONFIG);
    project.write(VI, REFERENCE);
    project.write_bytes(EN, target);
    project
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

/// `Hà Nội` as Windows-1258 would store it (`à` = 0xE0, `ộ` = `ô` 0xF4 + dot 0xF2):
/// not UTF-8.
fn windows_1258() -> Vec<u8> {
    let mut bytes = b"hello = Hi there, H".to_vec();
    bytes.extend([0xE0, b' ', b'N', 0xF4, 0xF2, b'i', b'\n']);
    bytes
}

fn read_bytes(project: &Project, rel: &str) -> Vec<u8> {
    std::fs::read(project.path(rel)).expect("read")
}

#[test]
fn a_target_that_is_not_utf8_is_never_overwritten() {
    let bytes = windows_1258();
    let project = project(&bytes);
    let run = project.run(&["translate"]).expect_code(1);
    let output = run.stdout() + &run.stderr();
    assert!(output.contains(EN), "names the file:\n{output}");
    assert!(output.contains("UTF-8"), "says what to do:\n{output}");
    assert_eq!(
        read_bytes(&project, EN),
        bytes,
        "the file is left untouched"
    );
}

#[test]
fn status_and_check_report_an_unreadable_target_as_an_error_not_as_missing() {
    let project = project(&windows_1258());
    let status = project
        .run(&["status", "--check", "--json"])
        .expect_code(1)
        .json();
    let ui = &status["ui"][0];
    assert_eq!(ui["path"], EN, "{status:#}");
    let error = ui["error"]["message"].as_str().unwrap_or_default();
    assert!(error.contains("UTF-8"), "{status:#}");
    assert_eq!(ui["missing"], 0, "not counted as missing: {status:#}");

    let check = project
        .run(&["check", "--format", "json"])
        .expect_code(1)
        .json();
    let found: Vec<&serde_json::Value> = check["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == EN)
        .collect();
    assert_eq!(found.len(), 1, "{check:#}");
    assert_eq!(found[0]["code"], "io-error");
    assert_eq!(
        found[0]["line"], 1,
        "points at the first bad byte: {check:#}"
    );
    let message = found[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("re-save it as UTF-8"), "{message}");
}

#[test]
fn a_utf16_target_is_read_and_its_human_text_kept() {
    for big_endian in [false, true] {
        let project = project(&utf16(HUMAN, big_endian));
        project.run(&["check", "--format", "json"]).expect_code(0);
        let status = project.run(&["status", "--json"]).json();
        assert_eq!(status["ui"][0]["missing"], 1, "only `bye`: {status:#}");
        assert_eq!(status["ui"][0]["error"], serde_json::Value::Null);

        project.run(&["translate"]).expect_code(0);
        // Written back as UTF-8 (the encoding Fluent tools and dich's runtime read),
        // every character of the person's text kept.
        let text = project.read(EN);
        assert!(text.starts_with(HUMAN), "{text}");
        assert!(text.contains("bye = [en] Tam biet"), "{text}");
        project.run(&["check", "--format", "json"]).expect_code(0);
    }
}

#[test]
fn a_utf8_target_with_a_byte_order_mark_is_read() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(HUMAN.as_bytes());
    let project = project(&bytes);
    let check = project
        .run(&["check", "--format", "json"])
        .expect_code(0)
        .json();
    assert_eq!(
        check["summary"]["warnings"], 1,
        "only `bye` missing: {check:#}"
    );
    project.run(&["translate"]).expect_code(0);
    let text = project.read(EN);
    assert!(text.contains("hello = Hi there, Hà Nội"), "{text}");
    assert_eq!(text.matches("hello =").count(), 1, "{text}");
    assert!(text.contains("bye = [en] Tam biet"), "{text}");
}

#[test]
fn utf16_without_a_byte_order_mark_is_refused() {
    let bytes: Vec<u8> = HUMAN.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let project = project(&bytes);
    let run = project.run(&["translate"]).expect_code(1);
    let output = run.stdout() + &run.stderr();
    assert!(output.contains("UTF-8"), "{output}");
    assert_eq!(read_bytes(&project, EN), bytes);
}
